"""Number formatting shared by the report, the justification paragraphs and the CSV exports.

Counts carry thousands separators (``1,650``); powers and proportions are percentages with one
decimal (``90.4%``) unless they are round (``90%``); other values keep four significant digits.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any


def count(x: float | int | None) -> str:
    """An integer count with thousands separators; ``—`` when missing."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "—"
    return f"{int(round(x)):,}"


def percent(x: float | None, digits: int = 1, trim: bool = True) -> str:
    """A probability as a percentage: ``0.9 -> 90%``, ``0.9035 -> 90.4%``.

    With ``trim=False`` whole percentages keep their decimals (``90.0%``), for table columns.
    """
    if x is None or not math.isfinite(x):
        return "—"
    v = 100.0 * x
    if trim and abs(v - round(v)) < 1e-9:
        return f"{round(v):.0f}%"
    return f"{v:.{digits}f}%"


def number(x: float | int | None, sig: int = 4) -> str:
    """A general number: up to ``sig`` significant digits, thousands separators, no trailing zeros."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "—"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, int) or float(x).is_integer():
        return f"{int(x):,}"
    ax = abs(x)
    if ax >= 10 ** sig:
        return f"{x:,.0f}"
    decimals = max(0, sig - 1 - int(math.floor(math.log10(ax)))) if ax > 0 else 0
    s = f"{x:,.{decimals}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def money(x: float | None, currency: str | None) -> str:
    """A cost, rounded to whole units, with thousands separators: ``USD 4,335,000``."""
    if x is None or not math.isfinite(x):
        return "—"
    return f"{currency + ' ' if currency else ''}{x:,.0f}"


def alpha_phrase(alpha: float, sides: int) -> str:
    """``one-sided alpha 0.025`` / ``two-sided alpha 0.05``."""
    return f"{'one' if sides == 1 else 'two'}-sided alpha {number(alpha)}"


def ratio(allocation_ratio: float) -> str:
    """Allocation ratio treatment : control, e.g. ``1:1``, ``2:1``, ``1.5:1``."""
    return f"{number(allocation_ratio)}:1"


def value_text(value: Any) -> str:
    """A recorded or current value in words: numbers to 4 significant digits, objects key by key."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return number(value)
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {value_text(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(value_text(v) for v in value)
    return str(value)
