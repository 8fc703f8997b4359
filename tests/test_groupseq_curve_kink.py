"""Curves through the clamp of the parametric test's inflation factor (issue 11, cold curves;
docs/group-sequential.md, "Speed of the curves").

* Below a ρ₀ (≈ 0.31 at the last look of a three-look O'Brien–Fleming plan) the last look's
  inflation factor is clamped at 1: the intersection bounds are Bonferroni's exactly, constant in
  ρ₀. Interpolated in ρ₀ (:func:`planner.groupseq.rho_bounds.clamped_spline`) they are
  Bonferroni's there and min(spline on the free nodes, Bonferroni) beside it: within 1e-5 of the
  direct solution (measured 2.8e-6; the spline through the kink was 3.7e-4 off).
* The claims along such a curve (:func:`planner.groupseq.curve.nested`) are interpolated on each
  side of the kink alone, from fewer nodes than the 25 the whole curve needed, within the 2e-5 of
  tests/test_groupseq_curve.py.
* The secant at a curve's nodes (:func:`planner.solve.solve_smooth` with ``first``) stops after
  one evaluation when its start is already within the step tolerance.
"""

import math

import numpy as np
from conftest import counting_nested
from scipy.special import ndtr

from planner.groupseq import curve as C
from planner.groupseq import stratified as S
from planner.groupseq.plan import InterimPlan
from planner.solve import solve_smooth

ALPHA = 0.025
THREE = InterimPlan((0.33, 0.67, 1.0), "obrien_fleming", None, (0.0, 0.0), False)
T = np.array(THREE.information_rates)


def _curve(points=200):
    rho = np.linspace(0.05, 0.9, points)
    joint = S.joint_from_fixed(0.2 * rho + 0.05, 0.25, 1.0, 1.0 + 0.1 * rho, rho, rho * 0.95, T)
    return rho, joint, S.bounds_for(joint, THREE, ALPHA, "spiessens_debois", None)


def test_bounds_across_the_clamp_are_bonferroni_or_the_spline():
    rho, joint, bd = _curve()
    bonferroni = S.closed_bounds(THREE, ALPHA, "bonferroni", None, joint.corr0[0], T, T)
    worst = 0.0
    for i in range(0, rho.size, 3):
        exact = S.closed_bounds(THREE, ALPHA, "spiessens_debois", None, joint.corr0[i], T, T)
        worst = max(worst, np.abs(bd.a[i] - exact.a).max(), np.abs(bd.b[i] - exact.b).max())
        if exact.a[-1] == bonferroni.a[-1]:
            assert bd.a[i, -1] == bonferroni.a[-1] and bd.b[i, -1] == bonferroni.b[-1]
    assert worst <= 1e-5
    assert (bd.a[:, -1] == bonferroni.a[-1]).sum() > 50     # the clamped side is part of this curve


def test_claims_through_the_clamp_are_split_and_within_tolerance(monkeypatch):
    rho, joint, bd = _curve()
    mean = joint.mean_per_sqrt_n * math.sqrt(300.0)
    evaluated, pieces = [], []
    orig_nested, orig_pieces = C.nested, C._pieces
    monkeypatch.setattr(C, "nested", counting_nested(orig_nested, evaluated))
    monkeypatch.setattr(C, "_pieces", lambda f: pieces.append(orig_pieces(f)) or pieces[-1])
    ours = S.claim_probabilities(mean, joint.cov1, bd)
    assert len(pieces[-1]) == 2, "not split at the clamp"
    assert 0 < len(set(evaluated)) < 25
    sel = np.arange(0, 200, 13)
    with monkeypatch.context() as m:
        m.setattr(C, "MIN_GROUPS", 10**9)
        sub = S.ClosedBounds(*(getattr(bd, n)[sel] for n in S.NAMES))
        ref = S.claim_probabilities(mean[sel], joint.cov1[sel], sub)
    for name in ref:
        assert np.abs(ours[name][sel] - ref[name]).max() <= 2e-5, name


class _ZTest:
    """A one-z-test model (power Φ(δ√N − 1.96)) counting its power evaluations."""

    def __init__(self, delta):
        self.delta = np.asarray(delta, float)
        self.size, self.shape, self.calls = self.delta.size, self.delta.shape, 0

    def feasible(self):
        return np.ones(self.shape, bool)

    def power(self, n, idx=slice(None)):
        self.calls += 1
        return ndtr(self.delta[idx] * np.sqrt(n) - 1.96)


def test_secant_stops_after_its_first_step_when_the_start_is_close():
    delta = np.array([0.05, 0.08, 0.1])
    root = (1.96 + 1.2815515655446004) / delta          # √N at 90 % power
    slope = delta * 1.02                                 # a slope 2 % off
    model = _ZTest(delta)
    n = solve_smooth(model, 0.9, 1.0, root * (1 + 3e-5), slope, step_tol=1e-4, first=True)
    assert model.calls == 1
    assert np.abs(np.sqrt(n) / root - 1).max() <= 1e-6
    model = _ZTest(delta)
    n = solve_smooth(model, 0.9, 1.0, root * 1.03, slope, step_tol=1e-4, first=True)
    assert model.calls >= 2 and np.abs(np.sqrt(n) / root - 1).max() <= 1e-6
