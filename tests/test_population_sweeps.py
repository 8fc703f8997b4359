"""Curves, design maps and sensitivity grids per population in the cells form (issue 12):
planner.population_sweeps.focus, the cells-form sweep paths, the report's design map per
population and the app's population selector."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import ui_helpers  # noqa: F401 (offscreen platform)
from conftest import SCENARIOS
from test_cells_assurance import cells_scenario

from planner import curves
from planner.compute import compare_designs
from planner.params import params_from_scenario
from planner.population_sweeps import focus, grid_params, set_sweep_path, sweep_fields, sweep_label
from planner.scenario_io import scenario_from_dict

KEYNOTE = SCENARIOS / "pdl1_nsclc_keynote042_cutoffs.json"
TWO_MARKERS = SCENARIOS / "her2_hr_breast_neoadjuvant_two_markers.json"


def _load(path):
    return scenario_from_dict(json.loads(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("path", [KEYNOTE, TWO_MARKERS], ids=["nested", "overlapping"])
def test_focusing_on_any_population_keeps_every_design_number(path):
    s = _load(path)
    base = compare_designs(s, include_adaptive=False).to_dict()["designs"]
    for q in s.population.populations:
        for cell in (None, s.population.cells[-1].name):
            f = focus(s, q.name, cell)
            assert f.population.populations[0].name == q.name
            assert f.population.prevalence == pytest.approx(sum(c.prevalence for c in s.population.cells
                                                                if c.name in q.cells))
            got = compare_designs(f, include_adaptive=False).to_dict()["designs"]
            for name, r in base.items():
                assert got[name]["n_randomized"] == r["n_randomized"], (q.name, name)
                assert got[name]["power"] == pytest.approx(r["power"], abs=1e-12), (q.name, name)
                for k, v in (r.get("power_by_population") or {}).items():
                    assert got[name]["power_by_population"][k] == pytest.approx(v, abs=1e-12)


def test_varying_a_population_scales_its_cells_and_the_nested_ones():
    """KEYNOTE-042 cutoffs: TPS ≥50% ⊂ TPS ≥20% ⊂ TPS ≥1%. Varying TPS ≥20% from γ to γ′ scales its two
    cells (and so TPS ≥50%) by γ′/γ, the other two cells by (1 − γ′)/(1 − γ)."""
    s = _load(KEYNOTE)
    f = focus(s, "TPS ≥20%")
    g, g2 = f.population.prevalence, 0.6
    st = params_from_scenario(f, prevalence=np.array(g2)).structure
    for i, c in enumerate(s.population.cells):
        inside = c.name in ("TPS ≥50%", "TPS 20–49%")
        factor = g2 / g if inside else (1 - g2) / (1 - g)
        assert float(st.prevalence[i]) == pytest.approx(c.prevalence * factor, rel=1e-12)
    assert float(st.prevalence_of("TPS ≥50%")) == pytest.approx(0.31 * g2 / g, rel=1e-12)
    assert float(st.prevalence_of("TPS ≥20%")) == pytest.approx(g2, rel=1e-12)


def test_the_curves_pass_through_the_table_at_the_scenario_values():
    s = _load(KEYNOTE)
    comp = compare_designs(s, include_adaptive=False)
    for pop, cell in (("TPS ≥1%", None), ("TPS ≥20%", "TPS 1–19%")):
        f = focus(s, pop, cell)
        for name in ("targeted", "stratified", "all_comers"):
            r = comp.designs[name]
            c = curves.n_vs_prevalence(f, name, [f.population.prevalence])
            assert c.y["n_randomized"][0] == r.n_randomized, (pop, name)
            current = f.cells[cell].hazard_ratio if cell else float(f.negative.hazard_ratio)
            p = curves.power_vs_negative_effect(f, name, [current], result=r)
            assert p.y["power"][0] == pytest.approx(r.power, abs=1e-9), (pop, cell, name)


def test_a_chosen_cell_is_the_only_effect_that_moves():
    s = scenario_from_dict(cells_scenario())
    f = focus(s, "S2", "c3")
    par = grid_params(f, effect=np.array([0.0, 0.2]))
    assert par.cells["c3"]["mean_difference"].tolist() == [0.0, 0.2]
    assert float(par.cells["c1"]["mean_difference"]) == 0.5 and float(par.cells["c2"]["mean_difference"]) == 0.3
    outside = grid_params(focus(s, "S1"), effect=np.array(0.0))  # every cell outside S1 shifted alike
    assert float(outside.cells["c2"]["mean_difference"]) - float(outside.cells["c3"]["mean_difference"]) == \
        pytest.approx(0.3 - 0.1)


def test_two_subgroup_scenarios_are_not_focused_and_the_curves_keep_their_numbers():
    s = _load(SCENARIOS / "egfr_nsclc_ipass.json")
    assert focus(s, None, None) is s
    e = np.array([0.7, 1.0])
    a = grid_params(s, np.array([0.3, 0.5])[:, None], e[None, :])
    b = params_from_scenario(s, prevalence=np.array([0.3, 0.5])[:, None], negative_effect=e[None, :])
    assert np.array_equal(a.negative["hazard_ratio"], b.negative["hazard_ratio"])


def test_sweep_paths_of_the_cells_form():
    s = _load(KEYNOTE)
    fields = dict(sweep_fields(s))
    assert fields["population.cells.TPS ≥50%.prevalence"] == "prevalence of cell TPS ≥50%"
    assert fields["cells.TPS <1%.hazard_ratio"] == "hazard ratio in cell TPS <1%"
    assert sweep_label("population.prevalence") != "population.prevalence"
    d = json.loads(KEYNOTE.read_text(encoding="utf-8"))
    set_sweep_path(d, "population.cells.TPS ≥50%.prevalence", 0.4)
    prev = {c["name"]: c["prevalence"] for c in d["population"]["cells"]}
    assert math.fsum(prev.values()) == pytest.approx(1.0, abs=1e-12)
    assert prev["TPS <1%"] == pytest.approx(0.34 * 0.6 / 0.69)
    set_sweep_path(d, "cells.TPS <1%.hazard_ratio", 0.9)
    assert scenario_from_dict(d).cells["TPS <1%"].hazard_ratio == 0.9


def test_the_sensitivity_grid_sweeps_a_cell():
    from planner.sensitivity import multi_grid

    s = _load(KEYNOTE)
    comp = compare_designs(s, include_adaptive=False)
    g = multi_grid(s, ["targeted"], ["n"], ("population.cells.TPS ≥50%.prevalence", [0.2, 0.31]),
                   ("cells.TPS ≥50%.hazard_ratio", [0.6, 0.69]))
    grid = g.grids[("targeted", "n")]
    assert grid.values[1, 1] == comp.designs["targeted"].n_randomized  # at the scenario's values
    assert grid.values[0, 1] > grid.values[1, 1] and grid.values[1, 0] < grid.values[1, 1]


def test_the_report_has_a_design_map_per_population():
    from planner.report.common import fixed_results
    from planner.report.populations_section import populations_section

    s = _load(KEYNOTE)
    comp = compare_designs(s, include_adaptive=False)
    images: dict[str, bytes] = {}
    html = str(populations_section(s, comp, None, images))
    assert len(images) == len(s.population.populations) and all(v[:4] == b"\x89PNG" for v in images.values())
    for q in s.population.populations:
        assert f"Design map over the prevalence of population {q.name}" in html
    assert fixed_results(comp)
    assert "design-map-population" not in str(populations_section(s, comp, None))  # no images: no maps


def test_the_plots_follow_the_population_selector(qtbot):
    from ui.plots_panel import PlotsPanel

    panel = PlotsPanel()
    qtbot.addWidget(panel)
    panel.resize(1100, 750)
    panel.show()
    qtbot.waitExposed(panel)
    s = _load(KEYNOTE)
    with np.errstate(all="ignore"):
        c = compare_designs(s, include_adaptive=False)
    panel.set_inputs(s, c, "sample_size", None)
    qtbot.waitUntil(lambda: not panel.dirty, timeout=60000)
    sel = panel.population_choice
    assert sel.isVisible() and sel.population.count() == 3 and sel.effect.count() == 1 + len(s.population.cells)
    sel.population.setCurrentIndex(sel.population.findData("TPS ≥20%"))
    qtbot.waitUntil(lambda: not panel.dirty, timeout=60000)
    assert panel.scenario.population.populations[0].name == "TPS ≥20%"
    sel.effect.setCurrentIndex(sel.effect.findData("TPS 1–19%"))
    qtbot.waitUntil(lambda: not panel.dirty, timeout=60000)
    panel.refine()
    assert panel.scenario.effect_of == "TPS 1–19%"
    assert "TPS ≥20%" in panel.map.ax.get_xlabel() and "cell TPS 1–19%" in panel.map.ax.get_ylabel()
    assert panel.errors == []
    panel.refine_tasks.wait()
    two = _load(SCENARIOS / "egfr_nsclc_ipass.json")
    with np.errstate(all="ignore"):
        panel.set_inputs(two, compare_designs(two, include_adaptive=False), "sample_size", None)
    assert not sel.isVisible() and panel.scenario is two
