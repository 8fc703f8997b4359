"""Time the full design comparison plus all curves (200 points each) for the example scenarios.

Run: ``python benchmarks/bench_core.py [--repeat 20]``. Prints the median (and 95th percentile)
wall time per scenario of: the comparison of every fixed design, and the three curves of every
design (power vs N, N vs prevalence, power vs B− effect), and the design map at the app's
resolution (17 prevalences × 17 B− effects, every fixed design but the interaction design).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout too

from planner.compute import compare_designs  # noqa: E402
from planner.curves import design_map, n_vs_prevalence, power_vs_n, power_vs_negative_effect  # noqa: E402
from planner.params import params_from_scenario  # noqa: E402
from planner.scenario_io import load_scenario  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def _effect_grid(scenario) -> np.ndarray:
    e = float(params_from_scenario(scenario).effect("negative"))
    if scenario.endpoint == "survival":
        return np.linspace(0.4, 1.5, 200)
    span = max(abs(float(params_from_scenario(scenario).effect("positive"))), 1e-3)
    return np.linspace(e - span, e + span, 200)


def run_map(scenario) -> float:
    t0 = time.perf_counter()
    e = float(params_from_scenario(scenario).effect("negative"))
    grid = np.geomspace(0.4, 1.6, 17) if scenario.endpoint == "survival" else np.linspace(e - 0.3, e + 0.3, 17)
    design_map(scenario, np.linspace(0.05, 0.95, 17), grid)
    return time.perf_counter() - t0


def run_once(scenario) -> tuple[float, float]:
    t0 = time.perf_counter()
    comparison = compare_designs(scenario, include_adaptive=False)
    t1 = time.perf_counter()
    n_grid = np.linspace(20, 4000, 200)
    prev = np.linspace(0.02, 0.98, 200)
    eff = _effect_grid(scenario)
    for name, r in comparison.designs.items():
        power_vs_n(scenario, name, n_grid)
        n_vs_prevalence(scenario, name, prev)
        power_vs_negative_effect(scenario, name, eff, n_randomized=r.n_randomized or 500)
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    print(f"{'scenario':40s} {'comparison ms':>14s} {'curves ms':>10s} {'total ms':>9s} {'p95 ms':>8s} "
          f"{'map ms':>7s} {'map p95':>8s}")
    for path in sorted((ROOT / "resources" / "scenarios").glob("*.json")):
        scenario = load_scenario(path)
        run_once(scenario)  # warm-up
        rows = [run_once(scenario) for _ in range(args.repeat)]
        comp = [r[0] * 1e3 for r in rows]
        curves = [r[1] * 1e3 for r in rows]
        total = sorted(a + b for a, b in zip(comp, curves))
        p95 = total[min(len(total) - 1, int(0.95 * len(total)))]
        with np.errstate(all="ignore"):
            maps = sorted(run_map(scenario) * 1e3 for _ in range(args.repeat))
        print(f"{path.stem:40s} {statistics.median(comp):14.1f} {statistics.median(curves):10.1f} "
              f"{statistics.median(total):9.1f} {p95:8.1f} {statistics.median(maps):7.1f} "
              f"{maps[min(len(maps) - 1, int(0.95 * len(maps)))]:8.1f}")


if __name__ == "__main__":
    main()
