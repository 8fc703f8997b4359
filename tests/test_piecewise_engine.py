"""Piecewise survival engine: validation, closed-form events, reduction to the exponential case.

Independent numbers: the project's exponential formulas (planner.survival / planner.contrasts,
themselves checked against rpact), numerical quadrature (scipy.integrate.quad) of the event
density, and rpact (tests/test_piecewise_rpact.py).
"""

import numpy as np
import pytest
from conftest import base_scenario
from scipy.integrate import quad

from planner.contrasts import contrast, mixture_cells
from planner.errors import ScenarioError
from planner.params import params_from_scenario
from planner.piecewise import (
    PiecewiseAccrual,
    PiecewiseSurvival,
    SurvivalSetting,
    analysis_time,
    arm_events,
    events_power,
    expected_events,
    inverse_cumulative_hazard,
    logrank_moments,
    logrank_power,
    piecewise_contrast,
    single_population,
    subgroup_cells,
)
from planner.power import stat_power
from planner.scenario_io import scenario_from_dict
from planner.survival import (
    dropout_hazard,
    event_probability,
    hazard_from_median,
    schoenfeld_events,
)

LN2 = np.log(2.0)


# ----------------------------------------------------------------------------- validation
@pytest.mark.parametrize("kwargs, path, words", [
    (dict(starts=[0, 6, 3], control_hazards=[1, 1, 1], hazard_ratios=[1, 1, 1]), "positive.piecewise.starts",
     "must increase, got [0, 6, 3]"),
    (dict(starts=[1, 6], control_hazards=[1, 1], hazard_ratios=[1, 1]), "positive.piecewise.starts", "first start must be 0"),
    (dict(starts=[0, 6], control_hazards=[0.1, 0], hazard_ratios=[1, 1]), "positive.piecewise.control_hazards",
     "must all be > 0, got [0.1, 0]"),
    (dict(starts=[0, 6], control_hazards=[0.1, 0.1], hazard_ratios=[1, -0.5]), "positive.piecewise.hazard_ratios",
     "must all be > 0"),
    (dict(starts=[0, 6], control_hazards=[0.1], hazard_ratios=[1, 1]), "positive.piecewise.control_hazards",
     "one value per start (2), got 1"),
    (dict(starts=[0, 6], control_hazards=[0.1, 0.2], hazard_ratios=[1, 1, 1]), "positive.piecewise.hazard_ratios",
     "one value per start (2), got 3"),
])
def test_survival_problems_name_the_field(kwargs, path, words):
    problems = PiecewiseSurvival(**kwargs).problems("positive.piecewise")
    assert any(p.path == path and words in p.reason for p in problems), problems
    with pytest.raises(ScenarioError) as err:
        PiecewiseSurvival(**kwargs).validate("positive.piecewise")
    assert path in str(err.value)


@pytest.mark.parametrize("kwargs, path, words", [
    (dict(starts=[0, 6, 20], intensities=[1, 2, 3]), "survival.accrual.starts", "within [0, accrual_time = 18)"),
    (dict(starts=[0, 6, 4], intensities=[1, 2, 3]), "survival.accrual.starts", "must increase"),
    (dict(starts=[0, 6], intensities=[1, -2]), "survival.accrual.intensities", "≥ 0"),
    (dict(starts=[0, 6], intensities=[0, 0]), "survival.accrual.intensities", "not all be 0"),
    (dict(starts=[0, 6], intensities=[1]), "survival.accrual.intensities", "one value per start"),
])
def test_accrual_problems_name_the_field(kwargs, path, words):
    problems = PiecewiseAccrual(**kwargs).problems(18.0)
    assert any(p.path == path and words in p.reason for p in problems), problems


def test_valid_inputs_have_no_problems():
    assert PiecewiseSurvival([0, 6], [0.1, 0.05], [1.0, 0.6]).problems() == []
    assert PiecewiseAccrual([0, 6], [1, 3]).problems(18.0) == []
    assert PiecewiseAccrual([0, 6], [0, 3]).problems(18.0) == []


# ----------------------------------------------------------------------------- closed forms
def test_one_piece_uniform_accrual_is_the_exponential_formula():
    eta = dropout_hazard(0.1, 12)
    for lam, hr, a, f in [(LN2 / 12, 0.7, 18, 12), (LN2 / 3, 0.5, 24, 6), (LN2 / 60, 0.8, 6, 30), (0.5, 1.0, 12, 0.5)]:
        m = PiecewiseSurvival.exponential(lam, hr)
        ctrl, trt = arm_events(m, SurvivalSetting(a, f, eta))
        assert ctrl.sum() == pytest.approx(event_probability(lam, a, f, eta), rel=1e-12, abs=1e-15)
        assert trt.sum() == pytest.approx(event_probability(lam * hr, a, f, eta), rel=1e-12, abs=1e-15)


def test_splitting_a_piece_changes_nothing():
    eta = dropout_hazard(0.05, 12)
    one = PiecewiseSurvival.exponential(0.05, 0.7)
    split = PiecewiseSurvival([0, 2, 7.5], [0.05] * 3, [0.7] * 3)
    acc = PiecewiseAccrual([0, 6], [1, 3])
    t = np.linspace(0, 60, 13)
    for arm in ("control", "treatment"):
        a = expected_events(t, one.starts, one.hazards(arm), eta, acc, 18).sum(-1)
        b = expected_events(t, split.starts, split.hazards(arm), eta, acc, 18).sum(-1)
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def _quad_events(T, model, arm, eta, acc, a_time):
    """∫∫ accrual density × event density, by scipy quad (independent of the closed form)."""
    a, b, g = acc.segments(a_time)
    h = model.hazards(arm)
    s = np.asarray(model.starts)

    def f(x):  # event density with competing dropout
        j = np.searchsorted(s, x, side="right") - 1
        return h[j] * np.exp(-model.cumulative_hazard(x, arm) - eta * x)

    def F(t):
        return quad(f, 0, t, points=[v for v in s if 0 < v < t], limit=200)[0] if t > 0 else 0.0

    total = 0.0
    for ak, bk, gk in zip(a, b, g):
        hi = min(bk, T)
        if hi > ak:
            total += gk * quad(lambda u: F(T - u), ak, hi, limit=200)[0]
    return total


@pytest.mark.parametrize("T", [5.0, 14.0, 30.0])
def test_closed_form_events_match_quadrature(T):
    m = PiecewiseSurvival([0, 3, 9], [0.08, 0.05, 0.03], [1.0, 0.6, 0.8])
    acc = PiecewiseAccrual([0, 4, 10], [1, 3, 2])
    eta = 0.01
    for arm in ("control", "treatment"):
        closed = expected_events(T, m.starts, m.hazards(arm), eta, acc, 18).sum()
        assert closed == pytest.approx(_quad_events(T, m, arm, eta, acc, 18), rel=1e-7)


def test_inverse_cumulative_hazard_and_median():
    m = PiecewiseSurvival([0, 6], [0.1, 0.05], [1.0, 0.5])
    t = np.array([0.0, 3.0, 6.0, 20.0])
    for arm in ("control", "treatment"):
        back = inverse_cumulative_hazard(m.cumulative_hazard(t, arm), m.starts, m.hazards(arm))
        np.testing.assert_allclose(back, t, atol=1e-12)
    assert m.survival(m.median("control"), "control") == pytest.approx(0.5, abs=1e-14)


def test_accrual_fraction_and_its_inverse():
    acc = PiecewiseAccrual([0, 6, 10], [1, 3, 0])
    q = np.array([0.0, 0.1, 0.5, 0.99])
    assert acc.fraction_enrolled(18, 18) == pytest.approx(1.0)
    np.testing.assert_allclose(acc.fraction_enrolled(acc.enrolment_time(q, 18), 18), q, atol=1e-14)
    assert acc.enrolment_time(1.0, 18) == pytest.approx(10.0)


# ----------------------------------------------------------------------------- log-rank
def _survival_params(**over):
    d = base_scenario("survival")
    d["population"]["prevalence"] = 0.35
    d.update(over)
    return params_from_scenario(scenario_from_dict(d))


def test_constant_hazard_ratios_reduce_to_the_projects_contrast():
    par = _survival_params()
    models = {}
    for which in ("positive", "negative"):
        g = par.subgroup(which)
        models[which] = PiecewiseSurvival.exponential(hazard_from_median(g["control_median"]), g["hazard_ratio"])
    setting = SurvivalSetting(par.accrual_time, par.follow_up_time, par.dropout_hazard, par.allocation_ratio)
    for method in ("schoenfeld", "freedman"):
        old = contrast(par, mixture_cells(par.prevalence), method)
        new = piecewise_contrast(subgroup_cells(par.prevalence, models["positive"], models["negative"]),
                                 setting, "freedman" if method == "freedman" else "ahr")
        for field in ("theta", "sd0", "sd1", "units"):
            np.testing.assert_allclose(getattr(new, field), getattr(old, field), rtol=1e-12)


def test_schoenfeld_events_give_the_target_power():
    m = PiecewiseSurvival([0, 6, 12], [0.06, 0.04, 0.03], [0.7] * 3)
    setting = SurvivalSetting(18, 12, 0.004, 1.0, PiecewiseAccrual([0, 6], [1, 3]))
    d = float(schoenfeld_events(0.7, 0.025, 0.8))
    n = d / logrank_moments(single_population(m), setting).events
    res = logrank_power(single_population(m), setting, n, 0.025)
    assert res.power == pytest.approx(0.8, abs=1e-12)
    assert res.events == pytest.approx(d, rel=1e-12)
    assert analysis_time(single_population(m), setting, d, n) == pytest.approx(30.0, abs=1e-8)
    power, t, ahr = events_power(single_population(m), setting, d, n, 0.025)
    assert power == pytest.approx(0.8, abs=1e-10) and t == pytest.approx(30.0, abs=1e-8)


def test_delayed_effect_ahr_is_event_weighted():
    m = PiecewiseSurvival([0, 3], [0.07, 0.07], [1.0, 0.6])
    setting = SurvivalSetting(12, 12)
    mom = logrank_moments(single_population(m), setting)
    e = mom.cell_events[0]
    assert mom.log_ahr == pytest.approx(e[1] * np.log(0.6) / e.sum(), rel=1e-14)
    assert 0.6 < mom.ahr < 1.0
    # the AHR moves towards 0.6 as follow-up grows
    later = logrank_moments(single_population(m), SurvivalSetting(12, 36))
    assert later.ahr < mom.ahr


def test_analysis_time_vectorized_and_unreachable():
    m = PiecewiseSurvival([0, 6], [0.05, 0.02], [0.8, 0.8])
    setting = SurvivalSetting(12, 12, 0.01)
    cells = single_population(m)
    d = np.array([10.0, 100.0, 200.0, 1e6])
    t = analysis_time(cells, setting, d, 400)
    n_events = 400 * np.array([logrank_moments(cells, setting, x).events for x in t[:3]])
    np.testing.assert_allclose(n_events, d[:3], rtol=1e-10)
    assert np.isinf(t[3])


def test_power_is_vectorized_over_prevalence():
    pos = PiecewiseSurvival([0, 3], [0.08, 0.08], [1.0, 0.5])
    neg = PiecewiseSurvival.exponential(0.05, 0.9)
    prev = np.array([0.2, 0.5, 0.8])
    setting = SurvivalSetting(12, 12)
    res = logrank_power(subgroup_cells(prev, pos, neg), setting, 500, 0.025)
    single = [float(logrank_power(subgroup_cells(g, pos, neg), setting, 500, 0.025).power) for g in prev]
    np.testing.assert_allclose(res.power, single, rtol=1e-13)
    assert res.power.shape == (3,)
    assert stat_power  # the project's power function is what logrank_power uses
