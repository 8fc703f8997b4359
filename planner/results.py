"""Result objects: frozen dataclasses with ``to_dict()`` (JSON-safe) and ``summary()`` (text).

The inputs travel with the result: :class:`Comparison` carries the scenario dictionary it was
computed from, and each :class:`DesignResult` names the method it used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from .catalogue import POPULATION_CLAIMS


def json_safe(value: Any) -> Any:
    """Convert numpy scalars/arrays and non-finite floats to JSON-safe Python values."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, np.ndarray):
        return json_safe(value.tolist()) if value.ndim else json_safe(value.item())
    if isinstance(value, np.generic):
        return json_safe(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@dataclass(frozen=True)
class DetectableEffect:
    """Smallest B+ effect reaching the target power at the design's size."""

    parameter: str
    value: float | None
    power: float
    message: str = ""

    def to_dict(self) -> dict:
        return json_safe({f.name: getattr(self, f.name) for f in fields(self)})


@dataclass(frozen=True)
class DesignResult:
    """One design's size, screening, events, power, cost and time."""

    design: str
    label: str
    question: str
    feasible: bool
    method: str
    message: str = ""
    n_randomized: int | None = None
    n_per_arm: dict | None = None
    n_randomized_exact: float | None = None
    #: continuous and binary: patients with an evaluable outcome (before dropout inflation)
    n_evaluable: float | None = None
    n_evaluable_per_arm: dict | None = None
    n_evaluable_exact: float | None = None
    #: binary with ``testing.exact_power``: exact power of the z-test and of Fisher's test
    power_exact: float | None = None
    power_fisher: float | None = None
    n_screened: int | None = None
    events: int | None = None
    events_exact: float | None = None
    expected_events: float | None = None
    power: float | None = None
    target_power: float | None = None
    claims: dict = field(default_factory=dict)
    #: the cells form (several populations): power of F's and each population's claim, by name
    power_by_population: dict | None = None
    detectable_effect: DetectableEffect | None = None
    cost: float | None = None
    currency: str | None = None
    efficiency: float | None = None
    accrual_duration: float | None = None
    screening_rate_needed: float | None = None
    randomization_rate_needed: float | None = None
    details: dict = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    # interim analyses (planner.sequential_results): n_randomized / events are then the maximum
    interim: dict | None = None
    interim_text: str = ""
    inflation_factor: float | None = None
    expected_n_h0: float | None = None
    expected_n_h1: float | None = None
    expected_events_h0: float | None = None
    expected_events_h1: float | None = None
    looks: tuple = ()

    def to_dict(self) -> dict:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if (f.name in INTERIM_ONLY and self.interim is None) or (f.name == "power_by_population" and value is None):
                continue
            if f.name == "claims":
                for claim, p in value.items():
                    out[f"power_{claim}"] = p
                continue
            if f.name == "detectable_effect":
                value = value.to_dict() if value is not None else None
            out[f.name] = value
        out["notes"] = list(self.notes)
        return json_safe(out)

    def summary(self) -> str:
        return "\n".join(_design_lines(self))


#: result fields written only when the design has an interim plan
INTERIM_ONLY = ("interim", "interim_text", "inflation_factor", "expected_n_h0", "expected_n_h1",
                "expected_events_h0", "expected_events_h1", "looks")


def _fmt_n(x: float | int | None) -> str:
    return "—" if x is None else f"{x:,}" if isinstance(x, int) else f"{x:,.1f}"


def _design_lines(r: DesignResult) -> list[str]:
    lines = [f"{r.label} [{r.design}]"]
    if not r.feasible:
        lines.append(f"  not attainable: {r.message}")
        lines.append(f"  method: {r.method}")
        return lines
    arms = r.n_per_arm or {}
    lines.append(
        f"  randomized: {_fmt_n(r.n_randomized)} total "
        f"({arms.get('treatment', '—')} treatment : {arms.get('control', '—')} control)"
        + (f"; unrounded {r.n_randomized_exact:,.2f}" if r.n_randomized_exact is not None else "")
    )
    if r.n_evaluable is not None and r.n_evaluable != r.n_randomized:
        lines.append(f"  evaluable (before dropout inflation): {r.n_evaluable:,.0f}")
    lines.append(f"  screened with the assay: {_fmt_n(r.n_screened)}")
    if r.events is not None:
        lines.append(f"  events: {r.events:,} (unrounded {r.events_exact:,.2f}; expected at N {r.expected_events:,.1f})")
    if r.power is not None:
        lines.append(f"  power: {r.power:.4f}" + (f" (target {r.target_power:.2f})" if r.target_power else ""))
    for name, p in (r.power_by_population or {}).items():
        lines.append(f"    power {name}: {p:.4f}")
    for claim, p in r.claims.items():  # the cells form's claims in words (catalogue)
        lines.append(f"    power {POPULATION_CLAIMS.get(claim, claim)}: {p:.4f}")
    if r.power_exact is not None:
        fisher = f"; Fisher's exact test {r.power_fisher:.4f}" if r.power_fisher is not None else ""
        lines.append(f"  exact power (enumeration): z-test {r.power_exact:.4f}{fisher}")
    if r.detectable_effect is not None:
        de = r.detectable_effect
        val = "—" if de.value is None else f"{de.value:.4g}"
        lines.append(f"  detectable B+ {de.parameter} at power {de.power:.2f}: {val} {de.message}".rstrip())
    if r.cost is not None:
        lines.append(f"  cost: {r.cost:,.0f} {r.currency or ''}".rstrip())
    if r.efficiency is not None:
        lines.append(f"  efficiency vs all-comers (randomized): {r.efficiency:.3f}")
    if r.accrual_duration is not None:
        lines.append(f"  accrual duration: {r.accrual_duration:.1f}")
    if r.screening_rate_needed is not None:
        lines.append(
            f"  rates needed: screening {r.screening_rate_needed:.1f}, randomization {r.randomization_rate_needed:.1f} per time unit"
        )
    lines.append(f"  method: {r.method}")
    lines += [f"  note: {n}" for n in r.notes]
    if r.interim is not None:
        from .report.interim_text import interim_lines  # noqa: PLC0415

        lines += interim_lines(r)
    return lines


@dataclass(frozen=True)
class Comparison:
    """All designs of one scenario, with the scenario and assay summary they came from."""

    scenario: dict
    designs: dict
    assay: dict
    software_version: str
    cheapest_meeting_target: str | None = None

    def to_dict(self) -> dict:
        return json_safe(
            {
                "software": {"name": "Enrichment Planner", "version": self.software_version},
                "scenario": self.scenario,
                "assay": self.assay,
                "cheapest_meeting_target": self.cheapest_meeting_target,
                "designs": {name: r.to_dict() for name, r in self.designs.items()},
            }
        )

    def summary(self) -> str:
        title = self.scenario.get("title") or "(untitled scenario)"
        a = self.assay
        lines = [
            f"Enrichment Planner {self.software_version} — {title}",
            f"endpoint: {self.scenario.get('endpoint')}; P(test+) = {a['p_test_positive']:.4f}, "
            f"PPV = {a['ppv']:.4f}, NPV = {a['npv']:.4f}",
            "",
        ]
        for r in self.designs.values():
            lines += r.summary().splitlines() + [""]
        if self.cheapest_meeting_target:
            lines.append(f"cheapest design meeting the target power: {self.cheapest_meeting_target}")
        return "\n".join(lines).rstrip() + "\n"
