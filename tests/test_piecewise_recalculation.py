"""Sample-size (events) recalculation in the patient-level adaptive enrichment simulator.

The patient-level trials recalculate the events of stage 2 with rpact's conditional-power rule
(planner.adaptive.recalculation, observed effect exp(U/V) from the data) and are compared with the
normal-approximation simulator (planner.adaptive.simulate) on a proportional-hazards scenario:
every shared probability and the expected events counted by the design agree within 4 combined
Monte Carlo SEs √(SE₁² + SE₂²) (n = 2,000 each: ≈ 0.055 at p = 0.5; expected events SE ≈ 3.3
each, 4 combined SEs ≈ 19 events).
"""

from __future__ import annotations

import math

import numpy as np
from conftest import base_scenario

from planner.patient_level import ADAPTIVE_COMPARED, adaptive_design, check_adaptive
from planner.piecewise.adaptive_patients import simulate_adaptive_patients
from planner.scenario_io import scenario_from_dict

SIMS = 2000
RECALC = {"conditional_power": 0.9, "min_events": [150, 100], "max_events": [150, 400]}


def _scenario(recalculation=RECALC, hr=(0.7, 0.9)):
    adaptive = {"information_rates": [0.5, 1.0], "planned_events": [150, 300],
                "selection": {"rule": "epsilon", "epsilon": 0.1}, "intersection_test": "simes",
                "effect_measure": "effect_estimate", "simulations": 1000, "seed": 1}
    if recalculation:
        adaptive["sample_size_recalculation"] = recalculation
    d = base_scenario("survival", positive={"control_median": 12.0, "hazard_ratio": hr[0]},
                      negative={"control_median": 12.0, "hazard_ratio": hr[1]}, designs={"adaptive": adaptive})
    d["survival"]["dropout_rate"] = 0.05
    return scenario_from_dict(d)


def test_recalculated_events_agree_with_the_normal_approximation():
    c = check_adaptive(_scenario(), SIMS, seed=3)
    pl, na = c.patient_level, c.normal_approximation
    for key in ADAPTIVE_COMPARED:
        se = math.hypot(pl[key + "_se"], na[key + "_se"])
        assert abs(pl[key] - na[key]) <= 4 * se, (key, pl[key], na[key])
    se = math.hypot(pl["expected_design_events_se"], na["expected_events_se"])
    assert abs(pl["expected_design_events"] - na["expected_events"]) <= 4 * se
    # recalculation moved the second stage away from its planned 150 events, within [100, 400]
    assert abs(pl["expected_design_events"] - 300.0) > 20 and pl["short"] == 0.0


def test_stage_two_events_follow_the_bounds_and_the_plan_without_recalculation():
    design = adaptive_design(_scenario())
    assert design.n_patients >= math.ceil(550 / 0.9)  # room for 150 + 400 events
    res = simulate_adaptive_patients(design, 500, seed=2)
    two = res.outcomes["stage"] == 1
    stage2 = res.outcomes["design_events"][two] - 150
    assert stage2.min() >= 100 and stage2.max() <= 400 and np.unique(stage2).size > 5
    plain = simulate_adaptive_patients(adaptive_design(_scenario(recalculation=None)), 500, seed=2)
    ran = plain.outcomes["stage"] == 1
    assert np.all(plain.outcomes["design_events"][ran] == 300)
