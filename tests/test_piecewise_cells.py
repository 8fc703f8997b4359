"""The cells form simulated patient by patient (``simulate --patient-level`` on several populations).

Tolerance from the number of trials n: a simulated proportion p has Monte Carlo SE
√(p(1 − p)/n); the checks are within 4 SEs (n = 2,000: ≈ 0.044 at p = 0.5, 0.027 at 0.9)
plus, where said, the average-hazard-ratio approximation's own bias under delayed effects
(0.02, as tests/test_piecewise_patient_level.py). FWER: ≤ α + 3 SEs (n = 4,000: 0.0324).

* KEYNOTE-042 cutoffs (four nested-PD-L1 cells, exponential): all-comers, targeted at TPS ≥1% and
  the stratified fixed sequence — the claim of every population — against compute.
* Two overlapping markers (four cells, per-cell delayed effects, rpact's S1, S2, S12, R): every
  closed-test procedure (Holm, Simes, parametric with and without an alpha split, fixed
  sequence) against the multivariate-normal claims of compute; one population (two cells,
  parametric with a split: the Spiessens–Debois rule); the global null.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace

import pytest

from planner.patient_level import check_scenario
from planner.scenario_io import load_scenario, scenario_from_dict
from tests.conftest import ROOT
from ui.cli import main

KEYNOTE = ROOT / "resources" / "scenarios" / "pdl1_nsclc_keynote042_cutoffs.json"
SIMS = 2000
NAMES = ("A+B+", "A+B-", "A-B+", "A-B-")


def _cells(multiplicity="bonferroni", hrs=(0.6, 0.75, 0.9, 1.0), populations=None, prevalences=(0.2, 0.25, 0.15, 0.4),
           **stratified):
    pops = populations or [{"name": "A+", "cells": ["A+B+", "A+B-"]}, {"name": "B+", "cells": ["A+B+", "A-B+"]}]
    cells = {n: {"piecewise": {"starts": [0, 3], "control_hazards": [0.06, 0.05], "hazard_ratios": [1.0, h]}}
             for n, h in zip(NAMES, hrs)}
    d = {"format": "enrichment-planner-scenario", "version": 2, "title": "two markers", "endpoint": "survival",
         "population": {"cells": [{"name": n, "prevalence": p} for n, p in zip(NAMES, prevalences)],
                        "populations": pops},
         "cells": cells,
         "survival": {"accrual_time": 18, "follow_up_time": 12, "dropout_rate": 0.05, "dropout_time": 12},
         "testing": {"alpha": 0.025, "sides": 1, "power": 0.8, "allocation_ratio": 1.0},
         "designs": {"all_comers": {"n_randomized": 800}, "targeted": {"population": pops[-1]["name"], "n_randomized": 500},
                     "stratified": {"multiplicity": multiplicity, "size_for": "at_least_one", "n_randomized": 800,
                                    **stratified}}}
    return d


def _agree(c, bias: float = 0.0) -> None:
    sim, an = c.claims["simulated"], c.claims["analytic"]
    for j, h in enumerate(c.claims["hypotheses"]):
        assert abs(sim["reject"][j] - an["reject"][j]) < 4 * sim["reject_se"][j] + bias, (h, sim, an)
    for key in ("at_least_one", "all"):
        assert abs(sim[key] - an[key]) < 4 * sim[key + "_se"] + bias, (key, sim[key], an[key])


def test_keynote042_cutoffs_every_design_and_population():
    s = load_scenario(KEYNOTE)
    s = replace(s, designs={k: s.designs[k] for k in ("all_comers", "targeted", "stratified")})
    checks = check_scenario(s, SIMS, seed=4)  # strategy, interaction: tests/test_patient_level_contrasts.py
    assert [c.design for c in checks] == ["all_comers", "targeted", "stratified"]
    for c in checks:
        assert c.simulations == SIMS and not c.incomplete
        assert abs(c.simulated_power - c.analytic_power) < 4 * c.simulated_se, c
        assert c.mean_analysis_time == pytest.approx(c.analytic_analysis_time, rel=0.02)
    strat = checks[-1]
    assert strat.claims["hypotheses"] == ["F", "TPS ≥50%", "TPS ≥20%", "TPS ≥1%"]
    assert "one analysis" in strat.claims["note"]
    _agree(strat)


@pytest.mark.parametrize("multiplicity, extra", [
    ("bonferroni", {}), ("simes", {}), ("parametric", {}), ("parametric", {"alpha_split": 0.4}),
    ("fixed_sequence", {"order": ["A+", "B+", "F"]}),
])
def test_overlapping_markers_every_procedure(multiplicity, extra):
    checks = check_scenario(scenario_from_dict(_cells(multiplicity, **extra)), SIMS, seed=3)
    by = {c.design: c for c in checks}
    _agree(by["stratified"], bias=0.02)
    if multiplicity == "bonferroni":  # the one-test designs once (delayed effects: AHR bias allowed)
        for name in ("all_comers", "targeted"):
            c = by[name]
            assert abs(c.simulated_power - c.analytic_power) < 4 * c.simulated_se + 0.02, c


def test_one_population_parametric_split_is_spiessens_debois():
    d = _cells("parametric", populations=[{"name": "A+", "cells": ["A+B+", "A+B-"]}], alpha_split=0.5)
    (c,) = [x for x in check_scenario(scenario_from_dict(d), SIMS, seed=8) if x.design == "stratified"]
    assert c.claims["hypotheses"] == ["F", "A+"]
    _agree(c, bias=0.02)


def test_global_null_familywise_error():
    n = 4000
    limit = 0.025 + 3 * math.sqrt(0.025 * 0.975 / n)
    for multiplicity in ("simes", "parametric"):
        d = _cells(multiplicity, hrs=(1.0, 1.0, 1.0, 1.0))
        d["designs"] = {"stratified": d["designs"]["stratified"]}
        (c,) = check_scenario(scenario_from_dict(d), n, seed=9)
        assert c.claims["simulated"]["at_least_one"] <= limit, (multiplicity, c.claims["simulated"])


def test_cli_cells_form_json(tmp_path, capsys):
    path = tmp_path / "c.json"
    path.write_text(json.dumps(_cells()))
    assert main(["simulate", str(path), "--patient-level", "--simulations", "200", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    strat = doc["patient_level"]["stratified"]
    assert strat["claims"]["hypotheses"] == ["F", "A+", "B+"] and len(strat["claims"]["simulated"]["reject"]) == 3
    assert "not_simulated" not in doc  # every design of the cells form is simulated
    assert main(["simulate", str(path), "--patient-level", "--simulations", "200"]) == 0
    assert "reject B+" in capsys.readouterr().out
