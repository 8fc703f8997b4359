"""``enrichment-planner simulate SCENARIO.json [--simulations N] [--seed S] [--format json|text]``.

Registers the subcommand in :data:`planner.cli.SUBCOMMANDS` at import time. The JSON output has
the structure of ``compute --format json`` with the adaptive design alone:
``{"software": …, "scenario": …, "designs": {"adaptive": {…}}}``.
"""

from __future__ import annotations

import argparse
import json
import sys

from .. import __version__
from ..catalogue import FIELDS_BY_PATH
from ..cli import SUBCOMMANDS
from ..errors import Problem, ScenarioError
from ..scenario import AdaptiveOptions
from ..scenario_io import load_scenario, scenario_to_dict

HELP = "simulate the adaptive enrichment design: power, selection, early stopping, expected size"


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


def run(args: argparse.Namespace) -> int:
    from .api import simulate_scenario

    scenario = load_scenario(args.scenario)
    if not isinstance(scenario.designs.get("adaptive"), AdaptiveOptions):
        raise ScenarioError([Problem("designs.adaptive",
                                     "is required: the scenario has no adaptive design to simulate")])
    top = FIELDS_BY_PATH["designs.adaptive.simulations"].le
    if args.simulations is not None and not 1 <= args.simulations <= top:
        raise ScenarioError([Problem("--simulations", f"must be from 1 to {top:,}, got {args.simulations}")])
    if args.seed is not None and not 0 <= args.seed < 2**63:
        raise ScenarioError([Problem("--seed", f"must be between 0 and 2^63 - 1, got {args.seed}")])
    search = None
    if args.find_size is None:
        result = simulate_scenario(scenario, simulations=args.simulations, seed=args.seed)
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
    sys.stdout.flush()
    return 0


def _find_size(scenario, args):
    from .api import simulate_scenario
    from .model import model_from_scenario
    from .search import search_sample_size

    opts = scenario.designs["adaptive"]
    sims = int(opts.simulations if args.simulations is None else args.simulations)
    seed = int(opts.seed if args.seed is None else args.seed)
    model = model_from_scenario(scenario, opts)
    search = search_sample_size(model, scenario.testing.power, claim=args.find_size,
                                simulations=sims, seed=seed)
    if not search.feasible:
        return search, simulate_scenario(scenario, simulations=sims, seed=seed)
    from .api import simulate_model

    result = simulate_model(model.with_planned(search.planned), sims, seed,
                            target_power=scenario.testing.power, costs=scenario.costs)
    return search, result


SUBCOMMANDS["simulate"] = (HELP, add_arguments, run)
