"""The stratified design over several populations with interims: intersection bounds in the
results, the fast detectable-effect search, the survival curves' information law.

Tolerances: Monte Carlo standard errors reported by the engine (planner.groupseq.multipop: R = 8
randomized QMC replicates); bounds of the closed test are deterministic (Genz error ≤ 5e-4 on the
z scale for the parametric intersection bounds)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import SCENARIOS

from planner.closed_test import subsets
from planner.compute import compare_designs
from planner.scenario_io import scenario_from_dict

INTERIM = {"information_rates": [0.4, 0.7, 1.0], "efficacy": "obrien_fleming", "gamma": None,
           "futility": {"bounds": [0.0, 0.3], "binding": False}}


def _keynote(designs: dict, **extra) -> dict:
    d = json.loads((SCENARIOS / "pdl1_nsclc_keynote042_cutoffs.json").read_text(encoding="utf-8"))
    d["designs"] = designs
    d["interim"] = INTERIM
    d.update(extra)
    return d


@pytest.fixture(scope="module")
def keynote_result():
    d = _keynote({"stratified": {"multiplicity": "parametric", "size_for": "TPS ≥1%"}})
    return compare_designs(scenario_from_dict(d), include_adaptive=False).designs["stratified"]


def test_every_intersection_hypothesis_has_its_bounds_in_the_looks(keynote_result):
    r = keynote_result
    names = list(r.looks[0]["efficacy_z_by_population"])
    m = len(names)
    for lk in r.looks:
        inter = lk["intersection_z_by_population"]
        assert len(inter) == len(subsets(m)) - m            # every H_J with |J| ≥ 2
        assert {tuple(x["members"]) for x in inter} == {tuple(names[j] for j in J) for J in subsets(m) if len(J) > 1}
        for x in inter:
            assert list(x["efficacy_z"]) == x["members"]
            for name, z in x["efficacy_z"].items():
                # a parametric intersection bound is at most the population's own (elementary) bound
                own = lk["efficacy_z_by_population"][name]
                assert z is None or own is None or z >= own - 1e-9
    # the full intersection at the last look: the bounds solved by closed_gs_bounds
    full = r.looks[-1]["intersection_z_by_population"][-1]
    assert full["members"] == names and all(z is not None and 1.9 < z < 3.2 for z in full["efficacy_z"].values())


def test_the_json_output_carries_the_intersection_bounds(tmp_path, capsys):
    from ui.cli import main

    path = tmp_path / "s.json"
    path.write_text(json.dumps(_keynote({"stratified": {"multiplicity": "bonferroni", "size_for": "TPS ≥1%"}}),
                               ensure_ascii=False), encoding="utf-8")
    assert main(["compute", str(path), "--format", "json"]) == 0
    r = json.loads(capsys.readouterr().out)["designs"]["stratified"]
    inter = r["looks"][0]["intersection_z_by_population"]
    assert len(inter) == 11
    # Bonferroni: the bound of a member of H_J is the one-test bound at level α/|J| on its fractions
    two = next(x for x in inter if len(x["members"]) == 2)
    assert all(z > r["looks"][0]["efficacy_z_by_population"][n] for n, z in two["efficacy_z"].items())


# ----------------------------------------------------------------------------- the detectable effect
def test_the_fast_effect_search_agrees_with_brent_on_the_same_draws(monkeypatch):
    """The secant from the fixed design's detectable effect (multipop_model.search_effect) and Brent
    on the group-sequential power (planner.solve.solve_effect, the former search, here on a bracket
    of ±10 % around the answer to keep the test short) find roots of the same
    deterministic function (common QMC draws): the fast root's power is within EFFECT_TOL of the
    target and the two effects differ by far less than the Monte Carlo error of the power expressed
    on the effect scale (3 SE / slope), with at most 5 group-sequential evaluations."""
    from planner import compute as C
    from planner.groupseq import multipop_model as MM
    from planner.params import params_from_scenario
    from planner.solve import solve_effect

    d = json.loads((SCENARIOS / "her2_hr_breast_neoadjuvant_two_markers.json").read_text(encoding="utf-8"))
    d["designs"] = {"stratified": {"multiplicity": "bonferroni", "size_for": "at_least_one"}}
    d["interim"] = {"information_rates": [0.5, 1.0], "efficacy": "obrien_fleming", "gamma": None}
    s = scenario_from_dict(d)
    par, opts = params_from_scenario(s), s.resolved_options("stratified")
    n, power = 900.0, s.testing.power
    calls = []
    claims = MM.MultiPopSequentialModel.claims
    monkeypatch.setattr(MM.MultiPopSequentialModel, "claims", lambda self, *a, **k: calls.append(1) or claims(self, *a, **k))
    fast = C.detectable_effect(par, "stratified", opts, n, power)
    evals = len(calls)
    bracket = lambda x: sorted([0.9 * x, 1.1 * x])  # noqa: E731 (effects of either sign)
    monkeypatch.setattr(MM, "search_effect", lambda model_at, pw, p, lo, hi: solve_effect(
        pw, p, *bracket(fast.value if par.sign > 0 else -fast.value)))
    slow = C.detectable_effect(par, "stratified", opts, n, power)
    assert fast.value is not None and slow.value is not None
    assert evals <= 1 + 5, evals                                   # the check at θ0, then the search
    assert len(calls) - evals > 2 * (evals - 1)                    # Brent needs many more

    def model_at(v):
        model = build_model("stratified", par.with_effect("positive", v), opts)
        return model, model.operating(n)

    from planner.designs.build import build_model

    _, op = model_at(fast.value)
    row = model_at(fast.value)[0].row(model_at(fast.value)[0].primary)
    p_fast = float(op["claims"][row, -1])
    assert abs(p_fast - power) <= MM.EFFECT_TOL + 1e-12
    h = 1e-3 * abs(fast.value)
    slope = (float(model_at(fast.value + h)[1]["claims"][row, -1]) - p_fast) / h
    se = float(op["se"][row, -1])
    assert abs(fast.value - slow.value) <= 3 * se / abs(slope), (fast.value, slow.value, se, slope)


# ----------------------------------------------------------------------------- survival curves
def test_a_survival_curve_uses_each_points_events_per_look_as_the_table():
    """A curve over the first population's prevalence with more than MAX_EXACT structures (the ratio
    N_GS/N_fixed solved at nodes): each node's joint law is the one the table (a scalar scenario at
    that prevalence) uses — each cell's expected events at each look (the same correlations, checked
    to 1e-12) — so the curve's size at a node is the table's size up to the nodes' cheaper Monte
    Carlo (bounds on 2^12 Genz points, the size search on 8·2^12 draws against 2^14 and 8·2^15 for
    the table: within 0.2 % in N, measured 0.05 %); the proportional-information law differs (by
    0.1–0.4 % in N for this example with 3 looks, docs/group-sequential.md)."""
    from dataclasses import replace

    from planner.designs.build import build_model
    from planner.groupseq import multipop_model as MM
    from planner.population_sweeps import grid_params

    d = _keynote({"stratified": {"multiplicity": "bonferroni", "size_for": "TPS ≥1%"}})
    d["interim"] = {"information_rates": [0.5, 1.0], "efficacy": "obrien_fleming", "gamma": None}
    s = scenario_from_dict(d)
    opts = s.resolved_options("stratified")
    prev = np.array([0.35, 0.5, 0.65, 0.8])
    curve = build_model("stratified", grid_params(s, prevalence=prev), opts)
    assert isinstance(curve, MM.MultiPopSequentialModel) and curve.info_par is not None
    assert curve._distinct(np.arange(curve.size)) > MM.MAX_EXACT
    n_curve = np.asarray(curve.solve_size(0.9, 1.0)).reshape(-1)
    for k in (0, 3):
        table = build_model("stratified", grid_params(s, prevalence=np.array(prev[k])), opts)
        assert table.info_joint is not None
        assert float(np.asarray(table.solve_size(0.9, 1.0))) == pytest.approx(n_curve[k], rel=2e-3)
        assert np.max(np.abs(curve.joint(k).corr0 - table.joint(0).corr0)) < 1e-12
    joint = curve.joint(3)
    np.testing.assert_allclose(joint.corr0, table.joint(0).corr0, rtol=0, atol=1e-12)
    # the point's law differs from proportional information: the fractions per population differ
    prop = replace(curve, info_par=None).joint(3)
    assert np.max(np.abs(joint.t - prop.t)) > 1e-3
