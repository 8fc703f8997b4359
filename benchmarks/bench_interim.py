"""Interim analyses wired into the product: medians (run: python benchmarks/bench_interim.py [SCENARIO]).

All designs of a scenario with a 3-look plan (O'Brien–Fleming, non-binding futility at z = 0):
the comparison (compute of every fixed design with looks and expected sizes) and the 200-point
curves power vs N, N vs prevalence and power vs B− effect, each for every design. Caches are
warm after the first call (boundaries per plan, power table, stratified bounds per
correlation), as in the app. Each line: the median wall-clock time and the median CPU time of
this process (the measure to read on a shared machine; the targets are for an idle one), the
1-minute load average beside.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's planner

from planner import curves  # noqa: E402
from planner.compute import compare_designs  # noqa: E402
from planner.groupseq.plan import InterimPlan  # noqa: E402
from planner.scenario_io import scenario_from_dict  # noqa: E402

PLAN = InterimPlan((0.33, 0.67, 1.0), "obrien_fleming", None, (0.0, 0.0), False)


def _median(fn, repeat: int = 3) -> tuple[float, float]:
    """(wall-clock, CPU time of this process) medians in ms, after one warm-up call."""
    fn()  # warm
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000


def main(path: str) -> None:
    s = replace(scenario_from_dict(json.loads(Path(path).read_text())), interim=PLAN)
    designs = list(s.fixed_designs())
    comp = compare_designs(s, include_adaptive=False)
    n_grid = np.geomspace(20, 5000, 200)
    g_grid = np.linspace(0.05, 0.95, 200)
    e_grid = np.linspace(0.5, 1.2, 200) if s.endpoint == "survival" else np.linspace(-0.2, 0.5, 200)
    print(f"scenario {Path(path).name}, {len(designs)} designs, 3-look plan; medians, CPU = this process's CPU time")
    print(f"{'':27s} {'wall ms':>9s} {'CPU ms':>9s}  load avg  (CPU ms per design)")
    wall, cpu = _median(lambda: compare_designs(s, include_adaptive=False))
    print(f"{'comparison (target ≤ 30)':27s} {wall:9.1f} {cpu:9.1f}  {os.getloadavg()[0]:.2f}")
    for name, fn in (
        ("power vs N (200)", lambda d: curves.power_vs_n(s, d, n_grid, comp.designs[d])),
        ("N vs prevalence (200)", lambda d: curves.n_vs_prevalence(s, d, g_grid)),
        ("power vs B− effect (200)", lambda d: curves.power_vs_negative_effect(s, d, e_grid)),
    ):
        per = {d: _median(lambda d=d, fn=fn: fn(d), 1) for d in designs}
        wall, cpu = (sum(t[i] for t in per.values()) for i in (0, 1))
        print(f"{name:27s} {wall:9.1f} {cpu:9.1f}  {os.getloadavg()[0]:.2f}      ("
              + ", ".join(f"{d} {t[1]:.0f}" for d, t in per.items()) + ")")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "resources" / "scenarios" / "cystic_fibrosis_ivacaftor.json"))
