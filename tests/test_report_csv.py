"""CSV exports of the design comparison, the curves and a sensitivity grid."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
from conftest import SCENARIOS

from planner.compute import compare_designs
from planner.curves import n_vs_prevalence, power_vs_n
from planner.report.csv_export import CURVES, comparison_csv, curve_csv, grid_csv
from planner.scenario_io import load_scenario
from ui.cli import main

IPASS = SCENARIOS / "egfr_nsclc_ipass.json"
CHANCE = SCENARIOS / "cyp2c19_chance.json"


def _rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_comparison_csv_equals_the_core():
    c = compare_designs(load_scenario(IPASS), include_adaptive=False)
    rows = {r["design"]: r for r in _rows(comparison_csv(c))}
    assert set(rows) == set(c.designs)
    for name, r in c.designs.items():
        row = rows[name]
        assert row["feasible"] == ("true" if r.feasible else "false")
        if not r.feasible:
            assert row["n_randomized"] == "" and row["message"] == r.message
            continue
        assert int(row["n_randomized"]) == r.n_randomized
        assert int(row["n_treatment"]) + int(row["n_control"]) == r.n_randomized
        assert int(row["events"]) == r.events
        assert float(row["power"]) == r.power
        assert float(row["n_randomized_exact"]) == r.n_randomized_exact
        assert row["method"] == r.method
    assert float(rows["stratified"]["power_subgroup"]) == c.designs["stratified"].claims["subgroup"]


def test_curve_csv_matches_the_curves_module():
    s = load_scenario(CHANCE)
    text = curve_csv(s, "n_vs_prevalence", designs=["targeted", "all_comers"], grid=[0.2, 0.4, 0.6])
    rows = _rows(text)
    assert list(rows[0]) == ["prevalence", "targeted", "all_comers"]
    ref = n_vs_prevalence(s, "all_comers", [0.2, 0.4, 0.6]).y["n_randomized"]
    assert np.allclose([float(r["all_comers"]) for r in rows], ref)
    text = curve_csv(s, "power_vs_n", designs=["stratified"], grid=[500, 1000])
    rows = _rows(text)
    assert list(rows[0]) == ["n_randomized", "stratified", "stratified_overall", "stratified_subgroup",
                             "stratified_either", "stratified_both"]
    assert np.allclose([float(r["stratified"]) for r in rows], power_vs_n(s, "stratified", [500, 1000]).y["power"])


@pytest.mark.parametrize("curve", CURVES)
def test_every_curve_exports_with_default_grid(curve):
    s = load_scenario(IPASS)
    rows = _rows(curve_csv(s, curve, comparison=compare_designs(s, include_adaptive=False)))
    assert len(rows) > 10
    assert rows[0]["targeted"] != ""


def test_unattainable_points_are_empty_cells():
    rows = _rows(curve_csv(load_scenario(IPASS), "n_vs_prevalence", designs=["all_comers"], grid=[0.3, 0.95]))
    assert rows[0]["all_comers"] == "" and float(rows[1]["all_comers"]) > 0


def test_grid_csv():
    text = grid_csv(load_scenario(IPASS), "stratified", ("population.prevalence", [0.4, 0.6]),
                    ("positive.hazard_ratio", [0.4, 0.5]))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["population.prevalence \\ positive.hazard_ratio", "0.4", "0.5"]
    assert len(rows) == 3 and all(int(v) > 0 for r in rows[1:] for v in r[1:])
    with pytest.raises(ValueError, match="unknown design"):
        grid_csv(load_scenario(IPASS), "nonsense", ("population.prevalence", [0.4]))


def test_cli_export(tmp_path, capsys):
    out = tmp_path / "cmp.csv"
    assert main(["export", str(CHANCE), "--what", "comparison", "-o", str(out)]) == 0
    rows = _rows(out.read_text(encoding="utf-8"))
    assert {r["design"] for r in rows} == {"all_comers", "targeted", "stratified", "strategy", "interaction"}
    capsys.readouterr()
    assert main(["export", str(CHANCE), "--what", "curves", "--curve", "n_vs_prevalence",
                 "--design", "targeted", "--x", "0.2,0.5"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "prevalence,targeted"
    assert main(["export", str(IPASS), "--what", "grid", "--design", "targeted",
                 "--rows", "positive.hazard_ratio=0.4:0.6:0.1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "positive.hazard_ratio,n" and len(lines) == 4
    assert main(["export", str(IPASS), "--what", "grid", "--rows", "prevalence"]) == 2
    assert "FIELD=VALUES" in capsys.readouterr().err
