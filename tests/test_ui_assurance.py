"""Assurance in the app (column beside power, power-distribution tab, off the GUI thread) and the
per-design fixed sizes of the inputs panel."""

from __future__ import annotations

import csv
import io
import threading
import time

import pytest
import ui_helpers
from ui_helpers import DEBOUNCE_WAIT_MS, EXAMPLES, settle

from planner.assurance import assurance_for_comparison
from planner.compute import compare_designs
from planner.scenario_io import load_scenario

RAW = 256  # Qt.UserRole
WAIT_MS = 10_000

make_window = ui_helpers.make_window


def _assurance_done(w) -> bool:
    return not w.assurance.busy and w.comparison.assurance_current


def _wait_assurance(qtbot, w) -> None:
    settle(qtbot, w)
    qtbot.waitUntil(lambda: _assurance_done(w), timeout=WAIT_MS)


@pytest.mark.parametrize("name", ["egfr_nsclc_ipass.json", "hrd_ovarian_prima.json"])
def test_assurance_column_equals_the_core_beside_power(make_window, qtbot, name):
    from ui.comparison_view import ASSURANCE_COL, POWER_COL

    path = EXAMPLES / name
    w = make_window(path)
    _wait_assurance(qtbot, w)
    scenario = load_scenario(path)
    core = assurance_for_comparison(
        scenario, compare_designs(scenario, question="sample_size", include_adaptive=False), with_size=False
    )
    table = w.comparison.table
    assert not table.isColumnHidden(ASSURANCE_COL)
    header = table.horizontalHeader()
    assert header.visualIndex(ASSURANCE_COL) == header.visualIndex(POWER_COL) + 1  # beside power
    rows = {table.item(i, 0).data(RAW): i for i in range(table.rowCount())}
    for design, a in core.items():
        i = rows[design]
        if a.assurance is None:
            continue  # infeasible: the message spans the row
        item = table.item(i, ASSURANCE_COL)
        assert item.data(RAW) == pytest.approx(a.assurance, abs=1e-12)
        assert item.text() == f"{a.assurance:.3f} ± {a.assurance_se:.3f}"
        assert "P(power > 80%)" in item.toolTip()
    tsv_header = w.comparison.to_tsv().splitlines()[0].split("\t")
    assert tsv_header[tsv_header.index("Power") + 1].startswith("Assurance")
    rows_csv = list(csv.DictReader(io.StringIO(w.comparison.to_csv())))
    for r in rows_csv:
        a = core.get(r["design"])
        if a is not None and a.assurance is not None:
            assert float(r["assurance"]) == pytest.approx(a.assurance, abs=1e-12)
    # the tab shows the distribution of power, with the assurance and P(power > 80%) marked
    tabs = w.tabs
    assert tabs.isTabVisible(tabs.indexOf(w.assurance))
    assert w.assurance.results is not None
    tabs.setCurrentWidget(w.assurance)  # drawn when shown
    assert not w.assurance.dirty
    labels = [t.get_text() for t in w.assurance.canvas.ax.get_yticklabels()]
    shown = [a for a in core.values() if a.assurance is not None]
    assert len(labels) == len(shown)
    for a in shown:
        assert any(a.label in text and f"A {a.assurance:.3f}" in text and f"P(>80%) {a.prob_power_above:.2f}" in text
                   for text in labels)
    assert w.assurance.canvas.csv_text.startswith("power_from,power_to,")
    assert "Assurance over 10,000 prior draws" in w.log.contents()


def test_power_distribution_plot_exports(make_window, qtbot, tmp_path):
    w = make_window(EXAMPLES / "pdl1_nsclc_keynote042.json")
    _wait_assurance(qtbot, w)
    w.tabs.setCurrentWidget(w.assurance)
    for ext in ("png", "svg", "pdf", "csv"):
        target = tmp_path / f"assurance.{ext}"
        w.assurance.canvas.export(str(target))
        assert target.stat().st_size > 100, ext


def test_power_distribution_labels_are_not_cut_off(make_window, qtbot):
    """The y tick labels (design name, assurance ± SE, P(>80%)) start inside the canvas: the left
    margin is measured from them (ui.plot_canvas.PlotCanvas.text_tick_labels); at a fixed 0.9 in
    they ran off its left edge."""
    w = make_window(EXAMPLES / "pdl1_nsclc_keynote042.json")
    _wait_assurance(qtbot, w)
    w.tabs.setCurrentWidget(w.assurance)
    canvas = w.assurance.canvas
    qtbot.waitUntil(lambda: canvas.drawn > 0, timeout=WAIT_MS)
    canvas.canvas.draw()
    renderer = canvas.canvas.get_renderer()
    labels = [t for t in canvas.ax.get_yticklabels() if t.get_text()]
    assert labels
    assert min(t.get_window_extent(renderer).x0 for t in labels) >= 0


def test_without_uncertainty_block_nothing_changes(make_window, qtbot):
    from ui.comparison_view import ASSURANCE_COL, COLUMNS, CSV_FIELDS

    w = make_window(EXAMPLES / "cyp2c19_chance.json")
    settle(qtbot, w)
    assert w.comparison.table.isColumnHidden(ASSURANCE_COL)
    assert not w.tabs.isTabVisible(w.tabs.indexOf(w.assurance))
    assert not w.assurance.busy
    header = w.comparison.to_tsv().splitlines()[0].split("\t")
    assert "Assurance ± MC SE" not in header and header[0] == COLUMNS[0]
    assert next(csv.reader(io.StringIO(w.comparison.to_csv()))) == list(CSV_FIELDS)


def test_removing_and_restoring_the_block_hides_and_shows_assurance(make_window, qtbot):
    from ui.comparison_view import ASSURANCE_COL

    w = make_window(EXAMPLES / "egfr_nsclc_ipass.json")
    _wait_assurance(qtbot, w)
    w.doc.set_block("uncertainty", None, "Remove uncertainty")
    settle(qtbot, w)
    assert w.comparison.table.isColumnHidden(ASSURANCE_COL)
    assert not w.tabs.isTabVisible(w.tabs.indexOf(w.assurance))
    w.doc.undo_stack.undo()
    _wait_assurance(qtbot, w)
    assert not w.comparison.table.isColumnHidden(ASSURANCE_COL)
    assert w.tabs.isTabVisible(w.tabs.indexOf(w.assurance))


def test_assurance_runs_off_the_gui_thread_and_follows_edits(make_window, qtbot, monkeypatch):
    import planner.assurance as core
    from ui.comparison_view import ASSURANCE_COL

    w = make_window(EXAMPLES / "egfr_nsclc_ipass.json")
    _wait_assurance(qtbot, w)
    real = core.assurance_for_comparison
    calls = []

    def slow(scenario, comparison, **kwargs):
        calls.append(threading.current_thread() is threading.main_thread())
        assert kwargs["is_cancelled"] is not None and kwargs["progress"] is not None
        time.sleep(0.4)
        return real(scenario, comparison, **kwargs)

    monkeypatch.setattr(core, "assurance_for_comparison", slow)  # the app calls planner's
    # 0.59: within half a prior SD of IPASS's 261 of 437 (at 0.5 the counts describe another value
    # and the table shows a conflict instead of an assurance: tests/test_report_edit.py)
    w.inputs.rows["population.prevalence"].editor.setValue(0.59)
    qtbot.waitUntil(lambda: w.compute_count > 0 and not w.timer.isActive(), timeout=DEBOUNCE_WAIT_MS)
    settle(qtbot, w)
    w.recompute()  # the table is refreshed at once; the assurance follows in the background
    assert w.comparison.table.item(1, 0).data(RAW) == "targeted"
    assert w.comparison_result.scenario["population"]["prevalence"] == 0.59
    qtbot.waitUntil(lambda: w.assurance.busy, timeout=DEBOUNCE_WAIT_MS)
    qtbot.waitUntil(lambda: _assurance_done(w), timeout=WAIT_MS)
    assert calls and not any(calls)  # never on the GUI thread
    assert len(calls) <= 3  # requests arriving while one runs are coalesced
    scenario = w.doc.scenario
    core = assurance_for_comparison(
        scenario, compare_designs(scenario, question="sample_size", include_adaptive=False), with_size=False
    )
    assert w.comparison.table.item(1, ASSURANCE_COL).data(RAW) == pytest.approx(core["targeted"].assurance)


def test_adaptive_design_assurance_is_simulated_on_request_and_kept_for_its_inputs(make_window, qtbot):
    """The Assurance tab's button simulates the adaptive design's assurance off the GUI thread (the
    core's adaptive_assurance, the same numbers), adds it to the plot and the table's column, and
    forgets it when an input changes."""
    from planner.adaptive.assurance import adaptive_assurance
    from planner.catalogue import design_label
    from ui.comparison_view import ASSURANCE_COL  # noqa: F401 (the column the table fills)

    w = make_window(EXAMPLES / "hrd_ovarian_prima.json")
    _wait_assurance(qtbot, w)
    view = w.assurance
    view.adaptive_draws, view.adaptive_trials = 12, 20   # the full 1,000 × 200 takes seconds
    assert not view.adaptive_button.isHidden() and view.adaptive_for(w.doc.scenario) is None
    view.adaptive_button.click()
    assert not view.adaptive_button.isEnabled()   # running in the background
    qtbot.waitUntil(lambda: view.adaptive_for(view.scenario) is not None, timeout=WAIT_MS)
    got = view.adaptive_for(view.scenario)
    core = adaptive_assurance(view.scenario, draws=12, trials_per_draw=20)
    assert (got.assurance, got.assurance_se, got.draws) == (core.assurance, core.assurance_se, 12)
    assert view.adaptive_button.isEnabled() and view.adaptive_button.isHidden()
    assert w.comparison.assurance.get("adaptive") is got
    w.tabs.setCurrentWidget(view)
    labels = [t.get_text() for t in view.canvas.ax.get_yticklabels()]
    assert any(design_label("adaptive") in label for label in labels)
    w.inputs.rows["population.prevalence"].editor.setValue(0.505)   # new inputs: not theirs any more
    qtbot.waitUntil(lambda: w.doc.scenario.population.prevalence == 0.505, timeout=DEBOUNCE_WAIT_MS)
    _wait_assurance(qtbot, w)
    assert view.adaptive_for(view.scenario) is None and not view.adaptive_button.isHidden()
    assert "adaptive" not in w.comparison.assurance


# ----------------------------------------------------------------------------- fixed sizes
def test_fixed_size_is_editable_with_undo_and_switches_to_as_in_the_file(make_window, qtbot):
    w = make_window(EXAMPLES / "egfr_nsclc_ipass.json")
    settle(qtbot, w)
    row = w.inputs.rows["designs.targeted.n_randomized"]
    assert row.isVisibleTo(w.inputs) and row.isEnabled()
    assert row.value() is None and row.editor.text() == "solve"
    assert "Empty" in row.editor.toolTip() and "designs.targeted.n_randomized" in row.editor.toolTip()
    w.comparison.set_question("sample_size")
    for n in (150, 160, 170):  # consecutive edits of one field: one undo step
        row.editor.setValue(n)
    settle(qtbot, w)
    assert w.doc.get("designs.targeted.n_randomized") == 170
    assert w.comparison.question == "auto"
    r = w.comparison_result.designs["targeted"]
    core = compare_designs(w.doc.scenario, question="auto", include_adaptive=False).designs["targeted"]
    assert (r.n_randomized, r.power) == (170, core.power)
    w.doc.undo_stack.undo()
    settle(qtbot, w)
    assert w.doc.get("designs.targeted.n_randomized") is None
    assert row.value() is None and row.editor.text() == "solve"
    w.doc.undo_stack.redo()
    settle(qtbot, w)
    assert row.editor.value() == 170
    row.editor.setValue(row.editor.minimum())  # back to "solve"
    assert w.doc.get("designs.targeted.n_randomized") is None


def test_fixed_events_are_validated_inline_by_the_core(make_window, qtbot):
    w = make_window(EXAMPLES / "egfr_nsclc_ipass.json")
    n_row = w.inputs.rows["designs.stratified.n_randomized"]
    ev_row = w.inputs.rows["designs.stratified.events"]
    n_row.editor.setValue(200)
    ev_row.editor.setValue(250)
    assert ev_row.has_problem
    assert "cannot exceed n_randomized (200)" in ev_row.message.text()
    settle(qtbot, w)
    assert not w.comparison.table.isEnabled()  # results greyed with the reason
    ev_row.editor.setValue(150)
    assert not ev_row.has_problem
    settle(qtbot, w)
    assert w.comparison.table.isEnabled()
    r = w.comparison_result.designs["stratified"]
    assert (r.n_randomized, r.events) == (200, 150)


def test_events_only_for_survival_and_sizes_follow_the_design_check(make_window, qtbot):
    w = make_window(EXAMPLES / "cyp2c19_chance.json")
    assert not w.inputs.rows["designs.targeted.events"].isVisibleTo(w.inputs)
    assert w.inputs.rows["designs.targeted.n_randomized"].isVisibleTo(w.inputs)
    w.inputs.design_checks["strategy"].setChecked(False)
    assert not w.inputs.rows["designs.strategy.n_randomized"].isEnabled()
    w.inputs.design_checks["strategy"].setChecked(True)
    assert w.inputs.rows["designs.strategy.n_randomized"].isEnabled()
