"""``enrichment-planner report`` and ``enrichment-planner export`` (listed by :mod:`ui.cli`).

* ``report SCENARIO.json -o report.pdf|report.html`` — the full report, built by
  :func:`planner.report.build_report`. PDF output loads :mod:`ui.report_pdf` (Qt) on demand;
  HTML needs no Qt.
* ``export SCENARIO.json --what comparison|curves|grid -o out.csv`` — the CSV writers of
  :mod:`planner.report.csv_export` (``-o -`` writes to standard output).

Argument parsing and printing only. Files are written atomically: a temporary file in the
target folder, then renamed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPORT_HELP = "write the full report (PDF or HTML) of a scenario"
EXPORT_HELP = "export the design comparison, a curve or a sensitivity grid as CSV"


def add_report_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", help="scenario file (JSON)")
    p.add_argument("-o", "--output", required=True, metavar="FILE",
                   help="report.pdf or report.html (the extension chooses the format)")
    p.add_argument("--no-figures", action="store_true", help="leave out the figures")
    p.add_argument("--no-adaptive", action="store_true", help="do not simulate the adaptive design")


def run_report(args: argparse.Namespace) -> int:
    from planner.report import build_report
    from planner.scenario_io import load_scenario

    out = Path(args.output)
    kind = out.suffix.lower()
    if kind not in (".pdf", ".html", ".htm"):
        raise ValueError(f"output must end in .pdf or .html, got {out.name!r}")
    if not out.parent.exists():
        raise ValueError(f"folder {str(out.parent)!r} does not exist")
    scenario = load_scenario(args.scenario)
    report = build_report(
        scenario,
        source_name=Path(args.scenario).name,
        include_figures=not args.no_figures,
        include_adaptive=not args.no_adaptive,
    )
    if kind == ".pdf":
        from .report_pdf import write_report_pdf  # Qt, loaded for PDF output only

        write_report_pdf(report, out)
    else:
        report.write_html(out)
    for msg in report.messages:
        print(f"enrichment-planner: {msg}", file=sys.stderr)
    print(f"wrote {out}")
    return 0


def _field_values(text: str) -> tuple[str, list[float]]:
    """``population.prevalence=0.1:0.9:0.1`` or ``positive.hazard_ratio=0.5,0.6,0.7``."""
    if "=" not in text:
        raise ValueError(f"expected FIELD=VALUES (e.g. population.prevalence=0.1:0.9:0.1), got {text!r}")
    from planner.curves import parse_list

    field, values = text.split("=", 1)
    return field.strip(), parse_list(values)


def add_export_arguments(p: argparse.ArgumentParser) -> None:
    from planner.report.csv_export import CURVES

    p.add_argument("scenario", help="scenario file (JSON)")
    p.add_argument("--what", choices=("comparison", "curves", "grid"), default="comparison")
    p.add_argument("--curve", choices=CURVES, default="power_vs_n", help="which curve (--what curves)")
    p.add_argument("--design", action="append", default=None,
                   help="design(s) to include (curves: repeatable; grid: one; default: the file's designs)")
    p.add_argument("--x", default=None, metavar="VALUES",
                   help="curve grid: comma list or start:stop:step (default: the report's grid)")
    p.add_argument("--rows", default="population.prevalence=0.1:0.9:0.1", metavar="FIELD=VALUES",
                   help="grid rows, e.g. population.prevalence=0.1:0.9:0.1")
    p.add_argument("--cols", default=None, metavar="FIELD=VALUES",
                   help="grid columns, e.g. positive.hazard_ratio=0.5,0.6,0.7")
    p.add_argument("--grid-output", choices=("n", "power"), default="n",
                   help="grid cells: total randomized N or power at the design's size")
    p.add_argument("-o", "--output", default="-", metavar="FILE", help="CSV file, or - for standard output")


def run_export(args: argparse.Namespace) -> int:
    from planner.compute import compare_designs
    from planner.curves import parse_list
    from planner.report.csv_export import comparison_csv, curve_csv, grid_csv
    from planner.scenario_io import atomic_write_text, load_scenario

    scenario = load_scenario(args.scenario)
    if args.what == "comparison":
        text = comparison_csv(compare_designs(scenario, include_adaptive=False))
    elif args.what == "curves":
        grid = parse_list(args.x) if args.x else None
        comparison = compare_designs(scenario, include_adaptive=False) if grid is None else None
        text = curve_csv(scenario, args.curve, designs=args.design, grid=grid, comparison=comparison)
    else:
        designs = args.design or []
        if len(designs) > 1:
            raise ValueError("--what grid takes one --design")
        design = designs[0] if designs else "targeted"
        rows = _field_values(args.rows)
        cols = _field_values(args.cols) if args.cols else None
        text = grid_csv(scenario, design, rows, cols, output=args.grid_output)
    if args.output == "-":
        sys.stdout.write(text)
    else:
        atomic_write_text(args.output, text)
        print(f"wrote {args.output}", file=sys.stderr)
    return 0

