"""Answer the three questions for every fixed design of a scenario.

* ``sample_size`` — the unrounded total N reaching ``testing.power``; per-arm sizes rounded up
  (allocation treatment : control); achieved power at those integers (for survival the
  analysis is event-driven: events rounded up, power at that number of events).
* ``power`` — power of each claim at a given total N (or, for survival, a given number of
  events), split per arm by the allocation ratio.
* ``effect`` — the smallest B+ effect reaching ``testing.power`` at the given size.

Screening: targeted designs screen N / P(test+); stratified, strategy and interaction designs
test everyone randomized; all-comers use no assay. Cost = per_screened × screened +
per_randomized × randomized. Efficiency = all-comers N / design N (unrounded).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from . import __version__
from .assay import assay_mix
from .catalogue import DESIGNS, FIXED_DESIGNS, design_label
from .designs.build import build_model, model_at_arms
from .dropout import evaluable, inflate_arms, screening_factor
from .groupseq.plan import InterimPlan
from .noninferiority import is_shifted, null_magnitude
from .params import Params, params_from_scenario
from .results import Comparison, DesignResult, DetectableEffect
from .scenario import FixedDesignOptions, Scenario
from .scenario_io import scenario_to_dict
from .solve import N_MAX, solve_n

QUESTIONS = ("auto", "sample_size", "power", "effect")


def per_arm(n_total_exact: float, allocation_ratio: float) -> tuple[int, int]:
    """Integer (treatment, control) sizes: each arm's unrounded share rounded up."""
    p = allocation_ratio / (1.0 + allocation_ratio)
    return (
        int(math.ceil(n_total_exact * p - 1e-9)),
        int(math.ceil(n_total_exact * (1 - p) - 1e-9)),
    )


def split_total(n_total: int, allocation_ratio: float) -> tuple[int, int]:
    """A given total split by the allocation ratio (treatment rounded to nearest)."""
    n_t = int(round(n_total * allocation_ratio / (1.0 + allocation_ratio)))
    n_t = min(max(n_t, 1), n_total - 1)
    return n_t, n_total - n_t


def _scalar(x) -> float:
    return float(np.asarray(x).reshape(-1)[0])


def _claims_at(par: Params, name: str, opts: FixedDesignOptions, n: float, n_t: int | None = None, n_c: int | None = None,
               model=None) -> dict:
    """Claims of design ``name`` at total ``n`` (``n_t``, ``n_c``: at that allocation; ``model``: the
    design's model at ``par`` and ``opts`` already built, used as is — also at arms whose ratio is
    the allocation ratio exactly: the same inputs, so the same model bit for bit)."""
    arms = (n_t, n_c) if n_t is not None and n_c is not None else None
    _, model = model_at_arms(name, par, opts, arms, model)
    return {k: _scalar(v) for k, v in model.claims(np.asarray([n], dtype=float), np.array([0])).items()}


def _effect_bounds(par: Params) -> tuple[float, float, str]:
    """Range of the B+ effect magnitude m in the benefit direction and its parameter name; the
    range starts at θ0 (``testing.null_effect``, planner.noninferiority.null_magnitude), not at 0."""
    m0 = null_magnitude(par.endpoint, par.sign, par.null_effect)
    if par.endpoint == "continuous":
        sd = float(par.positive["sd"])
        return m0 + 1e-9 * sd, m0 + 100.0 * sd, "mean_difference"
    if par.endpoint == "binary":
        c = float(par.positive["control_rate"])
        room = (1 - c) if par.sign > 0 else c
        return max(m0, room - 1.0) + 1e-9, room - 1e-9, "risk_difference"
    return m0 + 1e-9, max(6.0, m0 + 6.0), "hazard_ratio"


def _effect_value(par: Params, m: float) -> float:
    """Natural-scale effect for magnitude m in the benefit direction."""
    if par.endpoint == "survival":
        return math.exp(-m)
    return par.sign * m


def detectable_effect(par: Params, name: str, opts: FixedDesignOptions, n: float, power: float,
                      events: float | None = None) -> DetectableEffect:
    """Smallest B+ effect (benefit direction, from θ0) giving ``power`` at total ``n``; for an
    event-driven survival analysis with ``events`` given, at those events (as rpact
    ``getPowerSurvival(maxNumberOfEvents)``), the patients following the effect."""
    from .groupseq.multipop_model import search_effect  # noqa: PLC0415

    lo, hi, parameter = _effect_bounds(par)

    def model_at(m: float):
        p2 = par.with_effect("positive", _effect_value(par, m))
        model = build_model(name, p2, opts)
        return model, (n if events is None else events / _scalar(model.events_per_patient))

    def pw(m: float) -> float:
        model, at = model_at(m)
        return _scalar(model.claims(np.asarray([at], dtype=float), np.array([0]))["power"])

    if pw(lo) >= power:
        at = "at the null value θ0" if is_shifted(par.endpoint, par.null_effect) else "without any B+ effect"
        return DetectableEffect(parameter, None, power, f"target power is reached {at}")
    m = search_effect(model_at, pw, power, lo, hi)  # Brent; a secant for the costly K-population sequential test
    if m is None:
        return DetectableEffect(parameter, None, power, "not detectable at this size")
    return DetectableEffect(parameter, _effect_value(par, m), power)


def no_effect(par: Params) -> bool:
    """True when neither subgroup has a treatment effect (a global-null scenario)."""
    def null(g) -> bool:
        if par.endpoint == "continuous":
            return bool(np.all(np.asarray(g["mean_difference"]) == 0))
        if par.endpoint == "binary":
            return bool(np.all(np.asarray(g["treatment_rate"]) == np.asarray(g["control_rate"])))
        return bool(np.all(np.asarray(g["hazard_ratio"]) == 1))

    if par.cells:  # the cells form: no effect in any cell
        return all(null(g) for g in par.cells.values())
    return null(par.positive) and null(par.negative)


NO_EFFECT_MESSAGE = (
    "no treatment effect in either subgroup (B+ and B−): there is no effect to size the {label} design "
    "for; its power at a given size is the type I error"
)


def _infeasible_reason(model, name: str, par: Params) -> str:
    if no_effect(par):
        return NO_EFFECT_MESSAGE.format(label=DESIGNS[name].lower)
    if not model.feasible().all():
        if name == "interaction":
            return "the test-positive effect is not larger than the test-negative effect: no interaction to detect"
        if name == "targeted":
            return "no benefit among test-positive patients"
        return f"no benefit in the population the {design_label(name).lower()} design tests"
    return f"the target power is not reached with fewer than {N_MAX:,.0f} patients"


def _evaluable_fields(arms, dropout: float, n_exact: float | None) -> dict:
    """``n_evaluable`` (total and per arm) beside the inflated randomized size (planner.dropout)."""
    if arms is None:
        return {}
    out = {"n_evaluable": sum(arms), "n_evaluable_per_arm": {"treatment": arms[0], "control": arms[1]}}
    if n_exact is not None:
        out["n_evaluable_exact"] = n_exact * (1.0 - dropout)
    return out


def _exact_fields(scenario: Scenario, model, arms, par: Params) -> dict:
    """Binary ``testing.exact_power``: exact power of the z-test and of Fisher's test at the
    evaluable integer sizes (planner.exact_binary); designs with one two-arm comparison only."""
    if scenario.endpoint != "binary" or not scenario.testing.exact_power or arms is None:
        return {}
    rates = (model.details.get("rate_treatment_arm"), model.details.get("rate_control_arm"))
    if rates[0] is None:
        return {}
    from .exact_binary import exact_power  # noqa: PLC0415 (only with the option)

    n_t, n_c = int(math.floor(arms[0] + 1e-9)), int(math.floor(arms[1] + 1e-9))
    theta0 = 0.0 if par.null_effect is None else float(par.null_effect)
    res = exact_power(n_t, n_c, _scalar(rates[0]), _scalar(rates[1]), par.alpha / par.sides, par.sign,
                      par.method, theta0)
    return {"power_exact": res["z"], "power_fisher": res["fisher"]}


@dataclass
class _Size:
    """The sizes a question fixes: arms, totals, events and the claims' power at them."""

    n_t: int
    n_c: int
    n_exact: float | None
    ev_int: int | None
    d_exact: float | None
    claims: dict
    evaluable_arms: tuple[float, float] | None
    notes: list[str]

    @property
    def n_int(self) -> int:
        return self.n_t + self.n_c


def _size_for_power(scenario: Scenario, name: str, opts, model, par: Params, dropout: float,
                    n_solved: float | None = None) -> _Size | None:
    """Question "sample_size": the unrounded N for the target power (``n_solved``: already solved),
    arms rounded up (then inflated for dropout), survival events rounded up; None when no finite N
    reaches the target."""
    ratio, surv = scenario.testing.allocation_ratio, scenario.endpoint == "survival"
    n_exact = _scalar(solve_n(model, scenario.testing.power, ratio)) if n_solved is None else float(n_solved)
    if not math.isfinite(n_exact):
        return None
    n_t, n_c = per_arm(n_exact, ratio)
    if surv:
        u = _scalar(model.events_per_patient)
        d_exact = n_exact * u
        ev_int = int(math.ceil(d_exact - 1e-9))
        return _Size(n_t, n_c, n_exact, ev_int, d_exact, _claims_at(par, name, opts, ev_int / u, model=model), None, [])
    claims = _claims_at(par, name, opts, n_t + n_c, n_t, n_c, model=model)
    evaluable_arms = (n_t, n_c)
    n_t, n_c = inflate_arms(n_t, n_c, dropout)
    return _Size(n_t, n_c, n_exact / (1.0 - dropout), None, None, claims, evaluable_arms, [])


def _size_given(scenario: Scenario, name: str, opts, model, par: Params, dropout: float,
                n_fixed: int | None, ev_fixed: int | None, question: str) -> _Size | None:
    """Questions "power" and "effect": the size given (N, events, or solved when neither is)."""
    ratio, surv = scenario.testing.allocation_ratio, scenario.endpoint == "survival"
    u = _scalar(model.events_per_patient) if surv else None
    notes: list[str] = []
    if n_fixed is None and ev_fixed is not None:
        n_exact = ev_fixed / u
        n_t, n_c = per_arm(n_exact, ratio)
    elif n_fixed is None:
        n_exact = _scalar(solve_n(model, scenario.testing.power, ratio))
        if not math.isfinite(n_exact):
            return None
        n_t, n_c = per_arm(n_exact, ratio)
        if not surv:
            n_t, n_c = inflate_arms(n_t, n_c, dropout)
            n_exact = n_exact / (1.0 - dropout)
    else:
        n_exact = float(n_fixed)
        n_t, n_c = split_total(int(n_fixed), ratio)
    n_int = n_t + n_c
    evaluable_arms = None
    if surv:
        ev_int = int(ev_fixed) if ev_fixed is not None else None
        d_exact = float(ev_fixed) if ev_fixed is not None else n_int * u
        if ev_int is None:
            ev_int = int(math.floor(d_exact + 1e-9))
        if ev_fixed is not None and n_fixed is not None and ev_fixed > n_int * u + 1e-9:
            notes.append(
                f"{ev_fixed} events exceed the {n_int * u:.1f} expected with {n_int} patients under the "
                "accrual and follow-up given: the analysis would come later than planned"
            )
        # given events: power at those events; given patients: at the expected events
        claims = _claims_at(par, name, opts, d_exact / u, model=model)
    else:
        ev_int = d_exact = None
        evaluable_arms = (evaluable(n_t, dropout), evaluable(n_c, dropout)) if dropout else (n_t, n_c)
        claims = _claims_at(par, name, opts, sum(evaluable_arms), *evaluable_arms, model=model)
    n_exact = None if question != "sample_size" and n_fixed is not None else n_exact
    return _Size(n_t, n_c, n_exact, ev_int, d_exact, claims, evaluable_arms, notes)


def _logistics(scenario: Scenario, model, n_int: int, notes: list[str]) -> dict:
    """Screened patients (with screening losses), cost, accrual time or the rates a survival design needs."""
    screened_per = _scalar(model.screened_per_randomized)
    if screened_per > 0:
        screened_per *= screening_factor(scenario.population.assay_failure, scenario.population.screen_failure)
    n_screened = int(math.ceil(n_int * screened_per - 1e-9)) if screened_per > 0 else 0
    costs = scenario.costs
    cost = costs.per_screened * n_screened + costs.per_randomized * n_int if costs else None
    assessed = n_screened if n_screened > 0 else n_int
    accrual = rate_screen = rate_rand = None
    rec = scenario.recruitment
    if scenario.endpoint == "survival":
        a = scenario.survival.accrual_time
        rate_screen, rate_rand = assessed / a, n_int / a
        if rec and rec.screening_rate and rate_screen > rec.screening_rate:
            notes.append(
                f"needs {rate_screen:.1f} patients assessed per {scenario.survival.time_unit[:-1] or 'unit'} "
                f"but only {rec.screening_rate:g} are available: accrual would take {assessed / rec.screening_rate:.1f}"
            )
    elif rec and rec.screening_rate:
        accrual = assessed / rec.screening_rate
    return dict(n_screened=n_screened, cost=cost, currency=costs.currency if costs else None,
                accrual_duration=accrual, screening_rate_needed=rate_screen, randomization_rate_needed=rate_rand)


def compute_design(
    scenario: Scenario,
    name: str,
    opts: FixedDesignOptions | None = None,
    *,
    question: str = "auto",
    n_randomized: int | None = None,
    events: int | None = None,
    par: Params | None = None,
    n_solved: float | None = None,
) -> DesignResult:
    """Size, screening, events, power, cost and time of one fixed design (the sizes by
    :func:`_size_for_power` / :func:`_size_given`, the logistics by :func:`_logistics`).

    ``n_solved``: the unrounded N for the target power of this model, solved beforehand with
    :func:`planner.solve.solve_n` over many scenarios at once (the cutoff explorer); used by the
    "sample_size" question instead of solving again."""
    opts = scenario.resolved_options(name, opts)  # with the interim plan in force
    cells_notes: list[str] = []
    if scenario.has_cells:
        opts, cells_notes = _cells_options(scenario, name, opts)
    par = par or params_from_scenario(scenario)
    n_fixed = n_randomized if n_randomized is not None else opts.n_randomized
    ev_fixed = events if events is not None else opts.events
    surv = scenario.endpoint == "survival"
    if not surv:
        ev_fixed = None
    if question == "auto":
        question = "power" if (n_fixed is not None or ev_fixed is not None) else "sample_size"
    target = scenario.testing.power
    model = build_model(name, par, opts)
    dropout = 0.0 if surv else float(scenario.testing.dropout)
    u = _scalar(model.events_per_patient) if surv else None
    base = dict(design=name, label=design_label(name), question=question, method=model.method, target_power=target)

    if question == "sample_size":
        size = _size_for_power(scenario, name, opts, model, par, dropout, n_solved)
    else:
        size = _size_given(scenario, name, opts, model, par, dropout, n_fixed, ev_fixed, question)
    if size is None:
        return DesignResult(feasible=False, message=_infeasible_reason(model, name, par), **base)
    notes = cells_notes + size.notes
    claims = dict(size.claims)
    power = claims.pop("power")
    by_population = None
    if scenario.has_cells:  # several populations: F's and each population's claim
        from .designs.multipop import PREFIX, V1_ALIASES, population_claims  # noqa: PLC0415

        by_population = population_claims(claims) or None
        claims = {k: v for k, v in claims.items() if not k.startswith(PREFIX) and k not in V1_ALIASES}
    if name != "stratified":
        claims = {}
    de = None
    if question in ("power", "effect"):
        at = float(sum(size.evaluable_arms) if not surv else size.d_exact / u)
        de = detectable_effect(par, name, opts, at, target, size.d_exact if surv and ev_fixed is not None else None)
    logistics = _logistics(scenario, model, size.n_int, notes)

    details = {k: _scalar(v) for k, v in model.details.items() if not isinstance(v, str)}
    details.update({k: v for k, v in model.details.items() if isinstance(v, str)})
    if surv:
        details["events_per_patient"] = u
    if scenario.has_cells:
        from .designs.multipop import population_details  # noqa: PLC0415

        details.update(population_details(model))
    if opts.interim is not None:
        notes.append("interim analyses: N (events) is the maximum size; screening, cost and recruitment "
                     "follow it, expected sizes are reported beside")
    if par.piecewise is not None:  # non-proportional hazards: AHR, analysis time, method
        from .survival_nph import nph_annotations, nph_method  # noqa: PLC0415

        extra, nph_notes, de = nph_annotations(par, name, scenario.method, de)
        details.update(extra)
        notes = list(nph_notes) + notes
        base["method"] = nph_method(base["method"], scenario.method)
    result = DesignResult(
        feasible=True,
        n_randomized=size.n_int,
        n_per_arm={"treatment": size.n_t, "control": size.n_c},
        n_randomized_exact=size.n_exact,
        **_evaluable_fields(size.evaluable_arms, dropout, size.n_exact),
        **_exact_fields(scenario, model, size.evaluable_arms, par),
        events=size.ev_int,
        events_exact=size.d_exact,
        expected_events=size.n_int * u if surv else None,
        power=power,
        claims=claims,
        power_by_population=by_population,
        detectable_effect=de,
        **logistics,
        details=details,
        notes=tuple(notes),
        **base,
    )
    if opts.interim is None:
        return result
    from .sequential_results import interim_fields  # noqa: PLC0415

    return replace(result, **interim_fields(scenario, result, opts, par, model=model))


def _cells_options(scenario: Scenario, name: str, opts: FixedDesignOptions) -> tuple[FixedDesignOptions, list[str]]:
    """The cells form: every design follows its interim plan (the stratified design over several
    populations by the closed group-sequential test of planner.groupseq.multipop; Simes has no
    group-sequential form and is refused when the scenario is read)."""
    return opts, []


#: The interaction test shows that the marker is predictive, not that treatment works: it is
#: never "the design to run" for efficacy, so it is not a candidate for the cheapest design.
NOT_EFFICACY: tuple[str, ...] = ("interaction",)


def meets_target(r: DesignResult, target: float) -> bool:
    """Whether a design's achieved power reaches the target (to 1e-9)."""
    return bool(r.feasible and r.power is not None and r.power >= target - 1e-9)


def _designs_to_compare(scenario: Scenario) -> dict[str, FixedDesignOptions]:
    """The fixed designs :func:`compare_designs` computes: the file's, or all five when it names
    neither a fixed nor the adaptive design."""
    designs = scenario.fixed_designs()
    if not designs and "adaptive" not in scenario.designs:
        designs = {name: FixedDesignOptions() for name in FIXED_DESIGNS}
    return designs


def expensive(scenario: Scenario) -> bool:
    """Whether :func:`compare_designs` or its curves take seconds (or hundreds of milliseconds)
    rather than milliseconds, so that the app computes the scenario, and its curves, on a worker
    (ui.background_compare):

    * any biomarker-stratified design with interim looks — its four curves after an edit of an
      effect run 2-D grid recursions at every interpolation node (0.24 s of CPU with two looks,
      0.7 s with three: benchmarks/bench_speed.py "cold grids"; under the look-wise law of
      heterogeneous strata a root search per node, 2.4 s for a 50-point curve); in the cells form
      its closed group-sequential test integrates by randomized QMC (planner.groupseq.multipop:
      0.2–0.6 s of CPU per comparison for KEYNOTE-042's three nested cutoffs);
    * a time-varying hazard ratio with interim looks (each point's look-wise law: a 15-point
      prevalence curve of the delayed-effect example with two looks took 1.3 s of CPU)."""
    designs = _designs_to_compare(scenario)
    if "stratified" in designs and isinstance(scenario.resolved_options("stratified", designs["stratified"]).interim,
                                              InterimPlan):
        return True
    if scenario.interim is not None or any(isinstance(o.interim, InterimPlan) for o in designs.values()):
        par = params_from_scenario(scenario)
        if par.piecewise is not None:  # a delayed or waning effect with looks: the look-wise law per point
            from .survival_nph import non_proportional  # noqa: PLC0415

            return bool(non_proportional(par))
    return False


def compare_designs(
    scenario: Scenario,
    *,
    question: str = "auto",
    n_randomized: int | None = None,
    include_adaptive: bool = True,
) -> Comparison:
    """Every fixed design of ``scenario`` (all five when the file names none).

    With ``include_adaptive`` the adaptive design, if the file has one, is simulated
    (``planner.adaptive.simulate_scenario``) and its result added under ``"adaptive"``.
    """
    if question not in QUESTIONS:
        raise ValueError(f"question must be one of {QUESTIONS}, got {question!r}")
    par = params_from_scenario(scenario)
    designs = _designs_to_compare(scenario)
    results = {
        name: compute_design(scenario, name, opts, question=question, n_randomized=n_randomized, par=par)
        for name, opts in designs.items()
    }
    ref = results.get("all_comers")
    if ref is None:
        ref = compute_design(scenario, "all_comers", FixedDesignOptions(), question="sample_size", par=par)
    ref_n = ref.n_randomized_exact if ref.feasible and ref.question == "sample_size" else None
    if ref_n is not None:
        results = {
            k: replace(r, efficiency=ref_n / r.n_randomized_exact) if r.feasible and r.n_randomized_exact else r
            for k, r in results.items()
        }
    meeting = [r for r in results.values() if r.design not in NOT_EFFICACY and meets_target(r, scenario.testing.power)]
    key = (lambda r: r.cost) if scenario.costs else (lambda r: r.n_randomized)
    cheapest = min(meeting, key=key).design if meeting else None
    adaptive = scenario.designs.get("adaptive")
    if adaptive is not None and include_adaptive:
        from .adaptive import simulate_scenario  # noqa: PLC0415 (optional, heavy)

        results["adaptive"] = simulate_scenario(scenario)
    mix = assay_mix(par.prevalence, par.sensitivity, par.specificity)
    return Comparison(
        scenario=scenario_to_dict(scenario),
        designs=results,
        assay=mix.to_dict(),
        software_version=__version__,
        cheapest_meeting_target=cheapest,
    )


__all__ = ["compare_designs", "compute_design", "detectable_effect", "expensive", "per_arm"]
