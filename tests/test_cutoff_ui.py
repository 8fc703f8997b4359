"""The cutoff explorer dialog (pytest-qt, offscreen): inputs from the biomarker block, the table
and the map computed in the background, problems named, "Use these cutoffs" as one undo step."""

from __future__ import annotations

import json

import pytest
import ui_helpers
from ui_helpers import EXAMPLES

pytest.importorskip("pytestqt")

from ui.cutoff_explorer import CutoffExplorer, default_block  # noqa: E402
from ui.document import ScenarioDocument  # noqa: E402

EXAMPLE = EXAMPLES / "pdl1_tps_cutoffs.json"
make_window = ui_helpers.make_window


@pytest.fixture
def dialog(qtbot):
    doc = ScenarioDocument()
    doc.load_dict(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    d = CutoffExplorer(doc)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    yield d
    d.tasks.cancel()
    d.tasks.wait()


def _compute(qtbot, d):
    with qtbot.waitSignal(d.computed, timeout=30000):
        d.compute()


def test_table_and_map_for_the_candidate_cutoffs(dialog, qtbot, tmp_path):
    d = dialog
    assert d.edits["biomarker.cutoffs"].text() == "1, 20, 50"
    assert d.kinds["distribution"].currentData() == "empirical"
    assert not d.edits["biomarker.distribution.mean"].isVisible()
    _compute(qtbot, d)
    assert d.table.rowCount() == 3 and d.table.item(2, 0).text() == "50"
    assert d.table.item(2, 1).text() == "0.280"
    assert d.cutoff_map is not None and d.canvas.ax.get_title().startswith("Design map over cutoffs")
    assert d.doc.undo_stack.count() == 0  # the inputs were the file's: nothing to keep
    assert d.use_button.isEnabled()
    d.grab().save(str(tmp_path / "cutoff_explorer.png"))
    assert (tmp_path / "cutoff_explorer.png").stat().st_size > 10_000


def test_bad_input_is_named_and_nothing_is_computed(dialog, qtbot):
    d = dialog
    d.edits["biomarker.cutoffs"].setText("1, 200")
    d.compute()
    assert "biomarker.cutoffs[1]" in d.message.text()
    assert not d.use_button.isEnabled() and d.doc.undo_stack.count() == 0
    d.edits["biomarker.cutoffs"].setText("1, x")
    d.compute()
    assert "biomarker.cutoffs: not a list of numbers" in d.message.text()


def test_changed_inputs_are_kept_as_one_undo_step(dialog, qtbot):
    d = dialog
    d.kinds["effect"].setCurrentIndex(d.kinds["effect"].findData("step"))
    d.edits["biomarker.effect.threshold"].setText("50")
    d.edits["biomarker.effect.below"].setText("0.95")
    d.edits["biomarker.effect.above"].setText("0.7")
    d.edits["biomarker.cutoffs"].setText("10, 50")
    _compute(qtbot, d)
    assert d.doc.undo_stack.count() == 1
    assert d.doc.data["biomarker"]["effect"] == {"kind": "step", "threshold": 50.0, "below": 0.95, "above": 0.7}
    assert d.table.rowCount() == 2


def test_use_these_cutoffs_replaces_the_population_in_one_undo_step(dialog, qtbot):
    d = dialog
    _compute(qtbot, d)
    before = json.loads(json.dumps(d.doc.data))
    from PySide6.QtCore import Qt

    d.table.item(1, 0).setCheckState(Qt.CheckState.Unchecked)  # keep 1 and 50
    assert d.ticked() == [1.0, 50.0]
    d.use_cutoffs()
    data = d.doc.data
    assert [c["name"] for c in data["population"]["cells"]] == ["PD-L1 TPS < 1 %", "PD-L1 TPS 1–50 %",
                                                                 "PD-L1 TPS ≥ 50 %"]
    assert [p["name"] for p in data["population"]["populations"]] == ["PD-L1 TPS ≥ 50 %", "PD-L1 TPS ≥ 1 %"]
    assert d.doc.undo_stack.count() == 1 and d.doc.valid and d.doc.scenario.has_cells  # the cells-form reader
    d.doc.undo_stack.undo()
    assert d.doc.data == before


def test_default_inputs_for_a_scenario_without_a_block():
    data = json.loads((EXAMPLES / "egfr_nsclc_ipass.json").read_text(encoding="utf-8"))
    block = default_block(data)
    assert block["effect"] == {"kind": "step", "threshold": 50.0, "below": data["negative"]["hazard_ratio"],
                               "above": data["positive"]["hazard_ratio"]}
    assert block["control"]["value"] == data["positive"]["control_median"]


def test_undo_shows_the_documents_block_again(dialog, qtbot):
    d = dialog
    d.edits["biomarker.cutoffs"].setText("10, 50")
    _compute(qtbot, d)
    assert d.doc.undo_stack.count() == 1 and d.edits["biomarker.cutoffs"].text() == "10, 50"
    d.doc.undo_stack.undo()
    assert d.edits["biomarker.cutoffs"].text() == "1, 20, 50" and not d.use_button.isEnabled()


def test_tools_menu_opens_the_explorer(make_window, qtbot):
    w = make_window(EXAMPLE)
    tools = next(a.menu() for a in w.menuBar().actions() if a.text() == "&Tools")
    next(a for a in tools.actions() if a.text().startswith("&Cutoff explorer")).trigger()
    d = w.cutoff_explorer
    assert d.isVisible() and d.edits["biomarker.name"].text() == "PD-L1 TPS"
    d.close()
