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
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..assurance import POWER_THRESHOLD, QUANTILES, AssuranceResult, Draws, draw_inputs
from ..catalogue import design_label
from ..scenario import AdaptiveOptions, Scenario
from ..uncertainty import prior_conflicts
from .api import summarize
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
    models = [model_from_scenario(scenario, opts, inputs={k: float(v[b]) for k, v in d.inputs.items()})
              for b in range(b_used)]
    roots = np.random.SeedSequence(int(opts.seed)).spawn(b_used)
    counts, cancelled = run_many([Job(mod, m, root) for mod, root in zip(models, roots)], workers=workers,
                                 scheduler=scheduler, progress=progress, is_cancelled=is_cancelled)
    key = _claim(opts.success_criterion)
    p = np.array([getattr(summarize(mod, c, seed=int(opts.seed), requested=m, incomplete=False), key)
                  for mod, c in zip(models, counts) if c.n == m])
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
    benefit = [(mod.rate_treatment[0] > mod.rate_control[0] or mod.rate_treatment[1] > mod.rate_control[1])
               if mod.endpoint == "binary" else max(mod.theta) > 0 for mod in models[:p.size]]
    return AdaptiveAssuranceResult(
        n_randomized=None if scenario.endpoint == "survival" else size,
        events=size if scenario.endpoint == "survival" else None,
        assurance=float(np.mean(p)), assurance_se=math.sqrt(var / p.size),
        assurance_se_draws=math.sqrt(max(var - within, 0.0) / p.size),
        assurance_se_trials=math.sqrt(within / p.size),
        power_quantiles={f"{q:g}": float(v) for q, v in zip(QUANTILES, np.quantile(p, QUANTILES))},
        prob_power_above=float(np.mean(p > POWER_THRESHOLD)), p_benefit=float(np.mean(benefit)),
        power_draws=p, message=("cancelled: fewer draws than asked" if cancelled else ""), **base,
    )


__all__ = ["ADAPTIVE_DRAWS", "TRIALS_PER_DRAW", "AdaptiveAssuranceResult", "adaptive_assurance"]
