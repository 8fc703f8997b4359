"""The several-populations simulation's counts as an :class:`AdaptiveResult`.

Per hypothesis name ("F" and the populations): ``reject_by_population`` = P(rejected at some
stage), ``selected_by_population`` = P(selected at the last stage, i.e. the trial reaches the
last stage with it) — rpact's ``sum(rejectedPopulationsPerStage)`` and
``selectedPopulations[kMax]`` — each with its binomial Monte Carlo SE √(p(1 − p)/n).

The two-subset fields keep their meaning with S = the first population: ``reject_subgroup``
(first population), ``reject_overall`` (F), ``reject_both`` (both of them); ``select_*`` the first
interim's decision (first population only, F only, both among those continuing); ``reject_all``
is every hypothesis rejected.
"""

from __future__ import annotations

import math

import numpy as np

from .boundaries import BOUNDARY_TEXT
from .closed_testing import INTERSECTION_TEXT
from .kmodel import KModel
from .recalculation import exact_moments
from .results import AdaptiveResult, prop_se, size_fields
from .selection import K_SELECTION_TEXT
from .stageloop import KCounts

_ENDPOINT_TEXT = {
    "continuous": "normal outcomes with known variance per cell (rpact getSimulationEnrichmentMeans)",
    "binary": "binomial counts per cell and arm, pooled-variance z (rpact getSimulationEnrichmentRates)",
    "survival": "log-rank statistics per cell from the stage's events, N(−ln HR·√(c·d), 1) "
                "(rpact getSimulationEnrichmentSurvival)",
}


def k_method_text(model: KModel) -> str:
    """Human-readable description of the several-populations simulation."""
    from .api import combination_text, f_test_text, futility_text

    measure = "z statistic" if model.effect_measure == "test_statistic" else "effect estimate"
    sel = K_SELECTION_TEXT[model.selection_rule].format(
        measure=measure, epsilon=model.epsilon, threshold=model.threshold, r=model.r)
    pops = ", ".join(f"{n} ({'+'.join(c for c, m in zip(model.cell_names, row) if m)})"
                     for n, row in zip(model.names[1:], model.membership[1:]))
    f_test, fut = f_test_text(model), futility_text(model)
    closed = (f"closed test of F (everyone, {f_test}) and {pops} over all "
              f"{2 ** model.hypotheses - 1} intersection hypotheses with the "
              f"{INTERSECTION_TEXT[model.intersection_test]} intersection test")
    if model.stages == 1:
        head = f"single-stage enrichment simulation over {model.cells} cells: {closed}"
    else:
        head = (f"adaptive enrichment simulation over {model.cells} cells, {model.stages} stages: "
                f"{combination_text(model)} with {BOUNDARY_TEXT[model.boundaries]}{fut}; {closed}; "
                f"interim selection: {sel}")
    return f"{head}; success: {model.success_criterion.replace('_', ' ')}; {_ENDPOINT_TEXT[model.endpoint]}"


def _p(count, n: int) -> tuple[float, float]:
    p = float(count) / n
    return p, float(prop_se(p, n))


def _per_stage(model: KModel, counts: KCounts) -> dict:
    n, A, names = counts.n, counts.arrays, model.names
    k_max = model.stages
    early = slice(0, k_max - 1)
    rej = A["rejected"] / n
    sel = A["selected"] / n
    out: dict = {
        "reject_by_population_per_stage": {g: rej[i] for i, g in enumerate(names)},
        "selected_by_population_per_stage": {g: sel[i] for i, g in enumerate(names)},
        # the two-subset names, with S = the first population
        "reject_subgroup_per_stage": rej[1], "reject_overall_per_stage": rej[0],
        "selected_subgroup_per_stage": sel[1], "selected_overall_per_stage": sel[0],
        "success_per_stage": A["success"] / n,
        "futility_per_stage": A["futility"][early] / n,
        "early_stop_per_stage": (A["success"][early] + A["futility"][early]) / n,
        "trials_per_stage": A["reached"],
    }
    for key in ("reject_subgroup_per_stage", "reject_overall_per_stage", "selected_subgroup_per_stage",
                "selected_overall_per_stage", "success_per_stage", "futility_per_stage",
                "early_stop_per_stage"):
        out[key + "_se"] = prop_se(out[key], n)
    return out


def summarize_k(model: KModel, counts: KCounts, *, seed: int, requested: int, incomplete: bool,
                target_power: float | None = None, costs=None, notes: tuple[str, ...] = ()) -> AdaptiveResult:
    """Probabilities with binomial SEs, expected sizes with SEs from the per-trial sums."""
    n, A, names = counts.n, counts.arrays, model.names
    k_max = model.stages
    rej = {g: _p(A["rej_total"][i], n) for i, g in enumerate(names)}
    sel = {g: _p(A["selected_last"][i], n) for i, g in enumerate(names)}
    cfg = A["first_config"]
    codes = np.arange(len(cfg))
    first_only = cfg[codes == 2].sum() if k_max > 1 else 0
    f_only = cfg[codes == 1].sum() if k_max > 1 else 0
    both = cfg[(codes & 3) == 3].sum() if k_max > 1 else n
    early = slice(0, k_max - 1)
    probs = {
        "reject_subgroup": rej[names[1]], "reject_overall": rej[names[0]],
        "reject_at_least_one": _p(A["rej_any"][0], n), "success": _p(A["success_total"][0], n),
        "early_stop_efficacy": _p(A["success"][early].sum(), n),
        "early_stop_futility": _p(A["futility"][early].sum(), n),
        "select_subgroup_only": _p(first_only, n), "select_overall_only": _p(f_only, n),
        "select_both": _p(both, n),
    }
    kw = {}
    for key, (p, se) in probs.items():
        kw[key], kw[key + "_se"] = p, se
    kw["reject_all"], kw["reject_all_se"] = _p(A["rej_all"][0], n)
    kw["reject_both"], kw["reject_both_se"] = _p(A["rej_both"][0], n)
    surv = model.endpoint == "survival"
    planned_max = model.planned[-1]
    sizes = size_fields(surv, exact_moments(counts.sums, "units", n), exact_moments(counts.sums, "subjects", n),
                        exact_moments(counts.sums, "screened", n),
                        None if surv else int(math.ceil(planned_max - 1e-9)), planned_max, costs)
    return AdaptiveResult(
        endpoint=model.endpoint, method=k_method_text(model), simulations=n,
        requested_simulations=requested, seed=int(seed), incomplete=incomplete, **sizes,
        success_criterion=model.success_criterion, target_power=target_power, stages=k_max,
        information_rates=tuple(model.information_rates), planned=tuple(model.planned),
        critical_values=tuple(model.critical),
        futility_bounds=tuple(model.futility_bounds) if model.futility_bounds else None,
        per_stage=_per_stage(model, counts), notes=notes, combination=model.combination,
        populations=tuple(names),
        reject_by_population={g: v[0] for g, v in rej.items()},
        reject_by_population_se={g: v[1] for g, v in rej.items()},
        selected_by_population={g: v[0] for g, v in sel.items()},
        selected_by_population_se={g: v[1] for g, v in sel.items()},
        **kw,
    )
