"""Interim plans: field-named problems for bad blocks; one look = the fixed design; numerics."""

import math

import numpy as np
import pytest
from scipy.special import ndtri

from planner.adaptive.boundaries import critical_values as adaptive_critical_values
from planner.groupseq import single
from planner.groupseq.boundaries import (
    boundaries,
    crossing,
    drift_for_power,
    inflation_factor,
    power_at_drift,
    spending,
)
from planner.groupseq.plan import InterimPlan, plan_from_dict, validate_plan


def _problems(block, alpha=0.025):
    plan, problems = plan_from_dict(block, "interim", alpha)
    assert plan is None
    return [str(p) for p in problems]


def test_good_block_reads():
    plan, problems = plan_from_dict({"information_rates": [0.5, 1], "efficacy": "pocock",
                                     "futility": {"bounds": [0], "binding": True}}, alpha=0.025)
    assert problems == []
    assert plan == InterimPlan((0.5, 1.0), "pocock", None, (0.0,), True)
    assert plan_from_dict(None) == (None, [])
    assert plan_from_dict(plan.to_dict())[0] == plan


@pytest.mark.parametrize("block, message", [
    ({"information_rates": [0.5, 0.4, 1]}, "interim.information_rates: must increase, got [0.5, 0.4, 1]"),
    ({"information_rates": [0.5, 0.9]}, "interim.information_rates: the last rate must be 1, got 0.9"),
    ({"information_rates": [0.1, 0.2, 0.3, 0.4, 0.5, 1]}, "interim.information_rates: must have 2 to 5 looks, got 6"),
    ({"information_rates": [1]}, "interim.information_rates: must have 2 to 5 looks, got 1"),
    ({"information_rates": [0.5, 1], "futility": {"bounds": [3.5]}},
     "interim.futility.bounds: look 1: futility bound 3.5 is not below the efficacy bound 2.9626"),
    ({"information_rates": [0.5, 1], "futility": {"bounds": [0, 0]}},
     "interim.futility.bounds: must have one bound per interim look (1), got 2"),
    ({"information_rates": [0.5, 1], "efficacy": "haybittle"}, "interim.efficacy: must be one of"),
    ({"information_rates": [0.5, 1], "efficacy": "kim_demets"}, "interim.gamma: is required for kim_demets"),
    ({"information_rates": [0.5, 1], "efficacy": "hwang_shih_decani", "gamma": 9},
     "interim.gamma: must be in [-10, 5] for hwang_shih_decani, got 9"),
    ({"information_rates": [0.5, 1], "futility": {"bounds": [0], "binding": "yes"}},
     "interim.futility.binding: must be true or false"),
    ({"information_rates": "half"}, "interim.information_rates: must be a list of numbers"),
    ({"looks": 2, "information_rates": [0.5, 1]}, "interim.looks: unknown field"),
])
def test_bad_blocks_name_the_field(block, message):
    problems = _problems(block)
    assert any(p.startswith(message) for p in problems), problems


def test_validate_plan_without_alpha_skips_bound_comparison():
    plan = InterimPlan((0.5, 1.0), futility_bounds=(3.5,))
    assert validate_plan(plan) == []
    assert validate_plan(plan, alpha=0.025)[0].path == "interim.futility.bounds"


def test_one_look_plan_is_the_fixed_design():
    plan = InterimPlan((1.0,))
    b = boundaries(plan, 0.025)
    assert b.efficacy_z == (float(-ndtri(0.025)),)
    assert inflation_factor(b, 0.9) == 1.0
    p = np.array([0.1, 0.5, 0.8, 0.9312])
    assert np.array_equal(single.sequential_power(plan, 0.025, p), p)
    res = single.sequential_size(plan, 0.025, 123.456, 0.8)
    assert res.maximum == 123.456 and res.expected_h0 == 123.456 and res.expected_h1 == 123.456


def test_spending_functions():
    t = np.array([0.2, 0.5, 1.0])
    for kind, g in [("obrien_fleming", None), ("pocock", None), ("hwang_shih_decani", -4), ("hwang_shih_decani", 0),
                    ("kim_demets", 2), ("none", None)]:
        a = spending(kind, 0.025, t, g)
        assert a[-1] == pytest.approx(0.025, abs=1e-15)
        assert np.all(np.diff(a) >= 0)
    assert spending("hwang_shih_decani", 0.025, 0.5, 0) == pytest.approx(0.0125)
    assert spending("kim_demets", 0.025, 0.5, 2) == pytest.approx(0.00625)


@pytest.mark.parametrize("kind", ["obrien_fleming", "pocock"])
def test_same_bounds_as_the_adaptive_module(kind):
    t = (0.3, 0.6, 1.0)
    ours = boundaries(InterimPlan(t, kind), 0.025).efficacy_z
    theirs = adaptive_critical_values(t, 0.025, kind)
    assert np.allclose(ours, theirs, atol=2e-6)


def test_grid_is_converged_and_spline_matches_direct_integration():
    import planner.groupseq.boundaries as B

    plan = InterimPlan((0.25, 0.5, 0.75, 1.0), "pocock", None, (-0.5, 0.0, 0.5), True)
    b = boundaries(plan, 0.025)
    deltas = np.linspace(0.0, 6.0, 25)
    coarse = crossing(b, deltas)
    old = B.GRID
    try:
        B.GRID = 801
        fine = crossing(b, deltas)
    finally:
        B.GRID = old
    assert np.max(np.abs(coarse.reject - fine.reject)) < 1e-9
    assert np.max(np.abs(coarse.futility - fine.futility)) < 1e-9
    assert np.max(np.abs(power_at_drift(b, deltas) - coarse.power)) < 1e-7


def test_type_one_error_is_alpha_for_binding_and_at_most_alpha_for_nonbinding():
    for binding in (True, False):
        plan = InterimPlan((0.3, 0.7, 1.0), "obrien_fleming", None, (0.0, 0.5), binding)
        b = boundaries(plan, 0.025)
        p0 = float(crossing(b, [0.0]).power[0])
        if binding:
            assert p0 == pytest.approx(0.025, abs=1e-9)
        else:
            assert p0 < 0.025
        no_futility = boundaries(InterimPlan((0.3, 0.7, 1.0)), 0.025)
        if not binding:
            assert b.efficacy_z == no_futility.efficacy_z
    assert math.isfinite(drift_for_power(b, 0.8))
