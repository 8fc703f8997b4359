"""Curves, design maps and sensitivity grids of the cells form, per population (issue 12).

The curves over prevalence, the curves over the B− effect and the design map of
:mod:`planner.curves` vary the **first** population's prevalence (its cells scaled by γ′/γ, the
others by (1 − γ′)/(1 − γ): :func:`planner.populations.cells_structure`) and the effect of every
cell outside it (:meth:`planner.params.Params.with_effect`). :func:`focus` lets any population and
any cell play that part, without a second code path:

* ``focus(scenario, population=P)`` — the same scenario with P listed first among the populations
  (and its summaries, ``population.prevalence``, ``positive``/``negative``, recomputed). Every
  design's numbers are unchanged (F and the populations are tested by name: the targeted design's
  population, the stratified design's ``size_for`` and ``order`` are names, and the closed tests
  are symmetric in the populations). So varying P's prevalence from γ to γ′ scales the cells inside
  P by γ′/γ and the others by (1 − γ′)/(1 − γ): **a population nested inside P scales with it** (its
  prevalence times γ′/γ), one containing P changes by the cells it has outside P, and an
  overlapping one by its shares of both. The effect axis is the effect of every cell outside P.
* ``focus(scenario, population=P, cell=c)`` — the effect axis is cell c's effect alone
  (:class:`FocusedScenario`: ``negative`` holds cell c's outcomes, so the figures' "current B−
  effect" and its range are c's; :func:`grid_params` sets c's effect).

:func:`sweep_scenario` is the sensitivity grid's path translation for the cells form: the paths
``population.cells.<name>.prevalence`` (that cell's prevalence; the others rescaled in proportion
so that the sum stays 1), ``cells.<name>.<field>`` (a cell's outcome field) and
``population.populations.<name>.prevalence`` (a population's prevalence γ → γ′: its cells scaled by
γ′/γ, the others by (1 − γ′)/(1 − γ), as :func:`focus` varies it) — the file keeps the cells as a
list, so a dotted path cannot address them directly. Labels: :func:`sweep_label`, from
the catalogue.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import Any

from numpy.typing import ArrayLike

from .catalogue import FIELDS_BY_PATH, cells_sweep_label, population_sweep_label
from .params import Params, params_from_scenario
from .scenario import FIXED_DESIGNS, FixedDesignOptions, Scenario

#: the sensitivity grid's path of a cell's prevalence (``population.cells.<name>.prevalence``)
CELL_PREVALENCE = "population.cells.{cell}.prevalence"
#: the path of a cell's outcome field (``cells.<name>.<field>``)
CELL_FIELD = "cells.{cell}.{field}"
#: the path of a population's prevalence (``population.populations.<name>.prevalence``)
POPULATION_PREVALENCE = "population.populations.{population}.prevalence"


@dataclass(frozen=True, eq=False)
class FocusedScenario(Scenario):
    """A cells-form scenario whose effect axis is one cell's (``effect_of``, its name); ``negative``
    holds that cell's outcomes (:func:`focus`)."""

    effect_of: str = "negative"


def focus(scenario: Scenario, population: str | None = None, cell: str | None = None) -> Scenario:
    """``scenario`` with ``population`` first (its prevalence the curves' and map's prevalence axis)
    and, with ``cell``, that cell's effect the effect axis (module docstring). Unchanged in the
    two-subgroup form, or when nothing is chosen."""
    if not scenario.has_cells or (population is None and cell is None):
        return scenario
    from .scenario_cells import with_cells  # noqa: PLC0415

    pop = scenario.population
    names = [q.name for q in pop.populations]
    if population is not None and population not in names:
        raise ValueError(f"unknown population {population!r} (populations: {', '.join(names)})")
    if cell is not None and cell not in scenario.cells:
        raise ValueError(f"unknown cell {cell!r} (cells: {', '.join(scenario.cells)})")
    chosen = population or names[0]
    ordered = tuple(sorted(pop.populations, key=lambda q: q.name != chosen))
    inside = set(ordered[0].cells)
    prevalence = math.fsum(c.prevalence for c in pop.cells if c.name in inside)
    designs = {name: replace(opts, population=names[0]) if opts.population is None else opts
               for name, opts in _fixed_options(scenario).items()}
    out = with_cells(scenario, population=replace(pop, populations=ordered, prevalence=prevalence),
                     designs={**dict(scenario.designs), **designs})
    if cell is None:
        return out
    values = {f.name: getattr(out, f.name) for f in fields(Scenario)}
    values["negative"] = scenario.cells[cell]
    return FocusedScenario(**values, effect_of=cell)


def _fixed_options(scenario: Scenario) -> dict[str, FixedDesignOptions]:
    """Every fixed design's options (the file's, else the defaults): a design that defaults to the
    first population (targeted, strategy, interaction) keeps the file's first population under
    :func:`focus`, so that its numbers stay the table's."""
    return {name: o if isinstance(o := scenario.designs.get(name), FixedDesignOptions) else FixedDesignOptions()
            for name in FIXED_DESIGNS}


def effect_of(scenario: Scenario) -> str:
    """What the effect axis varies: ``"negative"`` (every cell outside the first population; the B−
    subgroup in the two-subgroup form) or a cell's name."""
    return getattr(scenario, "effect_of", "negative")


def grid_params(scenario: Scenario, prevalence: ArrayLike | None = None, effect: ArrayLike | None = None) -> Params:
    """:func:`planner.params.params_from_scenario` with the first population's ``prevalence`` and the
    effect axis (:func:`effect_of`) replaced by arrays — exactly ``params_from_scenario(scenario,
    prevalence=…, negative_effect=…)`` unless a cell is focused."""
    which = effect_of(scenario)
    if which == "negative":
        return params_from_scenario(scenario, prevalence=prevalence, negative_effect=effect)
    par = params_from_scenario(scenario, prevalence=prevalence)
    return par if effect is None else par.with_effect(which, effect)


# --------------------------------------------------------------------------- sensitivity grid paths
def split_cell_path(path: str) -> tuple[str, str] | None:
    """(cell, field) of ``cells.<name>.<field>`` or (cell, ``"prevalence"``) of
    ``population.cells.<name>.prevalence``; None for any other path."""
    if path.startswith("population.cells.") and path.endswith(".prevalence"):
        return path[len("population.cells."):-len(".prevalence")], "prevalence"
    if path.startswith("cells.") and path.count(".") >= 2:
        cell, key = path[len("cells."):].rsplit(".", 1)
        return cell, key
    return None


def split_population_path(path: str) -> str | None:
    """The population of ``population.populations.<name>.prevalence``; None for any other path."""
    head, tail = "population.populations.", ".prevalence"
    if path.startswith(head) and path.endswith(tail) and len(path) > len(head) + len(tail):
        return path[len(head):-len(tail)]
    return None


def is_cells_path(path: str) -> bool:
    """Whether ``path`` is one of the cells form's sweep paths (a cell's or a population's)."""
    return split_cell_path(path) is not None or split_population_path(path) is not None


def _set_population_prevalence(data: dict, name: str, value: float) -> bool:
    """γ → γ′ of a population: its cells × γ′/γ, the others × (1 − γ′)/(1 − γ)."""
    pops = {q.get("name"): q.get("cells") or [] for q in data["population"].get("populations") or []
            if isinstance(q, dict)}
    if name not in pops:
        return False
    inside = set(pops[name])
    cells = data["population"]["cells"]
    old = math.fsum(c["prevalence"] for c in cells if c.get("name") in inside)
    for c in cells:
        c["prevalence"] *= value / old if c.get("name") in inside else (1.0 - value) / (1.0 - old)
    return True


def set_cell_path(data: dict, path: str, value: Any) -> bool:
    """Set a cells-form path (:func:`split_cell_path`, :func:`split_population_path`) in a decoded
    scenario; False if ``path`` is not one. A cell's prevalence p → p′ scales every other cell by
    (1 − p′)/(1 − p) (the sum stays 1); a population's, module docstring."""
    if "cells" not in (data.get("population") or {}):
        return False
    population = split_population_path(path)
    if population is not None:
        return _set_population_prevalence(data, population, float(value))
    parts = split_cell_path(path)
    if parts is None:
        return False
    cell, key = parts
    if key != "prevalence":
        block = data.setdefault("cells", {}).setdefault(cell, {})
        block[key] = value
        if key in ("treatment_rate", "control_rate"):
            block.pop("effect", None)  # the rate given replaces the effect as entered
        return True
    cells = data["population"]["cells"]
    old = next((c["prevalence"] for c in cells if c.get("name") == cell), None)
    if old is None:
        data["population"]["cells"].append({"name": cell, "prevalence": value})  # the reader names it
        return True
    for c in cells:
        c["prevalence"] = value if c["name"] == cell else c["prevalence"] * (1.0 - value) / (1.0 - old)
    return True


def set_sweep_path(data: dict, path: str, value: Any) -> None:
    """Set a sweep path in a decoded scenario: a cells-form path (:func:`set_cell_path`), else the
    dotted path (:func:`planner.validation.set_path`)."""
    from .validation import set_path  # noqa: PLC0415

    if not set_cell_path(data, path, value):
        set_path(data, path, value)


def sweep_fields(scenario: Scenario) -> list[tuple[str, str]]:
    """(path, label) of the cells form's sweep paths: each cell's prevalence, then each cell's numeric
    outcome fields (the catalogue's ``cell_outcome_fields``), then each population's prevalence; empty
    in the two-subgroup form."""
    if not scenario.has_cells:
        return []
    from .catalogue import cell_outcome_fields, outcome_key  # noqa: PLC0415

    out = [(CELL_PREVALENCE.format(cell=c.name), sweep_label(CELL_PREVALENCE.format(cell=c.name)))
           for c in scenario.population.cells]
    keys = [outcome_key(f) for f in cell_outcome_fields(scenario.endpoint) if f.kind == "float"]
    for c in scenario.population.cells:
        out += [(CELL_FIELD.format(cell=c.name, field=k), sweep_label(CELL_FIELD.format(cell=c.name, field=k)))
                for k in keys]
    pops = [POPULATION_PREVALENCE.format(population=q.name) for q in scenario.population.populations]
    return out + [(p, sweep_label(p)) for p in pops]


def sweep_value(scenario: Scenario, path: str) -> float | None:
    """The scenario's current value at a cells-form sweep path (None for another path)."""
    population = split_population_path(path)
    if population is not None and scenario.has_cells:
        inside = next((set(q.cells) for q in scenario.population.populations if q.name == population), None)
        return None if inside is None else math.fsum(c.prevalence for c in scenario.population.cells
                                                     if c.name in inside)
    parts = split_cell_path(path)
    if parts is None or not scenario.has_cells:
        return None
    cell, key = parts
    if key == "prevalence":
        return next((c.prevalence for c in scenario.population.cells if c.name == cell), None)
    value = getattr(scenario.cells.get(cell), key, None)
    return float(value) if isinstance(value, (int, float)) else None


def sweep_label(path: str, endpoint: str | None = None) -> str:
    """The axis words of a sweep path (a cell's or a population's path in the catalogue's words, else
    its field label)."""
    population = split_population_path(path)
    if population is not None:
        return population_sweep_label(population)
    parts = split_cell_path(path)
    if parts is not None:
        return cells_sweep_label(parts[1], parts[0])
    spec = FIELDS_BY_PATH.get(path)
    return spec.label if spec is not None else path


__all__ = ["FocusedScenario", "effect_of", "focus", "grid_params", "is_cells_path", "set_cell_path",
           "set_sweep_path", "split_cell_path", "split_population_path", "sweep_fields", "sweep_label",
           "sweep_value"]


#: the exponential fields a piecewise survival model replaces (planner.scenario_piecewise)
REPLACED_BY_PIECEWISE = ("control_median", "hazard_ratio")


def unused_sweep_path(scenario: Scenario, path: str) -> str | None:
    """Why ``path`` cannot be swept in ``scenario`` (None: it can): a subgroup's exponential
    ``control_median``/``hazard_ratio`` when that subgroup's survival is piecewise (its table
    replaces them, so every cell of a grid over them would be refused)."""
    group, _, name = path.partition(".")
    if group in ("positive", "negative") and name in REPLACED_BY_PIECEWISE and not scenario.has_cells:
        if getattr(getattr(scenario, group), "piecewise", None) is not None:
            return (f"not used by this scenario: {group}.piecewise (a table of hazards and hazard ratios) "
                    "replaces it; vary a piecewise input in the file, or remove the table")
    return None


def check_sweep_paths(scenario: Scenario, paths) -> None:
    """Raise :class:`planner.errors.ScenarioError` naming each path of ``paths`` that
    :func:`unused_sweep_path` refuses (a grid over it would be empty)."""
    from .errors import Problem, ScenarioError  # noqa: PLC0415

    problems = [Problem(p, why) for p in paths if p and (why := unused_sweep_path(scenario, p))]
    if problems:
        raise ScenarioError(problems)
