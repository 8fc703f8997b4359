"""Reading and writing the cells form of a scenario (several biomarker populations, issue 12).

The screened population is described by disjoint **cells** (``population.cells``: name and
prevalence, as the trial's assay classifies patients) and the **populations** that can be tested,
selected or enriched for (``population.populations``: unions of cells); the full population F is
every cell. Each cell's outcomes (top-level ``cells``) have exactly the fields of ``positive`` /
``negative`` in version 1, read by the same code with the same catalogue bounds (problems are
reported at ``cells.<name>.<field>``). A file in this form has no ``positive``/``negative`` and no
assay accuracy: the scenario's ``positive``/``negative`` are derived summaries of the first
population and of its complement (prevalence-weighted), for display only (:func:`summaries`).

Counts, the reserved name of F and the tolerance of the prevalences' sum come from the catalogue.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from .catalogue import (
    CELL_COUNT,
    FIELDS_BY_PATH,
    FULL_POPULATION,
    POPULATION_COUNT,
    PREVALENCE_SUM_TOLERANCE,
    codes,
)
from .errors import Problem
from .scenario import (
    INHERIT,
    BinarySubgroup,
    Cell,
    ContinuousSubgroup,
    NamedPopulation,
    Population,
    SurvivalSubgroup,
)
from .validation import Reader, describe, fmt

#: ``population`` keys of the cells form (assay accuracy and the B+ prevalence do not apply)
CELLS_POPULATION_KEYS = ("cells", "populations", "assay_failure", "screen_failure")
#: version 1 keys a cells-form file must not have
NOT_IN_CELLS_FORM = ("prevalence", "assay_sensitivity", "assay_specificity")
POPULATION_MULTIPLICITY: tuple[str, ...] = codes("population_multiplicity")
POPULATION_SIZE_FOR: tuple[str, ...] = codes("population_size_for")


def is_cells_form(data: Any) -> bool:
    """Whether a decoded scenario is in the cells form (its ``population`` has ``cells``)."""
    pop = data.get("population") if isinstance(data, dict) else None
    return isinstance(pop, dict) and "cells" in pop


def _name(r: Reader, item: dict, path: str) -> str | None:
    value = item.get("name")
    if not isinstance(value, str) or not value.strip():
        r.add(f"{path}.name", f"must be non-empty text, got {describe(value)}")
        return None
    return value


def _objects(r: Reader, block: dict, key: str, path: str, count: tuple[int, int], what: str) -> list | None:
    value = block.get(key)
    if not isinstance(value, list):
        r.add(f"{path}.{key}", f"must be a list of {what}, got {describe(value)}")
        return None
    if not count[0] <= len(value) <= count[1]:
        r.add(f"{path}.{key}", f"must have {count[0]} to {count[1]} {what}, got {len(value)}")
        return None
    return value


def _cells(r: Reader, block: dict, p: str) -> tuple[Cell, ...] | None:
    items = _objects(r, block, "cells", p, CELL_COUNT, "cells")
    if items is None:
        return None
    before = len(r.problems)
    out: list[Cell] = []
    for i, item in enumerate(items):
        path = f"{p}.cells[{i}]"
        if not isinstance(item, dict):
            r.add(path, f"must be an object {{\"name\", \"prevalence\"}}, got {describe(item)}")
            continue
        r.unknown(item, ("name", "prevalence"), path)
        name = _name(r, item, path)
        spec = FIELDS_BY_PATH["population.cells.prevalence"]
        prev = r.number(item, "prevalence", path, gt=spec.gt, ge=spec.ge, lt=spec.lt, le=spec.le)
        if name is not None and any(c.name == name for c in out):
            r.add(f"{path}.name", f"{name!r} names two cells: names must be unique")
        elif name is not None and prev is not None:
            out.append(Cell(name, prev))
    if len(r.problems) > before:
        return None
    total = math.fsum(c.prevalence for c in out)
    if abs(total - 1.0) > PREVALENCE_SUM_TOLERANCE:
        r.add(f"{p}.cells", f"the cells' prevalences must sum to 1, got {total:.10g}")
        return None
    return tuple(out)


def _populations(r: Reader, block: dict, p: str, cells: tuple[Cell, ...] | None) -> tuple[NamedPopulation, ...] | None:
    items = _objects(r, block, "populations", p, POPULATION_COUNT, "populations")
    if items is None or cells is None:
        return None
    known = [c.name for c in cells]
    before = len(r.problems)
    out: list[NamedPopulation] = []
    for i, item in enumerate(items):
        path = f"{p}.populations[{i}]"
        if not isinstance(item, dict):
            r.add(path, f"must be an object {{\"name\", \"cells\"}}, got {describe(item)}")
            continue
        r.unknown(item, ("name", "cells"), path)
        name = _name(r, item, path)
        if name == FULL_POPULATION:
            r.add(f"{path}.name", f"{FULL_POPULATION!r} is the full population (every cell), which is implicit")
            name = None
        elif name is not None and any(q.name == name for q in out):
            r.add(f"{path}.name", f"{name!r} names two populations: names must be unique")
            name = None
        members = item.get("cells")
        if not isinstance(members, list) or not members:
            r.add(f"{path}.cells", f"must be a non-empty list of cell names, got {describe(members)}")
            continue
        for j, m in enumerate(members):
            if m not in known or not isinstance(m, str):
                shown = repr(m) if isinstance(m, str) else describe(m)
                r.add(f"{path}.cells[{j}]", f"unknown cell {shown} (cells: {', '.join(known)})")
            elif m in members[:j]:
                r.add(f"{path}.cells[{j}]", f"{m!r} is listed twice")
        if len({m for m in members if isinstance(m, str)} & set(known)) == len(known):
            r.add(f"{path}.cells", f"lists every cell: that is the full population {FULL_POPULATION!r}, "
                                   "which is implicit; a population is a proper subset of the cells")
        if name is not None and len(r.problems) == before:
            out.append(NamedPopulation(name, tuple(m for m in known if m in members)))
    return None if len(r.problems) > before else tuple(out)


def read_cells_population(r: Reader, pop: dict, extras: dict) -> Population | None:
    """The ``population`` block of the cells form; ``extras`` the screening losses already read."""
    p = "population"
    r.unknown(pop, CELLS_POPULATION_KEYS + NOT_IN_CELLS_FORM, p)
    for key in NOT_IN_CELLS_FORM:
        if key in pop:
            r.add(f"{p}.{key}", "does not apply in the cells form: the cells are what the assay reports "
                                "(give each cell's prevalence in population.cells)")
    cells = _cells(r, pop, p)
    populations = _populations(r, pop, p, cells)
    if cells is None or populations is None or None in extras.values():
        return None
    first = set(populations[0].cells)
    prevalence = math.fsum(c.prevalence for c in cells if c.name in first)
    return Population(prevalence, cells=cells, populations=populations, **extras)


def read_cell_outcomes(r: Reader, data: dict, population: Population | None, endpoint: str | None,
                       read_subgroup) -> dict | None:
    """Top-level ``cells``: one outcome block per cell, read by ``read_subgroup`` (the version 1
    subgroup reader) as if it were ``positive``; problems are re-addressed to ``cells.<name>``."""
    block = r.block(data, "cells", "cells")
    if block is None or population is None or endpoint is None:
        return None
    names = [c.name for c in population.cells]
    for key in block:
        if key not in names:
            r.add(f"cells.{key}", f"is not a cell of population.cells ({', '.join(names)})")
    out = {}
    for name in names:
        if name not in block:
            r.add(f"cells.{name}", "is required (every cell needs its outcomes)")
            continue
        sub = Reader()
        value = read_subgroup(sub, {"positive": block[name]}, "positive", endpoint)
        where = f"cells.{name}"
        r.problems.extend(Problem(where + q.path[len("positive"):], q.reason.replace("positive.", f"{where}."))
                          for q in sub.problems)
        if value is not None and not sub.problems:
            out[name] = value
    return out if len(out) == len(names) else None


def check_not_in_cells_form(r: Reader, data: dict) -> None:
    """Top-level blocks of the two-subgroup form that a cells-form file must not have."""
    for key in ("positive", "negative"):
        if key in data:
            r.add(key, "does not apply in the cells form: each cell's outcomes are in cells.<name>")


def _weighted(values, weights) -> float:
    return math.fsum(w * v for v, w in zip(values, weights)) / math.fsum(weights)


def _summary(subs: list, weights: list[float]):
    """Prevalence-weighted summary of several cells' outcomes (for display): means and rates
    averaged, SDs as the root of the averaged variances, hazard ratios geometrically."""
    first = subs[0]
    if len(subs) == 1:  # one cell: its own outcomes (exactly)
        return replace(first, effect=None) if isinstance(first, BinarySubgroup) else replace(first, piecewise=None) \
            if isinstance(first, SurvivalSubgroup) else first
    if isinstance(first, ContinuousSubgroup):
        return ContinuousSubgroup(_weighted([s.mean_difference for s in subs], weights),
                                  math.sqrt(_weighted([s.sd**2 for s in subs], weights)),
                                  _weighted([s.control_mean for s in subs], weights))
    if isinstance(first, BinarySubgroup):
        return BinarySubgroup(_weighted([s.control_rate for s in subs], weights),
                              _weighted([s.treatment_rate for s in subs], weights))
    if isinstance(first, SurvivalSubgroup):
        return SurvivalSubgroup(_weighted([s.control_median for s in subs], weights),
                                math.exp(_weighted([math.log(s.hazard_ratio) for s in subs], weights)))
    raise TypeError(f"unknown subgroup {first!r}")  # pragma: no cover - guarded by the reader


def summaries(population: Population, cells: dict) -> tuple:
    """(positive, negative): the first population and its complement, prevalence-weighted."""
    first = set(population.populations[0].cells)
    out = []
    for inside in (True, False):
        chosen = [c for c in population.cells if (c.name in first) == inside]
        out.append(_summary([cells[c.name] for c in chosen], [c.prevalence for c in chosen]))
    return tuple(out)


def resolve_cells(cells: dict, resolve_piecewise, settings, allocation_ratio: float) -> dict:
    """Piecewise cells with their derived median and reference hazard ratio filled in."""
    return {name: resolve_piecewise(sub, sub, settings, allocation_ratio)[0] for name, sub in cells.items()}


# --------------------------------------------------------------------------- design options
def population_names(population: Population) -> tuple[str, ...]:
    """F and the populations' names, in the order of hypotheses (index 0 is F)."""
    return (FULL_POPULATION, *(q.name for q in population.populations))


def read_targeted_population(r: Reader, block: dict, p: str, population: Population) -> str | None:
    """``designs.targeted.population``: a population's name (default: the first)."""
    names = population_names(population)[1:]
    value = block.get("population")
    if value is None:
        return names[0]
    if value not in names or not isinstance(value, str):
        shown = repr(value) if isinstance(value, str) else describe(value)
        r.add(f"{p}.population", f"must be one of the populations ({', '.join(map(repr, names))}), got {shown}")
        return None
    return value


def read_stratified_options(r: Reader, block: dict, p: str, population: Population) -> dict[str, Any]:
    """``multiplicity``, ``alpha_split``, ``size_for`` and ``order`` of the stratified design."""
    names = population_names(population)
    multiplicity = r.choice(block, "multiplicity", p, POPULATION_MULTIPLICITY,
                            FIELDS_BY_PATH["designs.stratified.population_multiplicity"].default)
    size_for = block.get("size_for")
    allowed = (*POPULATION_SIZE_FOR, *names)
    if size_for is None:
        size_for = names[1]
    elif size_for not in allowed or not isinstance(size_for, str):
        shown = repr(size_for) if isinstance(size_for, str) else describe(size_for)
        r.add(f"{p}.size_for", f"must be one of {', '.join(map(repr, allowed))}, got {shown}")
        size_for = None
    order = block.get("order")
    if order is not None:
        if not isinstance(order, list) or sorted(map(str, order)) != sorted(names) or \
                not all(isinstance(x, str) for x in order):
            r.add(f"{p}.order", f"must list {', '.join(map(repr, names))} once each, got {describe(order)}")
            order = None
        else:
            order = tuple(order)
    elif multiplicity == "fixed_sequence":
        order = names[1:] + names[:1]  # default: the populations in file order, then F
    if order is not None and multiplicity != "fixed_sequence":
        r.add(f"{p}.order", f"applies to multiplicity 'fixed_sequence' only, not {multiplicity!r}")
    return {"multiplicity": multiplicity, "alpha_split": r.field(block, "alpha_split", p),
            "size_for": size_for, "order": order}


def check_stratified_interim(r: Reader, designs: dict, interim) -> None:
    """Simes has no group-sequential form here (planner.groupseq.multipop): the stratified design over
    several populations with ``multiplicity: "simes"`` and an interim plan of 2+ looks is refused."""
    opts = designs.get("stratified")
    if opts is None or getattr(opts, "multiplicity", None) != "simes":
        return
    plan = interim if opts.interim == INHERIT else opts.interim
    if plan is not None and getattr(plan, "k_max", 1) > 1:
        r.add("designs.stratified.multiplicity",
              "'simes' has no group-sequential form in this planner (the closed group-sequential test is built "
              "for Bonferroni-based procedures and the parametric test, Maurer & Bretz 2013): choose 'bonferroni' "
              "(Holm), 'parametric' or 'fixed_sequence', or switch the stratified design's interim analyses off "
              "(\"interim\": null)")


def strategy_population(designs: dict) -> dict:
    """The strategy design treats the targeted design's population (the first when there is none)."""
    strategy, targeted = designs.get("strategy"), designs.get("targeted")
    if strategy is None or targeted is None or not hasattr(strategy, "population"):
        return designs
    return {**designs, "strategy": replace(strategy, population=targeted.population)}


def check_rbest(r: Reader, selection, population: Population | None, p: str) -> None:
    """``r`` of the rule ``rbest`` is at most the number of candidate populations (F and the others)."""
    if selection is None or selection.rule != "rbest":
        return
    candidates = 1 + (len(population.populations) if population is not None and population.cells else 1)
    if selection.r > candidates:
        r.add(f"{p}.selection.r", f"must be at most the number of candidate populations ({candidates}), "
                                  f"got {fmt(selection.r)}")


# --------------------------------------------------------------------------- writing
def population_to_dict(population: Population) -> dict:
    """The ``population`` block of the cells form (no B+ prevalence, no assay accuracy)."""
    return {
        "cells": [{"name": c.name, "prevalence": c.prevalence} for c in population.cells],
        "populations": [{"name": q.name, "cells": list(q.cells)} for q in population.populations],
        "assay_failure": population.assay_failure,
        "screen_failure": population.screen_failure,
    }


def cells_to_dict(scenario, subgroup_to_dict) -> dict:
    """Top-level ``cells``: each cell's outcome fields, written as ``positive`` would be."""
    return {c.name: subgroup_to_dict(scenario.cells[c.name]) for c in scenario.population.cells}


def with_cells(scenario, **changes):
    """``scenario`` with its cells' outcomes or populations replaced, summaries recomputed."""
    new = replace(scenario, **changes)
    positive, negative = summaries(new.population, dict(new.cells))
    return replace(new, positive=positive, negative=negative)
