"""Long work off the GUI thread (issue 10): the one task mechanism (ui.tasks) delivers results as
objects, reports progress, cancels; an export runs while the GUI thread keeps answering."""

from __future__ import annotations

import time

import ui_helpers
from PySide6.QtCore import QTimer
from ui_helpers import EXAMPLES

from ui.tasks import BusyIndicator, TaskRunner

make_window = ui_helpers.make_window


def _slow(state, n):
    for i in range(n):
        state.check()
        time.sleep(0.01)
        state.set_progress(i + 1, n)
    return {"n": n}


def test_result_progress_and_cancel(qtbot):
    runner = TaskRunner()
    busy = BusyIndicator()
    busy.watch(runner)
    got, progress = [], []
    runner.progressed.connect(lambda d, t: progress.append((d, t)))
    runner.start("counting", _slow, 10, on_done=got.append)
    assert busy.isVisibleTo(busy.parentWidget() or busy) or not busy.isHidden()
    qtbot.waitUntil(lambda: not runner.running, timeout=5000)
    assert got == [{"n": 10}] and progress[-1] == (10, 10)
    assert busy.isHidden()
    cancelled = []
    runner.cancelled.connect(lambda: cancelled.append(True))
    runner.start("long", _slow, 500, on_done=got.append)
    qtbot.wait(50)
    busy.cancel_button.click()
    assert cancelled and not runner.running and busy.isHidden()
    runner.wait(5000)
    qtbot.wait(50)
    assert got == [{"n": 10}]  # the cancelled result is dropped


def test_failure_is_delivered_as_text(qtbot):
    runner = TaskRunner()
    errors = []

    def boom(_state):
        raise ValueError("no such design")

    runner.start("failing", boom, on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert errors == ["ValueError: no such design"]


def test_a_task_whose_runner_was_deleted_ends_quietly(qtbot, capfd):
    """The window closed while a task that reports progress and never polls ran (the assurance):
    its next report finds the runner deleted; the task ends there, cancelled, with no traceback."""
    import shiboken6

    ran = []

    def no_polling(state):
        for i in range(200):
            time.sleep(0.005)
            state.set_progress(i + 1, 200)
            ran.append(i)
        return "finished"

    runner = TaskRunner()
    state = runner.start("reporting", no_polling)
    qtbot.wait(30)
    shiboken6.delete(runner)
    runner.wait(5000)
    assert state.is_interruption_requested() and len(ran) < 200
    assert "Traceback" not in capfd.readouterr().err


def test_export_runs_while_the_gui_thread_keeps_answering(make_window, qtbot, tmp_path):
    w = make_window(EXAMPLES / "egfr_nsclc_ipass.json")
    # a first export loads the report's modules (C extensions hold the GIL while they load once)
    w.export_report(tmp_path / "warm.html", include_adaptive=False)
    qtbot.waitUntil(lambda: not w.tasks.running, timeout=120000)
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    target = tmp_path / "report.pdf"
    w.export_report(target, include_adaptive=False)
    assert w.busy.isVisibleTo(w)
    qtbot.waitUntil(lambda: not w.tasks.running, timeout=120000)
    timer.stop()
    assert target.exists() and target.read_bytes()[:5] == b"%PDF-"
    gaps = sorted(b - a for a, b in zip(ticks, ticks[1:]))
    print(f"longest gap {gaps[-1] * 1000:.0f} ms, median {gaps[len(gaps) // 2] * 1000:.0f} ms over {len(ticks)} ticks")
    # The timer keeps firing: on an idle machine no gap exceeds 50 ms, while a blocking export
    # left a single gap as long as the whole export (5-10 s). On a loaded machine (load average
    # 5-9 on 2 cores) every gap stretches with the export itself, so the bound is relative: the
    # longest gap is under a quarter of the export's duration (or 0.5 s), the typical gap short.
    duration = ticks[-1] - ticks[0]
    assert gaps[len(gaps) // 2] < 0.1, f"median gap {gaps[len(gaps) // 2] * 1000:.0f} ms"
    assert gaps[-1] < max(0.5, 0.25 * duration), f"longest gap {gaps[-1] * 1000:.0f} ms of {duration:.1f} s"
    assert not w.busy.isVisibleTo(w)
