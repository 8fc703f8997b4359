"""The report shows the assumed survival curves and names the piecewise method; the one drawing
function draws every arm and subgroup."""

from __future__ import annotations

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from planner.figures_survival import survival_curves_draw
from planner.report.html_report import build_report
from planner.scenario_io import load_scenario
from tests.conftest import ROOT

DELAYED = ROOT / "resources" / "scenarios" / "pdl1_io_delayed_effect.json"


def test_survival_curves_drawing_function():
    figure = Figure()
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    survival_curves_draw(ax, load_scenario(DELAYED))
    lines = [line for line in ax.get_lines() if line.get_label() and not line.get_label().startswith("_")]
    assert len(lines) == 4  # two arms in B+ and in B−
    pos_t = next(line for line in lines if "B+" in line.get_label() and "treatment" in line.get_label())
    pos_c = next(line for line in lines if "B+" in line.get_label() and "control" in line.get_label())
    x, yt = pos_t.get_data()
    _, yc = pos_c.get_data()
    early = x < 3
    assert abs(yt[early] - yc[early]).max() < 1e-12  # delayed effect: no separation before month 3
    assert yt[-1] > yc[-1] + 0.05


def test_report_contains_plot_and_method():
    report = build_report(load_scenario(DELAYED), include_adaptive=False)
    assert "survival-curves.png" in report.images
    assert 'alt="Assumed survival curves"' in report.html
    assert "average hazard ratio" in report.html and "Kalbfleisch &amp; Prentice 1981" in report.html
    assert "Survival assumptions" in report.html
