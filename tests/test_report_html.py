"""The HTML report: numbers equal the core's, user text is escaped, paragraphs are right."""

from __future__ import annotations

import hashlib
import json
import stat
from datetime import datetime, timezone

import pytest
from conftest import SCENARIOS, base_scenario
from report_helpers import parse_report

from planner import __version__
from planner.compute import compare_designs
from planner.report import build_report, canonical_json, justification, scenario_digest
from planner.report.fmt import count, money, number, percent
from planner.report.html_report import adaptive_available, fixed_results
from planner.scenario_io import load_scenario, new_file_mode, scenario_from_dict
from ui.cli import main

IPASS = SCENARIOS / "egfr_nsclc_ipass.json"
CHANCE = SCENARIOS / "cyp2c19_chance.json"
IVACAFTOR = SCENARIOS / "cystic_fibrosis_ivacaftor.json"
KEYNOTE = SCENARIOS / "pdl1_nsclc_keynote042.json"


@pytest.fixture(scope="module")
def keynote_report():
    return build_report(load_scenario(KEYNOTE), source_name=KEYNOTE.name, include_figures=False)


def test_comparison_table_numbers_equal_the_core(keynote_report):
    core = fixed_results(compare_designs(load_scenario(KEYNOTE), include_adaptive=False))
    cells = parse_report(keynote_report.html).cells
    assert set(core) == {"all_comers", "targeted", "stratified", "strategy", "interaction"}
    for name, r in core.items():
        assert cells[(name, "n_randomized")] == count(r.n_randomized)
        assert cells[(name, "n_per_arm")] == f"{count(r.n_per_arm['treatment'])} : {count(r.n_per_arm['control'])}"
        assert cells[(name, "n_screened")] == count(r.n_screened)
        assert cells[(name, "events")] == count(r.events)
        assert cells[(name, "power")] == percent(r.power, trim=False)
        assert cells[(name, "cost")] == money(r.cost, None)
        # parse the numbers back: the printed value rounds the core's
        assert int(cells[(name, "n_randomized")].replace(",", "")) == r.n_randomized
        assert abs(float(cells[(name, "power")].rstrip("%")) / 100 - r.power) <= 0.0005 + 1e-12
        assert abs(float(cells[(name, "cost")].replace(",", "")) - r.cost) <= 0.5
    strat = core["stratified"]
    for claim in ("overall", "subgroup", "either", "both"):
        assert cells[("stratified-claims", f"power_{claim}")] == percent(strat.claims[claim], trim=False)


def test_thousands_separators_and_imperfect_assay_are_reported(keynote_report):
    html = keynote_report.html
    targeted = fixed_results(keynote_report.comparison)["targeted"]
    assert targeted.n_screened >= 1000 and f"{targeted.n_screened:,}" in html
    text = keynote_report.justifications["targeted"]
    assert "sensitivity of 90%" in text and "specificity of 90%" in text
    assert "PPV" in text and f"about {targeted.n_screened:,} patients will be screened" in text


def test_header_has_title_date_version_and_digest(keynote_report):
    html = keynote_report.html
    scenario = load_scenario(KEYNOTE)
    digest = hashlib.sha256(canonical_json(scenario).encode("utf-8")).hexdigest()
    assert keynote_report.digest == digest == scenario_digest(scenario)
    assert digest in html
    assert f"Enrichment Planner {__version__}" in html
    assert keynote_report.generated.strftime("%Y-%m-%d") in html
    assert "KEYNOTE-042" in html


def test_digest_ignores_formatting_but_not_values(tmp_path):
    data = json.loads(IPASS.read_text(encoding="utf-8"))
    a = tmp_path / "a.json"
    a.write_text(json.dumps(data, indent=None, sort_keys=True), encoding="utf-8")
    assert scenario_digest(load_scenario(a)) == scenario_digest(load_scenario(IPASS))
    data["population"]["prevalence"] = 0.61
    a.write_text(json.dumps(data), encoding="utf-8")
    assert scenario_digest(load_scenario(a)) != scenario_digest(load_scenario(IPASS))


def test_every_assumption_is_listed_with_value_unit_and_provenance(keynote_report):
    html = keynote_report.html
    scenario = load_scenario(KEYNOTE)
    for key, note in scenario.provenance.items():
        from html import escape

        assert escape(note) in html, key
    for path in ("population.prevalence", "positive.hazard_ratio", "negative.control_median",
                 "survival.accrual_time", "testing.alpha", "costs.per_screened"):
        assert f'data-path="{path}"' in html
    assert "treatment / control" in html and "months" in html


def test_user_text_is_escaped():
    d = base_scenario(
        "binary",
        title="<script>alert('x')</script> Smith & Jones",
        notes="<img src=http://example.com/x.png> notes & more",
        provenance={"population.prevalence": "<b>bold</b> & <a href='http://evil'>link</a>"},
    )
    report = build_report(scenario_from_dict(d), include_figures=False)
    html = report.html
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Smith &amp; Jones" in html
    assert "<img src=http" not in html and "&lt;img src=http://example.com/x.png&gt;" in html
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt; &amp;" in html
    assert "<a " not in html
    parsed = parse_report(html)
    assert "script" not in parsed.tags and "a" not in parsed.tags and "link" not in parsed.tags


def test_report_fetches_nothing():
    report = build_report(load_scenario(CHANCE))
    parsed = parse_report(report.html)
    assert parsed.images and all(src.startswith("data:image/png;base64,") for src in parsed.images)
    assert not ({"script", "link", "iframe", "object", "embed"} & parsed.tags)
    assert "http://" not in report.html and "https://" not in report.html


def _phrases(text: str, *phrases: str) -> None:
    for p in phrases:
        assert p in text, f"{p!r} not in {text!r}"


def test_survival_justification_has_n_events_effect_alpha_power_and_method():
    scenario = load_scenario(IPASS)
    comparison = compare_designs(scenario, include_adaptive=False)
    r = comparison.designs["targeted"]
    text = justification(scenario, r, comparison.assay, __version__)
    _phrases(
        text,
        f"A total of {r.n_randomized:,} patients ({r.n_per_arm['treatment']:,} per arm) randomized 1:1",
        f"after {r.events:,} events",
        "a hazard ratio of 0.48 in biomarker-positive patients",
        "one-sided alpha 0.025",
        "90% power",
        f"{percent(r.power)}",
        f"about {r.n_screened:,} patients will be screened",
        "prevalence of 60%",
        r.method,
    )
    assert r.method.startswith("log-rank test, Schoenfeld (1981)")
    # the report prints the paragraph (plus a sentence on assurance: IPASS has an uncertainty block)
    report = build_report(scenario, include_figures=False)
    printed = parse_report(report.html).paragraphs["targeted"]
    assert printed == report.justifications["targeted"]
    assert "the assurance (expected power) at this size is" in printed
    for sentence in text.split(". "):
        assert sentence in printed


def test_binary_justification_has_n_effect_alpha_power_and_method():
    scenario = load_scenario(CHANCE)
    comparison = compare_designs(scenario, include_adaptive=False)
    for name in ("all_comers", "targeted", "stratified"):
        r = comparison.designs[name]
        text = justification(scenario, r, comparison.assay, __version__)
        _phrases(
            text,
            f"A total of {r.n_randomized:,} patients ({r.n_per_arm['treatment']:,} per arm)",
            "6.7% on treatment vs 12.4% on control",
            "one-sided alpha 0.025",
            "80% power",
            r.method,
        )
        assert "normal approximation, pooled variance under H0" in r.method
        assert "events" not in text.split("method:")[0]
    strat = justification(scenario, comparison.designs["stratified"], comparison.assay)
    _phrases(strat, "at least one of the full-population and biomarker-positive claims",
             "weighted Bonferroni–Holm", "50% of alpha")


def test_continuous_and_infeasible_paragraphs():
    scenario = load_scenario(IVACAFTOR)
    comparison = compare_designs(scenario, include_adaptive=False)
    text = justification(scenario, comparison.designs["targeted"], comparison.assay)
    _phrases(text, "a mean difference of 10.6 (SD 8)", "one-sided alpha 0.025", "90% power")
    ipass = load_scenario(IPASS)
    c = compare_designs(ipass, include_adaptive=False)
    assert not c.designs["all_comers"].feasible
    text = justification(ipass, c.designs["all_comers"], c.assay)
    assert "cannot be reached" in text and c.designs["all_comers"].message in text


def test_fixed_size_design_reports_power_and_detectable_effect():
    d = base_scenario("survival", designs={"targeted": {"events": 120}})
    scenario = scenario_from_dict(d)
    comparison = compare_designs(scenario, include_adaptive=False)
    r = comparison.designs["targeted"]
    text = justification(scenario, r, comparison.assay)
    _phrases(text, f"provides {percent(r.power)} power", "after 120 events",
             f"detectable with 80% power at this size is a hazard ratio of {number(r.detectable_effect.value, 3)}")


def test_report_date_is_fixed_when_given():
    when = datetime(2025, 1, 2, 3, 4, tzinfo=timezone.utc)
    report = build_report(load_scenario(CHANCE), include_figures=False, generated=when)
    assert "2025-01-02 03:04 UTC" in report.html


@pytest.mark.skipif(not adaptive_available(), reason="planner.adaptive not installed")
def test_adaptive_operating_characteristics_with_se_and_seed():
    d = base_scenario("continuous")
    d["designs"] = {
        "targeted": {},
        "adaptive": {"planned_subjects": [100, 200], "simulations": 2000, "seed": 777},
    }
    scenario = scenario_from_dict(d)
    report = build_report(scenario, include_figures=False)
    assert report.adaptive is not None
    cells = parse_report(report.html).cells
    sim = report.adaptive
    for key in ("reject_subgroup", "reject_overall", "reject_at_least_one"):
        assert cells[(key, key)] == percent(sim[key], trim=False)
        assert cells[(key, key + "_se")] == percent(sim[key + "_se"], 2, trim=False)
    assert "seed 777" in report.html and "2,000 simulated trials" in report.html
    assert "adaptive" in report.justifications and "seed 777" in report.justifications["adaptive"]


def test_report_without_simulation_says_so():
    d = base_scenario("continuous")
    d["designs"] = {"targeted": {}, "adaptive": {"planned_subjects": [100, 200], "simulations": 1000}}
    report = build_report(scenario_from_dict(d), include_figures=False, include_adaptive=False)
    assert report.adaptive is None
    assert "not simulated" in report.html


def test_cli_report_html(tmp_path, capsys):
    out = tmp_path / "report.html"
    assert main(["report", str(CHANCE), "-o", str(out), "--no-figures"]) == 0
    html = out.read_text(encoding="utf-8")
    core = compare_designs(load_scenario(CHANCE), include_adaptive=False)
    cells = parse_report(html).cells
    for name, r in fixed_results(core).items():
        assert cells[(name, "n_randomized")] == count(r.n_randomized)
    assert "cyp2c19_chance.json" in html
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left
    assert stat.S_IMODE(out.stat().st_mode) == new_file_mode()  # not mkstemp's 0600


def test_cli_report_bad_output_and_bad_scenario(tmp_path, capsys):
    assert main(["report", str(CHANCE), "-o", str(tmp_path / "r.txt")]) == 2
    assert ".pdf or .html" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(base_scenario("survival", positive={"hazard_ratio": -0.5})), encoding="utf-8")
    assert main(["report", str(bad), "-o", str(tmp_path / "r.html")]) == 2
    assert "positive.hazard_ratio" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()


def test_assurance_section_equals_the_core_when_the_scenario_has_uncertainty():
    from planner.assurance import assurance_for_comparison

    scenario = load_scenario(IPASS)
    assert scenario.uncertainty is not None
    report = build_report(scenario, include_figures=False)
    core = assurance_for_comparison(scenario, compare_designs(scenario, include_adaptive=False))
    cells = parse_report(report.html).cells
    for name, a in core.items():
        if a.assurance is None:
            continue
        assert cells[(f"assurance-{name}", "assurance")] == percent(a.assurance, trim=False)
        assert cells[(f"assurance-{name}", "assurance_se")] == percent(a.assurance_se, 2, trim=False)
        assert f"the assurance (expected power) at this size is {percent(a.assurance)}" in report.justifications[name]
    assert "O'Hagan" in report.html.replace("&#x27;", "'")
    assert "Assurance (probability of success)" in report.html
    assert "Assurance (probability of success)" not in build_report(load_scenario(CHANCE), include_figures=False).html
