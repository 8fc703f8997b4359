"""The strategy and interaction designs simulated patient by patient (``simulate --patient-level``).

Driven by :func:`planner.patient_level.check_scenario`; the trials are those of
:func:`planner.piecewise.simulate.simulate_patients` (calendar-time accrual, multinomial cell
membership, per-cell piecewise or exponential hazards, exact r : 1 allocation, analyses at the
calendar time of the D_k-th event of everyone randomized), and the test is the one the analytic
design tests (:mod:`planner.designs.build`, :mod:`planner.designs.multipop`, Methods §3).

* **Strategy** (:func:`strategy_cells`): everyone is randomized r : 1 between the marker-based
  arm A (the treatment arm of the simulator: test-positives — in the cells form the cells of the
  targeted population — receive the treatment, the others control) and the non-marker arm B
  (everyone on control, ``control_arm: standard``; or randomized 1 : 1 between treatment and
  control, ``randomized``: an independent fair coin per patient). The cells are the analytic
  model's own (:func:`planner.contrasts.strategy_cells`: true status × test result; the cells
  form's cells, :meth:`planner.populations.PopulationStructure.treating`), each patient's hazard
  that of its true subgroup (cell) and of the treatment it receives in its arm. The test is the
  log-rank test of arm A against arm B **stratified by those cells** — the analytic contrast is
  the event-weighted mean log hazard ratio over them, exactly the stratified score's drift with a
  treatment fraction 0 or 1 per cell and arm; a randomized non-marker arm mixes two hazards in a
  cell, which the analytic design takes to first order (half the cell's log HR) and the
  simulation does not.
* **Interaction** (:func:`interaction_hypotheses`): everyone randomized treatment : control r : 1;
  cells true status × test result (two-subgroup form) or the cells (cells form), each its own
  stratum. For a population P against its complement: θ̂_P = Σ_{c∈P} U_c / Σ_{c∈P} V_c, the
  log-rank (score) estimate of −ln HR stratified over P's cells, with variance 1/Σ V_c, and
  Z = (θ̂_P − θ̂_{not P}) / √(1/V_P + 1/V_{not P}) — the analytic statistic
  (:func:`planner.contrasts.linear_stat` with coefficients (1, −1) on the two Schoenfeld
  contrasts) with the observed information in place of the expected. The two-subgroup form
  tests test-positives against test-negatives; the cells form every population (the first, or
  ``designs.interaction.population``, is the design's power).

With an interim plan in force the looks are at D_k = round(t_k · D) events of everyone
(:func:`planner.piecewise.cells_gs.look_events`), the statistic is recomputed at each look from
that look's data and compared with the plan's efficacy bounds c_k and futility bounds f_k as the
design result reports them (``looks``); a trial stops at the first look with Z_k ≥ c_k or
Z_k ≤ f_k (futility followed, as the analytic power). Beside: the design's own power (fixed or
group-sequential), per look its rejection and stopping probabilities.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from types import SimpleNamespace

import numpy as np

from .closed_patients import proportion
from .logrank import analysis_time
from .model import PiecewiseSurvival
from .simulate import PatientLevelDesign, simulate_patients

CONTRAST_DESIGNS = ("strategy", "interaction")
CONTRAST_WHAT = {
    "strategy": ("everyone; marker-based arm (treatment for {treated}, control otherwise) against the non-marker "
                 "arm ({control}); log-rank test stratified by {strata}"),
    "interaction": ("everyone, treatment against control; interaction test (θ̂ of {pos} − θ̂ of {neg}, log-rank "
                    "estimates stratified by {strata}, observed information)"),
}
NON_MARKER = {"standard": "everyone on control", "randomized": "randomized 1 : 1 treatment : control"}


def arm_model(model: PiecewiseSurvival, treated_a: bool, treated_b: bool) -> PiecewiseSurvival:
    """A cell's hazards in the simulator's two arms: arm A (its "treatment" arm) treated or not,
    arm B (its "control" arm) treated or not — as a :class:`PiecewiseSurvival` with arm B's
    hazards as control hazards and arm A's over B's as hazard ratios."""
    a = model.hazards("treatment" if treated_a else "control")
    b = model.hazards("treatment" if treated_b else "control")
    if treated_a and not treated_b:
        return model
    return PiecewiseSurvival(model.starts, tuple(b), tuple(a / b))


def split_cells(cells) -> tuple[tuple, tuple[float, ...], tuple[int, ...]]:
    """(models, shares, strata) for the simulator from contrast cells (weight, model, t_a, t_b).

    A fraction 0 < t < 1 of an arm treated is an independent coin per patient: the cell is split
    into its (treated in A, treated in B) parts with the products of the fractions as shares, all
    in the cell's stratum. Cells of zero weight are left out (strata renumbered)."""
    models, shares, strata = [], [], []
    stratum = 0
    for w, model, ta, tb in cells:
        w = float(np.ravel(w)[0])
        if w <= 0:
            continue
        for a, pa in ((True, ta), (False, 1.0 - ta)):
            for b, pb in ((True, tb), (False, 1.0 - tb)):
                if pa * pb > 0:
                    models.append(arm_model(model, a, b))
                    shares.append(w * pa * pb)
                    strata.append(stratum)
        stratum += 1
    total = sum(shares)
    return tuple(models), tuple(s / total for s in shares), tuple(strata)


def _models(scenario):
    """{outcome group: model}: B+/B− (two-subgroup form) or every cell (cells form)."""
    from ..patient_level import subgroup_model  # noqa: PLC0415

    if getattr(scenario, "has_cells", False):
        return {name: subgroup_model(sub) for name, sub in scenario.cells.items()}
    return {"positive": subgroup_model(scenario.positive), "negative": subgroup_model(scenario.negative)}


def _structure(scenario):
    from ..populations import cells_structure  # noqa: PLC0415

    return cells_structure(scenario.population)


def strategy_cells(scenario) -> tuple[list, str, str]:
    """(cells (weight, model, t_a, t_b), who is treated in the marker-based arm, strata) of the
    strategy design: the analytic model's cells (see module)."""
    from ..contrasts import strategy_cells as analytic_cells  # noqa: PLC0415

    opts = scenario.designs["strategy"]
    tb = 0.5 if opts.control_arm == "randomized" else 0.0
    models = _models(scenario)
    if getattr(scenario, "has_cells", False):
        st = _structure(scenario)
        name = opts.population or st.names[1]
        raw = st.treating(st.members(name), tb)
        return ([(w, models[g], ta, b) for w, g, ta, b in raw], f"the cells of {name}", "cell")
    pop = scenario.population
    par = SimpleNamespace(prevalence=pop.prevalence, sensitivity=pop.assay_sensitivity,
                          specificity=pop.assay_specificity)
    raw = analytic_cells(par, tb == 0.5)
    return ([(w, models[g], ta, b) for w, g, ta, b in raw], "test-positives", "true status × test result")


def interaction_hypotheses(scenario) -> tuple[list, list[tuple[str, tuple[int, ...], tuple[int, ...]]], str]:
    """(cells (weight, model, 1, 0) each its own stratum, [(population, its strata, the
    complement's strata)], the primary population) of the interaction design (see module)."""
    models = _models(scenario)
    if getattr(scenario, "has_cells", False):
        st = _structure(scenario)
        cells = [(float(st.prevalence[i]), models[st.cells[i]], 1.0, 0.0) for i in range(len(st.cells))]
        hyps = [(name, st.members(name), st.complement(name)) for name in st.names[1:]]
        primary = scenario.designs["interaction"].population or st.names[1]
        return cells, _renumber(cells, hyps), primary
    from .checks import assay_cells  # noqa: PLC0415

    mdl, shares, test_neg = assay_cells(scenario)
    cells = [(w, m, 1.0, 0.0) for w, m in zip(shares, mdl)]
    pos = tuple(i for i, s in enumerate(test_neg) if s == 0)
    neg = tuple(i for i, s in enumerate(test_neg) if s == 1)
    return cells, [("test-positive", pos, neg)], "test-positive"


def _renumber(cells, hyps):
    """Strata indices after :func:`split_cells` leaves out cells of zero weight."""
    kept = [i for i, c in enumerate(cells) if float(c[0]) > 0]
    new = {old: j for j, old in enumerate(kept)}
    return [(h, tuple(new[i] for i in a if i in new), tuple(new[i] for i in b if i in new)) for h, a, b in hyps]


def interaction_z(res, inside, outside) -> np.ndarray:
    """(trials, looks): (θ̂_in − θ̂_out)/√(1/V_in + 1/V_out), θ̂ = ΣU/ΣV over the strata; NaN
    when a side has no events (never crosses a bound)."""
    u_in, v_in = res.u[..., list(inside)].sum(-1), res.v[..., list(inside)].sum(-1)
    u_out, v_out = res.u[..., list(outside)].sum(-1), res.v[..., list(outside)].sum(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (u_in / v_in - u_out / v_out) / np.sqrt(1.0 / v_in + 1.0 / v_out)
    return np.where(np.isfinite(z), z, np.nan)


def _plan(models, shares, strata, result, setting, alpha: float) -> PatientLevelDesign:
    """The simulator's design: one look at the design's events, or the plan's looks and bounds."""
    looks = getattr(result, "looks", None) or None
    if not looks:
        return PatientLevelDesign(models, shares, int(result.n_randomized), setting, (int(result.events),),
                                  alpha=alpha, cell_strata=strata)
    from .cells_gs import look_events  # noqa: PLC0415

    crit = tuple(math.inf if lk.get("efficacy_z") is None else float(lk["efficacy_z"]) for lk in looks)
    fut = tuple(-math.inf if lk.get("futility_z") is None else float(lk["futility_z"]) for lk in looks[:-1])
    return PatientLevelDesign(models, shares, int(result.n_randomized), setting, look_events(result),
                              critical_values=crit, futility_bounds=fut, alpha=alpha, cell_strata=strata)


def _analytic_by_population(result, names) -> list[float]:
    """The design's power of each population's interaction test (cells form: its claims)."""
    d = result.to_dict()
    by_pop = d.get("power_by_population") or {}
    return [float(by_pop[h]) if h in by_pop else math.nan for h in names]


def check_contrast_design(scenario, name: str, result, simulations: int, seed: int, *,
                          progress: Callable[[int, int], object] | None = None,
                          is_cancelled: Callable[[], bool] | None = None, chunk_size: int = 5000):
    """The strategy or interaction design of ``scenario`` (either form) at the size and events of
    its ``result``, patient by patient, beside the design's power (see module)."""
    from ..patient_level import PatientLevelCheck  # noqa: PLC0415
    from ..scenario_piecewise import survival_setting  # noqa: PLC0415
    from .cells_gs import lookwise_single, single_test  # noqa: PLC0415
    from .checks import _mean_time  # noqa: PLC0415

    t = scenario.testing
    setting = survival_setting(scenario.survival, t.allocation_ratio)
    alpha = t.alpha / t.sides
    if name == "strategy":
        cells, treated, strata_text = strategy_cells(scenario)
        control = NON_MARKER[scenario.designs["strategy"].control_arm]
        what = CONTRAST_WHAT[name].format(treated=treated, control=control, strata=strata_text)
        hyps, primary = [], None
    else:
        cells, hyps, primary = interaction_hypotheses(scenario)
        cells_form = getattr(scenario, "has_cells", False)
        what = CONTRAST_WHAT[name].format(pos="each population" if cells_form else "test-positives",
                                          neg="its complement" if cells_form else "test-negatives",
                                          strata="cell" if cells_form else "true status")
    models, shares, strata = split_cells(cells)
    plan = _plan(models, shares, strata, result, setting, alpha)
    res = simulate_patients(plan, simulations, seed, progress=progress, is_cancelled=is_cancelled,
                            chunk_size=chunk_size)
    claims: dict | None = None
    if hyps:
        zs = {h: interaction_z(res, a, b) for h, a, b in hyps}
        per = {h: replace(res, z=z) for h, z in zs.items()}
        names = [h for h, _, _ in hyps]
        if len(names) > 1:
            sim = [proportion(per[h]._stops()[1]) for h in names]
            claims = {"hypotheses": names, "primary": primary,
                      "simulated": {"reject": [p for p, _ in sim], "reject_se": [s for _, s in sim]},
                      "analytic": {"reject": _analytic_by_population(result, names)}}
        res = per[primary]
    k = len(plan.events)
    if k > 1:
        gs = single_test(res, result)
        if name == "strategy":  # each look's own moments (the plan's √t law ignores the cells' changing shares)
            gs["lookwise"] = lookwise_single(cells, setting, plan.events, float(result.n_randomized), result)
        claims = {**gs, **({"populations": claims} if claims else {})}
        method = f"the design's group-sequential power over {k} looks (planner.groupseq)"
    else:
        method = "the design's power (" + ("average hazard ratio, " if _piecewise(scenario) else "") + \
                 "Schoenfeld), one analysis"
    flat = [(float(np.ravel(w)[0]), m, ta, tb) for w, m, ta, tb in cells]
    time = analysis_time(flat, setting, float(plan.events[-1]), float(result.n_randomized))
    what += f"; {k} looks at the plan's bounds" if k > 1 else ""
    return PatientLevelCheck(name, int(result.n_randomized), int(plan.events[-1]), res.power, res.power_se,
                             float(result.power), _mean_time(res), float(np.ravel(time)[0]), res.simulations,
                             res.incomplete, what, k, method, res.expected_events, claims)


def _piecewise(scenario) -> bool:
    from ..scenario_piecewise import uses_piecewise  # noqa: PLC0415

    return bool(uses_piecewise(scenario))
