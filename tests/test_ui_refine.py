"""The full-grid curves that replace the live (coarse) ones after an edit are computed on a worker
of ui.tasks, not on the GUI thread (issue 10), and then drawn from the cache."""

from __future__ import annotations

import threading

import numpy as np
import ui_helpers  # noqa: F401 (offscreen platform)
from ui_helpers import EXAMPLES

from planner import curves
from planner.compute import compare_designs
from planner.scenario_io import load_scenario


def test_refined_curves_are_computed_off_the_gui_thread(qtbot, monkeypatch):
    from ui.plots_panel import PlotsPanel

    panel = PlotsPanel()
    qtbot.addWidget(panel)
    panel.resize(1000, 700)
    panel.show()
    qtbot.waitExposed(panel)
    s = load_scenario(EXAMPLES / "egfr_nsclc_ipass.json")
    with np.errstate(all="ignore"):
        c = compare_designs(s, include_adaptive=False)
    panel.set_inputs(s, c, "sample_size", None)
    qtbot.waitUntil(lambda: not panel.dirty, timeout=30000)  # the first drawing is on the full grid

    threads: list[bool] = []
    original = curves.n_vs_prevalence

    def spy(*args, **kwargs):
        threads.append(threading.current_thread() is threading.main_thread())
        return original(*args, **kwargs)

    edited = load_scenario(EXAMPLES / "egfr_nsclc_ipass.json")
    from dataclasses import replace

    edited = replace(edited, positive=replace(edited.positive, hazard_ratio=0.5))
    with np.errstate(all="ignore"):
        c2 = compare_designs(edited, include_adaptive=False)
    panel.set_inputs(edited, c2, "sample_size", None)  # an edit: drawn live (coarse) first
    qtbot.waitUntil(lambda: not panel.dirty, timeout=30000)
    assert panel.coarse  # some plots wait for their full grid (the live grid is solved here, quickly)
    assert panel.refine_timer.isActive()  # the timer starts the refinement ...
    panel.refine_timer.stop()
    monkeypatch.setattr(curves, "n_vs_prevalence", spy)
    panel.refine_in_background()  # ... which is this (called at once here, with the spy in place)
    qtbot.waitUntil(lambda: not panel.coarse and not panel.refine_tasks.running, timeout=60000)
    assert threads and not any(threads)  # every full-grid curve was solved on a worker
    assert panel.errors == []
    panel.refine_tasks.wait()
