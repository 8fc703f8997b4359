"""The cells form's designs under an interim plan, simulated patient by patient.

Driven by :func:`planner.piecewise.checks.check_cells_design` when the design result has ``looks``.
The trials are those of :func:`planner.piecewise.simulate.simulate_patients`: calendar-time
accrual, multinomial cell membership (the cells' prevalences), per-cell piecewise (or exponential)
hazards, analysis strata = cells, look k at the calendar time of the D_k-th event of everyone
analysed (D_k = round(t_k · D), t_k the plan's information rates, D the design's maximum events).

* **All-comers, targeted** (:func:`single_test`): the log-rank test stratified by cell (targeted:
  the cells of its population, membership renormalised within it) against the plan's efficacy
  bounds c_k and futility bounds f_k as the design result reports them (``looks``), stopping at the
  first look with Z_k ≥ c_k or Z_k ≤ f_k; beside the design's group-sequential power and its
  per-look rejection probabilities (:mod:`planner.groupseq`).
* **Stratified, F and several populations** (:func:`multi_test`): Z_{j,k} = Σ_{c∈P_j} U_{c,k} /
  √Σ_{c∈P_j} V_{c,k}, the log-rank statistic of hypothesis j stratified over its cells; the closed
  group-sequential test of the analytic engine — its bounds for every intersection hypothesis and
  its futility bounds (:meth:`planner.groupseq.multipop_model.MultiPopSequentialModel.bounds`) and
  its per-trial decision function :func:`planner.groupseq.multipop.run_procedure` — applied to the
  simulated statistics (no second copy of the closed-test logic). Beside: the design's claims and
  the engine's per-look claims and stopping probabilities (:func:`planner.groupseq.multipop.operating`,
  randomized QMC, with their standard errors).
* **Stratified, one population** (F and P): the two-hypothesis closed group-sequential test of
  :mod:`planner.groupseq.stratified` with the bounds the design reports
  (:func:`planner.piecewise.closed_patients.gs_summary`, the two-subgroup path's).

Claims are proportions with Monte Carlo SE √(p(1 − p)/n); expected events and patients (at the
stopping look) means with SE sd/√n.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .closed_patients import mean_se, proportion
from .simulate import PatientLevelDesign, simulate_patients

GS_NOTE = "cells form: {k} looks at the plan's event counts of F, the design's closed group-sequential bounds"


def look_events(result) -> tuple[int, ...]:
    """D_k = round(t_k · D) per look (at least 1)."""
    return tuple(max(1, int(round(float(lk["information_rate"]) * float(result.events)))) for lk in result.looks)


def plan_model(scenario, name: str):
    """The design's model under its interim plan, rebuilt as :func:`planner.compute` builds it."""
    from ..compute import _cells_options  # noqa: PLC0415
    from ..designs.build import build_model  # noqa: PLC0415
    from ..params import params_from_scenario  # noqa: PLC0415

    opts = scenario.resolved_options(name, scenario.designs[name])
    opts, _ = _cells_options(scenario, name, opts)
    return build_model(name, params_from_scenario(scenario), opts)


def simulate_looks(models, shares, result, setting, alpha: float, simulations: int, seed: int, **kw):
    """Simulate ``result``'s trials with its looks, the plan's single-test bounds attached."""
    looks = result.looks
    crit = tuple(math.inf if lk.get("efficacy_z") is None else float(lk["efficacy_z"]) for lk in looks)
    fut = tuple(-math.inf if lk.get("futility_z") is None else float(lk["futility_z"]) for lk in looks[:-1])
    plan = PatientLevelDesign(tuple(models), tuple(shares), int(result.n_randomized), setting, look_events(result),
                              critical_values=crit, futility_bounds=fut, alpha=alpha)
    return simulate_patients(plan, simulations, seed, **kw)


def single_test(res, result) -> dict:
    """All-comers or targeted with looks: rejection and stopping per look, simulated and analytic."""
    look, rejected = res._stops()
    k_max = res.z.shape[1]
    rej = [proportion(rejected & (look == k)) for k in range(k_max)]
    stop = [proportion(np.minimum(look, k_max - 1) == k) for k in range(k_max)]
    at = np.minimum(look, k_max - 1)[:, None]
    events = np.take_along_axis(res.events.sum(axis=2), at, 1)[:, 0]
    patients = np.take_along_axis(res.enrolled, at, 1)[:, 0]
    sim = {"reject_by_look": [p for p, _ in rej], "reject_by_look_se": [s for _, s in rej],
           "stop_by_look": [p for p, _ in stop], "stop_by_look_se": [s for _, s in stop]}
    sim["expected_events"], sim["expected_events_se"] = mean_se(events)
    sim["expected_patients"], sim["expected_patients_se"] = mean_se(patients)
    looks = result.looks
    analytic = {"reject_by_look": [float(lk["reject_probability"]) for lk in looks],
                "stop_by_look": [float(lk["stop_probability"]) for lk in looks],
                "expected_events": float(result.expected_events_h1)}
    return {"look_events": list(res.design.events), "simulated": sim, "analytic": analytic}


def lookwise_single(cells, setting, events, n_patients: float, result) -> dict | None:
    """The one-test design's per-look rejection with each look's own moments (independent of the
    plan's proportional information; :func:`planner.piecewise.lookwise.lookwise_joint`, the
    log-rank Z over ``cells`` (weight, model, 1, 0) at the expected time of each look's events),
    against the plan's efficacy bounds. None with futility bounds (not followed here)."""
    from ..groupseq.mvn import rect_prob  # noqa: PLC0415
    from .lookwise import lookwise_joint  # noqa: PLC0415

    looks = result.looks
    if any(lk.get("futility_z") is not None for lk in looks[:-1]):
        return None
    cells = list(cells)
    if len(cells) == 1:  # lookwise_joint needs two parts: one cell split in halves (the same law)
        w, mdl, a, b = cells[0]
        cells = [(w / 2, mdl, a, b), (w / 2, mdl, a, b)]
    mean, corr, times = lookwise_joint(cells[:1], cells[1:], setting, events, n_patients)
    mu, c = mean[0::2], corr[0::2, 0::2]
    crit = np.array([math.inf if lk.get("efficacy_z") is None else float(lk["efficacy_z"]) for lk in looks])
    none_by = [float(rect_prob(crit[:k + 1], mu[:k + 1], c[:k + 1, :k + 1])) for k in range(len(looks))]
    reject = np.diff(np.r_[0.0, 1.0 - np.asarray(none_by)])
    return {"reject_by_look": reject.tolist(), "power": float(reject.sum()), "mean_z": mu.tolist(),
            "times": np.asarray(times).tolist()}


def hypothesis_z(res, hypotheses) -> np.ndarray:
    """(trials, K·m) look-major: Z of every hypothesis (its strata) at every look; NaN (no events) → −∞."""
    z = np.stack([res.z_of(h) for h in hypotheses], axis=-1)          # (trials, K, m)
    return np.nan_to_num(z, nan=-np.inf).reshape(z.shape[0], -1)


def multi_claims(res, hypotheses, bounds) -> dict:
    """The engine's closed group-sequential test (:func:`planner.groupseq.multipop.run_procedure`)
    on the simulated statistics: per hypothesis, at least one, all (each with ``_se``), per look the
    claims first made there and the stops, expected events and patients at the stop."""
    from ..groupseq.multipop import _claims_of, run_procedure  # noqa: PLC0415

    out = run_procedure(hypothesis_z(res, hypotheses), bounds)
    by_look = np.stack([_claims_of(out["reject"][k]) for k in range(out["reject"].shape[0])])  # (K, m+2, n)
    k_max, m = by_look.shape[0], len(hypotheses)
    first = np.diff(np.concatenate([np.zeros_like(by_look[:1]), by_look]).astype(np.int8), axis=0) > 0
    sim: dict = {"reject": [], "reject_se": [], "reject_by_look": [], "reject_by_look_se": []}
    for j in range(m + 2):
        p, se = proportion(by_look[-1, j])
        pairs = [proportion(first[k, j]) for k in range(k_max)]
        looks, looks_se = [x for x, _ in pairs], [s for _, s in pairs]
        if j < m:
            sim["reject"].append(p)
            sim["reject_se"].append(se)
            sim["reject_by_look"].append(looks)
            sim["reject_by_look_se"].append(looks_se)
        else:
            key = ("at_least_one", "all")[j - m]
            sim[key], sim[key + "_se"] = p, se
            sim[key + "_by_look"], sim[key + "_by_look_se"] = looks, looks_se
    stop = out["stop"]
    pairs = [proportion(stop == k) for k in range(k_max)]
    sim["stop_by_look"], sim["stop_by_look_se"] = [p for p, _ in pairs], [s for _, s in pairs]
    at = stop[:, None]
    sim["expected_events"], sim["expected_events_se"] = mean_se(np.take_along_axis(res.events.sum(axis=2), at, 1)[:, 0])
    sim["expected_patients"], sim["expected_patients_se"] = mean_se(np.take_along_axis(res.enrolled, at, 1)[:, 0])
    return sim


def multi_analytic(model, result, names) -> dict:
    """The design's claims (result fields) and the engine's per-look claims and stops at its N
    (:meth:`~planner.groupseq.multipop_model.MultiPopSequentialModel.operating`), with the QMC SEs."""
    op = model.operating(float(result.n_randomized))
    claims, se = op["claims"], op["se"]                                  # (m + 2, K) cumulative
    m = len(names)
    first = np.diff(np.concatenate([np.zeros((m + 2, 1)), claims], axis=1), axis=1)
    d = result.to_dict()
    out = {"reject": [float(d["power_by_population"][h]) for h in names],
           "reject_qmc_se": [float(x) for x in se[:m, -1]],
           "at_least_one": float(d["power_at_least_one"]), "all": float(d["power_all"]),
           "at_least_one_qmc_se": float(se[m, -1]), "all_qmc_se": float(se[m + 1, -1]),
           "reject_by_look": first[:m].tolist(), "at_least_one_by_look": first[m].tolist(),
           "all_by_look": first[m + 1].tolist(), "stop_by_look": [float(x) for x in op["stop"]],
           "stop_by_look_qmc_se": [float(x) for x in op["stop_se"]],
           "expected_events": float(result.expected_events_h1),
           "expected_patients": float(result.expected_n_h1)}
    return out


def one_population_claims(res, result, opts, population_strata, names) -> tuple[dict, dict]:
    """F and one population: the two-subgroup path's closed GS test (:func:`gs_summary`), renamed."""
    from .checks import _closed_bounds_of, _field  # noqa: PLC0415
    from .closed_patients import gs_summary  # noqa: PLC0415

    s = gs_summary(res, population_strata, _closed_bounds_of(result, opts), "both")
    sim = {"reject": [s["overall"], s["subgroup"]], "reject_se": [s["overall_se"], s["subgroup_se"]],
           "reject_by_look": [s["overall_by_look"], s["subgroup_by_look"]],
           "reject_by_look_se": [s["overall_by_look_se"], s["subgroup_by_look_se"]],
           "at_least_one": s["either"], "at_least_one_se": s["either_se"], "all": s["both"], "all_se": s["both_se"]}
    for key in ("stop_by_look", "stop_by_look_se", "expected_events", "expected_events_se", "expected_patients",
                "expected_patients_se"):
        sim[key] = s[key]
    for ours, theirs in (("at_least_one", "either"), ("all", "both")):
        sim[ours + "_by_look"], sim[ours + "_by_look_se"] = s[theirs + "_by_look"], s[theirs + "_by_look_se"]
    by_pop = _field(result, "power_by_population")
    analytic = {"reject": [float(by_pop[h]) for h in names], "at_least_one": float(_field(result, "power_at_least_one")),
                "all": float(_field(result, "power_all")),
                "stop_by_look": [float(lk["stop_probability"]) for lk in result.looks],
                "expected_events": float(result.expected_events_h1), "expected_patients": float(result.expected_n_h1)}
    primary = [float(lk["reject_probability"]) for lk in result.looks]   # the sized claim's, per look
    if opts.size_for in ("at_least_one", "all"):
        analytic[opts.size_for + "_by_look"] = primary
    else:
        analytic["reject_by_look"] = [primary if h == opts.size_for else [math.nan] * len(primary) for h in names]
    return sim, analytic


def stratified_claims(scenario, result, res, st) -> dict:
    """The stratified design's claims with its interim plan (see module)."""
    from ..catalogue import FULL_POPULATION  # noqa: PLC0415
    from ..groupseq.multipop_model import MultiPopSequentialModel  # noqa: PLC0415

    opts = scenario.designs["stratified"]
    model = plan_model(scenario, "stratified")
    multi = isinstance(model, MultiPopSequentialModel)
    names = tuple(model.names) if multi else (FULL_POPULATION, model.population)
    hypotheses = [st.members(h) for h in names]
    if multi:
        bounds = model.bounds(0)
        sim = multi_claims(res, hypotheses, bounds)
        analytic = multi_analytic(model, result, names)
        engine = "planner.groupseq.multipop (closed group-sequential test, every intersection's bounds)"
        bd = {"subsets": [list(s) for s in bounds.subsets], "tests": [b.tolist() for b in bounds.tests],
              "futility": bounds.futility.tolist()}
    else:
        sim, analytic = one_population_claims(res, result, opts, hypotheses[1], names)
        engine = "planner.groupseq.stratified (two-hypothesis closed group-sequential test)"
        bd = None
    return {"multiplicity": opts.multiplicity, "hypotheses": list(names), "primary": opts.size_for,
            "look_events": list(res.design.events), "simulated": sim, "analytic": analytic, "engine": engine,
            "bounds": bd, "note": GS_NOTE.format(k=len(result.looks))}


def primary_of(claims: dict) -> tuple[float, float, float]:
    """(simulated, its SE, analytic) of the claim the design is sized for."""
    sim, an, sized = claims["simulated"], claims["analytic"], claims["primary"]
    if sized in ("at_least_one", "all"):
        return sim[sized], sim[sized + "_se"], an[sized]
    j = claims["hypotheses"].index(sized) if sized in claims["hypotheses"] else 1
    return sim["reject"][j], sim["reject_se"][j], an["reject"][j]


def check_cells_looks(scenario, name: str, result, simulations: int, seed: int, *,
                      progress: Callable[[int, int], object] | None = None,
                      is_cancelled: Callable[[], bool] | None = None, chunk_size: int = 5000):
    """One cells-form design with interim looks, patient by patient (see module)."""
    from ..patient_level import PatientLevelCheck  # noqa: PLC0415
    from .checks import CELLS_WHAT, _mean_time, cells_design_setup  # noqa: PLC0415

    opts, st, models, prev, alpha, setting, members, shares = cells_design_setup(scenario, name)
    res = simulate_looks([models[i] for i in members], list(shares), result, setting, alpha,
                         simulations, seed, progress=progress, is_cancelled=is_cancelled, chunk_size=chunk_size)
    k = len(result.looks)
    what = CELLS_WHAT[name].format(pop=opts.population or st.names[1], proc=opts.multiplicity) + \
        f"; {k} looks at the plan's bounds"
    common = dict(design=name, n_randomized=int(result.n_randomized), events=int(res.design.events[-1]),
                  simulations=res.simulations, incomplete=res.incomplete, what=what, looks=k,
                  mean_analysis_time=_mean_time(res), analytic_analysis_time=float(result.looks[-1].get("time", math.nan)))
    if name != "stratified":
        claims = single_test(res, result)
        cells = [(w, models[i], 1.0, 0.0) for w, i in zip(shares, members)]
        claims["lookwise"] = lookwise_single(cells, setting, res.design.events, float(result.n_randomized), result)
        return PatientLevelCheck(simulated_power=res.power, simulated_se=res.power_se, analytic_power=float(result.power),
                                 analytic_method=f"the design's group-sequential power over {k} looks (planner.groupseq)",
                                 simulated_expected_events=claims["simulated"]["expected_events"], claims=claims, **common)
    claims = stratified_claims(scenario, result, res, st)
    p, se, a = primary_of(claims)
    return PatientLevelCheck(simulated_power=p, simulated_se=se, analytic_power=a, claims=claims,
                             analytic_method=f"the design's closed group-sequential test over {k} looks ({claims['engine']})",
                             simulated_expected_events=claims["simulated"]["expected_events"], **common)
