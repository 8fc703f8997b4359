"""A heavy scenario's comparison on a worker (issue 10: the GUI thread never blocks > 50 ms).

Most scenarios compare in 20–100 ms and stay on the GUI thread (``MainWindow.recompute``). Those
that :func:`planner.compute.expensive` names (the cells form with several populations and an
interim plan on the stratified design: seconds) run ``compare_designs`` through the window's
``compute_tasks`` runner (ui.tasks): the table and plots say "Computing…", the inputs stay
editable, a newer edit supersedes the running task (ui.tasks cancels it at its next Python call)
and a result that arrives for an outdated scenario or question is dropped. The curves follow on
the plots panel's worker (``PlotsPanel.set_inputs(background=True)``)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np

from .tasks import TaskState, interruptible

if TYPE_CHECKING:
    from planner.scenario import Scenario

    from .main_window import MainWindow

COMPUTING = "Computing on a worker … (a few seconds; the inputs stay editable)"


def compare_task(state: TaskState, scenario: Scenario, question: str, n: int | None):
    """``compare_designs`` without the adaptive design, cancellable (runs on a worker)."""
    from planner.compute import compare_designs

    with np.errstate(all="ignore"):
        return interruptible(state, lambda: compare_designs(scenario, question=question, n_randomized=n,
                                                            include_adaptive=False))


def start(window: MainWindow, scenario: Scenario, question: str, n: int | None) -> None:
    """Compare ``scenario`` on ``window.compute_tasks``; the result is shown if still current."""
    t0 = time.perf_counter()
    window.comparison.set_computing(COMPUTING)
    window.plots.set_computing(COMPUTING)
    window.statusBar().showMessage("Computing on a worker …")

    def current() -> bool:
        return (window.doc.scenario is scenario and window.comparison.question == question
                and window.comparison.n_randomized == n)

    def done(result) -> None:
        if current():  # else an edit came meanwhile: its own recomputation follows
            window.show_result(scenario, result, question, n, (time.perf_counter() - t0) * 1000, background=True)

    def failed(error: str) -> None:
        if current():
            window.comparison.set_stale(f"computation failed: {error}")
            window.log.append("Computation failed", f"  {error}")

    window.compute_tasks.start("Comparing the designs", compare_task, scenario, question, n, on_done=done,
                               on_error=failed)
