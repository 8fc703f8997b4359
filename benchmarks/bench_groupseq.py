"""Medians of the group-sequential engine's costs (run: python benchmarks/bench_groupseq.py).

* bounds of a 3-look plan (uncached), inflation factor, 200-point power of one test;
* stratified: closed-test bounds for one correlation and for 200 (a prevalence curve), and the
  power of the four claims at 200 points.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's planner

from planner.groupseq import boundaries as B  # noqa: E402
from planner.groupseq import single  # noqa: E402
from planner.groupseq import stratified as S  # noqa: E402
from planner.groupseq.plan import InterimPlan  # noqa: E402


def _median(fn, repeat: int = 5, clear=None) -> float:
    times = []
    for _ in range(repeat):
        if clear:
            clear()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def _clear():
    for f in (B.boundaries, B.drift_for_power, B._power_table, B._power_spline, S._closed_cached):
        f.cache_clear()


def main() -> None:
    plan = InterimPlan((0.3, 0.6, 1.0), "obrien_fleming", None, (0.0, 0.3), False)
    p_fixed = np.linspace(0.05, 0.99, 200)
    print(f"bounds, 3 looks (uncached):             {_median(lambda: B.boundaries(plan, 0.025), clear=_clear):8.1f} ms")
    print(f"inflation factor (uncached bounds):     {_median(lambda: single.inflation(plan, 0.025, 0.9), clear=_clear):8.1f} ms")
    print(f"power at 200 sizes, first call (table): {_median(lambda: single.sequential_power(plan, 0.025, p_fixed), clear=_clear):8.1f} ms")
    single.sequential_power(plan, 0.025, p_fixed)
    print(f"power at 200 sizes, cached plan:        {_median(lambda: single.sequential_power(plan, 0.025, p_fixed)):8.2f} ms")
    one = S.joint_from_fixed(0.2, 0.25, 1.0, 1.0, 0.6, 0.6, plan.information_rates)
    curve = S.joint_from_fixed(np.full(200, 0.2), 0.25, 1.0, 1.0, np.linspace(0.3, 0.9, 200), 0.6, plan.information_rates)
    for method in ("spiessens_debois", "bonferroni"):
        print(f"stratified bounds, 1 correlation, {method:17s} {_median(lambda m=method: S.bounds_for(one, plan, 0.025, m, None), 3, _clear):8.1f} ms")
        print(f"stratified bounds, 200 correlations, {method:14s} {_median(lambda m=method: S.bounds_for(curve, plan, 0.025, m, None), 1, _clear):8.1f} ms")
        bd = S.bounds_for(curve, plan, 0.025, method, None)
        mean = curve.mean_per_sqrt_n * np.sqrt(300.0)
        print(f"stratified claims at 200 points, {method:17s} {_median(lambda bd=bd, mean=mean: S.claim_probabilities(mean, curve.cov1, bd), 3):8.1f} ms")


if __name__ == "__main__":
    main()
