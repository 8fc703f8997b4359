"""The inputs panel's cells-and-populations table (issue 12): editing cells, prevalences and
populations through the document's undo stack, the problems shown beside the table, and a
two-subgroup scenario that looks as before."""

from __future__ import annotations

import copy

import pytest
import ui_helpers
from PySide6.QtCore import Qt
from ui_helpers import EXAMPLES

from planner.errors import Problem
from planner.scenario_io import load_scenario, scenario_to_dict
from ui import cells_edits
from ui.cells_table import problem_words
from ui.document import ScenarioDocument
from ui.inputs_panel import InputsPanel

make_window = ui_helpers.make_window

CELLS = [{"name": "TPS ≥50%", "prevalence": 0.28}, {"name": "TPS 1–49%", "prevalence": 0.38},
         {"name": "TPS <1%", "prevalence": 0.34}]
POPULATIONS = [{"name": "TPS ≥50%", "cells": ["TPS ≥50%"]}, {"name": "TPS ≥1%", "cells": ["TPS ≥50%", "TPS 1–49%"]}]
OUTCOMES = {"TPS ≥50%": {"control_median": 12.0, "hazard_ratio": 0.69},
            "TPS 1–49%": {"control_median": 12.0, "hazard_ratio": 0.92},
            "TPS <1%": {"control_median": 12.0, "hazard_ratio": 1.0}}


def cells_dict() -> dict:
    """The KEYNOTE-042 populations in the cells form (docs/scenario-format.md)."""
    d = scenario_to_dict(load_scenario(EXAMPLES / "pdl1_nsclc_keynote042.json"))
    d["population"] = {"cells": copy.deepcopy(CELLS), "populations": copy.deepcopy(POPULATIONS)}
    d["cells"] = copy.deepcopy(OUTCOMES)
    d.pop("positive")
    d.pop("negative")
    d.pop("uncertainty", None)
    d["designs"]["stratified"].update(multiplicity="parametric", size_for="at_least_one")
    return d


@pytest.fixture
def panel(qtbot):
    doc = ScenarioDocument()
    doc.load_dict(cells_dict())
    p = InputsPanel(doc)
    qtbot.addWidget(p)
    p.refresh()
    p.show()
    return p


def test_cells_form_shows_the_table_instead_of_the_subgroups(panel):
    editor = panel.cells_editor
    assert panel.cells_box.isVisible() and not panel.boxes["positive"].isVisible()
    assert not panel.boxes["negative"].isVisible()
    assert not panel.forms["population"].isRowVisible(panel.rows["population.prevalence"])
    assert editor.cells_table.rowCount() == 3
    assert [editor.cells_table.item(i, 0).text() for i in range(3)] == ["TPS ≥50%", "TPS 1–49%", "TPS <1%"]
    assert editor.editors[(1, "hazard_ratio")].text() == "0.92"
    pops = editor.populations_table
    assert pops.rowCount() == 2 and pops.item(1, 0).text() == "TPS ≥1%"
    assert pops.item(1, 2).checkState() == Qt.CheckState.Checked and pops.item(1, 3).checkState() == Qt.CheckState.Unchecked
    assert pops.item(1, 4).text() == "0.66"  # the population's prevalence
    assert editor.sum_label.text() == "Prevalences sum to 1"


def test_two_subgroup_scenario_looks_as_before(qtbot):
    doc = ScenarioDocument()
    doc.open(EXAMPLES / "egfr_nsclc_ipass.json")
    p = InputsPanel(doc)
    qtbot.addWidget(p)
    p.refresh()
    p.show()
    assert not p.cells_box.isVisible() and p.boxes["positive"].isVisible()
    assert p.forms["population"].isRowVisible(p.rows["population.prevalence"])


def test_add_cell_undo_redo(panel):
    doc, editor = panel.doc, panel.cells_editor
    editor.add_cell_button.click()
    assert [c["name"] for c in doc.get("population.cells")] == ["TPS ≥50%", "TPS 1–49%", "TPS <1%", "Cell 4"]
    assert doc.get("population.cells")[3]["prevalence"] == pytest.approx(0.17)  # half of the last cell's
    assert cells_edits.prevalence_sum(doc.data) == pytest.approx(1.0)
    assert doc.get("cells")["Cell 4"] == OUTCOMES["TPS <1%"]
    assert editor.cells_table.rowCount() == 4
    assert doc.undo_stack.undoText().startswith("Add cell 'Cell 4'")
    doc.undo_stack.undo()
    assert editor.cells_table.rowCount() == 3 and doc.get("population.cells") == CELLS
    doc.undo_stack.redo()
    assert editor.cells_table.rowCount() == 4


def test_prevalence_typed_as_percent_and_the_sum_message(panel, qtbot):
    doc, editor = panel.doc, panel.cells_editor
    prevalence = editor.editors[(1, "prevalence")]
    prevalence.setFocus()
    prevalence.selectAll()
    qtbot.keyClicks(prevalence, "35%")
    qtbot.keyClick(prevalence, Qt.Key.Key_Return)
    assert doc.get("population.cells")[1]["prevalence"] == pytest.approx(0.35)
    assert doc.undo_stack.undoText() == "Prevalence of cell 'TPS 1–49%' 0.38 → 0.35"
    assert editor.sum_label.text() == "Prevalences sum to 0.97 (they must sum to 1)"
    assert editor.populations_table.item(1, 4).text() == "0.63"
    doc.undo_stack.undo()
    assert doc.get("population.cells")[1]["prevalence"] == 0.38
    assert editor.editors[(1, "prevalence")].text() == "0.38"


def test_outcome_edit_rename_and_membership(panel):
    doc, editor = panel.doc, panel.cells_editor
    editor.editors[(0, "hazard_ratio")].setValue(0.6)
    assert doc.get("cells")["TPS ≥50%"]["hazard_ratio"] == 0.6
    assert doc.undo_stack.undoText() == "Hazard ratio of cell 'TPS ≥50%' 0.69 → 0.6"
    editor.cells_table.item(1, 0).setText("TPS 1-49")
    assert doc.get("population.populations")[1]["cells"] == ["TPS ≥50%", "TPS 1-49"]
    assert "TPS 1-49" in doc.get("cells") and "TPS 1–49%" not in doc.get("cells")
    editor.cells_table.item(2, 0).setText("TPS ≥50%")  # a duplicate name: refused, with the reason
    assert doc.get("population.cells")[2]["name"] == "TPS <1%"
    assert "already a cell named 'TPS ≥50%'" in editor.problems.text()
    editor.populations_table.item(0, 2).setCheckState(Qt.CheckState.Checked)
    assert doc.get("population.populations")[0]["cells"] == ["TPS ≥50%", "TPS 1-49"]
    editor.populations_table.item(0, 0).setText("High")
    assert doc.get("population.populations")[0]["name"] == "High"
    editor.add_population_button.click()
    assert len(doc.get("population.populations")) == 3 and not editor.add_population_button.isEnabled()
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert doc.get("population.populations")[0]["name"] == "TPS ≥50%"


def test_problems_are_named_beside_the_table(panel):
    doc, editor = panel.doc, panel.cells_editor
    doc.problems = [Problem("population.cells[1].prevalence", "enter a proportion between 0 and 1"),
                    Problem("population.populations[0].cells", "a population must not be empty"),
                    Problem("population.cells", "prevalences sum to 0.97; they must sum to 1")]
    editor.refresh()
    text = editor.problems.text()
    assert "Cell 'TPS 1–49%', prevalence: enter a proportion between 0 and 1" in text
    assert "Population 'TPS ≥50%', cells: a population must not be empty" in text
    assert "Prevalences sum to 0.97; they must sum to 1" in text
    assert editor.editors[(1, "prevalence")].property("invalid")
    assert not editor.editors[(0, "prevalence")].property("invalid")
    panel._refresh_other_problems()
    assert "prevalences sum" not in panel.other_problems.text()  # shown once, beside the table
    assert problem_words(Problem("cells.TPS <1%.hazard_ratio", "must be > 0"), doc.data) == \
        "Cell 'TPS <1%', hazard ratio: must be > 0"


def test_remove_cell_and_limits(panel):
    doc, editor = panel.doc, panel.cells_editor
    editor.cells_table.selectRow(1)
    editor.remove_cell_button.click()
    assert [c["name"] for c in doc.get("population.cells")] == ["TPS ≥50%", "TPS <1%"]
    assert doc.get("population.populations")[1]["cells"] == ["TPS ≥50%"]
    assert not editor.remove_cell_button.isEnabled()  # two cells at least
    with pytest.raises(cells_edits.CellsEditError):
        cells_edits.remove_cell(doc.data, 0)


def test_convert_two_subgroup_scenario():
    d = scenario_to_dict(load_scenario(EXAMPLES / "egfr_nsclc_ipass.json"))
    after, text = cells_edits.to_cells_form(d)
    assert text == "Convert to cells and populations"
    assert [c["prevalence"] for c in after["population"]["cells"]] == pytest.approx([0.6, 0.4])
    assert after["cells"]["B+"] == d["positive"] and "positive" not in after
    assert after["population"]["populations"] == [{"name": "B+", "cells": ["B+"]}]
    d["population"]["assay_specificity"] = 0.9
    with pytest.raises(cells_edits.CellsEditError, match="sensitivity and specificity"):
        cells_edits.to_cells_form(d)


def test_design_options_name_the_populations(panel):
    doc = panel.doc
    rows = panel.cells_design_rows
    assert doc.valid, doc.problems
    assert not panel.forms["designs"].isRowVisible(panel.rows["designs.stratified.multiplicity"])
    size_for = rows["designs.stratified.population_size_for"].editor
    assert [size_for.itemData(i) for i in range(size_for.count())] == \
        [None, "at_least_one", "all", "F", "TPS ≥50%", "TPS ≥1%"]
    assert size_for.currentData() == "at_least_one"
    size_for.setCurrentIndex(5)
    assert doc.get("designs.stratified.size_for") == "TPS ≥1%"
    targeted = rows["designs.targeted.population"].editor
    targeted.setCurrentIndex(targeted.findData("TPS ≥1%"))
    assert doc.get("designs.targeted.population") == "TPS ≥1%" and doc.valid
    panel.cells_editor.populations_table.item(1, 0).setText("TPS ≥1 %")  # a rename follows into the designs
    assert doc.get("designs.targeted.population") == "TPS ≥1 %"
    assert doc.get("designs.stratified.size_for") == "TPS ≥1 %" and doc.valid
    multiplicity = rows["designs.stratified.population_multiplicity"].editor
    multiplicity.setCurrentIndex(multiplicity.findData("fixed_sequence"))
    assert doc.get("designs.stratified.multiplicity") == "fixed_sequence" and doc.valid


@pytest.mark.parametrize("name", ["egfr_nsclc_ipass.json", "her2_breast_trastuzumab.json", "cyp2c19_chance.json"])
def test_converted_examples_are_valid(name):
    from planner.scenario_io import scenario_from_dict

    d = scenario_to_dict(load_scenario(EXAMPLES / name))
    d["population"]["assay_sensitivity"] = d["population"]["assay_specificity"] = 1.0
    after, _ = cells_edits.to_cells_form(d)
    scenario = scenario_from_dict(after)
    assert scenario.has_cells and scenario.population.cells[0].prevalence == d["population"]["prevalence"]


def test_comparison_shows_claims_per_population(make_window, qtbot, tmp_path):
    import json

    d = cells_dict()
    d["population"]["populations"] = d["population"]["populations"][1:]  # one population: TPS ≥1%
    path = tmp_path / "one.json"
    path.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    w = make_window(path)
    qtbot.waitUntil(lambda: w.comparison_result is not None, timeout=ui_helpers.DEBOUNCE_WAIT_MS)
    table = w.comparison.table
    rows = {table.item(i, 0).data(Qt.ItemDataRole.UserRole): i for i in range(table.rowCount())}
    assert table.item(rows["targeted"], 0).text().endswith("Targeted (enrichment): TPS ≥1%")
    claims = table.item(rows["stratified"], 6)
    assert claims.text().startswith("F 0.") and "TPS ≥1% 0." in claims.text() and "· all 0." in claims.text()
    assert "power of the claim in population TPS ≥1%" in claims.toolTip()
    assert table.horizontalHeaderItem(6).text() == "Claims: F · populations · ≥1 · all"
    w.grab().save(str(tmp_path / "window.png"))


def test_adaptive_tab_shows_reject_and_selected_by_population(panel, qtbot, tmp_path):
    from ui.adaptive_tab import RESULT_ROWS, AdaptiveTab

    tab = AdaptiveTab(panel.doc)
    qtbot.addWidget(tab)
    result = {"reject_at_least_one": 0.81, "reject_at_least_one_se": 0.004,
              "reject_by_population": {"F": 0.41, "TPS ≥50%": 0.62, "TPS ≥1%": 0.55},
              "reject_by_population_se": {"F": 0.0049, "TPS ≥50%": 0.0048, "TPS ≥1%": 0.005},
              "selected_by_population": {"F": 0.2, "TPS ≥50%": 0.5, "TPS ≥1%": 0.3},
              "selected_by_population_se": {"F": 0.004, "TPS ≥50%": 0.005, "TPS ≥1%": 0.0046}}
    tab._show_result({**result, "reject_subgroup": 0.62, "reject_subgroup_se": 0.0048})
    t = tab.table
    labels = [t.verticalHeaderItem(i).text() for i in range(len(RESULT_ROWS), t.rowCount())]
    assert labels[:2] == ["P(reject H_F: F (full population))", "P(reject population TPS ≥50%)"]
    assert labels[-1] == "P(select population TPS ≥1% at the end)" and len(labels) == 6
    row = len(RESULT_ROWS) + 1
    assert (t.item(row, 0).text(), t.item(row, 1).text()) == ("0.6200", "0.0048")
    assert t.isRowHidden(0)  # P(reject H_S: B+) has no value with several populations
    assert not t.isRowHidden(2)  # at least one
    assert "TPS ≥50%" in tab.plot.csv_text
    tab.plot.figure.savefig(tmp_path / "bars.png")
    tab._show_result({"reject_subgroup": 0.7, "reject_subgroup_se": 0.004})  # two subgroups: the rows go
    assert t.rowCount() == len(RESULT_ROWS) and not t.isRowHidden(0)


def _cells_examples() -> list:
    import json

    return [p for p in sorted(EXAMPLES.glob("*.json"))
            if "cells" in (json.loads(p.read_text(encoding="utf-8")).get("population") or {})]


@pytest.mark.parametrize("path", _cells_examples(), ids=lambda p: p.stem)
def test_cells_examples_open_in_the_table(path, qtbot):
    doc = ScenarioDocument()
    doc.open(path)
    p = InputsPanel(doc)
    qtbot.addWidget(p)
    p.refresh()
    p.show()
    assert doc.valid and p.cells_box.isVisible() and not p.boxes["positive"].isVisible()
    editor = p.cells_editor
    assert editor.cells_table.rowCount() == len(doc.scenario.population.cells)
    assert editor.populations_table.rowCount() == len(doc.scenario.population.populations)
    assert editor.sum_label.text() == "Prevalences sum to 1" and not editor.problems.isVisible()


def test_fixed_sequence_order(panel, qtbot):
    doc = panel.doc
    multiplicity = panel.cells_design_rows["designs.stratified.population_multiplicity"].editor
    assert not panel.forms["designs"].isRowVisible(panel.order_row)
    multiplicity.setCurrentIndex(multiplicity.findData("fixed_sequence"))
    assert panel.forms["designs"].isRowVisible(panel.order_row)
    order = panel.order_row.editor
    order.setText("TPS ≥50% → TPS ≥1%, F")
    order.editingFinished.emit()
    assert doc.get("designs.stratified.order") == ["TPS ≥50%", "TPS ≥1%", "F"] and doc.valid
    assert order.text() == "TPS ≥50% → TPS ≥1% → F"
    order.setText("TPS ≥50%, F")  # a population missing: named beside the field, not a crash
    order.editingFinished.emit()
    assert not doc.valid and "must list" in panel.order_row.message.text()
    doc.undo_stack.undo()
    multiplicity.setCurrentIndex(multiplicity.findData("simes"))  # leaving the sequence drops the order
    assert doc.get("designs.stratified.order") is None and doc.valid


def test_new_scenario_with_several_populations_is_valid():
    import json

    from planner.catalogue import NEW_SCENARIO
    from planner.scenario_io import scenario_from_dict

    data, _ = cells_edits.to_cells_form(json.loads(json.dumps(NEW_SCENARIO)))
    scenario = scenario_from_dict(data)
    assert scenario.has_cells and [c.name for c in scenario.population.cells] == ["B+", "B−"]
    after, text = cells_edits.add_population(data)  # a second population can be added and is valid
    assert text == "Add population 'Population 2'"
    after, _ = cells_edits.add_cell(after)
    after, _ = cells_edits.set_membership(after, 1, "Cell 3", True)
    after, _ = cells_edits.set_membership(after, 1, "B+", False)
    assert scenario_from_dict(after).population.populations[1].cells == ("Cell 3",)
