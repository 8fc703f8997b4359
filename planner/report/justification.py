"""Sample-size justification paragraphs, ready to paste into a protocol or SAP.

One paragraph per design, in plain text (the HTML report escapes it). Every number comes from
the core's :class:`~planner.results.DesignResult`; the method is quoted from ``result.method``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..catalogue import DESIGNS, FIELDS_BY_PATH, phrase
from ..results import DesignResult
from ..scenario import Scenario
from ..uncertainty import input_path
from .essentials_section import essentials_sentences
from .fmt import alpha_phrase, count, money, number, percent, ratio
from .interim_text import plan_sentence
from .populations_section import (
    adaptive_sentence,
    population_phrases,
    stratified_sentence,
    targeted_screening_sentence,
)


def effect_name(scenario: Scenario) -> str:
    """The name of the B+ effect a detectable effect is given as (``hazard ratio``), lower case."""
    name = FIELDS_BY_PATH[input_path("positive_effect", scenario.endpoint)].label.lower()
    return "risk difference" if scenario.endpoint == "binary" else name


def _time(scenario: Scenario) -> tuple[str, str]:
    """(time unit, its singular): ``months``, ``month``."""
    unit = scenario.survival.time_unit if scenario.survival else "months"
    return unit, unit.removesuffix("s") or "time unit"


def subgroup_effect(scenario: Scenario, which: str) -> str:
    """The assumed effect in the true B+ (``positive``) or B− (``negative``) subgroup, in words."""
    sub = getattr(scenario, which)
    if scenario.endpoint == "survival":
        return f"a hazard ratio of {number(sub.hazard_ratio)}"
    if scenario.endpoint == "binary":
        return (
            f"an outcome rate of {percent(sub.treatment_rate)} on treatment vs "
            f"{percent(sub.control_rate)} on control"
        )
    return f"a mean difference of {number(sub.mean_difference)} (SD {number(sub.sd)})"


def tested_effect(scenario: Scenario, magnitude: float | None, article: bool = True) -> str:
    """The effect the design's test is sized for (``details['effect_tested*']``), in words.

    ``magnitude`` is in the benefit direction: −ln HR (survival), the risk difference
    (binary) or the mean difference (continuous).
    """
    if magnitude is None or not math.isfinite(magnitude):
        return "—"
    if scenario.endpoint == "survival":
        name, value = "hazard ratio", number(math.exp(-magnitude), 3)
        return f"a {name} of {value}" if article else f"{name} {value}"
    if scenario.endpoint == "binary":
        value = f"{number(round(100 * magnitude, 2))} percentage points"
        return f"an absolute risk difference of {value}" if article else f"absolute risk difference {value}"
    return f"a mean difference of {number(magnitude)}" if article else f"mean difference {number(magnitude)}"


def _arms(r: DesignResult) -> str:
    arms = r.n_per_arm or {}
    t, c = arms.get("treatment"), arms.get("control")
    if t == c:
        return f"{count(t)} per arm"
    return f"{count(t)} treatment, {count(c)} control"


def _population_phrase(scenario: Scenario, r: DesignResult, opts: Any) -> str:
    d = r.design
    if d == "all_comers":
        return "without biomarker selection"
    if d == "targeted":
        return "among patients who test biomarker-positive"
    if d == "stratified":
        return "with randomization stratified by biomarker status"
    if d == "strategy":
        arm = getattr(opts, "control_arm", "standard")
        other = (
            "a non-biomarker-based arm in which everyone receives control"
            if arm == "standard"
            else "a non-biomarker-based arm randomized between treatment and control"
        )
        return f"between a biomarker-based strategy and {other}"
    return "with randomization stratified by biomarker status"


def _target_phrase(scenario: Scenario, r: DesignResult, opts: Any) -> str:
    """What the design's power refers to: the claim and the effect."""
    pos = subgroup_effect(scenario, "positive")
    neg = subgroup_effect(scenario, "negative")
    prev = percent(scenario.population.prevalence)
    det = r.details
    d = r.design
    if d == "all_comers":
        return (
            f"to detect the overall effect in an unselected population, "
            f"{tested_effect(scenario, det.get('effect_tested'))}, the mixture of {pos} in "
            f"biomarker-positive patients (prevalence {prev}) and {neg} in biomarker-negative patients"
        )
    if d == "targeted":
        text = f"to detect {pos} in biomarker-positive patients"
        if scenario.population.assay_sensitivity < 1 or scenario.population.assay_specificity < 1:
            text += (
                f"; because only {percent(det.get('ppv'))} of test-positive patients are truly "
                f"biomarker-positive (PPV), the size is based on the diluted effect among test-positive "
                f"patients, {tested_effect(scenario, det.get('effect_tested'))}, given {neg} in "
                "biomarker-negative patients"
            )
        return text
    if d == "stratified":
        size_for = getattr(opts, "size_for", "subgroup")
        return (
            f"for {phrase('size_for', size_for)}, assuming {pos} in biomarker-positive patients "
            f"and {neg} in biomarker-negative patients (prevalence {prev}; overall effect: "
            f"{tested_effect(scenario, det.get('effect_tested_overall'), article=False)})"
        )
    if d == "strategy":
        return (
            f"to detect the difference between the strategies, {tested_effect(scenario, det.get('effect_tested'))}, "
            f"which follows from {pos} in biomarker-positive and {neg} in biomarker-negative patients "
            f"(prevalence {prev})"
        )
    return (
        "to detect the treatment-by-biomarker interaction, the difference between "
        f"{pos} in biomarker-positive and {neg} in biomarker-negative patients"
    )


def _stratified_sentence(r: DesignResult, opts: Any) -> str:
    method = getattr(opts, "multiplicity", "spiessens_debois")
    text = (
        f"The full-population and biomarker-positive hypotheses are tested with "
        f"{phrase('multiplicity', method)}"
    )
    split = getattr(opts, "alpha_split", None)
    if split is not None:
        text += f" ({percent(split)} of alpha to the full-population test)"
    c = r.claims
    if c:
        text += (
            f"; power of each claim: full population {percent(c.get('overall'))}, "
            f"biomarker-positive {percent(c.get('subgroup'))}, at least one {percent(c.get('either'))}, "
            f"both {percent(c.get('both'))}"
        )
    return text + "."


def _screening_sentence(scenario: Scenario, r: DesignResult, assay: Mapping[str, float]) -> str:
    pop = scenario.population
    if r.design == "all_comers" or not r.n_screened:
        return "No biomarker test is needed for eligibility."
    if r.design == "targeted" and pop.assay_sensitivity == 1 and pop.assay_specificity == 1:
        return (
            f"With a biomarker prevalence of {percent(pop.prevalence)} and an assay taken as error-free, "
            f"about {count(r.n_screened)} patients will be screened to randomize {count(r.n_randomized)}."
        )
    if r.design == "targeted":
        return (
            f"With a biomarker prevalence of {percent(pop.prevalence)} and an assay sensitivity of "
            f"{percent(pop.assay_sensitivity)} and specificity of {percent(pop.assay_specificity)}, "
            f"{percent(assay.get('p_test_positive'))} of screened patients test positive, so about "
            f"{count(r.n_screened)} patients will be screened to randomize {count(r.n_randomized)}."
        )
    return f"All {count(r.n_screened)} randomized patients are tested with the assay."


def _survival_sentence(scenario: Scenario, r: DesignResult) -> str:
    s = scenario.survival
    if s is None or r.events is None:
        return ""
    unit = s.time_unit
    expected = f" (expected {number(r.expected_events, 4)} events)" if r.expected_events is not None else ""
    dropout = (
        f"{percent(s.dropout_rate)} dropout by {number(s.dropout_time)} {unit}" if s.dropout_rate > 0 else "no dropout"
    )
    return (
        f"The analysis is event-driven and takes place after {count(r.events)} events; with uniform "
        f"accrual over {number(s.accrual_time)} {unit}, {number(s.follow_up_time)} {unit} of further "
        f"follow-up and {dropout}, {count(r.n_randomized)} patients are expected to yield them{expected}."
    )


def _logistics_sentence(scenario: Scenario, r: DesignResult) -> str:
    parts = []
    c = scenario.costs
    if c is not None and r.cost is not None:
        parts.append(
            f"At {money(c.per_screened, c.currency)} per screened and {money(c.per_randomized, c.currency)} "
            f"per randomized patient the estimated cost is {money(r.cost, r.currency)}."
        )
    units, unit = _time(scenario)
    if r.accrual_duration is not None and scenario.recruitment and scenario.recruitment.screening_rate:
        parts.append(
            f"At {number(scenario.recruitment.screening_rate)} patients assessed per {unit}, accrual takes "
            f"about {number(r.accrual_duration, 3)} {units}."
        )
    if r.screening_rate_needed is not None and scenario.survival is not None:
        parts.append(
            f"Accrual needs about {number(r.screening_rate_needed, 3)} patients assessed and "
            f"{number(r.randomization_rate_needed, 3)} randomized per {unit}."
        )
    parts += [f"Note: {n}." for n in r.notes]
    return " ".join(parts)


def _uncertain_name(scenario: Scenario, key: str) -> str:
    if scenario.has_cells:  # the cells form's inputs (planner.cells_uncertainty)
        from ..cells_uncertainty import cells_input_words  # noqa: PLC0415

        return f"the {cells_input_words(key)}"
    path = input_path(key, scenario.endpoint)
    tag = {"positive": "biomarker-positive ", "negative": "biomarker-negative "}.get(path.split(".")[0], "")
    return f"the {tag}{effect_name(scenario) if tag else FIELDS_BY_PATH[path].label.lower()}"


def _assurance_sentence(scenario: Scenario, assurance: Any) -> str:
    """One sentence on the assurance (``planner.assurance.AssuranceResult``), if computed."""
    if assurance is None or getattr(assurance, "assurance", None) is None or getattr(assurance, "conflicts", ()):
        return ""
    names = [_uncertain_name(scenario, u) for u in getattr(assurance, "uncertain", ())]
    what = ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1] if names else "the inputs"
    return (
        f"Allowing for the uncertainty in {what} ({count(assurance.draws)} prior draws, seed "
        f"{assurance.seed}), the assurance (expected power) at this size is {percent(assurance.assurance)}."
    )


def justification(
    scenario: Scenario,
    result: DesignResult,
    assay: Mapping[str, float],
    software_version: str = "",
    assurance: Any = None,
) -> str:
    """The sample-size justification paragraph for one fixed design (plain text).

    ``assurance`` (a ``planner.assurance.AssuranceResult`` for this design) adds a sentence on
    the expected power over the scenario's ``uncertainty`` block.
    """
    r = result
    opts = scenario.designs.get(r.design)
    t = scenario.testing
    alpha = alpha_phrase(t.alpha, t.sides)
    if not r.feasible:
        return (
            f"{r.label} design: the target power of {percent(t.power)} at {alpha} cannot be reached "
            f"— {r.message}. Method: {r.method}."
        )
    who = _population_phrase(scenario, r, opts)
    what = _target_phrase(scenario, r, opts)
    cells_words = population_phrases(scenario, r, opts) if scenario.has_cells else None
    if cells_words is not None:  # several populations (planner/report/populations_section.py)
        who, what = cells_words
    if r.question == "sample_size":
        first = (
            f"A total of {count(r.n_randomized)} patients ({_arms(r)}) randomized {ratio(t.allocation_ratio)} "
            f"{who} provides {percent(t.power)} power at {alpha} {what}. The power at these integer "
            f"sizes is {percent(r.power)}."
        )
    else:
        first = (
            f"A total of {count(r.n_randomized)} patients ({_arms(r)}) randomized {ratio(t.allocation_ratio)} "
            f"{who} provides {percent(r.power)} power at {alpha} {what}."
        )
        de = r.detectable_effect
        if de is not None:
            if de.value is not None:
                first += (
                    f" The smallest biomarker-positive effect detectable with {percent(de.power)} power "
                    f"at this size is a {effect_name(scenario)} of {number(de.value, 3)}."
                )
            elif de.message:
                first += f" Detectable biomarker-positive effect: {de.message}."
    sentences = [first, plan_sentence(r), essentials_sentences(scenario, r)]
    if r.design == "stratified":
        sentences.append(stratified_sentence(r, opts) if scenario.has_cells else _stratified_sentence(r, opts))
    sentences.append(_assurance_sentence(scenario, assurance))
    sentences.append(_survival_sentence(scenario, r))
    sentences.append(targeted_screening_sentence(scenario, r) if scenario.has_cells and r.design == "targeted"
                     else _screening_sentence(scenario, r, assay))
    sentences.append(_logistics_sentence(scenario, r))
    software = f"Enrichment Planner {software_version}" if software_version else "Enrichment Planner"
    sentences.append(f"Computed with {software}; method: {r.method}.")
    return " ".join(s for s in sentences if s)


def adaptive_justification(scenario: Scenario, sim: Mapping[str, Any]) -> str:
    """A paragraph on the adaptive enrichment design: its settings (as words), maximum and
    expected sizes and the simulated probabilities with their Monte Carlo standard errors."""
    opts = scenario.designs.get("adaptive")
    surv = scenario.endpoint == "survival"
    planned = getattr(opts, "planned_events" if surv else "planned_subjects", None) or ()
    unit = "events" if surv else "patients"
    info = getattr(opts, "information_rates", ()) or ()
    t = scenario.testing

    def p(key: str) -> str:
        v, se = sim.get(key), sim.get(f"{key}_se")
        if v is None:
            return "—"
        return f"{percent(v)} (Monte Carlo SE {percent(se, 2)})" if se is not None else percent(v)

    stages = f"{len(info)}-stage" if len(info) > 1 else "single-stage"
    text = (
        f"The {stages} {DESIGNS['adaptive'].lower} design (cumulative {unit} "
        f"{', '.join(count(x) for x in planned)} at information rates {', '.join(number(x) for x in info)}; "
        f"{phrase('boundaries', getattr(opts, 'boundaries', ''))} efficacy boundaries, "
        f"{phrase('intersection_test', getattr(opts, 'intersection_test', ''))} intersection tests, interim selection "
        f"of {phrase('selection_rule', getattr(getattr(opts, 'selection', None), 'rule', ''))}, "
        f"{phrase('combination', getattr(opts, 'combination', 'inverse_normal'))} "
        f"combination and closed testing at {alpha_phrase(t.alpha, t.sides)}) was evaluated by simulation of "
        f"{count(sim.get('simulations'))} trials (seed {sim.get('seed', '—')})."
    )
    if sim.get("reject_by_population"):  # several populations: each population's hypothesis
        text += adaptive_sentence(sim) + f" It rejects at least one with probability {p('reject_at_least_one')}."
    else:
        text += (f" It rejects the biomarker-positive hypothesis with probability {p('reject_subgroup')}, the "
                 f"full-population hypothesis with probability {p('reject_overall')}, and at least one with "
                 f"probability {p('reject_at_least_one')}.")
    sizes = []
    if sim.get("n_randomized") is not None:
        sizes.append(f"at most {count(sim['n_randomized'])} patients")
    if sim.get("events") is not None:
        sizes.append(f"at most {count(sim['events'])} events")
    if sizes:
        text += f" If every stage is run, the trial randomizes {' and analyses '.join(sizes)}."
    rc = getattr(opts, "sample_size_recalculation", None)
    if rc is not None:
        lo, hi = (rc.min_events, rc.max_events) if surv else (rc.min_subjects, rc.max_subjects)
        text += (f" After the first stage each stage's number of {unit} is recalculated at the interim to a conditional "
                 f"power of {percent(rc.conditional_power)} (rpact's rule), between {', '.join(count(x) for x in lo[1:])} "
                 f"and {', '.join(count(x) for x in hi[1:])} per stage.")
    for key, what in (("expected_subjects", "patients randomized"), ("expected_events", "events"),
                      ("expected_screened", "patients screened")):
        if sim.get(key) is not None:
            se = sim.get(f"{key}_se")
            text += f" The expected number of {what} is {number(sim[key], 5)}"
            text += f" (Monte Carlo SE {number(se, 2)})." if se is not None else "."
    if sim.get("incomplete"):
        text += " The simulation was cancelled: these are partial results."
    return text
