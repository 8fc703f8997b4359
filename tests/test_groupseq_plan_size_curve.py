"""N over prevalence on the plan's law (homogeneous strata: CHANCE, binary) by the node secant of
:func:`planner.groupseq.lookwise_curve.size_curve` with look factors 1 (wave 7).

Independent numbers: each prevalence's N solved alone (one-point model: the root search of
:func:`planner.groupseq.sizing.solve_size`, no curve), at points spread over the curve — the curve's
unrounded N within 0.5 patients (the contract of tests/test_groupseq_curve_contract.py; measured
over all 200 points: ≤ 0.032 for CHANCE, 0.050 HER2 (trastuzumab), 0.0003 cystic fibrosis). And
the curve runs recursions at their own drifts only (no tilted lattice reference).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np

from planner.designs.build import build_model
from planner.groupseq import procedure
from planner.params import params_from_scenario
from planner.scenario_io import scenario_from_dict

EXAMPLE = Path(__file__).resolve().parent.parent / "resources/scenarios/cyp2c19_chance.json"
THREE = {"information_rates": [0.33, 0.67, 1.0], "efficacy": "obrien_fleming",
         "futility": {"bounds": [0.0, 0.0], "binding": False}}


def test_plan_law_n_over_prevalence_by_the_node_secant():
    d = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    d["designs"]["stratified"] = {}
    d["interim"] = THREE
    s = scenario_from_dict(d)
    opts = replace(s.resolved_options("stratified"), n_randomized=None)
    g = np.linspace(0.1, 0.9, 200)
    par = params_from_scenario(s, prevalence=g)
    model = build_model("stratified", par, opts)
    assert model.look_factors is None   # the plan's law
    ref0 = procedure._reference.cache_info().misses
    n = model.solve_size(0.9, par.allocation_ratio).reshape(-1)
    assert procedure._reference.cache_info().misses == ref0   # own recursions only
    for i in (0, 37, 101, 160, 199):
        one = params_from_scenario(s, prevalence=np.array([g[i]]))
        alone = build_model("stratified", one, opts).solve_size(0.9, one.allocation_ratio).reshape(-1)[0]
        assert abs(n[i] - alone) <= 0.5, (i, n[i], alone)
