"""The version 1 form is the special case of the cells form (issue 12): with a perfect assay, a
two-subgroup scenario and its cells-form twin (cells B+ and B−, one population B+) give the same
numbers, bit for bit, for every fixed design; with an imperfect assay the generic designs over the assay's
structure (planner.populations.assay_structure) give the version 1 numbers."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
from conftest import SCENARIOS, base_scenario

from planner.compute import compare_designs
from planner.scenario_io import scenario_from_dict

MULTIPLICITY = {"spiessens_debois": ("parametric", None), "bonferroni": ("bonferroni", None),
                "fixed_sequence_overall_first": ("fixed_sequence", ["F", "B+"]),
                "fixed_sequence_subgroup_first": ("fixed_sequence", ["B+", "F"])}
SIZE_FOR = {"subgroup": "B+", "overall": "F", "either": "at_least_one", "both": "all"}
CLAIMS = {"overall": ("by", "F"), "subgroup": ("by", "B+"), "either": ("power_at_least_one",),
          "both": ("power_all",)}


def perfect(d: dict) -> dict:
    d = copy.deepcopy(d)
    d["population"]["assay_sensitivity"] = d["population"]["assay_specificity"] = 1.0
    d.pop("uncertainty", None)
    return d


def twin(d: dict) -> dict:
    """The cells form of a two-subgroup scenario with a perfect assay."""
    c = copy.deepcopy(d)
    pop = c["population"]
    g = pop.pop("prevalence")
    pop.pop("assay_sensitivity", None)
    pop.pop("assay_specificity", None)
    pop["cells"] = [{"name": "B+", "prevalence": g}, {"name": "B−", "prevalence": 1.0 - g}]
    pop["populations"] = [{"name": "B+", "cells": ["B+"]}]
    c["cells"] = {"B+": c.pop("positive"), "B−": c.pop("negative")}
    strat = (c.get("designs") or {}).get("stratified")
    if strat is not None:
        code, order = MULTIPLICITY[strat.get("multiplicity", "spiessens_debois")]
        strat["multiplicity"] = code
        if order:
            strat["order"] = order
        strat["size_for"] = SIZE_FOR[strat.get("size_for", "subgroup")]
    return c


NUMBERS = ("feasible", "n_randomized", "n_per_arm", "n_randomized_exact", "events", "events_exact", "power",
           "n_screened", "cost", "accrual_duration", "expected_events", "screening_rate_needed")


def _same(a, b, where):
    assert a == b, (where, a, b)  # bit for bit: the same arithmetic


def _compare(v1: dict, cells: dict):
    a = compare_designs(scenario_from_dict(v1), include_adaptive=False).to_dict()["designs"]
    b = compare_designs(scenario_from_dict(cells), include_adaptive=False).to_dict()["designs"]
    assert a.keys() == b.keys()
    for name in a:
        for key in NUMBERS:
            _same(a[name].get(key), b[name].get(key), f"{name}.{key}")
        if name == "stratified" and a[name]["feasible"]:
            for claim, where in CLAIMS.items():
                got = b[name]["power_by_population"][where[1]] if where[0] == "by" else b[name][where[0]]
                _same(a[name][f"power_{claim}"], got, f"stratified.{claim}")
        if name == "interaction" and a[name]["feasible"]:
            _same(a[name]["power"], b[name]["power_by_population"]["B+"], "interaction.B+")
    return a, b


EXAMPLES = sorted(p for p in SCENARIOS.glob("*.json")
                  if "cells" not in json.loads(p.read_text(encoding="utf-8"))["population"])


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_with_a_perfect_assay_equals_its_cells_form_twin(path):
    d = perfect(json.loads(path.read_text(encoding="utf-8")))
    d.pop("interim", None)  # one analysis here; the twins with a plan: tests/test_groupseq_multipop.py
    for opts in (d.get("designs") or {}).values():
        if isinstance(opts, dict):
            opts.pop("interim", None)
    if d.get("designs", {}).get("stratified", {}).get("multiplicity") == "fallback":
        d["designs"]["stratified"]["multiplicity"] = "bonferroni"
    _compare(d, twin(d))


@pytest.mark.parametrize("endpoint", ["continuous", "binary", "survival"])
@pytest.mark.parametrize("multiplicity", list(MULTIPLICITY))
@pytest.mark.parametrize("size_for", list(SIZE_FOR))
def test_every_procedure_and_claim_agrees(endpoint, multiplicity, size_for):
    d = base_scenario(endpoint, population={"prevalence": 0.37})
    d["version"] = 2
    d["designs"] = {"all_comers": {}, "targeted": {}, "stratified": {"multiplicity": multiplicity,
                                                                      "size_for": size_for},
                    "strategy": {"control_arm": "randomized"}, "interaction": {}}
    _compare(d, twin(d))
    d["designs"]["stratified"]["n_randomized"] = 500  # the power question too
    _compare(d, twin(d))


@pytest.mark.parametrize("endpoint", ["continuous", "binary", "survival"])
def test_generic_designs_over_the_assay_structure_give_the_version_1_numbers(endpoint):
    """An imperfect assay: the cells test-positive/test-negative are mixtures of B+ and B−."""
    from dataclasses import replace

    from planner.catalogue import FIXED_DESIGNS
    from planner.designs.build import build_model, builder
    from planner.designs.multipop import claim_key
    from planner.params import params_from_scenario
    from planner.populations import assay_structure
    from planner.scenario import FixedDesignOptions

    d = base_scenario(endpoint, population={"prevalence": 0.4, "assay_sensitivity": 0.85,
                                            "assay_specificity": 0.9})
    par = params_from_scenario(scenario_from_dict(d))
    generic = replace(par, structure=assay_structure(par.prevalence, par.sensitivity, par.specificity))
    n = np.array([150.0, 400.0, 1200.0])
    for name in FIXED_DESIGNS:
        v1 = build_model(name, par, FixedDesignOptions(control_arm="randomized")).claims(n)
        opts = FixedDesignOptions(multiplicity="parametric", size_for="test-positive", control_arm="randomized")
        new = builder(name, cells=True)(generic, opts).claims(n)
        np.testing.assert_allclose(new["power"], v1["power"], rtol=1e-12, err_msg=name)
        if name == "stratified":
            np.testing.assert_allclose(new[claim_key("F")], v1["overall"], rtol=1e-12)
            np.testing.assert_allclose(new["at_least_one"], v1["either"], rtol=1e-12)
