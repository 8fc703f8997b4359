"""Adaptive pieces along a curve (wave 7, :func:`planner.groupseq.curve.nested`'s ``budget``): the
curves that fell back to (nearly) one recursion per point are interpolated from pieces split at
their midpoints, and stay within the accuracy contract of docs/group-sequential.md ("Speed of the
curves"): every point within 1e-4 in claim power of the direct computation.

Direct values: tests/data/groupseq_curve_adaptive.json, made by
tests/data/make_groupseq_curve_adaptive.py (the direct path: one recursion per structure and lattice
cell). Cases, all with the three-look plan: power vs the B− effect of ALK, PD-L1 TPS (claims with a
sharp transition where Z_F's mean crosses the bounds; 'overall' saturating at 1) and CHANCE (binary:
137 structures with a law whose drifts span 39 lattice cells; its last two structures, corr(Z_F, Z_S)
0.97 and 0.99, computed directly; and the app's range), the claims over prevalence of IPASS (a kink
in one bound column that the whole curve's features do not reproduce) and ALK, power over N under
the look-wise law of PAOLA-1, IPASS and CO17 (powers saturating at 1 over the upper half of the
range: interpolated with adaptive pieces before the control is tried, wave 7's "power over N").
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import data_script

from planner.groupseq import curve as C
from planner.groupseq import own as O
from planner.groupseq import procedure as P

ROOT = Path(__file__).resolve().parent.parent
DATA = json.loads((ROOT / "tests" / "data" / "groupseq_curve_adaptive.json").read_text())
POWER_TOL = 1e-4   # the contract; measured ≤ 4.7e-6 (ALK), power vs N ≤ 1.4e-6 (CO17)
#: 2-D grid recursions (own drift or tilted reference) per case, cold, the design's sizing included;
#: measured 60 (ALK), 46 (TPS), 18 (CHANCE), 52 (CHANCE, app range), 35 (IPASS), 51 (ALK over
#: prevalence), 41 (power vs N: PAOLA-1, IPASS, CO17); the curves alone before wave 7: 116, 174, 137,
#: 109, 230 (the direct path: 200, 200, 137, 200, 200); ALK over prevalence and power vs N before
#: wave 7's "power over N": 7 tilted references + 29 own, 7 + 24 (PAOLA-1, IPASS), 6 + 24 (CO17)
MAX_RECURSIONS = {"ALK, power vs B- effect": 70, "PD-L1 TPS, power vs B- effect": 55,
                  "CHANCE, power vs B- effect": 35, "CHANCE, power vs B- effect, app range": 65,
                  "IPASS, claims over prevalence": 45, "ALK, claims over prevalence": 60,
                  "PAOLA-1, power vs N": 50, "IPASS, power vs N": 50, "CO17, power vs N": 50}


def _maker():
    return data_script("make_groupseq_curve_adaptive.py")


@pytest.mark.filterwarnings("ignore::RuntimeWarning")   # CHANCE's rates beyond (0, 1): NaN points
@pytest.mark.parametrize("name", sorted(DATA["cases"]))
def test_adaptive_curve_within_contract_and_few_recursions(name):
    case = DATA["cases"][name]
    make = _maker()
    assert DATA["plan"] == make.PLAN.to_dict()
    for cache in (P._reference, O.KEPT):
        cache.cache_clear()
    misses = lambda: P._reference.cache_info().misses + O.KEPT.cache_info().misses  # noqa: E731
    m0 = misses()
    ours = make.curve(case["file"], case["kind"])
    used = misses() - m0
    for claim in make.CLAIMS:
        ref = np.asarray(case[claim], dtype=float)
        assert np.array_equal(np.isnan(ours[claim]), np.isnan(ref)), (name, claim)
        err = np.nanmax(np.abs(ours[claim] - ref))
        assert err <= POWER_TOL, (name, claim, err)
    assert used <= MAX_RECURSIONS[name], (name, used)


def test_split_pieces_reproduce_a_sharp_sigmoid_within_the_budget_only():
    """A sigmoid too sharp for 25 Chebyshev nodes on the whole curve: without a budget None (as
    before), with one the pieces split until each passes — within tol of the exact values and
    fewer nodes than points; a budget too small gives None."""
    x = np.linspace(-1.0, 1.0, 400)
    feats = np.column_stack([x, 0.5 * x ** 2])
    from scipy.special import ndtr  # noqa: PLC0415

    exact = {"p": ndtr(25 * (x - 0.3))[:, None]}
    seen = []
    ev = lambda g: (seen.append(g), {"p": exact["p"][g]})[1]  # noqa: E731
    assert C.interpolate_along(feats, ev, 1e-4) is None
    seen.clear()
    res = C.interpolate_along(feats, ev, 1e-4, budget=200)
    assert res is not None and np.abs(res["p"] - exact["p"]).max() <= 1e-4
    assert len(set(seen)) < 120
    assert C.interpolate_along(feats, ev, 1e-4, budget=30) is None


def test_a_curve_that_passes_whole_is_the_same_with_a_budget():
    """The budget changes nothing where the whole curve passes (the paths tried first keep their
    results): same nodes, same values, bit for bit — even a budget smaller than the curve's own
    nodes (it bounds the nodes after a split only: the along-curve way with a budget is tried
    first, wave 7's "power over N")."""
    from scipy.special import ndtr  # noqa: PLC0415

    x = np.linspace(-1.0, 1.0, 200)
    feats = np.column_stack([x, 0.3 * x ** 2])
    vals = {"p": ndtr(1.5 * x + 0.2)[:, None], "q": (0.4 + 0.1 * np.sin(x))[:, None]}
    runs = []
    for budget in (None, 50, 5):
        seen: list = []
        ev = lambda g, seen=seen: (seen.append(g), {k: v[g] for k, v in vals.items()})[1]  # noqa: E731
        runs.append((seen, C.interpolate_along(feats, ev, 1e-4, budget)))
    (seen_a, a), *others = runs
    assert a is not None and len(set(seen_a)) > 5
    for seen_b, b in others:
        assert seen_a == seen_b
        assert all(np.array_equal(a[k], b[k]) for k in vals)
