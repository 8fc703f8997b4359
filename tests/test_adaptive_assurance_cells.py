"""Assurance of the adaptive design in the cells form (several populations; planner.adaptive.assurance).

Independent check: a one-stage design (information_rates [1.0]) over three cells A, B, C and the
nested populations P1 = {A} ⊂ P2 = {A, B}, continuous endpoint, Bonferroni intersection tests. Its
closed test is Holm's: at least one population is rejected iff max_g Z_g ≥ z_{1−α/3} (G = 3: F, P1,
P2), with the stratified statistics Z_g = Σ_{c∈g} n_c θ̂_c / √(Σ_{c∈g} n_c v_c), θ̂_c ~ N(θ_c, v_c/n_c),
n_c = N p_c, v_c = 4σ_c² (1 : 1). The test draws the prior with numpy's own ``Generator.dirichlet``
(not the stick breaking of planner.cells_assurance), its normal effects and χ² SDs, and simulates
the trials itself; both estimates have independent Monte Carlo errors, so they must agree within
4 combined SEs (the app's SE is sd_b(p̂_b)/√B, which holds the trial and draw errors; the test's
likewise from its own draws).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy.special import ndtri

from planner.adaptive.assurance import adaptive_assurance, cells_draw_scenario
from planner.assurance import draw_inputs
from planner.scenario_io import scenario_from_dict

ALPHA = 0.025
N = 300
CELLS = {"A": (0.3, 0.5), "B": (0.2, 0.3), "C": (0.5, 0.0)}  # prevalence, mean difference
COUNTS = {"A": 30, "B": 20, "C": 50}


def _scenario(**uncertainty) -> dict:
    return {
        "format": "enrichment-planner-scenario", "version": 2, "title": "three cells", "endpoint": "continuous",
        "population": {"cells": [{"name": c, "prevalence": p} for c, (p, _) in CELLS.items()],
                       "populations": [{"name": "P1", "cells": ["A"]}, {"name": "P2", "cells": ["A", "B"]}]},
        "cells": {c: {"mean_difference": d, "sd": 1.0} for c, (_, d) in CELLS.items()},
        "testing": {"alpha": ALPHA, "sides": 1, "power": 0.8},
        "designs": {"adaptive": {"information_rates": [1.0], "planned_subjects": [N],
                                 "intersection_test": "bonferroni", "simulations": 1000, "seed": 5}},
        "uncertainty": {"draws": 2000, "seed": 9, **uncertainty},
    }


PRIORS = {"prevalences": {"counts": COUNTS},
          "cells": {"A": {"effect": {"estimate": 0.5, "se": 0.15}}, "B": {"effect": {"se": 0.1}},
                    "C": {"sd": {"df": 20}}}}


def _independent(draws: int, trials: int, seed: int) -> tuple[float, float, dict]:
    """(assurance, its SE, each population's (assurance, SE)) by the module docstring's closed form of the test."""
    rng = np.random.default_rng(seed)
    names = list(CELLS)
    p = rng.dirichlet([COUNTS[c] + 1.0 for c in names], draws)                 # B × 3
    theta = np.column_stack([rng.normal(0.5, 0.15, draws), rng.normal(0.3, 0.1, draws), np.zeros(draws)])
    sd_c = np.sqrt(20.0 / rng.chisquare(20.0, draws))
    v = 4.0 * np.column_stack([np.ones(draws), np.ones(draws), sd_c**2])     # B × 3
    n = N * p
    est = theta[:, :, None] + np.sqrt(v / n)[:, :, None] * rng.standard_normal((draws, 3, trials))
    members = {"F": [0, 1, 2], "P1": [0], "P2": [0, 1]}
    z = {g: (n[:, m, None] * est[:, m, :]).sum(axis=1) / np.sqrt((n[:, m] * v[:, m]).sum(axis=1))[:, None]
         for g, m in members.items()}
    crit = float(ndtri(1 - ALPHA / 3))
    top = np.max(np.stack(list(z.values())), axis=0)
    power = (top >= crit).mean(axis=1)
    # each population's rejection in Holm's procedure: step 1 at α/3, then α/2 for the rest, then α
    zs = np.stack(list(z.values()))                                            # 3 × B × m
    order = np.argsort(-zs, axis=0)
    ranked = np.take_along_axis(zs, order, axis=0)
    steps = np.array([ndtri(1 - ALPHA / 3), ndtri(1 - ALPHA / 2), ndtri(1 - ALPHA)])[:, None, None]
    passed = np.cumprod(ranked >= steps, axis=0).astype(bool)
    rejected = np.zeros_like(passed)
    np.put_along_axis(rejected, order, passed, axis=0)
    per_draw = {g: rejected[i].mean(axis=1) for i, g in enumerate(members)}
    by = {g: (float(x.mean()), float(x.std(ddof=1) / math.sqrt(draws))) for g, x in per_draw.items()}
    return float(power.mean()), float(power.std(ddof=1) / math.sqrt(draws)), by


def test_cells_adaptive_assurance_agrees_with_an_independent_monte_carlo():
    s = scenario_from_dict(_scenario(**PRIORS))
    a = adaptive_assurance(s, draws=2000, trials_per_draw=200, workers=1)
    ind, ind_se, ind_by = _independent(20_000, 100, seed=2026)
    se = math.hypot(a.assurance_se, ind_se)
    assert abs(a.assurance - ind) <= 4 * se, (a.assurance, ind, se)
    assert 0.003 < a.assurance_se < 0.01 and a.assurance_se_trials > 0
    for g, (value, value_se) in ind_by.items():  # each population's claim, within 4 combined SEs
        assert abs(a.assurance_by_population[g] - value) <= 4 * math.hypot(a.assurance_by_population_se[g], value_se), g
    d = a.to_dict()
    assert d["assurance_by_population"].keys() == {"F", "P1", "P2"} and d["trials_per_draw"] == 200


def test_a_draw_scenario_carries_the_drawn_prevalences_and_outcomes():
    s = scenario_from_dict(_scenario(**PRIORS))
    d = draw_inputs(s, draws=5)
    one = cells_draw_scenario(s, d, 3)
    assert [c.prevalence for c in one.population.cells] == [float(x[3]) for x in d.prevalences]
    assert one.population.prevalence == pytest.approx(float(d.prevalences[0][3]))
    assert one.cells["A"].mean_difference == float(d.cells["A"]["mean_difference"][3])
    assert one.cells["C"].sd == float(d.cells["C"]["sd"][3]) and one.cells["B"].sd == 1.0
    assert one.cells["C"].mean_difference == 0.0


def test_without_uncertain_inputs_it_is_the_simulated_power():
    """Every draw the point scenario: the assurance is a simulated power from B·m trials."""
    from planner.adaptive.api import simulate_scenario

    s = scenario_from_dict(_scenario())
    a = adaptive_assurance(s, draws=100, trials_per_draw=200, workers=1)
    sim = simulate_scenario(s, simulations=40_000, seed=99, workers=1)
    assert abs(a.assurance - sim.power) <= 4 * math.hypot(a.assurance_se, sim.power_se)
    assert a.assurance_se_draws <= a.assurance_se_trials


def test_binary_cells_with_a_control_rate_prior(tmp_path):
    """Binary cells given by an effect scale: drawn rates replace the effect as entered; compute
    reports the adaptive design's assurance with its SE."""
    from tests.test_adaptive_sweep import _run

    data = _scenario()
    data["endpoint"] = "binary"
    data["cells"] = {"A": {"control_rate": 0.3, "effect": {"scale": "risk_ratio", "value": 1.6}},
                     "B": {"control_rate": 0.3, "treatment_rate": 0.4}, "C": {"control_rate": 0.3, "treatment_rate": 0.3}}
    data["designs"]["adaptive"]["information_rates"] = [0.5, 1.0]
    data["designs"]["adaptive"]["planned_subjects"] = [200, 400]
    data["uncertainty"] = {"draws": 100, "seed": 1, "prevalences": {"n": 100},
                           "cells": {"A": {"control_rate": {"mean": 0.3, "n": 60}}}}
    path = tmp_path / "b.json"
    path.write_text(json.dumps(data))
    s = scenario_from_dict(data)
    d = draw_inputs(s)
    one = cells_draw_scenario(s, d, 0)
    assert one.cells["A"].effect is None and one.cells["A"].control_rate == float(d.cells["A"]["control_rate"][0])
    code, out, err = _run(["compute", str(path), "--format", "json"])
    assert code == 0, err
    a = json.loads(out)["designs"]["adaptive"]["assurance"]
    assert 0 < a["assurance"] < 1 and a["assurance_se"] > 0 and set(a["assurance_by_population"]) == {"F", "P1", "P2"}
