"""Every scenario field: path, label, unit, valid range, default, tooltip; limits and defaults."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .names import (
    CELL_COUNT,
    DESIGNS,
    FIXED_DESIGNS,
    FULL_POPULATION,
    OPTIONS,
    POPULATION_COUNT,
    SUBGROUP_WORDS,
)


class _Required:
    """Marks a field that has no default: the scenario file must give it."""

    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()

#: Practical limits shared by several fields (docs/scenario-format.md, "Limits"). Inside them the
#: arithmetic is exact to double precision: no product or quotient of two valid inputs overflows
#: or underflows, and every count (patients, screened, events) stays below 2**53.
N_LIMIT = 100_000_000  # the largest total randomized N or events (the solver's upper end)
PROPORTION_LIMIT = 1e-4  # prevalence within [1e-4, 1 − 1e-4]: at most 10,000 screened per B+
RATE_LIMIT = 1e-6  # binary rates within [1e-6, 1 − 1e-6] (as the uncertainty draws)
ASSAY_LIMIT = 1e-3  # sensitivity and specificity at least 0.001
SCALE_LIMIT = 1e9  # |means|, SDs and their differences, in outcome units: SD within [1e-9, 1e9]
TIME_LIMITS = (1e-3, 1e5)  # medians, accrual, follow-up and dropout times, in the time unit
HR_LIMITS = (1e-3, 1e3)
COST_LIMIT = 1e12  # per screened or randomized patient, in the currency


def _num(value: float) -> str:
    """A bound as people write it: 0.025, 4, 100,000,000, 1e-06."""
    if value == 2**63:
        return "2^63"
    v = float(value)
    if v.is_integer() and abs(v) < 1e9:
        return f"{int(v):,}"
    return f"{v:g}"


@dataclass(frozen=True)
class FieldSpec:
    """One editable field of the scenario: meaning, validity (machine-readable) and widget hints.

    Validity of a number: ``gt``/``lt`` are the open bounds of its meaning (a prevalence is > 0
    and < 1) and ``ge``/``le`` the closed, practical limits inside which the arithmetic is exact
    (see the module's ``*_LIMIT`` constants). The reader checks them in the order gt, ge, lt, le
    and reports the first one broken; ``valid`` is derived from them, so text and check agree.
    ``integer`` asks for a whole number; ``default`` is the value of an absent field
    (:data:`REQUIRED`: none, the file must give it; ``None``: optional, left empty).
    """

    path: str
    label: str
    kind: str  # "float" | "int" | "choice" | "bool" | "text" | "list"
    meaning: str
    note: str = ""  # validity beyond the bounds, in words (cross-field rules)
    example: str = ""
    gt: float | None = None
    ge: float | None = None
    lt: float | None = None
    le: float | None = None
    default: Any = REQUIRED
    unit: str = ""
    decimals: int = 4
    step: float = 0.01
    choices: tuple[tuple[Any, str], ...] = ()
    endpoints: tuple[str, ...] = ("continuous", "binary", "survival")
    optional: bool = False  # a number that may be left empty (None): spin box at its minimum, "default"
    group: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def integer(self) -> bool:
        return self.kind == "int"

    @property
    def lo(self) -> float:
        """The editor's minimum: the open bound itself (so that it can be typed and explained),
        else the closed one; for an optional whole number one below it (the "empty" value)."""
        low = self.gt if self.gt is not None else self.ge
        if low is None:
            return -SCALE_LIMIT
        return low - 1 if self.optional and self.integer else low

    @property
    def hi(self) -> float:
        """The editor's maximum (the open upper bound, else the closed one)."""
        high = self.lt if self.lt is not None else self.le
        return SCALE_LIMIT if high is None else high

    @property
    def valid(self) -> str:
        """Validity in words, derived from the bounds (plus ``note``)."""
        lower = ("[", self.ge) if self.ge is not None else ("(", self.gt) if self.gt is not None else None
        upper = ("]", self.le) if self.le is not None else (")", self.lt) if self.lt is not None else None
        if lower and upper:
            text = f"in {lower[0]}{_num(lower[1])}, {_num(upper[1])}{upper[0]}"
        elif lower:
            text = f"{'≥' if lower[0] == '[' else '>'} {_num(lower[1])}"
        elif upper:
            text = f"{'≤' if upper[0] == ']' else '<'} {_num(upper[1])}"
        else:
            text = ""
        if self.integer and text:
            text = f"whole number {text}"
        if self.optional and text:
            text += ", or empty"
        return "; ".join(t for t in (text, self.note) if t)

    @property
    def tooltip(self) -> str:
        unit = f" ({self.unit})" if self.unit else ""
        parts = [f"<b>{self.label}</b>{unit} <code>{self.path}</code><br>{self.meaning}"]
        if self.valid:
            parts.append(f"<br><i>Valid:</i> {self.valid}")
        if self.example:
            parts.append(f"<br><i>Example:</i> {self.example}")
        return "".join(parts)


def _f(path, label, meaning, example="", *, decimals=4, step=0.01, **kw) -> FieldSpec:
    return FieldSpec(path, label, "float", meaning, example=example, decimals=decimals, step=step, **kw)


CONT = ("continuous",)
BIN = ("binary",)
SURV = ("survival",)
_TIME = dict(ge=TIME_LIMITS[0], le=TIME_LIMITS[1], unit="time unit", decimals=2, step=1.0)
_RATE = dict(gt=0.0, ge=RATE_LIMIT, lt=1.0, le=1 - RATE_LIMIT, unit="probability", endpoints=BIN)


def _subgroup_fields(key: str, tag: str) -> list[FieldSpec]:
    who = "true biomarker-positive (B+)" if key == "positive" else "true biomarker-negative (B−)"
    return [
        _f(f"{key}.mean_difference", "Mean difference", f"Treatment − control mean of the outcome in {who} patients.",
           "0.5", note="the direction of benefit is set by 'Better'", ge=-SCALE_LIMIT, le=SCALE_LIMIT,
           unit="outcome units", step=0.1, endpoints=CONT, group=key),
        _f(f"{key}.sd", "Standard deviation", f"Within-arm SD of the outcome in {who} patients.",
           "1.0", gt=0.0, ge=1 / SCALE_LIMIT, le=SCALE_LIMIT, unit="outcome units", step=0.1, endpoints=CONT,
           group=key),
        _f(f"{key}.control_mean", "Control mean", f"Control-arm mean in {who} patients (a prognostic marker); "
           "matters only where B+ and B− patients are mixed.", "0", default=0.0, ge=-SCALE_LIMIT, le=SCALE_LIMIT,
           unit="outcome units", step=0.1, endpoints=CONT, group=key),
        _f(f"{key}.control_rate", "Control rate", f"Probability of the outcome on control in {who} patients.",
           "0.30", group=key, extra={"display": "percent"}, **_RATE),
        _f(f"{key}.treatment_rate", "Treatment rate", f"Probability of the outcome on treatment in {who} patients.",
           "0.45", group=key, extra={"display": "percent"}, **_RATE),
        _f(f"{key}.control_median", "Control median", f"Median time to event on control in {who} patients "
           "(exponential), in the survival time unit.", "6.3", gt=0.0, **{**_TIME, "decimals": 3, "step": 0.5},
           endpoints=SURV, group=key),
        _f(f"{key}.hazard_ratio", "Hazard ratio", f"Treatment / control hazard ratio in {who} patients; "
           "below 1 is benefit.", "0.48", gt=0.0, ge=HR_LIMITS[0], le=HR_LIMITS[1], unit="treatment / control",
           step=0.05, endpoints=SURV, group=key),
    ]


#: what an empty fixed-size spin box shows
SOLVE_TEXT = "solve"


def _design_size_fields() -> list[FieldSpec]:
    """``designs.<name>.n_randomized`` and (survival) ``designs.<name>.events`` of every fixed design."""
    out = []
    for name in FIXED_DESIGNS:
        label = DESIGNS[name].lower
        out.append(FieldSpec(
            f"designs.{name}.n_randomized", "Fixed N", "int",
            f"Total randomized (both arms) of the {label} design, fixed instead of solved for: the comparison "
            "then reports its power and detectable B+ effect at this N (Solve for: 'As in the file'). "
            f"Empty ('{SOLVE_TEXT}'): solve for the size reaching the target power.",
            example="400", ge=4, le=N_LIMIT, default=None, unit="patients, total", decimals=0, step=10,
            optional=True, group="design_sizes", extra={"design": name, "column": 1, "empty_text": SOLVE_TEXT},
        ))
        out.append(FieldSpec(
            f"designs.{name}.events", "Fixed events", "int",
            f"Events at the analysis of the {label} design (event-driven), fixed instead of solved for: power is "
            "computed at these events. With a fixed N and no events: the events expected at N under the accrual, "
            f"follow-up and dropout. Empty ('{SOLVE_TEXT}'): from the fixed N, or solved for.",
            note="at most the fixed N", example="200", ge=2, le=N_LIMIT, default=None, unit="events",
            decimals=0, step=10, endpoints=("survival",), optional=True, group="design_sizes",
            extra={"design": name, "column": 2, "empty_text": SOLVE_TEXT},
        ))
    return out


INPUT_FIELDS: list[FieldSpec] = [
    FieldSpec("title", "Title", "text", "Short name of the planned trial; shown in the window title and reports.",
              example="EGFR-mutant NSCLC, first-line TKI", default="", group="general"),
    FieldSpec("notes", "Notes", "text", "Free text: outcome, population, anything worth keeping with the file.",
              default="", group="general", extra={"multiline": True}),
    FieldSpec("endpoint", "Endpoint", "choice", "Type of the primary endpoint; decides which subgroup "
              "assumptions apply.", "continuous, binary or time to event", "survival",
              choices=OPTIONS["endpoint"], group="general"),
    _f("population.prevalence", "Prevalence (B+)", "True fraction of biomarker-positive patients in the "
       "screened population.", "0.6 (IPASS: 261 of 437)", gt=0.0, ge=PROPORTION_LIMIT, lt=1.0,
       le=1 - PROPORTION_LIMIT, unit="proportion", group="population"),
    _f("population.assay_sensitivity", "Assay sensitivity", "P(test+ | B+) of the assay that decides eligibility.",
       "0.95", note="sensitivity + specificity > 1", gt=0.0, ge=ASSAY_LIMIT, le=1.0, default=1.0,
       unit="probability", group="population"),
    _f("population.assay_specificity", "Assay specificity", "P(test− | B−) of the eligibility assay.",
       "0.90", note="sensitivity + specificity > 1", gt=0.0, ge=ASSAY_LIMIT, le=1.0, default=1.0,
       unit="probability", group="population"),
    *_subgroup_fields("positive", "B+"),
    *_subgroup_fields("negative", "B−"),
    _f("testing.alpha", "Alpha", "Type I error rate; one-sided, or two-sided (α/2 per side) as set by 'Sides'.",
       "0.025", gt=0.0, ge=1e-6, lt=0.5, default=0.025, step=0.005, group="testing"),
    FieldSpec("testing.sides", "Sides", "choice", "One-sided or two-sided test (two-sided uses α/2 in the "
              "direction of benefit).", "1 or 2", "1", default=1, choices=OPTIONS["sides"], group="testing"),
    _f("testing.power", "Target power", "Power the sample size is solved for.", "0.9", note="above alpha",
       gt=0.0, lt=1.0, le=0.999999, default=0.8, group="testing"),
    _f("testing.allocation_ratio", "Allocation (treatment : control)", "Patients on treatment per patient on "
       "control; 2 means 2 : 1.", "2 means 2 : 1", gt=0.0, ge=1e-3, le=1e3, default=1.0,
       unit="treatment : control", decimals=3, step=0.25, group="testing", extra={"suffix": " : 1"}),
    FieldSpec("testing.better", "Better", "choice", "Whether a higher mean/rate is the benefit (a response rate) "
              "or the harm (a stroke rate).", "higher or lower", "lower for a stroke rate", default="higher",
              choices=OPTIONS["better"], endpoints=CONT + BIN,
              group="testing"),
    FieldSpec("testing.method", "Test method", "choice", "Test and sample-size formula; the first is the default.",
              "depends on the endpoint", "pooled (as rpact getSampleSizeRates)", default=None, group="testing",
              extra={"per_endpoint": {e: OPTIONS[f"method.{e}"] for e in ("continuous", "binary", "survival")}}),
    FieldSpec("testing.heterogeneity_variance", "Effect spread in variance", "bool",
              "In a mixed arm the variance includes the spread of subgroup means: σ² + γ(1 − γ)(δ+ − δ−)².",
              "on or off", "on (default)", default=True, endpoints=CONT, group="testing"),
    _f("survival.accrual_time", "Accrual time", "Duration of uniform accrual.", "24", gt=0.0, **_TIME,
       endpoints=SURV, group="survival"),
    _f("survival.follow_up_time", "Follow-up time", "Further follow-up after accrual ends.", "12",
       **{**_TIME, "ge": 0.0}, endpoints=SURV, group="survival"),
    _f("survival.dropout_rate", "Dropout rate", "Probability of dropping out by the dropout time "
       "(exponential, both arms).", "0.05", ge=0.0, lt=1.0, default=0.0, unit="probability",
       endpoints=SURV, group="survival"),
    _f("survival.dropout_time", "Dropout time", "Time at which the dropout rate applies.", "12",
       gt=0.0, **_TIME, default=12.0, endpoints=SURV, group="survival"),
    FieldSpec("survival.time_unit", "Time unit", "choice", "Unit of medians, accrual and follow-up.",
              example="months", default="months", choices=OPTIONS["time_unit"], endpoints=SURV, group="survival"),
    _f("costs.per_screened", "Cost per screened", "Cost of assessing one patient with the assay "
       "(test and screening visit).", "1500", ge=0.0, le=COST_LIMIT, default=0.0, unit="currency",
       decimals=2, step=100.0, group="costs"),
    _f("costs.per_randomized", "Cost per randomized", "Cost of one randomized patient.", "40000",
       ge=0.0, le=COST_LIMIT, default=0.0, unit="currency", decimals=2, step=1000.0, group="costs"),
    FieldSpec("costs.currency", "Currency", "text", "Currency of the costs.", example="USD", default="USD",
              group="costs"),
    _f("recruitment.screening_rate", "Screening rate", "Patients assessed per time unit; gives each design's "
       "accrual duration (or the rates a survival design needs).", "40", gt=0.0, ge=1e-3, le=1e9, default=None,
       unit="patients per time unit", decimals=2, step=5.0, group="recruitment"),
    FieldSpec("designs.stratified.multiplicity", "Multiplicity", "choice", "Closed testing procedure for the "
              "overall and the B+ claims of the stratified design.", example="spiessens_debois", group="designs",
              default="spiessens_debois", choices=OPTIONS["multiplicity"]),
    _f("designs.stratified.alpha_split", "Alpha share (overall)", "Share of alpha for the full-population test "
       "where the method needs one; empty = the method's default.", "0.5", gt=0.0, ge=1e-3, lt=1.0, le=0.999,
       default=None, decimals=3, step=0.05, optional=True, group="designs"),
    FieldSpec("designs.stratified.size_for", "Size for claim", "choice", "Which claim of the stratified design "
              "the sample size is solved for.", example="subgroup", group="designs", default="subgroup",
              choices=OPTIONS["size_for"]),
    FieldSpec("designs.strategy.control_arm", "Strategy control arm", "choice", "Non-marker arm of the "
              "biomarker-strategy design: everyone on control, or randomized 1 : 1.", example="standard",
              default="standard", choices=OPTIONS["control_arm"], group="designs"),
    *_design_size_fields(),
]


def _essential_fields() -> list[FieldSpec]:
    """Issue 15: shifted nulls, dropout, screening losses, exact binary power (docs/scenario-format.md)."""
    loss = dict(ge=0.0, lt=1.0, le=0.999, default=0.0, decimals=3, step=0.01)
    return [
        _f("population.assay_failure", "Assay failure", "Share of screened patients whose biomarker test gives "
           "no evaluable result (not randomized where the design needs the result).", "0.05",
           unit="proportion of screened", group="population", **loss),
        _f("population.screen_failure", "Screen failure (other)", "Share of screened patients not eligible for "
           "reasons other than the biomarker.", "0.2", unit="proportion of screened", group="population", **loss),
        _f("testing.null_effect", "Null effect θ0", "θ0 of H0 (rpact thetaH0) on the effect's scale: mean or "
           "risk difference (treatment − control), survival hazard ratio. A non-inferiority margin δ is −δ when "
           "higher is better, +δ when lower is better; survival 1 + δ. Empty: no effect (0; survival 1).",
           "−0.1 (margin 0.1)", note="on the harm side of the B+ effect; binary in (−1, 1); survival > 0",
           ge=-SCALE_LIMIT, le=SCALE_LIMIT, default=None, unit="effect scale", step=0.05, group="testing",
           extra={"default": 0.0, "default_by_endpoint": {"survival": 1.0}}),
        _f("testing.dropout", "Dropout (non-evaluable)", "Share of randomized patients expected to have no "
           "evaluable outcome; each arm's size is N_evaluable / (1 − dropout), rounded up.", "0.1",
           unit="proportion of randomized", endpoints=CONT + BIN, group="testing", **loss),
        FieldSpec("testing.exact_power", "Exact power", "bool", "Binary: also the exact power of the z-test "
                  "(enumerating both binomials) and of Fisher's exact test, beside the normal approximation.",
                  "on for small trials", "on", default=False, endpoints=BIN, group="testing"),
    ]


INPUT_FIELDS += _essential_fields()

ADAPTIVE_FIELDS: list[FieldSpec] = [
    FieldSpec("designs.adaptive.information_rates", "Information rates", "list", "Cumulative information at "
              "each analysis (1 to 5 stages; one stage: the closed test without an interim).",
              "increasing, ending at 1", "0.5, 1", gt=0.0, le=1.0, default=(0.5, 1.0)),
    FieldSpec("designs.adaptive.planned_subjects", "Planned subjects", "list", "Cumulative subjects (both arms) "
              "at each analysis.", "one per stage, increasing", "200, 400", ge=1.0, le=N_LIMIT, default=None,
              unit="patients, total", endpoints=CONT + BIN),
    FieldSpec("designs.adaptive.planned_events", "Planned events", "list", "Cumulative events at each "
              "analysis.", "one per stage, increasing", "100, 200", ge=1.0, le=N_LIMIT, default=None,
              unit="events", endpoints=SURV),
    FieldSpec("designs.adaptive.boundaries", "Efficacy boundaries", "choice", "Group-sequential efficacy "
              "boundaries.", example="obrien_fleming", default="obrien_fleming", choices=OPTIONS["boundaries"]),
    FieldSpec("designs.adaptive.intersection_test", "Intersection test", "choice", "Test of the intersection "
              "hypothesis in the closed test.", example="simes", default="simes",
              choices=OPTIONS["intersection_test"]),
    FieldSpec("designs.adaptive.selection.rule", "Selection rule", "choice", "Interim population selection.",
              example="best", default="best", choices=OPTIONS["selection_rule"]),
    _f("designs.adaptive.selection.epsilon", "Epsilon", "Select every population within epsilon of the best "
       "(rule 'epsilon').", "0.1", ge=0.0, le=SCALE_LIMIT, default=0.0, decimals=3, step=0.05),
    _f("designs.adaptive.selection.threshold", "Threshold", "Select populations whose interim effect exceeds "
       "the threshold (rule 'threshold').", "0", ge=-SCALE_LIMIT, le=SCALE_LIMIT, default=0.0, decimals=3,
       step=0.05),
    FieldSpec("designs.adaptive.effect_measure", "Effect measure", "choice", "Interim measure used for selection.",
              example="effect_estimate", default="effect_estimate", choices=OPTIONS["effect_measure"]),
    FieldSpec("designs.adaptive.stratified_analysis", "Stratified analysis", "bool", "Analyse the full "
              "population stratified by marker status.", example="on", default=True),
    FieldSpec("designs.adaptive.success_criterion", "Success criterion", "choice", "Trial success: at least "
              "one selected population rejected, or all.", example="at_least_one", default="at_least_one",
              choices=OPTIONS["success_criterion"]),
    FieldSpec("designs.adaptive.correlation", "S–D correlation", "choice", "Correlation used by the "
              "Spiessens–Debois intersection test: that of the test statistics (from the information), or "
              "rpact's head count √(n_S/n_F) for comparison with rpact.", example="information",
              default="information", choices=OPTIONS["adaptive_correlation"]),
    FieldSpec("designs.adaptive.combination", "Combination test", "choice", "How the stages' p-values are "
              "combined: inverse normal, or Fisher's weighted product (rpact getDesignFisher).",
              example="inverse_normal", default="inverse_normal", choices=OPTIONS["combination"]),
    FieldSpec("designs.adaptive.simulations", "Simulations", "int", "Number of simulated trials.",
              example="10000", ge=100, le=10_000_000, default=10000, unit="simulated trials", decimals=0,
              step=1000),
    FieldSpec("designs.adaptive.seed", "Seed", "int", "Random seed (results are reproducible).",
              example="12345", ge=0, lt=2**63, default=12345, decimals=0, step=1),
]

#: fields read from files but not edited in the app
FILE_ONLY_FIELDS: list[FieldSpec] = [
    *(FieldSpec(f"{key}.effect.scale", "Effect scale", "choice", "Scale of the binary effect as entered; the "
                "treatment rate follows from it and the control rate.", example="odds_ratio",
                default="risk_difference", choices=OPTIONS["binary_effect_scale"], endpoints=BIN, group=key)
      for key in ("positive", "negative")),
    *(_f(f"{key}.effect.value", "Effect", "The binary effect on its scale (risk difference, risk ratio or odds "
         "ratio; treatment vs control).", "1.8 (odds ratio)", note="ratios > 0; the treatment rate in (0, 1)",
         ge=-SCALE_LIMIT, le=SCALE_LIMIT, unit="effect scale", endpoints=BIN, group=key)
      for key in ("positive", "negative")),
    FieldSpec("designs.adaptive.futility_bounds", "Futility bounds", "list", "Non-binding futility bound per "
              "interim, on the z scale.", "one per interim", "0", ge=-10.0, le=10.0, default=None, unit="z"),
]

FILE_ONLY_FIELDS += [
    _f("designs.adaptive.sample_size_recalculation.conditional_power", "Conditional power", "Target conditional "
       "power of the sample-size recalculation at each interim.", "0.9", gt=0.0, lt=1.0, default=0.9, decimals=3,
       step=0.05),
    FieldSpec("designs.adaptive.sample_size_recalculation.min_subjects", "Minimum subjects per stage", "list",
              "Stage-wise minimum subjects (the first entry is the first stage's size).", "one per stage",
              "150, 100", ge=1.0, le=N_LIMIT, default=None, unit="patients, total", endpoints=CONT + BIN),
    FieldSpec("designs.adaptive.sample_size_recalculation.max_subjects", "Maximum subjects per stage", "list",
              "Stage-wise maximum subjects (the first entry is the first stage's size).", "one per stage",
              "150, 400", ge=1.0, le=N_LIMIT, default=None, unit="patients, total", endpoints=CONT + BIN),
    FieldSpec("designs.adaptive.sample_size_recalculation.min_events", "Minimum events per stage", "list",
              "Stage-wise minimum events (the first entry is the first stage's events).", "one per stage",
              "100, 50", ge=1.0, le=N_LIMIT, default=None, unit="events", endpoints=SURV),
    FieldSpec("designs.adaptive.sample_size_recalculation.max_events", "Maximum events per stage", "list",
              "Stage-wise maximum events (the first entry is the first stage's events).", "one per stage",
              "100, 300", ge=1.0, le=N_LIMIT, default=None, unit="events", endpoints=SURV),
    FieldSpec("designs.adaptive.sample_size_recalculation.effect", "Effect for recalculation", "choice",
              "Effect plugged into the conditional power: the interim estimate (rpact) or the planning effect.",
              example="observed", default="observed", choices=OPTIONS["recalculation_effect"]),
]

#: the ``interim`` block (top level; a fixed design's own block replaces it): planner.groupseq.plan
INTERIM_FIELDS: list[FieldSpec] = [
    FieldSpec("interim.information_rates", "Information rates", "list", "Cumulative information at each "
              "analysis (patients; events for survival): 2 to 5 looks.", "increasing, ending at 1", "0.5, 1",
              gt=0.0, le=1.0, default=(0.5, 1.0), group="interim"),
    FieldSpec("interim.efficacy", "Alpha spending", "choice", "Lan–DeMets alpha-spending function of the efficacy "
              "bounds, or no early stop for efficacy.", example="obrien_fleming", default="obrien_fleming",
              choices=OPTIONS["interim_efficacy"], group="interim"),
    _f("interim.gamma", "Spending parameter", "γ of Hwang–Shih–DeCani (in [−10, 5]) or ρ of Kim–DeMets "
       "(in [0.4, 8]); unused by the other spending functions.", "-4", ge=-10.0, le=8.0, default=None,
       decimals=2, step=0.5, optional=True, group="interim"),
    FieldSpec("interim.futility.bounds", "Futility bounds", "list", "z-scale futility bound at each interim "
              "look (one per look before the last); empty: no futility stop.", "below the efficacy bounds",
              "0", gt=-6.0, lt=6.0, default=None, unit="z", group="interim"),
    FieldSpec("interim.futility.binding", "Binding futility", "bool", "Binding futility bounds lower the "
              "efficacy bounds; non-binding ones (rpact's default) are ignored by them.", example="off",
              default=False, group="interim"),
]


HAZARD_LIMITS = (1e-6, 1e3)  # piecewise hazards per time unit
INTENSITY_LIMIT = 1e6  # relative accrual intensities


def _piecewise_fields(key: str) -> list[FieldSpec]:
    """``{key}.piecewise.*`` (survival, scenario version 2): piecewise-exponential subgroup model."""
    who = SUBGROUP_WORDS[key]
    p = f"{key}.piecewise"
    return [
        FieldSpec(f"{p}.starts", "Interval starts", "list", f"Start of each interval of time since randomization "
                  f"in {who} patients (the first 0, increasing; the last interval is open).", example="[0, 3]",
                  note="the first 0, increasing", ge=0.0, le=TIME_LIMITS[1], default=None, unit="time unit",
                  endpoints=SURV, group=key),
        FieldSpec(f"{p}.control_hazards", "Control hazard", "list", f"Control-arm hazard per time unit on each "
                  f"interval in {who} patients (ln 2 / median for one piece).", example="[0.058, 0.058]",
                  note="one per start", gt=0.0, ge=HAZARD_LIMITS[0], le=HAZARD_LIMITS[1], default=None,
                  unit="per time unit", endpoints=SURV, group=key),
        FieldSpec(f"{p}.hazard_ratios", "Hazard ratio", "list", f"Treatment / control hazard ratio on each interval "
                  f"in {who} patients; changing over time is a non-proportional (delayed, waning) effect.",
                  example="[1.0, 0.6]", note="one per start", gt=0.0, ge=HR_LIMITS[0], le=HR_LIMITS[1], default=None,
                  unit="treatment / control", endpoints=SURV, group=key),
    ]


PIECEWISE_FIELDS: list[FieldSpec] = _piecewise_fields("positive") + _piecewise_fields("negative") + [
    FieldSpec("survival.accrual.starts", "Accrual interval starts", "list", "Start of each accrual interval "
              "within [0, accrual time) (the first 0, increasing; the last ends at the accrual time).", example="[0, 6]",
              note="the first 0, increasing, below the accrual time", ge=0.0, le=TIME_LIMITS[1], default=None,
              unit="time unit", endpoints=SURV, group="survival"),
    FieldSpec("survival.accrual.intensities", "Accrual intensity", "list", "Relative accrual intensity on each "
              "interval (rpact accrualIntensity, relative); uniform when absent.", example="[1, 3]",
              note="one per start, not all 0", ge=0.0, le=INTENSITY_LIMIT, default=None, unit="relative",
              endpoints=SURV, group="survival"),
]

#: how each subgroup's survival is described: "exponential" (median, HR) or "piecewise" (table)
SURVIVAL_MODELS = (("exponential", "exponential (median, hazard ratio)"),
                   ("piecewise", "piecewise (hazards and hazard ratios per interval)"))
#: the survival curves figure (app and report)
SURVIVAL_CURVES_FIGURE = {"title": "Assumed survival curves", "x": "time since randomization",
                          "y": "survival probability", "treatment": "treatment", "control": "control"}

#: the cells form (several biomarker populations, issue 12; docs/scenario-format.md): the cells'
#: outcome fields (``cells.<name>.<field>``) are those of ``positive`` (same bounds and defaults)
_CELLS = f"{CELL_COUNT[0]} to {CELL_COUNT[1]} cells"
POPULATION_FIELDS: list[FieldSpec] = [
    FieldSpec("population.cells", "Cells", "list", "Disjoint cells of the screened population as the trial's "
              "assay classifies patients: each {\"name\", \"prevalence\"}; each cell's outcomes are in "
              "cells.<name>, with the fields of positive.", note=f"{_CELLS}; prevalences summing to 1",
              example='[{"name": "TPS ≥50%", "prevalence": 0.28}, …]', default=None, group="population",
              extra={"min": CELL_COUNT[0], "max": CELL_COUNT[1]}),
    FieldSpec("population.cells.name", "Cell", "text", "Name of the cell (unique).", note="non-empty, unique",
              example="TPS ≥50%", group="population"),
    _f("population.cells.prevalence", "Cell prevalence", "Share of the screened population in the cell.",
       "0.28", note="the cells' prevalences sum to 1", gt=0.0, ge=PROPORTION_LIMIT, lt=1.0,
       le=1 - PROPORTION_LIMIT, unit="proportion", group="population"),
    FieldSpec("population.populations", "Populations", "list", "The populations that can be tested, selected or "
              f"enriched for: each {{\"name\", \"cells\"}}, a union of cells. The full population "
              f"'{FULL_POPULATION}' (every cell) is implicit and not listed.",
              note=f"{POPULATION_COUNT[0]} to {POPULATION_COUNT[1]}; each a non-empty proper subset of the cells",
              example='[{"name": "TPS ≥1%", "cells": ["TPS ≥50%", "TPS 1–49%"]}]', default=None,
              group="population", extra={"min": POPULATION_COUNT[0], "max": POPULATION_COUNT[1]}),
    FieldSpec("population.populations.name", "Population", "text", "Name of the population (unique).",
              note=f"non-empty, unique, not '{FULL_POPULATION}'", example="TPS ≥1%", group="population"),
    FieldSpec("population.populations.cells", "Cells of the population", "list", "Names of the cells that make "
              "up the population.", note="known cells, not all of them", example='["TPS ≥50%", "TPS 1–49%"]',
              default=None, group="population"),
    FieldSpec("designs.targeted.population", "Targeted population", "text", "Cells form: the population the "
              "targeted design randomizes (screened = N / its prevalence).", note="a population's name",
              example="TPS ≥50%", default=None, group="designs", extra={"default_text": "the first population"}),
    FieldSpec("designs.stratified.order", "Testing order", "list", "Cells form, fixed sequence: the hypotheses in "
              f"the order tested (population names; '{FULL_POPULATION}' the full population); each at the full "
              "alpha once every earlier one is rejected.", note=f"'{FULL_POPULATION}' and every population, once each",
              example=f'["TPS ≥50%", "TPS ≥20%", "TPS ≥1%", "{FULL_POPULATION}"]', default=None, group="designs"),
    FieldSpec("designs.stratified.population_multiplicity", "Multiplicity (populations)", "choice", "Cells form: "
              "closed test of F and every population (file field designs.stratified.multiplicity).",
              example="parametric", default="parametric", choices=OPTIONS["population_multiplicity"],
              group="designs", extra={"file_path": "designs.stratified.multiplicity"}),
    FieldSpec("designs.stratified.population_size_for", "Size for claim (populations)", "choice", "Cells form: "
              f"the claim the size is solved for — at least one, all, a population's name or '{FULL_POPULATION}' "
              "(file field designs.stratified.size_for).", example="at_least_one", default=None,
              choices=OPTIONS["population_size_for"], group="designs",
              extra={"file_path": "designs.stratified.size_for", "default_text": "the first population"}),
    FieldSpec("designs.adaptive.selection.r", "r (rBest)", "int", "Number of populations selected by the rule "
              "'rbest' (rpact rValue).", note="at most the number of candidate populations", example="2",
              ge=1, le=POPULATION_COUNT[1] + 1, default=1, decimals=0, step=1),
]

ALL_FIELDS: list[FieldSpec] = (INPUT_FIELDS + ADAPTIVE_FIELDS + FILE_ONLY_FIELDS + INTERIM_FIELDS
                               + PIECEWISE_FIELDS + POPULATION_FIELDS)
FIELDS_BY_PATH: dict[str, FieldSpec] = {f.path: f for f in ALL_FIELDS}

#: subgroup defaults used when the endpoint is switched
SUBGROUP_DEFAULTS = {
    "continuous": ({"mean_difference": 0.5, "sd": 1.0, "control_mean": 0.0},
                   {"mean_difference": 0.1, "sd": 1.0, "control_mean": 0.0}),
    "binary": ({"control_rate": 0.3, "treatment_rate": 0.45}, {"control_rate": 0.3, "treatment_rate": 0.33}),
    "survival": ({"control_median": 12.0, "hazard_ratio": 0.6}, {"control_median": 12.0, "hazard_ratio": 0.9}),
}
SURVIVAL_DEFAULT = {"accrual_time": 24.0, "follow_up_time": 12.0, "dropout_rate": 0.0, "dropout_time": 12.0,
                    "time_unit": "months"}
ADAPTIVE_DEFAULT = {
    "information_rates": [0.5, 1.0], "boundaries": "obrien_fleming", "intersection_test": "simes",
    "selection": {"rule": "best", "epsilon": 0.0, "threshold": 0.0}, "effect_measure": "effect_estimate",
    "stratified_analysis": True, "success_criterion": "at_least_one", "correlation": "information",
    "combination": "inverse_normal", "simulations": 10000,
    "seed": 12345,
}

NEW_SCENARIO: dict = {
    "format": "enrichment-planner-scenario",
    "version": 2,
    "title": "New scenario",
    "notes": "",
    "endpoint": "continuous",
    "population": {"prevalence": 0.5, "assay_sensitivity": 1.0, "assay_specificity": 1.0},
    "positive": dict(SUBGROUP_DEFAULTS["continuous"][0]),
    "negative": dict(SUBGROUP_DEFAULTS["continuous"][1]),
    "testing": {"alpha": 0.025, "sides": 1, "power": 0.8, "allocation_ratio": 1.0, "better": "higher",
                "heterogeneity_variance": True},
    "designs": {"all_comers": {}, "targeted": {}, "stratified": {}, "strategy": {}, "interaction": {}},
    "provenance": {},
}


def _adaptive_default(path: str):
    node = ADAPTIVE_DEFAULT
    for key in path.removeprefix("designs.adaptive.").split("."):
        if not isinstance(node, dict) or key not in node:
            return {"planned_subjects": [200.0, 400.0], "planned_events": [100.0, 200.0]}.get(key)
        node = node[key]
    return node


for _spec in ADAPTIVE_FIELDS:
    _spec.extra["default"] = _adaptive_default(_spec.path)
