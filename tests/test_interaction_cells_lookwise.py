"""The cells form's interaction design with interims under the look-wise law: every population's
test has its own look factors.

The design tests, for each population P, θ_P − θ_{not P}; with heterogeneous cells (PD-L1 TPS
cutoffs, KEYNOTE-042) each of these statistics has its own look-wise drifts E Z_k / (δ√t_k)
(:func:`planner.survival_nph.lookwise_factors`). Until wave 7 every claim used the design's own
(first) population's factors. Independent check: the power of a population's claim equals the
design's power when that population is the design's own (``population`` option), at the same N.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from planner.designs.build import build_model
from planner.groupseq.plan import InterimPlan
from planner.params import params_from_scenario
from planner.scenario_io import scenario_from_dict
from planner.survival_nph import lookwise_factors

FILE = Path(__file__).resolve().parent.parent / "resources" / "scenarios" / "pdl1_nsclc_keynote042_cutoffs.json"
PLAN = InterimPlan((0.33, 0.67, 1.0), "obrien_fleming", None, (0.0, 0.0), False)
N = np.array([1500.0, 2534.0, 4000.0])


@pytest.fixture(scope="module")
def scenario():
    d = json.loads(FILE.read_text())
    d["interim"] = PLAN.to_dict()
    return scenario_from_dict(d)


def _model(s, population=None):
    opts = dataclasses.replace(s.resolved_options("interaction", None), population=population)
    return build_model("interaction", params_from_scenario(s), opts), opts


def test_populations_have_different_look_factors(scenario):
    """The check below would not see the former error if the factors were alike."""
    par = params_from_scenario(scenario)
    f = lookwise_factors(par, "interaction", PLAN.information_rates, _model(scenario)[1])
    assert f.shape == (3, 3)
    assert np.abs(f[1:, 0] - f[0, 0]).max() > 5e-3


def test_each_claim_uses_its_own_factors(scenario):
    model, _ = _model(scenario)
    claims = model.claims(N)
    assert set(claims) >= {"power", model.primary}
    np.testing.assert_array_equal(claims["power"], claims[model.primary])
    for key in (k for k in claims if k.startswith("population:") and k != model.primary):
        own, _ = _model(scenario, key.split(":", 1)[1])
        assert own.primary == key
        np.testing.assert_allclose(claims[key], own.claims(N)["power"], rtol=0, atol=1e-12)
