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
