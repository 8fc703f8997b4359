"""Interim looks with heterogeneous strata: each look's drift from the look-wise law
(planner.survival_nph.lookwise_factors, planner.piecewise.lookwise.linear_look_factors).

With constant but different hazard ratios or control hazards across B+/B− (or cells), an
imperfect assay (test-positive/test-negative strata are mixtures of B+ and B−) or a strategy arm
treating only test-positives, the share of each stratum in the events changes between looks, so
a look's drift is Σ_s c_s θ_s / √(Σ_s c_s²/(p(1 − p)·N·e_s(τ_k))) (Schoenfeld per stratum at the
look's expected calendar time τ_k; gsDesign2 gs_power_ahr; Yung & Liu 2020), not δ√t_k.

Tolerances: the patient-level simulator (planner.piecewise.simulate: patients accrue in calendar
time, binomial test result and true status, exponential events and dropout, looks at the D_k-th
event, log-rank statistics computed from the data, strata = the cells test result × true status,
which is what the analytic law (Schoenfeld per true-status cell) describes) against the analytic
per-look rejection probability p: 4 Monte Carlo SEs √(p(1 − p)/n), n = 3,000 trials (4 SEs ≈ 0.016
at p = 0.05, 0.029 at p = 0.2, 0.035 at p = 0.34), + 0.025 for the average-HR/Schoenfeld
approximation itself: in this example (B+ median 6 months and HR 0.5, B− median 18 and HR 1) the
analytic mean of Z is 2–3 % above the simulated one at every look — Lakatos's at-risk moments
(planner.piecewise.lakatos) are as high (all-comers interim E Z: 2.54 Lakatos, 2.56 look-wise, 2.50
simulated with 10,000 trials; a 2.5 % higher drift at the steep interim tail is +0.018 in
probability). So each test also checks the simulated mean of every statistic at every look: within
4 SEs + 3 % of the look-wise mean, and the √t plan's interim mean (15–25 % lower) outside that.
10,000 trials (seeds 101/102), simulated ± SE / look-wise / √t, interim rejection: all-comers
0.183 ± 0.004 / 0.199 / 0.140; strategy 0.102 ± 0.003 / 0.106 / 0.076; stratified (either)
0.319 ± 0.005 / 0.343 / 0.274; interaction 0.065 ± 0.003 / 0.054 / 0.056.
The example: prevalence 0.4, sensitivity 0.85, specificity 0.9, accrual 24, follow-up 12, 700
patients, looks at 40 % and 100 % of the events, O'Brien–Fleming.
"""

from __future__ import annotations

import copy
import json
import math

import numpy as np
import pytest
from conftest import ROOT, base_scenario

from planner.compute import compare_designs
from planner.designs.build import build_model
from planner.params import params_from_scenario
from planner.piecewise.checks import _closed_bounds_of, _field, assay_cells
from planner.piecewise.closed_patients import gs_summary
from planner.piecewise.model import PiecewiseSurvival
from planner.piecewise.simulate import PatientLevelDesign, simulate_patients
from planner.scenario_io import load_scenario, scenario_from_dict
from planner.scenario_piecewise import survival_setting

SIMS = 3000
PLAN = {"information_rates": [0.4, 1.0], "efficacy": "obrien_fleming"}
#: the √t law's per-look rejection of this example (before the look-wise law; planner at commit 449680b)
SQRT_T = {"all_comers": (0.1401, 0.8093), "stratified": (0.274, 0.7188), "strategy": (0.0764, 0.7848),
          "interaction": (0.0557, 0.7407)}


def _dict(n: int = 700, **designs) -> dict:
    d = base_scenario("survival", version=2, interim=copy.deepcopy(PLAN),
                      designs=designs or {"all_comers": {"n_randomized": n}})
    d["population"] = {"prevalence": 0.4, "assay_sensitivity": 0.85, "assay_specificity": 0.9}
    d["positive"] = {"control_median": 6.0, "hazard_ratio": 0.5}
    d["negative"] = {"control_median": 18.0, "hazard_ratio": 1.0}
    d["survival"].update({"accrual_time": 24, "follow_up_time": 12, "dropout_rate": 0.05, "dropout_time": 12})
    return d


def _result(d: dict, design: str):
    s = scenario_from_dict(d)
    return s, compare_designs(s, include_adaptive=False).designs[design]


def _tol(p: float, n: int = SIMS) -> float:
    return 4 * math.sqrt(max(p * (1 - p), 1e-4) / n) + 0.025


def _simulate(s, r, models, shares, strata, seed: int):
    looks = r.looks
    events = tuple(int(round(lk["events"])) for lk in looks)
    plan = PatientLevelDesign(tuple(models), tuple(shares), int(r.n_randomized), survival_setting(s.survival, 1.0),
                              events, alpha=0.025, cell_strata=strata)
    return simulate_patients(plan, SIMS, seed)


def _first_crossing(z: np.ndarray, crit) -> np.ndarray:
    """P(first crossing at look k) of statistics z (trials, K) against bounds ``crit`` (no futility)."""
    cross = z >= np.asarray(crit, dtype=float)
    first = np.where(cross.any(axis=1), np.argmax(cross, axis=1), z.shape[1])
    return np.array([np.mean(first == k) for k in range(z.shape[1])])


def test_homogeneous_exponential_strata_keep_the_sqrt_t_plan():
    """Same control median and HR in B+ and B− (any assay): no look factors, the plan's √t law."""
    d = _dict(all_comers={"n_randomized": 600}, targeted={"n_randomized": 600}, strategy={"n_randomized": 600},
              interaction={"n_randomized": 600}, stratified={"n_randomized": 600})
    d["negative"] = dict(d["positive"])
    s = scenario_from_dict(d)
    par = params_from_scenario(s)
    for name in ("all_comers", "targeted", "stratified", "interaction"):
        model = build_model(name, par, s.resolved_options(name, s.designs[name]))
        assert getattr(model, "look_factors", None) is None, name
    # the strategy arm leaves test-negatives untreated: strata with and without treatment
    model = build_model("strategy", par, s.resolved_options("strategy", s.designs["strategy"]))
    assert model.look_factors is not None


def test_look_factors_of_heterogeneous_strata_are_exact_at_the_last_look_and_vectorized():
    s = scenario_from_dict(_dict(stratified={"n_randomized": 700}))
    opts = s.resolved_options("stratified", s.designs["stratified"])
    g = np.array([0.2, 0.4, 0.6])
    many = build_model("stratified", params_from_scenario(s, prevalence=g), opts).look_factors   # (3, 2, K)
    assert many.shape == (3, 2, 2) and np.all(many[..., -1] == 1.0)
    for i, x in enumerate(g):   # the vectorized points are the scalar computations
        one = build_model("stratified", params_from_scenario(s, prevalence=float(x)), opts).look_factors
        assert np.allclose(one, many[i], rtol=1e-9, atol=1e-12)
    # B+ has the early events and the effect: the overall test's interim drift exceeds √t × the final one
    assert many[1, 0, 0] > 1.05


def _means(s, design: str, n: float) -> tuple[np.ndarray, np.ndarray]:
    """(look-wise, √t) E Z_k of the design's statistics (rows: one test; stratified F then S)."""
    model = build_model(design, params_from_scenario(s), s.resolved_options(design, s.designs[design]))
    t = np.sqrt(np.asarray(model.plan.information_rates))
    if design == "stratified":
        drift = np.array([float(np.ravel(model.base.drift_f)[0]), float(np.ravel(model.base.drift_s)[0])])
        f = np.reshape(model.look_factors, (2, -1))
    else:
        drift, f = np.array([float(np.ravel(model.base.stat.drift)[0])]), np.reshape(model.look_factors, (1, -1))
    plan = drift[:, None] * math.sqrt(n) * t
    return plan * f, plan


def _check_means(z_by_stat, s, design: str, n: float) -> None:
    """Simulated mean of each statistic at each look within 4 SEs + 3 % of the look-wise mean; the
    √t plan's interim mean is outside that where the two laws differ by more than twice that."""
    look, plan = _means(s, design, n)
    for j, z in enumerate(z_by_stat):
        mean, se = z.mean(axis=0), z.std(axis=0) / math.sqrt(z.shape[0])
        tol = 4 * se + 0.03 * np.abs(look[j])
        assert np.all(np.abs(mean - look[j]) < tol), (design, j, mean, look[j], plan[j])
        if abs(look[j, 0] - plan[j, 0]) > 2 * tol[0]:   # (S: 3.02 look-wise, 2.84 √t, 2.97 simulated)
            assert abs(mean[0] - plan[j, 0]) > tol[0], (design, j, mean, look[j], plan[j])


def _interaction_z(res, strata) -> np.ndarray:
    """(θ̂+ − θ̂−)/√(1/V+ + 1/V−), θ̂ = ΣU/ΣV over the cells of each test result."""
    pos, neg = (np.asarray(strata) == 0), (np.asarray(strata) == 1)
    u, v = res.u, res.v
    vp, vn = v[..., pos].sum(-1), v[..., neg].sum(-1)
    return (u[..., pos].sum(-1) / vp - u[..., neg].sum(-1) / vn) / np.sqrt(1 / vp + 1 / vn)


@pytest.mark.parametrize("design", ["all_comers", "interaction", "strategy"])
def test_one_test_designs_per_look_against_patient_level(design):
    """Strategy: marker-based arm (test-positives treated) vs everyone on control — the
    test-negative cells' 'treatment' is the control (hazard ratio 1)."""
    s, r = _result(_dict(**{design: {"n_randomized": 700}}), design)
    assert "look-wise average hazard ratio" in r.method
    models, shares, strata = assay_cells(s)
    if design == "strategy":
        models = [m if st == 0 else PiecewiseSurvival(m.starts, m.control_hazards, (1.0,) * len(m.starts))
                  for m, st in zip(models, strata)]
    res = _simulate(s, r, models, shares, None, seed=31)   # strata: the cells (test result × true status)
    z = _interaction_z(res, strata) if design == "interaction" else res.z
    sim = _first_crossing(z, [lk["efficacy_z"] for lk in r.looks])
    for k, lk in enumerate(r.looks):
        assert abs(sim[k] - lk["reject_probability"]) < _tol(lk["reject_probability"]), (design, k, sim, r.looks)
    if design != "interaction":   # the interaction's interim drift barely moves here (0.0557 → 0.0544)
        _check_means([z], s, design, r.n_randomized)


def test_stratified_closed_test_per_look_against_patient_level():
    d = _dict(stratified={"n_randomized": 700, "multiplicity": "spiessens_debois", "size_for": "either"})
    s, r = _result(d, "stratified")
    assert "look-wise average hazard ratio" in r.method
    models, shares, strata = assay_cells(s)
    res = _simulate(s, r, models, shares, None, seed=33)
    test_positive = tuple(i for i, x in enumerate(strata) if x == 0)
    sim = gs_summary(res, test_positive, _closed_bounds_of(r, s.designs["stratified"]), "both")
    an = {"either_by_look": [lk["reject_probability"] for lk in r.looks],
          **{claim: float(_field(r, "power_" + claim)) for claim in ("overall", "subgroup", "either", "both")}}
    for k, (p, q) in enumerate(zip(sim["either_by_look"], an["either_by_look"])):
        assert abs(p - q) < _tol(q), (k, sim["either_by_look"], an["either_by_look"])
    for claim in ("overall", "subgroup", "either", "both"):
        assert abs(sim[claim] - an[claim]) < 4 * sim[claim + "_se"] + 0.025, claim
    _check_means([res.z, res.z_of(test_positive)], s, "stratified", r.n_randomized)


def test_keynote042_cells_all_comers_interim_is_lookwise():
    """KEYNOTE-042's cells (four PD-L1 cells with HRs 0.65–1.0): the all-comers design's planned
    interim rejection is now the look-wise one (0.235; the √t plan said 0.2525; simulated 0.234 ±
    0.007 with 4,000 trials, docs/piecewise-survival.md), and equals the independent integration of
    the same law (planner.piecewise.cells_gs.lookwise_single: Genz, its own information-based
    correlations) to 1e-3."""
    from planner.piecewise.cells_gs import lookwise_single
    from planner.piecewise.checks import cells_design_setup

    d = json.loads((ROOT / "resources" / "scenarios" / "pdl1_nsclc_keynote042_cutoffs.json").read_text(encoding="utf-8"))
    d["interim"] = dict(PLAN, information_rates=[0.5, 1.0])
    d["designs"] = {"all_comers": {}}
    s, r = _result(d, "all_comers")
    assert abs(r.looks[0]["reject_probability"] - 0.235) < 2e-3
    opts, st, models, prev, alpha, setting, members, shares = cells_design_setup(s, "all_comers")
    cells = [(w, models[i], 1.0, 0.0) for i, w in zip(members, shares)]
    events = [lk["information_rate"] * r.events_exact for lk in r.looks]
    look = lookwise_single(cells, setting, events, float(r.n_randomized), r)
    for k, lk in enumerate(r.looks):
        assert abs(look["reject_by_look"][k] - lk["reject_probability"]) < 1e-3


def test_k_population_stratified_with_piecewise_cells_per_look_against_patient_level():
    """Two overlapping markers (F, A+, B+; parametric closed GS test), every cell with a delayed
    effect (HR 1 for 4 months, then 0.6/0.7/0.8/1), sized for 80 % power of at least one claim: the
    K-population engine's law from each cell's events and average HR at each look
    (planner.survival_nph.cells_joint). The proportional-information law it replaces put P(at least
    one claim at the interim) at 0.155; simulated 0.0445 ± 0.0046, look-wise 0.049. Tolerance: 4 SEs (n = 2,000) + 3 × the engine's QMC SE + 0.01 (the average-HR
    approximation under a delayed effect, as tests/test_piecewise_cells.py)."""
    from test_piecewise_cells_gs import NAMES, _markers

    from planner.patient_level import check_scenario
    from planner.scenario_io import scenario_to_dict

    d = scenario_to_dict(_markers("parametric"))
    d["cells"] = {c: {"piecewise": {"starts": [0, 4], "control_hazards": [0.058, 0.058], "hazard_ratios": [1.0, h]}}
                  for c, h in zip(NAMES, (0.6, 0.7, 0.8, 1.0))}
    (c,) = check_scenario(scenario_from_dict(d), 2000, seed=25)
    sim, an = c.claims["simulated"], c.claims["analytic"]
    for j in range(3):
        assert abs(sim["reject"][j] - an["reject"][j]) < 4 * sim["reject_se"][j] + 3 * an["reject_qmc_se"][j] + 0.01
    for k in range(2):
        p, q = sim["at_least_one_by_look"][k], an["at_least_one_by_look"][k]
        assert abs(p - q) < 4 * math.sqrt(max(q * (1 - q), 1e-4) / 2000) + 0.01, (k, p, q)
    assert abs(sim["at_least_one_by_look"][0] - 0.155) > 4 * math.sqrt(0.155 * 0.845 / 2000)


def test_stratified_with_looks_under_the_lookwise_law_is_sized_near_the_plan_and_computed_off_the_gui_thread():
    """The stratified closed test under the look-wise law is sized by a root search around the √t
    plan's N (planner.piecewise.lookwise.solve_near): the power at the size is the target; the app
    computes such a scenario on its worker (planner.compute.expensive); homogeneous strata do not."""
    from planner.compute import expensive

    d = _dict(stratified={"multiplicity": "spiessens_debois", "size_for": "either"})
    s, r = _result(d, "stratified")
    model = build_model("stratified", params_from_scenario(s), s.resolved_options("stratified", s.designs["stratified"]))
    n = r.events_exact / r.details["events_per_patient"]
    assert abs(float(np.ravel(model.power(np.array([n]), np.array([0])))[0]) - 0.8) < 1e-6
    assert expensive(s)
    d["negative"] = dict(d["positive"])
    from planner.survival_nph import lookwise_factors

    homogeneous = scenario_from_dict(d)
    opts = homogeneous.resolved_options("stratified", homogeneous.designs["stratified"])
    assert lookwise_factors(params_from_scenario(homogeneous), "stratified", opts.interim.information_rates,
                            opts) is None   # the √t plan: no look-wise law (the worker for its curves still)


def test_an_unattainable_target_under_the_lookwise_law_is_no_size_not_a_tiny_one():
    """PAOLA-1 with its two looks at prevalence 0.16 and a B− hazard ratio of 1.13: the overall
    stratified log-rank mean is slightly beneficial at the final look but harmful at the interim
    (look factor −4.1), so with the futility bound z = 0 followed the power never reaches 90 %.
    The look-wise root search used to stop at its floor and give N ≈ 1e-6 (the design map then
    showed the all-comers design as cheapest there); it is now no size (NaN: none attainable)."""
    from planner.curves import _opts, design_map, grid_params
    from planner.figures import map_prevalence_grid, negative_effect_range
    from planner.solve import solve_n

    s = load_scenario(ROOT / "resources" / "scenarios" / "hrd_ovarian_paola1_interim.json")
    par = grid_params(s, np.array([[0.1625]]), np.array([[1.131370849898476]]))
    m = build_model("all_comers", par, _opts(s, "all_comers"))
    assert float(np.ravel(m.look_factors)[0]) < 0
    assert np.isnan(np.ravel(solve_n(m, 0.9, 1.0))[0])
    prev, effects = map_prevalence_grid(17), negative_effect_range(s, 17)
    dm = design_map(s, prev, effects, designs=("all_comers", "targeted"))
    n = dm.values["all_comers"]
    assert np.nanmin(n) > 90   # every attainable size is a real one (was 1.2e-7 at two points)
    assert (dm.best != 0).all()   # the targeted design (or none) everywhere on this map
