"""Agreement of the several-populations simulator with rpact 3.3.4 (tests/data/rpact_enrichment_k.json).

rpact's ``getSimulationEnrichmentMeans/Rates/Survival`` with ``subGroups`` S1, S2, S12, R (gMax = 3)
and one gMax = 4 case (S1, S2, S3 and their intersections), made by
tests/data/make_rpact_enrichment_k.R with 10,000 iterations per case. Every probability rpact
reports — per population and stage: rejected, selected; success and futility stops; reject at
least one — and the expected size must agree within 4 combined Monte Carlo standard errors
(√(p̄(1 − p̄)(1/n + 1/n_R)), p̄ the pooled proportion). CI simulates 20,000 trials per case;
EP_SLOW=1 uses 400,000. R is not needed: the JSON holds rpact's outputs and its R calls.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest

from planner.adaptive import critical_values, simulate_model
from planner.adaptive.kmodel import KModel, rpact_cells
from planner.adaptive.model import log_hr_benefit, survival_event_weight_rpact

DATA = Path(__file__).resolve().parent / "data" / "rpact_enrichment_k.json"
CASES = json.loads(DATA.read_text())["cases"]
SLOW = os.environ.get("EP_SLOW") == "1"
SIMS = 400_000 if SLOW else 20_000

DESIGNS = {"asOF": "obrien_fleming", "asP": "pocock", "noEarlyEfficacy": "no_early_efficacy"}
TESTS = {"Simes": "simes", "Bonferroni": "bonferroni", "Sidak": "sidak"}
MEASURES = {"effectEstimate": "effect_estimate", "testStatistic": "test_statistic"}
SUCCESS = {"all": "all", "atLeastOne": "at_least_one"}
RULES = {"best": "best", "rBest": "rbest", "epsilon": "epsilon", "threshold": "threshold", "all": "all"}


def _vec(x) -> tuple[float, ...]:
    return tuple(float(v) for v in (x if isinstance(x, list) else [x]))


def model_for(case: dict, compat: bool = True) -> KModel:
    """The K model of an rpact case: rpact's cells and populations, rpact-compatible quirks."""
    i = case["inputs"]
    r = float(i["alloc"])
    cells, member, names = rpact_cells({4: 3, 8: 4}[len(i["cells"])])
    assert tuple(i["cells"]) == cells
    if case["endpoint"] == "means":
        kw = dict(endpoint="continuous", theta=_vec(i["effects"]),
                  variance=tuple(s * s * (1 + r) ** 2 / r for s in _vec(i["sd"])))
    elif case["endpoint"] == "rates":
        kw = dict(endpoint="binary", rate_treatment=_vec(i["pi_treatment"]), rate_control=_vec(i["pi_control"]))
    else:
        hr = _vec(i["hr"])
        kw = dict(endpoint="survival", theta=log_hr_benefit(hr), event_weight=survival_event_weight_rpact(hr, r))
    return KModel(
        names=names, membership=member, cell_names=cells, prevalences=_vec(i["prev"]),
        planned=_vec(i["planned"]), information_rates=_vec(i["info"]), allocation_ratio=r,
        boundaries=DESIGNS[i["design"]],
        futility_bounds=_vec(i["futility"]) if i.get("futility") is not None else None,
        intersection_test=TESTS[i["test"]], selection_rule=RULES[i["selection"]],
        epsilon=float(i.get("epsilon") or 0.0), threshold=float(i.get("threshold") or 0.0),
        r=int(i.get("r") or 1), effect_measure=MEASURES[i["measure"]], stratified=bool(i["stratified"]),
        success_criterion=SUCCESS[i["success"]], correlation="rpact_head_count", rpact_compat=compat, **kw)


def deviations(res, case) -> list[tuple[str, float, float, float]]:
    """(what, ours, rpact, |difference| in combined SEs) for every compared probability and size."""
    out = case["outputs"]
    n, n_r = res.simulations, int(case["inputs"]["iterations"])
    rows = [("rejectAtLeastOne", res.reject_at_least_one, out["rejectAtLeastOne"])]
    ps = res.per_stage
    for g in res.populations:
        for k, (a, b) in enumerate(zip(ps["reject_by_population_per_stage"][g],
                                       _vec(out["rejectedPopulationsPerStage"][g]))):
            rows.append((f"rejected {g} stage {k + 1}", float(a), b))
        for k, (a, b) in enumerate(zip(ps["selected_by_population_per_stage"][g],
                                       _vec(out["selectedPopulations"][g]))):
            rows.append((f"selected {g} stage {k + 1}", float(a), b))
        rows.append((f"reject {g}", res.reject_by_population[g], sum(_vec(out["rejectedPopulationsPerStage"][g]))))
    for name, ours, key in (("success", ps["success_per_stage"], "successPerStage"),
                            ("futility", ps["futility_per_stage"], "futilityPerStage"),
                            ("early stop", ps["early_stop_per_stage"], "earlyStop")):
        for k, (a, b) in enumerate(zip(ours, _vec(out[key]))):
            rows.append((f"{name} stage {k + 1}", float(a), b))
    result = []
    for what, a, b in rows:
        p = (a * n + b * n_r) / (n + n_r)
        se = math.sqrt(max(p * (1 - p), 0.0) * (1 / n + 1 / n_r))
        result.append((what, a, b, abs(a - b) / se if se > 0 else (0.0 if a == b else math.inf)))
    surv = case["endpoint"] == "survival"
    key = "expectedNumberOfEvents" if surv else "expectedNumberOfSubjects"
    size = res.expected_events if surv else res.expected_subjects
    size_se = (res.expected_events_se if surv else res.expected_subjects_se) * math.sqrt(1 + n / n_r)
    theirs = _vec(out[key])[0]
    result.append((key, size, theirs, abs(size - theirs) / size_se if size_se > 0 else 0.0))
    return result


def test_reference_file_covers_the_brief():
    assert len([c for c in CASES if len(c["inputs"]["cells"]) == 4]) >= 12
    assert {c["endpoint"] for c in CASES} == {"means", "rates", "survival"}
    assert {c["inputs"]["test"] for c in CASES} == set(TESTS)
    assert {c["inputs"]["selection"] for c in CASES} >= {"best", "rBest", "epsilon", "threshold"}
    assert any("global null" in c["description"] for c in CASES)
    assert any(len(c["inputs"]["cells"]) == 8 for c in CASES)
    assert all(int(c["inputs"]["iterations"]) >= 10_000 for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_critical_values_match_rpact(case):
    ours = critical_values(_vec(case["inputs"]["info"]), 0.025, DESIGNS[case["inputs"]["design"]])
    for a, b in zip(ours, _vec(case["design_output"]["criticalValues"])):
        assert abs(a - b) < 2e-5


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_simulation_agrees_with_rpact(case):
    res = simulate_model(model_for(case), SIMS, seed=20261201 + len(case["id"]), workers=1 if not SLOW else None)
    assert res.populations == ("F",) + tuple(f"S{g}" for g in range(1, len(res.populations)))
    bad = [f"{w}: ours {a:.5f} rpact {b:.5f} ({d:.1f} SE)" for w, a, b, d in deviations(res, case) if d > 4]
    assert not bad, case["id"] + ": " + "; ".join(bad)


NON_BINARY = [c for c in CASES if c["endpoint"] != "rates"]


@pytest.mark.parametrize("case", NON_BINARY, ids=[c["id"] for c in NON_BINARY])
def test_rejections_agree_without_rpact_quirks(case):
    """Our default mode (no p = 1 → z = −21 futility quirk, no last-stage skip, no jitter) gives
    rpact's rejection probabilities within the same 4 SEs."""
    res = simulate_model(model_for(case, compat=False), SIMS, seed=777, workers=1)
    rows = [r for r in deviations(res, case) if r[0].startswith(("reject", "rejected"))]
    bad = [f"{w}: ours {a:.5f} rpact {b:.5f} ({d:.1f} SE)" for w, a, b, d in rows if d > 4]
    assert not bad, case["id"] + ": " + "; ".join(bad)
