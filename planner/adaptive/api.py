"""Simulate an adaptive enrichment design and summarise it as an :class:`AdaptiveResult`."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..catalogue import FIELDS_BY_PATH
from ..errors import Problem, ScenarioError
from ..scenario import AdaptiveOptions, Scenario
from .boundaries import BOUNDARY_TEXT
from .closed_testing import INTERSECTION_TEXT
from .kmodel import KModel
from .ksummary import summarize_k
from .model import SimModel, model_from_scenario
from .recalculation import EFFECT_TEXT
from .results import AdaptiveResult, prop_se, size_fields
from .selection import SELECTION_TEXT
from .simulate import DEFAULT_CHUNK, Counts, path_moments, path_sizes, run
from .size_summary import recalculated_sizes, size_distribution

_ENDPOINT_TEXT = {
    "continuous": "normal outcomes with known variance (z statistics; rpact getSimulationEnrichmentMeans)",
    "binary": "binomial counts per subset and arm, pooled-variance z (rpact getSimulationEnrichmentRates)",
    "survival": "log-rank statistics per subset from the stage's events, N(−ln HR·√(c·d), 1) "
                "(rpact getSimulationEnrichmentSurvival)",
}


NO_EFFECT_NOTE = ("no treatment effect in S or in R (a global null): every rejection is a type I "
                  "error — reject at least one is the family-wise error rate")
NO_EFFECT_NOTE_K = ("no treatment effect in any cell (a global null): every rejection is a type I "
                    "error — reject at least one is the family-wise error rate")


def method_text(model: SimModel) -> str:
    """Human-readable description of what was simulated."""
    measure = "z statistic" if model.effect_measure == "test_statistic" else "effect estimate"
    sel = SELECTION_TEXT[model.selection_rule].format(
        measure=measure, epsilon=model.epsilon, threshold=model.threshold, r=1)
    f_test, fut = f_test_text(model), futility_text(model)
    closed = (f"closed test of H_S (test-positive) and H_F (everyone, {f_test}) with the "
              f"{INTERSECTION_TEXT[model.intersection_test]} intersection test")
    if model.stages == 1:
        head = f"single-stage enrichment simulation (no interim, no selection): {closed}"
    else:
        head = (f"adaptive enrichment simulation, {model.stages} stages: {combination_text(model)} "
                f"with {BOUNDARY_TEXT[model.boundaries]}{fut}; {closed}; interim selection: {sel}"
                f"{recalculation_text(model)}")
    return (f"{head}; success: {model.success_criterion.replace('_', ' ')}; "
            f"{_ENDPOINT_TEXT[model.endpoint]}")


def f_test_text(model) -> str:
    """How F is tested: binary outcomes can be unstratified, the others are always stratified."""
    return "stratified" if (model.stratified or model.endpoint != "binary") else "unstratified"


def futility_text(model) -> str:
    """'; non-binding futility bounds …' or '' (both engines' method texts)."""
    if not model.futility_bounds:
        return ""
    return "; non-binding futility bounds " + ", ".join(f"{b:g}" for b in model.futility_bounds)


def combination_text(model: SimModel) -> str:
    """The combination test, named with its weights."""
    if model.combination == "fisher":
        w = ", ".join(f"{x:.4g}" for x in model.combination_weights)
        return f"Fisher's combination test Π p_k^w_k (rpact getDesignFisher, weights {w})"
    return "inverse-normal combination"


def recalculation_text(model: SimModel) -> str:
    """The sample-size recalculation rule ('' without recalculation)."""
    rc = model.recalculation
    if rc is None:
        return ""
    unit = "events" if model.endpoint == "survival" else "subjects"
    lo = ", ".join(f"{x:g}" for x in rc.min_sizes[1:])
    hi = ", ".join(f"{x:g}" for x in rc.max_sizes[1:])
    return (f"; sample-size recalculation at each interim to conditional power {rc.conditional_power:g} "
            f"at {EFFECT_TEXT[rc.effect]}, from the Bonferroni-adjusted interim p-values (rpact's rule), "
            f"stage-wise {unit} between {lo} and {hi}")


_PER_STAGE = {
    "reject_subgroup_per_stage": "rej_s", "reject_overall_per_stage": "rej_f",
    "selected_subgroup_per_stage": "sel_s", "selected_overall_per_stage": "sel_f",
    "select_subgroup_only_per_stage": "s_only", "select_overall_only_per_stage": "f_only",
    "select_both_per_stage": "both", "success_per_stage": "success",
}


def _per_stage(counts: Counts, k_max: int) -> dict:
    """Per-stage probabilities (and their binomial SEs) of rejection, selection, success and stopping."""
    n = counts.n
    ps = {k: v.astype(float) for k, v in counts.per_stage.items()}
    early = slice(0, k_max - 1)
    out: dict = {}
    for name, key in _PER_STAGE.items():
        out[name] = ps[key] / n
        out[name + "_se"] = prop_se(out[name], n)
    out["futility_per_stage"] = ps["futility"][early] / n
    out["futility_per_stage_se"] = prop_se(out["futility_per_stage"], n)
    out["early_stop_per_stage"] = (ps["success"][early] + ps["futility"][early]) / n
    out["early_stop_per_stage_se"] = prop_se(out["early_stop_per_stage"], n)
    out["trials_per_stage"] = counts.per_stage["reached"]
    return out


def _probabilities(counts: Counts, k_max: int) -> dict:
    """Rejection, selection (at the first interim), success and early-stop probabilities with SEs."""
    n = counts.n
    ps = counts.per_stage
    tot = counts.totals
    early = slice(0, k_max - 1)
    sel_k = 1 if k_max > 1 else 0
    events = {
        "reject_subgroup": tot["rej_s"], "reject_overall": tot["rej_f"], "reject_at_least_one": tot["rej_any"],
        "reject_both": tot["rej_both"], "select_both": ps["both"][sel_k], "success": tot["success"],
        "early_stop_efficacy": ps["success"][early].sum(), "early_stop_futility": ps["futility"][early].sum(),
        "select_subgroup_only": ps["s_only"][sel_k] if k_max > 1 else 0.0,
        "select_overall_only": ps["f_only"][sel_k] if k_max > 1 else 0.0,
    }
    out: dict = {}
    for name, count in events.items():
        p = float(count) / n
        out[name] = p
        out[name + "_se"] = float(prop_se(p, n)) if (k_max > 1 or not name.startswith("select_")
                                                       or name == "select_both") else 0.0
    return out


def _sizes(model: SimModel, counts: Counts, costs) -> dict:
    """Expected subjects, events and screened patients (with SEs), the maximum N, events and the cost."""
    if counts.sums:  # sample-size recalculation: per-trial sizes
        return recalculated_sizes(model, counts, costs)
    k_max = model.stages
    sizes = path_sizes(model, len(counts.paths))
    units = path_moments(counts, sizes["units"])
    surv = model.endpoint == "survival"
    subj = scr = (None, None)
    if "subjects" in sizes:
        subj = path_moments(counts, sizes["subjects"])
        scr = path_moments(counts, sizes["screened"])
    if not surv:
        subj = units
    planned_max = model.planned[-1]
    n_max = None if surv else int(math.ceil(planned_max - 1e-9))
    if surv and "subjects" in sizes:
        codes = np.arange(len(counts.paths))
        full = (codes >= 4 ** (k_max - 1)) & (codes % 4 == 1)  # all stages, stage 1 enrols everyone
        n_max = int(math.ceil(float(sizes["subjects"][full].max()) - 1e-9))
    return size_fields(surv, units, subj, scr, n_max, planned_max, costs)


def summarize(model: SimModel, counts: Counts, *, seed: int, requested: int, incomplete: bool,
              target_power: float | None = None, costs=None, notes: tuple[str, ...] = ()) -> AdaptiveResult:
    """Turn the integer counts of a run into probabilities, expected sizes and their SEs
    (binomial SE √(p(1 − p)/n) for probabilities; path moments for expected sizes)."""
    return AdaptiveResult(
        endpoint=model.endpoint,
        method=method_text(model),
        simulations=counts.n,
        requested_simulations=requested,
        seed=int(seed),
        incomplete=incomplete,
        **_probabilities(counts, model.stages),
        **_sizes(model, counts, costs),
        success_criterion=model.success_criterion,
        target_power=target_power,
        stages=model.stages,
        information_rates=tuple(model.information_rates),
        planned=tuple(model.planned),
        critical_values=tuple(model.critical),
        futility_bounds=tuple(model.futility_bounds) if model.futility_bounds else None,
        per_stage=_per_stage(counts, model.stages),
        notes=notes,
        combination=model.combination,
        recalculation=_recalculation_dict(model),
        size_distribution=size_distribution(model, counts),
    )


def _recalculation_dict(model: SimModel) -> dict | None:
    rc = model.recalculation
    if rc is None:
        return None
    unit = "events" if model.endpoint == "survival" else "subjects"
    return {"conditional_power": rc.conditional_power, f"min_{unit}": list(rc.min_sizes),
            f"max_{unit}": list(rc.max_sizes), "effect": rc.effect}


def simulate_model(model: SimModel, simulations: int, seed: int, *, chunk_size: int = DEFAULT_CHUNK,
                   progress: Callable[[int, int], object] | None = None,
                   is_cancelled: Callable[[], bool] | None = None, workers: int | None = None,
                   target_power: float | None = None, costs=None,
                   runner: Callable | None = None) -> AdaptiveResult:
    """Simulate ``model`` and summarise (see :mod:`planner.adaptive.simulate`); ``runner``
    replaces :func:`.simulate.run` (the process pool or cluster of :mod:`.engine`)."""
    counts, cancelled = (runner or run)(model, simulations, seed, chunk_size=chunk_size, progress=progress,
                            is_cancelled=is_cancelled, workers=workers)
    notes: list[str] = []
    if counts.n == 0:
        raise RuntimeError("the simulation was cancelled before any trial was simulated")
    if cancelled:
        notes.append(f"cancelled after {counts.n:,} of {simulations:,} simulated trials")
    fractions = [x / model.planned[-1] for x in model.planned]
    if max(abs(a - b) for a, b in zip(fractions, model.information_rates)) > 0.01:
        notes.append("the planned stage sizes are not in the proportions of information_rates: the "
                     "prefixed inverse-normal weights stay valid (type I error is controlled) but "
                     "are not the efficient ones")
    if model.no_effect:
        notes.append(NO_EFFECT_NOTE_K if isinstance(model, KModel) else NO_EFFECT_NOTE)
    if model.endpoint == "survival":
        notes.append("expected subjects and screening follow from the expected events per patient of "
                     "the enrolled population (accrual, follow-up and dropout of the scenario)")
    summary = summarize_k if isinstance(model, KModel) else summarize
    return summary(model, counts, seed=seed, requested=simulations, incomplete=cancelled,
                   target_power=target_power, costs=costs, notes=tuple(notes))


def simulate_scenario(scenario: Scenario, *, simulations: int | None = None, seed: int | None = None,
                      chunk_size: int = DEFAULT_CHUNK,
                      progress: Callable[[int, int], object] | None = None,
                      is_cancelled: Callable[[], bool] | None = None,
                      workers: int | None = None, runner: Callable | None = None) -> AdaptiveResult:
    """Operating characteristics of the scenario's ``designs.adaptive`` by simulation.

    ``simulations`` and ``seed`` default to the design's own; raises :class:`ScenarioError`
    (``designs.adaptive: ...``) when the scenario has no adaptive design.
    """
    opts = scenario.designs.get("adaptive")
    if not isinstance(opts, AdaptiveOptions):
        raise ScenarioError([Problem("designs.adaptive", "is required: the scenario has no adaptive design to simulate")])
    model = model_from_scenario(scenario, opts)  # the cells form: a KModel
    sims = int(opts.simulations if simulations is None else simulations)
    top = FIELDS_BY_PATH["designs.adaptive.simulations"].le
    if not 1 <= sims <= top:
        raise ScenarioError([Problem("designs.adaptive.simulations", f"must be from 1 to {top:,}, got {sims}")])
    the_seed = int(opts.seed if seed is None else seed)
    return simulate_model(model, sims, the_seed, chunk_size=chunk_size, progress=progress,
                          is_cancelled=is_cancelled, workers=workers,
                          target_power=scenario.testing.power, costs=scenario.costs, runner=runner)


__all__ = ["simulate_model", "simulate_scenario", "summarize", "method_text"]
