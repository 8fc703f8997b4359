"""Reading the planning-essentials fields (issue 15) for :mod:`planner.scenario_v1`.

``population.assay_failure`` / ``screen_failure``, ``testing.null_effect`` / ``dropout`` /
``exact_power`` and a binary subgroup's ``effect`` (``{"scale": "odds_ratio", "value": 1.8}``
instead of ``treatment_rate``). Bounds and defaults come from the catalogue; the rules that tie
fields together (θ0 on the harm side of the B+ effect, a valid treatment rate from the effect,
the methods that test a shifted null) live here.
"""

from __future__ import annotations

from typing import Any

from .catalogue import FIELDS_BY_PATH
from .effect_scales import SCALES, effect_problem, treatment_rate
from .noninferiority import default_null, is_shifted, wrong_side
from .scenario import BinaryEffect, BinarySubgroup
from .validation import MISSING, Reader, describe, fmt

POPULATION_EXTRAS = ("assay_failure", "screen_failure")
TESTING_EXTRAS = ("null_effect", "dropout", "exact_power")


def binary_subgroup(r: Reader, block: dict, key: str) -> BinarySubgroup | None:
    """``control_rate`` and either ``treatment_rate`` or ``effect`` (both: they must agree)."""
    r.unknown(block, ("control_rate", "treatment_rate", "effect"), key)
    control = r.field(block, "control_rate", key)
    raw = block.get("effect")
    if raw is None:
        rate = r.field(block, "treatment_rate", key)
        return None if None in (control, rate) else BinarySubgroup(control, rate)
    p = f"{key}.effect"
    if not isinstance(raw, dict):
        r.add(p, f"must be an object such as {{\"scale\": \"odds_ratio\", \"value\": 1.8}}, got {describe(raw)}")
        return None
    r.unknown(raw, ("scale", "value"), p)
    scale = r.choice(raw, "scale", p, SCALES, FIELDS_BY_PATH[f"{p}.scale"].default)
    value = r.field(raw, "value", p)
    if None in (control, scale, value):
        return None
    problem = effect_problem(control, scale, value)
    if problem:
        r.add(f"{p}.value", problem)
        return None
    rate = float(treatment_rate(control, scale, value))
    given = block.get("treatment_rate", MISSING)
    if given is not MISSING and given is not None:
        if isinstance(given, bool) or not isinstance(given, (int, float)) or abs(given - rate) > 1e-9:
            r.add(f"{key}.treatment_rate", f"disagrees with {p} (which gives {fmt(rate)}); give one of them")
            return None
    return BinarySubgroup(control, rate, BinaryEffect(scale, value))


def population_extras(r: Reader, block: dict, path: str) -> dict[str, Any]:
    return {k: r.field(block, k, path) for k in POPULATION_EXTRAS}


def testing_extras(r: Reader, block: dict, path: str, endpoint: str | None) -> dict[str, Any]:
    """The three testing fields; ``dropout`` and ``exact_power`` only where they apply."""
    out = {
        "null_effect": r.field(block, "null_effect", path),
        "dropout": r.field(block, "dropout", path),
        "exact_power": r.boolean(block, "exact_power", path, FIELDS_BY_PATH[f"{path}.exact_power"].default),
    }
    if out["null_effect"] is None and endpoint is not None:  # absent: no effect, written explicitly
        out["null_effect"] = default_null(endpoint)
    if endpoint == "survival" and out["dropout"]:
        r.add(f"{path}.dropout", "applies to continuous and binary endpoints; survival uses survival.dropout_rate")
    if endpoint not in (None, "binary") and out["exact_power"]:
        r.add(f"{path}.exact_power", f"applies to a binary endpoint, not {endpoint}")
    return out


def _effect(endpoint: str, positive) -> float:
    if endpoint == "continuous":
        return positive.mean_difference
    if endpoint == "binary":
        return positive.treatment_rate - positive.control_rate
    return positive.hazard_ratio


def check_null(r: Reader, endpoint: str | None, testing, positive, designs: dict) -> None:
    """Rules tying θ0 to the endpoint, method, direction and the B+ effect."""
    theta0 = getattr(testing, "null_effect", None) if testing is not None else None
    if endpoint is None or not is_shifted(endpoint, theta0):
        return
    p = "testing.null_effect"
    if endpoint == "binary" and not -1 < theta0 < 1:
        r.add(p, f"must be a risk difference in (−1, 1), got {fmt(theta0)}")
        return
    if endpoint == "survival" and not theta0 > 0:
        r.add(p, f"must be a hazard ratio > 0, got {fmt(theta0)}")
        return
    method = testing.method_for(endpoint)
    if method in ("arcsine", "freedman"):
        r.add(p, f"a shifted null is tested with the {'pooled or unpooled' if endpoint == 'binary' else 'schoenfeld'}"
                 f" method, not {method}")
        return
    if "adaptive" in designs:
        r.add(p, f"the adaptive design's simulation tests no effect only (as rpact's getSimulationEnrichmentMeans/"
                 f"Rates/Survival, which have no thetaH0): remove designs.adaptive or set null_effect to "
                 f"{fmt(default_null(endpoint))}, got {fmt(theta0)}")
        return
    if positive is not None and wrong_side(endpoint, testing.better, _effect(endpoint, positive), theta0):
        if endpoint == "survival":
            side = "above the B+ hazard ratio"
        else:
            side = "below" if testing.better == "higher" else "above"
            side = f"{side} the B+ effect (better = {testing.better})"
        r.add(p, f"is on the wrong side: θ0 must lie {side}, got {fmt(theta0)} against "
                 f"{fmt(_effect(endpoint, positive))} (a non-inferiority margin δ is null_effect: "
                 f"{'1 + δ' if endpoint == 'survival' else '−δ' if testing.better == 'higher' else '+δ'})")
