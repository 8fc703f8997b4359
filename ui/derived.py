"""Derived quantities shown read-only beside the inputs (no Qt here).

The values and their explanations are :func:`planner.derived.derived_quantities`'s; this module
only formats them as (label, value text, explanation) rows for the inputs panel.
"""

from __future__ import annotations

from planner.catalogue import POPULATION_PREVALENCE
from planner.derived import derived_quantities as _derived
from planner.scenario import Scenario


def _g(x: float) -> str:
    return f"{x:.4g}"


def derived_quantities(s: Scenario) -> list[tuple[str, str, str]]:
    """(label, value text, explanation) rows for the scenario; a pair shows as ``B+ / B−``."""
    rows = [(d.label, " / ".join(_g(v) for v in d.values), d.formula) for d in _derived(s)]
    if s.has_cells:  # several populations: each one's prevalence; no assay misclassification (no PPV/NPV)
        from planner.report.populations_section import populations

        why = POPULATION_PREVALENCE.meaning
        rows = [(f"{POPULATION_PREVALENCE.label} of {name}", _g(prev), why) for name, _, prev in populations(s)[1:]] \
            + [r for r in rows if r[0] not in ("P(test+)", "PPV", "NPV")]
    return rows
