"""Build the model of each fixed design from numeric :class:`~planner.params.Params`.

Designs (Mandrekar & Sargent 2009; Simon & Maitournam 2004; Methods §3):

* ``all_comers`` — everyone randomized, no assay; one unstratified test in the full population,
  whose effect is the prevalence-weighted mixture E_U = γδ+ + (1 − γ)δ− (survival: the
  event-weighted log HR).
* ``targeted`` — only test-positives randomized; effect E_T = PPV·δ+ + (1 − PPV)·δ−;
  patients screened = randomized / P(test+).
* ``stratified`` — see :mod:`planner.designs.stratified`.
* ``strategy`` — randomize between a marker-based strategy (test-positives treated,
  test-negatives on control) and a non-marker strategy: everyone on control (``standard``),
  or randomized 1:1 between treatment and control (``randomized``). The contrast is
  P(A+)·E_T (standard) or (P(A+)·E_T − P(A−)·E_{T−})/2 (randomized). Allocation is
  marker-based : non-marker. Everyone randomized is tested.
* ``interaction`` — the treatment-by-marker interaction test, Z = (θ̂_A+ − θ̂_A−)/sd with
  Var(θ̂_A+ − θ̂_A−) = σ²/(N γ(1 − γ) p(1 − p)) for equal variances and a perfect assay.
"""

from __future__ import annotations

import numpy as np

from ..assay import assay_mix
from ..catalogue import FIXED_DESIGNS
from ..contrasts import (
    contrast,
    linear_cov,
    linear_stat,
    mixture_cells,
    single_stat,
    strategy_cells,
    test_subsets,
)
from ..groupseq.plan import InterimPlan
from ..noninferiority import null_contrast
from ..params import Params
from ..scenario import FixedDesignOptions
from .base import DesignModel, SingleTestModel
from .sequential import with_plan
from .stratified import MULTIPLICITY_TEXT, StratifiedModel, critical_values

SURVIVAL_PATIENTS = (
    "patients from events with uniform accrual, follow-up and exponential dropout "
    "(as rpact getSampleSizeSurvival)"
)


def method_text(par: Params, multi_subset: bool = False) -> str:
    """The test named in output, e.g. 'normal approximation, pooled variance under H0'."""
    m = par.method
    if par.endpoint == "continuous":
        if m == "t" and not multi_subset:
            text = "two-sample t-test (noncentral t, df = N − 2)"
        else:
            text = "two-sample z-test (normal approximation)"
        if par.heterogeneity_variance:
            text += "; arm variances include the spread of subgroup means"
        return text
    if par.endpoint == "binary":
        return {
            "pooled": "normal approximation, pooled variance under H0, unpooled under H1, no continuity correction (as rpact getSampleSizeRates)",
            "unpooled": "normal approximation, unpooled variance, no continuity correction",
            "arcsine": "arcsine-transformed rates (Cohen's h), normal approximation",
        }[m]
    name = "Freedman (1982)" if (m == "freedman" and not multi_subset) else "Schoenfeld (1981)"
    return f"log-rank test, {name} events; {SURVIVAL_PATIENTS}; mixed populations: event-weighted log hazard ratio"


def _shape(par: Params) -> tuple[int, ...]:
    return par.shape


def _units(c) -> np.ndarray | None:
    return c.units


def _arm_rates(c) -> dict:
    """Binary: the arm rates of the comparison (exact power, planner.exact_binary)."""
    return {} if c.rates is None else {"rate_treatment_arm": c.rates[0], "rate_control_arm": c.rates[1]}


def _single(name, par, cells, screened, details, method=None) -> SingleTestModel:
    raw = contrast(par, cells, method)
    c = null_contrast(par, raw, method)
    t_test = par.endpoint == "continuous" and par.method == "t"
    stat = single_stat(c, t_test)
    shape = np.broadcast_shapes(par.shape, np.shape(stat.drift))
    return SingleTestModel(
        name=name,
        endpoint=par.endpoint,
        alpha=par.alpha,
        sides=par.sides,
        shape=shape,
        method=method_text(par),
        screened_per_randomized=np.asarray(screened, dtype=float),
        events_per_patient=c.units if par.endpoint == "survival" else None,
        details={**details, "effect_tested": raw.theta, **_arm_rates(c)},
        stat=stat,
    )


def all_comers(par: Params, opts: FixedDesignOptions) -> SingleTestModel:
    return _single("all_comers", par, mixture_cells(par.prevalence), 0.0, {})


def targeted(par: Params, opts: FixedDesignOptions) -> SingleTestModel:
    mix = assay_mix(par.prevalence, par.sensitivity, par.specificity)
    details = {"p_test_positive": mix.p_test_positive, "ppv": mix.ppv}
    return _single("targeted", par, mixture_cells(mix.ppv), 1.0 / mix.p_test_positive, details)


def strategy(par: Params, opts: FixedDesignOptions) -> SingleTestModel:
    randomized = opts.control_arm == "randomized"
    model = _single("strategy", par, strategy_cells(par, randomized), 1.0, {"control_arm": opts.control_arm})
    if randomized and par.endpoint == "survival":
        from dataclasses import replace

        model = replace(model, method=model.method + "; a half-treated arm's log HR taken as half the subgroup's (first order)")
    return model


def interaction(par: Params, opts: FixedDesignOptions) -> SingleTestModel:
    method = "schoenfeld" if par.endpoint == "survival" else None
    mix, pos, neg = test_subsets(par, method)
    shares = (mix.p_test_positive, 1.0 - mix.p_test_positive)
    stat = linear_stat(shares, (pos, neg), (1.0, -1.0))
    events = shares[0] * pos.units + shares[1] * neg.units if par.endpoint == "survival" else None
    shape = np.broadcast_shapes(par.shape, np.shape(stat.drift))
    return SingleTestModel(
        name="interaction",
        endpoint=par.endpoint,
        alpha=par.alpha,
        sides=par.sides,
        shape=shape,
        method="test of treatment-by-marker interaction (difference of the test-positive and test-negative effects), "
        + method_text(par, multi_subset=True),
        screened_per_randomized=np.asarray(1.0),
        events_per_patient=events,
        details={"effect_tested": pos.theta - neg.theta, "p_test_positive": mix.p_test_positive},
        stat=stat,
    )


def stratified(par: Params, opts: FixedDesignOptions) -> StratifiedModel:
    method = "schoenfeld" if par.endpoint == "survival" else None
    mix, raw_pos, raw_neg = test_subsets(par, method)
    pos, neg = null_contrast(par, raw_pos, method), null_contrast(par, raw_neg, method)
    shares = (mix.p_test_positive, 1.0 - mix.p_test_positive)
    contrasts_ = (pos, neg)
    c_s = (1.0, 0.0)
    c_f = (shares[0] * pos.units, shares[1] * neg.units)  # patient (events for survival) weights
    z_s = linear_stat(shares, contrasts_, c_s)
    z_f = linear_stat(shares, contrasts_, c_f)
    rho0 = linear_cov(shares, contrasts_, c_f, c_s, h1=False)
    rho1 = linear_cov(shares, contrasts_, c_f, c_s, h1=True) / (z_f.ratio * z_s.ratio)
    alpha = par.alpha / par.sides
    cf, cs, c = critical_values(opts.multiplicity, alpha, rho0, opts.alpha_split)
    events = shares[0] * pos.units + shares[1] * neg.units if par.endpoint == "survival" else None
    shape = np.broadcast_shapes(par.shape, np.shape(z_f.drift), np.shape(z_s.drift), np.shape(rho0))
    text = (
        f"{MULTIPLICITY_TEXT[opts.multiplicity]} of the overall (stratified) and test-positive tests; "
        f"power of each claim from the bivariate normal of (Z_F, Z_S); {method_text(par, multi_subset=True)}"
    )
    return StratifiedModel(
        name="stratified",
        endpoint=par.endpoint,
        alpha=par.alpha,
        sides=par.sides,
        shape=shape,
        method=text,
        screened_per_randomized=np.asarray(1.0),
        events_per_patient=events,
        primary=opts.size_for,
        details={
            "correlation_h0": rho0,
            "critical_value_overall": cf,
            "critical_value_subgroup": cs,
            "critical_value_single": c,
            "effect_tested_overall": (shares[0] * pos.units * raw_pos.theta + shares[1] * neg.units * raw_neg.theta)
            / (shares[0] * pos.units + shares[1] * neg.units),
            "effect_tested_subgroup": raw_pos.theta,
            "p_test_positive": mix.p_test_positive,
        },
        drift_f=z_f.drift,
        drift_s=z_s.drift,
        sd_f=z_f.ratio,
        sd_s=z_s.ratio,
        rho1=rho1,
        crit_f=cf,
        crit_s=cs,
        crit=c,
        multiplicity=opts.multiplicity,
    )


def builder(name: str, cells: bool = False):
    """The function making fixed design ``name``'s model — of this module for the two-subgroup
    form, of :mod:`planner.designs.multipop` (same function names) for the cells form. The one
    list of fixed designs is the catalogue's ``FIXED_DESIGNS``."""
    if name not in FIXED_DESIGNS:
        raise KeyError(f"unknown fixed design {name!r}; one of {', '.join(FIXED_DESIGNS)}")
    if cells:
        from . import multipop  # noqa: PLC0415 (multipop imports this module)

        return getattr(multipop, name)
    return globals()[name]


def model_at_arms(name: str, par: Params, opts: FixedDesignOptions, arms: tuple[float, float] | None = None,
                  model: DesignModel | None = None) -> tuple[Params, DesignModel]:
    """``par`` at the allocation of ``arms`` (treatment, control; None: as it is) and design
    ``name``'s model there: ``model`` (built at ``par`` and ``opts``) when the ratio is ``par``'s
    exactly — the same inputs, so the same model bit for bit — else built anew."""
    if arms is not None and arms[0] / arms[1] != par.allocation_ratio:
        par, model = par.with_allocation(arms[0] / arms[1]), None
    return par, build_model(name, par, opts) if model is None else model


def build_model(name: str, par: Params, opts: FixedDesignOptions | None = None) -> DesignModel:
    """The model of fixed design ``name`` for ``par`` (arrays allowed).

    When ``opts.interim`` is a plan (see :meth:`planner.scenario.Scenario.interim_for`) the model
    is the group-sequential one of :mod:`planner.designs.sequential` (maximum size N).
    """
    opts = opts or FixedDesignOptions()
    factors = None
    if isinstance(opts.interim, InterimPlan) and par.endpoint == "survival":
        from ..survival_nph import lookwise_factors  # noqa: PLC0415 (time-varying or heterogeneous hazards: look-wise drifts)

        factors = lookwise_factors(par, name, opts.interim.information_rates, opts)
    if par.structure is not None:  # the cells form: several populations (planner.designs.multipop)
        model = builder(name, cells=True)(par, opts)
        if isinstance(opts.interim, InterimPlan) and name == "stratified":
            from ..groupseq.multipop_model import with_plan as with_plan_cells  # noqa: PLC0415

            return with_plan_cells(model, opts.interim, opts.alpha_split, par, look_factors=factors)
        if isinstance(opts.interim, InterimPlan):
            model = with_plan(model, opts.interim, opts.alpha_split, look_factors=factors)
        return model
    model = builder(name)(par, opts)
    if isinstance(opts.interim, InterimPlan):
        model = with_plan(model, opts.interim, opts.alpha_split, look_factors=factors)
    return model
