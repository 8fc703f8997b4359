"""Sensitivity grid with several designs and outputs at once (issue 10): N, screened, events, cost,
power and assurance; human headers; the view switches without recomputing; exported as numbers."""

from __future__ import annotations

import os

import numpy as np
import ui_helpers
from ui_helpers import EXAMPLES

from planner.compute import compute_design
from planner.scenario_io import scenario_from_dict, scenario_to_dict
from planner.sensitivity import multi_grid

make_window = ui_helpers.make_window
SHOTS = os.environ.get("EP_SCREENSHOTS")


def test_multi_grid_agrees_with_compute_design():
    from planner.scenario_io import load_scenario

    s = load_scenario(EXAMPLES / "egfr_nsclc_ipass.json")
    g = multi_grid(s, ["targeted", "stratified"], ["n", "screened", "events", "cost", "assurance"],
                   ("population.prevalence", [0.4, 0.6]))
    for j, q in enumerate([0.4, 0.6]):
        d = scenario_to_dict(s)
        d["population"]["prevalence"] = q
        cell = scenario_from_dict(d)
        for design in ("targeted", "stratified"):
            r = compute_design(cell, design, cell.resolved_options(design), question="sample_size")
            assert g.grids[(design, "n")].values[j, 0] == r.n_randomized
            assert g.grids[(design, "screened")].values[j, 0] == r.n_screened
            assert g.grids[(design, "events")].values[j, 0] == r.events
            assert g.grids[(design, "cost")].values[j, 0] == r.cost
    a = g.grids[("targeted", "assurance")].values
    assert np.all((a > 0) & (a < 1))
    lines = g.to_csv().splitlines()
    assert lines[0] == "population.prevalence,,design,output,value" and len(lines) == 1 + 2 * 5 * 2


def test_app_computes_several_designs_and_outputs(make_window, qtbot, tmp_path):
    w = make_window(EXAMPLES / "egfr_nsclc_ipass.json")
    w.resize(1280, 800)
    tab = w.sensitivity
    w.tabs.setCurrentWidget(tab)
    assert "population." not in tab.row_field.currentText()  # human labels, not paths
    tab.col_field.setCurrentIndex(0)  # (none): one input
    tab.row_values.setText("0.3, 0.5")
    tab.compute()
    qtbot.waitUntil(lambda: tab.multi is not None and not tab.tasks.running, timeout=60000)
    # one input: every design × output side by side (5 designs × n, screened, power)
    assert tab.table.columnCount() == 15
    heads = [tab.table.horizontalHeaderItem(j).text() for j in range(15)]
    assert any(h.startswith("Targeted") and h.endswith("\nscreened") for h in heads)
    # switch the shown output without recomputing
    runs = tab.tasks.active
    tab.output.setCurrentIndex(tab.output.findData("screened"))
    tab.design.setCurrentIndex(tab.design.findData("targeted"))
    assert tab.grid.output == "screened" and tab.grid.design == "targeted" and tab.tasks.active == runs
    assert "Patients screened" in tab.plot.ax.get_title()
    tab.output.setCurrentIndex(tab.output.findData("cost"))
    assert "not computed" in tab.message.text()
    if SHOTS:
        w.grab().save(os.path.join(SHOTS, "sensitivity_multi.png"))
    csv = tab.to_csv().splitlines()
    assert csv[0].startswith("population.prevalence") and len(csv) == 1 + 15 * 2
