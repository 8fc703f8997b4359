"""Bivariate normal probabilities and critical values, vectorized over the correlation.

``scipy.stats.multivariate_normal.cdf`` takes one correlation matrix per call; curves over
prevalence need a different correlation at every point, so the CDF is written with Owen's T
function (``scipy.special.owens_t``, vectorized) — Owen (1956), Ann. Math. Statist. 27:1075:

    Φ₂(h, k; ρ) = ½Φ(h) + ½Φ(k) − T(h, a_h) − T(k, a_k) − β,
    a_h = (k − ρh) / (h√(1 − ρ²)),  a_k = (h − ρk) / (k√(1 − ρ²)),
    β = ½ if hk < 0 (or hk = 0 and h + k < 0), else 0.

The tests check it against ``scipy.stats.multivariate_normal`` and R's ``mvtnorm::pmvnorm``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import elementwise
from scipy.special import ndtr, ndtri, owens_t

_EPS = 1e-13
_BIG = 38.0


def bvn_cdf(h: ArrayLike, k: ArrayLike, rho: ArrayLike) -> np.ndarray:
    """P(X ≤ h, Y ≤ k) for a standard bivariate normal with correlation ρ (|ρ| < 1)."""
    h, k, rho = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (h, k, rho)))
    h = np.clip(h, -_BIG, _BIG)
    k = np.clip(k, -_BIG, _BIG)
    rho = np.clip(rho, -1 + 1e-12, 1 - 1e-12)
    # Owen's formula is singular at h = 0 or k = 0; a shift of 1e-13 changes Φ₂ by < 1e-13.
    h = np.where(np.abs(h) < _EPS, _EPS, h)
    k = np.where(np.abs(k) < _EPS, _EPS, k)
    s = np.sqrt((1 - rho) * (1 + rho))
    a_h = (k - rho * h) / (h * s)
    a_k = (h - rho * k) / (k * s)
    beta = np.where(h * k < 0, 0.5, 0.0)
    out = 0.5 * ndtr(h) + 0.5 * ndtr(k) - owens_t(h, a_h) - owens_t(k, a_k) - beta
    return np.clip(out, 0.0, 1.0)


def bvn_upper(a: ArrayLike, b: ArrayLike, mean_x: ArrayLike, mean_y: ArrayLike,
              sd_x: ArrayLike, sd_y: ArrayLike, rho: ArrayLike) -> np.ndarray:
    """P(X > a, Y > b) for a bivariate normal with the given means, sds and correlation."""
    return bvn_cdf((np.asarray(mean_x) - a) / sd_x, (np.asarray(mean_y) - b) / sd_y, rho)


def critical_value(alpha: ArrayLike) -> np.ndarray:
    """z such that P(Z > z) = α."""
    return -ndtri(np.asarray(alpha, dtype=float))


def _fwer(c2, c1, rho):
    # P(Z1 > c1 or Z2 > c2) under H0
    return 1.0 - bvn_cdf(c1, c2, rho)


def _fwer_equal(c, rho):
    return 1.0 - bvn_cdf(c, c, rho)


def _find_root(func, a, b, args) -> np.ndarray:
    """Elementwise root in the brackets (a, b) (``scipy.optimize.elementwise.find_root``)."""
    res = elementwise.find_root(func, (a, b), args=args, tolerances={"xatol": 1e-13, "xrtol": 0.0})
    return np.asarray(res.x)


def _per_distinct(solve, *arrays: np.ndarray) -> np.ndarray:
    """``solve(*arrays)`` evaluated once per distinct tuple of elements and scattered back.

    The root finder works elementwise (every element its own bracket and iterations), so the
    result of an element does not depend on the others: solving the distinct tuples only gives
    the same numbers bit for bit. A design map has one correlation per prevalence, shared by
    every B− effect; a scalar scenario has one element anyway.
    """
    shape = arrays[0].shape
    if arrays[0].size <= 1:  # a scalar scenario: solved once per distinct input (a comparison builds a model 3 times)
        return _scalar_solve(solve, tuple((a.shape, float(a.reshape(-1)[0]) if a.size else None) for a in arrays)).copy()
    keys = np.stack([a.reshape(-1) for a in arrays], axis=1)
    return _array_solve(solve, keys.tobytes(), keys.shape[1]).reshape(shape).copy()


@lru_cache(maxsize=32)
def _array_solve(solve, key: bytes, width: int) -> np.ndarray:
    """The distinct tuples of the stacked inputs ``key`` (bytes of a (P, width) float array) solved
    and scattered back, (P,); cached: the curves of one redraw build the same model several times
    (kept read-only; callers get a copy, as from :func:`_scalar_solve`)."""
    keys = np.frombuffer(key, dtype=float).reshape(-1, width)
    uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
    if len(uniq) == keys.shape[0]:
        out = np.asarray(solve(*(keys[:, j].copy() for j in range(width))))
    else:
        out = np.asarray(solve(*(uniq[:, j].copy() for j in range(width))))[inverse.reshape(-1)]
    out.flags.writeable = False
    return out


@lru_cache(maxsize=256)
def _scalar_solve(solve, key: tuple) -> np.ndarray:
    return np.asarray(solve(*(np.zeros(shape) if v is None else np.full(shape, v) for shape, v in key)))


def _critical_s_split(alpha, rho, alpha_first):
    c1 = critical_value(alpha_first)
    lo = critical_value(alpha)            # c2 = z(α) spends at least α
    hi = critical_value(alpha - alpha_first)  # Bonferroni: spends at most α
    return _find_root(lambda c2, c1_, rho_, a_: _fwer(c2, c1_, rho_) - a_, lo - 1e-9, hi + 1e-9, (c1, rho, alpha))


def critical_values_split(alpha: ArrayLike, rho: ArrayLike, alpha_first: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """(c1, c2): c1 = z(α₁), c2 with P₀(Z1 > c1 or Z2 > c2) = α (Spiessens & Debois 2010)."""
    alpha, rho, alpha_first = (np.array(x) for x in np.broadcast_arrays(
        *(np.asarray(x, float) for x in (alpha, rho, alpha_first))))
    c1 = critical_value(alpha_first)
    return c1, _per_distinct(_critical_s_split, alpha, rho, alpha_first)


def _critical_equal(alpha, rho):
    return _find_root(lambda c, rho_, a_: _fwer_equal(c, rho_) - a_,
                      critical_value(alpha) - 1e-9, critical_value(alpha / 2) + 1e-9, (rho, alpha))


def critical_value_equal(alpha: ArrayLike, rho: ArrayLike) -> np.ndarray:
    """Common c with P₀(Z1 > c or Z2 > c) = α (two-look Pocock boundary when ρ = √t)."""
    alpha, rho = (np.array(x) for x in np.broadcast_arrays(np.asarray(alpha, float), np.asarray(rho, float)))
    return _per_distinct(_critical_equal, alpha, rho)


def critical_value_equal_pointwise(alpha: ArrayLike, rho: ArrayLike) -> np.ndarray:
    """:func:`critical_value_equal` solved at every element (reference for the tests)."""
    alpha, rho = np.broadcast_arrays(np.asarray(alpha, float), np.asarray(rho, float))
    return _critical_equal(alpha, rho)


def critical_values_split_pointwise(alpha: ArrayLike, rho: ArrayLike, alpha_first: ArrayLike):
    """:func:`critical_values_split` solved at every element (reference for the tests)."""
    alpha, rho, alpha_first = np.broadcast_arrays(*(np.asarray(x, float) for x in (alpha, rho, alpha_first)))
    return critical_value(alpha_first), _critical_s_split(alpha, rho, alpha_first)
