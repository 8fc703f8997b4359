"""Family-wise error rate of the adaptive design under the global null and each partial null.

The nulls are set on the simulator's subsets S (test-positive) and R (test-negative), on the
benefit scale of :class:`.model.SimModel` (θ: continuous mean difference, survival −ln HR;
binary: treatment − control rate), with w_S, w_R the shares of a stage enrolling everyone
(:func:`.simulate.subset_weights`: prevalence; survival: prevalence × events per patient):

* ``global`` — θ_S = θ_R = 0 (binary: treatment rate = control rate in each subset). H_S and
  H_F are true; the error is P(reject H_S or H_F).
* ``subgroup`` (H_S true only) — θ_S = 0, θ_R = δ > 0: F has a benefit, H_F is false; the error
  is P(reject H_S).
* ``overall`` (H_F true only) — θ_S = δ > 0 and θ_R = −δ·w_S/w_R, so that the F statistic's mean
  w_S·θ_S + w_R·θ_R is 0 (the stratified F test weighs the subsets by their sizes, survival by
  their events, at every stage enrolling both); H_S is false; the error is P(reject H_F). Binary:
  treatment rates control + δ and control − δ·w_S/w_R; a δ that leaves (10⁻⁶, 1 − 10⁻⁶) is
  skipped.

The nuisance grid is the prevalence P(test+) (default 0.2 … 0.8 and the scenario's) and δ
(default 0.25, 0.5, 1 and 2 times the scenario's larger subset effect; with no effect in the scenario:
continuous 0.5 σ, survival ln(1/0.7), binary 0.1). The critical values do not depend on either.
Every configuration is simulated with the same seed (common random numbers); the table reports
each error with its binomial Monte Carlo SE √(p(1 − p)/n) and, per null, the maximum.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..catalogue import FWER_NULLS, RATE_LIMIT
from ..errors import Problem, ScenarioError
from ..results import json_safe
from .api import summarize
from .engine import Job, run_many
from .model import SimModel, _check_arm_sizes
from .simulate import subset_weights

DEFAULT_PREVALENCES = (0.2, 0.35, 0.5, 0.65, 0.8)
DEFAULT_EFFECT_FACTORS = (0.25, 0.5, 1.0, 2.0)
_ERROR_OF = {"global": "reject_at_least_one", "subgroup": "reject_subgroup", "overall": "reject_overall"}


def reference_effect(model: SimModel) -> float:
    """The scale of δ: the larger subset effect of the model, or a default when there is none."""
    if model.endpoint == "binary":
        eff = max(abs(t - c) for t, c in zip(model.rate_treatment, model.rate_control))
        return eff if eff > 0 else 0.1
    eff = max(abs(t) for t in model.theta)
    if eff > 0:
        return eff
    if model.endpoint == "survival":
        return math.log(1 / 0.7)
    return 0.5 * math.sqrt(model.variance[0] * model.c)  # half a standard deviation


def null_model(model: SimModel, null: str, prevalence: float, delta: float | None) -> SimModel | None:
    """The model under ``null`` at P(test+) = ``prevalence`` and effect δ (None: not attainable)."""
    base = replace(model, prevalence=float(prevalence), p_test_positive=float(prevalence))
    w_s, w_r = subset_weights(base)
    if null == "global":
        th = (0.0, 0.0)
    elif null == "subgroup":
        th = (0.0, float(delta))
    elif null == "overall":
        th = (float(delta), -float(delta) * w_s / w_r)
    else:
        raise ValueError(f"null must be one of {tuple(FWER_NULLS)}, got {null!r}")
    if model.endpoint != "binary":
        return replace(base, theta=th)
    treat = tuple(c + t for c, t in zip(model.rate_control, th))
    if not all(RATE_LIMIT <= p <= 1 - RATE_LIMIT for p in treat):
        return None
    try:
        _check_arm_sizes(model.planned, prevalence, model.allocation_ratio)
    except ScenarioError:
        return None
    return replace(base, rate_treatment=treat)


@dataclass(frozen=True)
class FwerResult:
    """Rows (null, prevalence, effect, fwer, fwer_se, simulations) and the maximum per null."""

    alpha: float
    simulations: int
    seed: int
    rows: tuple[dict, ...]

    def maxima(self) -> dict[str, dict]:
        """Per null: the row with the largest error, and whether it is ≤ α + 3 SE."""
        out = {}
        for null in FWER_NULLS:
            rows = [r for r in self.rows if r["null"] == null]
            if rows:
                top = max(rows, key=lambda r: r["fwer"])
                out[null] = {**top, "within_alpha_3se": top["fwer"] <= self.alpha + 3 * top["fwer_se"]}
        return out

    def to_dict(self) -> dict:
        return json_safe({"alpha": self.alpha, "simulations": self.simulations, "seed": self.seed,
                          "nulls": dict(FWER_NULLS), "rows": [dict(r) for r in self.rows],
                          "maximum": self.maxima()})

    def summary(self) -> str:
        lines = [f"Type I error under the nulls (α = {self.alpha:g} one-sided; {self.simulations:,} "
                 f"trials per configuration, seed {self.seed}; ± = Monte Carlo SE)"]
        for null, top in self.maxima().items():
            eff = "" if top["effect"] is None else f", δ = {top['effect']:.4g}"
            flag = "≤ α + 3 SE" if top["within_alpha_3se"] else "ABOVE α + 3 SE"
            lines.append(f"  {FWER_NULLS[null]}: max {top['fwer']:.4f} ± {top['fwer_se']:.4f} "
                         f"at prevalence {top['prevalence']:.3g}{eff} ({flag})")
        return "\n".join(lines)


def fwer_table(model: SimModel, *, simulations: int, seed: int,
               prevalences: Sequence[float] | None = None, effects: Sequence[float] | None = None,
               nulls: Sequence[str] = tuple(FWER_NULLS), workers: int | None = None,
               scheduler: Any = None, progress: Callable[[int, int], object] | None = None,
               is_cancelled: Callable[[], bool] | None = None) -> FwerResult:
    """Simulate every null configuration (see the module docstring) with common random numbers."""
    if hasattr(model, "membership"):  # several populations: no (prevalence, δ) grid of nulls
        raise ScenarioError([Problem("population.cells", "the type I error grid (--fwer) is available for the "
                                     "two-subgroup form only; simulate the global null with zero effects")])
    prev = sorted({*(DEFAULT_PREVALENCES if prevalences is None else prevalences), round(model.prevalence, 6)})
    ref = reference_effect(model)
    deltas = tuple(effects) if effects is not None else tuple(f * ref for f in DEFAULT_EFFECT_FACTORS)
    configs = []
    for null in nulls:
        for q in prev:
            for d in ((None,) if null == "global" else deltas):
                m = null_model(model, null, q, d)
                if m is not None:
                    configs.append((null, q, d, m))
    counts, _ = run_many([Job(m, simulations, seed) for *_, m in configs], workers=workers,
                         scheduler=scheduler, progress=progress, is_cancelled=is_cancelled)
    rows = []
    for (null, q, d, m), c in zip(configs, counts):
        if c.n == 0:
            continue
        res = summarize(m, c, seed=seed, requested=simulations, incomplete=c.n < simulations)
        key = _ERROR_OF[null]
        rows.append({"null": null, "prevalence": q, "effect": d, "fwer": getattr(res, key),
                     "fwer_se": getattr(res, key + "_se"), "simulations": c.n})
    return FwerResult(model.alpha, int(simulations), int(seed), tuple(rows))


__all__ = ["FwerResult", "fwer_table", "null_model", "reference_effect"]
