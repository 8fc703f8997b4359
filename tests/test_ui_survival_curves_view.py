"""The assumed survival curves in the inputs panel are redrawn only when what they show changes
(a full matplotlib redraw took ~0.1 s of every edit: a prevalence edit redrew them too).

Counted: the calls of the drawing function (``planner.figures_survival.survival_curves_draw``),
not the canvas's ``draw_idle``, which Qt also calls on any resize of the canvas (the window's
layout can change with an edit, e.g. under another test's leftover geometry)."""

from __future__ import annotations

import ui_helpers
from ui_helpers import EXAMPLES, settle

import planner.figures_survival as figures_survival

make_window = ui_helpers.make_window


def test_curves_redraw_only_when_the_survival_inputs_change(make_window, qtbot, monkeypatch):
    w = make_window(EXAMPLES / "egfr_nsclc_ipass.json")
    draws: list[int] = []
    real = figures_survival.survival_curves_draw

    def counted(*args, **kwargs):
        draws.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(figures_survival, "survival_curves_draw", counted)
    w.doc.set_value("population.prevalence", 0.5)
    settle(qtbot, w)
    assert draws == []  # the curves do not depend on the prevalence
    w.doc.set_value("positive.hazard_ratio", 0.5)
    settle(qtbot, w)
    assert len(draws) == 1
    w.doc.undo_stack.undo()
    settle(qtbot, w)
    assert len(draws) == 2  # undo restores the old curves
