"""Fisher's combination test and sample-size recalculation against rpact 3.3.4
(tests/data/rpact_adaptive_ext.json, made by tests/data/make_rpact_adaptive_ext.R; R not needed).

Probabilities must agree within 4 combined Monte Carlo SEs, SE = √(p̄(1 − p̄)(1/n + 1/n_R)) with
p̄ the pooled proportion; the expected size within 4 s √(1/n + 1/n_R) with s our SD of the
per-trial total size (from the exact sums; under agreement both simulations have the same SD —
rpact's ``getData`` SD, stored as ``sizeSd``, is not used because its survival rows omit the
events of unselected populations). Fisher's critical values must match rpact's to 1e-6 relative.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest
from test_adaptive_rpact import _close, model_for

from planner.adaptive import simulate_model
from planner.adaptive.fisher import fisher_critical_values, fisher_size
from planner.adaptive.recalculation import Recalculation

DATA = Path(__file__).resolve().parent / "data" / "rpact_adaptive_ext.json"
CASES = json.loads(DATA.read_text())["cases"]
SIMS = 30_000
BOUNDS = {"equalAlpha": "equal_alpha", "pocock": "pocock", "asOF": "obrien_fleming", "asP": "pocock"}


def ext_model(case: dict):
    i = case["inputs"]
    base = dict(case, inputs=dict(i, design="asOF"))  # the base mapping knows inverse-normal designs only
    model = model_for(base)
    kw: dict = {"boundaries": BOUNDS[i["design"]], "critical": ()}
    if i.get("combination") == "fisher":
        kw["combination"] = "fisher"
    if i.get("cp") is not None:
        kw["recalculation"] = Recalculation(float(i["cp"]), tuple(map(float, i["min"])), tuple(map(float, i["max"])),
                                            "planning" if i.get("thetaH1") is not None else "observed")
    return replace(model, **kw)


def test_reference_file_has_enough_cases():
    fisher = [c for c in CASES if c["inputs"].get("combination") == "fisher"]
    ssr = [c for c in CASES if c["inputs"].get("cp") is not None]
    assert len(fisher) >= 6 and len(ssr) >= 6
    for group in (fisher, ssr):
        assert {c["endpoint"] for c in group} == {"means", "rates", "survival"}


@pytest.mark.parametrize("case", [c for c in CASES if c["inputs"].get("combination") == "fisher"],
                         ids=lambda c: c["id"])
def test_fisher_critical_values_match_rpact(case):
    model = ext_model(case)
    theirs = case["design_output"]["criticalValues"]
    for a, b in zip(model.critical, theirs):
        assert abs(a - b) <= 1e-6 * b + 1e-12, (model.critical, theirs)
    assert fisher_size(model.critical, model.information_rates) == pytest.approx(0.025, abs=1e-8)


def test_fisher_no_early_efficacy_spends_everything_at_the_end():
    crit = fisher_critical_values((0.5, 1.0), 0.025, "no_early_efficacy")
    assert crit[0] == 0.0
    # two stages, w = (1, 1): P(p1 p2 ≤ c) = c(1 − ln c)
    assert crit[1] * (1 - math.log(crit[1])) == pytest.approx(0.025, rel=1e-9)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["id"])
def test_extension_agrees_with_rpact(case):
    model = ext_model(case)
    res = simulate_model(model, SIMS, seed=777 + len(case["id"]) * 13, workers=1)
    out = case["outputs"]
    n_r = int(case["inputs"]["iterations"])
    n = res.simulations
    problems: list[str] = []
    ps = res.per_stage
    _close(res.reject_at_least_one, n, out["rejectAtLeastOne"], n_r, "rejectAtLeastOne", problems)
    _close(ps["reject_subgroup_per_stage"], n, out["rejectedPopulationsPerStage"]["S"], n_r, "rejS", problems)
    _close(ps["reject_overall_per_stage"], n, out["rejectedPopulationsPerStage"]["F"], n_r, "rejF", problems)
    _close(ps["selected_subgroup_per_stage"], n, out["selectedPopulations"]["S"], n_r, "selS", problems)
    _close(ps["selected_overall_per_stage"], n, out["selectedPopulations"]["F"], n_r, "selF", problems)
    _close(ps["success_per_stage"], n, out["successPerStage"], n_r, "success", problems)
    _close(ps["futility_per_stage"], n, out["futilityPerStage"], n_r, "futility", problems)
    surv = case["endpoint"] == "survival"
    ours = res.expected_events if surv else res.expected_subjects
    ours_se = res.expected_events_se if surv else res.expected_subjects_se
    theirs = out["expectedNumberOfEvents" if surv else "expectedNumberOfSubjects"]
    se = ours_se * math.sqrt(1 + n / n_r)
    _close(ours, n, theirs, n_r, "expected size", problems, se_abs=se)
    assert not problems, "\n".join(problems)
