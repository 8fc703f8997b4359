"""A first look that spends very little alpha: the stratified design's intersection bound there.

O'Brien–Fleming-type spending at t = 0.1 spends α(0.1) = 2 − 2Φ(Φ⁻¹(1 − α/2)/√0.1) ≈ 1.4e-12 at
α = 0.025 (:func:`planner.groupseq.boundaries.spending`, written as rpact's ``asOF``: that
difference of numbers near 1 is 7.6e-5 above 2Φ(−z/√t) here, as in rpact, and the bound below
solves for the spending function's own value). On the 2-D grid (7.5 SD wide, densities below FLOOR × max set to 0) a share of that
mass was lost beyond the grid's edge, and the first look's intersection bound came out 3.5e-3 low
in z (7.0844 instead of 7.0879). It is now solved from the bivariate normal itself
(:func:`planner.groupseq.procedure._first_look_crossing`, below
:data:`planner.groupseq.procedure.TINY_SPEND`).

Independent number: with equal weights the bound x solves
P₀(Z_F,1 ≥ x or Z_S,1 ≥ x) = Φ(−x) + ∫_x^∞ φ(u) Φ((x − ρu)/√(1 − ρ²)) du = α(0.1), the integral by
adaptive quadrature (scipy.integrate.quad, relative tolerance 1e-12) and x by brentq (xtol 1e-12);
the bound was 1.06e-5 off with Owen's-T form of the bivariate normal (cancellation) and 3.5e-3 on
the grid.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, optimize
from scipy.special import ndtr, ndtri

from planner.groupseq import stratified as S
from planner.groupseq.boundaries import spending
from planner.groupseq.plan import InterimPlan

PLAN = InterimPlan((0.1, 0.5, 1.0), "obrien_fleming")
ALPHA = 0.025


def _union(x: float, rho: float) -> float:
    s = math.sqrt(1 - rho * rho)
    tail, _ = integrate.quad(lambda u: math.exp(-0.5 * u * u) / math.sqrt(2 * math.pi) * ndtr((x - rho * u) / s),
                             x, x + 12.0, epsabs=0.0, epsrel=1e-12, limit=200)
    return float(ndtr(-x)) + tail


@pytest.mark.parametrize("rho0", [0.05, 0.5, 0.9])
def test_tiny_first_look_bound(rho0):
    spend = float(spending(PLAN.efficacy, ALPHA, np.array(PLAN.information_rates[:1]), PLAN.gamma)[0])
    assert 1e-12 < spend < 1e-11
    assert spend == pytest.approx(2 * float(ndtr(-ndtri(1 - ALPHA / 2) / math.sqrt(0.1))), rel=1e-4)
    x = optimize.brentq(lambda v: _union(v, rho0) - spend, 5.0, 9.0, xtol=1e-12)
    joint = S.joint_from_fixed(0.1, 0.1, 1.0, 1.0, rho0, rho0, PLAN.information_rates)
    bd = S.bounds_for(joint, PLAN, ALPHA, "spiessens_debois", None)
    assert float(np.ravel(bd.a)[0]) == pytest.approx(x, abs=1e-6)
    assert float(np.ravel(bd.b)[0]) == pytest.approx(x, abs=1e-6)
