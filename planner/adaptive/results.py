"""The adaptive design's operating characteristics with their Monte Carlo standard errors.

Probabilities are proportions of the simulated trials, SE = √(p(1 − p)/n); expected sizes are
means over trials, SE = sd/√n. Per-stage arrays follow rpact's definitions:
``reject_*_per_stage[k]`` = P(the hypothesis is newly rejected at stage k),
``selected_*_per_stage[k]`` = P(the population is carried into stage k) (stage 1: 1),
``success_per_stage`` / ``futility_per_stage`` = P(stop at stage k for success / futility).
``select_*`` (no suffix) describe the decision at the first interim: P(continue with S only),
P(F only), P(both); trials stopped at the first interim count in none of them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from ..catalogue import design_label
from ..results import json_safe

LABEL = design_label("adaptive")


def prop_se(p: float | np.ndarray, n: int) -> float | np.ndarray:
    """Monte Carlo standard error of a proportion, √(p(1 − p)/n)."""
    if n <= 0:
        return math.nan
    return np.sqrt(np.asarray(p) * (1.0 - np.asarray(p)) / n)


def size_fields(surv: bool, units, subjects, screened, n_max: int | None, events_max: float,
                costs) -> dict:
    """The size block of :class:`AdaptiveResult` (both engines): expected units (survival: events),
    subjects and screened patients as (mean, SE) pairs (``(None, None)`` when unknown), the maximum
    N and events, and the cost per_screened × E[screened] + per_randomized × E[subjects]."""
    (units, units_se), (subj, subj_se), (scr, scr_se) = units, subjects, screened
    cost = currency = None
    if costs is not None and subj is not None:
        cost = costs.per_screened * (scr or 0.0) + costs.per_randomized * subj
        currency = costs.currency
    return dict(
        expected_subjects=subj, expected_subjects_se=subj_se,
        expected_events=units if surv else None, expected_events_se=units_se if surv else None,
        expected_screened=scr, expected_screened_se=scr_se, n_randomized=n_max, n_screened=scr,
        events=int(math.ceil(events_max - 1e-9)) if surv else None, cost=cost, currency=currency,
    )


@dataclass(frozen=True)
class AdaptiveResult:
    """Simulated operating characteristics of one adaptive enrichment design."""

    endpoint: str
    method: str
    simulations: int
    requested_simulations: int
    seed: int
    incomplete: bool
    reject_subgroup: float
    reject_subgroup_se: float
    reject_overall: float
    reject_overall_se: float
    reject_at_least_one: float
    reject_at_least_one_se: float
    reject_both: float
    reject_both_se: float
    select_subgroup_only: float
    select_subgroup_only_se: float
    select_overall_only: float
    select_overall_only_se: float
    select_both: float
    select_both_se: float
    success: float
    success_se: float
    early_stop_efficacy: float
    early_stop_efficacy_se: float
    early_stop_futility: float
    early_stop_futility_se: float
    expected_subjects: float | None
    expected_subjects_se: float | None
    expected_events: float | None = None
    expected_events_se: float | None = None
    expected_screened: float | None = None
    expected_screened_se: float | None = None
    success_criterion: str = "at_least_one"
    target_power: float | None = None
    n_randomized: int | None = None
    n_screened: float | None = None
    events: int | None = None
    cost: float | None = None
    currency: str | None = None
    stages: int = 2
    information_rates: tuple = ()
    planned: tuple = ()
    critical_values: tuple = ()
    futility_bounds: tuple | None = None
    per_stage: dict = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    design: str = "adaptive"
    label: str = LABEL
    feasible: bool = True
    question: str = "simulation"
    message: str = ""
    n_per_arm: dict | None = None
    n_randomized_exact: float | None = None
    efficiency: float | None = None
    detectable_effect: None = None
    accrual_duration: float | None = None
    combination: str = "inverse_normal"
    recalculation: dict | None = None
    size_distribution: dict | None = None
    #: several populations (cells form): names ("F" first) and, per name, P(rejected) and
    #: P(selected at the last stage), each with its Monte Carlo SE (None in the two-subset form)
    populations: tuple[str, ...] | None = None
    reject_by_population: dict | None = None
    reject_by_population_se: dict | None = None
    selected_by_population: dict | None = None
    selected_by_population_se: dict | None = None
    reject_all: float | None = None
    reject_all_se: float | None = None

    @property
    def power(self) -> float:
        """Probability of the claim named by the success criterion."""
        return self.reject_at_least_one if self.success_criterion == "at_least_one" else self.success

    @property
    def power_se(self) -> float:
        return self.reject_at_least_one_se if self.success_criterion == "at_least_one" else self.success_se

    @property
    def claims(self) -> dict[str, float]:
        """Probabilities of the stratified design's claims, for side-by-side tables."""
        return {"overall": self.reject_overall, "subgroup": self.reject_subgroup,
                "either": self.reject_at_least_one, "both": self.reject_both}

    def to_dict(self) -> dict:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "per_stage":
                out.update(value)
                continue
            out[f.name] = value
        out["power"] = self.power
        out["power_se"] = self.power_se
        for claim, p in self.claims.items():
            out[f"power_{claim}"] = p
        out["notes"] = list(self.notes)
        return json_safe(out)

    def _size_lines(self) -> list[str]:
        """Quantiles of the sizes (shown with sample-size recalculation)."""
        dist = self.size_distribution
        if not dist or self.recalculation is None:
            return []
        lines = []
        for unit in ("subjects", "events"):
            if unit not in dist:
                continue
            q = dist[unit]["quantiles"]
            shown = ", ".join(f"{int(float(p) * 100)}% {v['value']:,.0f} ± {v['se']:.1f}" for p, v in q.items())
            top = dist[unit].get("design_maximum")
            lines.append(f"  {unit} per trial (quantiles): {shown}; largest simulated "
                         f"{dist[unit]['maximum_observed']:,.0f}" + (f", design maximum {top:,.0f}" if top else ""))
        return lines

    def _population_lines(self, pm) -> list[str]:
        """Per population (several populations): P(reject) and P(selected at the last stage)."""
        width = max(len(g) for g in self.populations)
        lines = []
        for g in self.populations:
            name = "F (everyone)" if g == "F" else g
            lines.append(f"    {name:{max(width, 12)}s} reject {pm(self.reject_by_population[g], self.reject_by_population_se[g])}"
                         f"   selected at the last stage {pm(self.selected_by_population[g], self.selected_by_population_se[g], 3)}")
        lines.append(f"    reject at least one: {pm(self.reject_at_least_one, self.reject_at_least_one_se)}; "
                     f"reject all: {pm(self.reject_all, self.reject_all_se)}")
        return lines

    def summary(self) -> str:
        """Plain-text summary (one block, like the fixed designs' summaries)."""
        def pm(x, se, digits=4):
            return f"{x:.{digits}f} ± {se:.{digits}f}"

        flag = " — INCOMPLETE (cancelled)" if self.incomplete else ""
        lines = [f"{self.label} [{self.design}]{flag}"]
        lines.append(f"  simulated trials: {self.simulations:,} (seed {self.seed}); ± = Monte Carlo SE")
        planned = ", ".join(f"{x:g}" for x in self.planned)
        unit = "events" if self.endpoint == "survival" else "subjects"
        lines.append(f"  stages: {self.stages}; planned cumulative {unit}: {planned}")
        if self.combination == "fisher":  # reject when Π p_k^w_k ≤ c_k
            lines.append("  critical values (Fisher, Π p^w ≤ c): " + ", ".join(f"{c:.4g}" for c in self.critical_values))
        else:
            lines.append("  critical values: " + ", ".join("∞" if not math.isfinite(c) else f"{c:.4f}"
                                                          for c in self.critical_values))
        lines.append(f"  power ({self.success_criterion.replace('_', ' ')}): "
                     f"{pm(self.power, self.power_se)}"
                     + (f" (target {self.target_power:.2f})" if self.target_power else ""))
        if self.populations:
            lines += self._population_lines(pm)
        else:
            lines.append(f"    reject H_S (test-positive): {pm(self.reject_subgroup, self.reject_subgroup_se)}")
            lines.append(f"    reject H_F (everyone):      {pm(self.reject_overall, self.reject_overall_se)}")
            lines.append(f"    reject at least one:        {pm(self.reject_at_least_one, self.reject_at_least_one_se)}")
            lines.append(f"    reject both:                {pm(self.reject_both, self.reject_both_se)}")
        if self.stages == 1:
            lines.append("  no interim: both populations are tested at the single analysis")
        else:
            if not self.populations:
                lines.append(f"  first interim selection: S only {pm(self.select_subgroup_only, self.select_subgroup_only_se, 3)}, "
                             f"F only {pm(self.select_overall_only, self.select_overall_only_se, 3)}, "
                             f"both {pm(self.select_both, self.select_both_se, 3)}")
            lines.append(f"  early stop: efficacy {pm(self.early_stop_efficacy, self.early_stop_efficacy_se, 3)}, "
                         f"futility {pm(self.early_stop_futility, self.early_stop_futility_se, 3)}")
        if self.expected_subjects is not None:
            lines.append(f"  expected subjects: {self.expected_subjects:,.1f} ± {self.expected_subjects_se:.1f}"
                         + (f" (maximum {self.n_randomized:,})" if self.n_randomized else ""))
        if self.expected_events is not None:
            lines.append(f"  expected events: {self.expected_events:,.1f} ± {self.expected_events_se:.1f}")
        lines += self._size_lines()
        if self.expected_screened is not None:
            lines.append(f"  expected screened with the assay: {self.expected_screened:,.1f}")
        if self.cost is not None:
            lines.append(f"  expected cost: {self.cost:,.0f} {self.currency or ''}".rstrip())
        lines.append(f"  method: {self.method}")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)
