"""Speed of adaptive enrichment over three populations (F, S1, S2; cells S1, S2, S12, R) against
rpact's ``getSimulationEnrichment*`` (gMax = 3), side by side in one run.

Run: ``python benchmarks/bench_adaptive_k.py [--iterations 1000] [--trials 200000] [--repeat 3]
[--agreement [TRIALS]] [--no-r]``.

For each endpoint: rpact's simulation with ``--iterations`` iterations, timed inside R
(``proc.time``, R start-up and package loading excluded) ``--repeat`` times in one R process, and
ours (``simulate_model``, default worker threads, rpact-compatible mode) for ``--trials`` trials
``--repeat`` times; prints the medians per simulated trial and the ratio rpact / ours
(target ≥ 200). ``--agreement``: instead, the largest deviation from every rpact reference case
(``tests/data/rpact_enrichment_k.json``) in combined Monte Carlo SEs (limit 4).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout too

from planner.adaptive import simulate_model  # noqa: E402
from planner.adaptive.kmodel import KModel, rpact_cells  # noqa: E402
from planner.adaptive.model import log_hr_benefit, survival_event_weight_rpact  # noqa: E402
from planner.adaptive.simulate import default_workers  # noqa: E402

PREV = (0.2, 0.15, 0.25, 0.4)
HR = (0.6, 0.8, 0.55, 0.9)
SETTINGS = {
    "continuous": dict(endpoint="continuous", theta=(0.3, 0.2, 0.5, 0.1), variance=(4.0,) * 4,
                       planned=(200.0, 400.0)),
    "binary": dict(endpoint="binary", rate_treatment=(0.45, 0.4, 0.55, 0.32), rate_control=(0.3,) * 4,
                   planned=(300.0, 600.0)),
    "survival": dict(endpoint="survival", theta=log_hr_benefit(HR),
                     event_weight=survival_event_weight_rpact(HR, 1.0), planned=(200.0, 400.0)),
}
EFFECT = "subGroups = c('S1', 'S2', 'S12', 'R'), prevalences = c(0.2, 0.15, 0.25, 0.4)"
COMMON = "intersectionTest = 'Simes', typeOfSelection = 'best', successCriterion = 'atLeastOne'"
R_CALL = {
    "continuous": ("getSimulationEnrichmentMeans(design = design, effectList = list(" + EFFECT +
                   ", stDevs = c(1, 1, 1, 1), effects = matrix(c(0.3, 0.2, 0.5, 0.1), nrow = 1)), " +
                   COMMON + ", plannedSubjects = c(200, 400), maxNumberOfIterations = {n}L, seed = {s}L)"),
    "binary": ("getSimulationEnrichmentRates(design = design, effectList = list(" + EFFECT +
               ", piControls = c(0.3, 0.3, 0.3, 0.3), piTreatments = matrix(c(0.45, 0.4, 0.55, 0.32), "
               "nrow = 1)), " + COMMON + ", plannedSubjects = c(300, 600), maxNumberOfIterations = {n}L, "
               "seed = {s}L)"),
    "survival": ("getSimulationEnrichmentSurvival(design = design, effectList = list(" + EFFECT +
                 ", hazardRatios = matrix(c(0.6, 0.8, 0.55, 0.9), nrow = 1)), " + COMMON +
                 ", directionUpper = FALSE, plannedEvents = c(200, 400), maxNumberOfIterations = {n}L, "
                 "seed = {s}L)"),
}


def model(endpoint: str) -> KModel:
    _, member, names = rpact_cells(3)
    return KModel(names=names, membership=member, prevalences=PREV, information_rates=(0.5, 1.0),
                  intersection_test="simes", selection_rule="best", success_criterion="at_least_one",
                  rpact_compat=True, correlation="rpact_head_count", **SETTINGS[endpoint])


def time_rpact(endpoint: str, iterations: int, repeat: int) -> tuple[list[float], float]:
    """Seconds inside R for each of ``repeat`` runs, and the last run's rejectAtLeastOne."""
    runs = " ".join(
        f"t0 <- proc.time()[['elapsed']]; res <- suppressWarnings({R_CALL[endpoint].format(n=iterations, s=i + 1)}); "
        "cat(proc.time()[['elapsed']] - t0, ''); "
        for i in range(repeat))
    code = ("suppressMessages(library(rpact)); design <- getDesignInverseNormal(kMax = 2, alpha = 0.025, "
            "informationRates = c(0.5, 1), typeOfDesign = 'asOF'); " + runs + "cat(res$rejectAtLeastOne, '\\n')")
    out = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True, check=True)
    vals = [float(x) for x in out.stdout.split()]
    return vals[:-1], vals[-1]


def time_ours(endpoint: str, trials: int, repeat: int, cpu: list | None = None) -> tuple[list[float], float]:
    """Wall seconds of each run (and, into ``cpu``, each run's CPU seconds over all threads: the
    measure to compare on a loaded machine) and the last run's power."""
    m = model(endpoint)
    simulate_model(m, 4096, seed=99)  # warm-up (imports, thread pool)
    secs, power = [], 0.0
    for i in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        res = simulate_model(m, trials, seed=i + 1)
        secs.append(time.perf_counter() - t0)
        if cpu is not None:
            cpu.append(time.process_time() - c0)
        power = res.reject_at_least_one
    return secs, power


def agreement(trials: int) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    import test_adaptive_k_rpact as t  # noqa: PLC0415

    worst = 0.0
    for case in t.CASES:
        res = simulate_model(t.model_for(case), trials, seed=7)
        what, a, b, dev = max(t.deviations(res, case), key=lambda row: row[3])
        worst = max(worst, dev)
        print(f"  {case['id']:8s} largest deviation {dev:4.2f} SE ({what}: ours {a:.4f}, rpact {b:.4f})  "
              f"{case['description']}")
    print(f"agreement with rpact ({trials:,} trials per case): largest deviation {worst:.2f} combined SE (limit 4)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iterations", type=int, default=1000, help="rpact iterations per run")
    ap.add_argument("--trials", type=int, default=200_000, help="our simulated trials per run")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--agreement", type=int, nargs="?", const=400_000, default=None,
                    help="largest deviation from the rpact reference cases (simulated trials per case)")
    ap.add_argument("--no-r", action="store_true", help="time ours only (wall and CPU), without rpact")
    args = ap.parse_args()
    if args.agreement:
        agreement(args.agreement)
        return
    if args.no_r:
        print(f"ours only: {args.trials:,} trials x {args.repeat}; medians per simulated trial")
        for endpoint in SETTINGS:
            cpu: list[float] = []
            o_secs, o_power = time_ours(endpoint, args.trials, args.repeat, cpu)
            print(f"  {endpoint:10s} wall {1e6 * statistics.median(o_secs) / args.trials:6.2f} µs/trial   CPU "
                  f"{1e6 * statistics.median(cpu) / args.trials:6.2f} µs/trial (power {o_power:.3f})")
        return
    if shutil.which("Rscript") is None:
        print("Rscript not found: the ratio to rpact cannot be measured")
        return
    print(f"three populations (gMax = 3), 2 stages, Simes, best; worker threads: {default_workers()}")
    print(f"rpact: {args.iterations:,} iterations x {args.repeat} (inside R); ours: {args.trials:,} trials x "
          f"{args.repeat}; medians per simulated trial")
    ratios = []
    for endpoint in SETTINGS:
        r_secs, r_power = time_rpact(endpoint, args.iterations, args.repeat)
        o_secs, o_power = time_ours(endpoint, args.trials, args.repeat)
        r_per = statistics.median(r_secs) / args.iterations
        o_per = statistics.median(o_secs) / args.trials
        ratios.append(r_per / o_per)
        print(f"  {endpoint:10s} rpact {1e3 * r_per:7.3f} ms/trial (power {r_power:.3f})   ours "
              f"{1e6 * o_per:6.2f} µs/trial (power {o_power:.3f})   ratio rpact/ours {r_per / o_per:6.0f}×")
    print(f"smallest ratio {min(ratios):.0f}× (target ≥ 200×)")


if __name__ == "__main__":
    main()
