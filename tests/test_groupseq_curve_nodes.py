"""Fewer nodes along the stratified design's curves (wave 8, docs/group-sequential.md, "Speed of the
curves", "Wave 8, fewer nodes"), validated on the four 200-point curves of every two-subgroup example
with the three-look plan (the curves of ``benchmarks/bench_speed.py --examples``) and its power over
the app's B− range:

* a piece whose interpolant on every second node disagrees with the one on all nodes is accepted when
  the interpolant on all nodes agrees with its own Chebyshev series without its last
  :data:`planner.groupseq.curve.TAIL_DROP` coefficients (the claims: within
  :data:`planner.groupseq.curve.TAIL_TOL`; N over prevalence: within
  :data:`planner.groupseq.lookwise_curve.N_TAIL_TOL` in log N) — not a piece of an adaptive split;
* a piece failing its last degree is split where half of its error estimate's sum over the points is
  reached (within [0.3, 0.7] of its chord length, :data:`planner.groupseq.curve.SPLIT_CLIP`), not at
  its midpoint, and its sides reuse a structure evaluated before within 0.45 of the gap between
  Chebyshev points (:data:`planner.groupseq.curve.SNAP`, was 0.25);
* N over prevalence: a node's first Newton step starts from the nodes solved before with their slope
  (:data:`planner.groupseq.lookwise_curve.HINTED_STEP_TOL`; a kink's short side from the other side's
  nodes).

Direct values: tests/data/groupseq_curve_nodes.json, made by tests/data/make_groupseq_curve_nodes.py
(the claims by the direct path — one recursion per structure and lattice cell, nothing interpolated —
and each prevalence's N alone, a one-point model). Checked here: every claim at all 200 points within
:data:`CLAIM_TOL` (the validation bound of the acceptance rules; the contract of
tests/test_groupseq_curve_contract.py is 1e-4), every unrounded N within the contract's 0.5 patients,
and the cold recursions of the five curves within :data:`MAX_RECURSIONS`.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from conftest import data_script

from planner.groupseq import own as O
from planner.groupseq import procedure as P

ROOT = Path(__file__).resolve().parent.parent
DATA = json.loads((ROOT / "tests" / "data" / "groupseq_curve_nodes.json").read_text())
#: claims, every point of every curve; measured ≤ 1.1e-5 (PD-L1 TPS over the app's B− range; 1.3e-5 before) (docs: "Wave 8, fewer nodes")
CLAIM_TOL = 2e-5
N_TOL = 0.5   # patients, every point (unrounded N): the contract; measured ≤ 0.025
#: cold 2-D grid recursions of the five curves (the design's own point not included: it is computed
#: first), measured after wave 8 + a margin of 10 % (measured 207 ALK, 104 CHANCE, 71 cystic fibrosis,
#: 135 IPASS, 119 HER2, 119 PAOLA-1, 124 PRIMA, 107 CO17, 108 panitumumab, 118 delayed effect, 130
#: KEYNOTE-042, 162 TPS; before: docs, "Wave 8, fewer nodes")
MAX_RECURSIONS = {"alk_nsclc_crizotinib.json": 228, "cyp2c19_chance.json": 115, "cystic_fibrosis_ivacaftor.json": 79,
                  "egfr_nsclc_ipass.json": 149, "her2_breast_trastuzumab.json": 131, "hrd_ovarian_paola1.json": 131,
                  "hrd_ovarian_paola1_interim.json": 131, "hrd_ovarian_prima.json": 137,
                  "kras_crc_cetuximab_co17.json": 118, "kras_crc_panitumumab.json": 119,
                  "pdl1_io_delayed_effect.json": 130, "pdl1_nsclc_keynote042.json": 143, "pdl1_tps_cutoffs.json": 179}


def _maker():
    return data_script("make_groupseq_curve_nodes.py")


@pytest.mark.parametrize("file", sorted(DATA["cases"]))
def test_four_curves_within_the_validation_bound(file):
    make = _maker()
    assert DATA["plan"] == make.PLAN.to_dict() and DATA["points"] == make.POINTS
    case = DATA["cases"][file]
    s = make.scenario(file)
    from planner.compute import compute_design  # noqa: PLC0415

    compute_design(s, "stratified", s.resolved_options("stratified", None))
    for cache in (P._reference, O.KEPT):
        cache.cache_clear()
    misses = lambda: P._reference.cache_info().misses + O.KEPT.cache_info().misses  # noqa: E731
    m0 = misses()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # binary examples' rates beyond (0, 1): NaN points
        ours = make.claim_curves(s)
        n = make.n_curve(s)
    used = misses() - m0
    for kind, claims in ours.items():
        for claim, v in claims.items():
            ref = np.array([np.nan if x is None else x for x in case[kind][claim]], dtype=float)
            assert np.array_equal(np.isnan(v), np.isnan(ref)), (file, kind, claim)
            err = np.nanmax(np.abs(v - ref))
            assert err <= CLAIM_TOL, (file, kind, claim, err)
    ref_n = np.array(case["N vs prevalence"], dtype=float)
    assert np.abs(n - ref_n).max() <= N_TOL, (file, np.abs(n - ref_n).max())
    assert used <= MAX_RECURSIONS.get(file, 10**9), (file, used)


def test_the_tail_accepts_a_fine_interpolant_only_when_its_coefficients_have_died_out():
    """Synthetic: a probability rising as exp(4x) is resolved by 13 Chebyshev nodes (error ~2e-9)
    while the interpolant on every second node is off by more than tol — accepted at 13 nodes by the
    tail, at 25 without it; a function whose coefficients decay slowly (1 / (1 + 25 x²)) is not
    accepted earlier by its tail."""
    from planner.groupseq import curve as C  # noqa: PLC0415

    x = np.linspace(-1.0, 1.0, 300)
    feats = np.column_stack([x, 0.2 * x ** 2])
    rise = lambda t: 0.1 + 0.3 * (np.exp(4 * t) - np.exp(-4)) / (np.exp(4) - np.exp(-4))  # noqa: E731
    for fn, nodes_with, nodes_without in ((rise, 13, 25),
                                          (lambda t: 1e-3 / (1 + 25 * t ** 2), None, None)):
        exact = {"p": fn(x)[:, None]}
        counts = []
        for tail in (C.TAIL_TOL, None):
            seen: set = set()
            ev = lambda g, seen=seen, exact=exact: (seen.add(g), {"p": exact["p"][g]})[1]  # noqa: E731
            res = C.nested(feats, ev, C._best_scale, 1e-4, tail=tail)
            counts.append(None if res is None else len(seen))
            if res is not None:
                assert np.abs(res["p"] - exact["p"]).max() <= 1e-5
        if nodes_with is not None:
            assert counts == [nodes_with, nodes_without]
        else:
            assert counts[0] == counts[1]   # the tail changes nothing


def test_a_split_lies_where_the_estimate_is():
    """A sigmoid whose transition lies in the curve's first fifth: the failed whole curve is split
    near the transition (where half of the estimate's sum is reached, clipped to 0.3 of the chord),
    with fewer nodes than at the midpoint; both within tol of the exact values."""
    from scipy.special import ndtr  # noqa: PLC0415

    from planner.groupseq import curve as C  # noqa: PLC0415

    x = np.linspace(-1.0, 1.0, 400)
    feats = np.column_stack([x, 0.5 * x ** 2])
    exact = {"p": ndtr(12 * (x + 0.7))[:, None]}
    used = []
    for clip in (C.SPLIT_CLIP, 0.5):
        seen: set = set()
        ev = lambda g, seen=seen: (seen.add(g), {"p": exact["p"][g]})[1]  # noqa: E731
        old, C.SPLIT_CLIP = C.SPLIT_CLIP, clip
        try:
            res = C.interpolate_along(feats, ev, 1e-4, budget=300)
        finally:
            C.SPLIT_CLIP = old
        assert res is not None and np.abs(res["p"] - exact["p"]).max() <= 1e-4
        used.append(len(seen))
    assert used[0] < used[1], used


def test_solve_smooth_first_tolerance_and_slopes():
    """:func:`planner.solve.solve_smooth` on an exactly probit-linear power (one z test): the first
    Newton step stops within ``first_tol`` (one evaluation), and ``slope_out`` gives the slope used
    there or the secant's, here the exact slope."""
    from scipy.special import ndtr, ndtri  # noqa: PLC0415

    from planner.solve import solve_smooth  # noqa: PLC0415

    class Model:
        size, shape = 3, (3,)
        calls = 0
        delta = np.array([0.08, 0.1, 0.12])

        def feasible(self):
            return np.ones(3, bool)

        def power(self, n, idx=slice(None)):
            Model.calls += 1
            return ndtr(self.delta[idx] * np.sqrt(n) - 1.96)

    zt = float(ndtri(0.9))
    root = (zt + 1.96) / Model.delta
    start = root * (1 + np.array([5e-4, 5e-3, 5e-2]))
    slope_out = np.empty(3)
    n = solve_smooth(Model(), 0.9, 1.0, start, Model.delta, step_tol=1e-4, first=True, first_tol=1e-3, slope_out=slope_out)
    assert np.allclose(n, root ** 2, rtol=1e-9)
    assert np.allclose(slope_out, Model.delta, rtol=1e-9)
    Model.calls = 0
    solve_smooth(Model(), 0.9, 1.0, root * (1 + 5e-4), Model.delta, step_tol=1e-4, first=True, first_tol=1e-3)
    assert Model.calls == 1   # every point's first step within first_tol: one evaluation
