"""Result objects of :mod:`planner.assurance`: the assurance of one fixed design and its size for
assurance (split from that module; imported from it)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from .results import json_safe

#: P(power > POWER_THRESHOLD) is reported.
POWER_THRESHOLD = 0.8


@dataclass(frozen=True)
class SizeForAssurance:
    """Smallest size reaching ``target`` assurance (``feasible`` False: not below 10⁸)."""

    target: float
    feasible: bool
    n_randomized: int | None = None
    n_per_arm: dict | None = None
    n_randomized_exact: float | None = None
    events: int | None = None
    events_exact: float | None = None
    assurance: float | None = None
    max_assurance: float | None = None
    message: str = ""

    def to_dict(self) -> dict:
        return json_safe({f.name: getattr(self, f.name) for f in fields(self)})

    def summary(self) -> str:
        if not self.feasible:
            return f"size for assurance {self.target:.2f}: not attainable — {self.message}"
        arms = self.n_per_arm or {}
        text = (
            f"size for assurance {self.target:.2f}: N = {self.n_randomized:,} "
            f"({arms.get('treatment')} : {arms.get('control')})"
        )
        if self.events is not None:
            text += f", {self.events:,} events"
        return text + f"; assurance there {self.assurance:.4f}"


@dataclass(frozen=True)
class AssuranceResult:
    """Assurance of one fixed design at its planned size, over ``draws`` prior draws.

    ``power_draws`` (the B powers, for a histogram; not in ``to_dict``) lets a plot show the
    power distribution; :meth:`histogram` bins it.
    """

    design: str
    label: str
    draws: int
    seed: int
    analysis: str
    n_randomized: int | None = None
    events: int | None = None
    power: float | None = None
    assurance: float | None = None
    assurance_se: float | None = None
    power_quantiles: dict = field(default_factory=dict)
    power_threshold: float = POWER_THRESHOLD
    prob_power_above: float | None = None
    p_benefit: float | None = None
    claims: dict = field(default_factory=dict)
    claims_se: dict = field(default_factory=dict)
    size_for_assurance: SizeForAssurance | None = None
    uncertain: tuple[str, ...] = ()
    message: str = ""
    #: the distributions that describe other values than the scenario's (planner.uncertainty.prior_conflicts):
    #: the assurance is then not for these assumptions and is not to be shown as theirs
    conflicts: tuple[str, ...] = ()
    power_draws: np.ndarray | None = field(default=None, compare=False, repr=False)
    #: the cells form: each population's claim (F and the named populations; ``power_by_population``
    #: of the design averaged over the draws) and its Monte Carlo SE; None in the two-subgroup form
    assurance_by_population: dict | None = None
    assurance_by_population_se: dict | None = None

    def to_dict(self) -> dict:
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name == "power_draws" or (f.name.startswith("assurance_by_population") and
                                           getattr(self, f.name) is None):
                continue
            value = getattr(self, f.name)
            if f.name == "size_for_assurance":
                value = value.to_dict() if value is not None else None
            out[f.name] = value
        out["uncertain"] = list(self.uncertain)
        return json_safe(out)

    def histogram(self, bins: int = 20) -> tuple[np.ndarray, np.ndarray]:
        """(counts, edges) of the power draws on [0, 1] (``bins`` equal bins)."""
        if self.power_draws is None:
            return np.zeros(bins, dtype=int), np.linspace(0.0, 1.0, bins + 1)
        return np.histogram(self.power_draws, bins=bins, range=(0.0, 1.0))

    def summary(self) -> str:
        lines = [f"{self.label} [{self.design}]"]
        lines += [f"  not for these assumptions — {c}" for c in self.conflicts]
        if self.assurance is None:
            lines.append(f"  assurance: — ({self.message})")
        else:
            size = f"N = {self.n_randomized:,}" if self.n_randomized is not None else "planned size"
            if self.analysis == "events" and self.events is not None:
                size += f", {self.events:,} events"
            point = f"; power {self.power:.4f} at the point assumptions" if self.power is not None else ""
            lines.append(
                f"  assurance at {size}: {self.assurance:.4f} (MC SE {self.assurance_se:.4f}){point}"
            )
            q = self.power_quantiles
            qs = ", ".join(f"{float(k):.0%} {v:.3f}" for k, v in q.items())
            lines.append(f"  power over {self.draws:,} draws: {qs}")
            lines.append(
                f"  P(power > {self.power_threshold:.0%}) = {self.prob_power_above:.4f}; "
                f"P(benefit in the population tested) = {self.p_benefit:.4f}"
            )
            if self.assurance_by_population:
                lines.append(
                    "  assurance of each population's claim: "
                    + ", ".join(f"{k} {v:.4f}" for k, v in self.assurance_by_population.items())
                )
            if self.claims:
                lines.append(
                    "  assurance of each claim: "
                    + ", ".join(f"{k} {v:.4f}" for k, v in self.claims.items())
                )
        if self.size_for_assurance is not None:
            lines.append("  " + self.size_for_assurance.summary())
        return "\n".join(lines)
