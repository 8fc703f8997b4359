"""Panels of the adaptive design workspace (beside the settings of :mod:`ui.adaptive_tab`).

* :class:`MoreSettings` — the non-binding futility bounds and the sample-size recalculation
  (fields of the catalogue that the settings form does not show);
* :class:`StagesView` — per-stage results of the last run (table and figure) and the design's
  boundaries (drawn from the current settings, before any run);
* :class:`RunPanel` — the base of the panels that run long work: their own
  :class:`ui.tasks.TaskRunner` (progress, Cancel), the scenario the result belongs to (stale
  marking after an edit, cleared on open), and a button that keeps the result in the scenario
  file (``designs.adaptive.results``, :mod:`ui.kept_results`);
* :class:`SearchPanel` — the sample-size search (``simulate --find-size``);
* :class:`FwerPanel` — the type I error under the global null and every partial null.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from planner.catalogue import (
    ADAPTIVE_FIGURE_WORDS,
    FIELDS_BY_PATH,
    FWER_NULLS,
    KEPT_WORDS,
    SEARCH_CLAIMS,
    FieldSpec,
)
from planner.scenario import Scenario

from .document import ScenarioDocument
from .field_widgets import ERROR_STYLE, FieldRow
from .plot_canvas import PlotCanvas
from .tasks import TaskRunner, TaskState

P = "designs.adaptive"
RP = f"{P}.sample_size_recalculation"


def _cell(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    return item


def legend_room(canvas: PlotCanvas, inches: float = 1.45) -> PlotCanvas:
    """Keep room right of the axes for a legend drawn outside them (the sweep's and FWER figures)."""
    left, _right, bottom, top = canvas.margins
    canvas.margins = (left, inches, bottom, top)
    canvas.fit_margins()
    return canvas


def _num(value: Any, fmt: str = "{:.4f}") -> str:
    return "—" if value is None else fmt.format(value)


# ---------------------------------------------------------------------------- settings
class OptionalListRow(FieldRow):
    """A list field that may be empty: clearing the text removes the field (``None``)."""

    def _list_changed(self, text: str) -> None:
        if not text.strip():
            self.local_error = ""
            self.edited.emit(self.spec.path, None)
            return
        super()._list_changed(text)


class MoreSettings(QGroupBox):
    """Futility bounds and sample-size recalculation of ``designs.adaptive``."""

    def __init__(self, doc: ScenarioDocument, parent: QWidget | None = None) -> None:
        super().__init__("Futility and sample-size recalculation", parent)
        self.doc = doc
        self.form = QFormLayout(self)
        self.rows: dict[str, FieldRow] = {}
        self._add(FIELDS_BY_PATH[f"{P}.futility_bounds"], OptionalListRow)
        self.recalc = QCheckBox("Recalculate the sample size at each interim (conditional power)")
        self.recalc.setToolTip(FIELDS_BY_PATH[f"{RP}.conditional_power"].tooltip)
        self.recalc.toggled.connect(self._toggle_recalc)
        self.form.addRow(self.recalc)
        for name in ("conditional_power", "effect", "min_subjects", "max_subjects", "min_events", "max_events"):
            self._add(FIELDS_BY_PATH[f"{RP}.{name}"], FieldRow)

    def _add(self, spec: FieldSpec, cls: type) -> None:
        row = cls(spec, self.doc)
        self.rows[spec.path] = row
        self.form.addRow(row.label, row)

    def _toggle_recalc(self, on: bool) -> None:
        present = self.doc.get(RP) is not None
        if on == present:
            return
        if not on:
            self.doc.set_block(RP, None, "Remove sample-size recalculation")
            return
        surv = self.doc.endpoint == "survival"
        planned = list(self.doc.get(f"{P}.planned_{'events' if surv else 'subjects'}") or [])
        if len(planned) < 2:
            return
        steps = [planned[0]] + [b - a for a, b in zip(planned, planned[1:])]
        unit = "events" if surv else "subjects"
        block = {"conditional_power": FIELDS_BY_PATH[f"{RP}.conditional_power"].default,
                 f"min_{unit}": [float(x) for x in steps],
                 f"max_{unit}": [float(steps[0])] + [float(2 * x) for x in steps[1:]]}
        self.doc.set_block(RP, block, "Add sample-size recalculation")

    def refresh(self, present: bool) -> None:
        recalc = self.doc.get(RP) is not None
        self.recalc.blockSignals(True)
        self.recalc.setChecked(recalc)
        self.recalc.blockSignals(False)
        self.recalc.setEnabled(present and len(self.doc.get(f"{P}.information_rates") or []) >= 2)
        for path, row in self.rows.items():
            row.load()
            shown = row.applies_to(self.doc.endpoint) and (path.startswith(f"{P}.futility") or recalc)
            self.form.setRowVisible(row, shown)
            row.setEnabled(present)


# ---------------------------------------------------------------------------- per stage, boundaries
class StagesView(QWidget):
    """Per-stage table and figure of the last run; the boundaries of the current settings."""

    def __init__(self, doc: ScenarioDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.table = QTableWidget(0, 0)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.stages_plot = legend_room(PlotCanvas("Rejection and stopping per stage", figsize=(5, 3)))
        self.boundary_plot = PlotCanvas("Boundaries", figsize=(5, 3))
        self.boundary_note = QLabel()
        self.boundary_note.setWordWrap(True)
        plots = QSplitter(Qt.Orientation.Horizontal)
        plots.addWidget(self.stages_plot)
        plots.addWidget(self.boundary_plot)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(plots)
        split.setSizes([150, 330])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(split, 1)
        lay.addWidget(self.boundary_note)
        self._plan_key: Any = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.draw_boundaries)

    def schedule_boundaries(self) -> None:
        """Redraw the boundaries once the event loop is idle (edits come in bursts)."""
        self._timer.start(0)

    def draw_boundaries(self) -> None:
        from planner.figures_adaptive import boundary_plan, draw_adaptive_boundaries

        scenario = self.doc.scenario if self.doc.valid else None
        if scenario is None or "adaptive" not in scenario.designs:
            self.boundary_note.setText("")
            return
        opts = scenario.designs["adaptive"]
        key = (opts, scenario.endpoint, scenario.testing.alpha)
        if key == self._plan_key:
            return
        self._plan_key = key
        from planner.adaptive.model import model_from_scenario

        try:
            plan = boundary_plan(model_from_scenario(scenario))
        except Exception as exc:  # a design the simulator refuses: say why, draw nothing
            self.boundary_note.setText(f"Boundaries not available: {exc}")
            return
        self.boundary_note.setText("")
        fig = self.boundary_plot.figure
        fig.clear()
        self.boundary_plot.ax = fig.add_subplot(1, 1, 1)
        draw_adaptive_boundaries(self.boundary_plot.ax, plan)
        self.boundary_plot.fit_margins()
        self.boundary_plot.csv_text = "stage,planned,critical_value,futility_bound\n" + "".join(
            f"{k + 1},{n:g},{c:.6g},{'' if not plan['futility_bounds'] or k >= len(plan['futility_bounds']) else plan['futility_bounds'][k]}\n"
            for k, (n, c) in enumerate(zip(plan["planned"], plan["critical_values"])))
        self.boundary_plot.redraw()

    def show_result(self, result: dict | None) -> None:
        from planner.figures_adaptive import draw_adaptive_stages, stage_table

        self.table.clear()
        fig = self.stages_plot.figure
        fig.clear()
        if not result:
            self.table.setRowCount(0)
            self.table.setColumnCount(0)
            self.stages_plot.redraw()
            return
        rows = stage_table(result)
        stages = int(result.get("stages") or (len(rows[0][1]) if rows else 0))
        self.table.setColumnCount(stages)
        self.table.setRowCount(len(rows))
        self.table.setHorizontalHeaderLabels([f"Stage {k + 1}" for k in range(stages)])
        self.table.setVerticalHeaderLabels([words for words, _, _ in rows])
        for i, (_words, values, ses) in enumerate(rows):
            for k in range(stages):
                v = values[k] if k < len(values) else None
                se = ses[k] if k < len(ses) else None
                self.table.setItem(i, k, _cell("—" if v is None else f"{v:.4f} ± {se or 0:.4f}"))
        self.table.resizeColumnsToContents()
        self.stages_plot.ax = fig.add_subplot(1, 1, 1)
        draw_adaptive_stages(self.stages_plot.ax, result)
        self.stages_plot.fit_margins()
        self.stages_plot.csv_text = "quantity," + ",".join(f"stage_{k + 1},stage_{k + 1}_se" for k in range(stages)) + "\n" + "".join(
            f"\"{w}\"," + ",".join(f"{'' if v is None else v},{'' if s is None else s}" for v, s in zip(vals, ses)) + "\n"
            for w, vals, ses in rows)
        self.stages_plot.redraw()

    def set_stale(self, stale: bool) -> None:
        self.table.setEnabled(not stale)
        self.stages_plot.setEnabled(not stale)


# ---------------------------------------------------------------------------- long work
class RunPanel(QWidget):
    """Run / Cancel / progress / status, stale marking and Keep for one kind of long work."""

    logged = Signal(str, str)
    keep_requested = Signal(str, object)  # kind, entry (ui.kept_results)
    kind = ""
    run_text = "Run"

    def __init__(self, doc: ScenarioDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.tasks = TaskRunner(self)
        self.tasks.progressed.connect(self._progressed)
        self.tasks.idle.connect(self._idle)
        self.result: dict | None = None
        self.result_scenario: Scenario | None = None
        self.settings: dict = {}
        self.run_button = QPushButton(self.run_text)
        self.run_button.clicked.connect(self.run)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.keep_button = QPushButton(KEPT_WORDS["keep"])
        self.keep_button.setToolTip(KEPT_WORDS["keep_tip"])
        self.keep_button.setEnabled(False)
        self.keep_button.clicked.connect(self.keep)
        self.progress = QProgressBar()
        self.progress.setValue(0)
        self.status = QLabel("Not run yet.")
        self.status.setWordWrap(True)
        self.stale_label = QLabel()
        self.stale_label.setStyleSheet(ERROR_STYLE)
        self.stale_label.setWordWrap(True)
        self.stale_label.hide()
        self.controls = QHBoxLayout()
        for w in (self.run_button, self.cancel_button, self.keep_button):
            self.controls.addWidget(w)
        self.controls.addWidget(self.progress, 1)
        self.stale = False
        self.from_file = False
        self.kept_digest = ""

    # subclasses: settings(), work(state, scenario, settings), show(result)
    def current_settings(self) -> dict:
        return {}

    def work(self, state: TaskState, scenario: Scenario, settings: dict) -> dict:  # pragma: no cover
        raise NotImplementedError

    def show(self, result: dict | None) -> None:  # pragma: no cover
        raise NotImplementedError

    def run(self) -> None:
        scenario = self.doc.scenario if self.doc.valid else None
        if scenario is None or "adaptive" not in scenario.designs or self.tasks.running:
            return
        settings = self.current_settings()
        if settings is None:
            return
        self._pending = (scenario, settings)
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress.setRange(0, 0)
        self.status.setText(f"{self.run_text}…")
        self.tasks.start(self.run_text, self.work, scenario, settings, on_done=self._done, on_error=self._failed)

    def cancel(self) -> None:
        if self.tasks.running:
            self.tasks.stop()
            self.status.setText("Cancelling…")

    def shutdown(self) -> None:
        self.tasks.cancel()

    def _progressed(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
        else:
            self.progress.setRange(0, 0)

    def _idle(self) -> None:
        self.cancel_button.setEnabled(False)
        self.progress.setRange(0, 1)
        self.progress.setValue(1 if self.result is not None else 0)
        self.refresh()

    def _done(self, result: dict) -> None:
        self.result_scenario, self.settings = self._pending
        self.set_result(result, from_file=False)
        self.logged.emit(f"{self.run_text}: {self.status.text()}", self.log_text(result))

    def _failed(self, message: str) -> None:
        self.status.setText(f"Failed: {message}")
        self.logged.emit(f"{self.run_text} failed", f"  {message}")

    def log_text(self, result: dict) -> str:
        return ""

    def set_result(self, result: dict | None, *, from_file: bool) -> None:
        self.result, self.from_file = result, from_file
        self.show(result)
        self.keep_button.setEnabled(result is not None and not from_file)
        self.refresh()

    def clear(self) -> None:
        """Another scenario was opened: the results of its predecessor go (a run is stopped)."""
        self.tasks.cancel()
        self.result = self.result_scenario = None
        self.settings = {}
        self.from_file = False
        self.show(None)
        self.status.setText("Not run yet.")
        self.keep_button.setEnabled(False)
        self._set_stale(False)

    def refresh(self) -> None:
        present = self.doc.valid and "adaptive" in (self.doc.data.get("designs") or {})
        self.run_button.setEnabled(bool(present) and not self.tasks.running)
        if self.result is not None and self.result_scenario is not None:
            self._set_stale(not _same(self.doc.scenario if self.doc.valid else None, self.result_scenario))
        elif self.result is not None and self.from_file:
            from planner.kept_results import inputs_digest

            self._set_stale(not self.doc.valid or inputs_digest(self.doc.scenario) != self.kept_digest)

    def load_kept(self, entry: dict | None) -> None:
        """Show a result kept in the scenario file (stale when it belongs to other inputs)."""
        if not entry or self.tasks.running:
            return
        self.kept_digest = str(entry.get("inputs", ""))
        self.settings = dict(entry.get("settings") or {})
        self.result_scenario = None
        try:
            self.set_result(dict(entry["result"]), from_file=True)
        except (KeyError, TypeError, ValueError, IndexError) as exc:  # a damaged entry: say so, show nothing
            self.result, self.from_file = None, False
            self.show(None)
            self.status.setText(f"The kept result could not be shown: {exc}")
            return
        self.status.setText(f"Kept in the scenario file (seed {entry.get('seed')}, "
                            f"{entry.get('simulations', 0):,} simulated trials). " + self.status.text())

    def _set_stale(self, stale: bool) -> None:
        self.stale = stale
        self.stale_label.setText(KEPT_WORDS["stale"] if stale else "")
        self.stale_label.setVisible(stale)
        self.set_enabled_results(not stale)

    def set_enabled_results(self, on: bool) -> None:
        pass

    def keep(self) -> None:
        if self.result is None or self.result_scenario is None:
            return
        from planner.kept_results import make_entry

        self.keep_requested.emit(self.kind, make_entry(self.result_scenario, self.result, self.settings))
        self.keep_button.setEnabled(False)
        self.status.setText(self.status.text() + f" ({KEPT_WORDS['kept']})")


def _same(a: Scenario | None, b: Scenario | None) -> bool:
    if a is None or b is None:
        return False
    from planner.report.html_report import same_assumptions

    return same_assumptions(a, b)


def _search_task(state: TaskState, scenario: Scenario, settings: dict) -> dict:
    from planner.adaptive.model import model_from_scenario
    from planner.adaptive.search import search_sample_size

    def progress(done: int, _total: int) -> None:
        state.check()
        state.set_status(f"Sample-size search: {done} sizes simulated")

    opts = scenario.designs["adaptive"]
    res = search_sample_size(model_from_scenario(scenario), settings["target"], claim=settings["claim"],
                             simulations=int(opts.simulations), seed=int(opts.seed), progress=progress)
    return res.to_dict()


class SearchPanel(RunPanel):
    """The smallest maximum size reaching a target probability of a claim (``--find-size``)."""

    kind = "search"
    run_text = "Find the sample size"

    def __init__(self, doc: ScenarioDocument, parent: QWidget | None = None) -> None:
        super().__init__(doc, parent)
        self.keep_button.hide()  # the size found is kept by using it
        spec = FIELDS_BY_PATH["testing.power"]
        self.target = QDoubleSpinBox()
        self.target.setDecimals(3)
        self.target.setSingleStep(0.05)
        self.target.setRange(spec.lo, spec.hi)
        self.target.setValue(0.8)
        self.claim = QComboBox()
        for code, words in SEARCH_CLAIMS.items():
            self.claim.addItem(words, code)
        self.use_button = QPushButton("Use this size")
        self.use_button.setEnabled(False)
        self.use_button.clicked.connect(self.use_size)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["Maximum size", "P(claim)"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        form = QFormLayout()
        form.addRow("Target probability", self.target)
        form.addRow("Claim", self.claim)
        note = QLabel("The planned stage sizes are scaled together; every size is simulated with the design's "
                      "seed and number of simulations (common random numbers), and the smallest size reaching the "
                      "target is found by doubling and bisection.")
        note.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(note)
        lay.addLayout(self.controls)
        lay.addWidget(self.status)
        lay.addWidget(self.stale_label)
        lay.addWidget(self.use_button)
        lay.addWidget(self.table, 1)

    def current_settings(self) -> dict:
        return {"target": float(self.target.value()), "claim": str(self.claim.currentData())}

    def work(self, state: TaskState, scenario: Scenario, settings: dict) -> dict:
        return _search_task(state, scenario, settings)

    def show(self, result: dict | None) -> None:
        self.table.setRowCount(0)
        self.use_button.setEnabled(False)
        if not result:
            return
        trail = sorted(result.get("evaluations") or [])
        self.table.setRowCount(len(trail))
        for i, (size, p) in enumerate(trail):
            self.table.setItem(i, 0, _cell(f"{int(size):,}"))
            self.table.setItem(i, 1, _cell(f"{p:.4f}"))
        if result.get("feasible"):
            planned = ", ".join(f"{x:,.0f}" for x in result["planned"])
            self.status.setText(f"Smallest maximum size: {result['size']:,} (stages {planned}); P(claim) "
                                f"{result['power']:.4f} ± {result['power_se']:.4f} (Monte Carlo SE), "
                                f"{len(trail)} sizes simulated.")
            self.use_button.setEnabled(True)
        else:
            self.status.setText(f"No size found: {result.get('message', '')}")

    def log_text(self, result: dict) -> str:
        return "  " + self.status.text()

    def use_size(self) -> None:
        if not self.result or not self.result.get("feasible") or self.stale:
            return
        key = "planned_events" if self.doc.endpoint == "survival" else "planned_subjects"
        self.doc.set_value(f"{P}.{key}", [float(x) for x in self.result["planned"]])


def _fwer_task(state: TaskState, scenario: Scenario, settings: dict) -> dict:
    from planner.adaptive.fwer import fwer_table
    from planner.adaptive.model import model_from_scenario

    res = fwer_table(model_from_scenario(scenario), simulations=settings["simulations"], seed=settings["seed"],
                     progress=state.set_progress, is_cancelled=state.is_interruption_requested)
    out = res.to_dict()
    out["summary"] = res.summary()
    return out


class FwerPanel(RunPanel):
    """Type I error under the global null and every partial null, maximum over the nuisance grid."""

    kind = "fwer"
    run_text = "Type I error over the nulls"

    def __init__(self, doc: ScenarioDocument, parent: QWidget | None = None) -> None:
        super().__init__(doc, parent)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["Null", "Maximum type I error", "Monte Carlo SE", "at P(test+)",
                                              "at effect δ"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.plot = legend_room(PlotCanvas("Type I error under the nulls", figsize=(5, 3)), 1.9)
        note = QLabel("Every null configuration (global; H_S true only; H_F true only) over a grid of prevalences and "
                      "effects δ, with the design's seed and simulations (common random numbers).")
        note.setWordWrap(True)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.plot)
        split.setSizes([110, 330])
        lay = QVBoxLayout(self)
        lay.addWidget(note)
        lay.addLayout(self.controls)
        lay.addWidget(self.status)
        lay.addWidget(self.stale_label)
        lay.addWidget(split, 1)

    def current_settings(self) -> dict:
        opts = self.doc.scenario.designs["adaptive"]
        return {"simulations": int(opts.simulations), "seed": int(opts.seed)}

    def work(self, state: TaskState, scenario: Scenario, settings: dict) -> dict:
        return _fwer_task(state, scenario, settings)

    def show(self, result: dict | None) -> None:
        self.table.setRowCount(0)
        fig = self.plot.figure
        fig.clear()
        if not result:
            self.plot.redraw()
            return
        maxima = result.get("maximum") or {}
        self.table.setRowCount(len(maxima))
        for i, (null, top) in enumerate(maxima.items()):
            flag = "" if top.get("within_alpha_3se", True) else "  ⚠ above α + 3 SE"
            self.table.setItem(i, 0, _cell(FWER_NULLS.get(null, null)))
            self.table.setItem(i, 1, _cell(f"{top['fwer']:.4f}{flag}"))
            self.table.setItem(i, 2, _cell(_num(top.get("fwer_se"))))
            self.table.setItem(i, 3, _cell(_num(top.get("prevalence"), "{:.3g}")))
            self.table.setItem(i, 4, _cell(_num(top.get("effect"), "{:.4g}")))
        self.table.resizeColumnsToContents()
        from planner.figures_adaptive import draw_fwer

        self.plot.ax = fig.add_subplot(1, 1, 1)
        draw_fwer(self.plot.ax, result)
        self.plot.fit_margins()
        self.plot.csv_text = "null,prevalence,effect,fwer,fwer_se,simulations\n" + "".join(
            f"{r.get('null')},{r.get('prevalence')},{'' if r.get('effect') is None else r['effect']},{r.get('fwer')},"
            f"{r.get('fwer_se')},{r.get('simulations')}\n" for r in result.get("rows", ()))
        self.plot.redraw()
        alpha = result.get("alpha")
        self.status.setText(f"α = {alpha:g} one-sided; {result.get('simulations', 0):,} trials per configuration, "
                            f"seed {result.get('seed')}." + (" " + ADAPTIVE_FIGURE_WORDS["band"] + " in the plot."))

    def set_enabled_results(self, on: bool) -> None:
        self.table.setEnabled(on)
        self.plot.setEnabled(on)

    def log_text(self, result: dict) -> str:
        return str(result.get("summary", ""))


__all__ = ["FwerPanel", "MoreSettings", "OptionalListRow", "RunPanel", "SearchPanel", "StagesView"]
