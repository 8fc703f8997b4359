"""Two-dimensional recursive numerical integration for the pair (Z_F,k, Z_S,k) over looks.

Jennison & Turnbull (2000, ch. 19; Armitage, McPherson & Rowe 1969) integrate the sub-density of
one statistic look by look. Here the state is the pair of *scores* S_k = (Z_F,k √t_F,k,
Z_S,k √t_S,k) (t the information fraction of each hypothesis), which has independent Gaussian
increments ΔS_k ~ N(V_k λ, V_k) in both forms of :mod:`.stratified` (proportional information:
V_k = Δt_k Σ₁, λ = Σ₁⁻¹δ; information form: V_k from the subgroup informations, λ = (θ_N, θ_S − θ_N)
up to scale). A bound on a z is a bound on a score, so every region of the closed test is a
product of intervals in score coordinates.

Grid. Per hypothesis one uniform spacing h = σ_min/:data:`NU` (σ_min the smallest increment SD
of that score over the looks) — finer for highly correlated scores, whose density is a ridge
√(1 − ρ²) SD wide across the diagonal: at least :data:`RIDGE_POINTS` points across it (up to
:data:`NU_MAX` per SD; ρ = 0.92: 4.6, 0.95: 5.8, 0.99: 12 points per SD; against Genz rectangles
at 3 looks the errors were 1.4e-4 (ρ = 0.95), 3.7e-4 (0.97) and 3.9e-2 (0.99) with 3 points per SD;
against a grid of 12 points per SD, PAOLA-1's 2-look structure at prevalence 0.9 (ρ = 0.92) was
1.7e-4 off, 2e-5 with 4.6) — and per look a uniform grid covering the reference mean ±
(:data:`WIDTH` + :data:`RADIUS`) SD. Because spacings are equal at every look the transition
kernel (a bivariate normal density of the increment) is a function of index differences only,
so a look-to-look step is one 2-D FFT convolution. Integrals over an interval whose ends are
not grid nodes (bounds anywhere) use the composite rule of local interpolation on stencils of
:data:`ORDER` nodes (:func:`edge_weights_many`; degree 5, O(h⁶) at the ends; a grid's own
``order``: 10 nodes for the recursions at their own drift, :mod:`.own`), the trapezoid rule —
spectrally accurate for these Gaussian integrands — inside.

Drifts. The law of the path under drift λ has the likelihood ratio
exp((λ − λ_r)ᵀS_k − ½(λᵀC_kλ − λ_rᵀC_kλ_r)) to the reference drift λ_r (C_k = Cov S_k): a
function of the current score only. One recursion at λ_r therefore gives every drift within
Mahalanobis distance :data:`RADIUS` of it by reweighting (exponential tilting, vectorized over
the points of a curve). References lie on a lattice in whitened λ (spacing RADIUS·√2), so they
are shared by all points and calls and cached.

FFT round-off is absolute (~1e-16 of the largest value) while tilting multiplies small values by
up to e^{RADIUS·(WIDTH+RADIUS)}; densities below :data:`FLOOR` × max are therefore set to zero (the
target law's mass there is < 1e-8).

Accuracy (tests/test_groupseq_stratified.py): claim probabilities within 2e-5 of the Genz
rectangles with 2¹⁶ points (measured ≤ 1e-5; ≤ 2.6e-5 against a grid with 8 points per SD) and of
Monte Carlo; one-look parametric bounds within 2e-6 of the fixed design's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
import scipy.fft as sfft
from numpy.polynomial import polynomial as P

NU = 3.0         # grid points per increment SD
RIDGE_POINTS = 1.8   # grid points per SD across the ridge of correlated scores: more than NU per SD when ρ > 0.8
NU_MAX = 12.0        # ... up to this many per increment SD (ρ ≈ 0.989)
WIDTH = 7.5      # grid half-width in SD around the reference mean (P(|N| > 7.5) ≈ 6e-14)
FLOOR = 1e-13    # densities below FLOOR × max are FFT round-off and set to 0
FLOOR_SINGLE = 1e-7   # the same for an FFT in single precision (own recursions, never tilted: ``single``)
KERNEL_WIDTH = WIDTH + 1.0   # transition kernel truncated at this many increment SDs (tilted up to RADIUS)
OWN_KERNEL_WIDTH = 5.5       # the same for a recursion never tilted (own.sums_many): tail mass 3.8e-8 an axis; sums within 2.4e-8 of 6.5 (PAOLA-1, ALK curves), ~20 % less FFT
RADIUS = 3.0     # drifts within this Mahalanobis distance of the reference are tilted from it


ORDER = 6        # nodes per interpolation stencil (degree 5: O(h⁶) at interval ends); own recursions: own.ORDER


def _stencil_antiderivatives(order: int = ORDER) -> dict[int, np.ndarray]:
    """Per offset s: (order + 1, order) coefficients (power, node) of the antiderivatives of the
    Lagrange basis on nodes s..s+order−1 (cell [0, 1] in units of h)."""
    out = {}
    for s in range(-(order - 1), 1):
        nodes = np.arange(s, s + order, dtype=float)
        cols = []
        for m in range(order):
            others = np.delete(nodes, m)
            cols.append(P.polyint(P.polyfromroots(others) / np.prod(nodes[m] - others)))
        out[s] = np.stack(cols, axis=1)
    return out


@lru_cache(maxsize=8)
def _tables(order: int) -> tuple[dict[int, np.ndarray], np.ndarray, np.ndarray]:
    """(antiderivatives by offset, their stack (order, order + 1, order) by offset + order − 1,
    powers 0..order) of the rule with stencils of ``order`` nodes."""
    anti = _stencil_antiderivatives(order)
    return anti, np.stack([anti[s] for s in range(-(order - 1), 1)]), np.arange(order + 1)


@lru_cache(maxsize=256)
def _whole_cells(n: int, order: int = ORDER) -> np.ndarray:
    """(n, n): row c holds the weights of [x0, x0 + c h] (cells 0..c−1) in units of h, cumulated
    once per grid size: they depend neither on x0 nor on h (× h), so one table serves every grid
    of n nodes."""
    anti, _, pw = _tables(order)
    rows = np.zeros((n, n))
    cells = np.arange(n - 1)
    start = np.clip(-(order // 2 - 1), -cells, n - order - cells)
    whole = (pw > 0).astype(float)                                   # 1^j − 0^j
    for s in np.unique(start):
        sel = cells[start == s]
        rows[(sel + 1)[:, None], sel[:, None] + s + np.arange(order)] = whole @ anti[int(s)]
    return np.cumsum(rows, axis=0)


@dataclass(frozen=True)
class Law:
    """Score law of one correlation structure: S_k = Z_k ⊙ scale_k, Cov S_k = cum[k]."""

    scale: np.ndarray   # (K, 2) √t_F,k, √t_S,k
    cum: np.ndarray     # (K, 2, 2)

    @property
    def k_max(self) -> int:
        return self.scale.shape[0]

    @cached_property
    def inc(self) -> np.ndarray:
        """(K, 2, 2) covariances of the score increments (made once a law; read-only)."""
        out = np.diff(np.concatenate([np.zeros((1, 2, 2)), self.cum]), axis=0)
        out.flags.writeable = False
        return out

    def key(self) -> tuple:
        return self._key

    @cached_property
    def _key(self) -> tuple:
        return tuple(np.round(np.r_[self.scale.ravel(), self.cum.ravel()], 12).tolist())

    @cached_property
    def ridge(self) -> float:
        """√(1 − ρ²) of the largest |correlation| of the two scores or of their increments at any
        look: the width, in SDs, of the density's ridge across the diagonal (:func:`make_grid`)."""
        rho = [c[0, 1] / math.sqrt(c[0, 0] * c[1, 1]) for c in (*self.cum, *self.inc) if c[0, 0] > 0 and c[1, 1] > 0]
        return math.sqrt(max(0.0, 1.0 - min(max(map(abs, rho), default=0.0), 1.0) ** 2))

    @cached_property
    def whitener(self) -> np.ndarray:
        """L with Lᵀ λ whitened: |Lᵀ(λ − λ')| is the Mahalanobis distance under C_K (made once a law)."""
        return np.linalg.cholesky(self.cum[-1])


def law_from_cov(cov: np.ndarray) -> Law:
    """The score law of a (2K, 2K) covariance of (Z_F,1, Z_S,1, …) in look order."""
    scale, cum = laws_from_cov(np.asarray(cov, dtype=float)[None])
    return Law(scale[0], cum[0])


def laws_from_cov(cov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(scale (G, K, 2), cum (G, K, 2, 2)) of the score laws of covariances (G, 2K, 2K), all at
    once: t_F,k = corr(Z_F,k, Z_F,K)², t_S,k likewise, scale = √t, Cov S_k = block_k ⊙ scale scaleᵀ."""
    cov = np.asarray(cov, dtype=float)
    k = cov.shape[-1] // 2
    sd = np.sqrt(np.diagonal(cov, axis1=-2, axis2=-1))
    corr_last = cov[:, :, -2:] / (sd[:, :, None] * sd[:, None, -2:])
    scale = np.sqrt(np.stack([corr_last[:, 0::2, 0] ** 2, corr_last[:, 1::2, 1] ** 2], axis=-1))
    pair = np.arange(2 * k).reshape(k, 2)
    block = cov[:, pair[:, :, None], pair[:, None, :]]                 # (G, K, 2, 2) look k's 2 × 2 block
    return scale, block * (scale[..., :, None] * scale[..., None, :])


def _whitener(law: Law) -> np.ndarray:
    """L with Lᵀ λ whitened: |Lᵀ(λ − λ')| is the Mahalanobis distance under C_K."""
    return law.whitener


SPACING = RADIUS * math.sqrt(2.0) * 0.999   # lattice spacing in whitened λ (every λ within RADIUS)


def lattice_index(law: Law, lam: np.ndarray) -> np.ndarray:
    """(P, 2) index of the lattice reference nearest to each drift λ (whitened by C_K)."""
    return np.round((lam @ _whitener(law)) / SPACING).astype(int)


def lattice_drift(law: Law, index) -> np.ndarray:
    """The reference drift λ of a lattice index."""
    return np.linalg.solve(_whitener(law).T, np.asarray(index, float) * SPACING)


@dataclass(frozen=True)
class Grid:
    """Per look k and score d: nodes x0[k, d] + i h[d], i < n[k, d]; ``order`` nodes per stencil of
    its interval rule (:func:`edge_weights_many`)."""

    x0: np.ndarray
    n: np.ndarray
    h: np.ndarray
    order: int = ORDER

    def nodes(self, k: int, d: int) -> np.ndarray:
        return self.x0[k, d] + self.h[d] * np.arange(self.n[k, d])

    @cached_property
    def all_nodes(self) -> tuple:
        """:meth:`nodes` of every look and score, made once (a cached reference's grid is tilted
        many times)."""
        return tuple(tuple(self.nodes(k, d) for d in range(2)) for k in range(self.n.shape[0]))

    def edge_weights(self, k: int, d: int, edges: list[float]) -> np.ndarray:
        """(len(edges) − 1, n) weights w with Σ w_i f(x0 + i h) ≈ ∫ f over each interval between
        increasing ``edges`` (local interpolation per cell of degree ``order`` − 1): :func:`edge_weights_many` of
        this grid alone."""
        return edge_weights_many([self], k, d, [edges])[0]


def edge_weights_many(grids: list[Grid], k: int, d: int, edges: list) -> np.ndarray:
    """(B, E − 1, n) weights w with Σ w_i f(x0 + i h) ≈ ∫ f over each interval between grid b's
    increasing ``edges[b]`` (E each) at look k on axis d, B grids at once, padded with zeros beyond
    each grid's nodes. The rule: local interpolation per cell (the stencil of the grids' ``order``
    nodes around it, shifted inward at the grid's ends: degree 5 and O(h⁶) at an interval's ends
    for :data:`ORDER`, degree 9 for the own recursions' :data:`.own.ORDER`; the trapezoid rule —
    spectrally accurate for these Gaussian integrands — inside). It is additive over cells, so an
    interval's weights are W(hi) − W(lo), W the weights of [x0, u]: whole cells from the cumulated
    table (:func:`_whole_cells`), the partial cell from its stencil's antiderivative at the edge's
    fraction of the cell (tests/test_groupseq_own_batch.py holds it to the cell-by-cell rule)."""
    order = grids[0].order
    assert all(g.order == order for g in grids), "one rule per batch"
    _, anti_stack, pw = _tables(order)
    x0 = np.array([float(g.x0[k, d]) for g in grids])
    h = np.array([float(g.h[d]) for g in grids])
    n = np.array([int(g.n[k, d]) for g in grids])
    t = (np.asarray(edges, dtype=float) - x0[:, None]) / h[:, None]      # (B, E) in cells from x0
    inside = (t > 0) & (t < n[:, None] - 1)
    c = np.where(t >= n[:, None] - 1, n[:, None] - 1, np.where(inside, t, 0.0)).astype(int)
    cum = np.zeros(t.shape + (int(n.max()),))
    for b, size in enumerate(n.tolist()):
        cum[b, :, :size] = _whole_cells(size, order)[c[b]]              # row 0: nothing below x0
    bi, ri = np.nonzero(inside & (t > c))
    if bi.size:
        cc, nn = c[bi, ri], n[bi]
        s = np.minimum(np.maximum(-(order // 2 - 1), -cc), nn - order - cc)
        vals = np.einsum("rp,rpm->rm", (t[bi, ri] - cc)[:, None] ** pw[1:], anti_stack[s + order - 1, 1:])
        cum[bi[:, None], ri[:, None], (cc + s)[:, None] + np.arange(order)] += vals
    return h[:, None, None] * (cum[:, 1:] - cum[:, :-1])


def make_grid(law: Law, lam_ref: np.ndarray, radius: float | None = None, nu: float | None = None,
              order: int = ORDER) -> Grid:
    """Uniform grids per look covering the reference mean ± (WIDTH + radius) SD; ``nu`` (default
    :data:`NU`) points per increment SD, at least :data:`RIDGE_POINTS` across the ridge of highly
    correlated scores (:attr:`Law.ridge`); stencils of ``order`` nodes for its interval rule."""
    inc_sd = np.sqrt(np.diagonal(law.inc, axis1=1, axis2=2))       # (K, 2)
    h = inc_sd.min(axis=0) / max(NU if nu is None else nu, min(RIDGE_POINTS / max(law.ridge, 1e-9), NU_MAX))
    sd = np.sqrt(np.diagonal(law.cum, axis1=1, axis2=2))
    mean = law.cum @ lam_ref                                        # (K, 2)
    half = (WIDTH + (RADIUS if radius is None else radius)) * sd
    n = np.ceil(2 * half / h).astype(int) + 1
    return Grid(mean - half, n, h, order)


def first_density(law: Law, grid: Grid, lam_ref: np.ndarray) -> np.ndarray:
    """The density at look 1, zero below :data:`FLOOR` × max (as every later look's)."""
    f = _bvn_pdf(grid.nodes(0, 0)[:, None], grid.nodes(0, 1)[None, :], law.cum[0] @ lam_ref, law.cum[0])
    f[f < FLOOR * f.max()] = 0.0
    return f


def _bvn_pdf(x: np.ndarray, y: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """The bivariate normal density at (x, y); ``mean`` (2, …) and ``cov`` (2, 2, …) may carry
    trailing axes that broadcast with x and y (one law per structure of a batch)."""
    sx, sy = np.sqrt(cov[0, 0]), np.sqrt(cov[1, 1])
    r = cov[0, 1] / (sx * sy)
    u, v = (x - mean[0]) / sx, (y - mean[1]) / sy
    q = (u * u - 2 * r * u * v + v * v) / (1 - r * r)
    return np.exp(-0.5 * q) / (2 * math.pi * sx * sy * np.sqrt(1 - r * r))


def transition(masses: list[np.ndarray], law: Law, grid: Grid, k: int, lam_ref: np.ndarray,
               kernel_width: float = KERNEL_WIDTH) -> list[np.ndarray]:
    """Densities at look k+1 on its grid from weighted densities (grid of look k): :func:`transition_many`
    of one structure."""
    if not masses:
        return []
    return list(transition_many(np.stack(masses)[None], [law], [grid], k, [lam_ref], kernel_width)[0])


def transition_many(stack: np.ndarray, laws: list[Law], grids: list[Grid], k: int, lams: list,
                    kernel_width: float = KERNEL_WIDTH, single: bool = False) -> np.ndarray:
    """(B, S, n_F, n_S) densities at look k+1 of S weighted densities (B, S, ·, ·) of each of B
    structures (law, grid and drift b; arrays padded with zeros beyond each grid's nodes), one
    FFT kernel per structure (the increment's density truncated at ``kernel_width`` SDs per
    axis, :func:`_kernels`), all transformed at once. Only each structure's non-zero block is
    convolved (moved to the stack's start); the FFT length per axis is the shortest fast length
    whose wrap-around leaves every structure's entries on look k+1's grid alone (80 × 80
    instead of 90 × 90 for the first step of PAOLA-1's 3-look plan: same numbers up to FFT
    round-off). Densities below :data:`FLOOR` × the structure's and state's maximum are set to
    0 (FFT round-off, module docstring). ``single``: the FFT in single precision (2–2.5× faster
    transforms; round-off ~1e-7 of the largest value, so :data:`FLOOR_SINGLE` — only for recursions
    never tilted: :func:`.own.sums_many`)."""
    b_n, s_n = stack.shape[:2]
    n_out = np.array([g.n[k + 1] for g in grids], dtype=int)          # (B, 2)
    out = np.zeros((b_n, s_n) + tuple(n_out.max(axis=0).tolist()))
    nz = [stack.any(axis=(1, 3)), stack.any(axis=(1, 2))]            # (B, n): rows, columns in use
    live = nz[0].any(axis=1)
    if not live.any():
        return out
    start = np.stack([x.argmax(axis=1) for x in nz], axis=1)
    end = np.stack([x.shape[1] - x[:, ::-1].argmax(axis=1) for x in nz], axis=1)
    n_in = (end - start)[live].max(axis=0)
    if b_n == 1:
        packed = stack[:, :, start[0, 0]:end[0, 0], start[0, 1]:end[0, 1]]
    else:
        packed = np.zeros((b_n, s_n) + tuple(n_in.tolist()))
        for b in np.flatnonzero(live).tolist():
            (r0, c0), (r1, c1) = start[b], end[b]
            packed[b, :, :r1 - r0, :c1 - c0] = stack[b, :, r0:r1, c0:c1]
    kern, low, size = _kernels(laws, grids, k, lams, start, kernel_width)
    first = np.maximum(0, low)
    last = np.minimum(n_out, n_in + size - 1 + low)       # the linear convolution's length: n_in + size − 1
    ok = live & (last > first).all(axis=1)
    if not ok.any():
        return out
    # circular length: only entries first − low … last − low − 1 are kept, so wrap-around may fold
    # the convolution's ends onto each other but not onto them (L ≥ last − low and
    # L ≥ valid − (first − low)); never shorter than either factor
    valid = n_in + np.array(kern.shape[1:]) - 1
    need = np.maximum(np.maximum(last - low, valid - (first - low)), np.maximum(n_in, kern.shape[1:]))[ok].max(axis=0)
    shape = [sfft.next_fast_len(int(x), real=True) for x in need]
    dt, floor = _precision(single)
    full = sfft.irfft2(sfft.rfft2(packed.astype(dt, copy=False), shape) * sfft.rfft2(kern.astype(dt, copy=False), shape)[:, None],
                       shape)
    lo, hi = (first - low).tolist(), (last - low).tolist()   # each structure's kept entries of its convolution
    first, last = first.tolist(), last.tolist()
    for b in np.flatnonzero(ok).tolist():
        block = full[b, :, lo[b][0]:hi[b][0], lo[b][1]:hi[b][1]]
        top = block.max(axis=(1, 2), keepdims=True)
        if block.shape[1:] != tuple(n_out[b]):
            np.maximum(top, 0.0, out=top)     # the zeros outside the block count in the maximum
        block[block < floor * top] = 0.0      # FFT round-off (see the module docstring)
        out[b, :, first[b][0]:last[b][0], first[b][1]:last[b][1]] = block
    return out


def _precision(single: bool) -> tuple[type, float]:
    """(dtype of a transition's FFT, its round-off floor): single precision with
    :data:`FLOOR_SINGLE`, or double with :data:`FLOOR`."""
    return (np.float32, FLOOR_SINGLE) if single else (np.float64, FLOOR)


def _kernels(laws: list[Law], grids: list[Grid], k: int, lams: list, start: np.ndarray,
             kernel_width: float) -> tuple:
    """(kernels (B, L_F, L_S), low (B, 2), size (B, 2)) of each structure's step from look k: the
    increment's density (:func:`_bvn_pdf`) at Δ(m) = off + m h for m = low … low + size − 1 (m = i' − i,
    i counted from the block's first node ``start``), truncated at ``kernel_width`` SDs (zero
    beyond a structure's own size)."""
    v = np.stack([law.inc[k + 1] for law in laws])                   # (B, 2, 2)
    mu = np.einsum("bij,bj->bi", v, np.asarray(lams, dtype=float).reshape(-1, 2))
    h = np.stack([g.h for g in grids]).astype(float)
    off = np.stack([g.x0[k + 1] - g.x0[k] for g in grids]) - start * h
    sd = np.sqrt(np.diagonal(v, axis1=1, axis2=2))
    low = np.floor((mu - kernel_width * sd - off) / h).astype(int)
    size = np.ceil((mu + kernel_width * sd - off) / h).astype(int) - low + 1
    length = size.max(axis=0)
    ax = [off[:, d, None] + h[:, d, None] * (low[:, d, None] + np.arange(length[d])) for d in range(2)]
    kern = _bvn_pdf(ax[0][:, :, None], ax[1][:, None, :], mu.T[:, :, None, None], v.transpose(1, 2, 0)[:, :, :, None, None])
    beyond = [np.arange(length[d]) >= size[:, d, None] for d in range(2)]
    if beyond[0].any() or beyond[1].any():
        kern[beyond[0][:, :, None] | beyond[1][:, None, :]] = 0.0
    return kern, low, size


def transition1_many(stack: np.ndarray, laws: list[Law], grids: list[Grid], k: int, d: int, lams: list,
                     kernel_width: float = KERNEL_WIDTH, single: bool = False) -> np.ndarray:
    """(B, S, n) densities at look k+1 of score d from S weighted 1-D densities (B, S, ·) of each of B
    structures (marginals, each on its own grid of look k, padded with zeros): Σ_i m_i φ(x'_i' − x_i;
    (V λ)_d, V_dd) — the marginal of the 2-D step (:func:`transition_many`) — by one FFT
    convolution of each structure's non-zero block with its increment's density (truncated at
    ``kernel_width`` SDs), densities below :data:`FLOOR` × the structure's and state's maximum set to 0
    (``single``: as :func:`transition_many`'s)."""
    b_n, s_n = stack.shape[:2]
    n_out = [int(g.n[k + 1, d]) for g in grids]
    out = np.zeros((b_n, s_n, max(n_out)))
    spans = []
    for m in stack.any(axis=1):
        nz = np.flatnonzero(m)
        spans.append((int(nz[0]), int(nz[-1]) + 1) if nz.size else None)
    if all(x is None for x in spans):
        return out
    n_in = max(e - a for a, e in (x for x in spans if x is not None))
    packed = np.zeros((b_n, s_n, n_in))
    kerns, keep, need = [], [], 0
    for b, (law, grid, lam, x) in enumerate(zip(laws, grids, lams, spans)):
        if x is None:
            kerns.append(np.zeros(1))
            keep.append(None)
            continue
        packed[b, :, :x[1] - x[0]] = stack[b, :, x[0]:x[1]]
        v = law.inc[k + 1]
        mu, sd, h = float((v @ lam)[d]), math.sqrt(v[d, d]), float(grid.h[d])
        off = float(grid.x0[k + 1, d] - grid.x0[k, d]) - x[0] * h    # Δ(j) = off + j h, j = i' − (i − a)
        lo = math.floor((mu - kernel_width * sd - off) / h)
        hi = math.ceil((mu + kernel_width * sd - off) / h)
        u = (off + h * np.arange(lo, hi + 1) - mu) / sd
        kerns.append(np.exp(-0.5 * u * u) / (sd * math.sqrt(2 * math.pi)))
        valid = n_in + u.size - 1
        first, last = max(0, lo), min(n_out[b], valid + lo)     # entry t of the convolution is node t + lo
        keep.append((first, last, lo) if last > first else None)
        if last > first:
            need = max(need, last - lo, valid - (first - lo), n_in, u.size)
    if all(x is None for x in keep):
        return out
    size = sfft.next_fast_len(need, real=True)
    kern = np.zeros((b_n, max(x.size for x in kerns)))
    for b, x in enumerate(kerns):
        kern[b, :x.size] = x
    dt, floor = _precision(single)
    full = sfft.irfft(sfft.rfft(packed.astype(dt, copy=False), size) * sfft.rfft(kern.astype(dt, copy=False), size)[:, None], size)
    for b, x in enumerate(keep):
        if x is not None:
            first, last, lo = x
            res = full[b, :, first - lo:last - lo]
            res[res < floor * res.max(axis=1, keepdims=True)] = 0.0
            out[b, :, first:last] = res
    return out


def tilt_factors(law: Law, grid: Grid, k: int, lam: np.ndarray, lam_ref: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(E_F (P, n_F), E_S (P, n_S)) with Σ_ij E_F[p,i] M_ij E_S[p,j] the tilted integral of M."""
    d_lam = lam - lam_ref                                    # (P, 2)
    c = law.cum[k]
    mean = c @ lam_ref
    const = -0.5 * np.einsum("pi,ij,pj->p", d_lam, c, d_lam)
    x_f, x_s = grid.all_nodes[k]
    e_f = np.exp(d_lam[:, :1] * (x_f[None, :] - mean[0]) + const[:, None])
    e_s = np.exp(d_lam[:, 1:] * (x_s[None, :] - mean[1]))
    return e_f, e_s


def trim(m: np.ndarray) -> tuple | None:
    """(row slice, column slice, block) of the non-zero part of ``m``; None when all zero."""
    nz = m != 0                 # once (``any`` would compare twice)
    rows = np.flatnonzero(nz.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(nz.any(axis=0))
    r, c = slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1)
    return r, c, np.ascontiguousarray(m[r, c])


def tilted_sums(mats: list, e_f: np.ndarray, e_s: np.ndarray) -> np.ndarray:
    """(len(mats), P): Σ_ij E_F[p,i] M_ij E_S[p,j] for every trimmed matrix M (:func:`trim`)."""
    out = np.zeros((len(mats), e_f.shape[0]))
    for i, t in enumerate(mats):
        if t is not None:
            r, c, m = t
            out[i] = np.einsum("pj,pj->p", e_f[:, r] @ m, e_s[:, c])
    return out


@lru_cache(maxsize=64)
def _cached_law(key: tuple, k: int) -> Law:
    arr = np.asarray(key)
    return Law(arr[: 2 * k].reshape(k, 2), arr[2 * k:].reshape(k, 2, 2))
