"""``designs.adaptive.combination`` and ``sample_size_recalculation``: reading, bad input (exit 2
naming the field), writing round trip, CLI text/JSON output, and the engine's invariants
(results independent of chunking; recalculation with equal min and max = fixed sizes)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from conftest import base_scenario

from planner.adaptive import SimModel, simulate_model
from planner.adaptive.recalculation import Recalculation, exact_sum, exact_value
from planner.scenario_io import scenario_from_dict, scenario_to_dict
from ui.cli import main

SSR = {"conditional_power": 0.9, "min_subjects": [150, 50], "max_subjects": [150, 400]}
ADAPTIVE = {"information_rates": [0.5, 1], "planned_subjects": [150, 300], "simulations": 2000, "seed": 3,
            "combination": "fisher", "boundaries": "equal_alpha", "sample_size_recalculation": SSR}


def _write(tmp_path, adaptive, endpoint="continuous"):
    d = base_scenario(endpoint)
    d["designs"] = {"adaptive": adaptive}
    path = tmp_path / "s.json"
    path.write_text(json.dumps(d))
    return str(path)


def test_round_trip_keeps_the_extensions():
    d = base_scenario("continuous")
    d["designs"] = {"adaptive": ADAPTIVE}
    sc = scenario_from_dict(d)
    opts = sc.designs["adaptive"]
    assert opts.combination == "fisher" and opts.sample_size_recalculation.max_subjects == (150, 400)
    again = scenario_from_dict(scenario_to_dict(sc))
    assert again == sc
    written = scenario_to_dict(sc)["designs"]["adaptive"]
    assert written["sample_size_recalculation"] == dict(SSR, effect="observed")


@pytest.mark.parametrize("change, field", [
    ({"combination": "product"}, "designs.adaptive.combination"),
    ({"combination": "inverse_normal"}, "designs.adaptive.boundaries"),  # equal_alpha needs Fisher
    ({"sample_size_recalculation": dict(SSR, conditional_power=1.2)},
     "designs.adaptive.sample_size_recalculation.conditional_power"),
    ({"sample_size_recalculation": dict(SSR, min_subjects=[150])},
     "designs.adaptive.sample_size_recalculation.min_subjects"),
    ({"sample_size_recalculation": dict(SSR, max_subjects=[100, 400])},
     "designs.adaptive.sample_size_recalculation.max_subjects"),
    ({"sample_size_recalculation": dict(SSR, max_subjects=[150, 40])},
     "designs.adaptive.sample_size_recalculation.max_subjects"),
    ({"sample_size_recalculation": dict(SSR, effect="guess")},
     "designs.adaptive.sample_size_recalculation.effect"),
    ({"sample_size_recalculation": dict(SSR, min_events=[1, 2])},
     "designs.adaptive.sample_size_recalculation.min_events"),
    ({"sample_size_recalculation": [0.9]}, "designs.adaptive.sample_size_recalculation"),
])
def test_bad_input_exits_2_naming_the_field(tmp_path, capsys, change, field):
    path = _write(tmp_path, dict(ADAPTIVE, **change))
    assert main(["simulate", path]) == 2
    assert field in capsys.readouterr().err


def test_survival_uses_events(tmp_path, capsys):
    ssr = {"conditional_power": 0.8, "min_events": [100, 50], "max_events": [100, 300]}
    path = _write(tmp_path, {"planned_events": [100, 200], "simulations": 2000, "sample_size_recalculation": ssr},
                  endpoint="survival")
    assert main(["simulate", path, "--format", "json"]) == 0
    res = json.loads(capsys.readouterr().out)["designs"]["adaptive"]
    assert res["recalculation"]["max_events"] == [100, 300]
    dist = res["size_distribution"]["events"]
    assert 100 <= dist["quantiles"]["0.5"]["value"] <= 400 and dist["design_maximum"] == 400
    assert 100 <= res["expected_events"] <= 400 and res["events"] == 400


def test_cli_text_and_json_show_combination_and_recalculation(tmp_path, capsys):
    path = _write(tmp_path, ADAPTIVE)
    assert main(["simulate", path]) == 0
    out = capsys.readouterr().out
    assert "Fisher's combination test" in out and "sample-size recalculation" in out
    assert "subjects per trial (quantiles)" in out and "design maximum 550" in out
    assert main(["simulate", path, "--format", "json"]) == 0
    res = json.loads(capsys.readouterr().out)["designs"]["adaptive"]
    assert res["combination"] == "fisher" and res["recalculation"]["conditional_power"] == 0.9
    q = res["size_distribution"]["subjects"]["quantiles"]
    assert set(q) == {"0.05", "0.25", "0.5", "0.75", "0.95"} and all("se" in v for v in q.values())
    assert res["n_randomized"] == 550


def _model(**kw) -> SimModel:
    base = dict(endpoint="continuous", prevalence=0.4, planned=(100.0, 200.0, 300.0),
                information_rates=(1 / 3, 2 / 3, 1.0), theta=(0.4, 0.1), variance=(4.0, 4.0))
    base.update(kw)
    return SimModel(**base)


def test_recalculation_results_do_not_depend_on_chunks_or_threads():
    m = _model(combination="fisher", recalculation=Recalculation(0.8, (100.0, 50.0, 50.0), (100.0, 300.0, 300.0)))
    a = simulate_model(m, 9000, seed=5, chunk_size=4096, workers=1).to_dict()
    b = simulate_model(m, 9000, seed=5, chunk_size=65536, workers=2).to_dict()
    assert a == b


def test_equal_bounds_reproduce_the_fixed_sizes():
    """min = max = the planned increments: the recalculated design is the planned one, trial by trial."""
    m = _model()
    fixed = simulate_model(m, 8000, seed=11, workers=1)
    rc = simulate_model(replace(m, recalculation=Recalculation(0.9, (100.0,) * 3, (100.0,) * 3)), 8000, seed=11,
                        workers=1)
    assert rc.reject_at_least_one == fixed.reject_at_least_one
    assert rc.expected_subjects == pytest.approx(fixed.expected_subjects, rel=1e-12)
    assert rc.expected_subjects_se == pytest.approx(fixed.expected_subjects_se, rel=1e-9)
    assert rc.expected_screened == pytest.approx(fixed.expected_screened, rel=1e-12)


def test_exact_sum_is_order_independent():
    import numpy as np

    x = np.random.default_rng(1).exponential(100.0, 10001)
    assert exact_sum(x) == exact_sum(x[::-1]) == exact_sum(x[:5000]) + exact_sum(x[5000:])
    assert exact_value(exact_sum(x)) == pytest.approx(float(np.sum(x)), rel=1e-14)


def test_fisher_level_under_the_global_null():
    """FWER ≤ α + 3 SE for Fisher with recalculation (global null, Simes, best)."""
    m = _model(theta=(0.0, 0.0), combination="fisher", boundaries="equal_alpha",
               recalculation=Recalculation(0.9, (100.0, 50.0, 50.0), (100.0, 400.0, 400.0)))
    res = simulate_model(m, 40000, seed=3)
    assert res.reject_at_least_one <= 0.025 + 3 * (0.025 * 0.975 / 40000) ** 0.5


def test_find_size_with_recalculation_exits_2(tmp_path, capsys):
    path = _write(tmp_path, ADAPTIVE)
    assert main(["simulate", path, "--find-size", "at_least_one"]) == 2
    assert "designs.adaptive.sample_size_recalculation" in capsys.readouterr().err
