"""Derived quantities shown read-only beside the inputs (no Qt here).

P(test+), PPV and NPV of the assay; per subgroup the standardized effect; the effect among
test-positive patients (PPV-weighted mixture; survival: event-weighted HR) and the diluted
effect in everyone (survival: the event-weighted overall HR).
"""

from __future__ import annotations

import math

import numpy as np

from planner.assay import assay_mix
from planner.catalogue import design_label
from planner.contrasts import contrast, mixture_cells
from planner.params import params_from_scenario
from planner.scenario import Scenario


def _g(x: float) -> str:
    return f"{x:.4g}"


def derived_quantities(s: Scenario) -> list[tuple[str, str, str]]:
    """(label, value text, explanation) rows for the scenario."""
    pop = s.population
    mix = assay_mix(pop.prevalence, pop.assay_sensitivity, pop.assay_specificity)
    ppv, ptp, npv = float(mix.ppv), float(mix.p_test_positive), float(mix.npv)
    rows = [
        ("P(test+)", _g(ptp), "P(test+) = γ·se + (1 − γ)(1 − sp): share of screened patients eligible for a targeted trial"),
        ("PPV", _g(ppv), "P(B+ | test+) = γ·se / P(test+)"),
        ("NPV", _g(npv), "P(B− | test−) = (1 − γ)·sp / (1 − P(test+))"),
    ]
    gamma = pop.prevalence
    if s.endpoint == "continuous":
        dp, dn = s.positive.mean_difference, s.negative.mean_difference
        rows += [
            ("Standardized effect B+", _g(dp / s.positive.sd), "Cohen's d = mean difference / SD in B+"),
            ("Standardized effect B−", _g(dn / s.negative.sd), "Cohen's d = mean difference / SD in B−"),
            ("Test+ mean difference", _g(ppv * dp + (1 - ppv) * dn), "PPV·δ+ + (1 − PPV)·δ−"),
            (f"{design_label('all_comers')} mean difference", _g(gamma * dp + (1 - gamma) * dn), "γ·δ+ + (1 − γ)·δ− (diluted effect)"),
        ]
    elif s.endpoint == "binary":
        def h(sub) -> float:
            return 2 * (math.asin(math.sqrt(sub.treatment_rate)) - math.asin(math.sqrt(sub.control_rate)))

        rp = s.positive.treatment_rate - s.positive.control_rate
        rn = s.negative.treatment_rate - s.negative.control_rate
        rows += [
            ("Risk difference B+", _g(rp), "treatment − control rate in B+"),
            ("Risk difference B−", _g(rn), "treatment − control rate in B−"),
            ("Cohen's h B+ / B−", f"{_g(h(s.positive))} / {_g(h(s.negative))}", "2·asin√p_T − 2·asin√p_C (standardized)"),
            ("Test+ risk difference", _g(ppv * rp + (1 - ppv) * rn), "PPV-weighted mixture of the subgroup rates"),
            (f"{design_label('all_comers')} risk difference", _g(gamma * rp + (1 - gamma) * rn), "prevalence-weighted (diluted) effect"),
        ]
    else:
        par = params_from_scenario(s)
        tp = contrast(par, mixture_cells(mix.ppv), "schoenfeld")
        allc = contrast(par, mixture_cells(gamma), "schoenfeld")
        rows += [
            ("log HR B+ / B−", f"{_g(math.log(s.positive.hazard_ratio))} / {_g(math.log(s.negative.hazard_ratio))}",
             "standardized survival effect: ln HR (below 0 is benefit)"),
            ("Test+ HR (event-weighted)", _g(float(np.exp(-tp.theta))),
             "exp of the event-weighted mean log HR among test-positive patients"),
            ("Overall HR (event-weighted)", _g(float(np.exp(-allc.theta))),
             "exp of the event-weighted mean log HR in everyone: the all-comers estimand"),
        ]
    return rows
