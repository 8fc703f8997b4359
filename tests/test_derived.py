"""planner.derived: the read-only quantities beside the inputs, against hand computations.

Independent numbers: the assay shares by hand; the mixtures as weighted sums; Cohen's h with
math.asin; the event-weighted hazard ratio with each subgroup's event probability integrated
numerically (scipy.integrate.quad over uniform accrual, exponential event and dropout times)
instead of the closed form planner.survival uses.
"""

from __future__ import annotations

import math

import pytest
from conftest import SCENARIOS, base_scenario
from scipy.integrate import quad

from planner.derived import derived_quantities
from planner.scenario_io import load_scenario, scenario_from_dict
from ui.derived import derived_quantities as derived_rows


def _by_key(d: dict) -> dict:
    return {q.key: q for q in derived_quantities(scenario_from_dict(d))}


def test_assay_shares_by_hand():
    q = _by_key(base_scenario(population={"prevalence": 0.3, "assay_sensitivity": 0.9, "assay_specificity": 0.8}))
    p_pos = 0.3 * 0.9 + 0.7 * 0.2
    assert q["p_test_positive"].value == pytest.approx(0.41, abs=1e-15)
    assert q["ppv"].value == pytest.approx(0.27 / p_pos, abs=1e-15)
    assert q["npv"].value == pytest.approx(0.7 * 0.8 / (1 - p_pos), abs=1e-15)


@pytest.mark.parametrize("better", ["higher", "lower"])
@pytest.mark.parametrize("heterogeneity", [True, False])
def test_continuous_mixtures_are_weighted_sums(better, heterogeneity):
    d = base_scenario(population={"prevalence": 0.4, "assay_sensitivity": 0.85, "assay_specificity": 0.9},
                      positive={"mean_difference": 0.6, "sd": 1.5}, negative={"mean_difference": -0.2, "sd": 2.0},
                      testing={"better": better, "heterogeneity_variance": heterogeneity})
    q = _by_key(d)
    ppv = 0.4 * 0.85 / (0.4 * 0.85 + 0.6 * 0.1)
    assert q["standardized_effect_positive"].value == pytest.approx(0.4, abs=1e-15)
    assert q["standardized_effect_negative"].value == pytest.approx(-0.1, abs=1e-15)
    assert q["test_positive_effect"].value == pytest.approx(ppv * 0.6 + (1 - ppv) * -0.2, abs=1e-14)
    assert q["all_comers_effect"].value == pytest.approx(0.4 * 0.6 + 0.6 * -0.2, abs=1e-14)


@pytest.mark.parametrize("method", ["pooled", "unpooled", "arcsine"])
def test_binary_risk_differences_and_cohens_h(method):
    d = base_scenario("binary", population={"prevalence": 0.25},
                      positive={"control_rate": 0.2, "treatment_rate": 0.45},
                      negative={"control_rate": 0.3, "treatment_rate": 0.33}, testing={"method": method})
    q = _by_key(d)
    assert q["risk_difference_positive"].value == pytest.approx(0.25, abs=1e-15)
    assert q["risk_difference_negative"].value == pytest.approx(0.03, abs=1e-15)

    def h(pt, pc):
        return 2 * math.asin(math.sqrt(pt)) - 2 * math.asin(math.sqrt(pc))

    assert q["cohens_h"].values == pytest.approx((h(0.45, 0.2), h(0.33, 0.3)), abs=1e-14)
    # an error-free assay: PPV 1, the test+ effect is the B+ effect; arcsine does not change it
    assert q["test_positive_effect"].value == pytest.approx(0.25, abs=1e-14)
    assert q["all_comers_effect"].value == pytest.approx(0.25 * 0.25 + 0.75 * 0.03, abs=1e-14)


def _event_probability(median: float, hr: float, a: float, f: float, eta: float) -> float:
    """P(event observed by a + f), accrual uniform on [0, a], by numerical integration."""
    lam = math.log(2) / median * hr

    def by_entry(u: float) -> float:  # followed for a + f − u
        t = a + f - u
        return lam / (lam + eta) * (1 - math.exp(-(lam + eta) * t))

    return quad(by_entry, 0, a, epsabs=1e-13, epsrel=1e-13)[0] / a


def test_survival_event_weighted_hazard_ratio():
    surv = {"accrual_time": 18, "follow_up_time": 9, "dropout_rate": 0.1, "dropout_time": 12}
    d = base_scenario("survival", population={"prevalence": 0.35},
                      positive={"control_median": 8.0, "hazard_ratio": 0.55},
                      negative={"control_median": 15.0, "hazard_ratio": 0.95}, survival=surv)
    q = _by_key(d)
    eta = -math.log(1 - 0.1) / 12
    weighted = total = 0.0
    for w, (median, hr) in ((0.35, (8.0, 0.55)), (0.65, (15.0, 0.95))):
        e = w * (0.5 * _event_probability(median, hr, 18, 9, eta) + 0.5 * _event_probability(median, 1.0, 18, 9, eta))
        weighted += e * math.log(hr)
        total += e
    assert q["all_comers_effect"].value == pytest.approx(math.exp(weighted / total), abs=1e-10)
    assert q["test_positive_effect"].value == pytest.approx(0.55, abs=1e-14)  # error-free assay
    assert q["log_hazard_ratio"].values == pytest.approx((math.log(0.55), math.log(0.95)), abs=1e-15)


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.json")), ids=lambda p: p.name)
def test_app_rows_show_planner_values(path):
    s = load_scenario(path)
    rows = derived_rows(s)
    values = derived_quantities(s)
    assert [r[0] for r in rows] == [v.label for v in values]
    for (_, text, why), v in zip(rows, values):
        assert [float(x) for x in text.split(" / ")] == pytest.approx(list(v.values), rel=1e-3)
        assert why == v.formula
