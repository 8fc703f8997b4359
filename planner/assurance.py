"""Assurance: the probability of success when the assumptions themselves are uncertain.

Assurance (O'Hagan, Stevens & Campbell 2005, Pharm Stat 4:187–201) is the expected power over
a distribution π of the inputs θ (prevalence, B+ and B− effects, assay accuracy; see
:mod:`planner.uncertainty`)::

    A(N) = E_π[ power(N; θ) ] ≈ (1/B) Σ_b power(N; θ_b),   MC SE = sd_b(power) / √B

with θ_1..θ_B drawn from π. The draws travel as arrays through
:func:`planner.params.params_from_scenario` and the closed-form power functions of every fixed
design (``model.claims``), so all B draws are evaluated in one vectorized pass — no Python loop
over draws. Every design is evaluated on the *same* draws (common random numbers), so the
differences between designs carry less Monte Carlo error than each assurance.

* **At the planned size** — the size :func:`planner.compute.compute_design` reports (solved for
  ``testing.power`` at the point assumptions, or fixed in the file). Continuous and binary: power
  at the integer total N with the integer allocation n_t : n_c, as compute does. Survival: the
  analysis is event-driven, so power at the planned number of events D, i.e. at D / u_b patients
  with u_b the expected events per patient under draw b. A draw under which the design has no
  benefit to find (the tested effect is harmful) counts with the power computed at that size,
  which tends to 0 as N grows; ``p_benefit`` reports the share of draws with a benefit, the
  ceiling of assurance as N → ∞ for a single test.
* **Distribution of power** — quantiles of power(N; θ_b) and P(power > 0.8).
* **Size for assurance** — the smallest size whose assurance reaches a target: A is evaluated
  on a geometric grid of sizes (factor ≈ 2 from the two-patients-per-arm minimum up to 10⁸) up
  to the first grid point reaching the target, then refined with Brent's method
  (``scipy.optimize.brentq``) on log N between that point and the previous one. A(N) rises
  with N wherever most draws carry a benefit; the grid makes the answer the *first* crossing
  even where A later falls again (harmful draws lose power as N grows).

With every distribution degenerate (``sd`` or ``se`` 0) each draw equals the point assumptions
and assurance equals the power ``compute`` reports (to rounding). For a z-test with a normal
prior N(μ, τ²) on the effect δ and information I (Z ~ N(δ√I, 1)), A = Φ((μ√I − z_α)/√(1 + Iτ²))
(the normal–normal case of O'Hagan et al. 2005); the tests check both.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

import numpy as np
from scipy.optimize import brentq

from .assurance_results import POWER_THRESHOLD, AssuranceResult, SizeForAssurance
from .catalogue import design_label
from .designs.base import DesignModel, SingleTestModel, flat
from .designs.build import build_model
from .errors import Problem, ScenarioError
from .params import Params, params_from_scenario
from .results import DesignResult
from .scenario import FIXED_DESIGNS, FixedDesignOptions, Scenario
from .uncertainty import (
    RATE_EPS,
    BetaPrior,
    NormalPrior,
    PriorError,
    Uncertainty,
    prior_centres,
    prior_conflicts,
)

#: Quantiles of the power distribution that results report.
QUANTILES: tuple[float, ...] = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)
GRID_FACTOR = 2.0
SIZE_MAX = 1e8

class AssuranceCancelled(Exception):
    """Raised when the caller's ``is_cancelled()`` returns true (the request was superseded)."""


def _check(is_cancelled: Callable[[], bool] | None) -> None:
    if is_cancelled is not None and is_cancelled():
        raise AssuranceCancelled("the assurance computation was cancelled")


_PARAM_KEYWORD = {
    "prevalence": "prevalence",
    "positive_effect": "positive_effect",
    "negative_effect": "negative_effect",
    "assay_sensitivity": "sensitivity",
    "assay_specificity": "specificity",
}


# ----------------------------------------------------------------------------- draws
@dataclass(frozen=True)
class Draws:
    """B prior draws of the uncertain inputs, as keyword arrays of ``params_from_scenario``.

    ``inputs`` maps ``prevalence``, ``positive_effect``, ``negative_effect``, ``sensitivity``
    and ``specificity`` (those that carry a distribution; the prevalence, fixed, when none
    does) to arrays of length ``size``; effects are on the scenario's natural scale (hazard
    ratio for survival). Every array input makes ``Params.shape`` — and so every model — (B,).
    """

    size: int
    seed: int
    inputs: Mapping[str, np.ndarray]
    uncertain: tuple[str, ...] = ()

    def params(self, scenario: Scenario) -> Params:
        """The scenario's :class:`Params` with every drawn input replaced by its draws."""
        return params_from_scenario(scenario, **dict(self.inputs))


def _point_values(scenario: Scenario) -> dict[str, float]:
    par = params_from_scenario(scenario)
    return {
        "prevalence": float(par.prevalence),
        "positive_effect": float(par.effect("positive")),
        "negative_effect": float(par.effect("negative")),
        "assay_sensitivity": float(par.sensitivity),
        "assay_specificity": float(par.specificity),
    }


def _rd_bounds(scenario: Scenario, which: str) -> tuple[float, float]:
    c = float(getattr(scenario, which).control_rate)
    return RATE_EPS - c, 1.0 - RATE_EPS - c


def draw_inputs(
    scenario: Scenario,
    uncertainty: Uncertainty | None = None,
    *,
    draws: int | None = None,
    seed: int | None = None,
) -> Draws:
    """Draw every uncertain input ``draws`` times (default: the block's ``draws`` and ``seed``).

    Input k draws from ``Generator(PCG64(SeedSequence(seed).spawn(5)[k]))`` (k in the order of
    :data:`planner.uncertainty.INPUTS`): deterministic given the seed. Raises
    :class:`ScenarioError` naming the field when a distribution cannot be resolved against the
    scenario (an sd too large for the scenario's prevalence; a risk difference with almost no
    probability inside the rates' range).
    """
    from .uncertainty import INPUTS, PROPORTION_EPS

    u = uncertainty if uncertainty is not None else scenario.uncertainty
    if getattr(scenario, "has_cells", False):  # several populations: planner.cells_assurance
        from .cells_assurance import draw_cells_inputs  # noqa: PLC0415
        from .cells_uncertainty import CellsUncertainty  # noqa: PLC0415

        return draw_cells_inputs(scenario, u if isinstance(u, CellsUncertainty) else CellsUncertainty(),
                                 draws=draws, seed=seed)
    if u is None:
        u = Uncertainty()
    if not isinstance(u, Uncertainty):
        raise TypeError(f"expected planner.uncertainty.Uncertainty, got {type(u).__name__}")
    size = int(draws if draws is not None else u.draws)
    seed = int(seed if seed is not None else u.seed)
    streams = [np.random.Generator(np.random.PCG64(s)) for s in np.random.SeedSequence(seed).spawn(len(INPUTS))]
    point = _point_values(scenario)
    out: dict[str, np.ndarray] = {}
    for key, rng in zip(INPUTS, streams):
        prior = getattr(u, key)
        if prior is None:
            continue
        try:
            if isinstance(prior, BetaPrior):
                x = prior.sample(rng, size, point[key])
                upper = 1.0 - PROPORTION_EPS if key == "prevalence" else 1.0
                x = np.clip(x, PROPORTION_EPS, upper)
            else:
                assert isinstance(prior, NormalPrior)
                bounds = _rd_bounds(scenario, key.split("_")[0]) if scenario.endpoint == "binary" else None
                x = prior.sample(rng, size, point[key], bounds)
        except PriorError as err:
            raise ScenarioError([Problem(f"uncertainty.{key}.{err.field}", str(err))]) from None
        out[_PARAM_KEYWORD[key]] = np.asarray(x, dtype=float)
    if not out:  # nothing uncertain: still B draws, so that every model has shape (B,)
        out["prevalence"] = np.full(size, point["prevalence"])
    return Draws(size=size, seed=seed, inputs=MappingProxyType(out), uncertain=u.uncertain())


def describe_uncertainty(scenario: Scenario, uncertainty: Uncertainty | None = None) -> list[str]:
    """One line per uncertain input, e.g. ``prevalence: Beta(262, 177) (261 of 437): …``."""
    u = uncertainty if uncertainty is not None else scenario.uncertainty
    if u is None:
        return []
    if getattr(scenario, "has_cells", False):
        from .cells_assurance import describe_cells_uncertainty  # noqa: PLC0415

        return describe_cells_uncertainty(scenario, u)
    point = _point_values(scenario)
    centres = {c.input: c for c in prior_centres(scenario, u)}
    lines = []
    for key in u.uncertain():
        prior = getattr(u, key)
        try:
            text = f"{key}: {prior.describe(point[key])}"
        except ValueError as err:
            text = f"{key}: {err}"
        c = centres.get(key)
        if c is None:
            text += " — centred on the scenario's value"
        else:
            text += (" — CONFLICT: " if c.conflict else " — ") + c.describe()
        lines.append(text)
    return lines


# ----------------------------------------------------------------------------- evaluation
def _analysis(scenario: Scenario) -> str:
    return "events" if scenario.endpoint == "survival" else "patients"


def _claims_at_size(model: DesignModel, size: float, analysis: str) -> dict[str, np.ndarray]:
    """Every claim's power under each draw at ``size`` patients (or events, event-driven)."""
    idx = np.arange(model.size)
    if analysis == "events":
        n = size / flat(model.events_per_patient, model.shape, idx)
    else:  # one N for every draw: a 0-d array broadcasts (and the t quantile is computed once)
        n = np.asarray(float(size))
    claims = model.claims(n, idx)
    if isinstance(model, SingleTestModel) and model.stat is not None and model.stat.t_test:
        # scipy.special.nctdtr (behind statsmodels' ttest_power) returns NaN for some
        # noncentralities between about 37 and 40, where the power is 1 (or 0 for a harmful
        # effect) to within 1e-100: use that limit for those draws only.
        power = np.array(claims["power"], dtype=float)
        bad = ~np.isfinite(power)
        if bad.any():
            drift = flat(model.stat.drift, model.shape, idx)
            power[bad] = (drift[bad] > 0).astype(float)
            claims = {**claims, "power": power}
    return claims


def _mean_se(x: np.ndarray) -> tuple[float, float]:
    b = x.size
    se = float(np.std(x, ddof=1) / math.sqrt(b)) if b > 1 else 0.0
    return float(np.mean(x)), se


def _mean_power(model: DesignModel, sizes: np.ndarray, analysis: str) -> np.ndarray:
    return np.array([float(np.mean(_claims_at_size(model, s, analysis)["power"])) for s in np.ravel(sizes)])


def assurance_curve(
    scenario: Scenario,
    name: str,
    sizes: np.ndarray,
    opts: FixedDesignOptions | None = None,
    *,
    draws: Draws | None = None,
) -> np.ndarray:
    """A(size) for design ``name`` at each of ``sizes`` — total patients, or events for a
    survival endpoint (event-driven) — with the scenario's allocation ratio; each size is one
    vectorized pass over all draws (for an assurance-vs-N curve beside power-vs-N)."""
    opts = _opts(scenario, name, opts)
    draws = draws if draws is not None else draw_inputs(scenario)
    model = build_model(name, draws.params(scenario), opts)
    return _mean_power(model, np.asarray(sizes, dtype=float), _analysis(scenario))


def _opts(scenario: Scenario, name: str, opts: FixedDesignOptions | None) -> FixedDesignOptions:
    opts = scenario.resolved_options(name, opts)  # with the interim plan in force
    if scenario.has_cells:  # as compute_design (the stratified design over populations: one analysis)
        from .compute import _cells_options  # noqa: PLC0415

        opts = _cells_options(scenario, name, opts)[0]
    return opts


def _first_crossing(
    a_of: Callable[[float], float], lo: float, hi: float, target: float,
    is_cancelled: Callable[[], bool] | None = None,
) -> tuple[float | None, float]:
    """(smallest size with ``a_of(log size) ≥ target``, or None; the largest value seen).

    A geometric grid (factor :data:`GRID_FACTOR`) from ``lo`` to ``hi`` up to the first grid
    point reaching the target, then Brent's method on log size between it and the previous one.
    """
    steps = int(math.ceil(math.log(hi / lo) / math.log(GRID_FACTOR)))
    best, prev = -1.0, None
    for g in np.linspace(math.log(lo), math.log(hi), steps + 1):
        _check(is_cancelled)
        a = a_of(float(g))
        best = max(best, a)
        if a >= target:
            if prev is None:
                return math.exp(float(g)), best
            root = brentq(lambda x: a_of(x) - target, prev, float(g), xtol=1e-10, rtol=1e-12, maxiter=200)
            return math.exp(root), best
        prev = float(g)
    return None, best


def size_for_assurance(
    scenario: Scenario,
    name: str,
    opts: FixedDesignOptions | None = None,
    *,
    target: float | None = None,
    draws: Draws | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> SizeForAssurance:
    """Smallest total N (survival: events D) with assurance ≥ ``target``.

    ``target`` defaults to the block's ``target``, else ``testing.power``. Sizes as in
    :mod:`planner.compute`: per-arm sizes are the unrounded solution's shares rounded up, and
    the reported ``assurance`` is at those integers (survival: at the events rounded up; the
    patients are D / (expected events per patient at the point assumptions)).
    ``is_cancelled()`` is polled at every grid point (:class:`AssuranceCancelled`).
    """
    from .solve import n_min

    opts = _opts(scenario, name, opts)
    u_target = getattr(scenario.uncertainty, "target", None)
    if target is None:
        target = u_target if u_target is not None else scenario.testing.power
    target = float(target)
    draws = draws if draws is not None else draw_inputs(scenario)
    analysis = _analysis(scenario)
    model = build_model(name, draws.params(scenario), opts)

    def a_of(log_s: float) -> float:
        return float(np.mean(_claims_at_size(model, math.exp(log_s), analysis)["power"]))

    s_exact, best = _first_crossing(a_of, n_min(scenario.testing.allocation_ratio), SIZE_MAX, target,
                                    is_cancelled)
    if s_exact is None:
        return SizeForAssurance(
            target=target,
            feasible=False,
            max_assurance=best,
            message=(
                f"assurance reaches at most {best:.4f} below {SIZE_MAX:.0e} "
                f"{'events' if analysis == 'events' else 'patients'}"
            ),
        )
    return _at_integer_size(scenario, name, opts, draws, model, s_exact, target)


def _at_integer_size(scenario: Scenario, name: str, opts: FixedDesignOptions, draws: Draws,
                     model: DesignModel, s_exact: float, target: float) -> SizeForAssurance:
    """The size for assurance rounded as compute rounds, with the assurance at those integers."""
    from .compute import per_arm

    ratio = scenario.testing.allocation_ratio
    if _analysis(scenario) == "events":
        point = params_from_scenario(scenario)
        u_point = float(np.asarray(build_model(name, point, opts).events_per_patient).reshape(-1)[0])
        ev_int = int(math.ceil(s_exact - 1e-9))
        n_exact = s_exact / u_point
        n_t, n_c = per_arm(n_exact, ratio)
        achieved = float(np.mean(_claims_at_size(model, ev_int, "events")["power"]))
        return SizeForAssurance(
            target=target, feasible=True, n_randomized=n_t + n_c,
            n_per_arm={"treatment": n_t, "control": n_c}, n_randomized_exact=n_exact,
            events=ev_int, events_exact=s_exact, assurance=achieved, max_assurance=None,
        )
    n_t, n_c = per_arm(s_exact, ratio)
    m_int = build_model(name, draws.params(scenario).with_allocation(n_t / n_c), opts)
    achieved = float(np.mean(_claims_at_size(m_int, n_t + n_c, "patients")["power"]))
    return SizeForAssurance(
        target=target, feasible=True, n_randomized=n_t + n_c,
        n_per_arm={"treatment": n_t, "control": n_c}, n_randomized_exact=s_exact,
        assurance=achieved,
    )


def assurance_for_design(
    scenario: Scenario,
    name: str,
    opts: FixedDesignOptions | None = None,
    *,
    result: DesignResult | None = None,
    draws: Draws | None = None,
    size_target: float | None = None,
    with_size: bool = True,
    is_cancelled: Callable[[], bool] | None = None,
) -> AssuranceResult:
    """Assurance of fixed design ``name`` at its planned size (see module docstring).

    ``result`` is the design's :class:`DesignResult` (computed with
    :func:`planner.compute.compute_design` when omitted); ``draws`` default to the scenario's
    ``uncertainty`` block. ``with_size`` adds the size for assurance ``size_target``;
    ``is_cancelled`` is polled during its search (:class:`AssuranceCancelled`).
    """
    from .compute import compute_design

    opts = _opts(scenario, name, opts)
    draws = draws if draws is not None else draw_inputs(scenario)
    if result is None:
        result = compute_design(scenario, name, opts)
    analysis = _analysis(scenario)
    base: dict[str, Any] = dict(
        design=name, label=design_label(name), draws=draws.size, seed=draws.seed, analysis=analysis,
        uncertain=draws.uncertain, conflicts=tuple(c.describe() for c in prior_conflicts(scenario)),
    )
    sfa = (size_for_assurance(scenario, name, opts, target=size_target, draws=draws, is_cancelled=is_cancelled)
           if with_size else None)
    if not result.feasible or result.n_randomized is None:
        return AssuranceResult(
            message=f"no planned size: {result.message}", size_for_assurance=sfa, **base
        )
    par = draws.params(scenario)
    if analysis == "events":
        size = float(result.events)
    else:
        arms = result.n_per_arm or {}
        par = par.with_allocation(arms["treatment"] / arms["control"])
        size = float(result.n_randomized)
    model = build_model(name, par, opts)
    claims = _claims_at_size(model, size, analysis)
    power = np.asarray(claims.pop("power"), dtype=float)
    mean, se = _mean_se(power)
    quant = np.quantile(power, QUANTILES)
    by_population = by_population_se = None
    if scenario.has_cells:  # several populations: each population's claim (planner.cells_assurance)
        from .cells_assurance import population_claim_stats  # noqa: PLC0415

        by_population, by_population_se, claim_stats = population_claim_stats(claims)
        by_population, by_population_se = by_population or None, by_population_se or None
        claim_stats = claim_stats if name == "stratified" else {}
    else:
        claim_stats = ({k: _mean_se(np.asarray(v, dtype=float)) for k, v in claims.items()}
                       if name == "stratified" else {})
    return AssuranceResult(
        n_randomized=result.n_randomized,
        events=result.events if analysis == "events" else None,
        power=result.power,
        assurance=mean,
        assurance_se=se,
        power_quantiles={f"{q:g}": float(v) for q, v in zip(QUANTILES, quant)},
        prob_power_above=float(np.mean(power > POWER_THRESHOLD)),
        p_benefit=float(np.mean(model.feasible())),
        claims={k: v[0] for k, v in claim_stats.items()},
        claims_se={k: v[1] for k, v in claim_stats.items()},
        size_for_assurance=sfa,
        power_draws=power,
        assurance_by_population=by_population,
        assurance_by_population_se=by_population_se,
        **base,
    )


def assurance_for_comparison(
    scenario: Scenario,
    comparison: Any,
    *,
    uncertainty: Uncertainty | None = None,
    with_size: bool = True,
    progress: Callable[[int, int], object] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> dict[str, AssuranceResult]:
    """Assurance of every fixed design of a :class:`~planner.results.Comparison`.

    One set of draws (the scenario's ``uncertainty`` block, or ``uncertainty``) is shared by all
    designs; each is evaluated at the size in ``comparison.designs[name]``. Non-fixed designs
    (adaptive) are skipped. Empty when there is no uncertainty block. The one implementation
    used by ``compute``, the report and the app (which runs it in a background thread):

    * ``progress(done, total)`` is called after each design (``total`` fixed designs);
    * ``is_cancelled()`` is polled before each design (and during each size search): when it
      returns true, :class:`AssuranceCancelled` is raised — a superseded request stops early
      and never returns results for other inputs.
    """
    u = uncertainty if uncertainty is not None else scenario.uncertainty
    if u is None:
        return {}
    _check(is_cancelled)
    draws = draw_inputs(scenario, u)
    fixed = [(name, r) for name, r in comparison.designs.items()
             if name in FIXED_DESIGNS and isinstance(r, DesignResult)]
    target = u.target if u.target is not None else scenario.testing.power
    out: dict[str, AssuranceResult] = {}
    for done, (name, result) in enumerate(fixed, start=1):
        _check(is_cancelled)
        out[name] = assurance_for_design(
            scenario, name, None, result=result, draws=draws, size_target=target,
            with_size=with_size, is_cancelled=is_cancelled,
        )
        if progress is not None:
            progress(done, len(fixed))
    conflicts = tuple(c.describe() for c in prior_conflicts(scenario, u))
    return {k: replace(r, conflicts=conflicts) for k, r in out.items()} if conflicts else out


def assurance_summary(scenario: Scenario, results: Mapping[str, AssuranceResult]) -> str:
    """Text block for ``compute`` output: the distributions, then one paragraph per design."""
    if not results:
        return ""
    first = next(iter(results.values()))
    lines = [
        f"Assurance (O'Hagan, Stevens & Campbell 2005): expected power over {first.draws:,} "
        f"prior draws, seed {first.seed}",
    ]
    lines += [f"  {line}" for line in describe_uncertainty(scenario)] or ["  (no input is uncertain)"]
    lines.append("")
    for r in results.values():
        lines += r.summary().splitlines() + [""]
    return "\n".join(lines).rstrip() + "\n"


def assurance_to_dict(results: Mapping[str, AssuranceResult]) -> dict:
    """``{design: result.to_dict()}`` for JSON output."""
    return {name: r.to_dict() for name, r in results.items()}


__all__ = [
    "AssuranceCancelled",
    "AssuranceResult",
    "Draws",
    "SizeForAssurance",
    "assurance_curve",
    "assurance_for_comparison",
    "assurance_for_design",
    "assurance_summary",
    "assurance_to_dict",
    "describe_uncertainty",
    "draw_inputs",
    "size_for_assurance",
]
