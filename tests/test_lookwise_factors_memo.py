"""The memo of :func:`planner.survival_nph.lookwise_factors` (issue 11 speed): its key is every
field of Params (:func:`planner.survival_nph.value_key`), the design, the information rates and the
options the statistics use. Equal inputs (even in new objects) return the remembered factors;
changing any input the factors depend on gives the factors of the new input, computed afresh."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

import numpy as np
import pytest

from planner import survival_nph
from planner.params import params_from_scenario
from planner.scenario import FixedDesignOptions
from planner.scenario_io import load_scenario

PAOLA = "resources/scenarios/hrd_ovarian_paola1_interim.json"
NPH = "resources/scenarios/pdl1_io_delayed_effect.json"
RATES = (0.33, 0.67, 1.0)


def _par(path=PAOLA):
    return params_from_scenario(load_scenario(path))


def _imperfect():
    """PAOLA-1 with an imperfect assay (every design's statistics then mix B+ and B−)."""
    return replace(_par(), sensitivity=np.asarray(0.9), specificity=np.asarray(0.85))


#: inputs a design's statistics do not use: all-comers has no assay; the interaction test no shifted null
UNUSED = {"all_comers": {"sensitivity", "specificity"}, "interaction": {"null effect"}}


def _sub(par, which, **values):
    g = dict(par.subgroup(which))
    g.update({k: np.asarray(v, dtype=float) for k, v in values.items()})
    return replace(par, **{which: MappingProxyType(g)})


def test_equal_inputs_hit():
    survival_nph._FACTORS.clear()
    first = survival_nph.lookwise_factors(_par(), "stratified", RATES)
    again = survival_nph.lookwise_factors(_par(), "stratified", list(RATES))   # new Params, equal values
    assert first is not None and again is first


def _changes(par):
    return {
        "prevalence": replace(par, prevalence=np.asarray(0.4)),
        "sensitivity": replace(par, sensitivity=np.asarray(0.8)),
        "specificity": replace(par, specificity=np.asarray(0.75)),
        "B+ hazard ratio": _sub(par, "positive", hazard_ratio=0.5),
        "B- hazard ratio": _sub(par, "negative", hazard_ratio=0.8),
        "B+ control median": _sub(par, "positive", control_median=30.0),
        "B- control median": _sub(par, "negative", control_median=9.0),
        "accrual": replace(par, accrual_time=par.accrual_time * 1.5),
        "follow-up": replace(par, follow_up_time=par.follow_up_time * 0.5),
        "dropout": replace(par, dropout_hazard=par.dropout_hazard + 0.02),
        "allocation": par.with_allocation(1.0 if par.allocation_ratio != 1.0 else 2.0),
        "null effect": replace(par, null_effect=1.1),
        "curve of prevalences": replace(par, prevalence=np.linspace(0.2, 0.6, 5)),
    }


@pytest.mark.parametrize("name", ["all_comers", "targeted", "stratified", "strategy", "interaction"])
def test_each_input_changes_the_factors(name):
    par = _imperfect()
    base = survival_nph.lookwise_factors(par, name, RATES)
    assert base is not None
    for what, changed in _changes(par).items():
        got = survival_nph.lookwise_factors(changed, name, RATES)
        fresh = survival_nph._lookwise_factors(changed, name, RATES, None)
        np.testing.assert_array_equal(got, fresh, err_msg=what)   # the memo gives the new input's factors
        if what not in UNUSED.get(name, ()):
            assert got.shape != base.shape or not np.array_equal(got, base), what
    other = survival_nph.lookwise_factors(par, name, (0.5, 1.0))
    np.testing.assert_array_equal(other, survival_nph._lookwise_factors(par, name, (0.5, 1.0), None))
    assert other.shape != base.shape


def test_design_and_options_are_in_the_key():
    par = _imperfect()
    got = {n: survival_nph.lookwise_factors(par, n, RATES) for n in ("all_comers", "targeted", "strategy")}
    assert not np.array_equal(got["all_comers"], got["targeted"])
    randomized = FixedDesignOptions(control_arm="randomized")
    r = survival_nph.lookwise_factors(par, "strategy", RATES, randomized)
    np.testing.assert_array_equal(r, survival_nph._lookwise_factors(par, "strategy", RATES, randomized))
    assert not np.array_equal(r, got["strategy"])


def test_piecewise_model_is_in_the_key():
    par = _par(NPH)
    base = survival_nph.lookwise_factors(par, "all_comers", RATES)
    model, ref = par.piecewise["positive"]
    later = replace(model, starts=tuple(s * 1.5 for s in model.starts))
    changed = replace(par, piecewise=MappingProxyType({**par.piecewise, "positive": (later, ref)}))
    got = survival_nph.lookwise_factors(changed, "all_comers", RATES)
    np.testing.assert_array_equal(got, survival_nph._lookwise_factors(changed, "all_comers", RATES, None))
    assert not np.array_equal(got, base)


def test_value_key():
    k = survival_nph.value_key
    assert k(np.asarray([1.0, 2.0])) != k(np.asarray([1.0, 2.5]))
    assert k(np.asarray([1.0, 2.0])) != k(np.asarray([[1.0, 2.0]]))
    assert k(MappingProxyType({"a": np.asarray(1.0)})) == k({"a": np.asarray(1.0)})
    assert k((1.0, "x")) != k([1.0, "x"])
    objects = lambda v: np.array([np.asarray(v), "x"], dtype=object)  # noqa: E731
    assert k(objects(1.0)) == k(objects(1.0)) != k(objects(2.0))   # by value, not by address
    with pytest.raises(TypeError):
        k(object.__new__(type("Unhashable", (), {"__hash__": None})))
