"""The joint law of (Z_F,k, Z_S,k) over the looks under non-proportional hazards, look by look.

The design's plan (:class:`planner.designs.sequential.StratifiedSequentialModel`) scales the
final analysis's drift by √t_k (proportional information). Under a delayed or waning effect the
average hazard ratio changes between looks; this module gives the law with each look's own
moments (gsDesign2 ``gs_power_ahr``'s approach, per stratum), as an independent analytic check of
the patient-level simulator's per-look behaviour:

* look k is at the expected calendar time τ_k of its D_k events among N patients
  (:func:`planner.piecewise.logrank.analysis_time`, all strata);
* per stratum s (its cells weighted by their shares of all patients): expected events per
  patient e_s,k and log AHR_s,k at τ_k (:func:`planner.piecewise.logrank.logrank_moments`);
  information I_s,k = p(1 − p)·N·e_s,k; score mean −ln AHR_s,k · I_s,k (Schoenfeld);
* E Z_S,k = score_S,k / √I_S,k, E Z_F,k = Σ_s score_s,k / √Σ_s I_s,k (stratified log-rank);
  the correlations from the information (:func:`planner.groupseq.stratified.joint_from_information`,
  independent increments within a stratum, strata independent).

With proportional hazards it is the information form of :mod:`planner.groupseq.stratified`.
Claims from it: :func:`planner.groupseq.stratified.claim_probabilities_genz` (no futility).

The designs' look factors (:func:`linear_look_factors`, used by :mod:`planner.designs.sequential`
through :func:`planner.survival_nph.lookwise_factors`): each statistic a linear combination of
disjoint populations (one population; the interaction test's test-positives minus
test-negatives), its Schoenfeld drift at each look's expected calendar time from each
population's events and average hazard ratio there — for time-varying hazard ratios and for
heterogeneous strata (different hazard ratios or control hazards across strata, assay mixtures),
vectorized over the points of a curve (:class:`PointModels`). References: Schoenfeld (1981);
Yung & Liu (2020); gsDesign2 ``gs_power_ahr``; docs/piecewise-survival.md.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import ndtr, ndtri

from ..groupseq.boundaries import _CHUNK, CAP, Boundaries, Crossing, _Walk, drift_for_power
from ..groupseq.stratified import joint_from_information
from ..groupseq.tilted import TiltedWalk
from ..memo import keep, touch
from .events import calendar_time
from .logrank import PiecewiseCell, SurvivalSetting, analysis_time, logrank_moments
from .model import PiecewiseSurvival, PiecewiseSurvivalPoints


def lookwise_joint(subgroup: Sequence[PiecewiseCell], rest: Sequence[PiecewiseCell], setting: SurvivalSetting,
                   look_events: Sequence[float], n_patients: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mean (2K,), correlation (2K, 2K), look times (K,)) of (Z_F,1, Z_S,1, …) with each look's
    moments; ``subgroup`` and ``rest`` are the cells of S and of F ∖ S (weights: shares of all)."""
    cells = [(float(w), m, ta, tb) for w, m, ta, tb in (*subgroup, *rest)]
    times = analysis_time(cells, setting, np.asarray(look_events, dtype=float), float(n_patients))
    c = setting.p * (1 - setting.p) * float(n_patients)
    info, score = [], []
    for part in (subgroup, rest):
        m = logrank_moments([(float(w), mdl, ta, tb) for w, mdl, ta, tb in part], setting, times)
        i = c * np.asarray(m.events, dtype=float)
        info.append(i)
        score.append(-np.asarray(m.log_ahr, dtype=float) * i)
    joint = joint_from_information(0.0, 0.0, info[0], info[1])
    mean = np.empty(2 * len(times))
    mean[0::2] = (score[0] + score[1]) / np.sqrt(info[0] + info[1])
    mean[1::2] = score[0] / np.sqrt(info[0])
    return mean, joint.corr0, np.asarray(times)


@dataclass(frozen=True)
class PointModels:
    """P piecewise models sharing the starts (a curve's points, assurance draws), one per row of
    ``control_hazards`` and ``hazard_ratios`` (P, J), evaluated at times (P, K) point by point
    (``aligned`` in :func:`planner.piecewise.events.expected_events`)."""

    starts: tuple[float, ...]
    control_hazards: np.ndarray
    hazard_ratios_by_point: np.ndarray

    @classmethod
    def of(cls, models: Sequence[PiecewiseSurvival | PiecewiseSurvivalPoints], points: int) -> PointModels:
        """From scalar models (one per point, same starts) or one model with a point axis."""
        if len(models) == 1:
            m = models[0]
            lam = np.broadcast_to(np.asarray(m.control_hazards, dtype=float), (points, len(m.starts)))
            hr = np.broadcast_to(np.asarray(m.hazard_ratios, dtype=float), (points, len(m.starts)))
            return cls(tuple(m.starts), lam, hr)
        return cls(tuple(models[0].starts), np.array([m.control_hazards for m in models], dtype=float),
                   np.array([m.hazard_ratios for m in models], dtype=float))

    def hazards(self, arm: str) -> np.ndarray:
        """(P, 1, 1, J): against times (P, K) with the accrual segment axis."""
        h = self.control_hazards if arm == "control" else self.control_hazards * self.hazard_ratios_by_point
        return h[:, None, None, :]

    @property
    def hazard_ratios(self) -> np.ndarray:
        """(P, 1, J): against the expected events (P, K, J)."""
        return self.hazard_ratios_by_point[:, None, :]


def look_times(look_cells: Sequence[PiecewiseCell], setting: SurvivalSetting, rates: Sequence[float]) -> np.ndarray:
    """(P, K) calendar times τ_k at which ``look_cells`` (weights (P, 1), :class:`PointModels`)
    reach the fraction t_k of their expected events at the planned analysis τ_K, per point
    (independent of N; inf: never): :func:`planner.piecewise.events.calendar_time` on the expected
    events of :func:`logrank_moments` (its derivative by central differences: only Newton's steps
    use it, the root is to the solver's tolerance)."""
    t = np.asarray(rates, dtype=float)
    points = look_cells[0][1].control_hazards.shape[0]
    end = np.full((points, 1), setting.analysis_time)
    if len(t) == 1:
        return end
    total = logrank_moments(look_cells, setting, end, aligned=True).events       # (P, 1)
    events = lambda x: logrank_moments(look_cells, setting, x, aligned=True).events  # noqa: E731

    def rate(x):
        h = 1e-6 * np.maximum(x, 1.0)
        return (events(x + h) - events(np.maximum(x - h, 0.0))) / (x + h - np.maximum(x - h, 0.0))

    return np.concatenate([calendar_time(total * t[:-1], events, rate), end], axis=1)


def statistic_drifts(statistic: Sequence[tuple[float, Sequence[PiecewiseCell]]], setting: SurvivalSetting,
                     times: np.ndarray, shift: float = 0.0) -> np.ndarray:
    """(P, K) drift per √(p(1 − p)·N) at ``times`` (P, K) of Z = Σ_j c_j (θ̂_j + shift) / sd, θ̂_j the
    (stratified) log-rank estimate of −ln HR in the disjoint population j with expected events
    e_j(τ) per patient and average log hazard ratio ln AHR_j(τ) (:func:`logrank_moments`):

        drift(τ) = Σ_j c_j (−ln AHR_j(τ) + shift) / √(Σ_j c_j² / e_j(τ))

    (Schoenfeld 1981: Var θ̂_j = 1/(p(1 − p)·N·e_j)). One population with c = 1 is the log-rank
    test's −ln AHR·√e (gsDesign2 ``gs_power_ahr``); (1, −1) over test-positives and test-negatives
    is the interaction test."""
    num, var = 0.0, 0.0
    for coef, cells in statistic:
        m = logrank_moments(cells, setting, times, aligned=True)
        num = num + coef * (-m.log_ahr + shift)
        var = var + coef**2 / m.events
    return np.asarray(num / np.sqrt(var), dtype=float)


def linear_look_factors(look_cells: Sequence[PiecewiseCell], statistics: Sequence, setting: SurvivalSetting,
                        rates: Sequence[float], shifts: Sequence[float] | None = None) -> np.ndarray:
    """(P, S, K): E Z_k / (δ √t_k) of each statistic (a list of (coefficient, cells), weights
    (P, 1) and :class:`PointModels`; see :func:`statistic_drifts`) at P points, δ its final-look
    drift, looks at :func:`look_times` of ``look_cells``:

        factor_k = drift(τ_k) / (drift(τ_K) √t_k).

    1 at every look for a population whose looks are its own events and whose strata share one
    constant hazard ratio (then E Z_k = δ√t_k, the plan's form). A statistic without an effect at
    τ_K (or a point never reaching a look) keeps 1."""
    t = np.asarray(rates, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):   # a point without events: its factors stay 1
        times = look_times(look_cells, setting, t)
    ok = np.all(np.isfinite(times), axis=1)
    times = np.where(ok[:, None], times, setting.analysis_time)
    out = np.ones((times.shape[0], len(statistics), len(t)))
    for i, stat in enumerate(statistics):
        with np.errstate(divide="ignore", invalid="ignore"):
            d = statistic_drifts(stat, setting, times, 0.0 if shifts is None else float(shifts[i]))
            f = d / d[:, -1:] / np.sqrt(t)
        good = ok & (d[:, -1] != 0.0) & np.all(np.isfinite(f), axis=1)
        out[good, i] = f[good]
    return out


def _points(cells: Sequence[PiecewiseCell]) -> list:
    """Scalar cells as one point (weights (1, 1), :class:`PointModels`)."""
    return [(np.full((1, 1), float(w)), PointModels.of([m], 1), ta, tb) for w, m, ta, tb in cells]


def look_factors(look_cells: Sequence[PiecewiseCell], populations: Sequence[Sequence[PiecewiseCell]],
                 setting: SurvivalSetting, rates: Sequence[float]) -> np.ndarray:
    """(P, K): E Z_k / (δ √t_k) of each population's log-rank statistic, δ its final-look drift.

    Look k is at the calendar time τ_k at which the trial's patients (``look_cells``, scalar
    weights) reach the fraction t_k of their expected events at the planned analysis τ_K
    (independent of N: every expected count scales with N). For a population with expected
    events e(τ) and average log hazard ratio ln AHR(τ) (:func:`logrank_moments`), Schoenfeld's
    drift at look k is −ln AHR(τ_k)·√(p(1 − p)·N·e(τ_k)) (gsDesign2 ``gs_power_ahr``), so

        factor_k = [ln AHR(τ_k) / ln AHR(τ_K)] · √(e(τ_k) / e(τ_K)) / √t_k,

    1 at every look under proportional hazards in a population whose looks are its own events
    (then E Z_k = δ√t_k, the plan's form). A population without an effect at τ_K keeps 1.
    (:func:`linear_look_factors` with one population per statistic.)
    """
    stats = [[(1.0, _points(cells))] for cells in populations]
    return linear_look_factors(_points(look_cells), stats, setting, rates)[0]


def crossing_at_means(b: Boundaries, look_means: ArrayLike, direct: bool = False) -> Crossing:
    """Rejection and futility probabilities per look (futility as followed) of one statistic
    with E Z_k = ``look_means[:, k]`` (D, K), the correlations √(t_j/t_k) of ``b``'s plan: the
    recursion of :mod:`planner.groupseq.boundaries` with look-wise means, its steps by the kept
    drift-free kernel of :class:`planner.groupseq.tilted.TiltedWalk` (the same numbers to rounding;
    ``direct``: ``_Walk``'s own kernel at every step)."""
    m = np.atleast_2d(np.asarray(look_means, dtype=float))
    t = b.t
    k_max = len(t)
    crit = np.asarray(b.efficacy_z)
    crit = np.where(np.isfinite(crit), np.minimum(crit, CAP), crit)
    fut = np.asarray(b.futility_z)
    rej = np.empty((m.shape[0], k_max))
    futp = np.zeros((m.shape[0], k_max - 1))
    for lo in range(0, m.shape[0], _CHUNK):
        mm = m[lo:lo + _CHUNK]
        rows = slice(lo, lo + mm.shape[0])
        rej[rows, 0] = ndtr(mm[:, 0] - crit[0])
        if k_max == 1:
            continue
        futp[rows, 0] = ndtr(fut[0] - mm[:, 0]) if np.isfinite(fut[0]) else 0.0
        walk = (_Walk if direct else TiltedWalk)(t, mm[:, -1], mm)
        walk.first(fut[0], crit[0])
        for k in range(1, k_max):
            rej[rows, k] = walk.upper_tail(crit[k])
            if k < k_max - 1:
                futp[rows, k] = walk.lower_tail(fut[k])
                walk.advance(fut[k], crit[k])
    return Crossing(m[:, -1], rej, futp)


def power_at_factors(b: Boundaries, drift: ArrayLike, factors: np.ndarray) -> np.ndarray:
    """The plan's power (futility followed) at final drifts ``drift`` (…) with look factors (…, K)."""
    d = np.asarray(drift, dtype=float)
    f = np.broadcast_to(factors, d.shape + (factors.shape[-1],))
    means = d[..., None] * f * np.sqrt(b.t)
    return crossing_at_means(b, means.reshape(-1, f.shape[-1])).power.reshape(d.shape)


_DRIFTS: OrderedDict = OrderedDict()   # (plan, α, power, factor rows) → drifts: see drift_for_power_at
_DRIFTS_SIZE = 64
DRIFT_TOL = 1e-11   # the secant stops after a step below DRIFT_TOL·δ: δ (so δ², the inflation) then to ~1e-11 relative


def drift_for_power_at(b: Boundaries, power: float, factors: np.ndarray) -> np.ndarray:
    """Final drift δ (U,) at which the plan reaches ``power`` for each row of ``factors`` (U, K).

    The secant method on probit(power), vectorized over the rows, from the plan's own drift δ₀
    (factors 1, :func:`planner.groupseq.boundaries.drift_for_power`) and a Newton step with
    slope 1 (probit(power) grows with δ at a slope near 1: exactly 1 for one look), stopped
    after a step below :data:`DRIFT_TOL`·δ (superlinear convergence: the error is then far
    smaller; tests/test_lookwise_speed.py: within 1e-10 of a bracketing root search, measured 3e-15). NaN
    for a row whose search does not converge to a positive δ: the target is not attainable under
    that law (e.g. an earlier look's mean of the opposite sign — a negative factor — with
    futility followed: the power stays below the target however large δ).

    Kept per (plan, α, power, factor rows) for the last :data:`_DRIFTS_SIZE` calls (a design's
    size and its interim fields ask the same question); a copy is returned."""
    f = np.atleast_2d(np.asarray(factors, dtype=float))
    key = (b.plan, b.alpha, float(power), f.shape, f.tobytes())
    hit = _DRIFTS.get(key)
    if hit is None:
        hit = _drift_search(b, power, f)
        keep(_DRIFTS, key, hit, _DRIFTS_SIZE)
    else:
        touch(_DRIFTS, key)
    return hit.copy()


def _drift_search(b: Boundaries, power: float, f: np.ndarray) -> np.ndarray:
    """The secant search of :func:`drift_for_power_at` (uncached)."""
    goal = float(ndtri(power))
    g = lambda d: ndtri(np.clip(power_at_factors(b, d, f), 1e-300, 1 - 1e-16)) - goal  # noqa: E731
    d0 = np.full(f.shape[0], float(drift_for_power(b, power)))
    g0 = g(d0)
    floor = 1e-6
    d1 = np.maximum(d0 - np.clip(np.where(np.isfinite(g0), g0, 0.0), -2.0, 2.0), floor)
    g1 = g(d1)
    step = np.full(f.shape[0], np.inf)
    for _ in range(40):
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(g1 != g0, g1 * (d1 - d0) / (g1 - g0), 0.0)
        d0, g0 = d1, g1
        d1 = np.maximum(d1 - np.clip(step, -2.0, 2.0), floor)
        if np.all(np.abs(step) < DRIFT_TOL * d1):
            break
        g1 = g(d1)
    failed = ~(np.abs(step) < DRIFT_TOL * d1) | (d1 <= floor)   # no root: the search ran to the floor or never settled
    return np.where(failed, np.nan, d1)


def solve_near(model, target: float, allocation_ratio: float, guess: ArrayLike) -> np.ndarray:
    """(size,) N at which ``model`` (look-wise law) reaches ``target`` power: the secant method on
    Φ⁻¹(power) against √N (:func:`planner.solve.solve_smooth`: nearly linear, bracket-safeguarded,
    stops after a step below 1e-7 √N — then ~1e-12 relative in N, far below one patient) from a
    rough size ``guess`` (flat: the fixed N × the plan's one-test inflation factor; the look
    factors are near 1, so the root is close) with first slope (z_target + 2)/√guess (the line
    through Φ⁻¹(power) ≈ −2 at N = 0): 4–6 evaluations of the power instead of the ~20 of a
    bracketing search around the plan law's N (itself solved first). Points it does not settle
    (no guess, no convergence inside [n_min, N_MAX]) by the general root search
    (:func:`planner.solve.solve_points`)."""
    from ..solve import solve_smooth

    g = np.asarray(guess, dtype=float).reshape(-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        root = np.where(np.isfinite(g) & (g > 0), np.sqrt(np.abs(g)), np.nan)
        slope = (float(ndtri(target)) + 2.0) / root
    return np.asarray(solve_smooth(model, target, allocation_ratio, root, slope), dtype=float).reshape(-1)
