"""Adaptive enrichment tab: settings, Run with progress and Cancel, results with Monte Carlo SEs.

The simulation runs in a :class:`SimulationThread`; progress and the result come back to the
GUI thread by queued signals, and Cancel sets a flag the simulator polls (``is_cancelled``).
"""

from __future__ import annotations

import copy
import importlib
import time
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from planner.catalogue import ADAPTIVE_FIELDS, EFFECTS
from planner.errors import ScenarioError
from planner.scenario import Scenario

from .adaptive_workspace import Workspace
from .document import ScenarioDocument
from .field_widgets import ERROR_STYLE, FieldRow
from .plot_canvas import PlotCanvas
from .population_results import show_adaptive_populations
from .tasks import TaskRunner, TaskState

RESULT_ROWS = (
    ("reject_subgroup", "P(reject H_S: B+ subgroup)"),
    ("reject_overall", "P(reject H_F: full population)"),
    ("reject_at_least_one", "P(reject at least one)"),
    ("select_subgroup_only", "P(select B+ only at interim)"),
    ("select_overall_only", "P(select full population only)"),
    ("select_both", "P(continue with both)"),
    ("reject_both", "P(reject both)"),
    ("success", "P(success)"),
    ("early_stop_efficacy", "P(early stop for efficacy)"),
    ("early_stop_futility", "P(early stop for futility)"),
    ("expected_subjects", "Expected subjects"),
    ("expected_events", "Expected events"),
    ("expected_screened", "Expected screened"),
)


def load_simulator() -> Callable:
    """``planner.adaptive.simulate_scenario`` (imported when first needed)."""
    return importlib.import_module("planner.adaptive").simulate_scenario


def global_null(data: dict) -> dict:
    """The scenario dictionary with no treatment effect in B+ nor B− (the global null): the
    simulated rejection probabilities are then the type I error rates (FWER for '≥ 1')."""
    out = copy.deepcopy(data)
    field = EFFECTS[str(out.get("endpoint", "continuous"))].field
    for key in ("positive", "negative"):
        block = out.get(key)
        if not isinstance(block, dict):
            continue
        if field == "treatment_rate":
            block["treatment_rate"] = block.get("control_rate")
        else:
            block[field] = 1.0 if field == "hazard_ratio" else 0.0
    out.pop("uncertainty", None)
    return out


def _simulation_task(state: TaskState, simulate: Callable, scenario: Scenario, simulations: int | None,
                     seed: int | None) -> dict:
    """Worker body (:mod:`ui.tasks`): the simulator, stopped early (partial results) on Cancel."""
    result = simulate(scenario, simulations=simulations, seed=seed, progress=state.set_progress,
                      is_cancelled=state.is_interruption_requested)
    out = result.to_dict() if hasattr(result, "to_dict") else dict(result)
    if state.is_interruption_requested():
        out.setdefault("incomplete", True)
    return out


class AdaptiveTab(QWidget):
    """Settings of ``designs.adaptive``, a Run button, progress, Cancel and the results."""

    finished = Signal()
    logged = Signal(str, str)

    def __init__(self, doc: ScenarioDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.simulate: Callable | None = None  # tests may set a fake simulator
        self.suggest_size: Callable[[], float | None] | None = None  # planned size for a new design
        self.tasks = TaskRunner(self)
        self.tasks.progressed.connect(self._progressed)
        self.tasks.idle.connect(self._thread_done)
        self.run_scenario: Scenario | None = None
        self.stale = False
        self.result: dict | None = None
        self.result_scenario: Scenario | None = None
        self.started_at = 0.0
        self.include = QCheckBox("Include an adaptive enrichment design")
        self.include.setToolTip("Add designs.adaptive to the scenario (saved with the file); it is evaluated "
                                "by simulation with Run")
        self.include.toggled.connect(self._toggle)
        self.rows: dict[str, FieldRow] = {}
        settings = QGroupBox("Adaptive design (two or more stages, interim population selection)")
        self.form = QFormLayout(settings)
        for spec in ADAPTIVE_FIELDS:
            row = FieldRow(spec, doc)
            self.rows[spec.path] = row
            self.form.addRow(row.label, row)
        self.problems = QLabel()
        self.problems.setStyleSheet(ERROR_STYLE)
        self.problems.setWordWrap(True)
        self.form.addRow(self.problems)
        self.run_button = QPushButton("Run simulation")
        self.run_button.clicked.connect(self.run)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar()
        self.progress.setFormat("%v / %m simulated trials")
        self.progress.setValue(0)
        self.null_button = QPushButton("Run under the global null (FWER)")
        self.null_button.setToolTip("Simulate with no effect in B+ nor B−: the rejection probabilities are the "
                                    "type I error rates (family-wise for '≥ 1')")
        self.null_button.clicked.connect(self.run_null)
        self.status = QLabel("Not run yet.")
        self.status.setWordWrap(True)
        self.stale_label = QLabel()
        self.stale_label.setStyleSheet(ERROR_STYLE)
        self.stale_label.setWordWrap(True)
        self.stale_label.hide()
        controls = QHBoxLayout()
        controls.addWidget(self.run_button)
        controls.addWidget(self.null_button)
        controls.addWidget(self.cancel_button)
        controls.addWidget(self.progress, 1)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.include)
        left_layout.addWidget(settings)
        self.workspace = Workspace(self, doc)
        left_layout.addWidget(self.workspace.more)
        left_layout.addLayout(controls)
        left_layout.addWidget(self.status)
        left_layout.addWidget(self.stale_label)
        left_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(left)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)  # narrow windows scroll
        scroll.setMinimumWidth(min(left.minimumSizeHint().width() + 24, 300))
        self.table = QTableWidget(len(RESULT_ROWS), 2)
        self.table.setHorizontalHeaderLabels(["Estimate", "Monte Carlo SE"])
        self.table.setVerticalHeaderLabels([label for _, label in RESULT_ROWS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.plot = PlotCanvas("Rejection and selection probabilities", figsize=(5, 3))
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.table)
        right.addWidget(self.plot)
        splitter = QSplitter()
        splitter.addWidget(scroll)
        splitter.addWidget(self.workspace.tabs(right))
        splitter.setSizes([470, 600])
        right.setSizes([360, 260])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(splitter)
        doc.changed.connect(self.refresh)
        doc.opened.connect(self.clear_results)
        self.workspace.connect()  # after the tab's own slots: the panels follow its state
        self.result_kind = ""

    # ------------------------------------------------------------------ settings
    def _toggle(self, on: bool) -> None:
        if on != ("adaptive" in (self.doc.data.get("designs") or {})):
            self.doc.set_adaptive(on, self.suggest_size() if (on and self.suggest_size) else None)

    def refresh(self, _path: str = "") -> None:
        present = "adaptive" in (self.doc.data.get("designs") or {})
        self.include.blockSignals(True)
        self.include.setChecked(present)
        self.include.blockSignals(False)
        for row in self.rows.values():
            row.load()
            self.form.setRowVisible(row, row.applies_to(self.doc.endpoint))
            row.setEnabled(present)
        other = [str(p) for p in self.doc.problems if p.path == "designs.adaptive"]
        self.problems.setText("\n".join(other))
        self.problems.setVisible(bool(other))
        self.run_button.setEnabled(present and self.doc.valid and not self.tasks.running)
        self.null_button.setEnabled(self.run_button.isEnabled())
        if self.result is not None:
            self._set_stale(self._current_scenario(self.result_kind) != self.result_scenario)

    # ------------------------------------------------------------------ staleness
    def _current_scenario(self, kind: str) -> Scenario | None:
        """The scenario a run of ``kind`` ('' or 'null') would simulate now (None if invalid)."""
        if not self.doc.valid:
            return None
        if kind != "null":
            return self.doc.scenario
        from planner.scenario_io import scenario_from_dict

        try:
            return scenario_from_dict(global_null(self.doc.data))
        except (ScenarioError, ValueError, TypeError):
            return None

    def _set_stale(self, stale: bool) -> None:
        """Results of other inputs stay visible but are marked: greyed, with a note to run again."""
        self.stale = stale
        self.stale_label.setText("These results are for earlier inputs: run the simulation again." if stale else "")
        self.stale_label.setVisible(stale)
        self.table.setEnabled(not stale)
        self.plot.setEnabled(not stale)

    def clear_results(self) -> None:
        """Another scenario was opened: its predecessor's results are removed (a run is stopped)."""
        self.tasks.cancel()
        self.result = self.result_scenario = None
        self.result_kind = ""
        self.table.clearContents()
        self.plot.figure.clear()
        self.plot.csv_text = ""
        self.plot.redraw()
        self.progress.setValue(0)
        self.status.setText("Not run yet.")
        self.status.setToolTip("")
        self._set_stale(False)

    # ------------------------------------------------------------------ running
    @property
    def running(self) -> bool:
        return self.thread is not None

    def run(self) -> None:
        self._run(self.doc.scenario, "")

    def run_null(self) -> None:
        """One click: the same design simulated under the global null (type I error, FWER)."""
        self._run(self._current_scenario("null"), " under the global null")

    def _run(self, scenario: Scenario | None, what: str) -> None:
        if scenario is None or "adaptive" not in scenario.designs or self.tasks.running:
            return
        try:
            simulate = self.simulate or load_simulator()
        except Exception as exc:
            self.status.setText(f"The adaptive simulator is not available: {exc}")
            return
        opts = scenario.designs["adaptive"]
        self.progress.setRange(0, int(opts.simulations))
        self.progress.setValue(0)
        self.run_scenario, self.run_what = scenario, what
        self.null_button.setEnabled(False)
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.status.setText(f"Simulating {opts.simulations:,} trials{what} (seed {opts.seed})…")
        self.started_at = time.perf_counter()
        self.tasks.start("Simulating the adaptive design", _simulation_task, simulate, scenario,
                         int(opts.simulations), int(opts.seed), on_done=self._succeeded, on_error=self._failed)

    @property
    def thread(self) -> TaskRunner | None:
        """The runner while a simulation runs (None otherwise)."""
        return self.tasks if self.tasks.running else None

    def cancel(self) -> None:
        """Stop the simulation early: the trials simulated so far are kept (partial results)."""
        if self.tasks.running:
            self.tasks.stop()
            self.status.setText("Cancelling…")

    def shutdown(self) -> None:
        """Cancel (window closing): the result of a running simulation is dropped."""
        self.tasks.cancel()
        self.workspace.shutdown()

    def _progressed(self, done: int, total: int) -> None:
        if total > 0 and self.progress.maximum() != total:
            self.progress.setRange(0, total)
        self.progress.setValue(done)

    def _succeeded(self, result: dict) -> None:
        self.result = result
        self.result_scenario = self.run_scenario  # what it was run for
        self.result_kind = "null" if self.run_what else ""
        self._set_stale(self._current_scenario(self.result_kind) != self.result_scenario)
        seconds = time.perf_counter() - self.started_at
        done = result.get("simulations")
        if result.get("incomplete"):
            self.status.setText(f"Cancelled: partial results from {done or 'the completed'} simulated trials.")
        else:
            self.status.setText(f"Done in {seconds:.2f} s" + (f" ({done:,} simulated trials" if done else " (")
                                + f"{self.run_what}).".replace("( ", "(").replace("()", ""))
        if self.run_what:
            self.status.setText(self.status.text() + " Rejection probabilities are type I error rates; "
                                "'≥ 1' is the family-wise error rate (FWER).")
        if result.get("method"):
            self.status.setToolTip(str(result["method"]))
        self._show_result(result)
        body = "\n".join(f"  {label}: {result[k]:.4g} (SE {result.get(k + '_se') or 0:.2g})"
                         for k, label in RESULT_ROWS if isinstance(result.get(k), (int, float)))
        if result.get("method"):
            body += f"\n  method: {result['method']}"
        self.logged.emit(f"Adaptive simulation — {self.status.text()}", body)

    def _failed(self, message: str) -> None:
        self.result = None
        self.status.setText(f"Simulation failed: {message}")
        self.logged.emit("Adaptive simulation failed", f"  {message}")

    def _thread_done(self) -> None:
        self.cancel_button.setEnabled(False)
        self.refresh()
        self.finished.emit()

    def _show_result(self, r: dict) -> None:
        for i, (key, _label) in enumerate(RESULT_ROWS):
            value, se = r.get(key), r.get(f"{key}_se")
            fmt = (lambda v: f"{v:,.1f}") if key.startswith("expected") else (lambda v: f"{v:.4f}")
            self.table.setItem(i, 0, QTableWidgetItem("—" if value is None else fmt(value)))
            self.table.setItem(i, 1, QTableWidgetItem("—" if se is None else fmt(se)))
            self.table.setRowHidden(i, value is None and key.startswith(("expected", "early", "reject_both", "success")))
        self.table.resizeColumnsToContents()
        fig = self.plot.figure
        fig.clear()
        ax1, ax2 = fig.subplots(1, 2)
        self.plot.ax = ax1
        for ax, keys, title in (
            (ax1, ("reject_subgroup", "reject_overall", "reject_at_least_one"), "rejection"),
            (ax2, ("select_subgroup_only", "select_overall_only", "select_both"), "interim selection"),
        ):
            names = ["B+", "full", "≥ 1"] if title == "rejection" else ["B+ only", "full only", "both"]
            vals = [float(r.get(k) or 0.0) for k in keys]
            errs = [1.96 * float(r.get(f"{k}_se") or 0.0) for k in keys]
            ax.bar(names, vals, yerr=errs, capsize=4, color=["#d62728", "#1f77b4", "#2ca02c"])
            ax.set_ylim(0, 1)
            ax.set_title(f"P({title}) ± 1.96 SE", fontsize=9)
            ax.grid(True, axis="y", alpha=0.3)
        self.plot.csv_text = "quantity,estimate,se\n" + "".join(
            f"{k},{r.get(k)},{r.get(k + '_se')}\n" for k, _ in RESULT_ROWS if r.get(k) is not None)
        show_adaptive_populations(self, r, len(RESULT_ROWS))  # several populations (ui/population_results.py)
        self.plot.redraw()
