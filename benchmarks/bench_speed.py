"""The issue-11/13 speed targets in one run (python benchmarks/bench_speed.py [--repeat R] [--only a,b] [--recursions]).

Each row: the median wall-clock time and the median CPU time of this process (the steadier
measure on a shared machine: the targets are for an idle one), with the 1-minute load average
beside them, read when the row finishes:

* ``comparison, all designs`` — ``compare_designs`` of resources/scenarios/hrd_ovarian_paola1_interim.json
  with the biomarker-stratified design added (default options), every cache warm but the per-call
  ones (issue 11: ≤ 30 ms), and ``cold grids``: its grid recursions recomputed (the table after a
  change of an effect); ``stratified comparison`` — ``compute_design`` of that design alone,
  and ``cold grids``: its grid recursions recomputed (as after a change of an effect);
* ``four curves`` — the stratified design's four 200-point curves (power vs N, power vs the B−
  effect, claims over prevalence at the design's N, N for the target power over prevalence;
  issue 11: ≤ 100 ms), after the design's ``compute_design`` (whose N they need: timed with them,
  as the app computes it first), ``warm grids``: the grid recursions cached from the warm-up call (as when
  a curve is redrawn), ``cold grids``: every recursion recomputed (as after a change of an effect;
  the bounds stay cached), ``first call``: every cache of the interim engine emptied, the
  closed-test bounds too (a first redraw after a change of an effect);
* each of these with the file's two-look plan and with the issue's three-look plan
  (information rates 0.33, 0.67, 1; O'Brien–Fleming; non-binding futility at z = 0);
* ``NPH comparison`` — ``compare_designs`` of resources/scenarios/pdl1_io_delayed_effect.json
  (piecewise survival, delayed effect; issue 13: ≤ 50 ms); ``NPH curves`` — the comparison,
  then power vs N, N vs prevalence and power vs the B− effect of every design (200 points each);
* ``--examples``: instead of the rows above, the four curves (3-look plan) of every two-subgroup
  example scenario with the stratified design added: warm, cold, first call and the recursions of
  a cold run (the curves of PAOLA-1 are not the slowest: a B− effect sweeping Z_F's mean over
  many SDs, or a binary B− effect changing the correlation at every point, cost more);
* ``--recursions``: per cold curve of the stratified design, the 2-D grid recursions it runs and
  its CPU time (one run).

PAOLA-1's strata are heterogeneous (control medians 17.7 and 16.0 months, HR 0.33 and 0.92), so
its stratified design with interims is under the look-wise law (bounds on the plan's law move
with N: docs/group-sequential.md, "Speed of the curves").
"""

from __future__ import annotations

import importlib
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's planner

from planner import curves  # noqa: E402
from planner.compute import compare_designs, compute_design  # noqa: E402
from planner.designs.build import build_model  # noqa: E402
from planner.groupseq.plan import InterimPlan  # noqa: E402
from planner.params import params_from_scenario  # noqa: E402
from planner.scenario_io import load_scenario, scenario_from_dict  # noqa: E402

SCEN = ROOT / "resources" / "scenarios"
THREE_LOOKS = InterimPlan((0.33, 0.67, 1.0), "obrien_fleming", None, (0.0, 0.0), False)


def _median(fn, repeat: int, clear=None) -> tuple[float, float, float]:
    """(wall-clock median ms, CPU-time median ms of this process, load average): on a loaded
    machine the CPU time is the steadier measure of the work done. ``clear`` runs before each
    timed call (untimed)."""
    fn()  # warm
    wall, cpu = [], []
    for _ in range(repeat):
        if clear:
            clear()
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000, os.getloadavg()[0]


def paola_with_stratified(plan: InterimPlan | None = None):
    """The PAOLA-1 interim example with the stratified design; ``plan`` replaces the file's."""
    d = json.loads((SCEN / "hrd_ovarian_paola1_interim.json").read_text())
    d["designs"]["stratified"] = {}
    if plan is not None:
        d["interim"] = plan.to_dict()
    return scenario_from_dict(d)


def four_curves(s, result) -> None:
    n_grid = np.geomspace(100, 5000, 200)
    g_grid = np.linspace(0.1, 0.9, 200)
    e_grid = np.linspace(0.5, 1.2, 200)
    curves.power_vs_n(s, "stratified", n_grid, result)
    curves.power_vs_negative_effect(s, "stratified", e_grid, result=result)
    par = params_from_scenario(s, prevalence=g_grid)
    model = build_model("stratified", par, curves._opts(s, "stratified"))
    model.claims(np.full(g_grid.size, float(result.n_randomized)), np.arange(g_grid.size))
    curves.n_vs_prevalence(s, "stratified", g_grid)


def nph_curves(s, results) -> None:
    for d in s.fixed_designs():
        curves.power_vs_n(s, d, np.geomspace(50, 3000, 200), results[d])
        curves.n_vs_prevalence(s, d, np.linspace(0.1, 0.9, 200))
        curves.power_vs_negative_effect(s, d, np.linspace(0.5, 1.2, 200), result=results[d])


def _grid_caches() -> list:
    """The caches of 2-D grid recursions: tilted lattice references and recursions at a structure's
    own drift (wave 4b; kept by :mod:`planner.groupseq.own` since wave 8), those this checkout has."""
    from planner.groupseq import procedure  # noqa: PLC0415

    try:
        from planner.groupseq import own  # noqa: PLC0415
    except ImportError:
        own = None
    return [c for c in (getattr(procedure, "_reference", None), getattr(procedure, "_own", None), getattr(own, "KEPT", None)) if c is not None]


def _clear_grids() -> None:
    """Forget the 2-D grid recursions (as after a change of the effect or N); bounds stay cached."""
    for cache in _grid_caches():
        cache.cache_clear()


def _clear_everything() -> None:
    """Forget every cache of the interim engine, the bounds too (a user's first redraw after a
    change of the correlation, e.g. of an effect: every structure new)."""
    from functools import _lru_cache_wrapper  # noqa: PLC0415

    from planner.groupseq import boundaries, curve, grid2d, procedure, sizing, stratified  # noqa: PLC0415

    mods = [boundaries, curve, grid2d, procedure, sizing, stratified]
    for name in ("own", "rho_bounds"):   # state-machine plans and bound fits (wave 10), where this checkout has them
        try:
            mods.append(importlib.import_module(f"planner.groupseq.{name}"))
        except ImportError:
            pass
    for mod in mods:
        for value in vars(mod).values():
            if isinstance(value, _lru_cache_wrapper):
                value.cache_clear()
    getattr(procedure, "_FATES", {}).clear()
    _clear_grids()


def recursions_per_curve(s) -> None:
    """Per curve of :func:`four_curves` (cold: every grid recursion recomputed): the recursions
    it runs and its CPU ms (where the cold curves' time goes)."""
    r = compute_design(s, "stratified", s.resolved_options("stratified", None))
    four_curves(s, r)
    _clear_grids()
    caches = _grid_caches()
    g = np.linspace(0.1, 0.9, 200)
    model = lambda: build_model("stratified", params_from_scenario(s, prevalence=g), curves._opts(s, "stratified"))  # noqa: E731
    steps = {"power vs N": lambda: curves.power_vs_n(s, "stratified", np.geomspace(100, 5000, 200), r),
             "power vs the B- effect": lambda: curves.power_vs_negative_effect(s, "stratified", np.linspace(0.5, 1.2, 200), result=r),
             "claims over prevalence": lambda: model().claims(np.full(g.size, float(r.n_randomized)), np.arange(g.size)),
             "N over prevalence": lambda: curves.n_vs_prevalence(s, "stratified", g)}
    for name, fn in steps.items():
        m0, c0 = sum(c.cache_info().misses for c in caches), time.process_time()
        fn()
        print(f"  {name:28s} {sum(c.cache_info().misses for c in caches) - m0:4d} recursions "
              f"{(time.process_time() - c0) * 1000:8.1f} CPU ms", flush=True)


def example_scenarios() -> list[tuple[str, object]]:
    """Every two-subgroup example scenario with the stratified design added (its default options) and the issue's
    three-look plan (the cells-form examples have no four curves of this kind)."""
    out = []
    for f in sorted(SCEN.glob("*.json")):
        d = json.loads(f.read_text())
        if "cells" in d:
            continue
        d.setdefault("designs", {})["stratified"] = {}
        d["interim"] = THREE_LOOKS.to_dict()
        out.append((f.stem, scenario_from_dict(d)))
    return out


def examples(repeat: int) -> None:
    """``--examples``: the four curves of every example scenario (:func:`example_scenarios`), warm,
    cold and first call (CPU ms, medians of ``repeat``), with the recursions of a cold run."""
    caches = _grid_caches()
    print(f"{'four curves, 3 looks, CPU ms':34s} {'warm':>7s} {'cold':>7s} {'first':>7s} {'cold rec':>8s}  load")
    for name, s in example_scenarios():
        r = compute_design(s, "stratified", s.resolved_options("stratified", None))
        fn = lambda s=s, r=r: four_curves(s, r)  # noqa: E731
        cpu = [_median(fn, repeat, clear)[1] for clear in (None, _clear_grids, _clear_everything)]
        _clear_grids()
        m0 = sum(c.cache_info().misses for c in caches)
        fn()
        rec = sum(c.cache_info().misses for c in caches) - m0
        print(f"{name:34s} {cpu[0]:7.0f} {cpu[1]:7.0f} {cpu[2]:7.0f} {rec:8d}  {os.getloadavg()[0]:.2f}", flush=True)


def _rows(s, tag: str) -> dict:
    opts = s.resolved_options("stratified", None)
    curves4 = lambda: four_curves(s, compute_design(s, "stratified", opts))  # noqa: E731
    return {
        f"stratified comparison, {tag}": (lambda: compute_design(s, "stratified", opts), None),
        f"stratified comparison, cold grids, {tag}": (lambda: compute_design(s, "stratified", opts), None),
        f"comparison, all designs, {tag}": (lambda: compare_designs(s, include_adaptive=False), 30.0),
        f"comparison, all designs, cold grids, {tag}": (lambda: compare_designs(s, include_adaptive=False), None),
        f"four curves, warm grids, {tag}": (curves4, 100.0),
        f"four curves, cold grids, {tag}": (curves4, 100.0),
        f"four curves, first call, {tag}": (curves4, None),
    }


def main() -> None:
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 5
    only = sys.argv[sys.argv.index("--only") + 1].split(",") if "--only" in sys.argv else None
    if "--examples" in sys.argv:
        examples(repeat)
        return
    nph = load_scenario(SCEN / "pdl1_io_delayed_effect.json")
    rows = _rows(paola_with_stratified(), "2 looks") | _rows(paola_with_stratified(THREE_LOOKS), "3 looks")
    rows |= {
        "NPH comparison": (lambda: compare_designs(nph, include_adaptive=False), 50.0),
        "NPH curves": (lambda: nph_curves(nph, compare_designs(nph, include_adaptive=False).designs), None),
    }
    print(f"medians; CPU = this process's CPU time (the measure to read on a shared machine); load average at start "
          f"{os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs")
    print(f"{'':46s} {'wall ms':>9s} {'CPU ms':>9s}  {'target':12s} load avg")
    for name, (fn, target) in rows.items():
        if only and not any(o in name for o in only):
            continue
        clear = _clear_grids if "cold" in name else _clear_everything if "first" in name else None
        med, cpu, load = _median(fn, 3 if "curves" in name and repeat > 3 else repeat, clear)
        tgt = f"≤ {target:g} ms" if target else ""
        print(f"{name:46s} {med:9.1f} {cpu:9.1f}  {tgt:12s} {load:.2f}", flush=True)
    if "--recursions" in sys.argv:
        for tag, plan in (("2 looks", None), ("3 looks", THREE_LOOKS)):
            print(f"cold curves, {tag}, one run:")
            recursions_per_curve(paola_with_stratified(plan))


if __name__ == "__main__":
    main()
