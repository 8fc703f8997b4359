"""One editable field: editor, inline problem message and provenance note button.

A :class:`FieldRow` writes user edits to the :class:`~ui.document.ScenarioDocument` and is
refreshed from it (``load``) after every change, with its signals blocked so that a refresh
never produces an edit.
"""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from planner.catalogue import FieldSpec
from planner.scenario import ProvenanceNote

from .document import ScenarioDocument
from .number_edit import NumberEdit, shows_percent

ERROR_STYLE = "color: #b00020;"
UNIT_STYLE = "color: #666;"
#: units not repeated beside the editor (they are in the label or the suffix)
_SILENT_UNITS = ("", "treatment : control")
INVALID_STYLE = "background: #ffe3e3; color: #8b0000;"


def parse_numbers(text: str) -> list[float]:
    """'0.5, 1' or '0.5 1' → [0.5, 1.0]; raises ValueError."""
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p.strip()]
    if not parts:
        raise ValueError("enter at least one number")
    return [float(p) for p in parts]


def fmt_numbers(values: Any) -> str:
    if not isinstance(values, (list, tuple)):
        return ""
    return ", ".join(f"{v:g}" for v in values)


class FieldRow(QWidget):
    """Editor + provenance button + inline message for one :class:`FieldSpec`."""

    edited = Signal(str, object)

    def __init__(self, spec: FieldSpec, doc: ScenarioDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec, self.doc = spec, doc
        self.local_error = ""
        self.label = QLabel(spec.label)
        self.label.setToolTip(spec.tooltip)
        self.editor = self._make_editor()
        self.editor.setToolTip(spec.tooltip)
        self.editor.setObjectName(spec.path)
        self.note_button = QToolButton()
        self.note_button.setAutoRaise(True)
        self.note_button.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # Tab goes from value to value
        self.note_button.clicked.connect(self.edit_note)
        note_action = QAction("Provenance note…", self.editor)
        note_action.setShortcut(QKeySequence("Ctrl+Shift+N"))  # the note, from the keyboard
        note_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        note_action.triggered.connect(self.edit_note)
        self.editor.addAction(note_action)
        unit = spec.extra.get("suffix", "").strip() or ("" if spec.unit in _SILENT_UNITS else spec.unit)
        unit = unit if len(unit) <= 12 else ""  # longer units are in the tooltip (narrow windows)
        unit = "" if shows_percent(spec) else unit  # the '%' is in the text ('45%')
        self.unit_label = QLabel(unit)
        self.unit_label.setStyleSheet(UNIT_STYLE)
        self.unit_label.setVisible(bool(unit) and spec.kind in ("float", "int"))
        self.message = QLabel()
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)
        self.message.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.editor, 1)
        row.addWidget(self.unit_label)
        row.addWidget(self.note_button)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(1)
        outer.addLayout(row)
        outer.addWidget(self.message)
        self.edited.connect(doc.set_value)

    # ------------------------------------------------------------------ editors
    def _make_editor(self) -> QWidget:
        s = self.spec
        if s.kind == "float":
            w = NumberEdit(s)
            w.valueChanged.connect(lambda v: self.edited.emit(self.spec.path, v))
            w.rejectedChanged.connect(self._rejected)
            return w
        if s.extra.get("multiline"):
            w = QPlainTextEdit()
            w.setTabChangesFocus(True)
            w.setMaximumHeight(72)
            w.textChanged.connect(lambda: self.edited.emit(self.spec.path, self.editor.toPlainText()))
            return w
        if s.kind == "int":
            w = QSpinBox()
            w.setKeyboardTracking(False)  # the value is read when complete, not at each keystroke
            w.setRange(int(s.lo), int(min(s.hi, 2_147_483_647)))
            w.setSingleStep(int(s.step) or 1)
            w.setGroupSeparatorShown(False)
            if s.optional:  # the minimum stands for "empty" (None), shown as the special text
                w.setSpecialValueText(s.extra.get("empty_text", "default"))
                w.lineEdit().textEdited.connect(self._int_text_edited)
                w.editingFinished.connect(self._int_editing_finished)
            w.valueChanged.connect(self._int_changed)
            return w
        if s.kind == "choice":
            w = QComboBox()
            w.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            w.setMinimumContentsLength(14)
            self._fill_choices(w, s.choices)
            w.currentIndexChanged.connect(lambda _i: self.edited.emit(self.spec.path, self.editor.currentData()))
            return w
        if s.kind == "bool":
            w = QCheckBox()
            w.toggled.connect(lambda on: self.edited.emit(self.spec.path, bool(on)))
            return w
        w = QLineEdit()
        if s.kind == "list":
            w.setPlaceholderText(s.example)
            w.textEdited.connect(self._list_changed)
        else:
            w.textEdited.connect(lambda t: self.edited.emit(self.spec.path, t))
        return w

    @staticmethod
    def _fill_choices(combo: QComboBox, choices: tuple) -> None:
        combo.clear()
        for value, text in choices:
            combo.addItem(text, value)

    def _rejected(self, reason: str) -> None:
        self.local_error = reason
        self._show_problems()

    def _int_changed(self, value: int) -> None:
        if self.spec.optional and value == self.editor.minimum():
            self.edited.emit(self.spec.path, None)
        else:
            self.edited.emit(self.spec.path, int(value))

    def _int_text_edited(self, text: str) -> None:
        self._cleared = not text.strip()

    def _int_editing_finished(self) -> None:
        """A cleared optional whole-number field is empty (None), as its special text is."""
        if getattr(self, "_cleared", False):
            self._cleared = False
            self.editor.setValue(self.editor.minimum())  # emits None unless already there
            self.edited.emit(self.spec.path, None)

    def _list_changed(self, text: str) -> None:
        try:
            values = parse_numbers(text)
        except ValueError:
            self.local_error = "enter numbers separated by commas, e.g. " + self.spec.example
            self._show_problems()
            return
        self.local_error = ""
        self.edited.emit(self.spec.path, values)

    def choices(self) -> tuple:
        per = self.spec.extra.get("per_endpoint")
        return per[self.doc.endpoint] if per else self.spec.choices

    # ------------------------------------------------------------------ refresh from the document
    def value(self) -> Any:
        """The editor's current value, as it would be written to the scenario."""
        e = self.editor
        if isinstance(e, NumberEdit):
            return e.value()
        if isinstance(e, QPlainTextEdit):
            return e.toPlainText()
        if isinstance(e, QSpinBox):
            return None if self.spec.optional and e.value() == e.minimum() else e.value()
        if isinstance(e, QComboBox):
            return e.currentData()
        if isinstance(e, QCheckBox):
            return e.isChecked()
        if self.spec.kind == "list":
            return parse_numbers(e.text())
        return e.text()

    def load(self) -> None:
        """Show the document's value, problems and provenance note."""
        value = self.doc.get(self.spec.path)
        if value is None:
            value = self.spec.extra.get("default_by_endpoint", {}).get(self.doc.endpoint, self.spec.extra.get("default"))
        e = self.editor
        e.blockSignals(True)
        try:
            if isinstance(e, NumberEdit):
                number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
                if number is None and isinstance(self.spec.default, (int, float)):
                    number = self.spec.default  # an absent field shows the value it stands for
                if not (e.rejected and e.value() == number):  # rejected text stays until the value changes
                    e.show_value(number)
                    self.local_error = e.rejected
            elif isinstance(e, QPlainTextEdit):
                if e.toPlainText() != (value or ""):
                    e.setPlainText(str(value or ""))
            elif isinstance(e, QSpinBox):
                if value is None and self.spec.optional:
                    if e.value() != e.minimum():
                        e.setValue(e.minimum())
                elif isinstance(value, (int, float)) and not isinstance(value, bool) and e.value() != int(value):
                    e.setValue(int(value))
            elif isinstance(e, QComboBox):
                choices = self.choices()
                if [e.itemData(i) for i in range(e.count())] != [c[0] for c in choices]:
                    self._fill_choices(e, choices)
                index = e.findData(value)
                e.setCurrentIndex(index if index >= 0 else 0)
            elif isinstance(e, QCheckBox):
                e.setChecked(bool(True if value is None else value))
            elif self.spec.kind == "list":
                try:
                    same = parse_numbers(e.text()) == list(value or [])
                except ValueError:
                    same = False
                if not same:
                    e.setText(fmt_numbers(value))
                    self.local_error = ""
            elif e.text() != (value or ""):
                e.setText(str(value or ""))
                e.setCursorPosition(0)
        finally:
            e.blockSignals(False)
        self._show_problems()
        self._show_note()

    def _show_problems(self) -> None:
        reasons = self.doc.problems_for(self.spec.path)
        if self.local_error:
            reasons = [self.local_error, *reasons]
        text = "; ".join(reasons)
        self.message.setText(text)
        self.message.setVisible(bool(text))
        if self.editor.styleSheet() != (INVALID_STYLE if text else ""):  # setting it re-polishes (~0.1 ms)
            self.editor.setStyleSheet(INVALID_STYLE if text else "")
        self.editor.setProperty("invalid", bool(text))

    def note(self) -> ProvenanceNote | None:
        """This field's provenance note (text, or text and the value it was written for)."""
        raw = (self.doc.get("provenance") or {}).get(self.spec.path)
        try:
            return None if raw in (None, "") else ProvenanceNote.from_json(raw)
        except ValueError:
            return None

    def _show_note(self) -> None:
        note = self.note()
        style = self.style()
        stale = note is not None and not note.describes(self.doc.get(self.spec.path))
        state = (note, stale, repr(self.doc.get(self.spec.path)) if stale else None)
        if state == getattr(self, "_note_state", None):  # unchanged: icons and style sheets cost ~0.3 ms a row
            return
        self._note_state = state
        self.note_button.setProperty("note_stale", stale)
        if note and stale:
            from planner.report.fmt import value_text  # loads numpy: by then a value was edited

            self.note_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning))
            self.note_button.setToolTip(
                f"<b>Source:</b> {escape(note.source)}<br><b>Written for another value:</b> "
                f"{escape(value_text(note.value))} when the note was written, "
                f"{escape(value_text(self.doc.get(self.spec.path)))} now.<br><i>Click to edit the provenance note "
                "(saving it records the current value).</i>")
        elif note:
            self.note_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation))
            self.note_button.setToolTip(f"<b>Source:</b> {escape(note.source)}<br><i>Click to edit the provenance note.</i>")
        else:
            self.note_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_FileDialogContentsView))
            self.note_button.setToolTip("Attach a provenance note (the paper, cohort or judgement behind this value)")
        self.note_button.setProperty("has_note", bool(note))
        self.note_button.setStyleSheet("" if note else "QToolButton { opacity: 0.4; }")

    @property
    def has_problem(self) -> bool:
        return self.message.isVisible() or bool(self.message.text())

    def edit_note(self) -> None:
        note = self.note()
        current = note.source if note else ""
        text, ok = QInputDialog.getMultiLineText(
            self, "Provenance note", f"Source of '{self.spec.label}' ({self.spec.path}):", current
        )
        if ok:
            self.doc.set_provenance(self.spec.path, text)

    def applies_to(self, endpoint: str) -> bool:
        return endpoint in self.spec.endpoints


def set_alignment_top(label: QLabel) -> QLabel:
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    return label
