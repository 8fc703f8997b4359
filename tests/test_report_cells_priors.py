"""The report's assurance section of a cells-form scenario shows the densities of the uncertain inputs
(the prevalences' marginals, a cell's effect and control median), drawn by the app's prior editor's
function (planner.figures_prior.prior_panels / draw_prior); a two-subgroup report is unchanged."""

from __future__ import annotations

import base64
import json

from conftest import SCENARIOS
from report_helpers import parse_report

from planner.figures_prior import prior_panels
from planner.report import build_report
from planner.scenario_io import load_scenario, scenario_from_dict

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
ALT = 'alt="Densities of the uncertain inputs"'
KEYNOTE = SCENARIOS / "pdl1_nsclc_keynote042_cutoffs.json"


def _section(html: str) -> str:
    start = html.index("Assurance (probability of success)")
    end = html.find("<h2", start)
    return html[start:] if end < 0 else html[start:end]


def _keynote_with_priors():
    data = json.loads(KEYNOTE.read_text(encoding="utf-8"))
    first, last = data["population"]["cells"][0]["name"], data["population"]["cells"][-1]["name"]
    data["uncertainty"] = {"draws": 500, "seed": 2, "prevalences": {"n": 200},
                           "cells": {first: {"effect": {"se": 0.1}, "control_median": {"events": 60}},
                                     last: {"control_median": {"events": 40}}}}
    return scenario_from_dict(data), first, last


def test_the_panels_of_a_cells_scenario():
    s, first, last = _keynote_with_priors()
    panels = prior_panels(s)
    assert [p["path"] for p in panels] == ["prevalences", f"cells.{first}.effect", f"cells.{first}.control_median",
                                           f"cells.{last}.control_median"]
    assert panels[0]["title"] == "Prevalences of the cells" and len(panels[0]["curve"]["series"]) == 4
    assert panels[2]["x_label"] == f"control median in cell {first} (months)"
    assert panels[1]["x_label"] == f"hazard ratio in cell {first}"


def test_the_cells_report_draws_the_densities():
    s, _first, _last = _keynote_with_priors()
    report = build_report(s, include_adaptive=False)
    section = _section(report.html)
    assert ALT in section and 'data-figure="prior-densities"' in section
    images = parse_report(section).images
    assert len(images) == 2  # the densities and the distribution of power
    assert all(base64.b64decode(i.split(",", 1)[1]).startswith(PNG_MAGIC) for i in images)
    assert "Control median in cell" in section  # the distribution described in words too


def test_a_two_subgroup_report_has_no_densities_figure():
    report = build_report(load_scenario(SCENARIOS / "egfr_nsclc_ipass.json"), include_adaptive=False)
    assert ALT not in report.html
