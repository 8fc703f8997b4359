"""Spiessens–Debois for survival in the fixed biomarker-stratified design.

The stratified log-rank statistic Z_F = Σ √dᵢ Zᵢ / √(Σ dᵢ) and the test-positive log-rank Z_S
have null correlation √(d_S/d_F), with d the events the analysis will see. The planner uses the
events expected under the planning alternative (treatment arm at its hazard ratio), with each
subgroup's own control hazard, accrual, follow-up and dropout — not the head count √P(test+),
nor the events expected under H0. Checked here against an independent computation of the
expected events (numerical integration over the uniform accrual, scipy ``quad``) and of the
critical values (scipy's bivariate normal), to 1e-7.
"""

from __future__ import annotations

import math

import pytest
from conftest import base_scenario
from scipy.integrate import quad
from scipy.optimize import brentq
from scipy.stats import multivariate_normal, norm

from planner.compute import compute_design
from planner.scenario_io import scenario_from_dict

ACCRUAL, FOLLOW_UP, DROPOUT_RATE, DROPOUT_TIME = 24.0, 12.0, 0.1, 12.0
MEDIANS = {"positive": 8.0, "negative": 14.0}       # a prognostic marker
HRS = {"positive": 0.55, "negative": 0.9}


def _scenario(prevalence=0.35, sens=1.0, spec=1.0, **design):
    d = base_scenario(
        "survival", population={"prevalence": prevalence, "assay_sensitivity": sens, "assay_specificity": spec},
        positive={"control_median": MEDIANS["positive"], "hazard_ratio": HRS["positive"]},
        negative={"control_median": MEDIANS["negative"], "hazard_ratio": HRS["negative"]},
        survival={"accrual_time": ACCRUAL, "follow_up_time": FOLLOW_UP, "dropout_rate": DROPOUT_RATE,
                  "dropout_time": DROPOUT_TIME})
    d["designs"] = {"stratified": {"n_randomized": 600, **design}}
    return scenario_from_dict(d)


def _p_event(hazard: float) -> float:
    """P(event observed): entry U(0, a), competing exponential dropout, by numerical integration."""
    eta = -math.log(1 - DROPOUT_RATE) / DROPOUT_TIME
    total = hazard + eta

    def given_entry(u):
        return hazard / total * (1 - math.exp(-total * (ACCRUAL + FOLLOW_UP - u)))

    return quad(given_entry, 0, ACCRUAL, epsabs=1e-13, epsrel=1e-13)[0] / ACCRUAL


def _events_per_patient(group: str, under_h1: bool = True) -> float:
    lam = math.log(2) / MEDIANS[group]
    hr = HRS[group] if under_h1 else 1.0
    return 0.5 * _p_event(lam * hr) + 0.5 * _p_event(lam)   # allocation 1 : 1


def _expected_rho(prevalence, sens, spec, under_h1=True):
    pos, neg = (_events_per_patient(g, under_h1) for g in ("positive", "negative"))
    q = prevalence * sens + (1 - prevalence) * (1 - spec)        # P(test+)
    ppv = prevalence * sens / q
    d_s = q * (ppv * pos + (1 - ppv) * neg)
    d_f = prevalence * pos + (1 - prevalence) * neg
    return math.sqrt(d_s / d_f)


def _upper(c_f, c_s, rho):
    return 1 - multivariate_normal([0, 0], [[1, rho], [rho, 1]]).cdf([c_f, c_s])


@pytest.mark.parametrize("prev,sens,spec", [(0.35, 1.0, 1.0), (0.5, 0.9, 0.8)])
def test_correlation_is_sqrt_of_expected_events_under_the_alternative(prev, sens, spec):
    res = compute_design(_scenario(prev, sens, spec), "stratified")
    rho = res.details["correlation_h0"]
    assert rho == pytest.approx(_expected_rho(prev, sens, spec), abs=1e-9)
    q = prev * sens + (1 - prev) * (1 - spec)
    assert abs(rho - math.sqrt(q)) > 0.01                               # not the head count
    assert abs(rho - _expected_rho(prev, sens, spec, under_h1=False)) > 1e-3   # not H0 events
    # equal critical values (no alpha_split): P0(Z_F > c or Z_S > c) = α at that correlation
    c = res.details["critical_value_overall"]
    assert res.details["critical_value_subgroup"] == pytest.approx(c, abs=1e-12)
    assert _upper(c, c, rho) == pytest.approx(0.025, abs=1e-7)


def test_alpha_split_gives_z_of_the_overall_share_and_a_solved_subgroup_value():
    res = compute_design(_scenario(alpha_split=0.5), "stratified")
    rho = res.details["correlation_h0"]
    c_f, c_s = res.details["critical_value_overall"], res.details["critical_value_subgroup"]
    assert c_f == pytest.approx(norm.isf(0.025 * 0.5), abs=1e-9)
    expected_s = brentq(lambda x: _upper(c_f, x, rho) - 0.025, 1.5, 3.5, xtol=1e-12)
    assert c_s == pytest.approx(expected_s, abs=1e-6)
    assert c_s < c_f  # 0.5 is not "equal": the subgroup gets the correlation's gain
    equal = compute_design(_scenario(), "stratified").details["critical_value_overall"]
    assert c_s < equal < c_f


def test_fixed_design_uses_the_same_correlation_as_the_adaptive_survival_model():
    from planner.adaptive import model_from_scenario
    from planner.scenario_io import scenario_to_dict

    sc = _scenario()
    d = scenario_to_dict(sc)
    d["designs"] = {"adaptive": {"information_rates": [1], "planned_events": [300]}}
    model = model_from_scenario(scenario_from_dict(d))
    q = model.prevalence
    w_s = q * model.event_weight[0] / (q * model.event_weight[0] + (1 - q) * model.event_weight[1])
    rho = compute_design(sc, "stratified").details["correlation_h0"]
    assert math.sqrt(w_s) == pytest.approx(rho, abs=1e-12)
