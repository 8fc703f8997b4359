"""Interim analyses under non-proportional hazards: each look's drift from the look-wise average
hazard ratio (planner.piecewise.lookwise.look_factors; planner.designs.sequential).

Tolerances: a simulated proportion p from n trials has Monte Carlo SE √(p(1 − p)/n); a mean has
the simulator's own SE. n = 2,000 trials: 4 SEs ≈ 0.009 at p = 0.05, 0.012 at p = 0.08, 0.022 at
p = 0.6. The patient-level simulator (planner.piecewise.simulate, planner.piecewise.checks)
computes the log-rank statistics from simulated patients, independently of the analytic law.

* The look-wise recursion (planner.groupseq.boundaries._Walk with look means) at means δ√t_k is
  the plan's crossing to 1e-12; under proportional hazards every look factor is 1 (1e-9).
* Proportional hazards (exponential or piecewise with constant hazard ratios) keep the √t path:
  no look factors; a two-piece file with one hazard and one hazard ratio gives the exponential
  file's interim numbers (1e-9; look times by exact integration vs the closed form, 1e-6).
* Delayed effect (HR 1 for 4 months), two looks, O'Brien–Fleming, non-binding futility at z = 0
  followed: all-comers (one population) and the stratified closed test agree with the
  patient-level simulator per look (rejection, stopping), in power and in expected events and
  patients within 4 SEs; the interim rejection of the old √t law is outside (it was about
  twice the simulated one).
* Sizing under the look-wise law reaches the target power at the maximum size.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from conftest import ROOT, base_scenario

from planner.compute import compare_designs
from planner.designs.build import build_model
from planner.groupseq.boundaries import boundaries, crossing
from planner.groupseq.plan import InterimPlan
from planner.params import params_from_scenario
from planner.patient_level import check_design, subgroup_model
from planner.piecewise.checks import check_stratified
from planner.piecewise.logrank import single_population
from planner.piecewise.lookwise import crossing_at_means, look_factors
from planner.piecewise.model import PiecewiseSurvival
from planner.scenario_io import scenario_from_dict
from planner.scenario_piecewise import survival_setting

SIMS = 2000
DELAY = {"starts": [0, 4], "control_hazards": [0.058, 0.058], "hazard_ratios": [1.0, 0.7]}
PLAN = {"information_rates": [0.5, 1.0], "efficacy": "obrien_fleming", "futility": {"bounds": [0.0], "binding": False}}


def _scenario(design: str, positive: dict, negative: dict, n: int | None = 600):
    d = base_scenario("survival", version=2, interim=copy.deepcopy(PLAN),
                      designs={design: {} if n is None else {"n_randomized": n}})
    d["positive"], d["negative"] = copy.deepcopy(positive), copy.deepcopy(negative)
    d["survival"]["dropout_rate"] = 0.05
    return scenario_from_dict(d)


def _model(s, design: str):
    return build_model(design, params_from_scenario(s), s.resolved_options(design, s.designs[design]))


def test_lookwise_recursion_at_sqrt_t_means_is_the_plans_crossing():
    plan = InterimPlan((0.3, 0.6, 1.0), "obrien_fleming", None, (0.0, 0.5), False)
    b = boundaries(plan, 0.025)
    d = np.array([0.0, 1.5, 2.8, 3.5])
    old = crossing(b, d)
    new = crossing_at_means(b, d[:, None] * np.sqrt(b.t))
    assert np.allclose(new.reject, old.reject, atol=1e-12) and np.allclose(new.futility, old.futility, atol=1e-12)


def test_look_factors_are_one_under_proportional_hazards_and_not_under_a_delay():
    setting = survival_setting(scenario_from_dict(base_scenario("survival", version=2)).survival, 1.0)
    ph = single_population(PiecewiseSurvival((0.0, 4.0), (0.07, 0.04), (0.7, 0.7)))
    assert np.allclose(look_factors(ph, [ph], setting, (0.3, 0.6, 1.0)), 1.0, atol=1e-9)
    delayed = single_population(PiecewiseSurvival((0.0, 4.0), (0.058, 0.058), (1.0, 0.7)))
    f = look_factors(delayed, [delayed], setting, (0.5, 1.0))[0]
    assert f[-1] == 1.0 and 0.3 < f[0] < 0.9   # the interim's average HR is closer to 1


def test_proportional_hazards_keep_the_sqrt_t_path():
    expo = {"control_median": math.log(2) / 0.058, "hazard_ratio": 0.7}
    two_piece = {"piecewise": {"starts": [0, 4], "control_hazards": [0.058, 0.058], "hazard_ratios": [0.7, 0.7]}}
    for design in ("all_comers", "stratified"):
        a, b = (_scenario(design, g, g, n=None) for g in (expo, two_piece))
        assert _model(a, design).look_factors is None and _model(b, design).look_factors is None
        ra, rb = (compare_designs(s, include_adaptive=False).designs[design] for s in (a, b))
        assert abs(ra.events_exact - rb.events_exact) < 1e-6 * ra.events_exact
        assert abs(ra.expected_events_h1 - rb.expected_events_h1) < 1e-6 * ra.events_exact
        for la, lb in zip(ra.looks, rb.looks):
            for key in ("reject_probability", "stop_probability", "efficacy_z"):
                assert abs(la[key] - lb[key]) < 1e-6, (design, key)
            assert abs(la["time"] - lb["time"]) < 1e-6 and abs(la["n_randomized"] - lb["n_randomized"]) < 1e-4


def _close(sim: float, an: float, n: int, extra: float = 0.0) -> bool:
    return abs(sim - an) < 4 * math.sqrt(max(an * (1 - an), 1e-4) / n) + extra


def test_one_population_delayed_effect_per_look_against_patient_level():
    s = _scenario("all_comers", {"piecewise": DELAY}, {"piecewise": DELAY})
    r = compare_designs(s, include_adaptive=False).designs["all_comers"]
    assert "look-wise average hazard ratio" in r.method
    c = check_design(s, "all_comers", r.n_randomized, r.events, SIMS, 7, looks=r.looks, analytic_power=r.power)
    assert abs(c.simulated_power - c.analytic_power) < 4 * c.simulated_se
    # per look: rejection at the interim (the √t law said 0.107 here; simulated ≈ 0.045)
    from planner.piecewise.simulate import PatientLevelDesign, simulate_patients  # noqa: PLC0415

    m = subgroup_model(s.positive)
    ev = tuple(int(round(lk["events"])) for lk in r.looks)
    plan = PatientLevelDesign.two_subgroups(m, m, 0.5, int(r.n_randomized), survival_setting(s.survival, 1.0), ev,
                                            alpha=0.025, critical_values=tuple(lk["efficacy_z"] for lk in r.looks),
                                            futility_bounds=(0.0,))
    res = simulate_patients(plan, SIMS, 11)
    for k, lk in enumerate(r.looks):
        assert _close(res.reject_per_look[k], lk["reject_probability"], SIMS), (k, res.reject_per_look, lk)
    assert not _close(res.reject_per_look[0], 0.107, SIMS)
    # events at the stop are ev[0] or ev[1]: SE (ev[1] − ev[0])·√(q(1 − q)/n), q = P(stop at the interim)
    q = (ev[1] - res.expected_events) / (ev[1] - ev[0])
    se = (ev[1] - ev[0]) * math.sqrt(q * (1 - q) / SIMS)
    assert abs(res.expected_events - r.expected_events_h1) < 4 * se + 1.0   # + 1: analytic at unrounded events


def test_stratified_delayed_effect_per_look_against_patient_level():
    hr = lambda h: {"piecewise": {**DELAY, "hazard_ratios": [1.0, h]}}  # noqa: E731
    d = base_scenario("survival", version=2, interim=copy.deepcopy(PLAN),
                      designs={"stratified": {"multiplicity": "spiessens_debois", "size_for": "either", "n_randomized": 700}})
    d["positive"], d["negative"] = hr(0.65), hr(0.85)
    d["survival"]["dropout_rate"] = 0.05
    s = scenario_from_dict(d)
    r = compare_designs(s, include_adaptive=False).designs["stratified"]
    c = check_stratified(s, r, SIMS, seed=5)
    sim, an = c.claims["simulated"], c.claims["analytic"]
    for key in ("either_by_look", "stop_by_look"):
        for k, (p, q) in enumerate(zip(sim[key], an[key])):
            assert _close(p, q, SIMS), (key, k, sim[key], an[key])
    for claim in ("overall", "subgroup", "either", "both"):
        assert abs(sim[claim] - an[claim]) < 4 * sim[claim + "_se"], claim
    assert abs(sim["expected_events"] - an["expected_events"]) < 4 * sim["expected_events_se"] + 1.0
    assert abs(sim["expected_patients"] - an["expected_patients"]) < 4 * sim["expected_patients_se"] + 1.0
    # the √t law (plcells): interim claim 0.088, stop 0.057, expected events 451.3
    assert not _close(sim["either_by_look"][0], 0.088, SIMS) and not _close(sim["stop_by_look"][0], 0.057, SIMS)


@pytest.mark.parametrize("design", ["all_comers", "targeted", "stratified"])
def test_size_reaches_the_target_under_the_lookwise_law(design):
    s = _scenario(design, {"piecewise": DELAY}, {"piecewise": {**DELAY, "hazard_ratios": [1.0, 0.9]}}, n=None)
    r = compare_designs(s, include_adaptive=False).designs[design]
    model = _model(s, design)
    assert model.look_factors is not None
    n = r.events_exact / r.details["events_per_patient"]
    assert abs(float(np.ravel(model.power(np.array([n]), np.array([0])))[0]) - 0.8) < 1e-4
    assert "look-wise average hazard ratio" in r.method


def test_a_time_varying_hazard_ratio_with_looks_is_computed_off_the_gui_thread():
    """planner.compute.expensive: the app moves such a scenario (each curve point's look-wise law)
    to its worker; without looks, or for every shipped example, the comparison stays synchronous."""
    import json

    from planner.compute import expensive
    from planner.scenario_io import load_scenario, scenario_from_dict

    path = ROOT / "resources" / "scenarios" / "pdl1_io_delayed_effect.json"
    d = json.loads(path.read_text(encoding="utf-8"))
    assert not expensive(scenario_from_dict(d))
    d["interim"] = {"information_rates": [0.5, 1.0], "efficacy": "obrien_fleming"}
    assert expensive(scenario_from_dict(d))
    for example in sorted((ROOT / "resources" / "scenarios").glob("*.json")):
        assert not expensive(load_scenario(example)), example.name
