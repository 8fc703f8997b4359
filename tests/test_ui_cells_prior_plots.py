"""The cells form's prior editor draws each distribution's density (the prevalences: each cell's
marginal Beta) with the two-subgroup boxes' drawing function, and edits a survival cell's control
median. A screenshot of the editor (``EP_SCREENSHOTS`` folder, else pytest's tmp folder) was looked
at by hand: the densities appear below their rows.

The curves integrate to 1 (trapezoid rule on 241 points, tolerance 2·10⁻³: the 10⁻⁴ tails left out
and the grid's error) and the median's and SD's match the moments of their draws (4 SEs).
"""

from __future__ import annotations

import math
import os

import numpy as np
import ui_helpers
from ui_helpers import EXAMPLES

from planner.cells_uncertainty import DirichletPrior, MedianPrior, SdPrior
from planner.figures_prior import prior_curve

make_window = ui_helpers.make_window
KEYNOTE = EXAMPLES / "pdl1_nsclc_keynote042_cutoffs.json"
SHOTS = os.environ.get("EP_SCREENSHOTS")


def _area(c: dict) -> float:
    return float(np.trapezoid(c["y"], c["x"]))


def test_cells_curves_integrate_to_one_and_match_the_draws():
    rng = np.random.default_rng(3)
    median = prior_curve("control_median", MedianPrior(events=30, estimate=12.0), 12.0, "survival")
    assert abs(_area(median) - 1) < 2e-3
    draws = 12.0 * 30 / rng.gamma(30.0, 1.0, 40_000)
    assert abs(median["mean"] - draws.mean()) < 4 * draws.std() / math.sqrt(draws.size)
    sd = prior_curve("sd", SdPrior(df=20), 1.5, "continuous")
    assert abs(_area(sd) - 1) < 2e-3
    s_draws = 1.5 * np.sqrt(20 / rng.chisquare(20, 40_000))
    assert abs(sd["mean"] - s_draws.mean()) < 4 * s_draws.std() / math.sqrt(s_draws.size)
    prev = prior_curve("prevalences", DirichletPrior(counts={"a": 20, "b": 30, "c": 50}), (0.2, 0.3, 0.5),
                       "survival", names=("a", "b", "c"))
    assert [s["label"] for s in prev["series"]] == ["a", "b", "c"]
    for s, a in zip(prev["series"], (21, 31, 51)):
        assert abs(float(np.trapezoid(s["y"], s["x"])) - 1) < 2e-3 and s["mean"] == a / 103


def test_the_cells_editor_draws_every_density(make_window, qtbot, tmp_path):
    w = make_window(KEYNOTE)
    w.resize(1280, 900)
    w.edit_priors()
    editor = w.priors.cells_editor
    first = w.doc.scenario.population.cells[0].name
    rows = editor.rows
    qtbot.waitUntil(lambda: rows["prevalences"].plot.csv_text.startswith("cell,x,density"), timeout=10_000)
    qtbot.waitUntil(lambda: "density" in rows[f"cells.{first}.effect"].plot.csv_text, timeout=10_000)
    assert rows["prevalences"].plot.isVisibleTo(w.priors)
    assert not rows[f"cells.{first}.control_median"].plot.isVisibleTo(w.priors)  # not uncertain: no plot
    median = rows[f"cells.{first}.control_median"]
    median.check.setChecked(True)
    assert w.doc.get("uncertainty")["cells"][first]["control_median"] == {"events": 50} and w.doc.valid
    median.edits["estimate"].setText("14")
    median.edits["estimate"].editingFinished.emit()
    assert w.doc.get("uncertainty")["cells"][first]["control_median"] == {"estimate": 14, "events": 50}
    assert "Gamma(50, 1)" in median.description.text()
    qtbot.waitUntil(lambda: "density" in median.plot.csv_text, timeout=10_000)
    assert median.plot.isVisibleTo(w.priors)
    x = [float(line.split(",")[0]) for line in median.plot.csv_text.splitlines()[1:]]
    assert min(x) < 14 < max(x)
    before = median.plot.csv_text
    median.edits["events"].setText("200")
    median.edits["events"].editingFinished.emit()
    qtbot.waitUntil(lambda: median.plot.csv_text != before, timeout=10_000)  # redrawn: narrower
    x2 = [float(line.split(",")[0]) for line in median.plot.csv_text.splitlines()[1:]]
    assert max(x2) - min(x2) < max(x) - min(x)
    median.edits["events"].setText("0")
    median.edits["events"].editingFinished.emit()
    assert not w.doc.valid and "events" in median.problem.text()
    w.doc.undo_stack.undo()
    assert w.doc.valid
    from PySide6.QtWidgets import QScrollArea

    folder = SHOTS or str(tmp_path)
    assert w.priors.grab().save(os.path.join(folder, "cells_prior_editor.png"))
    w.priors.findChild(QScrollArea).ensureWidgetVisible(median.plot)
    qtbot.wait(50)
    assert w.grab().save(os.path.join(folder, "cells_prior_editor_median.png"))


def test_the_two_subgroup_boxes_still_draw(make_window, qtbot):
    w = make_window(EXAMPLES / "kras_crc_panitumumab.json")
    w.edit_priors()
    box = w.priors.boxes["positive_effect"]
    qtbot.waitUntil(lambda: box.plot.csv_text.startswith("x,density"), timeout=10_000)
    assert box.plot.isVisibleTo(w.priors) and not w.priors.boxes["negative_effect"].plot.isVisibleTo(w.priors)
