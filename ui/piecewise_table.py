"""Piecewise survival inputs per subgroup: a model switch (exponential / piecewise), an editable
table (interval start, control hazard, hazard ratio) and the assumed survival curves
(:func:`planner.figures_survival.survival_curves_draw`, the report's drawing function).

Switching a subgroup to "piecewise" writes ``{key}.piecewise`` with one piece equal to its
exponential model (same numbers); switching back writes the derived median and average hazard
ratio. Every edit goes through the document (undo, validation naming the field).
"""

from __future__ import annotations

import math

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from planner.catalogue import FIELDS_BY_PATH, SURVIVAL_MODELS

from .document import ScenarioDocument

COLUMNS = ("starts", "control_hazards", "hazard_ratios")


class PiecewiseEditor(QWidget):
    """The model switch and the table of one subgroup (``positive`` or ``negative``)."""

    def __init__(self, doc: ScenarioDocument, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc, self.key = doc, key
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.model = QComboBox()
        for code, words in SURVIVAL_MODELS:
            self.model.addItem(words, code)
        self.model.currentIndexChanged.connect(self._switch)
        layout.addWidget(self.model)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([FIELDS_BY_PATH[f"{key}.piecewise.{c}"].label for c in COLUMNS])
        for i, c in enumerate(COLUMNS):
            self.table.horizontalHeaderItem(i).setToolTip(FIELDS_BY_PATH[f"{key}.piecewise.{c}"].tooltip)
        self.table.cellChanged.connect(self._edited)
        layout.addWidget(self.table)
        buttons = QHBoxLayout()
        self.add_button, self.remove_button = QPushButton("Add interval"), QPushButton("Remove interval")
        self.add_button.clicked.connect(self._add_row)
        self.remove_button.clicked.connect(self._remove_row)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        layout.addLayout(buttons)
        self.problems = QLabel()
        self.problems.setWordWrap(True)
        layout.addWidget(self.problems)
        self.refresh()

    # ---------------------------------------------------------------- document → widgets
    def is_piecewise(self) -> bool:
        return isinstance(self.doc.get(f"{self.key}.piecewise"), dict)

    def refresh(self) -> None:
        on = self.doc.endpoint == "survival"
        self.setVisible(on)
        piecewise = self.is_piecewise()
        self.model.blockSignals(True)
        self.model.setCurrentIndex(1 if piecewise else 0)
        self.model.blockSignals(False)
        for w in (self.table, self.add_button, self.remove_button):
            w.setVisible(piecewise)
        block = self.doc.get(f"{self.key}.piecewise") or {}
        rows = max((len(block.get(c) or []) for c in COLUMNS), default=0)
        self.table.blockSignals(True)
        self.table.setRowCount(rows)
        for j, c in enumerate(COLUMNS):
            values = block.get(c) or []
            for i in range(rows):
                text = f"{values[i]:g}" if i < len(values) and isinstance(values[i], (int, float)) else ""
                self.table.setItem(i, j, QTableWidgetItem(text))
        self.table.blockSignals(False)
        problems = [f"{c}: {r}" for c in COLUMNS for r in self.doc.problems_for(f"{self.key}.piecewise.{c}")]
        self.problems.setText("\n".join(problems))
        self.problems.setVisible(bool(problems) and piecewise)

    # ---------------------------------------------------------------- widgets → document
    def _read_table(self) -> dict:
        out: dict = {c: [] for c in COLUMNS}
        for i in range(self.table.rowCount()):
            for j, c in enumerate(COLUMNS):
                item = self.table.item(i, j)
                text = item.text().strip() if item is not None else ""
                try:
                    out[c].append(float(text))
                except ValueError:
                    out[c].append(text)  # the reader names the bad entry
        return out

    def _edited(self, *_args) -> None:
        self.doc.set_block(self.key, {"piecewise": self._read_table()}, f"Edit {self.key}.piecewise")

    def _add_row(self) -> None:
        block = self._read_table()
        last = [block[c][-1] if block[c] else 0.0 for c in COLUMNS]
        start = (last[0] + 3.0) if isinstance(last[0], float) and block["starts"] else 0.0
        block["starts"].append(start)
        block["control_hazards"].append(last[1] if block["control_hazards"] else 0.05)
        block["hazard_ratios"].append(last[2] if block["hazard_ratios"] else 1.0)
        self.doc.set_block(self.key, {"piecewise": block}, f"Add an interval to {self.key}.piecewise")

    def _remove_row(self) -> None:
        block = self._read_table()
        if len(block["starts"]) > 1:
            block = {c: v[:-1] for c, v in block.items()}
            self.doc.set_block(self.key, {"piecewise": block}, f"Remove an interval from {self.key}.piecewise")

    def _switch(self, index: int) -> None:
        code = self.model.itemData(index)
        sub = getattr(self.doc.scenario, self.key, None) if self.doc.scenario is not None else None
        if code == "piecewise" and not self.is_piecewise():
            median = self.doc.get(f"{self.key}.control_median") or 12.0
            hr = self.doc.get(f"{self.key}.hazard_ratio") or 1.0
            block = {"piecewise": {"starts": [0.0], "control_hazards": [math.log(2) / float(median)],
                                   "hazard_ratios": [float(hr)]}}
            self.doc.set_block(self.key, block, f"Describe {self.key} survival piecewise")
        elif code == "exponential" and self.is_piecewise():
            median = sub.control_median if sub is not None else 12.0
            hr = sub.hazard_ratio if sub is not None else 1.0
            self.doc.set_block(self.key, {"control_median": round(median, 6), "hazard_ratio": round(hr, 6)},
                               f"Describe {self.key} survival as exponential")


class SurvivalCurvesView(QWidget):
    """The assumed survival curves of the current scenario (refreshed on every change)."""

    def __init__(self, doc: ScenarioDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
        from matplotlib.figure import Figure

        self.doc = doc
        self.figure = Figure(figsize=(4.0, 2.6), dpi=90)
        self.canvas = FigureCanvasQTAgg(self.figure)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.canvas)
        self.canvas.setMinimumHeight(220)
        self.refresh()

    @staticmethod
    def _inputs_key(scenario) -> tuple:
        """What the curves depend on: each subgroup's (or cell's) survival model and the survival
        block (planner.figures_survival.survival_curves_draw)."""
        if scenario.has_cells:
            groups = tuple((c.name, repr(scenario.cells[c.name])) for c in scenario.population.cells)
        else:
            groups = (repr(scenario.positive), repr(scenario.negative))
        return groups, repr(scenario.survival)

    def refresh(self) -> None:
        from planner.figures_survival import survival_curves_draw

        on = self.doc.endpoint == "survival"
        self.setVisible(on)
        if not on or self.doc.scenario is None:
            return
        key = self._inputs_key(self.doc.scenario)
        if key == getattr(self, "_drawn_key", None):
            return  # e.g. a prevalence edit: the curves are unchanged (a full redraw costs ~0.1 s)
        self._drawn_key = key
        self.figure.clear()
        self.figure.subplots_adjust(left=0.14, right=0.97, bottom=0.17, top=0.9)
        survival_curves_draw(self.figure.add_subplot(), self.doc.scenario)
        self.canvas.draw_idle()


def add_piecewise_inputs(panel) -> None:
    """Add the editors to the B+/B− groups and the curves to the survival group of ``panel``."""
    panel.piecewise_editors = {}
    for key in ("positive", "negative"):
        editor = PiecewiseEditor(panel.doc, key)
        panel.forms[key].addRow("Survival model", editor)
        panel.piecewise_editors[key] = editor
    panel.survival_curves = SurvivalCurvesView(panel.doc)
    panel.forms["survival"].addRow(panel.survival_curves)


def refresh_piecewise_inputs(panel) -> None:
    """Show the table or the exponential fields of each subgroup; redraw the curves."""
    for key, editor in getattr(panel, "piecewise_editors", {}).items():
        editor.refresh()
        # the whole row (its "Survival model" label too) only for a survival endpoint
        panel.forms[key].setRowVisible(editor, panel.doc.endpoint == "survival")
        piecewise = editor.is_piecewise()
        for name in ("control_median", "hazard_ratio"):
            row = panel.rows.get(f"{key}.{name}")
            if row is not None and panel.doc.endpoint == "survival":
                panel.forms[key].setRowVisible(row, not piecewise)
    if hasattr(panel, "survival_curves"):
        panel.survival_curves.refresh()
