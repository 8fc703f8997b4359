"""Fisher's combination test for adaptive designs: weights and critical values (rpact ``getDesignFisher``).

Bauer & Köhne (1994), Wassmer (1999), rpact 3.3.4 ``f_design_fisher_combination_test.R``: the
hypothesis is rejected at stage k when the weighted product of the stage-wise p-values is small,

    Π_{j≤k} p_j^{w_j} ≤ c_k,   w_1 = 1,  w_k = √((t_k − t_{k−1}) / t_1)   (rpact ``.getWeightsFisher``),

with the information rates t_k (rpact rounds the weights to 10 digits; so do we). Under H0 the
p_j are independent uniforms, X_j = −ln p_j ~ Exp(1), and the stage-k statistic
T_k = Σ_{j≤k} w_j X_j increases with k; rejection is T_k ≥ a_k = −ln c_k. The sub-density of
T_k on the continuation region {T_j < a_j, j ≤ k} (support [0, a_k)) follows by the recursion

    f_k(t) = e^{−t/w_k}/w_k · ∫_0^{min(t, a_{k−1})} f_{k−1}(s) e^{s/w_k} ds,   A = a_{k−1},

and the probability of rejecting first at stage k with bound a is
F(A) − F(min(a, A)) + e^{−a/w_k} H(min(a, A)) with F, H the cumulative integrals of f_{k−1} and
f_{k−1}(s)e^{s/w_k} (cumulative Simpson on a grid of [0, A_{k−1}]). Critical values:

* ``equal_alpha`` — rpact's default ``method = "equalAlpha"``: the same nominal stage level
  P₀(T_k ≥ a_k) at every stage, total size α.
* ``obrien_fleming`` / ``pocock`` — rpact ``method = "userDefinedAlpha"`` with
  ``userAlphaSpending`` the Lan–DeMets spending α*(t_k) of the inverse-normal boundaries
  (:func:`planner.adaptive.boundaries.spending`); rpact refuses spending that makes c_k increase
  ("no calculation possible"), we compute it anyway.
* ``no_early_efficacy`` — c_k = 0 (never reject) before the last stage, c_K for size α.

Futility (``alpha0Vec``, rpact: stop when a stage-wise intersection p-value is ≥ α₀,k) is
non-binding here: it never changes c_k (rpact's Fisher default is ``bindingFutility = TRUE``;
the reference cases call rpact with ``bindingFutility = FALSE``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from scipy.integrate import cumulative_simpson
from scipy.interpolate import CubicSpline
from scipy.optimize import brentq

_GRID = 4001  # points per stage (cumulative Simpson: error ~ h⁴)


def fisher_weights(information_rates: Sequence[float]) -> np.ndarray:
    """rpact's Fisher weights w_1 = 1, w_k = √((t_k − t_{k−1}) / t_1), rounded to 10 digits."""
    t = np.asarray(information_rates, dtype=float)
    if len(t) == 1:
        return np.array([1.0])
    return np.concatenate([[1.0], np.round(np.sqrt(np.diff(t) / t[0]), 10)])


class _Stage:
    """The continuation sub-density of T_{k−1} on [0, A] and the stage-k crossing probability."""

    def __init__(self, density, top: float, w: float, kink: float | None = None):
        self.top, self.w = top, w
        if kink is not None and 0.0 < kink < top:  # f has a kink there: make it a grid point
            s = np.concatenate([np.linspace(0.0, kink, _GRID // 2 + 1), np.linspace(kink, top, _GRID // 2 + 1)[1:]])
        else:
            s = np.linspace(0.0, top, _GRID)
        f = density(s)
        self.F = CubicSpline(s, cumulative_simpson(f, x=s, initial=0.0))
        self.H = CubicSpline(s, cumulative_simpson(f * np.exp(s / w), x=s, initial=0.0))
        self.total = float(self.F(top))

    def cross(self, a: float) -> float:
        """P(continue to stage k − 1, T_k ≥ a)."""
        if not math.isfinite(a):
            return 0.0
        m = min(a, self.top)
        return self.total - float(self.F(m)) + math.exp(-a / self.w) * float(self.H(m))

    def next_density(self, a: float):
        """The sub-density of T_k on {T_j < a_j, j ≤ k}: support [0, a_k), kink at a_{k−1}."""
        top, w, H = self.top, self.w, self.H
        return (lambda t: np.exp(-t / w) / w * H(np.minimum(t, top))), a, top


def _first(a: float):
    return (lambda t: np.exp(-t)), a, None


def _rejections(bounds: Sequence[float], w: np.ndarray) -> list[float]:
    """P₀(reject first at stage k) for the bounds a_k = −ln c_k (∞: no rejection possible)."""
    out = [math.exp(-bounds[0]) if math.isfinite(bounds[0]) else 0.0]
    dens, top, kink = _first(min(bounds[0], 40.0))
    for k in range(1, len(bounds)):
        st = _Stage(dens, top, float(w[k]), kink)
        out.append(st.cross(bounds[k]))
        dens, top, kink = st.next_density(min(bounds[k], 40.0))
    return out


def _solve_last(bounds: list[float], w: np.ndarray, target: float) -> float:
    """a_k with P₀(reject first at stage k) = target, given a_1..a_{k−1}."""
    k = len(bounds)
    if k == 0:
        return -math.log(target)
    dens, top, kink = _first(min(bounds[0], 40.0))
    for j in range(1, k):
        dens, top, kink = _Stage(dens, top, float(w[j]), kink).next_density(min(bounds[j], 40.0))
    st = _Stage(dens, top, float(w[k]), kink)
    return brentq(lambda a: st.cross(a) - target, 1e-9, 80.0, xtol=1e-13, rtol=1e-14)


def _stage_level(k: int, a: float, w: np.ndarray) -> float:
    """P₀(T_k ≥ a) (rpact's ``stageLevels``: the same bound at stages 1..k)."""
    return float(sum(_rejections([a] * (k + 1), w)))


@lru_cache(maxsize=256)
def _critical(info: tuple[float, ...], alpha: float, kind: str) -> tuple[float, ...]:
    from .boundaries import spending

    w = fisher_weights(info)
    k_max = len(info)
    if k_max == 1:
        return (alpha,)
    if kind == "no_early_efficacy":
        bounds = [math.inf] * (k_max - 1)
        return tuple([0.0] * (k_max - 1) + [math.exp(-_solve_last(bounds, w, alpha))])
    if kind == "equal_alpha":
        def level_bounds(level: float) -> list[float]:
            return [brentq(lambda a, k=k: _stage_level(k, a, w) - level, 1e-9, 80.0, xtol=1e-13)
                    for k in range(k_max)]

        level = brentq(lambda lv: sum(_rejections(level_bounds(lv), w)) - alpha, alpha / k_max / 2, alpha,
                       xtol=1e-15, rtol=1e-13)
        return tuple(math.exp(-a) for a in level_bounds(level))
    cum = np.asarray(spending(kind, alpha, np.asarray(info)), dtype=float)
    cum[-1] = alpha
    bounds: list[float] = []
    spent = 0.0
    for k in range(k_max):
        target = float(cum[k]) - spent
        bounds.append(_solve_last(bounds, w, target) if target > 0 else math.inf)
        spent = float(cum[k])
    return tuple(math.exp(-a) for a in bounds)


def fisher_critical_values(information_rates: Sequence[float], alpha: float, kind: str) -> np.ndarray:
    """Critical values c_1..c_K of Fisher's product Π p_j^{w_j} (reject when ≤ c_k)."""
    return np.array(_critical(tuple(float(t) for t in information_rates), float(alpha), kind))


def fisher_size(critical: Sequence[float], information_rates: Sequence[float]) -> float:
    """P₀(reject at some stage) of the Fisher design (a check of the critical values)."""
    w = fisher_weights(information_rates)
    bounds = [(-math.log(c) if c > 0 else math.inf) for c in critical]
    return float(sum(_rejections(bounds, w)))


__all__ = ["fisher_critical_values", "fisher_size", "fisher_weights"]
