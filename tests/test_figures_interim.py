"""The boundary plot of a design with interim analyses (planner.figures_interim) and its place in
the report beside the boundaries table (issue 11)."""

from __future__ import annotations

import numpy as np
from conftest import ROOT, base_scenario
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from planner.catalogue import BOUNDARY_WORDS, design_colour
from planner.compute import compare_designs
from planner.figures_interim import boundaries_axes, boundaries_draw, boundary_series
from planner.report.figures import boundaries_png
from planner.scenario_io import load_scenario, scenario_from_dict

INTERIM_EXAMPLE = ROOT / "resources" / "scenarios" / "hrd_ovarian_paola1_interim.json"


def _axes():
    figure = Figure(figsize=(7, 3))
    FigureCanvasAgg(figure)
    return figure, boundaries_axes(figure)


def _drawn(ax, label: str):
    return [line for line in ax.lines if line.get_label() == label]


def test_single_test_plan_draws_both_scales():
    s = load_scenario(INTERIM_EXAMPLE)
    r = compare_designs(s).designs["all_comers"]
    figure, (az, ae) = _axes()
    assert boundaries_draw(az, ae, s.endpoint, r)
    eff = _drawn(az, BOUNDARY_WORDS["efficacy"])[0]
    assert eff.get_color() == design_colour("all_comers")
    # the plotted points are the result's looks: events on x, z and hazard ratio bounds on y
    assert np.allclose(eff.get_xdata(), [lk["events"] for lk in r.looks])
    assert np.allclose(eff.get_ydata(), [lk["efficacy_z"] for lk in r.looks])
    hr = _drawn(ae, BOUNDARY_WORDS["efficacy"])[0]
    assert np.allclose(hr.get_ydata(), [lk["efficacy_effect"] for lk in r.looks])
    assert ae.get_yscale() == "log" and _drawn(az, BOUNDARY_WORDS["futility"])
    assert az.get_xlabel() == BOUNDARY_WORDS["x_survival"]
    png = boundaries_png(s, r)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_stratified_plan_draws_overall_and_subgroup_bounds():
    d = base_scenario("continuous", version=2, interim={"information_rates": [0.4, 0.7, 1],
                                                         "efficacy": "obrien_fleming"})
    d["designs"] = {"stratified": {}}
    s = scenario_from_dict(d)
    r = compare_designs(s).designs["stratified"]
    data = boundary_series(s.endpoint, r)
    assert {"efficacy_overall", "efficacy_subgroup"} <= set(data) and len(data["x"]) == 3
    figure, (az, ae) = _axes()
    assert boundaries_draw(az, ae, s.endpoint, r)
    for key in ("efficacy_overall", "efficacy_subgroup"):
        assert np.allclose(_drawn(az, BOUNDARY_WORDS[key])[0].get_ydata(), data[key])
    assert az.get_xlabel() == BOUNDARY_WORDS["x"]
    assert any(BOUNDARY_WORDS["no_effect_scale"] == t.get_text() for t in ae.texts)
    assert boundaries_png(s, r)


def test_no_looks_draws_nothing():
    s = scenario_from_dict(base_scenario("continuous"))
    r = compare_designs(s).designs["all_comers"]
    figure, (az, ae) = _axes()
    assert not boundaries_draw(az, ae, s.endpoint, r) and not az.lines
    assert boundaries_png(s, r) is None


def test_report_of_the_interim_example_embeds_a_boundary_plot_per_design():
    from planner.report.html_report import build_report

    s = load_scenario(INTERIM_EXAMPLE)
    rep = build_report(s, include_adaptive=False)
    names = [n for n in rep.images if n.startswith("boundaries-")]
    assert sorted(names) == sorted(f"boundaries-{d}.png" for d, r in rep.fixed_results.items() if r.looks)
    assert names and 'src="boundaries-all_comers.png"' in rep.print_html
    # the image follows its design's boundaries table
    html = rep.print_html
    assert html.index('data-field="efficacy_z"') < html.index('src="boundaries-all_comers.png"')


def test_several_populations_draw_each_population_bound_and_report_their_table():
    """The cells form (F + three nested PD-L1 populations) with a two-look plan: one efficacy line
    per hypothesis, labelled with its name (not "B+ subgroup"), and the report's table of every
    population's elementary bound and information rate."""
    import json

    from planner.compute import compute_design
    from planner.report.interim_section import boundaries_table
    from planner.report.markup import esc

    d = json.loads((ROOT / "resources" / "scenarios" / "pdl1_nsclc_keynote042_cutoffs.json").read_text("utf-8"))
    d["interim"] = {"information_rates": [0.6, 1.0], "efficacy": "obrien_fleming"}
    s = scenario_from_dict(d)
    r = compute_design(s, "stratified", s.designs["stratified"])
    names = list(r.looks[0]["efficacy_z_by_population"])
    assert len(names) == 4
    series = boundary_series("survival", r)
    assert "efficacy_overall" not in series and all(f"efficacy_population:{n}" in series for n in names)
    _, (az, ae) = _axes()
    assert boundaries_draw(az, ae, "survival", r)
    labels = [line.get_label() for line in az.get_lines()]
    assert BOUNDARY_WORDS["efficacy_overall"] in labels
    for name in names[1:]:
        assert BOUNDARY_WORDS["efficacy_population"].format(name=name) in labels
    assert BOUNDARY_WORDS["efficacy_subgroup"] not in labels
    html = str(boundaries_table(s, r))
    for name in names:
        assert f"{esc(name)}: z (information)" in html
