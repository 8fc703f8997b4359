"""A grid over an input the scenario does not use is refused, not an empty table: in a
piecewise survival scenario the subgroup's exponential median and hazard ratio are replaced by its
table (every cell of such a grid used to be blank, exit 0)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from planner.errors import ScenarioError
from planner.population_sweeps import check_sweep_paths, unused_sweep_path
from planner.scenario_io import load_scenario

ROOT = Path(__file__).resolve().parents[1]
DELAYED = ROOT / "resources" / "scenarios" / "pdl1_io_delayed_effect.json"
IPASS = ROOT / "resources" / "scenarios" / "egfr_nsclc_ipass.json"


def test_piecewise_subgroup_fields_are_not_sweepable():
    s = load_scenario(DELAYED)
    assert s.positive.piecewise is not None
    assert unused_sweep_path(s, "positive.hazard_ratio")
    assert unused_sweep_path(s, "positive.control_median")
    assert unused_sweep_path(s, "population.prevalence") is None
    with pytest.raises(ScenarioError) as err:
        check_sweep_paths(s, ["population.prevalence", "positive.hazard_ratio"])
    assert [p.path for p in err.value.problems] == ["positive.hazard_ratio"]


def test_exponential_fields_stay_sweepable():
    s = load_scenario(IPASS)
    assert unused_sweep_path(s, "positive.hazard_ratio") is None


def test_cli_grid_over_an_unused_field_exits_2_naming_it():
    run = subprocess.run(
        [sys.executable, "-m", "ui.cli", "export", str(DELAYED), "--what", "grid", "--design", "all_comers",
         "--rows", "population.prevalence=0.3,0.5", "--cols", "positive.hazard_ratio=0.6,0.7", "-o", "-"],
        capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert run.returncode == 2
    assert "positive.hazard_ratio" in run.stderr and "Traceback" not in run.stderr


def test_sensitivity_tab_does_not_offer_them():
    pytest.importorskip("PySide6")
    from ui.sensitivity_tab import numeric_fields

    s = load_scenario(DELAYED)
    paths = [p for p, _ in numeric_fields("survival", s)]
    assert "positive.hazard_ratio" not in paths and "population.prevalence" in paths
