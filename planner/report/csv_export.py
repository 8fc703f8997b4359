"""CSV exports: the design comparison, each curve and a sensitivity grid.

Values are written at full precision (no thousands separators), one header row, ``\\n`` line
ends, empty cells for missing values — ready for a spreadsheet, R or pandas.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from ..curves import n_vs_prevalence, power_vs_n, power_vs_negative_effect, sensitivity_grid
from ..designs.build import LABELS
from ..results import Comparison, DesignResult
from ..scenario import FixedDesignOptions, Scenario
from .figures import negative_effect_grid

CURVES = ("power_vs_n", "n_vs_prevalence", "power_vs_negative_effect")

COMPARISON_COLUMNS = (
    "design", "label", "feasible", "question", "n_randomized", "n_treatment", "n_control",
    "n_randomized_exact", "n_screened", "events", "events_exact", "expected_events", "power",
    "target_power", "power_overall", "power_subgroup", "power_either", "power_both", "cost",
    "currency", "efficiency", "accrual_duration", "screening_rate_needed",
    "randomization_rate_needed", "method", "message",
)


def _cell(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (float, np.floating)):
        v = float(v)
        return "" if not math.isfinite(v) else repr(v) if not v.is_integer() else str(int(v))
    if isinstance(v, np.integer):
        return int(v)
    return v


def _write(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for row in rows:
        w.writerow([_cell(v) for v in row])
    return buf.getvalue()


def comparison_csv(comparison: Comparison) -> str:
    """One row per fixed design with every number of its :class:`DesignResult`."""
    rows = []
    for name, r in comparison.designs.items():
        if not isinstance(r, DesignResult):
            continue
        arms = r.n_per_arm or {}
        values = {
            **{f: getattr(r, f, None) for f in COMPARISON_COLUMNS if hasattr(r, f)},
            "n_treatment": arms.get("treatment"),
            "n_control": arms.get("control"),
            **{f"power_{k}": r.claims.get(k) for k in ("overall", "subgroup", "either", "both")},
        }
        values["design"] = name
        rows.append([values.get(c) for c in COMPARISON_COLUMNS])
    return _write(COMPARISON_COLUMNS, rows)


def _designs(scenario: Scenario, designs: Sequence[str] | None) -> list[str]:
    if designs:
        unknown = [d for d in designs if d not in LABELS]
        if unknown:
            raise ValueError(f"unknown design {unknown[0]!r} (expected one of: {', '.join(LABELS)})")
        return list(designs)
    names = [d for d in scenario.designs if d in LABELS]
    return names or list(LABELS)


def default_grid(scenario: Scenario, curve: str, comparison: Comparison | None = None) -> np.ndarray:
    """The x-grid the report's figures use for ``curve``."""
    if curve == "n_vs_prevalence":
        return np.round(np.linspace(0.02, 0.98, 49), 6)
    if curve == "power_vs_negative_effect":
        return negative_effect_grid(scenario, 41)
    if curve == "power_vs_n":
        ns = []
        if comparison is not None:
            ns = [r.n_randomized for r in comparison.designs.values()
                  if isinstance(r, DesignResult) and r.feasible and r.n_randomized]
        if not ns:
            return np.unique(np.round(np.geomspace(10, 10_000, 61)))
        return np.unique(np.round(np.geomspace(max(4, min(ns) / 5), max(ns) * 3, 61)))
    raise ValueError(f"unknown curve {curve!r} (expected one of: {', '.join(CURVES)})")


def curve_csv(
    scenario: Scenario,
    curve: str,
    designs: Sequence[str] | None = None,
    grid: Sequence[float] | None = None,
    comparison: Comparison | None = None,
) -> str:
    """One curve for several designs on a common grid, wide format.

    Columns: the x variable, then one column per design (``stratified_overall`` etc. for the
    stratified design's claims). ``power_vs_negative_effect`` uses each design's planned size.
    """
    if curve not in CURVES:
        raise ValueError(f"unknown curve {curve!r} (expected one of: {', '.join(CURVES)})")
    x = np.asarray(grid if grid is not None else default_grid(scenario, curve, comparison), dtype=float)
    names = _designs(scenario, designs)
    columns: dict[str, np.ndarray] = {}
    x_name = None
    for name in names:
        if curve == "power_vs_n":
            c = power_vs_n(scenario, name, x)
        elif curve == "n_vs_prevalence":
            c = n_vs_prevalence(scenario, name, x)
        else:
            c = power_vs_negative_effect(scenario, name, x)
        x_name = c.x_name
        for k, v in c.y.items():
            columns[name if k in ("power", "n_randomized") else f"{name}_{k}"] = np.asarray(v, dtype=float)
    header = [x_name or "x"] + list(columns)
    rows = ([float(xi)] + [float(col[i]) for col in columns.values()] for i, xi in enumerate(x))
    return _write(header, rows)


def grid_csv(
    scenario: Scenario,
    design: str,
    rows: tuple[str, list[float]],
    cols: tuple[str, list[float]] | None = None,
    output: str = "n",
) -> str:
    """A sensitivity grid (``planner.curves.sensitivity_grid``) as CSV."""
    if design not in LABELS:
        raise ValueError(f"unknown design {design!r} (expected one of: {', '.join(LABELS)})")
    if design not in scenario.designs:
        from dataclasses import replace

        scenario = replace(scenario, designs={**dict(scenario.designs), design: FixedDesignOptions()})
    return sensitivity_grid(scenario, design, rows, cols, output=output).to_csv()
