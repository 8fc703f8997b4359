"""``enrichment-planner simulate SCENARIO.json [--simulations N] [--seed S] [--format json|text]``.

Argument parsing and printing only; the simulation and the size search are
:mod:`planner.adaptive`'s. :mod:`ui.cli` lists the subcommand. The JSON output has the structure
of ``compute --format json`` with the adaptive design alone:
``{"software": …, "scenario": …, "designs": {"adaptive": {…}}}``.
"""

from __future__ import annotations

import argparse
import json
import sys

from planner import __version__
from planner.errors import Problem, ScenarioError

HELP = "simulate the adaptive enrichment design: power, selection, early stopping, expected size"
POOL_FROM = 200_000  # trials from which a local process pool is used by default


def _runner(args: argparse.Namespace, scenario):
    """The distributed engine's runner for --workers/--scheduler or a large run (else None)."""
    workers, scheduler = getattr(args, "workers", None), getattr(args, "scheduler", None)
    if workers is not None and workers < 1:
        raise ScenarioError([Problem("--workers", f"must be at least 1, got {workers}")])
    if workers is None and scheduler is None and scenario.designs["adaptive"].simulations < POOL_FROM:
        return None
    from planner.adaptive.engine import runner

    return runner(workers=workers, scheduler=scheduler)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", help="scenario file (JSON) with designs.adaptive")
    p.add_argument("--simulations", type=int, default=None, metavar="N",
                   help="number of simulated trials (default: designs.adaptive.simulations)")
    p.add_argument("--seed", type=int, default=None, metavar="S",
                   help="random seed (default: designs.adaptive.seed)")
    p.add_argument("--format", choices=("json", "text"), default="text")
    p.add_argument("--find-size", choices=("at_least_one", "subgroup", "overall", "both", "success"),
                   default=None, metavar="CLAIM",
                   help="search the smallest maximum size (subjects; survival: events) giving "
                        "testing.power for CLAIM (at_least_one, subgroup, overall, both, success); "
                        "the planned stage sizes are scaled together")
    p.add_argument("--patient-level", action="store_true",
                   help="survival: check every fixed design's power (all-comers, targeted, stratified, "
                        "strategy, interaction) with a patient-level simulation (default 2,000 trials, "
                        "seed 12345); with designs.adaptive also the adaptive enrichment design")
    p.add_argument("--interim-delay", type=float, default=0.0, metavar="T",
                   help="with --patient-level: time units (e.g. months) from the adaptive design's "
                        "interim data cut to its decision; patients keep enrolling meanwhile (default 0)")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="local worker processes (default: threads; processes from "
                        f"{POOL_FROM:,} trials); the results do not depend on it")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="simulate on a Dask distributed cluster (tcp://host:8786; the 'cluster' "
                        "extra); identical results to the local run")


def run(args: argparse.Namespace) -> int:
    from planner.adaptive.api import simulate_scenario
    from planner.scenario import AdaptiveOptions
    from planner.scenario_io import load_scenario, scenario_to_dict

    if getattr(args, "patient_level", False):
        from .cli_patient_level import run as run_patient_level

        return run_patient_level(args)
    scenario = load_scenario(args.scenario)
    if not isinstance(scenario.designs.get("adaptive"), AdaptiveOptions):
        raise ScenarioError([Problem("designs.adaptive",
                                     "is required: the scenario has no adaptive design to simulate")])
    scenario = _with_overrides(scenario, args)
    search = None
    if args.find_size is None:
        result = simulate_scenario(scenario, runner=_runner(args, scenario))
    else:
        search, result = _find_size(scenario, args)
    if args.format == "json":
        adaptive = result.to_dict()
        if search is not None:
            adaptive["sample_size_search"] = search.to_dict()
        doc = {
            "software": {"name": "Enrichment Planner", "version": __version__},
            "scenario": scenario_to_dict(scenario),
            "designs": {"adaptive": adaptive},
        }
        print(json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False))
    else:
        _print_text(scenario, search, result)
    sys.stdout.flush()
    return 0


def _with_overrides(scenario, args):
    """The scenario with ``--simulations``/``--seed`` in ``designs.adaptive``, checked by the
    scenario reader itself (one set of bounds): a bad value exits 2 naming the option."""
    from planner.scenario_io import scenario_from_dict, scenario_to_dict

    options = {"simulations": args.simulations, "seed": args.seed}
    options = {k: v for k, v in options.items() if v is not None}
    if not options:
        return scenario
    data = scenario_to_dict(scenario)
    data["designs"]["adaptive"].update(options)
    try:
        return scenario_from_dict(data)
    except ScenarioError as err:
        problems = []
        for p in err.problems:
            key = p.path.removeprefix("designs.adaptive.")
            path = f"--{key} (designs.adaptive.{key})" if key in options else p.path
            problems.append(Problem(path, p.reason))
        raise ScenarioError(problems) from None


def _print_text(scenario, search, result) -> None:
    """The text output: title, endpoint, the size search (if any), the simulation summary."""
    title = scenario.title or "(untitled scenario)"
    print(f"Enrichment Planner {__version__} — {title}")
    print(f"endpoint: {scenario.endpoint}")
    print()
    if search is not None:
        unit = "events" if scenario.endpoint == "survival" else "subjects"
        if search.feasible:
            print(f"Sample size search ({search.claim.replace('_', ' ')}, target "
                  f"{search.target:.2f}): {search.size:,} {unit} "
                  f"(power {search.power:.4f} ± {search.power_se:.4f}; "
                  f"{len(search.evaluations)} evaluations, common random numbers)")
        else:
            print(f"Sample size search: the target {search.target:.2f} is not reached "
                  f"with up to {max(s for s, _ in search.evaluations):,} {unit}")
        print()
    print(result.summary())


def _find_size(scenario, args):
    from planner.adaptive.api import simulate_model, simulate_scenario
    from planner.adaptive.model import model_from_scenario
    from planner.adaptive.search import search_sample_size

    opts = scenario.designs["adaptive"]
    sims, seed = int(opts.simulations), int(opts.seed)
    model = model_from_scenario(scenario, opts)
    search = search_sample_size(model, scenario.testing.power, claim=args.find_size,
                                simulations=sims, seed=seed)
    if not search.feasible:
        return search, simulate_scenario(scenario, simulations=sims, seed=seed)
    result = simulate_model(model.with_planned(search.planned), sims, seed,
                            target_power=scenario.testing.power, costs=scenario.costs)
    return search, result

