"""Results kept in the scenario file: ``designs.adaptive.results`` (docs/scenario-format.md).

The app writes an entry only when the user keeps a result (the adaptive tab's "Keep in the
scenario" button); nothing else writes or needs the block. Each entry records what the result
was computed from, so that it can be shown as stale once the inputs change::

    "results": {"fwer": {"inputs": "<sha256>", "seed": 12345, "simulations": 10000,
                         "settings": {...}, "result": {...}}}

Kinds (keys): :data:`planner.catalogue.KEPT_RESULTS` (``simulation``, ``null``, ``sweep``,
``fwer``). ``inputs`` is :func:`inputs_digest` of the scenario the result belongs to: the
SHA-256 of its canonical JSON with the title, notes, provenance and the kept results themselves
left out (they do not change any number). ``result`` is the result's JSON form
(``AdaptiveResult.to_dict``, ``SweepResult.to_dict``, ``FwerResult.to_dict``) and ``settings``
the choices the run was made with (the sweep's varied fields and values). Reading checks the
structure and the types (an object per kind, a 64-digit hexadecimal digest, whole seed and
simulations ≥ 1); the contents of ``result`` are data to display, never executed.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace
from typing import Any

from .catalogue import KEPT_RESULTS
from .validation import Reader, describe

ENTRY_KEYS = ("inputs", "seed", "simulations", "settings", "result")
_HEX = re.compile(r"^[0-9a-f]{64}$")


def inputs_digest(scenario: Any) -> str:
    """SHA-256 (hex) of the scenario's canonical JSON without title, notes, provenance and kept results."""
    from .scenario_io import scenario_to_dict

    designs = dict(scenario.designs)
    if "adaptive" in designs:
        designs["adaptive"] = replace(designs["adaptive"], results=None)
    bare = replace(scenario, title="", notes="", provenance={}, designs=designs)
    text = json.dumps(scenario_to_dict(bare), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def make_entry(scenario: Any, result: dict, settings: dict | None = None) -> dict:
    """The entry that keeps ``result`` (JSON form) of a run on ``scenario``."""
    from .results import json_safe

    return json_safe({"inputs": inputs_digest(scenario), "seed": int(result.get("seed", 0) or 0),
                      "simulations": int(result.get("simulations", 1) or 1),
                      "settings": dict(settings or {}), "result": result})


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) or (
        isinstance(value, float) and value.is_integer())


def read_kept_results(r: Reader, block: Any, path: str) -> dict | None:
    """``designs.adaptive.results`` checked (problems go to ``r``); None when absent."""
    if block is None:
        return None
    p = f"{path}.results"
    if not isinstance(block, dict):
        r.add(p, f"must be an object of kept results, got {describe(block)}")
        return None
    r.unknown(block, tuple(KEPT_RESULTS), p)
    out: dict = {}
    for kind, entry in block.items():
        if kind not in KEPT_RESULTS:
            continue
        q = f"{p}.{kind}"
        if not isinstance(entry, dict):
            r.add(q, f"must be an object (inputs, seed, simulations, settings, result), got {describe(entry)}")
            continue
        r.unknown(entry, ENTRY_KEYS, q)
        bad = len(r.problems)
        if not isinstance(entry.get("inputs"), str) or not _HEX.match(entry["inputs"]):
            r.add(f"{q}.inputs", "must be the 64-digit hexadecimal digest of the inputs")
        for key, low in (("seed", 0), ("simulations", 1)):
            v = entry.get(key)
            if not _whole(v) or v < low:
                r.add(f"{q}.{key}", f"must be a whole number ≥ {low}, got {describe(v)}")
        if not isinstance(entry.get("result"), dict):
            r.add(f"{q}.result", f"must be an object, got {describe(entry.get('result'))}")
        if not isinstance(entry.get("settings", {}), dict):
            r.add(f"{q}.settings", f"must be an object, got {describe(entry.get('settings'))}")
        if len(r.problems) == bad:
            out[kind] = {**entry, "seed": int(entry["seed"]), "simulations": int(entry["simulations"]),
                         "settings": dict(entry.get("settings") or {})}
    return out or None


def fresh(scenario: Any, kind: str) -> dict | None:
    """The kept entry of ``kind`` when it belongs to the scenario's current inputs (else None)."""
    opts = scenario.designs.get("adaptive")
    kept = getattr(opts, "results", None) or {}
    entry = kept.get(kind)
    if entry is None or entry.get("inputs") != inputs_digest(scenario):
        return None
    return entry


__all__ = ["ENTRY_KEYS", "fresh", "inputs_digest", "make_entry", "read_kept_results"]
