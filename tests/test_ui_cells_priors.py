"""The prior editor in the cells form (several populations): the Dirichlet of the prevalences and
each cell's distributions are added and edited with undo, and the app computes the assurance."""

from __future__ import annotations

import ui_helpers
from ui_helpers import EXAMPLES, settle

make_window = ui_helpers.make_window
KEYNOTE = EXAMPLES / "pdl1_nsclc_keynote042_cutoffs.json"


def _type(edit, text: str) -> None:
    edit.setText(text)
    edit.editingFinished.emit()


def test_cells_form_priors_are_edited_and_give_assurance(make_window, qtbot):
    w = make_window(KEYNOTE)
    w.edit_priors()
    block = w.doc.get("uncertainty")
    first = w.doc.scenario.population.cells[0].name
    assert set(block) >= {"prevalences", "cells"} and "effect" in block["cells"][first] and w.doc.valid
    editor = w.priors.cells_editor
    assert editor.isVisibleTo(w.priors) and not w.priors.boxes["prevalence"].isVisibleTo(w.priors)
    row = editor.rows["prevalences"]
    row.form.setCurrentIndex(row.form.findData("counts"))
    counts = w.doc.get("uncertainty.prevalences")["counts"]
    assert set(counts) == {c.name for c in w.doc.scenario.population.cells} and w.doc.valid
    _type(row.edits[first], "40")
    assert w.doc.get("uncertainty.prevalences")["counts"][first] == 40 and w.doc.valid
    last = w.doc.scenario.population.cells[-1].name
    effect = editor.rows[f"cells.{last}.effect"]
    effect.check.setChecked(True)
    assert "se" in w.doc.get("uncertainty")["cells"][last]["effect"] and w.doc.valid
    _type(effect.edits["se"], "-1")
    assert not w.doc.valid and effect.problem.text()  # the reader's message beside the input
    w.doc.undo_stack.undo()
    assert w.doc.valid and "Normal" in effect.description.text()
    settle(qtbot, w)
    qtbot.waitUntil(lambda: not w.assurance.busy and w.comparison.assurance_current, timeout=60_000)
    res = w.assurance.results
    assert res and res["stratified"].assurance_by_population
    assert 0 <= res["stratified"].assurance <= 1
    effect.check.setChecked(False)
    assert last not in (w.doc.get("uncertainty").get("cells") or {})


def test_two_subgroup_files_keep_their_boxes(make_window):
    w = make_window(EXAMPLES / "kras_crc_panitumumab.json")
    w.edit_priors()
    assert not w.priors.cells_editor.isVisibleTo(w.priors)
    assert w.priors.boxes["prevalence"].isVisibleTo(w.priors)
    assert set(w.doc.get("uncertainty")) == {"prevalence", "positive_effect"}


def test_the_sensitivity_tab_offers_the_cells(make_window, qtbot):
    w = make_window(KEYNOTE)
    tab = w.sensitivity
    w.tabs.setCurrentWidget(tab)
    paths = [tab.row_field.itemData(i) for i in range(tab.row_field.count())]
    assert "population.cells.TPS ≥50%.prevalence" in paths and "cells.TPS <1%.hazard_ratio" in paths
    assert "positive.hazard_ratio" not in paths and "population.prevalence" not in paths
    assert tab.row_field.currentText() == "prevalence of cell TPS ≥50%"
    assert tab.col_field.currentText() == "hazard ratio in cell TPS ≥50%"
    assert tab.col_values.text()  # values suggested around the cell's hazard ratio
    tab.row_values.setText("0.25, 0.31")
    tab.col_values.setText("0.69")
    for i in range(tab.designs_list.count()):  # the targeted design only (a quick grid)
        item = tab.designs_list.item(i)
        item.setCheckState(item.checkState().Checked if item.data(256) == "targeted" else item.checkState().Unchecked)
    tab.compute()
    qtbot.waitUntil(lambda: tab.multi is not None and not tab.tasks.running, timeout=120_000)
    assert tab.table.verticalHeaderItem(1).text() == "prevalence of cell TPS ≥50% = 0.31"
    assert tab.multi.grids[("targeted", "n")].values[1, 0] == w.comparison_result.designs["targeted"].n_randomized
