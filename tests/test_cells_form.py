"""The cells form (several biomarker populations, issue 12): reader, writer, round trip, bad input."""

from __future__ import annotations

import copy
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from planner.errors import ScenarioError
from planner.scenario_io import dumps_scenario, parse_scenario_text, scenario_from_dict

ROOT = Path(__file__).resolve().parent.parent


def cells_scenario(endpoint: str = "survival") -> dict:
    """Three nested PD-L1 cells, two populations (KEYNOTE-042 shaped)."""
    outcome = {
        "survival": [{"control_median": 12.0, "hazard_ratio": hr} for hr in (0.69, 0.9, 1.0)],
        "continuous": [{"mean_difference": d, "sd": 1.0} for d in (0.5, 0.3, 0.0)],
        "binary": [{"control_rate": 0.3, "treatment_rate": t} for t in (0.5, 0.4, 0.3)],
    }[endpoint]
    d = {
        "format": "enrichment-planner-scenario", "version": 2, "title": "cells", "endpoint": endpoint,
        "population": {
            "cells": [{"name": "high", "prevalence": 0.3}, {"name": "mid", "prevalence": 0.4},
                      {"name": "low", "prevalence": 0.3}],
            "populations": [{"name": "S1", "cells": ["high"]}, {"name": "S2", "cells": ["high", "mid"]}],
        },
        "cells": dict(zip(("high", "mid", "low"), outcome)),
        "testing": {"alpha": 0.025, "power": 0.8},
        "designs": {"all_comers": {}, "targeted": {"population": "S2"},
                    "stratified": {"multiplicity": "simes", "size_for": "at_least_one"}},
    }
    if endpoint == "survival":
        d["survival"] = {"accrual_time": 24, "follow_up_time": 12}
    return d


def test_reads_cells_populations_and_derived_summaries():
    s = scenario_from_dict(cells_scenario())
    assert s.has_cells and [c.name for c in s.population.cells] == ["high", "mid", "low"]
    assert [q.cells for q in s.population.populations] == [("high",), ("high", "mid")]
    assert s.population.prevalence == 0.3  # the first population's
    assert s.positive.hazard_ratio == 0.69  # first population = the cell "high"
    assert math.isclose(s.negative.hazard_ratio, math.exp((0.4 * math.log(0.9)) / 0.7))
    assert s.designs["targeted"].population == "S2"
    assert s.designs["stratified"].multiplicity == "simes"


@pytest.mark.parametrize("endpoint", ["survival", "continuous", "binary"])
def test_round_trip_load_save_load_is_the_identity(endpoint):
    d = cells_scenario(endpoint)
    d["designs"]["stratified"] = {"multiplicity": "fixed_sequence", "order": ["S2", "F", "S1"], "size_for": "F"}
    d["designs"]["adaptive"] = {"planned_subjects": [100, 200], "planned_events": [50, 100],
                                "selection": {"rule": "rbest", "r": 2}}
    if endpoint == "survival":
        del d["designs"]["adaptive"]["planned_subjects"]
    else:
        del d["designs"]["adaptive"]["planned_events"]
    s = scenario_from_dict(d)
    text = dumps_scenario(s)
    again = parse_scenario_text(text)
    assert again == s and dumps_scenario(again) == text
    written = json.loads(text)
    assert "positive" not in written and "negative" not in written and "cells" in written
    assert "assay_sensitivity" not in written["population"] and "prevalence" not in written["population"]
    assert written["designs"]["adaptive"]["selection"]["r"] == 2


def _problem(d: dict) -> list[str]:
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(d)
    return [p.path for p in err.value.problems]


def _mutate(change):
    d = cells_scenario()
    change(d)
    return d


BAD = {
    "prevalences not summing to 1": (lambda d: d["population"]["cells"][2].update(prevalence=0.2), "population.cells"),
    "unknown cell": (lambda d: d["population"]["populations"][1]["cells"].__setitem__(0, "nope"),
                     "population.populations[1].cells[0]"),
    "population equal to F": (lambda d: d["population"]["populations"][1].update(cells=["high", "mid", "low"]),
                              "population.populations[1].cells"),
    "empty population": (lambda d: d["population"]["populations"][0].update(cells=[]),
                         "population.populations[0].cells"),
    "nine cells": (lambda d: d["population"].update(
        cells=[{"name": f"c{i}", "prevalence": 1 / 9} for i in range(9)]), "population.cells"),
    "one cell": (lambda d: d["population"].update(cells=[{"name": "all", "prevalence": 1.0}]), "population.cells"),
    "four populations": (lambda d: d["population"]["populations"].extend(
        [{"name": "a", "cells": ["mid"]}, {"name": "b", "cells": ["low"]}]), "population.populations"),
    "duplicate cell names": (lambda d: d["population"]["cells"][1].update(name="high"), "population.cells[1].name"),
    "duplicate population names": (lambda d: d["population"]["populations"][1].update(name="S1"),
                                   "population.populations[1].name"),
    "population named F": (lambda d: d["population"]["populations"][1].update(name="F"),
                           "population.populations[1].name"),
    "empty cell name": (lambda d: d["population"]["cells"][1].update(name=""), "population.cells[1].name"),
    "zero prevalence": (lambda d: d["population"]["cells"][1].update(prevalence=0), "population.cells[1].prevalence"),
    "outcome block missing": (lambda d: d["cells"].pop("mid"), "cells.mid"),
    "outcome of an unknown cell": (lambda d: d["cells"].update(other={"control_median": 1, "hazard_ratio": 1}),
                                   "cells.other"),
    "bad cell outcome": (lambda d: d["cells"]["low"].update(hazard_ratio=-1), "cells.low.hazard_ratio"),
    "missing cell field": (lambda d: d["cells"]["low"].pop("control_median"), "cells.low.control_median"),
    "positive in cells form": (lambda d: d.update(positive={"control_median": 1, "hazard_ratio": 1}), "positive"),
    "assay accuracy in cells form": (lambda d: d["population"].update(assay_sensitivity=0.9),
                                     "population.assay_sensitivity"),
    "targeted at unknown population": (lambda d: d["designs"]["targeted"].update(population="S9"),
                                       "designs.targeted.population"),
    "v1 multiplicity code": (lambda d: d["designs"]["stratified"].update(multiplicity="spiessens_debois"),
                             "designs.stratified.multiplicity"),
    "size for unknown claim": (lambda d: d["designs"]["stratified"].update(size_for="both"),
                               "designs.stratified.size_for"),
    "order missing F": (lambda d: d["designs"]["stratified"].update(multiplicity="fixed_sequence",
                                                                     order=["S1", "S2"]), "designs.stratified.order"),
    "order without fixed sequence": (lambda d: d["designs"]["stratified"].update(order=["S1", "S2", "F"]),
                                     "designs.stratified.order"),
    "rbest r too large": (lambda d: d["designs"].update(adaptive={"planned_events": [50, 100], "selection": {
        "rule": "rbest", "r": 4}}), "designs.adaptive.selection.r"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_input_is_named_at_its_field(name):
    change, field = BAD[name]
    assert field in _problem(_mutate(change)), name


@pytest.mark.parametrize("name", ["prevalences not summing to 1", "unknown cell", "population equal to F",
                                  "empty population", "nine cells", "duplicate cell names", "outcome block missing"])
def test_cli_exits_2_naming_the_field(name, tmp_path):
    change, field = BAD[name]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(_mutate(change)), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "ui.cli", "compute", str(path)], cwd=ROOT, capture_output=True,
                         text=True)
    assert out.returncode == 2, out.stderr
    assert f"{field}:" in out.stderr + out.stdout
    assert "Traceback" not in out.stderr


def test_cell_fields_take_the_bounds_of_positive():
    from planner.catalogue import FIELDS_BY_PATH

    spec = FIELDS_BY_PATH["positive.hazard_ratio"]
    for value, ok in ((spec.ge, True), (spec.le, True), (spec.ge / 2, False), (spec.le * 2, False)):
        d = cells_scenario()
        d["cells"]["mid"]["hazard_ratio"] = value
        if ok:
            scenario_from_dict(d)
        else:
            assert "cells.mid.hazard_ratio" in _problem(d)
    spec = FIELDS_BY_PATH["population.cells.prevalence"]
    d = cells_scenario()
    d["population"]["cells"] = [{"name": "a", "prevalence": spec.ge}, {"name": "b", "prevalence": 1 - spec.ge}]
    d["population"]["populations"] = [{"name": "A", "cells": ["a"]}]
    d["cells"] = {"a": d["cells"]["high"], "b": d["cells"]["low"]}
    d["designs"]["targeted"] = {}
    scenario_from_dict(d)
    d["population"]["cells"] = [{"name": "a", "prevalence": spec.ge / 2}, {"name": "b", "prevalence": 1 - spec.ge / 2}]
    assert "population.cells[0].prevalence" in _problem(d)


def test_piecewise_and_binary_effect_cells_read_like_positive():
    d = cells_scenario()
    d["cells"]["low"] = {"piecewise": {"starts": [0, 3], "control_hazards": [0.06, 0.06], "hazard_ratios": [1, 0.8]}}
    s = scenario_from_dict(d)
    assert s.cells["low"].piecewise is not None and 0.8 < s.cells["low"].hazard_ratio < 1
    assert parse_scenario_text(dumps_scenario(s)) == s
    b = cells_scenario("binary")
    b["cells"]["mid"] = {"control_rate": 0.3, "effect": {"scale": "odds_ratio", "value": 2.0}}
    s = scenario_from_dict(b)
    assert s.cells["mid"].effect.scale == "odds_ratio"
    assert parse_scenario_text(dumps_scenario(s)) == s


def test_two_subgroup_files_are_untouched():
    from conftest import base_scenario

    s = scenario_from_dict(base_scenario())
    assert not s.has_cells and "cells" not in json.loads(dumps_scenario(s))
    d = copy.deepcopy(base_scenario())
    d["cells"] = {}
    with pytest.raises(ScenarioError, match="cells: needs population.cells"):
        scenario_from_dict(d)


def _one_population(endpoint: str = "continuous") -> dict:
    d = cells_scenario(endpoint)
    d["population"]["populations"] = [{"name": "S2", "cells": ["high", "mid"]}]
    d["designs"] = {"all_comers": {}, "targeted": {}, "stratified": {"multiplicity": "parametric"},
                    "strategy": {}, "interaction": {}}
    return d


def test_compute_json_has_the_population_fields(tmp_path):
    path = tmp_path / "cells.json"
    path.write_text(json.dumps(_one_population()), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "ui.cli", "compute", "--format", "json", str(path)], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    designs = json.loads(out.stdout)["designs"]
    strat = designs["stratified"]
    assert set(strat["power_by_population"]) == {"F", "S2"}
    assert strat["power"] == strat["power_by_population"]["S2"]  # sized for the first population by default
    assert strat["power_at_least_one"] >= max(strat["power_by_population"].values()) - 1e-12
    assert strat["power_all"] <= min(strat["power_by_population"].values()) + 1e-12
    assert "power_overall" not in strat and "power_subgroup" not in strat
    assert designs["interaction"]["power"] == designs["interaction"]["power_by_population"]["S2"]
    assert designs["targeted"]["n_screened"] >= designs["targeted"]["n_randomized"] / 0.7
    assert "power_by_population" not in designs["all_comers"]
    assert "closed test" in strat["method"]


def test_targeted_screens_its_population_and_strategy_treats_it():
    from planner.compute import compare_designs

    d = cells_scenario("continuous")
    d["designs"] = {"targeted": {"population": "S2"}, "strategy": {}}
    res = compare_designs(scenario_from_dict(d), include_adaptive=False).designs
    t = res["targeted"]
    assert t.details["population"] == "S2" and t.details["population_prevalence"] == pytest.approx(0.7)
    assert t.n_screened == math.ceil(t.n_randomized / 0.7 - 1e-9)
    assert res["strategy"].details["population"] == "S2"
    # targeted at S2: the effect is the prevalence-weighted mixture of its cells (0.5, 0.3 with 0.3, 0.4)
    assert t.details["effect_tested"] == pytest.approx((0.3 * 0.5 + 0.4 * 0.3) / 0.7)


def test_a_bad_population_is_the_only_problem_reported():
    """Prevalences not summing to 1 make the population unreadable; the design options that name
    populations are then not judged by the two-subgroup rules (no false 'multiplicity must be
    spiessens_debois…' beside the true reason)."""
    d = cells_scenario()
    d["population"]["cells"][1]["prevalence"] = 0.37
    d["designs"]["stratified"] = {"multiplicity": "fixed_sequence", "order": ["S1", "S2", "F"], "size_for": "S2"}
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(d)
    assert [p.path for p in err.value.problems] == ["population.cells"]


def test_cells_form_without_designs_block_saves_and_reopens(tmp_path):
    """No ``designs`` block: every fixed design with the cells form's defaults (parametric, sized for
    the first population), so the saved file opens again with the same scenario (it used to be
    written with the two-subgroup defaults 'spiessens_debois' / 'subgroup' and then refused)."""
    from planner.scenario_io import load_scenario, save_scenario

    src = Path(__file__).resolve().parents[1] / "resources" / "scenarios" / "pdl1_nsclc_keynote042_cutoffs.json"
    data = json.loads(src.read_text(encoding="utf-8"))
    del data["designs"]
    first = tmp_path / "no_designs.json"
    first.write_text(json.dumps(data), encoding="utf-8")
    s = load_scenario(first)
    strat = s.designs["stratified"]
    assert strat.multiplicity == "parametric" and strat.size_for == "TPS ≥50%"
    again = tmp_path / "saved.json"
    save_scenario(s, again)
    assert load_scenario(again) == s
