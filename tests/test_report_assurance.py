"""The report's assurance section shows the distribution of power per design."""

from __future__ import annotations

import base64

import numpy as np
import pytest
from conftest import SCENARIOS
from report_helpers import parse_report

from planner.assurance import assurance_for_comparison
from planner.compute import compare_designs
from planner.report import build_report, figures
from planner.scenario_io import load_scenario

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
FIGURE_ALT = 'alt="Distribution of power under the uncertain assumptions"'


def _section(html: str) -> str:
    start = html.index("Assurance (probability of success)")
    end = html.find("<h2", start)
    return html[start:] if end < 0 else html[start:end]


@pytest.mark.parametrize("name", ["egfr_nsclc_ipass.json", "hrd_ovarian_prima.json"])
def test_power_distribution_figure_is_in_the_assurance_section(name):
    report = build_report(load_scenario(SCENARIOS / name), include_adaptive=False)
    section = _section(report.html)
    assert FIGURE_ALT in section
    assert 'data-figure="power-distribution"' in section
    images = parse_report(section).images
    assert len(images) == 1 and images[0].startswith("data:image/png;base64,")
    assert base64.b64decode(images[0].split(",", 1)[1]).startswith(PNG_MAGIC)


def test_no_figure_without_the_block_or_without_figures():
    plain = build_report(load_scenario(SCENARIOS / "cyp2c19_chance.json"), include_adaptive=False)
    assert FIGURE_ALT not in plain.html
    without = build_report(load_scenario(SCENARIOS / "egfr_nsclc_ipass.json"), include_figures=False)
    assert "Assurance (probability of success)" in without.html
    assert FIGURE_ALT not in without.html


def test_figure_marks_each_design_with_its_assurance():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    scenario = load_scenario(SCENARIOS / "pdl1_nsclc_keynote042.json")
    core = assurance_for_comparison(scenario, compare_designs(scenario, include_adaptive=False), with_size=False)
    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    assert figures.draw_power_distribution(ax, core)
    shown = [a for a in core.values() if a.assurance is not None]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == len(shown)
    diamonds = [line for line in ax.lines if line.get_marker() == "D"]
    assert sorted(float(line.get_xdata()[0]) for line in diamonds) == pytest.approx(
        sorted(a.assurance for a in shown))
    for a in shown:
        assert any(a.label in t and f"P(>80%) {a.prob_power_above:.2f}" in t for t in labels)
    csv = figures.power_distribution_csv(core).splitlines()
    assert len(csv) == 21
    shares = np.array([[float(v) for v in line.split(",")[2:]] for line in csv[1:]])
    assert shares.sum(axis=0) == pytest.approx(np.ones(len(shown)))
    assert figures.power_distribution_png({}) is None


def test_report_adds_the_adaptive_designs_simulated_assurance():
    """With an adaptive design and an uncertainty block the report's assurance table has the adaptive
    design's simulated assurance (given, as the app passes its run; or simulated by the report) and
    says how it was simulated."""
    from planner.adaptive.assurance import adaptive_assurance

    scenario = load_scenario(SCENARIOS / "hrd_ovarian_prima.json")
    given = adaptive_assurance(scenario, draws=10, trials_per_draw=20)
    report = build_report(scenario, include_figures=False, adaptive_assurance=given)
    shown = report.assurance["adaptive"]   # survival: the simulation's maximum patients beside it
    assert shown.assurance == given.assurance and shown.n_randomized == report.adaptive["n_randomized"] > 0
    section = _section(report.html)
    assert 'data-design="assurance-adaptive"' in section and 'data-assurance="adaptive"' in section
    assert "20 trials under each of the first 10 draws" in section
    plain = build_report(scenario, include_figures=False, include_adaptive=False)
    assert "adaptive" not in plain.assurance   # no simulation of the design: no assurance for it
