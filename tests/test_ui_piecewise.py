"""The app's piecewise survival table edits the scenario; the assumed curves are shown."""

from __future__ import annotations

import ui_helpers
from ui_helpers import EXAMPLES, settle

make_window = ui_helpers.make_window
DELAYED = EXAMPLES / "pdl1_io_delayed_effect.json"


def test_table_shows_and_edits_the_piecewise_model(make_window, qtbot):
    w = make_window(DELAYED)
    editor = w.inputs.piecewise_editors["positive"]
    assert editor.is_piecewise() and editor.table.rowCount() == 2
    assert editor.table.item(1, 2).text() == "0.65"
    assert not w.inputs.forms["positive"].isRowVisible(w.inputs.rows["positive.hazard_ratio"])
    editor.table.item(1, 2).setText("0.5")  # hazard ratio after month 3
    settle(qtbot, w)
    assert w.doc.get("positive.piecewise.hazard_ratios") == [1.0, 0.5]
    assert w.doc.valid
    editor.add_button.click()
    assert w.doc.get("positive.piecewise.starts") == [0.0, 3.0, 6.0]
    editor.table.item(2, 0).setText("2")  # starts no longer increase: named, not a crash
    settle(qtbot, w)
    assert not w.doc.valid and "must increase" in editor.problems.text()
    w.doc.undo_stack.undo()
    assert w.doc.valid
    assert w.inputs.survival_curves.isVisible()


def test_switching_a_subgroup_between_models(make_window, qtbot):
    w = make_window(EXAMPLES / "pdl1_nsclc_keynote042.json")
    editor = w.inputs.piecewise_editors["negative"]
    assert not editor.is_piecewise() and not editor.table.isVisible()
    editor.model.setCurrentIndex(1)  # piecewise: one piece, the same numbers
    settle(qtbot, w)
    block = w.doc.get("negative.piecewise")
    assert block["hazard_ratios"] == [0.92] and w.doc.valid
    editor.model.setCurrentIndex(0)
    settle(qtbot, w)
    assert w.doc.get("negative.hazard_ratio") == 0.92 and w.doc.get("negative.control_median") == 12.0
