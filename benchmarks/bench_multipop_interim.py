"""Time the stratified design over several populations with interim analyses (cells form).

Run: ``python benchmarks/bench_multipop_interim.py [--repeat 3] [--curve]``. The PD-L1 KEYNOTE-042
cutoffs example (F and three nested TPS populations: m = 4 hypotheses; survival) with a 3-look plan
(O'Brien–Fleming-type spending, non-binding futility z = 0, 0.3), the stratified design sized for
the TPS ≥1 % claim with each group-sequential procedure. Per procedure the CPU (process) time of

* ``first compute`` — :func:`planner.compute.compute_design` of the stratified design with empty
  caches: the closed group-sequential bounds of every intersection hypothesis, the randomized
  quasi-Monte Carlo draws, the size search and the interim fields;
* ``compute`` — the median of ``--repeat`` further calls (bounds and draws cached, as in the app);
* ``power-vs-N`` (``--curve``) — 20 points of the power curve over N;
* ``power question`` (``--power``) — :func:`~planner.compute.compute_design` with ``n_randomized``
  2,400 given: the power there and the detectable effect (the secant of
  :func:`planner.groupseq.multipop_model.search_effect`).

CPU time is shown because the wall time of a shared machine depends on its load; the 1-minute
load average is printed beside each line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout too

from planner.compute import compute_design  # noqa: E402
from planner.scenario_io import scenario_from_dict  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "resources/scenarios/pdl1_nsclc_keynote042_cutoffs.json"
PLAN = {"information_rates": [0.4, 0.7, 1.0], "efficacy": "obrien_fleming", "gamma": None,
        "futility": {"bounds": [0.0, 0.3], "binding": False}}
PROCEDURES = {"parametric": {}, "bonferroni": {},
              "fixed_sequence": {"order": ["TPS ≥50%", "TPS ≥20%", "TPS ≥1%", "F"]}}


def scenario(procedure: str, n: int | None = None):
    d = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    d["designs"] = {"stratified": {"multiplicity": procedure, "size_for": "TPS ≥1%", **PROCEDURES[procedure]}}
    if n is not None:
        d["designs"]["stratified"]["n_randomized"] = n
    d["interim"] = PLAN
    return scenario_from_dict(d)


def clear_caches() -> None:
    from planner.groupseq import multipop  # noqa: PLC0415

    for fn in (multipop._bounds_cached, multipop._correlated, multipop._normal_draws):
        fn.cache_clear()


def cpu(fn) -> float:
    t0 = time.process_time()
    fn()
    return (time.process_time() - t0) * 1e3


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--curve", action="store_true", help="also time 20 points of the power-vs-N curve")
    ap.add_argument("--power", action="store_true", help="also time the power question (n_randomized given)")
    args = ap.parse_args(argv)
    print(f"stratified design, F + 3 populations, 3 looks ({EXAMPLE.name}); CPU ms")
    print(f"{'procedure':15} {'task':15} {'CPU ms':>9}   load (1 min)")
    for proc in PROCEDURES:
        s = scenario(proc)
        clear_caches()
        first = cpu(lambda s=s: compute_design(s, "stratified"))
        print(f"{proc:15} {'first compute':15} {first:9.0f}   {os.getloadavg()[0]:.2f}", flush=True)
        again = statistics.median(cpu(lambda s=s: compute_design(s, "stratified")) for _ in range(args.repeat))
        print(f"{proc:15} {'compute':15} {again:9.0f}   {os.getloadavg()[0]:.2f}", flush=True)
        if args.curve:
            from planner.designs.build import build_model  # noqa: PLC0415
            from planner.params import params_from_scenario  # noqa: PLC0415

            model = build_model("stratified", params_from_scenario(s), s.resolved_options("stratified"))
            ms = cpu(lambda model=model: model.claims(np.linspace(1500, 4000, 20)))
            print(f"{proc:15} {'power-vs-N':15} {ms:9.0f}   {os.getloadavg()[0]:.2f}", flush=True)
        if args.power:
            sp = scenario(proc, 2400)
            ms = cpu(lambda sp=sp: compute_design(sp, "stratified"))
            print(f"{proc:15} {'power question':15} {ms:9.0f}   {os.getloadavg()[0]:.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
