"""The example library: every scenario loads, computes and produces a report."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
from conftest import SCENARIOS
from report_helpers import parse_report

from planner.compute import compare_designs
from planner.report import build_report
from planner.report.fmt import count
from planner.report.html_report import fixed_results
from planner.scenario_io import load_scenario

EXAMPLES = sorted(SCENARIOS.glob("*.json"))


@cache
def _report(name: str):
    return build_report(load_scenario(SCENARIOS / name), source_name=name)


def test_library_has_at_least_eight_real_scenarios_covering_every_endpoint():
    assert len(EXAMPLES) >= 8
    endpoints = {json.loads(p.read_text(encoding="utf-8"))["endpoint"] for p in EXAMPLES}
    assert endpoints == {"continuous", "binary", "survival"}
    imperfect = [
        p.name for p in EXAMPLES
        if json.loads(p.read_text(encoding="utf-8"))["population"].get("assay_sensitivity", 1) < 1
    ]
    assert imperfect, "at least one example with an imperfect assay"
    for name in ("egfr_nsclc_ipass.json", "cyp2c19_chance.json", "cystic_fibrosis_ivacaftor.json"):
        assert (SCENARIOS / name).exists()


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_has_provenance_for_every_key_assumption(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    prov = data["provenance"]
    effect = {"survival": "hazard_ratio", "binary": "treatment_rate", "continuous": "mean_difference"}[data["endpoint"]]
    keys = ("population.prevalence", f"positive.{effect}", f"negative.{effect}",
            "population.assay_sensitivity", "population.assay_specificity")
    if "cells" in data["population"]:  # several populations: the cells and each cell's effect
        keys = ("population.cells", *(f"cells.{c['name']}.{effect}" for c in data["population"]["cells"]))
    for key in keys:
        if key.startswith(("positive.", "negative.")) and "piecewise" in data[key.split(".")[0]]:
            key = key.split(".")[0] + ".piecewise"  # the piecewise model replaces the hazard ratio
        assert prov.get(key), f"{path.name}: no provenance for {key}"
    text = " ".join(v["source"] if isinstance(v, dict) else v for v in prov.values())
    assert "assumption" in text.lower()
    assert any(ch.isdigit() for ch in text)  # a cited trial (journal, year, pages)
    for block in ("survival", "testing", "costs", "recruitment"):
        if block in data:
            assert prov.get(block) or any(k.startswith(block + ".") for k in prov), f"{path.name}: {block}"


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_computes_and_reports(path):
    scenario = load_scenario(path)
    comparison = compare_designs(scenario, include_adaptive=False)
    fixed = fixed_results(comparison)
    assert any(r.feasible for r in fixed.values())
    report = _report(path.name)
    assert report.html.startswith("<!DOCTYPE html>")
    parsed = parse_report(report.html)
    assert len(parsed.images) >= 3 and all(src.startswith("data:image/png;base64,") for src in parsed.images)
    for name, r in fixed.items():
        assert name in report.justifications
        if r.feasible:
            assert parsed.cells[(name, "n_randomized")] == count(r.n_randomized)
            assert f"A total of {count(r.n_randomized)} patients" in parsed.paragraphs[name]
    if "adaptive" in scenario.designs:
        assert "Adaptive enrichment design: operating characteristics" in report.html


VERSION1 = sorted((Path(__file__).parent / "data" / "version1").glob("*.json"))


@pytest.mark.parametrize("path", VERSION1, ids=[p.stem for p in VERSION1])
def test_version1_files_give_the_numbers_of_their_version2_form(path):
    """tests/data/version1 holds three examples as they were shipped in version 1 (plain-text
    provenance); the examples in resources/ are their version 2 form (provenance that records
    the value it was written for). Both open and give identical results."""
    v1, v2 = load_scenario(path), load_scenario(SCENARIOS / path.name)
    assert json.loads(path.read_text(encoding="utf-8"))["version"] == 1
    assert v1.population == v2.population and v1.positive == v2.positive and v1.negative == v2.negative
    a = compare_designs(v1, include_adaptive=False).to_dict()
    b = compare_designs(v2, include_adaptive=False).to_dict()
    assert a["designs"] == b["designs"]
    assert {k: n.source for k, n in v1.provenance.items()} == {k: n.source for k, n in v2.provenance.items()}
    assert v2.provenance["population.prevalence"].value == v2.population.prevalence
