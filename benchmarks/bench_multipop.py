"""Time the stratified design over several populations (cells form, m = 4 hypotheses) as the app uses it.

Run: ``python benchmarks/bench_multipop.py [--repeat 5]``. The PD-L1 KEYNOTE-042 example (F and
three nested TPS populations) with ``designs.stratified.multiplicity`` set to each procedure of
the cells form (no ``order``); per procedure the smallest CPU (process) time over the repeats of:

* ``compare`` — :func:`planner.compute.compare_designs` (the comparison table, every design);
* ``power-vs-N`` — the stratified design's power-vs-N curve (:func:`planner.curves.power_vs_n`,
  the app's 80-point grid plus the designs' sizes, through the table's point);
* ``N-vs-prev`` — the stratified design's required N over 25 prevalences
  (:func:`planner.curves.n_vs_prevalence`);
* ``live N-vs-prev`` — the same over the app's live grid (``ui.plots_panel.LIVE_CURVE_POINTS``);
* ``live, cold`` — the same with every cache of the closed test emptied first (parametric critical
  values, rule grids, conditioning orders): what an edit of a prevalence costs.

CPU time is shown because the wall time of a shared machine depends on its load; the
1-minute load average (``os.getloadavg``) is printed beside each line. The parametric critical
values are cached per correlation matrix across calls (as in the app); the first call of each
procedure is not timed.

Measured (branch mvnspeed, 2026-12-01, 2 shared cores at 1-minute load ≈ 3, smallest CPU of 5),
before → after the one-layer chain integration and the cached rule grids (planner/mvn_grid.py,
planner/closed_test.py): live N-vs-prev parametric 516 → 72 ms (cold 523 → 137), Simes 248 → 29
(cold 187 → 27), Bonferroni 122 → 21 (cold 88 → 27); N-vs-prev (25 points) parametric 781 → 99,
Simes 410 → 39, Bonferroni 179 → 24; power-vs-N parametric 869 → 87, Simes 376 → 32, Bonferroni
163 → 14; compare 121 → 31, 50 → 27, 49 → 25.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout too

from planner import closed_test, curves, figures, mvn_grid  # noqa: E402
from planner.compute import compare_designs  # noqa: E402
from planner.scenario_io import scenario_from_dict  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "resources/scenarios/pdl1_nsclc_keynote042_cutoffs.json"
PROCEDURES = ("parametric", "simes", "bonferroni")
LIVE_CURVE_POINTS = 15  # ui.plots_panel.LIVE_CURVE_POINTS (not imported: no Qt here)


def scenario(procedure: str):
    d = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    d["designs"]["stratified"] = {"multiplicity": procedure, "size_for": "TPS ≥1%"}
    return scenario_from_dict(d)


def cpu_min(fn, repeat: int) -> float:
    """Smallest CPU time of ``repeat`` calls in ms (the least disturbed by other processes)."""
    out = []
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        out.append(time.process_time() - t0)
    return min(out) * 1e3


def _cold(fn):
    """``fn`` after emptying the closed test's caches (those that exist in this checkout)."""
    def run():
        for mod, name in ((closed_test, "_crit_cache"), (closed_test, "_rule_cache"), (mvn_grid, "_orders_cache")):
            getattr(mod, name, {}).clear()
        return fn()
    return run


def tasks(s) -> dict:
    comp = compare_designs(s)
    result = comp.designs["stratified"]
    sizes = figures.power_vs_n_sizes(comp.designs)
    lo, hi = figures.power_n_range(list(sizes.values()))
    grid = figures.power_n_grid(lo, hi)
    return {
        "compare": lambda: compare_designs(s),
        "power-vs-N": lambda: curves.power_vs_n(s, "stratified", grid, result),
        "N-vs-prev": lambda: curves.n_vs_prevalence(s, "stratified", figures.prevalence_grid(25)),
        "live N-vs-prev": lambda: curves.n_vs_prevalence(s, "stratified", figures.prevalence_grid(LIVE_CURVE_POINTS)),
        "live, cold": _cold(lambda: curves.n_vs_prevalence(s, "stratified", figures.prevalence_grid(LIVE_CURVE_POINTS))),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    print(f"stratified design, F + 3 populations ({EXAMPLE.name}); smallest CPU of {args.repeat} in ms")
    print(f"{'procedure':12} {'task':16} {'CPU ms':>9}   load (1 min)")
    for proc in PROCEDURES:
        s = scenario(proc)
        for name, fn in tasks(s).items():
            fn()  # caches (critical values), imports
            ms = cpu_min(fn, args.repeat)
            print(f"{proc:12} {name:16} {ms:9.1f}   {os.getloadavg()[0]:.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
