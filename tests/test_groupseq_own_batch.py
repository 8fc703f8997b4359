"""Recursions at their own drifts run many structures at once (planner/groupseq/own.py, wave 8):
each structure's numbers are those of its recursion alone (FFT round-off: transform lengths are
the batch's; measured ≤ 6e-16), structures that split differently are run in separate batches,
kept results are not recomputed, and the batched interval weights equal the reference rule.

Wave 9: an own recursion's grid has 2.5 points per increment SD (or the ridge's) and stencils of 10
nodes, its FFTs in single precision (:data:`planner.groupseq.own.NU`, ``ORDER``, ``SINGLE``): the
batching equivalences are checked in double precision (the transform lengths are the batch's, so in
single precision a batch and a recursion alone differ by the single-precision round-off); single
against double, and both against a fine grid, are checked below."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import fine_own_sums

from planner.groupseq import grid2d as G
from planner.groupseq import own as O
from planner.groupseq import stratified as S
from planner.groupseq.plan import InterimPlan

ALPHA = 0.025
THREE = InterimPlan((0.33, 0.67, 1.0), "obrien_fleming", None, (0.0, 0.0), False)


def _structures(plan: InterimPlan, stop_when: str = "both", method: str = "spiessens_debois"):
    """(laws, drifts (B, 2), rules) along a curve over the correlation (as over prevalence), at
    three sizes each: structures whose closed tests split alike."""
    laws, lams, rules = [], [], []
    for rho in np.linspace(0.35, 0.85, 6):
        joint = S.joint_from_fixed(0.2, 0.25, 1.0, 1.1, rho, rho * 0.95, plan.information_rates)
        bd = S.bounds_for(joint, plan, ALPHA, method, 0.5 if method == "fallback" else None)
        law = G.law_from_cov(joint.cov1)
        flat = np.stack([np.broadcast_to(np.full(plan.k_max, -math.inf) if getattr(bd, n) is None else getattr(bd, n),
                                         (plan.k_max,)) for n in S.NAMES])
        for n in (80.0, 300.0, 900.0):
            laws.append(law)
            lams.append(S._drift(law, joint.mean_per_sqrt_n[None] * math.sqrt(n))[0])
            rules.append(S._rule(flat, stop_when))
    return laws, np.array(lams), rules


@pytest.fixture
def double(monkeypatch):
    """The batching compared in double precision (its algebra, not the FFT's precision)."""
    monkeypatch.setattr(O, "SINGLE", False)


@pytest.mark.usefixtures("double")
@pytest.mark.parametrize("stop_when", ["both", "any"])
def test_a_batch_gives_each_structures_own_numbers(stop_when):
    laws, lams, rules = _structures(THREE, stop_when)
    grids = [G.make_grid(law, lam, 0.0) for law, lam in zip(laws, lams)]
    assert len(O._batches(laws, rules, grids)) >= 1
    for batch in O._batches(laws, rules, grids):
        together = O.sums_many([laws[i] for i in batch], lams[batch], [rules[i] for i in batch])
        for j, i in enumerate(batch):
            alone = O.sums_many([laws[i]], lams[i:i + 1], [rules[i]])[0]
            assert np.abs(together[j] - alone).max() <= 1e-13, i


@pytest.mark.usefixtures("double")
def test_structures_that_split_differently_are_run_apart_with_their_own_numbers():
    """One call with two plans' structures (different looks) and two stopping rules: grouped by
    state machine, each result the structure's own."""
    a = _structures(THREE, "both")
    b = _structures(THREE, "any")
    c = _structures(InterimPlan((0.5, 1.0), "pocock"), "both")
    laws, lams, rules = a[0] + b[0] + c[0], np.concatenate([a[1], b[1], c[1]]), a[2] + b[2] + c[2]
    groups = O._batches(laws, rules, [G.make_grid(law, lam, 0.0) for law, lam in zip(laws, lams)])
    assert len(groups) >= 3
    for batch in groups:
        assert len({(laws[i].k_max, rules[i].stop_when) for i in batch}) == 1
    O.KEPT.cache_clear()
    many = O.run_own_many(laws, lams, rules)
    for i in range(0, len(laws), 5):
        alone = O.sums_many([laws[i]], lams[i:i + 1], [rules[i]])[0]
        one = O.P.finish(alone[:, None, :])
        for name in one:
            assert np.abs(many[i][name] - one[name]).max() <= 1e-13, (i, name)


def test_kept_results_are_not_recomputed():
    laws, lams, rules = _structures(THREE)
    O.KEPT.cache_clear()
    first = O.run_own_many(laws, lams, rules)
    misses = O.KEPT.cache_info().misses
    assert misses == len(laws)
    again = O.run_own_many(laws[::-1], lams[::-1], rules[::-1])
    assert O.KEPT.cache_info().misses == misses and O.KEPT.cache_info().hits >= len(laws)
    for x, y in zip(first, again[::-1]):
        for name in x:
            assert np.array_equal(x[name], y[name])
    dup = O.run_own_many([laws[0], laws[0]], np.stack([lams[0], lams[0]]), [rules[0], rules[0]])
    assert O.KEPT.cache_info().misses == misses and np.array_equal(dup[0]["either"], dup[1]["either"])


CASES = [(THREE, "both", "spiessens_debois"), (THREE, "any", "fallback"), (InterimPlan((0.5, 1.0), "pocock"), "both", "bonferroni")]


@pytest.mark.parametrize("plan, stop_when, method", CASES, ids=["OF3-both-SD", "OF3-any-fallback", "P2-both-Bonferroni"])
def test_own_recursions_are_near_a_fine_grid_in_single_precision(plan, stop_when, method, monkeypatch):
    """The own recursion (2.5 points per SD, stencils of 10 nodes, single-precision FFTs) against the
    same recursion on a fine grid (7 points per SD, 5 across a ridge, the kernel cut at 7 SD, the grid
    8.5 SD wide, double precision) over correlations 0.35–0.85 and sizes 80–900: every category mass
    within 1e-5 (measured 3.3e-6–4.7e-6; wave 8's 3 points per SD and 6-node stencils: 2.3e-5–2.9e-5),
    and single within 5e-7 of double precision (measured 1.8e-7)."""
    laws, lams, rules = (x[::4] for x in _structures(plan, stop_when, method))   # 5 of the 18: correlations 0.35–0.85
    ours = np.array([O.sums_many([law], lam[None], [rule])[0] for law, lam, rule in zip(laws, lams, rules)])
    monkeypatch.setattr(O, "SINGLE", False)
    double = np.array([O.sums_many([law], lam[None], [rule])[0] for law, lam, rule in zip(laws, lams, rules)])
    assert np.abs(ours - double).max() <= 5e-7
    fine = np.array([fine_own_sums(monkeypatch, law, lam, rule) for law, lam, rule in zip(laws, lams, rules)])
    assert np.abs(ours - fine).max() <= 1e-5


def _cell_by_cell(x0: float, h: float, n: int, lo: float, hi: float, order: int = G.ORDER) -> np.ndarray:
    """The interval rule written cell by cell (the former ``grid2d._cell_weights``, the reference):
    weights w with Σ w_i f(x0 + i h) ≈ ∫_lo^hi f, each cell integrated by the antiderivative of
    the interpolant on its stencil of ``order`` nodes (shifted inward at the grid's ends)."""
    w = np.zeros(n)
    lo, hi = max(lo, x0), min(hi, x0 + (n - 1) * h)
    if hi <= lo:
        return w
    u_lo, u_hi = (lo - x0) / h, (hi - x0) / h
    for c in range(min(int(math.floor(u_lo)), n - 2), min(int(math.ceil(u_hi)), n - 1)):
        a, b = min(max(u_lo - c, 0.0), 1.0), min(max(u_hi - c, 0.0), 1.0)
        s = min(max(-(order // 2 - 1), -c), n - order - c)
        nodes = np.arange(s, s + order, dtype=float)
        for m in range(order):
            others = np.delete(nodes, m)
            anti = np.polynomial.polynomial.polyint(np.polynomial.polynomial.polyfromroots(others) / np.prod(nodes[m] - others))
            w[c + s + m] += h * (np.polynomial.polynomial.polyval(b, anti) - np.polynomial.polynomial.polyval(a, anti))
    return w


@pytest.mark.parametrize("order", [G.ORDER, O.ORDER])
def test_batched_interval_weights_equal_the_reference_rule(order):
    """:func:`.grid2d.edge_weights_many` (whole cells from the cumulated table, partial cells from
    their stencil) against the rule written cell by cell (:func:`_cell_by_cell`) on random grids
    and edges, edges on nodes and outside the grid included: within 1e-13 h (measured ~1e-14 h)."""
    rng = np.random.default_rng(1)
    grids, edges, refs = [], [], []
    for _ in range(400 if order == G.ORDER else 60):   # the reference is slow: fewer grids for the longer stencils
        n, h, x0 = int(rng.integers(10, 90)), float(rng.uniform(0.05, 0.5)), float(rng.uniform(-5, 0))
        g = G.Grid(np.array([[x0, x0]]), np.array([[n, n]]), np.array([h, h]), order)
        inner = rng.uniform(x0 - 1, x0 + (n + 1) * h, size=3).tolist()
        if rng.random() < 0.3:
            inner[0] = x0 + h * int(rng.integers(0, n))
        e = [-math.inf] + sorted(inner) + [math.inf]
        grids.append(g)
        edges.append(e)
        refs.append(np.stack([_cell_by_cell(x0, h, n, lo, hi, order) for lo, hi in zip(e[:-1], e[1:])]))
    many = G.edge_weights_many(grids, 0, 0, edges)
    for b, (g, ref) in enumerate(zip(grids, refs)):
        n = int(g.n[0, 0])
        assert np.abs(many[b, :, :n] - ref).max() <= 1e-13 * float(g.h[0]), b
        assert not many[b, :, n:].any()
        assert np.array_equal(g.edge_weights(0, 0, edges[b]), many[b, :, :n])
