"""Numeric parameters of a scenario, as numpy arrays so that every formula vectorizes.

:func:`params_from_scenario` turns a :class:`~planner.scenario.Scenario` into :class:`Params`;
keyword overrides replace one input by an array (a curve over prevalence, a grid of B− effects)
so that a whole curve is computed in one pass without a Python loop over its points.

Effects are on each endpoint's natural scale ("effect parameter"):
continuous ``mean_difference``; binary the risk difference treatment − control (the treatment
rate is control + difference); survival the ``hazard_ratio``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike

from .scenario import BinarySubgroup, ContinuousSubgroup, Scenario, SurvivalSubgroup
from .survival import dropout_hazard


def _subgroup_arrays(sub) -> dict[str, np.ndarray]:
    if isinstance(sub, ContinuousSubgroup):
        keys = ("mean_difference", "sd", "control_mean")
    elif isinstance(sub, BinarySubgroup):
        keys = ("control_rate", "treatment_rate")
    elif isinstance(sub, SurvivalSubgroup):
        keys = ("control_median", "hazard_ratio")
    else:  # pragma: no cover - guarded by validation
        raise TypeError(f"unknown subgroup {sub!r}")
    return {k: np.asarray(getattr(sub, k), dtype=float) for k in keys}


@dataclass(frozen=True)
class Params:
    """Everything the formulas need, as broadcastable numpy arrays."""

    endpoint: str
    method: str
    prevalence: np.ndarray
    sensitivity: np.ndarray
    specificity: np.ndarray
    allocation_ratio: float
    alpha: float
    sides: int
    sign: float
    heterogeneity_variance: bool
    positive: MappingProxyType
    negative: MappingProxyType
    accrual_time: float = 0.0
    follow_up_time: float = 0.0
    dropout_hazard: float = 0.0
    #: survival with piecewise hazards or accrual (:mod:`planner.survival_nph`): per subgroup
    #: (PiecewiseSurvival, reference HR), and the engine's SurvivalSetting; None otherwise
    piecewise: MappingProxyType | None = None
    survival_setting: object | None = None
    #: θ0 of H0 on the natural scale (``testing.null_effect``); None: no effect (planner.noninferiority)
    null_effect: float | None = None

    @property
    def p(self) -> float:
        """Fraction randomized to treatment, r / (1 + r)."""
        return self.allocation_ratio / (1.0 + self.allocation_ratio)

    @property
    def shape(self) -> tuple[int, ...]:
        arrays = [self.prevalence, self.sensitivity, self.specificity]
        arrays += list(self.positive.values()) + list(self.negative.values())
        return np.broadcast_shapes(*(np.shape(a) for a in arrays))

    def subgroup(self, which: str) -> MappingProxyType:
        return self.positive if which == "positive" else self.negative

    def effect(self, which: str) -> np.ndarray:
        """The subgroup's effect on the natural scale (see module docstring)."""
        g = self.subgroup(which)
        if self.endpoint == "continuous":
            return g["mean_difference"]
        if self.endpoint == "binary":
            return g["treatment_rate"] - g["control_rate"]
        return g["hazard_ratio"]

    def with_effect(self, which: str, value: ArrayLike) -> Params:
        """A copy with the subgroup's effect replaced by ``value`` (natural scale)."""
        g = dict(self.subgroup(which))
        v = np.asarray(value, dtype=float)
        if self.endpoint == "continuous":
            g["mean_difference"] = v
        elif self.endpoint == "binary":
            g["treatment_rate"] = g["control_rate"] + v
        else:
            g["hazard_ratio"] = v
        return replace(self, **{which: MappingProxyType(g)})

    def with_allocation(self, allocation_ratio: float) -> Params:
        return replace(self, allocation_ratio=float(allocation_ratio))


def params_from_scenario(
    scenario: Scenario,
    *,
    prevalence: ArrayLike | None = None,
    positive_effect: ArrayLike | None = None,
    negative_effect: ArrayLike | None = None,
    sensitivity: ArrayLike | None = None,
    specificity: ArrayLike | None = None,
) -> Params:
    """Numeric parameters of ``scenario``; any keyword replaces that input by an array."""
    pop = scenario.population
    t = scenario.testing
    surv = scenario.survival
    par = Params(
        endpoint=scenario.endpoint,
        method=scenario.method,
        prevalence=np.asarray(pop.prevalence if prevalence is None else prevalence, dtype=float),
        sensitivity=np.asarray(pop.assay_sensitivity if sensitivity is None else sensitivity, dtype=float),
        specificity=np.asarray(pop.assay_specificity if specificity is None else specificity, dtype=float),
        allocation_ratio=float(t.allocation_ratio),
        alpha=float(t.alpha),
        sides=int(t.sides),
        sign=1.0 if t.better == "higher" else -1.0,
        heterogeneity_variance=bool(t.heterogeneity_variance),
        positive=MappingProxyType(_subgroup_arrays(scenario.positive)),
        negative=MappingProxyType(_subgroup_arrays(scenario.negative)),
        accrual_time=float(surv.accrual_time) if surv else 0.0,
        follow_up_time=float(surv.follow_up_time) if surv else 0.0,
        dropout_hazard=dropout_hazard(surv.dropout_rate, surv.dropout_time) if surv else 0.0,
        null_effect=getattr(t, "null_effect", None),
    )
    if scenario.endpoint == "survival":
        from .survival_nph import piecewise_params  # noqa: PLC0415 (imports planner.contrasts)

        par = replace(par, **piecewise_params(scenario))
    if positive_effect is not None:
        par = par.with_effect("positive", positive_effect)
    if negative_effect is not None:
        par = par.with_effect("negative", negative_effect)
    return par
