"""Operating characteristics of the adaptive design over a grid of truths (a sweep).

``--vary PATH=LO:HI:STEP`` (or ``PATH=V1,V2,…``) names a numeric scenario field by its dotted
path (:data:`planner.catalogue.FIELDS_BY_PATH`) and its values; several ``--vary`` make the
grid their Cartesian product (the first varies slowest). Every value is checked against the
field's bounds in the catalogue, and every grid point's scenario is read back through the
scenario reader (cross-field rules included); a bad value raises :class:`ScenarioError` naming
``--vary PATH``.

The cells form (several populations) is swept through the paths of
:mod:`planner.population_sweeps` — ``population.cells.<name>.prevalence`` (that cell's
prevalence, the others rescaled in proportion so that the sum stays 1) and ``cells.<name>.<field>``
(a cell's outcome field, e.g. ``cells.TPS ≥50%.hazard_ratio``) and
``population.populations.<name>.prevalence`` (a population's prevalence γ → γ′: its cells scaled by
γ′/γ, the others by (1 − γ′)/(1 − γ)) — with the bounds of the catalogue's
``population.cells.prevalence`` (prevalences) and of the cell's outcome field; the version 1 paths (``positive.*``,
``negative.*``, ``population.prevalence``) are refused there, and a cell path in the two-subgroup
form, naming ``--vary PATH``. The adaptive design of the cells form is the K-population model.

At every grid point the adaptive design is simulated with the *same* seed, hence the same
blocks and the same random numbers (common random numbers): the Monte Carlo errors of
neighbouring points are strongly positively correlated and the curves are smooth. A sweep with
one grid point equals :func:`planner.adaptive.api.simulate_scenario` for the same seed exactly.
For comparison, every fixed design is sized at the scenario's own assumptions
(:func:`planner.compute.compare_designs`) and its analytic power at that size (survival: at its
events) is computed at every grid point (:func:`planner.compute.compute_design`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..catalogue import (
    FIELDS_BY_PATH,
    SWEEP_COLUMNS,
    SWEEP_FIXED_COLUMN,
    SWEEP_FIXED_PATHS,
    SWEEP_MAX_POINTS,
    design_label,
)
from ..errors import Problem, ScenarioError
from ..results import json_safe
from ..scenario import AdaptiveOptions, Scenario
from .api import simulate_model
from .engine import Job, run_many
from .model import model_from_scenario
from .results import AdaptiveResult


@dataclass(frozen=True)
class Vary:
    """One varied field: its dotted path and its values (in the order given)."""

    path: str
    values: tuple[float, ...]


def _problem(path: str, reason: str) -> ScenarioError:
    return ScenarioError([Problem(f"--vary {path}" if path else "--vary", reason)])


def _numbers(path: str, text: str) -> list[float]:
    ranged = ":" in text
    try:
        values = [float(x) for x in text.split(":" if ranged else ",")]
    except ValueError:
        raise _problem(path, f"expected LO:HI:STEP or V1,V2,… (numbers), got {text!r}") from None
    if (ranged and len(values) != 3) or not all(math.isfinite(v) for v in values):
        raise _problem(path, f"expected LO:HI:STEP or V1,V2,… (finite numbers), got {text!r}")
    if not ranged:
        return values
    lo, hi, step = values
    if step <= 0 or hi < lo:
        raise _problem(path, f"LO:HI:STEP needs LO ≤ HI and STEP > 0, got {text}")
    count = int(math.floor((hi - lo) / step + 1e-9)) + 1
    if count > SWEEP_MAX_POINTS:
        raise _problem(path, f"{count:,} values: at most {SWEEP_MAX_POINTS:,}")
    return [round(lo + i * step, 12) for i in range(count)]


def sweep_spec(path: str) -> Any:
    """The catalogue's field of a sweep path: the path's own, or for a cells-form path
    (:func:`planner.population_sweeps.split_cell_path`) the cell prevalence's or the cell's outcome
    field's (the same field as the ``positive`` block's: :func:`planner.catalogue.cell_outcome_fields`);
    None when there is none."""
    from ..population_sweeps import split_cell_path, split_population_path  # noqa: PLC0415

    parts = split_cell_path(path)
    if split_population_path(path) is not None:  # a population's prevalence: a cell prevalence's bounds
        return FIELDS_BY_PATH["population.cells.prevalence"]
    if parts is None:
        return FIELDS_BY_PATH.get(path)
    if parts[1] == "prevalence" and path.startswith("population."):
        return FIELDS_BY_PATH["population.cells.prevalence"]
    return FIELDS_BY_PATH.get(f"positive.{parts[1]}")


def _check_bounds(path: str, value: float, spec: Any = None) -> None:
    spec = spec if spec is not None else FIELDS_BY_PATH[path]
    broken = ((spec.gt is not None and not value > spec.gt) or (spec.ge is not None and value < spec.ge)
              or (spec.lt is not None and not value < spec.lt) or (spec.le is not None and value > spec.le))
    if broken:
        raise _problem(path, f"{value:g} is out of range: must be {spec.valid}")
    if spec.integer and not float(value).is_integer():
        raise _problem(path, f"{value:g} is not a whole number")


def parse_vary(text: str, endpoint: str | None = None) -> Vary:
    """``PATH=LO:HI:STEP`` (HI included) or ``PATH=V1,V2,…`` → :class:`Vary` (bounds checked)."""
    path, sep, spec = str(text).partition("=")
    path = path.strip()
    if not sep or not path or not spec.strip():
        raise _problem(path, f"expected PATH=LO:HI:STEP or PATH=V1,V2,…, got {text!r}")
    fs = sweep_spec(path)
    if fs is None or fs.kind not in ("float", "int") or path in SWEEP_FIXED_PATHS:
        raise _problem(path, "is not a numeric scenario field that a sweep can vary "
                             "(e.g. negative.hazard_ratio, population.prevalence; in the cells form "
                             "cells.<name>.hazard_ratio, population.cells.<name>.prevalence)")
    if endpoint is not None and endpoint not in fs.endpoints:
        raise _problem(path, f"does not apply to a {endpoint} endpoint")
    values = _numbers(path, spec.strip())
    for v in values:
        _check_bounds(path, v, fs)
    return Vary(path, tuple(values))


def check_varies(scenario: Scenario, varies: Sequence[Vary]) -> None:
    """Raise :class:`ScenarioError` naming ``--vary PATH`` for a path the scenario's form has no
    such input for: a cells-form path in the two-subgroup form or naming an unknown cell, a
    version 1 path in the cells form; then :func:`planner.population_sweeps.check_sweep_paths`."""
    from ..population_sweeps import check_sweep_paths, split_cell_path, split_population_path  # noqa: PLC0415

    cells = [c.name for c in scenario.population.cells] if scenario.has_cells else []
    pops = [q.name for q in scenario.population.populations] if cells else []
    for v in varies:
        parts = split_cell_path(v.path)
        population = split_population_path(v.path)
        if population is not None and population not in pops:
            raise _problem(v.path, f"names no population of population.populations ({', '.join(pops)})"
                           if cells else "is an input of the cells form (several populations)")
        if population is not None:
            continue
        if parts is not None and not cells:
            raise _problem(v.path, "is an input of the cells form (several populations); this scenario has "
                                   "two subgroups: vary positive.*, negative.* or population.prevalence")
        if parts is not None and parts[0] not in cells:
            raise _problem(v.path, f"names no cell of population.cells ({', '.join(cells)})")
        if parts is None and cells and v.path.split(".")[0] in ("positive", "negative") \
                or cells and v.path == "population.prevalence":
            raise _problem(v.path, "does not apply in the cells form: vary cells.<name>.<field> or "
                                   "population.cells.<name>.prevalence")
    try:
        check_sweep_paths(scenario, [v.path for v in varies])
    except ScenarioError as err:
        raise ScenarioError([Problem(f"--vary {p.path}", p.reason) for p in err.problems]) from None


def grid_points(varies: Sequence[Vary]) -> list[dict[str, float]]:
    """The Cartesian product of the varied values (first ``Vary`` slowest)."""
    count = math.prod(len(v.values) for v in varies)
    if count > SWEEP_MAX_POINTS:
        raise _problem(varies[-1].path, f"the grid has {count:,} points: at most {SWEEP_MAX_POINTS:,}")
    return [dict(zip((v.path for v in varies), combo))
            for combo in itertools.product(*(v.values for v in varies))]


def point_scenario(scenario: Scenario, point: dict[str, float]) -> Scenario:
    """The scenario with the point's values, read back by the scenario reader (every rule)."""
    from ..population_sweeps import set_sweep_path  # noqa: PLC0415
    from ..scenario_io import scenario_from_dict, scenario_to_dict

    data = scenario_to_dict(scenario)
    for path, value in point.items():
        spec = sweep_spec(path)
        set_sweep_path(data, path, int(value) if spec is not None and spec.integer else float(value))
    try:
        return scenario_from_dict(data)
    except ScenarioError as err:
        where = ", ".join(f"{p}={v:g}" for p, v in point.items())
        raise ScenarioError([Problem(f"--vary {p.path}" if p.path in point else p.path,
                                     f"{p.reason} (at {where})") for p in err.problems]) from None


@dataclass(frozen=True)
class SweepResult:
    """The sweep table: one row per grid point, with Monte Carlo SEs (see ``SWEEP_COLUMNS``)."""

    endpoint: str
    varied: tuple[str, ...]
    simulations: int
    seed: int
    rows: tuple[dict, ...]
    fixed_designs: tuple[str, ...] = ()
    results: tuple[AdaptiveResult, ...] = field(default=(), compare=False, repr=False)
    incomplete: bool = False
    notes: tuple[str, ...] = ()

    def columns(self) -> list[str]:
        """CSV columns: the varied paths, each SWEEP_COLUMNS entry and its SE, the fixed powers."""
        cols = list(self.varied)
        for name in SWEEP_COLUMNS:
            cols += [name, f"{name}_se"]
        cols += [SWEEP_FIXED_COLUMN.format(design=d) for d in self.fixed_designs]
        return cols

    def to_dict(self) -> dict:
        return json_safe({
            "endpoint": self.endpoint, "varied": list(self.varied), "simulations": self.simulations,
            "seed": self.seed, "common_random_numbers": True, "incomplete": self.incomplete,
            "fixed_designs": {d: design_label(d) for d in self.fixed_designs},
            "columns": self.columns(), "rows": [dict(r) for r in self.rows], "notes": list(self.notes),
        })


def _row(point: dict, res: AdaptiveResult, fixed: dict[str, float | None]) -> dict:
    row: dict[str, Any] = dict(point)
    for name in SWEEP_COLUMNS:
        row[name] = getattr(res, name)
        row[f"{name}_se"] = getattr(res, f"{name}_se")
    for design, power in fixed.items():
        row[SWEEP_FIXED_COLUMN.format(design=design)] = power
    return row


def _fixed_sizes(scenario: Scenario) -> dict[str, dict]:
    """Every feasible fixed design's planned size at the scenario's assumptions."""
    from ..compute import compare_designs

    comp = compare_designs(scenario, include_adaptive=False)
    out = {}
    for name, r in comp.designs.items():
        if getattr(r, "feasible", False) and r.n_randomized is not None:
            out[name] = ({"events": r.events} if scenario.endpoint == "survival" and r.events
                         else {"n_randomized": r.n_randomized})
    return out


def _fixed_powers(scenario: Scenario, sizes: dict[str, dict]) -> dict[str, float | None]:
    from ..compute import compute_design

    out: dict[str, float | None] = {}
    for name, size in sizes.items():
        r = compute_design(scenario, name, scenario.designs.get(name), question="power", **size)
        out[name] = r.power if r.feasible else None
    return out


def run_sweep(scenario: Scenario, varies: Sequence[Vary], *, simulations: int | None = None,
              seed: int | None = None, workers: int | None = None, scheduler: Any = None,
              with_fixed: bool = True, progress: Callable[[int, int], object] | None = None,
              is_cancelled: Callable[[], bool] | None = None) -> SweepResult:
    """Simulate the adaptive design at every grid point with common random numbers."""
    opts = scenario.designs.get("adaptive")
    if not isinstance(opts, AdaptiveOptions):
        raise ScenarioError([Problem("designs.adaptive", "is required: the scenario has no adaptive design to sweep")])
    sims = int(opts.simulations if simulations is None else simulations)
    top = FIELDS_BY_PATH["designs.adaptive.simulations"].le
    if not 1 <= sims <= top:
        raise ScenarioError([Problem("--simulations", f"must be from 1 to {top:,}, got {sims}")])
    the_seed = int(opts.seed if seed is None else seed)
    check_varies(scenario, varies)
    points = grid_points(varies)
    scenarios = [point_scenario(scenario, p) for p in points]
    models = [model_from_scenario(s) for s in scenarios]
    counts, cancelled = run_many([Job(m, sims, the_seed) for m in models], workers=workers,
                                 scheduler=scheduler, progress=progress, is_cancelled=is_cancelled)
    sizes = _fixed_sizes(scenario) if with_fixed else {}
    rows, results = [], []
    for point, sc, model, c in zip(points, scenarios, models, counts):
        if c.n == 0:
            break
        # the engine's counts through simulate_model: the same notes and summary as `simulate`
        res = simulate_model(model, sims, the_seed, target_power=sc.testing.power, costs=sc.costs,
                             runner=lambda *_a, _c=c, **_k: (_c, _c.n < sims))
        results.append(res)
        rows.append(_row(point, res, _fixed_powers(sc, sizes)))
    notes = ["common random numbers: every grid point uses the same seed and blocks"]
    if cancelled:
        notes.append("cancelled: the table holds the points finished before the cancel")
    return SweepResult(scenario.endpoint, tuple(v.path for v in varies), sims, the_seed, tuple(rows),
                       tuple(sizes), tuple(results), cancelled, tuple(notes))


__all__ = ["SweepResult", "Vary", "check_varies", "grid_points", "parse_vary", "point_scenario", "run_sweep",
           "sweep_spec"]
