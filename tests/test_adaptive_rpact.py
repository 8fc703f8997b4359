"""Agreement of the adaptive enrichment simulator with rpact 3.3.4 (tests/data/rpact_enrichment.json).

Every probability rpact reports (rejections per stage, selections per stage, success and
futility stops, reject-at-least-one) and the expected size must agree within 4 combined Monte
Carlo standard errors. CI simulates 20,000 trials per case; EP_SLOW=1 uses 400,000.
R is not needed: the JSON file holds rpact's outputs and the R calls that produced them.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import pytest

from planner.adaptive import SimModel, critical_values, simulate_model
from planner.adaptive.model import log_hr_benefit, survival_event_weight_rpact

DATA = Path(__file__).resolve().parent / "data" / "rpact_enrichment.json"
CASES = json.loads(DATA.read_text())["cases"]
SLOW = os.environ.get("EP_SLOW") == "1"
SIMS = 400_000 if SLOW else 20_000

DESIGNS = {"asOF": "obrien_fleming", "asP": "pocock", "noEarlyEfficacy": "no_early_efficacy"}
TESTS = {"Simes": "simes", "SpiessensDebois": "spiessens_debois", "Bonferroni": "bonferroni",
         "Sidak": "sidak"}
MEASURES = {"effectEstimate": "effect_estimate", "testStatistic": "test_statistic"}
SUCCESS = {"all": "all", "atLeastOne": "at_least_one"}


def _vec(x) -> tuple[float, ...]:
    return tuple(float(v) for v in (x if isinstance(x, list) else [x]))


def model_for(case: dict) -> SimModel:
    """The SimModel of an rpact case (rpact-compatible quirks and head-count correlation on)."""
    i = case["inputs"]
    r = float(i["alloc"])
    kw: dict = {}
    if case["endpoint"] == "means":
        sd = _vec(i["sd"])
        kw["endpoint"] = "continuous"
        kw["theta"] = _vec(i["effects"])
        kw["variance"] = tuple(s * s * (1 + r) ** 2 / r for s in sd)
    elif case["endpoint"] == "rates":
        kw["endpoint"] = "binary"
        kw["rate_treatment"] = _vec(i["pi_treatment"])
        kw["rate_control"] = _vec(i["pi_control"])
    else:
        hr = _vec(i["hr"])
        kw["endpoint"] = "survival"
        kw["theta"] = log_hr_benefit(hr)
        kw["event_weight"] = survival_event_weight_rpact(hr, r)
    return SimModel(
        prevalence=float(i["prev"]),
        planned=_vec(i["planned"]),
        information_rates=_vec(i["info"]),
        allocation_ratio=r,
        boundaries=DESIGNS[i["design"]],
        futility_bounds=_vec(i["futility"]) if i.get("futility") is not None else None,
        intersection_test=TESTS[i["test"]],
        selection_rule=i["selection"],
        epsilon=float(i.get("epsilon") or 0.0),
        threshold=float(i.get("threshold") or 0.0),
        effect_measure=MEASURES[i["measure"]],
        stratified=bool(i["stratified"]),
        success_criterion=SUCCESS[i["success"]],
        correlation="rpact_head_count",
        rpact_compat=True,
        **kw,
    )


def _close(ours, se_ours_n, theirs, n_theirs, what, problems, se_abs=None):
    ours = np.atleast_1d(np.asarray(ours, dtype=float))
    theirs = np.atleast_1d(np.asarray(theirs, dtype=float))
    assert ours.shape == theirs.shape, what
    for j, (a, b) in enumerate(zip(ours, theirs)):
        if se_abs is not None:
            se = se_abs[j] if np.ndim(se_abs) else se_abs
        else:
            p = (a * se_ours_n + b * n_theirs) / (se_ours_n + n_theirs)
            se = math.sqrt(max(p * (1 - p), 0.0) * (1 / se_ours_n + 1 / n_theirs))
        tol = 4 * se + 1e-9
        if abs(a - b) > tol:
            problems.append(f"{what}[{j}]: ours {a:.5f} rpact {b:.5f} (4 SE = {tol:.5f})")


def test_reference_file_has_enough_cases():
    assert len(CASES) >= 15
    assert {c["endpoint"] for c in CASES} == {"means", "rates", "survival"}
    assert {c["inputs"]["test"] for c in CASES} == set(TESTS)
    assert {c["inputs"]["selection"] for c in CASES} >= {"best", "epsilon", "all", "threshold"}
    nulls = [c for c in CASES if "null" in c["description"]]
    assert len(nulls) >= 4


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_critical_values_match_rpact(case):
    i = case["inputs"]
    ours = critical_values(_vec(i["info"]), 0.025, DESIGNS[i["design"]])
    theirs = [math.inf if v in ("Inf", None) else float(v) for v in case["design_output"]["criticalValues"]]
    for a, b in zip(ours, theirs):
        assert (math.isinf(a) and math.isinf(b)) or abs(a - b) < 2e-5


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_simulation_agrees_with_rpact(case):
    model = model_for(case)
    res = simulate_model(model, SIMS, seed=20240101 + len(case["id"]), workers=1 if not SLOW else None)
    out = case["outputs"]
    n_r = int(case["inputs"]["iterations"])
    n = res.simulations
    problems: list[str] = []
    ps = res.per_stage
    _close(res.reject_at_least_one, n, out["rejectAtLeastOne"], n_r, "rejectAtLeastOne", problems)
    _close(ps["reject_subgroup_per_stage"], n, out["rejectedPopulationsPerStage"]["S"], n_r,
           "rejected S", problems)
    _close(ps["reject_overall_per_stage"], n, out["rejectedPopulationsPerStage"]["F"], n_r,
           "rejected F", problems)
    _close(ps["selected_subgroup_per_stage"], n, out["selectedPopulations"]["S"], n_r, "selected S", problems)
    _close(ps["selected_overall_per_stage"], n, out["selectedPopulations"]["F"], n_r, "selected F", problems)
    _close(ps["success_per_stage"], n, out["successPerStage"], n_r, "successPerStage", problems)
    _close(ps["futility_per_stage"], n, out["futilityPerStage"], n_r, "futilityPerStage", problems)
    _close(ps["early_stop_per_stage"], n, out["earlyStop"], n_r, "earlyStop", problems)
    key = "expectedNumberOfEvents" if case["endpoint"] == "survival" else "expectedNumberOfSubjects"
    ours_size = res.expected_events if case["endpoint"] == "survival" else res.expected_subjects
    ours_se = res.expected_events_se if case["endpoint"] == "survival" else res.expected_subjects_se
    se = ours_se * math.sqrt(1 + n / n_r) + 1e-9
    _close(ours_size, n, out[key], n_r, key, problems, se_abs=se)
    assert not problems, case["id"] + ": " + "; ".join(problems)


NON_BINARY = [c for c in CASES if c["endpoint"] != "rates"]


def _assert_rejections_agree(res, case) -> None:
    """P(reject at least one) and the per-stage rejections of S and F within 4 combined SEs."""
    out = case["outputs"]
    n_r = int(case["inputs"]["iterations"])
    problems: list[str] = []
    _close(res.reject_at_least_one, res.simulations, out["rejectAtLeastOne"], n_r, "rejectAtLeastOne", problems)
    _close(res.per_stage["reject_subgroup_per_stage"], res.simulations,
           out["rejectedPopulationsPerStage"]["S"], n_r, "rejected S", problems)
    _close(res.per_stage["reject_overall_per_stage"], res.simulations,
           out["rejectedPopulationsPerStage"]["F"], n_r, "rejected F", problems)
    assert not problems, case["id"] + ": " + "; ".join(problems)


@pytest.mark.parametrize("case", NON_BINARY, ids=[c["id"] for c in NON_BINARY])
def test_rejections_agree_without_rpact_quirks(case):
    """rpact's p = 1 → z = −21 futility quirk changes stopping, never the rejections."""
    from dataclasses import replace

    model = replace(model_for(case), rpact_compat=False)
    res = simulate_model(model, SIMS, seed=4242, workers=1)
    _assert_rejections_agree(res, case)


SD_CASES = [c for c in CASES if c["inputs"]["test"] == "SpiessensDebois"]


@pytest.mark.parametrize("case", SD_CASES, ids=[c["id"] for c in SD_CASES])
def test_spiessens_debois_cases_agree_with_the_default_information_correlation(case):
    """rpact's cases have equal subset SDs (means), or nearly equal rate variances: our default
    correlation (the statistics' own) gives rpact's rejections within the same 4 SEs."""
    from dataclasses import replace

    model = replace(model_for(case), correlation="information")
    res = simulate_model(model, SIMS, seed=5, workers=1)
    _assert_rejections_agree(res, case)
