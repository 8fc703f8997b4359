"""The ``uncertainty`` block: validation names the field, load → save → load is the identity,
and the draws follow the documented distributions and are reproducible from the seed."""

import json
import math
from pathlib import Path

import numpy as np
import pytest
from conftest import base_scenario

from planner.assurance import draw_inputs
from planner.errors import ScenarioError
from planner.scenario_io import load_scenario, save_scenario, scenario_from_dict, scenario_to_dict
from planner.uncertainty import (
    CONFLICT_SDS,
    BetaPrior,
    NormalPrior,
    Uncertainty,
    follow_point_values,
    parse_uncertainty,
    prior_centres,
    prior_conflicts,
    uncertainty_to_dict,
)

FULL = {
    "continuous": {
        "draws": 5000,
        "seed": 7,
        "target": 0.7,
        "prevalence": {"x": 30, "n": 60},
        "positive_effect": {"estimate": 0.5, "se": 0.15},
        "negative_effect": {"lower": -0.1, "upper": 0.3, "level": 0.9},
        "assay_sensitivity": {"x": 95, "n": 100},
        "assay_specificity": {"mean": 0.95, "n": 200},
    },
    "binary": {
        "prevalence": {"mean": 0.4, "sd": 0.05},
        "positive_effect": {"estimate": 0.2, "lower": 0.1, "upper": 0.3},
        "negative_effect": {"se": 0.05},
        "assay_specificity": {"sd": 0.0},
    },
    "survival": {
        "prevalence": {"n": 50},
        "positive_effect": {"estimate": 0.6, "lower": 0.45, "upper": 0.8},
        "negative_effect": {"estimate": 0.9, "se": 0.2},
        "assay_sensitivity": {"x": 100, "n": 100},
    },
}


def _scenario(endpoint="continuous", block=None, **over):
    d = base_scenario(endpoint, **over)
    d["uncertainty"] = FULL[endpoint] if block is None else block
    return scenario_from_dict(d)


# ----------------------------------------------------------------------------- round trip
@pytest.mark.parametrize("endpoint", ["continuous", "binary", "survival"])
def test_round_trip_is_identity(endpoint, tmp_path):
    s = _scenario(endpoint)
    assert isinstance(s.uncertainty, Uncertainty)
    d = scenario_to_dict(s)
    assert scenario_from_dict(json.loads(json.dumps(d))) == s
    path = tmp_path / "s.json"
    save_scenario(s, path)
    s2 = load_scenario(path)
    assert s2 == s
    assert scenario_to_dict(s2) == d
    # the block is written as given, plus draws and seed (defaults written out)
    block = dict(FULL[endpoint])
    block.setdefault("draws", 10_000)
    block.setdefault("seed", 12345)
    assert d["uncertainty"] == block


def test_parse_returns_value_and_no_problems():
    u, problems = parse_uncertainty(FULL["survival"], "survival")
    assert problems == []
    assert u.prevalence == BetaPrior(n=50.0)
    assert u.positive_effect == NormalPrior("log_hazard_ratio", estimate=0.6, lower=0.45, upper=0.8)
    assert u.uncertain() == ("prevalence", "positive_effect", "negative_effect", "assay_sensitivity")
    assert uncertainty_to_dict(u)["draws"] == 10_000


def test_empty_block_is_valid_and_certain():
    u, problems = parse_uncertainty({}, "binary")
    assert problems == [] and u.uncertain() == ()


# ----------------------------------------------------------------------------- validation
BAD = [
    ("continuous", {"prevalence": {"x": 5}}, "uncertainty.prevalence.n"),
    ("continuous", {"prevalence": {"x": 50, "n": 40}}, "uncertainty.prevalence.x"),
    ("continuous", {"prevalence": {"x": 2.5, "n": 40}}, "uncertainty.prevalence.x"),
    ("continuous", {"prevalence": {"x": 5, "n": 40, "mean": 0.2}}, "uncertainty.prevalence.mean"),
    ("continuous", {"prevalence": {"mean": 1.2, "n": 10}}, "uncertainty.prevalence.mean"),
    ("continuous", {"prevalence": {"mean": 0.5, "n": 0}}, "uncertainty.prevalence.n"),
    ("continuous", {"prevalence": {"mean": 0.5, "n": 10, "sd": 0.1}}, "uncertainty.prevalence.sd"),
    ("continuous", {"prevalence": {"mean": 0.5, "sd": 0.6}}, "uncertainty.prevalence.sd"),
    ("continuous", {"prevalence": {"mean": 0.5}}, "uncertainty.prevalence"),
    ("continuous", {"prevalence": {"mean": 0.5, "n": 10, "alpha": 2}}, "uncertainty.prevalence.alpha"),
    ("continuous", {"prevalence": 0.5}, "uncertainty.prevalence"),
    ("continuous", {"assay_sensitivity": {"x": -1, "n": 10}}, "uncertainty.assay_sensitivity.x"),
    ("continuous", {"assay_specificity": {"mean": "high", "n": 10}}, "uncertainty.assay_specificity.mean"),
    ("continuous", {"positive_effect": {"estimate": 0.5}}, "uncertainty.positive_effect"),
    ("continuous", {"positive_effect": {"estimate": 0.5, "se": -1}}, "uncertainty.positive_effect.se"),
    ("continuous", {"positive_effect": {"se": 0.1, "lower": 0.1, "upper": 0.3}}, "uncertainty.positive_effect.se"),
    ("continuous", {"positive_effect": {"lower": 0.3, "upper": 0.1}}, "uncertainty.positive_effect.upper"),
    ("continuous", {"positive_effect": {"lower": 0.3}}, "uncertainty.positive_effect.upper"),
    ("continuous", {"positive_effect": {"estimate": 0.5, "lower": 0.1, "upper": 0.3}}, "uncertainty.positive_effect.estimate"),
    ("continuous", {"positive_effect": {"se": 0.1, "level": 0.9}}, "uncertainty.positive_effect.level"),
    ("continuous", {"negative_effect": {"lower": 0, "upper": 1, "level": 95}}, "uncertainty.negative_effect.level"),
    ("survival", {"positive_effect": {"estimate": -0.5, "se": 0.1}}, "uncertainty.positive_effect.estimate"),
    ("survival", {"negative_effect": {"lower": 0, "upper": 1.2}}, "uncertainty.negative_effect.lower"),
    ("binary", {"positive_effect": {"estimate": 1.5, "se": 0.1}}, "uncertainty.positive_effect.estimate"),
    ("binary", {"positive_effect": {"se": 2}}, "uncertainty.positive_effect.se"),
    ("continuous", {"draws": 5}, "uncertainty.draws"),
    ("continuous", {"draws": 1000.5}, "uncertainty.draws"),
    ("continuous", {"seed": -1}, "uncertainty.seed"),
    ("continuous", {"target": 1.0}, "uncertainty.target"),
    ("continuous", {"sample_size": 3}, "uncertainty.sample_size"),
]


@pytest.mark.parametrize("endpoint, block, path", BAD, ids=[b[2] + str(i) for i, b in enumerate(BAD)])
def test_validation_names_the_field(endpoint, block, path):
    u, problems = parse_uncertainty(block, endpoint)
    assert u is None
    assert path in [p.path for p in problems], problems
    with pytest.raises(ScenarioError) as err:
        _scenario(endpoint, block)
    assert err.value.for_field(path)


def test_block_must_be_an_object():
    with pytest.raises(ScenarioError) as err:
        _scenario("continuous", [1, 2])
    assert err.value.for_field("uncertainty")


def test_every_problem_is_reported():
    block = {"draws": 1, "prevalence": {"x": 9, "n": 3}, "positive_effect": {}}
    _, problems = parse_uncertainty(block, "continuous")
    paths = {p.path for p in problems}
    assert {"uncertainty.draws", "uncertainty.prevalence.x", "uncertainty.positive_effect"} <= paths


def test_resolution_against_the_scenario_names_the_field():
    # sd 0.55 is valid for some mean, but not around the scenario's prevalence 0.5 (max 0.5)
    s = _scenario("continuous", {"prevalence": {"sd": 0.55}})
    with pytest.raises(ScenarioError) as err:
        draw_inputs(s)
    assert err.value.for_field("uncertainty.prevalence.sd")
    # a risk difference of 0.9 is impossible with control rate 0.3 (treatment rate 1.2)
    s = _scenario("binary", {"positive_effect": {"estimate": 0.9, "se": 0.01}})
    with pytest.raises(ScenarioError) as err:
        draw_inputs(s)
    assert err.value.for_field("uncertainty.positive_effect.estimate")
    s = _scenario("binary", {"negative_effect": {"estimate": -0.5, "se": 0}})  # control rate 0.3
    with pytest.raises(ScenarioError) as err:
        draw_inputs(s)
    assert err.value.for_field("uncertainty.negative_effect.estimate")


# ----------------------------------------------------------------------------- distributions
def test_beta_forms():
    assert BetaPrior(x=261, n=437).parameters(0.5) == (262.0, 177.0)  # uniform prior posterior
    assert BetaPrior(mean=0.6, n=40).parameters(0.5) == pytest.approx((24.0, 16.0))
    a, b = BetaPrior(mean=0.6, sd=0.05).parameters(0.5)
    assert a / (a + b) == pytest.approx(0.6)
    assert math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1))) == pytest.approx(0.05)
    assert BetaPrior(n=40).parameters(0.25) == pytest.approx((10.0, 30.0))  # centred on the scenario
    assert BetaPrior(sd=0.0).parameters(0.3) is None


def test_normal_forms():
    z = 1.959963984540054
    hr = NormalPrior("log_hazard_ratio", estimate=0.48, lower=0.36, upper=0.64)
    mu, sd = hr.mean_sd(0.7)
    assert mu == pytest.approx(math.log(0.48))
    assert sd == pytest.approx((math.log(0.64) - math.log(0.36)) / (2 * z))
    mid = NormalPrior("log_hazard_ratio", lower=0.36, upper=0.64)
    assert mid.mean_sd(0.7)[0] == pytest.approx(0.5 * (math.log(0.36) + math.log(0.64)))
    assert NormalPrior("mean_difference", se=0.2).mean_sd(0.3) == (0.3, 0.2)
    ninety = NormalPrior("risk_difference", lower=0.0, upper=0.2, level=0.9)
    assert ninety.mean_sd(0.0)[1] == pytest.approx(0.2 / (2 * 1.6448536269514722))


def test_draws_follow_the_distributions():
    block = {
        "draws": 200_000,
        "seed": 3,
        "prevalence": {"x": 30, "n": 100},
        "positive_effect": {"estimate": 0.6, "lower": 0.45, "upper": 0.8},
        "negative_effect": {"se": 0.2},
    }
    s = _scenario("survival", block)
    d = draw_inputs(s)
    b = d.size
    # MC tolerance: 5 standard errors of a mean of 200,000 draws
    prev = d.inputs["prevalence"]
    a_, b_ = 31, 71
    assert prev.mean() == pytest.approx(a_ / (a_ + b_), abs=5 * prev.std() / math.sqrt(b))
    log_hr = np.log(d.inputs["positive_effect"])
    sd = (math.log(0.8) - math.log(0.45)) / (2 * 1.959963984540054)
    assert log_hr.mean() == pytest.approx(math.log(0.6), abs=5 * sd / math.sqrt(b))
    assert log_hr.std() == pytest.approx(sd, rel=0.01)
    neg = np.log(d.inputs["negative_effect"])
    assert neg.mean() == pytest.approx(math.log(0.9), abs=5 * 0.2 / math.sqrt(b))
    assert "sensitivity" not in d.inputs


def test_binary_risk_difference_is_truncated_to_valid_rates():
    block = {"draws": 20_000, "positive_effect": {"estimate": 0.6, "se": 0.2}}
    s = _scenario("binary", block)  # control rate 0.3: treatment rate 0.3 + RD must stay < 1
    rd = draw_inputs(s).inputs["positive_effect"]
    assert rd.max() < 0.7 and rd.min() > -0.3
    assert (rd > 0.69).any()  # truncated, not shifted: mass piles up near the upper bound
    # and the whole pipeline stays finite
    from planner.params import params_from_scenario

    par = params_from_scenario(s, positive_effect=rd)
    t = par.positive["treatment_rate"]
    assert np.all((t > 0) & (t < 1))


def test_draws_are_deterministic_and_streams_independent():
    s1 = _scenario("continuous")
    d1, d2 = draw_inputs(s1), draw_inputs(s1)
    for k in d1.inputs:
        np.testing.assert_array_equal(d1.inputs[k], d2.inputs[k])
    other = draw_inputs(s1, seed=8)
    assert not np.array_equal(other.inputs["prevalence"], d1.inputs["prevalence"])
    # removing one input's distribution leaves the others' draws unchanged
    block = dict(FULL["continuous"])
    del block["negative_effect"]
    d3 = draw_inputs(_scenario("continuous", block))
    np.testing.assert_array_equal(d3.inputs["prevalence"], d1.inputs["prevalence"])
    np.testing.assert_array_equal(d3.inputs["positive_effect"], d1.inputs["positive_effect"])
    assert "negative_effect" not in d3.inputs


def test_point_masses_reproduce_the_scenario_values():
    block = {
        "draws": 100,
        "prevalence": {"sd": 0},
        "positive_effect": {"se": 0},
        "negative_effect": {"se": 0},
        "assay_sensitivity": {"sd": 0},
        "assay_specificity": {"sd": 0},
    }
    s = _scenario("survival", block, population={"prevalence": 0.3, "assay_sensitivity": 0.9,
                                                 "assay_specificity": 0.8})
    d = draw_inputs(s)
    assert np.all(d.inputs["prevalence"] == 0.3)
    assert np.all(d.inputs["positive_effect"] == 0.6)
    assert np.all(d.inputs["negative_effect"] == 0.9)
    assert np.all(d.inputs["sensitivity"] == 0.9)
    assert np.all(d.inputs["specificity"] == 0.8)


# ----------------------------------------------------------------------------- point values and spread
IPASS = Path(__file__).resolve().parent.parent / "resources" / "scenarios" / "egfr_nsclc_ipass.json"


def _edited_ipass(prevalence=0.3, hr_negative=0.9, block=None):
    d = scenario_to_dict(load_scenario(IPASS))
    d["population"]["prevalence"] = prevalence
    d["negative"]["hazard_ratio"] = hr_negative
    if block is not None:
        d["uncertainty"] = block
    return scenario_from_dict(d)


def test_example_priors_agree_with_their_values():
    s = load_scenario(IPASS)
    centres = {c.input: c for c in prior_centres(s)}
    assert not prior_conflicts(s)
    # 261 of 437 under a uniform prior: mean 262/439 = 0.5968, beside the value 0.6
    assert centres["prevalence"].form == "counts"
    assert centres["prevalence"].centre == pytest.approx(262 / 439, abs=1e-12)
    assert centres["prevalence"].sds < CONFLICT_SDS


def test_counts_for_another_value_conflict_and_say_by_how_much():
    s = _edited_ipass()
    conflicts = {c.input: c for c in prior_conflicts(s)}
    assert set(conflicts) == {"prevalence", "negative_effect"}
    prev = conflicts["prevalence"]
    assert prev.difference == pytest.approx(262 / 439 - 0.3, abs=1e-12)
    sd = math.sqrt(262 * 177 / (439**2 * 440))  # Beta(262, 177)
    assert prev.sds == pytest.approx((262 / 439 - 0.3) / sd, rel=1e-9)
    assert "differs by +0.297" in prev.describe() and "population.prevalence is 0.3" in prev.describe()
    neg = conflicts["negative_effect"]
    tau = (math.log(3.98) - math.log(2.05)) / (2 * 1.959963984540054)
    assert neg.sds == pytest.approx((math.log(2.85) - math.log(0.9)) / tau, rel=1e-9)


def test_moving_a_value_moves_a_prior_that_agreed_and_keeps_counts():
    before = load_scenario(IPASS)
    after = _edited_ipass()
    block = scenario_to_dict(before)["uncertainty"]
    moved, keys = follow_point_values(block, before, after)
    assert keys == ("negative_effect",)
    tau = (math.log(3.98) - math.log(2.05)) / (2 * 1.959963984540054)
    assert moved["negative_effect"] == {"se": pytest.approx(tau, rel=1e-12)}
    assert moved["prevalence"] == {"x": 261, "n": 437}  # evidence about one value: kept
    assert moved["positive_effect"] == block["positive_effect"]  # value unchanged
    s = _edited_ipass(block=moved)
    assert [c.input for c in prior_conflicts(s)] == ["prevalence"]


def test_beta_with_a_stated_mean_drops_it_when_the_value_moves():
    before = _scenario("binary")  # prevalence {"mean": 0.4, "sd": 0.05} at prevalence 0.5: disagrees
    assert [c.input for c in prior_conflicts(before)] == ["prevalence"]
    block = dict(FULL["binary"], prevalence={"mean": 0.5, "n": 40})
    before = _scenario("binary", block)
    assert not prior_conflicts(before)
    after = _scenario("binary", block, population={"prevalence": 0.3})
    moved, keys = follow_point_values(block, before, after)
    assert keys == ("prevalence",)
    assert moved["prevalence"] == {"n": 40}


def test_centred_form_gives_the_same_draws_as_the_agreeing_interval():
    """Version 1 files whose distribution agreed with the value keep their numbers after a move."""
    s = load_scenario(IPASS)
    block = scenario_to_dict(s)["uncertainty"]
    centred = dict(block, negative_effect={"se": NormalPrior("log_hazard_ratio", **block["negative_effect"]).mean_sd(1)[1]},
                   positive_effect={"se": NormalPrior("log_hazard_ratio", **block["positive_effect"]).mean_sd(1)[1]})
    d = scenario_to_dict(s)
    d["uncertainty"] = centred
    a, b = draw_inputs(s), draw_inputs(scenario_from_dict(d))
    for k in a.inputs:
        np.testing.assert_allclose(a.inputs[k], b.inputs[k], rtol=1e-12)
