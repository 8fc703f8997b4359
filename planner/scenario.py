"""The scenario: everything a statistician assumes about one planned trial.

Frozen dataclasses mirroring the JSON scenario format (``docs/scenario-format.md``,
contract version 1). Reading, validating and writing files lives in
:mod:`planner.scenario_io`; this module only holds the data and its defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

Endpoint = Literal["continuous", "binary", "survival"]
ENDPOINTS: tuple[str, ...] = ("continuous", "binary", "survival")

#: Test method per endpoint; the first one is the default.
METHODS: dict[str, tuple[str, ...]] = {
    "continuous": ("t", "z"),
    "binary": ("pooled", "unpooled", "arcsine"),
    "survival": ("schoenfeld", "freedman"),
}

FIXED_DESIGNS: tuple[str, ...] = ("all_comers", "targeted", "stratified", "strategy", "interaction")
ALL_DESIGNS: tuple[str, ...] = FIXED_DESIGNS + ("adaptive",)

MULTIPLICITY: tuple[str, ...] = (
    "spiessens_debois",
    "bonferroni",
    "fixed_sequence_overall_first",
    "fixed_sequence_subgroup_first",
    "fallback",
)
SIZE_FOR: tuple[str, ...] = ("subgroup", "overall", "either", "both")
CONTROL_ARMS: tuple[str, ...] = ("standard", "randomized")

BOUNDARIES: tuple[str, ...] = ("obrien_fleming", "pocock", "no_early_efficacy")
INTERSECTION_TESTS: tuple[str, ...] = ("simes", "spiessens_debois", "bonferroni", "sidak")
SELECTION_RULES: tuple[str, ...] = ("best", "epsilon", "all", "threshold")
EFFECT_MEASURES: tuple[str, ...] = ("effect_estimate", "test_statistic")
SUCCESS_CRITERIA: tuple[str, ...] = ("at_least_one", "all")
ADAPTIVE_CORRELATIONS: tuple[str, ...] = ("information", "rpact_head_count")


@dataclass(frozen=True)
class Population:
    """True B+ prevalence and the eligibility assay's accuracy."""

    prevalence: float
    assay_sensitivity: float = 1.0
    assay_specificity: float = 1.0


@dataclass(frozen=True)
class ContinuousSubgroup:
    """Continuous endpoint in one true-marker subgroup.

    ``control_mean`` (an extension of the contract, default 0) lets the marker be prognostic;
    it only matters where B+ and B− patients are mixed in one arm.
    """

    mean_difference: float
    sd: float
    control_mean: float = 0.0


@dataclass(frozen=True)
class BinarySubgroup:
    """Binary endpoint: probabilities of the outcome on control and on treatment."""

    control_rate: float
    treatment_rate: float


@dataclass(frozen=True)
class SurvivalSubgroup:
    """Time-to-event endpoint: exponential control median and proportional-hazards HR."""

    control_median: float
    hazard_ratio: float


Subgroup = ContinuousSubgroup | BinarySubgroup | SurvivalSubgroup


@dataclass(frozen=True)
class SurvivalSettings:
    """Uniform accrual over ``accrual_time`` then ``follow_up_time``; exponential dropout."""

    accrual_time: float
    follow_up_time: float
    dropout_rate: float = 0.0
    dropout_time: float = 12.0
    time_unit: str = "months"


@dataclass(frozen=True)
class Testing:
    """Error rates, allocation (treatment : control), direction and test method."""

    alpha: float = 0.025
    sides: int = 1
    power: float = 0.8
    allocation_ratio: float = 1.0
    better: Literal["higher", "lower"] = "higher"
    method: str | None = None
    heterogeneity_variance: bool = True

    def method_for(self, endpoint: str) -> str:
        """The test method in force for ``endpoint`` (the endpoint's default if unset)."""
        return self.method or METHODS[endpoint][0]


@dataclass(frozen=True)
class Costs:
    per_screened: float = 0.0
    per_randomized: float = 0.0
    currency: str = "USD"


@dataclass(frozen=True)
class Recruitment:
    screening_rate: float | None = None


@dataclass(frozen=True)
class FixedDesignOptions:
    """Options of a fixed (non-adaptive) design.

    ``n_randomized`` (total, both arms) or, for survival, ``events`` fix the size; the design
    then reports power and the detectable B+ effect instead of solving for a size.
    """

    n_randomized: int | None = None
    events: int | None = None
    # stratified
    multiplicity: str = "spiessens_debois"
    alpha_split: float | None = None
    size_for: str = "subgroup"
    # strategy
    control_arm: str = "standard"


@dataclass(frozen=True)
class Selection:
    """Interim population selection rule of the adaptive design."""

    rule: str = "best"
    epsilon: float = 0.0
    threshold: float = 0.0


@dataclass(frozen=True)
class AdaptiveOptions:
    """Adaptive enrichment design, semantics as rpact ``getSimulationEnrichment*``."""

    information_rates: tuple[float, ...] = (0.5, 1.0)
    planned_subjects: tuple[float, ...] | None = None
    planned_events: tuple[float, ...] | None = None
    boundaries: str = "obrien_fleming"
    futility_bounds: tuple[float, ...] | None = None
    intersection_test: str = "simes"
    selection: Selection = field(default_factory=Selection)
    effect_measure: str = "effect_estimate"
    stratified_analysis: bool = True
    success_criterion: str = "at_least_one"
    simulations: int = 10000
    seed: int = 12345
    correlation: str = "information"  # Spiessens–Debois ρ: statistics' or rpact's √(n_S/n_F)


DesignOptions = FixedDesignOptions | AdaptiveOptions


def _frozen(mapping: Mapping | None) -> Mapping:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class Scenario:
    """One planned trial: population, subgroup assumptions, testing, costs and designs."""

    endpoint: str
    population: Population
    positive: Subgroup
    negative: Subgroup
    testing: Testing = field(default_factory=Testing)
    survival: SurvivalSettings | None = None
    costs: Costs | None = None
    recruitment: Recruitment | None = None
    designs: Mapping[str, DesignOptions] = field(default_factory=dict)
    provenance: Mapping[str, str] = field(default_factory=dict)
    #: optional distributions of uncertain inputs (``planner.uncertainty``), for assurance
    uncertainty: object | None = None
    title: str = ""
    notes: str = ""
    version: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "designs", _frozen(self.designs))
        object.__setattr__(self, "provenance", _frozen(self.provenance))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scenario):
            return NotImplemented
        return all(
            (dict(getattr(self, f)) if f in ("designs", "provenance") else getattr(self, f))
            == (dict(getattr(other, f)) if f in ("designs", "provenance") else getattr(other, f))
            for f in self.__dataclass_fields__
        )

    def __hash__(self) -> int:
        return hash((self.endpoint, self.population, self.positive, self.negative, self.testing))

    @property
    def method(self) -> str:
        return self.testing.method_for(self.endpoint)

    def fixed_designs(self) -> dict[str, FixedDesignOptions]:
        """The fixed designs to compute, in the canonical order."""
        return {
            name: opts
            for name in FIXED_DESIGNS
            if isinstance(opts := self.designs.get(name), FixedDesignOptions)
        }
