"""Sensitivity grids of several designs and outputs at once (the app's sensitivity tab).

Over one or two scenario inputs (dotted paths, e.g. ``population.prevalence``), every design
in ``designs`` gives, at every cell, any of the outputs of
:data:`planner.catalogue.SENSITIVITY_OUTPUTS`:

* ``n``, ``screened``, ``events``, ``cost`` — the design sized for the target power at the
  cell's assumptions (:func:`planner.compute.compute_design`, ``question="sample_size"``): total
  randomized, patients screened, events (survival), cost;
* ``power`` — the power at the design's size for the current scenario
  (:func:`planner.curves.sensitivity_grid`, ``output="power"``);
* ``assurance`` — the expected power over the ``uncertainty`` block's draws at that same size
  (:func:`planner.assurance.assurance_for_design`; priors without a centre of their own follow
  the cell's values). Needs an ``uncertainty`` block.

Each (design, output) is a :class:`planner.curves.Grid` (NaN and a message for invalid or
unattainable cells), so the table, the heat map and the CSV of one grid are those of the
single-output grid; :meth:`MultiGrid.to_csv` writes all of them in long form.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from .catalogue import SENSITIVITY_OUTPUTS
from .curves import Grid, _opts, default_n, sensitivity_grid
from .errors import ScenarioError
from .population_sweeps import set_sweep_path
from .scenario import Scenario
from .scenario_io import scenario_from_dict, scenario_to_dict

SIZED = {"n": "n_randomized", "screened": "n_screened", "events": "events", "cost": "cost"}


@dataclass(frozen=True)
class MultiGrid:
    """Grids keyed by (design, output), over the same rows and columns."""

    row_field: str
    row_values: tuple[float, ...]
    col_field: str | None
    col_values: tuple[float, ...]
    grids: dict[tuple[str, str], Grid]
    cancelled: bool = False

    def to_csv(self) -> str:
        """Long form: row input, column input, design, output, value (empty when not attainable)."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow([self.row_field, self.col_field or "", "design", "output", "value"])
        cols = list(self.col_values) or [None]
        for (design, output), g in self.grids.items():
            for i, r in enumerate(self.row_values):
                for j, c in enumerate(cols):
                    v = float(g.values[i, j])
                    w.writerow([f"{r:.10g}", "" if c is None else f"{c:.10g}", design, output,
                                f"{v:.10g}" if math.isfinite(v) else ""])
        return buf.getvalue()


def _cell_scenarios(scenario: Scenario, rows, cols) -> tuple[list[list[Scenario | None]], dict[str, str]]:
    base = scenario_to_dict(scenario)
    col_field, col_vals = cols if cols is not None else (None, [None])
    cells: list[list[Scenario | None]] = []
    messages: dict[str, str] = {}
    for i, rv in enumerate(rows[1]):
        line: list[Scenario | None] = []
        for j, cv in enumerate(col_vals):
            d = scenario_to_dict(scenario) if (i or j) else base
            set_sweep_path(d, rows[0], rv)  # cells-form paths too (planner.population_sweeps)
            if col_field is not None:
                set_sweep_path(d, col_field, cv)
            try:
                line.append(scenario_from_dict(d))
            except ScenarioError as err:
                line.append(None)
                messages[f"{i},{j}"] = str(err)
        cells.append(line)
    return cells, messages


def multi_grid(scenario: Scenario, designs: Sequence[str], outputs: Sequence[str], rows: tuple[str, list[float]],
               cols: tuple[str, list[float]] | None = None, *,
               progress: Callable[[int, int], object] | None = None,
               is_cancelled: Callable[[], bool] | None = None) -> MultiGrid:
    """Every (design, output) grid over ``rows`` (and ``cols``); see the module docstring."""
    unknown = [o for o in outputs if o not in SENSITIVITY_OUTPUTS]
    if unknown:
        raise ValueError(f"unknown output(s) {unknown}; one of {tuple(SENSITIVITY_OUTPUTS)}")
    cells, bad = _cell_scenarios(scenario, rows, cols)
    col_vals = tuple(cols[1]) if cols is not None else ()
    shape = (len(rows[1]), max(1, len(col_vals)))
    grids: dict[tuple[str, str], Grid] = {}
    total, done = len(designs), 0
    for design in designs:
        if is_cancelled is not None and is_cancelled():
            return MultiGrid(rows[0], tuple(rows[1]), cols[0] if cols else None, col_vals, grids, True)
        values = {o: np.full(shape, np.nan) for o in outputs}
        msgs: dict[str, dict[str, str]] = {o: dict(bad) for o in outputs}
        sized = [o for o in outputs if o in SIZED]
        if sized:
            from .compute import compute_design

            for i, j, s in _each(cells):
                r = compute_design(s, design, _opts(s, design), question="sample_size")
                for o in sized:
                    v = getattr(r, SIZED[o], None) if r.feasible else None
                    if v is None:
                        msgs[o][f"{i},{j}"] = r.message or f"{SENSITIVITY_OUTPUTS[o]}: not available"
                    else:
                        values[o][i, j] = float(v)
        if "power" in outputs:
            g = sensitivity_grid(scenario, design, rows, cols, output="power")
            values["power"], msgs["power"] = g.values, dict(g.messages)
        if "assurance" in outputs:
            values["assurance"], msgs["assurance"] = _assurance(scenario, design, cells, shape, bad, is_cancelled)
        for o in outputs:
            grids[(design, o)] = Grid(design, o, rows[0], tuple(rows[1]), cols[0] if cols else None, col_vals,
                                      values[o], msgs[o])
        done += 1
        if progress is not None:
            progress(done, total)
    return MultiGrid(rows[0], tuple(rows[1]), cols[0] if cols else None, col_vals, grids)


def _each(cells):
    """(i, j, scenario) of every valid cell."""
    for i, line in enumerate(cells):
        for j, s in enumerate(line):
            if s is not None:
                yield i, j, s


def _assurance(scenario: Scenario, design: str, cells, shape, bad: dict, is_cancelled) -> tuple[np.ndarray, dict]:
    """Assurance at the design's size for the current scenario, at every cell (NaN without a block)."""
    from .assurance import AssuranceCancelled, assurance_for_design
    from .compute import compute_design

    values, msgs = np.full(shape, np.nan), dict(bad)
    n_fixed = default_n(scenario, design)
    for i, j, s in _each(cells):
        if s.uncertainty is None:
            msgs[f"{i},{j}"] = "no uncertainty block: add distributions of the inputs (Assurance tab)"
            continue
        if n_fixed is None:
            msgs[f"{i},{j}"] = "the design has no size for the current scenario"
            continue
        opts = replace(_opts(s, design), n_randomized=int(n_fixed), events=None)
        r = compute_design(s, design, opts, question="power")
        if not r.feasible:
            msgs[f"{i},{j}"] = r.message
            continue
        try:
            a = assurance_for_design(s, design, opts, result=r, with_size=False, is_cancelled=is_cancelled)
        except AssuranceCancelled:
            break
        except (ValueError, ScenarioError) as exc:
            msgs[f"{i},{j}"] = str(exc)
            continue
        if a.assurance is None:
            msgs[f"{i},{j}"] = a.message
        else:
            values[i, j] = a.assurance
    return values, msgs


__all__ = ["MultiGrid", "multi_grid"]
