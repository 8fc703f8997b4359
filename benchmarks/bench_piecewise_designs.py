"""Analytic NPH comparison of all designs (piecewise survival, delayed effect; target ≤ 50 ms).

    python benchmarks/bench_piecewise_designs.py

Prints the median of 20 runs of ``compare_designs`` on resources/scenarios/pdl1_io_delayed_effect.json
(all five fixed designs, sample-size question) and the load average.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from planner.compute import compare_designs  # noqa: E402
from planner.scenario_io import load_scenario  # noqa: E402

TARGET_MS = 50.0


def main() -> None:
    scenario = load_scenario(ROOT / "resources" / "scenarios" / "pdl1_io_delayed_effect.json")
    compare_designs(scenario, include_adaptive=False)  # warm-up (imports)
    times = []
    for _ in range(20):
        t0 = time.perf_counter()
        compare_designs(scenario, include_adaptive=False)
        times.append((time.perf_counter() - t0) * 1000)
    med = statistics.median(times)
    print(f"NPH comparison of all designs: median {med:.1f} ms (target ≤ {TARGET_MS:g} ms); "
          f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
