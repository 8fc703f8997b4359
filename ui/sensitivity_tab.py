"""Sensitivity grid (PASS/SAS style): N or power of one design over one or two inputs."""

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
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from planner.catalogue import EFFECTS, FIGURES, INPUT_FIELDS, design_label
from planner.scenario import FIXED_DESIGNS, Scenario

from .document import field_label
from .field_widgets import ERROR_STYLE
from .plot_canvas import PlotCanvas
from .tasks import TaskRunner


def _grid_task(_state, scenario: Scenario, design: str, rows: tuple, cols: tuple | None, output: str):
    """Worker body: :func:`planner.curves.sensitivity_grid`."""
    from planner import curves

    with np.errstate(all="ignore"):
        return curves.sensitivity_grid(scenario, design, rows, cols, output=output)


def values_around(value: float, path: str) -> str:
    """A short list around the current value: ×0.8, ×0.9, ×1, ×1.1, ×1.2 (probabilities kept in (0, 1))."""
    out = []
    for f in (0.8, 0.9, 1.0, 1.1, 1.2):
        v = value * f
        if "rate" in path or "prevalence" in path or "sensitivity" in path or "specificity" in path:
            v = min(max(v, 0.001), 0.999)
        out.append(f"{v:.3g}")
    return ", ".join(dict.fromkeys(out))


def numeric_fields(endpoint: str) -> list[tuple[str, str]]:
    """(path, label) of every numeric input that applies to ``endpoint``."""
    return [(f.path, f"{f.label} ({f.path})") for f in INPUT_FIELDS if f.kind == "float" and endpoint in f.endpoints]


class SensitivityTab(QWidget):
    """Enter lists or ranges for up to two inputs; get a table of N or power."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scenario: Scenario | None = None
        self.grid = None  # planner.curves.Grid
        self.tasks = TaskRunner(self)
        self.endpoint = ""
        self.design = QComboBox()
        for name in FIXED_DESIGNS:
            self.design.addItem(design_label(name), name)
        self.output = QComboBox()
        self.output.addItem("Total randomized N (for the target power)", "n")
        self.output.addItem("Power (at the design's N for the current scenario)", "power")
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
        form.addRow("Design", self.design)
        form.addRow("Output", self.output)
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
        if scenario.endpoint != self.endpoint:
            self.endpoint = scenario.endpoint
            for combo in (self.row_field, self.col_field):
                combo.clear()
            self.col_field.addItem("(none)", None)
            for path, label in numeric_fields(self.endpoint):
                self.row_field.addItem(label, path)
                self.col_field.addItem(label, path)
            self.row_field.setCurrentIndex(max(0, self.row_field.findData("population.prevalence")))
            self.col_field.setCurrentIndex(max(0, self.col_field.findData("positive." + EFFECTS[self.endpoint].field)))
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
        node = self.scenario
        for key in str(path).split("."):
            node = getattr(node, key, None)
        if isinstance(node, (int, float)):
            edit.setText(values_around(float(node), str(path)))

    def compute(self) -> None:
        """Read the grid's inputs here; compute it in the background (:mod:`ui.tasks`)."""
        if self.scenario is None:
            return
        try:
            from planner import curves

            rows = (str(self.row_field.currentData()), curves.parse_list(self.row_values.text()))
            col_path = self.col_field.currentData()
            cols = (str(col_path), curves.parse_list(self.col_values.text())) if col_path else None
            if len(rows[1]) * (len(cols[1]) if cols else 1) > 2500:
                raise ValueError("at most 2500 cells")
        except Exception as exc:
            self._failed(str(exc))
            return
        self.message.setStyleSheet("")
        self.message.setText("Computing the grid…")
        self.tasks.start("Computing the sensitivity grid", _grid_task, self.scenario, str(self.design.currentData()),
                         rows, cols, str(self.output.currentData()), on_done=self._computed, on_error=self._failed)

    def _failed(self, message: str) -> None:
        self.message.setText(message)
        self.message.setStyleSheet(ERROR_STYLE)

    def _computed(self, grid) -> None:
        self.grid = grid
        self.message.setStyleSheet("")
        bad = len(self.grid.messages)
        self.message.setText(f"{bad} cell(s) invalid or not attainable (hover for the reason)" if bad else "")
        self._fill()

    def _fill(self) -> None:
        g = self.grid
        cols = list(g.col_values) or [None]
        self.table.clear()
        self.table.setRowCount(len(g.row_values))
        self.table.setColumnCount(len(cols))
        output = self.output.itemText(max(0, self.output.findData(g.output)))
        self.table.setHorizontalHeaderLabels([f"{field_label(g.col_field)} = {c:g}" if c is not None else output
                                              for c in cols])
        self.table.setVerticalHeaderLabels([f"{field_label(g.row_field)} = {r:g}" for r in g.row_values])
        for i in range(len(g.row_values)):
            for j in range(len(cols)):
                v = float(g.values[i, j])
                text = "—" if not math.isfinite(v) else (f"{v:,.0f}" if g.output == "n" else f"{v:.3f}")
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, v)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if f"{i},{j}" in g.messages:
                    item.setToolTip(g.messages[f"{i},{j}"])
                self.table.setItem(i, j, item)
        self.table.resizeColumnsToContents()
        self._draw_heatmap(output)

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
                                         f"{output} — {design_label(g.design)}", integer=g.output == "n")
        fig.colorbar(image, ax=self.plot.ax, fraction=0.08, pad=0.03)
        self.plot.csv_text = g.to_csv()
        self.plot.redraw()

    def to_tsv(self) -> str:
        return self.grid.to_csv().replace(",", "\t") if self.grid else ""

    def export_dialog(self) -> None:
        if self.grid is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, "Export sensitivity grid", "sensitivity.csv", "CSV (*.csv)")
        if path:
            from .export_files import export_text

            export_text(self, path, self.grid.to_csv(), "the sensitivity grid")
