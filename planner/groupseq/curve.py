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
  order, fail at every degree; bounds interpolated in ρ₀ by a cubic spline, as over prevalence
  with three looks, are reproduced only at degree 24: that degree is then tried), and the
  outputs interpolated from every second node must agree with those from all nodes within
  :data:`TOL` — on the outputs asked for only (claim powers at the last look need fewer nodes
  than every look's stopping probabilities). That difference is essentially the error of the coarser
  interpolant; the finer one's is measured 10–100 times smaller when smooth, at most 4 times
  (measured ≤ 1.2e-6 against the direct computation over 200-point prevalence curves;
  tests/test_groupseq_curve.py checks 2e-5).
* Along the curve with the means (:func:`interpolate_along`): when every structure carries one
  set of means (a curve over prevalence or the B− effect at one size), the means join the
  features and each node is evaluated at its own drift only — one recursion per node; tried
  first by :mod:`.stratified` (estimate ≤ its ``ALONG_TOL``), else the drift-exact way above.
  Each output is interpolated as a probability or on the probit scale, whichever has the
  smaller estimate (a power curve over the B− effect: 13 nodes instead of 25).
* One node loop (:func:`nested`) serves :func:`interpolate`, :func:`interpolate_along` and the
  sizes along a curve (:func:`.sizing.solve_size_curve`); each gives its own way of combining
  the nodes' values.
* Cost: used only when fewer recursions are needed than directly — nodes × the lattice cells
  of all points' drifts < the cells of every structure (a root search whose points are still
  spread over many sizes is computed directly).
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


def nested(features: np.ndarray, evaluate: Callable[[int], dict], combine: Combine, tol: float,
           at: np.ndarray | None = None) -> dict | None:
    """The node loop shared by :func:`interpolate`, :func:`interpolate_along` and
    :func:`.sizing.solve_size_curve`: outputs at parameter values ``s[at]`` (default: every
    structure) from the structures nearest to Chebyshev–Lobatto points, degree by degree of
    :data:`LEVELS`, or None when a check fails (module docstring).

    ``evaluate(g)``: node g's outputs (name: array); ``combine(c_fine, c_rough, fine_y, rough_y)``:
    (error estimate, interpolant) of one output from the barycentric weights on all nodes and on
    every second node and the nodes' values stacked along a first axis; accepted when the largest
    estimate is ≤ ``tol``.
    """
    par = parameter(features)
    if par is None:
        return None
    s, f = par
    x = s if at is None else s[at]
    done: dict[int, dict] = {}
    for degree in LEVELS:
        nodes, coarse = _nodes(s, degree), _nodes(s, degree // 2)
        if min(nodes.size / (degree + 1), coarse.size / (degree // 2 + 1)) < MIN_DISTINCT or not np.isin(coarse, nodes).all():
            return None
        if np.abs(barycentric(s[nodes], s) @ f[nodes] - f).max() > FEATURE_TOL:
            continue   # the structures are not reproduced at this degree: perhaps at the next
        for g in nodes:
            if int(g) not in done:
                done[int(g)] = evaluate(int(g))
        c_fine, c_rough = barycentric(s[nodes], x), barycentric(s[coarse], x)
        est, out = 0.0, {}
        for name in done[int(nodes[0])]:
            at_nodes = lambda idx, name=name: np.stack([done[int(g)][name] for g in idx])  # noqa: E731
            e, out[name] = combine(c_fine, c_rough, at_nodes(nodes), at_nodes(coarse))
            est = max(est, e)
        if not math.isfinite(est):
            return None
        if est <= tol:
            return out
    return None


def _per_point(c_fine: np.ndarray, c_rough: np.ndarray, fine_y: np.ndarray, rough_y: np.ndarray) -> tuple[float, np.ndarray]:
    """Node values per point (n, P, …): point p's interpolant from every node's value at p."""
    fine = np.einsum("pn,np...->p...", c_fine, fine_y)
    rough = np.einsum("pn,np...->p...", c_rough, rough_y)
    return float(np.abs(fine - rough).max()), fine


def _best_scale(c_fine: np.ndarray, c_rough: np.ndarray, fine_y: np.ndarray, rough_y: np.ndarray) -> tuple[float, np.ndarray]:
    """One value per node (n, …): as a probability or on the probit scale, the smaller estimate."""
    return min((_on_scale(c_fine, c_rough, fine_y, rough_y, probit) for probit in (False, True)), key=lambda r: r[0])


def interpolate(features: np.ndarray, group: np.ndarray, evaluate: Callable[[int], dict]) -> dict | None:
    """Outputs at every point from a few structures, or None (then compute directly).

    ``features`` (G, F): the structures in curve order; ``group`` (P,): each point's structure;
    ``evaluate(g)``: the outputs (name: (P, …)) of every point's last-look means at structure g.
    """
    return nested(features, evaluate, _per_point, TOL, at=group)


def interpolate_along(features: np.ndarray, evaluate: Callable[[int], dict], tol: float = TOL) -> dict | None:
    """Outputs (name: (G, …)) of structures that each carry their own means (the means are part
    of ``features``), from a few nodes: ``evaluate(g)`` gives structure g's outputs at its own
    means — one lattice cell per node instead of one per cell of all points' drifts. Same
    nodes and checks as :func:`interpolate` (:func:`nested`); each output as a probability or
    on the probit scale; None when the checks fail (then :func:`interpolate`)."""
    return nested(features, evaluate, _best_scale, tol)


def _on_scale(c_fine: np.ndarray, c_rough: np.ndarray, fine_y: np.ndarray, rough_y: np.ndarray,
              probit: bool) -> tuple[float, np.ndarray]:
    """(estimate, interpolant) of probabilities interpolated as they are or on the probit scale
    (power curves are closer to polynomials there); the estimate on the probability scale."""
    if not probit:
        fine = np.einsum("pn,n...->p...", c_fine, fine_y)
        return float(np.abs(fine - np.einsum("pn,n...->p...", c_rough, rough_y)).max()), fine
    z = lambda y: ndtri(np.clip(y, PROBIT_CLIP, 1.0 - PROBIT_CLIP))  # noqa: E731
    fine = ndtr(np.einsum("pn,n...->p...", c_fine, z(fine_y)))
    rough = ndtr(np.einsum("pn,n...->p...", c_rough, z(rough_y)))
    return float(np.abs(fine - rough).max()), fine
