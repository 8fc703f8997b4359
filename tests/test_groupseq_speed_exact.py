"""Speed-ups of the stratified interim engine that must not change its numbers (issue 11, wave 5).

* States with one fate are propagated as one density (procedure._merge): the records equal the
  unmerged recursion's to round-off (the recursion is linear in the densities; the FLOOR cut-off
  of each density's far tail acts on the sum: measured ≤ 2.4e-11 relative on the PAOLA-1
  comparisons);
* a curve's node sizes from one vectorized call at sampled points (sizing._sampled_root) equal
  the scalar root search's to 1e-10 in log N (measured 3.5e-13).
"""

import math

import numpy as np
import pytest

from planner.groupseq import grid2d as G
from planner.groupseq import procedure as P
from planner.groupseq import sizing
from planner.groupseq import stratified as S
from planner.groupseq.plan import InterimPlan

ALPHA = 0.025
PLANS = [InterimPlan((0.33, 0.67, 1.0), "obrien_fleming", None, (0.0, 0.0), False),
         InterimPlan((0.25, 0.5, 0.75, 1.0), "obrien_fleming", None, (0.0, 0.2, 0.5), True),
         InterimPlan((0.3, 0.6, 1.0), "pocock")]


def _setup(plan, rho=0.6, stop_when="both"):
    joint = S.joint_from_fixed(0.2, 0.25, 1.0, 1.1, rho, rho * 0.95, plan.information_rates)
    bd = S.bounds_for(joint, plan, ALPHA, "spiessens_debois", None)
    law = G.law_from_cov(joint.cov1)
    flat = np.stack([np.broadcast_to(np.full(plan.k_max, -math.inf) if getattr(bd, n) is None else getattr(bd, n),
                                     (plan.k_max,)) for n in S.NAMES])
    return joint, law, S._rule(flat, stop_when)


@pytest.mark.parametrize("stop_when", P.STOP_RULES)
@pytest.mark.parametrize("plan", PLANS, ids=["OF3-fut", "OF4-binding", "P3"])
def test_merged_states_give_the_unmerged_records(plan, stop_when, monkeypatch):
    _, law, rule = _setup(plan, stop_when=stop_when)
    lam = np.array([1.4, 2.1])
    merged = P._recursion(law, lam, rule, None)[2]
    monkeypatch.setattr(P, "_merge", lambda pairs, fate: dict(pairs))
    plain = P._recursion(law, lam, rule, None)[2]
    grid = G.make_grid(law, lam, None)
    for k, (look_m, look_p) in enumerate(zip(merged, plain)):
        shape = (int(grid.n[k, 0]), int(grid.n[k, 1]))
        for a, b in zip(look_m, look_p):
            # masses per node (a probability in all): FLOOR (1e-13 of each density's maximum)
            # zeroes round-off per density, so a sum of two keeps or drops other far-tail cells
            assert np.abs(_dense(a, shape) - _dense(b, shape)).max() <= 1e-15
    claims = [P.finish(np.stack([G.tilted_sums(m, *G.tilt_factors(law, grid, k, lam[None], lam))
                                 for k, m in enumerate(rec)], axis=-1)) for rec in (merged, plain)]
    for name in claims[0]:
        assert np.allclose(claims[0][name], claims[1][name], rtol=0, atol=1e-14), name


def _dense(t, shape):
    out = np.zeros(shape)
    if t is not None:
        out[t[0], t[1]] = t[2]
    return out


def test_merging_reduces_the_states_propagated(monkeypatch):
    _, law, rule = _setup(PLANS[0])
    seen = []
    orig = P._merge

    def counted(pairs, fate):
        pairs = list(pairs)
        out = orig(pairs, fate)
        seen.append((len(pairs), len(out)))
        return out

    monkeypatch.setattr(P, "_merge", counted)
    P._recursion(law, np.array([1.4, 2.1]), rule, None)
    assert seen and all(after <= before for before, after in seen) and any(after < before for before, after in seen)


@pytest.mark.parametrize("plan", PLANS[:2], ids=["OF3-fut", "OF4-binding"])
def test_sampled_root_is_the_scalar_root(plan):
    for rho in (0.35, 0.6, 0.85):
        joint, law, rule = _setup(plan, rho)
        lam1 = S._drift(law, joint.mean_per_sqrt_n[None])[0]
        for target in (0.5, 0.8, 0.9):
            for claim in ("overall", "either"):
                node = tuple(int(v) for v in G.lattice_index(law, lam1[None] * math.sqrt(300.0))[0])
                slow = sizing._pinned_root(law, lam1, rule, claim, target, node, 20.0, 1e6)
                fast = sizing._pinned_root(law, lam1, rule, claim, target, node, 20.0, 1e6, fast=True)
                assert (slow is None) == (fast is None), (rho, target, claim)
                if slow is not None:
                    assert abs(math.log(fast / slow)) <= 1e-10, (rho, target, claim)
