"""CSV exports: the design comparison, each curve and a sensitivity grid.

Values are written at full precision (no thousands separators), one header row, ``\\n`` line
ends, empty cells for missing values — ready for a spreadsheet, R or pandas.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from .. import figures as fig
from ..catalogue import CLAIMS, COMPARISON_COLUMNS, EFFECTS, FIXED_DESIGNS
from ..curves import Curve, DesignMap, sensitivity_grid
from ..results import Comparison, DesignResult
from ..scenario import FixedDesignOptions, Scenario

CURVES = ("power_vs_n", "n_vs_prevalence", "power_vs_negative_effect")


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


def comparison_row(r: DesignResult, cheapest: str | None = None, assurance: Any = None) -> dict[str, Any]:
    """The comparison CSV's values of one design (:data:`planner.catalogue.COMPARISON_COLUMNS`)."""
    arms = r.n_per_arm or {}
    de = r.detectable_effect
    values: dict[str, Any] = {c: getattr(r, c, None) for c in COMPARISON_COLUMNS}
    values.update(
        n_treatment=arms.get("treatment"), n_control=arms.get("control"),
        detectable_effect_parameter=de.parameter if de else None, detectable_effect=de.value if de else None,
        cheapest_meeting_target=r.design == cheapest,
        assurance=getattr(assurance, "assurance", None), assurance_se=getattr(assurance, "assurance_se", None),
        prob_power_above_threshold=getattr(assurance, "prob_power_above", None),
        **{f"power_{k}": r.claims.get(k) for k in CLAIMS},
    )
    return values


def comparison_rows(comparison: Comparison, assurance: Mapping | None = None) -> list[dict[str, Any]]:
    """One row per design result of ``comparison`` (``assurance``: design → AssuranceResult)."""
    assurance = assurance or {}
    return [comparison_row(r, comparison.cheapest_meeting_target, assurance.get(name))
            for name, r in comparison.designs.items() if isinstance(r, DesignResult)]


def comparison_csv(comparison: Comparison, assurance: Mapping | None = None) -> str:
    """The design comparison as CSV: one row per fixed design, the columns of
    :data:`planner.catalogue.COMPARISON_COLUMNS`, numbers unformatted. The assurance columns
    are filled from ``assurance`` (design → :class:`planner.assurance.AssuranceResult`); when it
    is None and the scenario has an ``uncertainty`` block, they are computed
    (:func:`planner.assurance.assurance_for_comparison`, at the comparison's sizes)."""
    if assurance is None and comparison.scenario.get("uncertainty"):
        from ..assurance import assurance_for_comparison
        from ..scenario_io import scenario_from_dict

        assurance = assurance_for_comparison(scenario_from_dict(comparison.scenario), comparison, with_size=False)
    rows = comparison_rows(comparison, assurance)
    return _write(tuple(COMPARISON_COLUMNS), ([row[c] for c in COMPARISON_COLUMNS] for row in rows))


def _designs(scenario: Scenario, designs: Sequence[str] | None) -> list[str]:
    if designs:
        unknown = [d for d in designs if d not in FIXED_DESIGNS]
        if unknown:
            raise ValueError(f"unknown design {unknown[0]!r} (expected one of: {', '.join(FIXED_DESIGNS)})")
        return list(designs)
    names = [d for d in scenario.designs if d in FIXED_DESIGNS]
    return names or list(FIXED_DESIGNS)


def default_grid(scenario: Scenario, curve: str, comparison: Comparison | None = None) -> np.ndarray:
    """The x-grid of ``curve`` in the app and the report (:mod:`planner.figures`)."""
    if curve == "n_vs_prevalence":
        return fig.prevalence_grid()
    if curve == "power_vs_negative_effect":
        return fig.negative_effect_range(scenario, include_current=True)
    if curve == "power_vs_n":
        sizes = list(fig.power_vs_n_sizes(comparison.designs).values()) if comparison is not None else []
        return fig.power_n_grid(*fig.power_n_range(sizes)) if sizes else np.geomspace(10, 10_000, fig.POWER_N_POINTS)
    raise ValueError(f"unknown curve {curve!r} (expected one of: {', '.join(CURVES)})")


def curves_csv(data: Mapping[str, Curve]) -> str:
    """Curves of several designs on one common x, wide format: the x variable, then one column
    per design and y (``stratified_overall`` etc. for the stratified design's claims,
    ``targeted_n_screened``). The app's plot exports and ``export --what curves`` write this."""
    if not data:
        return ""
    x = np.unique(np.concatenate([np.asarray(c.x, dtype=float) for c in data.values()]))
    columns: dict[str, np.ndarray] = {}
    for name, c in data.items():
        for k, v in c.y.items():
            col = np.full(x.size, np.nan)
            col[np.searchsorted(x, c.x)] = np.asarray(v, dtype=float)
            columns[name if k == c.y_name else f"{name}_{k}"] = col
    x_name = next(iter(data.values())).x_name
    rows = ([float(xi)] + [float(col[i]) for col in columns.values()] for i, xi in enumerate(x))
    return _write([x_name] + list(columns), rows)


def curve_data(
    scenario: Scenario,
    curve: str,
    designs: Sequence[str] | None = None,
    grid: Sequence[float] | None = None,
    comparison: Comparison | None = None,
) -> dict[str, Curve]:
    """The curves of the figure ``curve`` as the app and the report draw them (:mod:`planner.figures`):
    the figure's grid (or ``grid``), each design at its size in ``comparison`` (default: the
    scenario's comparison), through the table's number there."""
    if curve not in CURVES:
        raise ValueError(f"unknown curve {curve!r} (expected one of: {', '.join(CURVES)})")
    names = _designs(scenario, designs)
    if comparison is None:
        from ..compute import compare_designs

        comparison = compare_designs(scenario, include_adaptive=False)
    results = {n: comparison.designs.get(n) for n in names}
    results = {n: (r if isinstance(r, DesignResult) else _result(scenario, n)) for n, r in results.items()}
    x = np.asarray(grid if grid is not None else default_grid(scenario, curve, comparison), dtype=float)
    if curve == "power_vs_n":
        return fig.power_vs_n_curves(scenario, results, x)
    if curve == "n_vs_prevalence":
        return fig.n_vs_prevalence_curves(scenario, results, x)
    return fig.power_vs_negative_effect_curves(scenario, results, x)


def _result(scenario: Scenario, name: str) -> DesignResult:
    from ..compute import compute_design

    return compute_design(scenario, name)


def curve_csv(
    scenario: Scenario,
    curve: str,
    designs: Sequence[str] | None = None,
    grid: Sequence[float] | None = None,
    comparison: Comparison | None = None,
) -> str:
    """One curve for several designs (:func:`curve_data`) as CSV (:func:`curves_csv`)."""
    return curves_csv(curve_data(scenario, curve, designs, grid, comparison))


def design_map_csv(dm: DesignMap, endpoint: str) -> str:
    """The design map's cells: prevalence, B− effect, the best design, each design's N (or cost)."""
    head = ["prevalence", "negative_" + EFFECTS[endpoint].code, "best"]
    head += [f"{d}_{dm.criterion}" for d in dm.designs]
    rows = ([g, e, dm.designs[int(dm.best[i, j])] if dm.best[i, j] >= 0 else None,
             *(float(dm.values[d][i, j]) for d in dm.designs)]
            for i, g in enumerate(dm.prevalence) for j, e in enumerate(dm.negative_effect))
    return _write(head, rows)


def grid_csv(
    scenario: Scenario,
    design: str,
    rows: tuple[str, list[float]],
    cols: tuple[str, list[float]] | None = None,
    output: str = "n",
) -> str:
    """A sensitivity grid (``planner.curves.sensitivity_grid``) as CSV."""
    if design not in FIXED_DESIGNS:
        raise ValueError(f"unknown design {design!r} (expected one of: {', '.join(FIXED_DESIGNS)})")
    from ..population_sweeps import check_sweep_paths

    check_sweep_paths(scenario, [rows[0], cols[0] if cols else None])  # an unused input: exit 2
    if design not in scenario.designs:
        from dataclasses import replace

        scenario = replace(scenario, designs={**dict(scenario.designs), design: FixedDesignOptions()})
    return sensitivity_grid(scenario, design, rows, cols, output=output).to_csv()
