"""Piecewise survival wired into the scenario reader/writer and every design (issue 13)."""

from __future__ import annotations

import copy
import math

import pytest

from planner.compute import compare_designs
from planner.errors import ScenarioError
from planner.scenario_io import load_scenario, scenario_from_dict, scenario_to_dict
from tests.conftest import ROOT

EXAMPLE = ROOT / "resources" / "scenarios" / "pdl1_nsclc_keynote042.json"
DELAYED = {"starts": [0, 3], "control_hazards": [0.06, 0.05], "hazard_ratios": [1.0, 0.6]}


def _base() -> dict:
    return scenario_to_dict(load_scenario(EXAMPLE))


def _one_piece(d: dict) -> dict:
    d = copy.deepcopy(d)
    for which in ("positive", "negative"):
        g = d[which]
        d[which] = {"piecewise": {"starts": [0], "control_hazards": [math.log(2) / g["control_median"]],
                                  "hazard_ratios": [g["hazard_ratio"]]}}
    return d


def _nph() -> dict:
    d = _base()
    d["positive"] = {"piecewise": copy.deepcopy(DELAYED)}
    d["survival"]["accrual"] = {"starts": [0, 6], "intensities": [1, 3]}
    return d


def test_round_trip():
    s = scenario_from_dict(_nph())
    d = scenario_to_dict(s)
    assert d["positive"] == {"piecewise": {k: [float(v) for v in DELAYED[k]] for k in DELAYED}}
    assert d["survival"]["accrual"] == {"starts": [0.0, 6.0], "intensities": [1.0, 3.0]}
    assert "control_median" not in d["positive"]
    assert scenario_from_dict(d) == s
    assert 0.6 < s.positive.hazard_ratio < 1.0  # derived reference (average) hazard ratio


@pytest.mark.parametrize("patch, field", [
    ({"positive": {"piecewise": {**DELAYED, "starts": [0, 3, 2], "control_hazards": [0.1, 0.1, 0.1],
                                 "hazard_ratios": [1, 1, 1]}}}, "positive.piecewise.starts"),
    ({"positive": {"piecewise": {**DELAYED, "starts": [1, 3]}}}, "positive.piecewise.starts"),
    ({"negative": {"piecewise": {**DELAYED, "control_hazards": [0.06, 0.0]}}}, "negative.piecewise.control_hazards"),
    ({"positive": {"piecewise": {**DELAYED, "hazard_ratios": [-1, 0.6]}}}, "positive.piecewise.hazard_ratios"),
    ({"positive": {"piecewise": {**DELAYED, "hazard_ratios": [0.6]}}}, "positive.piecewise.hazard_ratios"),
    ({"positive": {"piecewise": {"starts": [0]}}}, "positive.piecewise.control_hazards"),
    ({"positive": {"piecewise": DELAYED, "hazard_ratio": 0.5}}, "positive.hazard_ratio"),
    ({"survival": {"accrual": {"starts": [0, 30], "intensities": [1, 2]}}}, "survival.accrual.starts"),
    ({"survival": {"accrual": {"starts": [0, 6], "intensities": [1]}}}, "survival.accrual.intensities"),
    ({"survival": {"accrual": {"starts": [0, 6], "intensities": [0, 0]}}}, "survival.accrual.intensities"),
])
def test_bad_input_names_the_field(patch, field):
    d = _base()
    for key, value in patch.items():
        if key == "survival":
            d["survival"].update(value)
        else:
            d[key] = value
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(d)
    assert any(p.path.startswith(field) for p in err.value.problems), str(err.value)


@pytest.mark.parametrize("question", ["sample_size", "power"])
def test_one_piece_gives_todays_numbers(question):
    base = compare_designs(scenario_from_dict(_base()), question=question, n_randomized=700)
    d = _one_piece(_base())
    d["survival"]["accrual"] = {"starts": [0, 6], "intensities": [2, 2]}  # uniform, written in two pieces
    one = compare_designs(scenario_from_dict(d), question=question, n_randomized=700)
    for name, r in base.designs.items():
        o = one.designs[name]
        assert (o.n_randomized, o.events) == (r.n_randomized, r.events), name
        assert o.power == pytest.approx(r.power, rel=1e-12, abs=1e-14), name
        if r.n_randomized_exact is not None:
            assert o.n_randomized_exact == pytest.approx(r.n_randomized_exact, rel=1e-12), name
        if r.detectable_effect is not None and r.detectable_effect.value is not None:
            assert o.detectable_effect.value == pytest.approx(r.detectable_effect.value, rel=1e-9)
        assert "average_hazard_ratio" not in o.details


def test_piecewise_engine_with_constant_hr_is_todays_contrast():
    """Two pieces with the same hazards route through the engine and give today's numbers (1e-10)."""
    d = _base()
    for which in ("positive", "negative"):
        g = d[which]
        lam = math.log(2) / g["control_median"]
        d[which] = {"piecewise": {"starts": [0, 5], "control_hazards": [lam, lam],
                                  "hazard_ratios": [g["hazard_ratio"]] * 2}}
    base = compare_designs(scenario_from_dict(_base()))
    two = compare_designs(scenario_from_dict(d))
    for name, r in base.designs.items():
        o = two.designs[name]
        assert o.n_randomized_exact == pytest.approx(r.n_randomized_exact, rel=1e-10), name
        assert o.details["survival_method"].startswith("log-rank test, Schoenfeld")


def test_delayed_effect_costs_size_and_reports_ahr():
    ph = _base()
    ph["positive"] = {"piecewise": {**DELAYED, "hazard_ratios": [0.6, 0.6]}}
    a = compare_designs(scenario_from_dict(ph)).designs
    b = compare_designs(scenario_from_dict(_nph())).designs
    for name in ("all_comers", "targeted", "stratified"):
        assert b[name].n_randomized > a[name].n_randomized
        assert 0.6 < b[name].details["average_hazard_ratio"] < 1.0
        assert "average hazard ratio" in b[name].notes[0]
        assert b[name].details["analysis_time"] == pytest.approx(42.0)


def test_detectable_effect_scales_log_hazard_ratios():
    r = compare_designs(scenario_from_dict(_nph()), question="power", n_randomized=500).designs["targeted"]
    de = r.detectable_effect
    assert de.value is not None and "scales all B+ log hazard ratios" in de.message
    assert "[1.000," in de.message  # the delay is kept
