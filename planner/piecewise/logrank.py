"""The log-rank test under piecewise hazards: expected events, average hazard ratio, power.

A population is a list of cells ``(weight, model, t_a, t_b)`` as in
:mod:`planner.contrasts`: a share of the patients with its own :class:`PiecewiseSurvival`
model, and the fractions of them receiving the experimental treatment in arm A (the
"treatment" arm, allocated p = r/(1 + r)) and in arm B (its control). A two-arm trial in a
B+/B− mixture has cells (γ, model+, 1, 0) and (1 − γ, model−, 1, 0); the log-rank test is
stratified by cell (subgroup): the score and its variance are sums over strata.

Method ``"ahr"`` (default; Schoenfeld 1981 with piecewise hazard ratios, the average hazard
ratio of Kalbfleisch & Prentice 1981 as used by Mukhopadhyay et al. 2020, Yung & Liu 2020 and
gsDesign2 ``ahr()``/``gs_power_ahr()``): with d_cj the expected events of cell c in piece j
(both arms, at the analysis time), the stratified log-rank score has mean
Σ_cj d_cj p(1 − p)(−ln HR_cj) and H0 variance Σ_cj d_cj p(1 − p), so

    Z ~ N(−ln AHR · √(D p(1 − p)), 1),   ln AHR = Σ_cj d_cj ln HR_cj / D,   D = Σ_cj d_cj.

This is :func:`planner.contrasts.contrast`'s event-weighted mean log hazard ratio with the
events split by piece, and with one piece per cell it is the same number (Schoenfeld's
formula as used throughout the project). gsDesign2 also reports the H1 information
Σ_cj (1/d_cj,A + 1/d_cj,B)⁻¹ (``info``); it is returned here as ``info1`` but not used for
power (gsDesign2's default ``info_scale = "h0_h1_info"`` uses it for the variance under H1;
the difference is second order in ln HR).

Method ``"freedman"``: Freedman's drift √r(1 − AHR)/(1 + r·AHR) per √event, as the project's
exponential Freedman option. The Lakatos-type moments of the score over time are in
:mod:`planner.piecewise.lakatos`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ..contrasts import Contrast, Stat, single_stat
from ..power import stat_power
from ..survival import freedman_drift
from .events import calendar_time, event_rate, expected_events
from .model import UNIFORM, PiecewiseAccrual, PiecewiseSurvival

PiecewiseCell = tuple[ArrayLike, PiecewiseSurvival, float, float]

METHOD_TEXT = {
    "ahr": ("log-rank test, Schoenfeld (1981) with the average hazard ratio weighted by the "
            "expected events per interval (Kalbfleisch & Prentice 1981; gsDesign2 gs_power_ahr)"),
    "freedman": "log-rank test, Freedman (1982) at the average hazard ratio",
}


@dataclass(frozen=True)
class SurvivalSetting:
    """Trial-level survival inputs: accrual over [0, accrual_time] with relative ``accrual``
    intensities, analysis at ``accrual_time + follow_up_time``, exponential dropout hazard per
    time unit (both arms) and allocation ratio r = treatment : control."""

    accrual_time: float
    follow_up_time: float
    dropout_hazard: float = 0.0
    allocation_ratio: float = 1.0
    accrual: PiecewiseAccrual = UNIFORM

    @property
    def p(self) -> float:
        return self.allocation_ratio / (1.0 + self.allocation_ratio)

    @property
    def analysis_time(self) -> float:
        return self.accrual_time + self.follow_up_time


def arm_events(model: PiecewiseSurvival, setting: SurvivalSetting, times: ArrayLike | None = None,
               aligned: bool = False):
    """(control, treatment) expected events per planned patient of that arm, shape (..., J)
    (``aligned``: one model per point, :func:`planner.piecewise.events.expected_events`)."""
    t = setting.analysis_time if times is None else times
    args = (setting.dropout_hazard, setting.accrual, setting.accrual_time)
    return tuple(expected_events(t, model.starts, model.hazards(arm), *args, aligned=aligned)
                 for arm in ("control", "treatment"))


@dataclass(frozen=True)
class LogrankMoments:
    """Moments of the (stratified) log-rank statistic per planned patient at one analysis time.

    ``events``: expected events per patient (both arms, all cells); ``log_ahr``: event-weighted
    mean log hazard ratio (treatment : control); ``info0`` = p(1 − p)·events and ``info1`` (H1
    information, gsDesign2 ``info``) per patient; ``cell_events``: per cell, per piece.
    """

    events: np.ndarray
    log_ahr: np.ndarray
    info0: np.ndarray
    info1: np.ndarray
    cell_events: tuple
    method: str = "ahr"

    @property
    def ahr(self) -> np.ndarray:
        return np.exp(self.log_ahr)

    @property
    def method_text(self) -> str:
        return METHOD_TEXT[self.method]


def logrank_moments(cells: Sequence[PiecewiseCell], setting: SurvivalSetting,
                    times: ArrayLike | None = None, method: str = "ahr", aligned: bool = False) -> LogrankMoments:
    """Expected events and the average hazard ratio of ``cells`` at ``times`` (see module);
    ``aligned``: one model per point (:class:`planner.piecewise.lookwise.PointModels`)."""
    p = setting.p
    events = 0.0
    weighted = 0.0
    info1 = 0.0
    per_cell = []
    for w, model, ta, tb in cells:
        ctrl, trt = arm_events(model, setting, times, aligned)
        w = np.asarray(w, dtype=float)[..., None]
        # arm A receives the treatment in a fraction t_a of its patients, arm B in t_b
        ea = w * p * (ta * trt + (1 - ta) * ctrl)
        eb = w * (1 - p) * (tb * trt + (1 - tb) * ctrl)
        e = ea + eb
        per_cell.append(e)
        events = events + e.sum(-1)
        weighted = weighted + (e * (ta - tb) * np.log(model.hazard_ratios)).sum(-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            info1 = info1 + np.where((ea > 0) & (eb > 0), ea * eb / (ea + eb), 0.0).sum(-1)
    events = np.asarray(events, dtype=float)
    return LogrankMoments(events, weighted / events, p * (1 - p) * events, np.asarray(info1),
                          tuple(per_cell), method)


def piecewise_contrast(cells: Sequence[PiecewiseCell], setting: SurvivalSetting,
                       method: str = "ahr") -> Contrast:
    """The :class:`planner.contrasts.Contrast` of ``cells`` (drop-in for the exponential one).

    θ = −ln AHR and sd = 1/√(p(1 − p)) per event (Schoenfeld), or Freedman's drift with sd 1;
    units = expected events per patient at the planned analysis time.
    """
    m = logrank_moments(cells, setting, method=method)
    p = setting.p
    theta = -m.log_ahr
    if method == "freedman":
        theta = freedman_drift(np.exp(-theta), setting.allocation_ratio)
        sd = np.ones_like(theta)
    else:
        sd = np.full_like(theta, 1.0 / np.sqrt(p * (1 - p)))
    return Contrast(theta, sd, sd, m.events)


@dataclass(frozen=True)
class PiecewisePower:
    """Power of the (stratified) log-rank test at N patients; events and AHR at the analysis."""

    power: np.ndarray
    events: np.ndarray
    ahr: np.ndarray
    method: str

    @property
    def method_text(self) -> str:
        return METHOD_TEXT[self.method]


def logrank_power(cells: Sequence[PiecewiseCell], setting: SurvivalSetting, n_patients: ArrayLike,
                  alpha: float, sides: int = 1, method: str = "ahr") -> PiecewisePower:
    """Power of the stratified log-rank test with ``n_patients`` (total) at the planned time.

    Uses the project's power function (:func:`planner.power.stat_power`) on the statistic of
    :func:`piecewise_contrast`; two-sided tests use α/2 in the benefit direction.
    """
    c = piecewise_contrast(cells, setting, method)
    power = stat_power(single_stat(c), n_patients, alpha, sides)
    m = logrank_moments(cells, setting)
    return PiecewisePower(power, np.asarray(n_patients, dtype=float) * c.units, m.ahr, method)


def events_power(cells: Sequence[PiecewiseCell], setting: SurvivalSetting, events: ArrayLike,
                 n_patients: float, alpha: float, sides: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(power, calendar time, AHR) of an analysis at ``events`` total events with N patients.

    The analysis time is where N × expected events per patient reaches ``events``
    (:func:`analysis_time`); the AHR is evaluated there. Z ~ N(−ln AHR √(D p(1 − p)), 1).
    """
    from scipy.special import ndtr, ndtri

    times = analysis_time(cells, setting, events, n_patients)
    finite = np.isfinite(times)
    m = logrank_moments(cells, setting, np.where(finite, times, setting.analysis_time))
    d = np.asarray(events, dtype=float)
    drift = -m.log_ahr * np.sqrt(d * setting.p * (1 - setting.p))
    power = ndtr(drift + ndtri(alpha / sides))
    return np.where(finite, power, np.nan), times, m.ahr


def analysis_time(cells: Sequence[PiecewiseCell], setting: SurvivalSetting, events: ArrayLike,
                  n_patients: float) -> np.ndarray:
    """Calendar time at which ``events`` (any shape) are expected among ``n_patients``.

    inf when the target exceeds the events the trial can ever reach (dropout, cure).
    Uses scalar cell weights (one population).
    """
    p = setting.p
    args = (setting.dropout_hazard, setting.accrual, setting.accrual_time)

    def arm_weights(ta, tb):
        return ((p * (1 - ta) + (1 - p) * (1 - tb)), (p * ta + (1 - p) * tb))

    def total(t, fn):
        out = 0.0
        for w, model, ta, tb in cells:
            wc, wt = arm_weights(ta, tb)
            out = out + float(w) * (wc * fn(t, model.starts, model.hazards("control"), *args).sum(-1)
                                    + wt * fn(t, model.starts, model.hazards("treatment"), *args).sum(-1))
        return float(n_patients) * out

    return calendar_time(events, lambda t: total(t, expected_events), lambda t: total(t, event_rate))


def single_population(model: PiecewiseSurvival) -> list[PiecewiseCell]:
    """Cells of a two-arm trial in one population."""
    return [(1.0, model, 1.0, 0.0)]


def subgroup_cells(prevalence: ArrayLike, positive: PiecewiseSurvival,
                   negative: PiecewiseSurvival) -> list[PiecewiseCell]:
    """Cells of a two-arm trial stratified by B+ (share ``prevalence``) and B−."""
    prevalence = np.asarray(prevalence, dtype=float)
    return [(prevalence, positive, 1.0, 0.0), (1.0 - prevalence, negative, 1.0, 0.0)]


def z_stat(cells: Sequence[PiecewiseCell], setting: SurvivalSetting) -> Stat:
    """The standardized statistic per √N of :func:`piecewise_contrast` (planner Stat)."""
    return single_stat(piecewise_contrast(cells, setting))
