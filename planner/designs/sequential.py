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

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import ndtri

from ..groupseq.plan import InterimPlan
from ..groupseq.single import inflation, sequential_power
from ..groupseq.sizing import solve_size, solve_size_curve
from ..groupseq.stratified import bounds_for, claim_probabilities, joint_from_fixed
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

    def claims(self, n: ArrayLike, idx=slice(None)) -> dict[str, np.ndarray]:
        fixed = self.base.claims(n, idx)
        a = one_sided_alpha(self)
        return {k: sequential_power(self.plan, a, v) for k, v in fixed.items()}

    def feasible(self) -> np.ndarray:
        return self.base.feasible()

    def size_inflation(self, target: float) -> float:
        """Maximum size / fixed size at power ``target`` (rpact ``inflationFactor``)."""
        return inflation(self.plan, one_sided_alpha(self), target)


@dataclass(frozen=True)
class StratifiedSequentialModel(DesignModel):
    """The biomarker-stratified design under ``plan`` (closed group-sequential test of H_F, H_S)."""

    base: StratifiedModel | None = None
    plan: InterimPlan | None = None
    alpha_split: float | None = None

    def joint(self, idx=slice(None)):
        b = self.base
        g = lambda x: flat(x, self.shape, idx)  # noqa: E731
        return joint_from_fixed(g(b.drift_f), g(b.drift_s), g(b.sd_f), g(b.sd_s),
                                g(b.details["correlation_h0"]), g(b.rho1), self.plan.information_rates)

    def bounds(self, idx=slice(None)):
        """Closed-test bounds (a, b on the intersection test; c_F, c_S elementary) per point."""
        return bounds_for(self.joint(idx), self.plan, one_sided_alpha(self), self.base.multiplicity, self.alpha_split)

    def claims(self, n: ArrayLike, idx=slice(None), looks: int | None = None) -> dict[str, np.ndarray]:
        joint = self.joint(idx)
        bd = bounds_for(joint, self.plan, one_sided_alpha(self), self.base.multiplicity, self.alpha_split)
        sq = np.sqrt(np.asarray(n, dtype=float))
        mean = joint.mean_per_sqrt_n * np.broadcast_to(sq, joint.mean_per_sqrt_n.shape[:-1])[..., None]
        out = claim_probabilities(mean, joint.cov1, bd, looks=looks)
        out["power"] = out[self.primary]
        return out

    def feasible(self) -> np.ndarray:
        return self.base.feasible()

    def solve_size(self, target: float, allocation_ratio: float) -> np.ndarray:
        """N for ``target`` power of the primary claim (:mod:`planner.groupseq.sizing`: one grid
        recursion per point, or per node of a curve, from the guess fixed N × the plan's one-test
        inflation factor); points it does not settle by the general root search of :mod:`planner.solve`."""
        from ..solve import N_MAX, n_min, solve_points  # noqa: PLC0415

        lo = n_min(allocation_ratio)
        joint = self.joint()
        bd = bounds_for(joint, self.plan, one_sided_alpha(self), self.base.multiplicity, self.alpha_split)
        infl = inflation(self.plan, one_sided_alpha(self), target)
        guess = lambda pts: infl * _fixed_size(self.base, target, self.primary)[pts]  # noqa: E731
        args = (joint.mean_per_sqrt_n, joint.cov1, bd, self.primary, target, guess, lo, N_MAX)
        n = solve_size_curve(*args)
        n = solve_size(*args) if n is None else n
        n = np.array(n, dtype=float).reshape(-1)
        rest = np.flatnonzero(self.feasible().reshape(-1) & ~np.isfinite(n))
        if rest.size:
            n[rest] = solve_points(self, target, allocation_ratio, rest).reshape(-1)[rest]
        return n.reshape(self.shape)


def _fixed_size(model: StratifiedModel, target: float, claim: str) -> np.ndarray:
    """A rough fixed-design N for ``target`` power of ``claim`` (flat; NaN: none), from the one
    statistic that decides it (tested at α/2): only a starting point for :mod:`planner.groupseq.sizing`."""
    z = ndtri(1 - model.alpha / model.sides / 2)
    size = lambda d, sd: np.where(d > 0, ((z + sd * ndtri(target)) / np.where(d > 0, d, 1.0)) ** 2, np.nan)  # noqa: E731
    g = lambda x: flat(x, model.shape, slice(None))  # noqa: E731
    n_f, n_s = size(g(model.drift_f), g(model.sd_f)), size(g(model.drift_s), g(model.sd_s))
    pick = {"overall": n_f, "subgroup": n_s, "either": np.fmin(n_f, n_s), "both": np.fmax(n_f, n_s)}
    return pick.get(claim, np.fmin(n_f, n_s))


def with_plan(model: DesignModel, plan: InterimPlan | None, alpha_split: float | None = None) -> DesignModel:
    """``model`` under ``plan`` (the model itself without a plan, or for the stratified one-look plan)."""
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
        return StratifiedSequentialModel(method=text, base=model, plan=plan, alpha_split=alpha_split, **common)
    return SequentialModel(method=text, base=model, plan=plan, **common)
