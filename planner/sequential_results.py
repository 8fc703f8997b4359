"""What a fixed design under an interim plan adds to its result (contract: "Interim analyses").

:func:`interim_fields` turns a computed :class:`~planner.results.DesignResult` (whose
``n_randomized`` — survival: ``events`` — is the plan's maximum size) into the contract's
fields: ``interim`` (the plan), ``inflation_factor``, ``expected_n_h0``, ``expected_n_h1``
(survival also ``expected_events_h0/h1``) and ``looks``, one object per look with
``information_rate``, ``n_randomized`` (survival: ``events``, the calendar ``time`` the look is
expected at and the patients accrued by then), ``efficacy_z``, ``futility_z``, nominal p-values,
the effect that reaches each bound (``efficacy_effect``: mean difference, risk difference or
hazard ratio), ``reject_probability`` (under H1, that look alone) and ``stop_probability``.

* One test: :func:`planner.groupseq.single.sequential_at` at the design's maximum size and the
  drift of its power there; expected sizes count non-binding futility stops as followed (rpact).
  Effect-scale bound at look k: θ·z_k/(drift·√N_k), the effect whose expected z statistic with
  N_k patients (d_k events) equals the bound (for the t-test z is first turned into the t quantile
  with N_k − 2 df at the same level, as rpact; binary: normal approximation with the design's H0
  variance; survival: HR = exp(−θ_k), rpact's Schoenfeld form).
* Stratified: the closed group-sequential test (planner.groupseq.stratified); the trial is taken
  to stop at the first look where the claim it is sized for (``size_for``) is made; each look
  reports the elementary bounds of H_F and H_S and the intersection test's bounds. Futility
  bounds are non-binding there and ignored by the claim powers.
* Survival look times: the calendar time τ at which the expected events
  D(τ) = N·min(τ, a)/a·u(accrual min(τ, a), follow-up max(τ − a, 0)) reach the look's events,
  u the design's events per patient (the same cells, hazards and dropout as its size), all looks
  at once (:func:`look_times`).
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
from scipy.optimize import brentq
from scipy.special import ndtr, stdtrit

from .designs.base import DesignModel
from .designs.build import builder, model_at_arms
from .designs.sequential import SequentialModel, StratifiedSequentialModel, one_sided_alpha
from .groupseq.boundaries import boundaries, crossing
from .groupseq.single import equivalent_drift, fixed_power_needed, sequential_at
from .groupseq.stratified import claims_by_look
from .params import Params
from .results import DesignResult
from .scenario import FixedDesignOptions, Scenario


def _events_function(name: str, par: Params, opts: FixedDesignOptions):
    """τ ↦ the design's expected events per patient randomized by calendar time τ (the model
    made at accrual min(τ, a), follow-up max(τ − a, 0), times the share accrued min(τ, a)/a).

    The stratified design's events per patient are the interaction model's (the same cells and
    formula, bit for bit) without its critical values, solved per call (speed). The builder and
    the options without the plan are looked up once (a root search calls this ~8 times a look);
    the model is :func:`planner.designs.build.build_model`'s without a plan, bit for bit."""
    make = builder("interaction" if name == "stratified" else name, cells=par.structure is not None)
    plain = replace(opts, interim=None)
    a = par.accrual_time

    def per_patient(tau: float) -> float:
        p = replace(par, accrual_time=min(tau, a), follow_up_time=max(tau - a, 0.0))
        return float(np.asarray(make(p, plain).events_per_patient).reshape(-1)[0]) * min(tau, a) / a

    return per_patient


def _events_per_patient(name: str, par: Params, opts: FixedDesignOptions, tau: float) -> float:
    return _events_function(name, par, opts)(tau)


def look_times(name: str, par: Params, opts: FixedDesignOptions, n: float, events: list[float]) -> list[float]:
    """Calendar times at which the design's expected events reach ``events`` (NaN: never): all
    looks at once from the cells of the design's analysis population
    (:func:`planner.survival_nph.design_look_times`: closed form for exponential subgroups, the
    piecewise engine's exact integration otherwise; each cell with its treated fraction, so the
    strategy design's test-negatives on control too); a design without such cells by
    :func:`look_times_by_model`."""
    from .survival_nph import design_look_times  # noqa: PLC0415

    times = design_look_times(par, name, opts, n, events)
    return look_times_by_model(name, par, opts, n, events) if times is None else times


def look_times_by_model(name: str, par: Params, opts: FixedDesignOptions, n: float, events: list[float]) -> list[float]:
    """:func:`look_times` by a root search per look on :func:`_events_function` (each step builds
    the design's model at the truncated accrual and follow-up: exponential subgroups only)."""
    end = par.accrual_time + par.follow_up_time
    per_patient = _events_function(name, par, opts)
    total = n * per_patient(end)
    out = []
    for d in events:
        if d >= total * (1 - 1e-9):
            out.append(end if d <= total * (1 + 1e-6) else math.nan)
            continue
        out.append(float(brentq(lambda t, d=d: n * per_patient(t) - d, 1e-9 * end, end, xtol=1e-9)))
    return out


def _effect(par: Params, theta_bound: np.ndarray) -> np.ndarray:
    if par.endpoint == "survival":
        return np.exp(-theta_bound)
    return par.sign * theta_bound


def _single(r: DesignResult, model: SequentialModel, par: Params, n_eval: float, u: float | None) -> dict:
    a = one_sided_alpha(model)
    if r.question == "sample_size" and model.look_factors is None:  # rpact: at the unrounded maximum, the drift of the target power
        fixed_power = fixed_power_needed(model.plan, a, r.target_power)
    else:
        fixed_power = float(np.asarray(model.base.power(np.array([n_eval]), np.array([0]))).reshape(-1)[0])
    maximum = n_eval * u if u is not None else n_eval
    h1 = model.lookwise_crossing(a, float(equivalent_drift(a, fixed_power)))   # look-wise law (NPH), else None
    res = sequential_at(model.plan, a, maximum, fixed_power, r.target_power, units_per_patient=u, h1=h1)
    if h1 is not None and r.target_power:
        res = replace(res, inflation_factor=model.lookwise_inflation(a, r.target_power))
    theta = float(np.asarray(model.details["effect_tested"]).reshape(-1)[0])
    base = model.base   # one z test; the cells form's interaction design: its primary population's test
    stat = base.stat if getattr(base, "stat", None) is not None else base.stats[base.primary]
    drift = float(np.asarray(stat.drift).reshape(-1)[0])
    t = np.asarray(model.plan.information_rates)
    n_k = t * n_eval
    def bound(z):  # noqa: E306
        z = np.asarray(z, dtype=float)
        if par.endpoint == "continuous" and par.method == "t":
            z = stdtrit(np.maximum(n_k - 2.0, 1e-4), ndtr(z))
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(np.isfinite(z), _effect(par, z * theta / (drift * np.sqrt(n_k))), np.nan)
    eff = bound([lk.efficacy_z for lk in res.looks])
    fut = bound([np.inf if lk.futility_z is None else lk.futility_z for lk in res.looks])
    looks = [replace(lk, efficacy_effect=float(e), futility_effect=None if lk.futility_z is None else float(f))
             for lk, e, f in zip(res.looks, eff, fut)]
    b = boundaries(model.plan, a)
    stops = {"h0": crossing(b, [0.0]).stop[0], "h1": crossing(b, [res.drift]).stop[0] if h1 is None else h1.stop[0]}
    return dict(inflation_factor=res.inflation_factor, looks=[lk.to_dict() for lk in looks],
                expected_h0=res.expected_h0, expected_h1=res.expected_h1, stops=stops)


def _stratified(r: DesignResult, model: StratifiedSequentialModel, n_eval: float, u: float | None) -> dict:
    plan = model.plan
    t = np.asarray(plan.information_rates, dtype=float)
    joint = model.joint()
    bd = model.bounds()
    mean = joint.mean_per_sqrt_n * math.sqrt(n_eval)
    primary = model.primary
    # one recursion gives every look: P(claim by look k) and P(stop at look k); the trial stops at a
    # look when no hypothesis can still be rejected (all rejected, stopped for futility or past
    # their last chance): planner.groupseq.procedure, stop_when="both"
    by_look = claims_by_look(mean, joint.cov1, model.lookwise_bounds(bd, mean), "both")   # look-wise law (NPH)
    reject = np.diff(np.r_[0.0, np.asarray(by_look[primary]).reshape(-1, len(t))[0]])
    stop_h1 = np.asarray(by_look["stop"]).reshape(-1, len(t))[0]
    frac1 = float(stop_h1 @ t)
    by_look0 = claims_by_look(np.zeros_like(mean), joint.corr0, bd, "both")   # H0: one recursion, every look
    frac0 = float((by_look0["stop"] @ t)[0])   # = expected_fraction(…, stop_when="both")
    first = lambda x: np.asarray(x).reshape(-1, len(t))[0]  # noqa: E731
    a, b, cf, cs = (first(x) for x in (bd.a, bd.b, bd.c_f, bd.c_s))
    fut = plan.futility_bounds or ()
    maximum = n_eval * u if u is not None else n_eval
    fin = lambda x: float(x) if math.isfinite(x) else None  # noqa: E731
    looks = []
    for k in range(len(t)):
        eff = cf[k] if primary == "overall" else cs[k]
        f = fut[k] if k < len(fut) else None
        look = {"information_rate": float(t[k]), "n_randomized": float(t[k] * n_eval),
                "efficacy_z": fin(eff), "futility_z": f, "efficacy_p": fin(ndtr(-eff)),
                "futility_p": None if f is None else float(ndtr(-f)),
                "efficacy_z_overall": fin(cf[k]), "efficacy_z_subgroup": fin(cs[k]),
                "intersection_z_overall": fin(a[k]), "intersection_z_subgroup": fin(b[k]),
                "reject_probability": float(reject[k]), "stop_probability": float(stop_h1[k])}
        if u is not None:
            look["events"] = float(t[k] * maximum)
        looks.append(look)
    cum0 = [float(by_look0[primary][..., k - 1].reshape(-1)[0]) for k in range(1, len(t))]   # claims by look k
    stop_h0 = np.r_[np.diff(np.r_[0.0, cum0]), 1.0 - (cum0[-1] if cum0 else 0.0)]
    return dict(inflation_factor=None, looks=looks, expected_h0=frac0 * maximum, expected_h1=frac1 * maximum,
                stops={"h1": stop_h1, "h0": stop_h0})


def interim_fields(scenario: Scenario, r: DesignResult, opts: FixedDesignOptions, par: Params,
                   model: DesignModel | None = None) -> dict:
    """The contract's interim fields of feasible result ``r`` (empty without a plan of 2+ looks).
    ``model``: the design's model at ``par`` and ``opts`` already built (the comparison's), used
    where the looks are at the same allocation (the same inputs: the same model bit for bit); the
    power question at arms of another ratio builds its own."""
    plan = opts.interim
    if not r.feasible or plan is None or isinstance(plan, str):
        return {}
    surv = scenario.endpoint == "survival"
    u = r.details.get("events_per_patient") if surv else None
    # the sample-size question reports the looks at the unrounded maximum (as rpact), the power
    # question at the size given
    n_total = r.n_randomized_exact if r.question == "sample_size" else float(r.n_randomized)
    n_eval = r.events_exact / u if surv else n_total
    arms = r.n_per_arm or {}
    at = (arms["treatment"], arms["control"]) if not surv and arms.get("control") and r.question != "sample_size" else None
    par, model = model_at_arms(r.design, par, opts, at, model)
    if isinstance(model, SequentialModel):
        out = _single(r, model, par, n_eval, u)
    elif isinstance(model, StratifiedSequentialModel):
        out = _stratified(r, model, n_eval, u)
    else:  # the cells form's stratified design (planner.groupseq.multipop_model)
        from .groupseq.multipop_model import interim_summary  # noqa: PLC0415

        out = interim_summary(r, model, n_eval, u)
        if out is None:
            return {}
    fields = {"interim": plan.to_dict(), "interim_text": plan.describe(), "inflation_factor": out["inflation_factor"]}
    looks = out["looks"]
    if surv:
        fields["expected_events_h0"], fields["expected_events_h1"] = out["expected_h0"], out["expected_h1"]
        times = look_times(r.design, par, opts, n_total, [lk["events"] for lk in looks])
        a = par.accrual_time
        for lk, tm in zip(looks, times):
            lk["time"] = tm if math.isfinite(tm) else None
            lk["n_randomized"] = n_total * min(1.0, tm / a) if math.isfinite(tm) else n_total
        pts = np.array([lk["n_randomized"] for lk in looks])
        stops = out["stops"]
        fields["expected_n_h1"] = float(stops["h1"] @ pts)
        fields["expected_n_h0"] = float(stops["h0"] @ pts) if "h0" in stops else None
    else:
        fields["expected_n_h0"], fields["expected_n_h1"] = out["expected_h0"], out["expected_h1"]
    fields["looks"] = tuple(looks)
    if out.get("monte_carlo_se"):  # claim powers by randomized quasi-Monte Carlo: their standard errors
        fields["details"] = {**r.details, "power_monte_carlo_se": out["monte_carlo_se"]}
    return fields
