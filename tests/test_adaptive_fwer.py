"""Family-wise error of the adaptive enrichment design (strong control by closed testing).

Global null (no effect in B+ or B−): P(reject H_S or H_F) ≤ α + 3 SE for every intersection test,
with selection (``best``, ``epsilon``, ``threshold``) and without (``all``). Null of H_S alone
(effect only in B−): P(reject H_S) ≤ α + 3 SE. Each run simulates 60,000 trials (SE ≈ 0.0006).
"""

from __future__ import annotations

import pytest

from planner.adaptive import SimModel, simulate_model

ALPHA = 0.025
SIMS = 60_000
TESTS = ("simes", "spiessens_debois", "bonferroni", "sidak")
RULES = ("best", "all")


def _model(endpoint: str, test: str, rule: str, null_s_only: bool = False, **kw) -> SimModel:
    eff_r = 0.35 if null_s_only else 0.0
    if endpoint == "continuous":
        kw.update(theta=(0.0, eff_r), variance=(4.0, 5.0))
    elif endpoint == "binary":
        kw.update(rate_control=(0.3, 0.4), rate_treatment=(0.3, 0.4 + (0.15 if null_s_only else 0.0)))
    else:
        kw.update(theta=(0.0, eff_r), event_weight=(1.0, 1.3))
    return SimModel(endpoint=endpoint, prevalence=0.4, planned=(200.0, 400.0),
                    information_rates=(0.5, 1.0), intersection_test=test, selection_rule=rule,
                    epsilon=0.05, **kw)


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("test", TESTS)
@pytest.mark.parametrize("endpoint", ["continuous", "binary", "survival"])
def test_fwer_global_null(endpoint, test, rule):
    res = simulate_model(_model(endpoint, test, rule), SIMS, seed=101)
    assert res.reject_at_least_one <= ALPHA + 3 * res.reject_at_least_one_se


@pytest.mark.parametrize("test", TESTS)
@pytest.mark.parametrize("rule", ["best", "epsilon", "threshold", "all"])
def test_type_one_error_of_h_s_when_only_b_negative_benefits(test, rule):
    res = simulate_model(_model("continuous", test, rule, null_s_only=True), SIMS, seed=202)
    assert res.reject_subgroup <= ALPHA + 3 * res.reject_subgroup_se


@pytest.mark.parametrize("test", TESTS)
def test_type_one_error_of_h_s_binary_and_survival(test):
    for endpoint in ("binary", "survival"):
        res = simulate_model(_model(endpoint, test, "epsilon", null_s_only=True), SIMS, seed=303)
        assert res.reject_subgroup <= ALPHA + 3 * res.reject_subgroup_se


@pytest.mark.parametrize("boundaries", ["pocock", "no_early_efficacy"])
def test_fwer_three_stages_with_futility(boundaries):
    model = SimModel(endpoint="continuous", prevalence=0.5, planned=(100.0, 200.0, 300.0),
                     information_rates=(1 / 3, 2 / 3, 1.0), boundaries=boundaries,
                     futility_bounds=(-0.5, 0.0), intersection_test="simes", selection_rule="epsilon",
                     epsilon=0.1, theta=(0.0, 0.0), variance=(4.0, 4.0))
    res = simulate_model(model, SIMS, seed=7)
    assert res.reject_at_least_one <= ALPHA + 3 * res.reject_at_least_one_se
