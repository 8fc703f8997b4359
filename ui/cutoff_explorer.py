"""The cutoff explorer dialog (Tools → Cutoff explorer…): a continuous biomarker's distribution,
effect and control outcome as functions of the marker and candidate cutoffs (the scenario's
``biomarker`` block); for each cutoff the prevalence, the two sides' effects and the all-comers,
targeted and stratified designs (table), the design map over cutoffs (plot), and "Use these
cutoffs", which replaces the scenario's population by the cells form of the ticked cutoffs as one
undo step. The work is :mod:`planner.cutoff`, run in the background (:mod:`ui.tasks`); labels and
tooltips are the catalogue's (:mod:`planner.catalogue.biomarker`).
"""

from __future__ import annotations

import copy
import textwrap
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
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

from planner.catalogue import FIELDS_BY_PATH, FIGURES, OPTIONS
from planner.cutoff import format_value
from planner.errors import ScenarioError

from .document import EditCommand, ScenarioDocument
from .field_widgets import ERROR_STYLE
from .plot_canvas import PlotCanvas
from .tasks import TaskRunner

#: the inputs of each part of the block, by kind (file keys)
_KEYS = {
    "distribution": {"empirical": ("values", "probabilities"), "normal": ("mean", "sd"),
                     "lognormal": ("meanlog", "sdlog"), "beta": ("a", "b", "lower", "upper")},
    "effect": {"step": ("threshold", "below", "above"), "linear": ("ends", "values"), "bands": ("edges", "values")},
    "control": {"constant": ("value",), "bands": ("edges", "values")},
}
_OPTION = {"distribution": "marker_distribution", "effect": "marker_effect", "control": "marker_control"}
#: the most cutoffs "Use these cutoffs" takes (populations of the cells form)
MAX_USED = 3


def default_block(data: dict) -> dict:
    """Inputs for a scenario without a biomarker block: a 0–100 score (uniform), a step at 50
    from the scenario's B− to B+ effect, the B+ control outcome, cutoffs 25, 50, 75."""
    from planner.catalogue import EFFECTS
    from planner.catalogue.biomarker import CONTROL_FIELD

    endpoint = str(data.get("endpoint", "continuous"))
    pos, neg = data.get("positive") or {}, data.get("negative") or {}

    def effect(g: dict) -> float:
        if endpoint == "binary":
            return float(g.get("treatment_rate", 0.0)) - float(g.get("control_rate", 0.0))
        return float(g.get(EFFECTS[endpoint].code, 1.0 if endpoint == "survival" else 0.0))

    block: dict[str, Any] = {"name": "marker", "unit": "%", "distribution": {"kind": "beta", "a": 1.0, "b": 1.0,
                                                                              "lower": 0.0, "upper": 100.0},
                             "effect": {"kind": "step", "threshold": 50.0, "below": effect(neg), "above": effect(pos)},
                             "cutoffs": [25.0, 50.0, 75.0]}
    control = pos.get(CONTROL_FIELD[endpoint])
    if control is not None:
        block["control"] = {"kind": "constant", "value": float(control)}
    return block


def _text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(f"{v:g}" for v in value)
    return "" if value is None else f"{value:g}" if isinstance(value, (int, float)) else str(value)


def _explore_task(state, scenario) -> tuple:
    from planner.cutoff import cutoff_map, explore, table_rows

    rows = explore(scenario)
    state.check()
    return table_rows(rows, scenario.endpoint), cutoff_map(scenario)


class CutoffExplorer(QDialog):
    """Non-modal dialog over the document's ``biomarker`` block."""

    computed = Signal()

    def __init__(self, doc: ScenarioDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Cutoff explorer")
        self.doc = doc
        self.tasks = TaskRunner(self)
        self.scenario = None
        self.table_data: list[dict] = []
        self.cutoff_map = None
        self.edits: dict[str, QLineEdit] = {}
        self.kinds: dict[str, QComboBox] = {}
        self.forms: dict[str, QFormLayout] = {}
        inputs = QWidget()
        left = QVBoxLayout(inputs)
        head = QFormLayout()
        for key in ("name", "unit", "cutoffs"):
            head.addRow(FIELDS_BY_PATH[f"biomarker.{key}"].label, self._edit(f"biomarker.{key}"))
        left.addLayout(head)
        for part in ("distribution", "effect", "control"):
            left.addWidget(self._part(part))
        self.compute_button = QPushButton("Compute")
        self.compute_button.setToolTip("Check the inputs, keep them in the scenario (one undo step) and compute")
        self.compute_button.clicked.connect(self.compute)
        left.addWidget(self.compute_button)
        self.message = QLabel()
        self.message.setWordWrap(True)
        left.addWidget(self.message)
        left.addStretch(1)
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.itemChanged.connect(lambda _item: self._update_use())
        self.canvas = PlotCanvas(FIGURES["cutoff_map"].title, figsize=(6, 3.4))
        self.use_button = QPushButton("Use these cutoffs")
        self.use_button.setToolTip(f"Replace the scenario's population by cells between the ticked cutoffs (1 to "
                                   f"{MAX_USED}) and populations marker ≥ each cutoff, as one undo step")
        self.use_button.clicked.connect(self.use_cutoffs)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.table)
        right.addWidget(self.canvas)
        right.setStretchFactor(0, 2)
        right.setStretchFactor(1, 3)
        self.table.setMinimumHeight(200)
        body = QSplitter(Qt.Orientation.Horizontal)
        body.addWidget(inputs)
        body.addWidget(right)
        body.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(body, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.use_button)
        layout.addLayout(row)
        self.resize(1250, 760)
        self._loaded: dict | None = None
        self.load(doc.data.get("biomarker") or default_block(doc.data))
        self._update_use()
        doc.changed.connect(self._document_changed)

    # ------------------------------------------------------------------ inputs
    def _edit(self, path: str) -> QLineEdit:
        spec = FIELDS_BY_PATH[path]
        edit = QLineEdit()
        edit.setToolTip(spec.tooltip)
        edit.setPlaceholderText(spec.example)
        edit.returnPressed.connect(self.compute)
        edit.textEdited.connect(self._stale)
        self.edits[path] = edit
        return edit

    def _part(self, part: str) -> QGroupBox:
        box = QGroupBox(FIELDS_BY_PATH[f"biomarker.{part}.kind"].label)
        form = QFormLayout(box)
        combo = QComboBox()
        for code, words in OPTIONS[_OPTION[part]]:
            combo.addItem(words, code)
        combo.setToolTip(FIELDS_BY_PATH[f"biomarker.{part}.kind"].tooltip)
        combo.currentIndexChanged.connect(lambda _i, p=part: self._show_rows(p))
        combo.activated.connect(self._stale)
        form.addRow(combo)
        keys = sorted(dict.fromkeys(k for ks in _KEYS[part].values() for k in ks), key=lambda k: k == "values"
                      and part != "distribution")  # file order, the values after their edges
        for key in keys:
            path = f"biomarker.{part}.{key}"
            form.addRow(FIELDS_BY_PATH[path].label, self._edit(path))
        self.kinds[part], self.forms[part] = combo, form
        return box

    def _show_rows(self, part: str) -> None:
        shown = _KEYS[part][self.kinds[part].currentData()]
        for path, edit in self.edits.items():
            if path.startswith(f"biomarker.{part}."):
                self.forms[part].setRowVisible(edit, path.rsplit(".", 1)[1] in shown)

    def _document_changed(self, _path: str = "") -> None:
        """Undo, redo or another file changed the document's block: show it (the table is stale)."""
        block = self.doc.data.get("biomarker")
        if block != self._loaded:
            self.load(block or default_block(self.doc.data))
            self._loaded = copy.deepcopy(block)
            self._stale()

    def load(self, block: dict) -> None:
        """Show ``block`` (a biomarker block, as in the file) in the inputs."""
        self._loaded = copy.deepcopy(self.doc.data.get("biomarker"))
        for path, edit in self.edits.items():
            keys = path.split(".")[1:]
            node: Any = block
            for k in keys:
                node = node.get(k) if isinstance(node, dict) else None
            edit.setText(_text(node))
        for part, combo in self.kinds.items():
            kind = (block.get(part) or {}).get("kind", combo.itemData(0))
            combo.setCurrentIndex(max(0, combo.findData(kind)))
            self._show_rows(part)

    def block(self) -> tuple[dict, list[str]]:
        """The block the inputs describe, and the problems of text that is not a number (list)."""
        from planner.curves import parse_list

        problems: list[str] = []

        def value(path: str) -> Any:
            text = self.edits[path].text().strip()
            spec = FIELDS_BY_PATH[path]
            if spec.kind == "text" or not text:
                return text if spec.kind == "text" else None
            try:
                values = parse_list(text)
            except ValueError as err:
                problems.append(f"{path}: {err}")
                return None
            return values if spec.kind == "list" else values[0]

        out: dict[str, Any] = {k: value(f"biomarker.{k}") for k in ("name", "unit", "cutoffs")}
        for part, combo in self.kinds.items():
            kind = combo.currentData()
            out[part] = {"kind": kind, **{k: value(f"biomarker.{part}.{k}") for k in _KEYS[part][kind]}}
            out[part] = {k: v for k, v in out[part].items() if v is not None}
        return {k: v for k, v in out.items() if v is not None}, problems

    # ------------------------------------------------------------------ compute
    def _show_problems(self, problems: list[str]) -> None:
        self.message.setStyleSheet(ERROR_STYLE if problems else "")
        self.message.setText("\n".join(problems))

    def compute(self) -> None:
        """Validate the inputs with the scenario, keep them in the document, compute in the background."""
        from planner.scenario_io import scenario_from_dict

        block, problems = self.block()
        data = copy.deepcopy(self.doc.data)
        data["biomarker"] = block
        if not problems:
            try:
                self.scenario = scenario_from_dict(copy.deepcopy(data))
            except ScenarioError as err:
                problems = [str(p) for p in err.problems]
        self._show_problems(problems)
        if problems:
            self.scenario = None
            self._update_use()
            return
        if self.doc.data.get("biomarker") != block:
            self._loaded = copy.deepcopy(block)  # the document's block is the inputs': nothing to reload
            self.doc.set_block("biomarker", block, "Cutoff explorer inputs")
        self.message.setText("Computing…")
        self.tasks.start("Cutoff explorer", _explore_task, self.scenario, on_done=self._computed,
                         on_error=lambda text: self._show_problems([text]))

    def _computed(self, result: tuple) -> None:
        self.table_data, self.cutoff_map = result
        self.message.setText("")
        self._fill_table()
        self._draw()
        self._update_use()
        self.computed.emit()

    def _fill_table(self) -> None:
        from planner.cutoff import table_headers

        heads = table_headers(self.scenario.endpoint)
        keys = list(heads)
        self.table.blockSignals(True)
        self.table.clear()
        self.table.setColumnCount(len(keys))
        self.table.setRowCount(len(self.table_data))
        self.table.setHorizontalHeaderLabels(["\n".join(textwrap.wrap(heads[k], 16)) for k in keys])
        for i, row in enumerate(self.table_data):
            for j, key in enumerate(keys):
                item = QTableWidgetItem(format_value(key, row[key]))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if j == 0:
                    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                    item.setCheckState(Qt.CheckState.Checked if i < MAX_USED else Qt.CheckState.Unchecked)
                self.table.setItem(i, j, item)
        self.table.resizeColumnsToContents()
        self.table.blockSignals(False)

    def _draw(self) -> None:
        from planner.figures_cutoff import cutoff_map_csv, draw_cutoff_map

        s, canvas = self.scenario, self.canvas
        canvas.clear()
        currency = s.costs.currency if s.costs else ""
        canvas.legend_handles = draw_cutoff_map(canvas.ax, self.cutoff_map, s.biomarker, s.testing.power, currency)
        canvas.ax.legend(handles=canvas.legend_handles, fontsize=7, loc="upper center", framealpha=0.85)
        canvas.legend_on_screen = True
        cmap = self.cutoff_map
        canvas.csv_text = lambda: cutoff_map_csv(cmap)
        canvas.redraw()

    # ------------------------------------------------------------------ use
    def ticked(self) -> list[float]:
        """The cutoffs ticked in the table."""
        return [row["cutoff"] for i, row in enumerate(self.table_data)
                if (item := self.table.item(i, 0)) is not None and item.checkState() == Qt.CheckState.Checked]

    def _stale(self, *_args) -> None:
        """An input changed: the table is of the old inputs until Compute."""
        self.scenario = None
        self._update_use()

    def _update_use(self) -> None:
        n = len(self.ticked())
        self.use_button.setEnabled(self.scenario is not None and 1 <= n <= MAX_USED)

    def use_cutoffs(self) -> None:
        """Replace the scenario's population by the cells form of the ticked cutoffs (one undo step)."""
        from planner.cutoff import cells_form_from_cutoffs

        cuts = self.ticked()
        try:
            after = cells_form_from_cutoffs(self.doc.data, cuts)
        except (ValueError, ScenarioError) as err:
            self._show_problems([str(err)])
            return
        words = ", ".join(f"{c:g}" for c in sorted(cuts))
        self.doc.undo_stack.push(EditCommand(self.doc, f"Use cutoffs {words} as the scenario's populations",
                                             copy.deepcopy(self.doc.data), after, None))
        self.message.setStyleSheet("")
        self.message.setText(f"The scenario now has cells between the cutoffs {words} (Edit → Undo to go back).")

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        self.tasks.cancel()
        super().closeEvent(event)
