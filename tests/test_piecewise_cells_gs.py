"""The cells form with an interim plan simulated patient by patient (planner.piecewise.cells_gs).

Tolerances from the number of trials n: a simulated proportion p has Monte Carlo SE √(p(1 − p)/n)
(reported by the simulator); agreement is within 4 such SEs plus 3 × the analytic engine's own
randomized-QMC standard error (planner.groupseq.multipop: ≤ 3e-4 stated, reported per claim as
``reject_qmc_se``). n = 2,000: 4 SE ≈ 0.027 at p = 0.9, 0.044 at p = 0.5. FWER under the global
null: ≤ α + 3 SE (n = 3,000: 0.0335).

The design's per-look numbers of the one-test designs (all-comers, targeted) come from its plan's
proportional-information law (drift √t_k × the final drift). With cells of different hazard
ratios the share of events from the benefiting cells grows over time, so the interim drift is
smaller than √t_k × the final one: on KEYNOTE-042's cells the simulated first-look rejection of
all-comers is 0.221 ± 0.007 (4,000 trials) against the plan's 0.2525 — that bias (≤ 0.04) is
allowed in those per-look checks and stated; the look-wise law (each look's own moments,
planner.piecewise.lookwise: 0.235) is checked within 4 SEs + 0.02 (the average-HR approximation's
own bias, as tests/test_piecewise_cells.py). The stratified design's engine uses each cell's
events at each look (planner.groupseq.multipop_model.survival_joint) and needs no allowance.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from planner.patient_level import check_scenario
from planner.scenario_io import scenario_from_dict, scenario_to_dict
from tests.conftest import ROOT
from ui.cli import main

KEYNOTE = ROOT / "resources" / "scenarios" / "pdl1_nsclc_keynote042_cutoffs.json"
SIMS = 2000
PLAN = {"information_rates": [0.5, 1.0], "efficacy": "obrien_fleming"}
NAMES = ("A+B+", "A+B-", "A-B+", "A-B-")
PLAN_BIAS = 0.04   # proportional-information per-look numbers of the one-test designs (module docstring)
AHR_BIAS = 0.02    # the average-HR (Schoenfeld) approximation's own bias, as tests/test_piecewise_cells.py


def _keynote(designs=("stratified",)):
    d = json.loads(KEYNOTE.read_text(encoding="utf-8"))
    d["interim"] = dict(PLAN)
    d["designs"] = {k: v for k, v in d["designs"].items() if k in designs}
    return scenario_from_dict(d)


def _markers(multiplicity="parametric", hrs=(0.65, 0.75, 0.85, 1.0), futility=None, n=None, **extra):
    """Two overlapping markers (A+, B+ share A+B+), exponential cells, a 2-look plan; sized for 80 %
    power of at least one claim unless ``n`` is given (a given N also solves the detectable effect:
    slower)."""
    plan = dict(PLAN)
    if futility is not None:
        plan["futility"] = {"bounds": [futility], "binding": False}
    return scenario_from_dict({
        "format": "enrichment-planner-scenario", "version": 2, "title": "two markers", "endpoint": "survival",
        "population": {"cells": [{"name": c, "prevalence": p} for c, p in zip(NAMES, (0.2, 0.25, 0.15, 0.4))],
                       "populations": [{"name": "A+", "cells": ["A+B+", "A+B-"]},
                                       {"name": "B+", "cells": ["A+B+", "A-B+"]}]},
        "cells": {c: {"control_median": 12.0, "hazard_ratio": h} for c, h in zip(NAMES, hrs)},
        "survival": {"accrual_time": 18, "follow_up_time": 12, "dropout_rate": 0.05, "dropout_time": 12},
        "testing": {"alpha": 0.025, "sides": 1, "power": 0.8, "allocation_ratio": 1.0},
        "interim": plan,
        "designs": {"stratified": {"multiplicity": multiplicity, "size_for": "at_least_one",
                                   **({} if n is None else {"n_randomized": n}), **extra}}})


def _agree(c) -> None:
    sim, an = c.claims["simulated"], c.claims["analytic"]
    for j, h in enumerate(c.claims["hypotheses"]):
        tol = 4 * sim["reject_se"][j] + 3 * an.get("reject_qmc_se", [0.0] * 9)[j]
        assert abs(sim["reject"][j] - an["reject"][j]) < tol, (h, sim["reject"][j], an["reject"][j], tol)
    for key in ("at_least_one", "all"):
        tol = 4 * sim[key + "_se"] + 3 * an.get(key + "_qmc_se", 0.0)
        assert abs(sim[key] - an[key]) < tol, (key, sim[key], an[key], tol)
    for k, (p, se, a) in enumerate(zip(sim["stop_by_look"], sim["stop_by_look_se"], an["stop_by_look"])):
        assert abs(p - a) < 4 * se + 1e-3, ("stop", k, p, a)
    assert abs(sim["expected_events"] - an["expected_events"]) < 4 * sim["expected_events_se"] + 1e-3 * an[
        "expected_events"], (sim["expected_events"], an["expected_events"])


def test_keynote042_stratified_fixed_sequence_with_interim():
    (c,) = check_scenario(_keynote(), SIMS, seed=21)
    assert c.looks == 2 and c.simulations == SIMS and not c.incomplete
    assert c.claims["hypotheses"] == ["F", "TPS ≥50%", "TPS ≥20%", "TPS ≥1%"]
    assert "multipop" in c.claims["engine"] and len(c.claims["bounds"]["tests"]) == 15
    _agree(c)
    sim, an = c.claims["simulated"], c.claims["analytic"]
    for j in range(4):   # per look, the claim first made there
        for k in range(2):
            assert abs(sim["reject_by_look"][j][k] - an["reject_by_look"][j][k]) < 4 * sim["reject_by_look_se"][j][k] + 1e-3
    assert abs(c.simulated_power - c.analytic_power) < 4 * c.simulated_se + 1e-3
    assert c.mean_analysis_time == pytest.approx(c.analytic_analysis_time, rel=0.02)


def test_keynote042_one_test_designs_with_interim():
    checks = check_scenario(_keynote(("all_comers", "targeted")), SIMS, seed=22)
    assert [c.design for c in checks] == ["all_comers", "targeted"]
    for c in checks:
        assert c.looks == 2 and c.claims["look_events"][1] == c.events
        assert abs(c.simulated_power - c.analytic_power) < 4 * c.simulated_se, c
        sim, an = c.claims["simulated"], c.claims["analytic"]
        for p, se, a in zip(sim["reject_by_look"], sim["reject_by_look_se"], an["reject_by_look"]):
            assert abs(p - a) < 4 * se + PLAN_BIAS, (c.design, sim, an)
        look = c.claims["lookwise"]   # each look's own moments: the average-HR bias only
        for p, se, a in zip(sim["reject_by_look"], sim["reject_by_look_se"], look["reject_by_look"]):
            assert abs(p - a) < 4 * se + AHR_BIAS, (c.design, sim, look)
        assert look["power"] == pytest.approx(c.analytic_power, abs=2e-3)
        assert math.isclose(sum(sim["stop_by_look"]), 1.0)


@pytest.mark.parametrize("multiplicity, extra, futility", [
    ("parametric", {}, None), ("bonferroni", {}, 0.0), ("fixed_sequence", {"order": ["A+", "B+", "F"]}, None),
])
def test_overlapping_markers_closed_gs_test(multiplicity, extra, futility):
    (c,) = check_scenario(_markers(multiplicity, futility=futility, **extra), SIMS, seed=23)
    assert c.claims["hypotheses"] == ["F", "A+", "B+"] and len(c.claims["bounds"]["tests"]) == 7
    _agree(c)
    if futility is not None:
        assert np.isfinite(np.asarray(c.claims["bounds"]["futility"])[:, 0]).all()


@pytest.mark.parametrize("multiplicity", ["parametric", "bonferroni"])
def test_global_null_familywise_error_with_interim(multiplicity):
    n = 3000
    (c,) = check_scenario(_markers(multiplicity, hrs=(1.0,) * 4, n=600), n, seed=24)
    limit = 0.025 + 3 * math.sqrt(0.025 * 0.975 / n)
    assert c.claims["simulated"]["at_least_one"] <= limit, c.claims["simulated"]
    assert c.claims["analytic"]["at_least_one"] <= 0.025 + 1e-3


def test_one_population_with_interim_uses_the_two_hypothesis_engine(tmp_path, capsys):
    d = scenario_to_dict(_markers("bonferroni"))
    d["population"]["populations"] = [{"name": "A+", "cells": ["A+B+", "A+B-"]}]
    (c,) = check_scenario(scenario_from_dict(d), SIMS, seed=25)
    assert c.claims["hypotheses"] == ["F", "A+"] and "stratified" in c.claims["engine"]
    _agree(c)
    sim, an = c.claims["simulated"], c.claims["analytic"]
    for p, se, a in zip(sim["at_least_one_by_look"], sim["at_least_one_by_look_se"], an["at_least_one_by_look"]):
        assert abs(p - a) < 4 * se, (sim, an)
    path = tmp_path / "one.json"
    path.write_text(json.dumps(d), encoding="utf-8")
    assert main(["simulate", str(path), "--patient-level", "--simulations", "200"]) == 0
    assert "at_least_one claim first made per look" in capsys.readouterr().out


def test_cli_cells_form_with_interim(tmp_path, capsys):
    path = tmp_path / "c.json"
    d = scenario_to_dict(_markers("bonferroni"))
    d["designs"]["all_comers"] = {}
    path.write_text(json.dumps(d), encoding="utf-8")
    assert main(["simulate", str(path), "--patient-level", "--simulations", "200", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    strat = doc["patient_level"]["stratified"]
    assert strat["looks"] == 2 and len(strat["claims"]["simulated"]["stop_by_look"]) == 2
    assert main(["simulate", str(path), "--patient-level", "--simulations", "200"]) == 0
    out = capsys.readouterr().out
    assert "stop per look" in out and "reject B+" in out and "rejection per look" in out
