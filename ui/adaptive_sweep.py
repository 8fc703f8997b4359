"""The operating-characteristic sweep in the adaptive tab (``enrichment-planner sweep`` in the app).

Choose one or two inputs and their values (``LO:HI:STEP`` or ``V1, V2, …``, checked by
:func:`planner.adaptive.sweep.parse_vary` against the catalogue's bounds), the simulated trials
per grid point, and Run: :func:`planner.adaptive.sweep.run_sweep` runs in the background
(:mod:`ui.tasks`, progress and Cancel keep the points finished) with common random numbers.
The table shows every grid point with its Monte Carlo SEs; the plot is one of the sweep's
figures (:func:`planner.figures_sweep.draw_sweep_figure`, ±1.96 SE bands).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from planner.catalogue import (
    FIELDS_BY_PATH,
    INPUT_FIELDS,
    SWEEP_COLUMNS,
    SWEEP_FIGURES,
    SWEEP_FIXED_PATHS,
    design_label,
)
from planner.errors import ScenarioError
from planner.figures_sweep import sweep_axis
from planner.scenario import Scenario

from .adaptive_panels import RunPanel, _cell, legend_room
from .document import ScenarioDocument
from .field_widgets import ERROR_STYLE
from .plot_canvas import PlotCanvas
from .tasks import TaskState

#: the blocks whose numeric fields a sweep in the app offers (the truths a design is judged under)
SWEEP_BLOCKS = ("population", "positive", "negative", "survival")
#: the table's simulated columns (each with its SE)
TABLE_COLUMNS = ("power", "reject_subgroup", "reject_overall", "select_subgroup_only", "select_overall_only",
                 "select_both", "early_stop_efficacy", "early_stop_futility", "expected_subjects", "expected_events")


def sweep_fields(endpoint: str, scenario: Scenario | None = None) -> list[str]:
    """Paths of the numeric inputs a sweep may vary for ``endpoint`` (catalogue order); in the cells
    form (``scenario`` with cells) each cell's prevalence and outcome fields
    (:func:`planner.population_sweeps.sweep_fields`) and the survival settings."""
    cells = scenario is not None and scenario.has_cells
    out = []
    if cells:
        from planner.population_sweeps import sweep_fields as cell_paths  # noqa: PLC0415

        out = [path for path, _label in cell_paths(scenario)]
    blocks = ("survival",) if cells else SWEEP_BLOCKS
    return out + [f.path for f in INPUT_FIELDS
                  if f.kind in ("float", "int") and f.path.split(".")[0] in blocks and endpoint in f.endpoints
                  and f.path not in SWEEP_FIXED_PATHS and ".piecewise." not in f.path]


def default_values(value: float | None, path: str) -> str:
    """A first grid around the current value: ±40 % in 9 steps, inside the field's bounds."""
    from planner.adaptive.sweep import sweep_spec  # noqa: PLC0415

    spec = sweep_spec(path)
    fallback = spec.default if isinstance(spec.default, (int, float)) and not isinstance(spec.default, bool) else 0.5
    v = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else float(fallback)
    span = abs(v) * 0.4 or 0.2
    lo, hi = v - span, v + span
    if spec.lo is not None:
        lo = max(lo, spec.lo if spec.ge is not None else spec.lo + abs(span) / 20)
    if spec.hi is not None:
        hi = min(hi, spec.hi if spec.le is not None else spec.hi - abs(span) / 20)
    step = (hi - lo) / 8 if hi > lo else 1.0
    return f"{lo:.4g}:{hi:.4g}:{step:.3g}"


def _sweep_task(state: TaskState, scenario: Scenario, settings: dict) -> dict:
    from planner.adaptive.sweep import parse_vary, run_sweep

    varies = [parse_vary(text, scenario.endpoint) for text in settings["vary"]]
    res = run_sweep(scenario, varies, simulations=settings["simulations"], progress=state.set_progress,
                    is_cancelled=state.is_interruption_requested)
    return res.to_dict()


class SweepPanel(RunPanel):
    """One or two varied inputs, Run/Cancel with progress, the table and the figures."""

    kind = "sweep"
    run_text = "Run the sweep"

    def __init__(self, doc: ScenarioDocument, parent: QWidget | None = None) -> None:
        super().__init__(doc, parent)
        self.fields: list[QComboBox] = []
        self.values: list[QLineEdit] = []
        form = QFormLayout()
        for i in range(2):
            combo = QComboBox()
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(20)
            combo.currentIndexChanged.connect(lambda _i, k=i: self._field_changed(k))
            edit = QLineEdit()
            edit.setPlaceholderText("LO:HI:STEP or V1, V2, …")
            edit.setToolTip("Values of the input: LO:HI:STEP (HI included) or a list V1, V2, …")
            self.fields.append(combo)
            self.values.append(edit)
            row = QHBoxLayout()
            row.addWidget(combo, 2)
            row.addWidget(edit, 1)
            form.addRow("Vary" if i == 0 else "and (optional)", row)
        spec = FIELDS_BY_PATH["designs.adaptive.simulations"]
        self.simulations = QSpinBox()
        self.simulations.setRange(int(spec.lo), int(min(spec.hi, 2_147_483_647)))
        self.simulations.setSingleStep(int(spec.step))
        self.simulations.setValue(2000)
        self.simulations.setToolTip("Simulated trials per grid point (the design's seed at every point: common "
                                    "random numbers)")
        self.controls.insertWidget(0, QLabel("Trials per point"))
        self.controls.insertWidget(1, self.simulations)
        self.problem = QLabel()
        self.problem.setStyleSheet(ERROR_STYLE)
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.figure_choice = QComboBox()
        for name, (title, _y) in SWEEP_FIGURES.items():
            self.figure_choice.addItem(title.format(x="the varied input"), name)
        self.figure_choice.currentIndexChanged.connect(lambda _i: self._draw())
        self.table = QTableWidget(0, 0)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.plot = legend_room(PlotCanvas("Operating characteristics", figsize=(5, 3)), 1.9)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        plot_box = QWidget()
        pl = QVBoxLayout(plot_box)
        pl.setContentsMargins(0, 0, 0, 0)
        pl.addWidget(self.figure_choice)
        pl.addWidget(self.plot, 1)
        split.addWidget(plot_box)
        split.setSizes([90, 360])
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.problem)
        lay.addLayout(self.controls)
        lay.addWidget(self.status)
        lay.addWidget(self.stale_label)
        lay.addWidget(split, 1)
        self._endpoint: tuple = ()
        self.fill_fields()

    # ------------------------------------------------------------------ choices
    def fill_fields(self) -> None:
        """The combo boxes list the endpoint's inputs (refilled when the endpoint changes)."""
        endpoint = self.doc.endpoint
        scenario = self.doc.scenario if self.doc.valid else None
        paths = sweep_fields(endpoint, scenario)
        if (endpoint, tuple(paths)) == self._endpoint or (scenario is None and self._endpoint):
            return
        self._endpoint = (endpoint, tuple(paths))
        for i, combo in enumerate(self.fields):
            combo.blockSignals(True)
            combo.clear()
            if i:
                combo.addItem("(nothing)", "")
            for path in paths:
                combo.addItem(sweep_axis(path), path)
            combo.blockSignals(False)
        effect = "hazard_ratio" if endpoint == "survival" else "treatment_rate" if endpoint == "binary" else \
            "mean_difference"
        first = self.fields[0].findData("negative." + effect)
        if scenario is not None and scenario.has_cells:  # the effect in the last cell
            first = self.fields[0].findData(f"cells.{scenario.population.cells[-1].name}.{effect}")
        self.fields[0].setCurrentIndex(max(0, first))
        self._field_changed(0)
        self.values[1].clear()

    def _field_changed(self, k: int) -> None:
        from planner.population_sweeps import is_cells_path, sweep_value  # noqa: PLC0415

        path = self.fields[k].currentData()
        cell = path and is_cells_path(path) and self.doc.valid
        value = sweep_value(self.doc.scenario, path) if cell else (self.doc.get(path) if path else None)
        self.values[k].setText(default_values(value, path) if path else "")

    def current_settings(self) -> dict | None:
        from planner.adaptive.sweep import check_varies, grid_points, parse_vary

        vary = []
        for combo, edit in zip(self.fields, self.values):
            path = combo.currentData()
            if path:
                vary.append(f"{path}={edit.text().strip()}")
        try:
            if not vary:
                raise ValueError("choose an input to vary")
            parsed = [parse_vary(v, self.doc.endpoint) for v in vary]
            if len({v.path for v in parsed}) < len(parsed):
                raise ValueError("vary two different inputs")
            grid_points(parsed)
            if self.doc.valid:
                check_varies(self.doc.scenario, parsed)
        except (ScenarioError, ValueError) as err:
            self.problem.setText(str(err))
            self.problem.show()
            return None
        self.problem.hide()
        return {"vary": vary, "simulations": int(self.simulations.value())}

    def work(self, state: TaskState, scenario: Scenario, settings: dict) -> dict:
        return _sweep_task(state, scenario, settings)

    # ------------------------------------------------------------------ results
    def show(self, result: dict | None) -> None:
        self.table.clear()
        self.table.setRowCount(0)
        self.table.setColumnCount(0)
        if not result:
            self.plot.figure.clear()
            self.plot.redraw()
            return
        varied = list(result["varied"])
        rows = list(result["rows"])
        cols = [c for c in TABLE_COLUMNS if any(r.get(c) is not None for r in rows)]
        fixed = list(result.get("fixed_designs") or {})
        headers = [sweep_axis(p) for p in varied] + [SWEEP_COLUMNS[c].removeprefix("adaptive design: ") for c in cols]
        headers += [f"{design_label(d)}: power" for d in fixed]
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            cells = [f"{r[p]:g}" for p in varied]
            for c in cols:
                v, se = r.get(c), r.get(f"{c}_se")
                fmt = "{:,.1f}" if c.startswith("expected") else "{:.4f}"
                cells.append("—" if v is None else fmt.format(v) + ("" if se is None else " ± " + fmt.format(se)))
            cells += ["—" if r.get(f"power_{d}") is None else f"{r[f'power_{d}']:.4f}" for d in fixed]
            for j, text in enumerate(cells):
                self.table.setItem(i, j, _cell(text))
        self.table.resizeColumnsToContents()
        self.plot.csv_text = ",".join(result.get("columns") or []) + "\n" + "".join(
            ",".join("" if r.get(c) is None else str(r.get(c)) for c in result.get("columns") or []) + "\n"
            for r in rows)
        self._draw()
        done = len(rows)
        self.status.setText(f"{done} grid point{'s' if done != 1 else ''}, {result.get('simulations', 0):,} trials "
                            f"each, seed {result.get('seed')} (common random numbers)"
                            + (" — cancelled: the points finished before the cancel." if result.get("incomplete")
                               else "."))

    def _draw(self) -> None:
        from planner.figures_sweep import draw_sweep_figure

        fig = self.plot.figure
        fig.clear()
        if self.result and self.result.get("rows") and self.result.get("varied"):
            self.plot.ax = fig.add_subplot(1, 1, 1)
            draw_sweep_figure(self.plot.ax, self.result, str(self.figure_choice.currentData()))
            self.plot.fit_margins()
        self.plot.redraw()

    def set_enabled_results(self, on: bool) -> None:
        self.table.setEnabled(on)
        self.plot.setEnabled(on)

    def refresh(self) -> None:
        self.fill_fields()
        super().refresh()

    def log_text(self, result: dict) -> str:
        return "  varied: " + ", ".join(result.get("varied", [])) + "\n  " + "; ".join(result.get("notes", []))


__all__ = ["SweepPanel", "default_values", "sweep_fields"]
