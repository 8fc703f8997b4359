"""Designs, claims, option codes and their phrases, effect and figure words, export columns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


# --------------------------------------------------------------------------- designs
@dataclass(frozen=True)
class DesignSpec:
    """One design: its label (sentence case), colour (Okabe–Ito, colour-blind safe) and what it tests."""

    name: str
    label: str
    colour: str
    tests: str
    fixed: bool = True

    @property
    def lower(self) -> str:
        """The label inside a sentence ("the biomarker-stratified design")."""
        return self.label[0].lower() + self.label[1:]


DESIGNS: dict[str, DesignSpec] = {
    d.name: d
    for d in (
        DesignSpec("all_comers", "All-comers", "#000000", "everyone, unstratified test of the full population"),
        DesignSpec("targeted", "Targeted (enrichment)", "#D55E00", "test-positive patients only"),
        DesignSpec("stratified", "Biomarker-stratified", "#0072B2",
                   "everyone, randomized within marker strata; the full population and the test-positive subgroup"),
        DesignSpec("strategy", "Biomarker-strategy", "#009E73",
                   "marker-based strategy against a non-marker-based strategy"),
        DesignSpec("interaction", "Interaction", "#CC79A7", "the treatment-by-marker interaction"),
        DesignSpec("adaptive", "Adaptive enrichment", "#E69F00",
                   "interim selection of the test-positive subgroup or the full population", fixed=False),
    )
}
FIXED_DESIGNS: tuple[str, ...] = tuple(n for n, d in DESIGNS.items() if d.fixed)
ALL_DESIGNS: tuple[str, ...] = tuple(DESIGNS)
#: neutral colour for anything that is not a design (reference lines, "none" in the design map)
NEUTRAL_COLOUR = "#888888"


def design_label(name: str) -> str:
    """The design's label, or a readable form of an unknown name."""
    spec = DESIGNS.get(name)
    return spec.label if spec else name.replace("_", " ")


def design_colour(name: str) -> str:
    spec = DESIGNS.get(name)
    return spec.colour if spec else NEUTRAL_COLOUR


# --------------------------------------------------------------------------- option values
#: Every coded option value of the scenario format and the words that describe it, in the
#: order offered (the first is the default). ``codes(kind)`` and ``phrase(kind, code)`` read it.
OPTIONS: dict[str, tuple[tuple[Any, str], ...]] = {
    "endpoint": (("continuous", "continuous"), ("binary", "binary"), ("survival", "time to event")),
    "method.continuous": (("t", "two-sample t-test (noncentral t)"), ("z", "z-test (normal approximation)")),
    "method.binary": (("pooled", "normal approximation, pooled variance under H0"),
                      ("unpooled", "normal approximation, unpooled variance"),
                      ("arcsine", "arcsine transformation (Cohen's h)")),
    "method.survival": (("schoenfeld", "log-rank test, Schoenfeld events"),
                        ("freedman", "log-rank test, Freedman events")),
    "sides": ((1, "one-sided"), (2, "two-sided")),
    "better": (("higher", "higher is better"), ("lower", "lower is better")),
    "time_unit": (("months", "months"), ("weeks", "weeks"), ("years", "years"), ("days", "days")),
    "multiplicity": (("spiessens_debois", "Spiessens–Debois (correlation-adjusted)"),
                     ("bonferroni", "weighted Bonferroni–Holm"),
                     ("fixed_sequence_overall_first", "fixed sequence, overall first"),
                     ("fixed_sequence_subgroup_first", "fixed sequence, B+ subgroup first"),
                     ("fallback", "fallback (Wiens)")),
    "size_for": (("subgroup", "the B+ (test-positive) subgroup claim"), ("overall", "the overall claim"),
                 ("either", "at least one claim"), ("both", "both claims")),
    "control_arm": (("standard", "everyone on control"), ("randomized", "randomized between treatment and control")),
    "boundaries": (("obrien_fleming", "O'Brien–Fleming"), ("pocock", "Pocock"),
                   ("no_early_efficacy", "no early stop for efficacy"),
                   ("equal_alpha", "equal nominal stage levels (Fisher only)")),
    "intersection_test": (("simes", "Simes"), ("spiessens_debois", "Spiessens–Debois"),
                          ("bonferroni", "Bonferroni"), ("sidak", "Šidák")),
    "selection_rule": (("best", "the best population"), ("epsilon", "every population within epsilon of the best"),
                       ("all", "all populations"), ("threshold", "populations above a threshold"),
                       ("rbest", "the r best populations (rpact rBest)")),
    "effect_measure": (("effect_estimate", "effect estimate"), ("test_statistic", "test statistic")),
    "success_criterion": (("at_least_one", "at least one selected population rejected"),
                          ("all", "all selected populations rejected")),
    "binary_effect_scale": (("risk_difference", "risk difference (treatment − control)"),
                            ("risk_ratio", "risk ratio (treatment / control)"),
                            ("odds_ratio", "odds ratio (treatment / control)")),
    "adaptive_correlation": (("information", "correlation of the test statistics (information)"),
                             ("rpact_head_count", "rpact's head-count correlation √(n_S/n_F)")),
    "combination": (("inverse_normal", "inverse-normal"), ("fisher", "Fisher")),
    "recalculation_effect": (("observed", "the interim effect estimate (rpact's rule)"),
                             ("planning", "the planning effect of the scenario")),
    # several biomarker populations (the cells form, issue 12): F and every population tested
    "population_multiplicity": (("parametric", "parametric closed test (correlation-adjusted; Spiessens–Debois "
                                               "for one population)"),
                                ("bonferroni", "Bonferroni–Holm closed test"),
                                ("simes", "Simes closed test"),
                                ("fixed_sequence", "fixed sequence (in the given order)")),
    "population_size_for": (("at_least_one", "at least one population's claim"), ("all", "every population's claim")),
    "interim_efficacy": (("obrien_fleming", "O'Brien–Fleming type (Lan–DeMets)"), ("pocock", "Pocock type (Lan–DeMets)"),
                         ("hwang_shih_decani", "Hwang–Shih–DeCani (γ)"), ("kim_demets", "Kim–DeMets (ρ)"),
                         ("none", "no early stop for efficacy")),
    # the cutoff explorer's biomarker block (planner.cutoff)
    "marker_distribution": (("empirical", "empirical quantiles (piecewise-linear cdf)"), ("normal", "normal"),
                            ("lognormal", "lognormal"), ("beta", "beta on [lower, upper] (e.g. a 0–100 % score)")),
    "marker_effect": (("step", "step: one effect below a threshold, one above"),
                      ("linear", "linear in the marker between two ends"), ("bands", "one value per band")),
    "marker_control": (("constant", "the same for every marker value"), ("bands", "one value per band")),
}
#: the claims of the biomarker-stratified design (results ``power_<claim>``)
CLAIMS: dict[str, str] = {
    "overall": "overall (full population)",
    "subgroup": "B+ subgroup (test-positive)",
    "either": "at least one",
    "both": "both",
}

#: several biomarker populations (the cells form, issue 12): the full population's name, the
#: numbers of cells and populations a scenario may have, the tolerance of the prevalences' sum
FULL_POPULATION = "F"
CELL_COUNT = (2, 8)
POPULATION_COUNT = (1, 3)
PREVALENCE_SUM_TOLERANCE = 1e-9
#: the claims of the stratified design over several populations (results ``power_<claim>``;
#: each population's own claim is in ``power_by_population``)
POPULATION_CLAIMS: dict[str, str] = {
    "at_least_one": "at least one population's claim (F or a population)",
    "all": "every population's claim (F and every population)",
}
#: words for the two summaries of the cells form (``positive``/``negative`` hold them, for display)
CELLS_SUMMARY_WORDS = {"positive": "the first population", "negative": "the complement of the first population"}


def codes(kind: str) -> tuple:
    """The valid codes of option ``kind`` (the first is the default)."""
    return tuple(code for code, _ in OPTIONS[kind])


def phrase(kind: str, code: Any) -> str:
    """The words for ``code`` of option ``kind`` (the code itself when it is not listed)."""
    return dict(OPTIONS[kind]).get(code, str(code))



# --------------------------------------------------------------------------- effects, figures, exports
#: words for the two true-marker subgroups
SUBGROUP_WORDS = {"positive": "biomarker-positive (B+)", "negative": "biomarker-negative (B−)"}


@dataclass(frozen=True)
class EffectSpec:
    """An endpoint's treatment effect on its natural scale (what curves, maps and grids vary).

    ``code`` names it in CSV headers and results (``negative_hazard_ratio``, the detectable
    effect's parameter); ``field`` is the subgroup field an edit of the effect changes.
    """

    endpoint: str
    name: str
    code: str
    field: str
    log_scale: bool = False


EFFECTS: dict[str, EffectSpec] = {
    "continuous": EffectSpec("continuous", "mean difference", "mean_difference", "mean_difference"),
    "binary": EffectSpec("binary", "risk difference (treatment − control)", "risk_difference", "treatment_rate"),
    "survival": EffectSpec("survival", "hazard ratio", "hazard_ratio", "hazard_ratio", log_scale=True),
}


def effect_axis(endpoint: str, subgroup: str = "negative") -> str:
    """Axis label of a subgroup's effect: "hazard ratio in biomarker-negative (B−) patients"."""
    return f"{EFFECTS[endpoint].name} in {SUBGROUP_WORDS[subgroup]} patients"


@dataclass(frozen=True)
class FigureSpec:
    """One figure: its title and axis labels (``{effect}``: the endpoint's :func:`effect_axis`)."""

    name: str
    title: str
    x_label: str
    y_label: str

    def x(self, endpoint: str = "continuous") -> str:
        return self.x_label.format(effect=effect_axis(endpoint))

    def y(self, endpoint: str = "continuous") -> str:
        return self.y_label.format(effect=effect_axis(endpoint))


_PREVALENCE_AXIS = f"prevalence of {SUBGROUP_WORDS['positive']} patients"
FIGURES: dict[str, FigureSpec] = {
    f.name: f
    for f in (
        FigureSpec("power_vs_n", "Power against sample size", "total randomized N (both arms, log scale)",
                   "power"),
        FigureSpec("n_vs_prevalence", "Sample size against prevalence", _PREVALENCE_AXIS,
                   "total randomized N for the target power (log scale)"),
        FigureSpec("power_vs_negative_effect", "Power against the B− effect", "{effect}",
                   "power at the design's size (survival: its events)"),
        FigureSpec("design_map", "Design map", _PREVALENCE_AXIS, "{effect}"),
        FigureSpec("boundaries", "Group-sequential boundaries",
                   "cumulative size at each look (randomized patients; events for survival)", "bound on the z scale"),
        FigureSpec("power_distribution", "Distribution of power under the uncertain assumptions",
                   "power at the planned size", ""),
        FigureSpec("sensitivity_grid", "Sensitivity grid", "{effect}", "{effect}"),
        FigureSpec("cutoff_map", "Design map over cutoffs", "cutoff: B+ = marker ≥ cutoff",
                   "total randomized N for the target power (log scale)"),
    )
}
#: words on the figures besides the designs
FIGURE_WORDS = {
    "target": "target power",
    "assumed": "assumed",
    "design_size": "the design's size",
    "screened": "screened",
    "none": "none attainable",
    "scenario": "this scenario",
    "map_n": "fewest randomized patients",
    "map_cost": "lowest cost",
}

#: words and styles of the boundary plot (planner.figures_interim): efficacy bounds in the design's
#: colour, futility bounds in the neutral colour; the stratified design draws the elementary
#: efficacy bounds of H_F (overall) and H_S (subgroup)
BOUNDARY_WORDS = {
    "x": "cumulative randomized patients at each look",
    "x_survival": "cumulative events at each look",
    "z": "bound on the z scale",
    "effect": "bound on the effect scale: {effect}",
    "efficacy": "efficacy bound",
    "futility": "futility bound",
    "efficacy_overall": "efficacy bound, overall (H_F)",
    "efficacy_subgroup": "efficacy bound, B+ subgroup (H_S)",
    "efficacy_population": "efficacy bound, {name}",
    "continue": "continue",
    "no_effect_scale": "effect-scale bounds: one-population designs only\n(several populations are tested here)",
    "no_looks": "no interim analyses",
}
#: line styles of the boundary plot: efficacy solid, futility dashed; the stratified subgroup bound dotted
BOUNDARY_STYLES = {"efficacy": "-", "efficacy_overall": "-", "efficacy_subgroup": ":", "futility": "--"}
#: several populations: F's elementary bound solid, then each population's in turn
POPULATION_BOUND_STYLES = ("-", ":", "-.", (0, (5, 1, 1, 1, 1, 1)))

#: the comparison CSV (one row per design; numbers unformatted, empty cells for missing values):
#: column → meaning. The app's "Export CSV" and ``export --what comparison`` write these columns.
COMPARISON_COLUMNS: dict[str, str] = {
    "design": "design code",
    "label": "design label",
    "question": "question answered: sample_size, power or effect",
    "feasible": "true when the design is attainable (else see message)",
    "n_randomized": "total randomized, both arms",
    "n_treatment": "randomized to treatment",
    "n_control": "randomized to control",
    "n_randomized_exact": "unrounded total N solved for",
    "n_screened": "patients tested with the assay",
    "events": "events at the analysis (survival)",
    "events_exact": "unrounded events (survival)",
    "expected_events": "events expected with n_randomized patients (survival)",
    "power": "achieved power of the claim the design is sized for",
    "target_power": "target power",
    **{f"power_{claim}": f"power of the claim: {words} (stratified design)" for claim, words in CLAIMS.items()},
    "detectable_effect_parameter": "scale of the detectable B+ effect",
    "detectable_effect": "smallest B+ effect reaching the target power at this size",
    "cost": "per screened × screened + per randomized × randomized",
    "currency": "currency of the cost",
    "efficiency": "all-comers N / this design's N (unrounded)",
    "accrual_duration": "accrual duration from the screening rate",
    "screening_rate_needed": "patients assessed per time unit needed (survival)",
    "randomization_rate_needed": "patients randomized per time unit needed (survival)",
    "expected_n_h0": "expected total randomized under H0 (interim analyses; n_randomized is the maximum)",
    "expected_n_h1": "expected total randomized under H1 (interim analyses)",
    "expected_events_h0": "expected events under H0 (interim analyses, survival)",
    "expected_events_h1": "expected events under H1 (interim analyses, survival)",
    "cheapest_meeting_target": "true for the cheapest design meeting the target power",
    "assurance": "power averaged over the uncertainty block's prior draws",
    "assurance_se": "Monte Carlo standard error of the assurance",
    "prob_power_above_threshold": "share of prior draws whose power exceeds the threshold",
    "method": "test and method used",
    "message": "why the design is not attainable, if so",
}


ENDPOINT_LABELS = {code: words.capitalize() for code, words in OPTIONS["endpoint"]}
