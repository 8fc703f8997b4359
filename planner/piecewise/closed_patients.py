"""The stratified design's closed tests run on patient-level simulated trials.

The simulator (:func:`planner.piecewise.simulate.simulate_patients`) gives, per trial and look,
each analysis stratum's log-rank score U and variance V; a population's statistic is the
stratified log-rank Z = Σ_{s∈P} U_s / √(Σ_{s∈P} V_s) over its strata (F: all strata). On these:

* **Two hypotheses, any number of looks** (:func:`closed_gs_claims`): the closed
  group-sequential test of H_F and H_S of :mod:`planner.groupseq.stratified` with the plan's
  bounds (:class:`~planner.groupseq.stratified.ClosedBounds`: intersection bounds a on Z_F and b
  on Z_S, elementary bounds c^F, c^S, futility bounds f^F, f^S per look). Each trial runs the very
  state machine the analytic 2-D recursion runs (:func:`planner.groupseq.procedure._step`:
  intersection rejected, elementary rejected, stopped for futility per hypothesis; H rejected
  once its intersection and elementary tests have; futility followed; stop when no hypothesis
  is open, ``stop_when="both"``, or also at the first rejection, ``"any"``). The step is
  evaluated once per distinct (state, flags) combination of a look and mapped back to the trials.
  A fixed design is the one-look case (:func:`fixed_bounds`).
* **F and up to three populations at one analysis** (:func:`closed_test_claims`): the closed
  test of :func:`planner.closed_test.closed_test_reject` (Holm, Simes, parametric, fixed
  sequence) applied to the simulated z statistics; the parametric test uses the design's planned
  H0 correlation matrix.

Claim probabilities are proportions over trials with Monte Carlo SE √(p(1 − p)/n); expected
events and patients (at the stopping look) are means with SE sd/√n.
"""

from __future__ import annotations

import math

import numpy as np

from ..groupseq import procedure as P
from ..groupseq.stratified import ClosedBounds

CLAIMS = ("overall", "subgroup", "either", "both")


def fixed_bounds(method: str, crit_f: float, crit_s: float, crit: float) -> ClosedBounds:
    """One analysis of the two-hypothesis stratified design (:mod:`planner.designs.stratified`):
    its intersection critical values (c_F, c_S) and single-hypothesis value c, in the closed
    group-sequential form of :func:`planner.groupseq.stratified.closed_bounds`."""
    one = lambda x: np.array([float(x)])  # noqa: E731
    inf = one(math.inf)
    if method == "fixed_sequence_overall_first":
        return ClosedBounds(one(crit), inf, one(crit), one(crit))
    if method == "fixed_sequence_subgroup_first":
        return ClosedBounds(inf, one(crit), one(crit), one(crit))
    if method == "fallback":
        return ClosedBounds(one(crit_f), one(crit_s), one(crit_f), one(crit))
    if method in ("bonferroni", "spiessens_debois"):
        return ClosedBounds(one(crit_f), one(crit_s), one(crit), one(crit))
    raise ValueError(f"unknown multiplicity {method!r}")


def _flags(z: np.ndarray, inter: float, elem: float, fut: float, last: bool) -> np.ndarray:
    """3-bit code of :func:`planner.groupseq.procedure._cuts`'s flags: ≥ intersection (1),
    ≥ elementary (2), below futility (4, never at the last look). NaN (no events) sets none."""
    with np.errstate(invalid="ignore"):
        code = (z >= inter).astype(np.int64) | ((z >= elem).astype(np.int64) << 1)
        if not last and math.isfinite(fut):
            code |= (z <= fut).astype(np.int64) << 2
    return code


def _bits(code: int, n: int) -> tuple:
    return tuple(bool(code >> i & 1) for i in range(n))


def closed_gs_claims(z_f: np.ndarray, z_s: np.ndarray, bounds: ClosedBounds,
                     stop_when: str = "both") -> dict[str, np.ndarray]:
    """Per trial (rows of ``z_f``, ``z_s`` (trials, K)): the closed group-sequential test.

    Returns ``overall``, ``subgroup`` (trials, K) booleans — the claim made by look k — and
    ``stop`` (trials,) the look at which the trial stops (K − 1 when it runs to the end).
    """
    if stop_when not in P.STOP_RULES:
        raise ValueError(f"stop_when must be one of {P.STOP_RULES}, got {stop_when!r}")
    trials, k_max = z_f.shape
    vec = lambda x, fill: np.full(k_max, fill) if x is None else np.broadcast_to(np.asarray(x, float), (k_max,))  # noqa: E731
    a, b, cf, cs = (vec(getattr(bounds, n), math.inf) for n in ("a", "b", "c_f", "c_s"))
    ff, fs = vec(bounds.f_f, -math.inf), vec(bounds.f_s, -math.inf)
    rule = P.Rule(*(tuple(float(x) for x in v) for v in (a, b, cf, cs, ff, fs)), stop_when)
    state = np.zeros(trials, dtype=np.int64)          # 5 bits: r, e_F, d_F, e_S, d_S
    active = np.ones(trials, dtype=bool)
    stop = np.full(trials, k_max - 1)
    rej_f = np.zeros((trials, k_max), dtype=bool)
    rej_s = np.zeros((trials, k_max), dtype=bool)
    for k in range(k_max):
        last = k == k_max - 1
        key = (state << 6) | (_flags(z_f[:, k], a[k], cf[k], ff[k], last) << 3) | _flags(z_s[:, k], b[k], cs[k], fs[k], last)
        uniq, inverse = np.unique(key[active], return_inverse=True)
        new = np.empty(uniq.size, dtype=np.int64)
        halt = np.empty(uniq.size, dtype=bool)
        for i, code in enumerate(uniq.tolist()):
            nxt, stopped = P._step(tuple(int(x) for x in _bits(code >> 6, 5)), _bits(code >> 3 & 7, 3),
                                   _bits(code & 7, 3), rule, k, last)
            new[i] = sum(int(x) << j for j, x in enumerate(nxt))
            halt[i] = stopped
        idx = np.flatnonzero(active)
        state[idx] = new[inverse.ravel()]
        halting = np.zeros(trials, dtype=bool)
        halting[idx] = halt[inverse.ravel()]
        stop = np.where(halting & active, k, stop)
        rej_f[:, k] = (state & 1).astype(bool) & (state >> 1 & 1).astype(bool)
        rej_s[:, k] = (state & 1).astype(bool) & (state >> 3 & 1).astype(bool)
        active &= ~halting
        if not active.any():
            rej_f[:, k + 1:] = rej_f[:, k:k + 1]
            rej_s[:, k + 1:] = rej_s[:, k:k + 1]
            break
    return {"overall": rej_f, "subgroup": rej_s, "stop": stop}


def proportion(x: np.ndarray) -> tuple[float, float]:
    """(p, √(p(1 − p)/n)) of a boolean array."""
    p = float(np.mean(x))
    return p, math.sqrt(p * (1 - p) / x.size)


def mean_se(x: np.ndarray) -> tuple[float, float]:
    """(mean, sd/√n)."""
    x = np.asarray(x, dtype=float)
    return float(x.mean()), float(x.std(ddof=1) / math.sqrt(x.size)) if x.size > 1 else math.nan


def gs_summary(res, subgroup_strata, bounds: ClosedBounds, stop_when: str = "both") -> dict:
    """The claims of :func:`closed_gs_claims` on a :class:`~planner.piecewise.simulate.PatientLevelResult`
    (H_S over the strata ``subgroup_strata``, H_F over all): P(claim) for the four claims, per look
    P(claim first made there) and P(stop there), each with its SE (``_se``, ``_by_look_se``);
    expected events and patients at the stop with theirs."""
    strata = range(res.u.shape[-1])
    z_f, z_s = res.z_of(strata), res.z_of(subgroup_strata)
    out = closed_gs_claims(z_f, z_s, bounds, stop_when)
    by_look = {"overall": out["overall"], "subgroup": out["subgroup"],
               "either": out["overall"] | out["subgroup"], "both": out["overall"] & out["subgroup"]}
    k_max = z_f.shape[1]
    summary: dict = {}
    for name in CLAIMS:
        summary[name], summary[name + "_se"] = proportion(by_look[name][:, -1])
        made = np.concatenate([np.zeros((z_f.shape[0], 1), dtype=np.int8), by_look[name].astype(np.int8)], axis=1)
        first = np.diff(made, axis=1) > 0      # the claim is first made at look k
        pairs = [proportion(first[:, k]) for k in range(k_max)]
        summary[name + "_by_look"] = [p for p, _ in pairs]
        summary[name + "_by_look_se"] = [se for _, se in pairs]
    stop = out["stop"]
    pairs = [proportion(stop == k) for k in range(k_max)]
    summary["stop_by_look"] = [p for p, _ in pairs]
    summary["stop_by_look_se"] = [se for _, se in pairs]
    at = stop[:, None]
    events = np.take_along_axis(res.events.sum(axis=2), at, 1)[:, 0]
    patients = np.take_along_axis(res.enrolled, at, 1)[:, 0]
    summary["expected_events"], summary["expected_events_se"] = mean_se(events)
    summary["expected_patients"], summary["expected_patients_se"] = mean_se(patients)
    return summary


def closed_test_claims(res, hypotheses, corr0: np.ndarray, alpha: float, procedure: str, *,
                       weights=None, order=None, parametric_rule: str = "xi", look: int = -1) -> dict:
    """F and every population at one analysis (``look``): the closed test of
    :func:`planner.closed_test.closed_test_reject` on the simulated z statistics.

    ``hypotheses`` lists each hypothesis's strata (F first). Returns ``reject`` (m,) and
    ``reject_se``, ``at_least_one``, ``all`` (each with ``_se``).
    """
    from ..closed_test import closed_test_reject  # noqa: PLC0415

    z = np.stack([res.z_of(h)[:, look] for h in hypotheses], axis=-1)
    z = np.nan_to_num(z, nan=-np.inf)
    rej = closed_test_reject(z, corr0, alpha, procedure, weights=weights, order=order,
                             parametric_rule=parametric_rule)
    out: dict = {"reject": [], "reject_se": []}
    for j in range(rej.shape[-1]):
        p, se = proportion(rej[:, j])
        out["reject"].append(p)
        out["reject_se"].append(se)
    out["at_least_one"], out["at_least_one_se"] = proportion(rej.any(axis=-1))
    out["all"], out["all_se"] = proportion(rej.all(axis=-1))
    return out
