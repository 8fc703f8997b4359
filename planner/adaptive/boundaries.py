"""Group-sequential critical values for the inverse-normal combination test.

The combination statistic of stage k, Z*_k = Σ_{j≤k} w_j Φ⁻¹(1 − p_j) / √t_k with prefixed
weights w_j = √(t_j − t_{j−1}) (Lehmacher & Wassmer 1999), has under H0 the canonical joint
distribution of a group-sequential z statistic: corr(Z*_j, Z*_k) = √(t_j / t_k). Critical values
c_1..c_K therefore follow from an alpha-spending function α*(t) (Lan & DeMets 1983):

    P₀(Z*_1 < c_1, …, Z*_{k−1} < c_{k−1}, Z*_k ≥ c_k) = α*(t_k) − α*(t_{k−1}),

* ``obrien_fleming`` — α*(t) = 2 − 2Φ(Φ⁻¹(1 − α/2)/√t)   (rpact ``typeOfDesign = "asOF"``)
* ``pocock``         — α*(t) = α ln(1 + (e − 1) t)        (rpact ``"asP"``)
* ``no_early_efficacy`` — c_k = ∞ before the last stage, c_K = Φ⁻¹(1 − α)  (rpact
  ``"noEarlyEfficacy"``).

Futility bounds are non-binding: they never change the critical values. The crossing
probabilities are computed by the recursive numerical integration of Armitage, McPherson &
Rowe (1969) / Jennison & Turnbull (2000, ch. 19) on a Simpson grid of the z scale; the
critical values agree with rpact 3.3.4's to about 1e-6 (rpact spends α − 1e-8 in total).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.optimize import brentq
from scipy.special import ndtr, ndtri

from ..groupseq.boundaries import spending as gs_spending

BOUNDARY_TEXT = {
    "obrien_fleming": "O'Brien–Fleming-type alpha spending (Lan–DeMets)",
    "pocock": "Pocock-type alpha spending (Lan–DeMets)",
    "no_early_efficacy": "no early stopping for efficacy (all alpha at the final analysis)",
    "equal_alpha": "equal nominal stage levels (rpact getDesignFisher's equalAlpha)",
}

_LOW = -10.0   # lower end of the integration grid (P₀(Z < −10) ≈ 8e-24)
_GRID = 1201   # Simpson points per stage (odd)


def spending(kind: str, alpha: float, t: np.ndarray | float) -> np.ndarray:
    """Cumulative alpha spent at information fraction ``t`` by the spending function ``kind``
    (the group-sequential designs' Lan–DeMets functions, :func:`planner.groupseq.boundaries.spending`)."""
    if kind not in ("obrien_fleming", "pocock"):
        raise ValueError(f"no spending function for boundaries {kind!r}")
    return gs_spending(kind, alpha, t)


def _simpson(lo: float, hi: float, n: int = _GRID) -> tuple[np.ndarray, np.ndarray]:
    z = np.linspace(lo, hi, n)
    w = np.ones(n)
    w[1:-1:2] = 4.0
    w[2:-1:2] = 2.0
    return z, w * (hi - lo) / (3.0 * (n - 1))


def critical_values(information_rates: Sequence[float], alpha: float, kind: str) -> np.ndarray:
    """Critical values c_1..c_K of the combination statistic (one-sided level ``alpha``)."""
    t = np.asarray(information_rates, dtype=float)
    k_max = len(t)
    final = float(-ndtri(alpha))
    if k_max == 1:
        return np.array([final])
    if kind == "no_early_efficacy":
        return np.array([math.inf] * (k_max - 1) + [final])
    cum = spending(kind, alpha, t)
    cum[-1] = alpha
    crit = np.empty(k_max)
    crit[0] = float(-ndtri(cum[0]))
    # sub-density of Z*_1 on the continuation region, on a Simpson grid
    z, w = _simpson(_LOW, min(crit[0], -_LOW))
    dens = np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
    for k in range(1, k_max):
        s_prev, s_now = math.sqrt(t[k - 1]), math.sqrt(t[k])
        sd = math.sqrt(t[k] - t[k - 1])
        target = cum[k] - cum[k - 1]
        mass = w * dens

        def crossing(c: float, mass=mass, z=z, s_prev=s_prev, s_now=s_now, sd=sd) -> float:
            return float(mass @ ndtr((z * s_prev - c * s_now) / sd))

        if target <= 0:
            crit[k] = math.inf
        else:
            crit[k] = brentq(lambda c, a=target: crossing(c) - a, -8.0, 40.0, xtol=1e-12)
        if k < k_max - 1:
            z_new, w_new = _simpson(_LOW, min(crit[k], -_LOW))
            kern = np.exp(-0.5 * ((z_new[:, None] * s_now - z[None, :] * s_prev) / sd) ** 2)
            dens = kern @ mass * s_now / (sd * math.sqrt(2.0 * math.pi))
            z, w = z_new, w_new
    return crit


def inverse_normal_weights(information_rates: Sequence[float]) -> np.ndarray:
    """Prefixed weights w_k = √(t_k − t_{k−1}) of the inverse-normal combination."""
    t = np.asarray(information_rates, dtype=float)
    return np.sqrt(np.diff(np.concatenate([[0.0], t])))
