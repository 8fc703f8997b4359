"""Assurance inputs of the cells form (several biomarker populations) in the app's prior editor.

The cells form's ``uncertainty`` block (docs/uncertainty.md, "The cells form";
:mod:`planner.cells_uncertainty`): a Dirichlet distribution of the cells' prevalences (counts per
cell, or an effective sample size n) and, per cell, the distributions of its outcome parameters
(the effect; the SD of a continuous endpoint; the control rate of a binary one; the control median
of a survival one). One row per input: a check box (uncertain or not), the form, the values, the
description, the reader's problems and the density (the prevalences: each cell's marginal), drawn
by :class:`ui.prior_editor.PriorEditor` (deferred, only while shown) with the two-subgroup boxes'
function (:mod:`ui.prior_widgets`, :func:`planner.figures_prior.draw_prior`). Every edit replaces
the block in the document (one undo step). Words and forms: the catalogue.
:class:`ui.prior_editor.PriorEditor` shows this editor instead of its boxes in the cells form.
"""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from planner.catalogue import (
    CELL_PRIOR_KEYS,
    MEDIAN_PRIOR_FORMS,
    PREVALENCES_PRIOR_FORMS,
    PRIOR_BETA_FORMS,
    PRIOR_FORMS,
    PRIOR_KEYS,
    PRIOR_NORMAL_FORMS,
    PRIOR_STARTER,
    PRIOR_WORDS,
    SD_PRIOR_FORMS,
    cell_prior_label,
)

from .field_widgets import ERROR_STYLE
from .prior_widgets import PriorWidgets, prior_canvas

BLOCK = "uncertainty"
#: the forms offered per input kind: form code → (words, keys)
FORMS: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    "prevalences": PREVALENCES_PRIOR_FORMS,
    "effect": {k: PRIOR_FORMS[k] for k in PRIOR_NORMAL_FORMS},
    "control_rate": {k: PRIOR_FORMS[k] for k in PRIOR_BETA_FORMS},
    "sd": {k: (", ".join(v), v) for k, v in SD_PRIOR_FORMS.items()},
    "control_median": {k: (", ".join(v), v) for k, v in MEDIAN_PRIOR_FORMS.items()},
}
WORDS_OF_KEY = {**PRIOR_KEYS, "df": "degrees of freedom", "counts": "count", "events": "events"}


def form_of(kind: str, prior: dict) -> str:
    """The form a prior of the file is given in (its keys decide)."""
    for code, (_words, keys) in FORMS[kind].items():
        if set(prior) <= set(keys) and (set(prior) & set(keys) or len(FORMS[kind]) == 1):
            if kind == "control_rate" and code == "mean_n" and "sd" in prior:
                continue
            return code
    return next(iter(FORMS[kind]))


def starter(scenario: Any, kind: str, cell: str = "") -> dict:
    """A first distribution, centred on the scenario's value."""
    if kind == "prevalences":
        return dict(PRIOR_STARTER["prevalence"])
    if kind == "sd":
        return {"df": 30}
    if kind == "control_median":
        return {"events": 50}
    if kind == "control_rate":
        return dict(PRIOR_STARTER["prevalence"])
    import math  # noqa: PLC0415

    from planner.cells_uncertainty import cell_value  # noqa: PLC0415

    try:
        value = cell_value(scenario, cell, "effect")
    except (AttributeError, KeyError, TypeError, ValueError):
        value = 0.0
    theta = math.log(value) if scenario is not None and scenario.endpoint == "survival" and value > 0 else value
    return {"se": round(max(abs(theta) * 0.25, 0.02), 4)}


def first_of_form(scenario: Any, kind: str, cell: str, code: str) -> dict:
    """A first distribution in form ``code`` (when the form is changed), centred on the scenario."""
    if code == "counts" and kind == "prevalences":
        cells = scenario.population.cells if scenario is not None and scenario.has_cells else ()
        n = PRIOR_STARTER["prevalence"].get("n", 100)
        return {"counts": {c.name: int(round(n * c.prevalence)) for c in cells}}
    if code == "counts":
        return {"x": 50, "n": 100}
    if code == "mean_sd":
        return {"sd": 0.05}
    if code == "interval":
        import math  # noqa: PLC0415

        from planner.cells_uncertainty import cell_value  # noqa: PLC0415

        se = starter(scenario, "effect", cell)["se"]
        survival = scenario.endpoint == "survival"
        point = cell_value(scenario, cell, "effect")
        centre = math.log(point) if survival else point
        g = math.exp if survival else float
        return {"estimate": round(g(centre), 5), "lower": round(g(centre - 1.96 * se), 5),
                "upper": round(g(centre + 1.96 * se), 5)}
    return starter(scenario, kind, cell)


class CellPriorRow(QWidget, PriorWidgets):
    """One uncertain input: check box, form, value edits, description, problems and density."""

    def __init__(self, editor: CellsPriorEditor, kind: str, cell: str, value_keys: tuple[str, ...]) -> None:
        super().__init__()
        self.editor, self.kind, self.cell = editor, kind, cell
        self.check = QCheckBox(cell_prior_label(kind, cell))
        self.check.toggled.connect(self._toggled)
        self.form = QComboBox()
        self.form.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.form.setMinimumContentsLength(16)  # as the two-subgroup boxes: the editor fits a narrow column
        for code, (words, _keys) in FORMS[kind].items():
            self.form.addItem(words, code)
        self.form.currentIndexChanged.connect(self._form_changed)
        self.edits: dict[str, QLineEdit] = {}
        self.labels: dict[str, QLabel] = {}
        values = QHBoxLayout()
        for name in value_keys:
            edit = QLineEdit()
            edit.setObjectName(f"{BLOCK}.{self.path()}.{name}")
            edit.editingFinished.connect(self.write)
            if name == "estimate":
                edit.setPlaceholderText(PRIOR_WORDS["centred"])
            label = QLabel(name if kind == "prevalences" and name not in ("n",) else WORDS_OF_KEY.get(name, name))
            self.edits[name], self.labels[name] = edit, label
            values.addWidget(label)
            values.addWidget(edit)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.problem = QLabel()
        self.problem.setStyleSheet(ERROR_STYLE)
        self.problem.setWordWrap(True)
        self.plot = prior_canvas(cell_prior_label(kind, cell))
        self.plot.hide()
        self.drawn_key = None
        head = QHBoxLayout()
        head.addWidget(self.check)
        head.addWidget(self.form, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(head)
        layout.addLayout(values)
        layout.addWidget(self.description)
        layout.addWidget(self.problem)
        layout.addWidget(self.plot)

    def path(self) -> str:
        return "prevalences" if self.kind == "prevalences" else f"cells.{self.cell}.{self.kind}"

    def _toggled(self, on: bool) -> None:
        self.editor.set_prior(self, starter(self.editor.doc.scenario, self.kind, self.cell) if on else None)

    def _form_changed(self, _index: int) -> None:
        if self.check.isChecked():
            self.editor.set_prior(self, first_of_form(self.editor.doc.scenario, self.kind, self.cell,
                                                      str(self.form.currentData())))

    def shown_keys(self) -> tuple[str, ...]:
        code = str(self.form.currentData())
        if self.kind == "prevalences" and code == "counts":
            return tuple(self.editor.cell_names)
        return FORMS[self.kind][code][1]

    def write(self) -> None:
        """The typed values as the input's prior (not written while a value is not a number)."""
        from .prior_editor import WHOLE, parse_number  # noqa: PLC0415

        if not self.check.isChecked():
            return
        prior: dict = {}
        for name in self.shown_keys():
            text = self.edits[name].text() if name in self.edits else ""
            if not text.strip():
                continue
            try:
                value = parse_number(text)
            except ValueError:
                self.problem.setText(f"{WORDS_OF_KEY.get(name, name)}: enter a number, got {text!r}")
                return
            whole = name in WHOLE or (self.kind == "prevalences" and name != "n")
            prior[name] = int(value) if whole and float(value).is_integer() else value
        if self.kind == "prevalences" and str(self.form.currentData()) == "counts":
            prior = {"counts": prior}
        self.editor.set_prior(self, prior)

    def load(self, prior: dict | None, problems: list[str], description: str) -> None:
        on = isinstance(prior, dict)
        values = (prior.get("counts") or {}) if on and "counts" in prior else (prior or {})
        self.load_prior(prior, form_of(self.kind, prior) if on else "", values, problems, description)


class CellsPriorEditor(QWidget):
    """The prevalences' row and one group of rows per cell; rebuilt when the cells change."""

    def __init__(self, doc: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.rows: dict[str, CellPriorRow] = {}
        self.cell_names: list[str] = []
        self._shape: tuple = ()
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)

    def _rebuild(self, names: list[str], endpoint: str) -> None:
        while self.layout_.count():
            item = self.layout_.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.cell_names, self.rows = names, {}
        value_keys = ("n", *names)
        row = CellPriorRow(self, "prevalences", "", value_keys)
        self.rows[row.path()] = row
        self.layout_.addWidget(row)
        for cell in names:
            box = QGroupBox(cell)
            lay = QVBoxLayout(box)
            for kind in CELL_PRIOR_KEYS.get(endpoint, ("effect",)):
                keys = tuple(dict.fromkeys(k for f in FORMS[kind].values() for k in f[1]))
                row = CellPriorRow(self, kind, cell, keys)
                self.rows[row.path()] = row
                lay.addWidget(row)
            self.layout_.addWidget(box)

    def block(self) -> dict:
        value = self.doc.get(BLOCK)
        return copy.deepcopy(value) if isinstance(value, dict) else {}

    def set_prior(self, row: CellPriorRow, prior: dict | None) -> None:
        """Write (or remove) one input's distribution; the block goes when no input is left."""
        block = self.block()
        if row.kind == "prevalences":
            target, key = block, "prevalences"
        else:
            target, key = block.setdefault("cells", {}).setdefault(row.cell, {}), row.kind
        current = target.get(key)
        if prior == current:
            return
        if prior is None:
            target.pop(key, None)
        else:
            target[key] = prior
        cells = {c: v for c, v in (block.get("cells") or {}).items() if v}
        block.pop("cells", None)
        if cells:
            block["cells"] = cells
        label = row.check.text()
        if "prevalences" not in block and not cells:
            self.doc.set_block(BLOCK, None, f"Remove the prior of {label.lower()}")
            return
        verb = "Remove the prior" if prior is None else "Prior"
        self.doc.set_block(BLOCK, block, f"{verb} of {label[0].lower()}{label[1:]}")

    def start_block(self) -> dict:
        """The starting block: the prevalences (n = 100) and the first cell's effect, centred."""
        first = self.cell_names[0] if self.cell_names else ""
        return {"prevalences": starter(None, "prevalences"),
                "cells": {first: {"effect": starter(self.doc.scenario, "effect", first)}}}

    def refresh(self) -> None:
        pop = self.doc.get("population") or {}
        names = [c.get("name") for c in pop.get("cells") or [] if isinstance(c, dict) and isinstance(c.get("name"), str)]
        shape = (tuple(names), self.doc.endpoint)
        if shape != self._shape:
            self._shape = shape
            self._rebuild(names, self.doc.endpoint)
        block = self.block()
        s = self.doc.scenario if self.doc.valid else None
        u = getattr(s, "uncertainty", None)
        for path, row in self.rows.items():
            prior = block.get("prevalences") if path == "prevalences" else \
                ((block.get("cells") or {}).get(row.cell) or {}).get(row.kind)
            problems = [f"{p.path.removeprefix(f'{BLOCK}.{path}.')}: {p.reason}" for p in self.doc.problems
                        if p.path == f"{BLOCK}.{path}" or p.path.startswith(f"{BLOCK}.{path}.")]
            row.load(prior if isinstance(prior, dict) else None, problems, self._describe(s, u, path))

    @staticmethod
    def _describe(s: Any, u: Any, path: str) -> str:
        if s is None or u is None or not hasattr(u, "uncertain") or path not in u.uncertain():
            return ""
        from planner.cells_assurance import describe_cells_uncertainty  # noqa: PLC0415

        lines = describe_cells_uncertainty(s, u)
        return lines[list(u.uncertain()).index(path)].split(": ", 1)[-1]


__all__ = ["CellsPriorEditor", "form_of", "starter"]
