"""Reading and writing the piecewise survival fields of scenario format version 2.

* ``positive.piecewise`` / ``negative.piecewise`` — ``{"starts", "control_hazards",
  "hazard_ratios"}`` replaces ``control_median`` and ``hazard_ratio`` of that subgroup
  (a :class:`planner.piecewise.PiecewiseSurvival`);
* ``survival.accrual`` — ``{"starts", "intensities"}``: relative accrual intensities on
  intervals of [0, accrual_time] (a :class:`planner.piecewise.PiecewiseAccrual`).

Each list's numbers are checked against the catalogue's bounds (``positive.piecewise.starts[1]:
must be ≥ 0``), the structure by the engine's ``.problems(path)`` (starts increasing from 0, one
value per start, accrual starts below the accrual time): every problem names its field.

A piecewise subgroup keeps the two numbers of the exponential model, derived, for display and
for the one-number effect of curves and the detectable effect: ``control_median`` is the control
curve's median, ``hazard_ratio`` the subgroup's reference hazard ratio
exp(Σ_j d_j ln HR_j / Σ_j d_j) with d_j its expected events (both arms) in piece j at the
planned analysis — its average hazard ratio (Kalbfleisch & Prentice 1981) with these weights.
A one-piece model keeps its own hazard ratio exactly.
"""

from __future__ import annotations

import math
from dataclasses import asdict, replace
from typing import Any

from .validation import Reader, describe

PIECE_KEYS = ("starts", "control_hazards", "hazard_ratios")
ACCRUAL_KEYS = ("starts", "intensities")


def read_piecewise_subgroup(r: Reader, block: dict, key: str):
    """The :class:`SurvivalSubgroup` of a subgroup block with ``piecewise`` (derived numbers NaN
    until :func:`resolve_piecewise`), or None after recording the problems."""
    from .piecewise.model import PiecewiseSurvival
    from .scenario import SurvivalSubgroup

    for name in ("control_median", "hazard_ratio"):
        if name in block:
            r.add(f"{key}.{name}", f"cannot be given together with {key}.piecewise (which replaces it), "
                                   f"got {describe(block[name])}")
    r.unknown(block, ("piecewise", "control_median", "hazard_ratio"), key)
    pw = r.block(block, "piecewise", f"{key}.piecewise")
    if pw is None:
        return None
    path = f"{key}.piecewise"
    r.unknown(pw, PIECE_KEYS, path)
    lists = [r.numbers(pw, name, path) for name in PIECE_KEYS]
    for name, values in zip(PIECE_KEYS, lists):
        if values is None and name not in pw:
            r.add(f"{path}.{name}", "is required")
    if None in lists:
        return None
    model = PiecewiseSurvival(*lists)
    problems = model.problems(path)
    r.problems.extend(problems)
    return None if problems else SurvivalSubgroup(math.nan, math.nan, model)


def read_accrual(r: Reader, block: dict, accrual_time: float | None):
    """``survival.accrual`` (a :class:`PiecewiseAccrual`), None when absent or invalid."""
    from .piecewise.model import PiecewiseAccrual

    if block.get("accrual") is None:
        return None
    path = "survival.accrual"
    acc = r.block(block, "accrual", path)
    if acc is None:
        return None
    r.unknown(acc, ACCRUAL_KEYS, path)
    lists = [r.numbers(acc, name, path) for name in ACCRUAL_KEYS]
    for name, values in zip(ACCRUAL_KEYS, lists):
        if values is None and name not in acc:
            r.add(f"{path}.{name}", "is required")
    if None in lists or accrual_time is None:
        return None
    model = PiecewiseAccrual(*lists)
    problems = model.problems(accrual_time, path)
    r.problems.extend(problems)
    return None if problems else model


def survival_setting(settings, allocation_ratio: float = 1.0):
    """The engine's :class:`SurvivalSetting` of scenario survival settings."""
    from .piecewise.logrank import SurvivalSetting
    from .piecewise.model import UNIFORM
    from .survival import dropout_hazard

    return SurvivalSetting(settings.accrual_time, settings.follow_up_time,
                           dropout_hazard(settings.dropout_rate, settings.dropout_time),
                           allocation_ratio, settings.accrual or UNIFORM)


def reference_hazard_ratio(model, setting) -> float:
    """exp(Σ_j d_j ln HR_j / Σ_j d_j): the subgroup's average HR at the planned analysis."""
    from .piecewise.logrank import logrank_moments, single_population

    if model.pieces == 1:
        return float(model.hazard_ratios[0])
    return float(logrank_moments(single_population(model), setting).ahr)


def resolve_piecewise(positive, negative, settings, allocation_ratio: float = 1.0):
    """Fill the derived ``control_median``/``hazard_ratio`` of piecewise subgroups."""
    from .survival import LN2

    out = []
    for sub in (positive, negative):
        model = getattr(sub, "piecewise", None)
        if model is not None and settings is not None:
            median = LN2 / model.control_hazards[0] if model.pieces == 1 else model.median("control")
            hr = reference_hazard_ratio(model, survival_setting(settings, allocation_ratio))
            sub = replace(sub, control_median=median, hazard_ratio=hr)
        out.append(sub)
    return tuple(out)


def subgroup_to_dict(sub) -> dict[str, Any]:
    """The file form of a subgroup: ``{"piecewise": …}`` replaces the exponential numbers."""
    model = getattr(sub, "piecewise", None)
    if model is None:
        d = asdict(sub)
        d.pop("piecewise", None)
        return d
    return {"piecewise": {k: list(getattr(model, k)) for k in PIECE_KEYS}}


def survival_to_dict(settings) -> dict[str, Any]:
    d = {k: v for k, v in asdict(settings).items() if k != "accrual"}
    if settings.accrual is not None:
        d["accrual"] = {k: list(getattr(settings.accrual, k)) for k in ACCRUAL_KEYS}
    return d


def uses_piecewise(scenario) -> bool:
    """Whether computing ``scenario`` needs the piecewise engine: a subgroup of more than one
    piece, or accrual that is not uniform (one-piece models with uniform accrual are exactly
    the exponential model and are computed by it)."""
    if scenario.endpoint != "survival" or scenario.survival is None:
        return False
    acc = scenario.survival.accrual
    if acc is not None and not acc.uniform:
        return True
    return any(getattr(s, "piecewise", None) is not None and s.piecewise.pieces > 1
               for s in (scenario.positive, scenario.negative))

