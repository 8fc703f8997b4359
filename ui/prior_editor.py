"""Assurance inputs in the app: add, see and edit the distribution of each uncertain input.

One box per input of the ``uncertainty`` block (:data:`planner.uncertainty.INPUTS`: prevalence,
the B+ and B− effects, assay sensitivity and specificity): a check box makes the input uncertain,
a choice says how its distribution is given (docs/uncertainty.md: x of n, mean and n, mean and
SD; estimate and SE, estimate and interval), the values are typed in, and the shape of the prior
is drawn beside it (:func:`planner.figures_prior.draw_prior`, the one drawing function; the loading
and drawing every prior row shares: :mod:`ui.prior_widgets`). Every
edit replaces the block in the document (one undo step, "Prior of …"); the reader's problems
(``uncertainty.prevalence.n: …``) are shown in the box. The draws and their seed are edited too.

Drawing is deferred to the event loop and redone only for the inputs whose distribution or
scenario value changed, and only while the editor is shown (a density is a few milliseconds).
"""

from __future__ import annotations

import copy
import math
from typing import Any

from PySide6.QtCore import QLocale, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from planner.catalogue import (
    PRIOR_BETA_FORMS,
    PRIOR_FORMS,
    PRIOR_INPUTS,
    PRIOR_KEYS,
    PRIOR_NORMAL_FORMS,
    PRIOR_STARTER,
    PRIOR_WORDS,
)

from .document import ScenarioDocument
from .field_widgets import ERROR_STYLE
from .prior_widgets import PriorWidgets, prior_canvas

BLOCK = "uncertainty"
INPUTS = tuple(PRIOR_INPUTS)  # the order of planner.uncertainty.INPUTS
BETA = ("prevalence", "assay_sensitivity", "assay_specificity")
WHOLE = ("x", "n")


def form_of(prior: dict, key: str) -> str:
    """The form a prior of the file is given in (its keys decide)."""
    if key in BETA:
        return "counts" if "x" in prior else ("mean_sd" if "sd" in prior else "mean_n")
    return "interval" if ("lower" in prior or "upper" in prior) else "estimate_se"


def parse_number(text: str) -> float:
    """A number typed with '.' or the locale's decimal separator; raises ValueError."""
    t = text.strip().replace(" ", "")
    if not t:
        raise ValueError("empty")
    try:
        return float(t)
    except ValueError:
        value, ok = QLocale().toDouble(t)
        if not ok:
            t2 = t.replace(",", ".")
            return float(t2)
        return value


def _spread(scenario: Any, key: str) -> tuple[float, float] | None:
    """(centre, sd) of the input's current prior on the analysis scale (None: no prior)."""
    from planner.uncertainty import BetaPrior, point_value

    u = getattr(scenario, "uncertainty", None)
    prior = getattr(u, key, None) if u is not None else None
    if prior is None:
        return None
    point = point_value(scenario, key)
    if isinstance(prior, BetaPrior):
        ab = prior.parameters(point)
        if ab is None:
            return prior.center(point), 0.0
        a, b = ab
        return a / (a + b), math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
    return prior.mean_sd(point)


def starter(scenario: Any, key: str) -> dict:
    """A first distribution for ``key``, centred on the scenario's value."""
    if key in BETA:
        return dict(PRIOR_STARTER.get("prevalence", {"n": 100}))
    from planner.uncertainty import point_value

    try:
        value = point_value(scenario, key)
    except (AttributeError, TypeError, ValueError):
        value = 0.0
    theta = math.log(value) if scenario is not None and scenario.endpoint == "survival" and value > 0 else value
    return {"se": round(max(abs(theta) * 0.25, 0.02), 4)}


def converted(scenario: Any, key: str, form: str) -> dict:
    """The current distribution of ``key`` given in ``form`` instead (the same centre and spread)."""
    spread = _spread(scenario, key) if scenario is not None else None
    if spread is None or spread[1] <= 0:
        base = starter(scenario, key)
        spread = None
    if key in BETA:
        if spread is None:
            return {"n": 100} if form == "mean_n" else ({"sd": 0.05} if form == "mean_sd" else {"x": 50, "n": 100})
        m, sd = spread
        total = max(2.0, m * (1 - m) / sd**2 - 1)
        if form == "counts":
            n = int(round(total))
            return {"x": int(round(m * n)), "n": n}
        return {"n": round(total, 2)} if form == "mean_n" else {"sd": round(sd, 5)}
    if spread is None:
        mu, sd = None, base["se"]
    else:
        mu, sd = spread
    if form == "estimate_se":
        return {"se": round(sd, 5)}
    from planner.uncertainty import point_value

    survival = scenario is not None and scenario.endpoint == "survival"
    centre = mu if mu is not None else (math.log(point_value(scenario, key)) if survival else point_value(scenario, key))
    lo, hi = centre - 1.96 * sd, centre + 1.96 * sd
    g = math.exp if survival else (lambda v: v)
    return {"estimate": round(g(centre), 5), "lower": round(g(lo), 5), "upper": round(g(hi), 5)}


class PriorBox(QGroupBox, PriorWidgets):
    """One input: uncertain or not, the form, the values, problems, description and density."""

    def __init__(self, editor: PriorEditor, key: str) -> None:
        super().__init__()
        self.editor, self.key = editor, key
        self.check = QCheckBox(PRIOR_INPUTS[key])
        self.check.setToolTip(PRIOR_WORDS["uncertain"].capitalize())
        self.check.toggled.connect(self._toggled)
        self.form = QComboBox()
        self.form.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.form.setMinimumContentsLength(16)
        for code in (PRIOR_BETA_FORMS if key in BETA else PRIOR_NORMAL_FORMS):
            self.form.addItem(PRIOR_FORMS[code][0], code)
        self.form.currentIndexChanged.connect(self._form_changed)
        self.edits: dict[str, QLineEdit] = {}
        self.labels: dict[str, QLabel] = {}
        values = QFormLayout()
        for name in ("x", "n", "mean", "sd", "estimate", "se", "lower", "upper", "level"):
            edit = QLineEdit()
            edit.setObjectName(f"{BLOCK}.{key}.{name}")
            if name in ("mean", "estimate"):
                edit.setPlaceholderText(PRIOR_WORDS["centred"])
            if name == "level":
                edit.setPlaceholderText("0.95")
            edit.editingFinished.connect(self.write)
            label = QLabel(PRIOR_KEYS[name])
            self.edits[name], self.labels[name] = edit, label
            values.addRow(label, edit)
        self.values_form = values
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.problem = QLabel()
        self.problem.setStyleSheet(ERROR_STYLE)
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.plot = prior_canvas(PRIOR_INPUTS[key])
        left = QVBoxLayout()
        left.addWidget(self.form)
        left.addLayout(values)
        left.addWidget(self.description)
        left.addWidget(self.problem)
        left.addStretch(1)
        grid = QGridLayout(self)
        grid.addWidget(self.check, 0, 0)
        grid.addLayout(left, 1, 0)
        grid.addWidget(self.plot, 2, 0)  # below the values: the box fits a narrow column
        self.drawn_key: Any = None

    # ------------------------------------------------------------------ edits
    def _toggled(self, on: bool) -> None:
        self.editor.set_prior(self.key, starter(self.editor.doc.scenario, self.key) if on else None)

    def _form_changed(self, _index: int) -> None:
        if not self.check.isChecked():
            return
        form = str(self.form.currentData())
        self.editor.set_prior(self.key, converted(self.editor.doc.scenario, self.key, form))

    def write(self) -> None:
        """The typed values as the input's prior (not written while a value is not a number)."""
        if not self.check.isChecked():
            return
        keys = PRIOR_FORMS[str(self.form.currentData())][1]
        prior: dict = {}
        for name in keys:
            text = self.edits[name].text()
            if not text.strip():
                continue
            try:
                value = parse_number(text)
            except ValueError:
                self.show_problem(f"{PRIOR_KEYS[name]}: enter a number, got {text!r}")
                return
            prior[name] = int(value) if name in WHOLE and float(value).is_integer() else value
        current = (self.editor.doc.get(BLOCK) or {}).get(self.key)
        if prior != current:
            self.editor.set_prior(self.key, prior)

    # ------------------------------------------------------------------ refresh
    def shown_keys(self) -> tuple[str, ...]:
        return PRIOR_FORMS[str(self.form.currentData())][1]

    def set_value_visible(self, name: str, shown: bool) -> None:
        self.values_form.setRowVisible(self.edits[name], shown)

    def load(self, prior: dict | None, problems: list[str], description: str) -> None:
        on = isinstance(prior, dict)
        self.load_prior(prior, form_of(prior, self.key) if on else "", prior or {}, problems, description)


class PriorEditor(QWidget):
    """The ``uncertainty`` block as a form: one :class:`PriorBox` per input, draws and seed."""

    def __init__(self, doc: ScenarioDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from planner.uncertainty import MAX_DRAWS, MIN_DRAWS

        self.doc = doc
        self.boxes = {key: PriorBox(self, key) for key in INPUTS}
        self.draws = QSpinBox()
        self.draws.setRange(MIN_DRAWS, MAX_DRAWS)
        self.draws.setSingleStep(1000)
        self.draws.setKeyboardTracking(False)
        self.draws.valueChanged.connect(lambda v: self._set_top("draws", int(v)))
        self.seed = QSpinBox()
        self.seed.setRange(0, 2_147_483_647)
        self.seed.setKeyboardTracking(False)
        self.seed.valueChanged.connect(lambda v: self._set_top("seed", int(v)))
        top = QFormLayout()
        top.addRow(PRIOR_WORDS["draws"], self.draws)
        top.addRow(PRIOR_WORDS["seed"], self.seed)
        inner = QWidget()
        lay = QVBoxLayout(inner)
        title = QLabel(f"<b>{PRIOR_WORDS['section']}</b>")
        lay.addWidget(title)
        lay.addLayout(top)
        for box in self.boxes.values():
            lay.addWidget(box)
        from .cells_prior_editor import CellsPriorEditor  # noqa: PLC0415

        self.cells_editor = CellsPriorEditor(doc, inner)  # the cells form's inputs (shown instead of the boxes)
        lay.addWidget(self.cells_editor)
        lay.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.draw)
        doc.changed.connect(self.refresh)
        self.refresh()

    # ------------------------------------------------------------------ document
    def block(self) -> dict:
        value = self.doc.get(BLOCK)
        return copy.deepcopy(value) if isinstance(value, dict) else {}

    def set_prior(self, key: str, prior: dict | None) -> None:
        """Write (or remove) the distribution of ``key``; the block goes when no input is left."""
        block = self.block()
        if prior is None:
            block.pop(key, None)
        else:
            block[key] = prior
        if not any(k in block for k in INPUTS):
            self.doc.set_block(BLOCK, None, f"Remove the prior of {PRIOR_INPUTS[key].lower()}")
            return
        verb = "Remove the prior" if prior is None else "Prior"
        self.doc.set_block(BLOCK, block, f"{verb} of {PRIOR_INPUTS[key].lower()}")

    def _set_top(self, name: str, value: int) -> None:
        block = self.block()
        if not block or block.get(name) == value:
            return
        block[name] = value
        self.doc.set_block(BLOCK, block, f"Prior {PRIOR_WORDS[name].lower()} {value}")

    def start(self) -> None:
        """Make the prevalence and the B+ effect uncertain (a starting block, centred on the scenario)."""
        if self.block():
            return
        if self.cells_form():
            self.cells_editor.refresh()
            self.doc.set_block(BLOCK, self.cells_editor.start_block(), "Add uncertain inputs (assurance)")
            return
        block = {key: starter(self.doc.scenario, key) for key in ("prevalence", "positive_effect")}
        self.doc.set_block(BLOCK, block, "Add uncertain inputs (assurance)")

    def cells_form(self) -> bool:
        """Whether the document is in the cells form (several populations: its own inputs)."""
        pop = self.doc.get("population")
        return isinstance(pop, dict) and "cells" in pop

    def refresh(self, _path: str = "") -> None:
        from planner.uncertainty import DEFAULT_DRAWS, DEFAULT_SEED

        cells = self.cells_form()
        self.cells_editor.setVisible(cells)
        for box in self.boxes.values():
            box.setVisible(not cells)
        if cells:
            self.cells_editor.refresh()

        block = self.doc.get(BLOCK)
        block = block if isinstance(block, dict) else {}
        for w, value in ((self.draws, block.get("draws", DEFAULT_DRAWS)), (self.seed, block.get("seed", DEFAULT_SEED))):
            w.blockSignals(True)
            if isinstance(value, int) and not isinstance(value, bool):
                w.setValue(min(max(value, w.minimum()), w.maximum()))
            w.setEnabled(bool(block))
            w.blockSignals(False)
        for key, box in self.boxes.items():
            if cells:
                break
            problems = [f"{p.path.removeprefix(f'{BLOCK}.{key}.')}: {p.reason}" for p in self.doc.problems
                        if p.path == f"{BLOCK}.{key}" or p.path.startswith(f"{BLOCK}.{key}.")]
            box.load(block.get(key), problems, self._describe(key))
        self._timer.start(0)

    def _describe(self, key: str) -> str:
        s = self.doc.scenario if self.doc.valid else None
        prior = getattr(getattr(s, "uncertainty", None), key, None) if s is not None else None
        if prior is None:
            return ""
        from planner.uncertainty import point_value

        try:
            return prior.describe(point_value(s, key))
        except ValueError as exc:
            return str(exc)

    # ------------------------------------------------------------------ drawing
    def showEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        self._timer.start(0)

    def draw(self) -> None:
        """Draw the densities that changed (only while shown): the boxes', or the cells form's rows'."""
        if not self.isVisible():
            return
        s = self.doc.scenario if self.doc.valid else None
        if s is None or s.uncertainty is None:
            return
        from planner.figures_prior import prior_panels

        rows = self.cells_editor.rows if s.has_cells else self.boxes
        for panel in prior_panels(s):
            if panel["path"] in rows:
                rows[panel["path"]].draw_panel(panel)


__all__ = ["PriorEditor", "converted", "form_of", "parse_number", "starter"]
