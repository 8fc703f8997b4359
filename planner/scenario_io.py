"""Scenario files (JSON, format ``enrichment-planner-scenario``): load, parse, write.

The work is split by concern; this module joins the pieces and keeps the public names:

* :mod:`planner.reading` — reading a user file safely (regular files up to 1 MiB, never
  blocking) and decoding strict, bounded JSON (no duplicate keys, NaN or over-long integers);
* :mod:`planner.scenario_v1` — :func:`scenario_from_dict`, the version 1 reader, which
  collects *every* problem with its field path (``positive.hazard_ratio: must be > 0, got -0.5``);
* :mod:`planner.validation` — the problem collector and number checks it uses;
* :mod:`planner.files` — the one atomic writer (temporary file, verified, fsynced, renamed).

This module writes: :func:`scenario_to_dict` writes every field, defaults included, so that
load → save → load is the identity; :func:`save_scenario` is atomic.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from typing import Any

from .files import WriteError, atomic_write, atomic_write_bytes, atomic_write_text, new_file_mode
from .interim_reader import interim_to_json
from .reading import MAX_FILE_BYTES, decode_json, decode_text, read_user_file
from .scenario import INHERIT, FixedDesignOptions, Scenario
from .scenario_cells import cells_to_dict, population_to_dict
from .scenario_piecewise import subgroup_to_dict, survival_to_dict
from .scenario_v1 import FORMAT_NAME, SUPPORTED_VERSIONS, scenario_from_dict

__all__ = [
    "FORMAT_NAME",
    "MAX_FILE_BYTES",
    "SUPPORTED_VERSIONS",
    "WriteError",
    "atomic_write",
    "atomic_write_bytes",
    "atomic_write_text",
    "dumps_scenario",
    "load_scenario",
    "new_file_mode",
    "parse_scenario_text",
    "save_scenario",
    "scenario_from_dict",
    "scenario_to_dict",
]


# --------------------------------------------------------------------------- reading
def parse_scenario_text(text: str) -> Scenario:
    """Decode JSON text (strict and bounded, see :mod:`planner.reading`) and validate it."""
    return scenario_from_dict(decode_json(text))


def load_scenario(path: str | os.PathLike) -> Scenario:
    """Read and validate a scenario file. Raises :class:`ScenarioError` on any problem."""
    return parse_scenario_text(decode_text(read_user_file(path)))


# --------------------------------------------------------------------------- writing
def _clean(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items() if v is not None}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    return obj


def _design_to_dict(name: str, opts) -> dict:
    d = asdict(opts)
    if isinstance(opts, FixedDesignOptions):
        keep = {"n_randomized", "events"}
        if name == "stratified":
            keep |= {"multiplicity", "alpha_split", "size_for", "order"}
        if name == "targeted":
            keep |= {"population"}
        if name == "strategy":
            keep |= {"control_arm"}
        d = {k: v for k, v in d.items() if k in keep}
        if opts.interim != INHERIT:  # the design's own plan, or null: interims switched off
            return {**_clean(d), "interim": interim_to_json(opts.interim)}
    elif opts.selection.rule != "rbest":
        del d["selection"]["r"]  # only rbest has r
    return _clean(d)


def _subgroup_to_dict(sub) -> dict:
    """A subgroup's fields (a piecewise survival model as its table); a binary effect entered on a
    scale is written as entered."""
    d = subgroup_to_dict(sub)
    if "effect" in d:
        if d["effect"] is None:
            del d["effect"]
        else:
            del d["treatment_rate"]
    return d


def _population_to_dict(population) -> dict:
    """The ``population`` block; ``cells``/``populations`` only in the cells form (version 2)."""
    d = asdict(population)
    if not population.cells:
        del d["cells"], d["populations"]
    else:
        d["cells"] = [dict(c) for c in d["cells"]]
        d["populations"] = [{"name": q["name"], "cells": list(q["cells"])} for q in d["populations"]]
    return d


def scenario_to_dict(scenario: Scenario) -> dict:
    """The JSON-ready dictionary of ``scenario`` (every field written, defaults included)."""
    out: dict[str, Any] = {
        "format": FORMAT_NAME,
        "version": scenario.version,
        "title": scenario.title,
        "notes": scenario.notes,
        "endpoint": scenario.endpoint,
        "population": _population_to_dict(scenario.population),
    }
    if scenario.has_cells:  # several populations: each cell's outcomes (planner.scenario_cells)
        out["population"] = population_to_dict(scenario.population)
        out["cells"] = cells_to_dict(scenario, _subgroup_to_dict)
    else:
        out["positive"] = _subgroup_to_dict(scenario.positive)
        out["negative"] = _subgroup_to_dict(scenario.negative)
    if scenario.survival is not None:
        out["survival"] = survival_to_dict(scenario.survival)
    out["testing"] = _clean(asdict(scenario.testing))
    if scenario.costs is not None:
        out["costs"] = asdict(scenario.costs)
    if scenario.recruitment is not None:
        out["recruitment"] = _clean(asdict(scenario.recruitment))
    if scenario.interim is not None:
        out["interim"] = interim_to_json(scenario.interim)
    out["designs"] = {name: _design_to_dict(name, o) for name, o in scenario.designs.items()}
    out["provenance"] = {k: note.to_json() for k, note in scenario.provenance.items()}
    if scenario.uncertainty is not None:
        from .uncertainty import uncertainty_to_dict

        out["uncertainty"] = uncertainty_to_dict(scenario.uncertainty)
    return out


def dumps_scenario(scenario: Scenario) -> str:
    """The file text of ``scenario`` (indented JSON, UTF-8 characters kept, final newline)."""
    return json.dumps(scenario_to_dict(scenario), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def save_scenario(scenario: Scenario, path: str | os.PathLike) -> None:
    """Write ``scenario`` to ``path`` atomically (never a half-written file)."""
    atomic_write_text(path, dumps_scenario(scenario))
