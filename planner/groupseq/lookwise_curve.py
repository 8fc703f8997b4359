"""Sizes along a curve of the biomarker-stratified design (under the look-wise law and the plan's).

Under the look-wise law (:func:`planner.survival_nph.lookwise_factors`: each look's drift is not
δ√t_k) the closed test's bounds on the plan's law move with N
(:meth:`planner.designs.sequential.StratifiedSequentialModel.lookwise_bounds`), so every N of a
root search is a new structure and a new 2-D grid recursion. Solving N at every point of a
200-point curve over prevalence (:func:`planner.piecewise.lookwise.solve_near`: a root search
whose every step evaluates all points, each step's claims interpolated along the curve) ran
~600 recursions with a three-look plan.

Here N is solved only at the points nearest to Chebyshev–Lobatto points of the curve's
chord-length parameter (:func:`.curve.nested`; features: the plan law's H0 correlations and
bounds, the look-wise and the plan's means per √N), by the secant method on
Φ⁻¹(power) against √N (:func:`planner.solve.solve_smooth`, all nodes of a level at once, each
node's claims from its own recursion; it stops after a step below :data:`NODE_STEP_TOL` — the
nodes of a quarter of the first level's degree from the rough guess (~3 recursions a node), the
others from the interpolant of the nodes solved before, N and the secant's slope (wave 8: the first
Newton step with that slope stops below :data:`HINTED_STEP_TOL`: 1 recursion), and interpolated in
log N or 1/√N (:func:`.sizing._first_scale`: accepted when the interpolants on all nodes and on
every second node agree within :data:`.sizing.N_TOL` in log N, or — wave 8 — the interpolant on all
nodes agrees with its Chebyshev series without the last :data:`.curve.TAIL_DROP` coefficients
within :data:`N_TAIL_TOL`: 13 nodes where 25 were needed). A curve's N is then within the contract of
docs/group-sequential.md ("Speed of the curves") of the point-by-point solution; a single point
(the comparison's N) is not a curve and keeps its own root search, bit for bit.

The plan's law (homogeneous strata, continuous and binary endpoints) is the case of look factors
1: the same nodes and secant (wave 7; it was :func:`.sizing.solve_size_curve`, a root search on
tilted lattice references, which stays the fallback). N over prevalence of CHANCE, HER2 and cystic
fibrosis with a 3-look plan: 516–653 → 137–175 ms CPU; every unrounded N within 0.05 patients of
the point-by-point solution at all 200 points (contract 0.5: tests/test_groupseq_curve_contract.py,
tests/test_groupseq_plan_size_curve.py).
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

from . import curve as C
from .sizing import N_TOL, _first_scale
from .stratified import NAMES, ClosedBounds, claim_probabilities

#: the secant at a node stops after a step below this (relative, in √N; also its first, Newton step from
#: the start with the slope (z_β + 2)/√N): the error of the returned iterate is ≪ the step (superlinear
#: secant; a first step's ≤ the slope's relative error × the step, ~5 %) — measured ≤ 0.010 patients
#: against the point-by-point N (contract 0.5; the former 1e-7 needed ~3.2 recursions a node instead of ~2.1)
NODE_STEP_TOL = 1e-4
#: the first (Newton) step at a node whose start and slope (× √N) are interpolated from the nodes solved
#: before ("_r", "_q" hints: :func:`.curve._evaluate`) stops below this (relative, in √N): its error is the
#: step × the hinted slope's relative error, ≪ the rough slope's 5 % (wave 8: 457 → 417 recursions over
#: the 13 examples' N over prevalence, every node's N within 1e-5 relative of its exact root)
HINTED_STEP_TOL = 1e-3
#: a level whose estimate exceeds :data:`.sizing.N_TOL` is accepted when the interpolant on all nodes
#: agrees with its Chebyshev series without the last :data:`.curve.TAIL_DROP` coefficients within
#: this, in log N (the fine interpolant's own error; measured on the 13 examples: true error ≤ 7.7e-6 in
#: log N, ≤ 2.5 × this estimate; docs "Wave 8, fewer nodes")
N_TAIL_TOL = 3e-5


class _Nodes:
    """The model restricted to some of its points (flat indices ``at``): what
    :func:`planner.solve.solve_smooth` asks of a model. The claims are the model's
    (:meth:`planner.designs.sequential.StratifiedSequentialModel.claims`, own drift) on the curve's
    bounds ``bd`` (all points; over prevalence interpolated in ρ₀, within 1e-5 of direct solution:
    :func:`.stratified.bounds_for`) instead of the bounds of each root-search step's nodes, which
    were solved anew at every node's ρ₀ (a closed-test bound solve per node on a first call)."""

    def __init__(self, model, at: np.ndarray, bd: ClosedBounds):
        self.model, self.at, self.bd = model, np.asarray(at, dtype=int), bd
        self.size, self.shape = self.at.size, (self.at.size,)

    def feasible(self) -> np.ndarray:
        return self.model.feasible().reshape(-1)[self.at]

    def power(self, n, idx=slice(None)) -> np.ndarray:
        at = self.at[idx]
        joint = self.model.joint(at)
        bd = ClosedBounds(*(None if getattr(self.bd, f) is None else np.asarray(getattr(self.bd, f))[at] for f in NAMES))
        mean = joint.mean_per_sqrt_n * np.sqrt(np.asarray(n, dtype=float))[:, None]
        bd = self.model.lookwise_bounds(bd, mean, at)
        return claim_probabilities(mean, joint.cov1, bd, own=True)[self.model.primary]   # each node at its own drift


def size_curve(model, target: float, allocation_ratio: float, guess: np.ndarray) -> np.ndarray | None:
    """Flat N of every point of ``model`` (a :class:`planner.designs.sequential.StratifiedSequentialModel`,
    with look factors or on the plan's law) from the plan law's N ``guess`` (flat); None when the points are not a
    smooth curve of :data:`.curve.MIN_GROUPS` or more distinct structures, a node has no N, or
    the estimate exceeds :data:`.sizing.N_TOL` at every level (module docstring)."""
    from ..solve import solve_smooth  # noqa: PLC0415

    g = np.asarray(guess, dtype=float).reshape(-1)
    if model.size < C.MIN_GROUPS or not (np.all(np.isfinite(g)) and np.all(g > 0)) or not model.feasible().all():
        return None
    joint = model.joint()
    bd = model.bounds()
    p, k = model.size, np.shape(model.plan.information_rates)[0]
    tri = np.triu_indices(2 * k)
    corr = joint.corr0.reshape(p, 2 * k, 2 * k)[:, tri[0], tri[1]]
    bounds = np.concatenate([np.broadcast_to(getattr(bd, n), (p, k)) for n in ("a", "b", "c_f", "c_s")], axis=1)
    if not (np.isfinite(bounds) == np.isfinite(bounds[:1])).all():
        return None
    lf = np.ones((2, k)) if model.look_factors is None else model.look_factors   # the plan's law: factors 1
    factors = np.broadcast_to(lf, model.shape + (2, k)).reshape(p, 2, k)
    mean = np.broadcast_to(joint.mean_per_sqrt_n, (p, 2 * k))
    drifts = np.concatenate([factors[:, 0] * mean[:, 0::2], factors[:, 1] * mean[:, 1::2]], axis=1)
    # the look-wise means per √N (factor × plan mean), not the factors: a factor has a pole where a
    # final drift crosses 0 (e.g. the overall effect of a qualitative interaction), their product not
    feats = np.concatenate([corr, bounds[:, np.isfinite(bounds[0])], drifts, mean], axis=1)
    zt = float(ndtri(target))

    def solved(nodes: np.ndarray, hint: dict) -> list:   # log N of several nodes at once; hints "_r", "_q"
        root = np.sqrt(g[nodes])
        if "_r" in hint:   # later nodes start from the interpolant of the nodes solved before (N / guess is smooth)
            root = np.where(np.isfinite(hint["_r"]), root * np.exp(0.5 * hint["_r"]), root)
        slope, tol = (zt + 2.0) / root, np.full(nodes.size, NODE_STEP_TOL)
        if "_q" in hint:   # and with their slope (× √N, smooth): its first step accepted within HINTED_STEP_TOL
            known = np.isfinite(hint["_q"])
            slope = np.where(known, np.exp(hint["_q"]) / root, slope)
            tol = np.where(known, HINTED_STEP_TOL, tol)
        last = np.full(nodes.size, np.nan)
        n = solve_smooth(_Nodes(model, nodes, bd), target, allocation_ratio, root, slope, step_tol=NODE_STEP_TOL,
                         first=True, first_tol=tol, slope_out=last)
        q = np.log(np.where(last > 0, last, np.nan) * np.sqrt(n))
        return [{"n": np.array(v), "_r": np.array(v - w), "_q": np.array(k)}
                for v, w, k in zip(np.log(n).tolist(), np.log(g[nodes]).tolist(), q.tolist(), strict=True)]

    res = C.nested(feats, None, _first_scale, N_TOL, many=solved, tail=N_TAIL_TOL)
    if res is None or not np.all(np.isfinite(res["n"])):
        return None
    return np.asarray(res["n"], dtype=float).reshape(-1)
