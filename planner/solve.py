"""One solver behind every design: the N (or effect) at which power reaches a target.

Power of every design claim rises monotonically with the total randomized N, so the sample
size is the root of power(N) − target on log N, found elementwise (vectorized over curve
points) by ``scipy.optimize.elementwise.find_root`` (Chandrupatla's bracketing method).
Where the target cannot be reached below ``N_MAX`` (no benefit in the population tested, or
an effect too small) the solution is NaN and the caller reports why.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq, elementwise

from .designs.base import DesignModel

N_MAX = 1e8
#: the secant of :func:`solve_smooth` stops after a step below STEP_TOL √N: its error is then far
#: smaller (superlinear convergence; ~1e-12 relative in N against the bracketing search, tested)
STEP_TOL = 1e-7


def n_min(allocation_ratio: float) -> float:
    """Smallest total with at least two patients per arm."""
    p = allocation_ratio / (1.0 + allocation_ratio)
    return max(4.0, 2.0 / p, 2.0 / (1.0 - p))


def solve_n(model: DesignModel, target: float, allocation_ratio: float) -> np.ndarray:
    """Unrounded total N reaching ``target`` power, shaped like the model (NaN: unattainable).

    A group-sequential single-test model (``size_inflation``) is sized as rpact does: the fixed
    design's N times the plan's inflation factor (:mod:`planner.designs.sequential`).
    """
    if hasattr(model, "size_inflation"):
        return solve_n(model.base, target, allocation_ratio) * model.size_inflation(target)
    if hasattr(model, "solve_size"):  # a model with its own solver (the stratified design with interims)
        return model.solve_size(target, allocation_ratio)
    return solve_points(model, target, allocation_ratio)


def solve_points(model: DesignModel, target: float, allocation_ratio: float, points: np.ndarray | None = None) -> np.ndarray:
    """:func:`solve_n` by the root search of the module docstring, at ``points`` (flat indices;
    default all; the others NaN)."""
    size = model.size
    lo, hi = n_min(allocation_ratio), N_MAX
    idx = np.arange(size) if points is None else np.asarray(points, dtype=int).reshape(-1)
    out = np.full(size, np.nan)
    ok = model.feasible().reshape(-1)[idx]
    p_lo = model.power(np.full(idx.size, lo), idx)
    p_hi = model.power(np.full(idx.size, hi), idx)
    out[idx[ok & (p_lo >= target)]] = lo
    todo = ok & (p_lo < target) & (p_hi >= target)
    if todo.any():
        sub = idx[todo]
        res = elementwise.find_root(
            lambda x, i: model.power(np.exp(x), i) - target,
            (np.full(sub.size, math.log(lo)), np.full(sub.size, math.log(hi))),
            args=(sub,),
            tolerances={"xatol": 1e-12, "xrtol": 1e-13, "fatol": 0.0, "frtol": 0.0},
            maxiter=200,
        )
        out[sub] = np.exp(res.x)
    return out.reshape(model.shape)


def solve_effect(power_of_effect, target: float, lo: float, hi: float) -> float | None:
    """Scalar effect in (lo, hi) where the increasing ``power_of_effect`` hits ``target``."""
    f_lo, f_hi = power_of_effect(lo) - target, power_of_effect(hi) - target
    if not (np.isfinite(f_lo) and np.isfinite(f_hi)) or f_lo > 0 or f_hi < 0:
        return None
    return float(brentq(lambda e: power_of_effect(e) - target, lo, hi, xtol=1e-12, rtol=1e-12, maxiter=200))


def solve_smooth(model: DesignModel, target: float, allocation_ratio: float, guess: np.ndarray,
                 slope: np.ndarray, max_iter: int = 12) -> np.ndarray:
    """:func:`solve_n` for a model whose power is costly and smooth in √N (the closed tests of
    :mod:`planner.designs.multipop`): the secant method on g(s) = Φ⁻¹(power(s²)) − Φ⁻¹(target),
    s = √N, which is exactly linear for one z test (slope = drift / sd) and nearly so for a closed
    test of several. It starts at ``guess`` (√N, flattened like the model) with a first step of
    slope ``slope``; the iterates are kept inside the bracket of the signs seen so far (else the
    bracket's geometric middle) and stop when a step is below ``STEP_TOL`` √N (the error of
    the superlinear secant is then ~1e-12 relative in N). Points that do not converge inside
    (√n_min, √N_MAX) within ``max_iter`` evaluations, and infeasible ones, go to
    :func:`solve_points` (same answers: NaN when unattainable, n_min when already reached).
    Typically 4–6 evaluations instead of 15–20."""
    from scipy.special import ndtri  # noqa: PLC0415

    size = model.size
    s_lo, s_hi = math.sqrt(n_min(allocation_ratio)), math.sqrt(N_MAX)
    zt = float(ndtri(target))
    out = np.full(size, np.nan)
    idx = np.flatnonzero(model.feasible().reshape(-1))
    guess = np.broadcast_to(np.asarray(guess, dtype=float), (size,)).reshape(-1)[idx]
    slope = np.broadcast_to(np.asarray(slope, dtype=float), (size,)).reshape(-1)[idx]

    def g(s: np.ndarray, i: np.ndarray) -> np.ndarray:
        return ndtri(np.clip(model.power(s * s, i), 1e-300, 1.0 - 1e-16)) - zt

    good = np.isfinite(guess) & np.isfinite(slope) & (slope > 0)
    idx, x0, slope = idx[good], np.clip(guess[good], s_lo, s_hi), slope[good]
    g0 = g(x0, idx) if idx.size else np.empty(0)
    a, b = np.where(g0 < 0, x0, s_lo), np.where(g0 < 0, s_hi, x0)
    x1 = np.clip(x0 - g0 / slope, s_lo, s_hi)
    done = np.zeros(idx.size, dtype=bool)
    for _ in range(max_iter):
        act = np.flatnonzero(~done)
        if act.size == 0:
            break
        g1 = g(x1[act], idx[act])
        neg = g1 < 0
        a[act] = np.where(neg, np.maximum(a[act], x1[act]), a[act])
        b[act] = np.where(neg, b[act], np.minimum(b[act], x1[act]))
        with np.errstate(all="ignore"):
            x2 = x1[act] - g1 * (x1[act] - x0[act]) / (g1 - g0[act])
        inside = np.isfinite(x2) & (x2 > a[act]) & (x2 < b[act])
        x2 = np.where(inside, x2, np.sqrt(a[act] * b[act]))
        stop = (np.abs(x2 - x1[act]) <= STEP_TOL * x2) | (g1 == 0)
        x0[act], g0[act] = x1[act], g1
        x1[act] = np.where(g1 == 0, x1[act], x2)
        done[act] = stop
    ok = done & (x1 > s_lo) & (x1 < s_hi)
    out[idx[ok]] = x1[ok] ** 2
    rest = np.setdiff1d(np.arange(size), idx[ok])
    if rest.size:
        fallback = solve_points(model, target, allocation_ratio, rest).reshape(-1)
        out[rest] = fallback[rest]
    return out.reshape(model.shape)
