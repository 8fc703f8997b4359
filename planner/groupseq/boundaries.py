"""Lan–DeMets group-sequential boundaries and crossing probabilities for one z statistic.

Canonical joint distribution (Jennison & Turnbull 2000, ch. 3): at information fractions
t_1 < … < t_K = 1 the statistics Z_k have corr(Z_j, Z_k) = √(t_j / t_k) and, with drift δ at
full information (δ = θ√I_max; rpact's ``shift`` = δ²), E Z_k = δ√t_k. The score S_k = Z_k√t_k
has independent increments S_k − S_{k−1} ~ N(δΔ_k, Δ_k), Δ_k = t_k − t_{k−1}.

Boundaries (one-sided level α; two-sided scenarios use α/2 in the direction of benefit): c_k
solves P₀(continue to k, Z_k ≥ c_k) = α*(t_k) − α*(t_{k−1}) for the spending function α*
(Lan & DeMets 1983; :func:`spending`, rpact ``asOF``, ``asP``, ``asHSD``, ``asKD``;
``none`` spends nothing before the last look, rpact ``noEarlyEfficacy``). The continuation
region at look k is (f_k, c_k) with binding futility bounds f_k and (−∞, c_k) with
non-binding ones: non-binding efficacy bounds ignore futility (rpact ``bindingFutility``).

Crossing probabilities come from the recursive numerical integration of Armitage, McPherson
& Rowe (1969) as in Jennison & Turnbull (2000, ch. 19): the sub-density of Z_k on the
continuation region,

    h_k(z) = ∫ h_{k−1}(u) (√t_k/√Δ_k) φ((z√t_k − u√t_{k−1} − δΔ_k)/√Δ_k) du,

and P(cross at k) = ∫ h_{k−1}(u) Φ((u√t_{k−1} + δΔ_k − c_k√t_k)/√Δ_k) du, on a Simpson grid of
:data:`GRID` points spanning the continuation region within ±:data:`WIDTH` of E Z_k (the tests
check the critical values against rpact 3.3.4 to 1e-6 and the probabilities against a finer
grid to 1e-9).

Operating characteristics follow rpact's ``getDesignCharacteristics``: futility bounds count
as followed (binding or not), finite critical values above 7.5 are taken as 7.5, the inflation factor
is δ²(1 − β) / (z_α + z_β)² where power(δ) = 1 − β, and the expected information fraction is
1 − Σ_{k<K} P(stop at k)(1 − t_k).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import brentq
from scipy.special import ndtr, ndtri

from .plan import InterimPlan

GRID = 301        # Simpson points per look (odd)
WIDTH = 10.0      # the grid spans E Z_k ± WIDTH (P(|N(0,1)| > 10) ≈ 1.5e-23)
CAP = 7.5         # rpact getDesignCharacteristics caps critical values at 7.5
_CHUNK = 64       # drifts integrated at once (memory: _CHUNK × GRID² doubles)


def spending(kind: str, alpha: float, t: ArrayLike, gamma: float | None = None) -> np.ndarray:
    """Cumulative alpha spent at information fraction ``t`` (Lan & DeMets 1983).

    * ``obrien_fleming`` α*(t) = 2 − 2Φ(z_{α/2}/√t)   (rpact ``asOF``, one-sided α)
    * ``pocock``         α*(t) = α ln(1 + (e − 1)t)     (``asP``)
    * ``hwang_shih_decani`` α*(t) = α(1 − e^{−γt})/(1 − e^{−γ}), αt for γ = 0 (``asHSD``;
      Hwang, Shih & DeCani 1990)
    * ``kim_demets``     α*(t) = α t^ρ                   (``asKD``; Kim & DeMets 1987)
    * ``none``           0 before t = 1, α at t = 1      (``noEarlyEfficacy``)
    """
    t = np.asarray(t, dtype=float)
    if kind == "obrien_fleming":
        with np.errstate(divide="ignore"):
            return 2.0 - 2.0 * ndtr(-ndtri(alpha / 2.0) / np.sqrt(t))
    if kind == "pocock":
        return alpha * np.log1p((math.e - 1.0) * t)
    if kind == "hwang_shih_decani":
        g = float(gamma)
        return alpha * t if g == 0 else alpha * np.expm1(-g * t) / np.expm1(-g)
    if kind == "kim_demets":
        return alpha * t ** float(gamma)
    if kind == "none":
        return np.where(t >= 1.0 - 1e-12, alpha, 0.0)
    raise ValueError(f"unknown alpha spending {kind!r}")


def _simpson(lo: np.ndarray, hi: np.ndarray, n: int = GRID) -> tuple[np.ndarray, np.ndarray]:
    """Grid (D, n) on [lo, hi] per row and Simpson weights (zero where hi ≤ lo)."""
    width = np.maximum(hi - lo, 0.0)
    u = np.linspace(0.0, 1.0, n)
    z = lo[:, None] + width[:, None] * u[None, :]
    w = np.ones(n)
    w[1:-1:2] = 4.0
    w[2:-1:2] = 2.0
    return z, w[None, :] * (width / (3.0 * (n - 1)))[:, None]


class _Walk:
    """Sub-density of Z_k on the continuation region for drifts ``delta`` (D,), look by look."""

    def __init__(self, t: np.ndarray, delta: np.ndarray, look_means: np.ndarray | None = None):
        # look_means (D, K): E Z_k per look instead of δ√t_k (a drift that changes between looks,
        # planner.piecewise.lookwise); the score's increment mean is then E S_k − E S_{k−1}
        self.t, self.delta, self.look_means = t, delta, look_means
        self.k = 0
        self.z = self.w = self.dens = None

    def _mean(self, k: int, s: float) -> np.ndarray:
        return self.delta * s if self.look_means is None else self.look_means[:, k]

    def _increment(self, dt: float) -> np.ndarray:
        if self.look_means is None:
            return self.delta * dt
        k, t = self.k + 1, self.t
        return self.look_means[:, k] * math.sqrt(t[k]) - self.look_means[:, k - 1] * math.sqrt(t[k - 1])

    def first(self, lower: float, upper: float) -> None:
        mu = self._mean(0, math.sqrt(self.t[0]))
        self.z, self.w = _simpson(np.maximum(lower, mu - WIDTH), np.minimum(upper, mu + WIDTH))
        self.dens = np.exp(-0.5 * (self.z - mu[:, None]) ** 2) / math.sqrt(2 * math.pi)
        self.k = 0

    def _step_args(self):
        k = self.k + 1
        s0, s1 = math.sqrt(self.t[k - 1]), math.sqrt(self.t[k])
        dt = self.t[k] - self.t[k - 1]
        return s0, s1, dt, math.sqrt(dt)

    def upper_tail(self, c: ArrayLike) -> np.ndarray:
        """P(continue to look k+1, Z_{k+1} ≥ c) per drift (c scalar or (D,))."""
        s0, s1, dt, sd = self._step_args()
        c = np.broadcast_to(np.asarray(c, dtype=float), self.delta.shape)
        with np.errstate(invalid="ignore"):
            arg = (self.z * s0 + self._increment(dt)[:, None] - (c * s1)[:, None]) / sd
        arg = np.where(np.isinf(c)[:, None], -np.inf, arg)
        return np.sum(self.w * self.dens * ndtr(arg), axis=1)

    def lower_tail(self, f: float) -> np.ndarray:
        """P(continue to look k+1, Z_{k+1} < f)."""
        s0, s1, dt, sd = self._step_args()
        if f == -math.inf:
            return np.zeros(self.delta.shape)
        arg = (f * s1 - self.z * s0 - self._increment(dt)[:, None]) / sd
        return np.sum(self.w * self.dens * ndtr(arg), axis=1)

    def advance(self, lower: float, upper: float) -> None:
        s0, s1, dt, sd = self._step_args()
        mu = self._mean(self.k + 1, s1)
        z_new, w_new = _simpson(np.maximum(lower, mu - WIDTH), np.minimum(upper, mu + WIDTH))
        mass = self.w * self.dens
        x = (z_new[:, :, None] * s1 - self.z[:, None, :] * s0 - self._increment(dt)[:, None, None]) / sd
        kern = np.exp(-0.5 * x * x)
        self.dens = np.einsum("dij,dj->di", kern, mass) * (s1 / (sd * math.sqrt(2 * math.pi)))
        self.z, self.w = z_new, w_new
        self.k += 1


def _solve_stage(walk: _Walk | None, target: float, t1: float) -> float:
    if target <= 1e-15:
        return math.inf
    if walk is None:
        return float(-ndtri(target))
    f = lambda c: float(walk.upper_tail(c)[0]) - target  # noqa: E731
    return float(brentq(f, -8.0, 40.0, xtol=1e-13, rtol=1e-14, maxiter=200))


def efficacy_bounds_unchecked(plan: InterimPlan, alpha: float) -> np.ndarray:
    """Efficacy z bounds c_1..c_K (∞ where nothing is spent) for a structurally valid plan."""
    return np.array(boundaries(plan, alpha).efficacy_z)


@dataclass(frozen=True)
class Boundaries:
    """Efficacy and futility bounds of a plan at one-sided level ``alpha``."""

    plan: InterimPlan
    alpha: float
    efficacy_z: tuple[float, ...]
    futility_z: tuple[float, ...]
    alpha_spent: tuple[float, ...]

    @property
    def t(self) -> np.ndarray:
        return np.asarray(self.plan.information_rates, dtype=float)

    @property
    def nominal_p(self) -> tuple[float, ...]:
        """One-sided nominal p-value boundaries 1 − Φ(c_k) (rpact ``stageLevels``)."""
        return tuple(float(ndtr(-c)) for c in self.efficacy_z)

    @property
    def futility_p(self) -> tuple[float, ...]:
        return tuple(float(ndtr(-f)) for f in self.futility_z)

    def to_dict(self) -> dict:
        fin = lambda x: None if not math.isfinite(x) else x  # noqa: E731
        return {
            "information_rates": list(self.plan.information_rates),
            "efficacy_z": [fin(c) for c in self.efficacy_z],
            "futility_z": [fin(f) for f in self.futility_z] + [None],
            "nominal_p": list(self.nominal_p),
            "alpha_spent": list(self.alpha_spent),
        }


@lru_cache(maxsize=256)
def boundaries(plan: InterimPlan, alpha: float) -> Boundaries:
    """Efficacy bounds of ``plan`` at one-sided ``alpha`` (cached per distinct plan and α)."""
    t = np.asarray(plan.information_rates, dtype=float)
    k_max = len(t)
    cum = spending(plan.efficacy, alpha, t, plan.gamma)
    cum[-1] = alpha
    fut = tuple(plan.futility_bounds) if plan.futility_bounds is not None else (-math.inf,) * (k_max - 1)
    crit = np.empty(k_max)
    crit[0] = _solve_stage(None, float(cum[0]), t[0])
    walk = _Walk(t, np.zeros(1))
    lower = lambda k: fut[k] if plan.binding else -math.inf  # noqa: E731
    if k_max > 1:
        walk.first(lower(0), crit[0])
    for k in range(1, k_max):
        crit[k] = _solve_stage(walk, float(cum[k] - cum[k - 1]), t[k])
        if k < k_max - 1:
            walk.advance(lower(k), crit[k])
    spent = np.concatenate([[cum[0]], np.diff(cum)])
    return Boundaries(plan, float(alpha), tuple(float(c) for c in crit), tuple(float(f) for f in fut),
                      tuple(float(s) for s in np.cumsum(spent)))


@dataclass(frozen=True)
class Crossing:
    """Per-look probabilities at drifts δ (arrays with a leading drift axis)."""

    delta: np.ndarray
    reject: np.ndarray      # (D, K): reject H0 at look k (not before)
    futility: np.ndarray    # (D, K−1): stop for futility at look k

    @property
    def power(self) -> np.ndarray:
        return self.reject.sum(axis=1)

    @property
    def stop(self) -> np.ndarray:
        """(D, K) probability of stopping at look k (the last look takes the rest)."""
        early = self.reject[:, :-1] + self.futility
        return np.concatenate([early, 1.0 - early.sum(axis=1, keepdims=True)], axis=1)


FEW = 2   # crossings at this many drifts or fewer are cached (the same drifts recur per design)


def crossing(b: Boundaries, delta: ArrayLike) -> Crossing:
    """Rejection and futility probabilities per look at drifts ``delta`` (futility as followed).

    At :data:`FEW` drifts or fewer the result is cached per (plan, α, drifts) — the same numbers
    (the comparison asks for H0 and the H1 drift of the target power several times per design,
    and every design of a scenario shares them); its arrays are read-only.
    """
    delta = np.atleast_1d(np.asarray(delta, dtype=float))
    if delta.size <= FEW:
        return _crossing_cached(b, tuple(delta.ravel().tolist()))
    return _crossing(b, delta)


@lru_cache(maxsize=256)
def _crossing_cached(b: Boundaries, delta: tuple) -> Crossing:
    c = _crossing(b, np.asarray(delta, dtype=float))
    for a in (c.delta, c.reject, c.futility):
        a.flags.writeable = False
    return c


def _crossing(b: Boundaries, delta: np.ndarray) -> Crossing:
    t = b.t
    k_max = len(t)
    crit = np.asarray(b.efficacy_z)
    crit = np.where(np.isfinite(crit), np.minimum(crit, CAP), crit)
    fut = np.asarray(b.futility_z)
    rej = np.empty((delta.size, k_max))
    futp = np.zeros((delta.size, k_max - 1))
    for lo in range(0, delta.size, _CHUNK):
        d = delta.ravel()[lo:lo + _CHUNK]
        rej[lo:lo + d.size, 0] = ndtr(d * math.sqrt(t[0]) - crit[0])
        if k_max == 1:
            continue
        futp[lo:lo + d.size, 0] = ndtr(fut[0] - d * math.sqrt(t[0])) if np.isfinite(fut[0]) else 0.0
        walk = _Walk(t, d)
        walk.first(fut[0], crit[0])
        for k in range(1, k_max):
            rej[lo:lo + d.size, k] = walk.upper_tail(crit[k])
            if k < k_max - 1:
                futp[lo:lo + d.size, k] = walk.lower_tail(fut[k])
                walk.advance(fut[k], crit[k])
    return Crossing(delta, rej, futp)


def expected_fraction(b: Boundaries, c: Crossing) -> np.ndarray:
    """Expected information fraction E[t at stop] = 1 − Σ_{k<K} P(stop at k)(1 − t_k)."""
    t = b.t
    return 1.0 - (c.stop[:, :-1] * (1.0 - t[None, :-1])).sum(axis=1)


@lru_cache(maxsize=512)
def drift_for_power(b: Boundaries, power: float) -> float:
    """δ at which the plan's power (futility as followed) is ``power`` (rpact √shift)."""
    z = float(-ndtri(b.alpha) - ndtri(1.0 - power))
    if len(b.efficacy_z) == 1:
        return z
    f = lambda d: float(crossing(b, d).power[0]) - power  # noqa: E731
    return float(brentq(f, 0.0, 3.0 * z + 5.0, xtol=1e-13, rtol=1e-14, maxiter=200))


def inflation_factor(b: Boundaries, power: float) -> float:
    """δ²(power) / (z_α + z_β)² (rpact ``getDesignCharacteristics(...)$inflationFactor``)."""
    z = float(-ndtri(b.alpha) - ndtri(1.0 - power))
    return drift_for_power(b, power) ** 2 / z**2


@lru_cache(maxsize=64)
def _power_table(b: Boundaries) -> tuple[np.ndarray, np.ndarray]:
    nodes = np.linspace(-2.0, 12.0, 141)
    return nodes, crossing(b, nodes).power


@lru_cache(maxsize=64)
def _power_spline(b: Boundaries):
    from scipy.interpolate import CubicSpline  # noqa: PLC0415

    nodes, power = _power_table(b)
    return nodes, CubicSpline(nodes, ndtri(np.clip(power, 1e-300, 1 - 1e-16)))


def power_at_drift(b: Boundaries, delta: ArrayLike, exact: bool = False) -> np.ndarray:
    """Power at drifts δ; by default a cubic spline of probit(power) on a cached table.

    The table (141 drifts on [−2, 12], one integration per plan) gives power within 1e-7 of the
    direct integration (``exact=True``; tests/test_groupseq_boundaries.py checks this).
    """
    delta = np.asarray(delta, dtype=float)
    if exact:
        return crossing(b, delta.ravel()).power.reshape(delta.shape)
    nodes, spline = _power_spline(b)
    inside = (delta >= nodes[0]) & (delta <= nodes[-1])
    return np.where(inside, ndtr(spline(np.clip(delta, nodes[0], nodes[-1]))), np.where(delta > 0, 1.0, 0.0))
