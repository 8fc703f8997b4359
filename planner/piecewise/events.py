"""Expected events of a piecewise-exponential model under piecewise accrual, in closed form.

A patient randomized at calendar time u is followed for t = T − u at the calendar time T of an
analysis. With event hazards h_j on [s_j, s_{j+1}) and a constant dropout hazard η (dropout
acts as a competing risk, as in rpact and gsDesign2), let μ_j = h_j + η and
S_j = exp(−Σ_{i<j} μ_i (s_{i+1} − s_i)). The probability of an observed event in piece j by
follow-up time t is

    F_j(t) = c_j (1 − exp(−μ_j d_j(t))),  c_j = h_j S_j / μ_j,  d_j(t) = clip(t − s_j, 0, s_{j+1} − s_j)

and its integral G_j(t) = ∫_0^t F_j = c_j φ(μ_j d_j(t)) / μ_j + F_j(s_{j+1}) (t − s_{j+1})⁺ with
φ(x) = x − 1 + e^{−x}. With the accrual density g_k on [a_k, b_k) (see
:class:`~planner.piecewise.model.PiecewiseAccrual`), the expected events in piece j per planned
patient of the arm by calendar time T are exactly

    E_j(T) = ∫_0^{min(T, A)} g(u) F_j(T − u) du = Σ_k g_k [G_j((T − a_k)⁺) − G_j((T − b_k)⁺)].

No grid or quadrature: every term is an exponential. With one piece and uniform accrual over
[0, a] and T = a + f this is the formula of :func:`planner.survival.event_probability`
(Lachin & Foulkes 1986; rpact ``getEventProbabilities``), to rounding.

:func:`calendar_time` inverts the expected events in T (safeguarded Newton, vectorized): the
calendar time at which an analysis at a given number of events is expected (rpact
``analysisTime``, gsDesign2 ``expected_time``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .model import PiecewiseAccrual


def _phi(x: np.ndarray) -> np.ndarray:
    """φ(x) = x − 1 + e^{−x} ≥ 0, without cancellation for small x (series below 1e-3)."""
    small = x < 1e-3
    xs = np.where(small, x, 0.0)
    series = xs * xs * (0.5 - xs * (1.0 / 6.0 - xs * (1.0 / 24.0 - xs / 120.0)))
    return np.where(small, series, x + np.expm1(-np.where(small, 1.0, x)))


def _piece_constants(starts: ArrayLike, hazards: ArrayLike, dropout: float):
    """Per piece (last axis; hazards may carry leading point axes (…, J)): starts, lengths, μ, c, F_j(s_{j+1})."""
    s = np.asarray(starts, dtype=float)
    h = np.asarray(hazards, dtype=float)
    length = np.append(np.diff(s), np.inf)
    mu = h + float(dropout)
    if mu.ndim == 1:
        before = np.concatenate([[0.0], np.cumsum(mu[:-1] * length[:-1])])
    else:  # points × pieces (curves over the effect): the same sums per row
        before = np.concatenate([np.zeros(mu.shape[:-1] + (1,)), np.cumsum(mu[..., :-1] * length[:-1], axis=-1)], axis=-1)
    c = h * np.exp(-before) / mu
    f_end = c * -np.expm1(-mu * length)  # F_j(s_{j+1}); the last piece: c_j
    return s, length, mu, c, f_end


def _times(t: ArrayLike, mu: np.ndarray, aligned: bool = False) -> np.ndarray:
    """Times with a trailing piece axis, and one axis per leading axis of the hazards (…, J);
    ``aligned``: the hazards' leading axes already broadcast against the times' (one model per
    point of a curve, :mod:`planner.piecewise.lookwise`), only the piece axis is added."""
    t = np.asarray(t, dtype=float)
    return t[..., None] if aligned else t.reshape(t.shape + (1,) * mu.ndim)


def event_cdf(t: ArrayLike, starts, hazards, dropout: float = 0.0, aligned: bool = False) -> np.ndarray:
    """F_j(t): probability of an observed event in piece j by follow-up t; shape t.shape + hazards.shape."""
    s, length, mu, c, _ = _piece_constants(starts, hazards, dropout)
    d = np.clip(_times(t, mu, aligned) - s, 0.0, length)
    return c * -np.expm1(-mu * d)


def event_cdf_integral(t: ArrayLike, starts, hazards, dropout: float = 0.0, aligned: bool = False) -> np.ndarray:
    """G_j(t) = ∫_0^t F_j(x) dx; shape t.shape + hazards.shape (hazards (J,) or points × pieces)."""
    s, length, mu, c, f_end = _piece_constants(starts, hazards, dropout)
    t = _times(t, mu, aligned)
    d = np.clip(t - s, 0.0, length)
    after = np.clip(t - (s + length), 0.0, None)  # 0 for the open last piece
    return c * _phi(mu * d) / mu + np.where(after > 0, f_end * after, 0.0)


def expected_events(times: ArrayLike, starts, hazards, dropout: float, accrual: PiecewiseAccrual,
                    accrual_time: float, aligned: bool = False) -> np.ndarray:
    """E_j(T): expected events in piece j by calendar time T per planned patient; (..., J).

    ``times`` is any array of calendar times; the last axis of the result is the piece.
    ``hazards`` (J,), or (P, J) for P points sharing the starts (a curve over the effect): then
    the result is times.shape + (P, J), every point in one pass. ``aligned``: times (P, …) and
    hazards (P, 1, …, 1, J) of one model per point (leading axes broadcasting against the times
    with the accrual segment axis), the result times.shape + (J,).
    """
    a, b, g = accrual.segments(accrual_time)
    t = np.asarray(times, dtype=float)[..., None]
    upper = event_cdf_integral(np.clip(t - a, 0.0, None), starts, hazards, dropout, aligned)
    lower = event_cdf_integral(np.clip(t - b, 0.0, None), starts, hazards, dropout, aligned)
    return _accrual_sum(upper - lower, g, 1 if aligned else np.ndim(hazards))


def _accrual_sum(x: np.ndarray, g: np.ndarray, hazard_dims: int) -> np.ndarray:
    """Σ_k g_k x[…, k, (points,) j] over the accrual segments k."""
    if hazard_dims == 1:
        return np.einsum("...kj,k->...j", x, g)
    return np.moveaxis(x, -hazard_dims - 1, -1) @ g


def event_rate(times: ArrayLike, starts, hazards, dropout: float, accrual: PiecewiseAccrual,
               accrual_time: float) -> np.ndarray:
    """dE_j/dT per planned patient: Σ_k g_k [F_j((T − a_k)⁺) − F_j((T − b_k)⁺)]; (..., J)."""
    a, b, g = accrual.segments(accrual_time)
    t = np.asarray(times, dtype=float)[..., None]
    upper = event_cdf(np.clip(t - a, 0.0, None), starts, hazards, dropout)
    lower = event_cdf(np.clip(t - b, 0.0, None), starts, hazards, dropout)
    return _accrual_sum(upper - lower, g, np.ndim(hazards))


def calendar_time(target: ArrayLike, total, rate, *, upper: float = 1e4, tol: float = 1e-11,
                  max_iter: int = 200) -> np.ndarray:
    """T with ``total(T) = target`` for an increasing ``total`` with derivative ``rate``.

    Vectorized safeguarded Newton: the bracket is found by doubling from 1, then a Newton step
    is taken when it stays inside the current bracket, else bisection. Targets at or above
    ``total(upper)`` (never reached) give inf; targets ≤ 0 give 0.
    """
    target = np.asarray(target, dtype=float)
    lo = np.zeros_like(target)
    hi = np.ones_like(target)
    for _ in range(64):  # bracket by doubling: total(hi) > target, or hi = upper
        short = (total(hi) <= target) & (hi < upper)
        if not np.any(short):
            break
        lo = np.where(short, hi, lo)
        hi = np.where(short, np.minimum(2.0 * hi, float(upper)), hi)
    reachable = total(hi) > target
    x = np.where(reachable, hi, 0.0)
    for _ in range(max_iter):
        f = total(x) - target
        done = np.abs(f) <= tol * np.maximum(np.abs(target), 1.0)
        if np.all(done | ~reachable):
            break
        lo = np.where(f < 0, x, lo)
        hi = np.where(f > 0, x, hi)
        r = rate(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = x - f / r
        inside = np.isfinite(newton) & (newton > lo) & (newton < hi)
        x = np.where(done, x, np.where(inside, newton, 0.5 * (lo + hi)))
    out = np.where(reachable, x, np.inf)
    return np.where(target <= 0, 0.0, out)
