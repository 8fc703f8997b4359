"""Operating-characteristic sweeps, the distributed engine, the FWER table and adaptive assurance.

* A sweep at one grid point equals ``simulate`` for the same seed exactly (every endpoint).
* The process pool (2 workers) and a Dask ``LocalCluster`` give exactly the serial counts.
* Type I error: at every null configuration of the FWER table (global null; H_S true only;
  H_F true only; prevalence 0.3 and 0.7 × δ = 0.25, 0.5, 1, 2 × the reference effect) the
  error is ≤ α + 3 SE with n = 4,000 trials per configuration: SE = √(p(1 − p)/n), at p = α =
  0.025 about 0.0025 — the check is the binomial one, α + 3·√(α(1 − α)/n) ≈ 0.0324.
* Adaptive assurance with no uncertain input: every draw is the point scenario, so the
  assurance is a simulated power from B·m independent trials and must agree with ``simulate``
  (40,000 trials) within 4 combined SEs; its SE then comes from the trials alone.
"""

from __future__ import annotations

import io
import json
import math
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from planner.adaptive.api import simulate_scenario
from planner.adaptive.engine import Job, run_many
from planner.adaptive.fwer import fwer_table
from planner.adaptive.model import model_from_scenario
from planner.adaptive.sweep import parse_vary, run_sweep
from planner.errors import ScenarioError
from planner.scenario_io import load_scenario
from ui.cli import main

ROOT = Path(__file__).resolve().parent.parent
NULLS = ROOT / "tests" / "data" / "global_null"
PRIMA = ROOT / "resources" / "scenarios" / "hrd_ovarian_prima.json"
ENDPOINTS = ("continuous", "binary", "survival")


def _run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(args)
    return code, out.getvalue(), err.getvalue()


def _same_counts(a, b) -> bool:
    return (a.n == b.n and a.totals == b.totals and (a.paths == b.paths).all()
            and all((a.per_stage[k] == b.per_stage[k]).all() for k in a.per_stage))


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_one_point_sweep_equals_simulate(endpoint):
    s = load_scenario(NULLS / f"{endpoint}.json")
    vary = parse_vary(f"population.prevalence={s.population.prevalence}", endpoint)
    sweep = run_sweep(s, [vary], simulations=9_000, seed=11, workers=1, with_fixed=False)
    assert sweep.results[0].to_dict() == simulate_scenario(s, simulations=9_000, seed=11).to_dict()


def test_sweep_on_prima_uses_common_random_numbers_and_fixed_powers():
    s = load_scenario(PRIMA)
    sweep = run_sweep(s, [parse_vary("negative.hazard_ratio=0.6:1.2:0.3", "survival")],
                      simulations=4_096, seed=3, workers=1)
    rows = sweep.rows
    assert [r["negative.hazard_ratio"] for r in rows] == [0.6, 0.9, 1.2]
    # a worse B− effect: the all-comers design loses power monotonically; the targeted design's
    # power does not depend on the B− effect
    assert rows[0]["power_all_comers"] > rows[1]["power_all_comers"] > rows[2]["power_all_comers"]
    assert rows[0]["power_targeted"] == pytest.approx(rows[2]["power_targeted"], abs=1e-12)
    # common random numbers: rejecting H_F gets monotonically rarer along the grid
    assert rows[0]["reject_overall"] > rows[1]["reject_overall"] > rows[2]["reject_overall"]
    assert all(r["power_se"] > 0 for r in rows)


def test_process_pool_equals_serial():
    s = load_scenario(PRIMA)
    m = model_from_scenario(s)
    jobs = [Job(m, 10_000, 5), Job(m.with_planned((40.0, 100.0)), 7_000, 6)]
    serial, _ = run_many(jobs, workers=1, chunk_size=4096)
    pooled, _ = run_many(jobs, workers=2, chunk_size=4096)
    assert all(_same_counts(a, b) for a, b in zip(serial, pooled))


def test_engine_cancel_returns_finished_chunks():
    m = model_from_scenario(load_scenario(PRIMA))
    calls = iter(range(100))
    counts, cancelled = run_many([Job(m, 20_000, 1)], workers=1, chunk_size=4096,
                                 is_cancelled=lambda: next(calls) >= 2)
    assert cancelled and counts[0].n == 2 * 4096


def test_dask_local_cluster_equals_local():
    distributed = pytest.importorskip("dask.distributed")
    s = load_scenario(NULLS / "continuous.json")
    m = model_from_scenario(s)
    jobs = [Job(m, 9_000, 21), Job(m, 5_000, 22)]
    local, _ = run_many(jobs, workers=1, chunk_size=4096)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        # the sweep by address (no default client exists: the engine opens and closes its own)
        sweep_remote = run_sweep(s, [parse_vary("population.prevalence=0.3,0.5")], simulations=5_000,
                                 seed=4, scheduler=cluster.scheduler_address, with_fixed=False)
        with distributed.Client(cluster) as client:
            remote, cancelled = run_many(jobs, scheduler=client, chunk_size=4096)
    assert not cancelled
    assert all(_same_counts(a, b) for a, b in zip(local, remote))
    sweep_local = run_sweep(s, [parse_vary("population.prevalence=0.3,0.5")], simulations=5_000,
                            seed=4, workers=1, with_fixed=False)
    assert sweep_remote.to_dict() == sweep_local.to_dict()


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_fwer_at_every_null_grid_point(endpoint):
    m = model_from_scenario(load_scenario(NULLS / f"{endpoint}.json"))
    n = 4_000
    table = fwer_table(m, simulations=n, seed=77, prevalences=(0.3, 0.7), workers=1)
    assert {r["null"] for r in table.rows} == {"global", "subgroup", "overall"}
    for row in table.rows:
        bound = m.alpha + 3 * math.sqrt(m.alpha * (1 - m.alpha) / n)
        assert row["fwer"] <= bound, row
    assert all(v["within_alpha_3se"] for v in table.maxima().values())


def test_partial_null_f_cancels_in_the_overall_population():
    from planner.adaptive.fwer import null_model
    from planner.adaptive.simulate import subset_weights

    m = model_from_scenario(load_scenario(PRIMA))
    nm = null_model(m, "overall", 0.4, 0.3)
    w_s, w_r = subset_weights(nm)
    assert nm.theta[0] == 0.3 and w_s * nm.theta[0] + w_r * nm.theta[1] == pytest.approx(0.0, abs=1e-15)


def test_adaptive_assurance_without_uncertainty_is_the_simulated_power():
    from planner.adaptive.assurance import adaptive_assurance
    from planner.assurance import draw_inputs
    from planner.uncertainty import Uncertainty

    s = load_scenario(NULLS.parent.parent.parent / "resources" / "scenarios" / "hrd_ovarian_prima.json")
    draws = draw_inputs(s, Uncertainty(), draws=200)
    a = adaptive_assurance(s, all_draws=draws, draws=200, trials_per_draw=100, workers=1)
    sim = simulate_scenario(s, simulations=40_000, seed=99)
    se = math.hypot(a.assurance_se, sim.power_se)
    assert abs(a.assurance - sim.power) <= 4 * se
    assert a.assurance_se_trials > 0 and a.assurance_se_draws <= a.assurance_se_trials
    assert a.to_dict()["trials_per_draw"] == 100


def test_cli_sweep_outputs_and_bad_vary(tmp_path):
    code, out, _ = _run(["sweep", str(PRIMA), "--vary", "negative.hazard_ratio=0.7,1.0",
                         "--simulations", "2000", "--format", "json", "--workers", "1"])
    assert code == 0
    doc = json.loads(out)["sweep"]
    assert len(doc["rows"]) == 2 and doc["varied"] == ["negative.hazard_ratio"]
    csv_file = tmp_path / "s.csv"
    code, _, _ = _run(["sweep", str(PRIMA), "--vary", "population.prevalence=0.4:0.5:0.1",
                       "--simulations", "1000", "--format", "csv", "-o", str(csv_file),
                       "--workers", "1", "--plots", str(tmp_path / "plots")])
    assert code == 0
    lines = csv_file.read_text().splitlines()
    assert lines[0].startswith("population.prevalence,power,power_se") and len(lines) == 3
    assert sorted(p.name for p in (tmp_path / "plots").iterdir()) == [
        "sweep_early_stop.png", "sweep_expected_size.png", "sweep_power.png", "sweep_selection.png"]
    for bad, field in (("negative.hazard_ratio=0:1:0.5", "--vary negative.hazard_ratio"),
                       ("negative.mean_difference=1", "--vary negative.mean_difference"),
                       ("nonsense=1", "--vary nonsense"),
                       ("population.prevalence=0.5:0.1:0.1", "--vary population.prevalence"),
                       ("designs.adaptive.seed=1,2", "--vary designs.adaptive.seed")):
        code, _, err = _run(["sweep", str(PRIMA), "--vary", bad, "--simulations", "100"])
        assert code == 2 and field in err, (bad, err)
    with pytest.raises(ScenarioError):
        parse_vary("population.prevalence", "survival")
