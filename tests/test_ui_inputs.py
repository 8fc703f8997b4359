"""Inputs panel: opening fills every widget; edits, undo and inline validation."""

from __future__ import annotations

import pytest
import ui_helpers
from ui_helpers import DEBOUNCE_WAIT_MS, EXAMPLES, settle

from planner.scenario_io import load_scenario, scenario_to_dict

EXAMPLE_FILES = ["egfr_nsclc_ipass.json", "cyp2c19_chance.json", "cystic_fibrosis_ivacaftor.json"]

make_window = ui_helpers.make_window


def _get(d: dict, path: str):
    for k in path.split("."):
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_opening_an_example_fills_every_widget(make_window, name):
    path = EXAMPLES / name
    w = make_window(path)
    expected = scenario_to_dict(load_scenario(path))
    rows = w.inputs.visible_rows()
    assert len(rows) >= 15
    for field, row in rows.items():
        value, want = row.value(), _get(expected, field)
        if row.spec.kind == "float":
            if want is None:
                assert value is None or row.spec.optional or not row.isEnabled(), field
                continue
            assert value == pytest.approx(want, abs=10 ** -row.spec.decimals), field
        elif row.spec.kind == "choice" and want is None:
            assert value == row.choices()[0][0], field
        elif want is not None:
            assert value == want, field
        assert not row.has_problem, field
    assert w.inputs.rows["population.prevalence"].editor.value() == pytest.approx(expected["population"]["prevalence"])
    assert w.windowTitle().startswith(f"{expected['title']} (")
    for name_, check in w.inputs.design_checks.items():
        assert check.isChecked() == (name_ in expected["designs"])
    assert w.comparison.table.rowCount() == len([d for d in expected["designs"] if d != "adaptive"])


def test_edit_changes_scenario_and_table_within_debounce(make_window, qtbot):
    w = make_window(EXAMPLES / "egfr_nsclc_ipass.json")
    before = w.comparison_result.designs["stratified"].n_randomized
    w.inputs.rows["population.prevalence"].editor.setValue(0.3)
    assert w.doc.scenario.population.prevalence == 0.3
    qtbot.waitUntil(lambda: w.comparison_result.scenario["population"]["prevalence"] == 0.3, timeout=DEBOUNCE_WAIT_MS)
    after = w.comparison_result.designs["stratified"].n_randomized
    assert after != before
    item = w.comparison.table.item(2, 1)
    assert item.data(256) == after
    assert w.isWindowModified()


def test_consecutive_edits_of_a_field_merge_and_undo_restores(make_window, qtbot):
    w = make_window(EXAMPLES / "egfr_nsclc_ipass.json")
    spin = w.inputs.rows["positive.hazard_ratio"].editor
    n0 = w.comparison_result.designs["targeted"].n_randomized
    for v in (0.5, 0.55, 0.6):
        spin.setValue(v)
    assert w.doc.undo_stack.count() == 1
    settle(qtbot, w)
    assert w.comparison_result.designs["targeted"].n_randomized != n0
    w.doc.undo_stack.undo()
    assert w.doc.scenario.positive.hazard_ratio == 0.48
    assert spin.value() == pytest.approx(0.48)
    qtbot.waitUntil(lambda: w.comparison_result.designs["targeted"].n_randomized == n0, timeout=DEBOUNCE_WAIT_MS)
    assert not w.isWindowModified()
    w.doc.undo_stack.redo()
    assert spin.value() == pytest.approx(0.6)


@pytest.mark.parametrize("field,bad,good", [("population.prevalence", 0.0, 0.4), ("positive.hazard_ratio", 0.0, 0.7)])
def test_invalid_input_is_shown_inline_and_cleared(make_window, qtbot, field, bad, good):
    w = make_window(EXAMPLES / "egfr_nsclc_ipass.json")
    row = w.inputs.rows[field]
    row.editor.setValue(bad)
    assert "must be > 0" in row.message.text()
    assert row.message.isVisible()
    settle(qtbot, w)
    assert not w.comparison.table.isEnabled()
    assert "Results not updated" in w.comparison.status.text()
    row.editor.setValue(good)
    assert not row.message.isVisible() and row.message.text() == ""
    settle(qtbot, w)
    assert w.comparison.table.isEnabled()
    assert w.comparison_result.scenario[field.split(".")[0]][field.split(".")[1]] == good


def test_endpoint_switch_and_optional_blocks(make_window, qtbot):
    w = make_window(EXAMPLES / "egfr_nsclc_ipass.json")
    combo = w.inputs.rows["endpoint"].editor
    combo.setCurrentIndex(combo.findData("binary"))
    assert w.doc.valid, w.doc.problems
    assert w.inputs.rows["positive.control_rate"].isVisibleTo(w.inputs)
    assert not w.inputs.rows["positive.hazard_ratio"].isVisibleTo(w.inputs)
    settle(qtbot, w)
    assert w.comparison_result.scenario["endpoint"] == "binary"
    w.inputs.boxes["costs"].setChecked(False)
    assert "costs" not in w.doc.data
    w.inputs.design_checks["strategy"].setChecked(False)
    assert "strategy" not in w.doc.data["designs"]
    settle(qtbot, w)
    assert "strategy" not in w.comparison_result.designs
    w.doc.undo_stack.undo()
    w.doc.undo_stack.undo()
    w.doc.undo_stack.undo()
    assert w.doc.endpoint == "survival"
    assert w.inputs.rows["positive.hazard_ratio"].editor.value() == pytest.approx(0.48)


def test_provenance_note_is_shown_and_editable(make_window, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    w = make_window(EXAMPLES / "egfr_nsclc_ipass.json")
    row = w.inputs.rows["positive.hazard_ratio"]
    assert row.note_button.property("has_note") is True
    assert "IPASS" in row.note_button.toolTip()
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *a, **k: ("Mok 2009, Table 2", True))
    row.note_button.click()
    # the note records the value it is written for (docs/scenario-format.md, Provenance)
    assert w.doc.data["provenance"]["positive.hazard_ratio"] == {"source": "Mok 2009, Table 2", "value": 0.48}
    alpha = w.inputs.rows["testing.alpha"]
    assert alpha.note_button.property("has_note") is False


def test_list_field_and_design_problems_are_inline(make_window, qtbot):
    w = make_window(EXAMPLES / "cyp2c19_chance.json")
    w.adaptive.include.setChecked(True)
    row = w.adaptive.rows["designs.adaptive.information_rates"]
    row.editor.setText("0.5, x")
    row.editor.textEdited.emit("0.5, x")
    assert "numbers separated by commas" in row.message.text()
    row.editor.setText("0.6, 0.5")
    row.editor.textEdited.emit("0.6, 0.5")
    assert "must increase strictly" in row.message.text()
    row.editor.setText("0.5, 1")
    row.editor.textEdited.emit("0.5, 1")
    assert not row.message.text()
    w.adaptive.include.setChecked(False)
    for check in w.inputs.design_checks.values():
        check.setChecked(False)
    assert "at least one design" in w.inputs.design_message.text()
    settle(qtbot, w)
    assert not w.comparison.table.isEnabled()


def test_allocation_shows_treatment_to_control(make_window):
    w = make_window(EXAMPLES / "egfr_nsclc_ipass.json")
    spin = w.inputs.rows["testing.allocation_ratio"].editor
    spin.setValue(2.0)
    assert spin.text() == "2"
    assert w.inputs.rows["testing.allocation_ratio"].unit_label.text() == ": 1"  # shown beside the value
    assert w.doc.scenario.testing.allocation_ratio == 2.0
    assert "treatment : control" in w.inputs.rows["testing.allocation_ratio"].label.text()


def test_invalid_input_marks_plots_stale(make_window, qtbot):
    w = make_window(EXAMPLES / "egfr_nsclc_ipass.json")
    w.inputs.rows["negative.hazard_ratio"].editor.setValue(0.0)
    settle(qtbot, w)
    assert "last valid inputs" in w.plots.legend.text()
    w.doc.undo_stack.undo()
    settle(qtbot, w)
    assert "last valid inputs" not in w.plots.legend.text()
