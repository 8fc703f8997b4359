"""The faster paths of the look-wise law give the direct computation's numbers (issue 11 speed).

* The recursion's step by the kept drift-free kernel (planner.groupseq.tilted.TiltedWalk, exponential
  tilting) against ``_Walk``'s direct kernel: measured ≤ 2.3e-16 in every crossing probability;
  tolerance 1e-13 (the tilt only reorders the rounding of the kernel's exponent).
* drift_for_power_at (memoised; secant from a Newton step, stopped at a step below 1e-11·δ)
  against a bracketing root search (brentq to 1e-14) on the same power: measured ≤ 3e-15 relative; tolerance
  1e-10 in δ.
* Survival look times for all looks at once (planner.survival_nph.design_look_times: closed form
  for exponential subgroups) against the per-look root search on the design's model
  (planner.sequential_results.look_times_by_model, brentq to 1e-9): measured ≤ 7.3e-10 months over
  the examples; tolerance 1e-6 months. Piecewise subgroups: the strategy design's look times reach
  its events with its test-negatives on control (the per-look search on the model cannot move the
  piecewise engine's accrual: it gave times proportional to the events), and its events at the
  planned analysis are the design's events per patient (1e-12).
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from conftest import ROOT
from scipy.optimize import brentq

from planner.designs.build import build_model
from planner.groupseq import tilted
from planner.groupseq.boundaries import boundaries
from planner.groupseq.plan import InterimPlan
from planner.params import params_from_scenario
from planner.piecewise.logrank import logrank_moments
from planner.piecewise.lookwise import (
    _DRIFTS,
    crossing_at_means,
    drift_for_power_at,
    power_at_factors,
)
from planner.scenario_io import load_scenario
from planner.sequential_results import look_times, look_times_by_model
from planner.survival_nph import _look_cells, _lookwise_setting, design_look_times, scaled_model

SCEN = ROOT / "resources" / "scenarios"
PLANS = [InterimPlan((0.33, 0.67, 1.0), "obrien_fleming", None, (0.0, 0.0), False),
         InterimPlan((0.25, 0.5, 0.75, 1.0), "pocock", None, None, False),
         InterimPlan((0.2, 0.5, 1.0), "hwang_shih_decani", -4.0, (-0.5, 0.3), True)]


@pytest.mark.parametrize("plan", PLANS, ids=["OF-futility", "Pocock-none", "HSD-binding"])
def test_tilted_recursion_is_the_direct_one(plan):
    b = boundaries(plan, 0.025)
    rng = np.random.default_rng(11)
    k = len(plan.information_rates)
    means = rng.uniform(0.0, 4.0, (40, 1)) * rng.uniform(0.6, 1.3, (40, k)) * np.sqrt(b.t)
    for rows in (means, means[:1], means[7:8]):
        fast, direct = crossing_at_means(b, rows), crossing_at_means(b, rows, direct=True)
        assert np.max(np.abs(fast.reject - direct.reject)) < 1e-13
        assert np.max(np.abs(fast.futility - direct.futility), initial=0.0) < 1e-13


def test_the_kept_kernel_is_used_where_the_bounds_cut_the_grid():
    tilted._KERNELS.clear()
    b = boundaries(PLANS[0], 0.025)
    crossing_at_means(b, np.array([[1.0, 1.9, 2.8]]))
    assert len(tilted._KERNELS) == 1      # one step (look 2 → 3), its grids cut by the bounds
    crossing_at_means(b, np.array([[1.1, 2.0, 2.9], [0.8, 1.6, 2.5]]))
    assert len(tilted._KERNELS) == 1      # other drifts: the same kernel


@pytest.mark.parametrize("plan", PLANS[:2] + [InterimPlan((0.5, 1.0), "obrien_fleming", None, (0.0,), False)],
                         ids=["OF3", "Pocock4", "OF2"])
def test_drift_for_power_at_is_the_root_of_the_power(plan):
    b = boundaries(plan, 0.025)
    k = len(plan.information_rates)
    rows = np.array([np.linspace(f, 1.0, k) for f in (0.6, 0.93, 0.9573, 1.0, 1.2)])
    _DRIFTS.clear()
    for power in (0.8, 0.9):
        got = drift_for_power_at(b, power, rows)
        for f, d in zip(rows, got):
            want = brentq(lambda x, f=f, p=power: power_at_factors(b, np.array([x]), f[None, :])[0] - p, 0.5, 8.0,
                          xtol=1e-14, rtol=1e-14)
            assert abs(d - want) < 1e-10
        again = drift_for_power_at(b, power, rows)   # memoised: the same numbers, a copy
        assert np.array_equal(again, got) and again is not got


def test_drift_for_power_at_is_nan_when_unattainable():
    b = boundaries(PLANS[0], 0.025)
    assert np.isnan(drift_for_power_at(b, 0.8, np.array([[-1.0, 0.5, 1.0]]))[0])


def _exponential_cases():
    for name in ("hrd_ovarian_paola1_interim.json", "egfr_nsclc_ipass.json", "pdl1_nsclc_keynote042_cutoffs.json"):
        s = load_scenario(SCEN / name)
        for d in s.fixed_designs():
            yield pytest.param(s, d, id=f"{name[:-5]}-{d}")


@pytest.mark.parametrize(("s", "design"), list(_exponential_cases()))
def test_look_times_at_once_are_the_per_look_search(s, design):
    par = params_from_scenario(s)
    opts = s.resolved_options(design, None)
    end = par.accrual_time + par.follow_up_time
    u = float(np.ravel(build_model(design, par, replace(opts, interim=None)).events_per_patient)[0])
    n = 480.0
    events = [r * n * u for r in (0.02, 0.33, 0.67, 0.999, 1.0)] + [1.01 * n * u]
    fast, slow = look_times(design, par, opts, n, events), look_times_by_model(design, par, opts, n, events)
    assert fast[-2] == end and math.isnan(fast[-1]) and math.isnan(slow[-1])
    assert max(abs(a - b) for a, b in zip(fast[:-1], slow[:-1])) < 1e-6


def test_piecewise_strategy_look_times_count_its_untreated_test_negatives():
    s = load_scenario(SCEN / "pdl1_io_delayed_effect.json")
    par = params_from_scenario(s)
    opts = replace(s.resolved_options("strategy", None), interim=None)
    u = float(np.ravel(build_model("strategy", par, opts).events_per_patient)[0])
    cells = [(w, scaled_model(*par.piecewise[g], float(np.ravel(par.subgroup(g)["hazard_ratio"])[0])), ta, tb)
             for w, g, ta, tb in _look_cells(par, "strategy", opts)]
    setting = _lookwise_setting(par)
    assert float(logrank_moments(cells, setting, np.array(setting.analysis_time)).events) == pytest.approx(u, rel=1e-12)
    n = 600.0
    targets = [r * n * u for r in (0.3, 0.6)]
    times = design_look_times(par, "strategy", opts, n, targets)
    reached = [n * float(logrank_moments(cells, setting, np.array(t)).events) for t in times]
    assert reached == pytest.approx(targets, rel=1e-9)
