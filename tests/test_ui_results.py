"""Comparison table (solve-for modes equal the core), plots, sensitivity grid, screenshot."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
import ui_helpers
from ui_helpers import EXAMPLES, settle

from planner import curves
from planner.compute import compare_designs
from planner.scenario_io import load_scenario

RAW = 256  # Qt.UserRole

make_window = ui_helpers.make_window


@pytest.mark.parametrize("question,n", [("sample_size", None), ("power", 500), ("effect", 300)])
def test_solve_for_modes_give_the_core_numbers_exactly(make_window, qtbot, question, n):
    path = EXAMPLES / "cyp2c19_chance.json"
    w = make_window(path)
    w.comparison.set_question(question, n)
    settle(qtbot, w)
    core = compare_designs(load_scenario(path), question=question, n_randomized=n, include_adaptive=False)
    table = w.comparison.table
    assert table.rowCount() == len(core.designs)
    for i, (name, r) in enumerate(core.designs.items()):
        assert table.item(i, 0).data(RAW) == name
        assert table.item(i, 1).data(RAW) == r.n_randomized
        assert table.item(i, 2).data(RAW) == (r.n_per_arm["treatment"], r.n_per_arm["control"])
        assert table.item(i, 3).data(RAW) == r.n_screened
        assert table.item(i, 5).data(RAW) == r.power
        assert table.item(i, 8).data(RAW) == r.cost
        if question != "sample_size":
            de = r.detectable_effect
            assert table.item(i, 7).data(RAW) == (de.value if de else None)
        if name == "stratified":
            assert table.item(i, 6).data(RAW) == r.claims
    cheapest = core.cheapest_meeting_target
    if cheapest:
        row = list(core.designs).index(cheapest)
        assert table.item(row, 0).text().startswith("★")
    rows = list(csv.DictReader(io.StringIO(w.comparison.to_csv())))
    assert [r["design"] for r in rows] == list(core.designs)
    assert w.comparison.to_tsv().count("\n") == len(core.designs) + 1


def test_infeasible_design_is_explained_not_raised(make_window):
    w = make_window(EXAMPLES / "egfr_nsclc_ipass.json")
    item = w.comparison.table.item(0, 1)
    assert item.text().startswith("not attainable")
    assert "★" in w.comparison.status.text()


def test_plots_are_drawn_and_export(make_window, qtbot, tmp_path):
    w = make_window(EXAMPLES / "cystic_fibrosis_ivacaftor.json")
    # wait for this file's curves, not for any first drawing (a busy machine may show the
    # plots of the previous state first)
    qtbot.waitUntil(lambda: all(c.drawn > 0 for c in w.plots.canvases())
                    and len(w.plots.power_n.ax.lines) >= 5, timeout=15000)
    assert w.plots.errors == []
    for ext in ("png", "svg", "pdf", "csv"):
        target = tmp_path / f"map.{ext}"
        w.plots.map.export(str(target))
        assert target.stat().st_size > 100
    w.inputs.rows["population.prevalence"].editor.setValue(0.3)
    settle(qtbot, w)
    drawn = w.plots.n_prev.drawn
    qtbot.waitUntil(lambda: w.plots.n_prev.drawn > drawn, timeout=15000)
    xs = [line.get_xdata()[0] for line in w.plots.n_prev.ax.lines if len(line.get_xdata()) == 2]
    assert 0.3 in xs


def test_sensitivity_grid_matches_core(make_window, qtbot):
    w = make_window(EXAMPLES / "egfr_nsclc_ipass.json")
    tab = w.sensitivity
    w.tabs.setCurrentWidget(tab)
    tab.design.setCurrentIndex(tab.design.findData("targeted"))
    tab.row_values.setText("0.2:0.6:0.2")
    tab.col_values.setText("0.5, 0.7")
    tab.compute()
    qtbot.waitUntil(lambda: not tab.tasks.running, timeout=30000)
    grid = curves.sensitivity_grid(w.doc.scenario, "targeted", ("population.prevalence", [0.2, 0.4, 0.6]),
                                   ("positive.hazard_ratio", [0.5, 0.7]))
    assert tab.table.rowCount() == 3 and tab.table.columnCount() == 2
    got = np.array([[tab.table.item(i, j).data(RAW) for j in range(2)] for i in range(3)])
    assert tab.table.horizontalHeaderItem(0).text() == "Hazard ratio (B+) = 0.5"  # catalogue labels, not paths
    assert tab.table.verticalHeaderItem(0).text() == "Prevalence (B+) = 0.2"
    np.testing.assert_array_equal(got, grid.values)
    tab.row_values.setText("0.2:oops")
    tab.compute()
    assert "expected start:stop:step" in tab.message.text() or "not a list" in tab.message.text()


def test_smoke_screenshot_is_not_blank(make_window, qtbot, tmp_path):
    w = make_window(EXAMPLES / "egfr_nsclc_ipass.json")
    w.resize(1400, 900)
    qtbot.waitUntil(lambda: all(c.drawn > 0 for c in w.plots.canvases()), timeout=15000)
    target = tmp_path / "window.png"
    assert w.grab().save(str(target))
    from PySide6.QtGui import QImage

    image = QImage(str(target))
    assert image.width() >= 1000 and image.height() >= 600
    colors = {image.pixel(x, y) for x in range(0, image.width(), 17) for y in range(0, image.height(), 17)}
    assert len(colors) > 20


def test_plots_wait_for_slider_release(make_window, qtbot):
    w = make_window(EXAMPLES / "egfr_nsclc_ipass.json")
    qtbot.waitUntil(lambda: not w.plots.dirty, timeout=15000)
    slider = w.inputs.slider
    slider.setSliderDown(True)
    slider.setValue(300)
    settle(qtbot, w)
    assert w.comparison_result.scenario["population"]["prevalence"] == 0.3  # table is live
    assert w.plots.dirty  # plots held back while dragging
    slider.setSliderDown(False)
    qtbot.waitUntil(lambda: not w.plots.dirty, timeout=15000)
