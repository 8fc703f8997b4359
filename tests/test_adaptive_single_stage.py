"""Single-stage adaptive designs (``information_rates: [1]``): the closed test of H_S and H_F
without an interim, as rpact's ``getSimulationEnrichment*`` with ``kMax = 1``.

Without an interim the simulated design is the fixed biomarker-stratified design with the same
intersection test (Spiessens–Debois ↔ ``spiessens_debois``, Bonferroni ↔ ``bonferroni`` with
the equal split), so its rejection probabilities must equal the analytic bivariate-normal
powers of ``compute`` (continuous endpoint: known-variance z statistics in both). Tolerance:
4 Monte Carlo SEs, SE = √(p(1 − p)/n) with n = 200,000 simulated trials (SE ≤ 0.0011).
"""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout

import pytest
from conftest import base_scenario

from planner.adaptive import simulate_scenario
from planner.compute import compute_design
from planner.scenario import FixedDesignOptions
from planner.scenario_io import scenario_from_dict
from ui.cli import main

SIMS = 200_000
N = 400


def single_stage(test: str, **over) -> dict:
    base = dict(testing={"method": "z"}, population={"prevalence": 0.3},
                positive={"mean_difference": 0.45, "sd": 1.0}, negative={"mean_difference": 0.15, "sd": 1.0})
    d = base_scenario("continuous", **{**base, **over})
    d["designs"] = {
        "stratified": {"multiplicity": test, "n_randomized": N},
        "adaptive": {"information_rates": [1], "planned_subjects": [N], "intersection_test": test,
                     "simulations": SIMS, "seed": 2024},
    }
    return d


def test_single_stage_file_is_accepted_and_simulated_by_the_cli(tmp_path):
    path = tmp_path / "one.json"
    d = single_stage("bonferroni")
    d["designs"]["adaptive"].update(intersection_test="simes", simulations=2000)
    path.write_text(json.dumps(d))
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["simulate", str(path), "--format", "json"])
    assert code == 0
    res = json.loads(out.getvalue())["designs"]["adaptive"]
    assert res["stages"] == 1 and res["critical_values"] == [pytest.approx(1.959964, abs=1e-6)]
    assert res["early_stop_efficacy"] == 0 and res["select_both"] == 1
    text = io.StringIO()
    with redirect_stdout(text):
        assert main(["simulate", str(path)]) == 0
    assert "no interim" in text.getvalue()


def test_single_stage_needs_no_futility_bound():
    d = single_stage("bonferroni")
    d["designs"]["adaptive"]["futility_bounds"] = [0.0]
    with pytest.raises(Exception, match="futility_bounds"):
        scenario_from_dict(d)


@pytest.mark.parametrize("test", ["spiessens_debois", "bonferroni"])
def test_single_stage_equals_analytic_stratified_power(test):
    sc = scenario_from_dict(single_stage(test))
    res = simulate_scenario(sc)
    fixed = compute_design(sc, "stratified", FixedDesignOptions(multiplicity=test), question="power",
                           n_randomized=N)
    pairs = {"overall": (res.reject_overall, res.reject_overall_se),
             "subgroup": (res.reject_subgroup, res.reject_subgroup_se),
             "either": (res.reject_at_least_one, res.reject_at_least_one_se),
             "both": (res.reject_both, res.reject_both_se)}
    for claim, (sim, se) in pairs.items():
        assert abs(sim - fixed.claims[claim]) <= 4 * se, (claim, sim, fixed.claims[claim], se)


# --- the Spiessens–Debois correlation with unequal subgroup SDs -------------------------------
# Prevalence 0.3, σ− = 2σ+: the statistics' correlation is √(0.3/(0.3 + 0.7·4)) = 0.311, rpact's
# head count √0.3 = 0.548. The larger ρ gives a smaller critical value, so rpact's test has level
# 1 − Φ₂(c*(0.548), c*(0.548); 0.311) = 0.0264 instead of 0.025. 400,000 trials: SE ≈ 0.00025.
LEVEL_SIMS = 400_000


def _null_model(correlation: str):
    from planner.adaptive import SimModel

    return SimModel(endpoint="continuous", prevalence=0.3, planned=(400.0,), information_rates=(1.0,),
                    intersection_test="spiessens_debois", theta=(0.0, 0.0), variance=(4.0, 16.0),
                    correlation=correlation)


def _level_with_wrong_correlation() -> float:
    import numpy as np
    from scipy.optimize import brentq
    from scipy.stats import multivariate_normal

    def upper(c, rho):
        return 1.0 - multivariate_normal([0, 0], [[1, rho], [rho, 1]]).cdf([c, c])

    c_rpact = brentq(lambda c: upper(c, np.sqrt(0.3)) - 0.025, 1.9, 2.5, xtol=1e-10)
    return upper(c_rpact, np.sqrt(0.3 / (0.3 + 0.7 * 4.0)))


def test_spiessens_debois_single_stage_level_uses_the_statistics_correlation():
    from planner.adaptive import simulate_model

    res = simulate_model(_null_model("information"), LEVEL_SIMS, seed=99)
    assert abs(res.reject_at_least_one - 0.025) <= 4 * res.reject_at_least_one_se
    rp = simulate_model(_null_model("rpact_head_count"), LEVEL_SIMS, seed=99)
    exact = _level_with_wrong_correlation()
    assert exact == pytest.approx(0.0264, abs=1e-4)
    assert abs(rp.reject_at_least_one - exact) <= 4 * rp.reject_at_least_one_se
    assert rp.reject_at_least_one > 0.025 + 4 * rp.reject_at_least_one_se


def test_single_stage_with_unequal_sds_equals_the_analytic_stratified_power():
    sc = scenario_from_dict(single_stage("spiessens_debois", negative={"mean_difference": 0.15, "sd": 2.0}))
    assert sc.designs["adaptive"].correlation == "information"
    res = simulate_scenario(sc)
    fixed = compute_design(sc, "stratified", FixedDesignOptions(), question="power", n_randomized=N)
    for claim, sim, se in (("overall", res.reject_overall, res.reject_overall_se),
                           ("subgroup", res.reject_subgroup, res.reject_subgroup_se),
                           ("either", res.reject_at_least_one, res.reject_at_least_one_se)):
        assert abs(sim - fixed.claims[claim]) <= 4 * se, (claim, sim, fixed.claims[claim], se)


def test_correlation_field_is_read_written_and_checked():
    from planner.scenario_io import scenario_to_dict

    d = single_stage("spiessens_debois")
    d["designs"]["adaptive"]["correlation"] = "rpact_head_count"
    sc = scenario_from_dict(d)
    assert sc.designs["adaptive"].correlation == "rpact_head_count"
    assert scenario_to_dict(sc)["designs"]["adaptive"]["correlation"] == "rpact_head_count"
    d["designs"]["adaptive"]["correlation"] = "head_count"
    with pytest.raises(Exception, match="designs.adaptive.correlation"):
        scenario_from_dict(d)
