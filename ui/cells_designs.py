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

from planner.catalogue import FIELDS_BY_PATH, FULL_POPULATION, FULL_POPULATION_WORDS

from . import cells_edits as edits
from .document import ScenarioDocument
from .field_widgets import FieldRow

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


def add_cells_design_rows(panel) -> None:
    """Add the cells-form rows to the designs group (shown only in the cells form)."""
    panel.cells_design_rows = {}
    form = panel.forms["designs"]
    for path in CELLS_ROWS:
        row = PopulationChoiceRow(path, panel.doc)
        row.setObjectName(path)
        form.insertRow(form.rowCount() - 1, row.label, row)  # before the designs' message
        panel.cells_design_rows[path] = row


def refresh_cells_design_rows(panel, on: bool) -> None:
    form = panel.forms["designs"]
    designs = panel.doc.data.get("designs") or {}
    for path, row in getattr(panel, "cells_design_rows", {}).items():
        form.setRowVisible(row, on)
        if on:
            row.load()
            row.setEnabled(path.split(".")[1] in designs)
    for path in TWO_SUBGROUP_ROWS:
        row = panel.rows.get(path)
        if row is not None and on:
            form.setRowVisible(row, False)
