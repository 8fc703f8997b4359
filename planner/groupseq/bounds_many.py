"""Intersection bounds of many correlation structures solved together (:func:`intersection_bounds_many`).

A curve's first call solves the weighted parametric intersection bounds of the closed test
(:func:`.procedure.intersection_bounds`) at many structures: 19 ρ₀ nodes for a curve over
prevalence (:func:`.rho_bounds.interpolated`), 5 over the B− effect. Each solve is an H0
recursion on the fine grid (:data:`.procedure.NU_BOUNDS` points per SD) with secant steps per
look. Here the structures whose H0 grids are equal (the same information fractions: every ρ₀
node of a curve, unless the ridge refines one grid, :func:`.grid2d.make_grid`) run as one (a
structure alone on its grid: the one-structure solver, the batch's fixed cost per look being
higher than its savings):

* their densities are a (B, n_F, n_S) stack; each is moved look to look by its own FFT
  convolution (:func:`_step`: one stacked transform of all structures was ~1.3× slower per
  structure, the stack leaving the cache), the kernel's transform written down (Poisson
  summation) instead of computed from the sampled kernel — one FFT of three per step saved;
* the secant steps of every structure run in lock step (:func:`_secant_many`: the iterates of
  :func:`.procedure._secant`, the same starts, steps, tolerance and hand-over to Brent's method);
* an evaluation of the crossing probability costs O(B·n) plus the corner above both bounds: with
  R = H·1_S and Q = 1_F·H precomputed per look, the mass crossing at (a, b) is
  lost + (1_F − W_F(a))·R + Q·(1_S − W_S(b)) − (1_F − W_F(a))·H·(1_S − W_S(b)) — the terms of
  :func:`.procedure.intersection_bounds` (lost + (1_F − W_F)·H·1_S + W_F·H·(1_S − W_S)) regrouped;
* interval weights of all structures at once (:func:`_below_many`, by
  :func:`.grid2d.edge_weights_many`).

Only intersection tests without futility stops in their H0 integration (non-binding or no
futility: one density per structure, :func:`.procedure._survivors`' simple case); with binding
futility the caller solves each structure by :func:`.procedure.intersection_bounds`. Bounds
within 1.3e-12 (z) of the one-structure solver over the 100 structures of four examples' first
calls (tests/test_groupseq_bounds_many.py checks 1e-7 over 77 more, measured ≤ 1e-10).
"""

from __future__ import annotations

import math
import threading
from contextlib import contextmanager
from functools import partial

import numpy as np
import scipy.fft as sfft
from scipy.optimize import brentq
from scipy.special import ndtr, ndtri

from . import grid2d as G
from . import procedure as P

TOGETHER = 2   # structures of one grid solved together from this many (one alone: the one-structure solver, cheaper per look)


def _below_many(grid: G.Grid, k: int, d: int, u: np.ndarray) -> np.ndarray:
    """(m, n) weights of {S_d < u_i} at look k for each bound u_i (score units, ±∞ allowed): the
    grid's interval rule (:func:`.grid2d.edge_weights_many` between −∞ and the u_i in turn,
    cumulated; :meth:`.grid2d.Grid.edge_weights` to round-off)."""
    return np.cumsum(G.edge_weights_many([grid], k, d, [np.r_[-math.inf, np.asarray(u, float)]])[0], axis=0)


def _secant_many(f, lo: np.ndarray, hi: np.ndarray, start: np.ndarray, second: np.ndarray,
                 tol: float = P.SOLVE_TOL) -> np.ndarray:
    """Roots of the monotone functions ``f(x, j)`` (x (m′,) for structures j (m′,)), each on its
    [lo_j, hi_j] (NaN: none there): the secant iterations of :func:`.procedure._secant` for every
    structure in lock step — each evaluation one call for every structure still stepping. A
    structure whose step leaves its bracket, or that has not converged after
    :data:`.procedure.SECANT_STEPS` steps, goes to Brent's method on its bracket as there."""
    m = lo.size
    far = np.where(start == lo, hi, lo)
    f_prev = f(start, np.arange(m))
    root = np.where(f_prev == 0, start, math.nan)
    sign, near, other = f_prev > 0, start.copy(), np.full(m, math.nan)
    x, x_prev = second.copy(), start.copy()
    live, brent = f_prev != 0, np.zeros(m, bool)
    for _ in range(P.SECANT_STEPS):
        j = np.flatnonzero(live)
        if not j.size:
            break
        fx = f(x[j], j)
        hit = fx == 0
        root[j[hit]] = x[j[hit]]
        same = (fx > 0) == sign[j]
        near[j[same & ~hit]] = x[j[same & ~hit]]
        other[j[~same & ~hit]] = x[j[~same & ~hit]]
        with np.errstate(divide="ignore", invalid="ignore"):
            new = np.where(fx != f_prev[j], x[j] - fx * (x[j] - x_prev[j]) / (fx - f_prev[j]), math.nan)
        edge = np.where(np.isnan(other[j]), far[j], other[j])
        inside = (np.minimum(near[j], edge) < new) & (new < np.maximum(near[j], edge)) & ~hit
        done = inside & (np.abs(new - x[j]) < tol)
        root[j[done]] = new[done]
        brent[j[~inside & ~hit]] = True
        go = inside & ~done
        live[j[~go]] = False
        x_prev[j[go]], f_prev[j[go]], x[j[go]] = x[j[go]], fx[go], new[go]
    todo = np.flatnonzero(brent | live)
    seen = todo[np.isnan(other[todo])]                 # no sign change seen: the far ends, all at once
    if seen.size:
        f_far = f(far[seen], seen)
        change = (f_far == 0) | ((f_far > 0) != sign[seen])
        other[seen[change]] = far[seen[change]]
    for i in todo[~np.isnan(other[todo])]:
        g = lambda y, i=i: float(f(np.array([y]), np.array([i]))[0])  # noqa: E731
        root[i] = brentq(g, min(near[i], other[i]), max(near[i], other[i]), xtol=1e-12)
    return root


def intersection_bounds_many(laws: list[G.Law], a: np.ndarray, b: np.ndarray, target: np.ndarray,
                             looks: list) -> tuple[np.ndarray, np.ndarray]:
    """:func:`.procedure.intersection_bounds` of B structures (``laws``; ``a``, ``b``, ``target``
    (B, K)) without futility stops in the intersection test, those with equal H0 grids run together
    (module docstring). ``looks[k]`` is None (keep every structure's bounds at look k) or
    ``(on, lo, hi, bounds, start, second)``: arrays (B,) — ``on`` the structures whose look-k
    unknown is solved, in [lo, hi] from the secant's first two points ``start`` (an end of the
    range) and ``second`` — and ``bounds(x, i) -> (a_k, b_k)`` for unknowns x of structures i
    (arrays (m,)); :func:`parametric_looks`."""
    a, b = np.array(a, float), np.array(b, float)
    none = (-math.inf,) * a.shape[1]
    grids = [P._bounds_grid(law, a[i], b[i], none, none) for i, law in enumerate(laws)]
    groups: dict = {}
    for i, (law, grid) in enumerate(zip(laws, grids)):
        key = (grid.x0.tobytes(), grid.n.tobytes(), grid.h.tobytes(), law.scale.tobytes())
        groups.setdefault(key, []).append(i)
    for idx in groups.values():
        if len(idx) < TOGETHER:
            for i in idx:
                a[i], b[i] = P.intersection_bounds(laws[i], a[i], b[i], target[i], partial(one_of, looks, i), none, none)
        else:
            idx = np.array(idx)
            a[idx], b[idx] = _group([laws[i] for i in idx], grids[idx[0]], a[idx], b[idx], np.asarray(target)[idx], looks, idx)
    return a, b


def parametric_looks(a: np.ndarray, b: np.ndarray, target: np.ndarray, split_given: bool) -> list:
    """Each look's unknown of the weighted parametric intersection test (Anderson et al. 2022) for
    B structures with Bonferroni bounds ``a``, ``b`` and cumulative ``target`` (B, K), as
    :func:`intersection_bounds_many` takes them: the common factor ξ ≥ 1 inflating both nominal
    levels (bounds Φ⁻¹(1 − ξ p), secant from ξ = 1 and 1.001), or with a given split the subgroup
    bound alone in [−4, b_k] (from b_k down). A look spending nothing (or with no bound) keeps its
    bounds."""
    pa, pb = ndtr(-a), ndtr(-b)
    step = np.diff(np.c_[np.zeros(len(a)), target], axis=1)

    def to_z(p):
        with np.errstate(divide="ignore"):
            return np.where(p > 0, -ndtri(np.minimum(p, 0.5)), math.inf)

    def look(k):
        on = (step[:, k] > 1e-15) & ~((pa[:, k] == 0) & (pb[:, k] == 0))
        with np.errstate(divide="ignore", invalid="ignore"):
            if split_given:   # lower the subgroup bound only (the fixed design's Spiessens–Debois split)
                bk = b[:, k]
                return (on & np.isfinite(bk), np.full(len(a), -4.0), bk, lambda x, i: (a[i, k], x), bk,
                        bk - 1e-3 * np.minimum(1.0, bk + 4.0))
            hi = 0.5 / np.maximum(pa[:, k], pb[:, k])
            one = np.ones(len(a))
            return (on, one, hi, lambda xi, i: (to_z(xi * pa[i, k]), to_z(xi * pb[i, k])), one,
                    1.0 + 1e-3 * np.minimum(1.0, hi - 1.0))

    return [look(k) for k in range(a.shape[1])]


def one_of(looks: list, i: int, k: int):
    """``solve_at(k)`` of :func:`.procedure.intersection_bounds` for structure i of ``looks`` alone."""
    if looks[k] is None or not looks[k][0][i]:
        return None
    on, lo, hi, bounds, start, second = looks[k]
    one = np.array([i])
    return lo[i], hi[i], lambda x: tuple(v[0] for v in bounds(np.array([x]), one)), start[i], second[i]


class Unsolved(Exception):
    """Raised by :func:`taken` while :func:`presolved` looks which keys a cache lacks (an exception
    is not cached)."""


_PROBE = threading.local()   # .on: presolved is probing the cache
_SOLVED: dict = {}           # bounds solved together, each taken by its cached function's call


@contextmanager
def presolved(keys: list, cached, solve):
    """Within the block, the (a, b) that ``solve(missing)`` ((B, K) arrays) returns for the distinct
    keys that ``cached(*key)`` (an lru_cache'd function calling :func:`taken`) lacks wait for
    :func:`taken` to hand them over, one call each: the cache is filled as one by one."""
    missing = []
    _PROBE.on = True
    try:
        for key in dict.fromkeys(keys):
            try:
                cached(*key)
            except Unsolved:
                missing.append(key)
    finally:
        _PROBE.on = False
    if missing:
        a, b = solve(missing)
        _SOLVED.update((key, (a[i], b[i])) for i, key in enumerate(missing))
    try:
        yield
    finally:
        for key in missing:
            _SOLVED.pop(key, None)


def taken(key: tuple) -> tuple | None:
    """The bounds :func:`presolved` holds for ``key`` (None: none; raises :class:`Unsolved` while
    it probes)."""
    solved = _SOLVED.pop(key, None)
    if solved is None and getattr(_PROBE, "on", False):
        raise Unsolved
    return solved


def _group(laws: list[G.Law], grid: G.Grid, a: np.ndarray, b: np.ndarray, target: np.ndarray, looks: list,
           idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`intersection_bounds_many` of structures sharing one grid (``idx``: their indices in
    the caller's ``looks``)."""
    m, k_max = a.shape
    h = np.stack([G.first_density(law, grid, np.zeros(2)) for law in laws])
    rho = [float(law.cum[0, 0, 1] / math.sqrt(law.cum[0, 0, 0] * law.cum[0, 1, 1])) for law in laws]
    spent, carried = np.zeros(m), np.zeros(m)
    for k in range(k_max):
        sc = laws[0].scale[k]
        crossed = _crossing(grid, k, sc, h, 0.0 if k == 0 else carried)
        if k == 0:
            tiny = [j for j in range(m) if target[j, 0] < P.TINY_SPEND]
            if tiny:
                crossed = _tiny_first(crossed, tiny, rho)
        look = looks[k]
        if look is not None:
            on, lo, hi, bounds, start, second = look
            sel = np.flatnonzero(on[idx])
            if sel.size:
                g = idx[sel]

                def f(x, j, sel=sel, g=g, bounds=bounds, crossed=crossed, base=spent[sel] - target[sel, k]):
                    return base[j] + crossed(*bounds(x, g[j]), sel[j])

                root = _secant_many(f, lo[g], hi[g], start[g], second[g])
                ok = ~np.isnan(root)
                if ok.any():
                    a[sel[ok], k], b[sel[ok], k] = bounds(root[ok], g[ok])
        spent += crossed(a[:, k], b[:, k], np.arange(m))
        if k == k_max - 1:
            break
        h = h * _below_many(grid, k, 0, a[:, k] * sc[0])[:, :, None]
        h *= _below_many(grid, k, 1, b[:, k] * sc[1])[:, None, :]
        carried = h.sum(axis=(1, 2))
        h = _step(h, laws, grid, k)
    return a, b


def _crossing(grid: G.Grid, k: int, sc: np.ndarray, h: np.ndarray, carried):
    """``crossed(a_k, b_k, j) -> (m′,)``: P₀(crossed by look k) of structures j at z bounds a_k,
    b_k (arrays (m′,), ∞: none) — the mass carried into look k above the grid's cut plus the mass
    on the grid above either bound (module docstring)."""
    all_f, all_s = _below_many(grid, k, 0, [math.inf])[0], _below_many(grid, k, 1, [math.inf])[0]
    r_f, q_s = h @ all_s, all_f @ h                          # (m, n_F), (m, n_S)
    lost = carried - r_f @ all_f if k else np.zeros(h.shape[0])

    def crossed(ak, bk, j):
        d_f = all_f - _below_many(grid, k, 0, np.asarray(ak, float) * sc[0])
        d_s = all_s - _below_many(grid, k, 1, np.asarray(bk, float) * sc[1])
        out = lost[j] + np.einsum("ji,ji->j", d_f, r_f[j]) + np.einsum("ji,ji->j", q_s[j], d_s)
        rows, cols = np.flatnonzero(d_f.any(axis=0)), np.flatnonzero(d_s.any(axis=0))
        if rows.size and cols.size:
            i0, c0 = rows[0], cols[0]
            out -= np.einsum("ji,jic,jc->j", d_f[:, i0:], h[j, i0:, c0:], d_s[:, c0:])
        return out

    return crossed


def _tiny_first(crossed, tiny: list, rho: list):
    """``crossed`` with the structures ``tiny`` (a first look spending < :data:`.procedure.TINY_SPEND`)
    evaluated by :func:`.procedure._first_look_crossing` instead of on the grid."""
    tiny = set(tiny)

    def out(ak, bk, j):
        ak, bk = np.broadcast_to(np.asarray(ak, float), j.shape), np.broadcast_to(np.asarray(bk, float), j.shape)
        res = crossed(ak, bk, j)
        for r, i in enumerate(j):
            if int(i) in tiny:
                res[r] = P._first_look_crossing(rho[i], float(ak[r]), float(bk[r]))
        return res

    return out


def _geometry(grid: G.Grid, k: int, d: int, start: int, n_in: int, sd: float) -> tuple | None:
    """Axis d of the step from look k (block of ``n_in`` nodes from node ``start``): (kernel's first
    displacement lo in cells, kept output nodes [first, last), FFT length, offset c of displacement
    lo) as :func:`.grid2d._kernel` lays them out for a kernel of ±:data:`.grid2d.WIDTH` SDs; None
    when nothing lands on look k+1's grid."""
    h, n_out = float(grid.h[d]), int(grid.n[k + 1, d])
    off = float(grid.x0[k + 1, d] - grid.x0[k, d]) - start * h
    lo = math.floor((-G.WIDTH * sd - off) / h)
    size = math.ceil((G.WIDTH * sd - off) / h) - lo + 1
    valid = n_in + size - 1
    first, last = max(0, lo), min(n_out, valid + lo)
    if last <= first:
        return None
    need = max(last - lo, valid - (first - lo), n_in, size)
    return lo, first, last, sfft.next_fast_len(need, real=True), off + lo * h


def _step(g: np.ndarray, laws: list[G.Law], grid: G.Grid, k: int) -> np.ndarray:
    """(m, n_F′, n_S′) H0 densities at look k+1 from the weighted densities ``g`` (m, n_F, n_S) at
    look k of structures sharing ``grid``: :func:`.grid2d.transition_many`'s FFT convolution at zero
    drift, the same block, output nodes and FFT lengths, but with the kernel's transform written
    down instead of computed. By Poisson summation the DFT of the increment's density sampled at
    c + m h (m = 0, 1, …; period L) is (1/(h_F h_S)) e^{i(θ_F c_F/h_F + θ_S c_S/h_S)} e^{−½ ξᵀVξ},
    ξ = (θ_F/h_F, θ_S/h_S), θ the DFT's angular frequencies in (−π, π]: exact up to the aliases
    (e^{−½(2π·NU_BOUNDS)²·(1−ρ)}, nil) and to the tails beyond ±WIDTH SDs that the sampled kernel
    truncates (~1e-13 of the mass). One FFT fewer per structure and step, no kernel to sample."""
    m = g.shape[0]
    n_out = (int(grid.n[k + 1, 0]), int(grid.n[k + 1, 1]))
    out = np.zeros((m,) + n_out)
    rows, cols = np.flatnonzero(g.any(axis=(0, 2))), np.flatnonzero(g.any(axis=(0, 1)))
    if not rows.size:
        return out
    v = np.stack([law.inc[k + 1] for law in laws])                  # (m, 2, 2)
    geo = [_geometry(grid, k, d, int(ix[0]), int(ix[-1] - ix[0] + 1), math.sqrt(v[0, d, d])) for d, ix in enumerate((rows, cols))]
    if geo[0] is None or geo[1] is None:
        return out
    (lo_f, first_f, last_f, l_f, c_f), (lo_s, first_s, last_s, l_s, c_s) = geo
    xi_f = 2 * np.pi * np.fft.fftfreq(l_f) / grid.h[0]
    xi_s = 2 * np.pi * np.fft.rfftfreq(l_s) / grid.h[1]
    phase = np.outer(np.exp(1j * xi_f * c_f), np.exp(1j * xi_s * c_s)) / (grid.h[0] * grid.h[1])
    quad = -0.5 * (v[0, 0, 0] * xi_f * xi_f)[:, None] - 0.5 * v[0, 1, 1] * xi_s * xi_s    # the variances: the group's
    cross = np.multiply.outer(xi_f, xi_s)
    kern = np.empty_like(cross)
    block = g[:, rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    for b in range(m):
        np.multiply(cross, -v[b, 0, 1], out=kern)
        kern += quad
        np.exp(kern, out=kern)
        spec = np.fft.rfft2(block[b], (l_f, l_s))
        spec *= phase
        spec *= kern
        spec = np.fft.ifft(spec, axis=0)[first_f - lo_f:last_f - lo_f]
        kept = np.fft.irfft(spec, l_s, axis=1)[:, first_s - lo_s:last_s - lo_s]     # the kept rows' inverse only
        top = max(float(kept.max()), 0.0) if kept.shape != n_out else float(kept.max())
        kept[kept < G.FLOOR * top] = 0.0
        out[b, first_f:last_f, first_s:last_s] = kept
    return out
