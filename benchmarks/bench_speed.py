"""The issue-11/13 speed targets in one run (python benchmarks/bench_speed.py [--repeat R]).

Medians of the wall-clock time and of this process's CPU time (the steadier measure on a shared
machine), the load average beside each; the targets are for an idle machine:

* ``stratified comparison`` — ``compute_design`` of the biomarker-stratified design of
  resources/scenarios/hrd_ovarian_paola1_interim.json (the file names no stratified design: it
  is added with its default options; the file's two-look plan), every cache warm but the
  per-call ones (issue 11: ≤ 30 ms for the comparison of all designs);
* ``comparison, all designs`` — ``compare_designs`` of the same file with the stratified design;
* ``four curves`` — the stratified design's four 200-point curves under that plan (power vs N,
  power vs the B− effect, claims over prevalence at the design's N, N for the target power over
  prevalence; issue 11: ≤ 100 ms); with the grid recursions cached from the warm-up call, and
  ``cold grids``: every recursion recomputed (the bounds stay cached);
* ``NPH comparison`` — ``compare_designs`` of resources/scenarios/pdl1_io_delayed_effect.json
  (piecewise survival, delayed effect; issue 13: ≤ 50 ms);
* ``NPH curves`` — the comparison, then power vs N, N vs prevalence and power vs the B− effect of
  every design of that file (200 points each).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's planner

from planner import curves  # noqa: E402
from planner.compute import compare_designs, compute_design  # noqa: E402
from planner.designs.build import build_model  # noqa: E402
from planner.params import params_from_scenario  # noqa: E402
from planner.scenario_io import load_scenario, scenario_from_dict  # noqa: E402

SCEN = ROOT / "resources" / "scenarios"


def _median(fn, repeat: int, clear=None) -> tuple[float, float, float]:
    """(wall-clock median ms, CPU-time median ms of this process, load average): on a loaded
    machine the CPU time is the steadier measure of the work done. ``clear`` runs before each
    timed call (untimed)."""
    fn()  # warm
    wall, cpu = [], []
    for _ in range(repeat):
        if clear:
            clear()
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000, os.getloadavg()[0]


def paola_with_stratified():
    d = json.loads((SCEN / "hrd_ovarian_paola1_interim.json").read_text())
    d["designs"]["stratified"] = {}
    return scenario_from_dict(d)


def four_curves(s, result) -> None:
    n_grid = np.geomspace(100, 5000, 200)
    g_grid = np.linspace(0.1, 0.9, 200)
    e_grid = np.linspace(0.5, 1.2, 200)
    curves.power_vs_n(s, "stratified", n_grid, result)
    curves.power_vs_negative_effect(s, "stratified", e_grid, result=result)
    par = params_from_scenario(s, prevalence=g_grid)
    model = build_model("stratified", par, curves._opts(s, "stratified"))
    model.claims(np.full(g_grid.size, float(result.n_randomized)), np.arange(g_grid.size))
    curves.n_vs_prevalence(s, "stratified", g_grid)


def nph_curves(s, results) -> None:
    for d in s.fixed_designs():
        curves.power_vs_n(s, d, np.geomspace(50, 3000, 200), results[d])
        curves.n_vs_prevalence(s, d, np.linspace(0.1, 0.9, 200))
        curves.power_vs_negative_effect(s, d, np.linspace(0.5, 1.2, 200), result=results[d])


def _clear_grids() -> None:
    """Forget the 2-D grid recursions (as after a change of the effect or N); bounds stay cached."""
    try:
        from planner.groupseq.procedure import _reference  # noqa: PLC0415
    except ImportError:
        return
    _reference.cache_clear()


def main() -> None:
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 5
    only = sys.argv[sys.argv.index("--only") + 1].split(",") if "--only" in sys.argv else None
    s = paola_with_stratified()
    nph = load_scenario(SCEN / "pdl1_io_delayed_effect.json")
    opts = s.resolved_options("stratified", None)
    rows = {
        "stratified comparison": (lambda: compute_design(s, "stratified", opts), 30.0),
        "comparison, all designs": (lambda: compare_designs(s, include_adaptive=False), 30.0),
        "four curves": (lambda: four_curves(s, compute_design(s, "stratified", opts)), 100.0),
        "four curves, cold grids": (lambda: four_curves(s, compute_design(s, "stratified", opts)), 100.0),
        "NPH comparison": (lambda: compare_designs(nph, include_adaptive=False), 50.0),
        "NPH curves": (lambda: nph_curves(nph, compare_designs(nph, include_adaptive=False).designs), None),
    }
    print(f"load average at start {os.getloadavg()[0]:.2f}")
    for name, (fn, target) in rows.items():
        if only and not any(o in name for o in only):
            continue
        clear = _clear_grids if "cold" in name else None
        med, cpu, load = _median(fn, 3 if "curves" in name and repeat > 3 else repeat, clear)
        tgt = f"(target ≤ {target:g} ms)" if target else ""
        print(f"{name:26s} median {med:9.1f} ms, CPU {cpu:9.1f} ms {tgt:20s} load average {load:.2f}", flush=True)


if __name__ == "__main__":
    main()
