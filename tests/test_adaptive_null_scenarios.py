"""Global-null scenarios (no effect in B+ or B−) are valid: type I error and family-wise error.

Fixtures: tests/data/global_null/{continuous,binary,survival}.json (prognostic markers, unequal
SDs, an imperfect assay, a two-sided test with 2 : 1 allocation). ``simulate`` on each, for every
intersection test and two selection rules, must reject at least one hypothesis with probability
≤ α + 3 SE, where α is the one-sided level and SE = √(α(1 − α)/n) the Monte Carlo standard error
of a rejection rate of α in n simulated trials (n = 40,000: SE ≈ 0.00078). ``compute`` gives
power at a given size for every design, and solving for a sample size says per design that
there is no effect to size for — exit 0, no crash.
"""

from __future__ import annotations

import io
import json
import math
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from ui.cli import main

FIXTURES = Path(__file__).resolve().parent / "data" / "global_null"
ENDPOINTS = ("continuous", "binary", "survival")
TESTS = ("simes", "spiessens_debois", "bonferroni", "sidak")
FIXED = ("all_comers", "targeted", "stratified", "strategy", "interaction")


def _run(args: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(args)
    return code, out.getvalue()


def _fixture(endpoint: str) -> dict:
    return json.loads((FIXTURES / f"{endpoint}.json").read_text())


def _one_sided_alpha(d: dict) -> float:
    return d["testing"]["alpha"] / d["testing"]["sides"]


@pytest.mark.parametrize("rule", ["best", "threshold"])
@pytest.mark.parametrize("test", TESTS)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_simulate_global_null_controls_the_family_wise_error(tmp_path, endpoint, test, rule):
    d = _fixture(endpoint)
    d["designs"]["adaptive"]["intersection_test"] = test
    threshold = 1.0 if endpoint == "survival" else 0.0  # survival effect estimates are 1/HR
    d["designs"]["adaptive"]["selection"] = {"rule": rule, "threshold": threshold}
    path = tmp_path / "null.json"
    path.write_text(json.dumps(d))
    code, out = _run(["simulate", str(path), "--format", "json"])
    assert code == 0
    res = json.loads(out)["designs"]["adaptive"]
    n, alpha = res["simulations"], _one_sided_alpha(d)
    se = math.sqrt(alpha * (1 - alpha) / n)
    assert n == 40_000
    assert res["reject_at_least_one"] <= alpha + 3 * se, (res["reject_at_least_one"], alpha + 3 * se)
    assert any("global null" in note for note in res["notes"])


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_compute_sizes_nothing_and_says_so_per_design(endpoint):
    code, out = _run(["compute", str(FIXTURES / f"{endpoint}.json"), "--format", "json"])
    assert code == 0
    designs = json.loads(out)["designs"]
    for name in FIXED:
        r = designs[name]
        assert r["feasible"] is False and "no effect to size" in r["message"], (name, r["message"])
    assert designs["adaptive"]["reject_at_least_one"] < 0.05
    code, text = _run(["compute", str(FIXTURES / f"{endpoint}.json")])
    assert code == 0 and text.count("no effect to size") == len(FIXED)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_power_at_a_given_size_is_the_type_one_error(endpoint):
    d = _fixture(endpoint)
    alpha = _one_sided_alpha(d)
    code, out = _run(["compute", str(FIXTURES / f"{endpoint}.json"), "--format", "json",
                      "--question", "power", "--n-randomized", "600"])
    assert code == 0
    designs = json.loads(out)["designs"]
    for name in ("all_comers", "targeted", "strategy", "interaction"):
        assert designs[name]["power"] == pytest.approx(alpha, abs=1e-12), name
    strat = designs["stratified"]
    assert 0 < strat["power_either"] <= alpha + 1e-12  # family-wise error of the closed test
    assert strat["power_subgroup"] <= alpha + 1e-12 and strat["power_overall"] <= alpha + 1e-12


def test_find_size_reports_no_effect_instead_of_searching(tmp_path):
    path = tmp_path / "null.json"
    d = _fixture("continuous")
    d["designs"]["adaptive"]["simulations"] = 2000
    path.write_text(json.dumps(d))
    code, out = _run(["simulate", str(path), "--format", "json", "--find-size", "subgroup"])
    assert code == 0
    search = json.loads(out)["designs"]["adaptive"]["sample_size_search"]
    assert search["feasible"] is False and "no effect to size" in search["message"]
    assert len(search["evaluations"]) == 1
