"""Reading the adaptive design's extensions (scenario format version 2, "Adaptive extensions"):
``designs.adaptive.combination`` and ``designs.adaptive.sample_size_recalculation``.

Called by the reader (:func:`planner.scenario_v1._adaptive_design`); bounds and defaults come from
the catalogue. Cross-field rules: ``equal_alpha`` boundaries need the Fisher combination; the
recalculation needs at least two stages, one bound per stage, min ≤ max, and the first entries
equal to the first stage's planned size (rpact ignores them and uses ``plannedSubjects[1]``).
"""

from __future__ import annotations

from typing import Any

from .catalogue import FIELDS_BY_PATH
from .scenario import COMBINATIONS, RECALCULATION_EFFECTS, SampleSizeRecalculation
from .validation import Reader, describe

P = "designs.adaptive"
RP = f"{P}.sample_size_recalculation"


def read_extensions(r: Reader, block: dict, endpoint: str | None, stages: dict[str, Any]) -> dict[str, Any]:
    """``combination`` and ``sample_size_recalculation`` of the adaptive block (problems go to ``r``)."""
    comb = r.choice(block, "combination", P, COMBINATIONS, FIELDS_BY_PATH[f"{P}.combination"].default)
    if block.get("boundaries") == "equal_alpha" and comb != "fisher":
        r.add(f"{P}.boundaries", "'equal_alpha' (rpact getDesignFisher's equal stage levels) needs "
                                 "combination 'fisher'")
    return dict(combination=comb, sample_size_recalculation=_recalculation(r, block, endpoint, stages))


def _recalculation(r: Reader, block: dict, endpoint: str | None, stages: dict) -> SampleSizeRecalculation | None:
    value = block.get("sample_size_recalculation")
    if value is None:
        return None
    if not isinstance(value, dict):
        r.add(RP, f"must be an object, got {describe(value)}")
        return None
    surv = endpoint == "survival"
    unit = "events" if surv else "subjects"
    r.unknown(value, ("conditional_power", f"min_{unit}", f"max_{unit}", "effect"), RP)
    before = len(r.problems)
    cp = r.field(value, "conditional_power", RP)
    effect = r.choice(value, "effect", RP, RECALCULATION_EFFECTS, FIELDS_BY_PATH[f"{RP}.effect"].default)
    lo = r.numbers(value, f"min_{unit}", RP)
    hi = r.numbers(value, f"max_{unit}", RP)
    planned = stages.get("planned_events" if surv else "planned_subjects")
    info = stages.get("information_rates")
    for key, seq in ((f"min_{unit}", lo), (f"max_{unit}", hi)):
        if seq is None:
            r.add(f"{RP}.{key}", "is required (stage-wise sizes, the first entry the first stage's size)")
        elif info is not None and len(seq) != len(info):
            r.add(f"{RP}.{key}", f"must have one value per stage ({len(info)}), got {len(seq)}")
        elif planned is not None and abs(seq[0] - planned[0]) > 1e-9:
            r.add(f"{RP}.{key}", f"the first entry is the first stage's size and must equal "
                                 f"planned_{unit}[0] = {planned[0]:g}, got {seq[0]:g}")
    if info is not None and len(info) < 2:
        r.add(RP, "needs at least two stages (an interim to recalculate at)")
    if lo is not None and hi is not None and len(lo) == len(hi) and any(a > b for a, b in zip(lo, hi)):
        r.add(f"{RP}.max_{unit}", "must be at least min_" + unit + " at every stage")
    if len(r.problems) > before:
        return None
    kw = {f"min_{unit}": lo, f"max_{unit}": hi}
    return SampleSizeRecalculation(conditional_power=cp, effect=effect, **kw)
