"""Issue 15 in the app: binary rates shown and typed as %, the effect entered on a scale per subgroup."""

from __future__ import annotations

import pytest
from conftest import base_scenario

from planner.catalogue import FIELDS_BY_PATH
from ui.document import ScenarioDocument
from ui.inputs_panel import InputsPanel
from ui.number_edit import NumberEdit, format_number, rejection


@pytest.fixture
def panel(qtbot):
    doc = ScenarioDocument()
    doc.load_dict(base_scenario("binary"))
    p = InputsPanel(doc)
    qtbot.addWidget(p)
    p.refresh()
    return p


def _type(edit, text: str) -> None:
    edit.setText(text)
    edit.commit()


def test_rates_are_shown_as_percent_and_stored_as_proportions(panel):
    edit = panel.rows["positive.treatment_rate"].editor
    assert edit.text() == "50%"
    assert panel.rows["positive.control_rate"].editor.text() == "30%"
    assert not panel.rows["positive.treatment_rate"].unit_label.isVisible()  # the '%' is in the text
    _type(edit, "45%")
    assert panel.doc.data["positive"]["treatment_rate"] == pytest.approx(0.45)
    _type(edit, "0.4")  # a proportion is still understood, and shown back as a percentage
    assert panel.doc.data["positive"]["treatment_rate"] == pytest.approx(0.4)
    assert edit.text() == "40%"


def test_percent_messages_use_the_catalogue_bounds(qtbot):
    spec = FIELDS_BY_PATH["positive.control_rate"]
    assert rejection(spec, 1.2) == "enter a percentage between 0% and 100% (such as 20%)"
    assert "%" in rejection(spec, spec.le + (1 - spec.le) / 2)
    edit = NumberEdit(spec)
    qtbot.addWidget(edit)
    _type(edit, "abc")
    assert "20%" in edit.rejected
    assert format_number(0.07, percent=True) == "7%"  # no float noise (7.000000000000001%)


def test_other_probabilities_keep_their_display(panel):
    assert panel.rows["population.prevalence"].editor.text() == "0.5"


def test_effect_editor_writes_scale_and_value_with_one_undo_step(panel):
    doc, editor = panel.doc, panel.effect_editors["positive"]
    assert panel.forms["positive"].isRowVisible(editor)
    assert editor.scale.currentData() == "" and not editor.value.isEnabled()
    editor.scale.setCurrentIndex(editor.scale.findData("odds_ratio"))
    eff = doc.data["positive"]["effect"]
    assert eff["scale"] == "odds_ratio"
    assert eff["value"] == pytest.approx((0.5 / 0.5) / (0.3 / 0.7))  # converted: the rate does not move
    assert doc.data["positive"]["treatment_rate"] == pytest.approx(0.5)
    _type(editor.value, "1.8")
    assert doc.data["positive"]["effect"] == {"scale": "odds_ratio", "value": 1.8}
    rate = 1.8 * 0.3 / (1 - 0.3 + 1.8 * 0.3)
    assert doc.scenario.positive.treatment_rate == pytest.approx(rate)
    assert panel.rows["positive.treatment_rate"].editor.value() == pytest.approx(rate)
    assert "odds ratio" in doc.undo_stack.undoText()
    doc.undo_stack.undo()  # consecutive edits of one field merge into one step (as for every field)
    assert "effect" not in doc.data["positive"] and doc.data["positive"]["treatment_rate"] == 0.5
    assert editor.scale.currentData() == "" and editor.value.value() is None
    doc.undo_stack.redo()
    assert doc.data["positive"]["effect"] == {"scale": "odds_ratio", "value": 1.8}
    assert editor.value.text() == "1.8"


def test_control_rate_edit_moves_the_treatment_rate_and_rate_edit_drops_the_effect(panel):
    doc, editor = panel.doc, panel.effect_editors["negative"]
    editor.scale.setCurrentIndex(editor.scale.findData("risk_ratio"))
    _type(editor.value, "2")
    _type(panel.rows["negative.control_rate"].editor, "20%")
    assert doc.data["negative"]["treatment_rate"] == pytest.approx(0.4)
    _type(panel.rows["negative.treatment_rate"].editor, "35%")
    assert "effect" not in doc.data["negative"]
    assert editor.scale.currentData() == ""


def test_choosing_treatment_rate_removes_the_effect_and_keeps_the_rate(panel):
    doc, editor = panel.doc, panel.effect_editors["positive"]
    editor.scale.setCurrentIndex(editor.scale.findData("risk_difference"))
    _type(editor.value, "0.25")
    editor.scale.setCurrentIndex(0)
    assert "effect" not in doc.data["positive"]
    assert doc.data["positive"]["treatment_rate"] == pytest.approx(0.55)


def test_invalid_effect_is_explained_beside_the_editor(panel):
    doc, editor = panel.doc, panel.effect_editors["positive"]
    editor.scale.setCurrentIndex(editor.scale.findData("risk_ratio"))
    _type(editor.value, "4")  # 4 × 30% = 120%: no valid treatment rate
    assert doc.scenario is None
    assert "strictly between 0 and 1" in editor.message.text()
    assert "effect" not in panel.other_problems.text()


def test_effect_editor_hidden_for_other_endpoints(qtbot):
    doc = ScenarioDocument()
    doc.load_dict(base_scenario("continuous"))
    p = InputsPanel(doc)
    qtbot.addWidget(p)
    p.refresh()
    assert not p.forms["positive"].isRowVisible(p.effect_editors["positive"])
