"""Speed-ups of the interim engine (issue 11) keep its numbers.

* caches and vectorized forms give the very numbers of the direct forms (bit for bit);
* a three-look curve over prevalence, whose intersection bounds are a cubic spline in ρ₀ (not
  reproduced by the degree-12 interpolant within 1e-5), is interpolated from 25 nodes instead of
  computed structure by structure, within 2e-5 of the direct recursion (the tolerance of
  tests/test_groupseq_curve.py; measured ≤ 4.4e-6 on the PAOLA-1 example);
* claim powers along a curve are checked on the claims asked for only (13 nodes where the
  stopping probabilities would need 25), within the same 2e-5.
"""

import math

import numpy as np
from conftest import counting_nested

from planner.groupseq import boundaries as B
from planner.groupseq import curve as C
from planner.groupseq import grid2d as G
from planner.groupseq import own as O
from planner.groupseq import procedure as P
from planner.groupseq import stratified as S
from planner.groupseq.plan import InterimPlan

ALPHA = 0.025
THREE = InterimPlan((0.33, 0.67, 1.0), "obrien_fleming", None, (0.0, 0.0), False)


def test_cached_crossing_is_the_direct_one():
    b = B.boundaries(THREE, ALPHA)
    for delta in ([0.0], [3.1], [0.0, 3.1]):
        cached, direct = B.crossing(b, delta), B._crossing(b, np.asarray(delta))
        assert B.crossing(b, delta) is cached
        assert np.array_equal(cached.reject, direct.reject) and np.array_equal(cached.futility, direct.futility)
        assert not cached.reject.flags.writeable


def test_laws_of_many_covariances_at_once_equal_one_at_a_time():
    rho = np.linspace(0.3, 0.9, 7)
    joint = S.joint_from_fixed(0.2 * rho, 0.25, 1.0 + 0.1 * rho, 1.0, rho, rho * 0.9, THREE.information_rates)
    scale, cum = G.laws_from_cov(joint.cov1)
    for g in range(rho.size):
        cov = joint.cov1[g]
        sd = np.sqrt(np.diagonal(cov))
        t_f = (cov[0::2, -2] / (sd[0::2] * sd[-2])) ** 2
        t_s = (cov[1::2, -1] / (sd[1::2] * sd[-1])) ** 2
        one = np.sqrt(np.stack([t_f, t_s], axis=1))
        assert np.array_equal(scale[g], one)
        for k in range(3):
            assert np.array_equal(cum[g, k], cov[2 * k:2 * k + 2, 2 * k:2 * k + 2] * np.outer(one[k], one[k]))


def test_masses_for_the_last_look_claims_are_the_full_ones():
    joint = S.joint_from_fixed(0.2, 0.25, 1.0, 1.0, 0.6, 0.6, THREE.information_rates)
    bd = S.bounds_for(joint, THREE, ALPHA, "spiessens_debois", None)
    law = G.law_from_cov(joint.cov1)
    flat = np.stack([np.broadcast_to(getattr(bd, n), (3,)) for n in S.NAMES])
    rule = S._rule(flat, "both")
    lam = S._drift(law, joint.mean_per_sqrt_n[None] * np.sqrt([[250.0], [260.0]]))
    node = tuple(int(v) for v in G.lattice_index(law, lam[:1])[0])
    full = P.finish(P.sums_at(law, law.key(), lam, rule, node))
    part = P.finish(P.sums_at(law, law.key(), lam, rule, node, last_claims=True))
    for claim in ("overall", "subgroup", "either", "both"):
        assert np.array_equal(full[claim][:, -1], part[claim][:, -1]), claim


def _prevalence_curve(plan, points=200):
    """A curve over prevalence as the proportional form gives it: ρ₀ from 0.3 to 0.9, bounds
    interpolated in ρ₀ (cubic spline, stratified.bounds_for)."""
    rho = np.linspace(0.3, 0.9, points)
    joint = S.joint_from_fixed(0.2 * rho + 0.05, 0.25, 1.0, 1.0 + 0.1 * rho, rho, rho * 0.95, plan.information_rates)
    return joint, S.bounds_for(joint, plan, ALPHA, "spiessens_debois", None)


def _direct(mean, cov, bd, sel, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(C, "MIN_GROUPS", 10**9)
        sub = S.ClosedBounds(*(getattr(bd, n)[sel] for n in S.NAMES))
        return S.claim_probabilities(mean[sel], cov[sel], sub)


def test_three_look_prevalence_curve_is_interpolated_within_tolerance(monkeypatch):
    joint, bd = _prevalence_curve(THREE)
    mean = joint.mean_per_sqrt_n * math.sqrt(300.0)
    evaluated = []
    orig = C.nested
    monkeypatch.setattr(C, "nested", counting_nested(orig, evaluated))
    ours = S.claim_probabilities(mean, joint.cov1, bd)
    assert 0 < len(set(evaluated)) <= 25, "not interpolated from nodes"
    sel = np.arange(0, 200, 13)
    ref = _direct(mean, joint.cov1, bd, sel, monkeypatch)
    for name in ref:
        assert np.abs(ours[name][sel] - ref[name]).max() <= 2e-5, name


def test_recursion_at_own_drift_agrees_with_the_lattice_reference():
    """:func:`.own.run_own` (a recursion at the point's drift on a grid without the tilting
    margin, used along a curve whose structures each carry one drift) agrees with the tilted
    lattice reference of :func:`.procedure.run` within the grid's stated 2e-5 (measured ≤ 1.5e-6)."""
    joint = S.joint_from_fixed(0.2, 0.25, 1.0, 1.0, 0.6, 0.6, THREE.information_rates)
    bd = S.bounds_for(joint, THREE, ALPHA, "spiessens_debois", None)
    law = G.law_from_cov(joint.cov1)
    rule = S._rule(np.stack([np.broadcast_to(getattr(bd, n), (3,)) for n in S.NAMES]), "both")
    for n in (60.0, 250.0, 900.0):
        lam = S._drift(law, joint.mean_per_sqrt_n[None] * math.sqrt(n))
        own, lattice = O.run_own(law, lam, rule), P.run(law, lam, rule)
        for name in own:
            assert np.abs(own[name] - lattice[name]).max() <= 2e-5, (n, name)
