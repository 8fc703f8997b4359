"""The cells-and-populations table of the inputs panel (scenario in the cells form: several
biomarker populations, docs/scenario-format.md).

Two tables: the **cells** (name, prevalence typed as 0.28 or 28 %, and the cell's outcome fields
— the catalogue's fields of the two-subgroup form, with their bounds and parsing through
:class:`ui.number_edit.NumberEdit`) and the **populations** (name, a check box per cell, the
population's prevalence). Beside them, the document's problems about cells and populations
(``population.cells[1].prevalence``, ``population.populations[0]``…) in words, and the sum of the
prevalences. Every edit is one step on the document's undo stack with a human label
(:mod:`ui.cells_edits` makes the edited dictionary); the widget never edits the dictionary itself.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from planner.catalogue import (
    CELL_COUNT,
    FIELDS_BY_PATH,
    FULL_POPULATION,
    POPULATION_COUNT,
    POPULATION_PREVALENCE,
    PREVALENCE_SUM_TOLERANCE,
    FieldSpec,
    cell_outcome_fields,
    outcome_key,
)
from planner.errors import Problem

from . import cells_edits as edits
from .document import ScenarioDocument
from .field_widgets import ERROR_STYLE, INVALID_STYLE, UNIT_STYLE
from .number_edit import NumberEdit

#: the problem paths this widget shows (and the inputs panel then does not)
PATH_PREFIXES = ("population.cells", "population.populations", "cells")
CELL_NAME = FIELDS_BY_PATH["population.cells.name"]
CELL_PREVALENCE = FIELDS_BY_PATH["population.cells.prevalence"]
POPULATION_NAME = FIELDS_BY_PATH["population.populations.name"]
_INDEX = re.compile(r"^population\.(cells|populations)\[(\d+)\](?:\.(\w+))?")


def is_cells_problem(path: str) -> bool:
    return path == "cells" or path.startswith(PATH_PREFIXES)


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.4g}"


class CellsEditor(QWidget):
    """Cells, populations and their problems, bound to a :class:`ScenarioDocument`."""

    def __init__(self, doc: ScenarioDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.specs: list[FieldSpec] = []
        self.editors: dict[tuple[int, str], NumberEdit] = {}  # (row, "prevalence" | outcome key)
        self.local_error = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.cells_table = self._table()
        self.cells_table.setObjectName("cells_table")
        self.cells_table.itemChanged.connect(self._cell_item_changed)
        layout.addWidget(self.cells_table)
        buttons = QHBoxLayout()
        self.add_cell_button = QPushButton("Add cell")
        self.add_cell_button.setToolTip("A new cell after the last; it takes half of the last cell's prevalence")
        self.remove_cell_button = QPushButton("Remove cell")
        self.remove_cell_button.setToolTip("Remove the selected cell (else the last one)")
        self.add_cell_button.clicked.connect(lambda: self._apply(edits.add_cell))
        self.remove_cell_button.clicked.connect(
            lambda: self._apply(edits.remove_cell, self._selected(self.cells_table)))
        buttons.addWidget(self.add_cell_button)
        buttons.addWidget(self.remove_cell_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.sum_label = QLabel()
        self.sum_label.setObjectName("cells_sum")
        self.sum_label.setStyleSheet(UNIT_STYLE)
        layout.addWidget(self.sum_label)
        self.populations_table = self._table()
        self.populations_table.setObjectName("populations_table")
        self.populations_table.itemChanged.connect(self._population_item_changed)
        layout.addWidget(self.populations_table)
        buttons = QHBoxLayout()
        self.add_population_button = QPushButton("Add population")
        self.add_population_button.setToolTip(f"A new population besides {FULL_POPULATION} (the full population); "
                                              "tick its cells")
        self.remove_population_button = QPushButton("Remove population")
        self.remove_population_button.setToolTip("Remove the selected population (else the last one)")
        self.add_population_button.clicked.connect(lambda: self._apply(edits.add_population))
        self.remove_population_button.clicked.connect(
            lambda: self._apply(edits.remove_population, self._selected(self.populations_table)))
        buttons.addWidget(self.add_population_button)
        buttons.addWidget(self.remove_population_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.problems = QLabel()
        self.problems.setObjectName("cells_problems")
        self.problems.setStyleSheet(ERROR_STYLE)
        self.problems.setWordWrap(True)
        self.problems.hide()
        layout.addWidget(self.problems)
        doc.opened.connect(self._forget_local_error)  # another scenario: an old refusal does not apply
        self.refresh()

    def _forget_local_error(self) -> None:
        self.local_error = ""

    @staticmethod
    def _table() -> QTableWidget:
        t = QTableWidget(0, 0)
        t.verticalHeader().hide()
        t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        t.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        t.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        t.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return t

    @staticmethod
    def _selected(table: QTableWidget) -> int:
        rows = table.selectionModel().selectedRows() if table.selectionModel() else []
        return rows[0].row() if rows else table.rowCount() - 1

    # ---------------------------------------------------------------- widgets → document
    def _apply(self, edit, *args) -> None:
        """Make an edit of :mod:`ui.cells_edits` and push it (or say why it cannot be made)."""
        try:
            after, text = edit(self.doc.data, *args)
        except edits.CellsEditError as err:
            self.local_error = str(err)
            self._show_problems()
            return
        self.local_error = ""
        if text:
            self.doc.replace_data(after, text)
        else:
            self._show_problems()

    def _cell_item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() == 0:
            self._apply(edits.rename_cell, item.row(), item.text())
            if self.local_error:
                self.refresh()  # the old name comes back

    def _population_item_changed(self, item: QTableWidgetItem) -> None:
        row, column = item.row(), item.column()
        names = edits.cell_names(self.doc.data)
        if column == 0:
            self._apply(edits.rename_population, row, item.text())
            if self.local_error:
                self.refresh()
        elif 1 <= column <= len(names):
            on = item.checkState() == Qt.CheckState.Checked
            self._apply(edits.set_membership, row, names[column - 1], on)

    def _number_edited(self, row: int, key: str, value: float | None) -> None:
        if key == "prevalence":
            if value is not None:
                self._apply(edits.set_prevalence, row, value)
            return
        name = edits.cell_names(self.doc.data)[row]
        spec = next(s for s in self.specs if outcome_key(s) == key)
        self._apply(edits.set_outcome, name, key, spec.label, value)

    def _rejected(self, reason: str) -> None:
        self.local_error = reason
        self._show_problems()

    # ---------------------------------------------------------------- document → widgets
    def refresh(self) -> None:
        data = self.doc.data
        on = edits.has_cells(data)
        self.setVisible(on)
        if not on:
            return
        self._refresh_cells(data)
        self._refresh_populations(data)
        n_cells, n_pops = len(edits.cells(data)), len(edits.populations(data))
        self.add_cell_button.setEnabled(n_cells < CELL_COUNT[1])
        self.remove_cell_button.setEnabled(n_cells > CELL_COUNT[0])
        self.add_population_button.setEnabled(n_pops < POPULATION_COUNT[1])
        self.remove_population_button.setEnabled(n_pops > POPULATION_COUNT[0])
        total = edits.prevalence_sum(data)
        good = total is not None and abs(total - 1) <= PREVALENCE_SUM_TOLERANCE
        self.sum_label.setText(f"Prevalences sum to {_fmt(total)}" + ("" if good else " (they must sum to 1)"))
        self.sum_label.setStyleSheet(UNIT_STYLE if good else ERROR_STYLE)
        self._show_problems()

    def _refresh_cells(self, data: dict) -> None:
        t = self.cells_table
        specs = cell_outcome_fields(self.doc.endpoint)
        rows = edits.cells(data)
        outcomes = data.get("cells") if isinstance(data.get("cells"), dict) else {}
        shape_changed = specs != self.specs or t.rowCount() != len(rows)
        if shape_changed:
            self.specs = specs
            self._build_cells(len(rows))
        t.blockSignals(True)
        try:
            for i, cell in enumerate(rows):
                name = str(cell.get("name", ""))
                item = t.item(i, 0)
                if item.text() != name:
                    item.setText(name)
                self.editors[(i, "prevalence")].show_value(_number(cell.get("prevalence")))
                block = outcomes.get(name) if isinstance(outcomes.get(name), dict) else {}
                for spec in specs:
                    key = outcome_key(spec)
                    value = _number(block.get(key))
                    if value is None and isinstance(spec.default, (int, float)):
                        value = spec.default
                    editor = self.editors[(i, key)]
                    editor.show_value(value)
                    editor.setEnabled("piecewise" not in block)
                    if "piecewise" in block:
                        editor.setToolTip(spec.tooltip + "<br><i>This cell's survival is piecewise (as in the file).</i>")
        finally:
            t.blockSignals(False)

    def _build_cells(self, n_rows: int) -> None:
        t = self.cells_table
        t.blockSignals(True)
        t.setRowCount(0)  # deletes the old editors
        t.clear()
        self.editors = {}
        columns = [CELL_NAME, CELL_PREVALENCE, *self.specs]
        t.setColumnCount(len(columns))
        t.setRowCount(n_rows)
        for j, spec in enumerate(columns):
            head = QTableWidgetItem(spec.label)
            head.setToolTip(spec.tooltip)
            t.setHorizontalHeaderItem(j, head)
        for i in range(n_rows):
            item = QTableWidgetItem("")
            item.setToolTip(CELL_NAME.tooltip + "<br><i>Double-click to rename.</i>")
            t.setItem(i, 0, item)
            for j, spec in enumerate(columns[1:], start=1):
                key = "prevalence" if spec is CELL_PREVALENCE else outcome_key(spec)
                editor = NumberEdit(spec)
                editor.setObjectName(f"cell{i}.{key}")
                editor.setToolTip(spec.tooltip)
                editor.setFrame(False)
                editor.valueChanged.connect(lambda v, r=i, k=key: self._number_edited(r, k, v))
                editor.rejectedChanged.connect(self._rejected)
                t.setCellWidget(i, j, editor)
                self.editors[(i, key)] = editor
        t.blockSignals(False)

    def _refresh_populations(self, data: dict) -> None:
        t = self.populations_table
        names = edits.cell_names(data)
        pops = edits.populations(data)
        t.blockSignals(True)
        try:
            t.clear()
            t.setColumnCount(len(names) + 2)
            t.setRowCount(len(pops))
            heads = [POPULATION_NAME.label, *names, POPULATION_PREVALENCE.label]
            tips = [POPULATION_NAME.tooltip, *(f"Cell '{n}' is in the population" for n in names),
                    POPULATION_PREVALENCE.tooltip]
            for j, (head, tip) in enumerate(zip(heads, tips)):
                item = QTableWidgetItem(head)
                item.setToolTip(tip)
                t.setHorizontalHeaderItem(j, item)
            for i, pop in enumerate(pops):
                name = QTableWidgetItem(str(pop.get("name", "")))
                name.setToolTip(POPULATION_NAME.tooltip + "<br><i>Double-click to rename.</i>")
                t.setItem(i, 0, name)
                members = set(pop.get("cells") or [])
                for j, cell in enumerate(names, start=1):
                    box = QTableWidgetItem("")
                    box.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled
                                 | Qt.ItemFlag.ItemIsSelectable)
                    box.setCheckState(Qt.CheckState.Checked if cell in members else Qt.CheckState.Unchecked)
                    box.setToolTip(f"Cell '{cell}' in population '{pop.get('name')}'")
                    t.setItem(i, j, box)
                prev = QTableWidgetItem(_fmt(edits.population_prevalence(data, pop)))
                prev.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                prev.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                prev.setToolTip(POPULATION_PREVALENCE.tooltip)
                t.setItem(i, len(names) + 1, prev)
        finally:
            t.blockSignals(False)

    # ---------------------------------------------------------------- problems
    def problem_list(self) -> list[Problem]:
        return [p for p in self.doc.problems if is_cells_problem(p.path)]

    def _show_problems(self) -> None:
        data = self.doc.data
        problems = self.problem_list()
        texts = [self.local_error] if self.local_error else []
        texts += [problem_words(p, data) for p in problems]
        self.problems.setText("\n".join(dict.fromkeys(texts)))
        self.problems.setVisible(bool(texts))
        bad = {_editor_key(p.path, data) for p in problems}
        for key, editor in self.editors.items():
            invalid = key in bad or bool(editor.rejected)
            editor.setStyleSheet(INVALID_STYLE if invalid else "")
            editor.setProperty("invalid", invalid)


def _number(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _editor_key(path: str, data: dict) -> tuple[int, str] | None:
    """The editor a problem path points at: ``population.cells[1].prevalence`` → (1, 'prevalence');
    ``cells.<name>.<field>`` → (row of the cell, field)."""
    m = _INDEX.match(path)
    if m and m.group(1) == "cells" and m.group(3) == "prevalence":
        return int(m.group(2)), "prevalence"
    names = edits.cell_names(data)
    for i, name in enumerate(names):
        prefix = f"cells.{name}."
        if path.startswith(prefix):
            return i, path[len(prefix):].split(".")[0]
    return None


def problem_words(problem: Problem, data: dict) -> str:
    """A problem about cells or populations in words: the cell or population it concerns by name
    (``Cell 'TPS ≥50%', prevalence: …``), else the reason as the reader gives it."""
    m = _INDEX.match(problem.path)
    if m:
        items = edits.cells(data) if m.group(1) == "cells" else edits.populations(data)
        index = int(m.group(2))
        what = "Cell" if m.group(1) == "cells" else "Population"
        name = items[index].get("name") if index < len(items) else index + 1
        field = f", {m.group(3)}" if m.group(3) else ""
        return f"{what} '{name}'{field}: {problem.reason}"
    for name in edits.cell_names(data):
        prefix = f"cells.{name}"
        if problem.path == prefix or problem.path.startswith(prefix + "."):
            rest = problem.path[len(prefix) + 1:].replace("_", " ")
            return f"Cell '{name}'{', ' + rest if rest else ''}: {problem.reason}"
    return problem.reason[0].upper() + problem.reason[1:] if problem.reason else str(problem)


#: rows of the inputs panel that the cells form replaces (the cells' prevalences; an exact assay)
_REPLACED_ROWS = ("population.prevalence", "population.assay_sensitivity", "population.assay_specificity")


def add_cells_inputs(panel) -> None:
    """Add the cells-and-populations box to the inputs panel, after "Population and assay"."""
    from PySide6.QtWidgets import QGroupBox

    from planner.catalogue import CELLS_GROUP_TITLE

    box = QGroupBox(CELLS_GROUP_TITLE)
    box.setObjectName("cells_box")
    inner = QVBoxLayout(box)
    panel.cells_editor = CellsEditor(panel.doc)
    inner.addWidget(panel.cells_editor)
    layout = panel.body.layout() if hasattr(panel, "body") else panel.widget().layout()
    layout.insertWidget(layout.indexOf(panel.boxes["population"]) + 1, box)
    panel.cells_box = box
    from .cells_designs import add_cells_design_rows

    add_cells_design_rows(panel)


def refresh_cells_inputs(panel) -> None:
    """In the cells form: the table instead of the B+/B− groups, the prevalence and the assay;
    otherwise the panel as in the two-subgroup form."""
    editor = getattr(panel, "cells_editor", None)
    if editor is None:
        return
    on = edits.has_cells(panel.doc.data)
    editor.refresh()
    panel.cells_box.setVisible(on)
    for key in ("positive", "negative"):
        panel.boxes[key].setVisible(not on)
    form = panel.forms["population"]
    for path in _REPLACED_ROWS:
        row = panel.rows.get(path)
        if row is not None:
            form.setRowVisible(row, not on)
    if getattr(panel, "slider", None) is not None:
        form.setRowVisible(panel.slider, not on)
    from .cells_designs import refresh_cells_design_rows

    refresh_cells_design_rows(panel, on)


def convert_to_cells(window) -> None:
    """Edit → Convert to cells and populations: one undo step, or a message saying why not."""
    from PySide6.QtWidgets import QMessageBox

    try:
        after, text = edits.to_cells_form(window.doc.data)
    except edits.CellsEditError as err:
        QMessageBox.information(window, "Convert to cells and populations", f"Not converted: {err}.")
        return
    window.doc.replace_data(after, text)


def new_cells_scenario(window) -> None:
    """File → New with several populations: the new scenario's B+ and B− as cells."""
    import json

    from planner.catalogue import NEW_SCENARIO

    if not window.maybe_save():
        return
    data, _ = edits.to_cells_form(json.loads(json.dumps(NEW_SCENARIO)))
    data["title"] = "New scenario (several populations)"
    window.doc.load_dict(data)


def add_cells_actions(window, file_menu, edit_menu) -> None:
    """The File and Edit menu entries of the cells form."""
    new = window._action(file_menu, "New with several &populations", lambda: new_cells_scenario(window),
                         tip="Start a scenario described by cells and populations (nested cutoffs, two markers)")
    file_menu.insertAction(file_menu.actions()[1], new)  # after File → New
    window.convert_action = window._action(
        edit_menu, "Convert to cells and populations", lambda: convert_to_cells(window),
        tip="Describe the B+ and B− subgroups as cells, to add populations (nested cutoffs, a second marker)")
