"""Assurance of the adaptive design: its power averaged over the ``uncertainty`` block's draws.

The draws are those of :func:`planner.assurance.draw_inputs` — the same draws (common random
numbers between designs) as the fixed designs' assurance, of which the first ``draws`` (default
:data:`ADAPTIVE_DRAWS`) are used. Under draw b the adaptive design is rebuilt
(:func:`.model.model_from_scenario` with the drawn prevalence, effects and assay accuracy) and
m = ``trials_per_draw`` trials are simulated, giving p̂_b; the assurance is Â = (1/B) Σ p̂_b.

Each draw's trials come from their own child ``SeedSequence(seed).spawn(B)[b]``, so the p̂_b
are independent and identically distributed and the Monte Carlo SE of Â is exactly estimated by
sd_b(p̂_b)/√B; it holds both sources of error, Var(p̂_b) = Var_π(p_b) + E_π[p_b(1 − p_b)]/m:

* trials: SE_trials = √( mean_b[p̂_b(1 − p̂_b)]/(m − 1) / B );
* draws: SE_draws = √( max(var_b(p̂_b) − mean_b[p̂_b(1 − p̂_b)]/(m − 1), 0) / B ).

(The same trial seed at every draw would make the trial errors of all draws correlated: the
average would then keep an error of order √(p(1 − p)/m) that sd_b/√B does not see.)

**The cells form** (several populations, issue 12): the draws are those of
:func:`planner.cells_assurance.draw_cells_inputs` (the same as the fixed designs': a Dirichlet over
the cells' prevalences, each cell's effect, SD, control rate or control median). Draw b becomes a
scenario with the drawn prevalences and cell outcomes (:func:`cells_draw_scenario`, the populations'
prevalences and the summaries recomputed by :func:`planner.scenario_cells.with_cells`), whose adaptive
design is the K-population :class:`.kmodel.KModel` of :func:`.model.model_from_scenario`; the rest is
as above, and ``assurance_by_population`` averages each population's rejection probability
(``reject_by_population`` of :func:`.api.simulate_model`) over the draws, with SE sd_b/√B.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..assurance import POWER_THRESHOLD, QUANTILES, AssuranceResult, Draws, draw_inputs
from ..catalogue import design_label
from ..scenario import AdaptiveOptions, Scenario
from ..uncertainty import prior_conflicts
from .api import simulate_model
from .engine import Job, run_many
from .model import model_from_scenario

ADAPTIVE_DRAWS = 1000
TRIALS_PER_DRAW = 200


@dataclass(frozen=True)
class AdaptiveAssuranceResult(AssuranceResult):
    """:class:`planner.assurance.AssuranceResult` plus the simulation's share of the error."""

    trials_per_draw: int = 0
    assurance_se_draws: float | None = None
    assurance_se_trials: float | None = None

    def summary(self) -> str:
        text = super().summary()
        if self.assurance is None:
            return text
        return (text + f"\n  simulated: {self.trials_per_draw:,} trials under each of {self.draws:,} draws "
                f"(MC SE from draws {self.assurance_se_draws:.4f}, from trials {self.assurance_se_trials:.4f})")


def _claim(success_criterion: str) -> str:
    return "reject_at_least_one" if success_criterion == "at_least_one" else "success"


def cells_draw_scenario(scenario: Scenario, draws: Any, b: int) -> Scenario:
    """The cells-form scenario of prior draw ``b`` (a :class:`planner.cells_assurance.CellsDraws`):
    the drawn prevalences of the cells and the drawn outcome fields of each cell; the first
    population's prevalence and the summaries recomputed (a binary cell with drawn rates drops the
    effect as entered: the drawn rates are the cell's)."""
    from ..scenario_cells import with_cells  # noqa: PLC0415

    pop = scenario.population
    cells = tuple(replace(c, prevalence=float(p[b])) for c, p in zip(pop.cells, draws.prevalences))
    first = set(pop.populations[0].cells)
    prevalence = math.fsum(c.prevalence for c in cells if c.name in first)
    outcomes = dict(scenario.cells)
    for name, arrays in draws.cells.items():
        values = {k: float(v[b]) for k, v in arrays.items()}
        if "treatment_rate" in values:
            values["effect"] = None
        outcomes[name] = replace(outcomes[name], **values)
    return with_cells(scenario, population=replace(pop, cells=cells, prevalence=prevalence), cells=outcomes)


def _models(scenario: Scenario, opts: AdaptiveOptions, d: Any, b_used: int) -> list:
    """One simulation model per draw: the two-subset model with the drawn inputs, or the cells
    form's K-population model of the draw's scenario."""
    if scenario.has_cells:
        return [model_from_scenario(cells_draw_scenario(scenario, d, b), opts) for b in range(b_used)]
    return [model_from_scenario(scenario, opts, inputs={k: float(v[b]) for k, v in d.inputs.items()})
            for b in range(b_used)]


def _benefit(mod: Any) -> bool:
    """Whether the draw has a benefit to find (in S or R; the cells form: in any cell)."""
    if mod.endpoint == "binary":
        pairs = list(zip(mod.rate_treatment, mod.rate_control))
        return any(t > c for t, c in (pairs if hasattr(mod, "membership") else pairs[:2]))
    return max(mod.theta) > 0


def _by_population(results: list) -> tuple[dict | None, dict | None]:
    """Each population's rejection probability averaged over the draws, and its SE sd_b/√B
    (the cells form; None in the two-subgroup form)."""
    if not results or results[0].reject_by_population is None:
        return None, None
    by, by_se = {}, {}
    for g in results[0].reject_by_population:
        x = np.array([r.reject_by_population[g] for r in results])
        by[g], by_se[g] = float(np.mean(x)), float(np.std(x, ddof=1) / math.sqrt(x.size))
    return by, by_se


def adaptive_assurance(scenario: Scenario, *, draws: int | None = None, trials_per_draw: int = TRIALS_PER_DRAW,
                       power: float | None = None, all_draws: Draws | None = None,
                       workers: int | None = None, scheduler: Any = None,
                       progress: Callable[[int, int], object] | None = None,
                       is_cancelled: Callable[[], bool] | None = None) -> AdaptiveAssuranceResult:
    """Assurance of ``designs.adaptive`` (see the module docstring); ``power``: its point power."""
    opts = scenario.designs["adaptive"]
    assert isinstance(opts, AdaptiveOptions)
    d = all_draws if all_draws is not None else draw_inputs(scenario)
    b_used = min(d.size, ADAPTIVE_DRAWS if draws is None else int(draws))
    m = max(2, int(trials_per_draw))
    models = _models(scenario, opts, d, b_used)
    roots = np.random.SeedSequence(int(opts.seed)).spawn(b_used)
    counts, cancelled = run_many([Job(mod, m, root) for mod, root in zip(models, roots)], workers=workers,
                                 scheduler=scheduler, progress=progress, is_cancelled=is_cancelled)
    key = _claim(opts.success_criterion)
    results = [simulate_model(mod, m, int(opts.seed), runner=lambda *_a, _c=c, **_k: (_c, False))
               for mod, c in zip(models, counts) if c.n == m]
    p = np.array([getattr(r, key) for r in results])
    base: dict[str, Any] = dict(
        design="adaptive", label=design_label("adaptive"), draws=len(p), seed=d.seed,
        analysis="events" if scenario.endpoint == "survival" else "patients", uncertain=d.uncertain,
        conflicts=tuple(c.describe() for c in prior_conflicts(scenario)), trials_per_draw=m, power=power,
    )
    planned = opts.planned_events if scenario.endpoint == "survival" else opts.planned_subjects
    size = int(math.ceil(planned[-1] - 1e-9)) if planned else None
    if p.size < 2:
        return AdaptiveAssuranceResult(message="cancelled before two draws were simulated", **base)
    within = float(np.mean(p * (1 - p))) / (m - 1)
    var = float(np.var(p, ddof=1))
    by, by_se = _by_population(results)
    return AdaptiveAssuranceResult(
        n_randomized=None if scenario.endpoint == "survival" else size,
        events=size if scenario.endpoint == "survival" else None,
        assurance=float(np.mean(p)), assurance_se=math.sqrt(var / p.size),
        assurance_se_draws=math.sqrt(max(var - within, 0.0) / p.size),
        assurance_se_trials=math.sqrt(within / p.size),
        power_quantiles={f"{q:g}": float(v) for q, v in zip(QUANTILES, np.quantile(p, QUANTILES))},
        prob_power_above=float(np.mean(p > POWER_THRESHOLD)),
        p_benefit=float(np.mean([_benefit(mod) for mod in models[:p.size]])),
        assurance_by_population=by, assurance_by_population_se=by_se,
        power_draws=p, message=("cancelled: fewer draws than asked" if cancelled else ""), **base,
    )


__all__ = ["ADAPTIVE_DRAWS", "TRIALS_PER_DRAW", "AdaptiveAssuranceResult", "adaptive_assurance",
           "cells_draw_scenario"]
