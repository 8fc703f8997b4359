"""Monte Carlo checks of analytic powers with patient-level simulations.

Tolerance: a simulated rejection rate over R trials has standard error sqrt(p(1 − p)/R); we
accept |simulated − analytic| ≤ 4 SE (a false alarm for one comparison has probability 6e-5),
with sizes large enough that the normal (Schoenfeld) approximation error is well inside it.
"""

import numpy as np
import pytest
from conftest import base_scenario
from scipy.stats import norm

from planner.designs.build import build_model
from planner.params import params_from_scenario
from planner.scenario_io import scenario_from_dict
from planner.survival import dropout_hazard


def _tol(p: float, sims: int) -> float:
    return 4.0 * np.sqrt(max(p * (1 - p), 1e-4) / sims)


# --------------------------------------------------------------------------- stratified, binary
def _simulate_stratified_binary(s, n_total, sims, rng):
    """Patient-level binary trials: true status, assay, randomization within assay strata."""
    g = s.population.prevalence
    se, sp = s.population.assay_sensitivity, s.population.assay_specificity
    p = s.testing.allocation_ratio / (1 + s.testing.allocation_ratio)
    p_pos = g * se + (1 - g) * (1 - sp)
    shares = {"pos": g * se / p_pos, "neg": g * (1 - se) / (1 - p_pos)}  # B+ share per stratum
    sizes = {"pos": round(n_total * p_pos), "neg": n_total - round(n_total * p_pos)}
    pos, neg = s.positive, s.negative
    stats = {}
    for k in ("pos", "neg"):
        n_t = round(sizes[k] * p)
        n_c = sizes[k] - n_t
        counts = {}
        for arm, n_arm in (("t", n_t), ("c", n_c)):
            n_bpos = rng.binomial(n_arm, shares[k], sims)
            r_pos = pos.treatment_rate if arm == "t" else pos.control_rate
            r_neg = neg.treatment_rate if arm == "t" else neg.control_rate
            counts[arm] = rng.binomial(n_bpos, r_pos) + rng.binomial(n_arm - n_bpos, r_neg)
        pt, pc = counts["t"] / n_t, counts["c"] / n_c
        pbar = (counts["t"] + counts["c"]) / sizes[k]
        stats[k] = (sizes[k], pt - pc, pbar * (1 - pbar), n_t, n_c)
    n_s, d_s, v_s, nt_s, nc_s = stats["pos"]
    z_s = d_s / np.sqrt(v_s * (1 / nt_s + 1 / nc_s))
    # stratified overall: Σ n_k d_k / sqrt(Σ n_k² v_k (1/n_kt + 1/n_kc))
    num = sum(st[0] * st[1] for st in stats.values())
    den = np.sqrt(sum(st[0] ** 2 * st[2] * (1 / st[3] + 1 / st[4]) for st in stats.values()))
    return num / den, z_s


def _claims_from_z(z_f, z_s, m):
    cf, cs, c = (float(np.ravel(x)[0]) for x in (m.crit_f, m.crit_s, m.crit))
    if m.multiplicity in ("bonferroni", "spiessens_debois"):
        inter = (z_f > cf) | (z_s > cs)
        rf, rs = inter & (z_f > c), inter & (z_s > c)
    elif m.multiplicity == "fixed_sequence_overall_first":
        rf = z_f > c
        rs = rf & (z_s > c)
    elif m.multiplicity == "fixed_sequence_subgroup_first":
        rs = z_s > c
        rf = rs & (z_f > c)
    else:  # fallback
        rf = z_f > cf
        rs = (rf & (z_s > c)) | (~rf & (z_s > cs))
    return {"overall": rf.mean(), "subgroup": rs.mean(), "either": (rf | rs).mean(), "both": (rf & rs).mean()}


@pytest.mark.parametrize("multiplicity,split", [
    ("spiessens_debois", None), ("spiessens_debois", 0.7), ("bonferroni", 0.5),
    ("fixed_sequence_overall_first", None), ("fixed_sequence_subgroup_first", None), ("fallback", 0.6),
])
def test_stratified_claims_agree_with_patient_level_simulation(multiplicity, split):
    opts = {"multiplicity": multiplicity, "size_for": "either"}
    if split is not None:
        opts["alpha_split"] = split
    s = scenario_from_dict(base_scenario(
        "binary",
        population={"prevalence": 0.4, "assay_sensitivity": 0.9, "assay_specificity": 0.85},
        positive={"control_rate": 0.3, "treatment_rate": 0.42},
        negative={"control_rate": 0.3, "treatment_rate": 0.34},
        designs={"stratified": opts},
    ))
    n_total, sims = 1000, 20000
    rng = np.random.default_rng(20261125)
    z_f, z_s = _simulate_stratified_binary(s, n_total, sims, rng)
    m = build_model("stratified", params_from_scenario(s), s.designs["stratified"])
    analytic = {k: float(v[0]) for k, v in m.claims(np.array([float(n_total)]), np.array([0])).items()}
    simulated = _claims_from_z(z_f, z_s, m)
    for claim, p_sim in simulated.items():
        assert abs(p_sim - analytic[claim]) <= _tol(analytic[claim], sims), (claim, p_sim, analytic[claim])


# --------------------------------------------------------------------------- survival mixture
def _logrank_parts(time, event, treat):
    """Vectorized log-rank O − E (treatment) and variance; rows are trials, no ties."""
    order = np.argsort(time, axis=1)
    ev = np.take_along_axis(event, order, axis=1)
    tr = np.take_along_axis(treat, order, axis=1).astype(float)
    n = time.shape[1]
    at_risk = n - np.arange(n)[None, :]
    at_risk_t = np.cumsum(tr[:, ::-1], axis=1)[:, ::-1]
    frac = at_risk_t / at_risk
    o_minus_e = np.sum(ev * (tr - frac), axis=1)
    var = np.sum(ev * frac * (1 - frac), axis=1)
    return o_minus_e, var


def _simulate_stratum(n, ratio, lam, hr, s, eta, sims, rng):
    p = ratio / (1 + ratio)
    n_t = round(n * p)
    treat = np.zeros((sims, n), dtype=bool)
    treat[:, :n_t] = True
    hazard = np.where(treat, lam * hr, lam)
    t_event = rng.exponential(1.0, (sims, n)) / hazard
    t_drop = rng.exponential(1.0, (sims, n)) / eta if eta > 0 else np.full((sims, n), np.inf)
    entry = rng.uniform(0, s.accrual_time, (sims, n))
    t_admin = s.accrual_time + s.follow_up_time - entry
    time = np.minimum(np.minimum(t_event, t_drop), t_admin)
    event = t_event <= np.minimum(t_drop, t_admin)
    return time, event, treat


def test_survival_mixture_stratified_logrank_agrees_with_analytic_power():
    s = scenario_from_dict(base_scenario(
        "survival",
        population={"prevalence": 0.4},
        positive={"control_median": 10.0, "hazard_ratio": 0.6},
        negative={"control_median": 6.0, "hazard_ratio": 0.9},
        survival={"accrual_time": 18, "follow_up_time": 12, "dropout_rate": 0.05, "dropout_time": 12},
        designs={"stratified": {"multiplicity": "fixed_sequence_overall_first", "size_for": "overall"}},
    ))
    n_total, sims = 400, 4000
    rng = np.random.default_rng(7)
    eta = dropout_hazard(0.05, 12)
    parts, events = [], 0.0
    for sub, share in ((s.positive, 0.4), (s.negative, 0.6)):
        n = round(n_total * share)
        time, event, treat = _simulate_stratum(n, 1.0, np.log(2) / sub.control_median, sub.hazard_ratio, s.survival, eta, sims, rng)
        parts.append(_logrank_parts(time, event, treat))
        events = events + event.sum(axis=1)
    z = -sum(p[0] for p in parts) / np.sqrt(sum(p[1] for p in parts))
    m = build_model("stratified", params_from_scenario(s), s.designs["stratified"])
    analytic = float(m.power(np.array([float(n_total)]), np.array([0]))[0])
    simulated = float(np.mean(z > norm.isf(0.025)))
    # 4 SE plus 0.015 for the Schoenfeld approximation (HR 0.6 and 0.9, 240 expected events)
    print(simulated, analytic, events.mean(), float(m.events_per_patient) * n_total)
    assert abs(simulated - analytic) <= _tol(analytic, sims) + 0.015, (simulated, analytic)
    expected_events = float(m.events_per_patient) * n_total
    sd_mean = events.std() / np.sqrt(sims)
    assert abs(events.mean() - expected_events) <= 4 * sd_mean + 0.5, (events.mean(), expected_events)
