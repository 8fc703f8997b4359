"""Validation primitives shared by every reader of user input (scenario, uncertainty block).

:class:`Reader` collects *every* problem while typed values are read out of decoded JSON
objects, each as a :class:`~planner.errors.Problem` naming the field path and the reason
(``positive.hazard_ratio: must be > 0, got -0.5``). Numbers described in the catalogue are
read with :meth:`Reader.field`, which takes the bounds, whole-number rule and default from
:data:`planner.catalogue.FIELDS_BY_PATH` — there is no second table of bounds.

Bounds are checked in the order gt, ge, lt, le and the first one broken is reported; a value
must be a JSON number (not a boolean, not text), finite, and whole where asked.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .catalogue import FIELDS_BY_PATH, REQUIRED
from .errors import Problem

#: an absent key (as opposed to an explicit null)
MISSING: Any = REQUIRED

_CHECKS = (
    ("gt", lambda v, b: v > b, "> "),
    ("ge", lambda v, b: v >= b, ">= "),
    ("lt", lambda v, b: v < b, "< "),
    ("le", lambda v, b: v <= b, "<= "),
)


def get_path(data: Mapping, path: str, default: Any = None) -> Any:
    """The value at a dotted field path (``positive.hazard_ratio``) of a decoded scenario, or
    ``default`` where the path is absent."""
    node: Any = data
    for key in path.split("."):
        if not isinstance(node, Mapping) or key not in node:
            return default
        node = node[key]
    return node


def set_path(data: dict, path: str, value: Any) -> None:
    """Set a dotted field path of a decoded scenario, creating blocks on the way; ``None``
    removes the key."""
    keys = path.split(".")
    node = data
    for key in keys[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    if value is None:
        node.pop(keys[-1], None)
    else:
        node[keys[-1]] = value


def describe(value: Any) -> str:
    """A short description of a JSON value for a message ("'abc' (text)", "a list")."""
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, str):
        return f"{value[:40]!r}{'…' if len(value) > 40 else ''} (text)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    if value is None:
        return "null"
    if isinstance(value, int) and value.bit_length() > 100:
        return f"a whole number of about {int(value.bit_length() * 0.30103) + 1} digits"
    return repr(value)


def fmt(value: float) -> str:
    """A number in a message: ``%g``."""
    return f"{value:g}"


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


#: the longest list of numbers a scenario field may hold (stages, pieces, bounds); longer lists are
#: refused before their elements are checked, so a 1 MiB list is refused at once
MAX_LIST = 100

class Reader:
    """Collects problems while reading typed fields out of nested dictionaries."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: str, reason: str) -> None:
        self.problems.append(Problem(path, reason))

    def block(self, data: dict, key: str, path: str, required: bool = True) -> dict | None:
        value = data.get(key, MISSING)
        if value is MISSING or value is None:
            if required:
                self.add(path, "is required")
            return None
        if not isinstance(value, dict):
            self.add(path, f"must be an object, got {describe(value)}")
            return None
        return value

    def unknown(self, data: dict, allowed: tuple[str, ...] | set[str], path: str) -> None:
        for key in data:
            if key not in allowed:
                self.add(_join(path, key), f"unknown field (expected one of: {', '.join(sorted(allowed))})")

    def check(self, full: str, value: Any, *, integer: bool = False, **bounds: float | None) -> Any:
        """``value`` as a float (int when ``integer``) if it is a finite number within ``bounds``
        (gt, ge, lt, le), else None with the problem recorded at ``full``."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.add(full, f"must be a number, got {describe(value)}")
            return None
        if isinstance(value, int) and value.bit_length() > 1000:  # beyond any float
            self.add(full, f"must be a finite number, got {describe(value)}")
            return None
        if not math.isfinite(value):
            self.add(full, f"must be a finite number, got {value}")
            return None
        if integer and float(value) != int(value):
            self.add(full, f"must be a whole number, got {value}")
            return None
        for name, ok, word in _CHECKS:
            bound = bounds.get(name)
            if bound is not None and not ok(value, bound):
                self.add(full, f"must be {word}{fmt(bound)}, got {fmt(value)}")
                return None
        return int(value) if integer else float(value)

    def number(
        self,
        data: dict,
        key: str,
        path: str,
        default: Any = MISSING,
        *,
        gt: float | None = None,
        ge: float | None = None,
        lt: float | None = None,
        le: float | None = None,
        integer: bool = False,
    ) -> Any:
        """A number with explicit bounds; an absent (or null) value gives ``default``, or the
        problem "is required" when there is none."""
        full = _join(path, key)
        value = data.get(key, MISSING)
        if value is MISSING or value is None:
            if default is MISSING:
                self.add(full, "is required")
                return None
            return default
        return self.check(full, value, integer=integer, gt=gt, ge=ge, lt=lt, le=le)

    def field(self, data: dict, key: str, path: str) -> Any:
        """The number at ``path.key`` with the catalogue's bounds, whole-number rule and default."""
        spec = FIELDS_BY_PATH[_join(path, key)]
        return self.number(data, key, path, spec.default, gt=spec.gt, ge=spec.ge, lt=spec.lt, le=spec.le,
                           integer=spec.integer)

    def choice(self, data: dict, key: str, path: str, options: tuple, default: Any = MISSING) -> Any:
        full = _join(path, key)
        value = data.get(key, MISSING)
        if value is MISSING or value is None:
            if default is MISSING:
                self.add(full, f"is required (one of: {', '.join(map(str, options))})")
                return None
            return default
        plain = isinstance(value, (str, float, bool)) or (isinstance(value, int) and value.bit_length() <= 100)
        if not plain or value not in options or isinstance(value, bool) != isinstance(options[0], bool):
            shown = repr(value) if plain else describe(value)
            self.add(full, f"must be one of {', '.join(map(repr, options))}, got {shown}")
            return None
        return value

    def text(self, data: dict, key: str, path: str, default: str = "") -> str:
        full = _join(path, key)
        value = data.get(key, default)
        if value is None:
            return default
        if not isinstance(value, str):
            self.add(full, f"must be text, got {describe(value)}")
            return default
        return value

    def boolean(self, data: dict, key: str, path: str, default: bool) -> bool:
        full = _join(path, key)
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.add(full, f"must be true or false, got {describe(value)}")
            return default
        return value

    def numbers(self, data: dict, key: str, path: str) -> tuple[float, ...] | None:
        """A non-empty list of numbers, each within the catalogue's bounds for ``path.key``."""
        full = _join(path, key)
        spec = FIELDS_BY_PATH[full]
        value = data.get(key)
        if value is None:
            return spec.default
        if not isinstance(value, list) or not value:
            self.add(full, f"must be a non-empty list of numbers, got {describe(value)}")
            return None
        if len(value) > MAX_LIST:
            self.add(full, f"must have at most {MAX_LIST} values, got {len(value)}")
            return None
        out = []
        for i, v in enumerate(value):
            x = self.check(f"{full}[{i}]", v, gt=spec.gt, ge=spec.ge, lt=spec.lt, le=spec.le)
            if x is None:
                return None
            out.append(x)
        return tuple(out)
