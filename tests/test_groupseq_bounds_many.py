"""Intersection bounds of many structures solved together (:mod:`planner.groupseq.bounds_many`, wave 8)
against the one-structure solver (:func:`planner.groupseq.procedure.intersection_bounds` through
:func:`planner.groupseq.stratified._parametric`), computed here.

The batched solve runs the same secant steps from the same starts on the same grid; its H0 step
writes the kernel's Fourier transform down (Poisson summation) instead of transforming the sampled,
truncated kernel, and regroups the crossing sums. Measured over the 100 structures of the first calls
of the four curves of PAOLA-1, ALK, CHANCE and IPASS (3 looks): max |Δ bound| 1.3e-12 in z. The
tolerance below, 1e-7, is the brief's; the bounds must keep 1e-6 (rpact agreement 1e-4).
"""

import math

import numpy as np
import pytest
from scipy.optimize import brentq

from planner.groupseq import bounds_many as BM
from planner.groupseq import grid2d as G
from planner.groupseq import procedure as P
from planner.groupseq import stratified as S
from planner.groupseq.plan import InterimPlan

TOL = 1e-7

PLANS = {"3 looks, non-binding": InterimPlan((0.33, 0.67, 1.0), "obrien_fleming", None, (0.0, 0.0), False),
         "3 looks, Pocock": InterimPlan((0.33, 0.67, 1.0), "pocock", None, None, False),
         "2 looks": InterimPlan((0.5, 1.0), "obrien_fleming", None, None, False),
         "4 looks, early first": InterimPlan((0.1, 0.4, 0.7, 1.0), "obrien_fleming", None, None, False)}


def _proportional(plan, rhos):
    t = np.array(plan.information_rates)
    j = S.joint_from_fixed(0.0, 0.0, 1.0, 1.0, np.asarray(rhos), np.asarray(rhos), t)
    return j.corr0, np.tile(t, (len(rhos), 1)), np.tile(t, (len(rhos), 1))


def _check(plan, split, corrs, tfs, tss):
    w_f = 0.5 if split is None else split
    a, b = S._parametric_many(plan, 0.025, w_f, corrs, tfs, tss, split is not None)
    worst = 0.0
    for i in range(len(corrs)):
        a1, b1 = S._parametric(plan, 0.025, w_f, corrs[i], tfs[i], tss[i], split is not None)
        np.testing.assert_allclose(a[i], a1, rtol=0, atol=TOL)
        np.testing.assert_allclose(b[i], b1, rtol=0, atol=TOL)
        both = np.r_[a[i], b[i]], np.r_[a1, b1]
        same = both[0] == both[1]                       # ∞ = ∞ (no bound)
        worst = max(worst, float(np.max(np.abs(np.where(same, 0.0, both[0] - np.where(same, 0.0, both[1]))))))
    return worst


@pytest.mark.parametrize("name", list(PLANS))
@pytest.mark.parametrize("split", [None, 0.8])
def test_many_structures_as_one_by_one(name, split):
    """Chebyshev-like ρ₀ nodes over a prevalence curve's range (the clamped and free sides of the
    last look's inflation factor, a ridge-refined grid at ρ₀ 0.985), one call."""
    rhos = [0.2, 0.25, 0.31, 0.45, 0.6, 0.75, 0.88, 0.93, 0.985]
    assert _check(PLANS[name], split, *_proportional(PLANS[name], rhos)) < 1e-10


def test_information_form_structures_on_their_own_grids():
    """Survival structures with their own information fractions (each its own H0 grid: run as
    groups of one) next to proportional ones."""
    plan = PLANS["3 looks, non-binding"]
    corrs, tfs, tss = [], [], []
    for theta, i_s, i_n in [(0.0, 30.0, 70.0), (0.0, 45.0, 50.0), (0.0, 20.0, 90.0)]:
        frac = np.array(plan.information_rates)
        j = S.joint_from_information(theta, theta, i_s * frac ** 1.1, i_n * frac ** 0.9)
        corrs.append(j.corr0)
        tfs.append(j.t_f)
        tss.append(j.t_s)
    c, f, s = _proportional(plan, [0.4, 0.6])
    assert _check(plan, None, np.r_[np.array(corrs), c], np.r_[np.array(tfs), f], np.r_[np.array(tss), s]) < 1e-10


def test_closed_bounds_many_fills_the_cache():
    plan = PLANS["3 looks, non-binding"]
    corrs, tfs, tss = _proportional(plan, [0.35, 0.5, 0.65, 0.5])
    S._closed_cached.cache_clear()
    many = S.closed_bounds_many(plan, 0.025, "spiessens_debois", None, corrs, tfs, tss)
    assert S._closed_cached.cache_info().currsize == 3 and not BM._SOLVED
    hits = S._closed_cached.cache_info().hits
    for i, bd in enumerate(many):
        one = S.closed_bounds(plan, 0.025, "spiessens_debois", None, corrs[i], tfs[i], tss[i])
        assert one is bd or np.array_equal(one.a, bd.a)
    assert S._closed_cached.cache_info().hits == hits + 4
    S._closed_cached.cache_clear()
    for i, bd in enumerate(many):
        one = S.closed_bounds(plan, 0.025, "spiessens_debois", None, corrs[i], tfs[i], tss[i])
        np.testing.assert_allclose(one.a, bd.a, rtol=0, atol=TOL)
        np.testing.assert_allclose(one.c_f, bd.c_f, rtol=0, atol=0)


def test_binding_futility_is_solved_one_by_one():
    plan = InterimPlan((0.33, 0.67, 1.0), "obrien_fleming", None, (0.0, 0.0), True)
    corrs, tfs, tss = _proportional(plan, [0.35, 0.62])
    S._closed_cached.cache_clear()
    many = S.closed_bounds_many(plan, 0.025, "spiessens_debois", None, corrs, tfs, tss)
    np.testing.assert_allclose(many[1].a, [3.896054595, 2.7144521537, 2.2143884731], rtol=0, atol=1e-9)  # test_groupseq_bounds_solver


def test_weights_of_many_bounds_are_the_grids_rule():
    law = G.law_from_cov(S.joint_from_fixed(0.0, 0.0, 1.0, 1.0, 0.6, 0.6, np.array([0.33, 0.67, 1.0])).corr0)
    grid = G.make_grid(law, np.zeros(2), radius=0.0, nu=P.NU_BOUNDS)
    for k in range(3):
        x0, top = grid.x0[k, 0], grid.x0[k, 0] + grid.h[0] * (grid.n[k, 0] - 1)
        u = np.r_[-math.inf, x0 - 1, x0, x0 + 0.3 * grid.h[0], np.linspace(x0, top, 37) + 0.01, top, top + 1, math.inf]
        many = BM._below_many(grid, k, 0, u)
        for i, x in enumerate(u):
            np.testing.assert_allclose(many[i], P._below(grid, k, 0, x), rtol=0, atol=1e-15)


def test_secant_in_lock_step_as_one_by_one():
    """Converging, handed over to Brent's method (a flat start), and without a sign change."""
    fs = [lambda x: math.tanh(3 * (x - 1.2)) + 0.05 * x, lambda x: math.erfc(4 * (x - 3.0)) - 1e-3, lambda x: x + 10.0,
          lambda x: math.tanh(2 * (x - 2.5))]
    lo, hi = np.array([1.0, -4.0, 1.0, 1.0]), np.array([50.0, 4.75, 5.0, 50.0])
    start, second = np.array([1.0, 4.75, 1.0, 1.0]), np.array([1.001, 4.749, 1.001, 1.001])
    roots = BM._secant_many(lambda x, j: np.array([fs[i](v) for v, i in zip(x, j)]), lo, hi, start, second)
    for i, f in enumerate(fs):
        one = P._secant(f, lo[i], hi[i], start[i], second[i])
        if one is None:
            assert math.isnan(roots[i])
        else:
            assert abs(roots[i] - one) < 1e-10 and abs(roots[i] - brentq(f, lo[i], hi[i], xtol=1e-14)) < 1e-10


def test_step_with_the_written_transform_as_the_sampled_kernel():
    """The H0 step of a (non-Gaussian) weighted density against :func:`.grid2d.transition_many` with
    the kernel sampled to the grid's width: the same densities up to the sampled kernel's truncation."""
    laws = [G.law_from_cov(S.joint_from_fixed(0.0, 0.0, 1.0, 1.0, r, r, np.array([0.33, 0.67, 1.0])).corr0) for r in (0.3, 0.9)]
    grid = P._bounds_grid(laws[0], np.array([3.9, 2.7, 2.2]), np.array([3.9, 2.7, 2.2]), (-math.inf,) * 3, (-math.inf,) * 3)
    h = np.stack([G.first_density(law, grid, np.zeros(2)) for law in laws])
    h *= BM._below_many(grid, 0, 0, [3.9 * laws[0].scale[0, 0]] * 2)[:, :, None]
    h *= BM._below_many(grid, 0, 1, [3.0 * laws[0].scale[0, 1]] * 2)[:, None, :]
    ours = BM._step(h, laws, grid, 0)
    theirs = G.transition_many(h[:, None], laws, [grid] * 2, 0, [np.zeros(2)] * 2, kernel_width=G.WIDTH)[:, 0]
    assert ours.shape == theirs.shape
    assert np.max(np.abs(ours - theirs)) < 1e-12 * np.max(theirs)
