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
        scenario_from_dict(base_scenario(version=3))
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


# --------------------------------------------------------------------------- catalogue bounds
def _numeric_fields():
    from planner.catalogue import ALL_FIELDS

    # θ0 and a binary effect on a scale have endpoint-dependent limits: tests/test_essentials_reader.py
    tied = ("testing.null_effect", "positive.effect.value", "negative.effect.value")
    return [f for f in ALL_FIELDS if f.kind in ("float", "int")
            and not f.path.startswith(("designs.adaptive", "interim.", "population.cells"))  # cells: test_cells_form.py
            and f.path not in tied]


def _with(spec, value) -> dict:
    endpoint = next(e for e in ("continuous", "binary", "survival") if e in spec.endpoints)
    d = base_scenario(endpoint)
    node = d
    *blocks, key = spec.path.split(".")
    for b in blocks:
        node = node.setdefault(b, {})
    node[key] = value
    if spec.path == "population.assay_sensitivity":
        d["population"]["assay_specificity"] = 1.0
    if spec.path == "testing.alpha":
        d["testing"]["power"] = 0.999999
    if spec.path == "testing.power":
        d["testing"]["alpha"] = 1e-6
    return d


@pytest.mark.parametrize("spec", _numeric_fields(), ids=lambda f: f.path)
def test_reader_takes_every_bound_from_the_catalogue(spec):
    """Each number's limits (catalogue) are accepted, and a value just beyond is refused at its path."""
    import math

    lower = spec.ge if spec.ge is not None else spec.gt
    upper = spec.le if spec.le is not None else spec.lt
    inside = [v for v in (spec.ge, spec.le) if v is not None]
    if spec.ge is None and spec.gt is not None:  # just above the open bound (power: above alpha)
        inside.append(2e-6 if spec.path == "testing.power" else math.nextafter(spec.gt, math.inf))
    inside += [math.nextafter(spec.lt, -math.inf)] if spec.le is None and spec.lt is not None else []
    for value in inside:
        value = int(value) if spec.integer else value
        if spec.path.endswith(".events"):
            continue  # events need a survival endpoint and N ≥ events: covered below
        scenario_from_dict(_with(spec, value))
    outside = [math.nextafter(lower, -math.inf), math.nextafter(upper, math.inf)]
    if spec.integer:
        outside = [int(lower) - 1, int(upper) + 1]
    for value in outside:
        with pytest.raises(ScenarioError) as err:
            scenario_from_dict(_with(spec, value))
        assert err.value.for_field(spec.path), (spec.path, value, str(err.value))


def test_valid_text_is_derived_from_the_bounds():
    from planner.catalogue import FIELDS_BY_PATH

    assert FIELDS_BY_PATH["population.prevalence"].valid == "in [0.0001, 0.9999]"
    assert FIELDS_BY_PATH["survival.dropout_rate"].valid == "in [0, 1)"
    assert FIELDS_BY_PATH["designs.targeted.n_randomized"].valid == "whole number in [4, 100,000,000], or empty"
    assert "sensitivity + specificity > 1" in FIELDS_BY_PATH["population.assay_specificity"].valid
    # the app's editors reach the open bound (to show why it is invalid) and stop at the limit
    spec = FIELDS_BY_PATH["positive.sd"]
    assert (spec.lo, spec.hi) == (0.0, 1e9)
    assert FIELDS_BY_PATH["designs.targeted.n_randomized"].lo == 3  # the "solve" value


def test_limits_are_documented_as_the_catalogue_says():
    from planner.catalogue import ALL_FIELDS, FIXED_DESIGNS, REQUIRED

    doc = (SCENARIOS.parent.parent / "docs" / "scenario-format.md").read_text(encoding="utf-8")
    for f in ALL_FIELDS:
        if f.kind not in ("float", "int", "list"):
            continue
        path = f.path
        for name in FIXED_DESIGNS:
            path = path.replace(f"designs.{name}.", "designs.<fixed>.")
        d = f.default
        default = ("required" if d is REQUIRED else "empty" if d is None
                   else ", ".join(f"{x:g}" for x in d) if isinstance(d, tuple) else f"{d:g}")
        assert f"| `{path}` | {f.valid} | {default} | {f.unit} |" in doc, path


def test_brackets_inside_text_are_not_nesting():
    title = 'a \\"quoted\\" ' + "[{" * 500
    s = parse_scenario_text(json.dumps(base_scenario(title="@")).replace('"@"', f'"{title}"'))
    assert s.title.startswith('a "quoted" [{')


def test_duplicate_keys_nan_and_long_integers_are_named_at_their_field():
    text = json.dumps(base_scenario()).replace('"alpha": 0.025', '"alpha": 0.025, "alpha": 0.05')
    with pytest.raises(ScenarioError, match=r"testing\.alpha: appears more than once"):
        parse_scenario_text(text)
    text = json.dumps(base_scenario()).replace('"power": 0.8', '"power": Infinity')
    with pytest.raises(ScenarioError, match=r"testing\.power: must be a finite number, got Infinity"):
        parse_scenario_text(text)
    text = json.dumps(base_scenario()).replace('"sides": 1', '"sides": ' + "1" * 5000)
    with pytest.raises(ScenarioError, match=r"testing\.sides: .*5000 digits"):
        parse_scenario_text(text)
