"""A distribution of a cell's control median in the cells form (survival): ``uncertainty.cells.<name>.
control_median`` = ``{"estimate": m̂, "events": d}`` → m = m̂·d/G, G ~ Gamma(d, 1)
(planner.cells_uncertainty.MedianPrior).

* reading and writing back; bad blocks name the field; the catalogue's control_median bounds;
* the draws are the inverse-gamma(d, scale m̂·d): their mean m̂·d/(d − 1) within 4 SEs of 20,000
  draws (SE = sd/√B, sd = m̂·d/((d − 1)√(d − 2))) and a Kolmogorov–Smirnov test;
* the adaptive design's assurance with a median distribution against an independent Monte Carlo:
  the test draws the medians with numpy's own gamma, writes each draw's scenario file through the
  reader and simulates it (planner.adaptive.api.simulate_scenario, its own seed per draw); both
  estimates within 4 combined Monte Carlo SEs;
* a median estimate far from the scenario's value is a prior conflict.
"""

from __future__ import annotations

import copy
import json
import math

import numpy as np
import pytest
from scipy import stats

from planner.adaptive.api import simulate_scenario
from planner.adaptive.assurance import adaptive_assurance
from planner.assurance import draw_inputs
from planner.cells_uncertainty import MedianPrior
from planner.errors import ScenarioError
from planner.scenario_io import dumps_scenario, scenario_from_dict
from planner.uncertainty import prior_conflicts

CELLS = {"A": (0.3, 0.5, 6.0), "B": (0.3, 0.8, 12.0), "C": (0.4, 1.0, 24.0)}  # prevalence, HR, median


def _scenario(uncertainty: dict | None = None) -> dict:
    d = {
        "format": "enrichment-planner-scenario", "version": 2, "title": "medians", "endpoint": "survival",
        "population": {"cells": [{"name": c, "prevalence": p} for c, (p, _, _) in CELLS.items()],
                       "populations": [{"name": "P1", "cells": ["A"]}, {"name": "P2", "cells": ["A", "B"]}]},
        "cells": {c: {"control_median": m, "hazard_ratio": h} for c, (_, h, m) in CELLS.items()},
        "survival": {"accrual_time": 24, "follow_up_time": 6, "time_unit": "months"},
        "testing": {"alpha": 0.025, "sides": 1, "power": 0.8},
        "designs": {"adaptive": {"information_rates": [0.5, 1.0], "planned_events": [40, 80],
                                 "simulations": 1000, "seed": 5}},
    }
    if uncertainty is not None:
        d["uncertainty"] = uncertainty
    return d


def test_the_median_prior_reads_and_writes_back():
    s = scenario_from_dict(_scenario({"draws": 200, "cells": {"A": {"control_median": {"events": 30}},
                                                             "C": {"control_median": {"estimate": 20, "events": 80}}}}))
    assert s.uncertainty.uncertain() == ("cells.A.control_median", "cells.C.control_median")
    assert s.uncertainty.prior("cells.C.control_median") == MedianPrior(events=80, estimate=20)
    again = scenario_from_dict(json.loads(dumps_scenario(s)))
    assert again.uncertainty == s.uncertainty
    assert json.loads(dumps_scenario(s))["uncertainty"]["cells"]["A"] == {"control_median": {"events": 30}}


@pytest.mark.parametrize("block, field", [
    ({"control_median": {"estimate": 10}}, "uncertainty.cells.A.control_median.events"),
    ({"control_median": {"events": 0}}, "uncertainty.cells.A.control_median.events"),
    ({"control_median": {"events": 10, "estimate": -3}}, "uncertainty.cells.A.control_median.estimate"),
    ({"control_median": {"events": 10, "scale": 2}}, "uncertainty.cells.A.control_median.scale"),
    ({"control_median": 12}, "uncertainty.cells.A.control_median"),
])
def test_bad_median_priors_name_the_field(block, field):
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(_scenario({"cells": {"A": block}}))
    assert any(p.path == field for p in err.value.problems), err.value.problems


def test_a_continuous_cell_has_no_median_prior():
    d = _scenario({"cells": {"A": {"control_median": {"events": 10}}}})
    d["endpoint"] = "continuous"
    d["cells"] = {c: {"mean_difference": 0.2, "sd": 1.0} for c in CELLS}
    d["designs"]["adaptive"] = {"information_rates": [0.5, 1.0], "planned_subjects": [100, 200]}
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(d)
    assert any(p.path == "uncertainty.cells.A.control_median" for p in err.value.problems)


def test_the_median_draws_are_inverse_gamma():
    d_events, m_hat = 25.0, 20.0
    s = scenario_from_dict(_scenario({"draws": 20_000, "seed": 4,
                                      "cells": {"C": {"control_median": {"estimate": m_hat, "events": d_events}}}}))
    m = draw_inputs(s).cells["C"]["control_median"]
    mean = m_hat * d_events / (d_events - 1)
    sd = m_hat * d_events / ((d_events - 1) * math.sqrt(d_events - 2))
    assert abs(m.mean() - mean) <= 4 * sd / math.sqrt(m.size)
    assert stats.kstest(m, stats.invgamma(d_events, scale=m_hat * d_events).cdf).pvalue > 1e-3


def _independent(base: dict, draws: int, trials: int, seed: int) -> tuple[float, float]:
    """Medians drawn by numpy's gamma, each draw's scenario through the reader, simulated alone."""
    rng = np.random.default_rng(seed)
    powers = []
    for b in range(draws):
        d = copy.deepcopy(base)
        d.pop("uncertainty")
        d["cells"]["A"]["control_median"] = float(6.0 * 5 / rng.gamma(5.0))
        d["cells"]["C"]["control_median"] = float(24.0 * 5 / rng.gamma(5.0))
        powers.append(simulate_scenario(scenario_from_dict(d), simulations=trials, seed=seed + b, workers=1).power)
    p = np.array(powers)
    return float(p.mean()), float(p.std(ddof=1) / math.sqrt(draws))


def test_adaptive_assurance_with_median_priors_agrees_with_an_independent_monte_carlo():
    base = _scenario({"draws": 400, "seed": 8, "cells": {"A": {"control_median": {"events": 5}},
                                                         "C": {"control_median": {"events": 5}}}})
    s = scenario_from_dict(base)
    a = adaptive_assurance(s, draws=400, trials_per_draw=200, workers=1)
    ind, ind_se = _independent(base, 200, 200, seed=11)
    assert abs(a.assurance - ind) <= 4 * math.hypot(a.assurance_se, ind_se), (a.assurance, ind)
    # the medians matter: the draws' powers spread beyond the trials' error alone
    assert a.assurance_se_draws > 0.5 * a.assurance_se_trials
    assert a.uncertain == ("cells.A.control_median", "cells.C.control_median")


def test_a_median_estimate_far_from_the_scenario_is_a_conflict():
    s = scenario_from_dict(_scenario({"cells": {"B": {"control_median": {"estimate": 24.0, "events": 40}}}}))
    conflicts = prior_conflicts(s)
    assert conflicts and conflicts[0].path == "cells.B.control_median"
    calm = scenario_from_dict(_scenario({"cells": {"B": {"control_median": {"estimate": 12.5, "events": 40}}}}))
    assert not prior_conflicts(calm)


def test_a_median_prior_on_a_piecewise_cell_is_refused_naming_the_field():
    """A piecewise cell takes its control hazards from its table: a median prior there would be
    read and ignored, so the reader refuses it (exit 2 in the CLI, naming the field)."""
    d = _scenario({"draws": 200, "cells": {"A": {"control_median": {"events": 30}},
                                          "B": {"control_median": {"events": 30}}}})
    d["cells"]["B"] = {"piecewise": {"starts": [0, 3], "control_hazards": [0.06, 0.05], "hazard_ratios": [1.0, 0.8]}}
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(d)
    paths = [p.path for p in err.value.problems]
    assert paths == ["uncertainty.cells.B.control_median"], paths
    assert "piecewise table" in err.value.problems[0].reason
    del d["uncertainty"]["cells"]["B"]
    assert scenario_from_dict(d).uncertainty.uncertain() == ("cells.A.control_median",)
