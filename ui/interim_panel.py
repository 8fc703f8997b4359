"""The inputs panel's "Interim analyses" section: the scenario's top-level ``interim`` block.

Tick the box to give every fixed design a group-sequential plan (looks, alpha spending and its
parameter, futility bounds and whether they bind); untick to remove the block. Every row is a
:class:`~ui.field_widgets.FieldRow` of :data:`planner.catalogue.INTERIM_FIELDS` (labels, bounds
and tooltips from the catalogue); the reader's messages (``interim.information_rates: must
increase``) appear beside the field.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QFormLayout, QGroupBox, QWidget

from planner.catalogue import INTERIM_FIELDS

from .document import ScenarioDocument
from .field_widgets import FieldRow

TITLE = "Interim analyses (group-sequential plan of every fixed design)"
DEFAULT_BLOCK = {spec.path.split(".", 1)[1]: spec.default for spec in INTERIM_FIELDS[:3]}
DEFAULT_BLOCK["information_rates"] = list(DEFAULT_BLOCK["information_rates"])


class InterimBox(QGroupBox):
    """Checkable group box bound to the document's ``interim`` block."""

    def __init__(self, doc: ScenarioDocument, parent: QWidget | None = None) -> None:
        super().__init__(TITLE, parent)
        self.doc = doc
        self.setObjectName("interim_box")
        self.setCheckable(True)
        self.setToolTip("Tick to plan interim analyses (the scenario's 'interim' block): sizes become maximum "
                        "sizes, with expected sizes and boundaries per design")
        self.form = QFormLayout(self)
        self.rows: dict[str, FieldRow] = {}
        for spec in INTERIM_FIELDS:
            row = FieldRow(spec, doc)
            row.edited.disconnect()
            row.edited.connect(self._edit)
            self.rows[spec.path] = row
            self.form.addRow(row.label, row)
        self.toggled.connect(self._toggle)

    def _edit(self, path: str, value: Any) -> None:
        if path == "interim.futility.bounds" and value == []:
            value = None  # an empty list: no futility stop
        self.doc.set_value(path, value)

    def _toggle(self, on: bool) -> None:
        present = isinstance(self.doc.data.get("interim"), dict)
        if on and not present:
            self.doc.set_block("interim", DEFAULT_BLOCK, "Add interim analyses")
        elif not on and present:
            self.doc.set_block("interim", None, "Remove interim analyses")

    def refresh(self) -> None:
        on = isinstance(self.doc.data.get("interim"), dict)
        self.blockSignals(True)
        self.setChecked(on)
        self.blockSignals(False)
        gamma = self.doc.get("interim.efficacy") in ("hwang_shih_decani", "kim_demets")
        for path, row in self.rows.items():
            row.load()
            row.setEnabled(on and (gamma or path != "interim.gamma"))
