"""Keep a binary subgroup's ``treatment_rate`` beside an ``effect`` entered on a scale (issue 15).

A file may give ``{"control_rate": 0.3, "effect": {"scale": "odds_ratio", "value": 1.8}}``; the
app's rows edit ``treatment_rate``. :func:`sync_binary_effects` fills the treatment rate the
effect implies (the reader accepts both when they agree) and recomputes it when the control
rate changes; editing the treatment rate itself replaces the scaled effect by that rate.
"""

from __future__ import annotations

from typing import Any


def sync_binary_effects(data: dict, edited: str = "") -> None:
    """Update ``data`` in place after an edit of ``edited`` (a field path, or "" on loading)."""
    if data.get("endpoint") != "binary":
        return
    from planner.effect_scales import effect_problem, treatment_rate  # noqa: PLC0415 (numpy, lazily)

    for key in ("positive", "negative"):
        block: Any = data.get(key)
        if not isinstance(block, dict) or not isinstance(block.get("effect"), dict):
            continue
        if edited == f"{key}.treatment_rate":
            block.pop("effect")
            continue
        eff, control = block["effect"], block.get("control_rate")
        scale, value = eff.get("scale", "risk_difference"), eff.get("value")
        numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (control, value))
        if numbers and isinstance(scale, str) and not effect_problem(control, scale, value):
            block["treatment_rate"] = float(treatment_rate(control, scale, value))
