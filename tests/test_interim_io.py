"""The interim block: reading, writing back, bad blocks exit 2 naming the field; CLI JSON fields."""

import json

import pytest
from conftest import SCENARIOS, base_scenario

from planner.errors import ScenarioError
from planner.scenario import INHERIT
from planner.scenario_io import dumps_scenario, parse_scenario_text, scenario_from_dict
from ui.cli import main

PLAN = {"information_rates": [0.5, 1.0], "efficacy": "obrien_fleming", "gamma": None,
        "futility": {"bounds": [0.0], "binding": False}}
EXAMPLE = SCENARIOS / "hrd_ovarian_paola1_interim.json"


def test_round_trip_top_level_override_and_null():
    d = base_scenario("continuous", version=2, interim=PLAN, designs={
        "all_comers": {}, "targeted": {"interim": None},
        "stratified": {"interim": {"information_rates": [0.3, 0.6, 1], "efficacy": "hwang_shih_decani", "gamma": -4}}})
    s = scenario_from_dict(d)
    assert s.interim.information_rates == (0.5, 1.0) and s.designs["all_comers"].interim == INHERIT
    assert s.designs["targeted"].interim is None and s.interim_for("targeted") is None
    assert s.interim_for("stratified").gamma == -4 and s.interim_for("all_comers") == s.interim
    text = dumps_scenario(s)
    back = json.loads(text)
    assert back["interim"] == PLAN and back["designs"]["targeted"] == {"interim": None}
    assert "interim" not in back["designs"]["all_comers"]
    assert parse_scenario_text(text) == s


@pytest.mark.parametrize("block, path, words", [
    ({"information_rates": [0.5, 0.4, 1]}, "interim.information_rates", "must increase"),
    ({"information_rates": [0.5, 0.9]}, "interim.information_rates", "the last rate must be 1"),
    ({"information_rates": [0.1, 0.2, 0.3, 0.4, 0.5, 1]}, "interim.information_rates", "2 to 5 looks"),
    ({"information_rates": [0.5, 1], "futility": {"bounds": [3.5]}}, "interim.futility.bounds", "not below the efficacy"),
    ({"information_rates": [0.5, 1], "efficacy": "haybittle"}, "interim.efficacy", "must be one of"),
    ({"information_rates": [0.5, 1], "efficacy": "kim_demets", "gamma": 9}, "interim.gamma", "must be in"),
    ({"information_rates": [0.5, 1], "spending": 1}, "interim.spending", "unknown field"),
])
def test_bad_blocks_name_the_field(block, path, words, tmp_path, capsys):
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(base_scenario(version=2, interim=block))
    assert any(p.path == path and words in p.reason for p in err.value.problems), str(err.value)
    f = tmp_path / "bad.json"
    f.write_text(json.dumps(base_scenario(version=2, designs={"targeted": {"interim": block}})))
    assert main(["compute", str(f)]) == 2
    assert f"designs.targeted.{path}" in capsys.readouterr().err


def test_cli_json_has_the_contract_fields(capsys):
    assert main(["compute", str(EXAMPLE), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for name, r in out["designs"].items():
        if not r["feasible"]:
            continue
        for key in ("expected_n_h0", "expected_n_h1", "expected_events_h0", "expected_events_h1", "looks"):
            assert key in r, (name, key)
        assert r["expected_n_h1"] <= r["n_randomized"] + 1e-9
        for lk in r["looks"]:
            for key in ("information_rate", "n_randomized", "events", "efficacy_z", "futility_z",
                        "reject_probability", "stop_probability"):
                assert key in lk, (name, key)
        assert r["looks"][-1]["futility_z"] is None


def test_cli_text_prints_the_plan_and_looks(capsys):
    assert main(["compute", str(EXAMPLE)]) == 0
    text = capsys.readouterr().out
    assert "two-look group-sequential design with O'Brien–Fleming-type alpha spending" in text
    assert "look 2: t = 1" in text and "expected events:" in text


def test_report_has_boundaries_table_and_names_the_plan(tmp_path):
    from planner.report.html_report import build_report
    from planner.scenario_io import load_scenario

    rep = build_report(load_scenario(EXAMPLE), include_figures=False)
    html = rep.html
    assert "Interim analyses: group-sequential boundaries" in html
    assert 'data-field="efficacy_z"' in html and 'data-field="time"' in html
    just = rep.justifications["targeted"]
    assert "two-look group-sequential design with O'Brien–Fleming-type alpha spending" in just
    assert "the maximum sample size is" in just and "expected sample size under the alternative" in just
