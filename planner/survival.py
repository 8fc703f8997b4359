"""Survival building blocks: exponential hazards, event probabilities, events formulas.

Event probability of a patient with exponential event hazard λ and exponential dropout hazard
η, accrued uniformly over [0, a] and followed until a + f (rpact ``getSampleSizeSurvival``
with ``accrualTime = c(0, a)``, ``followUpTime = f``, ``dropoutRate``/``dropoutTime``)::

    P(event) = λ/(λ+η) · [1 − (exp(−(λ+η) f) − exp(−(λ+η)(a+f))) / ((λ+η) a)]

Schoenfeld (1981): the log-rank statistic is approximately N(−ln HR · √(D p(1 − p)), 1) with D
events and p = r/(1 + r) the fraction on treatment, so D = (z_α + z_β)² / (p(1 − p) ln² HR).

Freedman (1982), as rpact ``typeOfComputation = "Freedman"``:
D = (z_α + z_β)² (1 + r·HR)² / (r (1 − HR)²).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

LN2 = float(np.log(2.0))


def hazard_from_median(median: ArrayLike) -> np.ndarray:
    """Exponential hazard λ = ln 2 / median."""
    return LN2 / np.asarray(median, dtype=float)


def dropout_hazard(dropout_rate: float, dropout_time: float) -> float:
    """Exponential hazard η with P(dropout by ``dropout_time``) = ``dropout_rate``."""
    return float(-np.log1p(-dropout_rate) / dropout_time)


def event_probability(
    hazard: ArrayLike, accrual_time: float, follow_up_time: float, dropout: float = 0.0
) -> np.ndarray:
    """Probability of an observed event by the analysis (uniform accrual, exponential dropout)."""
    lam = np.asarray(hazard, dtype=float)
    total = lam + dropout
    a, f = float(accrual_time), float(follow_up_time)
    # (exp(-t f) - exp(-t (a+f))) / (t a) written stably: exp(-t f) * (-expm1(-t a)) / (t a)
    censored = np.exp(-total * f) * (-np.expm1(-total * a)) / (total * a)
    return lam / total * (1.0 - censored)


def schoenfeld_events(
    hazard_ratio: ArrayLike, alpha: float, power: float, allocation_ratio: float = 1.0, sides: int = 1
) -> np.ndarray:
    """Schoenfeld (1981) events for a one-sided level α (two-sided: α/2 per side)."""
    from scipy.stats import norm

    p = allocation_ratio / (1.0 + allocation_ratio)
    z = norm.isf(alpha / sides) + norm.ppf(power)
    return z**2 / (p * (1 - p) * np.log(np.asarray(hazard_ratio, dtype=float)) ** 2)


def freedman_drift(hazard_ratio: ArrayLike, allocation_ratio: float) -> np.ndarray:
    """Freedman's standardized effect per √event: √r (1 − HR) / (1 + r·HR)."""
    hr = np.asarray(hazard_ratio, dtype=float)
    r = allocation_ratio
    return np.sqrt(r) * (1.0 - hr) / (1.0 + r * hr)
