"""The stratified design over several populations with interims: intersection bounds in the
results, the fast detectable-effect search, the survival curves' information law.

Tolerances: Monte Carlo standard errors reported by the engine (planner.groupseq.multipop: R = 8
randomized QMC replicates); bounds of the closed test are deterministic (Genz error ≤ 5e-4 on the
z scale for the parametric intersection bounds)."""

from __future__ import annotations

import json

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
