"""The scenario: everything a statistician assumes about one planned trial.

Frozen dataclasses mirroring the JSON scenario format (``docs/scenario-format.md``,
contract version 1). Reading, validating and writing files lives in
:mod:`planner.scenario_io`; this module only holds the data and its defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from .catalogue import ALL_DESIGNS, FIXED_DESIGNS, codes  # noqa: F401 (re-exported)
from .groupseq.plan import InterimPlan

#: a fixed design without its own ``interim`` block follows the scenario's (top-level) plan
INHERIT = "inherit"

Endpoint = Literal["continuous", "binary", "survival"]
ENDPOINTS: tuple[str, ...] = codes("endpoint")

#: Test method per endpoint; the first one is the default.
METHODS: dict[str, tuple[str, ...]] = {e: codes(f"method.{e}") for e in ENDPOINTS}


MULTIPLICITY: tuple[str, ...] = codes("multiplicity")
SIZE_FOR: tuple[str, ...] = codes("size_for")
CONTROL_ARMS: tuple[str, ...] = codes("control_arm")

BOUNDARIES: tuple[str, ...] = codes("boundaries")
INTERSECTION_TESTS: tuple[str, ...] = codes("intersection_test")
SELECTION_RULES: tuple[str, ...] = codes("selection_rule")
EFFECT_MEASURES: tuple[str, ...] = codes("effect_measure")
SUCCESS_CRITERIA: tuple[str, ...] = codes("success_criterion")
ADAPTIVE_CORRELATIONS: tuple[str, ...] = codes("adaptive_correlation")
COMBINATIONS: tuple[str, ...] = codes("combination")
RECALCULATION_EFFECTS: tuple[str, ...] = codes("recalculation_effect")


@dataclass(frozen=True)
class Cell:
    """One disjoint cell of the screened population, as the trial's assay classifies patients
    (scenario version 2, ``population.cells``); its outcomes are ``Scenario.cells[name]``."""

    name: str
    prevalence: float


@dataclass(frozen=True)
class NamedPopulation:
    """A population that can be tested, selected or enriched for: a non-empty proper union of
    cells (``population.populations``). The full population F (all cells) is implicit."""

    name: str
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Population:
    """True B+ prevalence and the eligibility assay's accuracy.

    A scenario in the cells form (version 2, several populations) has ``cells`` (2–8, prevalences
    summing to 1) and ``populations`` (1–3); ``prevalence`` is then the first population's
    prevalence, and the assay is exact (the cells are what the assay reports).
    """

    prevalence: float
    assay_sensitivity: float = 1.0
    assay_specificity: float = 1.0
    #: share of screened patients whose biomarker test gives no result (planner.dropout)
    assay_failure: float = 0.0
    #: share of screened patients ineligible for reasons other than the biomarker
    screen_failure: float = 0.0
    #: the cells form (several populations): disjoint cells and the populations made of them
    cells: tuple[Cell, ...] = ()
    populations: tuple[NamedPopulation, ...] = ()


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
class BinaryEffect:
    """A binary treatment effect as entered (``planner.effect_scales``): scale and value."""

    scale: str
    value: float


@dataclass(frozen=True)
class BinarySubgroup:
    """Binary endpoint: probabilities of the outcome on control and on treatment.

    ``effect`` is the effect as the user entered it (risk difference, risk ratio or odds ratio);
    ``treatment_rate`` is then derived from it and the control rate, and the file keeps ``effect``.
    """

    control_rate: float
    treatment_rate: float
    effect: BinaryEffect | None = None


@dataclass(frozen=True)
class SurvivalSubgroup:
    """Time-to-event endpoint: exponential control median and proportional-hazards HR.

    ``piecewise`` (a :class:`planner.piecewise.PiecewiseSurvival`, scenario version 2) replaces
    them in the file; the two numbers are then derived for display and for the one-number
    effect of curves and the detectable effect (:mod:`planner.scenario_piecewise`): the control
    curve's median and the subgroup's average hazard ratio at the planned analysis.
    """

    control_median: float
    hazard_ratio: float
    piecewise: Any = None


Subgroup = ContinuousSubgroup | BinarySubgroup | SurvivalSubgroup


@dataclass(frozen=True)
class SurvivalSettings:
    """Uniform accrual over ``accrual_time`` then ``follow_up_time``; exponential dropout."""

    accrual_time: float
    follow_up_time: float
    dropout_rate: float = 0.0
    dropout_time: float = 12.0
    time_unit: str = "months"
    #: relative accrual intensities (:class:`planner.piecewise.PiecewiseAccrual`); None: uniform
    accrual: Any = None


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
    #: θ0 of H0 on the effect's natural scale (None: no effect; planner.noninferiority)
    null_effect: float | None = None
    #: share of randomized patients without an evaluable outcome (planner.dropout)
    dropout: float = 0.0
    #: binary: also the exact power of the z-test and Fisher's test (planner.exact_binary)
    exact_power: bool = False

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
    #: cells form: the populations tested in a fixed sequence (names; "F" the full population)
    order: tuple[str, ...] | None = None
    #: cells form, targeted: the population randomized (None: the first)
    population: str | None = None
    # strategy
    control_arm: str = "standard"
    #: interim analyses: :data:`INHERIT` (the scenario's plan), None (switched off) or a plan
    interim: InterimPlan | None | str = INHERIT


@dataclass(frozen=True)
class Selection:
    """Interim population selection rule of the adaptive design."""

    rule: str = "best"
    epsilon: float = 0.0
    threshold: float = 0.0
    #: ``rbest``: the number of populations selected (rpact ``rValue``)
    r: int = 1


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
    combination: str = "inverse_normal"  # or "fisher" (rpact getDesignFisher)
    sample_size_recalculation: SampleSizeRecalculation | None = None
    #: results kept by the app (planner.kept_results); never part of the assumptions
    results: dict | None = field(default=None, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class SampleSizeRecalculation:
    """Conditional-power sample-size recalculation (rpact ``conditionalPower``,
    ``min/maxNumberOfSubjectsPerStage``): stage-wise bounds, the first entries the first stage's size;
    survival uses ``min_events``/``max_events``."""

    conditional_power: float = 0.9
    min_subjects: tuple[float, ...] | None = None
    max_subjects: tuple[float, ...] | None = None
    min_events: tuple[float, ...] | None = None
    max_events: tuple[float, ...] | None = None
    effect: str = "observed"  # "observed" (rpact) | "planning"


DesignOptions = FixedDesignOptions | AdaptiveOptions

#: Largest number of characters of one provenance note.
NOTE_MAX_CHARS = 10_000


def _same_value(recorded: Any, current: Any) -> bool:
    """Whether ``current`` is the value ``recorded`` (numbers to 1e-9 relative; objects key by key)."""
    if isinstance(recorded, dict):
        return isinstance(current, dict) and all(
            _same_value(v, current.get(k)) for k, v in recorded.items()
        )
    if isinstance(recorded, list):
        return isinstance(current, (list, tuple)) and len(recorded) == len(current) and all(
            _same_value(a, b) for a, b in zip(recorded, current)
        )
    numbers = (int, float)
    if isinstance(recorded, numbers) and isinstance(current, numbers) and not isinstance(recorded, bool) \
            and not isinstance(current, bool):
        return abs(recorded - current) <= 1e-9 * max(abs(recorded), abs(current)) + 1e-12
    return recorded == current


@dataclass(frozen=True)
class ProvenanceNote:
    """Where an assumption comes from: free text, and the value it was written for.

    In a file a note is either plain text (``"IPASS: 261 of 437"``: the value is not recorded)
    or ``{"source": "IPASS: 261 of 437", "value": 0.6}``. ``value`` is the annotated path's value
    when the note was written: a number, text or list for a field, an object (some of the
    block's fields) for a block such as ``survival``. :meth:`describes` tells whether the note
    still describes a current value.
    """

    source: str
    value: Any = None

    def __str__(self) -> str:
        return self.source

    @classmethod
    def from_json(cls, raw: Any) -> ProvenanceNote:
        """A note from its file form; raises ``ValueError`` (the reason) for anything else."""
        if isinstance(raw, str):
            source, value = raw, None
        elif isinstance(raw, dict):
            unknown = sorted(set(raw) - {"source", "value"})
            if unknown:
                raise ValueError(f"unknown key {unknown[0]!r} (expected source and value)")
            source, value = raw.get("source"), raw.get("value")
            if not isinstance(source, str):
                raise ValueError("needs a text 'source'")
        else:
            raise ValueError("must be text or {\"source\": text, \"value\": the value it was written for}")
        if len(source) > NOTE_MAX_CHARS:
            raise ValueError(f"must be at most {NOTE_MAX_CHARS:,} characters")
        return cls(source, value)

    def to_json(self) -> Any:
        """Plain text when no value is recorded (the version 1 form), else the object."""
        return self.source if self.value is None else {"source": self.source, "value": self.value}

    def describes(self, current: Any) -> bool:
        """False when the note records a value and ``current`` differs from it."""
        return self.value is None or _same_value(self.value, current)


#: Scenario fields held as read-only mappings (compared as dicts)
_MAPPINGS = ("designs", "provenance", "cells")


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
    #: field path (or block) → :class:`ProvenanceNote` (plain strings are converted)
    provenance: Mapping[str, ProvenanceNote] = field(default_factory=dict)
    #: optional distributions of uncertain inputs (``planner.uncertainty``), for assurance
    uncertainty: object | None = None
    title: str = ""
    notes: str = ""
    #: the format version the scenario is described in (files of version 1 are read as version 2)
    version: int = 2
    #: the top-level ``interim`` block (group-sequential plan of every fixed design), or None
    interim: InterimPlan | None = None
    #: cells form: each cell's outcome fields (as ``positive``/``negative``), by cell name; in that
    #: form ``positive``/``negative`` hold the first population and its complement (for display)
    cells: Mapping[str, Subgroup] = field(default_factory=dict)
    #: the optional ``biomarker`` block of the cutoff explorer (:class:`planner.cutoff.Biomarker`)
    biomarker: object | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "designs", _frozen(self.designs))
        object.__setattr__(self, "cells", _frozen(self.cells))
        notes = {k: v if isinstance(v, ProvenanceNote) else ProvenanceNote.from_json(v)
                 for k, v in dict(self.provenance or {}).items()}
        object.__setattr__(self, "provenance", _frozen(notes))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scenario):
            return NotImplemented
        return all(
            (dict(getattr(self, f)) if f in _MAPPINGS else getattr(self, f))
            == (dict(getattr(other, f)) if f in _MAPPINGS else getattr(other, f))
            for f in self.__dataclass_fields__
        )

    def __hash__(self) -> int:
        return hash((self.endpoint, self.population, self.positive, self.negative, self.testing))

    @property
    def method(self) -> str:
        return self.testing.method_for(self.endpoint)

    @property
    def has_cells(self) -> bool:
        """Whether the scenario is in the cells form (several populations, version 2)."""
        return bool(self.population.cells)

    def interim_for(self, name: str) -> InterimPlan | None:
        """The group-sequential plan in force for fixed design ``name`` (None: fixed sample)."""
        opts = self.designs.get(name)
        own = opts.interim if isinstance(opts, FixedDesignOptions) else INHERIT
        return self.interim if own == INHERIT else own

    def resolved_options(self, name: str, opts: FixedDesignOptions | None = None) -> FixedDesignOptions:
        """``opts`` (default: the file's options of ``name``) with the plan in force set in ``interim``."""
        if not isinstance(opts, FixedDesignOptions):
            own = self.designs.get(name)
            opts = own if isinstance(own, FixedDesignOptions) else FixedDesignOptions()
        if opts.interim != INHERIT:
            return opts
        from dataclasses import replace  # noqa: PLC0415

        return replace(opts, interim=self.interim)

    def fixed_designs(self) -> dict[str, FixedDesignOptions]:
        """The fixed designs to compute, in the canonical order."""
        return {
            name: opts
            for name in FIXED_DESIGNS
            if isinstance(opts := self.designs.get(name), FixedDesignOptions)
        }
