"""Bounds of the parametric closed test over a range of ρ₀, interpolated (a curve over prevalence).

A curve whose points have more than :data:`.stratified.INTERPOLATE_ABOVE` distinct ρ₀
(:func:`.stratified.bounds_for`, proportional form) has its intersection bounds solved at
:data:`RHO_NODES` Chebyshev nodes of its ρ₀ range (fewer, at least 3, on a range narrower than
:data:`RHO_SPAN`: the same spacing or finer — a curve over the B− effect spans ~0.06, 5 solves
instead of 19), together (:func:`.stratified.closed_bounds_many`), and interpolated per look by a
cubic spline that respects the clamp of the inflation factor at 1 (:func:`clamped_spline`):
within 1.1e-6 of direct solution for 2 and 3 looks on ρ₀ ∈ [0.3, 0.9] (docs/group-sequential.md).
The elementary bounds do not depend on ρ₀. Each fit is made once per nodes and values
(:func:`clamped_fit`), so a curve's redraw only evaluates it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache

import numpy as np

from .plan import InterimPlan
from .stratified import ClosedBounds, closed_bounds, closed_bounds_many, joint_from_fixed

RHO_NODES = 17           # interior Chebyshev nodes of a ρ₀ range RHO_SPAN wide or wider
RHO_SPAN = 0.6           # a narrower range has proportionally fewer (at least 3): never a wider spacing


def interpolated(rho: np.ndarray, uniq: np.ndarray, t: np.ndarray, plan: InterimPlan, alpha: float,
                 alpha_split: float | None, lead: tuple) -> ClosedBounds:
    """The parametric closed test's bounds at the ρ₀ ``rho`` (flat; ``uniq`` its distinct values, ``t``
    the information fractions, ``lead`` the points' shape) from their solution at :data:`RHO_NODES`
    Chebyshev nodes of the range (:func:`.stratified.closed_bounds_many`), each look's intersection
    bounds by :func:`clamped_spline` (module docstring)."""
    lo, hi = float(uniq[0]), float(uniq[-1])
    m = min(RHO_NODES, max(3, math.ceil(RHO_NODES * (hi - lo) / RHO_SPAN)))
    nodes = (lo + hi) / 2 + (hi - lo) / 2 * np.cos(np.pi * (np.arange(m) + 0.5) / m)[::-1]
    nodes = np.r_[lo, nodes, hi]
    joint = joint_from_fixed(0.0, 0.0, 1.0, 1.0, nodes, nodes, t)
    k = len(t)
    at_nodes = closed_bounds_many(plan, alpha, "spiessens_debois", alpha_split, joint.corr0, np.tile(t, (m + 2, 1)), np.tile(t, (m + 2, 1)))
    bonferroni = closed_bounds(plan, alpha, "bonferroni", alpha_split, joint.corr0[0], t, t)
    out = {}
    for name in ("a", "b"):
        vals = np.stack([getattr(o, name) for o in at_nodes])      # (nodes, K)
        col = np.empty((rho.size, k))
        for j in range(k):
            col[:, j] = clamped_spline(nodes, vals[:, j], float(getattr(bonferroni, name)[j]), rho)
        out[name] = col.reshape(lead + (k,))
    c_f = np.broadcast_to(at_nodes[0].c_f, lead + (k,))
    return ClosedBounds(out["a"], out["b"], c_f, np.broadcast_to(at_nodes[0].c_s, lead + (k,)))


def clamped_spline(nodes: np.ndarray, v: np.ndarray, bonf: float, rho: np.ndarray) -> np.ndarray:
    """One look's intersection bound at ``rho`` from its values ``v`` at the ρ₀ ``nodes``: a cubic
    spline, except where the inflation factor is clamped at 1 (nodes exactly at Bonferroni's bound
    ``bonf``, at one end of the range: below ρ₀ ≈ 0.31 at PAOLA-1's last look with 3 looks). There
    the bound is Bonferroni's, constant; the spline runs through the other nodes only and the
    bound is min(spline, Bonferroni) between the last clamped and the first free node — a true
    kink instead of a spline through it (1.1e-4 in claims; docs/group-sequential.md, "Speed of
    the curves"), which :func:`.curve.nested` then splits the curves at. The fit is made once per
    nodes and values (:func:`clamped_fit`: a curve's redraw evaluates it again)."""
    return clamped_fit(np.asarray(nodes, float).tobytes(), np.asarray(v, float).tobytes(), float(bonf))(np.asarray(rho, float))


@lru_cache(maxsize=256)
def clamped_fit(nodes_b: bytes, v_b: bytes, bonf: float) -> Callable[[np.ndarray], np.ndarray]:
    """:func:`clamped_spline`'s fit at the nodes and values given by their bytes: a function of ρ₀."""
    from scipy.interpolate import CubicSpline  # noqa: PLC0415

    nodes, v = np.frombuffer(nodes_b), np.frombuffer(v_b)
    if not np.all(np.isfinite(v)):
        return lambda rho: np.full(rho.shape, v[0])
    clamped = v == bonf
    free = np.flatnonzero(~clamped)
    if free.size == 0:
        return lambda rho: np.full(rho.shape, bonf)
    if free.size == v.size or free.size < 2 or not (clamped[0] or clamped[-1]) or np.ptp(free) != free.size - 1:
        return CubicSpline(nodes, v)                                     # none (or all but one) clamped
    spline = CubicSpline(nodes[free], v[free])
    inner, outer = (nodes[free[0]], nodes[free[0] - 1]) if clamped[0] else (nodes[free[-1]], nodes[free[-1] + 1])

    def at(rho: np.ndarray) -> np.ndarray:
        out = spline(rho)
        between = (rho - inner) * (rho - outer) < 0
        out[between] = np.minimum(out[between], bonf)
        out[(rho - outer) * (inner - outer) <= 0] = bonf                # on the clamped side
        return out

    return at
