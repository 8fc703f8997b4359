"""Adaptive tab: the simulation runs off the GUI thread, reports progress, can be cancelled."""

from __future__ import annotations

import threading
import time

import pytest
import ui_helpers
from ui_helpers import EXAMPLES

KEYS = ("reject_subgroup", "reject_overall", "reject_at_least_one", "select_subgroup_only",
        "select_overall_only", "select_both", "expected_subjects")

make_window = ui_helpers.make_window


class FakeResult:
    def __init__(self, done: int, incomplete: bool) -> None:
        self.done, self.incomplete = done, incomplete

    def to_dict(self) -> dict:
        d = {k: 0.5 for k in KEYS}
        d.update({f"{k}_se": 0.01 for k in KEYS})
        d["expected_subjects"] = 321.0
        d.update(simulations=self.done, incomplete=self.incomplete)
        return d


def make_fake(threads: list, delay: float):
    def simulate(scenario, simulations=None, seed=None, progress=None, is_cancelled=None):
        threads.append(threading.get_ident())
        done = 0
        for _ in range(50):
            if is_cancelled():
                return FakeResult(done, True)
            time.sleep(delay)
            done += simulations // 50
            progress(done, simulations)
        return FakeResult(done, False)

    return simulate


def _window_with_adaptive(make_window):
    w = make_window(EXAMPLES / "cyp2c19_chance.json")
    w.tabs.setCurrentWidget(w.adaptive)
    w.adaptive.include.setChecked(True)
    assert w.doc.valid, w.doc.problems
    assert w.doc.get("designs.adaptive.planned_subjects")[-1] == w.comparison_result.designs["stratified"].n_randomized
    assert w.adaptive.run_button.isEnabled()
    return w


def test_simulation_runs_in_background_and_fills_the_tab(make_window, qtbot):
    w = _window_with_adaptive(make_window)
    threads: list = []
    w.adaptive.simulate = make_fake(threads, 0.004)
    seen = []
    w.adaptive.progress.valueChanged.connect(seen.append)
    with qtbot.waitSignal(w.adaptive.finished, timeout=10000):
        w.adaptive.run()
        assert w.adaptive.running and w.adaptive.cancel_button.isEnabled()
    assert threads and threads[0] != threading.get_ident()
    assert len(seen) > 5 and seen[-1] == 10000
    assert w.adaptive.table.item(0, 0).text() == "0.5000"
    assert w.adaptive.table.item(0, 1).text() == "0.0100"
    assert w.adaptive.table.item(10, 0).text() == "321.0"
    assert "Adaptive simulation" in w.log.contents()
    assert "Done" in w.adaptive.status.text()
    assert w.adaptive.run_button.isEnabled() and not w.adaptive.running


def test_simulation_can_be_cancelled_and_window_stays_responsive(make_window, qtbot):
    w = _window_with_adaptive(make_window)
    w.adaptive.simulate = make_fake([], 0.2)  # 10 s in all: a loaded machine cannot finish it first
    w.adaptive.run()
    qtbot.waitUntil(lambda: w.adaptive.progress.value() > 0, timeout=30000)  # generous: loaded CI
    w.inputs.rows["population.prevalence"].editor.setValue(0.3)  # GUI still works meanwhile
    assert w.doc.scenario.population.prevalence == 0.3
    with qtbot.waitSignal(w.adaptive.finished, timeout=30000):
        w.adaptive.cancel_button.click()
    assert "Cancelled" in w.adaptive.status.text()
    assert w.adaptive.result["incomplete"] is True
    assert w.adaptive.progress.value() < 10000


def test_real_simulator_small_run(make_window, qtbot):
    pytest.importorskip("planner.adaptive")
    w = _window_with_adaptive(make_window)
    w.adaptive.rows["designs.adaptive.simulations"].editor.setValue(200)
    assert w.doc.scenario.designs["adaptive"].simulations == 200
    with qtbot.waitSignal(w.adaptive.finished, timeout=60000):
        w.adaptive.run()
    assert w.adaptive.result is not None, w.adaptive.status.text()
    assert 0.0 <= w.adaptive.result["reject_at_least_one"] <= 1.0
    assert w.adaptive.table.item(2, 0).text() != "—"


def test_results_are_stale_after_an_edit_and_cleared_on_open(make_window, qtbot):
    w = _window_with_adaptive(make_window)
    w.adaptive.simulate = make_fake([], 0.0)
    with qtbot.waitSignal(w.adaptive.finished, timeout=10000):
        w.adaptive.run()
    assert w.adaptive.result is not None and not w.adaptive.stale
    w.inputs.rows["population.prevalence"].editor.setValue(0.31)
    assert w.adaptive.stale and w.adaptive.stale_label.isVisibleTo(w.adaptive)
    assert not w.adaptive.table.isEnabled()
    w.doc.undo_stack.undo()  # the inputs it was run for: current again
    assert not w.adaptive.stale and w.adaptive.table.isEnabled()
    w.open_path(EXAMPLES / "egfr_nsclc_ipass.json", as_copy=True, ask=False)
    assert w.adaptive.result is None and w.adaptive.status.text() == "Not run yet."
    assert w.adaptive.table.item(0, 0) is None


def test_global_null_is_one_click(make_window, qtbot):
    from ui.adaptive_tab import global_null

    w = _window_with_adaptive(make_window)
    seen = []

    def fake(scenario, **kw):
        seen.append(scenario)
        return make_fake([], 0.0)(scenario, **kw)

    w.adaptive.simulate = fake
    with qtbot.waitSignal(w.adaptive.finished, timeout=10000):
        w.adaptive.null_button.click()
    s = seen[0]
    null = global_null(w.doc.data)
    assert s is w.adaptive.result_scenario and s.endpoint == "binary"
    assert s.positive.treatment_rate == s.positive.control_rate and s.negative.treatment_rate == s.negative.control_rate
    assert "FWER" in w.adaptive.status.text() and not w.adaptive.stale
    for key in ("positive", "negative"):
        block = null[key]
        assert block.get("mean_difference", 0.0) == 0.0 and block.get("hazard_ratio", 1.0) == 1.0
        assert block.get("treatment_rate") == block.get("control_rate")
