"""Command line: ``enrichment-planner [FILE.json]`` opens the app; subcommands compute.

``enrichment-planner compute SCENARIO.json [--format json|text]`` prints every design's size,
screening, events, power and cost. A bad file or field exits with status 2 and a message
naming the field and the reason — never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

from . import __version__
from .errors import ScenarioError
from .scenario_io import load_scenario

EXIT_BAD_INPUT = 2

#: Extra subcommands registered by other parts of the core: name -> (help, add_arguments, run).
SUBCOMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]] = {}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # exit 2 with a one-line reason, as argparse does
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def _print_problems(err: ScenarioError, path: str) -> None:
    print(f"enrichment-planner: invalid scenario {path}:", file=sys.stderr)
    for p in err.problems:
        print(f"  {p}", file=sys.stderr)


def _run_compute(args: argparse.Namespace) -> int:
    from .assurance import assurance_for_comparison, assurance_summary
    from .compute import compare_designs

    scenario = load_scenario(args.scenario)
    result = compare_designs(scenario, question=args.question.replace("-", "_"), n_randomized=args.n_randomized)
    assurance = assurance_for_comparison(scenario, result)  # {} without an uncertainty block
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


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="enrichment-planner",
        description="Plan biomarker-driven trials. Without a subcommand, opens the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    compute = sub.add_parser("compute", help="sample size, screening, events, power and cost of every design")
    _add_compute(compute)
    compute.set_defaults(run=_run_compute)
    for name, (help_text, add_args, run) in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=help_text)
        add_args(p)
        p.set_defaults(run=run)
    return parser


def _load_plugins() -> None:
    """Import core modules that register subcommands (simulate, report), if present."""
    import importlib

    for module in ("planner.adaptive.cli", "planner.report.cli"):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name is None or not module.startswith(exc.name):
                raise


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    _load_plugins()
    commands = {"compute", *SUBCOMMANDS}
    if not argv or (argv[0] not in commands and not argv[0].startswith("-")):
        from .app_launcher import launch_app

        return launch_app(argv[0] if argv else None)
    parser = build_parser()
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
    # Plugins register into the imported ``planner.cli``, not into ``__main__``: run that one.
    from planner.cli import main as _main

    sys.exit(_main())
