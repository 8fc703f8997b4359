"""Patient-level survival simulator (planner/piecewise/simulate.py).

* The vectorized stratified log-rank statistic equals statsmodels' ``survdiff`` (χ² = Z²) and a
  plain per-patient loop, to rounding.
* Seeding by blocks: identical results for any chunk size; progress and cancel work.
* Against the analytic answers (two subgroups, binomial membership). Tolerance from the number
  of simulations: 4 Monte Carlo SEs √(p(1 − p)/n) (n = 10,000 trials: 0.02 at p = 0.5) for
  the Lakatos-type power, which follows the risk sets; the average-hazard-ratio (Schoenfeld)
  power is a first-order approximation and gets 4 SEs + 0.015 for its bias (about +0.01 here).
  Size under H0 (HR = 1 in every piece): 4 SEs at α = 0.025.
"""

import numpy as np
import pytest
from statsmodels.duration.survfunc import survdiff

from planner.piecewise import (
    PiecewiseAccrual,
    PiecewiseSurvival,
    SurvivalSetting,
    events_power,
    logrank_moments,
    subgroup_cells,
)
from planner.piecewise.lakatos import lakatos_gs_power, lakatos_power
from planner.piecewise.simulate import PatientLevelDesign, simulate_patients, stratified_logrank

DELAYED = PiecewiseSurvival([0, 3], [0.08, 0.08], [1.0, 0.6])
NEGATIVE = PiecewiseSurvival([0, 6], [0.05, 0.04], [0.9, 0.9])
SETTING = SurvivalSetting(12, 0, 0.005, 1.0, PiecewiseAccrual([0, 4], [1, 2]))


def _loop_logrank(time, event, treated, stratum):
    u = v = 0.0
    for s in np.unique(stratum):
        m = stratum == s
        t, e, a = time[m], event[m], treated[m]
        for k in np.flatnonzero(e):
            risk = t >= t[k]
            y, yt = risk.sum(), (risk & a).sum()
            u += (not a[k]) - (y - yt) / y
            v += yt * (y - yt) / y**2
    return u, v


def test_vectorized_logrank_matches_statsmodels_and_a_loop():
    rng = np.random.default_rng(7)
    trials, n = 6, 120
    time = rng.exponential(10, (trials, n))
    event = rng.random((trials, n)) < 0.7
    treated = rng.random((trials, n)) < 0.5
    stratum = (rng.random((trials, n)) < 0.4).astype(np.int8)
    include = rng.random((trials, n)) < 0.9
    u, v = stratified_logrank(time, event, treated, stratum, 2, include)
    for r in range(trials):
        m = include[r]
        uu, vv = _loop_logrank(time[r, m], event[r, m], treated[r, m], stratum[r, m])
        assert u[r].sum() == pytest.approx(uu, rel=1e-12) and v[r].sum() == pytest.approx(vv, rel=1e-12)
        chi2, _ = survdiff(time[r, m], event[r, m].astype(float), treated[r, m].astype(int), strata=stratum[r, m])
        assert u[r].sum() ** 2 / v[r].sum() == pytest.approx(chi2, rel=1e-10)
        only = m & (stratum[r] == 1)
        chi2_s, _ = survdiff(time[r, only], event[r, only].astype(float), treated[r, only].astype(int))
        assert u[r, 1] ** 2 / v[r, 1] == pytest.approx(chi2_s, rel=1e-10)


def _design(positive=DELAYED, negative=NEGATIVE, events=(300,), **kw):
    return PatientLevelDesign.two_subgroups(positive, negative, 0.5, 600, SETTING, events, **kw)


def test_results_do_not_depend_on_the_chunk_size():
    a = simulate_patients(_design(), 1200, seed=3, chunk_size=500)
    b = simulate_patients(_design(), 1200, seed=3, chunk_size=5000)
    np.testing.assert_array_equal(a.z, b.z)
    np.testing.assert_array_equal(a.times, b.times)
    c = simulate_patients(_design(), 1200, seed=4)
    assert not np.array_equal(a.z, c.z)


def test_progress_and_cancel():
    calls = []
    res = simulate_patients(_design(), 1500, seed=1, chunk_size=500, progress=lambda d, t: calls.append((d, t)),
                            is_cancelled=lambda: len(calls) >= 2)
    assert calls == [(500, 1500), (1000, 1500)]
    assert res.incomplete and res.simulations == 1000
    with pytest.raises(RuntimeError):
        simulate_patients(_design(), 100, seed=1, is_cancelled=lambda: True)


def test_membership_is_binomial_and_events_match_the_model():
    res = simulate_patients(_design(), 4000, seed=11)
    total = res.events.sum(-1)
    assert np.all(total[:, 0] == 300)
    share = res.events[:, 0, 0] / 300.0
    cells = subgroup_cells(0.5, DELAYED, NEGATIVE)
    mom = logrank_moments(cells, SETTING, res.mean_times[0])
    expected = mom.cell_events[0].sum() / mom.events
    se = share.std() / np.sqrt(len(share))
    assert abs(share.mean() - expected) < 4 * se + 0.002
    assert share.std() > 0.02  # random membership: the B+ share of events varies between trials


def test_size_under_the_null():
    null_pos = PiecewiseSurvival([0, 3], [0.08, 0.06], [1.0, 1.0])
    null_neg = PiecewiseSurvival.exponential(0.05, 1.0)
    res = simulate_patients(_design(null_pos, null_neg), 20000, seed=5)
    se = np.sqrt(0.025 * 0.975 / res.simulations)
    assert abs(res.power - 0.025) <= 4 * se
    assert abs(res.z.mean()) < 4 / np.sqrt(res.simulations) and abs(res.z.std() - 1) < 0.03


@pytest.mark.parametrize("positive, negative", [
    (PiecewiseSurvival.exponential(0.08, 0.7), PiecewiseSurvival.exponential(0.05, 0.9)),  # PH
    (DELAYED, NEGATIVE),  # delayed effect in B+
], ids=["PH", "NPH"])
def test_fixed_design_against_analytic_power(positive, negative):
    res = simulate_patients(_design(positive, negative), 10000, seed=21)
    cells = subgroup_cells(0.5, positive, negative)
    lak, time = lakatos_power(cells, SETTING, 300, 600, 0.025)
    ahr = float(events_power(cells, SETTING, 300, 600, 0.025)[0])
    se = np.sqrt(lak * (1 - lak) / res.simulations)
    assert abs(res.power - lak) <= 4 * se
    assert abs(res.power - ahr) <= 4 * se + 0.015
    assert res.mean_times[0] == pytest.approx(time, abs=0.1)


def test_group_sequential_against_analytic_power():
    bounds = (2.79651, 1.97743)  # O'Brien-Fleming, 2 looks, one-sided 0.025 (rpact)
    design = _design(events=(150, 300), critical_values=bounds)
    res = simulate_patients(design, 10000, seed=8)
    power, times = lakatos_gs_power(subgroup_cells(0.5, DELAYED, NEGATIVE), SETTING, [150, 300], 600, bounds)
    se = np.sqrt(power * (1 - power) / res.simulations)
    assert abs(res.power - power) <= 4 * se
    np.testing.assert_allclose(res.mean_times, times, atol=0.15)
    assert res.reject_per_look.sum() == pytest.approx(res.power)
