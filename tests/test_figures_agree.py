"""Every figure shows the table's number: the app's curve (the data it plots), the report's curve
and ``export --what curves`` agree with each other and with ``compute`` at the design's size
(survival: at its events), for every example scenario (all endpoints) × design × figure.

Issue 9 found the app's power-vs-B−-effect curve of PRIMA's stratified design at 0.90185 where
the table said 0.90047 (the curve was evaluated at N, the table at the events rounded up).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest
from conftest import SCENARIOS

from planner import curves
from planner import figures as fig
from planner.catalogue import design_label
from planner.compute import compare_designs
from planner.report import figures as report_figures
from planner.report.csv_export import curve_csv, design_map_csv
from planner.scenario_io import load_scenario, scenario_from_dict, scenario_to_dict

TOL = 1e-6
EXAMPLES = sorted(SCENARIOS.glob("*.json"))


def _variants():
    """Every example as in the file, plus unequal allocation (integer arms) and power at a given N."""
    for path in EXAMPLES:
        yield pytest.param(path, None, None, id=path.stem)
    for name in ("cystic_fibrosis_ivacaftor", "cyp2c19_chance", "hrd_ovarian_prima"):
        yield pytest.param(SCENARIOS / f"{name}.json", 1.7, None, id=f"{name}-allocation-1.7")
        yield pytest.param(SCENARIOS / f"{name}.json", None, 301, id=f"{name}-power-at-301")


def _scenario(path: Path, allocation: float | None):
    s = load_scenario(path)
    if allocation is None:
        return s
    d = scenario_to_dict(s)
    d["testing"]["allocation_ratio"] = allocation
    return scenario_from_dict(d)


def _lines(ax) -> dict:
    """Plotted curves by label (the design's label): (x, y)."""
    return {ln.get_label(): (np.asarray(ln.get_xdata(), dtype=float), np.asarray(ln.get_ydata(), dtype=float))
            for ln in ax.lines if len(ln.get_xdata()) > 2}


def _at(xy, x: float) -> float:
    xs, ys = xy
    hit = np.flatnonzero(xs == x)
    assert hit.size, f"the curve has no point at {x!r}"
    return float(ys[hit[0]])


def _csv_at(text: str, x_name: str, x: float, column: str) -> float:
    for row in csv.DictReader(io.StringIO(text)):
        if float(row[x_name]) == x:
            return float(row[column])
    raise AssertionError(f"no CSV row at {x_name} = {x!r}")


@pytest.fixture
def panel(qtbot):
    from ui.plots_panel import PlotsPanel

    p = PlotsPanel()
    qtbot.addWidget(p)
    p.resize(1000, 700)
    p.show()
    qtbot.waitExposed(p)
    return p


def _app_draw(qtbot, panel, s, comparison, question, n):
    before = [c.drawn for c in panel.canvases()]
    panel.set_inputs(s, comparison, question, n)
    qtbot.waitUntil(lambda: not panel.dirty and all(c.drawn > b for c, b in zip(panel.canvases(), before)),
                    timeout=30000)
    panel.refine()  # the full grids (what an export writes)
    assert panel.errors == []


@pytest.mark.parametrize(("path", "allocation", "n_given"), list(_variants()))
def test_app_report_export_and_table_agree(qtbot, panel, path, allocation, n_given):
    s = _scenario(path, allocation)
    question = "power" if n_given else "sample_size"
    with np.errstate(all="ignore"):
        c = compare_designs(s, question=question, n_randomized=n_given, include_adaptive=False)
        _app_draw(qtbot, panel, s, c, question, n_given)
        results = dict(c.designs)
        report = {
            "power_vs_n": _lines(report_figures.power_curves_figure(s, results).axes[0]),
            "power_vs_negative_effect": _lines(report_figures.negative_effect_figure(s, results).axes[0]),
            "n_vs_prevalence": _lines(report_figures.prevalence_curves_figure(s, results).axes[0]),
        }
        export = {k: curve_csv(s, k, comparison=c) for k in report}
    app = {"power_vs_n": _lines(panel.power_n.ax), "power_vs_negative_effect": _lines(panel.power_neg.ax),
           "n_vs_prevalence": _lines(panel.n_prev.ax)}
    current = fig.negative_effect(s)
    checked = 0
    for name, r in c.designs.items():
        label = design_label(name)
        if not r.feasible:
            continue
        # power against N: at the design's place on the N axis (survival: its events)
        x = curves.design_x(r)
        values = [_at(app["power_vs_n"][label], x), _at(report["power_vs_n"][label], x),
                  _csv_at(export["power_vs_n"], "n_randomized", x, name)]
        assert values == pytest.approx([r.power] * 3, abs=TOL), (name, "power_vs_n")
        # power against the B− effect, at the assumed effect
        x_name = "negative_" + {"survival": "hazard_ratio", "binary": "risk_difference"}.get(
            s.endpoint, "mean_difference")
        values = [_at(app["power_vs_negative_effect"][label], current),
                  _at(report["power_vs_negative_effect"][label], current),
                  _csv_at(export["power_vs_negative_effect"], x_name, current, name)]
        assert values == pytest.approx([r.power] * 3, abs=TOL), (name, "power_vs_negative_effect")
        # the stratified design's claims in the export
        for claim, p in r.claims.items():
            assert _csv_at(export["power_vs_n"], "n_randomized", x, f"{name}_{claim}") == pytest.approx(p, abs=TOL)
        # N against prevalence: the table's N at the scenario's prevalence (a sample-size result)
        if r.question == "sample_size":
            g = s.population.prevalence
            values = [_at(app["n_vs_prevalence"][label], g), _at(report["n_vs_prevalence"][label], g),
                      _csv_at(export["n_vs_prevalence"], "prevalence", g, name),
                      float(curves.n_vs_prevalence(s, name, [g]).y["n_randomized"][0])]
            assert values == [r.n_randomized] * 4, (name, "n_vs_prevalence")
        checked += 1
    assert checked


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_design_map_agrees(qtbot, panel, path):
    """The app's map is the report's map; at the scenario's point each design's value is the
    table's unrounded N."""
    s = load_scenario(path)
    with np.errstate(all="ignore"):
        c = compare_designs(s, include_adaptive=False)
        _app_draw(qtbot, panel, s, c, "sample_size", None)
        dm = report_figures.design_map_data(s, dict(c.designs), criterion="n")
        assert panel.map.csv_text == design_map_csv(dm, s.endpoint)
        at = curves.design_map(s, [s.population.prevalence], [fig.negative_effect(s)], designs=dm.designs)
    for name in dm.designs:
        r = c.designs[name]
        if r.feasible:
            assert float(at.values[name][0, 0]) == pytest.approx(r.n_randomized_exact, rel=1e-9, abs=TOL)
        else:
            assert not np.isfinite(at.values[name][0, 0])


def test_prima_stratified_power_against_the_negative_effect():
    """The case of issue 9: table 0.90047; the curve (app, report, export) now passes through it."""
    s = load_scenario(SCENARIOS / "hrd_ovarian_prima.json")
    r = compare_designs(s, include_adaptive=False).designs["stratified"]
    assert r.power == pytest.approx(0.90047, abs=5e-6)
    grid = fig.negative_effect_range(s, include_current=True)
    curve = curves.power_vs_negative_effect(s, "stratified", grid, result=r)
    assert _at((curve.x, curve.y["power"]), s.negative.hazard_ratio) == pytest.approx(r.power, abs=1e-12)


def test_power_distribution_is_drawn_at_the_table_size():
    """The assurance figure's designs are evaluated at the table's sizes (its power at the point
    values is the table's power)."""
    from matplotlib.figure import Figure

    from planner.assurance import assurance_for_comparison

    s = load_scenario(SCENARIOS / "egfr_nsclc_ipass.json")
    c = compare_designs(s, include_adaptive=False)
    a = assurance_for_comparison(s, c, with_size=False)
    for name, res in a.items():
        if res.power is not None:
            assert res.power == pytest.approx(c.designs[name].power, abs=TOL)
    ax = Figure().add_subplot()
    assert fig.draw_power_distribution(ax, a)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert all(any(design_label(n) in t for t in labels) for n, res in a.items() if res.assurance is not None)
