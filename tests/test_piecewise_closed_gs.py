"""The stratified design's closed (group-sequential) test simulated patient by patient.

Tolerances come from the number of trials n: a simulated proportion p has Monte Carlo SE
√(p(1 − p)/n) (n = 2,000: 4 SEs ≈ 0.036 at p = 0.5, 0.024 at 0.9); a mean has SE sd/√n.

* The per-trial state machine (planner.piecewise.closed_patients, reusing
  planner.groupseq.procedure._step) on multivariate normal draws of the analytic joint law gives
  the analytic 2-D recursion's claims and stopping probabilities for every multiplicity method,
  with and without futility (n = 100,000: 4 SEs ≤ 0.0063).
* Proportional hazards, two looks (O'Brien–Fleming, non-binding futility at z = 0 followed), every
  multiplicity method: the four claims, the primary claim's rejection and the stopping
  probability per look, expected events and patients agree with compute's analytic numbers
  (planner.groupseq.stratified) within 4 SEs.
* Delayed effect (HR 1 for 4 months in both subgroups): the four claims by the end agree within
  4 SEs. Per look compute uses each look's own average hazard ratio under non-proportional
  hazards (planner.designs.sequential look factors; the √t-scaled plan overstated the interim
  rejection about twofold, docs/piecewise-survival.md). Against that law integrated
  independently (planner.piecewise.lookwise; no futility, Genz integration) every look's claims
  agree within 4 SEs + 0.001 (the integration's error), with PH and with the delay, and
  compute's claims by look agree with it within 0.003 (compute keeps the plan's correlations).
* Global null (HR 1 in both subgroups): P(at least one claim) ≤ α + 3 SEs for every method.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import base_scenario

from planner.compute import compare_designs
from planner.groupseq.plan import InterimPlan
from planner.groupseq.stratified import (
    METHODS,
    ClosedBounds,
    bounds_for,
    claim_probabilities_genz,
    claims_by_look,
    joint_from_fixed,
)
from planner.patient_level import check_scenario
from planner.piecewise.checks import assay_cells, check_stratified
from planner.piecewise.closed_patients import CLAIMS, closed_gs_claims, fixed_bounds
from planner.piecewise.lookwise import lookwise_joint
from planner.scenario_io import scenario_from_dict
from planner.scenario_piecewise import survival_setting

SIMS = 2000


@pytest.mark.parametrize("futility", [None, (0.0,)])
def test_state_machine_matches_the_grid_recursion_on_normal_draws(futility):
    plan = InterimPlan((0.5, 1.0), "obrien_fleming", None, futility, False)
    joint = joint_from_fixed(0.12, 0.15, 1.0, 1.0, 0.6, 0.6, plan.information_rates)
    mean = joint.mean_per_sqrt_n * math.sqrt(400.0)
    z = np.random.default_rng(1).multivariate_normal(mean, joint.cov1, 100_000)
    for method in METHODS:
        bd = bounds_for(joint, plan, 0.025, method, None)
        exact = claims_by_look(mean, joint.cov1, bd, "both")
        sim = closed_gs_claims(z[:, 0::2], z[:, 1::2], bd)
        for claim in ("overall", "subgroup"):
            p = float(exact[claim][-1])
            assert abs(sim[claim][:, -1].mean() - p) < 4 * math.sqrt(p * (1 - p) / 1e5), (method, claim)
        stop0 = float(exact["stop"][0])
        assert abs(np.mean(sim["stop"] == 0) - stop0) < 4 * math.sqrt(stop0 * (1 - stop0) / 1e5) + 1e-4, method


def test_one_look_bounds_are_the_fixed_designs_closed_test():
    """Fixed design: H_F needs (Z_F ≥ c_F or Z_S ≥ c_S) and Z_F ≥ c (Spiessens–Debois/Holm)."""
    bd = fixed_bounds("bonferroni", 2.24, 2.24, 1.96)
    z_f = np.array([[2.0], [2.3], [2.0], [1.0]])
    z_s = np.array([[2.3], [1.0], [2.0], [3.0]])
    out = closed_gs_claims(z_f, z_s, bd)
    assert out["overall"][:, 0].tolist() == [True, True, False, False]
    assert out["subgroup"][:, 0].tolist() == [True, False, False, True]
    seq = closed_gs_claims(z_f, z_s, fixed_bounds("fixed_sequence_overall_first", 0, 0, 1.96))
    assert seq["subgroup"][:, 0].tolist() == [True, False, True, False]


def _scenario(method: str, delayed: bool = False, hr=(0.65, 0.85), futility: bool = True):
    interim = {"information_rates": [0.5, 1.0], "efficacy": "obrien_fleming"}
    if futility:
        interim["futility"] = {"bounds": [0.0], "binding": False}
    d = base_scenario("survival", version=2, interim=interim,
                      designs={"stratified": {"multiplicity": method, "size_for": "either", "n_randomized": 700}})
    for key, h in zip(("positive", "negative"), hr):
        d[key] = ({"piecewise": {"starts": [0, 4], "control_hazards": [0.058, 0.058], "hazard_ratios": [1.0, h]}}
                  if delayed else {"control_median": 12.0, "hazard_ratio": h})
    d["survival"]["dropout_rate"] = 0.05
    return scenario_from_dict(d)


def _check(method: str, sims: int = SIMS, **kw):
    s = _scenario(method, **kw)
    r = compare_designs(s, include_adaptive=False).designs["stratified"]
    return s, r, check_stratified(s, r, sims, seed=5)


@pytest.mark.parametrize("method", METHODS)
def test_proportional_hazards_claims_per_look_and_sizes_agree(method):
    _, _, c = _check(method)
    sim, an = c.claims["simulated"], c.claims["analytic"]
    assert c.looks == 2 and c.simulations == SIMS and c.claims["multiplicity"] == method
    for claim in CLAIMS:
        assert abs(sim[claim] - an[claim]) < 4 * sim[claim + "_se"], (claim, sim[claim], an[claim])
    for key in ("stop_by_look", "either_by_look"):
        for p_sim, p_an in zip(sim[key], an[key]):
            assert abs(p_sim - p_an) < 4 * math.sqrt(p_an * (1 - p_an) / SIMS), (key, sim[key], an[key])
    # the analytic expected sizes are at the unrounded maximum (look events t_k·D within 1)
    assert abs(sim["expected_events"] - an["expected_events"]) < 4 * sim["expected_events_se"] + 1.0
    assert abs(sim["expected_patients"] - an["expected_patients"]) < 4 * sim["expected_patients_se"] + 1.0


@pytest.mark.parametrize("method", ["spiessens_debois", "fixed_sequence_overall_first", "fallback"])
def test_delayed_effect_claims_agree(method):
    _, _, c = _check(method, delayed=True)
    sim, an = c.claims["simulated"], c.claims["analytic"]
    for claim in CLAIMS:
        assert abs(sim[claim] - an[claim]) < 4 * sim[claim + "_se"], (claim, sim[claim], an[claim])


@pytest.mark.parametrize("delayed", [False, True])
def test_every_look_agrees_with_the_lookwise_average_hazard_ratio_law(delayed):
    """No futility: the claims by each look against the multivariate normal with each look's own
    average hazard ratios and information (planner.piecewise.lookwise, Genz integration), n = 3,000.
    Under the delayed effect the interim claim is about half compute's (√t-scaled) one."""
    n = 3000
    s, r, c = _check("spiessens_debois", sims=n, delayed=delayed, futility=False)
    models, shares, strata = assay_cells(s)
    cells = [[(w, mdl, 1.0, 0.0) for w, mdl, st in zip(shares, models, strata) if st == k] for k in (0, 1)]
    mean, corr, _ = lookwise_joint(cells[0], cells[1], survival_setting(s.survival, 1.0),
                                   c.claims["look_events"], r.n_randomized)
    bounds = ClosedBounds(*(np.asarray(c.claims["bounds"][k], dtype=float) for k in
                            ("intersection_overall_z", "intersection_subgroup_z", "overall_z", "subgroup_z")))
    sim = c.claims["simulated"]
    for look in (1, 2):
        exact = claim_probabilities_genz(mean, corr, bounds, looks=look)
        for claim in CLAIMS:
            p, q = float(np.cumsum(sim[claim + "_by_look"])[look - 1]), float(exact[claim])
            assert abs(p - q) < 4 * math.sqrt(q * (1 - q) / n) + 1e-3, (look, claim, p, q)
        # compute's claims by look (the look-wise law, planner.designs.sequential) against the same
        # law integrated independently (Genz; its own information-based correlations)
        q = float(np.cumsum(c.claims["analytic"]["either_by_look"])[look - 1])
        assert abs(q - float(claim_probabilities_genz(mean, corr, bounds, looks=look)["either"])) < 0.003, (look, q)


def test_global_null_familywise_error():
    n = 4000
    s0 = _scenario("bonferroni", hr=(1.0, 1.0))
    worst = 0.0
    for method in METHODS:
        s = _scenario(method, hr=(1.0, 1.0))
        r = compare_designs(s, include_adaptive=False).designs["stratified"]
        c = check_stratified(s, r, n, seed=6)
        p = c.claims["simulated"]["either"]
        worst = max(worst, p)
        assert p <= 0.025 + 3 * math.sqrt(0.025 * 0.975 / n), (method, p)
    assert worst > 0.005 and s0.population.prevalence == 0.5


def test_check_scenario_runs_the_closed_test_and_is_seeded():
    s = _scenario("spiessens_debois")
    (a,) = check_scenario(s, 500, seed=3)
    (b,) = check_scenario(s, 500, seed=3)
    assert a == b and a.design == "stratified" and a.claims["primary"] == "either"
    assert a.claims["bounds"]["overall_futility_z"][0] == 0.0
