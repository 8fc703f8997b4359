"""Numeric parameters of a scenario, as numpy arrays so that every formula vectorizes.

:func:`params_from_scenario` turns a :class:`~planner.scenario.Scenario` into :class:`Params`;
keyword overrides replace one input by an array (a curve over prevalence, a grid of B− effects)
so that a whole curve is computed in one pass without a Python loop over its points.

Effects are on each endpoint's natural scale ("effect parameter"):
continuous ``mean_difference``; binary the risk difference treatment − control (the treatment
rate is control + difference); survival the ``hazard_ratio``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
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
    #: the cells form (several populations, :mod:`planner.populations`): each cell's outcome arrays by
    #: name, and the cells' prevalences and populations; empty / None in the two-subgroup form
    cells: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    structure: object | None = None

    @property
    def p(self) -> float:
        """Fraction randomized to treatment, r / (1 + r)."""
        return self.allocation_ratio / (1.0 + self.allocation_ratio)

    @property
    def shape(self) -> tuple[int, ...]:
        arrays = [self.prevalence, self.sensitivity, self.specificity]
        arrays += list(self.positive.values()) + list(self.negative.values())
        if self.structure is not None:
            arrays += [a for g in self.cells.values() for a in g.values()] + list(self.structure.prevalence)
        return np.broadcast_shapes(*(np.shape(a) for a in arrays))

    def subgroup(self, which: str) -> MappingProxyType:
        """The outcome arrays of an outcome group: ``positive``, ``negative`` or a cell's name."""
        if which in self.cells:
            return self.cells[which]
        return self.positive if which == "positive" else self.negative

    def groups_of(self, which: str) -> tuple[str, ...]:
        """The cells form: the cells an effect of ``positive`` (the first population) or ``negative``
        (its complement) stands for; a cell's own name; the two-subgroup form: ``which`` itself."""
        if self.structure is None or which in self.cells:
            return (which,)
        st = self.structure
        first = set(st.populations[0][1])
        inside = which == "positive"
        return tuple(name for i, name in enumerate(st.cells) if (i in first) == inside)

    def effect(self, which: str) -> np.ndarray:
        """The subgroup's effect on the natural scale (see module docstring)."""
        g = self.subgroup(which)
        if self.endpoint == "continuous":
            return g["mean_difference"]
        if self.endpoint == "binary":
            return g["treatment_rate"] - g["control_rate"]
        return g["hazard_ratio"]

    def with_effect(self, which: str, value: ArrayLike) -> Params:
        """A copy with the subgroup's effect replaced by ``value`` (natural scale).

        The cells form: ``positive``/``negative`` are the prevalence-weighted summaries of the first
        population and of its complement; setting one's effect shifts the effect of every cell it
        stands for by the same amount (hazard ratios by the same factor), so that the summary
        becomes ``value`` and the cells keep their differences (at the current value nothing
        changes); a cell's name sets that cell's effect.
        """
        if self.structure is not None and which not in self.cells:
            return self._shift_cells(which, value)
        g = dict(self.subgroup(which))
        v = np.asarray(value, dtype=float)
        if self.endpoint == "continuous":
            g["mean_difference"] = v
        elif self.endpoint == "binary":
            g["treatment_rate"] = g["control_rate"] + v
        else:
            g["hazard_ratio"] = v
        if which in self.cells:
            return replace(self, cells=MappingProxyType({**self.cells, which: MappingProxyType(g)}))
        return replace(self, **{which: MappingProxyType(g)})

    def _shift_cells(self, which: str, value: ArrayLike) -> Params:
        v = np.asarray(value, dtype=float)
        current = self.effect(which)
        cells = dict(self.cells)
        for name in self.groups_of(which):
            g = dict(cells[name])
            if self.endpoint == "continuous":
                g["mean_difference"] = g["mean_difference"] + (v - current)
            elif self.endpoint == "binary":
                g["treatment_rate"] = g["treatment_rate"] + (v - current)
            else:
                g["hazard_ratio"] = g["hazard_ratio"] * (v / current)
            cells[name] = MappingProxyType(g)
        summary = replace(self, structure=None).with_effect(which, v)
        return replace(summary, structure=self.structure, cells=MappingProxyType(cells))

    def with_allocation(self, allocation_ratio: float) -> Params:
        return replace(self, allocation_ratio=float(allocation_ratio))


def _cells_piecewise(scenario: Scenario, par: Params) -> dict:
    """The cells form with piecewise cells or accrual: each cell's model for the piecewise engine
    (:mod:`planner.survival_nph`), beside the summaries' (``positive``/``negative``)."""
    from .piecewise.model import PiecewiseSurvival  # noqa: PLC0415
    from .scenario_piecewise import survival_setting  # noqa: PLC0415
    from .survival import hazard_from_median  # noqa: PLC0415

    acc = scenario.survival.accrual
    if not ((acc is not None and not acc.uniform)
            or any(s.piecewise is not None and s.piecewise.pieces > 1 for s in scenario.cells.values())):
        return {}
    models = dict(par.piecewise or {})
    for which, sub in (("positive", scenario.positive), ("negative", scenario.negative), *scenario.cells.items()):
        model = sub.piecewise or PiecewiseSurvival.exponential(float(hazard_from_median(sub.control_median)),
                                                               sub.hazard_ratio)
        models[which] = (model, float(sub.hazard_ratio))
    return {"piecewise": MappingProxyType(models),
            "survival_setting": survival_setting(scenario.survival, scenario.testing.allocation_ratio)}


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
    if scenario.has_cells:
        from .populations import cells_structure  # noqa: PLC0415

        cells = {name: MappingProxyType(_subgroup_arrays(sub)) for name, sub in scenario.cells.items()}
        par = replace(par, cells=MappingProxyType(cells), structure=cells_structure(scenario.population, prevalence))
    if scenario.endpoint == "survival":
        from .survival_nph import piecewise_params  # noqa: PLC0415 (imports planner.contrasts)

        par = replace(par, **piecewise_params(scenario))
        if scenario.has_cells:
            par = replace(par, **_cells_piecewise(scenario, par))
    if positive_effect is not None:
        par = par.with_effect("positive", positive_effect)
    if negative_effect is not None:
        par = par.with_effect("negative", negative_effect)
    return par
