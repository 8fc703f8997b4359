"""Fixed designs over several populations (planner.designs.multipop) with the closed-test engine:
claims, sizes for every claim, the global null, and the two-hypothesis Simes test against its
closed form from the bivariate normal."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from conftest import ROOT, SCENARIOS
from scipy.stats import multivariate_normal, norm

pytest.importorskip("planner.closed_test")

from test_cells_form import cells_scenario  # noqa: E402

from planner.compute import compare_designs, compute_design  # noqa: E402
from planner.designs.build import build_model  # noqa: E402
from planner.params import params_from_scenario  # noqa: E402
from planner.scenario_io import load_scenario, scenario_from_dict  # noqa: E402

PROCEDURES = ("bonferroni", "simes", "parametric", "fixed_sequence")


@pytest.mark.parametrize("procedure", PROCEDURES)
@pytest.mark.parametrize("size_for", ["at_least_one", "all", "S1", "S2", "F"])
def test_every_procedure_sizes_for_every_claim(procedure, size_for):
    d = cells_scenario("continuous")
    d["designs"] = {"stratified": {"multiplicity": procedure, "size_for": size_for}}
    r = compare_designs(scenario_from_dict(d), include_adaptive=False).designs["stratified"]
    assert r.feasible, r.message
    by = r.power_by_population
    assert set(by) == {"F", "S1", "S2"}
    got = by[size_for] if size_for in by else r.claims[size_for]
    assert got == r.power and r.power >= 0.8 - 1e-9
    assert r.claims["all"] <= min(by.values()) + 1e-12 <= max(by.values()) <= r.claims["at_least_one"] + 1e-12


@pytest.mark.parametrize("procedure", PROCEDURES)
def test_global_null_rejects_at_most_alpha(procedure):
    d = cells_scenario("continuous")
    for cell in d["cells"].values():
        cell["mean_difference"] = 0.0
    d["designs"] = {"stratified": {"multiplicity": procedure, "n_randomized": 500}}
    r = compare_designs(scenario_from_dict(d), include_adaptive=False).designs["stratified"]
    assert r.claims["at_least_one"] <= 0.025 + 1e-9
    if procedure in ("parametric", "fixed_sequence"):  # exhausts α exactly
        assert r.claims["at_least_one"] == pytest.approx(0.025, abs=1e-6)


def test_one_population_simes_equals_its_bivariate_closed_form():
    """Simes for (H_F, H_S): H_FS rejected if min p ≤ α/2 or max p ≤ α; so
    P(reject H_F) = P(Z_F > c₂) + P(Z_F > c, Z_S > c) − P(Z_F > c₂, Z_S > c), c = z(α), c₂ = z(α/2)."""
    d = cells_scenario("continuous")
    d["population"]["populations"] = [{"name": "S", "cells": ["high", "mid"]}]
    d["designs"] = {"stratified": {"multiplicity": "simes", "size_for": "F", "n_randomized": 400}}
    s = scenario_from_dict(d)
    model = build_model("stratified", params_from_scenario(s), s.designs["stratified"])
    st = model.stats
    n = 400.0
    mean = st.drift * np.sqrt(n)
    cov = st.cov1
    c, c2 = norm.isf(0.025), norm.isf(0.0125)

    def upper(a, b):
        lo = -np.array([a, b]) + mean
        return multivariate_normal(mean=[0, 0], cov=cov).cdf(lo)  # P(Z_F > a, Z_S > b)

    tail_f = norm.sf(c2, loc=mean[0], scale=np.sqrt(cov[0, 0]))
    tail_s = norm.sf(c2, loc=mean[1], scale=np.sqrt(cov[1, 1]))
    reject_f = tail_f + upper(c, c) - upper(c2, c)
    reject_s = tail_s + upper(c, c) - upper(c, c2)
    claims = model.claims(np.array([n]), np.array([0]))
    assert claims["population:F"][0] == pytest.approx(reject_f, abs=2e-6)
    assert claims["population:S"][0] == pytest.approx(reject_s, abs=2e-6)
    assert claims["all"][0] == pytest.approx(upper(c, c), abs=2e-6)


def test_fixed_sequence_power_is_nested():
    s = load_scenario(SCENARIOS / "pdl1_nsclc_keynote042_cutoffs.json")
    r = compute_design(s, "stratified")
    by = r.power_by_population
    assert by["TPS ≥50%"] >= by["TPS ≥20%"] >= by["TPS ≥1%"] >= by["F"]
    assert r.claims["at_least_one"] == pytest.approx(by["TPS ≥50%"])
    assert r.claims["all"] == pytest.approx(by["F"])


@pytest.mark.parametrize("name", ["pdl1_nsclc_keynote042_cutoffs.json", "her2_hr_breast_neoadjuvant_two_markers.json"])
def test_compute_json_of_the_several_population_examples(name):
    out = subprocess.run([sys.executable, "-m", "ui.cli", "compute", "--format", "json", str(SCENARIOS / name)],
                         cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    populations = [q["name"] for q in result["scenario"]["population"]["populations"]]
    strat = result["designs"]["stratified"]
    assert list(strat["power_by_population"]) == ["F", *populations]
    assert 0 <= strat["power_all"] <= strat["power_at_least_one"] <= 1
    assert strat["details"]["hypotheses"] == ["F", *populations]
    corr = np.array(strat["details"]["correlation_h0_matrix"])
    assert np.allclose(corr, corr.T) and np.allclose(np.diag(corr), 1.0)
    assert list(result["designs"]["interaction"]["power_by_population"]) == populations
