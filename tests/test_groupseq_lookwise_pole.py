"""N over prevalence of the stratified design under the look-wise law when the overall effect
changes sign along the curve (EGFR/IPASS: hazard ratio 0.48 in B+, 2.85 in B−, a qualitative
interaction). A look factor E Z_F,k / (δ_F √t_k) has a pole where the overall final drift δ_F
crosses 0, so the curve's features are the look-wise means per √N (factor × plan mean: smooth)
instead of the factors; with the factors the curve path was refused and N was solved at every
point (~10 s of CPU for a 3-look plan instead of ~0.2 s). Measured: the curve's N within 0.0016
patients of the point-by-point solution at all 200 points; stated: the contract's 0.5 patients,
checked here at 12 of them (each solved alone)."""

from __future__ import annotations

import json

import numpy as np
from conftest import SCENARIOS

from planner import curves
from planner.designs.build import build_model
from planner.designs.sequential import _fixed_size, one_sided_alpha
from planner.groupseq import lookwise_curve
from planner.groupseq.plan import InterimPlan
from planner.groupseq.single import inflation
from planner.params import params_from_scenario
from planner.piecewise.lookwise import solve_near
from planner.scenario_io import scenario_from_dict

PLAN = InterimPlan((0.33, 0.67, 1.0), "obrien_fleming", None, (0.0, 0.0), False)
TARGET = 0.9


def _model(prevalence: np.ndarray):
    d = json.loads((SCENARIOS / "egfr_nsclc_ipass.json").read_text(encoding="utf-8"))
    d["designs"]["stratified"] = {}
    d["interim"] = PLAN.to_dict()
    s = scenario_from_dict(d)
    m = build_model("stratified", params_from_scenario(s, prevalence=prevalence), curves._opts(s, "stratified"))
    rough = inflation(m.plan, one_sided_alpha(m), TARGET) * _fixed_size(m.base, TARGET, m.primary)
    return m, rough


def test_overall_drift_crossing_zero_keeps_the_curve_path():
    g = np.linspace(0.1, 0.9, 200)
    m, rough = _model(g)
    factors = np.asarray(m.look_factors)[..., 0, :]
    assert factors.min() < -5 and factors.max() > 50   # the pole is on the curve
    n = lookwise_curve.size_curve(m, TARGET, 1.0, rough)
    assert n is not None and np.all(np.isfinite(n))
    sel = np.linspace(0, 199, 12).round().astype(int)
    alone, rough_alone = _model(g[sel])
    direct = solve_near(alone, TARGET, 1.0, rough_alone)
    assert np.max(np.abs(n[sel] - direct)) < 0.5
