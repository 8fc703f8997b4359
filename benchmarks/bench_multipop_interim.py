"""Time the stratified design over several populations with interim analyses (cells form).

Run: ``python benchmarks/bench_multipop_interim.py [--repeat 3] [--looks 2,3] [--curves] [--power]``.
The PD-L1 KEYNOTE-042 cutoffs example (F and three nested TPS populations: m = 4 hypotheses;
survival) sized for the TPS ≥1 % claim with each group-sequential procedure, under a 2-look plan
(O'Brien–Fleming-type spending at 50 % of the events) and a 3-look plan (40 %, 70 %; non-binding
futility z = 0, 0.3). Per procedure and plan the CPU (process) time of

* ``first compute`` — :func:`planner.compute.compute_design` of the stratified design with empty
  caches (draws excepted): the closed group-sequential bounds of every intersection hypothesis,
  the size search and the interim fields;
* ``compute`` — the median of ``--repeat`` further calls with the bounds cached but not the
  Monte Carlo results (as after an edit of the target power);
* ``power-vs-N``, ``N-vs-prev``, ``power-vs-B−``, ``design map`` (``--curves``) — the app's four
  plots of the stratified design (:mod:`planner.figures` grids: 80 sizes, 29 prevalences, 29 B−
  effects, 17 × 17; the map of the stratified design alone);
* ``power question`` (``--power``) — :func:`~planner.compute.compute_design` with ``n_randomized``
  2,400 given: the power there and the detectable effect.

Beside the times: the largest Monte Carlo SE of the claims (``details.power_monte_carlo_se``).
CPU time is shown because the wall time of a shared machine depends on its load; the 1-minute load
average is printed beside each line.

Measured on 2 shared cores (parametric, 2 / 3 looks; before at load 1–8, after at load 1.6–3.7), before →
after the bitmask procedure, the cheap size search and the secant bounds (issue 12): first compute 2.35 / 3.3–3.5 s → 0.5–0.8 /
1.0–1.4 s; compute 1.1 / 1.6–1.9 s → 0.22–0.38 / 0.39–0.56 s; power vs N 2.1 / 3.2 s → 0.9 / 1.1 s;
N vs prevalence 6.4 / 14.5 s → 2.8 / 2.6 s; power vs B− 5.4 / 10.1 s → 2.9 / 2.8 s; design map 20 /
22 s → 11 / 9 s (the fixed design's own map, without interims, takes ~11–15 s: its floor); max
Monte Carlo SE of the claims 1.2e-4 / 2.6e-4 (≤ 5e-4).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout too

from planner import curves, figures  # noqa: E402
from planner.compute import compare_designs, compute_design  # noqa: E402
from planner.scenario_io import scenario_from_dict  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "resources/scenarios/pdl1_nsclc_keynote042_cutoffs.json"
PLANS = {2: {"information_rates": [0.5, 1.0], "efficacy": "obrien_fleming", "gamma": None},
         3: {"information_rates": [0.4, 0.7, 1.0], "efficacy": "obrien_fleming", "gamma": None,
             "futility": {"bounds": [0.0, 0.3], "binding": False}}}
PROCEDURES = {"parametric": {}, "bonferroni": {},
              "fixed_sequence": {"order": ["TPS ≥50%", "TPS ≥20%", "TPS ≥1%", "F"]}}


def scenario(procedure: str, looks: int = 3, n: int | None = None):
    d = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    d["designs"]["stratified"] = {"multiplicity": procedure, "size_for": "TPS ≥1%", **PROCEDURES[procedure]}
    if n is not None:
        d["designs"]["stratified"]["n_randomized"] = n
    d["interim"] = PLANS[looks]
    return scenario_from_dict(d)


def clear_caches(bounds: bool = True) -> None:
    from planner.groupseq import multipop  # noqa: PLC0415

    multipop._memo.clear()
    if bounds:
        for fn in (multipop._bounds_cached, multipop._fixed_bounds):
            fn.cache_clear()


def cpu(fn) -> float:
    t0 = time.process_time()
    fn()
    return (time.process_time() - t0) * 1e3


def curve_tasks(s) -> dict:
    comp = compare_designs(s, include_adaptive=False)
    results = {"stratified": comp.designs["stratified"]}
    sizes = figures.power_vs_n_sizes(results)
    lo, hi = figures.power_n_range(list(sizes.values()))
    effects = figures.negative_effect_range(s, figures.CURVE_POINTS, include_current=True)
    return {
        "power-vs-N": lambda: figures.power_vs_n_curves(s, results, figures.power_n_grid(lo, hi, figures.POWER_N_POINTS)),
        "N-vs-prev": lambda: curves.n_vs_prevalence(s, "stratified", figures.prevalence_grid(figures.CURVE_POINTS)),
        "power-vs-B−": lambda: figures.power_vs_negative_effect_curves(s, results, effects),
        "design map": lambda: curves.design_map(s, figures.map_prevalence_grid(figures.MAP_POINTS),
                                                figures.negative_effect_range(s, figures.MAP_POINTS),
                                                criterion="n", designs=("stratified",)),
    }


def line(proc: str, looks: int, task: str, ms: float, extra: str = "") -> None:
    print(f"{proc:15} {looks:5} {task:15} {ms:9.0f}   {os.getloadavg()[0]:5.2f}   {extra}", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--looks", default="2,3", help="plans to time: 2, 3 or 2,3")
    ap.add_argument("--procedures", default=",".join(PROCEDURES))
    ap.add_argument("--curves", action="store_true", help="also time the four plots of the stratified design")
    ap.add_argument("--power", action="store_true", help="also time the power question (n_randomized given)")
    args = ap.parse_args(argv)
    print(f"stratified design, F + 3 populations ({EXAMPLE.name}); CPU ms")
    print(f"{'procedure':15} {'looks':5} {'task':15} {'CPU ms':>9}   load    max MC SE")
    for proc in args.procedures.split(","):
        for looks in (int(x) for x in args.looks.split(",")):
            s = scenario(proc, looks)
            r = compute_design(s, "stratified")  # imports and the QMC draws
            clear_caches()
            first = cpu(lambda s=s: compute_design(s, "stratified"))
            se = max((r.details or {}).get("power_monte_carlo_se", {}).values(), default=float("nan"))
            line(proc, looks, "first compute", first, f"{se:.1e}")

            def again(s=s):
                clear_caches(bounds=False)
                return compute_design(s, "stratified")

            line(proc, looks, "compute", statistics.median(cpu(again) for _ in range(args.repeat)))
            if args.curves:
                for name, fn in curve_tasks(s).items():
                    line(proc, looks, name, cpu(fn))
            if args.power:
                sp = scenario(proc, looks, 2400)
                line(proc, looks, "power question", cpu(lambda sp=sp: compute_design(sp, "stratified")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
