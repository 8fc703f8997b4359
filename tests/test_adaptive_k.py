"""Adaptive enrichment over several populations (planner.adaptive.kpop): the scenario entry, the
closed test's type I error, the selection rules, and the one-population case against the
two-subset engine.

Tolerances: a family-wise error rate from n simulated trials is checked against α + 3·SE with
SE = √(α(1 − α)/n) (one-sided: a true FWER ≤ α fails with probability < 0.2 %).
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from test_adaptive_rpact import CASES, model_for

from planner.adaptive import simulate_model, simulate_scenario
from planner.adaptive.kmodel import KModel, kmodel_from_scenario, rpact_cells
from planner.adaptive.kpop import intersections, select_k
from planner.errors import ScenarioError
from planner.scenario import (
    AdaptiveOptions,
    BinarySubgroup,
    Cell,
    ContinuousSubgroup,
    NamedPopulation,
    Population,
    SampleSizeRecalculation,
    Scenario,
    Selection,
    SurvivalSettings,
    SurvivalSubgroup,
)

SIMS = 20_000


def _k_of(m) -> KModel:
    """The two-subset SimModel as a K model with the cells S, R and the one population S."""
    _, member, names = rpact_cells(2)
    return KModel(endpoint=m.endpoint, names=names, membership=member,
                  prevalences=(m.prevalence, 1 - m.prevalence), planned=m.planned,
                  information_rates=m.information_rates, allocation_ratio=m.allocation_ratio,
                  boundaries=m.boundaries, futility_bounds=m.futility_bounds,
                  intersection_test=m.intersection_test, selection_rule=m.selection_rule,
                  epsilon=m.epsilon, effect_measure=m.effect_measure, stratified=m.stratified,
                  success_criterion=m.success_criterion, theta=m.theta, variance=m.variance,
                  rate_treatment=m.rate_treatment, rate_control=m.rate_control,
                  event_weight=m.event_weight, correlation=m.correlation, rpact_compat=m.rpact_compat)


ONE_POP = [c for c in CASES if c["inputs"]["selection"] != "threshold"][::3]


@pytest.mark.parametrize("case", ONE_POP, ids=[c["id"] for c in ONE_POP])
def test_one_population_reproduces_the_two_subset_engine(case):
    """Same random streams, same formulas: the K engine with cells (S, R) and one population
    gives the two-subset engine's counts (rpact-compatible mode, the rpact reference cases)."""
    m = model_for(case)
    a = simulate_model(m, 8192, seed=11, workers=1)
    b = simulate_model(_k_of(m), 8192, seed=11, workers=1)
    assert b.populations == ("F", "S1")
    pairs = [(a.reject_subgroup, b.reject_by_population["S1"]), (a.reject_overall, b.reject_by_population["F"]),
             (a.reject_at_least_one, b.reject_at_least_one), (a.reject_both, b.reject_both),
             (a.early_stop_futility, b.early_stop_futility), (a.early_stop_efficacy, b.early_stop_efficacy),
             (a.per_stage["selected_subgroup_per_stage"][-1], b.selected_by_population["S1"]),
             (a.select_subgroup_only, b.select_subgroup_only), (a.select_both, b.select_both)]
    for x, y in pairs:
        assert abs(x - y) <= 2 / 8192  # at most a trial or two at a floating-point boundary
    ea = a.expected_events if m.endpoint == "survival" else a.expected_subjects
    eb = b.expected_events if m.endpoint == "survival" else b.expected_subjects
    assert ea == pytest.approx(eb, rel=1e-3)


def _scenario(nested: bool = False, test: str = "simes", rule: str = "best", effects=(0.4, 0.2, 0.5, 0.1),
              endpoint: str = "continuous", **adaptive) -> Scenario:
    if nested == "three":  # KEYNOTE-042-like: TPS ≥50% ⊂ ≥20% ⊂ ≥1%
        cells = (Cell("50+", 0.28), Cell("20-49", 0.17), Cell("1-19", 0.21), Cell("<1", 0.34))
        pops = (NamedPopulation("S1", ("50+",)), NamedPopulation("S2", ("50+", "20-49")),
                NamedPopulation("S3", ("50+", "20-49", "1-19")))
    elif nested:  # S1 = {A} ⊂ S2 = {A, B}
        cells = (Cell("A", 0.3), Cell("B", 0.3), Cell("C", 0.4))
        pops = (NamedPopulation("S1", ("A",)), NamedPopulation("S2", ("A", "B")))
    else:  # rpact's S1-only, S2-only, S12, R
        cells = (Cell("S1 only", 0.2), Cell("S2 only", 0.15), Cell("S12", 0.25), Cell("R", 0.4))
        pops = (NamedPopulation("S1", ("S1 only", "S12")), NamedPopulation("S2", ("S2 only", "S12")))
    if endpoint == "survival":
        outcome = {c.name: SurvivalSubgroup(12.0, math.exp(-e)) for c, e in zip(cells, effects)}
        size = {"planned_events": (150.0, 300.0)}
        surv = SurvivalSettings(accrual_time=24.0, follow_up_time=12.0)
    elif endpoint == "binary":
        outcome = {c.name: BinarySubgroup(0.3, 0.3 + e) for c, e in zip(cells, effects)}
        size = {"planned_subjects": (300.0, 600.0)}
        surv = None
    else:
        outcome = {c.name: ContinuousSubgroup(e, 1.0) for c, e in zip(cells, effects)}
        size = {"planned_subjects": (200.0, 400.0)}
        surv = None
    opts = AdaptiveOptions(intersection_test=test, selection=Selection(rule=rule, r=2, epsilon=0.1),
                           simulations=SIMS, seed=5, **{**size, **adaptive})
    first = outcome[cells[0].name]
    return Scenario(endpoint=endpoint, population=Population(prevalence=0.45, cells=cells, populations=pops),
                    positive=first, negative=first, cells=outcome, survival=surv, designs={"adaptive": opts})


def test_scenario_entry_reports_every_population():
    res = simulate_scenario(_scenario())
    assert res.populations == ("F", "S1", "S2")
    for field in ("reject_by_population", "selected_by_population"):
        probs, ses = getattr(res, field), getattr(res, field + "_se")
        assert set(probs) == set(ses) == {"F", "S1", "S2"}
        for g, p in probs.items():
            assert 0 <= p <= 1 and ses[g] == pytest.approx(math.sqrt(p * (1 - p) / SIMS))
    assert res.reject_at_least_one >= max(res.reject_by_population.values())
    assert res.reject_subgroup == res.reject_by_population["S1"]
    d = res.to_dict()
    assert d["reject_by_population"]["S2"] == res.reject_by_population["S2"]
    assert "selected_by_population_se" in d and "over 4 cells" in d["method"]
    assert 200 <= res.expected_subjects <= 400
    # screening: stage 2 enrols only the selected populations' cells
    assert res.expected_screened > res.expected_subjects


def test_binary_scenario_lower_is_better():
    """Binary cells; with "lower is better" the simulated outcome is the complement."""
    up = simulate_scenario(_scenario(endpoint="binary", effects=(0.15, 0.0, 0.2, 0.0)))
    assert up.reject_by_population["S1"] > 0.5
    scen = _scenario(endpoint="binary", effects=(-0.15, 0.0, -0.2, 0.0))
    down = simulate_scenario(replace(scen, testing=replace(scen.testing, better="lower")))
    assert down.reject_by_population["S1"] > 0.5
    assert down.reject_by_population["S2"] < up.reject_by_population["S1"]


def test_survival_scenario_and_nested_populations():
    res = simulate_scenario(_scenario(nested=True, endpoint="survival", effects=(0.5, 0.3, 0.0)))
    assert res.populations == ("F", "S1", "S2")
    assert res.reject_by_population["S1"] > 0.5
    assert 150.0 < res.expected_events <= 300.0  # early stops for efficacy save events
    assert res.expected_subjects > res.expected_events


@pytest.mark.parametrize("nested", [False, True, "three"])
@pytest.mark.parametrize("test,rule", [("simes", "best"), ("bonferroni", "rbest"), ("sidak", "epsilon"),
                                       ("simes", "all")])
def test_fwer_under_the_global_null(nested, test, rule):
    res = simulate_scenario(_scenario(nested, test, rule, effects=(0.0, 0.0, 0.0, 0.0)))
    se = math.sqrt(0.025 * 0.975 / res.simulations)
    assert res.reject_at_least_one <= 0.025 + 3 * se
    assert any("global null" in n for n in res.notes)


def test_fwer_under_a_partial_null():
    """Effect only in R (outside S1 and S2): rejecting S1 or S2 is a type I error."""
    res = simulate_scenario(_scenario(effects=(0.0, 0.0, 0.0, 0.5), rule="epsilon"))
    se = math.sqrt(0.025 * 0.975 / res.simulations)
    wrong = res.reject_by_population["S1"] + res.reject_by_population["S2"]
    assert wrong <= 0.025 + 3 * se


def test_spiessens_debois_needs_one_population_and_no_recalculation():
    with pytest.raises(ScenarioError, match="intersection_test"):
        kmodel_from_scenario(_scenario(test="spiessens_debois"))
    ssr = SampleSizeRecalculation(min_subjects=(200, 100), max_subjects=(200, 400))
    with pytest.raises(ScenarioError, match="sample_size_recalculation"):
        kmodel_from_scenario(_scenario(sample_size_recalculation=ssr))


def test_intersections_cover_the_closed_system():
    assert intersections(3)[0] == (0, 1, 2)
    assert len(intersections(3)) == 7 and len(intersections(4)) == 15
    assert len(set(intersections(4))) == 15


def test_selection_rules_follow_rpact():
    model = KModel(endpoint="continuous", names=("F", "S1", "S2"), membership=rpact_cells(3)[1],
                   prevalences=(0.2, 0.15, 0.25, 0.4), planned=(100.0, 200.0), information_rates=(0.5, 1.0),
                   theta=(0.0,) * 4, variance=(4.0,) * 4, critical=(3.0, 2.0))
    sel = np.ones((3, 4), dtype=bool)
    sel[2, 3] = False  # trial 4 has S2 dropped already
    m = np.array([[0.1, 0.3, 0.2, 0.5],    # F
                  [0.3, 0.3, 0.2, 0.1],    # S1
                  [0.2, 0.1, 0.2, 0.9]])   # S2
    best = select_k(replace(model, selection_rule="best"), sel, m)
    # ties go to the first in rpact's order S1, S2, F; dropped populations never return
    assert best.T.tolist() == [[False, True, False], [False, True, False], [False, True, False],
                               [True, False, False]]
    r2 = select_k(replace(model, selection_rule="rbest", r=2), sel, m)
    assert r2.T.tolist() == [[False, True, True], [True, True, False], [False, True, True],
                             [True, True, False]]
    eps = select_k(replace(model, selection_rule="epsilon", epsilon=0.1), sel, m)
    assert eps.T.tolist() == [[False, True, True], [True, True, False], [True, True, True],
                              [True, False, False]]
    thr = select_k(replace(model, selection_rule="threshold", threshold=0.15), sel, m)
    assert thr.T.tolist() == [[False, True, True], [True, True, False], [True, True, True],
                              [True, False, False]]


def test_results_do_not_depend_on_chunks_or_threads():
    model = kmodel_from_scenario(_scenario(endpoint="survival", effects=(0.4, 0.1, 0.5, 0.0)))
    a = simulate_model(model, 12_000, seed=3, workers=1, chunk_size=4096)
    b = simulate_model(model, 12_000, seed=3, workers=2, chunk_size=8192)
    assert a.reject_by_population == b.reject_by_population
    assert a.expected_subjects == b.expected_subjects


def test_three_nested_populations():
    res = simulate_scenario(_scenario("three", rule="rbest", effects=(0.5, 0.3, 0.1, 0.0)))
    assert res.populations == ("F", "S1", "S2", "S3")
    assert res.reject_by_population["S1"] > res.reject_by_population["F"]
    assert sum(res.selected_by_population.values()) <= 2 + 1e-12  # r = 2 populations at most
    assert "15 intersection hypotheses" in res.method


def test_fisher_combination_and_futility_keep_the_fwer():
    """Fisher's combination (rpact getDesignFisher) and a non-binding futility bound, three stages."""
    scen = _scenario(effects=(0.0, 0.0, 0.0, 0.0), combination="fisher", boundaries="equal_alpha",
                     information_rates=(0.3, 0.6, 1.0), planned_subjects=(120.0, 240.0, 400.0))
    res = simulate_scenario(scen)
    se = math.sqrt(0.025 * 0.975 / res.simulations)
    assert res.combination == "fisher" and res.stages == 3
    assert res.reject_at_least_one <= 0.025 + 3 * se
    fut = simulate_scenario(_scenario(futility_bounds=(0.0,), effects=(0.0, 0.0, 0.0, 0.0)))
    assert fut.early_stop_futility > 0.2
    assert fut.reject_at_least_one <= 0.025 + 3 * se


def test_other_entry_points_take_the_cells_form_or_say_why_not():
    from planner.adaptive.fwer import fwer_table
    from planner.adaptive.model import model_from_scenario

    model = model_from_scenario(_scenario())
    assert isinstance(model, KModel)
    with pytest.raises(ScenarioError, match="population.cells"):
        fwer_table(model, simulations=100, seed=1)
    with pytest.raises(ScenarioError, match="uncertainty"):
        model_from_scenario(_scenario(), inputs={"prevalence": 0.3})
