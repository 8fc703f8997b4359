"""Interim analyses wired into the product: medians (run: python benchmarks/bench_interim.py [SCENARIO]).

All designs of a scenario with a 3-look plan (O'Brien–Fleming, non-binding futility at z = 0):
the comparison (compute of every fixed design with looks and expected sizes) and the 200-point
curves power vs N, N vs prevalence and power vs B− effect, each for every design. Caches are
warm after the first call (boundaries per plan, power table, stratified bounds per
correlation), as in the app. The load average is printed beside: the machine is shared.
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


def _median(fn, repeat: int = 3) -> float:
    fn()  # warm
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main(path: str) -> None:
    s = replace(scenario_from_dict(json.loads(Path(path).read_text())), interim=PLAN)
    designs = list(s.fixed_designs())
    comp = compare_designs(s, include_adaptive=False)
    n_grid = np.geomspace(20, 5000, 200)
    g_grid = np.linspace(0.05, 0.95, 200)
    e_grid = np.linspace(0.5, 1.2, 200) if s.endpoint == "survival" else np.linspace(-0.2, 0.5, 200)
    print(f"scenario {Path(path).name}, {len(designs)} designs, 3-look plan; load average {os.getloadavg()[0]:.2f}")
    print(f"comparison:                 {_median(lambda: compare_designs(s, include_adaptive=False)):9.1f} ms")
    for name, fn in (
        ("power vs N (200)", lambda d: curves.power_vs_n(s, d, n_grid, comp.designs[d])),
        ("N vs prevalence (200)", lambda d: curves.n_vs_prevalence(s, d, g_grid)),
        ("power vs B− effect (200)", lambda d: curves.power_vs_negative_effect(s, d, e_grid)),
    ):
        per = {d: _median(lambda d=d, fn=fn: fn(d), 1) for d in designs}
        print(f"{name:27s} {sum(per.values()):9.1f} ms  (" + ", ".join(f"{d} {t:.0f}" for d, t in per.items()) + ")")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "resources" / "scenarios" / "cystic_fibrosis_ivacaftor.json"))
