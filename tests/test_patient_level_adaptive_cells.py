"""The cells form's adaptive enrichment design simulated patient by patient (planner.piecewise.adaptive_cells).

Both simulators run n trials; a proportion p has Monte Carlo SE √(p(1 − p)/n) in each, and the two
are independent, so under proportional hazards (where the normal-approximation engine's model —
stage-wise log-rank statistics N(θ_c √(c d_c), 1) per cell — is the patient-level test's law) every
compared quantity agrees within 4 combined SEs √(SE₁² + SE₂²) (n = 2,000: ≈ 0.044 at p = 0.5), as
the two-subgroup check (tests/test_patient_level_sequential.py). Measured (seed 1, patient level /
engine): two markers, Simes, best: at least one 0.864 ± 0.008 / 0.879 ± 0.007, A+ 0.554 / 0.551,
B+ 0.312 / 0.328; Bonferroni, ε-selection, futility at 0: at least one 0.803 / 0.825, futility
stops 0.089 / 0.075; three nested populations, Šidák, r-best: S2 0.605 / 0.611; one population,
Spiessens–Debois: A+ 0.830 / 0.838; Fisher, three stages: early efficacy stops 0.534 / 0.570
(the largest difference, 2.3 combined SEs). Global null: P(reject at least one) ≤ α + 4 SEs
(0.020 ± 0.003 at 3,000 trials). Under a delayed effect the engine's one-number effect per cell
(the average HR at the planned analysis, at every stage) overstates the early stages' effect, so the
patient-level power is lower (at least one 0.439 ± 0.011 against 0.531): not an agreement check.
"""

from __future__ import annotations

import json

import pytest

from planner.errors import ScenarioError
from planner.patient_level import adaptive_design, check_adaptive
from planner.piecewise.adaptive_cells import simulate_cells_adaptive
from planner.scenario_io import scenario_from_dict
from ui.cli import main

SIMS = 2000
MARKERS = ("A+B+", "A+B-", "A-B+", "A-B-")
TWO = [{"name": "A+", "cells": ["A+B+", "A+B-"]}, {"name": "B+", "cells": ["A+B+", "A-B+"]}]


def _dict(hrs=(0.6, 0.7, 0.85, 1.0), delayed=False, pops=None, cells=MARKERS, **adaptive) -> dict:
    def outcome(h):
        if delayed:
            return {"piecewise": {"starts": [0, 4], "control_hazards": [0.058, 0.058], "hazard_ratios": [1.0, h]}}
        return {"control_median": 12.0, "hazard_ratio": h}

    ad = {"planned_events": [200, 400], "information_rates": [0.5, 1.0], "intersection_test": "simes",
          "selection": {"rule": "best"}, **adaptive}
    return {"format": "enrichment-planner-scenario", "version": 2, "title": "markers", "endpoint": "survival",
            "population": {"cells": [{"name": c, "prevalence": p} for c, p in zip(cells, (0.2, 0.25, 0.15, 0.4))],
                           "populations": pops or TWO},
            "cells": {c: outcome(h) for c, h in zip(cells, hrs)},
            "survival": {"accrual_time": 18, "follow_up_time": 12, "dropout_rate": 0.05, "dropout_time": 12},
            "testing": {"alpha": 0.025, "sides": 1, "power": 0.8, "allocation_ratio": 1.0},
            "designs": {"adaptive": ad}}


NESTED = dict(hrs=(0.6, 0.7, 0.8, 1.0), cells=("50+", "20-49", "1-19", "<1"),
              pops=[{"name": "S1", "cells": ["50+"]}, {"name": "S2", "cells": ["50+", "20-49"]},
                    {"name": "S3", "cells": ["50+", "20-49", "1-19"]}],
              intersection_test="sidak", selection={"rule": "rbest", "r": 2})
CASES = {
    "simes-best": {},
    "bonferroni-epsilon-futility": dict(intersection_test="bonferroni", selection={"rule": "epsilon", "epsilon": 0.1},
                                        futility_bounds=[0.0]),
    "nested-sidak-rbest": NESTED,
    "one-population-spiessens-debois": dict(pops=TWO[:1], intersection_test="spiessens_debois"),
    "fisher-three-stages": dict(planned_events=[150, 300, 450], information_rates=[1 / 3, 2 / 3, 1.0],
                                combination="fisher"),
}


def _combined(a, key) -> float:
    return (a.patient_level[key + "_se"] ** 2 + a.normal_approximation[key + "_se"] ** 2) ** 0.5


@pytest.mark.parametrize("case", list(CASES))
def test_agrees_with_the_several_populations_engine(case):
    a = check_adaptive(scenario_from_dict(_dict(**CASES[case])), SIMS, seed=1)
    assert a.simulations == SIMS and not a.incomplete
    pl, na = a.patient_level, a.normal_approximation
    names = [k for k in a.compared if k.startswith("reject_") and k not in ("reject_at_least_one", "reject_all")]
    assert names[0] == "reject_F" and len(names) == len(CASES[case].get("pops", TWO)) + 1
    for key in a.compared:
        assert abs(pl[key] - na[key]) <= 4 * _combined(a, key), (key, pl[key], na[key])
    se = (pl["expected_design_events_se"] ** 2 + na["expected_events_se"] ** 2) ** 0.5
    assert abs(pl["expected_design_events"] - na["expected_events"]) <= 4 * se
    assert pl["short"] == 0.0


def test_global_null_controls_the_familywise_error():
    a = check_adaptive(scenario_from_dict(_dict(hrs=(1.0, 1.0, 1.0, 1.0))), 3000, seed=1)
    p = a.patient_level["reject_at_least_one"]
    assert p <= 0.025 + 4 * (0.025 * 0.975 / 3000) ** 0.5, p


def test_delayed_effect_costs_power_the_engine_does_not_see():
    a = check_adaptive(scenario_from_dict(_dict(delayed=True)), SIMS, seed=1)
    pl, na = a.patient_level, a.normal_approximation
    assert pl["reject_at_least_one"] < na["reject_at_least_one"] - 2 * _combined(a, "reject_at_least_one")
    assert pl["early_stop_efficacy"] < na["early_stop_efficacy"]


def test_interim_delay_enrols_more_patients_and_is_seeded_by_blocks():
    s = scenario_from_dict(_dict())
    now, later = check_adaptive(s, 500, seed=3), check_adaptive(s, 500, seed=3, interim_delay=3.0)
    assert later.patient_level["expected_subjects"] > now.patient_level["expected_subjects"]
    design = adaptive_design(s)
    a = simulate_cells_adaptive(design, 600, seed=4, chunk_size=250)
    b = simulate_cells_adaptive(design, 600, seed=4, chunk_size=1000)
    for key in a.outcomes:
        assert (a.outcomes[key] == b.outcomes[key]).all(), key
    seen = []
    c = simulate_cells_adaptive(design, 600, seed=4, chunk_size=250, progress=lambda d, t: seen.append(d),
                                is_cancelled=lambda: len(seen) >= 1)
    assert c.incomplete and c.simulations == 250


def test_bad_input_names_the_field():
    with pytest.raises(ScenarioError, match="--interim-delay"):
        adaptive_design(scenario_from_dict(_dict()), interim_delay=-1.0)


def test_cli_cells_form_adaptive(tmp_path, capsys):
    path = tmp_path / "a.json"
    path.write_text(json.dumps(_dict()), encoding="utf-8")
    assert main(["simulate", str(path), "--patient-level", "--simulations", "200", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    ad = doc["patient_level"]["adaptive"]
    assert "reject_A+" in ad["compared"] and "reject_B+" in ad["patient_level"]
    assert main(["simulate", str(path), "--patient-level", "--simulations", "200", "--interim-delay", "2"]) == 0
    out = capsys.readouterr().out
    assert "reject A+:" in out and "normal approximation" in out and "interim delay 2" in out
