"""The recursion at a structure's own drift carries states decided by one statistic as 1-D
densities (own.sums_many, grid2d.transition1_many; waves 7–8): the same numbers as the plain 2-D
recursion on the same grid.

The marginal of a Gaussian random walk is a Gaussian random walk, so the 1-D path is exact; the
two differ by the 2-D grid's own round-off, FLOOR cut-offs and kernel truncation (6.5 SD per axis)
and by the 2-D rule's interpolation error at a cut through a narrow ridge. Measured over 2,730
own recursions of PAOLA-1, CHANCE and IPASS (2 and 3 looks; parametric, Holm, fixed-sequence and
fallback; stop_when both and any; binding, non-binding and no futility): max |difference| in
every claim and stop probability 1.05e-11 where |corr(Z_F, Z_S)| < 0.8, 8.5e-11 below 0.9. Above
0.9 the ridge is ~1 grid cell wide across the other axis and the plain 2-D recursion's own error
(against a grid of 8 points per SD) reaches 1e-4 to 4e-4; there the two differ by up to 1.2e-4,
the 1-D path nearer the fine grid (checked below at corr 0.92). Wave 9 (own recursions on 2.5 points
per SD with stencils of 10 nodes, FFTs in single precision): the equivalence is checked in double
precision (the single-precision FFT adds ≤ 2e-7, tests/test_groupseq_own_batch.py), within 1e-8
(measured 3.5e-9).
"""

import math

import numpy as np
import pytest

from planner.groupseq import grid2d as G
from planner.groupseq import own as O
from planner.groupseq import procedure as P
from planner.groupseq import stratified as S
from planner.groupseq.plan import InterimPlan

ALPHA = 0.025


@pytest.fixture(autouse=True)
def _double(monkeypatch):
    """The paths compared in double precision (their algebra, not the FFT's precision)."""
    monkeypatch.setattr(O, "SINGLE", False)


PLANS = [InterimPlan((0.33, 0.67, 1.0), "obrien_fleming", None, (0.0, 0.0), False),
         InterimPlan((0.5, 1.0), "obrien_fleming", None, (0.0,), False),
         InterimPlan((0.25, 0.5, 0.75, 1.0), "obrien_fleming", None, (0.0, 0.2, 0.5), True),
         InterimPlan((0.3, 0.6, 1.0), "pocock")]
METHODS = ("spiessens_debois", "bonferroni", "fixed_sequence_overall_first", "fallback")


def _setup(plan, method, rho, stop_when):
    joint = S.joint_from_fixed(0.2, 0.25, 1.0, 1.1, rho, rho * 0.95, plan.information_rates)
    bd = S.bounds_for(joint, plan, ALPHA, method, 0.5 if method == "fallback" else None)
    law = G.law_from_cov(joint.cov1)
    flat = np.stack([np.broadcast_to(np.full(plan.k_max, -math.inf) if getattr(bd, n) is None else getattr(bd, n),
                                     (plan.k_max,)) for n in S.NAMES])
    return joint, law, S._rule(flat, stop_when)


def _both(law, lam, rule):
    return [P.finish(O.sums_many([law], lam[None], [rule], oned)[0][:, None, :]) for oned in (True, False)]


@pytest.mark.parametrize("stop_when", P.STOP_RULES)
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("plan", PLANS, ids=["OF3-fut", "OF2-fut", "OF4-binding", "P3"])
def test_one_dimensional_states_give_the_plain_recursions_numbers(plan, method, stop_when):
    joint, law, rule = _setup(plan, method, 0.6, stop_when)
    for n in (40.0, 250.0, 900.0):
        lam = S._drift(law, joint.mean_per_sqrt_n[None] * math.sqrt(n))[0]
        ours, plain = _both(law, lam, rule)
        for name in ours:
            assert np.abs(ours[name] - plain[name]).max() <= 1e-8, (n, name)


def test_the_one_dimensional_path_is_taken(monkeypatch):
    """States such as 'H_F rejected, H_S open' are carried in 1-D (the point of the speed-up)."""
    joint, law, rule = _setup(PLANS[0], "spiessens_debois", 0.6, "both")
    lam = S._drift(law, joint.mean_per_sqrt_n[None] * math.sqrt(250.0))[0]
    seen = {"1d": 0, "2d": 0}
    one, two = G.transition1_many, G.transition_many
    monkeypatch.setattr(G, "transition1_many", lambda m, *a, **k: seen.__setitem__("1d", seen["1d"] + m.shape[1]) or one(m, *a, **k))
    monkeypatch.setattr(G, "transition_many", lambda m, *a, **k: seen.__setitem__("2d", seen["2d"] + m.shape[1]) or two(m, *a, **k))
    O.sums_many([law], lam[None], [rule])
    assert seen["1d"] >= 4 and seen["2d"] <= 8, seen


def test_decided_axis_of_typical_states():
    _, law, rule = _setup(PLANS[0], "spiessens_debois", 0.6, "both")
    flags, pattern = P._flag_sets(law, rule), P._pattern(rule)
    assert P._axis((0, 0, 0, 0, 0), 1, pattern, flags) is None
    assert P._axis((1, 1, 0, 0, 0), 1, pattern, flags) == 1    # H_F rejected: only Z_S matters
    assert P._axis((0, 0, 1, 0, 0), 1, pattern, flags) == 1    # H_F stopped for futility
    assert P._axis((1, 0, 0, 1, 0), 1, pattern, flags) == 0    # H_S rejected: only Z_F matters
    assert P._axis((0, 0, 0, 0, 1), 1, pattern, flags) == 0


def test_high_correlation_one_dimensional_path_is_near_a_fine_grid(monkeypatch):
    """PAOLA-1's 2-look plan at prevalence ~0.9 (claims over prevalence; corr(Z_F, Z_S) 0.92): with
    3 points per SD the plain 2-D rule was 1.7e-4 off a grid of 12 points per SD (a ridge ~1 cell
    wide across the cut); the grid now puts RIDGE_POINTS across the ridge (4.6 points per SD here):
    the 1-D path equals the plain 2-D rule and both are within 1e-5 of the fine grid (measured 2.1e-6 with
    wave 9's stencils of 10 nodes; 1.75e-5 with 6 nodes and 3 points per SD)."""
    r = 0.921753203477
    law = G.Law(np.array([[math.sqrt(0.5)] * 2, [1.0, 1.0]]),
                np.array([[[0.5, r / 2], [r / 2, 0.5]], [[1.0, r], [r, 1.0]]]))
    rule = P.Rule((3.121752214444427, 2.1027596625580722), (3.106892606024604, 2.1027596625580722),
                  (2.998691941330572, 1.9685956400068236), (2.9838323329107492, 1.9685956400068236),
                  (0.03610389860302355, -math.inf), (0.021244290183200967, -math.inf), "both")
    lam = np.array([0.3873891445533808, 4.390709936166201])
    ours, plain = _both(law, lam, rule)
    monkeypatch.setattr(O, "NU", 12.0)
    fine = P.finish(O.sums_many([law], lam[None], [rule], False)[0][:, None, :])
    for name in ours:
        assert np.abs(ours[name] - plain[name]).max() <= 1e-8, name
        assert np.abs(ours[name] - fine[name]).max() <= 1e-5, name
