"""Invariants of the fast edit path (issue 10's speed; timings are in benchmarks/bench_ui.py).

* a plot that keeps its frame across an edit (``PlotsPanel._frame``) is drawn pixel for pixel
  as when its frame is drawn again from scratch;
* the comparison table fits its columns once per fill, to the same widths;
* one edit computes the comparison once, and fills the table once;
* plots that are not shown are not redrawn (they are marked dirty and drawn when shown).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import ui_helpers
from ui_helpers import EXAMPLES

from planner.compute import compare_designs
from planner.scenario_io import load_scenario

make_window = ui_helpers.make_window
EGFR = EXAMPLES / "egfr_nsclc_ipass.json"


def _with_prevalence(scenario, p: float):
    return dataclasses.replace(scenario, population=dataclasses.replace(scenario.population, prevalence=p))


def _pixels(canvas) -> np.ndarray:
    canvas.canvas.draw()  # a full draw (not a blit): every artist rendered
    return np.asarray(canvas.canvas.buffer_rgba()).copy()


def test_kept_frame_draws_the_same_pixels(qtbot, monkeypatch):
    from ui.plots_panel import PlotsPanel

    scenario = load_scenario(EGFR)
    fast, slow = PlotsPanel(), PlotsPanel()
    monkeypatch.setattr(slow, "_frame", lambda canvas, fn, *args: fn(canvas.ax, *args))
    for panel in (fast, slow):
        qtbot.addWidget(panel)
        panel.resize(1000, 700)
        panel.show()
    for p in (0.6, 0.45, 0.62, 0.3):
        s = _with_prevalence(scenario, p)
        result = compare_designs(s, question="sample_size", include_adaptive=False)
        for panel in (fast, slow):
            panel.set_inputs(s, result, "sample_size", None)
            panel.render()
        for a, b in zip(fast.canvases(), slow.canvases()):
            assert a.ax.get_xlim() == b.ax.get_xlim() and a.ax.get_ylim() == b.ax.get_ylim()
            assert a.ax.get_title() == b.ax.get_title() and a.ax.get_xlabel() == b.ax.get_xlabel()
            assert np.array_equal(_pixels(a), _pixels(b)), a.title
    assert sum(c.frames_kept for c in fast.canvases()) > 0  # the fast path was taken


def test_table_columns_fit_once_to_the_same_widths(qtbot, monkeypatch):
    import contextlib

    from PySide6.QtWidgets import QHeaderView

    from ui.comparison_view import ComparisonView

    scenario = load_scenario(EGFR)
    fast, slow = ComparisonView(), ComparisonView()
    monkeypatch.setattr(slow, "batch", contextlib.nullcontext)  # the columns fit after every cell
    for view in (fast, slow):
        qtbot.addWidget(view)
        view.resize(1200, 300)
        view.show()
        view.set_assurance_enabled(True)
    for p, question in ((0.6, "sample_size"), (0.3, "sample_size"), (0.3, "power")):
        result = compare_designs(_with_prevalence(scenario, p), question=question, n_randomized=300,
                                 include_adaptive=False)
        for view in (fast, slow):
            view.set_question(question, 300)
            view.show_comparison(result)
        qtbot.wait(10)
        fh, sh = fast.table.horizontalHeader(), slow.table.horizontalHeader()
        assert fh.sectionResizeMode(1) == QHeaderView.ResizeMode.ResizeToContents
        assert [fh.sectionSize(c) for c in range(fh.count())] == [sh.sectionSize(c) for c in range(sh.count())]
        assert fast.to_tsv() == slow.to_tsv()
    assert fast.fills == 3


@pytest.fixture
def window(make_window, qtbot):
    w = make_window(EGFR)
    w.resize(1500, 950)
    w.tabs.setCurrentWidget(w.plots)
    qtbot.waitUntil(lambda: all(c.drawn for c in w.plots.canvases()) and not w.plots.dirty, timeout=10000)
    return w


def _edit(w, qtbot, value: float) -> None:
    before = w.compute_count
    w.inputs.rows["population.prevalence"].editor.setValue(value)
    qtbot.waitUntil(lambda: w.compute_count > before and not w.timer.isActive(), timeout=5000)


def test_one_edit_computes_the_comparison_curves_and_assurance_once(window, qtbot, monkeypatch):
    import planner.compute
    from planner import figures

    w = window
    calls = {"compare": 0, "curves": 0, "assurance": 0}

    def counted(name, fn):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return fn(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(planner.compute, "compare_designs", counted("compare", planner.compute.compare_designs))
    monkeypatch.setattr(figures, "power_vs_negative_effect_curves",
                        counted("curves", figures.power_vs_negative_effect_curves))
    monkeypatch.setattr(w.assurance, "request", counted("assurance", lambda *a, **k: None))
    fills, drawn = w.comparison.fills, [c.drawn for c in w.plots.canvases()]
    _edit(w, qtbot, 0.45)
    qtbot.waitUntil(lambda: calls["assurance"] > 0, timeout=5000)  # started once the plots are drawn
    qtbot.wait(200)
    assert calls == {"compare": 1, "curves": 1, "assurance": 1}
    assert w.comparison.fills == fills + 1
    assert [c.drawn for c in w.plots.canvases()] == [d + 1 for d in drawn]  # each plot drawn once


def test_hidden_plots_are_marked_dirty_and_drawn_when_shown(window, qtbot):
    w = window
    w.tabs.setCurrentWidget(w.log)
    drawn = [c.drawn for c in w.plots.canvases()]
    _edit(w, qtbot, 0.4)
    qtbot.wait(100)
    assert w.plots.dirty
    assert [c.drawn for c in w.plots.canvases()] == drawn  # nothing drawn while hidden
    w.tabs.setCurrentWidget(w.plots)
    qtbot.waitUntil(lambda: all(c.drawn > d for c, d in zip(w.plots.canvases(), drawn)), timeout=5000)
    assert not w.plots.dirty


def test_started_once_after_the_first_results_and_freezing(qtbot, tmp_path):
    import gc

    from PySide6.QtCore import QSettings

    from ui.app import freeze_startup_objects
    from ui.main_window import MainWindow

    w = MainWindow(str(EGFR), settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w, before_close_func=ui_helpers._quiet_close)
    seen: list[int] = []
    w.started.connect(lambda: seen.append(w.compute_count))
    w.show()
    qtbot.waitUntil(lambda: bool(seen), timeout=10000)
    _edit(w, qtbot, 0.5)
    qtbot.wait(50)
    assert seen == [1]  # once, after the first comparison
    try:
        freeze_startup_objects()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()  # the test process goes on making and closing windows
