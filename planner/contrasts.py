"""Two-arm contrasts in mixed populations and the z statistics built from them.

A population is a list of *cells* ``(weight, subgroup, t_a, t_b)``: a share of the patients
from one true-marker subgroup (``"positive"`` or ``"negative"``), and the fraction of them
that receives the experimental treatment in arm A (the "treatment" arm of the comparison)
and in arm B (its control). A plain two-arm trial has t_a = 1, t_b = 0; the biomarker-strategy
design treats only test-positives in its marker-based arm.

:func:`contrast` reduces the cells to a :class:`Contrast`: the effect θ in the benefit direction
on the analysis scale, the standard deviations (times √n) of its estimate under H0 and H1, and
the analysis units per patient (1, or expected events per patient for survival):

* continuous — mixture means and variances per arm. The arm variance includes the spread of
  the cell means, Σ w_c (σ_c² + t(1 − t)δ_c² + m_c²) − m², which in an all-comers treatment arm
  is σ² + γ(1 − γ)(δ+ − δ−)² (Methods §2; switch off with ``testing.heterogeneity_variance``).
* binary — mixture rates per arm; pooled (rpact ``getSampleSizeRates``: pooled variance under
  H0, unpooled under H1), unpooled, or arcsine (θ = 2 asin √π_A − 2 asin √π_B).
* survival — the event-weighted mean log hazard ratio (Methods §5): θ = −Σ e_c ln HR_c / Σ e_c
  with e_c the expected events of cell c from its own control hazard, HR, accrual, follow-up
  and dropout; the arm contrast in a cell with fractions (t_a, t_b) is (t_a − t_b) ln HR_c,
  exact for t ∈ {0, 1} and first order otherwise. Schoenfeld: sd = 1/√(p(1 − p)) per event;
  Freedman uses the equivalent HR exp(−θ) in √r(1 − HR)/(1 + r·HR).

:func:`linear_stat` combines contrasts of disjoint subsets (a stratified overall test, an
interaction test) into a z statistic with drift per √N and the H1/H0 standard-deviation ratio.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .assay import assay_mix
from .params import Params
from .survival import event_probability, freedman_drift, hazard_from_median

Cell = tuple[object, str, float, float]


@dataclass(frozen=True)
class Contrast:
    """Effect θ (benefit > 0), sd of √n·θ̂ under H0 and H1, analysis units per patient."""

    theta: np.ndarray
    sd0: np.ndarray
    sd1: np.ndarray
    units: np.ndarray
    #: binary: the arm rates (A, B) the contrast was computed from (shifted nulls, exact power)
    rates: tuple | None = None


@dataclass(frozen=True)
class Stat:
    """A z statistic Z ~ N(drift·√N, ratio²) under H1 (N(0, 1) under H0); N = patients.

    ``t_test`` marks a single continuous contrast tested with Student's t (df = N − 2).
    """

    drift: np.ndarray
    ratio: np.ndarray
    t_test: bool = False


def _continuous(par: Params, cells: Sequence[Cell]) -> Contrast:
    """Mixture means and variances, computed without cancellation (the cell weights sum to 1).

    Control means enter only through differences: they are taken relative to the first cell's
    control mean, θ = Σ w (t_a − t_b) δ, and the arm variance is the centred
    Σ w (σ² + t(1 − t)δ²) + Σ w (m − m̄)² rather than the raw Σ w (…+ m²) − m̄², which loses
    every digit when the means are large against the SDs (control means of 10⁹).
    """
    p = par.p
    origin = par.subgroup(cells[0][1])["control_mean"]
    theta = 0.0
    for w, which, ta, tb in cells:
        theta = theta + w * (ta - tb) * par.subgroup(which)["mean_difference"]
    arms = []
    for arm in (2, 3):
        means = []
        var = 0.0
        for cell in cells:
            w, g, t = cell[0], par.subgroup(cell[1]), cell[arm]
            means.append((w, (g["control_mean"] - origin) + t * g["mean_difference"]))
            spread = t * (1 - t) * g["mean_difference"] ** 2 if par.heterogeneity_variance else 0.0
            var = var + w * (g["sd"] ** 2 + spread)
        if par.heterogeneity_variance:
            mean = sum(w * m for w, m in means)
            var = var + sum(w * (m - mean) ** 2 for w, m in means)
        arms.append(var)
    va, vb = arms
    sd = np.sqrt(va / p + vb / (1 - p))
    theta = par.sign * np.asarray(theta, dtype=float)
    return Contrast(theta, sd, sd, np.ones_like(theta))


def _binary(par: Params, cells: Sequence[Cell], method: str) -> Contrast:
    p = par.p
    rates = []
    for arm in (2, 3):
        rate = 0.0
        for cell in cells:
            w, g, t = cell[0], par.subgroup(cell[1]), cell[arm]
            rate = rate + w * (g["control_rate"] + t * (g["treatment_rate"] - g["control_rate"]))
        rates.append(np.asarray(rate, dtype=float))
    pa, pb = rates
    if method == "arcsine":
        theta = par.sign * 2.0 * (np.arcsin(np.sqrt(pa)) - np.arcsin(np.sqrt(pb)))
        sd = np.full_like(theta, np.sqrt(1 / p + 1 / (1 - p)))
        return Contrast(theta, sd, sd, np.ones_like(theta))
    theta = par.sign * (pa - pb)
    sd1 = np.sqrt(pa * (1 - pa) / p + pb * (1 - pb) / (1 - p))
    if method == "pooled":
        pbar = p * pa + (1 - p) * pb
        sd0 = np.sqrt(pbar * (1 - pbar) * (1 / p + 1 / (1 - p)))
    else:
        sd0 = sd1
    return Contrast(theta, sd0, sd1, np.ones_like(theta), (pa, pb))


def _survival(par: Params, cells: Sequence[Cell], method: str) -> Contrast:
    if par.piecewise is not None:  # piecewise hazards or accrual: average hazard ratio
        from .survival_nph import survival_contrast  # noqa: PLC0415 (imports this module)

        return survival_contrast(par, cells, method)
    p = par.p
    events = 0.0
    weighted_log_hr = 0.0
    for w, which, ta, tb in cells:
        g = par.subgroup(which)
        lam = hazard_from_median(g["control_median"])
        args = (par.accrual_time, par.follow_up_time, par.dropout_hazard)
        p_ctrl = event_probability(lam, *args)
        p_trt = event_probability(lam * g["hazard_ratio"], *args)
        pa = ta * p_trt + (1 - ta) * p_ctrl
        pb = tb * p_trt + (1 - tb) * p_ctrl
        e = w * (p * pa + (1 - p) * pb)
        events = events + e
        weighted_log_hr = weighted_log_hr + e * (ta - tb) * np.log(g["hazard_ratio"])
    events = np.asarray(events, dtype=float)
    theta = -weighted_log_hr / events
    if method == "freedman":
        theta = freedman_drift(np.exp(-theta), par.allocation_ratio)
        sd = np.ones_like(theta)
    else:
        sd = np.full_like(theta, 1.0 / np.sqrt(p * (1 - p)))
    return Contrast(theta, sd, sd, events)


def contrast(par: Params, cells: Sequence[Cell], method: str | None = None) -> Contrast:
    """Reduce a population's cells to a :class:`Contrast` (see module docstring)."""
    method = method or par.method
    if par.endpoint == "continuous":
        return _continuous(par, cells)
    if par.endpoint == "binary":
        return _binary(par, cells, method)
    return _survival(par, cells, method)


def single_stat(c: Contrast, t_test: bool = False) -> Stat:
    """Z for one contrast: drift θ√u / sd0 per √N patient, ratio sd1 / sd0."""
    return Stat(c.theta * np.sqrt(c.units) / c.sd0, c.sd1 / c.sd0, t_test)


def _subset_terms(shares: Sequence, contrasts: Sequence[Contrast], coeffs: Sequence):
    v0 = sum(cf**2 * c.sd0**2 / (s * c.units) for s, c, cf in zip(shares, contrasts, coeffs))
    v1 = sum(cf**2 * c.sd1**2 / (s * c.units) for s, c, cf in zip(shares, contrasts, coeffs))
    mean = sum(cf * c.theta for c, cf in zip(contrasts, coeffs))
    return mean, v0, v1


def linear_stat(shares: Sequence, contrasts: Sequence[Contrast], coeffs: Sequence) -> Stat:
    """Z = Σ c_k θ̂_k / sd0 for disjoint subsets k with patient shares s_k.

    n_k = N s_k u_k analysis units; Var(θ̂_k) = sd_k² / n_k. Returns drift per √N and the
    H1/H0 sd ratio.
    """
    mean, v0, v1 = _subset_terms(shares, contrasts, coeffs)
    return Stat(mean / np.sqrt(v0), np.sqrt(v1 / v0))


def linear_cov(shares: Sequence, contrasts: Sequence[Contrast], c1: Sequence, c2: Sequence, h1: bool = True):
    """Covariance of two standardized linear statistics (correlation under H0 when h1=False)."""
    _, a0, _ = _subset_terms(shares, contrasts, c1)
    _, b0, _ = _subset_terms(shares, contrasts, c2)
    cross = sum(
        x * y * (c.sd1 if h1 else c.sd0) ** 2 / (s * c.units)
        for s, c, x, y in zip(shares, contrasts, c1, c2)
    )
    return cross / np.sqrt(a0 * b0)


# ----------------------------------------------------------------------------- populations
def mixture_cells(share_positive, t_a: float = 1.0, t_b: float = 0.0) -> list[Cell]:
    """Cells of a two-arm comparison in a population with B+ share ``share_positive``."""
    return [(share_positive, "positive", t_a, t_b), (1.0 - share_positive, "negative", t_a, t_b)]


def strategy_cells(par: Params, randomized_control: bool) -> list[Cell]:
    """Marker-based strategy arm (A) vs non-marker arm (B), cells by (true status, assay)."""
    g, se, sp = par.prevalence, par.sensitivity, par.specificity
    tb = 0.5 if randomized_control else 0.0
    return [
        (g * se, "positive", 1.0, tb),
        (g * (1 - se), "positive", 0.0, tb),
        ((1 - g) * (1 - sp), "negative", 1.0, tb),
        ((1 - g) * sp, "negative", 0.0, tb),
    ]


def test_subsets(par: Params, method: str | None = None):
    """(P(test+), contrast among test-positives, contrast among test-negatives)."""
    mix = assay_mix(par.prevalence, par.sensitivity, par.specificity)
    pos = contrast(par, mixture_cells(mix.ppv), method)
    neg = contrast(par, mixture_cells(mix.positive_share_in_test_negative), method)
    return mix, pos, neg
