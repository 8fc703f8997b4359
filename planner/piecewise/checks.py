"""Patient-level checks of the stratified design's claims and of the cells form (``simulate --patient-level``).

Driven by :mod:`planner.patient_level`; the simulation is
:func:`planner.piecewise.simulate.simulate_patients`, the tests on its statistics
:mod:`planner.piecewise.closed_patients`.

* **Two-subgroup stratified design** (:func:`check_stratified`): cells (test-positive,
  test-negative) × (true B+, B−) with probabilities q·PPV, q(1 − PPV), (1 − q)(1 − NPV),
  (1 − q)·NPV (only the two true subgroups with a perfect assay), each with its subgroup's
  piecewise model; the analysis strata are the assay's (test-positive, test-negative). Z_F is
  the log-rank test stratified by test result, Z_S the log-rank test in the test-positive
  stratum. With interims: looks at round(t_k · D) events (D the design's events), the plan's
  closed group-sequential bounds as the design reports them (``looks``: intersection bounds,
  elementary bounds, futility), trials stop when no hypothesis is open (the analytic
  ``stop_when="both"``). Without: one look at D with the design's critical values.
* **Cells form** (:func:`check_cells`), one analysis: cell membership multinomial over the
  cells, per-cell piecewise models, analysis strata = cells; all-comers (everyone, log-rank
  stratified by cell), targeted (the cells of its population, membership renormalised within
  it, stratified by cell) and stratified (Z of F and of every population stratified over their
  cells; the design's closed test, :func:`planner.closed_test.closed_test_reject`, with its
  weights, order and planned H0 correlations). With an interim plan:
  :mod:`planner.piecewise.cells_gs` (the analytic engine's closed group-sequential bounds).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .closed_patients import CLAIMS, closed_test_claims, fixed_bounds, gs_summary
from .logrank import events_power
from .simulate import PatientLevelDesign, simulate_patients

STRATIFIED_WHAT = ("everyone, strata test-positive/test-negative; closed test of H_F (stratified log-rank) "
                   "and H_S (log-rank in test-positives) with the design's multiplicity procedure{looks}")
CELLS_WHAT = {
    "all_comers": "everyone (cells form); log-rank test stratified by cell",
    "targeted": "the population {pop} (cells form); log-rank test stratified by cell",
    "stratified": ("everyone (cells form); F and every population tested by the log-rank test stratified over "
                   "its cells, the design's closed test ({proc}) on the simulated z statistics"),
}
CELLS_ONE_ANALYSIS = "cells form: one analysis"


def _closed_bounds_of(result, opts):
    """The plan's closed-test bounds as the design result reports them (``looks``), or the fixed
    design's critical values at one look."""
    from ..groupseq.stratified import ClosedBounds  # noqa: PLC0415

    looks = getattr(result, "looks", None) or None
    if not looks:
        d = result.details
        g = lambda k: float(np.ravel(d[k])[0])  # noqa: E731
        return fixed_bounds(opts.multiplicity, g("critical_value_overall"), g("critical_value_subgroup"),
                            g("critical_value_single"))
    z = lambda key, fill: np.array([fill if lk.get(key) is None else float(lk[key]) for lk in looks])  # noqa: E731
    fut = z("futility_z", -math.inf)
    fut[-1] = -math.inf
    return ClosedBounds(z("intersection_z_overall", math.inf), z("intersection_z_subgroup", math.inf),
                        z("efficacy_z_overall", math.inf), z("efficacy_z_subgroup", math.inf), fut, fut.copy())


def assay_cells(scenario) -> tuple[tuple, tuple[float, ...], tuple[int, ...]]:
    """(models, shares, analysis strata) of the two-subgroup form's cells test result × true status."""
    from ..assay import assay_mix  # noqa: PLC0415
    from ..patient_level import subgroup_model  # noqa: PLC0415

    pop = scenario.population
    mix = assay_mix(pop.prevalence, pop.assay_sensitivity, pop.assay_specificity)
    q, ppv, pos_neg = (float(x) for x in (mix.p_test_positive, mix.ppv, mix.positive_share_in_test_negative))
    pos, neg = subgroup_model(scenario.positive), subgroup_model(scenario.negative)
    cells = ((q * ppv, pos, 0), (q * (1 - ppv), neg, 0), ((1 - q) * pos_neg, pos, 1), ((1 - q) * (1 - pos_neg), neg, 1))
    cells = tuple(c for c in cells if c[0] > 0)
    return tuple(c[1] for c in cells), tuple(c[0] for c in cells), tuple(c[2] for c in cells)


def check_stratified(scenario, result, simulations: int, seed: int, *,
                     progress: Callable[[int, int], object] | None = None,
                     is_cancelled: Callable[[], bool] | None = None, chunk_size: int = 5000):
    """The two-subgroup stratified design's closed (group-sequential) test, patient by patient."""
    from ..patient_level import PatientLevelCheck  # noqa: PLC0415
    from ..scenario_piecewise import survival_setting  # noqa: PLC0415

    opts = scenario.designs["stratified"]
    looks = getattr(result, "looks", None) or None
    t = scenario.testing
    setting = survival_setting(scenario.survival, t.allocation_ratio)
    models, shares, strata = assay_cells(scenario)
    rates = [lk["information_rate"] for lk in looks] if looks else [1.0]
    events = tuple(max(1, int(round(r * result.events))) for r in rates)
    plan = PatientLevelDesign(models, shares, int(result.n_randomized), setting, events,
                              alpha=t.alpha / t.sides, cell_strata=strata)
    res = simulate_patients(plan, simulations, seed, progress=progress, is_cancelled=is_cancelled,
                            chunk_size=chunk_size)
    bounds = _closed_bounds_of(result, opts)
    sim = gs_summary(res, (0,), bounds, "both")
    primary = _primary_claim(opts.size_for)
    analytic = {name: float(_field(result, "power_" + name)) for name in CLAIMS}
    if looks:
        analytic["stop_by_look"] = [float(lk["stop_probability"]) for lk in looks]
        analytic[primary + "_by_look"] = [float(lk["reject_probability"]) for lk in looks]
        analytic["expected_events"] = float(result.expected_events_h1)
        analytic["expected_patients"] = float(result.expected_n_h1)
        method = f"the design's closed group-sequential test over {len(looks)} looks (planner.groupseq.stratified)"
    else:
        analytic["expected_events"] = float(result.expected_events or result.events)
        analytic["expected_patients"] = float(result.n_randomized)
        method = "the design's closed test at one analysis (bivariate normal, planner.designs.stratified)"
    claims = {"multiplicity": opts.multiplicity, "primary": primary, "look_events": list(events),
              "bounds": bounds.to_dict(), "simulated": sim, "analytic": analytic}
    what = STRATIFIED_WHAT.format(looks=f", {len(events)} looks at the plan's bounds" if looks else "")
    cells = [(s, mdl, 1.0, 0.0) for s, mdl in zip(shares, models)]
    _, time, _ = events_power(cells, setting, float(events[-1]), float(result.n_randomized), t.alpha / t.sides)
    return PatientLevelCheck("stratified", int(result.n_randomized), int(events[-1]), sim[primary], sim[primary + "_se"],
                             analytic[primary], _mean_time(res), float(np.ravel(time)[0]), res.simulations,
                             res.incomplete, what, len(events), method, sim["expected_events"], claims)


def _primary_claim(size_for: str) -> str:
    return size_for if size_for in CLAIMS else "subgroup"


def _field(result, name: str):
    """A result field (attribute, else its contract dictionary's)."""
    value = getattr(result, name, None)
    return result.to_dict()[name] if value is None else value


def _mean_time(res) -> float:
    """Mean calendar time of the last analysis over the trials that reach its events."""
    last = res.times[:, -1]
    return float(np.mean(last[np.isfinite(last)])) if np.isfinite(last).any() else math.nan


# --------------------------------------------------------------------------- cells form
def _cells_models(scenario):
    from ..patient_level import subgroup_model  # noqa: PLC0415
    from ..populations import cells_structure  # noqa: PLC0415

    st = cells_structure(scenario.population)
    models = tuple(subgroup_model(scenario.cells[name]) for name in st.cells)
    return st, models, tuple(float(p) for p in st.prevalence)


def cells_design_setup(scenario, name: str) -> tuple:
    """(options, structure, cell models, prevalences, one-sided α, survival setting, the design's
    cells, their shares) of fixed design ``name`` in a cells-form survival scenario: targeted
    enrols its population's cells, the other designs every cell (shares renormalised)."""
    from ..scenario_piecewise import survival_setting  # noqa: PLC0415

    opts = scenario.designs[name]
    st, models, prev = _cells_models(scenario)
    t = scenario.testing
    setting = survival_setting(scenario.survival, t.allocation_ratio)
    members = st.members(opts.population or st.names[1]) if name == "targeted" else tuple(range(len(st.cells)))
    total = sum(prev[i] for i in members)
    return opts, st, models, prev, t.alpha / t.sides, setting, members, tuple(prev[i] / total for i in members)


def check_cells_design(scenario, name: str, result, simulations: int, seed: int, *,
                       progress: Callable[[int, int], object] | None = None,
                       is_cancelled: Callable[[], bool] | None = None, chunk_size: int = 5000):
    """One fixed design of a cells-form survival scenario at one analysis (see module); with
    interim looks :func:`planner.piecewise.cells_gs.check_cells_looks`."""
    from ..designs.multipop import _order_indices, _v1_multiplicity, _weights  # noqa: PLC0415
    from ..patient_level import PatientLevelCheck  # noqa: PLC0415

    if getattr(result, "looks", None):
        from .cells_gs import check_cells_looks  # noqa: PLC0415

        return check_cells_looks(scenario, name, result, simulations, seed, progress=progress,
                                 is_cancelled=is_cancelled, chunk_size=chunk_size)
    opts, st, models, prev, alpha, setting, members, shares = cells_design_setup(scenario, name)
    plan = PatientLevelDesign(tuple(models[i] for i in members), shares, int(result.n_randomized), setting,
                              (int(result.events),), alpha=alpha)
    res = simulate_patients(plan, simulations, seed, progress=progress, is_cancelled=is_cancelled,
                            chunk_size=chunk_size)
    mean_time = _mean_time(res)
    cells = [(s, models[i], 1.0, 0.0) for s, i in zip(shares, members)]
    power, time, _ = events_power(cells, setting, float(result.events), float(result.n_randomized), alpha)
    what = CELLS_WHAT[name].format(pop=opts.population or st.names[1], proc=opts.multiplicity)
    common = dict(design=name, n_randomized=int(result.n_randomized), events=int(result.events), simulations=res.simulations,
                  incomplete=res.incomplete, what=what, mean_analysis_time=mean_time,
                  analytic_analysis_time=float(np.ravel(time)[0]), simulated_expected_events=res.expected_events)
    if name != "stratified":
        return PatientLevelCheck(simulated_power=res.power, simulated_se=res.power_se,
                                 analytic_power=float(result.power), analytic_method=
                                 "the design's power (average hazard ratio, Schoenfeld), one analysis", **common)
    names = tuple(result.details["hypotheses"])
    corr0 = np.asarray(result.details["correlation_h0_matrix"], dtype=float)
    m = len(names)
    rule = "spiessens_debois" if m == 2 and _v1_multiplicity(opts) is not None else "xi"
    sim = closed_test_claims(res, [st.members(h) for h in names], corr0, alpha, opts.multiplicity,
                             weights=_weights(opts, m), order=_order_indices(opts, names), parametric_rule=rule)
    by_pop = _field(result, "power_by_population")
    analytic = {"reject": [float(by_pop[h]) for h in names], "at_least_one": float(_field(result, "power_at_least_one")),
                "all": float(_field(result, "power_all"))}
    sized = opts.size_for
    key = (lambda d: d[sized]) if sized in ("at_least_one", "all") else (lambda d: d["reject"][names.index(sized)])
    key_se = (lambda d: d[sized + "_se"]) if sized in ("at_least_one", "all") else \
        (lambda d: d["reject_se"][names.index(sized)])
    claims = {"multiplicity": opts.multiplicity, "hypotheses": list(names), "primary": sized,
              "simulated": sim, "analytic": analytic, "note": CELLS_ONE_ANALYSIS}
    return PatientLevelCheck(simulated_power=key(sim), simulated_se=key_se(sim), analytic_power=key(analytic),
                             analytic_method="the design's closed test at one analysis (multivariate normal, "
                                             "planner.closed_test)", claims=claims, **common)
