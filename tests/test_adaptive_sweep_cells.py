"""The adaptive design's sweep in the cells form (several populations): ``sweep --vary`` over a
cell's prevalence (``population.cells.<name>.prevalence``, the other cells rescaled in proportion),
a cell's outcome field (``cells.<name>.<field>``) or a population's prevalence
(``population.populations.<name>.prevalence``: its cells × γ′/γ, the others × (1 − γ′)/(1 − γ)),
the paths of planner.population_sweeps; in the CLI and the app's sweep panel. Bad paths exit 2
naming ``--vary PATH``.

* A one-point sweep at the scenario's own value equals ``simulate`` with the same seed exactly.
* A grid point's scenario has the value set and (prevalence) the others rescaled to sum 1.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planner.adaptive.api import simulate_scenario
from planner.adaptive.sweep import Vary, check_varies, parse_vary, point_scenario, run_sweep
from planner.errors import ScenarioError
from planner.scenario_io import load_scenario
from tests.test_adaptive_sweep import _run

ROOT = Path(__file__).resolve().parent.parent
KEYNOTE = ROOT / "resources" / "scenarios" / "pdl1_nsclc_keynote042_cutoffs.json"
HIGH = "TPS ≥50%"


@pytest.fixture()
def keynote(tmp_path) -> Path:
    data = json.loads(KEYNOTE.read_text(encoding="utf-8"))
    data["designs"]["adaptive"] = {"information_rates": [0.5, 1.0], "planned_events": [200, 400],
                                   "simulations": 500, "seed": 7}
    path = tmp_path / "keynote_adaptive.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_one_point_sweep_of_a_cell_equals_simulate(keynote):
    s = load_scenario(keynote)
    for path, value in ((f"cells.{HIGH}.hazard_ratio", s.cells[HIGH].hazard_ratio),
                        (f"population.cells.{HIGH}.prevalence", s.population.cells[0].prevalence)):
        res = run_sweep(s, [Vary(path, (value,))], workers=1, with_fixed=False)
        sim = simulate_scenario(s, workers=1)
        assert res.rows[0]["power"] == sim.power and res.rows[0]["expected_events"] == sim.expected_events
        assert res.results[0].reject_by_population == sim.reject_by_population


def test_point_scenarios_of_cells_paths(keynote):
    s = load_scenario(keynote)
    one = point_scenario(s, {f"population.cells.{HIGH}.prevalence": 0.4})
    prev = {c.name: c.prevalence for c in one.population.cells}
    old = {c.name: c.prevalence for c in s.population.cells}
    assert prev[HIGH] == 0.4 and sum(prev.values()) == pytest.approx(1.0)
    assert prev["TPS <1%"] == pytest.approx(old["TPS <1%"] * 0.6 / (1 - old[HIGH]))
    assert one.population.prevalence == pytest.approx(0.4)  # the first population is the cell
    two = point_scenario(s, {f"cells.{HIGH}.hazard_ratio": 0.5})
    assert two.cells[HIGH].hazard_ratio == 0.5 and two.cells["TPS <1%"] == s.cells["TPS <1%"]


def test_a_population_prevalence_scales_its_cells(keynote):
    s = load_scenario(keynote)
    old = {c.name: c.prevalence for c in s.population.cells}
    one = point_scenario(s, {"population.populations.TPS ≥20%.prevalence": 0.5})
    prev = {c.name: c.prevalence for c in one.population.cells}
    g = old[HIGH] + old["TPS 20–49%"]
    assert prev[HIGH] == pytest.approx(old[HIGH] * 0.5 / g) and prev[HIGH] + prev["TPS 20–49%"] == pytest.approx(0.5)
    assert prev["TPS <1%"] == pytest.approx(old["TPS <1%"] * 0.5 / (1 - g)) and sum(prev.values()) == pytest.approx(1)
    from planner.population_sweeps import sweep_fields, sweep_value

    assert sweep_value(one, "population.populations.TPS ≥20%.prevalence") == pytest.approx(0.5)
    assert dict(sweep_fields(s))["population.populations.TPS ≥1%.prevalence"] == "prevalence of population TPS ≥1%"
    code, out, err = _run(["sweep", str(keynote), "--vary", "population.populations.TPS ≥1%.prevalence=0.5,0.7",
                           "--simulations", "300", "--format", "csv", "--workers", "1"])
    assert code == 0 and out.splitlines()[0].startswith("population.populations.TPS ≥1%.prevalence,power"), err


def test_cli_sweep_over_cells(keynote):
    code, out, err = _run(["sweep", str(keynote), "--vary", f"cells.{HIGH}.hazard_ratio=0.6:0.8:0.1",
                           "--vary", "population.cells.TPS <1%.prevalence=0.3,0.4",
                           "--simulations", "300", "--format", "json", "--workers", "1"])
    assert code == 0, err
    doc = json.loads(out)["sweep"]
    assert doc["varied"] == [f"cells.{HIGH}.hazard_ratio", "population.cells.TPS <1%.prevalence"]
    assert len(doc["rows"]) == 6 and all(0 <= r["power"] <= 1 for r in doc["rows"])
    power = {(r[doc["varied"][0]], r[doc["varied"][1]]): r["power"] for r in doc["rows"]}
    assert power[(0.6, 0.3)] > power[(0.8, 0.3)]  # a stronger effect in the best cell: more power
    assert "power_stratified" in doc["rows"][0]


def test_cli_text_heads_tell_two_prevalence_paths_apart(keynote):
    code, out, err = _run(["sweep", str(keynote), "--vary", "population.cells.TPS <1%.prevalence=0.3",
                           "--vary", f"population.cells.{HIGH}.prevalence=0.2",
                           "--simulations", "200", "--workers", "1"])
    assert code == 0, err
    head = next(line for line in out.splitlines() if "power" in line and "E[" in line)
    assert "TPS <1%.prevalence" in head and f"{HIGH}.prevalence" in head, head
    assert f"{HIGH} only" in head and "S only" not in head, head  # the first population alone


@pytest.mark.parametrize("bad, words", [
    ("negative.hazard_ratio=0.6", "does not apply in the cells form"),
    ("population.prevalence=0.3", "does not apply in the cells form"),
    ("cells.nobody.hazard_ratio=0.6", "names no cell"),
    (f"cells.{HIGH}.hazard_ratio=-1", "out of range"),
    (f"cells.{HIGH}.mean_difference=1", "does not apply to a survival endpoint"),
    (f"cells.{HIGH}.colour=1", "is not a numeric scenario field"),
    (f"population.cells.{HIGH}.prevalence=1.2", "out of range"),
    ("population.populations.nobody.prevalence=0.3", "names no population"),
    ("population.populations.TPS ≥1%.prevalence=0", "out of range"),
])
def test_bad_cells_paths_exit_2_naming_the_field(keynote, bad, words):
    code, _, err = _run(["sweep", str(keynote), "--vary", bad, "--simulations", "100", "--workers", "1"])
    assert code == 2 and f"--vary {bad.split('=')[0]}" in err and words in err, err


def test_a_cells_path_in_the_two_subgroup_form_is_refused():
    s = load_scenario(ROOT / "resources" / "scenarios" / "hrd_ovarian_prima.json")
    with pytest.raises(ScenarioError, match="--vary cells.B\\+.hazard_ratio"):
        check_varies(s, [parse_vary("cells.B+.hazard_ratio=0.5", "survival")])


def test_the_app_sweeps_a_cell(qtbot, keynote):
    from ui.adaptive_sweep import SweepPanel
    from ui.document import ScenarioDocument

    doc = ScenarioDocument()
    doc.open(keynote)
    panel = SweepPanel(doc)
    qtbot.addWidget(panel)
    paths = [panel.fields[0].itemData(i) for i in range(panel.fields[0].count())]
    assert f"population.cells.{HIGH}.prevalence" in paths and f"cells.{HIGH}.hazard_ratio" in paths
    assert "population.populations.TPS ≥20%.prevalence" in paths
    assert not any(p.startswith(("positive.", "negative.")) for p in paths)
    assert panel.fields[0].currentData() == "cells.TPS <1%.hazard_ratio"
    panel.fields[0].setCurrentIndex(paths.index(f"cells.{HIGH}.hazard_ratio"))
    assert panel.values[0].text().startswith("0.41")  # ±40 % around 0.69
    assert panel.fields[0].currentText() == f"hazard ratio in cell {HIGH}"
    panel.values[0].setText("0.6,0.7")
    panel.simulations.setValue(200)
    settings = panel.current_settings()
    assert settings == {"vary": [f"cells.{HIGH}.hazard_ratio=0.6,0.7"], "simulations": 200}
    panel.fields[1].setCurrentIndex(panel.fields[1].findData("population.cells.TPS <1%.prevalence"))
    panel.values[1].setText("0.3")
    assert panel.current_settings() is not None
    panel.values[0].setText("0.6,x")
    assert panel.current_settings() is None and f"--vary cells.{HIGH}.hazard_ratio" in panel.problem.text()
