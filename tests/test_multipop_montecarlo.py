"""Closed forms of the stratified statistics over several populations (planner.designs.multipop)
against an independent patient-level Monte Carlo: nested and overlapping populations.

Each simulated trial draws every patient's outcome in each cell and arm, estimates each cell's
effect, and forms Z_P = Σ_{c∈P} n_c θ̂_c / sd(Σ_{c∈P} n_c θ̂_c) (patients per cell as weights, the
known variances) for F and every population. With S simulated trials the mean of a z statistic
(variance ≈ 1) has SE 1/√S and a correlation SE ≤ 1/√S; the tolerance is 4/√S (S = 20,000: 0.028).
"""

from __future__ import annotations

import numpy as np
import pytest

from planner.designs.multipop import stratified_stats
from planner.params import params_from_scenario
from planner.scenario_io import scenario_from_dict

S = 20_000
TOL = 4 / np.sqrt(S)

NESTED = {  # KEYNOTE-042 shaped: S1 ⊂ S2 ⊂ S3 ⊂ F
    "cells": [("≥50", 0.25), ("20-49", 0.15), ("1-19", 0.25), ("<1", 0.35)],
    "populations": [("S1", ["≥50"]), ("S2", ["≥50", "20-49"]), ("S3", ["≥50", "20-49", "1-19"])],
}
OVERLAPPING = {  # two markers: S1 = S1-only ∪ S12, S2 = S2-only ∪ S12
    "cells": [("S1-only", 0.2), ("S2-only", 0.15), ("S12", 0.25), ("R", 0.4)],
    "populations": [("S1", ["S1-only", "S12"]), ("S2", ["S2-only", "S12"])],
}


def _scenario(shape: dict, endpoint: str, outcomes: list[dict], ratio: float) -> dict:
    return {
        "format": "enrichment-planner-scenario", "version": 2, "endpoint": endpoint,
        "population": {"cells": [{"name": n, "prevalence": p} for n, p in shape["cells"]],
                       "populations": [{"name": n, "cells": c} for n, c in shape["populations"]]},
        "cells": {n: o for (n, _), o in zip(shape["cells"], outcomes)},
        "testing": {"alpha": 0.025, "power": 0.8, "allocation_ratio": ratio, "method": "z" if endpoint ==
                    "continuous" else "unpooled"},
        "designs": {"stratified": {"multiplicity": "bonferroni"}},
    }


def _simulate(shape: dict, endpoint: str, outcomes: list[dict], n_total: int, ratio: float, rng) -> np.ndarray:
    """(S, K + 1) z statistics of F and every population from patient-level data."""
    names = [n for n, _ in shape["cells"]]
    est, var, size = [], [], []
    for (_, prev), out in zip(shape["cells"], outcomes):
        n_c = round(n_total * prev)
        n_t = round(n_c * ratio / (1 + ratio))
        n_k = n_c - n_t
        if endpoint == "continuous":
            m0, d, sd = out.get("control_mean", 0.0), out["mean_difference"], out["sd"]
            trt = rng.normal(m0 + d, sd, size=(S, n_t)).mean(axis=1)
            ctl = rng.normal(m0, sd, size=(S, n_k)).mean(axis=1)
            v = sd**2 / n_t + sd**2 / n_k
        else:
            p0, p1 = out["control_rate"], out["treatment_rate"]
            trt = (rng.random((S, n_t)) < p1).mean(axis=1)
            ctl = (rng.random((S, n_k)) < p0).mean(axis=1)
            v = p1 * (1 - p1) / n_t + p0 * (1 - p0) / n_k
        est.append(trt - ctl)
        var.append(v)
        size.append(n_c)
    est, var, size = np.array(est).T, np.array(var), np.array(size, dtype=float)
    zs = []
    for members in [names] + [c for _, c in shape["populations"]]:
        w = np.array([size[i] if n in members else 0.0 for i, n in enumerate(names)])
        zs.append(est @ w / np.sqrt(np.sum(w**2 * var)))
    return np.array(zs).T


CASES = {
    "nested continuous, unequal SDs": (NESTED, "continuous", [
        {"mean_difference": 0.5, "sd": 1.0}, {"mean_difference": 0.35, "sd": 1.4},
        {"mean_difference": 0.2, "sd": 0.8}, {"mean_difference": 0.0, "sd": 1.2}], 1.0),
    "overlapping continuous, 2:1": (OVERLAPPING, "continuous", [
        {"mean_difference": 0.4, "sd": 1.0}, {"mean_difference": 0.3, "sd": 1.5},
        {"mean_difference": 0.6, "sd": 1.0}, {"mean_difference": 0.05, "sd": 0.7}], 2.0),
    "overlapping binary": (OVERLAPPING, "binary", [
        {"control_rate": 0.3, "treatment_rate": 0.45}, {"control_rate": 0.2, "treatment_rate": 0.3},
        {"control_rate": 0.3, "treatment_rate": 0.55}, {"control_rate": 0.4, "treatment_rate": 0.42}], 1.0),
    "nested binary": (NESTED, "binary", [
        {"control_rate": 0.2, "treatment_rate": 0.4}, {"control_rate": 0.25, "treatment_rate": 0.35},
        {"control_rate": 0.3, "treatment_rate": 0.33}, {"control_rate": 0.5, "treatment_rate": 0.5}], 1.0),
}


@pytest.mark.parametrize("case", list(CASES))
def test_means_and_correlations_match_patient_level_simulation(case):
    shape, endpoint, outcomes, ratio = CASES[case]
    n_total = 600 if endpoint == "continuous" else 1200
    par = params_from_scenario(scenario_from_dict(_scenario(shape, endpoint, outcomes, ratio)))
    stats = stratified_stats(par)
    mean = stats.drift * np.sqrt(n_total)
    z = _simulate(shape, endpoint, outcomes, n_total, ratio, np.random.default_rng(20261201))
    assert np.all(np.abs(z.mean(axis=0) - mean) < TOL * z.std(axis=0)), (z.mean(axis=0), mean)
    sd1 = np.sqrt(np.diag(stats.cov1))
    np.testing.assert_allclose(z.std(axis=0), sd1, atol=TOL)  # H1 sd of each z (H0-standardized)
    corr1 = stats.cov1 / np.outer(sd1, sd1)
    np.testing.assert_allclose(np.corrcoef(z.T), corr1, atol=TOL)
    # the H0 correlation: for means it equals the H1 one (known variances); for rates close to it
    np.testing.assert_allclose(stats.corr0, corr1, atol=0.05)


def test_nested_equal_variance_correlation_is_the_information_ratio():
    """Equal SDs, no effect spread: corr(Z_P, Z_Q) = √(n_P / n_Q) for P ⊂ Q (Spiessens–Debois)."""
    outcomes = [{"mean_difference": 0.3, "sd": 1.0}] * 4
    par = params_from_scenario(scenario_from_dict(_scenario(NESTED, "continuous", outcomes, 1.0)))
    corr = stratified_stats(par).corr0
    share = np.cumsum([0.25, 0.15, 0.25])  # S1, S2, S3; F = 1
    expected = {(0, 1): share[0], (0, 2): share[1], (0, 3): share[2], (1, 2): share[0] / share[1],
                (1, 3): share[0] / share[2], (2, 3): share[1] / share[2]}
    for (i, j), ratio in expected.items():
        assert corr[i, j] == pytest.approx(np.sqrt(ratio), rel=1e-12)


# --------------------------------------------------------------------------- survival
ACCRUAL, FOLLOW_UP = 24.0, 12.0
S_SURV = 4000


def _logrank(time: np.ndarray, event: np.ndarray, treated: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per simulated trial (rows): O − E of the control arm and the variance V of the log-rank test
    (continuous times, no ties), so that (O − E)/√V > 0 favours treatment."""
    order = np.argsort(time, axis=1)
    ev = np.take_along_axis(event, order, axis=1)
    trt = np.take_along_axis(treated, order, axis=1)
    n = time.shape[1]
    at_risk = n - np.arange(n)  # patients at risk at each ordered time
    trt_at_risk = np.cumsum(trt[:, ::-1], axis=1)[:, ::-1]
    ctl_at_risk = at_risk - trt_at_risk
    frac_ctl = ctl_at_risk / at_risk
    o_minus_e = np.sum(ev * ((1 - trt) - frac_ctl), axis=1)
    var = np.sum(ev * frac_ctl * (1 - frac_ctl), axis=1)
    return o_minus_e, var


def _simulate_survival(shape: dict, outcomes: list[dict], n_total: int, rng) -> np.ndarray:
    names = [n for n, _ in shape["cells"]]
    oe, var = [], []
    for (_, prev), out in zip(shape["cells"], outcomes):
        n_c = round(n_total * prev)
        treated = np.zeros((S_SURV, n_c))
        treated[:, : n_c // 2] = 1.0
        lam = np.log(2) / out["control_median"] * np.where(treated == 1, out["hazard_ratio"], 1.0)
        t = rng.exponential(1.0, size=treated.shape) / lam
        follow = FOLLOW_UP + rng.uniform(0.0, ACCRUAL, size=treated.shape)  # time from entry to analysis
        event = (t <= follow).astype(float)
        a, v = _logrank(np.minimum(t, follow), event, treated)
        oe.append(a)
        var.append(v)
    oe, var = np.array(oe).T, np.array(var).T
    zs = []
    for members in [names] + [c for _, c in shape["populations"]]:
        inside = np.array([n in members for n in names])
        zs.append(oe[:, inside].sum(axis=1) / np.sqrt(var[:, inside].sum(axis=1)))
    return np.array(zs).T


@pytest.mark.parametrize("shape", [NESTED, OVERLAPPING], ids=["nested", "overlapping"])
def test_survival_stratified_logrank_matches_patient_level_simulation(shape):
    """Stratified log-rank over each population's cells. Correlations to 4/√S (S = 4,000: 0.063);
    means to 4 SE plus 3 % (Schoenfeld's drift is a first-order approximation of the log-rank mean)."""
    outcomes = [{"control_median": m, "hazard_ratio": hr} for m, hr in ((8.0, 0.6), (12.0, 0.75), (10.0, 0.9),
                                                                         (14.0, 1.0))]
    d = _scenario(shape, "survival", outcomes, 1.0)
    d["testing"]["method"] = "schoenfeld"
    d["survival"] = {"accrual_time": ACCRUAL, "follow_up_time": FOLLOW_UP}
    n_total = 800
    stats = stratified_stats(params_from_scenario(scenario_from_dict(d)))
    z = _simulate_survival(shape, outcomes, n_total, np.random.default_rng(7))
    mean = stats.drift * np.sqrt(n_total)
    tol = 4 / np.sqrt(S_SURV)
    assert np.all(np.abs(z.mean(axis=0) - mean) < tol * z.std(axis=0) + 0.03 * np.abs(mean)), (z.mean(axis=0), mean)
    np.testing.assert_allclose(np.corrcoef(z.T), stats.corr0, atol=tol)
