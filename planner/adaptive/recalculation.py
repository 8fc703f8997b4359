"""Sample-size recalculation at the interims to a target conditional power (rpact 3.3.4's rule).

rpact's ``getSimulationEnrichmentMeans/Rates/Survival`` with ``conditionalPower``,
``minNumberOfSubjectsPerStage`` and ``maxNumberOfSubjectsPerStage`` (survival: events)
(``.getSimulatedStage*Enrichment`` and ``.getSimulation*EnrichmentStageSubjects/Events``).
At interim k, after the selection for stage k + 1:

1. The stage-wise p-value used is the Bonferroni-adjusted smallest p-value of the populations
   selected *at* stage k: p̃_k = min(m_k · min_j p_j,k, 1 − 10⁻⁷), m_k the number of them —
   whatever intersection test the closed test uses (rpact's ``adjustedPValues``).
2. The conditional critical value of stage k + 1 (the z the next stage's p-value must reach for
   the combination of p̃_1..p̃_k and p_{k+1} to reach c_{k+1}):
   inverse normal  c̃ = (c_{k+1}√t_{k+1} − Σ_{j≤k} w_j Φ⁻¹(1 − p̃_j)) / √(t_{k+1} − t_k);
   Fisher          c̃ = Φ⁻¹(1 − min((c_{k+1} / Π_{j≤k} p̃_j^{w_j})^{1/w_{k+1}}, 1 − 10⁻⁷)).
3. The effect plugged in (``effect: "observed"``, rpact's default with ``thetaH1``,
   ``stDevH1``, ``piTreatmentH1``, ``piControlH1`` unset) is the cumulative estimate at
   stage k of the populations selected for stage k + 1:
   continuous  θ* = max(min_sel θ̂_g / σ_H1, 10⁻⁷), σ_H1 = the largest subset SD (rpact's
               ``stDevH1 = max(stDevs)``; here σ_i = √(v_i · r/(1 + r)²));
               n = (1 + r)²/r · max(0, c̃ + z_CP)² / θ*²;
   binary      π̂_T,g, π̂_C,g (F pooled), π̄_g = (r π̂_T,g + π̂_C,g)/(1 + r);
               n = (1 + 1/r) · max(0, max_sel[c̃ √(π̄_g(1 − π̄_g)(1 + r)) + z_CP √(π̂_T,g(1 − π̂_T,g)
               + r π̂_C,g(1 − π̂_C,g))])² / max(10⁻⁷, max_sel(π̂_T,g − π̂_C,g))²
               (rpact takes the largest numerator and the largest difference over the selected
               populations separately);
   survival    θ* = ln max(min_sel 1/HR̂_g, 1 + 10⁻⁷); events = (1 + r)²/r · max(0, c̃ + z_CP)² / θ*².
   ``effect: "planning"`` plugs in the scenario's assumed effects of the selected populations
   instead (rpact's ``thetaH1`` / ``piTreatmentH1`` … set to the planning values; F: the
   prevalence-weighted mean difference and rates, the event-weighted log hazard ratio).
4. The size is bounded: c̃ > 8 → the maximum; else min(max(n, min_{k+1}), max_{k+1}) (stage-wise
   bounds; the first entries are the first stage's size). It is the size of stage k + 1, split
   over the selected subsets as a planned stage (rpact sets every later stage to the same size and
   recalculates again at the next interim).

z_CP = Φ⁻¹(conditional power). The prefixed combination weights (from ``information_rates``)
are kept, so the type I error stays controlled (Bauer & Köhne 1994; Lehmacher & Wassmer 1999).
Reference: Wassmer G, Brannath W. Group Sequential and Confirmatory Adaptive Designs, 2016, ch. 11.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from scipy.special import ndtr, ndtri

EFFECT_TEXT = {
    "observed": "the interim (cumulative) effect estimate of the selected populations (rpact's rule)",
    "planning": "the scenario's planning effect of the selected populations",
}


@dataclass(frozen=True)
class Recalculation:
    """Stage-wise bounds (subjects or events, the first entries the first stage's size)."""

    conditional_power: float
    min_sizes: tuple[float, ...]
    max_sizes: tuple[float, ...]
    effect: str = "observed"


def conditional_critical(model, k: int, acc: np.ndarray) -> np.ndarray:
    """c̃ of stage k + 1 (0-based k: after stage k) from the accumulated adjusted p-values ``acc``
    (inverse normal: Σ w_j Φ⁻¹(1 − p̃_j); Fisher: Σ w_j ln p̃_j)."""
    c_next = model.critical[k + 1]
    t = model.information_rates
    if model.combination == "fisher":
        w = model.combination_weights
        if c_next <= 0:
            return np.full(acc.shape, np.inf)
        with np.errstate(over="ignore"):
            bound = np.exp((math.log(c_next) - acc) / w[k + 1])
        return -ndtri(np.minimum(bound, 1 - 1e-7))
    if not math.isfinite(c_next):
        return np.full(acc.shape, np.inf)
    return (c_next * math.sqrt(t[k + 1]) - acc) / math.sqrt(t[k + 1] - t[k])


def adjusted_term(model, z_s, z_f, sel_s, sel_f) -> np.ndarray:
    """w_k-free term of stage k: Φ⁻¹(1 − p̃_k) (inverse normal) or ln p̃_k (Fisher)."""
    m = sel_s.astype(float) + sel_f.astype(float)
    zmax = np.where(sel_s & sel_f, np.maximum(z_s, z_f), np.where(sel_s, z_s, z_f))
    with np.errstate(divide="ignore"):
        p = np.minimum(ndtr(-zmax) * m, 1 - 1e-7)
        return np.log(p) if model.combination == "fisher" else -ndtri(p)


def _floor_min(values, select, floor):
    """min over the selected populations (NaN-aware), floored."""
    low = np.where(select & ~np.isnan(values), values, np.inf).min(axis=0)
    return np.maximum(np.where(np.isinf(low) & (low > 0), floor, low), floor)


def _effects(model, data, planning: bool, n: int):
    """(S, F) effects for the rule: continuous mean differences, survival 1/HR, binary rates."""
    ones = np.ones(n)
    if model.endpoint == "binary":
        if planning:
            q = model.prevalence
            pt, pc = model.rate_treatment, model.rate_control
            f_t, f_c = q * pt[0] + (1 - q) * pt[1], q * pc[0] + (1 - q) * pc[1]
            return (pt[0] * ones, f_t * ones), (pc[0] * ones, f_c * ones)
        rt, rc = data.rates()  # rows F, S, R (.kstages)
        return (rt[1], rt[0]), (rc[1], rc[0])
    if planning:
        from .simulate import subset_weights

        w_s, w_r = subset_weights(model)
        th = model.theta
        eff = (th[0], w_s * th[0] + w_r * th[1])
        if model.endpoint == "survival":
            eff = tuple(math.exp(e) for e in eff)
        return eff[0] * ones, eff[1] * ones
    est = data.measures("effect_estimate")  # rows F, S, R: mean differences or 1/HR̂
    return est[1], est[0]


def stage_size(model, data, k: int, crit: np.ndarray, sel_s, sel_f) -> np.ndarray:
    """Recalculated size (subjects or events) of stage k + 1 per trial (see the module doc)."""
    rc = model.recalculation
    r = model.allocation_ratio
    z_cp = float(ndtri(rc.conditional_power))
    select = np.stack([sel_s, sel_f])
    planning = rc.effect == "planning"
    if model.endpoint == "binary":
        (t_s, t_f), (c_s, c_f) = _effects(model, data, planning, len(sel_s))
        pt, pc = np.stack([t_s, t_f]), np.stack([c_s, c_f])
        pim = (r * pt + pc) / (1 + r)
        with np.errstate(invalid="ignore"):
            num = crit * np.sqrt(pim * (1 - pim) * (1 + r)) + z_cp * np.sqrt(pt * (1 - pt) + pc * (1 - pc) * r)
        num = np.nanmax(np.where(select & ~np.isnan(num), num, 0.0), axis=0)
        num = np.maximum(num, 0.0)
        diff = np.where(select & ~np.isnan(pt - pc), pt - pc, -np.inf).max(axis=0)
        size = (1 + 1 / r) * num ** 2 / np.maximum(1e-7, diff) ** 2
    else:
        eff = np.stack(_effects(model, data, planning, len(sel_s)))
        if model.endpoint == "continuous":
            sd = max(math.sqrt(v * model.c) for v in model.variance)
            theta = _floor_min(eff / sd, select, 1e-7)
        else:
            theta = np.log(_floor_min(eff, select, 1 + 1e-7))
        size = (1 + r) ** 2 / r * np.maximum(0.0, crit + z_cp) ** 2 / theta ** 2
    lo, hi = rc.min_sizes[k + 1], rc.max_sizes[k + 1]
    with np.errstate(invalid="ignore"):
        size = np.minimum(np.maximum(size, lo), hi)
    size = np.where(crit > 8, hi, size)
    return np.where(sel_s | sel_f, size, 0.0)


# --------------------------------------------------------------------------- size bookkeeping
_SCALE = 1100  # exact sums are integers in units of 2^-1100


def exact_sum(x: np.ndarray) -> int:
    """Σx exactly, as an integer multiple of 2^-1100 (order-independent, so chunking-independent)."""
    x = np.asarray(x, dtype=float)
    x = x[x != 0]
    if x.size == 0:
        return 0
    mant, expo = np.frexp(x)
    mi = np.ldexp(mant, 53).astype(np.int64)
    total = 0
    for e in np.unique(expo):
        sel = mi[expo == e]
        hi, lo = int((sel >> 26).sum()), int((sel & ((1 << 26) - 1)).sum())
        total += ((hi << 26) + lo) << int(e - 53 + _SCALE)
    return total


def exact_value(total: int) -> float:
    return float(Fraction(total, 1 << _SCALE))


def exact_moments(sums: dict, name: str, n: int) -> tuple[float, float] | tuple[None, None]:
    """Mean and Monte Carlo SE √(var/n) of a per-trial size from its exact sums ``sums[name]``
    and ``sums[name + "_sq"]`` over ``n`` trials; (None, None) when the run did not keep it."""
    if name not in sums:
        return None, None
    mean = exact_value(sums[name]) / n
    second = exact_value(sums[name + "_sq"]) / n
    var = max(second - mean * mean, 0.0)
    return mean, math.sqrt(var / n) if n > 1 else math.nan


def histogram(x: np.ndarray) -> dict[int, int]:
    """Counts of the values rounded up to a whole subject (event)."""
    vals, cnt = np.unique(np.ceil(np.asarray(x) - 1e-9).astype(np.int64), return_counts=True)
    return {int(v): int(c) for v, c in zip(vals, cnt)}


QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def quantiles(hist: dict, probs=QUANTILES) -> dict:
    """Quantiles of a histogram {value: count} with distribution-free Monte Carlo SEs.

    q̂_p is the smallest value with cumulative share ≥ p; its SE is half the width of the
    order-statistic interval between the p ± 1.96√(p(1 − p)/n) quantiles, divided by 1.96
    (a binomial interval for the quantile; 0 when both ends fall on one value)."""
    vals = np.array(sorted(hist), dtype=float)
    counts = np.array([hist[v] for v in sorted(hist)], dtype=float)
    n = counts.sum()
    cum = np.cumsum(counts) / n

    def q(p: float) -> float:
        return float(vals[min(np.searchsorted(cum, min(max(p, 0.0), 1.0) - 1e-12), len(vals) - 1)])

    out = {}
    for p in probs:
        half = 1.96 * math.sqrt(p * (1 - p) / n)
        out[f"{p:g}"] = {"value": q(p), "se": (q(p + half) - q(p - half)) / (2 * 1.96)}
    return out


__all__ = ["EFFECT_TEXT", "QUANTILES", "Recalculation", "adjusted_term", "conditional_critical",
           "exact_moments", "exact_sum", "exact_value", "histogram", "quantiles", "stage_size"]
