"""Adaptive tab as a design workspace: futility and recalculation settings, per-stage results and
boundaries, the sample-size search, the sweep and the FWER table in the background, results kept
in the scenario file (stale after an edit, restored on open)."""

from __future__ import annotations

import os

import pytest
import ui_helpers
from ui_helpers import EXAMPLES

make_window = ui_helpers.make_window
SHOTS = os.environ.get("EP_SCREENSHOTS")  # a folder: save the views as PNG (looked at by hand)


def _shot(widget, name: str) -> None:
    if SHOTS:
        widget.grab().save(os.path.join(SHOTS, f"{name}.png"))


def _her2(make_window, simulations: int = 400):
    w = make_window(EXAMPLES / "her2_breast_trastuzumab.json")
    w.resize(1280, 800)
    w.tabs.setCurrentWidget(w.adaptive)
    assert "adaptive" in w.doc.scenario.designs
    w.doc.set_value("designs.adaptive.simulations", simulations)
    assert w.doc.valid
    return w


def test_futility_bounds_and_recalculation_are_edited_in_the_tab(make_window, qtbot):
    w = _her2(make_window)
    more = w.adaptive.workspace.more
    row = more.rows["designs.adaptive.futility_bounds"]
    row.editor.setText("0.2")
    row.editor.textEdited.emit("0.2")
    assert w.doc.get("designs.adaptive.futility_bounds") == [0.2] and w.doc.valid
    row.editor.setText("")
    row.editor.textEdited.emit("")
    assert w.doc.get("designs.adaptive.futility_bounds") is None and w.doc.valid
    more.recalc.setChecked(True)
    assert w.doc.valid, w.doc.problems
    rc = w.doc.scenario.designs["adaptive"].sample_size_recalculation
    assert rc is not None and rc.min_subjects[0] == w.doc.get("designs.adaptive.planned_subjects")[0]
    assert more.form.isRowVisible(more.rows["designs.adaptive.sample_size_recalculation.conditional_power"])
    assert not more.form.isRowVisible(more.rows["designs.adaptive.sample_size_recalculation.min_events"])
    w.doc.undo_stack.undo()
    assert w.doc.get("designs.adaptive.sample_size_recalculation") is None and not more.recalc.isChecked()


def test_boundaries_are_drawn_from_the_settings_and_follow_them(make_window, qtbot):
    w = _her2(make_window)
    stages = w.adaptive.workspace.stages
    qtbot.waitUntil(lambda: "critical_value" in stages.boundary_plot.csv_text, timeout=5000)
    first = stages.boundary_plot.csv_text
    w.doc.set_value("designs.adaptive.boundaries", "pocock")
    qtbot.waitUntil(lambda: stages.boundary_plot.csv_text != first, timeout=5000)
    w.doc.set_value("designs.adaptive.futility_bounds", [0.0])
    qtbot.waitUntil(lambda: stages.boundary_plot.csv_text.splitlines()[1].endswith(",0.0"), timeout=5000)


def test_per_stage_results_after_a_run(make_window, qtbot):
    w = _her2(make_window)
    with qtbot.waitSignal(w.adaptive.finished, timeout=60000):
        w.adaptive.run()
    stages = w.adaptive.workspace.stages
    assert stages.table.columnCount() == 2 and stages.table.rowCount() >= 6
    assert stages.table.item(2, 0).text().count("±") == 1
    assert "stage_1" in stages.stages_plot.csv_text
    w.adaptive.workspace.tab_widget.setCurrentWidget(stages)
    _shot(w, "adaptive_stages")
    w.doc.set_value("population.prevalence", 0.3)
    assert w.adaptive.stale and not stages.table.isEnabled()


def test_sample_size_search_runs_in_background_and_its_size_is_used(make_window, qtbot):
    w = _her2(make_window, simulations=300)
    panel = w.adaptive.workspace.search
    panel.target.setValue(0.8)
    with qtbot.waitSignal(panel.tasks.idle, timeout=120000):
        panel.run()
        assert panel.tasks.running and panel.cancel_button.isEnabled()
    assert panel.result and panel.result["feasible"], panel.status.text()
    assert panel.table.rowCount() == len(panel.result["evaluations"]) >= 2
    w.adaptive.workspace.tab_widget.setCurrentWidget(panel)
    _shot(w, "adaptive_search")
    panel.use_button.click()
    assert w.doc.get("designs.adaptive.planned_subjects")[-1] == panel.result["size"]
    assert panel.stale  # the size is now an input: the search was for the earlier one


def test_sweep_runs_keeps_and_reopens(make_window, qtbot, tmp_path):
    w = _her2(make_window, simulations=200)
    ws = w.adaptive.workspace
    panel = ws.sweep
    assert panel.fields[0].findData("negative.hazard_ratio") < 0  # HER2 is binary
    panel.fields[0].setCurrentIndex(panel.fields[0].findData("negative.treatment_rate"))
    panel.values[0].setText("0.3:0.5:0.1")
    panel.simulations.setValue(200)
    with qtbot.waitSignal(panel.tasks.idle, timeout=120000):
        panel.run()
    assert panel.result is not None and panel.table.rowCount() == 3, panel.status.text()
    assert "±" in panel.table.item(0, 1).text()
    for i in range(panel.figure_choice.count()):
        panel.figure_choice.setCurrentIndex(i)
    ws.tab_widget.setCurrentWidget(panel)
    _shot(w, "adaptive_sweep")
    out = tmp_path / "r.html"
    with qtbot.waitSignal(w.tasks.idle, timeout=120000):
        w.export_report(out, include_adaptive=False)
    assert "Operating characteristics over a grid of truths" in out.read_text(encoding="utf-8")
    panel.keep_button.click()
    kept = w.doc.get("designs.adaptive.results.sweep")
    assert kept["seed"] == 12345 or kept["seed"] == w.doc.get("designs.adaptive.seed")
    assert kept["settings"]["vary"] == ["negative.treatment_rate=0.3:0.5:0.1"] and w.doc.valid
    assert not panel.stale
    path = tmp_path / "kept.json"
    w.doc.save(path)
    w.doc.open(path)
    assert panel.result is not None and panel.from_file and not panel.stale and panel.table.rowCount() == 3
    w.doc.set_value("negative.treatment_rate", 0.45)
    assert panel.stale and not panel.table.isEnabled()
    w.doc.open(EXAMPLES / "hrd_ovarian_prima.json")
    assert panel.result is None and panel.table.rowCount() == 0


def test_bad_sweep_values_are_explained(make_window, qtbot):
    w = _her2(make_window)
    panel = w.adaptive.workspace.sweep
    panel.values[0].setText("0.7:abc")
    panel.run()
    assert not panel.tasks.running and panel.problem.isVisibleTo(panel) and "--vary" in panel.problem.text()


def test_fwer_table_and_kept_simulation(make_window, qtbot, tmp_path):
    w = _her2(make_window, simulations=100)
    panel = w.adaptive.workspace.fwer
    with qtbot.waitSignal(panel.tasks.idle, timeout=180000):
        panel.run()
    assert panel.result is not None and panel.table.rowCount() == 3, panel.status.text()
    assert set(panel.result["maximum"]) == {"global", "subgroup", "overall"}
    w.adaptive.workspace.tab_widget.setCurrentWidget(panel)
    _shot(w, "adaptive_fwer")
    panel.keep_button.click()
    with qtbot.waitSignal(w.adaptive.finished, timeout=60000):
        w.adaptive.run()
    ws = w.adaptive.workspace
    assert ws.keep_button.isEnabled()
    ws.keep_button.click()
    assert w.doc.get("designs.adaptive.results.simulation.result.reject_subgroup") == w.adaptive.result["reject_subgroup"]
    path = tmp_path / "kept.json"
    w.doc.save(path)
    w.doc.open(path)
    assert w.adaptive.result is not None and not w.adaptive.stale
    assert w.adaptive.table.item(0, 0).text() != ""
    assert panel.result is not None and not panel.stale
    w.doc.set_value("testing.alpha", 0.05)
    assert w.adaptive.stale and panel.stale


@pytest.mark.parametrize("bad", [{"sweep": []}, {"fwer": {"inputs": "x", "seed": 1, "simulations": 1, "result": {}}},
                                 {"other": {}}])
def test_damaged_kept_results_are_reported(bad):
    from planner.errors import ScenarioError
    from planner.scenario_io import load_scenario, scenario_from_dict, scenario_to_dict

    data = scenario_to_dict(load_scenario(EXAMPLES / "her2_breast_trastuzumab.json"))
    data["designs"]["adaptive"]["results"] = bad
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(data)
    assert "designs.adaptive.results" in str(err.value)


def test_sweep_cancel_keeps_the_points_finished(make_window, qtbot):
    w = _her2(make_window, simulations=200)
    panel = w.adaptive.workspace.sweep
    panel.fields[0].setCurrentIndex(panel.fields[0].findData("negative.treatment_rate"))
    panel.values[0].setText("0.3:0.5:0.01")
    panel.simulations.setValue(500000)
    with qtbot.waitSignal(panel.tasks.idle, timeout=180000):
        panel.run()
        qtbot.waitUntil(lambda: panel.progress.value() > 0, timeout=60000)
        panel.cancel()
    assert panel.result is not None and panel.result["incomplete"]
    assert panel.table.rowCount() == len(panel.result["rows"]) < 21
    assert "cancelled" in panel.status.text()
