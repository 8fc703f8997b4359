"""planner.solve.chandrupatla's path for one root (a fixed design's N: NumPy float64 scalars
instead of arrays of one element) gives scipy.optimize.elementwise.find_root's root bit for bit,
on the designs of every example scenario at its own values and on the synthetic edge cases of
tests/test_solve_chandrupatla.py taken one at a time."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import elementwise

from planner.designs.build import build_model
from planner.params import params_from_scenario
from planner.scenario_io import load_scenario
from planner.solve import N_MAX, chandrupatla, n_min

SCEN = Path(__file__).resolve().parent.parent / "resources" / "scenarios"
TOL = {"xatol": 1e-12, "xrtol": 1e-13, "fatol": 0.0, "frtol": 0.0}
DESIGNS = ("all_comers", "targeted", "stratified", "strategy", "interaction")


def _scipy(f, a, b, idx, maxiter=200):
    return elementwise.find_root(f, (a, b), args=(idx,), tolerances=TOL, maxiter=maxiter).x


def _same(x, y) -> bool:
    return bool(np.array_equal(np.asarray(x), np.asarray(y), equal_nan=True))


@pytest.mark.parametrize("path", sorted(SCEN.glob("*.json")), ids=lambda p: p.stem)
def test_one_design_size_bit_for_bit(path):
    s = load_scenario(path)
    if s.has_cells:
        pytest.skip("the cells form's models are not single tests")
    par = params_from_scenario(s)
    for name in DESIGNS:
        model = build_model(name, par, s.resolved_options(name, None).__class__())   # the fixed design
        for target in (0.8, 0.9, 0.999):
            f = lambda x, i, m=model, t=target: m.power(np.exp(x), i) - t  # noqa: E731
            lo, hi = np.array([math.log(n_min(par.allocation_ratio))]), np.array([math.log(N_MAX)])
            assert _same(chandrupatla(f, lo, hi, np.array([0])), _scipy(f, lo, hi, np.array([0]))), (name, target)


def test_edge_cases_one_at_a_time_bit_for_bit():
    c = np.r_[np.linspace(-3, 3, 13), 0.0, 1e-300, np.nan, 10.0, 2.0]
    f = lambda x, i: np.sinh(x - c[i]) + 0.3 * (x - c[i]) ** 3  # noqa: E731
    g = lambda x, i: np.exp(x) - 1.0 - c[i] * x * x  # noqa: E731  (curved: interpolation steps)
    for k in range(c.size):
        idx = np.array([k])
        a, b = np.array([-5.0]), np.array([2.0 if k == c.size - 1 else 5.0])   # the last: root at the bracket's end
        for maxiter in (200, 3, 1, 0):
            assert _same(chandrupatla(f, a, b, idx, maxiter=maxiter), _scipy(f, a, b, idx, maxiter)), (k, maxiter)
        assert _same(chandrupatla(g, a + 5.5, b, idx), _scipy(g, a + 5.5, b, idx)), k
