"""Reading the ``interim`` blocks of a scenario (contract version 2, "Interim analyses").

The top-level block applies to every fixed design; a design's own ``interim`` block replaces
it and ``"interim": null`` inside a design switches interims off for that design. The blocks
are read by :func:`planner.groupseq.plan.plan_from_dict`, which names the field of every
problem (``interim.information_rates: must increase, got [0.5, 0.4, 1]``); the futility bounds
are checked against the efficacy bounds at the scenario's one-sided level α (two-sided: α/2).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .groupseq.plan import InterimPlan, plan_from_dict
from .scenario import INHERIT, FixedDesignOptions, Testing
from .validation import MISSING, Reader


def _alpha(testing: Testing | None) -> float | None:
    return None if testing is None else testing.alpha / testing.sides


def _read(r: Reader, raw: Any, path: str, alpha: float | None) -> InterimPlan | None:
    plan, problems = plan_from_dict(raw, path, alpha)
    r.problems.extend(problems)
    return plan


def read_interims(r: Reader, data: dict, testing: Testing | None, designs: dict) -> tuple[InterimPlan | None, dict]:
    """The top-level plan and ``designs`` with each fixed design's own ``interim`` set."""
    alpha = _alpha(testing)
    raw = data.get("interim", MISSING)
    top = None if raw is MISSING else _read(r, raw, "interim", alpha)
    blocks = data.get("designs")
    if not isinstance(blocks, dict):
        return top, designs
    out = dict(designs)
    for name, opts in designs.items():
        block = blocks.get(name)
        if not isinstance(opts, FixedDesignOptions) or not isinstance(block, dict) or "interim" not in block:
            continue
        own = _read(r, block["interim"], f"designs.{name}.interim", alpha)
        out[name] = replace(opts, interim=own)
    return top, out


def interim_to_json(plan: InterimPlan | None | str) -> Any:
    """The file form of a plan (None → null); :data:`INHERIT` has no file form (the key is left out)."""
    if plan == INHERIT:
        raise ValueError("an inherited plan is written by leaving the design's interim key out")
    return None if plan is None else plan.to_dict()
