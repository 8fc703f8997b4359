"""Command line: ``enrichment-planner [FILE.json]`` opens the app; subcommands compute.

* ``compute SCENARIO.json [--format json|text]`` — every design's size, screening, events,
  power and cost (this module);
* ``simulate`` — the adaptive design (:mod:`ui.cli_simulate`);
* ``sweep`` — its operating characteristics over a grid of inputs (:mod:`ui.cli_sweep`);
* ``report`` and ``export`` — the report and the CSV exports (:mod:`ui.cli_report`);
* ``cutoffs`` — the cutoff explorer of a continuous biomarker (:mod:`ui.cli_cutoff`).

The command line belongs to the user interfaces, beside the app: it parses arguments, calls
:mod:`planner` and prints. It never imports Qt except where it needs it (PDF output, the
app), so it runs without a display and ``compute`` starts as fast as the core allows. A bad
file or field exits with status 2 and a message naming the field and the reason — never a
traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

from planner import __version__
from planner.errors import ScenarioError

from . import cli_cutoff, cli_report, cli_simulate, cli_sweep

EXIT_BAD_INPUT = 2
COMPUTE_HELP = "sample size, screening, events, power and cost of every design"

#: name -> (help, add_arguments, run) of every subcommand besides ``compute``
SUBCOMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]] = {
    "simulate": (cli_simulate.HELP, cli_simulate.add_arguments, cli_simulate.run),
    "sweep": (cli_sweep.HELP, cli_sweep.add_arguments, cli_sweep.run),
    "report": (cli_report.REPORT_HELP, cli_report.add_report_arguments, cli_report.run_report),
    "export": (cli_report.EXPORT_HELP, cli_report.add_export_arguments, cli_report.run_export),
    "cutoffs": (cli_cutoff.HELP, cli_cutoff.add_arguments, cli_cutoff.run),
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # exit 2 with a one-line reason, as argparse does
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def _print_problems(err: ScenarioError, path: str) -> None:
    print(f"enrichment-planner: invalid scenario {path}:", file=sys.stderr)
    for p in err.problems:
        print(f"  {p}", file=sys.stderr)


def _run_compute(args: argparse.Namespace) -> int:
    from planner.compute import compare_designs
    from planner.scenario_io import load_scenario

    scenario = load_scenario(args.scenario)
    result = compare_designs(scenario, question=args.question.replace("-", "_"), n_randomized=args.n_randomized)
    assurance: dict = {}
    if scenario.uncertainty is not None:  # the assurance module is loaded only when needed
        from planner.assurance import assurance_for_comparison, assurance_summary

        assurance = assurance_for_comparison(scenario, result)
        if "adaptive" in result.designs:  # simulated: planner.adaptive.assurance (both forms)
            from planner.adaptive.assurance import adaptive_assurance

            assurance["adaptive"] = adaptive_assurance(scenario, power=result.designs["adaptive"].power)
    if args.format == "json":
        out = result.to_dict()
        for name, a in assurance.items():
            out["designs"][name]["assurance"] = a.to_dict()
        print(json.dumps(out, indent=2, ensure_ascii=False, allow_nan=False))
    else:
        print(result.summary(), end="")
        if assurance:
            print("\n" + assurance_summary(scenario, assurance), end="")
    return 0


def _add_compute(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", help="scenario file (JSON)")
    p.add_argument("--format", choices=("json", "text"), default="text")
    p.add_argument(
        "--question",
        choices=("auto", "sample-size", "power", "effect"),
        default="auto",
        help="what to solve for (auto: sample size unless the design fixes n_randomized/events)",
    )
    p.add_argument("--n-randomized", type=int, default=None, metavar="N",
                   help="total randomized (both arms) for --question power/effect")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; with ``command``, only that subcommand's arguments are set up (so that
    ``compute`` does not import what ``report`` and ``export`` need to list their choices)."""
    parser = _Parser(
        prog="enrichment-planner",
        description="Plan biomarker-driven trials. Without a subcommand, opens the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    commands = {"compute": (COMPUTE_HELP, _add_compute, _run_compute), **SUBCOMMANDS}
    for name, (help_text, add_args, run) in commands.items():
        p = sub.add_parser(name, help=help_text)
        if command in (None, name):
            add_args(p)
            p.set_defaults(run=run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = {"compute", *SUBCOMMANDS}
    if not argv or (argv[0] not in commands and not argv[0].startswith("-")):
        from .launcher import launch_app

        return launch_app(argv[0] if argv else None)
    parser = build_parser(argv[0] if argv[0] in commands else None)
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 0
    try:
        return int(args.run(args) or 0)
    except ScenarioError as err:
        _print_problems(err, getattr(args, "scenario", ""))
        return EXIT_BAD_INPUT
    except (ValueError, OSError) as err:
        print(f"enrichment-planner: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
