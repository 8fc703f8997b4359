"""Group-sequential bounds on the effect scale, as rpact 3.3.4 reports them.

The effect that exactly reaches a z bound at look k (cumulative size n_k, or d_k events),
rpact's ``criticalValuesEffectScale`` / ``futilityBoundsEffectScale`` of
``getSampleSizeMeans/Rates/Survival(design = ...)`` (``sign`` = +1 when a larger effect is the
benefit, −1 otherwise; rpact ``directionUpper``):

* means — θ0 + sign·z'·σ(1 + r)/√(r n_k) with r = treatment : control. For the t-test z' is
  the t quantile at the same nominal level, z' = t⁻¹_{n_k − 2}(Φ(z)) (rpact uses
  ``qt(1 − stageLevels, n_k − 2)``); for the z-test z' = z.
* rates — the treatment rate π1 solving (π1 − π2 − θ0)/√(π̃1(1 − π̃1)/n1 + π̃2(1 − π̃2)/n2)
  = sign·z with the Farrington–Manning (1990) restricted maximum-likelihood rates π̃ under
  π1 − π2 = θ0, reported as the risk difference π1 − π2 (rpact ``uniroot`` on (0, 1); NaN
  where no rate in (0, 1) reaches the bound).
* survival — the hazard ratio θ0·exp(−z(1 + r)/√(r d_k)) (Schoenfeld; benefit is HR < 1).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import brentq
from scipy.special import ndtr, stdtrit


def means(z: ArrayLike, n: ArrayLike, sd: float, allocation_ratio: float, *, null_effect: float = 0.0,
          sign: float = 1.0, t_test: bool = True) -> np.ndarray:
    """Mean difference reaching the z bounds ``z`` at cumulative totals ``n`` (NaN for ±∞ bounds)."""
    z = np.asarray(z, dtype=float)
    n = np.asarray(n, dtype=float)
    r = float(allocation_ratio)
    with np.errstate(invalid="ignore"):
        zz = stdtrit(np.maximum(n - 2.0, 1e-4), ndtr(z)) if t_test else z
        zz = np.where(np.isfinite(z) & (np.abs(zz) <= 50), zz, np.nan)
        return null_effect + sign * zz * sd * (1.0 + r) / np.sqrt(r * n)


def farrington_manning(p1: float, p2: float, theta0: float, allocation_ratio: float) -> tuple[float, float]:
    """Restricted ML rates (π̃1, π̃2) under π1 − π2 = θ0 (Farrington & Manning 1990, closed form).

    For θ0 = 0 both equal the pooled rate (r π1 + π2)/(1 + r).
    """
    r = float(allocation_ratio)
    if theta0 == 0:
        pooled = (r * p1 + p2) / (1.0 + r)
        return pooled, pooled
    th = 1.0 / r   # n2 / n1
    d = theta0
    a = 1.0 + th
    b = -(1.0 + th + p1 + th * p2 + d * (th + 2.0))
    c = d * d + d * (2.0 * p1 + th + 1.0) + p1 + th * p2
    e = -p1 * d * (1.0 + d)
    v = b**3 / (3 * a) ** 3 - b * c / (6 * a * a) + e / (2 * a)
    u = math.copysign(math.sqrt(max(b * b / (3 * a) ** 2 - c / (3 * a), 0.0)), v)
    w = (math.pi + math.acos(max(-1.0, min(1.0, v / u**3 if u != 0 else 0.0)))) / 3.0
    q1 = 2.0 * u * math.cos(w) - b / (3 * a)
    return q1, q1 - d


def _rate_bound(zb: float, p2: float, n1: float, n2: float, r: float, theta0: float, sign: float) -> float:
    def g(x: float) -> float:
        m1, m2 = farrington_manning(x, p2, theta0, r)
        se = math.sqrt(max(m1 * (1 - m1) / n1 + m2 * (1 - m2) / n2, 1e-300))
        return (x - p2 - theta0) / se - sign * zb

    lo, hi = 1e-10, 1 - 1e-10
    try:
        if g(lo) * g(hi) > 0:
            return math.nan
        return brentq(g, lo, hi, xtol=1.5e-8) - p2
    except (ValueError, ZeroDivisionError):
        return math.nan


def rates(z: ArrayLike, n: ArrayLike, control_rate: float, allocation_ratio: float, *,
          null_effect: float = 0.0, sign: float = 1.0) -> np.ndarray:
    """Risk difference (treatment − control) reaching the z bounds at cumulative totals ``n``."""
    z = np.atleast_1d(np.asarray(z, dtype=float))
    n = np.broadcast_to(np.asarray(n, dtype=float), z.shape)
    r = float(allocation_ratio)
    out = np.full(z.shape, np.nan)
    for i, (zb, nk) in enumerate(zip(z, n)):
        if math.isfinite(zb):
            n1 = r * nk / (1 + r)
            out[i] = _rate_bound(float(zb), control_rate, n1, n1 / r, r, null_effect, sign)
    return out


def survival(z: ArrayLike, events: ArrayLike, allocation_ratio: float, *, null_effect: float = 1.0) -> np.ndarray:
    """Hazard ratio reaching the z bounds at cumulative events (benefit: HR < 1)."""
    z = np.asarray(z, dtype=float)
    d = np.asarray(events, dtype=float)
    r = float(allocation_ratio)
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(z), null_effect * np.exp(-z * (1 + r) / np.sqrt(r * d)), np.nan)
