"""Edit, then report: the report of an edited scenario prints no assurance of the old
assumptions, flags provenance written for the old values, states the question solved in the app
and contains the adaptive run just made (issue 9, items 4–6)."""

from __future__ import annotations

import re

import ui_helpers
from report_helpers import parse_report
from ui_helpers import EXAMPLES, settle

from planner.report import build_report
from planner.scenario_io import load_scenario, scenario_from_dict, scenario_to_dict

make_window = ui_helpers.make_window
IPASS = EXAMPLES / "egfr_nsclc_ipass.json"
PRIMA = EXAMPLES / "hrd_ovarian_prima.json"


def _edited_ipass_dict() -> dict:
    d = scenario_to_dict(load_scenario(IPASS))
    d["population"]["prevalence"] = 0.3
    d["negative"]["hazard_ratio"] = 0.9
    return d


def test_stale_assurance_of_the_issue_is_not_printed():
    """IPASS at prevalence 0.3 and B− HR 0.9: power 0.900 was printed beside "assurance 4.7%"."""
    report = build_report(scenario_from_dict(_edited_ipass_dict()), include_figures=False)
    a = report.assurance["all_comers"]
    assert a.power > 0.9 and a.assurance < 0.06  # the stale number still exists in the core …
    assert a.conflicts and any("population.prevalence is 0.3" in c for c in a.conflicts)
    html = report.html
    assert "4.7%" not in html  # … and is not printed
    assert 'data-assurance="conflict"' in html and "Assurance is not reported" in html
    assert "differs by +0.297" in html  # by how much
    assert "the assurance (expected power)" not in html  # no justification sentence either
    parsed = parse_report(html)
    assert not any(field == "assurance" for _, field in parsed.cells)


def test_unedited_example_keeps_its_assurance():
    report = build_report(load_scenario(IPASS), include_figures=False)
    assert not any(a.conflicts for a in report.assurance.values())
    cells = parse_report(report.html).cells
    assert cells[("assurance-targeted", "assurance")].endswith("%")
    assert "centred on 0.5968" in report.html  # 261 of 437 beside 0.6, the offset stated


def test_report_follows_the_question_and_units():
    s = load_scenario(IPASS)
    r = build_report(s, include_figures=False, question="power", n_randomized=300)
    q = parse_report(r.html)
    assert "the power at N = 300 randomized patients (total, both arms)" in r.html
    assert q.cells[("targeted", "n_randomized")] == "300"
    assert "--question power --n-randomized 300" in r.html
    e = build_report(s, include_figures=False, question="effect", n_randomized=300)
    de = e.comparison.designs["targeted"].detectable_effect
    assert "smallest biomarker-positive effect detectable with 90% power at N = 300" in e.html
    assert parse_report(e.html).cells[("targeted", "detectable")] == f"{de.value:.3f}"
    assert "Detectable B+ hazard ratio" in e.html
    for header in ("Randomized (patients)", "Screened (patients)", "Cost (USD)", "Patients per month"):
        assert header in r.html
    for code in ("schoenfeld", "obrien_fleming", "spiessens_debois", ">survival<"):
        assert code not in r.html.split("Appendix: scenario")[0]


def test_cheapest_sentence_names_the_eligible_designs_and_excludes_interaction():
    r = build_report(load_scenario(IPASS), include_figures=False)
    text = re.sub(r"<[^>]+>", "", r.html.split('data-summary="cheapest">')[1].split("</p>")[0])
    assert "Designs that test efficacy and are compared: all-comers, targeted (enrichment), " \
           "biomarker-stratified and biomarker-strategy." in text
    assert "The interaction design is not a candidate: it tests the treatment-by-marker interaction" in text
    assert "it would need" in text and "randomized patients" in text


def test_adaptive_design_is_in_the_comparison_with_its_maximum_size():
    s = load_scenario(PRIMA)
    r = build_report(s, include_figures=False)
    cells = parse_report(r.html).cells
    sim = r.adaptive
    assert cells[("adaptive", "events")] == f"{sim['events']:,}"
    assert "Maximum number of events" in r.html and "Expected number of events" in r.html
    assert "If every stage is run" in r.justifications["adaptive"]
    assert "O'Brien–Fleming efficacy boundaries" in r.justifications["adaptive"]


def test_app_edits_then_report(make_window, qtbot, tmp_path):
    """Change prevalence and an effect in the app, solve for power at N, run the adaptive design,
    export the report and parse it."""
    d = scenario_to_dict(load_scenario(IPASS))
    d["designs"]["adaptive"] = {"planned_events": [150, 300], "simulations": 2000, "seed": 7}
    path = tmp_path / "ipass.json"
    path.write_text(__import__("json").dumps(d), encoding="utf-8")
    w = make_window(path)
    w.doc.set_value("population.prevalence", 0.3)
    w.doc.set_value("negative.hazard_ratio", 0.9)
    data = w.doc.data
    # the moved prior and the provenance notes now record the values they were written for
    assert data["uncertainty"]["negative_effect"] == {"se": data["uncertainty"]["negative_effect"]["se"]}
    assert data["uncertainty"]["prevalence"] == {"x": 261, "n": 437}
    assert data["provenance"]["population.prevalence"]["value"] == 0.6
    assert data["provenance"]["negative.hazard_ratio"]["value"] == 2.85
    row = w.inputs.rows["population.prevalence"]
    assert row.note_button.property("note_stale")  # the note icon beside the field
    assert "0.6 when the note was written, 0.3 now" in row.note_button.toolTip()
    w.doc.set_provenance("testing.alpha", "conventional")
    assert w.doc.data["provenance"]["testing.alpha"] == {"source": "conventional", "value": 0.025}
    w.comparison.set_question("power", 400)
    settle(qtbot, w)
    with qtbot.waitSignal(w.adaptive.finished, timeout=60000):
        w.adaptive.run()
    run = w.adaptive.result
    out = tmp_path / "r.html"
    w.export_report(out)
    qtbot.waitUntil(lambda: not w.tasks.running, timeout=120000)  # exported in the background
    html = out.read_text(encoding="utf-8")
    cells = parse_report(html).cells
    assert "4.7%" not in html and 'data-assurance="conflict"' in html  # no stale assurance
    assert html.count('class="stale"') >= 2  # flagged provenance
    assert "0.6 when the note was written, 0.3 now" in html
    assert "2.85 when the note was written, 0.9 now" in html
    assert "the power at N = 400 randomized patients" in html  # the question solved
    assert cells[("targeted", "n_randomized")] == "400"
    assert cells[("adaptive", "events")] == f"{run['events']:,}"  # the adaptive run, as made
    assert cells[("reject_at_least_one", "reject_at_least_one")] == f"{100 * run['reject_at_least_one']:.1f}%"
    assert f"{run['simulations']:,} simulated trials, seed 7" in html


def test_app_table_shows_a_conflict_instead_of_a_stale_assurance(make_window, qtbot):
    from ui.comparison_view import ASSURANCE_COL

    w = make_window(IPASS)
    w.inputs.rows["population.prevalence"].editor.setValue(0.3)
    settle(qtbot, w)
    qtbot.waitUntil(lambda: w.comparison.assurance_current and not w.assurance.busy, timeout=20000)
    item = w.comparison.table.item(1, ASSURANCE_COL)
    assert item.text() == "conflict" and "population.prevalence is 0.3" in item.toolTip()
