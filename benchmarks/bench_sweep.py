"""Speed of an operating-characteristic sweep and of the local process pool.

Run: ``python benchmarks/bench_sweep.py [--points 25] [--trials 100000] [--repeats 3] [--scenario FILE]``.

* a sweep of ``--points`` values of ``negative.hazard_ratio`` (0.6 … 1.2) × ``--trials`` trials
  per point on the PRIMA scenario (survival, two stages, Simes, ε-selection), with 1 worker
  (serial, in this process) and with 2 local worker processes (target: ≤ 10 s with 2 workers on
  a 2-core machine; speed-up ≥ 1.7×);
* runs alternate serial / pool ``--repeats`` times and report the medians and the 1-minute load
  average before each run: on a shared machine compare the ratio measured in one run, not the
  absolute times of different runs, and the cores the pool actually got (CPU / wall time: below
  2 the machine was busy). The results of both are checked to be identical.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout too

from planner.adaptive.sweep import Vary, run_sweep  # noqa: E402
from planner.scenario_io import load_scenario  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PRIMA = ROOT / "resources" / "scenarios" / "hrd_ovarian_prima.json"


def _timed(scenario, vary, trials: int, workers: int):
    load = os.getloadavg()[0]
    c0, t0 = os.times(), time.perf_counter()
    result = run_sweep(scenario, [vary], simulations=trials, seed=1, workers=workers, with_fixed=False)
    c1, dt = os.times(), time.perf_counter() - t0
    cpu = sum(getattr(c1, k) - getattr(c0, k) for k in ("user", "system", "children_user", "children_system"))
    return dt, load, result, cpu / dt


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=25)
    ap.add_argument("--trials", type=int, default=100_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--scenario", default=str(PRIMA))
    args = ap.parse_args(argv)
    scenario = load_scenario(args.scenario)
    step = 0.6 / (args.points - 1) if args.points > 1 else 0.0
    vary = Vary("negative.hazard_ratio", tuple(round(0.6 + i * step, 10) for i in range(args.points)))
    serial, pooled, loads, cores_used = [], [], [], []
    ref = None
    for _ in range(args.repeats):
        for workers, times in ((1, serial), (2, pooled)):
            dt, load, result, used = _timed(scenario, vary, args.trials, workers)
            times.append(dt)
            if workers == 2:
                cores_used.append(used)
            loads.append(load)
            rows = result.to_dict()["rows"]
            if ref is None:
                ref = rows
            elif rows != ref:
                print("ERROR: results differ between runs", file=sys.stderr)
                return 1
    s, p = statistics.median(serial), statistics.median(pooled)
    total = args.points * args.trials
    print(f"sweep: {args.points} points × {args.trials:,} trials = {total:,} trials ({scenario.endpoint})")
    print(f"  1 worker (serial):  median {s:6.2f} s  ({total / s:,.0f} trials/s)  runs "
          + ", ".join(f"{x:.2f}" for x in serial))
    print(f"  2 worker processes: median {p:6.2f} s  ({total / p:,.0f} trials/s)  runs "
          + ", ".join(f"{x:.2f}" for x in pooled))
    ratios = [a / b for a, b in zip(serial, pooled)]
    print(f"  speed-up (serial / 2 workers, per pair): median {statistics.median(ratios):.2f}×  "
          + ", ".join(f"{r:.2f}" for r in ratios))
    print("  cores the pool actually got (CPU seconds / wall seconds): "
          + ", ".join(f"{c:.2f}" for c in cores_used))
    print(f"  1-minute load average before the runs: {min(loads):.2f} … {max(loads):.2f} "
          f"(cores: {os.cpu_count()}); results identical in every run")
    print(f"  targets: 2 workers ≤ 10 s ({'met' if p <= 10 else 'NOT met'}), "
          f"speed-up ≥ 1.7× ({'met' if statistics.median(ratios) >= 1.7 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
