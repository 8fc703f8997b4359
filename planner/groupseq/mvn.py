"""Multivariate normal rectangle probabilities P(X < u), vectorized over many means and covariances.

Genz (1992, J Comput Graph Stat 1:141–9; Genz & Bretz 2009, *Computation of Multivariate Normal
and t Probabilities*, §4.1) separation of variables: with X = μ + L Y (L the lower Cholesky
factor, Y standard normal),

    P(X < u) = E_w [ Π_i e_i(w) ],  e_i = Φ((u_i − μ_i − Σ_{j<i} L_ij y_j)/L_ii),  y_j = Φ⁻¹(w_j e_j),

an integral over the unit cube [0, 1]^{d−1} evaluated with a fixed scrambled Sobol point set
(``scipy.stats.qmc.Sobol``, seed :data:`SEED`): the result is a deterministic, continuous
function of μ, L and u, which root finders need. Components with u_i = +∞ are marginalized out
exactly (dropped) before the integration.

Integrating the last look first (components are given in look order and reversed here) is
much more accurate than look order for group-sequential laws, whose early bounds are loose.
Accuracy against ``scipy.stats.multivariate_normal.cdf`` (abseps 1e-8, 10⁷ points) over random
rectangles of 3- and 4-look stratified laws (d = 6, 8): max |error| 1.0e-4 with 2¹¹ points,
4.7e-5 with 2¹² (claim powers, :data:`POINTS`) and 1.2e-5 with 2¹⁴ (bounds, :data:`POINTS_BOUNDS`;
tests/test_groupseq_stratified.py checks one case).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.special import ndtr, ndtri

SEED = 20240611
POINTS = 2**12          # claim powers
POINTS_BOUNDS = 2**14   # critical values under H0


@lru_cache(maxsize=32)
def _sobol(dim: int, n: int) -> np.ndarray:
    from scipy.stats import qmc  # noqa: PLC0415

    if dim == 0:
        return np.zeros((n, 0))
    return qmc.Sobol(dim, scramble=True, seed=SEED).random(n)


def rect_prob(upper: np.ndarray, mean: np.ndarray, cov: np.ndarray, n: int = POINTS) -> np.ndarray:
    """P(X < upper) for X ~ N(mean, cov); leading axes of all three broadcast (…, d).

    ``upper`` may hold +∞ (no limit), but the set of infinite components must be the same for
    every leading index (it is: bounds come from one plan).
    """
    upper, mean = np.broadcast_arrays(np.asarray(upper, float), np.asarray(mean, float))
    lead = upper.shape[:-1]
    cov = np.broadcast_to(np.asarray(cov, float), lead + cov.shape[-2:])
    finite = np.isfinite(upper.reshape(-1, upper.shape[-1])).all(axis=0)
    if not finite.any():
        return np.ones(lead)
    idx = np.flatnonzero(finite)[::-1]   # last look first: far more accurate for these laws
    u = upper[..., idx].reshape(-1, idx.size)
    m = mean[..., idx].reshape(-1, idx.size)
    c = cov[..., idx[:, None], idx[None, :]].reshape(-1, idx.size, idx.size)
    return _genz(u - m, c, n).reshape(lead)


def _genz(b: np.ndarray, cov: np.ndarray, n: int) -> np.ndarray:
    """P(Y < b), Y ~ N(0, cov), for a batch (P, d) of limits and (P, d, d) covariances."""
    p, d = b.shape
    chol = np.linalg.cholesky(cov + 1e-13 * np.eye(d))
    diag = np.diagonal(chol, axis1=1, axis2=2)
    e = ndtr(b[:, 0] / diag[:, 0])
    if d == 1:
        return e
    w = _sobol(d - 1, n)                       # (n, d−1)
    f = np.repeat(e[:, None], n, axis=1)       # (P, n)
    ys = np.empty((p, n, d - 1))
    ys[:, :, 0] = ndtri(np.clip(w[None, :, 0] * e[:, None], 1e-300, 1 - 1e-16))
    for i in range(1, d):
        s = np.einsum("pnj,pj->pn", ys[:, :, :i], chol[:, i, :i])
        ei = ndtr((b[:, i, None] - s) / diag[:, i, None])
        f *= ei
        if i < d - 1:
            ys[:, :, i] = ndtri(np.clip(w[None, :, i] * ei, 1e-300, 1 - 1e-16))
    return f.mean(axis=1)
