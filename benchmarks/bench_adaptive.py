"""Speed of the adaptive enrichment simulator, and the ratio to rpact on identical settings.

Run: ``python benchmarks/bench_adaptive.py [--iterations 10000] [--million] [--agreement]``.

* trials per second for each endpoint (two stages, Simes, select best), from a 1,000,000-trial
  run, and the wall time of that run (target: < 2 s on a 2-core machine);
* where ``Rscript`` with rpact is installed: rpact's ``getSimulationEnrichment*`` with the
  same design, effects and number of iterations, timed inside R in the same run (R start-up
  excluded), our time for the same iterations, and the ratio rpact / ours (target ≥ 200);
* ``--agreement``: the full rpact agreement check (``tests/data/rpact_enrichment.json``, 400,000
  simulated trials per case), printing the largest deviation in combined standard errors.
"""

from __future__ import annotations

import argparse
import math
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout too

from planner.adaptive import SimModel, simulate_model  # noqa: E402
from planner.adaptive.model import log_hr_benefit, survival_event_weight_rpact  # noqa: E402
from planner.adaptive.simulate import default_workers  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "rpact_enrichment.json"

SETTINGS = {
    "continuous": dict(endpoint="continuous", theta=(0.4, 0.1), variance=(4.0, 4.0)),
    "binary": dict(endpoint="binary", rate_treatment=(0.5, 0.35), rate_control=(0.3, 0.3)),
    "survival": dict(endpoint="survival", theta=log_hr_benefit((0.6, 0.9)),
                     event_weight=survival_event_weight_rpact((0.6, 0.9), 1.0)),
}
PLANNED = {"continuous": (150.0, 300.0), "binary": (200.0, 400.0), "survival": (150.0, 300.0)}

R_CODE = {
    "continuous": (
        "getSimulationEnrichmentMeans(design = design, effectList = list(subGroups = c('S', 'R'), "
        "prevalences = c(0.5, 0.5), stDevs = c(1, 1), effects = matrix(c(0.4, 0.1), nrow = 1)), "
        "intersectionTest = 'Simes', typeOfSelection = 'best', successCriterion = 'atLeastOne', "
        "plannedSubjects = c(150, 300), maxNumberOfIterations = {n}L, seed = 1L)"),
    "binary": (
        "getSimulationEnrichmentRates(design = design, effectList = list(subGroups = c('S', 'R'), "
        "prevalences = c(0.5, 0.5), piControls = c(0.3, 0.3), piTreatments = matrix(c(0.5, 0.35), "
        "nrow = 1)), intersectionTest = 'Simes', typeOfSelection = 'best', successCriterion = "
        "'atLeastOne', plannedSubjects = c(200, 400), maxNumberOfIterations = {n}L, seed = 1L)"),
    "survival": (
        "getSimulationEnrichmentSurvival(design = design, effectList = list(subGroups = c('S', 'R'), "
        "prevalences = c(0.5, 0.5), hazardRatios = matrix(c(0.6, 0.9), nrow = 1)), "
        "intersectionTest = 'Simes', typeOfSelection = 'best', successCriterion = 'atLeastOne', "
        "directionUpper = FALSE, plannedEvents = c(150, 300), maxNumberOfIterations = {n}L, seed = 1L)"),
}


def model(endpoint: str) -> SimModel:
    return SimModel(prevalence=0.5, planned=PLANNED[endpoint], information_rates=(0.5, 1.0),
                    intersection_test="simes", selection_rule="best",
                    success_criterion="at_least_one", rpact_compat=True, **SETTINGS[endpoint])


def time_ours(endpoint: str, sims: int, repeat: int = 3, cpu: list | None = None) -> tuple[float, object]:
    """Best wall time of ``repeat`` runs (and, into ``cpu``, each run's CPU seconds: every thread's,
    the measure to compare on a loaded machine)."""
    best, res = math.inf, None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        res = simulate_model(model(endpoint), sims, seed=1)
        best = min(best, time.perf_counter() - t0)
        if cpu is not None:
            cpu.append(time.process_time() - c0)
    return best, res


def rpact_available() -> bool:
    if shutil.which("Rscript") is None:
        return False
    probe = subprocess.run(["Rscript", "-e", "suppressMessages(library(rpact))"],
                           capture_output=True, text=True)
    return probe.returncode == 0


def time_rpact(endpoint: str, iterations: int) -> tuple[float, float]:
    """Seconds inside R for rpact's simulation, and its rejectAtLeastOne."""
    code = (
        "suppressMessages(library(rpact)); "
        "design <- getDesignInverseNormal(kMax = 2, alpha = 0.025, informationRates = c(0.5, 1), "
        "typeOfDesign = 'asOF'); t0 <- proc.time()[['elapsed']]; "
        f"res <- suppressWarnings({R_CODE[endpoint].format(n=iterations)}); "
        "cat(proc.time()[['elapsed']] - t0, res$rejectAtLeastOne, '\\n')"
    )
    out = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True, check=True)
    secs, power = out.stdout.split()[-2:]
    return float(secs), float(power)


FISHER_DESIGN = "design <- getDesignFisher(kMax = 2, alpha = 0.025, informationRates = c(0.5, 1)); "
IN_DESIGN = ("design <- getDesignInverseNormal(kMax = 2, alpha = 0.025, informationRates = c(0.5, 1), "
             "typeOfDesign = 'asOF'); ")
SSR_BOUNDS = {"continuous": ((150.0, 50.0), (150.0, 400.0)), "binary": ((200.0, 100.0), (200.0, 600.0)),
              "survival": ((150.0, 50.0), (150.0, 400.0))}
EXTENSIONS = {"inverse normal": (False, False), "Fisher": (True, False),
              "inverse normal + recalculation": (False, True), "Fisher + recalculation": (True, True)}


def _ext_r_code(endpoint: str, fisher: bool, ssr: bool, n: int) -> str:
    call = R_CODE[endpoint].format(n=n)
    if ssr:
        lo, hi = SSR_BOUNDS[endpoint]
        unit = "Events" if endpoint == "survival" else "Subjects"
        extra = (f"conditionalPower = 0.9, minNumberOf{unit}PerStage = c({lo[0]:g}, {lo[1]:g}), "
                 f"maxNumberOf{unit}PerStage = c({hi[0]:g}, {hi[1]:g}), ")
        call = call.replace("maxNumberOfIterations", extra + "maxNumberOfIterations")
    return ("suppressMessages(library(rpact)); " + (FISHER_DESIGN if fisher else IN_DESIGN)
            + f"t0 <- proc.time()[['elapsed']]; res <- suppressWarnings({call}); "
            "cat(proc.time()[['elapsed']] - t0, res$rejectAtLeastOne, '\\n')")


def extensions(iterations: int, ours_sims: int) -> None:
    """Per simulated trial: rpact / ours for Fisher and for sample-size recalculation (one run)."""
    from dataclasses import replace  # noqa: PLC0415

    from planner.adaptive.recalculation import Recalculation  # noqa: PLC0415

    print(f"extensions: rpact {iterations:,} iterations (inside R) vs ours {ours_sims:,} trials, per trial")
    for endpoint in SETTINGS:
        for name, (fisher, ssr) in EXTENSIONS.items():
            out = subprocess.run(["Rscript", "-e", _ext_r_code(endpoint, fisher, ssr, iterations)],
                                 capture_output=True, text=True, check=True)
            r_secs, r_power = (float(x) for x in out.stdout.split()[-2:])
            m = replace(model(endpoint), combination="fisher" if fisher else "inverse_normal",
                        boundaries="equal_alpha" if fisher else "obrien_fleming", critical=())
            if ssr:
                m = replace(m, recalculation=Recalculation(0.9, *SSR_BOUNDS[endpoint]))
            best = math.inf
            for _ in range(3):
                t0 = time.perf_counter()
                res = simulate_model(m, ours_sims, seed=1)
                best = min(best, time.perf_counter() - t0)
            ratio = (r_secs / iterations) / (best / ours_sims)
            print(f"  {endpoint:10s} {name:31s} rpact {1e3 * r_secs / iterations:7.3f} ms/trial "
                  f"(power {r_power:.3f})  ours {1e6 * best / ours_sims:6.2f} µs/trial "
                  f"(power {res.reject_at_least_one:.3f})  ratio {ratio:6.0f}×")


def agreement() -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    import test_adaptive_rpact as t  # noqa: PLC0415

    worst = 0.0
    for case in t.CASES:
        res = simulate_model(t.model_for(case), 400_000, seed=7)
        out = case["outputs"]
        n, n_r = res.simulations, int(case["inputs"]["iterations"])
        pairs = [(res.reject_at_least_one, out["rejectAtLeastOne"])]
        for ours, key, pop in (("reject_subgroup_per_stage", "rejectedPopulationsPerStage", "S"),
                               ("reject_overall_per_stage", "rejectedPopulationsPerStage", "F"),
                               ("selected_subgroup_per_stage", "selectedPopulations", "S"),
                               ("selected_overall_per_stage", "selectedPopulations", "F")):
            theirs = out[key][pop]
            theirs = theirs if isinstance(theirs, list) else [theirs]
            pairs += list(zip(res.per_stage[ours], theirs))
        dev = 0.0
        for a, b in pairs:
            p = (a * n + b * n_r) / (n + n_r)
            se = math.sqrt(max(p * (1 - p), 1e-12) * (1 / n + 1 / n_r))
            dev = max(dev, abs(a - b) / se)
        worst = max(worst, dev)
        print(f"  {case['id']:8s} largest deviation {dev:4.2f} SE   {case['description']}")
    print(f"agreement with rpact: largest deviation {worst:.2f} combined SE (limit 4)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iterations", type=int, default=10_000, help="rpact iterations (and ours)")
    ap.add_argument("--million", type=int, default=1_000_000, help="trials for the throughput run")
    ap.add_argument("--agreement", action="store_true", help="full rpact agreement (400k per case)")
    ap.add_argument("--no-r", action="store_true", help="skip rpact even if installed")
    ap.add_argument("--repeat", type=int, default=2, help="runs of the throughput run (median CPU)")
    ap.add_argument("--extensions", action="store_true",
                    help="only Fisher / sample-size recalculation vs rpact, per simulated trial")
    args = ap.parse_args()
    print(f"worker threads: {default_workers()}")
    if args.extensions:
        extensions(args.iterations, 200_000)
        return
    for endpoint in SETTINGS:
        cpu: list[float] = []
        secs, res = time_ours(endpoint, args.million, repeat=args.repeat, cpu=cpu)
        print(f"{endpoint:10s} {args.million:,} two-stage trials: {secs:6.3f} s  "
              f"({args.million / secs:,.0f} trials/s; power {res.reject_at_least_one:.4f}); "
              f"CPU median {statistics.median(cpu):6.3f} s ({1e6 * statistics.median(cpu) / args.million:.2f} µs/trial)")
    if not args.no_r and rpact_available():
        print(f"rpact on identical settings, {args.iterations:,} iterations (timed inside R):")
        for endpoint in SETTINGS:
            r_secs, r_power = time_rpact(endpoint, args.iterations)
            ours, res = time_ours(endpoint, args.iterations, repeat=5)
            print(f"  {endpoint:10s} rpact {r_secs:7.3f} s (power {r_power:.4f})   ours {ours:7.4f} s "
                  f"(power {res.reject_at_least_one:.4f})   ratio rpact/ours {r_secs / ours:8.0f}×")
    else:
        print("rpact not available: ratio not measured")
    if args.agreement:
        agreement()


if __name__ == "__main__":
    main()
