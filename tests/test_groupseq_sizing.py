"""Sizes of the stratified design with interims (planner/groupseq/sizing.py) against the general
root search of planner.solve (every iterate from its own lattice reference).

One point: the same root to the general search's tolerance (it is the root of the same function
but near lattice-cell borders; measured ≤ 4e-6 relative, checked 2e-5). A curve: interpolated
from node solves with the error estimate N_TOL = 1e-4 in log N; checked 2e-4 relative (measured
3e-6 on a 200-point prevalence curve of the PAOLA-1 example).
"""

import json
from pathlib import Path

import numpy as np
import pytest

from planner.designs.build import build_model
from planner.groupseq import lookwise_curve, sizing
from planner.params import params_from_scenario
from planner.scenario_io import scenario_from_dict
from planner.solve import solve_n, solve_points

ROOT = Path(__file__).resolve().parent.parent


def _scenario(plan: dict | None = None):
    d = json.loads((ROOT / "resources" / "scenarios" / "hrd_ovarian_paola1_interim.json").read_text())
    d["designs"]["stratified"] = {}
    if plan:
        d["interim"] = plan
    return scenario_from_dict(d)


@pytest.mark.parametrize("plan", [None, {"information_rates": [0.3, 0.6, 1.0], "efficacy": "pocock"}], ids=["paola", "pocock3"])
def test_one_point_agrees_with_the_general_search(plan):
    s = _scenario(plan)
    model = build_model("stratified", params_from_scenario(s), s.resolved_options("stratified", None))
    fast = float(np.asarray(solve_n(model, 0.9, 2.0)).reshape(-1)[0])
    slow = float(np.asarray(solve_points(model, 0.9, 2.0)).reshape(-1)[0])
    assert fast == pytest.approx(slow, rel=2e-5)


def test_curve_over_prevalence_interpolated_within_tolerance(monkeypatch):
    s = _scenario()
    g = np.linspace(0.15, 0.9, 40)
    model = build_model("stratified", params_from_scenario(s, prevalence=g), s.resolved_options("stratified", None))
    calls = []
    orig, orig_lw = sizing.solve_size_curve, lookwise_curve.size_curve
    monkeypatch.setattr("planner.designs.sequential.solve_size_curve", lambda *a: calls.append(1) or orig(*a))
    # PAOLA-1's strata are heterogeneous: the look-wise law's curve (planner/groupseq/lookwise_curve.py)
    monkeypatch.setattr(lookwise_curve, "size_curve", lambda *a: calls.append(2) or orig_lw(*a))
    fast = np.asarray(solve_n(model, 0.9, 2.0)).reshape(-1)
    assert calls
    sel = np.array([1, 14, 27, 38])
    slow = np.asarray(solve_points(model, 0.9, 2.0, sel)).reshape(-1)[sel]
    assert np.abs(fast[sel] / slow - 1).max() <= 2e-4
