"""Sensitivity grid (PASS/SAS style): several designs and outputs over one or two inputs.

The checked designs and outputs (:data:`planner.catalogue.SENSITIVITY_OUTPUTS`: N, screened,
events, cost, power, assurance) are computed at once in the background
(:func:`planner.sensitivity.multi_grid`, progress and Cancel); the table and the heat map show the
design and output chosen above them (switching needs no recomputation), and with one input the
table shows every computed design and output side by side. Headers are the catalogue's labels;
the export holds every grid as numbers (long form).
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from planner.catalogue import (
    EFFECTS,
    FIGURES,
    INPUT_FIELDS,
    SENSITIVITY_COUNTS,
    SENSITIVITY_OUTPUTS,
    SENSITIVITY_SHORT,
    design_label,
)
from planner.scenario import FIXED_DESIGNS, Scenario

from .document import field_label as document_field_label
from .field_widgets import ERROR_STYLE
from .plot_canvas import PlotCanvas
from .tasks import TaskRunner


def _grid_task(state, scenario: Scenario, designs: list, rows: tuple, cols: tuple | None, outputs: list):
    """Worker body: :func:`planner.sensitivity.multi_grid` (progress per design, Cancel between designs)."""
    from planner.sensitivity import multi_grid

    with np.errstate(all="ignore"):
        return multi_grid(scenario, designs, outputs, rows, cols, progress=state.set_progress,
                          is_cancelled=state.is_interruption_requested)


def _checklist(items: list[tuple[str, str]], checked: set[str]) -> QListWidget:
    """A compact list of check boxes (code in the user role)."""
    box = QListWidget()
    for code, words in items:
        item = QListWidgetItem(words)
        item.setData(Qt.ItemDataRole.UserRole, code)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if code in checked else Qt.CheckState.Unchecked)
        box.addItem(item)
    box.setMaximumHeight(96)
    return box


def checked_codes(box: QListWidget) -> list[str]:
    return [box.item(i).data(Qt.ItemDataRole.UserRole) for i in range(box.count())
            if box.item(i).checkState() == Qt.CheckState.Checked]


def values_around(value: float, path: str) -> str:
    """A short list around the current value: ×0.8, ×0.9, ×1, ×1.1, ×1.2 (probabilities kept in (0, 1))."""
    out = []
    for f in (0.8, 0.9, 1.0, 1.1, 1.2):
        v = value * f
        if "rate" in path or "prevalence" in path or "sensitivity" in path or "specificity" in path:
            v = min(max(v, 0.001), 0.999)
        out.append(f"{v:.3g}")
    return ", ".join(dict.fromkeys(out))


def field_label(path: str) -> str:
    """The catalogue's label of a field, or of a cells-form sweep path (planner.population_sweeps)."""
    from planner.population_sweeps import is_cells_path, sweep_label

    return sweep_label(path) if is_cells_path(path) else document_field_label(path)


def numeric_fields(endpoint: str, scenario: Scenario | None = None) -> list[tuple[str, str]]:
    """(path, label) of every numeric input that applies to ``endpoint`` (the catalogue's label); in the
    cells form each cell's prevalence and outcome fields replace the B+/B− ones."""
    out = [(f.path, field_label(f.path)) for f in INPUT_FIELDS if f.kind == "float" and endpoint in f.endpoints]
    if scenario is not None:  # not the exponential fields a piecewise table replaces
        from planner.population_sweeps import unused_sweep_path

        out = [(p, t) for p, t in out if unused_sweep_path(scenario, p) is None]
    if scenario is not None and scenario.has_cells:
        from planner.population_sweeps import sweep_fields
        from planner.scenario_cells import NOT_IN_CELLS_FORM

        skip = {f"population.{k}" for k in NOT_IN_CELLS_FORM}
        out = [(p, t) for p, t in out if p not in skip and p.split(".")[0] not in ("positive", "negative")]
        out += sweep_fields(scenario)
    return out


class SensitivityTab(QWidget):
    """Enter lists or ranges for up to two inputs; get a table of N or power."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scenario: Scenario | None = None
        self.grid = None  # planner.curves.Grid: the design and output shown
        self.multi = None  # planner.sensitivity.MultiGrid: everything computed
        self.tasks = TaskRunner(self)
        self.endpoint = ""
        self.design = QComboBox()
        for name in FIXED_DESIGNS:
            self.design.addItem(design_label(name), name)
        self.output = QComboBox()
        for code, words in SENSITIVITY_OUTPUTS.items():
            self.output.addItem(words, code)
        self.design.currentIndexChanged.connect(self._view_changed)
        self.output.currentIndexChanged.connect(self._view_changed)
        self.designs_list = _checklist([(n, design_label(n)) for n in FIXED_DESIGNS], set(FIXED_DESIGNS))
        self.outputs_list = _checklist(list(SENSITIVITY_OUTPUTS.items()), {"n", "screened", "power"})
        for box in (self.designs_list, self.outputs_list):
            box.setToolTip("Computed at once; the table and the heat map show the design and output chosen above")
        self.row_field, self.col_field = QComboBox(), QComboBox()
        self.row_values = QLineEdit("0.2:0.6:0.1")
        self.col_values = QLineEdit()
        self.row_field.activated.connect(lambda _i: self._fill_values(self.row_field, self.row_values))
        self.col_field.activated.connect(lambda _i: self._fill_values(self.col_field, self.col_values))
        tip = "A list '0.5, 0.6, 0.7' or a range start:stop:step '0.2:0.6:0.1' (stop included)"
        self.row_values.setToolTip(tip)
        self.col_values.setToolTip(tip)
        self.compute_button = QPushButton("Compute grid")
        self.compute_button.clicked.connect(self.compute)
        self.message = QLabel()
        self.message.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Show design", self.design)
        form.addRow("Show output", self.output)
        lists = QHBoxLayout()
        lists.addWidget(self.designs_list)
        lists.addWidget(self.outputs_list)
        form.addRow("Compute", lists)
        rows = QHBoxLayout()
        rows.addWidget(self.row_field, 2)
        rows.addWidget(self.row_values, 1)
        cols = QHBoxLayout()
        cols.addWidget(self.col_field, 2)
        cols.addWidget(self.col_values, 1)
        form.addRow("Rows: input and values", rows)
        form.addRow("Columns (optional)", cols)
        self.table = QTableWidget()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        copy_button = QPushButton("Copy as TSV")
        copy_button.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.to_tsv()))
        export_button = QPushButton("Export CSV…")
        export_button.clicked.connect(self.export_dialog)
        bar = QHBoxLayout()
        bar.addWidget(self.compute_button)
        bar.addWidget(self.message, 1)
        bar.addWidget(copy_button)
        bar.addWidget(export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(bar)
        self.plot = PlotCanvas(FIGURES["sensitivity_grid"].title, figsize=(4.5, 3.4))
        split = QSplitter(Qt.Orientation.Horizontal)  # the heat map beside the table
        split.addWidget(self.table)
        split.addWidget(self.plot)
        split.setSizes([500, 420])
        layout.addWidget(split, 1)

    def set_scenario(self, scenario: Scenario | None) -> None:
        self.scenario = scenario
        if scenario is None:
            self.compute_button.setEnabled(False)
            return
        self.compute_button.setEnabled(True)
        shape = (scenario.endpoint, tuple(c.name for c in scenario.population.cells))  # cells form: its cells
        if shape != getattr(self, "_fields_for", None):
            self._fields_for = shape
            self.endpoint = scenario.endpoint
            for combo in (self.row_field, self.col_field):
                combo.clear()
            self.col_field.addItem("(none)", None)
            for path, label in numeric_fields(self.endpoint, scenario):
                self.row_field.addItem(label, path)
                self.col_field.addItem(label, path)
            row, col = "population.prevalence", "positive." + EFFECTS[self.endpoint].field
            if scenario.has_cells:  # the first cell's prevalence and effect
                first = scenario.population.cells[0].name
                row, col = f"population.cells.{first}.prevalence", f"cells.{first}.{EFFECTS[self.endpoint].field}"
            self.row_field.setCurrentIndex(max(0, self.row_field.findData(row)))
            self.col_field.setCurrentIndex(max(0, self.col_field.findData(col)))
            self._fill_values(self.col_field, self.col_values)
        if self.grid is not None:
            self.message.setText("Inputs changed since this grid was computed: press Compute grid.")

    def _fill_values(self, combo: QComboBox, edit: QLineEdit) -> None:
        """Suggest values around the scenario's current value of the chosen input."""
        path = combo.currentData()
        if not path or self.scenario is None:
            if not path:
                edit.clear()
            return
        from planner.population_sweeps import sweep_value

        node = sweep_value(self.scenario, str(path))
        if node is None:
            node = self.scenario
            for key in str(path).split("."):
                node = getattr(node, key, None)
        if isinstance(node, (int, float)):
            edit.setText(values_around(float(node), str(path)))

    def compute(self) -> None:
        """Read the grid's inputs here; compute every checked design and output in the background."""
        if self.scenario is None:
            return
        try:
            from planner import curves

            rows = (str(self.row_field.currentData()), curves.parse_list(self.row_values.text()))
            col_path = self.col_field.currentData()
            cols = (str(col_path), curves.parse_list(self.col_values.text())) if col_path else None
            designs = list(dict.fromkeys([str(self.design.currentData()), *checked_codes(self.designs_list)]))
            outputs = list(dict.fromkeys([str(self.output.currentData()), *checked_codes(self.outputs_list)]))
            if len(rows[1]) * (len(cols[1]) if cols else 1) * len(designs) > 2500:
                raise ValueError("at most 2500 cells (values × values × designs)")
        except Exception as exc:
            self._failed(str(exc))
            return
        self.message.setStyleSheet("")
        self.message.setText(f"Computing {len(designs)} design(s) × {len(outputs)} output(s)…")
        self.tasks.start("Computing the sensitivity grid", _grid_task, self.scenario, designs, rows, cols, outputs,
                         on_done=self._computed, on_error=self._failed)

    def _failed(self, message: str) -> None:
        self.message.setText(message)
        self.message.setStyleSheet(ERROR_STYLE)

    def _computed(self, multi) -> None:
        self.multi = multi
        self._view_changed()

    def _view_changed(self, _index: int = 0) -> None:
        """Show the chosen design and output of the computed grids (no recomputation)."""
        if self.multi is None:
            return
        key = (str(self.design.currentData()), str(self.output.currentData()))
        grid = self.multi.grids.get(key)
        if grid is None:
            self.message.setStyleSheet("")
            self.message.setText(f"{design_label(key[0])}: {SENSITIVITY_OUTPUTS[key[1]].lower()} was not computed: "
                                 "check it and press Compute grid.")
            return
        self.grid = grid
        self.message.setStyleSheet("")
        bad = len(self.grid.messages)
        note = " (cancelled: some designs are missing)" if self.multi.cancelled else ""
        self.message.setText((f"{bad} cell(s) invalid or not attainable (hover for the reason)" if bad else "") + note)
        self._fill()

    @staticmethod
    def _text(v: float, output: str) -> str:
        if not math.isfinite(v):
            return "—"
        return f"{v:,.0f}" if output in SENSITIVITY_COUNTS else f"{v:.3f}"

    def _fill(self) -> None:
        g = self.grid
        one_input = g.col_field is None
        grids = list(self.multi.grids.values()) if (one_input and self.multi is not None) else [g]
        cols = list(g.col_values) or [None]
        self.table.clear()
        self.table.setRowCount(len(g.row_values))
        self.table.setColumnCount(len(grids) if one_input else len(cols))
        if one_input:  # every computed design and output side by side
            heads = [f"{design_label(x.design)}\n{SENSITIVITY_SHORT[x.output]}" for x in grids]
        else:
            heads = [f"{field_label(g.col_field)} = {c:g}" for c in cols]
        self.table.setHorizontalHeaderLabels(heads)
        self.table.setVerticalHeaderLabels([f"{field_label(g.row_field)} = {r:g}" for r in g.row_values])
        for i in range(len(g.row_values)):
            for j in range(self.table.columnCount()):
                x, jj = (grids[j], 0) if one_input else (g, j)
                v = float(x.values[i, jj])
                item = QTableWidgetItem(self._text(v, x.output))
                item.setData(Qt.ItemDataRole.UserRole, v)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if f"{i},{jj}" in x.messages:
                    item.setToolTip(x.messages[f"{i},{jj}"])
                self.table.setItem(i, j, item)
        self.table.resizeColumnsToContents()
        self._draw_heatmap(SENSITIVITY_OUTPUTS[g.output])

    def _draw_heatmap(self, output: str) -> None:
        """The grid as a heat map beside the table (:func:`planner.figures.draw_sensitivity_heatmap`)."""
        from planner.figures import draw_sensitivity_heatmap

        g = self.grid
        fig = self.plot.figure
        fig.clear()
        self.plot.ax = fig.add_subplot(111)
        col_label = field_label(g.col_field) if g.col_field else ""
        image = draw_sensitivity_heatmap(self.plot.ax, g.values, g.row_values, g.col_values,
                                         field_label(g.row_field), col_label,
                                         f"{output} — {design_label(g.design)}", integer=g.output in SENSITIVITY_COUNTS)
        fig.colorbar(image, ax=self.plot.ax, fraction=0.08, pad=0.03)
        self.plot.csv_text = g.to_csv()
        self.plot.redraw()

    def to_csv(self) -> str:
        """Every computed grid as numbers (long form), or the shown grid."""
        if self.multi is not None:
            return self.multi.to_csv()
        return self.grid.to_csv() if self.grid else ""

    def to_tsv(self) -> str:
        return self.to_csv().replace(",", "\t")

    def export_dialog(self) -> None:
        if self.grid is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, "Export sensitivity grid", "sensitivity.csv", "CSV (*.csv)")
        if path:
            from .export_files import export_text

            export_text(self, path, self.to_csv(), "the sensitivity grid")
