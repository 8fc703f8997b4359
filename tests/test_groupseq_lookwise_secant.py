"""The stratified design's size under the look-wise law (heterogeneous strata: PAOLA-1 with interims).

* :func:`planner.piecewise.lookwise.solve_near` (secant on Φ⁻¹(power) against √N from a rough N)
  gives the root of the model's own power: checked against a direct ``brentq`` on that power to
  1e-9 relative in N (the secant stops after a step below 1e-7 √N; measured ≤ 4e-11, the power's
  own smoothness limit), in 4–6 evaluations of the power (was ~20).
* The one-point path of :func:`planner.groupseq.stratified._claims` (the comparison, a root
  search's step) is the recursion at the point's own drift in double precision, bit for bit
  (:func:`planner.groupseq.own.run_own`; wave 10), within 1e-5 of a fine grid and nearer to it
  than the grouped path's tilted lattice reference (:func:`planner.groupseq.stratified._grid_claims`).
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from conftest import fine_own_sums
from scipy.optimize import brentq

from planner.designs.build import build_model
from planner.designs.sequential import StratifiedSequentialModel
from planner.groupseq import own as O
from planner.groupseq import procedure as P
from planner.groupseq import stratified as S
from planner.params import params_from_scenario
from planner.scenario_io import scenario_from_dict

EXAMPLE = Path(__file__).resolve().parent.parent / "resources/scenarios/hrd_ovarian_paola1_interim.json"
THREE = {"information_rates": [0.33, 0.67, 1.0], "efficacy": "obrien_fleming",
         "futility": {"bounds": [0.0, 0.0], "binding": False}}


def _model(claim: str, three: bool):
    d = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    d["designs"]["stratified"] = {}
    if three:
        d["interim"] = THREE
    s = scenario_from_dict(d)
    m = build_model("stratified", params_from_scenario(s), replace(s.resolved_options("stratified"), size_for=claim))
    assert isinstance(m, StratifiedSequentialModel) and m.look_factors is not None   # the look-wise law
    return m


@pytest.mark.parametrize("three", [False, True], ids=["2 looks", "3 looks"])
@pytest.mark.parametrize("claim", ["overall", "subgroup", "either", "both"])
def test_secant_size_is_the_root_of_the_power(claim, three, monkeypatch):
    m = _model(claim, three)
    calls = []
    inner = StratifiedSequentialModel.claims
    monkeypatch.setattr(StratifiedSequentialModel, "claims", lambda self, *a, **k: calls.append(1) or inner(self, *a, **k))
    n = float(m.solve_size(0.9, 2.0).reshape(-1)[0])
    assert len(calls) <= 6
    power = lambda x: float(m.power(np.array([x]), np.array([0]))[0]) - 0.9  # noqa: E731
    ref = brentq(power, n * 0.99, n * 1.01, xtol=1e-13, rtol=1e-15)
    assert math.isclose(n, ref, rel_tol=1e-9, abs_tol=0.0)


@pytest.mark.parametrize("three", [False, True], ids=["2 looks", "3 looks"])
def test_one_point_path_is_its_own_recursion_near_a_fine_grid(three, monkeypatch):
    """One point's claims (every look, and the last look alone) at N = 60, 420 and 3000 are its own
    recursion in double precision bit for bit; against the same recursion on a fine grid (7 points
    per SD, 5 across a ridge, the kernel cut at 7 SD, the grid 8.5 SD wide) within 1e-5 (measured
    ≤ 2.2e-6), and nearer to it than the grouped path's lattice reference (measured ≤ 4.2e-6 there)."""
    m = _model("overall", three)
    joint, bd = m.joint(), m.bounds()
    k = len(m.plan.information_rates)
    cases = []
    for n in (60.0, 420.0, 3000.0):
        mean = joint.mean_per_sqrt_n * math.sqrt(n)
        shifted = m.lookwise_bounds(bd, mean)
        bounds = np.stack([np.broadcast_to(getattr(shifted, x), (1, k)) for x in S.NAMES], axis=1)
        law = S._law_of(np.asarray(joint.cov1, float).reshape(2 * k, 2 * k).tobytes(), 2 * k)
        lam, rule = S._drift(law, mean.reshape(1, -1)), S._rule(bounds[0], "both")
        own = O.run_own(law, lam, rule, single=False)
        for look, outputs in ((None, S.OUTPUTS), (k - 1, S.OUTPUTS[:4])):
            fast = S._claims(mean, joint.cov1, shifted, "both", outputs, look)
            want = (outputs, slice(None) if look is None else [look])
            grouped = S._grid_claims(mean.reshape(1, -1), joint.cov1.reshape(1, 2 * k, 2 * k), bounds, "both", want)
            for name in outputs:
                assert np.array_equal(fast[name].reshape(-1), own[name][..., want[1]].reshape(-1)), (n, look, name)
        cases.append((law, lam, rule, own, grouped))
    err_own, err_grouped = 0.0, 0.0
    for law, lam, rule, own, grouped in cases:
        fine = P.finish(fine_own_sums(monkeypatch, law, lam, rule)[:, None, :])
        err_own = max(err_own, max(np.abs(own[x] - fine[x]).max() for x in S.OUTPUTS))
        err_grouped = max(err_grouped, max(np.abs(grouped[x] - fine[x][..., -1:]).max() for x in S.OUTPUTS[:4]))
    assert err_own <= 1e-5
    assert err_own < err_grouped, (err_own, err_grouped)


def test_no_benefit_overall_is_infeasible_not_an_error():
    """IPASS (HR 0.48 in B+, 2.85 in B−) sized for the overall claim: no benefit in F, with looks
    as without (the bracketing search raised a ValueError on an empty set of points)."""
    from planner.compute import compute_design  # noqa: PLC0415

    d = json.loads((EXAMPLE.parent / "egfr_nsclc_ipass.json").read_text(encoding="utf-8"))
    d["designs"] = {"stratified": {"size_for": "overall"}}
    fixed = compute_design(scenario_from_dict(d), "stratified")
    d["interim"] = {"information_rates": [0.5, 1.0], "efficacy": "obrien_fleming"}
    looks = compute_design(scenario_from_dict(d), "stratified")
    assert not fixed.feasible and not looks.feasible and looks.message == fixed.message
