"""Design options of the cells form in the inputs panel: the stratified design's multiplicity
procedure and the claim it is sized for over F and the populations, and the targeted design's
population (catalogue fields ``designs.stratified.population_multiplicity``,
``designs.stratified.population_size_for`` and ``designs.targeted.population``).

They replace the two-subgroup rows (Spiessens–Debois…, "B+ subgroup claim") while the scenario
is in the cells form; their choices name the scenario's populations.
"""

from __future__ import annotations

import copy
from dataclasses import replace

from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from planner.catalogue import FIELDS_BY_PATH, FULL_POPULATION, FULL_POPULATION_WORDS

from . import cells_edits as edits
from .document import ScenarioDocument
from .field_widgets import ERROR_STYLE, INVALID_STYLE, FieldRow

#: the two-subgroup rows the cells-form rows replace
TWO_SUBGROUP_ROWS = ("designs.stratified.multiplicity", "designs.stratified.size_for")
CELLS_ROWS = ("designs.stratified.population_multiplicity", "designs.stratified.population_size_for",
              "designs.targeted.population")


class PopulationChoiceRow(FieldRow):
    """A choice among the scenario's populations (and fixed codes), written at the file's path."""

    def __init__(self, catalogue_path: str, doc: ScenarioDocument) -> None:
        spec = FIELDS_BY_PATH[catalogue_path]
        file_path = spec.extra.get("file_path", spec.path)
        spec = replace(spec, path=file_path, kind="choice")  # the targeted population: a name among the choices
        super().__init__(spec, doc)
        self.catalogue_path = catalogue_path
        self.edited.disconnect()
        self.edited.connect(self._write)

    def choices(self) -> tuple:
        names = [str(p.get("name")) for p in edits.populations(self.doc.data)]
        default = self.spec.extra.get("default_text")
        first = ((None, f"{default} (default)"),) if default else ()
        if self.catalogue_path == "designs.targeted.population":
            return first + tuple((n, n) for n in names)
        if self.catalogue_path == "designs.stratified.population_size_for":
            return first + tuple(self.spec.choices) + ((FULL_POPULATION, f"the claim in {FULL_POPULATION_WORDS}"),) \
                + tuple((n, f"the claim in population {n}") for n in names)
        return tuple(self.spec.choices)

    def _write(self, path: str, value) -> None:
        """Write the choice; leaving the fixed sequence drops its testing order (it applies to it only)."""
        if path == "designs.stratified.multiplicity" and value != "fixed_sequence" \
                and self.doc.get("designs.stratified.order") is not None:
            after = copy.deepcopy(self.doc.data)
            after["designs"]["stratified"]["multiplicity"] = value
            after["designs"]["stratified"].pop("order", None)
            self.doc.replace_data(after, f"{self.spec.label} → {value}")
            return
        self.doc.set_value(path, value)


#: how the testing order is shown and typed ("TPS ≥50% → TPS ≥1% → F"; commas are read too)
ORDER_SEPARATOR = " → "
ORDER_PATH = "designs.stratified.order"


class OrderRow(QWidget):
    """The fixed sequence's testing order: population names (F the full population) in order."""

    def __init__(self, doc: ScenarioDocument) -> None:
        super().__init__()
        self.doc = doc
        spec = FIELDS_BY_PATH[ORDER_PATH]
        self.label = QLabel(spec.label)
        self.label.setToolTip(spec.tooltip)
        self.editor = QLineEdit()
        self.editor.setObjectName(ORDER_PATH)
        self.editor.setToolTip(spec.tooltip + f"<br><i>Type the names separated by '{ORDER_SEPARATOR.strip()}' "
                               "or commas; empty: the populations in the table's order, then F.</i>")
        self.editor.setPlaceholderText("the populations in order, then " + FULL_POPULATION)
        self.editor.editingFinished.connect(self._write)
        self.message = QLabel()
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.editor)
        layout.addWidget(self.message)

    def _write(self) -> None:
        text = self.editor.text().replace("→", ",")
        names = [n.strip() for n in text.split(",") if n.strip()]
        self.doc.set_value(ORDER_PATH, names or None)

    def load(self) -> None:
        order = self.doc.get(ORDER_PATH)
        text = ORDER_SEPARATOR.join(map(str, order)) if isinstance(order, list) else ""
        if self.editor.text() != text:
            self.editor.setText(text)
        problems = self.doc.problems_for(ORDER_PATH)
        self.message.setText("; ".join(problems))
        self.message.setVisible(bool(problems))
        self.editor.setStyleSheet(INVALID_STYLE if problems else "")


def add_cells_design_rows(panel) -> None:
    """Add the cells-form rows to the designs group (shown only in the cells form)."""
    panel.cells_design_rows = {}
    form = panel.forms["designs"]
    for path in CELLS_ROWS:
        row = PopulationChoiceRow(path, panel.doc)
        row.setObjectName(path)
        form.insertRow(form.rowCount() - 1, row.label, row)  # before the designs' message
        panel.cells_design_rows[path] = row
    panel.order_row = OrderRow(panel.doc)
    form.insertRow(form.rowCount() - 1, panel.order_row.label, panel.order_row)


def refresh_cells_design_rows(panel, on: bool) -> None:
    form = panel.forms["designs"]
    designs = panel.doc.data.get("designs") or {}
    for path, row in getattr(panel, "cells_design_rows", {}).items():
        form.setRowVisible(row, on)
        if on:
            row.load()
            row.setEnabled(path.split(".")[1] in designs)
    order = getattr(panel, "order_row", None)
    if order is not None:
        sequence = on and panel.doc.get("designs.stratified.multiplicity") == "fixed_sequence"
        form.setRowVisible(order, sequence)
        if sequence:
            order.load()
            order.setEnabled("stratified" in designs)
    for path in TWO_SUBGROUP_ROWS:
        row = panel.rows.get(path)
        if row is not None and on:
            form.setRowVisible(row, False)
