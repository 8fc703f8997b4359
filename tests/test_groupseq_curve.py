"""Stratified design with interims: claims along a curve of correlation structures and far drifts.

The interpolated claims (planner/groupseq/curve.py) are checked against the direct grid
recursion at every structure checked (one recursion per structure); the tolerance 2e-5 is the
interpolation error stated in the module (measured ≈ 3e-7 on these curves). Far drifts
(procedure.certain) are checked against the grid, whose error is ~1e-5.
"""

import math

import numpy as np
import pytest

from planner.groupseq import curve as C
from planner.groupseq import procedure as P
from planner.groupseq import stratified as S
from planner.groupseq.plan import InterimPlan

ALPHA = 0.025
PLANS = [InterimPlan((0.3, 0.6, 1.0), "obrien_fleming"),
         InterimPlan((0.4, 0.7, 1.0), "obrien_fleming", None, (0.0, 0.5), False)]


def _curve(plan, points=60):
    rho = np.linspace(0.3, 0.9, points)
    joint = S.joint_from_fixed(0.2 * rho + 0.05, 0.25, 1.0, 1.0 + 0.1 * rho, rho, rho * 0.95, plan.information_rates)
    return joint, S.bounds_for(joint, plan, ALPHA, "spiessens_debois", None)


def _subset(bd, sel):
    return S.ClosedBounds(*(getattr(bd, n)[sel] for n in S.NAMES))


def _direct(mean, cov, bd, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(C, "MIN_GROUPS", 10**9)
        return S.claims_by_look(mean, cov, bd)


@pytest.mark.parametrize("plan", PLANS, ids=["OF3", "OF3-futility"])
def test_prevalence_curve_interpolated_within_tolerance(plan, monkeypatch):
    joint, bd = _curve(plan)
    mean = joint.mean_per_sqrt_n * math.sqrt(300.0)
    calls = []
    for name in ("interpolate", "interpolate_along"):   # along the curve (one mean per structure) or not
        orig = getattr(C, name)
        monkeypatch.setattr(C, name, lambda *a, orig=orig, **k: calls.append(1) or orig(*a, **k))
    ours = S.claims_by_look(mean, joint.cov1, bd)
    assert calls, "the curve was not interpolated"
    sel = np.arange(0, 60, 7)
    ref = _direct(mean[sel], joint.cov1[sel], _subset(bd, sel), monkeypatch)
    for name in ref:
        assert np.abs(ours[name][sel] - ref[name]).max() <= 2e-5, name


def test_points_not_on_one_curve_are_computed_directly(monkeypatch):
    joint, bd = _curve(PLANS[0], points=30)
    perm = np.random.default_rng(3).permutation(30)
    mean = joint.mean_per_sqrt_n[perm] * math.sqrt(300.0)
    shuffled = S.claims_by_look(mean, joint.cov1[perm], _subset(bd, perm))
    sel = np.arange(0, 30, 6)
    ref = _direct(mean[sel], joint.cov1[perm][sel], _subset(bd, perm[sel]), monkeypatch)
    for name in ref:
        assert np.allclose(shuffled[name][sel], ref[name], rtol=0, atol=1e-12), name


def test_barycentric_weights_reproduce_polynomials():
    x = np.cos(np.pi * np.arange(9) / 8)
    t = np.linspace(-1, 1, 31)
    w = C.barycentric(x, t)
    assert np.allclose(w @ (x**7 - 2 * x**3), t**7 - 2 * t**3, atol=1e-12)
    assert np.allclose(C.barycentric(x, x[:3]), np.eye(9)[:3])


@pytest.mark.parametrize("plan", PLANS, ids=["OF3", "OF3-futility"])
def test_far_drifts_need_no_grid_and_agree_with_it(plan, monkeypatch):
    joint = S.joint_from_fixed(0.2, 0.25, 1.0, 1.0, 0.6, 0.6, plan.information_rates)
    bd = S.bounds_for(joint, plan, ALPHA, "spiessens_debois", None)
    sizes = np.array([6000.0, 1e6])            # z at the first look ≥ 8.5 SD beyond every bound
    mean = joint.mean_per_sqrt_n * np.sqrt(sizes)[:, None]
    far = S.claims_by_look(mean, joint.cov1, bd)
    assert np.allclose(far["either"], 1.0) and np.allclose(far["stop"][:, 0], 1.0)
    with monkeypatch.context() as m:
        m.setattr(P, "FAR", math.inf)            # force the grid
        grid = S.claims_by_look(mean[:1], joint.cov1, bd)
    for name in grid:
        assert np.allclose(far[name][:1], grid[name], atol=3e-5), name
    low = S.claims_by_look(-mean[:1], joint.cov1, bd)  # far below: no claim; futility stops at look 1
    assert np.allclose(low["either"], 0.0)
    assert float(low["stop"][0, 0]) == (1.0 if plan.futility_bounds else 0.0)


def test_curve_with_several_means_per_structure_uses_the_drift_exact_interpolation(monkeypatch):
    """Two sizes per structure: the means are not a function of the curve parameter, so the
    claims are interpolated in the structure only (exact in the drift), within 2e-5."""
    joint, bd = _curve(PLANS[0], points=60)
    two = lambda x: np.concatenate([x, x])  # noqa: E731
    mean = np.concatenate([joint.mean_per_sqrt_n * math.sqrt(300.0), joint.mean_per_sqrt_n * math.sqrt(320.0)])
    cov, bd2 = two(joint.cov1), S.ClosedBounds(*(two(getattr(bd, n)) for n in S.NAMES))
    calls = []
    orig = C.interpolate
    monkeypatch.setattr(C, "interpolate", lambda *a: calls.append(1) or orig(*a))
    ours = S.claims_by_look(mean, cov, bd2)
    assert calls, "the curve was not interpolated"
    sel = np.array([3, 17, 36, 52, 70, 111])
    ref = _direct(mean[sel], cov[sel], _subset(bd2, sel), monkeypatch)
    for name in ref:
        assert np.abs(ours[name][sel] - ref[name]).max() <= 2e-5, name
