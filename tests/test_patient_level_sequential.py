"""Patient-level simulation of group-sequential fixed designs and the adaptive enrichment design.

Tolerances come from the number of simulations n: a simulated proportion p has Monte Carlo SE
√(p(1 − p)/n).

* Group-sequential (all-comers, targeted; O'Brien–Fleming, two looks, non-binding futility at
  z = 0 followed): the design's own power (planner.groupseq at the plan, Schoenfeld drift) within
  4 SEs + 0.015, the Schoenfeld approximation's own bias under PH (about +0.005 to +0.01 at
  HR 0.6–0.7: docs/piecewise-survival.md); without futility, the Lakatos-type group-sequential
  power (risk sets followed, corr √(V_k/V_l)) within 4 SEs alone. n = 3,000: 4 SEs ≈ 0.029 at 0.8.
* Adaptive, proportional hazards, no interim delay, perfect assay: every shared probability
  (rejections, selection at the interim) agrees with the normal-approximation simulator
  (rpact's model) within 4 combined SEs √(SE₁² + SE₂²) (n = 3,000 each: ≈ 0.046 at 0.5).
* Global null (HR 1 everywhere): P(reject at least one) ≤ α + 4 SEs.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from conftest import base_scenario

from planner.errors import ScenarioError
from planner.patient_level import (
    ADAPTIVE_COMPARED,
    adaptive_design,
    check_adaptive,
    check_design,
    check_scenario,
)
from planner.piecewise import subgroup_cells
from planner.piecewise.adaptive_patients import simulate_adaptive_patients
from planner.piecewise.lakatos import lakatos_gs_power
from planner.scenario_io import scenario_from_dict
from planner.scenario_piecewise import survival_setting
from ui.cli import main

SIMS = 3000
SCHOENFELD_BIAS = 0.015


def _gs_scenario(futility: bool = True, hr: float = 0.65):
    interim = {"information_rates": [0.5, 1.0], "efficacy": "obrien_fleming"}
    if futility:
        interim["futility"] = {"bounds": [0.0], "binding": False}
    d = base_scenario("survival", version=2, designs={"all_comers": {}, "targeted": {}}, interim=interim,
                      positive={"control_median": 12.0, "hazard_ratio": hr})
    d["survival"]["dropout_rate"] = 0.05
    return scenario_from_dict(d)


def test_group_sequential_power_matches_the_plan_with_futility():
    checks = check_scenario(_gs_scenario(), SIMS, seed=21)
    assert [c.design for c in checks] == ["all_comers", "targeted"]
    for c in checks:
        assert c.looks == 2 and "group-sequential" in c.analytic_method
        assert abs(c.simulated_power - c.analytic_power) < 4 * c.simulated_se + SCHOENFELD_BIAS, c
        # expected events below the maximum (early stops for efficacy and futility)
        assert c.simulated_expected_events < c.events


def test_group_sequential_without_early_efficacy_stops_for_futility_only():
    """efficacy "none": the looks report no efficacy bound (None), only the futility bound acts."""
    d = base_scenario("survival", version=2, designs={"targeted": {}},
                      interim={"information_rates": [0.5, 1.0], "efficacy": "none",
                               "futility": {"bounds": [0.0], "binding": False}})
    (c,) = check_scenario(scenario_from_dict(d), 1000, seed=2)
    assert abs(c.simulated_power - c.analytic_power) < 4 * c.simulated_se + SCHOENFELD_BIAS, c


def test_group_sequential_power_matches_lakatos_without_futility():
    s = _gs_scenario(futility=False)
    from planner.compute import compare_designs

    r = compare_designs(s, include_adaptive=False).designs["all_comers"]
    c = check_design(s, "all_comers", r.n_randomized, r.events, SIMS, seed=5, looks=r.looks, analytic_power=r.power)
    setting = survival_setting(s.survival, s.testing.allocation_ratio)
    from planner.patient_level import subgroup_model

    cells = subgroup_cells(s.population.prevalence, subgroup_model(s.positive), subgroup_model(s.negative))
    cells = [(float(w), m, ta, tb) for w, m, ta, tb in cells]
    events = [round(lk["events"]) for lk in r.looks]
    lakatos, _ = lakatos_gs_power(cells, setting, events, r.n_randomized, [lk["efficacy_z"] for lk in r.looks])
    assert abs(c.simulated_power - lakatos) < 4 * c.simulated_se, (c.simulated_power, lakatos)
    assert abs(c.simulated_power - r.power) < 4 * c.simulated_se + SCHOENFELD_BIAS


def test_group_sequential_size_under_h0():
    """Targeted design (B+ only) with HR 1: the plan's O'Brien–Fleming bounds keep the level."""
    from planner.groupseq.boundaries import boundaries

    s = _gs_scenario(futility=False, hr=1.0)
    b = boundaries(s.interim, 0.025)
    looks = [{"events": e, "efficacy_z": z, "futility_z": None} for e, z in zip((125, 250), b.efficacy_z)]
    c = check_design(s, "targeted", 400, 250, SIMS, seed=8, looks=looks, analytic_power=0.025)
    assert abs(c.simulated_power - 0.025) < 4 * math.sqrt(0.025 * 0.975 / SIMS)


def _adaptive_scenario(hr_pos=0.65, hr_neg=0.85, rule="epsilon", **extra):
    adaptive = {"information_rates": [0.5, 1.0], "planned_events": [150, 300],
                "selection": {"rule": rule, "epsilon": 0.1}, "intersection_test": "simes",
                "effect_measure": "effect_estimate", "simulations": 1000, "seed": 1, **extra}
    d = base_scenario("survival", positive={"control_median": 12.0, "hazard_ratio": hr_pos},
                      negative={"control_median": 12.0, "hazard_ratio": hr_neg}, designs={"adaptive": adaptive})
    d["survival"]["dropout_rate"] = 0.05
    return scenario_from_dict(d)


@pytest.mark.parametrize("rule, test", [("epsilon", "simes"), ("best", "spiessens_debois")])
def test_adaptive_patient_level_agrees_with_normal_approximation(rule, test):
    s = _adaptive_scenario(rule=rule, intersection_test=test)
    c = check_adaptive(s, SIMS, seed=3)
    assert c.simulations == SIMS and not c.incomplete
    pl, na = c.patient_level, c.normal_approximation
    for key in ADAPTIVE_COMPARED:
        se = math.hypot(pl[key + "_se"], na[key + "_se"])
        assert abs(pl[key] - na[key]) <= 4 * se + 1e-12, (key, pl[key], na[key])
    assert pl["short"] == 0.0 and pl["reject_at_least_one"] > 0.5


def test_adaptive_global_null_controls_the_familywise_error():
    s = _adaptive_scenario(hr_pos=1.0, hr_neg=1.0)
    c = check_adaptive(s, SIMS, seed=4)
    p = c.patient_level["reject_at_least_one"]
    assert p <= 0.025 + 4 * math.sqrt(0.025 * 0.975 / SIMS), p


def test_interim_delay_enrols_more_patients_and_is_seeded_by_blocks():
    s = _adaptive_scenario()
    d0, d3 = adaptive_design(s, 0.0), adaptive_design(s, 3.0)
    a = simulate_adaptive_patients(d0, 600, seed=9, chunk_size=250)
    b = simulate_adaptive_patients(d0, 600, seed=9, chunk_size=1000)
    for key in a.outcomes:
        np.testing.assert_array_equal(a.outcomes[key], b.outcomes[key])
    c = simulate_adaptive_patients(d3, 600, seed=9)
    # the same trials: test-negative patients keep enrolling during the 3 months before the decision
    assert c.summary()["expected_subjects"] > a.summary()["expected_subjects"]
    seen = []
    part = simulate_adaptive_patients(d0, 1000, seed=9, chunk_size=250, progress=lambda k, n: seen.append(k),
                                      is_cancelled=lambda: len(seen) >= 2)
    assert part.incomplete and part.simulations == 500 and seen == [250, 500]


def test_adaptive_bad_input_names_the_field(tmp_path, capsys):
    with pytest.raises(ScenarioError, match="interim-delay"):
        adaptive_design(_adaptive_scenario(), -1.0)


def test_cli_patient_level_adaptive(tmp_path, capsys):
    path = tmp_path / "a.json"
    d = base_scenario("survival", designs={"adaptive": {"information_rates": [0.5, 1.0],
                                                        "planned_events": [100, 200]}})
    path.write_text(json.dumps(d))
    rc = main(["simulate", str(path), "--patient-level", "--simulations", "200", "--interim-delay", "2",
               "--format", "json"])
    assert rc == 0
    doc = json.loads(capsys.readouterr().out)
    ad = doc["patient_level"]["adaptive"]
    assert ad["interim_delay"] == 2 and set(ADAPTIVE_COMPARED) <= set(ad["patient_level"])
    assert main(["simulate", str(path), "--patient-level", "--simulations", "200", "--interim-delay", "-2"]) == 2
    assert "--interim-delay" in capsys.readouterr().err
