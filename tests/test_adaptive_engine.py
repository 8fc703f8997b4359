"""Adaptive enrichment engine: determinism, chunking, cancellation, 1-stage limit, search."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import pytest
from conftest import base_scenario

from planner.adaptive import (
    BLOCK,
    SimModel,
    critical_values,
    model_from_scenario,
    search_sample_size,
    simulate_model,
    simulate_scenario,
)
from planner.compute import compute_design
from planner.errors import ScenarioError
from planner.scenario import FixedDesignOptions
from planner.scenario_io import scenario_from_dict

CONTRACT = (
    "reject_subgroup", "reject_overall", "reject_at_least_one", "select_subgroup_only",
    "select_overall_only", "select_both", "expected_subjects",
)


def scenario(endpoint="continuous", adaptive=None, **over):
    d = base_scenario(endpoint, **over)
    opts = {"information_rates": [0.5, 1], "simulations": 4000, "seed": 11}
    if endpoint == "survival":
        opts["planned_events"] = [150, 300]
    else:
        opts["planned_subjects"] = [200, 400]
    opts.update(adaptive or {})
    d["designs"] = {"adaptive": opts}
    return scenario_from_dict(d)


def test_boundaries_reference_values():
    # rpact getDesignInverseNormal(kMax = 5, typeOfDesign = "asOF") and Pocock-type, 3 stages
    of5 = critical_values([0.2, 0.4, 0.6, 0.8, 1], 0.025, "obrien_fleming")
    assert of5 == pytest.approx([4.876885, 3.357012, 2.680280, 2.289817, 2.031032], abs=2e-5)
    p3 = critical_values([0.3, 0.6, 1], 0.025, "pocock")
    assert p3 == pytest.approx([2.311835, 2.320967, 2.268914], abs=2e-5)
    assert list(critical_values([0.5, 1], 0.025, "no_early_efficacy")) == [math.inf, pytest.approx(1.959964, abs=1e-6)]


@pytest.mark.parametrize("endpoint", ["continuous", "binary", "survival"])
def test_contract_fields_and_json(endpoint):
    res = simulate_scenario(scenario(endpoint))
    d = res.to_dict()
    for key in CONTRACT:
        assert key in d and key + "_se" in d
        assert d[key] is not None
    if endpoint == "survival":
        assert d["expected_events"] is not None and d["expected_events_se"] is not None
    assert d["design"] == "adaptive" and d["feasible"] is True
    assert d["power"] == d["reject_at_least_one"]
    assert d["simulations"] == 4000 and d["seed"] == 11 and d["incomplete"] is False
    assert len(d["reject_subgroup_per_stage"]) == 2
    assert d["select_subgroup_only"] + d["select_overall_only"] + d["select_both"] == pytest.approx(
        1 - d["early_stop_per_stage"][0])
    assert sum(d["reject_subgroup_per_stage"]) == pytest.approx(d["reject_subgroup"])
    json.dumps(d, allow_nan=False)
    text = res.summary()
    assert "Adaptive enrichment" in text and "reject H_S" in text


def test_same_seed_identical_for_any_chunk_size_and_workers():
    sc = scenario("binary", {"intersection_test": "spiessens_debois"})
    a = simulate_scenario(sc, simulations=5 * BLOCK + 123, chunk_size=BLOCK, workers=1).to_dict()
    b = simulate_scenario(sc, simulations=5 * BLOCK + 123, chunk_size=3 * BLOCK, workers=2).to_dict()
    c = simulate_scenario(sc, simulations=5 * BLOCK + 123, chunk_size=10**6, workers=1).to_dict()
    assert a == b == c
    d = simulate_scenario(sc, simulations=5 * BLOCK + 123, seed=99).to_dict()
    assert d != a


def test_cancelled_run_stops_within_one_chunk_and_is_flagged():
    sc = scenario("continuous")
    calls = []

    def progress(done, total):
        calls.append((done, total))

    res = simulate_scenario(sc, simulations=50 * BLOCK, chunk_size=BLOCK, workers=1,
                            progress=progress, is_cancelled=lambda: len(calls) >= 1)
    assert res.incomplete is True
    assert res.simulations == BLOCK  # the chunk in flight finished, no further chunk started
    assert res.to_dict()["incomplete"] is True
    assert calls == [(BLOCK, 50 * BLOCK)]
    assert "INCOMPLETE" in res.summary()
    # with two workers at most one more chunk is in flight
    calls.clear()
    res2 = simulate_scenario(sc, simulations=50 * BLOCK, chunk_size=BLOCK, workers=2,
                             progress=progress, is_cancelled=lambda: len(calls) >= 1)
    assert res2.incomplete and res2.simulations <= 3 * BLOCK


def test_progress_reports_every_chunk():
    seen = []
    simulate_scenario(scenario(), simulations=4 * BLOCK, chunk_size=BLOCK, workers=1,
                      progress=lambda d, t: seen.append(d))
    assert seen == [BLOCK, 2 * BLOCK, 3 * BLOCK, 4 * BLOCK]


def test_scenario_without_adaptive_design_is_an_error():
    d = base_scenario("continuous")
    d["designs"] = {"stratified": {}}
    with pytest.raises(ScenarioError) as err:
        simulate_scenario(scenario_from_dict(d))
    assert err.value.problems[0].path == "designs.adaptive"


ONE_STAGE = [
    ("continuous", {}, 300),
    ("continuous", {"population": {"prevalence": 0.4, "assay_sensitivity": 0.9, "assay_specificity": 0.85}}, 360),
    ("binary", {}, 400),
    ("survival", {"population": {"prevalence": 0.6}}, 260),
]


@pytest.mark.parametrize("endpoint,over,size", ONE_STAGE)
@pytest.mark.parametrize("test", ["spiessens_debois", "bonferroni"])
def test_one_stage_limit_matches_analytic_stratified_design(endpoint, over, size, test):
    sc = scenario(endpoint, {"intersection_test": test}, **over)
    model = model_from_scenario(sc)
    one = replace(model, information_rates=(1.0,), planned=(float(size),), critical=())
    res = simulate_model(one, 40_000, seed=5)
    opts = FixedDesignOptions(multiplicity=test)
    if endpoint == "survival":
        fixed = compute_design(sc, "stratified", opts, question="power", events=size)
    else:
        fixed = compute_design(sc, "stratified", opts, question="power", n_randomized=size)
    claims = fixed.claims
    pairs = [(res.reject_overall, res.reject_overall_se, claims["overall"]),
             (res.reject_subgroup, res.reject_subgroup_se, claims["subgroup"]),
             (res.reject_at_least_one, res.reject_at_least_one_se, claims["either"]),
             (res.reject_both, res.reject_both_se, claims["both"])]
    for sim, se, exact in pairs:
        assert abs(sim - exact) <= 4 * se + 0.002, (sim, exact, se)


def test_sample_size_search_is_monotone_and_hits_target():
    model = SimModel(endpoint="continuous", prevalence=0.5, planned=(100.0, 200.0),
                     information_rates=(0.5, 1.0), theta=(0.4, 0.1), variance=(4.0, 4.0))
    found = search_sample_size(model, 0.8, claim="subgroup", simulations=8000, seed=3)
    assert found.feasible and found.power >= 0.8
    below = simulate_model(model.with_planned((found.size / 2 - 0.5, found.size - 1)), 8000, 3)
    assert below.reject_subgroup < 0.8
    sizes = sorted(found.evaluations)
    powers = [p for _, p in sizes]
    assert all(b >= a - 0.01 for a, b in zip(powers, powers[1:]))
    assert found.to_dict()["size"] == found.size


def test_futility_bounds_and_all_success_criterion():
    sc = scenario("continuous", {"futility_bounds": [0.0], "success_criterion": "all"},
                  positive={"mean_difference": 0.0}, negative={"mean_difference": 0.0001})
    res = simulate_scenario(sc, simulations=20_000)
    assert res.early_stop_futility > 0.4  # both interim statistics ≤ 0 about half the time
    assert res.power == res.success


def test_threshold_rule_drops_negative_patients():
    sc = scenario("continuous", {"selection": {"rule": "threshold", "threshold": 0.2}},
                  negative={"mean_difference": -0.3})
    res = simulate_scenario(sc, simulations=20_000)
    continuing = 1 - res.per_stage["early_stop_per_stage"][0]
    assert res.select_subgroup_only / continuing > 0.95
    assert res.select_overall_only == 0.0
    assert res.expected_screened > res.expected_subjects


def test_three_stage_design_runs_and_stage_arrays_have_k_entries():
    sc = scenario("survival", {"information_rates": [0.3, 0.6, 1.0], "planned_events": [90, 180, 300],
                               "boundaries": "pocock", "selection": {"rule": "epsilon", "epsilon": 0.1}})
    d = simulate_scenario(sc, simulations=10_000).to_dict()
    assert len(d["critical_values"]) == 3
    assert len(d["selected_subgroup_per_stage"]) == 3
    assert len(d["futility_per_stage"]) == 2
    assert d["expected_events"] <= 300


def test_adaptive_package_imports_no_gui_or_plotting():
    import subprocess
    import sys

    code = ("import sys, planner.adaptive\n"
            "bad = [n for n in sys.modules if n.split('.')[0] in ('PySide6', 'ui', 'matplotlib')]\n"
            "print(bad); sys.exit(1 if bad else 0)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
