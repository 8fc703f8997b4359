"""The report's sweep and type I error section: from the results kept in the scenario file
(designs.adaptive.results) for the current inputs; stale ones are left out with a note; a kept
simulation is reported instead of simulating again."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from planner.adaptive.fwer import fwer_table
from planner.adaptive.model import model_from_scenario
from planner.adaptive.sweep import parse_vary, run_sweep
from planner.kept_results import make_entry
from planner.report.html_report import build_report
from planner.scenario import Population
from planner.scenario_io import load_scenario, scenario_from_dict, scenario_to_dict

EXAMPLE = Path(__file__).resolve().parent.parent / "resources" / "scenarios" / "her2_breast_trastuzumab.json"


@pytest.fixture(scope="module")
def kept():
    s = load_scenario(EXAMPLE)
    sweep = run_sweep(s, [parse_vary("negative.treatment_rate=0.3,0.4", s.endpoint)], simulations=300,
                      workers=1).to_dict()
    fwer = fwer_table(model_from_scenario(s), simulations=200, seed=7, prevalences=(0.3,), workers=1).to_dict()
    data = scenario_to_dict(s)
    data["designs"]["adaptive"]["results"] = {"sweep": make_entry(s, sweep, {"vary": ["x"]}),
                                              "fwer": make_entry(s, fwer)}
    return scenario_from_dict(data), sweep, fwer


def test_kept_sweep_and_fwer_are_reported(kept):
    scenario, sweep, fwer = kept
    rep = build_report(scenario, include_adaptive=False)
    html = rep.html
    assert "sweep and type I error" in html and "Operating characteristics over a grid of truths" in html
    assert 'data-field="negative.treatment_rate">0.3<' in rep.print_html
    first = sweep["rows"][0]
    assert f"{first['power']:.3f} ± {first['power_se']:.3f}" in rep.print_html
    top = fwer["maximum"]["global"]
    assert f">{top['fwer']:.4f}<" in rep.print_html
    assert {"sweep-power.png", "sweep-expected_size.png", "fwer.png"} <= set(rep.images)
    appendix = rep.print_html.split("Appendix: scenario", 1)[1]
    assert '"results"' not in appendix


def test_stale_kept_results_are_left_out_with_a_note(kept):
    scenario = kept[0]
    edited = replace(scenario, population=replace(scenario.population, prevalence=0.3))
    assert isinstance(edited.population, Population)
    rep = build_report(edited, include_adaptive=False, include_figures=False)
    assert "Operating characteristics over a grid of truths" not in rep.print_html
    assert rep.print_html.count("for other inputs than the current") == 2


def test_kept_simulation_is_reported_without_simulating(kept, monkeypatch):
    scenario = kept[0]
    fake = {"reject_subgroup": 0.123456, "reject_subgroup_se": 0.001, "simulations": 321, "seed": 5}
    opts = scenario.designs["adaptive"]
    results = {**opts.results, "simulation": make_entry(scenario, fake)}
    s2 = replace(scenario, designs={**scenario.designs, "adaptive": replace(opts, results=results)})

    def boom(*_a, **_k):
        raise AssertionError("the kept simulation should be reported, not simulated again")

    monkeypatch.setattr("planner.adaptive.simulate_scenario", boom)
    rep = build_report(s2, include_figures=False)
    assert rep.adaptive["reject_subgroup"] == 0.123456 and rep.adaptive["simulations"] == 321


def test_a_scenario_without_kept_results_has_no_section():
    rep = build_report(load_scenario(EXAMPLE), include_adaptive=False, include_figures=False)
    assert "sweep and type I error" not in rep.print_html
