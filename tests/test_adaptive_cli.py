"""``enrichment-planner simulate`` and the adaptive design inside ``compute``."""

from __future__ import annotations

import json

from conftest import base_scenario

from ui.cli import main


def _write(tmp_path, designs, endpoint="continuous"):
    d = base_scenario(endpoint)
    d["designs"] = designs
    path = tmp_path / "s.json"
    path.write_text(json.dumps(d))
    return str(path)


ADAPTIVE = {"information_rates": [0.5, 1], "planned_subjects": [150, 300], "simulations": 2000, "seed": 3}


def test_simulate_json_has_compute_structure(tmp_path, capsys):
    path = _write(tmp_path, {"adaptive": ADAPTIVE})
    assert main(["simulate", path, "--format", "json", "--simulations", "3000", "--seed", "9"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) == {"software", "scenario", "designs"}
    assert list(doc["designs"]) == ["adaptive"]
    res = doc["designs"]["adaptive"]
    assert res["simulations"] == 3000 and res["seed"] == 9
    for key in ("reject_subgroup", "reject_overall", "reject_at_least_one", "select_subgroup_only",
                "select_overall_only", "select_both", "expected_subjects"):
        assert isinstance(res[key], float) and isinstance(res[key + "_se"], float)


def test_simulate_text_and_defaults(tmp_path, capsys):
    path = _write(tmp_path, {"adaptive": ADAPTIVE})
    assert main(["simulate", path]) == 0
    out = capsys.readouterr().out
    assert "Adaptive enrichment" in out and "2,000" in out


def test_simulate_without_adaptive_design_exits_2(tmp_path, capsys):
    path = _write(tmp_path, {"stratified": {}})
    assert main(["simulate", path]) == 2
    assert "designs.adaptive:" in capsys.readouterr().err


def test_simulate_bad_file_exits_2(tmp_path, capsys):
    bad = dict(ADAPTIVE, planned_subjects=[150])
    path = _write(tmp_path, {"adaptive": bad})
    assert main(["simulate", path]) == 2
    assert "designs.adaptive.planned_subjects" in capsys.readouterr().err


def test_compute_includes_adaptive_next_to_fixed_designs(tmp_path, capsys):
    path = _write(tmp_path, {"stratified": {}, "adaptive": ADAPTIVE}, endpoint="survival")
    # survival needs planned_events
    d = json.loads(open(path).read())
    d["designs"]["adaptive"] = {"planned_events": [100, 200], "simulations": 2000}
    open(path, "w").write(json.dumps(d))
    assert main(["compute", path, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc["designs"]) == {"stratified", "adaptive"}
    a = doc["designs"]["adaptive"]
    assert a["design"] == "adaptive" and a["feasible"] is True
    assert a["expected_events"] is not None and a["n_randomized"] is not None


def test_simulate_find_size(tmp_path, capsys):
    path = _write(tmp_path, {"adaptive": dict(ADAPTIVE, simulations=3000)})
    assert main(["simulate", path, "--find-size", "subgroup", "--format", "json"]) == 0
    res = json.loads(capsys.readouterr().out)["designs"]["adaptive"]
    search = res["sample_size_search"]
    assert search["feasible"] and search["power"] >= 0.8
    assert res["planned"][-1] == search["size"]
    assert res["reject_subgroup"] == search["power"]
    assert main(["simulate", path, "--find-size", "subgroup"]) == 0
    assert "Sample size search" in capsys.readouterr().out


def test_simulate_options_are_checked_like_the_file(tmp_path, capsys):
    """--simulations/--seed go through the scenario reader's bounds: exit 2 naming the option,
    at once and without allocating (1e12 simulations used to die with MemoryError)."""
    path = _write(tmp_path, {"adaptive": ADAPTIVE})
    for option, value in (("--simulations", "1000000000000"), ("--simulations", "0"), ("--seed", "-1"),
                          ("--seed", str(2**63))):
        assert main(["simulate", path, option, value]) == 2
        err = capsys.readouterr().err
        assert f"{option} (designs.adaptive.{option[2:]}):" in err and "Traceback" not in err
