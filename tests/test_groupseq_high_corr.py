"""The grid recursion when Z_F and Z_S are highly correlated (prevalence near 1).

The joint density of the two scores is then a ridge √(1 − ρ²) SD wide across the diagonal; with
3 grid points per SD the claims were 1.4e-4 (ρ = 0.95), 3.7e-4 (0.97) and 3.9e-2 (0.99) off the
multivariate normal rectangles. The grid now puts at least :data:`planner.groupseq.grid2d.RIDGE_POINTS`
points across the ridge. Reference: Genz's quasi-Monte Carlo rectangles with
2^16 points (seeded; its error at these structures ≲ 2e-6), tolerance 2e-5 as in
tests/test_groupseq_stratified.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from planner.groupseq import grid2d as G
from planner.groupseq import stratified as S
from planner.groupseq.plan import InterimPlan

PLAN3 = InterimPlan((0.33, 0.67, 1.0), "obrien_fleming")


@pytest.mark.parametrize("rho", [0.95, 0.99])
def test_high_correlation_matches_genz(rho):
    joint = S.joint_from_fixed(0.16, 0.22, 1.0, 1.05, rho, rho, PLAN3.information_rates)
    bd = S.bounds_for(joint, PLAN3, 0.025, "bonferroni", None)
    mean = joint.mean_per_sqrt_n * np.sqrt(np.array([60.0, 180.0, 420.0]))[:, None]
    ours = S.claim_probabilities(mean, joint.cov1, bd)
    genz = S.claim_probabilities_genz(mean, joint.cov1, bd, points=2**16)
    for claim in genz:
        np.testing.assert_allclose(ours[claim], genz[claim], rtol=0, atol=2e-5, err_msg=claim)


def test_ridge_points():
    """The spacing: NU points per SD up to ρ = 0.8, then RIDGE_POINTS across the ridge."""
    for rho, nu in ((0.5, G.NU), (0.95, G.RIDGE_POINTS / np.sqrt(1 - 0.95**2))):
        law = G.law_from_cov(S.joint_from_fixed(0.1, 0.1, 1.0, 1.0, rho, rho, PLAN3.information_rates).cov1)
        inc_sd = np.sqrt(np.diagonal(law.inc, axis1=1, axis2=2)).min(axis=0)
        np.testing.assert_allclose(G.make_grid(law, np.zeros(2)).h, inc_sd / nu, rtol=1e-12)
