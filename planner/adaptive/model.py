"""The simulation model: two disjoint subsets, S (test-positive) and R (test-negative).

Populations are S and F = S ∪ R (rpact's naming). Every quantity the simulator needs is held
per subset, on the scale of the benefit direction (a positive effect is a benefit):

* continuous — θ_i (mean difference treatment − control times the direction sign) and v_i, the
  variance of √n·θ̂_i per randomized patient: θ̂_i ~ N(θ_i, v_i / n_i). For equal arm variances
  σ², v = σ²(1 + r)²/r (rpact: σ²/(n·c), c = r/(1 + r)²).
* binary — outcome probabilities on treatment and control, π_T,i and π_C,i.
* survival — θ_i = −ln HR_i and u_i, the events per randomized patient (or any weight ∝ it):
  the events of a stage are split over the enrolled subsets in proportion to prevalence × u_i.

With an imperfect assay the test-positive subset S is a mixture of true B+ and B− patients with
weights PPV and 1 − PPV (Simon & Maitournam 2004), and R a mixture with weights 1 − NPV and NPV;
:func:`model_from_scenario` builds the mixtures with :mod:`planner.contrasts` (continuous:
mixture means and variances; binary: mixture rates; survival: the event-weighted mean log hazard
ratio and expected events per patient from accrual, follow-up and dropout).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from ..assay import assay_mix
from ..contrasts import contrast, mixture_cells
from ..errors import Problem, ScenarioError
from ..params import params_from_scenario
from ..scenario import AdaptiveOptions, Scenario
from .boundaries import critical_values, inverse_normal_weights
from .fisher import fisher_critical_values, fisher_weights
from .recalculation import Recalculation


class StagePlan:
    """What the two-subset :class:`SimModel` and the several-population :class:`.kmodel.KModel`
    share: the stage-wise critical values and combination weights, the stages, rpact's
    allocation constant, the global-null test and a copy with other planned sizes."""

    def _fill_critical(self) -> None:
        """Critical values of the combination test (inverse normal or Fisher) unless given."""
        if not self.critical:
            if self.combination == "fisher":
                crit = fisher_critical_values(self.information_rates, self.alpha, self.boundaries)
            else:
                crit = critical_values(self.information_rates, self.alpha, self.boundaries)
            object.__setattr__(self, "critical", tuple(float(c) for c in crit))

    @property
    def combination_weights(self):
        """Prefixed stage weights: inverse normal √(t_k − t_{k−1}); Fisher rpact's w_k."""
        if self.combination == "fisher":
            return fisher_weights(self.information_rates)
        return inverse_normal_weights(self.information_rates)

    @property
    def stages(self) -> int:
        return len(self.planned)

    @property
    def c(self) -> float:
        """r/(1 + r)², the allocation constant of rpact."""
        r = self.allocation_ratio
        return r / (1.0 + r) ** 2

    @property
    def no_effect(self) -> bool:
        """No treatment effect in any subset or cell: every rejection is a type I error."""
        if self.endpoint == "binary":
            return tuple(self.rate_treatment) == tuple(self.rate_control)
        return all(t == 0 for t in self.theta)

    def with_planned(self, planned):
        """A copy with other cumulative planned sizes (subjects; events for survival)."""
        return replace(self, planned=tuple(float(x) for x in planned))


@dataclass(frozen=True)
class SimModel(StagePlan):
    """Everything one adaptive-enrichment simulation needs (subset order: S, R)."""

    endpoint: str
    prevalence: float                    # share of S among the randomized (P(test+))
    planned: tuple[float, ...]           # cumulative subjects (survival: events) per stage
    information_rates: tuple[float, ...]
    alpha: float = 0.025                 # one-sided
    allocation_ratio: float = 1.0        # treatment : control
    boundaries: str = "obrien_fleming"
    futility_bounds: tuple[float, ...] | None = None
    intersection_test: str = "simes"
    selection_rule: str = "best"
    epsilon: float = 0.0
    threshold: float = 0.0
    effect_measure: str = "effect_estimate"
    stratified: bool = True
    success_criterion: str = "at_least_one"
    theta: tuple[float, float] = (0.0, 0.0)        # continuous / survival, benefit scale
    variance: tuple[float, float] = (4.0, 4.0)      # continuous: Var(√n θ̂) per patient
    rate_treatment: tuple[float, float] = (0.5, 0.5)
    rate_control: tuple[float, float] = (0.5, 0.5)
    event_weight: tuple[float, float] = (1.0, 1.0)  # survival: events per patient (∝)
    patients_per_event: tuple[float, float] | None = None  # survival: 1/u_i when known
    p_test_positive: float | None = None  # screening: patients tested per S patient = 1/this
    correlation: str = "information"     # Spiessens–Debois ρ: "information" | "rpact_head_count"
    rpact_compat: bool = False
    combination: str = "inverse_normal"  # "inverse_normal" | "fisher" (rpact getDesignFisher)
    recalculation: Recalculation | None = None  # conditional-power sample-size recalculation
    critical: tuple[float, ...] = field(default=())

    def __post_init__(self) -> None:
        self._fill_critical()


def _subset_params(scenario: Scenario, inputs=None):
    par = params_from_scenario(scenario, **dict(inputs or {}))
    mix = assay_mix(par.prevalence, par.sensitivity, par.specificity)
    share_pos = (float(mix.ppv), float(mix.positive_share_in_test_negative))
    return par, mix, share_pos


def model_from_scenario(scenario: Scenario, options: AdaptiveOptions | None = None, *,
                        inputs=None) -> SimModel:
    """The :class:`SimModel` of a scenario's ``designs.adaptive`` (PPV mixtures for S and R);
    ``inputs`` replaces inputs as keywords of ``params_from_scenario`` (one prior draw). A
    scenario in the cells form gives the several-populations :class:`.kmodel.KModel`."""
    opts = options if options is not None else scenario.designs.get("adaptive")
    if not isinstance(opts, AdaptiveOptions):
        raise ScenarioError([Problem("designs.adaptive", "is required to simulate the adaptive design")])
    if scenario.has_cells:  # several populations: the K-population model (.kmodel)
        if inputs:
            raise ScenarioError([Problem("uncertainty", "the cells form's prior draws are simulated as "
                                         "scenarios (planner.adaptive.assurance), not as inputs")])
        from .kmodel import kmodel_from_scenario  # noqa: PLC0415 (kmodel imports this module)
        return kmodel_from_scenario(scenario, opts)
    par, mix, shares = _subset_params(scenario, inputs)
    endpoint = scenario.endpoint
    planned = opts.planned_events if endpoint == "survival" else opts.planned_subjects
    if planned is None:
        key = "planned_events" if endpoint == "survival" else "planned_subjects"
        raise ScenarioError([Problem(f"designs.adaptive.{key}", f"is required for a {endpoint} endpoint")])
    if len(planned) != len(opts.information_rates):
        raise ScenarioError([Problem("designs.adaptive.information_rates",
                                     "needs one value per planned stage")])
    q = float(mix.p_test_positive)
    kw: dict = {}
    if endpoint == "continuous":
        cons = [contrast(par, mixture_cells(s)) for s in shares]
        kw["theta"] = tuple(float(c.theta) for c in cons)
        kw["variance"] = tuple(float(c.sd0) ** 2 for c in cons)
    elif endpoint == "binary":
        rates_t, rates_c = [], []
        for s in shares:
            pos, neg = par.positive, par.negative
            rates_t.append(float(s * pos["treatment_rate"] + (1 - s) * neg["treatment_rate"]))
            rates_c.append(float(s * pos["control_rate"] + (1 - s) * neg["control_rate"]))
        if par.sign < 0:  # "lower is better": simulate the complementary outcome
            rates_t = [1.0 - x for x in rates_t]
            rates_c = [1.0 - x for x in rates_c]
        kw["rate_treatment"] = tuple(rates_t)
        kw["rate_control"] = tuple(rates_c)
    else:
        cons = [contrast(par, mixture_cells(s), "schoenfeld") for s in shares]
        kw["theta"] = tuple(float(c.theta) for c in cons)
        units = tuple(float(c.units) for c in cons)
        kw["event_weight"] = units
        kw["patients_per_event"] = tuple(1.0 / u for u in units)
    sel = opts.selection
    if endpoint == "binary":
        _check_arm_sizes(planned, q, float(scenario.testing.allocation_ratio))
    return SimModel(
        endpoint=endpoint,
        prevalence=q,
        planned=tuple(float(x) for x in planned),
        information_rates=tuple(opts.information_rates),
        alpha=float(scenario.testing.alpha) / scenario.testing.sides,
        allocation_ratio=float(scenario.testing.allocation_ratio),
        boundaries=opts.boundaries,
        futility_bounds=tuple(opts.futility_bounds) if opts.futility_bounds else None,
        intersection_test=opts.intersection_test,
        selection_rule=_two_subset_rule(sel),
        epsilon=float(sel.epsilon),
        threshold=float(sel.threshold),
        effect_measure=opts.effect_measure,
        stratified=bool(opts.stratified_analysis),
        success_criterion=opts.success_criterion,
        correlation=opts.correlation,
        p_test_positive=q,
        combination=opts.combination,
        recalculation=_recalculation(opts, endpoint),
        **kw,
    )


def _two_subset_rule(sel) -> str:
    """``rbest`` with two populations (S, F): r = 1 is ``best``, r ≥ 2 keeps both (``all``)."""
    if sel.rule == "rbest":
        return "best" if int(sel.r) <= 1 else "all"
    return sel.rule


def _recalculation(opts: AdaptiveOptions, endpoint: str) -> Recalculation | None:
    """The scenario's ``sample_size_recalculation`` as the simulator's :class:`Recalculation`."""
    ssr = opts.sample_size_recalculation
    if ssr is None:
        return None
    surv = endpoint == "survival"
    lo = ssr.min_events if surv else ssr.min_subjects
    hi = ssr.max_events if surv else ssr.max_subjects
    return Recalculation(float(ssr.conditional_power), tuple(float(x) for x in lo),
                         tuple(float(x) for x in hi), ssr.effect)


def _check_arm_sizes(planned, q: float, ratio: float) -> None:
    """Every arm of every enrolled subset must get at least one patient (rounded, as rpact)."""
    incs = [planned[0]] + [b - a for a, b in zip(planned, planned[1:])]
    for k, inc in enumerate(incs):
        shares = (q, 1 - q) if k == 0 else (q, 1 - q, 1.0)
        for share in shares:
            n = inc * share
            if round(n * ratio / (1 + ratio)) < 1 or round(n / (1 + ratio)) < 1:
                raise ScenarioError([Problem(
                    "designs.adaptive.planned_subjects",
                    f"too small: stage {k + 1} would leave an arm of a subset without patients")])


def survival_event_weight_rpact(hazard_ratios, allocation_ratio: float) -> tuple[float, float]:
    """rpact's event split without control event probabilities: ∝ 1 + r·HR_i."""
    return tuple(1.0 + allocation_ratio * float(h) for h in hazard_ratios)


def log_hr_benefit(hazard_ratios) -> tuple[float, float]:
    """θ_i = −ln HR_i (benefit > 0)."""
    return tuple(-math.log(float(h)) for h in hazard_ratios)


__all__ = ["SimModel", "model_from_scenario", "survival_event_weight_rpact", "log_hr_benefit"]
