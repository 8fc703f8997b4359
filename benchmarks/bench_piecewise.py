"""Speed of the piecewise survival engine (issue 13). Prints medians of repeated runs.

Run: ``python benchmarks/bench_piecewise.py [--repeats 3] [--trials 10000]``.

* patient-level: 10,000 two-subgroup trials of 600 patients (delayed effect in B+, piecewise
  accrual, dropout), one analysis at 300 events, stratified log-rank — target ≤ 5 s on one core
  (wall and CPU time printed; numpy runs single-threaded here); and with two looks;
* patient-level adaptive enrichment: the same number of two-stage trials (interim at 150 of 300
  events, selection, S-only recruitment, stratified log-rank increments) — no target, reported;
* patient-level stratified design: the same trials with four cells (test result × true status,
  assay 0.9/0.9) analysed at 150 and 300 events, the closed group-sequential test of H_F and
  H_S (Spiessens–Debois bounds, futility at z = 0) applied per trial — no target, reported;
* patient-level cells form: 10,000 trials of 600 patients over four cells (two overlapping
  markers), one analysis, the closed test of F and two populations (parametric) on the simulated
  z statistics — no target, reported;
* patient-level cells form with interims: the same four cells analysed at 150 and 300 events, the
  analytic engine's closed group-sequential test of F and two populations (parametric bounds of
  every intersection, planner.groupseq.multipop; its run_procedure per trial) — no target, reported
  (the bounds, computed once, excluded);
* patient-level adaptive with events recalculation (conditional power 0.9, stage 2 within
  [100, 400] events) — no target, reported;
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
    _closed_paths(n, args.repeats, adaptive)
    pops = [subgroup_cells(g, POSITIVE, NEGATIVE) for g in (0.0, 0.3, 0.5, 0.7, 1.0)]
    wall, _ = timed(lambda: [piecewise_contrast(c, SETTING) for c in pops], max(args.repeats, 20))
    print(f"analytic: piecewise contrasts of 5 populations: median {wall * 1e3:.2f} ms")
    cells = pops[2]
    wall, _ = timed(lambda: events_power(cells, SETTING, 300, 600, 0.025), max(args.repeats, 20))
    print(f"analytic: analysis time + average-HR power at 300 events: median {wall * 1e3:.2f} ms")
    wall, _ = timed(lambda: lakatos_power(cells, SETTING, 300, 600, 0.025), max(args.repeats, 20))
    print(f"analytic: Lakatos-type power at 300 events: median {wall * 1e3:.2f} ms")
    return 0


def _closed_paths(n: int, repeats: int, adaptive) -> None:
    """The stratified closed tests and the recalculation, patient by patient (module docstring)."""
    from dataclasses import replace  # noqa: PLC0415

    import numpy as np  # noqa: PLC0415

    from planner.adaptive.recalculation import Recalculation  # noqa: PLC0415
    from planner.groupseq.plan import InterimPlan  # noqa: PLC0415
    from planner.groupseq.stratified import bounds_for, joint_from_fixed  # noqa: PLC0415
    from planner.piecewise.adaptive_patients import simulate_adaptive_patients  # noqa: PLC0415
    from planner.piecewise.closed_patients import closed_test_claims, gs_summary  # noqa: PLC0415

    plan = InterimPlan((0.5, 1.0), "obrien_fleming", None, (0.0,), False)
    joint = joint_from_fixed(0.1, 0.15, 1.0, 1.0, 0.7, 0.7, plan.information_rates)
    bounds = bounds_for(joint, plan, 0.025, "spiessens_debois", None)
    cells = PatientLevelDesign((POSITIVE, NEGATIVE, POSITIVE, NEGATIVE), (0.45, 0.05, 0.05, 0.45), 600, SETTING,
                               (150, 300), cell_strata=(0, 0, 1, 1))
    wall, cpu = timed(lambda: gs_summary(simulate_patients(cells, n, seed=1), (0,), bounds), repeats)
    print(f"patient-level stratified closed group-sequential test, {n:,} trials x 600 patients, 4 cells, "
          f"2 looks: median {wall:.2f} s wall, {cpu:.2f} s CPU")
    markers = PatientLevelDesign((POSITIVE, POSITIVE, NEGATIVE, NEGATIVE), (0.2, 0.25, 0.15, 0.4), 600, SETTING, (300,))
    corr0 = np.array([[1.0, 0.67, 0.59], [0.67, 1.0, 0.46], [0.59, 0.46, 1.0]])
    hyps = [(0, 1, 2, 3), (0, 1), (0, 2)]
    wall, cpu = timed(lambda: closed_test_claims(simulate_patients(markers, n, seed=1), hyps, corr0, 0.025,
                                                 "parametric"), repeats)
    print(f"patient-level cells form, {n:,} trials x 600 patients, 4 cells, closed test of F + 2 populations: "
          f"median {wall:.2f} s wall, {cpu:.2f} s CPU")
    _cells_gs(n, repeats, markers, corr0, hyps)
    recalc = replace(adaptive, model=replace(adaptive.model, recalculation=Recalculation(0.9, (150, 100), (150, 400))),
                     n_patients=900)
    wall, cpu = timed(lambda: simulate_adaptive_patients(recalc, n, seed=1), repeats)
    print(f"patient-level adaptive with events recalculation, {n:,} two-stage trials x 900 patients: "
          f"median {wall:.2f} s wall, {cpu:.2f} s CPU")


def _cells_gs(n: int, repeats: int, markers, corr0, hyps) -> None:
    """The cells form with two looks: the engine's closed group-sequential test per trial."""
    from dataclasses import replace  # noqa: PLC0415

    from planner.groupseq import multipop as M  # noqa: PLC0415
    from planner.groupseq.plan import InterimPlan  # noqa: PLC0415
    from planner.piecewise.cells_gs import multi_claims  # noqa: PLC0415

    plan = InterimPlan((0.5, 1.0), "obrien_fleming", None, None, False)
    joint = M.joint_proportional([0.1, 0.15, 0.12], corr0, corr0, plan.information_rates)
    bounds = M.closed_gs_bounds(plan, 0.025, "parametric", joint.corr0, joint.t)
    looks = replace(markers, events=(150, 300))
    wall, cpu = timed(lambda: multi_claims(simulate_patients(looks, n, seed=1), hyps, bounds), repeats)
    print(f"patient-level cells form with interims, {n:,} trials x 600 patients, 4 cells, 2 looks, closed "
          f"group-sequential test of F + 2 populations: median {wall:.2f} s wall, {cpu:.2f} s CPU")


if __name__ == "__main__":
    raise SystemExit(main())
