"""Assurance (O'Hagan, Stevens & Campbell 2005): degenerate priors give the power exactly, a
brute-force loop over draws agrees within Monte Carlo error, and the closed form of a z-test
with a normal prior on the effect is reproduced."""

import json
import math
from dataclasses import replace

import numpy as np
import pytest
from conftest import base_scenario
from scipy.stats import norm, truncnorm

from planner.assurance import (
    AssuranceCancelled,
    assurance_curve,
    assurance_for_comparison,
    assurance_for_design,
    assurance_summary,
    draw_inputs,
    size_for_assurance,
)
from planner.compute import compare_designs, compute_design
from planner.designs.build import build_model
from planner.params import params_from_scenario
from planner.scenario import FIXED_DESIGNS, BinarySubgroup, ContinuousSubgroup, SurvivalSubgroup
from planner.scenario_io import scenario_from_dict
from planner.solve import solve_n

DESIGNS = {
    "all_comers": {},
    "targeted": {},
    "stratified": {"multiplicity": "spiessens_debois", "size_for": "subgroup"},
    "strategy": {"control_arm": "randomized"},
    "interaction": {},
}
ASSAY = {"prevalence": 0.4, "assay_sensitivity": 0.9, "assay_specificity": 0.85}


def _scenario(endpoint, block, designs=None, **over):
    d = base_scenario(endpoint, population=ASSAY, designs=designs or DESIGNS, **over)
    d["uncertainty"] = block
    return scenario_from_dict(d)


DEGENERATE = {
    "draws": 200,
    "prevalence": {"sd": 0},
    "positive_effect": {"se": 0},
    "negative_effect": {"se": 0},
    "assay_sensitivity": {"sd": 0},
    "assay_specificity": {"sd": 0},
}


# ----------------------------------------------------------------------------- degenerate
@pytest.mark.parametrize("endpoint, method", [
    ("continuous", "t"), ("continuous", "z"), ("binary", "pooled"), ("binary", "arcsine"),
    ("survival", "schoenfeld"), ("survival", "freedman"),
])
def test_degenerate_distributions_give_the_power_exactly(endpoint, method):
    s = _scenario(endpoint, DEGENERATE, testing={"method": method, "allocation_ratio": 1.5})
    comp = compare_designs(s)
    res = assurance_for_comparison(s, comp, with_size=False)
    assert set(res) == set(DESIGNS)
    for name, r in res.items():
        power = comp.designs[name].power
        assert r.assurance == pytest.approx(power, rel=1e-12, abs=1e-14), name
        assert r.assurance_se == pytest.approx(0.0, abs=1e-14)
        assert all(q == pytest.approx(power, rel=1e-12) for q in r.power_quantiles.values())
        assert r.prob_power_above == float(power > 0.8)
        if name == "stratified":
            for claim, p in comp.designs[name].claims.items():
                assert r.claims[claim] == pytest.approx(p, rel=1e-12, abs=1e-14)


@pytest.mark.parametrize("endpoint", ["continuous", "binary", "survival"])
def test_degenerate_at_a_fixed_size(endpoint):
    designs = {k: {**v, "n_randomized": 301} for k, v in DESIGNS.items()}
    if endpoint == "survival":
        designs = {k: {**v, "events": 150} for k, v in DESIGNS.items()}
    s = _scenario(endpoint, DEGENERATE, designs=designs)
    comp = compare_designs(s)
    for name, r in assurance_for_comparison(s, comp, with_size=False).items():
        assert r.assurance == pytest.approx(comp.designs[name].power, rel=1e-12, abs=1e-14), name


@pytest.mark.parametrize("endpoint", ["continuous", "binary", "survival"])
def test_degenerate_size_for_assurance_is_the_sample_size(endpoint):
    block = dict(DEGENERATE, target=0.85)
    s = _scenario(endpoint, block)
    draws = draw_inputs(s)
    point = params_from_scenario(s)
    for name in ("all_comers", "targeted", "stratified"):
        sfa = size_for_assurance(s, name, draws=draws)
        model = build_model(name, point, s.designs[name])
        ref = float(solve_n(model, 0.85, s.testing.allocation_ratio))
        if endpoint == "survival":  # sized in events: D = N · events per patient
            ref *= float(np.asarray(model.events_per_patient))
            exact = sfa.events_exact
        else:
            exact = sfa.n_randomized_exact
        assert exact == pytest.approx(ref, rel=1e-8), name
        assert sfa.assurance >= 0.85 - 1e-9


# ----------------------------------------------------------------------------- brute force
def _with_inputs(s, prev, pos, neg, sens, spec):
    """The scenario with one draw's values (scalar), for the scalar compute path."""
    pop = replace(s.population, prevalence=prev, assay_sensitivity=sens, assay_specificity=spec)

    def sub(g, eff):
        if isinstance(g, ContinuousSubgroup):
            return replace(g, mean_difference=eff)
        if isinstance(g, BinarySubgroup):
            return replace(g, treatment_rate=g.control_rate + eff)
        assert isinstance(g, SurvivalSubgroup)
        return replace(g, hazard_ratio=eff)

    return replace(s, population=pop, positive=sub(s.positive, pos), negative=sub(s.negative, neg))


def _scalar_power(sb, name, planned):
    """Power of one scalar scenario at the planned size, as compute_design evaluates it: the
    integer allocation at the integer N, or (survival, event-driven) N = D / events per patient."""
    opts = sb.designs[name]
    par = params_from_scenario(sb)
    if sb.endpoint == "survival":
        model = build_model(name, par, opts)
        n = planned.events / float(np.asarray(model.events_per_patient))
    else:
        arms = planned.n_per_arm
        model = build_model(name, par.with_allocation(arms["treatment"] / arms["control"]), opts)
        n = planned.n_randomized
    return float(model.power(np.array([float(n)]), np.array([0]))[0])


WIDE = {
    "continuous": ({"estimate": 0.45, "se": 0.15}, {"estimate": 0.1, "se": 0.2}),
    "binary": ({"estimate": 0.18, "lower": 0.06, "upper": 0.3}, {"estimate": 0.04, "se": 0.08}),
    "survival": ({"estimate": 0.6, "lower": 0.42, "upper": 0.86}, {"estimate": 0.9, "se": 0.2}),
}


def _independent_draws(s, rng, k):
    """k draws from the documented distributions, written independently of planner.uncertainty."""
    pos_p, neg_p = WIDE[s.endpoint]
    prev = rng.beta(24 + 1, 36 + 1, k)             # "x": 24, "n": 60
    sens = rng.beta(90 * 0.9, 90 * 0.1, k)         # "mean": 0.9, "n": 90
    spec = rng.beta(170 + 1, 30 + 1, k)            # "x": 170, "n": 200

    def effect(p, point, control):
        z = 1.959963984540054
        if "se" in p:
            sd = p["se"]
        else:
            g = np.log if s.endpoint == "survival" else (lambda v: v)
            sd = (g(p["upper"]) - g(p["lower"])) / (2 * z)
        est = p.get("estimate", point)
        if s.endpoint == "survival":
            return np.exp(rng.normal(math.log(est), sd, k))
        if s.endpoint == "binary":  # truncated so that the treatment rate stays in (0, 1)
            lo, hi = (1e-6 - control - est) / sd, (1 - 1e-6 - control - est) / sd
            return est + sd * truncnorm.rvs(lo, hi, size=k, random_state=rng)
        return rng.normal(est, sd, k)

    c_pos = getattr(s.positive, "control_rate", None)
    c_neg = getattr(s.negative, "control_rate", None)
    return prev, effect(pos_p, None, c_pos), effect(neg_p, None, c_neg), sens, spec


@pytest.mark.parametrize("endpoint", ["continuous", "binary", "survival"])
def test_against_a_brute_force_loop_over_draws(endpoint):
    pos, neg = WIDE[endpoint]
    block = {
        "draws": 100_000,
        "seed": 11,
        "prevalence": {"x": 24, "n": 60},
        "positive_effect": pos,
        "negative_effect": neg,
        "assay_sensitivity": {"mean": 0.9, "n": 90},
        "assay_specificity": {"x": 170, "n": 200},
    }
    s = _scenario(endpoint, block)
    comp = compare_designs(s)
    res = assurance_for_comparison(s, comp, with_size=False)
    rng = np.random.default_rng(2024)
    k = 300
    draws = _independent_draws(s, rng, k)
    for name, r in res.items():
        planned = comp.designs[name]
        powers = np.array([
            _scalar_power(_with_inputs(s, *(float(x[b]) for x in draws)), name, planned)
            for b in range(k)
        ])
        # Monte Carlo tolerance: 4 standard errors of the difference between the mean of k = 300
        # brute-force draws and the vectorized mean of B = 100,000 draws,
        # 4·sqrt(s²/300 + SE_B²), with s the sample sd of the 300 powers.
        tol = 4 * math.sqrt(powers.var(ddof=1) / k + r.assurance_se**2)
        assert abs(powers.mean() - r.assurance) < tol, (name, powers.mean(), r.assurance, tol)
        assert r.assurance_se < 0.5 / math.sqrt(r.draws)  # power ∈ [0, 1]: sd ≤ 1/2


@pytest.mark.parametrize("endpoint", ["continuous", "binary", "survival"])
def test_vectorized_power_equals_the_scalar_power_draw_by_draw(endpoint):
    """The same draws through the scalar path, one at a time, give the same powers."""
    pos, neg = WIDE[endpoint]
    block = {"draws": 100, "seed": 5, "prevalence": {"x": 24, "n": 60}, "positive_effect": pos,
             "negative_effect": neg, "assay_specificity": {"x": 170, "n": 200}}
    s = _scenario(endpoint, block)
    d = draw_inputs(s)
    for name in FIXED_DESIGNS:
        planned = compute_design(s, name)
        r = assurance_for_design(s, name, result=planned, draws=d, with_size=False)
        for b in range(0, d.size, 10):
            vals = {k: float(v[b]) for k, v in d.inputs.items()}
            sb = _with_inputs(s, vals["prevalence"], vals["positive_effect"],
                              vals["negative_effect"], s.population.assay_sensitivity,
                              vals["specificity"])
            if endpoint == "survival":
                p = compute_design(sb, name, question="power", events=planned.events).power
            else:
                p = compute_design(sb, name, question="power", n_randomized=planned.n_randomized).power
            assert r.power_draws[b] == pytest.approx(p, rel=1e-9, abs=1e-12), (name, b)


# ----------------------------------------------------------------------------- closed form
def _z_scenario(mu, tau, n, sd=2.0, ratio=1.0, block_extra=None):
    d = base_scenario(
        "continuous",
        population={"prevalence": 0.3, "assay_sensitivity": 1.0, "assay_specificity": 1.0},
        testing={"method": "z", "allocation_ratio": ratio, "alpha": 0.025},
        designs={"targeted": {"n_randomized": n}},
    )
    d["positive"] = {"mean_difference": mu, "sd": sd}
    d["negative"] = {"mean_difference": 0.0, "sd": sd}
    # the prevalence prior has no influence: a perfect assay makes every test-positive B+
    d["uncertainty"] = {"draws": 200_000, "seed": 99, "positive_effect": {"estimate": mu, "se": tau},
                        "prevalence": {"mean": 0.3, "n": 20}, **(block_extra or {})}
    return scenario_from_dict(d)


@pytest.mark.parametrize("mu, tau, n, ratio", [(0.8, 0.3, 200, 1.0), (0.5, 0.5, 120, 2.0), (0.3, 0.1, 400, 1.0)])
def test_closed_form_z_test_with_normal_prior(mu, tau, n, ratio):
    s = _z_scenario(mu, tau, n, ratio=ratio)
    comp = compare_designs(s)
    r = assurance_for_comparison(s, comp, with_size=False)["targeted"]
    arms = comp.designs["targeted"].n_per_arm
    p = arms["treatment"] / n
    info = n * p * (1 - p) / 2.0**2  # I = N p(1 − p)/σ²
    z_a = norm.isf(0.025)
    exact = norm.cdf((mu * math.sqrt(info) - z_a) / math.sqrt(1 + info * tau**2))
    # Monte Carlo tolerance: power ∈ [0, 1] so its sd is at most 1/2 and the standard error of
    # a mean of B = 200,000 draws at most 1/(2√B) ≈ 0.0011; allow 4 of them.
    tol = 4 * 0.5 / math.sqrt(r.draws)
    assert r.assurance == pytest.approx(exact, abs=tol)
    assert abs(r.assurance - exact) < 4 * r.assurance_se + 1e-12


def test_closed_form_size_for_assurance():
    mu, tau, target = 0.8, 0.3, 0.7
    s = _z_scenario(mu, tau, 200, block_extra={"target": target})
    sfa = size_for_assurance(s, "targeted")
    z_a = norm.isf(0.025)

    def exact(n):
        info = n * 0.25 / 4.0
        return norm.cdf((mu * math.sqrt(info) - z_a) / math.sqrt(1 + info * tau**2))

    tol = 4 * 0.5 / math.sqrt(200_000)  # as above
    assert exact(sfa.n_randomized_exact) == pytest.approx(target, abs=tol)
    assert sfa.n_randomized % 2 == 0 and sfa.n_per_arm["treatment"] == sfa.n_per_arm["control"]
    assert sfa.assurance >= target - 1e-12


def test_unattainable_assurance_reports_the_ceiling():
    # P(effect > 0) = Φ(0.2/0.4) ≈ 0.69: assurance can never reach 0.9
    s = _z_scenario(0.2, 0.4, 200, block_extra={"target": 0.9, "draws": 20_000})
    sfa = size_for_assurance(s, "targeted")
    assert not sfa.feasible and sfa.n_randomized is None
    assert sfa.max_assurance == pytest.approx(norm.cdf(0.5), abs=0.02)
    assert "at most" in sfa.message


# ----------------------------------------------------------------------------- behaviour
def test_harmful_draws_count_with_their_power():
    s = _z_scenario(0.2, 0.4, 200, block_extra={"draws": 50_000})
    r = assurance_for_design(s, "targeted", with_size=False)
    assert 0.0 < r.p_benefit < 1.0
    harm = r.power_draws[r.power_draws < 0.025]
    assert harm.size > 0.2 * r.draws  # about 30% of draws have no benefit; counted, not dropped
    assert r.assurance == pytest.approx(r.power_draws.mean())


def test_assurance_rises_with_n():
    s = _z_scenario(0.5, 0.2, 200, block_extra={"draws": 5000})
    sizes = np.array([20, 50, 100, 200, 400, 800])
    a = assurance_curve(s, "targeted", sizes)
    assert np.all(np.diff(a) > 0)
    z_a, p = norm.isf(0.025), 0.5
    info = sizes * p * (1 - p) / 4.0
    exact = norm.cdf((0.5 * np.sqrt(info) - z_a) / np.sqrt(1 + info * 0.2**2))
    assert a == pytest.approx(exact, abs=4 * 0.5 / math.sqrt(5000))  # 4 MC SE bounds (sd ≤ 1/2)


def test_design_infeasible_at_the_point_still_gets_a_size_for_assurance():
    d = base_scenario("continuous", designs={"interaction": {}})
    d["positive"] = {"mean_difference": 0.3, "sd": 1.0}
    d["negative"] = {"mean_difference": 0.3, "sd": 1.0}  # no interaction at the point values
    d["uncertainty"] = {"draws": 2000, "negative_effect": {"se": 0.3}, "target": 0.3}
    s = scenario_from_dict(d)
    comp = compare_designs(s)
    r = assurance_for_comparison(s, comp)["interaction"]
    assert not comp.designs["interaction"].feasible
    assert r.assurance is None and "no planned size" in r.message
    assert r.size_for_assurance.feasible and r.size_for_assurance.assurance >= 0.3 - 1e-9
    assert "assurance: —" in r.summary()


def test_output_is_json_safe_and_summarised():
    s = _scenario("survival", {"draws": 2000, "prevalence": {"x": 24, "n": 60},
                               "positive_effect": WIDE["survival"][0], "target": 0.6})
    comp = compare_designs(s)
    res = assurance_for_comparison(s, comp)
    text = json.dumps({k: v.to_dict() for k, v in res.items()}, allow_nan=False)
    d = json.loads(text)["stratified"]
    assert d["analysis"] == "events" and d["events"] == comp.designs["stratified"].events
    assert set(d["claims"]) == {"overall", "subgroup", "either", "both"}
    assert d["size_for_assurance"]["target"] == 0.6
    assert "power_draws" not in d
    summary = assurance_summary(s, res)
    assert "Beta(25, 37)" in summary and "Targeted (enrichment)" in summary
    counts, edges = res["targeted"].histogram(10)
    assert counts.sum() == 2000 and edges[0] == 0.0 and edges[-1] == 1.0


def test_no_block_no_assurance():
    s = scenario_from_dict(base_scenario("binary"))
    assert assurance_for_comparison(s, compare_designs(s)) == {}


def test_deterministic_given_seed():
    s = _scenario("binary", {"draws": 3000, "seed": 4, "prevalence": {"x": 24, "n": 60},
                             "positive_effect": WIDE["binary"][0]})
    comp = compare_designs(s)
    a = assurance_for_comparison(s, comp, with_size=False)
    b = assurance_for_comparison(s, comp, with_size=False)
    assert a == b
    assert all(np.array_equal(a[k].power_draws, b[k].power_draws) for k in a)


def test_progress_and_cancel_hooks():
    """The app's hooks: progress after each fixed design, the same results as without hooks, and
    a cancel stops before the next design or during a size search."""
    s = _scenario("binary", {"draws": 500, "seed": 4, "prevalence": {"x": 24, "n": 60}})
    comp = compare_designs(s)
    seen = []
    a = assurance_for_comparison(s, comp, with_size=False, progress=lambda d, t: seen.append((d, t)),
                                 is_cancelled=lambda: False)
    assert seen == [(k, len(a)) for k in range(1, len(a) + 1)] and len(a) == len(DESIGNS)
    assert a == assurance_for_comparison(s, comp, with_size=False)
    polls = []

    def cancel_after(n):
        def is_cancelled():
            polls.append(1)
            return len(polls) > n
        return is_cancelled

    with pytest.raises(AssuranceCancelled):
        assurance_for_comparison(s, comp, with_size=False, is_cancelled=cancel_after(2))
    assert len(polls) == 3  # once before drawing, once per design: cancelled before the second
    polls.clear()
    with pytest.raises(AssuranceCancelled):  # with sizes for assurance: polled inside the search
        assurance_for_comparison(s, comp, with_size=True, is_cancelled=cancel_after(4))
    assert len(polls) == 5


@pytest.mark.parametrize("endpoint", ["continuous", "binary", "survival"])
def test_extreme_distributions_stay_finite(endpoint):
    """U-shaped prevalence, a useless assay and effects spread over every plausible value:
    every number stays finite (t-test noncentralities reach scipy's NaN band, 37–40)."""
    effect = {"continuous": {"se": 5.0}, "binary": {"se": 0.5}, "survival": {"se": 3.0}}[endpoint]
    d = base_scenario(endpoint)
    d["uncertainty"] = {
        "draws": 20_000, "target": 0.3,
        "prevalence": {"mean": 0.5, "n": 0.3}, "positive_effect": effect, "negative_effect": effect,
        "assay_sensitivity": {"x": 0, "n": 1}, "assay_specificity": {"mean": 0.5, "n": 0.3},
    }
    s = scenario_from_dict(d)
    for name, r in assurance_for_comparison(s, compare_designs(s)).items():
        assert np.all(np.isfinite(r.power_draws)), name
        assert 0.0 <= r.assurance <= 1.0
        assert r.size_for_assurance.feasible, name


def test_irrelevant_or_absent_uncertainty_leaves_power_unchanged():
    # a perfect assay: test-positives are all B+, so B− uncertainty cannot move targeted power
    d = base_scenario("binary", designs={"targeted": {}, "all_comers": {}})
    d["uncertainty"] = {"draws": 500, "negative_effect": {"se": 0.05}}
    s = scenario_from_dict(d)
    comp = compare_designs(s)
    res = assurance_for_comparison(s, comp, with_size=False)
    assert res["targeted"].assurance == pytest.approx(comp.designs["targeted"].power, rel=1e-12)
    assert res["all_comers"].assurance_se > 0
    # an empty block: nothing uncertain, assurance is the power
    d["uncertainty"] = {"draws": 100}
    s = scenario_from_dict(d)
    comp = compare_designs(s)
    for name, r in assurance_for_comparison(s, comp, with_size=False).items():
        assert r.assurance == pytest.approx(comp.designs[name].power, rel=1e-12)
        assert r.uncertain == ()
