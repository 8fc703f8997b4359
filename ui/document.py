"""The open scenario: its editable dictionary, validation, file path and undo stack.

The editable state is the scenario *dictionary* (the JSON form), because a user's half-typed
input may be invalid and must still be shown, undone and saved. Every change is a
:class:`EditCommand` on the :class:`~PySide6.QtGui.QUndoStack` holding the dictionary before
and after; consecutive edits of the same field merge into one undo step. After each change the
dictionary is validated with :func:`planner.scenario_io.scenario_from_dict`; the last valid
:class:`~planner.scenario.Scenario` and the current problems are kept for the views.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from planner.catalogue import ADAPTIVE_DEFAULT, FIELDS_BY_PATH, SUBGROUP_DEFAULTS, SURVIVAL_DEFAULT
from planner.errors import Problem, ScenarioError
from planner.scenario import Scenario
from planner.scenario_io import load_scenario, save_scenario, scenario_from_dict, scenario_to_dict
from planner.validation import get_path, set_path

from .binary_effect_sync import sync_binary_effects

#: blocks whose values the uncertainty block's distributions describe
_PRIOR_BLOCKS = ("population", "positive", "negative")

_MISSING = object()




#: the subgroup of a field, added to its label where both subgroups have the same field
_SUBGROUP_TAGS = {"positive": "B+", "negative": "B−"}


def field_label(path: str) -> str:
    """The catalogue's label of a field (never its raw path), e.g. 'Prevalence (B+)', 'Hazard ratio (B−)'."""
    spec = FIELDS_BY_PATH.get(path)
    if spec is not None:
        tag = _SUBGROUP_TAGS.get(spec.group, "")
        return f"{spec.label} ({tag})" if tag and tag not in spec.label else spec.label
    return path.rsplit(".", 1)[-1].replace("_", " ")


def value_words(value: Any) -> str:
    """A value as an undo label shows it: 0.6, 'text…', empty."""
    if value is None or value == "":
        return "empty"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(value_words(v) for v in value)
    if isinstance(value, dict) and "scale" in value:  # a binary effect: 'odds ratio 1.8'
        words = dict(FIELDS_BY_PATH["positive.effect.scale"].choices).get(value["scale"], str(value["scale"]))
        return f"{words.split(' (')[0]} {value_words(value.get('value'))}"
    text = str(value).replace("\n", " ")
    return text if len(text) <= 24 else text[:23] + "…"


def edit_text(path: str, before: Any, after: Any) -> str:
    """'Prevalence (B+) 0.6 → 0.3': the label of an edit on the undo stack."""
    return f"{field_label(path)} {value_words(before)} → {value_words(after)}"


class EditCommand(QUndoCommand):
    """Replace the document's dictionary; merges with the next edit of the same field."""

    MERGE_ID = 4242

    def __init__(self, doc: ScenarioDocument, text: str, before: dict, after: dict, field: str | None) -> None:
        super().__init__(text)
        self.doc, self.before, self.after, self.field = doc, before, after, field

    def id(self) -> int:  # noqa: A003 (Qt API)
        return self.MERGE_ID if self.field else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 (Qt API)
        if not isinstance(other, EditCommand) or other.field != self.field or self.field is None:
            return False
        self.after = other.after
        self.setText(edit_text(self.field, get_path(self.before, self.field), get_path(self.after, self.field)))
        if self.after == self.before:
            self.setObsolete(True)
        return True

    def redo(self) -> None:
        self.doc._apply(self.after, self.field or "")

    def undo(self) -> None:
        self.doc._apply(self.before, self.field or "")


class ScenarioDocument(QObject):
    """The scenario being edited. ``changed(path)`` fires after every change."""

    changed = Signal(str)
    fileChanged = Signal()
    opened = Signal()  # another scenario replaced this one (open, new): results of the old one go

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.data: dict = {}
        self.path: Path | None = None
        self.scenario: Scenario | None = None
        self.problems: list[Problem] = []

    # ------------------------------------------------------------------ state
    @property
    def valid(self) -> bool:
        return self.scenario is not None and not self.problems

    @property
    def modified(self) -> bool:
        return not self.undo_stack.isClean()

    @property
    def endpoint(self) -> str:
        return str(self.data.get("endpoint", "continuous"))

    def get(self, path: str, default: Any = None) -> Any:
        return get_path(self.data, path, default)

    def problems_for(self, path: str) -> list[str]:
        """Reasons reported for ``path`` or its list elements (``path[1]``)."""
        return [p.reason for p in self.problems if p.path == path or p.path.startswith(path + "[")]

    def _apply(self, data: dict, path: str) -> None:
        self.data = copy.deepcopy(data)
        self._validate()
        self.changed.emit(path)

    def _validate(self) -> None:
        try:
            self.scenario = scenario_from_dict(copy.deepcopy(self.data))
            self.problems = []
        except ScenarioError as err:
            self.scenario = None
            self.problems = list(err.problems) or [Problem("", str(err))]
        except Exception as exc:  # defensive: never let a core bug reach the user as a crash
            self.scenario = None
            self.problems = [Problem("", f"internal error while checking the scenario: {exc}")]

    # ------------------------------------------------------------------ loading / saving
    def load_dict(self, data: dict, path: Path | None = None) -> None:
        """Replace the document (clears undo history)."""
        self.undo_stack.clear()
        self.path = path
        sync_binary_effects(data)
        self._apply(data, "")
        self.undo_stack.setClean()
        self.opened.emit()
        self.fileChanged.emit()

    def open(self, path: str | Path, as_copy: bool = False) -> None:
        """Open a file; raises :class:`ScenarioError` if it is not a valid scenario."""
        scenario = load_scenario(path)
        self.load_dict(scenario_to_dict(scenario), None if as_copy else Path(path))

    def save(self, path: str | Path) -> None:
        """Validate and write atomically; raises :class:`ScenarioError` if invalid."""
        scenario = scenario_from_dict(copy.deepcopy(self.data))
        save_scenario(scenario, path)
        self.path = Path(path)
        self.undo_stack.setClean()
        self.fileChanged.emit()

    # ------------------------------------------------------------------ edits
    def _push(self, text: str, after: dict, field: str | None) -> None:
        if after == self.data:
            return
        self.undo_stack.push(EditCommand(self, text, copy.deepcopy(self.data), after, field))

    def set_value(self, path: str, value: Any) -> None:
        """Edit one field (consecutive edits of the same field merge into one undo step)."""
        if path == "endpoint":
            self.set_endpoint(str(value))
            return
        after = copy.deepcopy(self.data)
        set_path(after, path, value)
        sync_binary_effects(after, path)
        self._note_old_value(after, path)
        self._move_priors(after, path)
        self._push(edit_text(path, get_path(self.data, path), value), after, path)

    def _note_old_value(self, after: dict, path: str) -> None:
        """A provenance note on ``path`` (or its block) that records no value was written beside
        the value being replaced: record that one, so that the note shows as describing it."""
        prov = after.get("provenance")
        if not isinstance(prov, dict):
            return
        key = path if path in prov else path.split(".")[0]
        entry, old = prov.get(key), get_path(self.data, key)
        if entry is None or old is None or old == get_path(after, key):
            return
        if isinstance(entry, str):
            prov[key] = {"source": entry, "value": copy.deepcopy(old)}
        elif isinstance(entry, dict) and entry.get("value") is None:
            prov[key] = {**entry, "value": copy.deepcopy(old)}

    def _move_priors(self, after: dict, path: str) -> None:
        """Editing a value that a distribution of the uncertainty block describes moves that
        distribution with it (``planner.uncertainty.follow_point_values``; counts are kept and
        then show as conflicting)."""
        if path.split(".")[0] not in _PRIOR_BLOCKS or not isinstance(after.get("uncertainty"), dict) \
                or self.scenario is None:
            return
        from planner.uncertainty import follow_point_values  # numpy: loaded once a value is edited

        try:
            new = scenario_from_dict(copy.deepcopy(after))
        except (ScenarioError, ValueError, TypeError):
            return
        block, moved = follow_point_values(after["uncertainty"], self.scenario, new)
        if moved:
            after["uncertainty"] = block
            self._note_old_value(after, "uncertainty")

    def set_block(self, key: str, block: dict | None, text: str) -> None:
        """Add (a dictionary) or remove (``None``) a whole block such as ``costs``."""
        after = copy.deepcopy(self.data)
        set_path(after, key, copy.deepcopy(block))
        self._push(text, after, None)

    def replace_data(self, after: dict, text: str) -> None:
        """One edit touching several blocks at once (e.g. renaming a cell: the cells, the populations
        and the outcomes), as one undo step labelled ``text``."""
        self._push(text, copy.deepcopy(after), None)

    def set_provenance(self, path: str, note: str) -> None:
        """Write the note of ``path``, recording the value it is written for."""
        after = copy.deepcopy(self.data)
        prov = dict(after.get("provenance") or {})
        value = get_path(self.data, path)
        if note.strip():
            prov[path] = note.strip() if value is None else {"source": note.strip(), "value": copy.deepcopy(value)}
        else:
            prov.pop(path, None)
        after["provenance"] = prov
        self._push(f"Provenance note on {field_label(path)}", after, None)

    def set_endpoint(self, endpoint: str) -> None:
        """Switch endpoint, replacing the subgroup blocks with that endpoint's defaults."""
        if endpoint == self.endpoint:
            return
        after = copy.deepcopy(self.data)
        after["endpoint"] = endpoint
        pos, neg = SUBGROUP_DEFAULTS[endpoint]
        after["positive"], after["negative"] = dict(pos), dict(neg)
        testing = after.setdefault("testing", {})
        testing.pop("method", None)
        testing.pop("null_effect", None)  # θ0 is on the old endpoint's scale (planner.noninferiority)
        if endpoint == "survival":
            testing.pop("dropout", None)
            testing.pop("exact_power", None)
        after.pop("uncertainty", None)  # distributions of effects are on the old endpoint's scale
        if endpoint == "survival":
            after.setdefault("survival", dict(SURVIVAL_DEFAULT))
        else:
            after.pop("survival", None)
        for name, opts in (after.get("designs") or {}).items():
            if not isinstance(opts, dict):
                continue
            if endpoint != "survival":
                opts.pop("events", None)
            if name == "adaptive":
                if endpoint == "survival":
                    opts.pop("planned_subjects", None)
                    opts.setdefault("planned_events", [100.0, 200.0])
                else:
                    opts.pop("planned_events", None)
                    opts.setdefault("planned_subjects", [200.0, 400.0])
        self._push(f"Endpoint {endpoint}", after, None)

    def set_adaptive(self, on: bool, size: float | None = None) -> None:
        """Add the adaptive design (with defaults; two stages ending at ``size`` subjects or,
        for survival, events, when given) or remove it."""
        if not on:
            self.set_block("designs.adaptive", None, "Remove adaptive design")
            return
        block = copy.deepcopy(ADAPTIVE_DEFAULT)
        total = float(round(size)) if size and size >= 8 else None
        stages = [float(round(total / 2)), total] if total else None
        if self.endpoint == "survival":
            block["planned_events"] = stages or [100.0, 200.0]
        else:
            block["planned_subjects"] = stages or [200.0, 400.0]
        self.set_block("designs.adaptive", block, "Add adaptive design")
