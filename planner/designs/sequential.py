"""Fixed designs under a group-sequential plan (scenario ``interim`` block; docs/group-sequential.md).

:func:`with_plan` wraps a fixed design's model so that every caller of
:func:`planner.designs.build.build_model` — the comparison, the curves, the design map, the
sensitivity grid and assurance — gets the group-sequential power at a *maximum* size N:

* one test (all-comers, targeted, strategy, interaction) — :class:`SequentialModel`: the plan's
  power at the drift z_α + Φ⁻¹(P_fixed(N)) (rpact ``getPower*``; exact for z statistics,
  :func:`planner.groupseq.single.sequential_power`). The size for a target power is the fixed
  size × the plan's inflation factor (rpact ``getSampleSize*(design = ...)``): :func:`planner.solve.solve_n`
  asks :meth:`SequentialModel.size_inflation`. Boundaries and the power table are computed once
  per plan and α (the engine caches them), never per curve point.
* biomarker-stratified — :class:`StratifiedSequentialModel`: the joint law of (Z_F,k, Z_S,k)
  over all looks from the fixed design's drifts, standard deviations and correlations
  (proportional information, :func:`planner.groupseq.stratified.joint_from_fixed`), the closed
  group-sequential bounds of the multiplicity method
  (:func:`planner.groupseq.stratified.bounds_for`, once per distinct correlation) and each
  claim's power from the multivariate normal; sized for ``size_for`` by the common solver.

A one-look plan is the fixed design itself (power and size identical to the last bit).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import ndtri

from ..groupseq.boundaries import Crossing, boundaries
from ..groupseq.plan import InterimPlan
from ..groupseq.rows import unique_rows
from ..groupseq.single import equivalent_drift, inflation, sequential_power
from ..groupseq.sizing import solve_size, solve_size_curve
from ..groupseq.stratified import ClosedBounds, bounds_for, claim_probabilities, joint_from_fixed
from ..piecewise.lookwise import crossing_at_means, drift_for_power_at, power_at_factors
from ..survival_nph import LOOKWISE_TEXT
from .base import DesignModel, flat
from .stratified import StratifiedModel


def one_sided_alpha(model: DesignModel) -> float:
    """The plan's level: α one-sided, α/2 in the direction of benefit for a two-sided test."""
    return model.alpha / model.sides


@dataclass(frozen=True)
class SequentialModel(DesignModel):
    """A single-test design under ``plan``: claims at the maximum size N."""

    base: DesignModel | None = None
    plan: InterimPlan | None = None
    look_factors: np.ndarray | None = None   # (…, K): E Z_k / (δ√t_k) under non-proportional hazards
    #: the look factors (…, K) of the claims with a statistic of their own (the cells form's
    #: interaction design: one test per population), by claim; the others use ``look_factors``
    claim_factors: tuple[tuple[str, np.ndarray], ...] = ()

    def factors(self, idx=slice(None), claim: str | None = None) -> np.ndarray:
        """(P, K) look factors of the points ``idx`` (:mod:`planner.piecewise.lookwise`) of the
        design's statistic, or of ``claim``'s own (:attr:`claim_factors`)."""
        f = dict(self.claim_factors).get(claim, self.look_factors)
        k = f.shape[-1]
        return np.broadcast_to(f, self.shape + (k,)).reshape(-1, k)[idx]

    def claims(self, n: ArrayLike, idx=slice(None)) -> dict[str, np.ndarray]:
        fixed = self.base.claims(n, idx)
        a = one_sided_alpha(self)
        if self.look_factors is None:
            return {k: sequential_power(self.plan, a, v) for k, v in fixed.items()}
        b, out = boundaries(self.plan, a), {}
        for k, v in fixed.items():
            f = self.factors(idx, k)
            out[k] = power_at_factors(b, equivalent_drift(a, v), np.broadcast_to(f, np.shape(v) + f.shape[-1:]))
        return out

    def feasible(self) -> np.ndarray:
        return self.base.feasible()

    def size_inflation(self, target: float) -> float | np.ndarray:
        """Maximum size / fixed size at power ``target`` (rpact ``inflationFactor``). With look
        factors (non-proportional hazards) per point: (δ*/(z_α + z_β))², δ* the final drift at
        which the look-wise law has the target power (the drift grows as √N and the factors do
        not depend on N, so this is the maximum size that reaches the target)."""
        a = one_sided_alpha(self)
        if self.look_factors is None:
            return inflation(self.plan, a, target)
        f = self.factors()
        rows, _, inverse = unique_rows(f)
        d = drift_for_power_at(boundaries(self.plan, a), target, rows)[np.ravel(inverse)]
        z = float(-ndtri(a) - ndtri(1.0 - target))
        return (d**2 / z**2).reshape(self.shape)

    def lookwise_crossing(self, alpha: float, drift: float) -> Crossing | None:
        """The look-wise law's per-look H1 rejection and futility probabilities (one row, the first
        point) at final drift ``drift``: E Z_k = drift·factor_k·√t_k (None without look factors)."""
        if self.look_factors is None:
            return None
        b = boundaries(self.plan, alpha)
        return crossing_at_means(b, drift * self.factors()[:1] * np.sqrt(b.t))

    def lookwise_inflation(self, alpha: float, target: float) -> float:
        """(δ*/(z_α + z_β))² of the first point, as :meth:`size_inflation` (the same memoised search)."""
        d = drift_for_power_at(boundaries(self.plan, alpha), target, self.factors()[:1])[0]
        return float(d**2 / (-ndtri(alpha) - ndtri(1.0 - target)) ** 2)


@dataclass(frozen=True)
class StratifiedSequentialModel(DesignModel):
    """The biomarker-stratified design under ``plan`` (closed group-sequential test of H_F, H_S)."""

    base: StratifiedModel | None = None
    plan: InterimPlan | None = None
    alpha_split: float | None = None
    look_factors: np.ndarray | None = None   # (…, 2, K): F and S, E Z_k / (δ√t_k) (non-proportional hazards)
    memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)   # see _memoized

    def _memoized(self, what: str, idx, make):
        """``make()``, kept per ``what`` and point set ``idx`` (all, or up to 8 flat indices: a
        comparison, the steps of a root search), so that the joint law and the bounds (they do
        not depend on N) are made once per model, not once per evaluation of the power."""
        if isinstance(idx, slice):
            key = (what, idx.start, idx.stop, idx.step)
        elif np.size(idx) <= 8:
            a = np.asarray(idx)
            key = (what, a.dtype.kind, a.shape, tuple(a.ravel().tolist()))
        else:
            return make()
        if key not in self.memo:
            self.memo[key] = make()
        return self.memo[key]

    def joint(self, idx=slice(None)):
        """The plan's (proportional-information) law of (Z_F,k, Z_S,k); see :meth:`lookwise_bounds`."""
        b = self.base
        g = lambda x: flat(x, self.shape, idx)  # noqa: E731
        return self._memoized("joint", idx, lambda: joint_from_fixed(
            g(b.drift_f), g(b.drift_s), g(b.sd_f), g(b.sd_s), g(b.details["correlation_h0"]), g(b.rho1),
            self.plan.information_rates))

    def bounds(self, idx=slice(None)):
        """Closed-test bounds (a, b on the intersection test; c_F, c_S elementary) per point."""
        return self._memoized("bounds", idx, lambda: bounds_for(
            self.joint(idx), self.plan, one_sided_alpha(self), self.base.multiplicity, self.alpha_split))

    def lookwise_bounds(self, bd: ClosedBounds, mean: np.ndarray, idx=slice(None)) -> ClosedBounds:
        """Bounds on the plan's law equivalent to ``bd`` on the look-wise law (identity without look factors).

        Under non-proportional hazards E Z_k = factor_k·m_k (m_k the plan's mean ``mean``, …, 2K).
        Z_k − (factor_k − 1)·m_k has the plan's law (same covariance), and every region of the
        closed test is a product of intervals per look and statistic, so P(Z in region) under the
        look-wise law is P under the plan's law of the region with each bound on Z_X,k lowered by
        (factor_X,k − 1)·m_X,k — the recursion of :mod:`planner.groupseq.stratified` unchanged.
        """
        if self.look_factors is None:
            return bd
        k = self.look_factors.shape[-1]
        f = np.broadcast_to(self.look_factors, self.shape + (2, k)).reshape(-1, 2, k)[idx]
        m = np.asarray(mean, dtype=float)
        shift_f, shift_s = (f[..., 0, :] - 1.0) * m[..., 0::2], (f[..., 1, :] - 1.0) * m[..., 1::2]
        move = lambda x, d: None if x is None else np.asarray(x, dtype=float) - d  # noqa: E731
        return ClosedBounds(move(bd.a, shift_f), move(bd.b, shift_s), move(bd.c_f, shift_f), move(bd.c_s, shift_s),
                            move(bd.f_f, shift_f), move(bd.f_s, shift_s))

    def claims(self, n: ArrayLike, idx=slice(None), looks: int | None = None, own: bool = False) -> dict[str, np.ndarray]:
        """Each claim's probability at maximum size ``n``; NaN at points without a law (e.g. a
        curve's rates outside (0, 1), N ≤ 0), the others computed as without them."""
        joint, bd = self.joint(idx), self.bounds(idx)
        sq = np.sqrt(np.asarray(n, dtype=float))
        mean = joint.mean_per_sqrt_n * np.broadcast_to(sq, joint.mean_per_sqrt_n.shape[:-1])[..., None]
        bd = self.lookwise_bounds(bd, mean, idx)
        mean, cov, bd, bad = _without_undefined(mean, joint.cov1, bd)
        out = claim_probabilities(mean, cov, bd, looks=looks, own=own)
        if bad is not None:
            out = {k: np.where(bad.reshape(bad.shape + (1,) * (np.ndim(v) - bad.ndim)), np.nan, v)
                   for k, v in out.items()}
        out["power"] = out[self.primary]
        return out

    def feasible(self) -> np.ndarray:
        return self.base.feasible()

    def solve_size(self, target: float, allocation_ratio: float) -> np.ndarray:
        """N for ``target`` power of the primary claim (:mod:`planner.groupseq.sizing`: one grid
        recursion per point, or per node of a curve, from the guess fixed N × the plan's one-test
        inflation factor); points it does not settle by the general root search of :mod:`planner.solve`.
        A curve (:data:`planner.groupseq.curve.MIN_GROUPS` or more structures on one smooth curve, e.g.
        N over prevalence) by :func:`planner.groupseq.lookwise_curve.size_curve` (N at its nodes
        only, each by a secant of recursions at their own drift; on the plan's law too: 3.5 times
        less CPU than the references of :func:`planner.groupseq.sizing.solve_size_curve`, which stays
        its fallback). Under the look-wise law (``look_factors``) a point that is not on a curve, and one
        point on either law (the comparison's N, wave 10), by the secant of
        :func:`planner.piecewise.lookwise.solve_near` from the same rough N (4–6 evaluations of the
        power, each a recursion at its own drift: the N is the root of the power the table shows)."""
        from ..solve import N_MAX, n_min, solve_points  # noqa: PLC0415

        if self.look_factors is not None or self.size == 1:   # bounds move with N on the plan's law, or one
            # point (the comparison): a secant from a rough N, every step a recursion at its own drift
            # (:func:`planner.groupseq.stratified._one_point`: the N is the root of the power the table shows)
            from ..groupseq.lookwise_curve import size_curve  # noqa: PLC0415 (a curve: N at its nodes only)
            from ..piecewise.lookwise import solve_near  # noqa: PLC0415

            rough = inflation(self.plan, one_sided_alpha(self), target) * _fixed_size(self.base, target, self.primary)
            n = size_curve(self, target, allocation_ratio, rough)   # a curve: from a rough start at its nodes
            if n is None:
                n = solve_near(self, target, allocation_ratio, rough)
            return n.reshape(self.shape)
        lo = n_min(allocation_ratio)
        joint = self.joint()
        bd = self.bounds()
        infl = inflation(self.plan, one_sided_alpha(self), target)
        guess = lambda pts: infl * _fixed_size(self.base, target, self.primary)[pts]  # noqa: E731
        args = (joint.mean_per_sqrt_n, joint.cov1, bd, self.primary, target, guess, lo, N_MAX)
        from ..groupseq.lookwise_curve import size_curve  # noqa: PLC0415 (a curve: N at its nodes, own recursions)

        n = size_curve(self, target, allocation_ratio, guess(slice(None)).reshape(-1))
        n = solve_size_curve(*args) if n is None else n
        n = solve_size(*args) if n is None else n
        n = np.array(n, dtype=float).reshape(-1)
        rest = np.flatnonzero(self.feasible().reshape(-1) & ~np.isfinite(n))
        if rest.size:
            n[rest] = solve_points(self, target, allocation_ratio, rest).reshape(-1)[rest]
        return n.reshape(self.shape)


def _without_undefined(mean: np.ndarray, cov: np.ndarray, bd: ClosedBounds):
    """(mean, cov, bounds, bad): points whose law or bounds are not finite (bad, over the points'
    shape; None when every point is defined — then the inputs themselves, untouched) take the
    first defined point's values, so that the engine computes the others as it would without them."""
    lead = mean.shape[:-1]
    names = [n for n in ("a", "b", "c_f", "c_s", "f_f", "f_s") if getattr(bd, n) is not None]
    finite = lambda x, axes: np.broadcast_to(np.isfinite(x).all(axis=axes), lead)  # noqa: E731
    number = lambda x: np.broadcast_to(~np.isnan(np.asarray(x, dtype=float)).any(axis=-1), lead)  # noqa: E731 (bounds may be ±∞)
    good = finite(mean, -1) & finite(cov, (-2, -1)) & np.logical_and.reduce([number(getattr(bd, n)) for n in names])
    if good.all() or not good.any():
        return mean, cov, bd, None if good.all() else ~good
    first = tuple(int(i[0]) for i in np.nonzero(good))
    def fill(x, extra):  # noqa: E306
        x = np.array(np.broadcast_to(x, lead + np.shape(x)[np.ndim(x) - extra:]), dtype=float)
        x[~good] = x[first]
        return x
    fields = {n: fill(getattr(bd, n), 1) for n in names}
    return fill(mean, 1), fill(cov, 2), replace(bd, **fields), ~good


def _fixed_size(model: StratifiedModel, target: float, claim: str) -> np.ndarray:
    """A rough fixed-design N for ``target`` power of ``claim`` (flat; NaN: none), from the one
    statistic that decides it (tested at α/2): only a starting point for :mod:`planner.groupseq.sizing`."""
    z = ndtri(1 - model.alpha / model.sides / 2)
    size = lambda d, sd: np.where(d > 0, ((z + sd * ndtri(target)) / np.where(d > 0, d, 1.0)) ** 2, np.nan)  # noqa: E731
    g = lambda x: flat(x, model.shape, slice(None))  # noqa: E731
    n_f, n_s = size(g(model.drift_f), g(model.sd_f)), size(g(model.drift_s), g(model.sd_s))
    pick = {"overall": n_f, "subgroup": n_s, "either": np.fmin(n_f, n_s), "both": np.fmax(n_f, n_s)}
    return pick.get(claim, np.fmin(n_f, n_s))


def with_plan(model: DesignModel, plan: InterimPlan | None, alpha_split: float | None = None,
              look_factors: np.ndarray | None = None) -> DesignModel:
    """``model`` under ``plan`` (the model itself without a plan, or for the stratified one-look plan).

    ``look_factors`` (…, P, K) from :func:`planner.survival_nph.lookwise_factors` (non-proportional
    hazards; None: the plan's √t form, bit for bit)."""
    if plan is None:
        return model
    common = dict(name=model.name, endpoint=model.endpoint, alpha=model.alpha, sides=model.sides,
                  shape=model.shape, screened_per_randomized=model.screened_per_randomized,
                  events_per_patient=model.events_per_patient, primary=model.primary, details=model.details)
    text = f"{model.method}; {plan.describe()}"
    if isinstance(model, StratifiedModel):
        if plan.k_max == 1:
            return model
        text += " (closed group-sequential test, correlation within and across looks)"
        if look_factors is not None:
            text += f"; {LOOKWISE_TEXT}"
        return StratifiedSequentialModel(method=text, base=model, plan=plan, alpha_split=alpha_split,
                                         look_factors=look_factors, **common)
    claim_factors = ()
    if look_factors is not None:
        text += f"; {LOOKWISE_TEXT}"
        own = getattr(model, "stats", None)   # one test per population: rows in lookwise_factors' order
        if own is not None and look_factors.shape[-2] == len(own) > 1:
            names = [model.primary] + [c for c in own if c != model.primary]
            claim_factors = tuple((c, look_factors[..., i, :]) for i, c in enumerate(names))
        look_factors = look_factors[..., 0, :]
    return SequentialModel(method=text, base=model, plan=plan, look_factors=look_factors,
                           claim_factors=claim_factors, **common)
