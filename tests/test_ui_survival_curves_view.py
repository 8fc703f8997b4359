"""The assumed survival curves in the inputs panel are redrawn only when what they show changes
(a full matplotlib redraw took ~0.1 s of every edit: a prevalence edit redrew them too)."""

from __future__ import annotations

import ui_helpers
from ui_helpers import EXAMPLES, settle

make_window = ui_helpers.make_window


def test_curves_redraw_only_when_the_survival_inputs_change(make_window, qtbot, monkeypatch):
    w = make_window(EXAMPLES / "egfr_nsclc_ipass.json")
    view = w.inputs.survival_curves
    draws: list[int] = []
    monkeypatch.setattr(view.canvas, "draw_idle", lambda: draws.append(1))
    w.doc.set_value("population.prevalence", 0.5)
    settle(qtbot, w)
    assert draws == []  # the curves do not depend on the prevalence
    w.doc.set_value("positive.hazard_ratio", 0.5)
    settle(qtbot, w)
    assert len(draws) == 1
    w.doc.undo_stack.undo()
    settle(qtbot, w)
    assert len(draws) == 2  # undo restores the old curves
