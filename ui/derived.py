"""Derived quantities shown read-only beside the inputs (no Qt here).

The values and their explanations are :func:`planner.derived.derived_quantities`'s; this module
only formats them as (label, value text, explanation) rows for the inputs panel.
"""

from __future__ import annotations

from planner.derived import derived_quantities as _derived
from planner.scenario import Scenario


def _g(x: float) -> str:
    return f"{x:.4g}"


def derived_quantities(s: Scenario) -> list[tuple[str, str, str]]:
    """(label, value text, explanation) rows for the scenario; a pair shows as ``B+ / B−``."""
    return [(d.label, " / ".join(_g(v) for v in d.values), d.formula) for d in _derived(s)]
