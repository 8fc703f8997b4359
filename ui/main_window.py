"""Main window: inputs on the left; design comparison, plots, grid, adaptive and log on the right."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QWidget,
)

from planner.catalogue import NEW_SCENARIO
from planner.errors import ScenarioError

from . import background_compare
from .adaptive_tab import AdaptiveTab
from .assurance_view import AssuranceView
from .cells_table import add_cells_actions
from .comparison_view import ComparisonView
from .document import ScenarioDocument
from .help_dialogs import MethodsDialog, show_about
from .inputs_panel import InputsPanel
from .log_pane import LogPane
from .number_edit import DocumentUndoKeys
from .plots_panel import PlotsPanel
from .prior_editor import PriorEditor
from .sensitivity_tab import SensitivityTab
from .tasks import BusyIndicator, TaskRunner, TaskState
from .window_settings import WindowSettingsMixin

EXAMPLES = Path(__file__).resolve().parent.parent / "resources" / "scenarios"
DEFAULT_EXAMPLE = "egfr_nsclc_ipass.json"
#: edits are coalesced into at most one recomputation per this interval: the first edit after a
#: quiet period is computed at once (next event-loop turn), later ones at the end of the interval
DEBOUNCE_MS = 60
#: the assurance starts once the plots are drawn and the inputs have rested this long since: in
#: the background it still competes for the CPU, so it waits for a pause in the editing
ASSURANCE_DELAY_MS = 80


def example_files() -> list[Path]:
    return sorted(EXAMPLES.glob("*.json"))


def default_example() -> Path | None:
    preferred = EXAMPLES / DEFAULT_EXAMPLE
    if preferred.exists():
        return preferred
    files = example_files()
    return files[0] if files else None


def _export_report_task(state: TaskState, scenario, options: dict, path: Path) -> Path:
    """Worker body of File → Export report: build the report, then write it (atomically)."""
    from planner.report.html_report import build_report

    state.set_status(f"Computing the report for {path.name}")
    report = build_report(scenario, **options)
    state.check()  # cancelled: nothing is written
    state.set_status(f"Writing {path.name}")
    if path.suffix.lower() == ".pdf":
        from .report_pdf import write_report_pdf

        write_report_pdf(report, path)
    else:
        report.write_html(path)
    return path


def _title_of(path: Path) -> str:
    try:
        return str(json.loads(path.read_text(encoding="utf-8")).get("title") or path.stem)
    except (OSError, ValueError, AttributeError):
        return path.stem


class MainWindow(WindowSettingsMixin, QMainWindow):
    """The Enrichment Planner window. ``settings`` defaults to the user's QSettings.

    ``started`` is emitted once, after the first results and plots (``ui.app.run`` then freezes
    the start-up objects for the garbage collector)."""

    started = Signal()

    def __init__(self, path: str | None = None, settings: QSettings | None = None) -> None:
        super().__init__()
        self.settings = settings or QSettings("Enrichment Planner", "Enrichment Planner")
        self.doc = ScenarioDocument(self)
        self.comparison_result = None
        self.first_painted: float | None = None
        self.first_painted_cpu = 0.0  # time.process_time() then (benchmarks/bench_ui.py)
        self.table_updated_at = 0.0
        self.table_updated_cpu = 0.0  # time.thread_time() then
        self.last_compute_ms = 0.0
        self.compute_count = 0
        self.view_actions: list[QAction] = []
        self.last_open_error = ""
        self.inputs = InputsPanel(self.doc)
        self.comparison = ComparisonView()
        self.plots = PlotsPanel()
        self.sensitivity = SensitivityTab()
        self.adaptive = AdaptiveTab(self.doc)
        self.assurance = AssuranceView()
        self.priors = PriorEditor(self.doc)
        self.assurance.set_editor(self.priors)
        self.log = LogPane()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.plots, "Plots")
        self.tabs.addTab(self.assurance, "Assurance")
        self.tabs.setTabToolTip(1, "Distribution of power under the scenario's uncertainty block (shown when the "
                                   "scenario has one)")
        self.tabs.setTabVisible(1, False)
        self.tabs.addTab(self.sensitivity, "Sensitivity grid")
        self.tabs.addTab(self.adaptive, "Adaptive design")
        self.tabs.addTab(self.log, "Log")
        self.right = QSplitter(Qt.Orientation.Vertical)
        self.right.addWidget(self.comparison)
        self.right.addWidget(self.tabs)
        self.right.setStretchFactor(0, 0)
        self.right.setStretchFactor(1, 1)
        self.right.setSizes([260, 640])
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.inputs)
        self.splitter.addWidget(self.right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([470, 1030])
        self.setCentralWidget(self.splitter)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self._debounced)
        self._recompute_pending = False
        self._last_recompute_at = -1e9  # perf_counter() when the last recomputation started
        self.assurance_timer = QTimer(self)  # starts the assurance once the plots are drawn
        self.assurance_timer.setSingleShot(True)
        self.assurance_timer.timeout.connect(self._request_assurance)
        self._assurance_args: tuple | None = None
        self._assurance_waits = 0
        self.first_paint_timer = QTimer(self)
        self.first_paint_timer.setSingleShot(True)
        self.first_paint_timer.setInterval(0)
        self.first_paint_timer.timeout.connect(self._paint_then_compute)
        self.doc.changed.connect(self._changed)
        self.doc.fileChanged.connect(self.update_title)
        self.doc.undo_stack.cleanChanged.connect(self._clean_changed)
        self.comparison.questionChanged.connect(self.schedule)
        self.inputs.slider.sliderReleased.connect(self._slider_released)
        self.adaptive.logged.connect(self.log.append)
        self.assurance.logged.connect(self.log.append)
        self.assurance.computed.connect(self.comparison.show_assurance)
        self.adaptive.suggest_size = self.stratified_size
        self.assurance.adaptive_power = self.adaptive_power
        self.tasks = TaskRunner(self)  # exports; the views hold their own runners (ui.tasks)
        self.busy = BusyIndicator()
        self.busy.watch(self.tasks)
        self.compute_tasks = TaskRunner(self)  # a heavy scenario's comparison (ui.background_compare)
        self.busy.watch(self.compute_tasks)
        self.busy.watch(self.sensitivity.tasks)
        self.busy.watch(self.adaptive.tasks)
        self.busy.watch(self.assurance.adaptive_tasks)
        for runner in self.adaptive.workspace.runners():
            self.busy.watch(runner)
        self.statusBar().addPermanentWidget(self.busy)
        self._build_menus()
        self.resize(1500, 950)
        self.setAcceptDrops(True)
        self._restore_settings()
        self._open_initial(path)

    # ------------------------------------------------------------------ menus
    def _action(self, menu, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        m = bar.addMenu("&File")
        self._action(m, "&New", self.new_file, QKeySequence.StandardKey.New, "Start a new scenario")
        self._action(m, "New with &uncertain inputs (assurance)", self.new_with_priors, tip="Start a new scenario "
                     "whose prevalence and B+ effect carry a distribution (edit them in the Assurance tab)")
        self._action(m, "&Open…", self.open_dialog, QKeySequence.StandardKey.Open)
        self.recent_menu = m.addMenu("Open &Recent")
        self.examples_menu = m.addMenu("&Examples")
        for path in example_files():
            self._action(self.examples_menu, _title_of(path), lambda _=False, p=path: self.open_path(p, as_copy=True),
                         tip=str(path.name))
        m.addSeparator()
        self._action(m, "&Save", self.save, QKeySequence.StandardKey.Save)
        self._action(m, "Save &As…", self.save_as, QKeySequence.StandardKey.SaveAs)
        self._action(m, "Export comparison as CSV…", self.comparison.export_csv_dialog)
        self._action(m, "Export &report (PDF or HTML)…", self.export_report_dialog, "Ctrl+P",
                     "The full report: assumptions with provenance, every design, figures and methods")
        m.addSeparator()
        self._action(m, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        e = bar.addMenu("&Edit")
        undo = self.doc.undo_stack.createUndoAction(self, "&Undo:")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.doc.undo_stack.createRedoAction(self, "&Redo:")
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        e.addAction(undo)
        e.addAction(redo)
        self.undo_action, self.redo_action = undo, redo
        self.undo_keys = DocumentUndoKeys(self, self.doc.undo_stack)  # even inside a focused field
        QApplication.instance().installEventFilter(self.undo_keys)
        e.addSeparator()
        self._action(e, "Copy comparison as TSV", self.comparison.copy_tsv, "Ctrl+Shift+C")
        self._action(e, "Uncertain inputs (assurance)…", self.edit_priors,
                     tip="Add, see and edit the distribution of each uncertain input")
        add_cells_actions(self, m, e)  # ui/cells_table.py: new scenario and conversion to the cells form
        v = bar.addMenu("&View")
        self.view_actions = [
            self._action(v, self.tabs.tabText(i), lambda _=False, k=i: self.tabs.setCurrentIndex(k), f"Alt+{i + 1}")
            for i in range(self.tabs.count())
        ]
        t = bar.addMenu("&Tools")
        self._action(t, "&Cutoff explorer…", self.show_cutoff_explorer, tip="Compare cutoffs of a continuous "
                     "biomarker and make the chosen ones the scenario's populations")
        h = bar.addMenu("&Help")
        self._action(h, "&Methods and references", self.show_methods, QKeySequence.StandardKey.HelpContents)
        self._action(h, "&About Enrichment Planner", lambda: show_about(self))
        self._refresh_recent_menu()

    def show_cutoff_explorer(self) -> None:
        from .cutoff_explorer import CutoffExplorer  # noqa: PLC0415 (opened on demand)

        if getattr(self, "cutoff_explorer", None) is None:
            self.cutoff_explorer = CutoffExplorer(self.doc, self)
        self.cutoff_explorer.show()
        self.cutoff_explorer.raise_()

    def show_methods(self) -> None:
        MethodsDialog(self).exec()

    # ------------------------------------------------------------------ files
    def _open_initial(self, path: str | None) -> None:
        self.open_error_dialog: QMessageBox | None = None
        if path:
            if self.open_path(Path(path), quiet=True):
                return
            # never another scenario in its place: a new one, and a dialog naming the problem
            self.doc.load_dict(json.loads(json.dumps(NEW_SCENARIO)))
            self.open_error_dialog = QMessageBox(QMessageBox.Icon.Warning, "Cannot open scenario",
                                                 self.last_open_error, QMessageBox.StandardButton.Ok, self)
            self.open_error_dialog.setWindowModality(Qt.WindowModality.WindowModal)
            QTimer.singleShot(0, self.open_error_dialog.open)  # once the window is shown
            return
        example = default_example()
        if example is not None:
            self.open_path(example, as_copy=True, quiet=True)
        else:
            self.doc.load_dict(json.loads(json.dumps(NEW_SCENARIO)))

    def maybe_save(self) -> bool:
        """Ask about unsaved changes; False if the user cancels."""
        if not self.doc.modified:
            return True
        buttons = (QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                   | QMessageBox.StandardButton.Cancel)
        answer = QMessageBox.question(self, "Unsaved changes",
                                      "The scenario has unsaved changes. Save them first?", buttons,
                                      QMessageBox.StandardButton.Save)
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def new_file(self) -> bool:
        if self.maybe_save():
            self.doc.load_dict(json.loads(json.dumps(NEW_SCENARIO)))
            self.log.append("New scenario")
            return True
        return False

    def new_with_priors(self) -> None:
        """File → New, then a starting uncertainty block shown in the Assurance tab."""
        if self.new_file():
            self.priors.start()
            self.doc.undo_stack.clear()  # a new scenario: nothing to undo, nothing unsaved
            self.edit_priors()

    def edit_priors(self) -> None:
        """Show the prior editor (a starting block when the scenario has none)."""
        self.priors.start()
        self._update_assurance_visibility(self.doc.get("uncertainty") is not None)
        self.tabs.setCurrentWidget(self.assurance)

    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        start = str(self.doc.path.parent) if self.doc.path else str(EXAMPLES)
        path, _ = QFileDialog.getOpenFileName(self, "Open scenario", start, "Scenarios (*.json);;All files (*)")
        if path:
            self.open_path(Path(path), ask=False)

    def open_path(self, path: Path, as_copy: bool = False, quiet: bool = False, ask: bool = True) -> bool:
        """Open a scenario file (``as_copy``: an example, saved elsewhere). Returns success."""
        if ask and not quiet and not self.maybe_save():
            return False
        try:
            self.doc.open(path, as_copy=as_copy)
        except ScenarioError as err:
            text = f"Cannot open {path}:\n" + "\n".join(f"  {p}" for p in err.problems)
            self.last_open_error = text
            if not Path(path).exists():
                self._forget_recent(path)
            self.log.append("Open failed", text)
            self.statusBar().showMessage(f"Cannot open {path}", 8000)
            if not quiet:
                QMessageBox.warning(self, "Cannot open scenario", text)
            return False
        self.log.append(f"Opened {path}" + (" (example; Save As to keep your changes)" if as_copy else ""))
        if not as_copy:
            self._add_recent(path)
        return True

    def save(self) -> bool:
        if self.doc.path is None:
            return self.save_as()
        return self.save_to(self.doc.path)

    def save_as(self) -> bool:
        start = str(self.doc.path or Path.home() / "scenario.json")
        path, _ = QFileDialog.getSaveFileName(self, "Save scenario", start, "Scenarios (*.json)")
        if not path:
            return False
        if not path.lower().endswith(".json"):
            path += ".json"
        return self.save_to(Path(path))

    def save_to(self, path: Path) -> bool:
        try:
            self.doc.save(path)
        except ScenarioError as err:
            QMessageBox.warning(self, "Cannot save", "Fix these inputs first:\n" +
                                "\n".join(f"  {p}" for p in err.problems))
            return False
        except OSError as exc:
            QMessageBox.warning(self, "Cannot save", f"Cannot write {path}: {exc}")
            return False
        self.log.append(f"Saved {path}")
        self._add_recent(path)
        return True

    def export_report_dialog(self) -> None:
        if not self.doc.valid:
            QMessageBox.information(self, "Export report", "Fix the marked inputs first.")
            return
        stem = self.doc.path.stem if self.doc.path else "report"
        path, _ = QFileDialog.getSaveFileName(self, "Export report", f"{stem}.pdf", "PDF (*.pdf);;HTML (*.html)")
        if path:
            self.export_report(Path(path))

    def export_report(self, path: Path, include_adaptive: bool = True) -> TaskState:
        """Write the report (format from the extension) for the question solved in the table, in
        the background (:mod:`ui.tasks`; the window stays responsive, Cancel stops it). The
        adaptive design is reported from the run made in the Adaptive tab when it was made for
        these assumptions, else simulated (unless ``include_adaptive`` is False)."""
        from planner.report.html_report import same_assumptions

        scenario, tab = self.doc.scenario, self.adaptive
        run = tab.result if tab.result is not None and tab.result_scenario is not None \
            and same_assumptions(tab.result_scenario, scenario) else None
        question, n = self.comparison.question, self.comparison.n_randomized
        options = dict(source_name=self.doc.path.name if self.doc.path else None, include_adaptive=include_adaptive,
                       question=question, n_randomized=n if question in ("power", "effect") else None,
                       adaptive_result=run, adaptive_assurance=self.assurance.adaptive_for(scenario),
                       **tab.workspace.report_results())
        self.statusBar().showMessage(f"Exporting the report to {path}…")
        return self.tasks.start(f"Exporting {Path(path).name}", _export_report_task, scenario, options, Path(path),
                                on_done=self._report_exported, on_error=lambda e: self._report_failed(path, e))

    def _report_exported(self, path: Path) -> None:
        self.log.append(f"Exported report {path}")
        self.statusBar().showMessage(f"Wrote {path}", 8000)

    def _report_failed(self, path: Path, error: str) -> None:
        self.log.append("Report export failed", f"  {error}")
        QMessageBox.warning(self, "Cannot export the report", f"Cannot write {path}:\n{error}")

    def _clean_changed(self, _clean: bool) -> None:
        self.update_title()

    def update_title(self) -> None:
        """'IPASS example (ipass.json)': the scenario named once; the application's display name
        ("Enrichment Planner") is added by Qt, so it is not repeated here."""
        title = str(self.doc.data.get("title") or "Untitled scenario")
        where = self.doc.path.name if self.doc.path else "not saved"
        self.setWindowTitle(f"{title} ({where})[*]")
        self.setWindowModified(self.doc.modified)

    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if any(u.toLocalFile().lower().endswith(".json") for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 (Qt API)
        files = [u.toLocalFile() for u in event.mimeData().urls() if u.toLocalFile().lower().endswith(".json")]
        if files:
            self.open_path(Path(files[0]))

    def showEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        if self.first_painted is None and self.timer.isActive():
            self.timer.stop()  # first paint the window, then load the core and compute
            self.first_paint_timer.start()

    def _paint_then_compute(self) -> None:
        self.repaint()
        if self.first_painted is None:
            self.first_painted, self.first_painted_cpu = time.perf_counter(), time.process_time()
        self._recompute_pending = True
        self.timer.start(0)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().paintEvent(event)
        if self.first_painted is None:
            self.first_painted, self.first_painted_cpu = time.perf_counter(), time.process_time()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        if not self.maybe_save():
            event.ignore()
            return
        self.adaptive.shutdown()
        self.assurance.shutdown()
        self.busy.cancel_all()
        self.plots.refine_tasks.cancel()
        self.save_settings()
        QApplication.instance().removeEventFilter(self.undo_keys)
        self.doc.undo_stack.cleanChanged.disconnect(self._clean_changed)  # the stack outlives the window's C++ side
        self.doc.blockSignals(True)
        event.accept()

    # ------------------------------------------------------------------ computing
    def _changed(self, path: str) -> None:
        self.update_title()
        self._fixed_size_edited(path)
        self.schedule()

    def _fixed_size_edited(self, path: str) -> None:
        """A fixed size entered in the file is used by 'As in the file (auto)': switch to it."""
        parts = path.split(".")
        if (len(parts) == 3 and parts[0] == "designs" and parts[2] in ("n_randomized", "events")
                and self.doc.get(path) is not None and self.comparison.question != "auto"):
            self.comparison.set_question("auto")
            self.statusBar().showMessage("Fixed size entered: Solve for switched to 'As in the file (auto)' — "
                                         "designs with a fixed size report their power", 8000)

    def _update_assurance_visibility(self, has_block: bool) -> None:
        index = self.tabs.indexOf(self.assurance)
        if self.tabs.isTabVisible(index) != has_block:
            self.tabs.setTabVisible(index, has_block)
        if self.view_actions:
            self.view_actions[index].setEnabled(has_block)
        if not has_block:
            self.assurance.cancel()
            self.assurance.clear("The scenario has no uncertainty block.")

    def _slider_released(self) -> None:
        if not self.timer.isActive() and self.plots.isVisible():
            self.plots.render()  # results are current; only the plots were held back

    def schedule(self) -> None:
        """Recompute soon: at the next event-loop turn after a quiet period (the edits of one
        turn are coalesced), else when ``DEBOUNCE_MS`` have passed since the last recomputation
        started (edits arriving meanwhile are coalesced into that one trailing recomputation)."""
        self._recompute_pending = True
        if not self.timer.isActive():
            since = (time.perf_counter() - self._last_recompute_at) * 1000
            self.timer.start(max(0, math.ceil(DEBOUNCE_MS - since)))
        self.assurance_timer.stop()  # an assurance of the previous inputs is superseded:
        self.assurance.cancel()  # a running one stops at the next design

    def _debounced(self) -> None:
        if self._recompute_pending:
            self.recompute()

    def recompute(self) -> None:
        """Compare the designs and update table, plots and grid (GUI thread, ~20–100 ms)."""
        self._recompute_pending = False
        self._last_recompute_at = time.perf_counter()
        doc = self.doc
        self.sensitivity.set_scenario(doc.scenario if doc.valid else None)
        self.compute_tasks.cancel()  # a heavy comparison of older inputs is superseded
        if not doc.valid:
            reason = "; ".join(str(p) for p in doc.problems[:3]) or "the scenario is invalid"
            self.comparison.set_stale(reason)
            self.plots.set_stale(reason)
            self.assurance_timer.stop()
            self.assurance.cancel()
            self.assurance.set_stale(reason)
            self.statusBar().showMessage(f"Invalid input: {reason}")
            return
        question, n = self.comparison.question, self.comparison.n_randomized
        t0 = time.perf_counter()
        try:
            # the core is loaded after the window is shown
            from planner.compute import compare_designs, expensive

            if expensive(doc.scenario):  # seconds: on a worker, the GUI thread stays free
                background_compare.start(self, doc.scenario, question, n)
                return
            with np.errstate(all="ignore"):
                result = compare_designs(doc.scenario, question=question, n_randomized=n, include_adaptive=False)
        except Exception as exc:  # shown, never raised into the event loop
            self.comparison.set_stale(f"computation failed: {exc}")
            self.log.append("Computation failed", f"  {type(exc).__name__}: {exc}")
            return
        self.show_result(doc.scenario, result, question, n, (time.perf_counter() - t0) * 1000)

    def show_result(self, scenario, result, question: str, n: int | None, ms: float, background: bool = False) -> None:
        """Show a comparison in the table, plots and log (``background``: computed on a worker,
        and so are its curves)."""
        self.last_compute_ms = ms
        self.compute_count += 1
        self.comparison_result = result
        has_block = scenario.uncertainty is not None
        self._update_assurance_visibility(has_block)
        self.comparison.set_assurance_enabled(has_block)
        self.comparison.show_comparison(result)
        if has_block:  # in the background, after the plots (it would slow their drawing down)
            self._assurance_args, self._assurance_waits = (scenario, result), 0
            self.assurance_timer.start(ASSURANCE_DELAY_MS)
        else:
            self.assurance_timer.stop()
        self.table_updated_at, self.table_updated_cpu = time.perf_counter(), time.thread_time()
        dragging = self.inputs.slider.isSliderDown()  # table live while dragging; plots on release
        self.plots.set_inputs(scenario, result, question, n, defer=dragging, background=background)
        self.plots.update_legend()
        if self.compute_count == 1:
            QTimer.singleShot(0, self.started.emit)  # after the plots (their render timer is due first)
        self.log.log_comparison(scenario, result, question, n, self.last_compute_ms)
        self.statusBar().showMessage(f"Computed {len(result.designs)} designs in {self.last_compute_ms:.0f} ms")

    def _plots_busy(self) -> bool:
        plots = self.plots
        return plots.isVisible() and (plots.render_timer.isActive() or any(
            getattr(c.canvas, "_draw_pending", False) for c in plots.canvases()))

    def _request_assurance(self) -> None:
        if self._assurance_args is None:
            return
        if self._plots_busy() and self._assurance_waits < 25:
            self._assurance_waits += 1
            self.assurance_timer.start(10)
            return
        # the inputs rest ASSURANCE_DELAY_MS after the plots are drawn (not after the edit): a
        # worker started while the user still edits would compete with the GUI thread for the CPU
        drawn = max([c.last_drawn_at for c in self.plots.canvases()] if self.plots.isVisible() else [0.0])
        rest = ASSURANCE_DELAY_MS - (time.perf_counter() - max(drawn, self._last_recompute_at)) * 1000
        if rest > 1 and self._assurance_waits < 25:
            self._assurance_waits += 1
            self.assurance_timer.start(math.ceil(rest))
            return
        scenario, result = self._assurance_args
        self._assurance_args = None
        self.assurance.request(scenario, result)

    def adaptive_power(self, scenario) -> float | None:
        """The Adaptive tab's simulated power when its run was made for ``scenario``'s assumptions."""
        from planner.report.html_report import same_assumptions

        tab = self.adaptive
        if tab.result is None or tab.result_scenario is None or not same_assumptions(tab.result_scenario, scenario):
            return None
        power = tab.result.get("power") if isinstance(tab.result, dict) else getattr(tab.result, "power", None)
        return None if power is None else float(power)

    def stratified_size(self) -> float | None:
        """Size of the biomarker-stratified design (subjects, or events for survival) as the
        starting point of a new adaptive design."""
        result = self.comparison_result
        r = result.designs.get("stratified") or result.designs.get("all_comers") if result else None
        if r is None or not r.feasible:
            return None
        return float(r.events if self.doc.endpoint == "survival" and r.events else r.n_randomized)

    def central_widgets(self) -> dict[str, QWidget]:
        return {"inputs": self.inputs, "comparison": self.comparison, "plots": self.plots,
                "assurance": self.assurance, "sensitivity": self.sensitivity, "adaptive": self.adaptive,
                "log": self.log}
