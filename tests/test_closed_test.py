"""Closed-test power engine (planner.closed_test, planner.mvn_grid) for m = 2..4 one-sided z tests.

Independent numbers: numpy Monte Carlo of the same rule (tolerance 4 SE, SE = √(p(1−p)/n) with
n draws, p floored at 1/n), the exact bivariate code of planner.designs.stratified (m = 2), Dunnett's
(1955) one-sided table at df = ∞, scipy's Genz multivariate normal cdf, and the engine itself with
four times the quadrature nodes (convergence: the power error bound of 2e-4 is checked there).
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from scipy.special import ndtri
from scipy.stats import multivariate_normal

import planner.mvn_grid as grid
from planner.bvn import critical_value
from planner.closed_test import PROCEDURES, closed_test_power, closed_test_reject, parametric_levels
from planner.designs.stratified import StratifiedModel, critical_values

ALPHA = 0.025


def nested(prev):
    """H0 correlation of z tests in nested populations with these prevalences (F first, = 1)."""
    p = np.asarray(prev, float)
    return np.sqrt(np.minimum.outer(p, p) / np.maximum.outer(p, p))


def overlapping():
    """F, marker A+, marker B+, A+B+ from four cells (A+B+ .2, A+B− .25, A−B+ .15, A−B− .4)."""
    cells = np.array([0.2, 0.25, 0.15, 0.4])
    sets = [np.ones(4, bool), np.array([1, 1, 0, 0], bool), np.array([1, 0, 1, 0], bool), np.array([1, 0, 0, 0], bool)]
    prev = np.array([cells[s].sum() for s in sets])
    shared = np.array([[cells[s & t].sum() for t in sets] for s in sets])
    return shared / np.sqrt(np.outer(prev, prev))


def h1_cov(corr0, ratios):
    d = np.sqrt(np.asarray(ratios, float))
    return corr0 * np.outer(d, d)


STRUCTURES = {
    "nested3": (nested([1, 0.55, 0.3]), [2.2, 2.6, 1.9], [1.0, 0.95, 1.1]),
    "nested4": (nested([1, 0.6, 0.35, 0.15]), [2.4, 2.7, 2.2, 1.5], [1.0, 1.05, 0.9, 1.1]),
    "overlap3": (overlapping()[:3, :3], [2.0, 2.8, 1.2], [1.0, 0.9, 1.05]),
    "overlap4": (overlapping(), [1.8, 2.9, 1.0, 2.3], [1.0, 0.9, 1.05, 0.95]),
}
def _options(proc, m):
    if proc == "fixed_sequence":
        return {"order": {2: (1, 0), 3: (1, 0, 2), 4: (3, 2, 1, 0)}[m]}
    if proc == "simes":
        return {"weights": np.arange(1, m + 1, dtype=float)}  # unequal weights exercise renormalisation
    return {}


def _within(est, exact, n, k):
    se = np.sqrt(np.maximum(exact, 1 / n) * np.maximum(1 - exact, 1 / n) / n)
    assert np.all(np.abs(est - exact) <= k * se), (est, exact, k * se)


@pytest.mark.parametrize("name", sorted(STRUCTURES))
def test_power_against_monte_carlo(name):
    """Every procedure, m = 3 and 4, nested and overlapping: |MC − exact| ≤ 4 SE (n = 200 000 draws)."""
    corr0, mean, ratios = STRUCTURES[name]
    mean = np.asarray(mean)
    cov1 = h1_cov(corr0, ratios)
    m = len(mean)
    n = 200_000
    z = np.random.default_rng(20261201).multivariate_normal(mean, cov1, size=n)
    for proc in PROCEDURES:
        opts = _options(proc, m)
        exact = closed_test_power(mean, cov1, corr0, ALPHA, proc, **opts)
        rej = closed_test_reject(z, corr0, ALPHA, proc, **opts)
        _within(rej.mean(axis=0), exact["reject"], n, 4)
        _within(rej.any(axis=1).mean(), exact["at_least_one"], n, 4)
        _within(rej.all(axis=1).mean(), exact["all"], n, 4)


def _partial_nulls(m):
    """Every non-empty set of true hypotheses (the global null included)."""
    return [T for r in range(1, m + 1) for T in combinations(range(m), r)]


@pytest.mark.parametrize("name", ["nested4", "overlap4", "nested3"])
def test_fwer_global_and_partial_nulls(name):
    """P(reject a true hypothesis) ≤ α + 3 SE (n = 100 000, SE = √(α(1−α)/n) ≈ 4.9e-4) for every null set."""
    corr0 = STRUCTURES[name][0]
    m = corr0.shape[0]
    n = 100_000
    e = np.random.default_rng(7).multivariate_normal(np.zeros(m), corr0, size=n)
    se = np.sqrt(ALPHA * (1 - ALPHA) / n)
    for T in _partial_nulls(m):
        mean = np.full(m, 4.0)
        mean[list(T)] = 0.0
        for proc in PROCEDURES:
            opts = _options(proc, m)
            rej = closed_test_reject(e + mean, corr0, ALPHA, proc, **opts)
            fwer = rej[:, list(T)].any(axis=1).mean()
            assert fwer <= ALPHA + 3 * se, (T, proc, fwer)


@pytest.mark.parametrize("m", [2, 3, 4])
def test_global_null_exact_level(m):
    """Under the global null the engine's P(at least one) ≤ α; the parametric test exhausts α."""
    corr0 = STRUCTURES["nested4"][0][:m, :m]
    for proc in PROCEDURES:
        p = closed_test_power(np.zeros(m), corr0, corr0, ALPHA, proc, **_options(proc, m))["at_least_one"]
        assert p <= ALPHA + 1e-6
        if proc in ("parametric", "fixed_sequence"):
            assert p == pytest.approx(ALPHA, abs=2e-6)


def _stratified(mean, sd, rho1, rho0, method, split):
    cf, cs, c = critical_values(method, ALPHA, rho0, split)
    shape = np.shape(rho1)
    model = StratifiedModel(
        name="stratified", endpoint="continuous", alpha=ALPHA, sides=1, shape=shape, method="",
        screened_per_randomized=np.asarray(1.0), events_per_patient=None,
        drift_f=mean[..., 0], drift_s=mean[..., 1], sd_f=sd[..., 0], sd_s=sd[..., 1], rho1=rho1,
        crit_f=cf, crit_s=cs, crit=c, multiplicity=method, primary="either",
    )
    out = model.claims(1.0)
    return {k: np.asarray(out[k]).reshape(shape) for k in ("overall", "subgroup", "either", "both")}


CASES_M2 = [
    ("bonferroni", None, {"procedure": "bonferroni"}),
    ("bonferroni", 0.3, {"procedure": "bonferroni", "weights": (0.3, 0.7)}),
    ("spiessens_debois", None, {"procedure": "parametric"}),
    ("spiessens_debois", 0.3, {"procedure": "parametric", "weights": (0.3, 0.7), "parametric_rule": "spiessens_debois"}),
    ("fixed_sequence_overall_first", None, {"procedure": "fixed_sequence", "order": (0, 1)}),
    ("fixed_sequence_subgroup_first", None, {"procedure": "fixed_sequence", "order": (1, 0)}),
]


@pytest.mark.parametrize(("method", "split", "kw"), CASES_M2)
def test_two_hypotheses_agree_with_stratified(method, split, kw):
    """m = 2 equals planner.designs.stratified's bivariate formulas to 1e-4 over a grid of points."""
    rng = np.random.default_rng(3)
    npt = 40
    prev = rng.uniform(0.1, 0.9, npt)
    rho0 = np.sqrt(prev)
    sd = rng.uniform(0.85, 1.15, (npt, 2))
    rho1 = np.clip(rho0 + rng.uniform(-0.05, 0.05, npt), 0.05, 0.97)
    mean = rng.uniform(-0.5, 4.0, (npt, 2))
    ref = _stratified(mean, sd, rho1, rho0, method, split)
    corr0 = np.stack([np.stack([np.ones(npt), rho0], -1), np.stack([rho0, np.ones(npt)], -1)], -2)
    c1 = rho1 * sd[:, 0] * sd[:, 1]
    cov1 = np.stack([np.stack([sd[:, 0] ** 2, c1], -1), np.stack([c1, sd[:, 1] ** 2], -1)], -2)
    kw = dict(kw)
    proc = kw.pop("procedure")
    got = closed_test_power(mean, cov1, corr0, ALPHA, proc, **kw)
    np.testing.assert_allclose(got["reject"][:, 0], ref["overall"], atol=1e-4)
    np.testing.assert_allclose(got["reject"][:, 1], ref["subgroup"], atol=1e-4)
    np.testing.assert_allclose(got["at_least_one"], ref["either"], atol=1e-4)
    np.testing.assert_allclose(got["all"], ref["both"], atol=1e-4)


def test_deterministic_and_monotone_in_the_mean():
    corr0, mean, ratios = STRUCTURES["overlap3"]
    cov1 = h1_cov(corr0, ratios)
    t = np.linspace(0.0, 1.6, 17)[:, None]
    for proc in PROCEDURES:
        opts = _options(proc, 3)
        a = closed_test_power(t * np.asarray(mean), cov1, corr0, ALPHA, proc, **opts)
        b = closed_test_power(t * np.asarray(mean), cov1, corr0, ALPHA, proc, **opts)
        for k in a:
            assert np.array_equal(a[k], b[k])
        assert np.all(np.diff(a["reject"], axis=0) >= -1e-7)
        assert np.all(np.diff(a["at_least_one"]) >= -1e-7)
        assert np.all(np.diff(a["all"]) >= -1e-7)
    # one point of a curve equals the same point alone (vectorization does not change numbers)
    corr0, mean, ratios = STRUCTURES["nested4"]
    cov1 = h1_cov(corr0, ratios)
    t = t[::4]
    single = closed_test_power(t[2] * np.asarray(mean), cov1, corr0, ALPHA, "bonferroni")
    curve = closed_test_power(t * np.asarray(mean), cov1, corr0, ALPHA, "bonferroni")
    np.testing.assert_allclose(single["reject"], curve["reject"][2], rtol=0, atol=1e-15)
    assert np.all(np.diff(curve["reject"], axis=0) >= -1e-7)


@pytest.mark.parametrize(("m", "table"), [(2, 1.92), (3, 2.06), (4, 2.16)])
def test_parametric_critical_value_dunnett_table(m, table):
    """Dunnett (1955, JASA 50:1096) Table 1a, one-sided, df = ∞, ρ = 0.5, α = 0.05: 1.92, 2.06, 2.16."""
    corr = np.full((m, m), 0.5)
    np.fill_diagonal(corr, 1.0)
    levels = parametric_levels(corr, 0.05, np.full(m, 1.0 / m), tuple(range(m)))
    c = -ndtri(levels)
    assert np.ptp(c) < 1e-12
    assert abs(c[0] - table) < 0.005
    exact = 1 - multivariate_normal.cdf(np.full(m, c[0]), np.zeros(m), corr, abseps=1e-7, releps=0, rng=1)
    assert exact == pytest.approx(0.05, abs=2e-6)


def test_weighted_parametric_exhausts_alpha():
    """Xi et al. (2017) common factor c_J ≥ 1 with weights: P₀(union) = α, and c_J shrinks to 1 at ρ = 0."""
    corr = STRUCTURES["overlap4"][0]
    w = np.array([0.4, 0.3, 0.2, 0.1])
    for rule in ("xi", "spiessens_debois"):
        lev = parametric_levels(corr, ALPHA, w, (0, 1, 2, 3), rule)
        u = 1 - multivariate_normal.cdf(-ndtri(lev), np.zeros(4), corr, abseps=1e-7, releps=0, rng=1)
        assert u == pytest.approx(ALPHA, abs=5e-6)
        assert np.all(lev >= ALPHA * w - 1e-15)
    lev0 = parametric_levels(np.eye(3), ALPHA, w[:3], (0, 1, 2))
    assert 1 - np.prod(1 - lev0) == pytest.approx(ALPHA, abs=1e-6)  # independence: Šidák-type level; quadrature 1e-7


def test_orthant_against_scipy():
    """Quadrature orthant probabilities (m = 3, 4) against scipy's Genz algorithm (abseps 1e-7)."""
    rng = np.random.default_rng(11)
    for m, corr in ((3, STRUCTURES["nested3"][0]), (4, STRUCTURES["nested4"][0]), (4, STRUCTURES["overlap4"][0])):
        for _ in range(2):
            mean = rng.uniform(-1, 2, m)
            upper = rng.uniform(0.5, 3, m)
            ref = multivariate_normal.cdf(upper, mean, corr, abseps=1e-7, releps=0, rng=1)
            assert grid.orthant_cdf(mean, corr, upper) == pytest.approx(ref, abs=1e-6)


@pytest.mark.parametrize("factor", [2, pytest.param(4, marks=pytest.mark.slow)])
def test_quadrature_error_below_bound(factor):
    """Power with the default nodes vs 2× (slow: 4×) the nodes: max difference < 2e-5 (stated bound 2e-4)."""
    rng = np.random.default_rng(5)
    cases = [STRUCTURES[k] for k in ("nested4", "overlap4")] + [(nested([1, 0.5, 0.48, 0.2]), [2.5, 2.2, 2.2, 1.4], [1, 1, 1, 1])]
    for corr0, mean, ratios in cases:
        cov1 = h1_cov(corr0, ratios)
        means = np.asarray(mean) * rng.uniform(0.3, 1.5, (2 if factor == 2 else 6, 1))
        for proc in ("bonferroni", "simes", "parametric"):
            a = closed_test_power(means, cov1, corr0, ALPHA, proc)
            fine = grid.cell_probs.__defaults__
            try:
                grid.cell_probs.__defaults__ = (factor * grid.Q_OUTER, factor * grid.Q_INNER)
                b = closed_test_power(means, cov1, corr0, ALPHA, proc)
            finally:
                grid.cell_probs.__defaults__ = fine
            for k in a:
                assert np.max(np.abs(a[k] - b[k])) < 2e-5, (proc, k)


def test_rule_matches_holm_and_fixed_sequence_by_hand():
    z = np.array([[2.5, 2.3, 0.0, 2.0], [2.2, 0.0, 0.0, 0.0], [1.0, 3.0, 3.0, 3.0], [2.0, 2.0, 2.0, 2.0]])
    corr0 = np.eye(4)
    holm = closed_test_reject(z, corr0, ALPHA, "bonferroni")
    # Holm: ordered p-values against α/4, α/3, α/2, α
    c = critical_value(ALPHA / np.array([4, 3, 2, 1]))
    expect = []
    for row in z:
        order = np.argsort(-row)
        rej = np.zeros(4, bool)
        for step, i in enumerate(order):
            if row[i] > c[step]:
                rej[i] = True
            else:
                break
        expect.append(rej)
    np.testing.assert_array_equal(holm, np.array(expect))
    fs = closed_test_reject(z, corr0, ALPHA, "fixed_sequence", order=(1, 2, 3))
    np.testing.assert_array_equal(fs[:, 0], False)
    np.testing.assert_array_equal(fs[2], [False, True, True, True])
    np.testing.assert_array_equal(fs[0], [False, True, False, False])


def test_bad_input():
    corr = np.eye(3)
    with pytest.raises(ValueError, match="procedure"):
        closed_test_power(np.zeros(3), corr, corr, ALPHA, "hochberg")
    with pytest.raises(ValueError, match="weights"):
        closed_test_power(np.zeros(3), corr, corr, ALPHA, "bonferroni", weights=(1, -1, 1))
    with pytest.raises(ValueError, match="order"):
        closed_test_reject(np.zeros(3), corr, ALPHA, "fixed_sequence", order=(0, 0))


def test_bivariate_tables_agree_with_owens_t():
    """The Drezner–Wesolowsky tables of the exact pair (|ρ| < 0.925) equal planner.bvn (Owen's T) to 5e-8
    (mvn_grid._DW_BANDS; the quadrature's own error is ~1e-5)."""
    from planner.bvn import bvn_cdf

    rng = np.random.default_rng(2)
    n = 400
    x, y = rng.normal(0, 2.5, (n, 6)), rng.normal(0, 2.5, (n, 5))
    rho = rng.uniform(-0.999, 0.999, n)
    got = grid._split_table(x, y, rho)
    ref = bvn_cdf(x[:, :, None], y[:, None, :], rho[:, None, None])
    assert np.max(np.abs(got - ref)) < 5e-8


def test_a_point_gets_the_same_number_in_any_batch():
    """Per-point conditioning order and chunking: a point's power does not depend on its neighbours."""
    c_a = STRUCTURES["nested4"][0]
    c_b = nested([1, 0.5, 0.49, 0.2])  # nearly collinear pair: another conditioning order
    mean = np.array([[2.0, 2.4, 2.1, 1.5], [2.5, 2.2, 2.2, 1.4]])
    cov = np.stack([c_a, c_b])
    both = closed_test_power(mean, cov, cov, ALPHA, "parametric")
    for i in range(2):
        alone = closed_test_power(mean[i], cov[i], cov[i], ALPHA, "parametric")
        for k in alone:
            assert np.array_equal(alone[k], both[k][i])


def test_spiessens_debois_rule_needs_weights():
    """Without weights every parametric rule gives the common critical value (Spiessens–Debois without split)."""
    corr0, mean, ratios = STRUCTURES["nested3"]
    cov1 = h1_cov(corr0, ratios)
    a = closed_test_power(mean, cov1, corr0, ALPHA, "parametric")
    b = closed_test_power(mean, cov1, corr0, ALPHA, "parametric", parametric_rule="spiessens_debois")
    np.testing.assert_array_equal(a["reject"], b["reject"])
