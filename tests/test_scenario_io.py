"""Scenario files: validation names every problem, saving is atomic, round trips are exact."""

import json
import os

import pytest
from conftest import SCENARIOS, base_scenario

from planner.errors import ScenarioError
from planner.scenario_io import (
    dumps_scenario,
    load_scenario,
    parse_scenario_text,
    save_scenario,
    scenario_from_dict,
    scenario_to_dict,
)

EXAMPLES = sorted(SCENARIOS.glob("*.json"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_round_trip_is_identity(path, tmp_path):
    s = load_scenario(path)
    out = tmp_path / "copy.json"
    save_scenario(s, out)
    s2 = load_scenario(out)
    assert s2 == s
    assert scenario_to_dict(s2) == scenario_to_dict(s)
    save_scenario(s2, out)
    assert out.read_text(encoding="utf-8") == dumps_scenario(s)


def test_full_featured_round_trip(tmp_path):
    d = base_scenario(
        "survival",
        testing={"alpha": 0.05, "sides": 2, "power": 0.9, "allocation_ratio": 2.0, "method": "freedman"},
        costs={"per_screened": 100, "per_randomized": 1000, "currency": "EUR"},
        recruitment={"screening_rate": 30},
        provenance={"positive.hazard_ratio": "phase II, HR 0.6 (0.4–0.9) — “quoted” & <escaped>"},
        designs={
            "targeted": {"n_randomized": 300},
            "stratified": {"multiplicity": "fallback", "alpha_split": 0.8, "size_for": "both", "events": 250},
            "strategy": {"control_arm": "randomized"},
            "adaptive": {"information_rates": [0.3, 0.6, 1], "planned_events": [60, 120, 200],
                         "selection": {"rule": "threshold", "threshold": 0.1}, "futility_bounds": [0, 0]},
        },
    )
    s = scenario_from_dict(d)
    save_scenario(s, tmp_path / "s.json")
    assert load_scenario(tmp_path / "s.json") == s


def test_every_problem_is_reported_with_its_path():
    d = base_scenario("survival", population={"prevalence": 1.2})
    d["positive"] = {"control_median": 6, "hazard_ratio": -0.5}
    d["testing"] = {"alpha": 0.6, "allocation_ratio": 0}
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(d)
    msgs = [str(p) for p in err.value.problems]
    assert "positive.hazard_ratio: must be > 0, got -0.5" in msgs
    assert any(m.startswith("population.prevalence: must be < 1") for m in msgs)
    assert any(m.startswith("testing.alpha:") for m in msgs)
    assert any(m.startswith("testing.allocation_ratio:") for m in msgs)
    assert err.value.for_field("positive.hazard_ratio") == ["must be > 0, got -0.5"]


def test_unknown_version_is_a_clear_error():
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(base_scenario(version=2))
    assert "version" in str(err.value) and "newer" in str(err.value)


def test_unknown_field_is_named():
    with pytest.raises(ScenarioError, match=r"population\.prevalance: unknown field"):
        scenario_from_dict(base_scenario(population={"prevalence": 0.3, "prevalance": 0.3}))


def test_nan_and_truncated_json_rejected():
    with pytest.raises(ScenarioError, match="not valid JSON"):
        parse_scenario_text('{"version": 1, "population": {"prevalence": NaN}}')
    with pytest.raises(ScenarioError, match=r"line \d+, column \d+"):
        parse_scenario_text(json.dumps(base_scenario())[:-20])


def test_save_is_atomic_when_writing_fails(tmp_path, monkeypatch):
    target = tmp_path / "plan.json"
    s = scenario_from_dict(base_scenario())
    save_scenario(s, target)
    before = target.read_bytes()

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        save_scenario(scenario_from_dict(base_scenario(title="changed")), target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]  # no temporary left behind


def test_missing_designs_block_means_all_fixed_designs():
    d = base_scenario()
    d.pop("designs", None)
    s = scenario_from_dict(d)
    assert list(s.fixed_designs()) == ["all_comers", "targeted", "stratified", "strategy", "interaction"]


def test_saved_file_gets_ordinary_permissions(tmp_path):
    target = tmp_path / "plan.json"
    save_scenario(scenario_from_dict(base_scenario()), target)
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask
    target.chmod(0o640)
    save_scenario(scenario_from_dict(base_scenario(title="again")), target)
    assert target.stat().st_mode & 0o777 == 0o640  # an existing file keeps its permissions
