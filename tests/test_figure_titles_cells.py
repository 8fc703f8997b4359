"""In the cells form the curve over the "B− effect" names where its effect varies — outside the
first population, or in the cell chosen — in the report's figure title and the app's plot heading
(planner.figures.figure_title, the catalogue's cells_axis_words); the two-subgroup form keeps the
catalogue's title."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import ui_helpers  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from ui_helpers import EXAMPLES, settle  # noqa: E402

from planner import figures  # noqa: E402
from planner.catalogue import FIGURES  # noqa: E402
from planner.population_sweeps import focus  # noqa: E402
from planner.scenario_io import load_scenario  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
KEYNOTE = ROOT / "resources" / "scenarios" / "pdl1_nsclc_keynote042_cutoffs.json"
make_window = ui_helpers.make_window


def test_the_title_names_where_the_effect_varies():
    s = load_scenario(KEYNOTE)
    title = figures.figure_title(s, "power_vs_negative_effect")
    assert title == "Power against the hazard ratio outside population TPS ≥50%"
    ax = Figure().add_subplot()
    ax.set_title(FIGURES["power_vs_negative_effect"].title)
    figures.population_axis_labels(ax, s, "power_vs_negative_effect")
    assert ax.get_title() == title
    cell = s.population.cells[1].name
    assert figures.figure_title(focus(s, cell=cell), "power_vs_negative_effect").endswith(f"in cell {cell}")
    two = load_scenario(EXAMPLES / "egfr_nsclc_ipass.json")
    assert figures.figure_title(two, "power_vs_negative_effect") == FIGURES["power_vs_negative_effect"].title


def test_the_app_heading_follows(make_window, qtbot):
    w = make_window(KEYNOTE)
    w.tabs.setCurrentWidget(w.plots)
    settle(qtbot, w)
    qtbot.waitUntil(lambda: "outside population" in w.plots.power_neg.heading.text(), timeout=20000)
