"""Multivariate normal probabilities of every cell of a rectangular grid, m ≤ 4, vectorized.

``cell_probs(mean, cov, thresholds)`` returns P(Z ∈ cell) for Z ~ N(mean, cov) and every cell of
the grid that the sorted thresholds of each coordinate cut ℝ^m into: coordinate k with n_k
thresholds has n_k + 1 intervals, so the result has shape (..., n_0 + 1, ..., n_{m-1} + 1). The
rejection region of every closed test in :mod:`planner.closed_test` is a union of such cells, so
one grid gives the power of every hypothesis, of at least one and of all.

Method (sequential conditioning, Genz & Bretz 2009, *Computation of Multivariate Normal and t
Probabilities*, Springer, §2.1 and §4.1): for m ≥ 3 the first coordinate is integrated out by
composite Gauss–Legendre quadrature on its probability scale u = Φ((z₀ − μ₀)/σ₀) — one rule per
interval between consecutive thresholds, so the integrand (a conditional probability of the other
coordinates, analytic in z₀) is smooth on every piece; the others are conditionally normal with
mean linear in z₀ and a fixed covariance, and the recursion goes on down to two coordinates, whose
cells come exactly from the bivariate normal cdf (:func:`planner.bvn.bvn_cdf`, Owen's T). So m = 2
is exact, m = 3 has one quadrature layer and m = 4 two. Everything is deterministic (fixed nodes)
and smooth in the mean and the covariance, as a root search needs. ``q_outer`` nodes serve each
of the two unbounded intervals (most of the mass), ``q_inner`` each bounded one (the thresholds of
a closed test sit close together, a few tenths of a standard deviation apart).

Accuracy: see ``tests/test_closed_test.py`` (against the same integrals with 4× the nodes, against
``scipy.stats.multivariate_normal.cdf`` and against Monte Carlo).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.special import ndtr, ndtri

from .bvn import bvn_cdf

Q_OUTER = 16
LAMBDA = 1.5
Q_INNER = 4
_U_EPS = 1e-300
_VAR_FLOOR = 1e-12


@lru_cache(maxsize=64)
def _rule(n_thr: int, q_outer: int, q_inner: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Composite rule on n_thr + 1 intervals: (interval of each node, [0,1] position, weight, group starts)."""
    counts = [q_outer] + [q_inner] * (n_thr - 1) + ([q_outer] if n_thr >= 1 else [])
    if n_thr == 0:
        counts = [2 * q_outer]
    interval, pos, wt = [], [], []
    for a, q in enumerate(counts):
        g, w = np.polynomial.legendre.leggauss(q)
        interval += [a] * q
        pos += list((g + 1) / 2)
        wt += list(w / 2)
    starts = np.cumsum([0] + counts[:-1])
    return np.array(interval), np.array(pos), np.array(wt), starts


def _one(mean, cov, thr):
    s = np.sqrt(np.maximum(cov[..., 0, 0], _VAR_FLOOR))
    cdf = ndtr((thr[0] - mean[..., 0, None]) / s[..., None])
    shape = cdf.shape[:-1]
    full = np.concatenate([np.zeros(shape + (1,)), cdf, np.ones(shape + (1,))], axis=-1)
    return np.diff(full, axis=-1)


def _two(mean, cov, thr):
    s0 = np.sqrt(np.maximum(cov[..., 0, 0], _VAR_FLOOR))
    s1 = np.sqrt(np.maximum(cov[..., 1, 1], _VAR_FLOOR))
    rho = cov[..., 0, 1] / (s0 * s1)
    x = (thr[0] - mean[..., 0, None]) / s0[..., None]
    y = (thr[1] - mean[..., 1, None]) / s1[..., None]
    table = bvn_cdf(x[..., :, None], y[..., None, :], rho[..., None, None])
    shape = table.shape[:-2]
    n0, n1 = table.shape[-2:]
    g = np.zeros(shape + (n0 + 2, n1 + 2))
    g[..., 1:-1, 1:-1] = table
    g[..., -1, 1:-1] = np.broadcast_to(ndtr(y), shape + (n1,))
    g[..., 1:-1, -1] = np.broadcast_to(ndtr(x), shape + (n0,))
    g[..., -1, -1] = 1.0
    return np.diff(np.diff(g, axis=-1), axis=-2)


def cell_probs(mean: np.ndarray, cov: np.ndarray, thresholds: list[np.ndarray],
               q_outer: int = Q_OUTER, q_inner: int = Q_INNER) -> np.ndarray:
    """P(Z in each grid cell), Z ~ N(mean (..., m), cov (..., m, m)); ``thresholds[k]`` (..., n_k) sorted.

    Leading dimensions broadcast. Infinite thresholds are allowed (empty cells).
    """
    mean = np.asarray(mean, dtype=float)
    cov = np.asarray(cov, dtype=float)
    m = mean.shape[-1]
    thr = [np.clip(np.asarray(t, dtype=float), -40.0, 40.0) for t in thresholds]
    if m == 1:
        return _one(mean, cov, thr)
    if m == 2:
        return _two(mean, cov, thr)
    return _condition_first(mean, cov, thr, q_outer, q_inner)


def _condition_first(mean, cov, thr, q_outer, q_inner):
    """Integrate coordinate 0 out with the composite rule and recurse on the others."""
    n0 = thr[0].shape[-1]
    interval, pos, wt, starts = _rule(n0, q_outer, q_inner)
    var0 = np.maximum(cov[..., 0, 0], _VAR_FLOOR)
    s0 = np.sqrt(var0)
    mu0 = mean[..., 0]
    u_thr = ndtr((thr[0] - mu0[..., None]) / (s0[..., None] * LAMBDA))
    shape = u_thr.shape[:-1]
    breaks = np.concatenate([np.zeros(shape + (1,)), u_thr, np.ones(shape + (1,))], axis=-1)
    lo, hi = breaks[..., :-1], breaks[..., 1:]
    width = (hi - lo)[..., interval]                       # (..., N)
    y = ndtri(np.clip(lo[..., interval] + width * pos, _U_EPS, 1.0 - 1e-16))
    x = LAMBDA * y                                         # standardized node (..., N)
    w = width * wt * LAMBDA * np.exp(0.5 * (y * y - x * x))  # φ(x) dx / (φ(x/λ) dx/λ)
    beta = cov[..., 1:, 0] / var0[..., None]               # (..., m-1)
    c_mean = mean[..., None, 1:] + beta[..., None, :] * (s0[..., None] * x)[..., None]
    c_cov = cov[..., 1:, 1:] - beta[..., :, None] * cov[..., None, 0, 1:]
    sub = cell_probs(c_mean, c_cov[..., None, :, :], [t[..., None, :] for t in thr[1:]], q_outer, q_inner)
    k = len(thr) - 1                                       # trailing cell axes of sub
    weighted = sub * w.reshape(w.shape + (1,) * k)
    return np.add.reduceat(weighted, starts, axis=-1 - k)


def orthant_cdf(mean: np.ndarray, cov: np.ndarray, upper: np.ndarray, q: int = 32) -> np.ndarray:
    """P(Z ≤ upper) (every coordinate), Z ~ N(mean, cov), m ≤ 4; ``q`` nodes per conditioning layer."""
    mean = np.asarray(mean, dtype=float)
    cov = np.asarray(cov, dtype=float)
    upper = np.clip(np.asarray(upper, dtype=float), -40.0, 40.0)
    m = upper.shape[-1]
    if m <= 2:
        cells = cell_probs(mean, cov, [upper[..., k:k + 1] for k in range(m)])
        return cells[(...,) + (0,) * m]
    g, wq = np.polynomial.legendre.leggauss(q)
    var0 = np.maximum(cov[..., 0, 0], _VAR_FLOOR)
    s0 = np.sqrt(var0)
    hi = ndtr((upper[..., 0] - mean[..., 0]) / (s0 * LAMBDA))[..., None]
    y = ndtri(np.clip(hi * (g + 1) / 2, _U_EPS, 1.0 - 1e-16))
    x = LAMBDA * y
    w = hi * wq / 2 * LAMBDA * np.exp(0.5 * (y * y - x * x))
    beta = cov[..., 1:, 0] / var0[..., None]
    c_mean = mean[..., None, 1:] + beta[..., None, :] * (s0[..., None] * x)[..., None]
    c_cov = cov[..., 1:, 1:] - beta[..., :, None] * cov[..., None, 0, 1:]
    sub = orthant_cdf(c_mean, c_cov[..., None, :, :], upper[..., None, 1:], q)
    return np.sum(sub * w, axis=-1)
