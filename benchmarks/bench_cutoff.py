"""Time the cutoff explorer (planner.cutoff) for 20 cutoffs, for each endpoint.

Run: ``python benchmarks/bench_cutoff.py [--repeat 5] [--cutoffs 20]``. Prints, per scenario, the
median wall and CPU (process) time of: the side averages (one quadrature pass), the table
(``explore``: compute_design of all-comers, targeted and stratified at each cutoff) and the design
map over cutoffs (``cutoff_map``: one vectorized pass over the grid plus the candidates). CPU time
is shown because the wall time of a shared machine depends on its load.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout too

from planner.cutoff import cutoff_map, explore, side_averages  # noqa: E402
from planner.scenario_io import load_scenario, scenario_from_dict  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def _synthetic(endpoint: str):
    d = {"format": "enrichment-planner-scenario", "version": 2, "endpoint": endpoint,
         "population": {"prevalence": 0.5}, "testing": {"alpha": 0.025, "power": 0.8},
         "costs": {"per_screened": 500, "per_randomized": 20000},
         "designs": {"all_comers": {}, "targeted": {}, "stratified": {}},
         "biomarker": {"name": "score", "distribution": {"kind": "beta", "a": 0.7, "b": 1.3},
                       "effect": {"kind": "linear", "ends": [0, 80], "values": [0.05, 0.5]}, "cutoffs": [10]}}
    if endpoint == "continuous":
        d["positive"] = d["negative"] = {"mean_difference": 0.3, "sd": 1.0}
    else:
        d["positive"] = d["negative"] = {"control_rate": 0.3, "treatment_rate": 0.4}
        d["biomarker"]["effect"]["values"] = [0.02, 0.25]
    return scenario_from_dict(d)


def _time(fn) -> tuple[float, float]:
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--cutoffs", type=int, default=20)
    args = ap.parse_args()
    scenarios = {"survival (PD-L1 TPS example)": load_scenario(ROOT / "resources/scenarios/pdl1_tps_cutoffs.json"),
                 "continuous (beta score)": _synthetic("continuous"), "binary (beta score)": _synthetic("binary")}
    print(f"{'scenario':32} {'step':14} {'wall median ms':>15} {'CPU median ms':>14}")
    for label, s in scenarios.items():
        bm = s.biomarker
        cuts = np.linspace(2.0, 90.0, args.cutoffs)  # every marker here is on 0–100
        explore(s, cuts[:2])  # imports, caches
        steps = {"side averages": lambda s=s, bm=bm, cuts=cuts: side_averages(s, bm, cuts),
                 "table": lambda s=s, cuts=cuts: explore(s, cuts), "map": lambda s=s: cutoff_map(s)}
        for step, fn in steps.items():
            times = [_time(fn) for _ in range(args.repeat)]
            wall = statistics.median(t[0] for t in times) * 1e3
            cpu = statistics.median(t[1] for t in times) * 1e3
            print(f"{label:32} {step:14} {wall:15.1f} {cpu:14.1f}")


if __name__ == "__main__":
    main()
