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
from planner.cli import main
from planner.compute import compute_design
from planner.scenario import FixedDesignOptions
from planner.scenario_io import scenario_from_dict

SIMS = 200_000
N = 400


def single_stage(test: str, **over) -> dict:
    d = base_scenario("continuous", testing={"method": "z"}, population={"prevalence": 0.3},
                      positive={"mean_difference": 0.45, "sd": 1.0},
                      negative={"mean_difference": 0.15, "sd": 1.0}, **over)
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
