"""planner.solve.chandrupatla reproduces scipy.optimize.elementwise.find_root bit for bit.

The fixed designs' sizes are part of the version-1 baseline (tests/test_v1_baseline.py checks
them bit for bit); here the root finder alone is compared with scipy's on the designs of every
example scenario (whole curves of points) and on synthetic functions with the edge cases
(no sign change, a root at a bracket end, NaN values, the iteration limit).
"""

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


def _scipy(f, a, b, idx, maxiter=200, tol=TOL):
    return elementwise.find_root(f, (a, b), args=(idx,), tolerances=tol, maxiter=maxiter).x


def _same(x: np.ndarray, y: np.ndarray) -> bool:
    return bool(np.array_equal(x, y, equal_nan=True))


@pytest.mark.parametrize("path", sorted(SCEN.glob("*.json"))[:6], ids=lambda p: p.stem)
def test_fixed_design_sizes_bit_for_bit(path):
    s = load_scenario(path)
    par = params_from_scenario(s, prevalence=np.linspace(0.1, 0.9, 40))
    for name in ("all_comers", "targeted", "interaction"):
        try:
            model = build_model(name, par, s.resolved_options(name, None))
        except (KeyError, ValueError, AttributeError):
            continue
        f = lambda x, i, m=model: m.power(np.exp(x), i) - 0.8  # noqa: E731
        idx = np.arange(model.size)
        lo = np.full(idx.size, math.log(n_min(1.0)))
        hi = np.full(idx.size, math.log(N_MAX))
        assert _same(chandrupatla(f, lo, hi, idx), _scipy(f, lo, hi, idx))


def test_synthetic_edge_cases_bit_for_bit():
    c = np.r_[np.linspace(-3, 3, 41), 0.0, 1e-300, np.nan, 10.0, 2.0]
    idx = np.arange(c.size)
    f = lambda x, i: np.sinh(x - c[i]) + 0.3 * (x - c[i]) ** 3  # noqa: E731
    a, b = np.full(c.size, -5.0), np.full(c.size, 5.0)
    b[-1] = 2.0                                 # root at the bracket's end
    for maxiter in (200, 3, 1):
        assert _same(chandrupatla(f, a, b, idx, maxiter=maxiter), _scipy(f, a, b, idx, maxiter))
    g = lambda x, i: np.exp(x) - 1.0 - c[i] * x * x  # noqa: E731  (curved: interpolation steps)
    assert _same(chandrupatla(g, a + 5.5, b, idx), _scipy(g, a + 5.5, b, idx))
