"""Command line: the contract's JSON fields, and exit 2 naming the field on bad input."""

import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT, SCENARIOS, base_scenario

from ui.cli import main

EXAMPLES = sorted(SCENARIOS.glob("*.json"))
CONTRACT = ("n_randomized", "n_per_arm", "n_randomized_exact", "n_screened", "power", "cost")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_compute_json_has_contract_fields(path, capsys):
    assert main(["compute", str(path), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    scenario = json.loads(path.read_text())
    assert out["scenario"]["title"] == scenario["title"]
    assert set(out["designs"]) >= {k for k in scenario.get("designs", {}) if k != "adaptive"}
    for name, r in out["designs"].items():
        if name == "adaptive" or not r["feasible"]:
            continue
        for key in CONTRACT:
            assert key in r, (name, key)
        assert isinstance(r["n_randomized"], int)
        assert r["n_per_arm"]["treatment"] + r["n_per_arm"]["control"] == r["n_randomized"]
        if scenario["endpoint"] == "survival":
            assert isinstance(r["events"], int)
        if name == "stratified" and "cells" in scenario["population"]:  # several populations
            assert 0 <= r["power_all"] <= r["power_at_least_one"] <= 1
            assert set(r["power_by_population"]) == {"F", *(q["name"] for q in scenario["population"]["populations"])}
        elif name == "stratified":
            for claim in ("overall", "subgroup", "either", "both"):
                assert 0 <= r[f"power_{claim}"] <= 1
        if name == "all_comers":
            assert r["n_screened"] == 0


def test_compute_text(capsys):
    assert main(["compute", str(EXAMPLES[0])]) == 0
    assert "randomized:" in capsys.readouterr().out


def _bad(**over):
    return base_scenario(**over)


def _survival(**over):
    return base_scenario("survival", **over)


BAD = [
    ("prevalence 0", _bad(population={"prevalence": 0}), "population.prevalence"),
    ("prevalence 1", _bad(population={"prevalence": 1}), "population.prevalence"),
    ("HR 0", _survival(positive={"control_median": 6, "hazard_ratio": 0}), "positive.hazard_ratio"),
    ("rate 1", base_scenario("binary", positive={"control_rate": 0.3, "treatment_rate": 1.0}), "positive.treatment_rate"),
    ("rate 0", base_scenario("binary", negative={"control_rate": 0, "treatment_rate": 0.2}), "negative.control_rate"),
    ("sd 0", _bad(positive={"mean_difference": 0.5, "sd": 0}), "positive.sd"),
    ("sd negative", _bad(negative={"mean_difference": 0.5, "sd": -1}), "negative.sd"),
    ("alpha 0.5", _bad(testing={"alpha": 0.5}), "testing.alpha"),
    ("power <= alpha", _bad(testing={"alpha": 0.025, "power": 0.02}), "testing.power"),
    ("allocation 0", _bad(testing={"allocation_ratio": 0}), "testing.allocation_ratio"),
    ("allocation negative", _bad(testing={"allocation_ratio": -1}), "testing.allocation_ratio"),
    ("prevalence as text", _bad(population={"prevalence": "0.3"}), "population.prevalence"),
    ("sides 3", _bad(testing={"sides": 3}), "testing.sides"),
    ("endpoint unknown", _bad(endpoint="ordinal"), "endpoint"),
    ("missing survival block", {k: v for k, v in _survival().items() if k != "survival"}, "survival"),
    ("accrual 0", _survival(survival={"accrual_time": 0, "follow_up_time": 12}), "survival.accrual_time"),
    ("dropout 1", _survival(survival={"accrual_time": 12, "follow_up_time": 12, "dropout_rate": 1}), "survival.dropout_rate"),
    ("n_randomized not integer", _bad(designs={"targeted": {"n_randomized": 100.5}}), "designs.targeted.n_randomized"),
    ("unknown design", _bad(designs={"basket": {}}), "designs.basket"),
    ("bad multiplicity", _bad(designs={"stratified": {"multiplicity": "holm"}}), "designs.stratified.multiplicity"),
    ("method for other endpoint", _bad(testing={"method": "schoenfeld"}), "testing.method"),
    ("uninformative assay", _bad(population={"prevalence": 0.3, "assay_sensitivity": 0.5, "assay_specificity": 0.5}), "population.assay_specificity"),
    ("top level list", [1, 2], ""),
]


@pytest.mark.parametrize("name,data,field", BAD, ids=[b[0] for b in BAD])
def test_bad_input_exits_2_naming_the_field(name, data, field, tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    assert main(["compute", str(path), "--format", "json"]) == 2
    err = capsys.readouterr().err
    assert f"{field}:" in err if field else "JSON object" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("text", ['{"version": 1, "endpoint": "contin', "\x00\xff", ""])
def test_truncated_or_garbage_file_exits_2(text, tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_bytes(text.encode("latin-1"))
    assert main(["compute", str(path)]) == 2
    assert "(file)" in capsys.readouterr().err


def test_missing_file_exits_2(tmp_path, capsys):
    assert main(["compute", str(tmp_path / "nope.json")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_installed_entry_point_runs_without_traceback(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(_bad(population={"prevalence": 0})))
    out = subprocess.run([sys.executable, "-m", "ui.cli", "compute", str(path)], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 2
    assert "population.prevalence: must be > 0, got 0" in out.stderr
    assert "Traceback" not in out.stderr


def test_compute_runs_without_display_and_loads_no_qt():
    """``compute`` (and the parser of every subcommand) needs no display, Qt or plotting."""
    code = (
        "import sys, io, contextlib\n"
        "from ui.cli import main, build_parser\n"
        f"with contextlib.redirect_stdout(io.StringIO()): rc = main(['compute', {str(EXAMPLES[0])!r}])\n"
        "build_parser()\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('PySide6', 'shiboken6', 'matplotlib'))\n"
        "print(rc, bad); sys.exit(rc or bool(bad))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stdout + out.stderr


def test_app_without_display_explains_and_exits_1(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    out = subprocess.run([sys.executable, "-m", "ui.cli"], cwd=ROOT, capture_output=True, text=True, env=env)
    if not sys.platform.startswith("linux"):
        pytest.skip("the display check is Linux-specific")
    assert out.returncode == 1
    assert "no display" in out.stderr and "Traceback" not in out.stderr
