"""Multivariate normal probabilities of every cell of a rectangular grid, m ≤ 4, vectorized.

``cell_probs(mean, cov, thresholds)`` returns P(Z ∈ cell) for Z ~ N(mean, cov) and every cell of
the grid that the sorted thresholds of each coordinate cut ℝ^m into: coordinate k with n_k
thresholds has n_k + 1 intervals, so the result has shape (..., n_0 + 1, ..., n_{m-1} + 1). The
rejection region of every closed test in :mod:`planner.closed_test` is a union of such cells, so
one grid gives the power of every hypothesis, of at least one and of all.

Method (sequential conditioning, Genz & Bretz 2009, *Computation of Multivariate Normal and t
Probabilities*, Springer, §2.1 and §4.1): for m ≥ 3 the first coordinate is integrated out by
composite Gauss–Legendre quadrature on the scale u = Φ(x/λ), x = (z₀ − μ₀)/σ₀, λ = 1.5 — one rule
per interval between consecutive thresholds, so the integrand (a conditional probability of the
other coordinates, analytic in z₀) is smooth on every piece. (λ = 1 — the probability scale —
leaves a power-law endpoint singularity u^(β²/s²) when correlations are low; λ → ∞, plain x, needs
many nodes when they are high; λ = 1.5 was the best of 1.25, 1.5, 2 on orthant probabilities
against scipy.) The other coordinates are conditionally normal with mean linear in z₀ and a fixed
covariance, and the recursion goes on down to two coordinates, whose cells come exactly from the
bivariate normal cdf (Owen's T, as :func:`planner.bvn.bvn_cdf`). So m = 2 is exact, m = 3 has one
quadrature layer and m = 4 two; the coordinates are reordered per point so that nearly collinear
ones form the exact pair (:func:`conditioning_orders`). Everything is deterministic (fixed nodes)
and smooth in the mean and the covariance, as a root search needs.

Chains (m = 4): F and nested populations give statistics in which, given one of them Z_c, a second
Z_a is independent of the remaining pair (each population's statistic is the next smaller one's
plus independent patients: the partial correlations of a with the pair given c vanish). Such a
point (:func:`split_orders`, |partial correlation| ≤ 1e-9 and no steeper than half its two-layer
order's score) takes one quadrature layer over z_c whose integrand is the product of Z_a's
univariate cells and the exact pair's bivariate table (:func:`_condition_split`,
:func:`_orthant_split`): ~30× fewer bivariate tables, the same accuracy (tests/test_mvn_split.py).
Orders are cached per covariance (a size search repeats them). ``q_outer`` nodes serve each
of the two unbounded intervals (most of the mass), ``q_inner`` each bounded one (the thresholds of
a closed test sit close together, a few tenths of a standard deviation apart).

Accuracy: see ``tests/test_closed_test.py`` (against the same integrals with 4× the nodes, against
``scipy.stats.multivariate_normal.cdf`` and against Monte Carlo).
"""

from __future__ import annotations

from functools import lru_cache
from itertools import permutations

import numpy as np
from scipy.special import ndtr, ndtri, owens_t

Q_OUTER = 12
LAMBDA = 1.5
Q_INNER = 2
_U_EPS = 1e-300
_VAR_FLOOR = 1e-12
_BIG = 38.0
_TINY = 1e-13
_SPLIT_TOL = 1e-9  # |partial correlation| below which a chain is taken as exact
_SPLIT_SCORE = 0.5  # a one-layer order is used when its score is at least this times the two-layer one's
_CHUNK_ELEMENTS = 200_000  # elements of the largest temporary per chunk (1.6 MB: stays in cache; 2e6 was ~20 % slower)


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


def _bvn_table(x: np.ndarray, y: np.ndarray, rho: np.ndarray) -> np.ndarray:
    """Φ₂(x_a, y_b; ρ) for every a, b: x (..., n0), y (..., n1), ρ (...) → (..., n0, n1).

    Owen's (1956) formula as :func:`planner.bvn.bvn_cdf`, with the Φ terms computed once per row
    and column (the table needs 2 Owen's T per entry only).
    """
    x = np.clip(x, -_BIG, _BIG)
    y = np.clip(y, -_BIG, _BIG)
    x = np.where(np.abs(x) < _TINY, _TINY, x)
    y = np.where(np.abs(y) < _TINY, _TINY, y)
    r = np.clip(rho, -1 + 1e-12, 1 - 1e-12)[..., None, None]
    inv_s = 1.0 / np.sqrt((1 - r) * (1 + r))
    h, k = x[..., :, None], y[..., None, :]
    t = owens_t(h, (k / h - r) * inv_s) + owens_t(k, (h / k - r) * inv_s)
    half = 0.5 * ndtr(x)[..., :, None] + 0.5 * ndtr(y)[..., None, :]
    return np.clip(half - t - np.where(h * k < 0, 0.5, 0.0), 0.0, 1.0)


def _dw_table(x: np.ndarray, y: np.ndarray, rho: np.ndarray, nodes: int) -> np.ndarray:
    """Φ₂ table for |ρ| < 0.925 by Drezner & Wesolowsky's (1990) integral over θ ∈ (0, asin ρ),
    Gauss–Legendre as Genz (2004, Stat Comput 14:251) with the nodes of ``_DW_BANDS`` (3, 4, 6, 7, 8
    for |ρ| < 0.3, 0.5, 0.75, 0.85, 0.925: error < 5e-8 against Owen's T; Genz's 6, 12, 20 reach
    double precision):
    Φ₂(h, k; ρ) = Φ(h)Φ(k) + (1/2π) ∫₀^{asin ρ} exp(−(h² + k² − 2hk sin θ) / (2 cos² θ)) dθ.
    The sines are per point, so the table costs one exp per entry and node.
    """
    g, w = _legendre(nodes)
    h, k = x[..., :, None], y[..., None, :]
    hk = h * k
    hs = 0.5 * (h * h + k * k)
    asr = np.arcsin(np.clip(rho, -0.925, 0.925))[..., None, None]
    shape = np.broadcast_shapes(hk.shape, asr.shape)
    acc, tmp, tmp2 = np.zeros(shape), np.empty(shape), np.empty(shape)
    for gi, wi in zip(g, w):
        sn = np.sin(asr * (1 + gi) / 2)
        inv = 1.0 / (1 - sn * sn)
        np.multiply(hk, sn * inv, out=tmp)
        np.multiply(hs, inv, out=tmp2)
        np.subtract(tmp, tmp2, out=tmp)
        np.exp(tmp, out=tmp)
        np.multiply(tmp, wi, out=tmp)
        acc += tmp
    out = ndtr(x)[..., :, None] * ndtr(y)[..., None, :] + acc * asr / (4 * np.pi)
    return np.clip(out, 0.0, 1.0)


@lru_cache(maxsize=8)
def _legendre(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.polynomial.legendre.leggauss(n)


#: Drezner–Wesolowsky nodes per band of |ρ| (0: Owen's T): table error < 5e-8 against Owen's T
#: (tests/test_closed_test.py), far below the quadrature's; Genz's 4/8/12 (< 1e-10) cost twice as much
_DW_BANDS = ((0.0, 0.3, 3), (0.3, 0.5, 4), (0.5, 0.75, 6), (0.75, 0.85, 7), (0.85, 0.925, 8), (0.925, 2.0, 0))


def _split_table(x, y, rho):
    """Φ₂ table per point (axis 0): Drezner–Wesolowsky where |ρ| < 0.925, Owen's T elsewhere."""
    rho_b = np.broadcast_to(rho, (x.shape[0],) + rho.shape[1:]) if rho.ndim else np.full(x.shape[:1], rho)
    r0 = np.abs(rho_b.reshape(x.shape[0], -1)).max(axis=1)
    out = np.empty(np.broadcast_shapes(x[..., :, None].shape, y[..., None, :].shape))
    for lo, hi, nodes in _DW_BANDS:
        idx = np.flatnonzero((r0 >= lo) & (r0 < hi))
        if idx.size == 0:
            continue
        if nodes:
            out[idx] = _dw_table(x[idx], y[idx], rho_b[idx], nodes)
        else:
            out[idx] = _bvn_table(x[idx], y[idx], rho_b[idx])
    return out


def _two(mean, cov, thr, split=False, corners=False):
    s0 = np.sqrt(np.maximum(cov[..., 0, 0], _VAR_FLOOR))
    s1 = np.sqrt(np.maximum(cov[..., 1, 1], _VAR_FLOOR))
    rho = cov[..., 0, 1] / (s0 * s1)
    x = (thr[0] - mean[..., 0, None]) / s0[..., None]
    y = (thr[1] - mean[..., 1, None]) / s1[..., None]
    table = _split_table(x, y, rho) if split and x.ndim > 1 and x.shape[0] > 0 else _bvn_table(x, y, rho)
    shape = table.shape[:-2]
    n0, n1 = table.shape[-2:]
    g = np.zeros(shape + (n0 + 2, n1 + 2))
    g[..., 1:-1, 1:-1] = table
    g[..., -1, 1:-1] = np.broadcast_to(ndtr(y), shape + (n1,))
    g[..., 1:-1, -1] = np.broadcast_to(ndtr(x), shape + (n0,))
    g[..., -1, -1] = 1.0
    return g if corners else _corner_cells(g)


def _corner_cells(g: np.ndarray) -> np.ndarray:
    """Cell probabilities of the last two axes from their cdf table padded with 0 and the marginals."""
    return np.diff(np.diff(g, axis=-1), axis=-2)


def cell_probs(mean: np.ndarray, cov: np.ndarray, thresholds: list[np.ndarray],
               q_outer: int = Q_OUTER, q_inner: int = Q_INNER) -> np.ndarray:
    """P(Z in each grid cell), Z ~ N(mean (..., m), cov (..., m, m)); ``thresholds[k]`` (..., n_k) sorted.

    Leading dimensions broadcast. Infinite thresholds are allowed (empty cells). m = 2 is exact
    (bivariate normal cdf); m ≥ 3 conditions on every coordinate but the last in turn.
    """
    mean = np.asarray(mean, dtype=float)
    cov = np.asarray(cov, dtype=float)
    m = mean.shape[-1]
    thr = [np.clip(np.asarray(t, dtype=float), -40.0, 40.0) for t in thresholds]
    if m == 1:
        return _one(mean, cov, thr)
    if m == 2:
        return _two(mean, cov, thr)
    batch = np.broadcast_shapes(mean.shape[:-1], cov.shape[:-2], *(t.shape[:-1] for t in thr))
    size = int(np.prod(batch, dtype=int))
    mean = np.broadcast_to(mean, batch + (m,)).reshape(size, m)
    cov = np.broadcast_to(cov, batch + (m, m)).reshape(size, m, m)
    thr = [np.broadcast_to(t, batch + t.shape[-1:]).reshape(size, -1) for t in thr]
    perms, choice, split = _orders(cov)
    out = np.empty((size,) + tuple(t.shape[-1] + 1 for t in thr))
    for g in np.unique(choice):
        idx = np.flatnonzero(choice == g)
        p = list(perms[g])
        fn = _condition_split if split is not None and g >= split else _cells
        cells = _chunked(mean[idx][:, p], cov[idx][:, p][:, :, p], [thr[k][idx] for k in p], q_outer, q_inner, fn)
        out[idx] = np.moveaxis(cells, list(range(1, m + 1)), [1 + k for k in p])
    return out.reshape(batch + out.shape[1:])


def _chunked(mean, cov, thr, q_outer, q_inner, fn=None):
    """``fn`` (:func:`_cells` or :func:`_condition_split`) over the flattened batch in chunks of bounded memory."""
    m = mean.shape[-1]
    batch = np.broadcast_shapes(mean.shape[:-1], cov.shape[:-2], *(t.shape[:-1] for t in thr))
    ns = [t.shape[-1] for t in thr]
    layers = ns[:1] if fn is _condition_split else ns[:-2]
    nodes = [2 * q_outer + max(n - 1, 0) * q_inner for n in layers]
    per_point = int(np.prod(nodes)) * (ns[-2] + 2) * (ns[-1] + 2)  # the exact pair's tables
    if fn is _condition_split:
        per_point *= ns[1] + 1
    size = int(np.prod(batch, dtype=int))
    chunk = max(1, _CHUNK_ELEMENTS // per_point)
    mean = np.broadcast_to(mean, batch + (m,)).reshape(size, m)
    cov = np.broadcast_to(cov, batch + (m, m)).reshape(size, m, m)
    thr = [np.broadcast_to(t, batch + t.shape[-1:]).reshape(size, -1) for t in thr]
    out = np.empty((size,) + tuple(n + 1 for n in ns))
    for lo in range(0, size, chunk):
        sl = slice(lo, lo + chunk)
        if fn is _condition_split:
            out[sl] = _condition_split(mean[sl], cov[sl], [t[sl] for t in thr], q_outer, q_inner)
        else:
            out[sl] = _cells(mean[sl], cov[sl], [t[sl] for t in thr], q_outer, q_inner)
    return out.reshape(batch + out.shape[1:])


def split_orders(cov: np.ndarray, perms: list[tuple[int, ...]], choice: np.ndarray) -> int | None:
    """For m = 4: points whose statistics form a chain get an order (c, a, p, q) with Z_a ⊥ (Z_p, Z_q) | Z_c.

    Nested populations (and any structure whose partial correlations of a with p and q given c
    vanish, |r| ≤ ``_SPLIT_TOL``) need one quadrature layer only (:func:`_condition_split`). A point
    takes the best such order (largest smallest conditional sd given z_c, as
    :func:`conditioning_orders`) when its score is at least ``_SPLIT_SCORE`` times that of its
    two-layer order. Appends the orders to ``perms``, updates ``choice`` in place and returns the
    index of the first appended order (None when no point qualifies). Per point, as the choice of order.
    """
    m = cov.shape[-1]
    if m != 4:
        return None
    d = np.sqrt(np.maximum(np.diagonal(cov, axis1=-2, axis2=-1), _VAR_FLOOR))
    corr = cov / (d[..., :, None] * d[..., None, :])
    base = np.empty(len(corr))
    for g in np.unique(choice):
        idx = np.flatnonzero(choice == g)
        base[idx] = _order_score(corr[idx], perms[g])
    cands, scores = [], []
    for c in range(m):
        sd_c = np.sqrt(np.maximum(1.0 - corr[:, c, :] ** 2, 0.0))              # sd(Z_k | Z_c) / sd(Z_k)
        for a in range(m):
            if a == c:
                continue
            p, q = (k for k in range(m) if k not in (c, a))
            ok = np.ones(len(corr), dtype=bool)
            for b in (p, q):
                den = sd_c[:, a] * sd_c[:, b]
                r = (corr[:, a, b] - corr[:, a, c] * corr[:, b, c]) / np.maximum(den, 1e-300)
                ok &= (den > 1e-6) & (np.abs(r) <= _SPLIT_TOL)
            cands.append((c, a, p, q))
            scores.append(np.where(ok, np.min(sd_c[:, [a, p, q]], axis=1), -1.0))
    scores = np.stack(scores)
    best = np.argmax(scores, axis=0)
    top = scores[best, np.arange(len(best))]
    use = (top > 0) & (top >= _SPLIT_SCORE * base)
    if not use.any():
        return None
    first = len(perms)
    perms.extend(cands)
    choice[use] = first + best[use]
    return first


def _order_score(corr: np.ndarray, p: tuple[int, ...]) -> np.ndarray:
    """Smallest conditional sd ratio over the quadrature layers of order ``p`` (as :func:`conditioning_orders`)."""
    m = len(p)
    return np.min(np.stack([_cond_sd(corr, k, tuple(sorted(p[:lay]))) for lay in range(1, m - 1) for k in p[lay:]]),
                  axis=0)


_orders_cache: dict[tuple, tuple[list[tuple[int, ...]], np.ndarray, int | None]] = {}


def _orders(cov: np.ndarray) -> tuple[list[tuple[int, ...]], np.ndarray, int | None]:
    """:func:`conditioning_orders` then :func:`split_orders` of ``cov`` (size, m, m), cached by its
    bytes (a root search calls with the same covariances at every step); read-only choice."""
    key = (cov.shape, cov.tobytes())
    hit = _orders_cache.get(key)
    if hit is None:
        perms, choice = conditioning_orders(cov)
        first = split_orders(cov, perms, choice)
        choice.flags.writeable = False
        if len(_orders_cache) >= 64:
            _orders_cache.clear()  # atomic: the app's worker thread may use the cache too
        hit = _orders_cache[key] = (perms, choice, first)
    return hit


def _cond_sd(corr: np.ndarray, k: int, given: tuple[int, ...]) -> np.ndarray:
    """sd(Z_k | Z_given) / sd(Z_k) for every matrix of the batch."""
    g = list(given)
    c_kg = corr[..., k, g]
    sol = np.linalg.solve(corr[..., g, :][..., :, g], c_kg[..., None])[..., 0]
    return np.sqrt(np.maximum(1.0 - np.sum(c_kg * sol, axis=-1), 0.0))


def conditioning_orders(cov: np.ndarray) -> tuple[list[tuple[int, ...]], np.ndarray]:
    """Candidate orders (conditioned on first to last; the last two form the exact pair) and each point's choice.

    A quadrature layer's integrand is steep when a coordinate not yet integrated is nearly
    determined by those conditioned on so far (small conditional sd: nested populations of
    almost equal prevalence give correlations near 1). Each point (``cov`` (size, m, m)) takes the
    order maximising the smallest conditional sd sd(Z_k | Z_first l) / sd(Z_k) over every layer l
    and every later k, so that nearly collinear coordinates end up together in the exact bivariate
    pair — variable reordering in the spirit of Genz & Bretz (2009, §4.1.3). The choice depends on
    the point's own covariance only, so a point gets the same number in any batch.
    """
    m = cov.shape[-1]
    d = np.sqrt(np.maximum(np.diagonal(cov, axis1=-2, axis2=-1), _VAR_FLOOR))
    corr = cov / (d[..., :, None] * d[..., None, :])
    memo: dict[tuple[int, tuple[int, ...]], np.ndarray] = {}

    def sd(k: int, given: tuple[int, ...]) -> np.ndarray:
        key = (k, tuple(sorted(given)))
        if key not in memo:
            memo[key] = _cond_sd(corr, k, key[1])
        return memo[key]

    perms = [p for p in permutations(range(m)) if p[-2] < p[-1]]
    scores = np.stack([
        np.min(np.stack([sd(k, p[:lay]) for lay in range(1, m - 1) for k in p[lay:]]), axis=0) for p in perms
    ])
    return perms, np.argmax(scores, axis=0)


def _cells(mean, cov, thr, q_outer, q_inner, corners=False):
    if mean.shape[-1] == 2:
        return _two(mean, cov, thr, split=True, corners=corners)
    return _condition_first(mean, cov, thr, q_outer, q_inner, corners)


def _nodes(mean, cov, thr0, q_outer, q_inner):
    """Composite-rule nodes of coordinate 0: standardized nodes x (..., N), weights, group starts, sd, var."""
    interval, pos, wt, starts = _rule(thr0.shape[-1], q_outer, q_inner)
    var0 = np.maximum(cov[..., 0, 0], _VAR_FLOOR)
    s0 = np.sqrt(var0)
    mu0 = mean[..., 0]
    u_thr = ndtr((thr0 - mu0[..., None]) / (s0[..., None] * LAMBDA))
    shape = u_thr.shape[:-1]
    breaks = np.concatenate([np.zeros(shape + (1,)), u_thr, np.ones(shape + (1,))], axis=-1)
    lo, hi = breaks[..., :-1], breaks[..., 1:]
    width = (hi - lo)[..., interval]                       # (..., N)
    y = ndtri(np.clip(lo[..., interval] + width * pos, _U_EPS, 1.0 - 1e-16))
    x = LAMBDA * y                                         # standardized node (..., N)
    w = width * wt * LAMBDA * np.exp(0.5 * (y * y - x * x))  # φ(x) dx / (φ(x/λ) dx/λ)
    return x, w, starts, s0, var0


def _conditional(mean, cov, x, s0, var0):
    """Mean (..., N, m−1) and covariance (..., m−1, m−1) of the other coordinates given z₀ at the nodes."""
    beta = cov[..., 1:, 0] / var0[..., None]               # (..., m-1)
    c_mean = mean[..., None, 1:] + beta[..., None, :] * (s0[..., None] * x)[..., None]
    c_cov = cov[..., 1:, 1:] - beta[..., :, None] * cov[..., None, 0, 1:]
    return c_mean, c_cov


def _condition_first(mean, cov, thr, q_outer, q_inner, corners=False):
    """Integrate coordinate 0 out with the composite rule and recurse on the others.

    The exact pair's cdf tables (``corners``) are integrated and differenced into cells once, at
    the end (the quadrature is linear): the differences are taken on the small result only."""
    x, w, starts, s0, var0 = _nodes(mean, cov, thr[0], q_outer, q_inner)
    c_mean, c_cov = _conditional(mean, cov, x, s0, var0)
    sub = _cells(c_mean, c_cov[..., None, :, :], [t[..., None, :] for t in thr[1:]], q_outer, q_inner, True)
    k = len(thr) - 1                                       # trailing cell (corner) axes of sub
    sub *= w.reshape(w.shape + (1,) * k)
    out = np.add.reduceat(sub, starts, axis=-1 - k)
    return out if corners else _corner_cells(out)


def _condition_split(mean, cov, thr, q_outer, q_inner):
    """m = 4 with Z₁ ⊥ (Z₂, Z₃) | Z₀ (a chain, as nested populations give): one quadrature layer.

    Given z₀ the cells of Z₁ (univariate normal) and the exact pair (Z₂, Z₃) (bivariate normal
    table) are independent, so the integrand at each node is their outer product — the same
    composite rule as :func:`_condition_first`, but the second quadrature layer is not needed."""
    x, w, starts, s0, var0 = _nodes(mean, cov, thr[0], q_outer, q_inner)
    c_mean, c_cov = _conditional(mean, cov, x, s0, var0)
    one = _one(c_mean[..., :1], c_cov[..., None, :1, :1], [thr[1][..., None, :]])          # (…, N, n1+1)
    two = _two(c_mean[..., 1:], c_cov[..., None, 1:, 1:], [t[..., None, :] for t in thr[2:]],
               split=True, corners=True)                                                  # (…, N, n2+2, n3+2)
    sub = (one * w[..., None])[..., :, None, None] * two[..., None, :, :]
    return _corner_cells(np.add.reduceat(sub, starts, axis=-4))


def orthant_cdf(mean: np.ndarray, cov: np.ndarray, upper: np.ndarray, q: int = 32) -> np.ndarray:
    """P(Z ≤ upper) (every coordinate), Z ~ N(mean, cov), m ≤ 4; ``q`` nodes per conditioning layer.

    m = 4 points whose statistics form a chain (:func:`split_orders`) take one layer
    (:func:`_orthant_split`); the others condition on coordinates 0, 1 in turn."""
    mean = np.asarray(mean, dtype=float)
    cov = np.asarray(cov, dtype=float)
    upper = np.clip(np.asarray(upper, dtype=float), -40.0, 40.0)
    m = upper.shape[-1]
    if m == 4:
        batch = np.broadcast_shapes(mean.shape[:-1], cov.shape[:-2], upper.shape[:-1])
        size = int(np.prod(batch, dtype=int))
        mean = np.broadcast_to(mean, batch + (m,)).reshape(size, m)
        cov = np.broadcast_to(cov, batch + (m, m)).reshape(size, m, m)
        upper = np.broadcast_to(upper, batch + (m,)).reshape(size, m)
        perms, choice, first = _orders(cov)
        out = np.empty(size)
        rest = np.flatnonzero(choice < first) if first is not None else np.arange(size)
        if rest.size:
            out[rest] = _orthant_layers(mean[rest], cov[rest], upper[rest], q)
        for g in np.unique(choice[choice >= first]) if first is not None else ():
            idx = np.flatnonzero(choice == g)
            p = list(perms[g])
            out[idx] = _orthant_split(mean[idx][:, p], cov[idx][:, p][:, :, p], upper[idx][:, p], q)
        return out.reshape(batch)
    return _orthant_layers(mean, cov, upper, q)


def _orthant_nodes(mean, cov, upper, q):
    """Gauss–Legendre nodes of coordinate 0 on (−∞, upper₀] (u = Φ(x/λ) scale): x, weights, sd, var."""
    g, wq = _legendre(q)
    var0 = np.maximum(cov[..., 0, 0], _VAR_FLOOR)
    s0 = np.sqrt(var0)
    hi = ndtr((upper[..., 0] - mean[..., 0]) / (s0 * LAMBDA))[..., None]
    y = ndtri(np.clip(hi * (g + 1) / 2, _U_EPS, 1.0 - 1e-16))
    x = LAMBDA * y
    w = hi * wq / 2 * LAMBDA * np.exp(0.5 * (y * y - x * x))
    return x, w, s0, var0


def _orthant_layers(mean, cov, upper, q):
    m = upper.shape[-1]
    if m <= 2:
        cells = cell_probs(mean, cov, [upper[..., k:k + 1] for k in range(m)])
        return cells[(...,) + (0,) * m]
    x, w, s0, var0 = _orthant_nodes(mean, cov, upper, q)
    c_mean, c_cov = _conditional(mean, cov, x, s0, var0)
    sub = _orthant_layers(c_mean, c_cov[..., None, :, :], upper[..., None, 1:], q)
    return np.sum(sub * w, axis=-1)


def _orthant_split(mean, cov, upper, q):
    """m = 4, Z₁ ⊥ (Z₂, Z₃) | Z₀: one layer, the integrand a univariate times a bivariate normal cdf."""
    x, w, s0, var0 = _orthant_nodes(mean, cov, upper, q)
    c_mean, c_cov = _conditional(mean, cov, x, s0, var0)
    s1 = np.sqrt(np.maximum(c_cov[..., 0, 0], _VAR_FLOOR))[..., None]
    one = ndtr((upper[..., 1, None] - c_mean[..., 0]) / s1)
    pair = _orthant_layers(c_mean[..., 1:], c_cov[..., None, 1:, 1:], upper[..., None, 2:], q)
    return np.sum(one * pair * w, axis=-1)
