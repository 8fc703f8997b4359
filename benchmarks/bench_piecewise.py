"""Speed of the piecewise survival engine (issue 13). Prints medians of repeated runs.

Run: ``python benchmarks/bench_piecewise.py [--repeats 3] [--trials 10000]``.

* patient-level: 10,000 two-subgroup trials of 600 patients (delayed effect in B+, piecewise
  accrual, dropout), one analysis at 300 events, stratified log-rank — target ≤ 5 s on one core
  (wall and CPU time printed; numpy runs single-threaded here); and with two looks;
* patient-level adaptive enrichment: the same number of two-stage trials (interim at 150 of 300
  events, selection, S-only recruitment, stratified log-rank increments) — no target, reported;
* analytic: the piecewise contrasts of five populations (what the designs need for one
  scenario), an analysis-time root search with the power at it (average HR), and the
  Lakatos-type power — milliseconds each.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout too

from planner.piecewise import (  # noqa: E402
    PiecewiseAccrual,
    PiecewiseSurvival,
    SurvivalSetting,
    events_power,
    piecewise_contrast,
    subgroup_cells,
)
from planner.piecewise.lakatos import lakatos_power  # noqa: E402
from planner.piecewise.simulate import PatientLevelDesign, simulate_patients  # noqa: E402

POSITIVE = PiecewiseSurvival([0, 3], [0.08, 0.08], [1.0, 0.6])
NEGATIVE = PiecewiseSurvival([0, 6], [0.05, 0.04], [0.9, 0.9])
SETTING = SurvivalSetting(12, 12, 0.005, 1.0, PiecewiseAccrual([0, 4], [1, 2]))


def timed(fn, repeats: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``fn()`` over ``repeats`` runs."""
    wall, cpu = [], []
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return statistics.median(wall), statistics.median(cpu)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--trials", type=int, default=10000)
    args = ap.parse_args(argv)
    n = args.trials
    for label, events in (("1 look at 300 events", (300,)), ("2 looks at 150, 300 events", (150, 300))):
        design = PatientLevelDesign.two_subgroups(POSITIVE, NEGATIVE, 0.5, 600, SETTING, events)
        wall, cpu = timed(lambda d=design: simulate_patients(d, n, seed=1), args.repeats)
        print(f"patient-level, {n:,} two-subgroup trials x 600 patients, {label}: "
              f"median {wall:.2f} s wall, {cpu:.2f} s CPU (target <= 5 s)")
    from planner.adaptive import SimModel  # noqa: PLC0415
    from planner.piecewise.adaptive_patients import (  # noqa: PLC0415
        AdaptivePatientDesign,
        simulate_adaptive_patients,
    )

    model = SimModel(endpoint="survival", prevalence=0.5, planned=(150.0, 300.0), information_rates=(0.5, 1.0),
                     selection_rule="epsilon", epsilon=0.1, theta=(0.3, 0.1), event_weight=(0.6, 0.6))
    adaptive = AdaptivePatientDesign(model, POSITIVE, NEGATIVE, 0.5, 1.0, 0.0, 500, SETTING)
    wall, cpu = timed(lambda: simulate_adaptive_patients(adaptive, n, seed=1), args.repeats)
    print(f"patient-level adaptive, {n:,} two-stage trials x 500 patients (up to 1,000 arrivals): "
          f"median {wall:.2f} s wall, {cpu:.2f} s CPU")
    pops = [subgroup_cells(g, POSITIVE, NEGATIVE) for g in (0.0, 0.3, 0.5, 0.7, 1.0)]
    wall, _ = timed(lambda: [piecewise_contrast(c, SETTING) for c in pops], max(args.repeats, 20))
    print(f"analytic: piecewise contrasts of 5 populations: median {wall * 1e3:.2f} ms")
    cells = pops[2]
    wall, _ = timed(lambda: events_power(cells, SETTING, 300, 600, 0.025), max(args.repeats, 20))
    print(f"analytic: analysis time + average-HR power at 300 events: median {wall * 1e3:.2f} ms")
    wall, _ = timed(lambda: lakatos_power(cells, SETTING, 300, 600, 0.025), max(args.repeats, 20))
    print(f"analytic: Lakatos-type power at 300 events: median {wall * 1e3:.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
