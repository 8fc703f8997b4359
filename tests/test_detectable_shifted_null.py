"""Issue 15: the detectable effect under a shifted null (``testing.null_effect``) against rpact 3.3.4.

The search brackets from θ0 in the benefit direction: under a non-inferiority margin the
smallest B+ effect reaching the target power can be one of harm (between θ0 and no effect).
Reference: tests/data/make_rpact_detectable.R (uniroot over getPowerMeans/Rates/Survival with
thetaH0), targeted design (B+ patients only: a plain two-arm trial of the given size).
"""

from __future__ import annotations

import contextlib
import io
import json

import pytest
from conftest import DATA, base_scenario

from planner.compute import compute_design
from planner.scenario_io import scenario_from_dict
from ui.cli import main

CASES = json.loads((DATA / "rpact_detectable.json").read_text())["cases"]


def _targeted(case: dict):
    i = case["inputs"]
    testing = {"power": i["power"], "allocation_ratio": i["alloc"], "null_effect": i["theta_h0"]}
    if case["kind"] == "means":
        d = base_scenario("continuous", positive={"mean_difference": i["theta_h0"] + 1.0, "sd": i["sd"]},
                          testing={**testing, "method": i["method"]})
    elif case["kind"] == "rates":
        sign = 1 if i["better"] == "higher" else -1
        c = i["control_rate"]
        d = base_scenario("binary", positive={"control_rate": c, "treatment_rate": c + i["theta_h0"] + sign * 0.1},
                          testing={**testing, "better": i["better"]})
    else:
        d = base_scenario("survival", positive={"control_median": 12.0, "hazard_ratio": i["theta_h0"] * 0.7},
                          testing=testing)
    d["designs"] = {"targeted": {}}
    s = scenario_from_dict(d)
    if case["kind"] == "survival":
        return compute_design(s, "targeted", question="effect", events=i["events"])
    return compute_design(s, "targeted", question="effect", n_randomized=i["n"])


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["id"])
def test_detectable_effect_under_shifted_null_matches_rpact(case):
    de = _targeted(case).detectable_effect
    assert de.value is not None, de.message
    # rpact's uniroot tolerance 1e-12; the power curves agree to ~1e-10 (t: noncentral t, df N − 2)
    assert de.value == pytest.approx(case["outputs"]["effect"], abs=1e-7)
    assert case["outputs"]["power"] == pytest.approx(case["inputs"]["power"], abs=1e-9)


def test_cases_cover_harm_side_and_allocation_two():
    """At least one case per endpoint whose answer lies between θ0 and no effect (the bug's case)."""
    harm = {c["kind"] for c in CASES
            if (c["kind"] == "survival" and c["outputs"]["effect"] > 1)
            or (c["kind"] == "means" and c["outputs"]["effect"] < 0)
            or (c["kind"] == "rates" and c["inputs"]["better"] == "higher" and c["outputs"]["effect"] < 0)}
    assert harm == {"means", "rates", "survival"}
    assert {c["inputs"]["alloc"] for c in CASES} == {1, 2}


def test_power_reached_at_null_names_theta0():
    """All-comers with a B− effect strong enough alone: the message says the null value, not "no effect"."""
    d = base_scenario("continuous", testing={"null_effect": -0.3}, designs={"all_comers": {}})
    de = compute_design(scenario_from_dict(d), "all_comers", question="effect", n_randomized=1000).detectable_effect
    assert de.value is None and "null value θ0" in de.message


@pytest.mark.parametrize("endpoint, theta0", [("continuous", -0.2), ("binary", -0.05), ("survival", 1.2)])
def test_adaptive_with_shifted_null_is_refused_naming_field_and_reason(tmp_path, endpoint, theta0):
    """rpact's getSimulationEnrichment* have no thetaH0: the reader says so and exits 2 (docs/adaptive.md)."""
    d = base_scenario(endpoint, testing={"null_effect": theta0},
                      designs={"adaptive": {"information_rates": [0.5, 1.0], "planned_subjects": [100, 200]}
                               if endpoint != "survival" else
                               {"information_rates": [0.5, 1.0], "planned_events": [100, 200]}})
    path = tmp_path / "s.json"
    path.write_text(json.dumps(d))
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        rc = main(["compute", str(path)])
    text = err.getvalue()
    assert rc == 2, text
    assert "testing.null_effect" in text and "no thetaH0" in text and "Traceback" not in text, text
