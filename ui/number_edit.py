"""Number entry that never surprises: typed text is parsed when it is complete, never replaced.

* ``0.2`` and ``20%`` are the same proportion (percent only where the catalogue's unit is a
  proportion or probability); the locale's decimal separator is accepted (``0,4``).
* Fields the catalogue marks ``extra["display"] == "percent"`` (the binary rates) are shown as
  a percentage (``45%``) and stored as proportions (0.45); typing ``0.45`` or ``45%`` is the same.
* The value is read when editing finishes (Return, Tab, focus out) or stepped with the arrow
  keys — never at each keystroke through invalid intermediate states (``0`` on the way to ``0.3``).
* Text that is not accepted stays in the field; :attr:`NumberEdit.rejected` says why, in words
  built from the catalogue's bounds ("enter a proportion between 0 and 1").
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QLocale, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from planner.catalogue import FieldSpec

#: units whose values may be typed as a percentage
PERCENT_UNITS = ("proportion", "probability")


def _num(v: float) -> str:
    return f"{v:,.10g}" if abs(v) >= 1e4 else f"{v:.10g}"


def format_number(value: float | None, percent: bool = False) -> str:
    """A value as it is shown in an editor: no trailing zeros, full precision (``percent``: 0.45 → '45%')."""
    if value is None:
        return ""
    if percent:
        return f"{round(float(value) * 100, 8):.10g}%"
    return f"{float(value):.10g}"


def shows_percent(spec: FieldSpec) -> bool:
    """Whether the catalogue asks for ``spec`` to be shown as a percentage (stored as a proportion)."""
    return spec.unit in PERCENT_UNITS and spec.extra.get("display") == "percent"


def _pct(v: float) -> str:
    return format_number(v, percent=True)


def parse_number(text: str, percent: bool = False, locale: QLocale | None = None) -> float:
    """'0.4', '0,4' (locale decimal comma), '1e-3', '20%' (``percent``) → float; ValueError else."""
    t = text.strip().replace("\u2212", "-").replace(" ", "").replace("\u00a0", "")
    scale = 1.0
    if t.endswith("%"):
        if not percent:
            raise ValueError("percent")
        t, scale = t[:-1].strip(), 0.01
    if not t:
        raise ValueError("empty")
    try:
        value = float(t)
    except ValueError:
        value, ok = (locale or QLocale()).toDouble(t)
        if not ok:
            if t.count(",") == 1 and "." not in t:  # a decimal comma in a locale that uses '.'
                value = float(t.replace(",", "."))
            else:
                raise ValueError("not a number") from None
    if not math.isfinite(value):
        raise ValueError("not finite")
    return value * scale


def _range_words(lo: tuple[str, float] | None, hi: tuple[str, float] | None, num=_num) -> str:
    if lo and hi:
        return f"between {num(lo[1])} and {num(hi[1])}"
    if lo:
        return ("above " if lo[0] == "gt" else "at least ") + num(lo[1])
    if hi:
        return ("below " if hi[0] == "lt" else "at most ") + num(hi[1])
    return ""


def rejection(spec: FieldSpec, value: float) -> str:
    """Why ``value`` is not accepted for ``spec`` ('' if it is), from the catalogue's bounds: the
    open bounds of the meaning first (a proportion is between 0 and 1), then the practical limits."""
    noun = f"a {spec.unit}" if spec.unit in PERCENT_UNITS else "a whole number" if spec.integer else "a number"
    if shows_percent(spec):
        return _percent_rejection(spec, value)
    meaning_lo = ("gt", spec.gt) if spec.gt is not None else None
    meaning_hi = ("lt", spec.lt) if spec.lt is not None else None
    if (meaning_lo and value <= spec.gt) or (meaning_hi and value >= spec.lt):
        return f"enter {noun} {_range_words(meaning_lo, meaning_hi)}".rstrip()
    practical_lo = ("ge", spec.ge) if spec.ge is not None else meaning_lo
    practical_hi = ("le", spec.le) if spec.le is not None else meaning_hi
    if (spec.ge is not None and value < spec.ge) or (spec.le is not None and value > spec.le):
        return f"enter {noun} {_range_words(practical_lo, practical_hi)}".rstrip()
    if spec.integer and not float(value).is_integer():
        return f"enter {noun} {_range_words(practical_lo, practical_hi)}".rstrip()
    return ""


def _percent_rejection(spec: FieldSpec, value: float) -> str:
    """:func:`rejection` in percentages for a field shown as a percentage (bounds from the catalogue)."""
    lo = ("gt", spec.gt) if spec.gt is not None else None
    hi = ("lt", spec.lt) if spec.lt is not None else None
    if (lo and value <= spec.gt) or (hi and value >= spec.lt):
        return f"enter a percentage {_range_words(lo, hi, _pct)} (such as 20%)"
    lo = ("ge", spec.ge) if spec.ge is not None else lo
    hi = ("le", spec.le) if spec.le is not None else hi
    if (spec.ge is not None and value < spec.ge) or (spec.le is not None and value > spec.le):
        return f"enter a percentage {_range_words(lo, hi, _pct)}"
    return ""


def parse_problem(spec: FieldSpec) -> str:
    """What to say about text that is not a number at all."""
    example = spec.example.split(" ")[0] if spec.example else "0.5"
    if shows_percent(spec):
        return f"enter a percentage such as 20% (or the {spec.unit} 0.2)"
    if spec.unit in PERCENT_UNITS:
        return f"enter a {spec.unit} such as {example} or a percentage such as 20%"
    return f"enter a number such as {example}"


class NumberEdit(QLineEdit):
    """A line edit for one number of a :class:`FieldSpec`.

    ``valueChanged(value)`` fires with a complete, accepted value (``None``: left empty, for an
    optional field); ``rejectedChanged(reason)`` when typed text is not accepted ('' once it is).
    """

    valueChanged = Signal(object)
    rejectedChanged = Signal(str)

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self._value: float | None = None
        self.rejected = ""
        example = spec.example.split(" ")[0]
        if shows_percent(spec) and example:
            example = format_number(float(example), percent=True)
        self.setPlaceholderText("default" if spec.optional else example)
        self.editingFinished.connect(self.commit)
        self.textEdited.connect(self._typing)

    # spin-box-like API (used by the slider, tests and benchmarks)
    def value(self) -> float | None:
        return self._value

    def minimum(self) -> float:
        return self.spec.lo

    def maximum(self) -> float:
        return self.spec.hi

    def decimals(self) -> int:
        return self.spec.decimals

    @property
    def percent(self) -> bool:
        return self.spec.unit in PERCENT_UNITS

    def setValue(self, value: float | None) -> None:  # noqa: N802 (Qt naming)
        """Show ``value`` and emit it if it differs from the current one (as a spin box does)."""
        value = None if value is None else float(value)
        self._set_rejected("")
        self.setText(format_number(value, shows_percent(self.spec)))
        if value != self._value:
            self._value = value
            self.valueChanged.emit(value)

    def show_value(self, value: float | None) -> None:
        """Refresh from the document without emitting; keeps equivalent typed text ('20%')."""
        value = None if value is None else float(value)
        self._value = value
        try:
            same = value is not None and math.isclose(parse_number(self.text(), self.percent), value,
                                                      rel_tol=1e-12, abs_tol=1e-15)
        except ValueError:
            same = False
        shown = format_number(value, shows_percent(self.spec))
        if not same and self.text() != shown:
            self.setText(shown)
        self._set_rejected("")

    # typing
    def _typing(self, _text: str) -> None:
        if self.rejected:  # the user is correcting it: no error flashes while typing
            self._set_rejected("")

    def _set_rejected(self, reason: str) -> None:
        if reason != self.rejected:
            self.rejected = reason
            self.rejectedChanged.emit(reason)

    def commit(self) -> bool:
        """Read the typed text: emit an accepted value, else keep the text and say why."""
        text = self.text()
        if not text.strip():
            if self.spec.optional or self.spec.default is None:
                if self._value is not None:
                    self._value = None
                    self.valueChanged.emit(None)
                return True
            self._set_rejected(f"{parse_problem(self.spec)} (this value is required)")
            return False
        try:
            value = parse_number(text, self.percent)
        except ValueError:
            self._set_rejected(parse_problem(self.spec))
            return False
        reason = rejection(self.spec, value)
        if reason:
            self._set_rejected(reason)
            return False
        self._set_rejected("")
        if shows_percent(self.spec):  # '0.45' is shown as '45%' once it is read: the stored proportion
            self.setText(format_number(value, percent=True))
        if value != self._value:
            self._value = value
            self.valueChanged.emit(value)
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        key = event.key()
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
            self.step(1 if key in (Qt.Key.Key_Up, Qt.Key.Key_PageUp) else -1,
                      10 if key in (Qt.Key.Key_PageUp, Qt.Key.Key_PageDown) else 1)
            return
        super().keyPressEvent(event)

    def step(self, direction: int, times: int = 1) -> None:
        """Arrow keys: one catalogue step up or down, kept inside the accepted range."""
        base = self._value if self._value is not None else (self.spec.ge if self.spec.ge is not None else 0.0)
        value = round(base + direction * times * self.spec.step, 10)
        if rejection(self.spec, value):
            return
        self.setValue(value)


def _is_undo_redo(event: QKeyEvent) -> str:
    if event.matches(QKeySequence.StandardKey.Undo):
        return "undo"
    if event.matches(QKeySequence.StandardKey.Redo):
        return "redo"
    return ""


class DocumentUndoKeys(QObject):
    """Application event filter: Ctrl+Z / Ctrl+Shift+Z (the platform's undo and redo keys) act on
    the document's undo stack even inside a focused text field of ``window`` (whose own undo would
    otherwise take the key and break the document's redo history)."""

    def __init__(self, window: QWidget, undo_stack) -> None:
        super().__init__(window)
        self.window, self.stack = window, undo_stack

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            return False
        which = _is_undo_redo(event)
        if not which:
            return False
        focus = QApplication.focusWidget()
        if focus is None or focus.window() is not self.window or obj is not focus:
            return False
        if event.type() == QEvent.Type.ShortcutOverride:
            event.ignore()  # not the field's: the window's Undo/Redo action takes the key
            return True
        (self.stack.undo if which == "undo" else self.stack.redo)()  # no action matched: do it here
        return True
