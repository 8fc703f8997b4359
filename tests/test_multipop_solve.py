"""The secant size search of the several-population stratified design (planner.solve.solve_smooth)
gives the bracketing search's N (planner.solve.solve_points, Chandrupatla) to 1e-10 relative."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from planner.designs.build import build_model
from planner.params import params_from_scenario
from planner.scenario_io import scenario_from_dict
from planner.solve import solve_n, solve_points

EXAMPLE = Path(__file__).resolve().parent.parent / "resources/scenarios/pdl1_nsclc_keynote042_cutoffs.json"


@pytest.mark.parametrize("procedure", ["parametric", "simes", "bonferroni"])
def test_secant_search_equals_bracketing_search(procedure):
    d = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    d["designs"]["stratified"] = {"multiplicity": procedure}
    s = scenario_from_dict(d)
    par = params_from_scenario(s, prevalence=np.array([0.05, 0.3, 0.6, 0.95]))
    for claim in ("TPS ≥1%", "F", "at_least_one", "all"):
        model = build_model("stratified", par, replace(s.resolved_options("stratified"), size_for=claim))
        assert hasattr(model, "solve_size")
        fast, ref = solve_n(model, 0.9, 1.0), solve_points(model, 0.9, 1.0)
        assert np.array_equal(np.isnan(fast), np.isnan(ref)), claim
        ok = np.isfinite(ref)
        assert np.allclose(fast[ok], ref[ok], rtol=1e-10, atol=0), claim
