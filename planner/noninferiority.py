"""Shifted nulls: non-inferiority and superiority-by-a-margin tests (``testing.null_effect``).

H0: effect ≤ θ0 against effect > θ0 in the direction of benefit, with θ0 on the endpoint's
natural scale, exactly rpact's ``thetaH0`` of ``getSampleSizeMeans/Rates/Survival``:

* continuous — mean difference (treatment − control): the drift is (δ − θ0)/σ·√N (t or z test,
  the noncentral t's noncentrality shifted alike), ``getSampleSizeMeans(thetaH0 = θ0)``;
* binary — risk difference: Z = (p̂_T − p̂_C − θ0)/√V0 with V0 from the restricted maximum-
  likelihood rates under p_T − p_C = θ0 (Farrington & Manning 1990, Stat Med 9:1447–54;
  Miettinen & Nurminen 1985 without the n/(n−1) factor), as rpact's
  ``.getFarringtonManningValuesDiff`` (allocation = n_T/n_C) and ``getSampleSizeRates``:
  n_T = (z_α √(p̃_T q̃_T + p̃_C q̃_C r) + z_β √(p_T q_T + p_C q_C r))² / (p_T − p_C − θ0)²;
  with θ0 = 0 the restricted rates are the pooled rate and the numbers are the "pooled" ones.
  The unpooled method shifts the effect only; the arcsine method tests no effect only;
* survival — hazard ratio: log-rank with log HR − log θ0 (Schoenfeld events
  (z_α + z_β)²(1 + r)²/(r (log HR − log θ0)²), ``getSampleSizeSurvival(thetaH0 = θ0)``).

A non-inferiority margin δ > 0 is ``null_effect = −δ`` when higher is better (and +δ when lower
is better; survival θ0 = 1 + δ > 1). ``direction_words`` names it for the report.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

#: θ0 of a plain superiority test, per endpoint (survival: a hazard ratio)
NO_EFFECT: dict[str, float] = {"continuous": 0.0, "binary": 0.0, "survival": 1.0}


def default_null(endpoint: str) -> float:
    """θ0 of the ordinary test of no effect."""
    return NO_EFFECT[endpoint]


def is_shifted(endpoint: str, null_effect: float | None) -> bool:
    """Whether ``null_effect`` differs from no effect (None means no effect)."""
    return null_effect is not None and float(null_effect) != NO_EFFECT[endpoint]


def fm_restricted_rates(rate1: ArrayLike, rate2: ArrayLike, theta: float, allocation: ArrayLike):
    """Restricted ML rates (p̃1, p̃2) under p1 − p2 = θ, group sizes n1 = allocation·n2.

    Farrington & Manning (1990), closed-form root of the cubic as rpact 3.3.4
    ``.getFarringtonManningValuesDiff`` (vectorized over the rates and the allocation).
    """
    r1 = np.asarray(rate1, dtype=float)
    r2 = np.asarray(rate2, dtype=float)
    k = np.asarray(allocation, dtype=float)
    if theta == 0:
        ml = (k * r1 + r2) / (1 + k)
        return ml, ml
    a = 1 + 1 / k
    b = -(1 + 1 / k + r1 + r2 / k + theta * (1 / k + 2))
    c = theta**2 + theta * (2 * r1 + 1 / k + 1) + r1 + r2 / k
    d = -theta * (1 + theta) * r1
    v = b**3 / (3 * a) ** 3 - b * c / (6 * a**2) + d / (2 * a)
    root = np.sqrt(np.maximum(b**2 / (3 * a) ** 2 - c / (3 * a), 0.0))
    u = np.where(v == 0, root, np.sign(v) * root)
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(v == 0, np.pi / 2, (np.pi + np.arccos(np.clip(v / u**3, -1.0, 1.0))) / 3)
    ml1 = np.clip(2 * u * np.cos(w) - b / (3 * a), 0.0, 1.0)
    ml2 = np.clip(ml1 - theta, 0.0, 1.0)
    return ml1, ml2


def null_magnitude(endpoint: str, sign: float, null_effect: float | None) -> float:
    """θ0 as a magnitude in the benefit direction: sign·θ0 (difference scales), −log θ0 (hazard
    ratio); 0 for the ordinary test of no effect.

    A detectable-effect search starts here, not at zero effect: under a non-inferiority margin
    the smallest effect reaching the target power can be one of harm (between θ0 and zero).
    """
    if null_effect is None:
        return 0.0
    if endpoint == "survival":
        return float(-np.log(float(null_effect)))
    return float(sign * float(null_effect))


def shift_theta(endpoint: str, sign: float, theta: np.ndarray, null_effect: float) -> np.ndarray:
    """The benefit-direction effect θ (as :class:`~planner.contrasts.Contrast`) minus θ0's.

    Continuous and binary: sign·(effect − θ0) = θ − sign·θ0; survival (θ = −log HR):
    −(log HR − log θ0) = θ + log θ0.
    """
    if endpoint == "survival":
        return theta + np.log(null_effect)
    return theta - sign * null_effect


def fm_sd0(rate_a: np.ndarray, rate_b: np.ndarray, p: float, null_effect: float) -> np.ndarray:
    """√N · sd of p̂_A − p̂_B under H0 (restricted rates), treatment share p = r/(1 + r)."""
    ml1, ml2 = fm_restricted_rates(rate_a, rate_b, null_effect, p / (1 - p))
    return np.sqrt(ml1 * (1 - ml1) / p + ml2 * (1 - ml2) / (1 - p))


def wrong_side(endpoint: str, better: str, effect: float, null_effect: float) -> bool:
    """True when θ0 is not on the harm side of the assumed effect (nothing to show)."""
    if endpoint == "survival":
        return not effect < null_effect
    return not (effect > null_effect if better == "higher" else effect < null_effect)


def direction_words(endpoint: str, better: str, null_effect: float | None) -> str:
    """Words for the null hypothesis: "" for no effect, else the margin and its direction.

    >>> direction_words("continuous", "higher", -0.5)
    'non-inferiority margin of 0.5 (H0: mean difference ≤ −0.5, treatment − control)'
    """
    if not is_shifted(endpoint, null_effect):
        return ""
    theta0 = float(null_effect)
    if endpoint == "survival":
        margin = theta0 - 1.0
        kind = "non-inferiority" if theta0 > 1 else "superiority"
        return (f"{kind} margin of {abs(margin):.4g} on the hazard ratio (H0: hazard ratio ≥ {theta0:.4g}, "
                "treatment / control; log-rank test of log HR − log θ0)")
    scale = "mean difference" if endpoint == "continuous" else "risk difference"
    harm = theta0 < 0 if better == "higher" else theta0 > 0
    kind = "non-inferiority" if harm else "superiority"
    op = "≤" if better == "higher" else "≥"
    value = f"{theta0:.4g}".replace("-", "−")
    extra = "; variance under H0 from the Farrington–Manning restricted rates" if endpoint == "binary" else ""
    return f"{kind} margin of {abs(theta0):.4g} (H0: {scale} {op} {value}, treatment − control{extra})"


def null_contrast(par, c, method: str | None = None):
    """``c`` (a :class:`~planner.contrasts.Contrast`) tested against θ0 = ``par.null_effect``.

    The effect is shifted (:func:`shift_theta`); for the binary pooled method the H0 standard
    deviation comes from the Farrington–Manning restricted rates (:func:`fm_sd0`). Unchanged
    when the null is no effect, so version 1 scenarios give the same numbers bit for bit.
    """
    from dataclasses import replace

    if not is_shifted(par.endpoint, par.null_effect):
        return c
    theta0 = float(par.null_effect)
    theta = shift_theta(par.endpoint, par.sign, c.theta, theta0)
    sd0 = c.sd0
    if par.endpoint == "binary" and (method or par.method) == "pooled" and c.rates is not None:
        sd0 = fm_sd0(c.rates[0], c.rates[1], par.p, theta0)
    return replace(c, theta=theta, sd0=sd0)
