"""Sizes along a curve of the biomarker-stratified design under the look-wise law (heterogeneous strata).

Under the look-wise law (:func:`planner.survival_nph.lookwise_factors`: each look's drift is not
δ√t_k) the closed test's bounds on the plan's law move with N
(:meth:`planner.designs.sequential.StratifiedSequentialModel.lookwise_bounds`), so every N of a
root search is a new structure and a new 2-D grid recursion. Solving N at every point of a
200-point curve over prevalence (:func:`planner.piecewise.lookwise.solve_near`: a root search
whose every step evaluates all points, each step's claims interpolated along the curve) ran
~600 recursions with a three-look plan.

Here N is solved only at the points nearest to Chebyshev–Lobatto points of the curve's
chord-length parameter (:func:`.curve.nested`; features: the plan law's H0 correlations and
bounds, the look factors and the means per √N), by the secant method on
Φ⁻¹(power) against √N (:func:`planner.solve.solve_smooth`, all nodes of a level at once, each
node's claims from its own recursion), and interpolated in log N or 1/√N
(:func:`.sizing._first_scale`: accepted when the interpolants on all nodes and on every second
node agree within :data:`.sizing.N_TOL` in log N). A curve's N is then within the contract of
docs/group-sequential.md ("Speed of the curves") of the point-by-point solution; a single point
(the comparison's N) is not a curve and keeps its own root search, bit for bit.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

from . import curve as C
from .sizing import N_TOL, _first_scale


class _Nodes:
    """The model restricted to some of its points (flat indices ``at``): what
    :func:`planner.solve.solve_smooth` asks of a model."""

    def __init__(self, model, at: np.ndarray):
        self.model, self.at = model, np.asarray(at, dtype=int)
        self.size, self.shape = self.at.size, (self.at.size,)

    def feasible(self) -> np.ndarray:
        return self.model.feasible().reshape(-1)[self.at]

    def power(self, n, idx=slice(None)) -> np.ndarray:
        return self.model.claims(n, self.at[idx], own=True)[self.model.primary]   # each node at its own drift


def size_curve(model, target: float, allocation_ratio: float, guess: np.ndarray) -> np.ndarray | None:
    """Flat N of every point of ``model`` (a :class:`planner.designs.sequential.StratifiedSequentialModel`
    with look factors) from the plan law's N ``guess`` (flat); None when the points are not a
    smooth curve of :data:`.curve.MIN_GROUPS` or more distinct structures, a node has no N, or
    the estimate exceeds :data:`.sizing.N_TOL` at every level (module docstring)."""
    from ..solve import solve_smooth  # noqa: PLC0415

    g = np.asarray(guess, dtype=float).reshape(-1)
    if model.size < C.MIN_GROUPS or not (np.all(np.isfinite(g)) and np.all(g > 0)) or not model.feasible().all():
        return None
    joint = model.joint()
    bd = model.bounds()
    p, k = model.size, model.look_factors.shape[-1]
    tri = np.triu_indices(2 * k)
    corr = joint.corr0.reshape(p, 2 * k, 2 * k)[:, tri[0], tri[1]]
    bounds = np.concatenate([np.broadcast_to(getattr(bd, n), (p, k)) for n in ("a", "b", "c_f", "c_s")], axis=1)
    if not (np.isfinite(bounds) == np.isfinite(bounds[:1])).all():
        return None
    factors = np.broadcast_to(model.look_factors, model.shape + (2, k)).reshape(p, -1)
    mean = np.broadcast_to(joint.mean_per_sqrt_n, (p, 2 * k))
    feats = np.concatenate([corr, bounds[:, np.isfinite(bounds[0])], factors, mean], axis=1)
    if C.parameter(feats) is None:
        return None
    s = C.parameter(feats)[0]
    levels = [C._nodes(s, d) for d in C.LEVELS]
    done: dict[int, float] = {}
    zt = float(ndtri(target))

    def solved(node: int) -> dict:
        if node not in done:   # every node of the first level holding it, at once
            todo = np.array([int(i) for i in next(lv for lv in levels if node in lv) if int(i) not in done])
            root = np.sqrt(g[todo])
            if done:   # a finer level starts from the coarser level's interpolant (closer than the guess)
                known = np.array(sorted(done))
                root = np.exp(0.5 * (C.barycentric(s[known], s[todo]) @ np.array([done[i] for i in known])))
            n = solve_smooth(_Nodes(model, todo), target, allocation_ratio, root, (zt + 2.0) / root)
            done.update(zip(todo.tolist(), np.log(n).tolist(), strict=True))
        return {"n": np.array(done[node])}

    res = C.nested(feats, solved, _first_scale, N_TOL)
    if res is None or not np.all(np.isfinite(res["n"])):
        return None
    return np.asarray(res["n"], dtype=float).reshape(-1)
