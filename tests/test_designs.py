"""Design formulas (Methods §2–3), direction, time, cost, efficiency and the three questions."""

import math

import numpy as np
import pytest
from conftest import base_scenario
from scipy.stats import norm

from planner.compute import compare_designs, compute_design
from planner.contrasts import contrast, mixture_cells
from planner.params import params_from_scenario
from planner.scenario_io import scenario_from_dict
from planner.survival import event_probability

Z = norm.isf(0.025) + norm.ppf(0.8)


def _cont(**over):
    over.setdefault("testing", {})
    over["testing"] = {"method": "z", "heterogeneity_variance": False, **over["testing"]}
    return scenario_from_dict(base_scenario(**over))


def test_interaction_sample_size_formula():
    g, sd, dp, dn = 0.3, 2.0, 1.0, 0.2
    s = _cont(population={"prevalence": g}, positive={"mean_difference": dp, "sd": sd}, negative={"mean_difference": dn, "sd": sd})
    n = compute_design(s, "interaction").n_randomized_exact
    # Var(δ̂+ − δ̂−) = σ² / (N γ (1 − γ) p (1 − p))
    assert n == pytest.approx(Z**2 * sd**2 / (g * (1 - g) * 0.25 * (dp - dn) ** 2), rel=1e-9)


@pytest.mark.parametrize("arm", ["standard", "randomized"])
def test_strategy_contrast(arm):
    g, dp, dn = 0.4, 0.6, 0.1
    s = _cont(population={"prevalence": g}, positive={"mean_difference": dp, "sd": 1.0},
              negative={"mean_difference": dn, "sd": 1.0}, designs={"strategy": {"control_arm": arm}})
    n = compute_design(s, "strategy").n_randomized_exact
    effect = g * dp if arm == "standard" else (g * dp - (1 - g) * dn) / 2
    assert n == pytest.approx(4 * Z**2 / effect**2, rel=1e-9)


def test_heterogeneity_variance_in_all_comers_treatment_arm():
    g, dp, dn, sd = 0.3, 1.0, 0.0, 1.0
    s = scenario_from_dict(base_scenario(population={"prevalence": g}, positive={"mean_difference": dp, "sd": sd},
                                         negative={"mean_difference": dn, "sd": sd}, testing={"method": "z"}))
    c = contrast(params_from_scenario(s), mixture_cells(g))
    var_t = sd**2 + g * (1 - g) * (dp - dn) ** 2
    assert float(c.sd1) ** 2 == pytest.approx(var_t / 0.5 + sd**2 / 0.5, rel=1e-12)
    n = compute_design(s, "all_comers").n_randomized_exact
    assert n == pytest.approx(Z**2 * (var_t / 0.5 + sd**2 / 0.5) / (g * dp + (1 - g) * dn) ** 2, rel=1e-9)


def test_survival_mixture_is_event_weighted_log_hr():
    s = scenario_from_dict(base_scenario(
        "survival", population={"prevalence": 0.35},
        positive={"control_median": 8.0, "hazard_ratio": 0.5},
        negative={"control_median": 4.0, "hazard_ratio": 0.95},
        survival={"accrual_time": 20, "follow_up_time": 10, "dropout_rate": 0.1, "dropout_time": 12},
    ))
    eta = -math.log(0.9) / 12

    def p_event(lam):  # Methods §2, written out independently
        t = lam + eta
        return lam / t * (1 - (math.exp(-t * 10) - math.exp(-t * 30)) / (t * 20))

    d = {}
    for name, sub, w in (("pos", s.positive, 0.35), ("neg", s.negative, 0.65)):
        lam = math.log(2) / sub.control_median
        d[name] = w * 0.5 * (p_event(lam) + p_event(lam * sub.hazard_ratio))
    theta = -(d["pos"] * math.log(0.5) + d["neg"] * math.log(0.95)) / (d["pos"] + d["neg"])
    r = compute_design(s, "all_comers")
    assert r.events_exact == pytest.approx(4 * Z**2 / theta**2, rel=1e-9)
    assert r.n_randomized_exact == pytest.approx(r.events_exact / (d["pos"] + d["neg"]), rel=1e-9)
    assert float(event_probability(math.log(2) / 8, 20, 10, eta)) == pytest.approx(p_event(math.log(2) / 8), rel=1e-12)


@pytest.mark.parametrize("endpoint", ["continuous", "binary"])
def test_lower_is_better_mirrors_higher_is_better(endpoint):
    up = base_scenario(endpoint)
    down = base_scenario(endpoint, testing={"better": "lower"})
    if endpoint == "continuous":
        for g in ("positive", "negative"):
            down[g] = {**up[g], "mean_difference": -up[g]["mean_difference"]}
    else:
        for g in ("positive", "negative"):
            down[g] = {"control_rate": 1 - up[g]["control_rate"], "treatment_rate": 1 - up[g]["treatment_rate"]}
    a, b = compare_designs(scenario_from_dict(up)), compare_designs(scenario_from_dict(down))
    for name in a.designs:
        assert a.designs[name].n_randomized_exact == pytest.approx(b.designs[name].n_randomized_exact, rel=1e-9)


def test_harm_direction_is_not_benefit():
    # A stroke rate that rises on treatment is harm when lower is better: no design can be sized.
    d = base_scenario("binary", testing={"better": "lower"})
    r = compute_design(scenario_from_dict(d), "targeted")
    assert not r.feasible and "no benefit" in r.message


def test_costs_efficiency_and_recruitment():
    d = base_scenario(costs={"per_screened": 100, "per_randomized": 1000, "currency": "EUR"},
                      recruitment={"screening_rate": 50}, population={"prevalence": 0.25})
    c = compare_designs(scenario_from_dict(d))
    ac, tg = c.designs["all_comers"], c.designs["targeted"]
    assert ac.cost == 1000 * ac.n_randomized and ac.n_screened == 0
    assert tg.cost == 100 * tg.n_screened + 1000 * tg.n_randomized
    assert tg.efficiency == pytest.approx(ac.n_randomized_exact / tg.n_randomized_exact)
    assert ac.efficiency == pytest.approx(1.0)
    assert ac.accrual_duration == pytest.approx(ac.n_randomized / 50)
    assert tg.accrual_duration == pytest.approx(tg.n_screened / 50)
    assert c.cheapest_meeting_target == min(
        (r for r in c.designs.values() if r.feasible and r.design != "interaction"), key=lambda r: r.cost).design


def test_survival_reports_rates_needed():
    d = base_scenario("survival", recruitment={"screening_rate": 5})
    r = compute_design(scenario_from_dict(d), "targeted")
    assert r.screening_rate_needed == pytest.approx(r.n_screened / 24)
    assert r.randomization_rate_needed == pytest.approx(r.n_randomized / 24)
    assert any("available" in n for n in r.notes)


def test_three_questions_agree():
    s = scenario_from_dict(base_scenario("survival"))
    sized = compute_design(s, "stratified")
    assert sized.question == "sample_size" and sized.power >= 0.8
    # power at the sized N reproduces the achieved power
    at_n = compute_design(s, "stratified", question="power", n_randomized=sized.n_randomized)
    assert at_n.n_randomized == sized.n_randomized
    # the smallest detectable B+ effect at the rounded-up N is at most the assumed one (HR >= 0.6)
    de = at_n.detectable_effect
    assert de.parameter == "hazard_ratio" and 0.6 - 1e-9 <= de.value < 0.61
    # and power at the detectable effect equals the target
    s2 = scenario_from_dict(base_scenario("survival", positive={"control_median": 12.0, "hazard_ratio": de.value}))
    r2 = compute_design(s2, "stratified", question="power", n_randomized=at_n.n_randomized)
    assert r2.power == pytest.approx(0.8, abs=1e-8)


@pytest.mark.parametrize("endpoint", ["continuous", "binary", "survival"])
def test_integer_sizes_round_up_per_arm(endpoint):
    s = scenario_from_dict(base_scenario(endpoint, testing={"allocation_ratio": 2.0}))
    r = compute_design(s, "targeted")
    exact = r.n_randomized_exact
    assert r.n_per_arm == {"treatment": math.ceil(exact * 2 / 3 - 1e-9), "control": math.ceil(exact / 3 - 1e-9)}
    assert r.power >= 0.8 - 1e-9


def test_curves_equal_pointwise_computation():
    from planner.curves import n_vs_prevalence, power_vs_n, power_vs_negative_effect

    s = scenario_from_dict(base_scenario("binary"))
    prev = np.array([0.2, 0.5, 0.8])
    curve = n_vs_prevalence(s, "stratified", prev)
    for g, n in zip(prev, curve.y["n_randomized"]):
        s_g = scenario_from_dict(base_scenario("binary", population={"prevalence": float(g)}))
        assert n == compute_design(s_g, "stratified").n_randomized  # the table's integer N
    p = power_vs_n(s, "all_comers", [300.0])
    r = compute_design(s, "all_comers", question="power", n_randomized=300)
    assert p.y["power"][0] == pytest.approx(r.power, abs=1e-12)
    e = power_vs_negative_effect(s, "targeted", [0.0, 0.05], n_randomized=300)
    assert e.y["power"][0] == pytest.approx(e.y["power"][1], rel=1e-12)  # perfect assay: B− irrelevant


@pytest.mark.parametrize("ratio", [1.0, 2.0])
def test_arcsine_and_unpooled_against_statsmodels(ratio):
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    pt, pc = 0.45, 0.3
    d = base_scenario("binary", positive={"control_rate": pc, "treatment_rate": pt},
                      negative={"control_rate": pc, "treatment_rate": pt},
                      testing={"method": "arcsine", "allocation_ratio": ratio})
    n = compute_design(scenario_from_dict(d), "all_comers").n_randomized_exact
    # statsmodels: nobs1 = treatment arm, ratio = nobs2 / nobs1 = control / treatment
    n1 = NormalIndPower().solve_power(proportion_effectsize(pt, pc), alpha=0.025, power=0.8,
                                      ratio=1 / ratio, alternative="larger")
    assert n == pytest.approx(n1 * (1 + 1 / ratio), rel=1e-6)
    d["testing"]["method"] = "unpooled"
    n = compute_design(scenario_from_dict(d), "all_comers").n_randomized_exact
    p = ratio / (1 + ratio)
    assert n == pytest.approx(Z**2 * (pt * (1 - pt) / p + pc * (1 - pc) / (1 - p)) / (pt - pc) ** 2, rel=1e-9)


def test_t_test_power_is_never_nan_at_large_noncentrality():
    # scipy's noncentral t gives NaN for nc ≈ 38.5 at df 98; the power there is 1
    from planner.contrasts import Stat
    from planner.power import stat_power

    p = stat_power(Stat(np.array(38.5 / 10.0), np.array(1.0), True), np.array([100.0]), 0.025, 1)
    assert np.isfinite(p).all() and p[0] == pytest.approx(1.0)
