"""The inputs panel's "Interim analyses" section edits the scenario's interim block (offscreen)."""

from __future__ import annotations

import ui_helpers
from ui_helpers import DEBOUNCE_WAIT_MS, EXAMPLES, settle

from ui.comparison_view import RAW

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


def test_interim_example_shows_boundary_plot_and_expected_n(make_window, qtbot, tmp_path):
    from ui.comparison_view import EXPECTED_N_COL, MAX_N_COL

    w = make_window(EXAMPLES / "hrd_ovarian_paola1_interim.json")
    t = w.comparison.table
    assert not t.isColumnHidden(MAX_N_COL) and not t.isColumnHidden(EXPECTED_N_COL)
    r = w.comparison_result.designs["all_comers"]
    row = next(i for i in range(t.rowCount()) if t.item(i, 0).data(RAW) == "all_comers")
    assert t.item(row, MAX_N_COL).data(RAW) == r.n_randomized
    assert t.item(row, EXPECTED_N_COL).data(RAW) == r.expected_n_h1 < r.n_randomized
    w.tabs.setCurrentWidget(w.plots)
    qtbot.waitUntil(lambda: w.plots.bounds_box.isVisible() and len(w.plots.bounds.ax.lines) > 0, timeout=15000)
    assert w.plots.bounds_design.count() == len([d for d in w.comparison_result.designs.values() if d.looks])
    assert w.plots.errors == []
    w.plots.bounds.grab().save(str(tmp_path / "bounds.png"))
    w.plots.bounds.export(str(tmp_path / "bounds.svg"))
    assert (tmp_path / "bounds.svg").stat().st_size > 100
