"""Medians of the group-sequential engine's costs (run: python benchmarks/bench_groupseq.py).

* bounds of a 3-look plan (uncached), inflation factor, 200-point power of one test;
* stratified: closed-test bounds for one correlation and for 200 (a prevalence curve), the
  power of the four claims at 200 points (2-D grid; and the former Genz rectangles in the same
  run, for the ratio), a comparison-like solve (bounds, N for 90 % power of the primary claim,
  expected fractions under H0 and H1) and three 200-point curves (power vs N, power vs the
  B− effect, claims over prevalence at fixed N with 200 correlations).

The machine is shared: the load average is printed beside the medians.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
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


def _clear():
    for f in (B.boundaries, B.drift_for_power, B._power_table, B._power_spline, S._closed_cached, PR._reference):
        f.cache_clear()


def _solve_n(joint, bd, claim, target):
    from scipy.optimize import brentq  # noqa: PLC0415

    f = lambda n: float(S.claim_probabilities(joint.mean_per_sqrt_n * np.sqrt(n), joint.cov1, bd)[claim]) - target  # noqa: E731
    return brentq(f, 20.0, 20000.0, xtol=0.5)


def _comparison(plan, joint):
    bd = S.bounds_for(joint, plan, 0.025, "spiessens_debois", None)
    n = _solve_n(joint, bd, "either", 0.9)
    mean = joint.mean_per_sqrt_n * np.sqrt(n)
    S.claim_probabilities(mean, joint.cov1, bd)
    S.expected_fraction(mean, joint.cov1, bd, plan.information_rates)
    S.expected_fraction(mean * 0.0, joint.corr0, bd, plan.information_rates)


def _curves(plan, joint, curve, effect):
    bd = S.bounds_for(joint, plan, 0.025, "spiessens_debois", None)
    n = np.linspace(20, 4000, 200)[:, None]
    S.claim_probabilities(joint.mean_per_sqrt_n * np.sqrt(n), joint.cov1, bd)
    S.claim_probabilities(effect.mean_per_sqrt_n * np.sqrt(500.0), effect.cov1, bd)
    bdc = S.bounds_for(curve, plan, 0.025, "spiessens_debois", None)
    S.claim_probabilities(curve.mean_per_sqrt_n * np.sqrt(500.0), curve.cov1, bdc)


def stratified(plan, label: str) -> None:
    one = S.joint_from_fixed(0.2, 0.25, 1.0, 1.0, 0.6, 0.6, plan.information_rates)
    rho = np.linspace(0.3, 0.9, 200)
    curve = S.joint_from_fixed(0.2 * rho + 0.05, 0.25, 1.0, 1.0, rho, rho, plan.information_rates)
    effect = S.joint_from_fixed(np.linspace(0.1, 0.3, 200), 0.25, 1.0, 1.0, 0.6, 0.6, plan.information_rates)
    print(f"-- stratified, {label}")
    for method in ("spiessens_debois", "bonferroni"):
        print(f"bounds, 1 correlation, {method:17s}          {_median(lambda m=method: S.bounds_for(one, plan, 0.025, m, None), 3, _clear):8.1f} ms")
        print(f"bounds, 200 correlations, {method:14s}          {_median(lambda m=method: S.bounds_for(curve, plan, 0.025, m, None), 3, _clear):8.1f} ms")
    bd = S.bounds_for(effect, plan, 0.025, "spiessens_debois", None)
    mean = effect.mean_per_sqrt_n * np.sqrt(300.0)
    grid = _median(lambda: S.claim_probabilities(mean, effect.cov1, bd), 5, PR._reference.cache_clear)
    cached = _median(lambda: S.claim_probabilities(mean, effect.cov1, bd), 5)
    genz = _median(lambda: S.claim_probabilities_genz(mean, effect.cov1, bd), 1)
    print(f"claims at 200 points: grid {grid:.1f} ms (references cached: {cached:.1f} ms), "
          f"Genz {genz:.0f} ms, ratio {genz / grid:.0f}x")
    print(f"comparison-like (bounds, solve N, E[t] H0/H1), uncached: {_median(lambda: _comparison(plan, one), 5, _clear):8.1f} ms")
    print(f"three 200-point curves, uncached:                  {_median(lambda: _curves(plan, one, curve, effect), 3, _clear):8.1f} ms")
    print(f"three 200-point curves, bounds and references cached: {_median(lambda: _curves(plan, one, curve, effect), 5):5.1f} ms")


def main() -> None:
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    plan = InterimPlan((0.3, 0.6, 1.0), "obrien_fleming", None, (0.0, 0.3), False)
    p_fixed = np.linspace(0.05, 0.99, 200)
    print(f"bounds, 3 looks (uncached):             {_median(lambda: B.boundaries(plan, 0.025), clear=_clear):8.1f} ms")
    print(f"inflation factor (uncached bounds):     {_median(lambda: single.inflation(plan, 0.025, 0.9), clear=_clear):8.1f} ms")
    print(f"power at 200 sizes, first call (table): {_median(lambda: single.sequential_power(plan, 0.025, p_fixed), clear=_clear):8.1f} ms")
    single.sequential_power(plan, 0.025, p_fixed)
    print(f"power at 200 sizes, cached plan:        {_median(lambda: single.sequential_power(plan, 0.025, p_fixed)):8.2f} ms")
    stratified(InterimPlan((0.3, 0.6, 1.0), "obrien_fleming"), "3 looks, O'Brien–Fleming, no futility")
    stratified(plan, "3 looks, O'Brien–Fleming, non-binding futility (0, 0.3)")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
