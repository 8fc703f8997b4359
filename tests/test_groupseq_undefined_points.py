"""A curve of the stratified design with interims whose points include inputs without a law (a
binary B− effect that puts a rate outside (0, 1)) gives NaN there and, at the other points, the
numbers it gives without them (to round-off: the points are grouped differently) — it raised
before (the engine's check of the means)."""

from __future__ import annotations

import json

import numpy as np
from conftest import SCENARIOS

from planner import curves
from planner.compute import compute_design
from planner.groupseq.plan import InterimPlan
from planner.scenario_io import scenario_from_dict

PLAN = InterimPlan((0.33, 0.67, 1.0), "obrien_fleming", None, (0.0, 0.0), False)


def _chance_with_looks():
    d = json.loads((SCENARIOS / "cyp2c19_chance.json").read_text(encoding="utf-8"))
    d["designs"]["stratified"] = {}
    d["interim"] = PLAN.to_dict()
    return scenario_from_dict(d)


def test_points_without_a_law_are_nan_and_the_others_unchanged():
    s = _chance_with_looks()
    r = compute_design(s, "stratified", s.resolved_options("stratified", None))
    c = s.negative.control_rate
    grid = np.r_[np.linspace(-0.05, 0.05, 7), 1.2 - c, 1.5]   # the last two: treatment rate ≥ 1
    with np.errstate(all="ignore"):
        mixed = curves.power_vs_negative_effect(s, "stratified", grid, result=r)
    alone = curves.power_vs_negative_effect(s, "stratified", grid[:7], result=r)
    for name, y in mixed.y.items():
        assert np.all(np.isnan(y[7:])), name
        np.testing.assert_allclose(y[:7], alone.y[name], rtol=0, atol=1e-12)   # grouped apart: round-off (1e-16)
