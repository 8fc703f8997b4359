"""Intersection bounds of the weighted parametric test (:func:`planner.groupseq.procedure.intersection_bounds`)
after wave 7's faster solve — secant steps from Bonferroni's bounds instead of Brent's method on the
whole range, a grid cut above each later look's highest possible bound, the transition kernel at the
grid's width — against the bounds of the solver before (Brent's method, ``xtol`` 1e-12, on the whole
grid), stored here to 1e-10 (from branch ``stage``, the same structures).

Measured over 537 structures (the four curves' first calls of PAOLA-1, CHANCE and IPASS with 2 and 3
looks, O'Brien–Fleming and Pocock, binding and non-binding futility and none, with and without a
given alpha split): max |Δ bound| 3.5e-11 in z. The tolerance below, 1e-9, is that plus the
storage's rounding, far inside the 1e-6 the bounds must keep (rpact agreement 1e-4). Not here:
a look spending ~1e-12 (O'Brien–Fleming at t = 0.1, z ≈ 7.08), whose bound the solver before
found only to the round-off of 1 minus the mass below (it moves by up to 1e-5; the grid's edge at
7.5 SD cost ~3.5e-3 in z there, ~1e-12 in probability; a first look spending < 1e-8 is now solved
from the bivariate normal itself: tests/test_groupseq_early_bound.py, docs/group-sequential.md).
"""

import math

import numpy as np
import pytest
from scipy.optimize import brentq

from planner.groupseq import procedure as P
from planner.groupseq import stratified as S
from planner.groupseq.plan import InterimPlan

PLANS = {"3 looks, non-binding": InterimPlan((0.33, 0.67, 1.0), "obrien_fleming", None, (0.0, 0.0), False),
         "3 looks, binding": InterimPlan((0.33, 0.67, 1.0), "obrien_fleming", None, (0.0, 0.0), True),
         "3 looks, Pocock": InterimPlan((0.33, 0.67, 1.0), "pocock", None, None, False),
         "2 looks, binding": InterimPlan((0.5, 1.0), "obrien_fleming", None, (0.2,), True),
         "2 looks": InterimPlan((0.5, 1.0), "obrien_fleming", None, None, False)}

# (plan, ρ₀, alpha split, a, b) — the solver before wave 7
BEFORE = [
    ('3 looks, non-binding', 0.35, None, [3.9012392514, 2.7340435327, 2.2614634021], [3.9012392514, 2.7340435327, 2.2614634021]),
    ('3 looks, non-binding', 0.62, None, [3.896054595, 2.715070118, 2.2305067961], [3.896054595, 2.715070118, 2.2305067961]),
    ('3 looks, non-binding', 0.91, None, [3.8511033131, 2.6390143729, 2.1360056661], [3.8511033131, 2.6390143729, 2.1360056661]),
    ('3 looks, non-binding', 0.62, 0.8, [3.8843884673, 2.6148179237, 2.0834760077], [3.9082977246, 2.8616477987, 2.4835875425]),
    ('3 looks, non-binding', 0.62, 0.3, [4.5095535468, 3.0652443592, 2.4496836064], [3.7380353693, 2.5522561743, 2.0946620007]),
    ('3 looks, binding', 0.35, None, [3.9012392514, 2.7334527486, 2.2459061982], [3.9012392514, 2.7334527486, 2.2459061982]),
    ('3 looks, binding', 0.62, None, [3.896054595, 2.7144521537, 2.2143884731], [3.896054595, 2.7144521537, 2.2143884731]),
    ('3 looks, binding', 0.91, None, [3.8511033131, 2.6382577022, 2.1174804824], [3.8511033131, 2.6382577022, 2.1174804824]),
    ('3 looks, binding', 0.62, 0.8, [3.8843884673, 2.6139478373, 2.0620112646], [3.9082977246, 2.8612978512, 2.4746189893]),
    ('3 looks, binding', 0.62, 0.3, [4.5095535468, 3.0650523662, 2.4389479241], [3.7380353693, 2.5512075506, 2.0738423525]),
    ('3 looks, Pocock', 0.35, None, [2.5261711467, 2.5459926091, 2.5581714684], [2.5261711467, 2.5459926091, 2.5581714684]),
    ('3 looks, Pocock', 0.62, None, [2.5031655669, 2.5188002534, 2.5286120213], [2.5031655669, 2.5188002534, 2.5286120213]),
    ('3 looks, Pocock', 0.91, None, [2.420388246, 2.4307819745, 2.4376159196], [2.420388246, 2.4307819745, 2.4376159196]),
    ('3 looks, Pocock', 0.62, 0.8, [2.3662900668, 2.380944374, 2.3903249875], [2.7377157471, 2.7495549611, 2.7571826306]),
    ('3 looks, Pocock', 0.62, 0.3, [2.7095349615, 2.7433293491, 2.7640271744], [2.376109497, 2.3833123457, 2.3882106036]),
    ('2 looks, binding', 0.35, None, [3.1671210578, 2.2295452402], [3.1671210578, 2.2295452402]),
    ('2 looks, binding', 0.62, None, [3.1549950347, 2.1988462173], [3.1549950347, 2.1988462173]),
    ('2 looks, binding', 0.91, None, [3.0920444196, 2.103631899], [3.0920444196, 2.103631899]),
    ('2 looks, binding', 0.62, 0.8, [3.0896263549, 2.0521580312], [3.2394129362, 2.445171361]),
    ('2 looks, binding', 0.62, 0.3, [3.6051146222, 2.4319814736], [2.9879029199, 2.0564111793]),
    ('2 looks', 0.35, None, [3.1671210578, 2.2348494349], [3.1671210578, 2.2348494349]),
    ('2 looks', 0.62, None, [3.1549950347, 2.2044965266], [3.1549950347, 2.2044965266]),
    ('2 looks', 0.91, None, [3.0920444196, 2.1106931136], [3.0920444196, 2.1106931136]),
    ('2 looks', 0.62, 0.8, [3.0896263549, 2.0606649658], [3.2394129362, 2.4475501037]),
    ('2 looks', 0.62, 0.3, [3.6051146222, 2.4349996306], [2.9879029199, 2.0646645734]),
]


@pytest.mark.parametrize("plan, rho, split, a, b", BEFORE)
def test_bounds_as_before(plan, rho, split, a, b):
    t = np.array(PLANS[plan].information_rates)
    j = S.joint_from_fixed(0.0, 0.0, 1.0, 1.0, rho, rho, t)
    S._closed_cached.cache_clear()
    bd = S.closed_bounds(PLANS[plan], 0.025, "spiessens_debois", split, j.corr0, j.t_f, j.t_s)
    np.testing.assert_allclose(bd.a, a, rtol=0, atol=1e-9)
    np.testing.assert_allclose(bd.b, b, rtol=0, atol=1e-9)


def test_secant_finds_brents_root_and_hands_over_when_flat():
    """A root near the start converges by secant steps; one whose start is flat (the subgroup's bound
    far above the root, the case of a given split) is handed to Brent's method; none without a sign change."""
    f = lambda x: math.tanh(3 * (x - 1.2)) + 0.05 * x  # noqa: E731
    root = brentq(f, 1.0, 50.0, xtol=1e-14)
    assert abs(P._secant(f, 1.0, 50.0, 1.0, 1.001) - root) < 1e-10
    g = lambda x: math.erfc(4 * (x - 3.0)) - 1e-3  # noqa: E731   (flat near 4.75: the first step leaves the range)
    assert abs(P._secant(g, -4.0, 4.75, 4.75, 4.749) - brentq(g, -4.0, 4.75, xtol=1e-14)) < 1e-10
    assert P._secant(lambda x: x + 10.0, 1.0, 5.0, 1.0, 1.001) is None
