"""Assurance tab: the distribution of power per design when the scenario has an ``uncertainty`` block.

Assurance (:func:`planner.assurance.assurance_for_comparison`, the implementation ``compute`` and
the report use, ~0.1 s for 10,000 draws) runs in the app's background-task mechanism
(:mod:`ui.tasks`) so that editing stays responsive; its progress and the results come back to the
GUI thread as objects by signals, and its ``is_cancelled`` hook stops a superseded request at the
next design. At most one computation runs at a time, and requests arriving meanwhile are
coalesced into one that starts when it finishes (only the newest result is shown). The plot is drawn by
:func:`planner.figures.draw_power_distribution`, the function the report uses.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from planner.results import Comparison
from planner.scenario import Scenario

from .plot_canvas import PlotCanvas
from .tasks import Cancelled, TaskRunner, TaskState


def _assurance_task(state: TaskState, scenario: Scenario, comparison: Comparison) -> tuple[dict, float]:
    """Worker body (:mod:`ui.tasks`): planner's assurance (no size for assurance) and its time."""
    from planner import assurance as core  # scipy.stats: loaded after the window is shown

    t0 = time.perf_counter()
    try:
        with np.errstate(all="ignore"):  # extreme inputs while editing: no console warnings
            result = core.assurance_for_comparison(scenario, comparison, with_size=False,
                                                   progress=state.set_progress,
                                                   is_cancelled=state.is_interruption_requested)
    except core.AssuranceCancelled:
        raise Cancelled from None
    return result, (time.perf_counter() - t0) * 1000


def _adaptive_task(state: TaskState, scenario: Scenario, power: float | None, draws: int | None,
                   trials: int | None) -> object:
    """Worker body: the adaptive design's simulated assurance (planner.adaptive.assurance)."""
    from planner.adaptive import assurance as core  # the simulator: loaded when asked

    kw = {} if trials is None else {"trials_per_draw": trials}
    with np.errstate(all="ignore"):
        result = core.adaptive_assurance(scenario, draws=draws, power=power, progress=state.set_progress,
                                         is_cancelled=state.is_interruption_requested, **kw)
    if state.is_interruption_requested():
        raise Cancelled
    return result


class AssuranceView(QWidget):
    """The power distribution per design, with the assurance and P(power > 80%) marked.

    ``request(scenario, comparison)`` starts (or queues) a computation; ``computed(results)``
    is emitted with ``{design: AssuranceResult}`` when the newest one finishes.
    """

    computed = Signal(object)
    logged = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.results: dict | None = None
        self.scenario: Scenario | None = None
        self.generation = 0
        self.shown_generation = 0
        self.tasks = TaskRunner(self)
        self.pending: tuple[int, Scenario, Comparison] | None = None
        self._running_scenario: Scenario | None = None
        self.last_ms = 0.0
        self.dirty = False  # results arrived while the tab was hidden: draw when shown
        self.tasks.progressed.connect(lambda done, total: self._progressed(self.generation, done, total))
        self.tasks.ended.connect(self._thread_finished)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.canvas = PlotCanvas("Power distribution (assurance)", figsize=(7, 3.6))
        self.canvas.text_tick_labels = True   # design names and assurance: the margin is measured
        self.canvas.figure.subplots_adjust(left=0.27, right=0.97, bottom=0.14, top=0.9)
        self.canvas.setToolTip("For each design: the power at its planned size under each prior draw of the "
                               "uncertain inputs. Shaded: histogram of the draws; thick bar: 25–75%, thin bar: "
                               "5–95% of the draws; circle: median; diamond: the assurance (the mean); dashed: "
                               "80% power.")
        self._build_adaptive()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addWidget(self.adaptive_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.canvas, 1)
        self.clear("The scenario has no uncertainty block.")

    def set_editor(self, editor: QWidget) -> None:
        """Show the uncertainty block's editor (:mod:`ui.prior_editor`) left of the power distribution."""
        from PySide6.QtWidgets import QSplitter

        layout = self.layout()
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        for w in (self.summary, self.adaptive_button, self.canvas):
            layout.removeWidget(w)
            right_layout.addWidget(w, 1 if w is self.canvas else 0,
                                   Qt.AlignmentFlag.AlignLeft if w is self.adaptive_button else Qt.AlignmentFlag(0))
        split = QSplitter()
        split.addWidget(editor)
        split.addWidget(right)
        split.setSizes([520, 600])
        layout.addWidget(split, 1)
        self.editor = editor

    # ------------------------------------------------------------------ the adaptive design
    def _build_adaptive(self) -> None:
        """The button that simulates the adaptive design's assurance (seconds: on request, like the
        Adaptive tab's run) and its own runner; the result is kept for the inputs it was made for."""
        from planner.adaptive.assurance import ADAPTIVE_DRAWS, TRIALS_PER_DRAW

        self.adaptive_tasks = TaskRunner(self)
        self.adaptive_result: tuple[Scenario, object] | None = None
        self.adaptive_draws: int | None = None     # None: ADAPTIVE_DRAWS (tests use fewer)
        self.adaptive_trials: int | None = None    # None: TRIALS_PER_DRAW
        self.adaptive_power = lambda scenario: None   # the Adaptive tab's power at these inputs, if run (set by the window)
        self.adaptive_button = QPushButton("Simulate the adaptive design's assurance")
        self.adaptive_button.setToolTip(
            f"Simulates {TRIALS_PER_DRAW} trials of the adaptive design under each of the first {ADAPTIVE_DRAWS:,} "
            "prior draws (the fixed designs' draws) and adds it to the distribution of power: several seconds, "
            "in the background (Cancel in the status bar).")
        self.adaptive_button.clicked.connect(self.simulate_adaptive)
        self.adaptive_tasks.cancelled.connect(lambda: self._adaptive_ended("cancelled"))
        self.adaptive_button.setVisible(False)

    def simulate_adaptive(self) -> None:
        """Simulate the adaptive design's assurance at the shown inputs (background, cancellable)."""
        scenario = self.scenario
        if scenario is None or "adaptive" not in scenario.designs:
            return
        self.adaptive_button.setEnabled(False)
        self.adaptive_button.setText("Simulating the adaptive design's assurance…")
        self.adaptive_tasks.start("Simulating the adaptive design's assurance", _adaptive_task, scenario,
                                  self.adaptive_power(scenario), self.adaptive_draws, self.adaptive_trials,
                                  on_done=lambda out: self._adaptive_done(scenario, out),
                                  on_error=lambda message: self._adaptive_ended(f"failed: {message}"))

    def _adaptive_ended(self, how: str) -> None:
        self.adaptive_button.setEnabled(True)
        self.adaptive_button.setText("Simulate the adaptive design's assurance")
        self.logged.emit(f"Adaptive design's assurance {how}", "")

    def _adaptive_done(self, scenario: Scenario, result: object) -> None:
        self._adaptive_ended("done")
        if scenario != self.scenario:
            return   # the inputs changed meanwhile: not these inputs' assurance
        self.adaptive_result = (scenario, result)
        self.logged.emit("Adaptive design's assurance (simulated)", result.summary())
        self.show_results(scenario, self.results or {})
        self.computed.emit(self.shown())

    def adaptive_for(self, scenario: Scenario) -> object | None:
        """The simulated adaptive assurance made for ``scenario``'s inputs (None: not simulated)."""
        kept = self.adaptive_result
        return kept[1] if kept is not None and kept[0] == scenario else None

    def shown(self) -> dict:
        """The results drawn: the fixed designs' and, if simulated for these inputs, the adaptive one's."""
        extra = self.adaptive_for(self.scenario) if self.scenario is not None else None
        return {**(self.results or {}), **({"adaptive": extra} if extra is not None else {})}

    # ------------------------------------------------------------------ computing
    @property
    def busy(self) -> bool:
        return self.tasks.active > 0 or self.pending is not None

    def request(self, scenario: Scenario, comparison: Comparison) -> None:
        """Compute the assurance of ``comparison`` in the background (newest request wins)."""
        self.generation += 1
        self.pending = (self.generation, scenario, comparison)
        if self.tasks.active == 0:
            self._start_pending()
        else:
            self.tasks.cancel()  # superseded: it stops at the next design, then the newest starts

    def cancel(self) -> None:
        """Forget queued requests and ignore a running one (new inputs, or no uncertainty block any
        more); a running simulation of the adaptive design's assurance is for the old inputs: stopped."""
        self.generation += 1
        self.pending = None
        self.tasks.cancel()
        self.adaptive_tasks.cancel()

    def _start_pending(self) -> None:
        if self.pending is None:
            return
        generation, scenario, comparison = self.pending
        self.pending = None
        self._running_scenario = scenario
        self.tasks.start("Computing the assurance", _assurance_task, scenario, comparison,
                         on_done=lambda out: self._succeeded(generation, *out),
                         on_error=lambda message: self._failed(generation, message))

    def _thread_finished(self) -> None:
        if self.tasks.active == 0:
            self._start_pending()

    def _succeeded(self, generation: int, results: dict, ms: float) -> None:
        if generation != self.generation:
            return  # a newer request is queued or the block was removed
        self.last_ms = ms
        self.shown_generation = generation
        self.show_results(self._running_scenario, results)
        self.computed.emit(self.shown())
        if results:
            first = next(iter(results.values()))
            body = "\n".join(
                f"  {a.label}: " + (f"assurance {a.assurance:.4f} (MC SE {a.assurance_se:.4f}), "
                                    f"P(power > {a.power_threshold:.0%}) {a.prob_power_above:.3f}"
                                    if a.assurance is not None else f"— ({a.message})")
                for a in results.values()
            )
            self.logged.emit(f"Assurance over {first.draws:,} prior draws (seed {first.seed}) — {ms:.0f} ms", body)

    def _progressed(self, generation: int, done: int, total: int) -> None:
        """While nothing is shown yet, say how far the computation is."""
        if generation == self.generation and self.results is None:
            self.summary.setText(f"Computing the assurance… {done} of {total} designs")

    def _failed(self, generation: int, message: str) -> None:
        if generation != self.generation:
            return
        self.results = None
        self.computed.emit({})
        self.clear(f"Assurance could not be computed: {message}")
        self.logged.emit("Assurance failed", f"  {message}")

    def wait_idle(self, ms: int = 5000) -> None:
        """Wait for the running computation (used on close)."""
        self.pending = None
        for runner in (self.tasks, self.adaptive_tasks):
            if runner.active:
                runner.wait(ms)

    def shutdown(self) -> None:
        self.cancel()
        self.wait_idle()

    # ------------------------------------------------------------------ showing
    def clear(self, message: str) -> None:
        self.results = None
        self.dirty = False
        self.summary.setText(message)
        self.canvas.csv_text = ""
        self.canvas.clear(message)
        self.canvas.redraw()

    def set_stale(self, reason: str) -> None:
        self.summary.setText(f"⚠ Not updated: {reason}")

    def showEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        if self.dirty:
            self.render()

    def show_results(self, scenario: Scenario, results: dict) -> None:
        """Keep ``results`` (design → AssuranceResult) and draw them now, or when the tab is shown."""
        self.results, self.scenario = results, scenario
        has_adaptive = scenario is not None and "adaptive" in scenario.designs
        self.adaptive_button.setVisible(has_adaptive and bool(results) and self.adaptive_for(scenario) is None)
        self.dirty = True
        if self.isVisible():
            self.render()

    def render(self) -> None:
        from planner.assurance import describe_uncertainty
        from planner.figures import draw_power_distribution
        from planner.report.figures import power_distribution_csv

        self.dirty = False
        results, scenario = self.shown(), self.scenario
        ax = self.canvas.ax
        ax.clear()
        if not draw_power_distribution(ax, results):
            self.summary.setText("No design has a planned size to evaluate the assurance at.")
            self.canvas.csv_text = ""
            self.canvas.clear("No design has a planned size to evaluate the assurance at.")
            self.canvas.redraw()
            return
        self.canvas.csv_text = power_distribution_csv(results)
        self.canvas.redraw()
        first = next(iter(results.values()))
        lines = "; ".join(describe_uncertainty(scenario)) or "no input is uncertain"
        skipped = [a.label for a in results.values() if a.assurance is None]
        text = (f"<b>Assurance</b> — the expected power over {first.draws:,} prior draws (seed {first.seed}) of: "
                f"{lines}. P(power &gt; {first.power_threshold:.0%}) is the share of draws reaching "
                f"{first.power_threshold:.0%} power.")
        simulated = results.get("adaptive")
        if simulated is not None and simulated.assurance is not None:
            text += (f" {simulated.label}: simulated, {simulated.trials_per_draw:,} trials under each of the first "
                     f"{simulated.draws:,} draws (MC SE {simulated.assurance_se:.3f}).")
        if skipped:
            text += " Not shown (no planned size): " + ", ".join(skipped) + "."
        self.summary.setText(text)
