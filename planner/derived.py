"""Quantities derived from a scenario's inputs, shown read-only beside them.

Every value comes from the functions the designs use, never from a second copy of a formula:

* P(test+), PPV and NPV of the assay — :func:`planner.assay.assay_mix` (Simon & Maitournam 2004);
* the effect among test-positive patients (a PPV-weighted mixture of the subgroups) and the
  diluted effect in everyone (a prevalence-weighted mixture) — :func:`planner.contrasts.contrast`
  over :func:`planner.contrasts.mixture_cells`, the contrast the targeted and all-comers designs
  test: continuous and binary the mixture's mean or risk difference (treatment − control);
  survival the event-weighted mean log hazard ratio (Methods §5), shown as a hazard ratio;
* per subgroup the standardized effect: continuous Cohen's d = δ / σ; binary Cohen's h =
  2 asin √p_T − 2 asin √p_C (the ``arcsine`` contrast); survival ln HR (below 0 is benefit).

Values are on the natural scale (treatment − control; a hazard ratio), whatever
``testing.better`` says.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .assay import assay_mix
from .contrasts import contrast, mixture_cells
from .params import Params, params_from_scenario
from .scenario import Scenario


@dataclass(frozen=True)
class DerivedQuantity:
    """One derived value (or a B+ / B− pair) with its label and how it is computed."""

    key: str
    label: str
    values: tuple[float, ...]
    formula: str

    @property
    def value(self) -> float:
        return self.values[0]


def _difference(par: Params, share_positive: float, method: str = "unpooled") -> float:
    """Treatment − control effect of a two-arm comparison in a population with B+ share
    ``share_positive`` (continuous: mean difference; binary: risk difference, or the arcsine
    difference with ``method="arcsine"``, whatever ``testing.method`` says)."""
    theta = contrast(par, mixture_cells(share_positive), method).theta
    return float(par.sign * theta)  # θ is in the benefit direction: undo testing.better


def _hazard_ratio(par: Params, share_positive: float) -> float:
    """exp of the event-weighted mean log HR in a population with B+ share ``share_positive``."""
    return float(math.exp(-float(contrast(par, mixture_cells(share_positive), "schoenfeld").theta)))


def _assay(scenario: Scenario) -> tuple[DerivedQuantity, ...]:
    pop = scenario.population
    mix = assay_mix(pop.prevalence, pop.assay_sensitivity, pop.assay_specificity)
    return (
        DerivedQuantity("p_test_positive", "P(test+)", (float(mix.p_test_positive),),
                        "P(test+) = γ·se + (1 − γ)(1 − sp): share of screened patients eligible for a "
                        "targeted trial"),
        DerivedQuantity("ppv", "PPV", (float(mix.ppv),), "P(B+ | test+) = γ·se / P(test+)"),
        DerivedQuantity("npv", "NPV", (float(mix.npv),), "P(B− | test−) = (1 − γ)·sp / (1 − P(test+))"),
    )


def _continuous(scenario: Scenario, par: Params, ppv: float, gamma: float) -> tuple[DerivedQuantity, ...]:
    pos, neg = scenario.positive, scenario.negative
    return (
        DerivedQuantity("standardized_effect_positive", "Standardized effect B+",
                        (pos.mean_difference / pos.sd,), "Cohen's d = mean difference / SD in B+"),
        DerivedQuantity("standardized_effect_negative", "Standardized effect B−",
                        (neg.mean_difference / neg.sd,), "Cohen's d = mean difference / SD in B−"),
        DerivedQuantity("test_positive_effect", "Test+ mean difference", (_difference(par, ppv),),
                        "PPV·δ+ + (1 − PPV)·δ−"),
        DerivedQuantity("all_comers_effect", "All-comers mean difference", (_difference(par, gamma),),
                        "γ·δ+ + (1 − γ)·δ− (diluted effect)"),
    )


def _binary(par: Params, ppv: float, gamma: float) -> tuple[DerivedQuantity, ...]:
    return (
        DerivedQuantity("risk_difference_positive", "Risk difference B+", (float(par.effect("positive")),),
                        "treatment − control rate in B+"),
        DerivedQuantity("risk_difference_negative", "Risk difference B−", (float(par.effect("negative")),),
                        "treatment − control rate in B−"),
        DerivedQuantity("cohens_h", "Cohen's h B+ / B−",
                        (_difference(par, 1.0, "arcsine"), _difference(par, 0.0, "arcsine")),
                        "2·asin√p_T − 2·asin√p_C (standardized)"),
        DerivedQuantity("test_positive_effect", "Test+ risk difference", (_difference(par, ppv),),
                        "PPV-weighted mixture of the subgroup rates"),
        DerivedQuantity("all_comers_effect", "All-comers risk difference", (_difference(par, gamma),),
                        "prevalence-weighted (diluted) effect"),
    )


def _survival(par: Params, ppv: float, gamma: float) -> tuple[DerivedQuantity, ...]:
    log_hr = (math.log(float(par.effect("positive"))), math.log(float(par.effect("negative"))))
    return (
        DerivedQuantity("log_hazard_ratio", "log HR B+ / B−", log_hr,
                        "standardized survival effect: ln HR (below 0 is benefit)"),
        DerivedQuantity("test_positive_effect", "Test+ HR (event-weighted)", (_hazard_ratio(par, ppv),),
                        "exp of the event-weighted mean log HR among test-positive patients"),
        DerivedQuantity("all_comers_effect", "Overall HR (event-weighted)", (_hazard_ratio(par, gamma),),
                        "exp of the event-weighted mean log HR in everyone: the all-comers estimand"),
    )


def derived_quantities(scenario: Scenario) -> tuple[DerivedQuantity, ...]:
    """The assay's P(test+), PPV and NPV, then the endpoint's effects (see module docstring)."""
    assay = _assay(scenario)
    ppv, gamma = assay[1].value, float(scenario.population.prevalence)
    par = params_from_scenario(scenario)
    if scenario.endpoint == "continuous":
        return assay + _continuous(scenario, par, ppv, gamma)
    if scenario.endpoint == "binary":
        return assay + _binary(par, ppv, gamma)
    return assay + _survival(par, ppv, gamma)


__all__ = ["DerivedQuantity", "derived_quantities"]
