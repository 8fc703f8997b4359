"""Published closed forms: Simon–Maitournam efficiency, Schoenfeld events, Spiessens–Debois
critical values (rpact's Pocock boundary and R mvtnorm), and the bivariate normal CDF."""

import numpy as np
import pytest
from conftest import base_scenario, rpact_cases
from scipy.stats import multivariate_normal, norm

from planner.bvn import bvn_cdf, critical_value_equal, critical_values_split
from planner.compute import compute_design
from planner.designs.build import build_model
from planner.params import params_from_scenario
from planner.scenario_io import scenario_from_dict
from planner.survival import schoenfeld_events


def _sm_scenario(prev, se, sp, d_pos, d_neg):
    # Simon & Maitournam (2004): z-test, common variance, no variance from effect heterogeneity
    return scenario_from_dict(base_scenario(
        population={"prevalence": prev, "assay_sensitivity": se, "assay_specificity": sp},
        positive={"mean_difference": d_pos, "sd": 1.0},
        negative={"mean_difference": d_neg, "sd": 1.0},
        testing={"method": "z", "heterogeneity_variance": False},
    ))


@pytest.mark.parametrize("prev,se,sp,d_neg,expected", [
    (0.25, 1.0, 1.0, 0.0, 16.0),       # 1/γ²
    (0.5, 1.0, 1.0, 0.0, 4.0),
    (0.25, 1.0, 1.0, 0.25, 2.56),      # (1 / (0.25 + 0.75·0.5))² with δ− = δ+/2
    (0.25, 0.9, 0.9, 0.0, 9.0),        # P(A+) = 0.3, PPV = 0.75: (0.75 / 0.25)²
    (0.2, 0.8, 0.95, 0.1, None),
])
def test_simon_maitournam_relative_efficiency(prev, se, sp, d_neg, expected):
    d_pos = 0.5
    s = _sm_scenario(prev, se, sp, d_pos, d_neg)
    n_u = compute_design(s, "all_comers").n_randomized_exact
    n_t = compute_design(s, "targeted").n_randomized_exact
    p_pos = prev * se + (1 - prev) * (1 - sp)
    ppv = prev * se / p_pos
    e_t = ppv * d_pos + (1 - ppv) * d_neg
    e_u = prev * d_pos + (1 - prev) * d_neg
    formula = (e_t / e_u) ** 2
    assert n_u / n_t == pytest.approx(formula, rel=1e-9)
    if expected is not None:
        assert formula == pytest.approx(expected, rel=1e-12)


def test_targeted_screening_is_randomized_over_p_test_positive():
    s = _sm_scenario(0.25, 0.9, 0.9, 0.5, 0.0)
    r = compute_design(s, "targeted")
    assert r.n_screened == int(np.ceil(r.n_randomized / 0.3 - 1e-9))


def test_schoenfeld_events_published():
    # 4 (z_.975 + z_.9)² / ln²(0.75) = 507.8: the familiar "508 events" for HR 0.75, 90 % power
    assert schoenfeld_events(0.75, 0.025, 0.9) == pytest.approx(507.8, abs=0.05)
    # rpact getSampleSizeSurvival, HR 0.7, 80 %: 246.787 (shared reference case FSS-S-01)
    assert schoenfeld_events(0.7, 0.025, 0.8) == pytest.approx(246.787104547358, rel=1e-12)
    assert schoenfeld_events(0.7, 0.05, 0.8, sides=2) == pytest.approx(246.787104547358, rel=1e-12)
    # allocation 2:1: (1 + r)² / r = 4.5 instead of 4
    assert schoenfeld_events(0.7, 0.025, 0.8, 2.0) == pytest.approx(246.787104547358 * 4.5 / 4, rel=1e-12)


@pytest.mark.parametrize("case", rpact_cases("gs_pocock_2stage"), ids=lambda c: c["id"])
def test_spiessens_debois_equal_split_is_pocock(case):
    i = case["inputs"]
    c = critical_value_equal(i["alpha"], np.sqrt(i["information_rates"][0]))
    assert c == pytest.approx(case["outputs"]["critical_value"], abs=2e-9)  # rpact's own tolerance


@pytest.mark.parametrize("case", rpact_cases("bvn_critical_split"), ids=lambda c: c["id"])
def test_spiessens_debois_split_matches_mvtnorm(case):
    i = case["inputs"]
    c1, c2 = critical_values_split(i["alpha"], i["rho"], i["alpha_first"])
    assert c1 == pytest.approx(case["outputs"]["critical_first"], abs=1e-12)
    assert c2 == pytest.approx(case["outputs"]["critical_second"], abs=1e-10)


@pytest.mark.parametrize("case", rpact_cases("bvn_cdf"), ids=lambda c: c["id"])
def test_bvn_cdf_matches_mvtnorm(case):
    i = case["inputs"]
    assert bvn_cdf(i["h"], i["k"], i["rho"]) == pytest.approx(case["outputs"]["cdf"], abs=1e-12)


def test_bvn_cdf_matches_scipy_vectorized():
    rng = np.random.default_rng(1)
    h, k = rng.normal(0, 1.5, 50), rng.normal(0, 1.5, 50)
    rho = rng.uniform(-0.95, 0.95, 50)
    ours = bvn_cdf(h, k, rho)
    ref = [multivariate_normal(cov=[[1, r], [r, 1]]).cdf([a, b]) for a, b, r in zip(h, k, rho)]
    assert np.allclose(ours, ref, atol=1e-7)


def test_stratified_design_correlation_is_sqrt_information_fraction():
    s = scenario_from_dict(base_scenario(population={"prevalence": 0.3}, testing={"method": "z"}))
    m = build_model("stratified", params_from_scenario(s))
    assert float(m.details["correlation_h0"]) == pytest.approx(np.sqrt(0.3), rel=1e-12)
    s = scenario_from_dict(base_scenario("survival", population={"prevalence": 0.3}))
    par = params_from_scenario(s)
    m = build_model("stratified", par)
    from planner.contrasts import test_subsets
    mix, pos, neg = test_subsets(par, "schoenfeld")
    d_s, d_r = 0.3 * pos.units, 0.7 * neg.units
    assert float(m.details["correlation_h0"]) == pytest.approx(np.sqrt(d_s / (d_s + d_r)), rel=1e-12)


def test_bonferroni_split_critical_values():
    s = scenario_from_dict(base_scenario(designs={"stratified": {"multiplicity": "bonferroni", "alpha_split": 0.2}}))
    m = build_model("stratified", params_from_scenario(s), s.designs["stratified"])
    assert float(m.crit_f) == pytest.approx(norm.isf(0.005))
    assert float(m.crit_s) == pytest.approx(norm.isf(0.02))
