"""Justification sentences for the planning essentials (issue 15): the null hypothesis's margin
and direction, dropout inflation, screening losses and exact binary power. Plain text, numbers
from the :class:`~planner.results.DesignResult`; the HTML report escapes it."""

from __future__ import annotations

from ..noninferiority import direction_words
from ..results import DesignResult
from ..scenario import Scenario
from .fmt import count, percent


def _null_sentence(scenario: Scenario, r: DesignResult) -> str:
    words = direction_words(scenario.endpoint, scenario.testing.better, scenario.testing.null_effect)
    if not words or r.design == "interaction":
        return ""
    return f"The test uses a {words}."


def _dropout_sentence(scenario: Scenario, r: DesignResult) -> str:
    d = scenario.testing.dropout
    if scenario.endpoint == "survival" or not d or r.n_evaluable is None:
        return ""
    ev = r.n_evaluable_per_arm or {}
    return (
        f"Allowing for {percent(d)} of randomized patients without an evaluable outcome, each arm's "
        f"evaluable size is divided by {1 - d:.4g} and rounded up: {count(round(r.n_evaluable))} evaluable "
        f"patients ({count(round(ev.get('treatment', 0)))} treatment, {count(round(ev.get('control', 0)))} "
        f"control) need {count(r.n_randomized)} randomized."
    )


def _screening_losses_sentence(scenario: Scenario, r: DesignResult) -> str:
    pop = scenario.population
    if not r.n_screened or not (pop.assay_failure or pop.screen_failure):
        return ""
    return (
        f"Screening numbers allow for {percent(pop.assay_failure)} of biomarker tests without a result and "
        f"{percent(pop.screen_failure)} of screened patients ineligible for other reasons."
    )


def _exact_sentence(r: DesignResult) -> str:
    if r.power_exact is None:
        return ""
    text = f"The exact power of this z-test at the evaluable sizes (enumerating both binomials) is {percent(r.power_exact)}"
    if r.power_fisher is not None:
        text += f", and that of Fisher's exact test {percent(r.power_fisher)}"
    return text + f" (normal approximation {percent(r.power)})."


def essentials_sentences(scenario: Scenario, r: DesignResult) -> str:
    """The sentences above that apply to ``r`` ("" when none does)."""
    parts = (_null_sentence(scenario, r), _dropout_sentence(scenario, r),
             _screening_losses_sentence(scenario, r), _exact_sentence(r))
    return " ".join(p for p in parts if p)
