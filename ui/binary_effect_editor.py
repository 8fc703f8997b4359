"""Binary endpoint: enter a subgroup's treatment effect on a scale (issue 15).

One row per subgroup under its treatment rate: "Effect entered as" (the treatment rate itself, or
a risk difference / risk ratio / odds ratio — the catalogue's ``binary_effect_scale`` options)
and the value on that scale. Every change writes ``<subgroup>.effect = {"scale", "value"}`` in one
step of the document's undo stack (``ScenarioDocument.set_value``); the document then fills the
treatment rate the effect implies (ui/binary_effect_sync.py). Choosing another scale converts the
current rates, so the treatment rate does not move; choosing "treatment rate" removes the effect
and keeps the rate. Rates stay proportions in the file (shown as % in the app).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from planner.catalogue import FIELDS_BY_PATH, OPTIONS

from .document import ScenarioDocument
from .field_widgets import ERROR_STYLE
from .number_edit import NumberEdit

#: the combo's first entry: no scaled effect, the treatment rate is typed directly
RATE_ENTRY = ("", "treatment rate (typed above)")
SUBGROUPS = ("positive", "negative")


def effect_paths(key: str) -> tuple[str, ...]:
    """The paths whose problems this editor shows (not repeated elsewhere in the panel)."""
    return (f"{key}.effect", f"{key}.effect.scale", f"{key}.effect.value")


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class BinaryEffectEditor(QWidget):
    """Scale choice + value for ``<key>.effect`` of a binary subgroup."""

    def __init__(self, doc: ScenarioDocument, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc, self.key = doc, key
        value_spec = FIELDS_BY_PATH[f"{key}.effect.value"]
        scale_spec = FIELDS_BY_PATH[f"{key}.effect.scale"]
        self.scale = QComboBox()
        self.scale.setObjectName(f"{key}.effect.scale")
        for i, (code, words) in enumerate((RATE_ENTRY, *OPTIONS["binary_effect_scale"])):
            self.scale.addItem(words.split(" (")[0], code)  # 'odds ratio'; the full phrase in the tip
            self.scale.setItemData(i, words, Qt.ItemDataRole.ToolTipRole)
        self.scale.setToolTip(scale_spec.tooltip)
        self.scale.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.scale.setMinimumContentsLength(14)
        self.value = NumberEdit(value_spec)
        self.value.setObjectName(f"{key}.effect.value")
        self.value.setToolTip(value_spec.tooltip)
        self.message = QLabel()
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)
        self.message.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.scale, 2)
        row.addWidget(self.value, 1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(1)
        outer.addLayout(row)
        outer.addWidget(self.message)
        self.scale.currentIndexChanged.connect(self._scale_chosen)
        self.value.valueChanged.connect(self._value_typed)
        self.value.rejectedChanged.connect(self._show_message)

    # ------------------------------------------------------------------ edits
    def _scale_chosen(self, _index: int) -> None:
        code = self.scale.currentData()
        path = f"{self.key}.effect"
        if not code:
            self.doc.set_value(path, None)  # the treatment rate (already filled) stays
            return
        self.doc.set_value(path, {"scale": code, "value": self._converted(code)})

    def _converted(self, code: str) -> float:
        """The current rates on scale ``code`` (the treatment rate does not move); 0 / 1 if unknown."""
        from planner.effect_scales import effect_value  # noqa: PLC0415 (numpy, lazily)

        block = self.doc.get(self.key) or {}
        control, treatment = block.get("control_rate"), block.get("treatment_rate")
        if _number(control) and _number(treatment) and 0 < control < 1 and 0 < treatment < 1:
            return round(float(effect_value(control, treatment, code)), 10)
        return 0.0 if code == "risk_difference" else 1.0

    def _value_typed(self, value) -> None:
        code = self.scale.currentData()
        if code and value is not None:
            self.doc.set_value(f"{self.key}.effect", {"scale": code, "value": float(value)})

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # ------------------------------------------------------------------ refresh
    def refresh(self) -> None:
        """Show the document's effect (signals blocked: a refresh never edits)."""
        effect = self.doc.get(f"{self.key}.effect")
        code = effect.get("scale", FIELDS_BY_PATH[f"{self.key}.effect.scale"].default) \
            if isinstance(effect, dict) else ""
        index = max(0, self.scale.findData(code))
        self.scale.blockSignals(True)
        self.scale.setCurrentIndex(index)
        self.scale.blockSignals(False)
        value = effect.get("value") if isinstance(effect, dict) else None
        self.value.blockSignals(True)
        self.value.show_value(float(value) if _number(value) else None)
        self.value.blockSignals(False)
        self.value.setEnabled(bool(code))
        problems = [m for p in effect_paths(self.key) for m in self.doc.problems_for(p)]
        self._show_message("; ".join(problems))


def add_binary_effect_inputs(panel) -> None:
    """Put an effect editor under each subgroup's treatment rate in the inputs ``panel``."""
    panel.effect_editors = {}
    for key in SUBGROUPS:
        editor = BinaryEffectEditor(panel.doc, key)
        form, anchor = panel.forms[key], panel.rows.get(f"{key}.treatment_rate")
        position = form.getWidgetPosition(anchor)[0] if anchor is not None else -1
        if position < 0:
            form.addRow("Effect entered as", editor)
        else:
            form.insertRow(position + 1, "Effect entered as", editor)
        panel.effect_editors[key] = editor


def refresh_binary_effect_inputs(panel) -> None:
    """Show the editors for a binary endpoint only, with the document's effect."""
    for key, editor in getattr(panel, "effect_editors", {}).items():
        panel.forms[key].setRowVisible(editor, panel.doc.endpoint == "binary")
        editor.refresh()
