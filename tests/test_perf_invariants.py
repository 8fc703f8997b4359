"""The performance shortcuts give exactly the numbers (and pixels) of the plain computation.

* the Spiessens–Debois critical values solved once per distinct correlation against every
  element solved on its own (and against scipy);
* ``planner.power.stat_power`` (scipy.special directly) against statsmodels;
* the plots: a data-only redraw over the saved axes image against a full draw, the curve
  cache against a fresh computation, and the log-axis formatters installed once.

Not timing tests: the timings are in ``benchmarks/``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import elementwise

from planner import bvn, curves
from planner.catalogue import design_label
from planner.compute import compare_designs
from planner.contrasts import Stat
from planner.power import stat_power, stat_power_statsmodels
from planner.scenario_io import load_scenario

EXAMPLES = Path(__file__).resolve().parent.parent / "resources" / "scenarios"
SCENARIOS = sorted(EXAMPLES.glob("*.json"))


@pytest.mark.parametrize("alpha", [0.025, 0.005, 0.1])
def test_critical_values_once_per_distinct_correlation(alpha):
    rho = np.repeat(np.linspace(0.1, 0.95, 9)[:, None], 6, axis=1)  # one correlation per row, as on a map
    np.testing.assert_array_equal(bvn.critical_value_equal(alpha, rho), bvn.critical_value_equal_pointwise(alpha, rho))
    c1, c2 = bvn.critical_values_split(alpha, rho, 0.3 * alpha)
    r1, r2 = bvn.critical_values_split_pointwise(alpha, rho, 0.3 * alpha)
    np.testing.assert_array_equal(c1, r1)
    np.testing.assert_array_equal(c2, r2)
    al = np.full(rho.size, alpha)
    want = elementwise.find_root(lambda c, r, a: bvn._fwer_equal(c, r) - a,
                                 (bvn.critical_value(al) - 1e-9, bvn.critical_value(al / 2) + 1e-9),
                                 args=(rho.reshape(-1), al), tolerances={"xatol": 1e-13, "xrtol": 0.0}).x
    np.testing.assert_array_equal(bvn.critical_value_equal(alpha, rho).reshape(-1), want)
    assert np.shape(bvn.critical_value_equal(alpha, 0.5)) == ()


@pytest.mark.parametrize("t_test", [False, True])
def test_stat_power_equals_statsmodels(t_test):
    drift = np.concatenate([np.linspace(-0.2, 0.5, 40), [2.0, 3.0, 3.9]])
    ratio = np.linspace(0.8, 1.3, drift.size)
    n = np.geomspace(4.0, 1e6, drift.size)
    for sides in (1, 2):
        st = Stat(drift, ratio, t_test)
        np.testing.assert_array_equal(stat_power(st, n, 0.05, sides), stat_power_statsmodels(st, n, 0.05, sides))
        idx = np.arange(0, drift.size, 3)
        np.testing.assert_array_equal(stat_power(st, n[idx], 0.025, sides, idx),
                                      stat_power_statsmodels(st, n[idx], 0.025, sides, idx))
    scalar = Stat(np.array(0.3), np.array(1.0), t_test)
    np.testing.assert_array_equal(stat_power(scalar, np.array([50.0, 400.0]), 0.025, 1),
                                  stat_power_statsmodels(scalar, np.array([50.0, 400.0]), 0.025, 1))


# ---------------------------------------------------------------------------- plots
def _panel(qtbot, path):
    from ui.plots_panel import PlotsPanel

    panel = PlotsPanel()
    qtbot.addWidget(panel)
    panel.resize(1000, 700)
    panel.show()
    qtbot.waitExposed(panel)
    s = load_scenario(path)
    return panel, s


def _show(qtbot, panel, s):
    with np.errstate(all="ignore"):
        comparison = compare_designs(s, include_adaptive=False)
    before = [c.drawn for c in panel.canvases()]
    panel.set_inputs(s, comparison, "sample_size", None)
    qtbot.waitUntil(lambda: not panel.dirty and all(c.drawn > b for c, b in zip(panel.canvases(), before)),
                    timeout=15000)


def _pixels(canvas) -> np.ndarray:
    return np.asarray(canvas.canvas.buffer_rgba()).copy()


@pytest.mark.parametrize("name", ["egfr_nsclc_ipass", "cystic_fibrosis_ivacaftor"])
def test_data_only_redraw_gives_the_full_draws_pixels(qtbot, name):
    panel, s = _panel(qtbot, EXAMPLES / f"{name}.json")
    _show(qtbot, panel, s)
    blitted = sum(c.blitted for c in panel.canvases())
    for prevalence in (s.population.prevalence * 0.8, s.population.prevalence * 1.1):
        s2 = dataclasses.replace(s, population=dataclasses.replace(s.population, prevalence=prevalence))
        _show(qtbot, panel, s2)
        for canvas in panel.canvases():
            fast = _pixels(canvas)
            canvas.canvas.draw()  # full draw of the same artists
            np.testing.assert_array_equal(fast, _pixels(canvas), err_msg=canvas.title)
    assert sum(c.blitted for c in panel.canvases()) > blitted  # the data-only path was taken


def test_curve_cache_and_axis_formatters(qtbot):
    panel, s = _panel(qtbot, EXAMPLES / "egfr_nsclc_ipass.json")
    _show(qtbot, panel, s)
    locator = panel.n_prev.ax.yaxis.get_major_locator()
    s2 = dataclasses.replace(s, population=dataclasses.replace(s.population, prevalence=0.3))
    _show(qtbot, panel, s2)
    assert panel.n_prev.ax.yaxis.get_major_locator() is locator  # not re-created for a redraw
    grid = np.linspace(0.02, 0.98, 29)
    lines = {line.get_label(): line for line in panel.n_prev.ax.lines}
    for name in panel._designs():
        with np.errstate(all="ignore"):
            fresh = curves.n_vs_prevalence(s2, name, grid).y["n_randomized"]
        line = lines[design_label(name)]
        on_grid = np.isin(line.get_xdata(), grid)  # besides the table's N at the scenario's prevalence
        np.testing.assert_array_equal(line.get_ydata()[on_grid], fresh)


def test_csv_built_on_demand_is_the_plotted_data(qtbot):
    from planner.report.csv_export import curves_csv, design_map_csv

    panel, s = _panel(qtbot, EXAMPLES / "egfr_nsclc_ipass.json")
    _show(qtbot, panel, s)
    text = panel.power_n.csv_text
    assert text == panel.power_n.csv_text  # built once, then kept
    lines = [ln for ln in panel.power_n.ax.lines if len(ln.get_xdata()) > 2]
    grid = lines[0].get_xdata()
    with np.errstate(all="ignore"):
        want = curves_csv({name: curves.power_vs_n(s, name, grid, r) for name, r in panel._designs().items()})
    assert text == want
    from ui.plots_panel import MAP_POINTS, negative_effect_range

    effects = negative_effect_range(s, MAP_POINTS)
    names = tuple(d for d in panel._designs() if d != "interaction")
    with np.errstate(all="ignore"):
        dm = curves.design_map(s, np.linspace(0.05, 0.95, MAP_POINTS), effects, designs=names)
    assert panel.map.csv_text == design_map_csv(dm, s.endpoint)
    assert panel.map.csv_text.startswith("prevalence,negative_hazard_ratio,best,")
