"""Time the closed-test power engine (planner.closed_test) on a 200-point curve with m = 4.

Run: ``python benchmarks/bench_closed_test.py [--repeat 5]``. F and three nested populations
(prevalences 1, 0.6, 0.35, 0.15), the expected z statistics growing along the curve; prints the
smallest CPU (process) time over the repeats of one ``closed_test_power`` call (all 200 points at once) per
procedure, the same for one point (what one step of a scalar size search costs), and, for the
parametric test, a curve over prevalence (200 distinct H0 correlations: 200 critical-value solves,
then cached). CPU time because the wall time of a shared machine depends on its load; the
1-minute load average is printed beside each line.

Measured (branch mvnspeed, 2026-12-01, 2 shared cores at load ≈ 2.5, CPU), before → after the
one-layer integration of chains (nested populations) and the cached rule grids: 200-point curve
Bonferroni 484 → 24 ms, Simes 647 → 51, parametric 1234 → 153, fixed sequence 27 → 4; one point
3.5 → 1.2, 7.4 → 0.9, 11 → 1.9, 2.6 → 1.1; parametric over prevalence first call 2747 → 675–794, cached
1538 → 217–386 (its 5 MB classification is not kept: closed_test._RULE_CACHE_BYTES).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout too

from planner import closed_test as ct  # noqa: E402
from planner.closed_test import PROCEDURES, closed_test_power  # noqa: E402

POINTS = 200


def nested(prev: np.ndarray) -> np.ndarray:
    return np.sqrt(np.minimum.outer(prev, prev) / np.maximum.outer(prev, prev))


def timed(fn, repeat: int) -> float:
    """Smallest CPU time of ``repeat`` calls (the least disturbed by other processes)."""
    out = []
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        out.append(time.process_time() - t0)
    return min(out)


def load() -> str:
    return f"load {os.getloadavg()[0]:.2f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    prev = np.array([1.0, 0.6, 0.35, 0.15])
    corr0 = nested(prev)
    cov1 = corr0 * np.outer([1.0, 1.05, 0.95, 1.1], [1.0, 1.05, 0.95, 1.1]) ** 0.5
    mean = np.linspace(0.5, 4.0, POINTS)[:, None] * np.sqrt(prev)
    print(f"closed_test_power, m = 4 (F + 3 nested populations), alpha = 0.025, smallest CPU of {args.repeat}")
    for proc in PROCEDURES:
        curve = timed(lambda p=proc: closed_test_power(mean, cov1, corr0, 0.025, p), args.repeat)
        one = timed(lambda p=proc: closed_test_power(mean[100], cov1, corr0, 0.025, p), args.repeat)
        print(f"  {proc:15s} {POINTS}-point curve {curve * 1e3:8.1f} ms   one point {one * 1e3:7.1f} ms   {load()}")
    shares = np.linspace(0.3, 0.9, POINTS)
    prevs = np.stack([np.ones(POINTS), shares, shares * 0.6, shares * 0.25], axis=-1)
    corrs = np.sqrt(np.minimum(prevs[:, :, None], prevs[:, None, :]) / np.maximum(prevs[:, :, None], prevs[:, None, :]))
    means = 2.5 * np.sqrt(prevs)
    ct._crit_cache.clear()
    ct._rule_cache.clear()
    t0 = time.process_time()
    closed_test_power(means, corrs, corrs, 0.025, "parametric")
    first = time.process_time() - t0
    again = timed(lambda: closed_test_power(means, corrs, corrs, 0.025, "parametric"), args.repeat)
    print(f"  parametric over prevalence (200 correlations): first call {first * 1e3:.0f} ms "
          f"(critical values solved), cached {again * 1e3:.0f} ms   {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
