"""The interim-analysis plan (scenario contract, version 2, ``interim`` block) and its validation.

```json
"interim": {"information_rates": [0.5, 1.0], "efficacy": "obrien_fleming", "gamma": null,
            "futility": {"bounds": [0.0], "binding": false}}
```

* ``information_rates`` — cumulative information fractions (patients; events for survival),
  2 to 5 looks, strictly increasing, the last equal to 1.
* ``efficacy`` — the Lan–DeMets alpha-spending function (:data:`EFFICACY_TEXT`), rpact's
  ``typeOfDesign`` in :data:`RPACT_TYPE`; ``gamma`` is the parameter of Hwang–Shih–DeCani
  (γ, rpact ``gammaA`` in [−10, 5]) and Kim–DeMets (ρ, rpact ``gammaA`` in [0.4, 8]).
* ``futility`` — z-scale bounds at each interim (one per look before the last), binding or
  non-binding (rpact ``futilityBounds``, ``bindingFutility``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import Problem

EFFICACY_TEXT = {
    "obrien_fleming": "O'Brien–Fleming-type alpha spending (Lan–DeMets)",
    "pocock": "Pocock-type alpha spending (Lan–DeMets)",
    "hwang_shih_decani": "Hwang–Shih–DeCani alpha spending",
    "kim_demets": "Kim–DeMets (power family) alpha spending",
    "none": "no early stopping for efficacy (all alpha at the final analysis)",
}
RPACT_TYPE = {
    "obrien_fleming": "asOF",
    "pocock": "asP",
    "hwang_shih_decani": "asHSD",
    "kim_demets": "asKD",
    "none": "noEarlyEfficacy",
}
GAMMA_RANGE = {"hwang_shih_decani": (-10.0, 5.0), "kim_demets": (0.4, 8.0)}
MIN_LOOKS, MAX_LOOKS = 2, 5
FUTILITY_RANGE = (-6.0, 6.0)


@dataclass(frozen=True)
class InterimPlan:
    """A group-sequential plan: looks, alpha spending and optional futility bounds (z scale)."""

    information_rates: tuple[float, ...] = (0.5, 1.0)
    efficacy: str = "obrien_fleming"
    gamma: float | None = None
    futility_bounds: tuple[float, ...] | None = None
    binding: bool = False

    @property
    def k_max(self) -> int:
        return len(self.information_rates)

    def describe(self) -> str:
        """E.g. 'a two-look group-sequential design with O'Brien–Fleming-type alpha spending'."""
        words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}
        text = f"a {words.get(self.k_max, str(self.k_max))}-look group-sequential design with {EFFICACY_TEXT[self.efficacy]}"
        if self.gamma is not None and self.efficacy in GAMMA_RANGE:
            text += f" ({'γ' if self.efficacy == 'hwang_shih_decani' else 'ρ'} = {self.gamma:g})"
        if self.futility_bounds is not None:
            kind = "binding" if self.binding else "non-binding"
            text += f" and {kind} futility bounds z = {', '.join(f'{b:g}' for b in self.futility_bounds)}"
        return text

    def to_dict(self) -> dict:
        """The contract's ``interim`` block."""
        fut = None if self.futility_bounds is None else {"bounds": list(self.futility_bounds), "binding": self.binding}
        return {"information_rates": list(self.information_rates), "efficacy": self.efficacy,
                "gamma": self.gamma, "futility": fut}


def _fmt(values) -> str:
    return "[" + ", ".join(f"{v:g}" if isinstance(v, (int, float)) else repr(v) for v in values) + "]"


def _is_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _rate_problems(rates, path: str) -> list[Problem]:
    p = f"{path}.information_rates"
    if not isinstance(rates, (list, tuple)) or not all(_is_number(r) for r in rates):
        return [Problem(p, f"must be a list of numbers, got {rates!r}")]
    out = []
    if not MIN_LOOKS <= len(rates) <= MAX_LOOKS:
        out.append(Problem(p, f"must have {MIN_LOOKS} to {MAX_LOOKS} looks, got {len(rates)}"))
    if any(not 0 < r <= 1 for r in rates):
        out.append(Problem(p, f"each rate must be in (0, 1], got {_fmt(rates)}"))
    if any(b <= a for a, b in zip(rates, rates[1:])):
        out.append(Problem(p, f"must increase, got {_fmt(rates)}"))
    if rates and abs(rates[-1] - 1.0) > 1e-12:
        out.append(Problem(p, f"the last rate must be 1, got {rates[-1]:g}"))
    return out


def _gamma_problems(plan: InterimPlan, path: str) -> list[Problem]:
    if plan.efficacy not in GAMMA_RANGE:
        return []
    lo, hi = GAMMA_RANGE[plan.efficacy]
    if plan.gamma is None or not _is_number(plan.gamma):
        return [Problem(f"{path}.gamma", f"is required for {plan.efficacy} (a number in [{lo:g}, {hi:g}])")]
    if not lo <= plan.gamma <= hi:
        return [Problem(f"{path}.gamma", f"must be in [{lo:g}, {hi:g}] for {plan.efficacy}, got {plan.gamma:g}")]
    return []


def _futility_problems(plan: InterimPlan, path: str, alpha: float | None) -> list[Problem]:
    fb = plan.futility_bounds
    p = f"{path}.futility.bounds"
    if fb is None:
        return []
    if not isinstance(fb, (list, tuple)) or not all(_is_number(b) for b in fb):
        return [Problem(p, f"must be a list of numbers (z scale), got {fb!r}")]
    need = plan.k_max - 1 if isinstance(plan.information_rates, (list, tuple)) else None
    if need is not None and len(fb) != need:
        return [Problem(p, f"must have one bound per interim look ({need}), got {len(fb)}")]
    lo, hi = FUTILITY_RANGE
    if any(not lo < b < hi for b in fb):
        return [Problem(p, f"each bound must be in ({lo:g}, {hi:g}) on the z scale, got {_fmt(fb)}")]
    if alpha is None:
        return []
    from .boundaries import efficacy_bounds_unchecked  # noqa: PLC0415 (needs a valid plan)

    eff = efficacy_bounds_unchecked(plan, alpha)
    for k, (f, e) in enumerate(zip(fb, eff)):
        if f >= e:
            return [Problem(p, f"look {k + 1}: futility bound {f:g} is not below the efficacy bound {e:.4f}")]
    return []


def validate_plan(plan: InterimPlan, path: str = "interim", alpha: float | None = None) -> list[Problem]:
    """Every problem of ``plan``, each naming its field (``interim.information_rates`` …).

    With ``alpha`` (one-sided level) the futility bounds are also checked against the
    efficacy bounds they must stay below.
    """
    out = _rate_problems(plan.information_rates, path)
    if plan.efficacy not in EFFICACY_TEXT:
        out.append(Problem(f"{path}.efficacy", f"must be one of {', '.join(EFFICACY_TEXT)}, got {plan.efficacy!r}"))
    else:
        out += _gamma_problems(plan, path)
    if not isinstance(plan.binding, bool):
        out.append(Problem(f"{path}.futility.binding", f"must be true or false, got {plan.binding!r}"))
    out += _futility_problems(plan, path, alpha if not out else None)
    return out


def plan_from_dict(d: object, path: str = "interim", alpha: float | None = None) -> tuple[InterimPlan | None, list[Problem]]:
    """Read a contract ``interim`` block; ``(None, [])`` for ``null``; problems name the fields."""
    if d is None:
        return None, []
    if not isinstance(d, Mapping):
        return None, [Problem(path, f"must be an object or null, got {d!r}")]
    known = {"information_rates", "efficacy", "gamma", "futility"}
    problems = [Problem(f"{path}.{k}", "unknown field") for k in d if k not in known]
    fut = d.get("futility")
    bounds, binding = None, False
    if fut is not None:
        if not isinstance(fut, Mapping):
            return None, problems + [Problem(f"{path}.futility", f"must be an object or null, got {fut!r}")]
        problems += [Problem(f"{path}.futility.{k}", "unknown field") for k in fut if k not in ("bounds", "binding")]
        bounds = fut.get("bounds")
        binding = fut.get("binding", False)
    rates = d.get("information_rates")
    if rates is None:
        problems.append(Problem(f"{path}.information_rates", "is required"))
        return None, problems
    plan = InterimPlan(
        information_rates=tuple(rates) if isinstance(rates, (list, tuple)) else rates,
        efficacy=d.get("efficacy", "obrien_fleming"),
        gamma=d.get("gamma"),
        futility_bounds=tuple(bounds) if isinstance(bounds, (list, tuple)) else bounds,
        binding=binding,
    )
    problems += validate_plan(plan, path, alpha)
    if problems:
        return None, problems
    return InterimPlan(tuple(float(r) for r in plan.information_rates), plan.efficacy,
                       None if plan.gamma is None else float(plan.gamma),
                       None if bounds is None else tuple(float(b) for b in bounds), bool(binding)), []
