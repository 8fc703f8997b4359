"""Number inputs never surprise (issue 10): percent and locale decimal comma accepted, rejected text
kept and explained from the catalogue's bounds, no recomputation through intermediate states,
document undo inside a focused field with human labels, Tab from value to value, multi-line notes."""

from __future__ import annotations

import pytest
import ui_helpers
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QPlainTextEdit
from ui_helpers import EXAMPLES, settle

from planner.catalogue import FIELDS_BY_PATH
from ui.number_edit import parse_number, rejection

PREV = "population.prevalence"
make_window = ui_helpers.make_window


def _type(qtbot, editor, text: str) -> None:
    editor.setFocus()
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)


def test_parse_percent_and_decimal_comma():
    assert parse_number("20%", percent=True) == pytest.approx(0.2)
    assert parse_number(" 0,4 ") == pytest.approx(0.4)
    assert parse_number("0,4", locale=QLocale(QLocale.Language.German)) == pytest.approx(0.4)
    assert parse_number("1e-3") == 0.001
    for bad in ("abc", "", "20%", "nan", "inf"):
        with pytest.raises(ValueError):
            parse_number(bad)  # percent only where the unit allows it


def test_rejection_words_come_from_the_catalogue_bounds():
    prev = FIELDS_BY_PATH[PREV]
    assert rejection(prev, 1.5) == "enter a proportion between 0 and 1"
    assert rejection(prev, 0.0) == "enter a proportion between 0 and 1"
    assert rejection(prev, 0.00001) == "enter a proportion between 0.0001 and 0.9999"  # practical limit
    assert rejection(prev, 0.3) == ""
    assert rejection(FIELDS_BY_PATH["positive.sd"], -1) == "enter a number above 0"


def test_percent_typed_into_a_proportion(make_window, qtbot):
    w = make_window(EXAMPLES / "egfr_nsclc_ipass.json")
    row = w.inputs.rows[PREV]
    assert row.unit_label.text() == "proportion" and row.unit_label.isVisibleTo(w)
    _type(qtbot, row.editor, "20%")
    assert w.doc.get(PREV) == pytest.approx(0.2)
    assert row.editor.text() == "20%" and not row.message.isVisible()
    _type(qtbot, row.editor, "0,4")
    assert w.doc.get(PREV) == pytest.approx(0.4)


@pytest.mark.parametrize("field,typed,why", [
    (PREV, "abc", "enter a proportion such as 0.6 or a percentage such as 20%"),
    (PREV, "1.5", "enter a proportion between 0 and 1"),
    ("positive.hazard_ratio", "-1", "enter a number above 0"),
    ("positive.hazard_ratio", "20%", "enter a number such as 0.48"),
])
def test_rejected_text_is_kept_and_explained(make_window, qtbot, field, typed, why):
    w = make_window(EXAMPLES / "egfr_nsclc_ipass.json")
    row = w.inputs.rows[field]
    before, depth = w.doc.get(field), w.doc.undo_stack.count()
    _type(qtbot, row.editor, typed)
    assert row.editor.text() == typed  # never silently replaced
    assert row.message.isVisible() and row.message.text() == why
    assert w.doc.get(field) == before and w.doc.undo_stack.count() == depth  # nothing written
    w.inputs.rows["testing.alpha"].editor.setValue(0.02)  # another edit refreshes the panel
    assert row.editor.text() == typed and row.message.text() == why
    _type(qtbot, row.editor, "0.35")
    assert not row.message.isVisible() and w.doc.get(field) == pytest.approx(0.35)


def test_no_recomputation_through_intermediate_states(make_window, qtbot):
    w = make_window(EXAMPLES / "egfr_nsclc_ipass.json")
    settle(qtbot, w)
    row, count = w.inputs.rows[PREV], w.compute_count
    row.editor.setFocus()
    row.editor.selectAll()
    qtbot.keyClicks(row.editor, "0.3")  # passes through "0", which is not a prevalence
    qtbot.wait(150)
    assert w.compute_count == count and not row.message.isVisible() and w.comparison.table.isEnabled()
    assert w.doc.get(PREV) == pytest.approx(0.6)
    qtbot.keyClick(row.editor, Qt.Key.Key_Return)
    settle(qtbot, w)
    assert w.doc.get(PREV) == pytest.approx(0.3) and w.compute_count == count + 1


def test_undo_redo_inside_a_focused_field_act_on_the_document(make_window, qtbot):
    w = make_window(EXAMPLES / "egfr_nsclc_ipass.json")
    row = w.inputs.rows[PREV]
    _type(qtbot, row.editor, "0.3")
    assert w.undo_action.text().replace("&", "") == "Undo: Prevalence (B+) 0.6 → 0.3"
    hr = w.inputs.rows["positive.hazard_ratio"].editor
    _type(qtbot, hr, "0.5")
    assert hr.hasFocus()
    qtbot.keyClick(hr, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert w.doc.get("positive.hazard_ratio") == pytest.approx(0.48) and hr.text() == "0.48"
    qtbot.keyClick(hr, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert w.doc.get(PREV) == pytest.approx(0.6)
    assert w.doc.undo_stack.canRedo()  # the redo history survives
    qtbot.keyClick(hr, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert w.doc.get(PREV) == pytest.approx(0.3)
    assert "Edit" not in w.redo_action.text() and "population." not in w.redo_action.text()
    assert w.redo_action.text().replace("&", "") == "Redo: Hazard ratio (B+) 0.48 → 0.5"


def test_tab_goes_from_value_to_value(make_window, qtbot):
    w = make_window(EXAMPLES / "egfr_nsclc_ipass.json")
    prev = w.inputs.rows[PREV]
    assert prev.note_button.focusPolicy() == Qt.FocusPolicy.ClickFocus
    assert prev.editor.nextInFocusChain() is not prev.note_button
    prev.editor.setFocus()
    qtbot.keyClick(prev.editor, Qt.Key.Key_Tab)
    focused = w.focusWidget()
    assert focused is not prev.note_button and focused is not prev.editor


def test_notes_is_a_multi_line_editor(make_window):
    w = make_window(EXAMPLES / "egfr_nsclc_ipass.json")
    notes = w.inputs.rows["notes"].editor
    assert isinstance(notes, QPlainTextEdit)
    notes.setPlainText("line 1\nline 2")
    assert w.doc.get("notes") == "line 1\nline 2"


def test_default_is_shown_and_tabbing_through_edits_nothing(make_window, qtbot, tmp_path):
    import json

    data = json.loads((EXAMPLES / "egfr_nsclc_ipass.json").read_text())
    data["population"].pop("assay_sensitivity", None)
    path = tmp_path / "no_sens.json"
    path.write_text(json.dumps(data))
    w = make_window(path)
    editor = w.inputs.rows["population.assay_sensitivity"].editor
    assert editor.text() == "1"
    depth = w.doc.undo_stack.count()
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert w.doc.undo_stack.count() == depth and not w.doc.modified  # tabbing through is no edit
