"""Assurance in the cells form (issue 12): reading the block, the draws, an independent Monte Carlo
of the stratified design's claims over nested populations, and the one-population cells twin of a
two-subgroup scenario (same draws → the same assurance)."""

from __future__ import annotations

import copy
import json
import math

import numpy as np
import pytest
from conftest import SCENARIOS, base_scenario
from scipy.special import ndtri
from test_cells_v1_twin import perfect, twin

from planner.assurance import assurance_for_comparison, assurance_for_design, draw_inputs
from planner.cells_assurance import dirichlet_sticks
from planner.compute import compare_designs, compute_design
from planner.errors import ScenarioError
from planner.scenario_io import dumps_scenario, scenario_from_dict

CELLS3 = [{"name": "c1", "prevalence": 0.2}, {"name": "c2", "prevalence": 0.3}, {"name": "c3", "prevalence": 0.5}]
POPS = [{"name": "S1", "cells": ["c1"]}, {"name": "S2", "cells": ["c1", "c2"]}]


def cells_scenario(endpoint: str = "continuous", **over) -> dict:
    d = base_scenario(endpoint)
    d["version"] = 2
    d["population"] = {"cells": copy.deepcopy(CELLS3), "populations": copy.deepcopy(POPS)}
    pos, neg = d.pop("positive"), d.pop("negative")
    mid = dict(pos)
    if endpoint == "continuous":
        mid["mean_difference"] = 0.3
    elif endpoint == "binary":
        mid["treatment_rate"] = 0.42
    else:
        mid["hazard_ratio"] = 0.75
    d["cells"] = {"c1": pos, "c2": mid, "c3": neg}
    d["designs"] = {"all_comers": {}, "targeted": {}, "stratified": {"multiplicity": "bonferroni"}}
    d.update(over)
    return d


# ----------------------------------------------------------------------------- reading
def test_the_block_reads_and_writes_back():
    d = cells_scenario(uncertainty={"draws": 500, "seed": 3, "target": 0.7,
                                    "prevalences": {"counts": {"c1": 20, "c2": 31, "c3": 49}},
                                    "cells": {"c1": {"effect": {"estimate": 0.5, "se": 0.1}},
                                              "c2": {"sd": {"df": 30}}}})
    s = scenario_from_dict(d)
    assert s.uncertainty.uncertain() == ("prevalences", "cells.c1.effect", "cells.c2.sd")
    again = scenario_from_dict(json.loads(dumps_scenario(s)))
    assert again.uncertainty == s.uncertainty


@pytest.mark.parametrize("block, field", [
    ({"prevalence": {"n": 10}}, "uncertainty.prevalence"),
    ({"prevalences": {"counts": {"c1": 1, "c2": 2}}}, "uncertainty.prevalences.counts.c3"),
    ({"prevalences": {"counts": {"c1": 1, "c2": 2, "c3": 3, "cx": 1}}}, "uncertainty.prevalences.counts.cx"),
    ({"prevalences": {"n": -1}}, "uncertainty.prevalences.n"),
    ({"prevalences": {"n": 5, "counts": {}}}, "uncertainty.prevalences"),
    ({"cells": {"cx": {"effect": {"se": 0.1}}}}, "uncertainty.cells.cx"),
    ({"cells": {"c1": {"effect": {}}}}, "uncertainty.cells.c1.effect"),
    ({"cells": {"c1": {"sd": {"estimate": 1.0}}}}, "uncertainty.cells.c1.sd.df"),
    ({"cells": {"c1": {"control_rate": {"n": 5}}}}, "uncertainty.cells.c1.control_rate"),
])
def test_bad_blocks_name_the_field(block, field):
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(cells_scenario(uncertainty=block))
    assert any(p.path == field for p in err.value.problems), err.value.problems


def test_a_binary_cell_takes_a_control_rate_distribution():
    s = scenario_from_dict(cells_scenario("binary", uncertainty={
        "draws": 400, "cells": {"c1": {"control_rate": {"mean": 0.3, "n": 50}, "effect": {"se": 0.08}}}}))
    dr = draw_inputs(s)
    c, t = dr.cells["c1"]["control_rate"], dr.cells["c1"]["treatment_rate"]
    assert c.shape == (400,) and np.all((t > 0) & (t < 1))
    assert abs(np.mean(t - c) - 0.2) < 4 * 0.08 / 20  # centred on the scenario's risk difference


# ----------------------------------------------------------------------------- draws
def test_stick_breaking_is_the_dirichlet():
    """Means a_k/A and variances a_k(A − a_k)/(A²(A + 1)), to 4 MC SEs of 200,000 draws."""
    alphas = (2.0, 5.0, 1.5, 7.5)
    draws = np.stack(dirichlet_sticks(np.random.default_rng(1), alphas, 200_000))
    total = sum(alphas)
    for k, a in enumerate(alphas):
        mean, var = a / total, a * (total - a) / (total**2 * (total + 1))
        assert abs(draws[k].mean() - mean) < 4 * math.sqrt(var / draws.shape[1])
        assert abs(draws[k].var() - var) < 0.03 * var
    np.testing.assert_allclose(draws.sum(axis=0), 1.0, rtol=1e-12)


def test_without_distributions_assurance_is_the_power():
    s = scenario_from_dict(cells_scenario(uncertainty={"draws": 100}, designs={
        "stratified": {"multiplicity": "simes", "size_for": "all"}, "targeted": {"population": "S2"}}))
    comp = compare_designs(s, include_adaptive=False)
    res = assurance_for_comparison(s, comp, with_size=False)
    for name, a in res.items():
        r = comp.designs[name]
        assert a.assurance == pytest.approx(r.power, abs=1e-9), name
        if name == "stratified":
            for pop, p in r.power_by_population.items():
                assert a.assurance_by_population[pop] == pytest.approx(p, abs=1e-9)


# ----------------------------------------------------------------------------- independent Monte Carlo
def _independent_stratified(s, d: dict, n_total: int, reps: int, seed: int) -> dict:
    """Trials simulated from their cell estimates: prior draw (numpy's own Dirichlet, normal, scaled
    inverse chi-square), per-cell mean differences with their sampling error, the stratified z of F,
    S1, S2 (cell weights ∝ patients), and Holm's procedure at one-sided α — no planner code."""
    rng = np.random.default_rng(seed)
    u = d["uncertainty"]
    counts = np.array([u["prevalences"]["counts"][c] for c in ("c1", "c2", "c3")], dtype=float)
    prev = rng.dirichlet(counts + 1.0, reps).T
    delta = np.array([[d["cells"][c]["mean_difference"]] * reps for c in ("c1", "c2", "c3")], dtype=float)
    e1 = u["cells"]["c1"]["effect"]
    delta[0] = e1["estimate"] + e1["se"] * rng.standard_normal(reps)
    sd = np.ones((3, reps))
    df = u["cells"]["c3"]["sd"]["df"]
    sd[2] = np.sqrt(df / rng.chisquare(df, reps))
    n_arm = n_total * prev / 2.0  # 1 : 1 within each cell
    var = sd**2 * 2.0 / n_arm
    est = delta + np.sqrt(var) * rng.standard_normal((3, reps))
    alpha = s.testing.alpha
    z = {}
    for name, members in (("F", [0, 1, 2]), ("S1", [0]), ("S2", [0, 1])):
        w = n_arm[members]
        z[name] = (w * est[members]).sum(axis=0) / np.sqrt((w**2 * var[members]).sum(axis=0))
    zs = np.stack([z["F"], z["S1"], z["S2"]])
    p = 1.0 - 0.5 * (1.0 + np.vectorize(math.erf)(zs / math.sqrt(2.0)))
    order = np.sort(p, axis=0)
    rank = np.argsort(np.argsort(p, axis=0), axis=0)
    steps = np.cumprod(order <= alpha / np.array([3.0, 2.0, 1.0])[:, None], axis=0).astype(bool)
    reject = np.take_along_axis(steps, rank, axis=0)
    return {"F": reject[0], "S1": reject[1], "S2": reject[2]}


def test_stratified_claims_agree_with_an_independent_monte_carlo():
    """Continuous endpoint, three cells, nested S1 ⊂ S2, Holm over F, S1, S2; Dirichlet prevalences,
    a normal effect in c1 and an SD distribution in c3. The planner's assurance (B = 20,000 draws)
    and the simulated trials' rejection rates (R = 200,000) agree within 4 combined SEs."""
    d = cells_scenario(uncertainty={"draws": 20_000, "seed": 7,
                                    "prevalences": {"counts": {"c1": 20, "c2": 30, "c3": 50}},
                                    "cells": {"c1": {"effect": {"estimate": 0.45, "se": 0.12}},
                                              "c3": {"sd": {"df": 25}}}},
                       designs={"stratified": {"multiplicity": "bonferroni", "size_for": "S1"}})
    s = scenario_from_dict(d)
    r = compute_design(s, "stratified")
    a = assurance_for_design(s, "stratified", result=r, with_size=False)
    sim = _independent_stratified(s, d, r.n_randomized, 200_000, seed=11)
    for name, rej in sim.items():
        ind, ind_se = float(rej.mean()), float(rej.std() / math.sqrt(rej.size))
        got, se = a.assurance_by_population[name], a.assurance_by_population_se[name]
        assert abs(got - ind) < 4 * math.hypot(se, ind_se), (name, got, ind, se, ind_se)
    assert a.assurance == a.assurance_by_population["S1"]


def test_a_single_test_agrees_with_the_normal_normal_formula():
    """Targeted at S1 (one cell), a normal prior on its effect, known SD: A = Φ((μ√I − z)/√(1 + Iτ²))."""
    d = cells_scenario(uncertainty={"draws": 50_000, "seed": 5, "cells": {"c1": {"effect": {"estimate": 0.4,
                                                                                             "se": 0.15}}}},
                       designs={"targeted": {"population": "S1"}})
    d["testing"]["method"] = "z"
    s = scenario_from_dict(d)
    r = compute_design(s, "targeted")
    a = assurance_for_design(s, "targeted", result=r, with_size=False)
    n_t, n_c = r.n_per_arm["treatment"], r.n_per_arm["control"]
    info = 1.0 / (1.0 / n_t + 1.0 / n_c)
    exact = 0.5 * (1 + math.erf(((0.4 * math.sqrt(info) + ndtri(0.025)) / math.sqrt(1 + info * 0.15**2))
                                / math.sqrt(2)))
    assert abs(a.assurance - exact) < 4 * a.assurance_se


# ----------------------------------------------------------------------------- the cells twin
def _v1_block(x: int, n: int, se: tuple = (0.12, 0.1)) -> dict:
    return {"draws": 3000, "seed": 99, "prevalence": {"x": x, "n": n},
            "positive_effect": {"se": se[0]}, "negative_effect": {"se": se[1]}}


def _cells_block(x: int, n: int, se: tuple = (0.12, 0.1)) -> dict:
    return {"draws": 3000, "seed": 99, "prevalences": {"counts": {"B+": x, "B−": n - x}},
            "cells": {"B+": {"effect": {"se": se[0]}}, "B−": {"effect": {"se": se[1]}}}}


@pytest.mark.parametrize("endpoint", ["continuous", "binary", "survival"])
def test_a_one_population_twin_with_the_equivalent_prior_has_the_same_assurance(endpoint):
    """Same seed → the same draws (Beta(x + 1, n − x + 1) = Dirichlet of two cells, the same effect
    streams) → the same assurance of every design, bit for bit (measured: identical floats)."""
    d = perfect(base_scenario(endpoint, population={"prevalence": 0.4}))
    d["version"] = 2
    d["designs"] = {"all_comers": {}, "targeted": {}, "stratified": {"multiplicity": "bonferroni"},
                    "strategy": {"control_arm": "randomized"}, "interaction": {}}
    c = twin(d)
    se = (0.05, 0.05) if endpoint == "binary" else (0.12, 0.1)
    d["uncertainty"], c["uncertainty"] = _v1_block(40, 100, se), _cells_block(40, 100, se)
    sv, sc = scenario_from_dict(d), scenario_from_dict(c)
    av = assurance_for_comparison(sv, compare_designs(sv, include_adaptive=False))
    ac = assurance_for_comparison(sc, compare_designs(sc, include_adaptive=False))
    for name in av:
        assert ac[name].assurance == av[name].assurance, name
        assert ac[name].size_for_assurance.n_randomized == av[name].size_for_assurance.n_randomized, name
    strat_v, strat_c = av["stratified"], ac["stratified"]
    assert strat_c.assurance_by_population["F"] == pytest.approx(strat_v.claims["overall"], rel=1e-9)
    assert strat_c.assurance_by_population["B+"] == pytest.approx(strat_v.claims["subgroup"], rel=1e-9)


def test_the_example_with_three_nested_populations_runs():
    d = json.loads((SCENARIOS / "pdl1_nsclc_keynote042_cutoffs.json").read_text(encoding="utf-8"))
    names = [c["name"] for c in d["population"]["cells"]]
    d["uncertainty"] = {"draws": 300, "prevalences": {"n": 400}, "cells": {names[0]: {"effect": {"se": 0.1}}}}
    s = scenario_from_dict(d)
    res = assurance_for_comparison(s, compare_designs(s, include_adaptive=False), with_size=False)
    by = res["stratified"].assurance_by_population
    assert set(by) == {"F", *(p["name"] for p in d["population"]["populations"])}
    assert all(0 <= v <= 1 for v in by.values())
    assert "assurance_by_population" in res["stratified"].to_dict()


def test_the_report_shows_the_assurance_of_each_population():
    from planner.report.justification import justification
    from planner.report.populations_section import populations_section

    d = json.loads((SCENARIOS / "pdl1_nsclc_keynote042_cutoffs.json").read_text(encoding="utf-8"))
    first = d["population"]["cells"][0]["name"]
    d["uncertainty"] = {"draws": 200, "prevalences": {"n": 400}, "cells": {first: {"effect": {"se": 0.1}}}}
    s = scenario_from_dict(d)
    comp = compare_designs(s, include_adaptive=False)
    res = assurance_for_comparison(s, comp, with_size=False)
    html = str(populations_section(s, comp, None, None, res))
    assert "Assurance of its claim" in html
    for name, value in res["stratified"].assurance_by_population.items():
        assert f"{100 * value:.1f}%" in html, name
    text = justification(s, comp.designs["stratified"], comp.assay, "", res["stratified"])
    assert f"the prevalences of the cells and the effect in cell {first}" in text


def test_compute_reports_assurance_by_population_and_names_bad_fields(tmp_path, capsys):
    from ui.cli import main

    d = cells_scenario(uncertainty={"draws": 200, "prevalences": {"n": 300},
                                    "cells": {"c2": {"effect": {"se": 0.1}, "sd": {"df": 20}}}})
    path = tmp_path / "cells.json"
    path.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    assert main(["compute", str(path), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    by = out["designs"]["stratified"]["assurance"]["assurance_by_population"]
    assert set(by) == {"F", "S1", "S2"} and all(0 <= v <= 1 for v in by.values())
    assert "assurance_by_population" not in out["designs"]["all_comers"]["assurance"]
    d["uncertainty"]["cells"]["c2"]["sd"] = {"df": 0.5}
    path.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    assert main(["compute", str(path)]) == 2
    err = capsys.readouterr().err
    assert "uncertainty.cells.c2.sd.df:" in err and "Traceback" not in err
