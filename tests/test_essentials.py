"""Issue 15: shifted nulls against rpact 3.3.4, exact binary power, dropout, effect scales, bad input."""

from __future__ import annotations

import contextlib
import io
import json
import math

import numpy as np
import pytest
from conftest import DATA, SCENARIOS, base_scenario
from scipy.stats import binom, fisher_exact, norm

from planner.compute import compare_designs, compute_design
from planner.dropout import inflate, inflate_arms, screening_factor
from planner.effect_scales import effect_value, treatment_rate
from planner.exact_binary import exact_power, fisher_p_values
from planner.noninferiority import direction_words, fm_restricted_rates
from planner.scenario_io import load_scenario, scenario_from_dict, scenario_to_dict
from ui.cli import main

CASES = json.loads((DATA / "rpact_essentials.json").read_text())["cases"]


def _cases(kind: str) -> list[dict]:
    return [c for c in CASES if c["kind"] == kind]


def _one_population(d: dict) -> dict:
    """Both subgroups alike: the all-comers design is a plain two-arm trial."""
    d["negative"] = dict(d["positive"])
    d["designs"] = {"all_comers": {}}
    return d


def _all_comers(d: dict):
    return compute_design(scenario_from_dict(d), "all_comers")


# --------------------------------------------------------------------------- rpact: shifted nulls
@pytest.mark.parametrize("case", _cases("means"), ids=lambda c: c["id"])
def test_noninferiority_means_rpact(case):
    i = case["inputs"]
    d = _one_population(base_scenario(
        "continuous", positive={"mean_difference": i["diff"], "sd": i["sd"]},
        testing={"power": i["power"], "allocation_ratio": i["alloc"], "null_effect": i["theta_h0"],
                 "method": i["method"]}))
    r = _all_comers(d)
    assert r.n_randomized_exact == pytest.approx(case["outputs"]["n"], rel=1e-6)


@pytest.mark.parametrize("case", _cases("rates"), ids=lambda c: c["id"])
def test_noninferiority_rates_farrington_manning_rpact(case):
    i = case["inputs"]
    better = "lower" if i["pi1"] - i["pi2"] < i["theta_h0"] else "higher"
    d = _one_population(base_scenario(
        "binary", positive={"control_rate": i["pi2"], "treatment_rate": i["pi1"]},
        testing={"power": i["power"], "allocation_ratio": i["alloc"], "null_effect": i["theta_h0"],
                 "better": better}))
    r = _all_comers(d)
    assert r.n_randomized_exact == pytest.approx(case["outputs"]["n"], rel=1e-9)
    assert r.n_per_arm["treatment"] == math.ceil(case["outputs"]["n1"] - 1e-9)


@pytest.mark.parametrize("case", _cases("survival"), ids=lambda c: c["id"])
def test_noninferiority_survival_rpact(case):
    i = case["inputs"]
    d = _one_population(base_scenario(
        "survival", positive={"control_median": i["median2"], "hazard_ratio": i["hr"]},
        survival={"accrual_time": i["accrual"], "follow_up_time": i["follow_up"]},
        testing={"power": i["power"], "allocation_ratio": i["alloc"], "null_effect": i["theta_h0"]}))
    r = _all_comers(d)
    assert r.events_exact == pytest.approx(case["outputs"]["events"], rel=1e-9)
    assert r.n_randomized_exact == pytest.approx(case["outputs"]["n"], rel=1e-6)


def test_at_least_eight_rpact_cases_with_both_allocations():
    shifted = [c for c in CASES if c["kind"] in ("means", "rates", "survival")]
    assert len(shifted) >= 8
    assert {c["inputs"]["alloc"] for c in shifted} == {1, 2}


def test_fm_restricted_rates_zero_margin_is_pooled_and_satisfy_constraint():
    ml1, ml2 = fm_restricted_rates(0.7, 0.75, 0.0, 2.0)
    assert ml1 == ml2 == pytest.approx((2 * 0.7 + 0.75) / 3)
    ml1, ml2 = fm_restricted_rates(np.array([0.7, 0.2]), np.array([0.75, 0.1]), -0.15, 2.0)
    assert np.allclose(ml1 - ml2, -0.15)


def test_shifted_null_for_every_design_and_endpoint():
    for endpoint, theta0 in (("continuous", -0.2), ("binary", -0.05), ("survival", 1.1)):
        plain = compare_designs(scenario_from_dict(base_scenario(endpoint)))
        ni = compare_designs(scenario_from_dict(base_scenario(endpoint, testing={"null_effect": theta0})))
        for name in ("all_comers", "targeted", "stratified", "strategy"):
            assert ni.designs[name].n_randomized < plain.designs[name].n_randomized, (endpoint, name)
        assert ni.designs["interaction"].n_randomized == plain.designs["interaction"].n_randomized


def test_justification_words_name_margin_and_direction():
    assert direction_words("continuous", "higher", -0.5).startswith("non-inferiority margin of 0.5")
    assert "H0: risk difference ≥ 0.05" in direction_words("binary", "lower", 0.05)
    assert direction_words("survival", "higher", 1.3).startswith("non-inferiority margin of 0.3")
    assert direction_words("survival", "higher", 1.0) == ""


# --------------------------------------------------------------------------- exact binary power
def _brute_force(n_t, n_c, p_t, p_c, alpha):
    """Loop over every table: pooled z by hand and scipy's fisher_exact (one-sided)."""
    crit = norm.ppf(1 - alpha)
    z_power = f_power = 0.0
    for x in range(n_t + 1):
        for y in range(n_c + 1):
            pr = binom.pmf(x, n_t, p_t) * binom.pmf(y, n_c, p_c)
            pbar = (x + y) / (n_t + n_c)
            if 0 < pbar < 1:
                z = (x / n_t - y / n_c) / math.sqrt(pbar * (1 - pbar) * (1 / n_t + 1 / n_c))
                z_power += pr * (z > crit)
            p = fisher_exact([[x, n_t - x], [y, n_c - y]], alternative="greater")[1]
            f_power += pr * (p <= alpha * (1 + 1e-9))
    return z_power, f_power


@pytest.mark.parametrize("args", [(12, 9, 0.7, 0.2, 0.025), (20, 20, 0.9, 0.5, 0.025), (7, 14, 0.5, 0.1, 0.05)])
def test_exact_power_matches_brute_force_enumeration(args):
    z, f = _brute_force(*args)
    res = exact_power(*args)
    assert res["z"] == pytest.approx(z, abs=1e-12)
    assert res["fisher"] == pytest.approx(f, abs=1e-12)


@pytest.mark.parametrize("case", _cases("exact_binary"), ids=lambda c: c["id"])
def test_exact_power_matches_r_fisher_test(case):
    i, o = case["inputs"], case["outputs"]
    res = exact_power(i["n1"], i["n2"], i["p1"], i["p2"], i["alpha"])
    assert res["fisher"] == pytest.approx(o["power_fisher"], abs=1e-10)
    assert res["z"] == pytest.approx(o["power_z_pooled"], abs=1e-10)


def test_fisher_p_values_lower_direction_mirror_upper():
    up = fisher_p_values(6, 8, 1.0)
    down = fisher_p_values(6, 8, -1.0)
    # swapping successes and failures turns one tail into the other
    assert np.allclose(down[::-1, ::-1], up)


def test_exact_power_in_compute_for_small_trials():
    d = base_scenario("binary", positive={"control_rate": 0.2, "treatment_rate": 0.6},
                      testing={"exact_power": True}, designs={"targeted": {}, "stratified": {}})
    res = compare_designs(scenario_from_dict(d))
    t = res.designs["targeted"]
    n_t, n_c = t.n_per_arm["treatment"], t.n_per_arm["control"]
    ref = exact_power(n_t, n_c, 0.6, 0.2, 0.025)
    assert t.power_exact == pytest.approx(ref["z"]) and t.power_fisher == pytest.approx(ref["fisher"])
    assert res.designs["stratified"].power_exact is None  # two tests: no single exact power


# --------------------------------------------------------------------------- dropout and screening
def test_dropout_arithmetic_per_arm_ceiling():
    assert inflate(100, 0.2) == 125
    assert inflate(101, 0.2) == 127  # 126.25 rounded up
    assert inflate_arms(64, 32, 0.15) == (76, 38)  # 75.29 → 76, 37.65 → 38
    assert screening_factor(0.1, 0.2) == pytest.approx(1 / 0.72)


def test_dropout_inflates_randomized_keeps_evaluable_and_power():
    plain = _all_comers(base_scenario("continuous", designs={"all_comers": {}}))
    d = _all_comers(base_scenario("continuous", designs={"all_comers": {}}, testing={"dropout": 0.2}))
    assert d.n_evaluable == plain.n_randomized
    assert d.n_per_arm["treatment"] == math.ceil(plain.n_per_arm["treatment"] / 0.8)
    assert d.power == plain.power
    assert d.n_randomized_exact == pytest.approx(plain.n_randomized_exact / 0.8)


def test_screened_and_cost_follow_inflated_size_and_screening_losses():
    over = dict(designs={"targeted": {}}, costs={"per_screened": 100.0, "per_randomized": 1000.0},
                testing={"dropout": 0.1})
    d = base_scenario("binary", **over)
    d["population"].update(assay_failure=0.05, screen_failure=0.2)
    r = compute_design(scenario_from_dict(d), "targeted")
    expected = math.ceil(r.n_randomized / 0.5 / (0.95 * 0.8) - 1e-9)
    assert r.n_screened == expected
    assert r.cost == 100.0 * expected + 1000.0 * r.n_randomized


def test_version_1_files_give_todays_numbers_with_explicit_defaults():
    for path in sorted(SCENARIOS.glob("*.json")):
        data = json.loads(path.read_text())
        s = scenario_from_dict(data)
        t = scenario_to_dict(s)["testing"]
        assert t["dropout"] == 0.0 and t["null_effect"] == (1.0 if data["endpoint"] == "survival" else 0.0)
        if data["endpoint"] == "survival" or "adaptive" in data.get("designs", {}):
            continue
        data["testing"] = {**data["testing"], "null_effect": 0.0, "dropout": 0.0}
        a = compare_designs(s, include_adaptive=False).designs
        b = compare_designs(scenario_from_dict(data), include_adaptive=False).designs
        for name in a:
            assert (a[name].n_randomized, a[name].power) == (b[name].n_randomized, b[name].power)


# --------------------------------------------------------------------------- effect scales
@pytest.mark.parametrize("scale", ["risk_difference", "risk_ratio", "odds_ratio"])
def test_effect_scale_round_trips(scale):
    pc = np.array([0.05, 0.3, 0.6, 0.9])
    pt = np.array([0.1, 0.2, 0.75, 0.95])
    v = effect_value(pc, pt, scale)
    assert np.allclose(treatment_rate(pc, scale, v), pt, atol=1e-14)


def test_odds_ratio_example_and_file_keeps_what_was_typed():
    d = base_scenario("binary")
    d["positive"] = {"control_rate": 0.3, "effect": {"scale": "odds_ratio", "value": 1.8}}
    s = scenario_from_dict(d)
    assert s.positive.treatment_rate == pytest.approx(1.8 * 0.3 / (0.7 + 1.8 * 0.3))
    out = scenario_to_dict(s)["positive"]
    assert out == {"control_rate": 0.3, "effect": {"scale": "odds_ratio", "value": 1.8}}
    assert scenario_from_dict(json.loads(json.dumps(scenario_to_dict(s)))) == s


# --------------------------------------------------------------------------- bad input
def _run(tmp_path, data) -> tuple[int, str]:
    path = tmp_path / "s.json"
    path.write_text(json.dumps(data))
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        rc = main(["compute", str(path)])
    return rc, err.getvalue()


@pytest.mark.parametrize("endpoint, over, field", [
    ("continuous", {"testing": {"null_effect": 0.7}}, "testing.null_effect"),   # above the B+ effect 0.5
    ("binary", {"testing": {"null_effect": 0.25}}, "testing.null_effect"),      # above the B+ RD 0.2
    ("binary", {"testing": {"null_effect": -1.5}}, "testing.null_effect"),
    ("survival", {"testing": {"null_effect": 0.5}}, "testing.null_effect"),     # below the B+ HR 0.6
    ("binary", {"testing": {"null_effect": -0.1, "method": "arcsine"}}, "testing.null_effect"),
    ("continuous", {"testing": {"dropout": 1.0}}, "testing.dropout"),
    ("binary", {"testing": {"dropout": -0.1}}, "testing.dropout"),
    ("survival", {"testing": {"dropout": 0.1}}, "testing.dropout"),
    ("binary", {"positive": {"control_rate": 0.3, "effect": {"scale": "odds_ratio", "value": 0}}},
     "positive.effect.value"),
    ("binary", {"positive": {"control_rate": 0.3, "effect": {"scale": "odds_ratio", "value": -2}}},
     "positive.effect.value"),
    ("binary", {"positive": {"control_rate": 0.5, "effect": {"scale": "risk_ratio", "value": 2.5}}},
     "positive.effect.value"),
    ("binary", {"positive": {"control_rate": 0.3, "treatment_rate": 0.4,
                             "effect": {"scale": "risk_difference", "value": 0.2}}}, "positive.treatment_rate"),
    ("binary", {"population": {"prevalence": 0.5, "assay_failure": 1.0}}, "population.assay_failure"),
])
def test_bad_input_exits_2_naming_the_field(tmp_path, endpoint, over, field):
    d = base_scenario(endpoint)
    for k, v in over.items():
        d[k] = v if k != "testing" else {**d["testing"], **v}
    rc, err = _run(tmp_path, d)
    assert rc == 2, err
    assert field in err and "Traceback" not in err, err


def test_examples_still_load():
    for path in sorted(SCENARIOS.glob("*.json")):
        s = load_scenario(path)
        assert s.testing.null_effect == (1.0 if s.endpoint == "survival" else 0.0)
