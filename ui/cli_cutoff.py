"""``enrichment-planner cutoffs SCENARIO.json [--format json|text|csv] [--cutoffs 1,20,50] [--plot FILE]``.

The cutoff explorer (:mod:`planner.cutoff`) on the command line: for each candidate cutoff of the
scenario's ``biomarker`` block (or those given), the prevalence P(marker ≥ cutoff), the B+ and B−
average effects and the all-comers, targeted and stratified designs' N randomized, N screened,
power and cost. Argument parsing and output only. A scenario without a ``biomarker`` block or a
cutoff outside the marker's range exits 2 naming the field.
"""

from __future__ import annotations

import argparse
import csv
import io
import json

from planner.errors import Problem, ScenarioError

HELP = "prevalence, effects and the targeted and stratified designs at each cutoff of a continuous biomarker"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", help="scenario file (JSON) with a biomarker block")
    p.add_argument("--format", choices=("json", "text", "csv"), default="text")
    p.add_argument("--cutoffs", default=None, metavar="C1,C2,…",
                   help="cutoffs to compare instead of biomarker.cutoffs, e.g. 1,20,50")
    p.add_argument("--plot", default=None, metavar="FILE",
                   help="also write the design map over cutoffs to FILE (.png, .svg or .pdf)")
    p.add_argument("--map-csv", default=None, metavar="FILE",
                   help="also write the design map's data (N or cost of each design over a grid of cutoffs) as CSV")


def _cutoffs(text: str | None) -> list[float] | None:
    if text is None:
        return None
    from planner.curves import parse_list

    try:
        values = parse_list(text)
    except ValueError as err:
        raise ScenarioError([Problem("--cutoffs", str(err))]) from None
    from planner.biomarker_io import MAX_CUTOFFS

    if len(values) > MAX_CUTOFFS:
        raise ScenarioError([Problem("--cutoffs", f"at most {MAX_CUTOFFS} cutoffs, got {len(values)}")])
    return values


def _csv(table: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    keys = list(table[0]) if table else []
    w.writerow(keys)
    for row in table:
        w.writerow(["" if row[k] is None else row[k] for k in keys])
    return buf.getvalue()


def text_table(table: list[dict], endpoint: str, marker: str) -> str:
    """One block per cutoff: prevalence, the two sides' effects and each design's numbers."""
    from planner.cutoff import format_value, table_headers

    heads = table_headers(endpoint)
    lines = [f"Cutoff explorer: {marker} (B+ = marker ≥ cutoff)"]
    for row in table:
        lines.append("")
        for key, value in row.items():
            lines.append(f"  {heads[key]:<58} {format_value(key, value)}")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    from planner.cutoff import explore, table_rows
    from planner.scenario_io import load_scenario

    cutoffs = _cutoffs(args.cutoffs)
    scenario = load_scenario(args.scenario)
    if scenario.biomarker is None:
        raise ScenarioError([Problem("biomarker", "is required for the cutoff explorer (see docs/cutoff-explorer.md)")])
    try:
        rows = explore(scenario, cutoffs)
    except ValueError as err:  # a cutoff outside the marker's range
        field = "--cutoffs" if cutoffs is not None else "biomarker.cutoffs"
        raise ScenarioError([Problem(field, str(err).split(": ", 1)[-1])]) from None
    table = table_rows(rows, scenario.endpoint)
    if args.plot or args.map_csv:
        from planner.cutoff import cutoff_map
        from planner.figures_cutoff import cutoff_map_csv, save_cutoff_map

        cmap = cutoff_map(scenario)
        if args.plot:
            save_cutoff_map(scenario, args.plot, cmap)
        if args.map_csv:
            from planner.files import atomic_write_text

            atomic_write_text(args.map_csv, cutoff_map_csv(cmap))
    if args.format == "json":
        out = {"biomarker": scenario.biomarker.name, "unit": scenario.biomarker.unit, "endpoint": scenario.endpoint,
               "cutoffs": [r.to_dict() for r in rows]}
        print(json.dumps(out, indent=2, ensure_ascii=False, allow_nan=False))
    elif args.format == "csv":
        print(_csv(table), end="")
    else:
        print(text_table(table, scenario.endpoint, scenario.biomarker.name), end="")
    return 0
