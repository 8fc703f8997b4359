"""``enrichment-planner sweep SCENARIO.json --vary PATH=LO:HI:STEP [--vary …]``.

Operating characteristics of the adaptive design over a grid of truths (common random
numbers), the fixed designs' analytic power beside them, optionally the FWER table under the
global and partial nulls; on a local process pool (``--workers``) or a Dask cluster
(``--scheduler``). Argument parsing and output only: the work is :mod:`planner.adaptive.sweep`,
:mod:`planner.adaptive.fwer` and :mod:`planner.figures_sweep`. Output: JSON (the sweep's
``to_dict`` plus ``fwer``), CSV (one row per grid point, numbers unformatted; the FWER table is
JSON/text only) or text; ``-o FILE`` writes atomically.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys

from planner import __version__
from planner.errors import Problem, ScenarioError

HELP = "operating characteristics of the adaptive design over a grid of inputs (and the FWER table)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", help="scenario file (JSON) with designs.adaptive")
    p.add_argument("--vary", action="append", required=True, metavar="PATH=LO:HI:STEP",
                   help="a scenario field and its values, e.g. negative.hazard_ratio=0.6:1.2:0.05 "
                        "or population.prevalence=0.2,0.4 (repeat for a grid)")
    p.add_argument("--simulations", type=int, default=None, metavar="N",
                   help="simulated trials per grid point (default: designs.adaptive.simulations)")
    p.add_argument("--seed", type=int, default=None, metavar="S",
                   help="random seed, the same at every grid point (default: designs.adaptive.seed)")
    p.add_argument("--format", choices=("json", "csv", "text"), default="text")
    p.add_argument("-o", "--output", default=None, metavar="FILE", help="write to FILE instead of stdout")
    p.add_argument("--plots", default=None, metavar="DIR",
                   help="write sweep_power.png, sweep_expected_size.png, sweep_selection.png, "
                        "sweep_early_stop.png to DIR")
    p.add_argument("--fwer", action="store_true",
                   help="add the type I error table under the global and partial nulls "
                        "(maximum over prevalence and effect)")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="local worker processes (default: the available cores; 1: serial)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run on a Dask distributed cluster, e.g. tcp://host:8786 (needs the "
                        "'cluster' extra); results are identical to the local run")


def _check(args: argparse.Namespace) -> None:
    if args.workers is not None and args.workers < 1:
        raise ScenarioError([Problem("--workers", f"must be at least 1, got {args.workers}")])
    if args.seed is not None and not 0 <= args.seed < 2**63:
        raise ScenarioError([Problem("--seed", f"must be in [0, 2^63), got {args.seed}")])


def run(args: argparse.Namespace) -> int:
    from planner.adaptive.sweep import parse_vary, run_sweep
    from planner.scenario_io import load_scenario

    _check(args)
    scenario = load_scenario(args.scenario)
    varies = [parse_vary(v, scenario.endpoint) for v in args.vary]
    result = run_sweep(scenario, varies, simulations=args.simulations, seed=args.seed,
                       workers=args.workers, scheduler=args.scheduler)
    fwer = None
    if args.fwer:
        from planner.adaptive.fwer import fwer_table
        from planner.adaptive.model import model_from_scenario

        fwer = fwer_table(model_from_scenario(scenario), simulations=result.simulations, seed=result.seed,
                          workers=args.workers, scheduler=args.scheduler)
    doc = result.to_dict()
    if fwer is not None:
        doc["fwer"] = fwer.to_dict()
    text = _render(args.format, doc, result, fwer, scenario)
    if args.output:
        from planner.files import atomic_write_text

        atomic_write_text(args.output, text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    if args.plots:
        from planner.figures_sweep import save_sweep_figures

        for path in save_sweep_figures(doc, args.plots):
            print(f"wrote {path}", file=sys.stderr)
    return 0


def _render(fmt: str, doc: dict, result, fwer, scenario) -> str:
    if fmt == "json":
        doc = {"software": {"name": "Enrichment Planner", "version": __version__}, "sweep": doc}
        return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        cols = result.columns()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(cols)
        for row in doc["rows"]:
            w.writerow(["" if row.get(c) is None else row[c] for c in cols])
        return buf.getvalue()
    return _text(doc, result, fwer, scenario)


def _varied_heads(varied) -> list[str]:
    """Column heads of the varied paths: the field's name, or its last two parts where two varied
    paths end alike (``cells.A.prevalence`` and ``cells.B.prevalence`` → ``A.prevalence``, ``B.prevalence``)."""
    last = [p.split(".")[-1] for p in varied]
    return [".".join(p.split(".")[-2:]) if last.count(t) > 1 else t for p, t in zip(varied, last)]


def _text(doc: dict, result, fwer, scenario) -> str:
    title = scenario.title or "(untitled scenario)"
    unit = "events" if result.endpoint == "survival" else "subjects"
    size_col = "expected_events" if result.endpoint == "survival" else "expected_subjects"
    lines = [f"Enrichment Planner {__version__} — {title}",
             f"Sweep of the adaptive design: {len(result.rows)} grid points × {result.simulations:,} trials "
             f"(seed {result.seed}, common random numbers); ± = Monte Carlo SE", ""]
    # the cells form: "S only" is the first population alone (planner.adaptive.ksummary)
    s_only = f"{scenario.population.populations[0].name} only" if scenario.has_cells else "S only"
    head = _varied_heads(result.varied) + ["power", f"E[{unit}]", s_only, "F only",
                                                       "early stop"] + list(result.fixed_designs)
    lines.append("  ".join(f"{h:>16}" for h in head))
    for r in doc["rows"]:
        cells = [f"{r[p]:>16g}" for p in result.varied]
        cells.append(f"{r['power']:.4f} ± {r['power_se']:.4f}".rjust(16))
        cells.append(f"{r[size_col]:.1f} ± {r[size_col + '_se']:.1f}".rjust(16))
        cells += [f"{r['select_subgroup_only']:>16.3f}", f"{r['select_overall_only']:>16.3f}",
                  f"{r['early_stop_efficacy'] + r['early_stop_futility']:>16.3f}"]
        cells += ["—".rjust(16) if r.get(f"power_{d}") is None else f"{r[f'power_{d}']:>16.4f}"
                  for d in result.fixed_designs]
        lines.append("  ".join(cells))
    lines += [f"note: {n}" for n in result.notes]
    if fwer is not None:
        lines += ["", fwer.summary()]
    return "\n".join(lines) + "\n"
