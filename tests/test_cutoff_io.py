"""The ``biomarker`` block: read, written, refused with the field named; the ``cutoffs`` command."""

from __future__ import annotations

import copy
import json
import math

import pytest
from conftest import SCENARIOS, base_scenario

from planner.catalogue import REQUIRED
from planner.catalogue.biomarker import BIOMARKER_FIELDS
from planner.errors import ScenarioError
from planner.scenario_io import parse_scenario_text, scenario_from_dict, scenario_to_dict
from ui.cli import main

EXAMPLE = SCENARIOS / "pdl1_tps_cutoffs.json"


def _with_block(endpoint="continuous", **block):
    d = base_scenario(endpoint, version=2)
    d["biomarker"] = {"name": "score", "unit": "%",
                      "distribution": {"kind": "beta", "a": 0.7, "b": 1.2, "lower": 0, "upper": 100},
                      "effect": {"kind": "linear", "ends": [0, 80], "values": [0.05, 0.6]},
                      "cutoffs": [1, 20, 50], **block}
    return d


def _problems(d) -> dict[str, str]:
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(d)
    return {p.path: p.reason for p in err.value.problems}


@pytest.mark.parametrize("block", [
    {"distribution": {"kind": "normal", "mean": 5, "sd": 2}, "cutoffs": [3, 5]},
    {"distribution": {"kind": "lognormal", "meanlog": 1, "sdlog": 0.5}, "cutoffs": [2.5]},
    {"distribution": {"kind": "empirical", "values": [0, 1, 50, 100], "probabilities": [0.3, 0.34, 0.72, 1]},
     "effect": {"kind": "bands", "edges": [1, 50], "values": [0, 0.2, 0.5]},
     "control": {"kind": "bands", "edges": [50], "values": [1.0, 1.5]}, "sd": 2.0},
    {"effect": {"kind": "step", "threshold": 50, "below": 0.1, "above": 0.5}, "control": {"kind": "constant", "value": 3}},
])
def test_block_round_trips(block):
    s = scenario_from_dict(_with_block(**block))
    again = scenario_from_dict(scenario_to_dict(s))
    assert again.biomarker == s.biomarker and again == s
    written = scenario_to_dict(s)["biomarker"]
    assert written["cutoffs"] == list(s.biomarker.cutoffs)


def test_constant_control_defaults_to_the_scenarios_b_plus_control():
    s = scenario_from_dict(_with_block("survival", effect={"kind": "step", "threshold": 50, "below": 0.9, "above": 0.6}))
    assert s.biomarker.control.values == (12.0,)
    assert s.biomarker.effect.log is False
    lin = scenario_from_dict(_with_block("survival", effect={"kind": "linear", "ends": [0, 80], "values": [1.0, 0.5]}))
    assert lin.biomarker.effect.log and math.isclose(float(lin.biomarker.effect(40.0)), math.sqrt(0.5))


BAD = [
    ({"distribution": {"kind": "empirical", "values": [0, 50, 20, 100], "probabilities": [0, 0.3, 0.6, 1]}},
     "biomarker.distribution.values", "increase strictly"),
    ({"distribution": {"kind": "empirical", "values": [0, 20, 50, 100], "probabilities": [0, 0.6, 0.3, 1]}},
     "biomarker.distribution.probabilities", "increase strictly"),
    ({"distribution": {"kind": "empirical", "values": [0, 20, 50, 100], "probabilities": [0, 0.3, 0.6, 0.9]}},
     "biomarker.distribution.probabilities", "must end at 1"),
    ({"distribution": {"kind": "empirical", "values": [0, 20, 100], "probabilities": [0.5, 1]}},
     "biomarker.distribution.probabilities", "one probability per value"),
    ({"distribution": {"kind": "empirical", "values": [0, 20, 100]}},
     "biomarker.distribution.probabilities", "is required"),
    ({"distribution": {"kind": "gamma"}}, "biomarker.distribution.kind", "must be one of"),
    ({"distribution": {"kind": "normal", "mean": 0, "sd": -1}}, "biomarker.distribution.sd", "must be > 0"),
    ({"distribution": {"kind": "beta", "a": 1, "b": 1, "lower": 10, "upper": 5}}, "biomarker.distribution.upper",
     "above the lower end"),
    ({"distribution": {"kind": "normal", "mean": 0, "sd": 1, "a": 2}}, "biomarker.distribution.a", "unknown field"),
    ({"cutoffs": [1, 120]}, "biomarker.cutoffs[1]", "inside the marker's range"),
    ({"cutoffs": [0]}, "biomarker.cutoffs[0]", "inside the marker's range"),
    ({"cutoffs": [99.9999999]}, "biomarker.cutoffs[0]", "must be within [0.0001"),
    ({"cutoffs": [1, 1]}, "biomarker.cutoffs", "must not repeat"),
    ({"cutoffs": list(range(1, 53))}, "biomarker.cutoffs", "at most"),
    ({"cutoffs": []}, "biomarker.cutoffs", "non-empty list"),
    ({"effect": {"kind": "bands", "edges": [1, 50], "values": [0.1, 0.2]}}, "biomarker.effect.values",
     "one value per band"),
    ({"effect": {"kind": "bands", "edges": [50, 1], "values": [0.1, 0.2, 0.3]}}, "biomarker.effect.edges",
     "increase strictly"),
    ({"effect": {"kind": "linear", "ends": [0, 50, 80], "values": [0.1, 0.2, 0.3]}}, "biomarker.effect.values",
     "two ends"),
    ({"effect": {"kind": "step", "threshold": 50, "below": 0.1}}, "biomarker.effect.above", "is required"),
    ({"effect": "step"}, "biomarker.effect", "must be an object"),
    ({"control": {"kind": "bands", "edges": [50], "values": [1.0]}}, "biomarker.control.values", "one value per band"),
    ({"sd": 0}, "biomarker.sd", "must be > 0"),
    ({"colour": "red"}, "biomarker.colour", "unknown field"),
]


@pytest.mark.parametrize("block, path, reason", BAD, ids=[f"{p}:{r}" for _, p, r in BAD])
def test_bad_block_names_the_field(block, path, reason):
    problems = _problems(_with_block(**block))
    assert path in problems, problems
    assert reason in problems[path]


def test_endpoint_rules():
    hr = _with_block("survival", effect={"kind": "bands", "edges": [50], "values": [1.0, -0.5]})
    assert "hazard ratios must be within" in _problems(hr)["biomarker.effect"]
    rates = _with_block("binary", effect={"kind": "step", "threshold": 50, "below": 0.1, "above": 0.8},
                        control={"kind": "constant", "value": 0.3})
    assert "stay a probability" in _problems(rates)["biomarker.effect"]
    assert "only applies to a continuous" in _problems(_with_block("binary", sd=1.0))["biomarker.sd"]
    pw = _with_block("survival", effect={"kind": "step", "threshold": 50, "below": 0.9, "above": 0.6})
    pw["positive"] = {"piecewise": {"starts": [0], "control_hazards": [0.05], "hazard_ratios": [0.6]}}
    assert "piecewise" in _problems(pw)["biomarker"]


@pytest.mark.parametrize("spec", [f for f in BIOMARKER_FIELDS if f.kind == "float"], ids=lambda f: f.path)
def test_each_number_takes_its_catalogue_bounds(spec):
    """Just beyond a field's catalogue bound is refused at its path (the whole block given)."""
    key = spec.path.split(".")[-1]
    block = spec.path.split(".")[1] if spec.path.count(".") == 2 else None
    forms = {"distribution": {"kind": "normal" if key in ("mean", "sd") else "lognormal" if "log" in key else "beta",
                              "mean": 0, "sd": 1, "meanlog": 0, "sdlog": 1, "a": 1, "b": 1, "lower": 0, "upper": 1},
             "effect": {"kind": "step", "threshold": 0.5, "below": 0.1, "above": 0.2},
             "control": {"kind": "constant", "value": 0.0}}
    lower = spec.ge if spec.ge is not None else spec.gt
    d = _with_block(cutoffs=[0.5])
    if block is not None:
        form = {k: v for k, v in forms[block].items()
                if k == "kind" or k in {"normal": ("mean", "sd"), "lognormal": ("meanlog", "sdlog"),
                                        "beta": ("a", "b", "lower", "upper")}.get(forms[block]["kind"], forms[block])}
        d["biomarker"][block] = {**form, key: math.nextafter(lower, -math.inf)}
    else:
        d["biomarker"][key] = math.nextafter(lower, -math.inf)
    assert spec.path in _problems(d)
    assert spec.default is REQUIRED or spec.default is None or isinstance(spec.default, float)


def test_example_has_a_biomarker_block_with_provenance():
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    s = parse_scenario_text(EXAMPLE.read_text(encoding="utf-8"))
    assert s.biomarker is not None and s.biomarker.cutoffs == (1.0, 20.0, 50.0)
    for key in ("distribution", "effect", "control", "cutoffs"):
        assert data["provenance"].get(f"biomarker.{key}"), key


# --------------------------------------------------------------------------- command line
def test_cutoffs_command_formats(capsys):
    assert main(["cutoffs", str(EXAMPLE), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [r["cutoff"] for r in out["cutoffs"]] == [1.0, 20.0, 50.0]
    assert out["cutoffs"][2]["prevalence"] == pytest.approx(0.28)
    assert out["cutoffs"][2]["designs"]["targeted"]["n_randomized"] > 0
    assert main(["cutoffs", str(EXAMPLE), "--format", "csv", "--cutoffs", "5,50"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("cutoff,prevalence,effect_positive,effect_negative,all_comers.n_randomized")
    assert len(lines) == 3 and lines[2].startswith("50.0,0.28")
    assert main(["cutoffs", str(EXAMPLE)]) == 0
    text = capsys.readouterr().out
    assert "PD-L1 TPS" in text and "N screened" in text


@pytest.mark.parametrize("args, field", [
    (["--cutoffs", "1,200"], "--cutoffs"),
    (["--cutoffs", "a,b"], "--cutoffs"),
])
def test_cutoffs_command_exits_2_naming_the_field(args, field, capsys):
    assert main(["cutoffs", str(EXAMPLE), *args]) == 2
    assert field in capsys.readouterr().err


def test_cutoffs_command_on_bad_files(tmp_path, capsys):
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps(base_scenario()), encoding="utf-8")
    assert main(["cutoffs", str(plain)]) == 2
    assert "biomarker: is required" in capsys.readouterr().err
    bad = copy.deepcopy(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    bad["biomarker"]["distribution"]["probabilities"] = [0.3, 0.2, 0.5, 0.72, 1.0]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    assert main(["cutoffs", str(path)]) == 2
    assert "biomarker.distribution.probabilities: must increase strictly" in capsys.readouterr().err


def test_cutoffs_command_writes_the_map(tmp_path, capsys):
    png, data = tmp_path / "map.png", tmp_path / "map.csv"
    assert main(["cutoffs", str(EXAMPLE), "--format", "json", "--plot", str(png), "--map-csv", str(data)]) == 0
    capsys.readouterr()
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    rows = data.read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("cutoff,prevalence,all_comers.cost,targeted.cost,stratified.cost") and len(rows) > 20
    assert main(["cutoffs", str(EXAMPLE), "--plot", str(tmp_path / "map.gif")]) == 2
    assert "--plot: choose a .png" in capsys.readouterr().err


def test_report_has_the_cutoff_section_with_the_map():
    from planner.report.html_report import build_report

    s = parse_scenario_text(EXAMPLE.read_text(encoding="utf-8"))
    report = build_report(s, include_adaptive=False)
    assert "Cutoff explorer</h2>" in report.html and 'data-section="cutoff-explorer"' in report.html
    assert report.images["cutoff-map.png"][:4] == b"\x89PNG"
    assert 'data-field="targeted.n_randomized">430<' in report.html  # the 50 % cutoff, as the table
    plain = build_report(parse_scenario_text((SCENARIOS / "egfr_nsclc_ipass.json").read_text(encoding="utf-8")),
                         include_adaptive=False, include_figures=False)
    assert "Cutoff explorer" not in plain.html
