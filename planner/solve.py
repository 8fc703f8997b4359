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
from scipy.optimize import brentq

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
        x = chandrupatla(lambda x, i: model.power(np.exp(x), i) - target,
                         np.full(sub.size, math.log(lo)), np.full(sub.size, math.log(hi)), sub)
        out[sub] = np.exp(x)
    return out.reshape(model.shape)


def _chandrupatla_t(x1, f1, x2, f2, x3, f3, tol, dx) -> np.ndarray:
    """The next interpolation parameter (Chandrupatla 1997, eq. 1, kept away from the ends)."""
    xi1 = (x1 - x2) / (x3 - x2)
    phi1 = (f1 - f2) / (f3 - f2)
    alpha = (x3 - x1) / (x2 - x1)
    j = ((1 - np.sqrt(1 - xi1)) < phi1) & (phi1 < np.sqrt(xi1))
    f1j, f2j, f3j, alphaj = f1[j], f2[j], f3[j], alpha[j]
    t = np.full_like(alpha, 0.5)
    t[j] = f1j / (f1j - f2j) * f3j / (f3j - f2j) - alphaj * f1j / (f3j - f1j) * f2j / (f2j - f3j)
    tl = 0.5 * tol / dx
    lo, hi = tl, 1 - tl                   # clip as scipy's array-API clip does (NaN bounds win)
    ia = (t < lo) | np.isnan(lo)
    t[ia] = lo[ia]
    ib = (t > hi) | np.isnan(hi)
    t[ib] = hi[ib]
    return t


def chandrupatla(f, a: np.ndarray, b: np.ndarray, idx: np.ndarray, xatol: float = 1e-12, xrtol: float = 1e-13,
                 maxiter: int = 200) -> np.ndarray:
    """Roots of ``f(x, idx)`` in the brackets (a, b): Chandrupatla's method (Adv Eng Softw
    1997;28:145–9) with the very arithmetic, termination tests (fatol = frtol = 0) and order of
    evaluations of ``scipy.optimize.elementwise.find_root`` 1.17 — the same roots bit for bit
    (tests/test_solve_chandrupatla.py) without its array-API framework, which cost more than the
    power evaluations of a fixed design. Converged elements leave the active set; NaN where the
    bracket has no sign change or the values are NaN."""
    n = a.size
    if n == 1:   # one root (a fixed design): the same steps on scalars, without the arrays' overhead
        return np.array([_chandrupatla_one(f, float(a[0]), float(b[0]), np.asarray(idx).reshape(-1)[:1].copy(),
                                           xatol, xrtol, maxiter)])
    res = np.zeros(n)
    act = np.arange(n)
    x1, x2 = np.array(a, dtype=float), np.array(b, dtype=float)
    f1, f2 = np.array(f(x1, idx), dtype=float), np.array(f(x2, idx), dtype=float)
    frtol = 0.0 * np.minimum(np.abs(f1), np.abs(f2))
    idx = np.asarray(idx).reshape(-1).copy()
    x3 = f3 = t = None
    nit = 0
    with np.errstate(all="ignore"):
        while True:
            i = np.abs(f1) < np.abs(f2)
            xmin, fmin = np.where(i, x1, x2), np.where(i, f1, f2)
            stop = np.abs(fmin) <= 0.0 + frtol
            bad = ((np.sign(f1) == np.sign(f2)) & ~stop) | (~(np.isfinite(x1) & np.isfinite(x2))
                                                            | (np.isnan(f1) & np.isnan(f2))) & ~stop
            xmin[bad] = np.nan
            stop |= bad
            dx = np.abs(x2 - x1)
            tol = np.abs(xmin) * xrtol + xatol
            stop |= dx < tol
            if stop.any():
                res[act[stop]] = xmin[stop]
                keep = ~stop
                act, idx, x1, f1, x2, f2, frtol, dx, tol, xmin = (
                    v[keep] for v in (act, idx, x1, f1, x2, f2, frtol, dx, tol, xmin))
                if x3 is not None:
                    x3, f3 = x3[keep], f3[keep]
                if t is not None:
                    t = t[keep]
            if act.size == 0:
                return res
            if nit >= maxiter:
                res[act] = xmin
                return res
            if x3 is not None:
                t = _chandrupatla_t(x1, f1, x2, f2, x3, f3, tol, dx)
            x = x1 + (0.5 if t is None else t) * (x2 - x1)
            fx = np.asarray(f(x, idx), dtype=float)
            x3, f3 = x2.copy(), f2.copy()
            j = np.sign(fx) == np.sign(f1)
            nj = ~j
            x3[j], f3[j] = x1[j], f1[j]
            x2[nj], f2[nj] = x1[nj], f1[nj]
            x1, f1 = x, fx
            nit += 1


def _one_t(x1, f1, x2, f2, x3, f3, tol, dx):
    """:func:`_chandrupatla_t` of one element (NumPy float64 scalars: the same IEEE operations)."""
    xi1 = (x1 - x2) / (x3 - x2)
    phi1 = (f1 - f2) / (f3 - f2)
    alpha = (x3 - x1) / (x2 - x1)
    t = _HALF
    if ((1 - np.sqrt(1 - xi1)) < phi1) and (phi1 < np.sqrt(xi1)):
        t = f1 / (f1 - f2) * f3 / (f3 - f2) - alpha * f1 / (f3 - f1) * f2 / (f2 - f3)
    lo = 0.5 * tol / dx
    hi = 1 - lo
    if t < lo or np.isnan(lo):
        t = lo
    if t > hi or np.isnan(hi):
        t = hi
    return t


_HALF = np.float64(0.5)


def _chandrupatla_one(f, a: float, b: float, idx: np.ndarray, xatol: float, xrtol: float, maxiter: int) -> float:
    """:func:`chandrupatla` of one root, step for step on NumPy float64 scalars (the same IEEE
    arithmetic as its arrays of one element, so the same root bit for bit:
    tests/test_solve_chandrupatla.py)."""
    one = lambda x: np.float64(np.asarray(f(np.array([x]), idx), dtype=float).reshape(-1)[0])  # noqa: E731
    x1, x2 = np.float64(a), np.float64(b)
    f1, f2 = one(x1), one(x2)
    x3 = f3 = t = None
    nit = 0
    with np.errstate(all="ignore"):
        frtol = 0.0 * np.minimum(abs(f1), abs(f2))
        while True:
            xmin, fmin = (x1, f1) if abs(f1) < abs(f2) else (x2, f2)
            stop = bool(abs(fmin) <= 0.0 + frtol)
            if not stop and ((np.sign(f1) == np.sign(f2)) or not (np.isfinite(x1) and np.isfinite(x2))
                             or (np.isnan(f1) and np.isnan(f2))):
                return math.nan
            dx = abs(x2 - x1)
            tol = abs(xmin) * xrtol + xatol
            if stop or dx < tol or nit >= maxiter:
                return float(xmin)
            if x3 is not None:
                t = _one_t(x1, f1, x2, f2, x3, f3, tol, dx)
            x = x1 + (_HALF if t is None else t) * (x2 - x1)
            fx = one(x)
            if np.sign(fx) == np.sign(f1):
                x3, f3 = x1, f1
            else:
                x3, f3 = x2, f2
                x2, f2 = x1, f1
            x1, f1 = x, fx
            nit += 1


def solve_effect(power_of_effect, target: float, lo: float, hi: float) -> float | None:
    """Scalar effect in (lo, hi) where the increasing ``power_of_effect`` hits ``target``."""
    f_lo, f_hi = power_of_effect(lo) - target, power_of_effect(hi) - target
    if not (np.isfinite(f_lo) and np.isfinite(f_hi)) or f_lo > 0 or f_hi < 0:
        return None
    return float(brentq(lambda e: power_of_effect(e) - target, lo, hi, xtol=1e-12, rtol=1e-12, maxiter=200))


def solve_smooth(model: DesignModel, target: float, allocation_ratio: float, guess: np.ndarray,
                 slope: np.ndarray, max_iter: int = 12, step_tol: float = STEP_TOL, first: bool = False,
                 first_tol: np.ndarray | float | None = None, slope_out: np.ndarray | None = None) -> np.ndarray:
    """:func:`solve_n` for a model whose power is costly and smooth in √N (the closed tests of
    :mod:`planner.designs.multipop`): the secant method on g(s) = Φ⁻¹(power(s²)) − Φ⁻¹(target),
    s = √N, which is exactly linear for one z test (slope = drift / sd) and nearly so for a closed
    test of several. It starts at ``guess`` (√N, flattened like the model) with a first step of
    slope ``slope``; the iterates are kept inside the bracket of the signs seen so far (else the
    bracket's geometric middle) and stop when a step is below ``STEP_TOL`` √N (the error of
    the superlinear secant is then ~1e-12 relative in N). Points that do not converge inside
    (√n_min, √N_MAX) within ``max_iter`` evaluations, and infeasible ones, go to
    :func:`solve_points` (same answers: NaN when unattainable, n_min when already reached).
    Typically 4–6 evaluations instead of 15–20. ``step_tol`` replaces ``STEP_TOL`` (a curve's
    nodes: :data:`planner.groupseq.lookwise_curve.NODE_STEP_TOL`); ``first``: the first step (from
    ``guess`` with ``slope``) below it stops too (a start already close: one evaluation) — below
    ``first_tol`` instead where given (per point, flattened like the model: a larger tolerance where
    ``slope`` is known accurately, the error of that Newton step being the step × the slope's
    relative error). ``slope_out`` (size,): filled with each point's last secant slope (the
    ``slope`` given where one evaluation sufficed; NaN where :func:`solve_points` answered)."""
    from scipy.special import ndtri  # noqa: PLC0415

    size = model.size
    s_lo, s_hi = math.sqrt(n_min(allocation_ratio)), math.sqrt(N_MAX)
    zt = float(ndtri(target))
    out = np.full(size, np.nan)
    idx = np.flatnonzero(model.feasible().reshape(-1))
    guess = np.broadcast_to(np.asarray(guess, dtype=float), (size,)).reshape(-1)[idx]
    slope = np.broadcast_to(np.asarray(slope, dtype=float), (size,)).reshape(-1)[idx]
    tol1 = np.broadcast_to(np.asarray(step_tol if first_tol is None else first_tol, dtype=float), (size,)).reshape(-1)[idx]

    def g(s: np.ndarray, i: np.ndarray) -> np.ndarray:
        return ndtri(np.clip(model.power(s * s, i), 1e-300, 1.0 - 1e-16)) - zt

    good = np.isfinite(guess) & np.isfinite(slope) & (slope > 0)
    idx, x0, slope, tol1 = idx[good], np.clip(guess[good], s_lo, s_hi), slope[good], tol1[good]
    g0 = g(x0, idx) if idx.size else np.empty(0)
    a, b = np.where(g0 < 0, x0, s_lo), np.where(g0 < 0, s_hi, x0)
    x1 = np.clip(x0 - g0 / slope, s_lo, s_hi)
    done = (np.abs(x1 - x0) <= tol1 * x1) & first & (x1 > s_lo) & (x1 < s_hi)   # ``first``: the first step may stop
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
        stop = (np.abs(x2 - x1[act]) <= step_tol * x2) | (g1 == 0)
        with np.errstate(all="ignore"):
            slope[act] = np.where(x1[act] != x0[act], (g1 - g0[act]) / (x1[act] - x0[act]), slope[act])
        x0[act], g0[act] = x1[act], g1
        x1[act] = np.where(g1 == 0, x1[act], x2)
        done[act] = stop
    ok = done & (x1 > s_lo) & (x1 < s_hi)
    out[idx[ok]] = x1[ok] ** 2
    if slope_out is not None:
        slope_out[:] = np.nan
        slope_out[idx[ok]] = slope[ok]
    rest = np.setdiff1d(np.arange(size), idx[ok])
    if rest.size:
        fallback = solve_points(model, target, allocation_ratio, rest).reshape(-1)
        out[rest] = fallback[rest]
    return out.reshape(model.shape)
