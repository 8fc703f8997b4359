"""Edits of a scenario dictionary in the cells form (several biomarker populations), as pure
functions: each takes the document's dictionary and returns the edited copy and the words of
the undo step (``ui/cells_table.py`` pushes them onto the document's undo stack).

The dictionary is kept as the file writes it (docs/scenario-format.md, "Several biomarker
populations"): ``population.cells`` (name, prevalence), ``population.populations`` (name, cells)
and ``cells`` (each cell's outcome fields). Renaming a cell or a population renames every
reference to it (populations, outcomes, provenance, the targeted population, the stratified
order), so that an edit never leaves a dangling name behind.
"""

from __future__ import annotations

import copy
from typing import Any

from planner.catalogue import CELL_COUNT, FULL_POPULATION, POPULATION_COUNT

from .document import value_words


class CellsEditError(ValueError):
    """An edit that cannot be made (a duplicate or empty name, too many cells); says why."""


def cells(data: dict) -> list[dict]:
    """The ``population.cells`` list (empty in the two-subgroup form)."""
    value = (data.get("population") or {}).get("cells")
    return [c for c in value if isinstance(c, dict)] if isinstance(value, list) else []


def populations(data: dict) -> list[dict]:
    value = (data.get("population") or {}).get("populations")
    return [p for p in value if isinstance(p, dict)] if isinstance(value, list) else []


def has_cells(data: dict) -> bool:
    """Whether the dictionary is in the cells form."""
    return bool(cells(data))


def cell_names(data: dict) -> list[str]:
    return [str(c.get("name", "")) for c in cells(data)]


def prevalence_sum(data: dict) -> float | None:
    """The sum of the cells' prevalences (None when one is not a number)."""
    values = [c.get("prevalence") for c in cells(data)]
    if not values or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return None
    return float(sum(values))


def population_prevalence(data: dict, population: dict) -> float | None:
    """The prevalence of a population: the sum over its cells (None when not computable)."""
    by_name = {str(c.get("name")): c.get("prevalence") for c in cells(data)}
    values = [by_name.get(str(n)) for n in population.get("cells") or []]
    if not values or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return None
    return float(sum(values))


def _unique(base: str, taken: list[str]) -> str:
    i = len(taken) + 1
    while f"{base} {i}" in taken:
        i += 1
    return f"{base} {i}"


def _check_name(name: str, taken: list[str], what: str) -> str:
    name = name.strip()
    if not name:
        raise CellsEditError(f"a {what} needs a name")
    if name in taken:
        raise CellsEditError(f"there is already a {what} named '{name}'")
    if name == FULL_POPULATION and what == "population":
        raise CellsEditError(f"'{FULL_POPULATION}' is the full population's name")
    return name


# --------------------------------------------------------------------------- cells
def set_prevalence(data: dict, index: int, value: float) -> tuple[dict, str]:
    after = copy.deepcopy(data)
    cell = after["population"]["cells"][index]
    before = cell.get("prevalence")
    cell["prevalence"] = value
    return after, f"Prevalence of cell '{cell.get('name')}' {value_words(before)} → {value_words(value)}"


def set_outcome(data: dict, name: str, key: str, label: str, value: Any) -> tuple[dict, str]:
    """One outcome field (``hazard_ratio``…) of cell ``name``; ``label`` is the catalogue's."""
    after = copy.deepcopy(data)
    block = after.setdefault("cells", {}).setdefault(name, {})
    before = block.get(key)
    if value is None:
        block.pop(key, None)
    else:
        block[key] = value
    return after, f"{label} of cell '{name}' {value_words(before)} → {value_words(value)}"


def add_cell(data: dict) -> tuple[dict, str]:
    """A new cell after the last; it takes half of the last cell's prevalence (the sum stays 1)
    and a copy of its outcomes."""
    names = cell_names(data)
    if len(names) >= CELL_COUNT[1]:
        raise CellsEditError(f"at most {CELL_COUNT[1]} cells")
    after = copy.deepcopy(data)
    new = _unique("Cell", names)
    last = after["population"]["cells"][-1]
    share = last.get("prevalence")
    if isinstance(share, (int, float)) and not isinstance(share, bool):
        last["prevalence"] = round(share / 2, 12)
        share = round(share - last["prevalence"], 12)
    else:
        share = 0.1
    after["population"]["cells"].append({"name": new, "prevalence": share})
    outcomes = after.setdefault("cells", {})
    outcomes[new] = copy.deepcopy(outcomes.get(str(last.get("name")), {}))
    return after, f"Add cell '{new}' (prevalence {value_words(share)} from '{last.get('name')}')"


def remove_cell(data: dict, index: int) -> tuple[dict, str]:
    """Remove a cell, its outcomes and its membership of every population (its prevalence is not
    given to another cell: the message beside the table says the sum is no longer 1)."""
    names = cell_names(data)
    if len(names) <= CELL_COUNT[0]:
        raise CellsEditError(f"at least {CELL_COUNT[0]} cells")
    after = copy.deepcopy(data)
    name = names[index]
    del after["population"]["cells"][index]
    (after.get("cells") or {}).pop(name, None)
    for pop in populations(after):
        pop["cells"] = [c for c in pop.get("cells") or [] if c != name]
    _drop_provenance(after, f"cells.{name}")
    return after, f"Remove cell '{name}'"


def rename_cell(data: dict, index: int, new: str) -> tuple[dict, str]:
    names = cell_names(data)
    old = names[index]
    if new.strip() == old:
        return data, ""
    new = _check_name(new, [n for i, n in enumerate(names) if i != index], "cell")
    after = copy.deepcopy(data)
    after["population"]["cells"][index]["name"] = new
    if isinstance(after.get("cells"), dict):
        after["cells"] = {(new if k == old else k): v for k, v in after["cells"].items()}
    for pop in populations(after):
        pop["cells"] = [new if c == old else c for c in pop.get("cells") or []]
    _rename_provenance(after, f"cells.{old}", f"cells.{new}")
    return after, f"Rename cell '{old}' → '{new}'"


# --------------------------------------------------------------------------- populations
def set_membership(data: dict, index: int, cell: str, member: bool) -> tuple[dict, str]:
    """Put cell ``cell`` in (or out of) population ``index``; cells keep the table's order."""
    after = copy.deepcopy(data)
    pop = after["population"]["populations"][index]
    current = set(pop.get("cells") or [])
    current = current | {cell} if member else current - {cell}
    pop["cells"] = [n for n in cell_names(after) if n in current]
    verb = "Add" if member else "Remove"
    return after, f"{verb} cell '{cell}' {'to' if member else 'from'} population '{pop.get('name')}'"


def add_population(data: dict) -> tuple[dict, str]:
    """A new population made of the first cell (edit its cells with the check boxes)."""
    pops = populations(data)
    if len(pops) >= POPULATION_COUNT[1]:
        raise CellsEditError(f"at most {POPULATION_COUNT[1]} populations besides {FULL_POPULATION}")
    after = copy.deepcopy(data)
    name = _unique("Population", [str(p.get("name")) for p in pops])
    after["population"].setdefault("populations", []).append({"name": name, "cells": cell_names(data)[:1]})
    return after, f"Add population '{name}'"


def remove_population(data: dict, index: int) -> tuple[dict, str]:
    pops = populations(data)
    if len(pops) <= POPULATION_COUNT[0]:
        raise CellsEditError(f"at least {POPULATION_COUNT[0]} population besides {FULL_POPULATION}")
    after = copy.deepcopy(data)
    name = str(pops[index].get("name"))
    del after["population"]["populations"][index]
    _rename_in_designs(after, name, None)
    return after, f"Remove population '{name}'"


def rename_population(data: dict, index: int, new: str) -> tuple[dict, str]:
    names = [str(p.get("name")) for p in populations(data)]
    old = names[index]
    if new.strip() == old:
        return data, ""
    new = _check_name(new, [n for i, n in enumerate(names) if i != index], "population")
    after = copy.deepcopy(data)
    after["population"]["populations"][index]["name"] = new
    _rename_in_designs(after, old, new)
    return after, f"Rename population '{old}' → '{new}'"


def _rename_in_designs(data: dict, old: str, new: str | None) -> None:
    """The targeted design's population and the stratified design's order follow a rename
    (``new``) or a removal (None)."""
    designs = data.get("designs") if isinstance(data.get("designs"), dict) else {}
    targeted = designs.get("targeted")
    if isinstance(targeted, dict) and targeted.get("population") == old:
        if new is None:
            targeted.pop("population")
        else:
            targeted["population"] = new
    stratified = designs.get("stratified")
    if isinstance(stratified, dict) and isinstance(stratified.get("order"), list):
        order = [new if n == old else n for n in stratified["order"]]
        stratified["order"] = [n for n in order if n is not None]
    if isinstance(stratified, dict) and stratified.get("size_for") == old:
        if new is None:
            stratified.pop("size_for")
        else:
            stratified["size_for"] = new


def _rename_provenance(data: dict, old: str, new: str) -> None:
    prov = data.get("provenance")
    if isinstance(prov, dict):
        data["provenance"] = {(new + k[len(old):] if k == old or k.startswith(old + ".") else k): v
                              for k, v in prov.items()}


def _drop_provenance(data: dict, prefix: str) -> None:
    prov = data.get("provenance")
    if isinstance(prov, dict):
        data["provenance"] = {k: v for k, v in prov.items() if not (k == prefix or k.startswith(prefix + "."))}


# --------------------------------------------------------------------------- conversion
#: the two-subgroup stratified options as the cells form spells them (S = the population B+)
_MULTIPLICITY = {"spiessens_debois": "parametric", "bonferroni": "bonferroni",
                 "fixed_sequence_overall_first": "fixed_sequence", "fixed_sequence_subgroup_first": "fixed_sequence",
                 "fallback": "bonferroni"}
_SIZE_FOR = {"overall": FULL_POPULATION, "either": "at_least_one", "both": "all"}


def _stratified_in_cells_form(data: dict, positive: str) -> None:
    """The stratified design's multiplicity, order and claim over F and the population B+."""
    opts = (data.get("designs") or {}).get("stratified")
    if not isinstance(opts, dict):
        return
    old = opts.get("multiplicity", "spiessens_debois")
    opts["multiplicity"] = _MULTIPLICITY.get(old, "parametric")
    if old == "fixed_sequence_overall_first":
        opts["order"] = [FULL_POPULATION, positive]
    elif old == "fixed_sequence_subgroup_first":
        opts["order"] = [positive, FULL_POPULATION]
    if opts["multiplicity"] != "bonferroni" or old == "fallback":
        opts.pop("alpha_split", None)
    size_for = opts.get("size_for", "subgroup")
    opts["size_for"] = _SIZE_FOR.get(size_for, positive)


def to_cells_form(data: dict) -> tuple[dict, str]:
    """The two-subgroup scenario as cells B+ and B− with the one population B+ (same numbers
    when the assay is exact; the cells form has no misclassification, so an imperfect assay is
    refused with the reason)."""
    if has_cells(data):
        raise CellsEditError("the scenario is already in the cells form")
    pop = dict(data.get("population") or {})
    sens, spec = pop.get("assay_sensitivity", 1.0), pop.get("assay_specificity", 1.0)
    if sens != 1 or spec != 1:
        raise CellsEditError("the cells form describes the cells as the assay reports them: set the assay's "
                             "sensitivity and specificity to 1 first")
    prevalence = pop.get("prevalence")
    if not isinstance(prevalence, (int, float)) or isinstance(prevalence, bool) or not 0 < prevalence < 1:
        raise CellsEditError("enter a valid prevalence first")
    after = copy.deepcopy(data)
    positive, negative = "B+", "B−"
    for key in ("prevalence", "assay_sensitivity", "assay_specificity"):
        pop.pop(key, None)
    pop["cells"] = [{"name": positive, "prevalence": prevalence},
                    {"name": negative, "prevalence": round(1 - prevalence, 12)}]
    pop["populations"] = [{"name": positive, "cells": [positive]}]
    after["population"] = pop
    after["cells"] = {positive: copy.deepcopy(data.get("positive") or {}),
                      negative: copy.deepcopy(data.get("negative") or {})}
    after.pop("positive", None)
    after.pop("negative", None)
    after["version"] = 2
    after.pop("uncertainty", None)  # its distributions describe the B+ and B− blocks
    _stratified_in_cells_form(after, positive)
    _rename_provenance(after, "positive", f"cells.{positive}")
    _rename_provenance(after, "negative", f"cells.{negative}")
    return after, "Convert to cells and populations"
