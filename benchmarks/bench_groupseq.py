"""Medians of the group-sequential engine's costs (run: python benchmarks/bench_groupseq.py).

* bounds of a 3-look plan (uncached), inflation factor, 200-point power of one test;
* stratified: closed-test bounds for one correlation and for 200 (a prevalence curve), the
  power of the four claims at 200 points (2-D grid; and the former Genz rectangles in the same
  run, for the ratio), a comparison-like solve (bounds, N for 90 % power of the primary claim,
  expected fractions under H0 and H1) and three 200-point curves (power vs N, power vs the
  B− effect, claims over prevalence at fixed N with 200 correlations) and the fourth: N for 90 %
  power over prevalence (one root per point, all points at once as planner.solve.solve_n).

``--old PATH`` (a copy of main's planner/groupseq beside a copy of planner/errors.py) times the same stratified work with that
copy in the same run and prints old/new ratios. The machine is shared: the load average is
printed beside the medians.
"""

from __future__ import annotations

import importlib
import os
import statistics
import sys
import time
import types
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's planner

from planner.groupseq import boundaries as B  # noqa: E402
from planner.groupseq import procedure as PR  # noqa: E402
from planner.groupseq import single  # noqa: E402
from planner.groupseq import stratified as S  # noqa: E402
from planner.groupseq.plan import InterimPlan  # noqa: E402


def _median(fn, repeat: int = 5, clear=None) -> float:
    times = []
    for _ in range(repeat):
        if clear:
            clear()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def _load(path: str):
    """A second copy of the package (the baseline, e.g. main's planner/groupseq) as ``gs_old``;
    its parent directory stands in for ``planner`` (the package imports ``..errors``)."""
    parent = types.ModuleType("gs_old")
    parent.__path__ = [str(Path(path).resolve().parent)]
    sys.modules["gs_old"] = parent
    name = Path(path).resolve().name
    return {m: importlib.import_module(f"gs_old.{name}.{m}") for m in ("boundaries", "procedure", "stratified", "plan")}


NEW = {"boundaries": B, "procedure": PR, "stratified": S, "plan": sys.modules[InterimPlan.__module__],
       "own": importlib.import_module("planner.groupseq.own")}


def _clearer(m):
    def clear():
        b, s = m["boundaries"], m["stratified"]
        own = getattr(m["procedure"], "_own", None) or getattr(m.get("own"), "KEPT", None)   # own-drift recursions (absent in older copies)
        for f in (b.boundaries, b.drift_for_power, b._power_table, b._power_spline, s._closed_cached, m["procedure"]._reference,
                  *([own] if own else [])):
            f.cache_clear()
    return clear


def _solve_n(S, joint, bd, claim, target):
    from scipy.optimize import brentq  # noqa: PLC0415

    f = lambda n: float(S.claim_probabilities(joint.mean_per_sqrt_n * np.sqrt(n), joint.cov1, bd)[claim]) - target  # noqa: E731
    return brentq(f, 20.0, 20000.0, xtol=0.5)


def _comparison(S, plan, joint):
    bd = S.bounds_for(joint, plan, 0.025, "spiessens_debois", None)
    n = _solve_n(S, joint, bd, "either", 0.9)
    mean = joint.mean_per_sqrt_n * np.sqrt(n)
    S.claim_probabilities(mean, joint.cov1, bd)
    S.expected_fraction(mean, joint.cov1, bd, plan.information_rates)
    S.expected_fraction(mean * 0.0, joint.corr0, bd, plan.information_rates)


def _n_over_prevalence(S, plan, curve):
    """N for 90 % power of either claim at every point (as planner.solve.solve_n: all points at once)."""
    from scipy.optimize import elementwise  # noqa: PLC0415

    bd = S.bounds_for(curve, plan, 0.025, "spiessens_debois", None)

    def f(x, i):
        pick = lambda v: v[i]  # noqa: E731
        sub = S.ClosedBounds(*(pick(getattr(bd, n)) for n in ("a", "b", "c_f", "c_s", "f_f", "f_s")))
        return S.claim_probabilities(curve.mean_per_sqrt_n[i] * np.exp(x / 2)[:, None], curve.cov1[i], sub)["either"] - 0.9

    idx = np.arange(curve.cov1.shape[0])
    res = elementwise.find_root(f, (np.full(idx.size, np.log(20.0)), np.full(idx.size, np.log(1e8))), args=(idx,),
                                tolerances={"xatol": 1e-12, "xrtol": 1e-13, "fatol": 0.0, "frtol": 0.0}, maxiter=200)
    return np.exp(res.x)


def _curves(S, plan, joint, curve, effect, fourth: bool = True):
    bd = S.bounds_for(joint, plan, 0.025, "spiessens_debois", None)
    n = np.linspace(20, 4000, 200)[:, None]
    S.claim_probabilities(joint.mean_per_sqrt_n * np.sqrt(n), joint.cov1, bd)
    S.claim_probabilities(effect.mean_per_sqrt_n * np.sqrt(500.0), effect.cov1, bd)
    bdc = S.bounds_for(curve, plan, 0.025, "spiessens_debois", None)
    S.claim_probabilities(curve.mean_per_sqrt_n * np.sqrt(500.0), curve.cov1, bdc)
    if fourth:
        _n_over_prevalence(S, plan, curve)


def _laws(S, plan):
    rho = np.linspace(0.3, 0.9, 200)
    one = S.joint_from_fixed(0.2, 0.25, 1.0, 1.0, 0.6, 0.6, plan.information_rates)
    curve = S.joint_from_fixed(0.2 * rho + 0.05, 0.25, 1.0, 1.0, rho, rho, plan.information_rates)
    effect = S.joint_from_fixed(np.linspace(0.1, 0.3, 200), 0.25, 1.0, 1.0, 0.6, 0.6, plan.information_rates)
    return one, curve, effect


def _row(label: str, new: float, old: float | None) -> None:
    ratio = f"   old {old:8.1f} ms, old/new {old / new:5.1f}" if old is not None else ""
    print(f"{label:52s} {new:8.1f} ms{ratio}")


def stratified(plan_args: tuple, label: str, old: dict | None) -> None:
    """Each line: the new code's median and, when ``old`` is given, the baseline's in the same run."""
    print(f"-- stratified, {label}")
    both = {"new": NEW} | ({"old": old} if old else {})

    def measure(fn, repeat, cached=False):
        out = {}
        for tag, m in both.items():
            plan = m["plan"].InterimPlan(*plan_args)
            laws = _laws(m["stratified"], plan)
            out[tag] = _median(lambda m=m, plan=plan, laws=laws: fn(m["stratified"], plan, *laws), repeat,
                               None if cached else _clearer(m))
        return out["new"], out.get("old")

    for method in ("spiessens_debois", "bonferroni"):
        _row(f"bounds, 1 correlation, {method}", *measure(lambda S, p, one, c, e, m=method: S.bounds_for(one, p, 0.025, m, None), 3))
        _row(f"bounds, 200 correlations, {method}", *measure(lambda S, p, one, c, e, m=method: S.bounds_for(c, p, 0.025, m, None), 3))

    def claims(S, p, one, c, effect):
        bd = S.bounds_for(effect, p, 0.025, "spiessens_debois", None)
        S.claim_probabilities(effect.mean_per_sqrt_n * np.sqrt(300.0), effect.cov1, bd)

    _row("claims at 200 drifts, one correlation (with bounds)", *measure(claims, 5))
    _row("  the same, bounds and references cached", *measure(claims, 5, cached=True))
    _row("comparison-like (bounds, solve N, E[t] H0/H1)", *measure(lambda S, p, one, c, e: _comparison(S, p, one), 5))
    _row("three curves (N, effect, prevalence)", *measure(lambda S, p, one, c, e: _curves(S, p, one, c, e, False), 3 if old is None else 1))
    new = _median(lambda: _curves(S, InterimPlan(*plan_args), *_laws(S, InterimPlan(*plan_args))), 3, _clearer(NEW))
    _row("four curves (+ N for 90 % power over prevalence)", new, None)
    new = _median(lambda: _curves(S, InterimPlan(*plan_args), *_laws(S, InterimPlan(*plan_args))), 5)
    _row("  the same, bounds and references cached", new, None)


def main() -> None:
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    plan = InterimPlan((0.3, 0.6, 1.0), "obrien_fleming", None, (0.0, 0.3), False)
    p_fixed = np.linspace(0.05, 0.99, 200)
    print(f"bounds, 3 looks (uncached):             {_median(lambda: B.boundaries(plan, 0.025), clear=_clearer(NEW)):8.1f} ms")
    print(f"inflation factor (uncached bounds):     {_median(lambda: single.inflation(plan, 0.025, 0.9), clear=_clearer(NEW)):8.1f} ms")
    print(f"power at 200 sizes, first call (table): {_median(lambda: single.sequential_power(plan, 0.025, p_fixed), clear=_clearer(NEW)):8.1f} ms")
    single.sequential_power(plan, 0.025, p_fixed)
    print(f"power at 200 sizes, cached plan:        {_median(lambda: single.sequential_power(plan, 0.025, p_fixed)):8.2f} ms")
    old = _load(sys.argv[sys.argv.index("--old") + 1]) if "--old" in sys.argv else None
    stratified(((0.3, 0.6, 1.0), "obrien_fleming"), "3 looks, O'Brien–Fleming, no futility", old)
    stratified(((0.3, 0.6, 1.0), "obrien_fleming", None, (0.0, 0.3), False), "3 looks, O'Brien–Fleming, non-binding futility (0, 0.3)", old)
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
