"""Sensitivity grid heat map (issue 10): one drawing function in planner/figures.py, shown beside the
table in the app."""

from __future__ import annotations

import numpy as np
import ui_helpers
from matplotlib.figure import Figure
from ui_helpers import EXAMPLES

from planner.figures import draw_sensitivity_heatmap

make_window = ui_helpers.make_window


def test_heatmap_draws_the_grid_values():
    values = np.array([[100.0, 200.0], [np.nan, 400.0], [50.0, 80.0]])
    fig = Figure()
    ax = fig.add_subplot(111)
    image = draw_sensitivity_heatmap(ax, values, [0.2, 0.4, 0.6], [0.5, 0.7], "Prevalence (B+)",
                                     "Hazard ratio (B+)", "Total randomized N", integer=True)
    shown = image.get_array()
    assert shown.shape == (3, 2) and bool(shown.mask[1, 0]) and float(shown[2, 1]) == 80.0
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0.2", "0.4", "0.6"]
    assert sorted(t.get_text() for t in ax.texts) == sorted(["100", "200", "400", "50", "80"])
    assert ax.get_xlabel() == "Hazard ratio (B+)" and ax.get_ylabel() == "Prevalence (B+)"


def test_app_shows_the_heatmap_beside_the_table(make_window, qtbot):
    w = make_window(EXAMPLES / "egfr_nsclc_ipass.json")
    tab = w.sensitivity
    w.tabs.setCurrentWidget(tab)
    tab.row_values.setText("0.2:0.6:0.2")
    tab.col_values.setText("0.5, 0.7")
    tab.compute()
    qtbot.waitUntil(lambda: tab.grid is not None and not tab.tasks.running, timeout=30000)
    ax = tab.plot.ax
    np.testing.assert_array_equal(np.ma.filled(ax.images[0].get_array(), np.nan), tab.grid.values)
    assert ax.get_ylabel() == "Prevalence (B+)" and "population." not in ax.get_xlabel()
    assert tab.plot.csv_text.splitlines()[0].startswith("population.prevalence")  # exported as numbers
