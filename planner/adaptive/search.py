"""Sample-size search for the adaptive design with common random numbers.

The planned cumulative sizes are scaled together, N_k = N·(N_k⁰/N_K⁰), and the smallest
integer maximum size N (subjects; survival: events) whose simulated probability of the chosen
claim reaches the target is found by bracketing (doubling) and integer bisection. Every
evaluation uses the same seed, hence the same standard-normal draws scaled by the sizes
(continuous and survival endpoints): the simulated power is then a smooth, practically monotone
function of N and the search converges in about log₂(N) evaluations (binomial draws of a binary
endpoint are common per block but not exactly monotone in N).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from ..results import json_safe
from .api import simulate_model
from .model import SimModel
from .results import AdaptiveResult

CLAIMS = {
    "at_least_one": ("reject_at_least_one", "reject_at_least_one_se"),
    "subgroup": ("reject_subgroup", "reject_subgroup_se"),
    "overall": ("reject_overall", "reject_overall_se"),
    "both": ("reject_both", "reject_both_se"),
    "success": ("success", "success_se"),
}


@dataclass(frozen=True)
class SearchResult:
    """Smallest maximum size reaching ``target`` for ``claim`` (``feasible`` False if none)."""

    feasible: bool
    size: int | None
    planned: tuple[float, ...] | None
    power: float | None
    power_se: float | None
    claim: str
    target: float
    evaluations: tuple[tuple[int, float], ...]
    result: AdaptiveResult | None = None
    message: str = ""

    def to_dict(self) -> dict:
        return json_safe({
            "feasible": self.feasible, "size": self.size, "planned": self.planned,
            "power": self.power, "power_se": self.power_se, "claim": self.claim,
            "target": self.target, "evaluations": [list(e) for e in self.evaluations],
            "message": self.message,
        })


NO_EFFECT_SEARCH = ("no treatment effect in S or in R: there is no effect to size the adaptive design "
                    "for (the simulated power is the type I error at any size)")


def _scaled(model: SimModel, size: int) -> SimModel:
    """Stage sizes in the original proportions, interim sizes rounded to whole numbers."""
    top = model.planned[-1]
    planned = [float(max(1, round(size * x / top))) for x in model.planned[:-1]] + [float(size)]
    for k in range(len(planned) - 2, -1, -1):  # keep them strictly increasing
        planned[k] = min(planned[k], planned[k + 1] - 1)
    return model.with_planned(tuple(planned))


def search_sample_size(model: SimModel, target: float, *, claim: str = "at_least_one",
                       simulations: int = 10000, seed: int = 12345, max_size: int = 100_000,
                       workers: int | None = None,
                       progress: Callable[[int, int], object] | None = None) -> SearchResult:
    """Smallest integer maximum size N with P(claim) ≥ ``target`` (common random numbers)."""
    if claim not in CLAIMS:
        raise ValueError(f"claim must be one of {tuple(CLAIMS)}, got {claim!r}")
    if model.recalculation is not None:
        from ..errors import Problem, ScenarioError  # noqa: PLC0415

        raise ScenarioError([Problem("designs.adaptive.sample_size_recalculation",
                                     "the sizes after the first stage are set by the recalculation rule: "
                                     "search the minimum and maximum sizes instead of --find-size")])
    key, key_se = CLAIMS[claim]
    frac = model.planned[0] / model.planned[-1]
    min_size = max(4, int(math.ceil(4.0 / (frac * min(model.prevalence, 1 - model.prevalence)))))
    cache: dict[int, AdaptiveResult] = {}
    trail: list[tuple[int, float]] = []

    def power(size: int) -> float:
        if size not in cache:
            cache[size] = simulate_model(_scaled(model, size), simulations, seed, workers=workers)
            trail.append((size, getattr(cache[size], key)))
            if progress is not None:
                progress(len(trail), 0)
        return getattr(cache[size], key)

    hi = max(min_size, int(round(model.planned[-1])))
    if model.no_effect:  # one evaluation at the planned size, for the record
        power(hi)
        return SearchResult(False, None, None, None, None, claim, target, tuple(trail),
                            message=NO_EFFECT_SEARCH)
    while power(hi) < target:
        if hi >= max_size:
            return SearchResult(False, None, None, None, None, claim, target, tuple(trail),
                                message=f"the target is not reached with up to {max_size:,} "
                                        f"{'events' if model.endpoint == 'survival' else 'subjects'}")
        hi = min(max_size, hi * 2)
    lo = hi
    while lo > min_size:
        lo = max(min_size, lo // 2)
        if power(lo) < target:
            break
    if power(lo) >= target:
        hi = lo
    else:
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if power(mid) >= target:
                hi = mid
            else:
                lo = mid
    res = cache[hi]
    return SearchResult(True, hi, tuple(_scaled(model, hi).planned), getattr(res, key),
                        getattr(res, key_se), claim, target, tuple(trail), res)
