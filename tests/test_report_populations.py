"""The report of a scenario in the cells form (issue 12): the assumptions list the cells and the
populations, a section per population gives its claim's power, the justification names the
populations and the multiplicity procedure, the adaptive section shows reject/selected by
population with Monte Carlo SEs; every name is escaped."""

from __future__ import annotations

import copy
import importlib.util
from datetime import datetime, timezone

import pytest
from test_ui_cells import cells_dict

from planner.report.html_report import build_report
from planner.report.populations_section import (
    adaptive_population_rows,
    adaptive_sentence,
    cell_assumption_rows,
    populations_section,
)
from planner.scenario_io import scenario_from_dict

WHEN = datetime(2026, 12, 1, tzinfo=timezone.utc)
needs_closed_test = pytest.mark.skipif(importlib.util.find_spec("planner.closed_test") is None,
                                       reason="the closed test of several populations (branch closedtest)")


def one_population() -> dict:
    d = cells_dict()
    d["population"]["populations"] = d["population"]["populations"][1:]  # TPS ≥1% only
    d["designs"]["targeted"] = {}
    d.pop("provenance", None)
    return d


@pytest.fixture(scope="module")
def report():
    return build_report(scenario_from_dict(one_population()), generated=WHEN, include_figures=False,
                        include_adaptive=False)


def test_assumptions_list_cells_and_populations(report):
    html = report.html
    assert 'data-path="population.cells[0].prevalence"' in html and "Cell TPS ≥50%: prevalence" in html
    assert 'data-path="cells.TPS 1–49%.hazard_ratio"' in html
    assert 'data-path="population.populations[0]"' in html and "cells TPS ≥50% and TPS 1–49%" in html
    assert 'data-path="positive.hazard_ratio"' not in html and 'data-path="population.prevalence"' not in html
    assert "PPV" not in html.split("<h2>4. Assumptions")[1].split("<h2>")[0]
    rows = cell_assumption_rows(report.scenario)
    assert ("population.populations[0]", "Population TPS ≥1%: prevalence") == rows[-1][:2]
    assert rows[-1][2] == pytest.approx(0.66)


def test_a_section_per_population_with_its_claims_power(report):
    html = report.html
    strat = report.fixed_results["stratified"]
    assert "<h2>2. Populations</h2>" in html
    for name in ("F", "TPS ≥1%"):
        assert f'data-population="{name}"' in html
        assert f"{100 * strat.power_by_population[name]:.1f}%" in html
    assert "<h3>F (full population)</h3>" in html and "<h3>Population TPS ≥1%</h3>" in html
    assert "randomizes this population" in html  # the targeted design's population
    assert "Targeted (enrichment): TPS ≥1%" in html  # the comparison names it


def test_justification_names_populations_and_procedure(report):
    text = report.justifications["stratified"]
    assert "population TPS ≥1%" in text and "parametric closed test" in text
    assert "at least one population's claim" in text
    assert "mixture of the effects in the cells TPS ≥50%, TPS 1–49% and TPS <1%" in report.justifications["all_comers"]
    assert "treatment-by-population interaction" in report.justifications["interaction"]
    targeted = report.justifications["targeted"]
    assert "among patients in population TPS ≥1%" in targeted and "66% of screened patients" in targeted


def test_names_are_escaped():
    d = one_population()
    bad = "<b>x</b>&"
    d["population"]["cells"][0]["name"] = bad
    d["population"]["populations"][0]["cells"][0] = bad
    d["cells"] = {(bad if k == "TPS ≥50%" else k): v for k, v in d["cells"].items()}
    d["population"]["populations"][0]["name"] = "<i>pop</i>"
    html = build_report(scenario_from_dict(d), generated=WHEN, include_figures=False, include_adaptive=False).html
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;&amp;" in html
    assert "<i>pop</i>" not in html and "&lt;i&gt;pop&lt;/i&gt;" in html


def test_adaptive_by_population_rows_and_sentence():
    sim = {"reject_by_population": {"F": 0.41, "TPS ≥1%": 0.72}, "reject_by_population_se": {"F": 0.005, "TPS ≥1%": 0.0045},
           "selected_by_population": {"F": 0.3, "TPS ≥1%": 0.7}, "selected_by_population_se": {"F": 0.0046, "TPS ≥1%": 0.0046}}
    rows = "".join(adaptive_population_rows(sim))
    assert rows.count("<tr") == 4 and 'data-population="TPS ≥1%"' in rows and "72.0%" in rows and "0.45%" in rows
    assert adaptive_sentence(sim) == (" Probability of rejecting the hypothesis of each population: F (full population) "
                                      "41% (SE 0.50%), population TPS ≥1% 72% (SE 0.45%).")
    scenario = scenario_from_dict(one_population())
    from planner.compute import compare_designs

    section = populations_section(scenario, compare_designs(scenario), sim)
    assert "selected at the last stage with probability 70%" in section


@needs_closed_test
def test_three_nested_populations_report():
    d = cells_dict()
    html = build_report(scenario_from_dict(copy.deepcopy(d)), generated=WHEN, include_figures=True,
                        include_adaptive=False).html
    for name in ("F", "TPS ≥50%", "TPS ≥1%"):
        assert f'data-population="{name}"' in html


def test_power_curve_and_figures_per_population():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from planner import figures
    from planner.curves import power_vs_n

    scenario = scenario_from_dict(one_population())
    curve = power_vs_n(scenario, "stratified", [200.0, 2000.0, 20000.0])
    assert {"population:F", "population:TPS ≥1%", "at_least_one", "all"} <= set(curve.y)
    ax = Figure().add_subplot()
    figures.power_vs_n_data(ax, scenario, {"stratified": curve}, {})
    assert sorted(t.get_text() for t in ax.texts) == ["F", "TPS ≥1%"]  # each population's line is named
    assert all(line.get_label().startswith("_") for line in ax.lines[1:3])  # and left out of the legend
    report = build_report(scenario, generated=WHEN, include_adaptive=False)
    assert "figure-1.png" in report.images and 'data-population="F"' in report.html


def test_examples_report_every_population_with_provenance():
    from ui_helpers import EXAMPLES

    from planner.scenario_io import load_scenario

    path = EXAMPLES / "her2_hr_breast_neoadjuvant_two_markers.json"
    if not path.exists():
        pytest.skip("the two-marker example (branch popcore)")
    scenario = load_scenario(path)
    report = build_report(scenario, generated=WHEN, include_figures=False, include_adaptive=False)
    html = report.html
    for name, _, _ in [("F", 0, 0), *((p.name, 0, 0) for p in scenario.population.populations)]:
        assert f'data-population="{name}"' in html
    row = html.split('data-path="population.cells[0].prevalence"')[1].split("</tr>")[0]
    assert "no source given" not in row  # the note on population.cells
    assert "HER2-positive" in report.justifications["stratified"]
    assert "HER2-positive and HR-negative overlap in HER2+/HR−" in html


def test_adaptive_design_over_populations_in_the_report():
    import json

    from ui_helpers import EXAMPLES

    from planner.catalogue import ADAPTIVE_DEFAULT

    path = EXAMPLES / "her2_hr_breast_neoadjuvant_two_markers.json"
    if not path.exists() or importlib.util.find_spec("planner.adaptive.kpop") is None:
        pytest.skip("the two-marker example and the adaptive design over populations (branches popcore, adaptk)")
    d = json.loads(path.read_text(encoding="utf-8"))
    d["designs"]["adaptive"] = {**copy.deepcopy(ADAPTIVE_DEFAULT), "planned_subjects": [600.0, 1200.0],
                                "simulations": 1000}
    report = build_report(scenario_from_dict(d), generated=WHEN, include_figures=False)
    html = report.html
    assert report.adaptive["reject_by_population"]
    for name in ("F", "HER2-positive", "HR-negative"):
        assert f'data-field="reject_by_population" data-population="{name}"' in html
        assert f'data-field="selected_by_population" data-population="{name}"' in html
    assert 'data-field="reject_subgroup"' not in html  # H_S/H_F rows give way to the populations'
    assert "Probability of rejecting the hypothesis of each population" in report.justifications["adaptive"]
    assert "selected at the last stage with probability" in html


def test_survival_curves_per_cell():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from planner.figures_survival import survival_curves_draw, survival_models

    scenario = scenario_from_dict(one_population())
    assert list(survival_models(scenario)) == ["TPS ≥50%", "TPS 1–49%", "TPS <1%"]
    ax = Figure().add_subplot()
    survival_curves_draw(ax, scenario)
    labels = [line.get_label() for line in ax.lines if not line.get_label().startswith("_")]
    assert labels[:2] == ["TPS ≥50% control", "TPS ≥50% treatment"] and len(labels) == 6
