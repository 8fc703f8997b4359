"""The inputs panel's "Interim analyses" section edits the scenario's interim block (offscreen)."""

from __future__ import annotations

import ui_helpers
from ui_helpers import DEBOUNCE_WAIT_MS, EXAMPLES, settle

make_window = ui_helpers.make_window


def test_interim_section_adds_edits_and_removes_the_plan(make_window, qtbot, tmp_path):
    w = make_window(EXAMPLES / "cystic_fibrosis_ivacaftor.json")
    box = w.inputs.interim
    assert not box.isChecked() and w.doc.scenario.interim is None
    box.setChecked(True)
    assert w.doc.scenario.interim.information_rates == (0.5, 1.0)
    row = box.rows["interim.information_rates"]
    row.editor.setText("0.6, 0.4, 1")
    row.editor.textEdited.emit("0.6, 0.4, 1")
    assert "must increase" in row.message.text()
    row.editor.setText("0.3, 0.6, 1")
    row.editor.textEdited.emit("0.3, 0.6, 1")
    assert not row.message.text()
    eff = box.rows["interim.efficacy"].editor
    eff.setCurrentIndex(eff.findData("pocock"))
    assert w.doc.scenario.interim.efficacy == "pocock"
    assert not box.rows["interim.gamma"].isEnabled()
    qtbot.waitUntil(lambda: w.comparison_result is not None and
                    len(w.comparison_result.designs["all_comers"].looks) == 3, timeout=4 * DEBOUNCE_WAIT_MS)
    r = w.comparison_result.designs["all_comers"]
    assert r.expected_n_h1 < r.n_randomized
    box.grab().save(str(tmp_path / "interim.png"))
    box.setChecked(False)
    assert w.doc.scenario.interim is None
    settle(qtbot, w)
