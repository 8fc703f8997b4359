"""Claims along a curve of correlation structures: interpolation in the curve's parameter.

A curve over prevalence (or any input that changes the correlations) gives every point its own
covariance and bounds, so the 2-D grid recursion of :mod:`.grid2d` would run once per point.
Here the claims are computed exactly at a few *node* structures and interpolated in between:

* Parameter. The distinct structures (covariance and bounds) in order of first appearance are
  the curve; its parameter s is the cumulative chord length of their features (covariance
  entries and finite z bounds).
* Drift. The claim probability of a point at another structure is taken at the same last-look
  means (E Z_F,K, E Z_S,K) (earlier looks follow that structure's information), so it is a
  smooth function of (s, means) and only s is interpolated: each node evaluates every point's
  means by exponential tilting (:mod:`.grid2d`), exact in the drift.
* Nodes. The structures nearest to Chebyshev–Lobatto points in s, barycentric interpolation
  (Berrut & Trefethen, SIAM Rev 2004;46:501–17), nested: degree 12 (13 nodes; the degree-6
  interpolant on every second node is the error estimate), refined to degree 24 when needed.
  Two Chebyshev points may share their nearest structure where the curve's points are sparse
  (a power curve over geometrically spaced N, near its end): the distinct ones are the nodes
  (at least :data:`MIN_DISTINCT` of the points; the error estimate decides as always).
* Checks, each falling back to the direct computation (one recursion per structure): the
  features themselves must be reproduced by the same interpolation within :data:`FEATURE_TOL`
  (the structures do lie on one smooth curve: a grid over two inputs, or points in random
  order, fail at every degree; features that are not reproduced at degree 12 may be at 24:
  that degree is then tried; a curve through a kink is split first, see "Kinks"), and the
  outputs interpolated from every second node must agree with those from all nodes within
  :data:`TOL` — on the outputs asked for only (claim powers at the last look need fewer nodes
  than every look's stopping probabilities). That difference is essentially the error of the coarser
  interpolant; the finer one's is measured 10–100 times smaller when smooth, at most 4 times
  (measured ≤ 1.2e-6 against the direct computation over 200-point prevalence curves;
  tests/test_groupseq_curve.py checks 2e-5).
* Along the curve with the means (:func:`interpolate_along`): when every structure carries one
  set of means (a curve over prevalence or the B− effect at one size), the means join the
  features and each node is evaluated at its own drift only — one recursion per node; tried
  first by :mod:`.stratified_along` (estimate ≤ its ``ALONG_TOL``), else the drift-exact way above.
  Each output is interpolated as a probability or on the probit scale, whichever has the
  smaller estimate (a power curve over the B− effect: 13 nodes instead of 25).
* Kinks (:func:`nested`): a curve whose features are not reproduced at degree 12 is split where
  their slopes jump most (:func:`_kink`) — the clamp of the parametric test's inflation factor at
  1, below which the intersection bounds are Bonferroni's, constant in ρ₀
  (:func:`.rho_bounds.clamped_spline`; PAOLA-1 with 3 looks, prevalence < 0.145) — and each
  piece is interpolated alone when its features pass: degree ∝ its share of the chord length
  (:data:`SEGMENT_DEGREES`: 4–12, then doubled), a piece of fewer than :data:`MIN_PIECE`
  structures computed at each of them. Measured on that curve: 5 + 13 nodes instead of 25,
  claims within 3.3e-6 of the direct computation (1.09e-4 before, the bounds splined through
  the kink).
* Adaptive pieces (:func:`nested`'s ``budget``; wave 7): a curve that fails its checks at its
  last degree is not given up but split (as chebfun splits; at its parameter's midpoint until
  wave 8, now where half of the failed round's estimate lies, within [:data:`SPLIT_CLIP`,
  1 − :data:`SPLIT_CLIP`] of its chord length: :func:`_where`), each
  side tried at :data:`SPLIT_LEVELS` (6, 12, 24; a side of fewer than :data:`MIN_PIECE` structures
  computed at each of them), recursively, until every piece passes — or None as soon as more
  than ``budget`` nodes would be evaluated after a split (the caller's next way's cost; the
  curve's own degrees are tried whatever the budget). Node values are reused: a piece's
  Chebyshev point takes a structure evaluated before the split when it lies within :data:`SNAP`
  of the gap to the neighbouring points (:func:`_snapped`). Before splitting, a failed
  curve is checked once more, on the nodes at hand, on the refined scales too (the probability,
  the probit and the half-probit Φ(Φ⁻¹(p)/2), :func:`_refine_scale`: flat where a saturated
  claim's probit is clipped at :data:`PROBIT_CLIP`, a kink on the probit scale, and half as
  steep as a probability where a claim's probit is linear); split pieces use them too. A curve
  (or a kink's piece) whose estimate at its first degree exceeds :data:`SPLIT_EARLY` × tol is
  split at once, not refined to degree 24 first (wave 7's "power over N": a power curve over N
  saturating at 1 over half its range, 34 nodes instead of 43). A curve that passes at its first
  degree, or at degree 24 after an estimate within that bound, has the same nodes, scales and
  results as without a budget.
  Used by :mod:`.stratified_along` on structures with corr(Z_F,K, Z_S,K) ≤ its ``RHO_ALONG``
  (0.95, the range validated). Measured (3 looks, 200 points; tests/test_groupseq_curve_adaptive.py):
  power over the B− effect of ALK and PD-L1 TPS 69 and 49 recursions instead of 116 and 174 (the
  claims' sharp transition where Z_F's mean crosses the bounds), IPASS's claims over prevalence 31
  instead of 230 (the whole curve on the half-probit scale after the cut at its first
  structures), within 1.8e-5 of the direct computation.
* The fine interpolant's tail (wave 8, :func:`nested`'s ``tail``): the estimate above is that of the
  interpolant on every second node, 10–500 times the error of the one on all nodes. A level that
  fails it is accepted when the interpolant on all nodes agrees with its own Chebyshev series
  without its last :data:`TAIL_DROP` coefficients within :data:`TAIL_TOL` (the claims along the
  curve) or :data:`.lookwise_curve.N_TAIL_TOL` (N over a curve), on the whole curve or a kink's
  piece (not a piece of an adaptive split: :data:`TAIL_TOL`): 13 nodes instead of 25 where the
  coarse interpolant is the limit (IPASS over the B− effect, CO17 and TPS over N, most N over
  prevalence; docs "Wave 8, fewer nodes").
* One node loop (:func:`nested`) serves :func:`interpolate`, :func:`interpolate_along` and the
  sizes along a curve (:func:`.sizing.solve_size_curve`); each gives its own way of combining
  the nodes' values.
* Cost: used only when fewer recursions are needed than directly — nodes × the lattice cells
  of all points' drifts < the cells of every structure (a root search whose points are still
  spread over many sizes is computed directly); where that gate refuses but every structure
  carries one set of means, along the curve with adaptive pieces whose nodes are the direct
  path's own recursions (cached: a failed try costs it nothing), within half its structures
  (:func:`.stratified_along.along_curve`: CHANCE's binary power over the B− effect, 137 → 16).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy.special import ndtr, ndtri

MIN_GROUPS = 24        # distinct structures from which a curve is interpolated
LEVELS = (12, 24)      # Chebyshev–Lobatto degrees tried (13, then 25 nodes; half of each is the coarse set)
TOL = 1e-4             # accepted estimate: |interpolant − interpolant on every second node|
PROBIT_CLIP = 1e-15    # probabilities clipped to [PROBIT_CLIP, 1 − PROBIT_CLIP] before the probit
FEATURE_TOL = 1e-5     # the features (covariances, z bounds) must be interpolated this well
TAIL_DROP = 4          # Chebyshev coefficients dropped for the tail estimate (:func:`nested`'s ``tail``)
#: the along-curve claims (:func:`interpolate_along`): a level whose estimate exceeds ``tol`` is accepted
#: when its interpolant on all nodes agrees with its own Chebyshev series without the last
#: :data:`TAIL_DROP` coefficients within this (an estimate of the error of the interpolant on all nodes,
#: not of the one on every second node) — not on the pieces of an adaptive split, whose nodes are
#: perturbed Chebyshev points (:data:`SNAP`): there it was 8 times below the true error (ALK over the
#: app's B− range, 3.6e-5). Validated (wave 8, docs "Wave 8, fewer nodes"): over the 75 checks of the 13
#: examples' curves the true error ≤ 1.9 × this estimate or ≤ 1e-6 (the nodes' own noise); every curve
#: of tests/test_groupseq_curve_nodes.py within 1.1e-5 of the direct computation
TAIL_TOL = 1e-5
MIN_DISTINCT = 0.9     # share of a degree's Chebyshev points that must have distinct nearest structures


def parameter(features: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(chord-length parameter in [−1, 1], features) of structures (G, F) in curve order; None
    when degenerate (two consecutive structures alike)."""
    f = np.asarray(features, float)
    s = np.r_[0.0, np.cumsum(np.linalg.norm(np.diff(f, axis=0), axis=1))]
    if s[-1] <= 0 or np.any(np.diff(s) <= 0):
        return None
    return 2 * s / s[-1] - 1, f


def _nodes(s: np.ndarray, degree: int) -> np.ndarray:
    """Indices of the structures nearest to the Chebyshev–Lobatto points of ``degree``."""
    x = np.cos(np.pi * np.arange(degree + 1) / degree)[::-1]
    return np.unique(np.abs(s[None, :] - x[:, None]).argmin(axis=1))


def barycentric(x_nodes: np.ndarray, x: np.ndarray) -> np.ndarray:
    """(m, n) weights of the polynomial interpolant through x_nodes (n,) at x (m,)."""
    diff = x_nodes[:, None] - x_nodes[None, :]
    np.fill_diagonal(diff, 1.0)
    w = 1.0 / diff.prod(axis=1)
    d = x[:, None] - x_nodes[None, :]
    exact = d == 0
    d[exact] = 1.0
    c = w[None, :] / d
    hit = exact.any(axis=1)
    c[hit] = exact[hit].astype(float)
    return c / c.sum(axis=1, keepdims=True)


Combine = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], tuple[float, np.ndarray]]
Many = Callable[[np.ndarray, dict], list]
SEGMENT_DEGREES = (4, 12)   # a piece of a split curve: degree ∝ its share of the chord length, within these
MIN_PIECE = 7               # a side of a split with fewer structures has each of them as a node


def nested(features: np.ndarray, evaluate: Callable[[int], dict], combine: Combine, tol: float,
           at: np.ndarray | None = None, many: Many | None = None, pointwise: bool = False,
           budget: int | None = None, refine: Combine | None = None, staged: bool = True,
           tail: float | None = None) -> dict | None:
    """The node loop shared by :func:`interpolate`, :func:`interpolate_along` and
    :func:`.sizing.solve_size_curve`: outputs at parameter values ``s[at]`` (default: every
    structure) from the structures nearest to Chebyshev–Lobatto points, degree by degree of
    :data:`LEVELS`, or None when a check fails (module docstring).

    ``evaluate(g)``: node g's outputs (name: array); ``combine(c_fine, c_rough, fine_y, rough_y)``:
    (error estimate, interpolant) of one output from the barycentric weights on all nodes and on
    every second node and the nodes' values stacked along a first axis; accepted when the largest
    estimate is ≤ ``tol``. ``many(nodes, hint)``: the outputs of several nodes at once (a list),
    ``hint`` (name: array over ``nodes``) the interpolant of each scalar output from the nodes
    already evaluated on the node's piece (NaN: none yet). ``pointwise``: a node's outputs have
    one row per point of ``at`` (:func:`interpolate`). ``staged`` (with ``many``): a round's new
    nodes in three calls with hints (:func:`_evaluate`), else in one, without.

    A curve whose features are not reproduced at the first degree is split where their slope
    jumps (:func:`_kink`: the clamp of an inflation factor, the bounds Bonferroni's on one side)
    when each piece's features are reproduced at its own first degree (:data:`SEGMENT_DEGREES`):
    each piece is then interpolated alone, its nodes evaluated together.

    ``budget`` (adaptive pieces): a piece that fails its checks at its last degree (features not
    reproduced, too few distinct nodes, or an estimate above ``tol``) is split (:func:`_split`: where
    half of its estimate lies) instead of giving up, each side tried at :data:`SPLIT_LEVELS` (a side of fewer than
    :data:`MIN_PIECE` structures: each of them), recursively — None as soon as more than
    ``budget`` nodes would be evaluated after a split (the curve's own degrees are tried whatever
    the budget, as without one); a piece not yet split whose estimate exceeds
    :data:`SPLIT_EARLY` × ``tol`` is split before its last degree. Without it (None) a failed
    piece gives None: the results of a curve that passes without splitting (at its last degree:
    after estimates within that bound) are the same either way.

    ``tail``: a round whose estimate exceeds ``tol`` passes when the interpolant on all its nodes
    agrees with its Chebyshev series without the last :data:`TAIL_DROP` coefficients within
    ``tail`` (:func:`_truncated`, on the same scales; module docstring) — a piece of the curve or
    of a kink, not one of an adaptive split (:data:`TAIL_TOL`).
    """
    par = parameter(features)
    if par is None:
        return None
    s, f = par
    at = np.arange(s.size) if at is None else np.asarray(at)
    pieces = _pieces(f)
    if pieces is None:
        return None
    done: dict[int, dict] = {}
    out: dict[str, np.ndarray] = {}
    todo = [(lo, hi, sp, list(levels)) for lo, hi, sp, levels in pieces]
    refine = combine if refine is None else refine
    split: set[tuple[int, int]] = set()   # pieces made by an adaptive split (interpolated with ``refine``)
    while todo:
        rounds = []
        while todo:
            lo, hi, sp, levels = todo.pop(0)
            known = np.array(sorted(g - lo for g in done if lo <= g < hi), dtype=int) if (lo, hi) in split else None
            rd = _advance(f, lo, hi, sp, levels, known)
            if rd is None:
                if budget is None:
                    return None
                todo[:0] = _split(s, lo, hi)
                split.update((a, b) for a, b, *_ in todo[:2])
                continue
            rounds.append(rd)
        if budget is not None and split and len(done) + len({int(g) + r[0] for r in rounds for g in r[4]} - done.keys()) > budget:
            return None
        _evaluate(done, rounds, evaluate, many, staged, s)
        for rd in rounds:
            lo, hi, sp, levels = rd[:4]
            sel = np.flatnonzero((at >= lo) & (at < hi))
            est, res = _check(done, rd, at, sel, combine if (lo, hi) not in split else refine, pointwise)
            if not math.isfinite(est) and budget is None:
                return None
            if not est <= tol and not levels and budget is not None and (lo, hi) not in split and refine is not combine:
                est, res = _check(done, rd, at, sel, refine, pointwise)   # the nodes at hand on the refined scales first
            ok = est <= tol
            if not ok and tail is not None and math.isfinite(est) and len(rd[4]) > TAIL_DROP + 2 and (lo, hi) not in split:
                t_est, t_res = _check(done, rd, at, sel, combine if (lo, hi) not in split else refine, pointwise, drop=TAIL_DROP)
                if t_est <= tail:   # the fine interpolant's own tail is small (:data:`TAIL_TOL`)
                    ok, res = True, t_res
            if not ok:
                if levels and not (budget is not None and (lo, hi) not in split and est > SPLIT_EARLY * tol):
                    todo.append((lo, hi, sp, levels))
                elif budget is None:
                    return None
                else:
                    todo.extend(_split(s, lo, hi, _where(done, rd, at, sel)))
                    split.update((a, b) for a, b, *_ in todo[-2:])
                continue
            for name, v in res.items():
                out.setdefault(name, np.empty((at.size,) + v.shape[1:], v.dtype))[sel] = v
    return out


def _check(done: dict, rd: tuple, at: np.ndarray, sel: np.ndarray, combine: Combine, pointwise: bool,
           drop: int = 0) -> tuple[float, dict]:
    """(largest estimate, interpolants) of every output of one piece's round at the points ``at[sel]``.
    ``drop`` > 0: the estimate against the fine interpolant's Chebyshev series without its last
    ``drop`` coefficients (:func:`_truncated`) instead of the interpolant on every second node."""
    lo, sp, nodes, coarse = rd[0], rd[2], rd[4], rd[5]
    x = sp[at[sel] - lo]
    c_fine = barycentric(sp[nodes], x)
    if drop:
        coarse, c_rough = nodes, _truncated(sp[nodes], x, drop)
    else:
        c_rough = barycentric(sp[coarse], x)
    est, res = 0.0, {}
    for name in (n for n in done[int(nodes[0]) + lo] if not n.startswith("_")):   # "_x": a hint only
        def at_nodes(idx, name=name):
            y = np.stack([done[int(g) + lo][name] for g in idx])
            return y[:, sel] if pointwise and sel.size < at.size else y
        e, res[name] = combine(c_fine, c_rough, at_nodes(nodes), at_nodes(coarse))
        est = max(est, e)
    return est, res


def _truncated(x_nodes: np.ndarray, x: np.ndarray, drop: int) -> np.ndarray:
    """(m, n) weights of the interpolant through x_nodes (n,) with its last ``drop`` Chebyshev
    coefficients dropped (degree n − 1 − drop), at x (m,)."""
    n = x_nodes.size
    coef = np.linalg.solve(np.polynomial.chebyshev.chebvander(x_nodes, n - 1), np.eye(n))
    return np.polynomial.chebyshev.chebvander(x, n - 1 - drop) @ coef[: n - drop]


SPLIT_LEVELS = (6, 12, 24)   # degrees tried on each side of an adaptive split (:func:`nested`'s ``budget``)
#: with a budget, a curve (or a kink's piece) whose estimate at its first degree exceeds this × tol is
#: split at once instead of refined to its next degree. Measured on 130 curves of the examples (2 and 3
#: looks; power over N, over the B− effect, the claims over prevalence, in the benchmark's and the
#: app's ranges): those that pass whole at degree 24 had ≤ 47 × tol at degree 12 (PRIMA over the app's
#: B− range), power over N under the look-wise law ≥ 85 × tol (IPASS) and fails at degree 24
SPLIT_EARLY = 80.0


def _advance(f: np.ndarray, lo: int, hi: int, sp: np.ndarray, levels: list, known: np.ndarray | None = None) -> tuple | None:
    """The next round of a piece: (lo, hi, sp, levels left, nodes, coarse, quarter) at the first
    degree left whose features are reproduced, or None (no degree left, or too few distinct nodes).
    ``known`` (a piece of an adaptive split): its structures evaluated already, taken as nodes
    where near enough (:func:`_snapped`)."""
    while levels:
        degree = levels.pop(0)
        if degree is None:   # a piece of a few structures: every one is a node (exact)
            every = np.arange(hi - lo)
            return lo, hi, sp, levels, every, every, every
        if known is None:
            nodes, coarse = _nodes(sp, degree), _nodes(sp, degree // 2)
        else:
            near = _snapped(sp, degree, known)
            nodes, coarse = np.unique(near), np.unique(near[::2])
        if min(nodes.size / (degree + 1), coarse.size / (degree // 2 + 1)) < MIN_DISTINCT or not np.isin(coarse, nodes).all():
            return None
        if np.abs(barycentric(sp[nodes], sp) @ f[lo:hi][nodes] - f[lo:hi]).max() <= FEATURE_TOL:
            return lo, hi, sp, levels, nodes, coarse, _nodes(sp, degree // 4)
    return None


#: an evaluated structure within this share of the gap to the next Chebyshev point replaces the nearest
#: (< 0.5: two points never take the same one; wave 8: 0.25 → 0.45, 24 fewer recursions over the 13
#: examples' curves, every claim within 3.7e-6 of the direct computation as before; docs "Wave 8, fewer nodes")
SNAP = 0.45


def _snapped(sp: np.ndarray, degree: int, known: np.ndarray) -> np.ndarray:
    """(degree + 1,) the structure of each Chebyshev–Lobatto point of ``degree``: the nearest, or
    the nearest of the ``known`` ones (evaluated before the split) within :data:`SNAP` of the gap to
    its neighbouring points (a slightly perturbed Chebyshev set; the checks decide as always)."""
    x = np.cos(np.pi * np.arange(degree + 1) / degree)[::-1]
    near = np.abs(sp[None, :] - x[:, None]).argmin(axis=1)
    if known.size:
        gap = np.diff(x)
        room = SNAP * np.minimum(np.r_[gap[0], gap], np.r_[gap, gap[-1]])
        dist = np.abs(sp[known][None, :] - x[:, None])
        j = dist.argmin(axis=1)
        ok = dist[np.arange(x.size), j] <= room
        near[ok] = known[j[ok]]
    return near


def _every_node(lo: int, hi: int) -> tuple:
    """A piece of fewer than :data:`MIN_PIECE` structures, each of them a node (degree None)."""
    return lo, hi, np.linspace(-1.0, 1.0, hi - lo) if hi - lo > 1 else np.zeros(1), [None]


def _where(done: dict, rd: tuple, at: np.ndarray, sel: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(the points' parameter in the piece, at each the largest |interpolant on all nodes −
    interpolant on every second node| over the outputs' values, as they are) of a failed round; None
    when not finite or zero (:func:`_split` then splits at the midpoint)."""
    lo, sp, nodes, coarse = rd[0], rd[2], rd[4], rd[5]
    x = sp[at[sel] - lo]
    c_fine, c_rough = barycentric(sp[nodes], x), barycentric(sp[coarse], x)
    err = np.zeros(x.size)
    for name in (n for n in done[int(nodes[0]) + lo] if not n.startswith("_")):
        fine_y = np.stack([done[int(g) + lo][name] for g in nodes]).reshape(nodes.size, -1)
        rough_y = np.stack([done[int(g) + lo][name] for g in coarse]).reshape(coarse.size, -1)
        err = np.maximum(err, np.abs(c_fine @ fine_y - c_rough @ rough_y).max(axis=1))
    return (x, err) if np.all(np.isfinite(err)) and err.sum() > 0 else None


#: an adaptive split of a failed round (:func:`_split`) lies where half of its error estimate's sum over
#: the points is reached, within [SPLIT_CLIP, 1 − SPLIT_CLIP] of the piece's chord length (wave 8:
#: a power curve over N, whose claims change where N is small and saturate beyond, is split at 0.3
#: instead of 0.5: 24–31 recursions instead of 34–43; docs "Wave 8, fewer nodes")
SPLIT_CLIP = 0.3


def _split(s: np.ndarray, lo: int, hi: int, where: tuple | None = None) -> list:
    """The two sides of piece [lo, hi) at its parameter's midpoint — or, with ``where`` (:func:`_where`
    of its failed round), where half of the estimate's sum is reached (within :data:`SPLIT_CLIP`) —,
    each with its parameter in [−1, 1] and :data:`SPLIT_LEVELS` (fewer than :data:`MIN_PIECE`
    structures: each of them)."""
    frac = 0.5
    if where is not None:
        x, err = where
        order = np.argsort(x)
        half = np.searchsorted(np.cumsum(err[order]), 0.5 * err.sum())
        frac = float(np.clip((x[order][min(half, x.size - 1)] + 1) / 2, SPLIT_CLIP, 1 - SPLIT_CLIP))
    mid = int(np.clip(lo + np.searchsorted(s[lo:hi], s[lo] + frac * (s[hi - 1] - s[lo])), lo + 1, hi - 1))
    out = []
    for a, b in ((lo, mid), (mid, hi)):
        if b - a < MIN_PIECE:
            out.append(_every_node(a, b))
        else:
            out.append((a, b, 2 * (s[a:b] - s[a]) / (s[b - 1] - s[a]) - 1, list(SPLIT_LEVELS)))
    return out


def _pieces(f: np.ndarray) -> list | None:
    """[(first, end, parameter, degrees)]: the whole curve, or its two sides of a kink (:func:`nested`)."""
    s = parameter(f)[0]
    whole = [(0, s.size, s, list(LEVELS))]
    nodes = _nodes(s, LEVELS[0])
    if np.abs(barycentric(s[nodes], s) @ f[nodes] - f).max() <= FEATURE_TOL:
        return whole
    cut = _kink(s, f)
    if cut is None:
        return whole
    out = []
    for lo, hi in ((0, cut), (cut, s.size)):
        if hi - lo < MIN_PIECE:
            out.append(_every_node(lo, hi))
            continue
        par = parameter(f[lo:hi])
        if par is None:
            return whole
        share = (s[hi - 1] - s[lo]) / 2
        d = int(np.clip(2 * math.ceil(LEVELS[0] / 2 * share), *SEGMENT_DEGREES))
        sp = par[0]
        nodes = _nodes(sp, d)
        if np.abs(barycentric(sp[nodes], sp) @ f[lo:hi][nodes] - f[lo:hi]).max() > FEATURE_TOL:
            return whole
        out.append((lo, hi, sp, [d, min(2 * d, LEVELS[-1])]))
    return out


def _kink(s: np.ndarray, f: np.ndarray) -> int | None:
    """First structure of the second piece when the curve is split where the features' slopes in
    s jump most (relative to each feature's largest slope), or None. Only a candidate: the
    pieces' own checks decide (a piece of fewer than :data:`MIN_PIECE` structures is computed
    at each of them)."""
    if s.size < 2 * MIN_PIECE:
        return None
    d = np.diff(f, axis=0) / np.diff(s)[:, None]
    scale = np.abs(d).max(axis=0)
    use = scale > 0
    if not use.any():
        return None
    jump = (np.abs(np.diff(d[:, use], axis=0)) / scale[use]).max(axis=1)   # at structures 1 … G−2
    c = int(np.argmax(jump)) + 1
    before = jump[c - 2] if c >= 2 else 0.0
    after = jump[c] if c < jump.size else 0.0
    cut = c + 1 if after >= before else c   # the kink lies in [c, c+1] or in [c−1, c]
    return cut if 1 <= cut <= s.size - 1 else None


def _evaluate(done: dict, rounds: list, evaluate, many, staged: bool = True, s: np.ndarray | None = None) -> None:
    """Evaluate the new nodes of every piece's round (global indices). With ``many``: together,
    in three stages — the nodes of the largest piece's Chebyshev points of a quarter of its degree,
    then of half of each piece's degree (and the other pieces' quarter), then the others, each with
    the hint of the nodes evaluated before on its piece (a root search at a curve's nodes then
    needs ~3, ~1 and ~1 steps; a piece without any, e.g. a kink's short side: those of the whole
    curve ``s``, the global parameter, extrapolated) — or, not ``staged``, in one call without
    hints (recursions batched: :func:`.own.run_own_many`)."""
    if many is None:
        for lo, _, _, _, nodes, *_ in rounds:
            for g in nodes:
                if int(g) + lo not in done:
                    done[int(g) + lo] = evaluate(int(g) + lo)
        return
    if not staged:
        idx = list(dict.fromkeys(int(g) + lo for lo, _, _, _, nodes, *_ in rounds for g in nodes if int(g) + lo not in done))
        if idx:
            done.update(zip(idx, many(np.array(idx, dtype=int), {}), strict=True))
        return
    main = max(range(len(rounds)), key=lambda i: rounds[i][1] - rounds[i][0])
    for stage in range(3):
        idx = np.array([int(g) + rd[0] for i, rd in enumerate(rounds) for g in rd[4] if int(g) + rd[0] not in done
                        and (stage == 2 or (stage == 0 and i == main and g in rd[6]) or (stage == 1 and (g in rd[5] or g in rd[6])))],
                       dtype=int)
        if idx.size == 0:
            continue
        hint: dict[str, np.ndarray] = {}
        for lo, hi, sp, *_ in rounds:
            mine = np.flatnonzero((idx >= lo) & (idx < hi))
            known = np.array([g for g in done if lo <= g < hi], dtype=int)
            if mine.size == 0 or (known.size == 0 and s is None):
                continue
            if known.size:
                w = barycentric(sp[known - lo], sp[idx[mine] - lo])
            else:   # no node of its own yet: from the nodes of the whole curve
                known = np.array(sorted(done), dtype=int)
                if known.size == 0:
                    continue
                w = barycentric(s[known], s[idx[mine]])
            for name, v in done[int(known[0])].items():
                if np.ndim(v) == 0:
                    hint.setdefault(name, np.full(idx.size, math.nan))[mine] = w @ np.array([done[int(g)][name] for g in known])
        done.update(zip(idx.tolist(), many(idx, hint), strict=True))


def _per_point(c_fine: np.ndarray, c_rough: np.ndarray, fine_y: np.ndarray, rough_y: np.ndarray) -> tuple[float, np.ndarray]:
    """Node values per point (n, P, …): point p's interpolant from every node's value at p."""
    fine = np.einsum("pn,np...->p...", c_fine, fine_y)
    rough = np.einsum("pn,np...->p...", c_rough, rough_y)
    return float(np.abs(fine - rough).max()), fine


def _best_scale(c_fine: np.ndarray, c_rough: np.ndarray, fine_y: np.ndarray, rough_y: np.ndarray) -> tuple[float, np.ndarray]:
    """One value per node (n, …): as a probability or on the probit scale, the smaller estimate."""
    return _least(c_fine, c_rough, fine_y, rough_y, ((False, 1.0), (True, 1.0)))


def _least(c_fine, c_rough, fine_y, rough_y, scales: tuple) -> tuple[float, np.ndarray]:
    """:func:`_on_scale`'s (estimate, interpolant) on the ``scales`` (probit, squeeze) with the
    smallest estimate (the first on ties)."""
    return min((_on_scale(c_fine, c_rough, fine_y, rough_y, probit, squeeze) for probit, squeeze in scales), key=lambda r: r[0])


def interpolate(features: np.ndarray, group: np.ndarray, evaluate: Callable[[int], dict]) -> dict | None:
    """Outputs at every point from a few structures, or None (then compute directly).

    ``features`` (G, F): the structures in curve order; ``group`` (P,): each point's structure;
    ``evaluate(g)``: the outputs (name: (P, …)) of every point's last-look means at structure g.
    """
    return nested(features, evaluate, _per_point, TOL, at=group, pointwise=True)


def interpolate_along(features: np.ndarray, evaluate: Callable[[int], dict], tol: float = TOL,
                      budget: int | None = None, refine: Combine | None = None, many: Many | None = None) -> dict | None:
    """Outputs (name: (G, …)) of structures that each carry their own means (the means are part
    of ``features``), from a few nodes: ``evaluate(g)`` gives structure g's outputs at its own
    means — one lattice cell per node instead of one per cell of all points' drifts. Same
    nodes and checks as :func:`interpolate` (:func:`nested`); each output as a probability or
    on the probit scale (pieces of an adaptive split, ``budget``: also on the half-probit scale,
    :func:`_refine_scale`); None when the checks fail (then :func:`interpolate`). ``many``: the
    outputs of a round's nodes at once (:func:`nested`, not staged)."""
    return nested(features, evaluate, _best_scale, tol, budget=budget, refine=_refine_scale, many=many, staged=False,
                  tail=TAIL_TOL)


def _refine_scale(c_fine: np.ndarray, c_rough: np.ndarray, fine_y: np.ndarray, rough_y: np.ndarray) -> tuple[float, np.ndarray]:
    """:func:`_best_scale` with the half-probit scale too (:func:`_on_scale`'s ``squeeze``)."""
    return _least(c_fine, c_rough, fine_y, rough_y, ((False, 1.0), (True, 1.0), (True, 2.0)))


def _on_scale(c_fine: np.ndarray, c_rough: np.ndarray, fine_y: np.ndarray, rough_y: np.ndarray,
              probit: bool, squeeze: float = 1.0) -> tuple[float, np.ndarray]:
    """(estimate, interpolant) of probabilities interpolated as they are or on the probit scale
    (power curves are closer to polynomials there); the estimate on the probability scale.

    ``squeeze`` > 1: on the scale Φ(Φ⁻¹(p)/squeeze) instead of the probit's, as flat as a
    probability where the probit is clipped (:data:`PROBIT_CLIP`: a kink where a claim saturates
    at 1) and squeeze times less steep than a probability where a claim's probit is linear."""
    if not probit:
        fine = np.einsum("pn,n...->p...", c_fine, fine_y)
        return float(np.abs(fine - np.einsum("pn,n...->p...", c_rough, rough_y)).max()), fine
    z = lambda y: ndtri(np.clip(y, PROBIT_CLIP, 1.0 - PROBIT_CLIP))  # noqa: E731
    if squeeze == 1.0:
        fine = ndtr(np.einsum("pn,n...->p...", c_fine, z(fine_y)))
        rough = ndtr(np.einsum("pn,n...->p...", c_rough, z(rough_y)))
    else:
        back = lambda t: ndtr(squeeze * ndtri(np.clip(t, 0.0, 1.0)))  # noqa: E731
        fine = back(np.einsum("pn,n...->p...", c_fine, ndtr(z(fine_y) / squeeze)))
        rough = back(np.einsum("pn,n...->p...", c_rough, ndtr(z(rough_y) / squeeze)))
    return float(np.abs(fine - rough).max()), fine
