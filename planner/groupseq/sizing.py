"""Sizes of the biomarker-stratified design with interim looks: N for a claim's target power.

A general root search over N (:func:`planner.solve.solve_points`) visits 5–7 lattice cells of
drifts, each a 2-D grid recursion (:mod:`.grid2d`). Here:

* **Points that are not a curve** (:func:`solve_size`; e.g. a grid over two inputs — the
  comparison's one point is solved since wave 10 by the secant of
  :func:`planner.piecewise.lookwise.solve_near` on recursions at its own drift,
  :meth:`planner.designs.sequential.StratifiedSequentialModel.solve_size`): every iterate is tilted
  from the one reference nearest to the drift at a guess (the fixed design's N × the plan's one-test inflation factor), on the part
  of the ray N ↦ λ₁√N within :data:`.grid2d.RADIUS` of it — about a factor 10 in N around the
  answer. When the root lies in another lattice cell it is solved again from that cell's
  reference, so the result is the root of the power as :func:`.stratified.claims_by_look`
  computes it (from the lattice reference of the answer's drift): the same number as the general
  search to its tolerance, with 1 recursion (2 when the guess's cell is not the answer's).
* **A curve** (:func:`solve_size_curve`, e.g. N over prevalence, every point its own
  correlation, bounds and drifts): N is solved exactly at the structures nearest to
  Chebyshev–Lobatto points of the curve's chord-length parameter (:mod:`.curve`) and log N (or
  1/√N, :data:`SCALES`, the first that passes) is interpolated barycentrically; accepted when the
  features (covariances, bounds, drifts per √N) are reproduced within :data:`.curve.FEATURE_TOL`
  and the interpolant on every second node agrees with the one on all nodes within :data:`N_TOL`
  in log N (else refined, else None: the caller solves point by point). Each node's root comes
  from one vectorized tilting call at sampled N (:func:`_sampled_root`, ~2 calls' cost instead of
  a scalar search's ~13), confirmed by a bracket of ±1e-9 in log N; a point not on a curve keeps
  the scalar search.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from . import curve as C
from . import grid2d as G
from . import procedure as P
from .rows import unique_rows
from .stratified import NAMES, ClosedBounds, _drift, _rule

Guess = Callable[[np.ndarray], np.ndarray]
N_TOL = 1e-4   # accepted estimate of the interpolation error of log N along a curve (0.01 % of N)


def _pinned_root(law: G.Law, lam1: np.ndarray, rule: P.Rule, claim: str, target: float,
                 node: tuple[int, int], lo: float, hi: float, fast: bool = False) -> float | None:
    """N in [lo, hi] where the claim's power (last look) is ``target``, every drift λ1·√N tilted
    from the one reference at lattice ``node``; None when the target is not crossed on the part of
    the ray within :data:`.grid2d.RADIUS` of that reference. ``fast`` (a curve's nodes): from one
    vectorized call at sampled points (:func:`_sampled_root`), else a scalar root search."""
    from scipy.optimize import brentq  # noqa: PLC0415

    w1 = lam1 @ G._whitener(law)
    wr = np.asarray(node, float) * G.SPACING
    a, b = float(w1 @ w1), float(w1 @ wr)
    c = float(wr @ wr) - (G.RADIUS * (1 - 1e-9)) ** 2
    disc = b * b - a * c
    if a <= 0 or disc <= 0:
        return None
    s_lo, s_hi = max((b - math.sqrt(disc)) / a, 0.0), (b + math.sqrt(disc)) / a
    x_lo, x_hi = math.log(max(s_lo * s_lo, lo)), math.log(min(s_hi * s_hi, hi))
    if not x_lo < x_hi:
        return None
    key = law.key()

    def f(x):
        lam = lam1[None, :] * np.exp(0.5 * np.atleast_1d(x))[:, None]
        return P.finish(P.sums_at(law, key, lam, rule, node, last_claims=True))[claim][:, -1] - target

    if fast:
        x = _sampled_root(f, x_lo, x_hi)
        if x is not None:
            return None if math.isnan(x) else math.exp(x)
    ends = f(np.array([x_lo, x_hi]))
    if not (ends[0] < 0 <= ends[1]):
        return None
    return math.exp(brentq(lambda x: float(f(x)[0]), x_lo, x_hi, xtol=1e-12, rtol=1e-13, maxiter=200))


SAMPLES = 24        # Chebyshev–Lobatto samples of a node's power over its part of the ray (one tilting call)
SAMPLE_XTOL = 1e-9  # half-width (in log N) of the bracket that confirms the sampled root


def _sampled_root(f, x_lo: float, x_hi: float) -> float | None:
    """Root of ``f`` (vectorized, increasing through 0) in [x_lo, x_hi] from one call at
    :data:`SAMPLES` Chebyshev–Lobatto points: the root of their barycentric interpolant,
    confirmed by a second call at x* ± :data:`SAMPLE_XTOL` that must bracket it, and refined by the
    secant through those two values (error ≪ 1e-12 in log N). NaN: the target is not crossed
    (f(x_lo) ≥ 0 or f(x_hi) < 0, as :func:`_pinned_root`'s None); None: not confirmed (the
    caller's root search decides)."""
    from scipy.optimize import brentq  # noqa: PLC0415

    from .curve import barycentric  # noqa: PLC0415

    x = (x_lo + x_hi) / 2 - (x_hi - x_lo) / 2 * np.cos(np.pi * np.arange(SAMPLES) / (SAMPLES - 1))
    x[0], x[-1] = x_lo, x_hi
    y = f(x)
    if not (y[0] < 0 <= y[-1]):
        return math.nan
    i = int(np.argmax(y >= 0))            # first sample at or above the target: root in [x[i-1], x[i]]
    inner = lambda u: float(barycentric(x, np.array([u]))[0] @ y)  # noqa: E731
    try:
        guess = brentq(inner, x[i - 1], x[i], xtol=1e-14)
    except ValueError:
        return None
    a, b = guess - SAMPLE_XTOL, guess + SAMPLE_XTOL
    fa, fb = f(np.array([a, b]))
    if not (fa < 0 <= fb) or not math.isfinite(fb - fa):
        return None
    return a - fa * (b - a) / (fb - fa)


def _flat(mean_per_sqrt_n, cov, bd: ClosedBounds):
    """Points flattened: means per √N (P, 2K), covariances (P, 2K, 2K), bounds (P, 6, K)."""
    mean = np.asarray(mean_per_sqrt_n, float)
    k = bd.a.shape[-1]
    lead = np.broadcast_shapes(mean.shape[:-1], np.shape(cov)[:-2], bd.a.shape[:-1])
    mean = np.broadcast_to(mean, lead + (2 * k,)).reshape(-1, 2 * k)
    cov = np.broadcast_to(np.asarray(cov, float), lead + (2 * k, 2 * k)).reshape(-1, 2 * k, 2 * k)
    bounds = np.stack([np.broadcast_to(np.full(k, -math.inf) if getattr(bd, n) is None else getattr(bd, n),
                                       lead + (k,)).reshape(-1, k) for n in NAMES], axis=1)
    return mean, cov, bounds, lead


def solve_size(mean_per_sqrt_n: np.ndarray, cov: np.ndarray, bd: ClosedBounds, claim: str, target: float,
               guess: Guess, lo: float, hi: float, stop_when: str = "both") -> np.ndarray:
    """N at which ``claim`` reaches ``target`` power by the last look, per point (module
    docstring; NaN: not found here, left to the general solver). Shape: the points'.
    ``guess(points)``: a rough N at those flat point indices (NaN: none)."""
    mean, cov, bounds, lead = _flat(mean_per_sqrt_n, cov, bd)
    g = np.asarray(guess(np.arange(mean.shape[0])), float)
    return _solve_points(mean, cov, bounds, g, claim, target, lo, hi, stop_when).reshape(lead)


def _solve_points(mean, cov, bounds, guess, claim, target, lo, hi, stop_when, fast: bool = False) -> np.ndarray:
    out = np.full(mean.shape[0], math.nan)
    for i in range(mean.shape[0]):
        if not (math.isfinite(guess[i]) and guess[i] > 0):
            continue
        law = G.law_from_cov(cov[i])
        lam1 = _drift(law, mean[i][None])[0]
        rule = _rule(bounds[i], stop_when)
        node = tuple(int(v) for v in G.lattice_index(law, lam1[None] * math.sqrt(guess[i]))[0])
        n = _pinned_root(law, lam1, rule, claim, target, node, lo, hi, fast)
        if n is None:
            continue
        again = tuple(int(v) for v in G.lattice_index(law, lam1[None] * math.sqrt(n))[0])
        if again != node:
            n2 = _pinned_root(law, lam1, rule, claim, target, again, lo, hi, fast)
            n = n if n2 is None else n2
        out[i] = n
    return out


def solve_size_curve(mean_per_sqrt_n: np.ndarray, cov: np.ndarray, bd: ClosedBounds, claim: str, target: float,
                     guess: Guess, lo: float, hi: float, stop_when: str = "both") -> np.ndarray | None:
    """:func:`solve_size` along a curve of structures, interpolated from nodes (module docstring);
    None when the points are not a smooth curve of :data:`.curve.MIN_GROUPS` or more structures,
    a node has no solution, or the error estimate exceeds :data:`N_TOL` at every level."""
    mean, cov, bounds, lead = _flat(mean_per_sqrt_n, cov, bd)
    p = mean.shape[0]
    flat_b = bounds.reshape(p, -1)
    keys = np.concatenate([cov.reshape(p, -1), np.nan_to_num(flat_b, posinf=1e30, neginf=-1e30), mean], axis=1)
    _, first, inverse = unique_rows(np.round(keys, 12))
    if first.size < C.MIN_GROUPS or not (np.isfinite(flat_b) == np.isfinite(flat_b[:1])).all():
        return None
    order = np.argsort(first)                  # structures in order of first appearance (the curve)
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    group, first = rank[inverse.ravel()], first[order]
    tri = np.triu_indices(cov.shape[-1])
    feats = np.concatenate([cov[first][:, tri[0], tri[1]], flat_b[first][:, np.isfinite(flat_b[0])], mean[first]], axis=1)

    def solved(g: int) -> dict:   # log N at node g (interpolated as N by _first_scale)
        i = first[[g]]
        n = _solve_points(mean[i], cov[i], bounds[i], np.asarray(guess(i), float), claim, target, lo, hi, stop_when, True)
        return {"n": np.log(n)[0]}

    res = C.nested(feats, solved, _first_scale, N_TOL, at=group)
    return None if res is None else res["n"].reshape(lead)


def _first_scale(c_fine, c_rough, fine_y, rough_y) -> tuple[float, np.ndarray]:
    """(estimate, N) in the first of :data:`SCALES` whose estimate (|log| of the ratio of the
    interpolants on all and on every second node) is ≤ :data:`N_TOL`; ∞ when a node has no N."""
    if not np.all(np.isfinite(fine_y)):
        return math.inf, fine_y
    est = math.inf
    for to, back in SCALES:   # log N, or 1/√N (∝ the drift: often closer to a polynomial)
        fine, rough = back(c_fine @ to(fine_y)), back(c_rough @ to(rough_y))
        est = float(np.abs(np.log(fine / rough)).max())
        if est <= N_TOL:
            return est, fine
    return est, fine


SCALES = ((lambda x: x, np.exp), (lambda x: np.exp(-0.5 * x), lambda v: v ** -2.0))   # log N -> scale -> N
