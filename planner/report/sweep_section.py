"""The report's operating-characteristic section: the sweep and the type I error over the nulls.

Shown when the user kept the results in the scenario file (``designs.adaptive.results``,
:mod:`planner.kept_results`) for the current inputs, or when the app passes the results it just
computed for them. Kept results for other inputs are not reported (a note says so). The
figures are drawn by the functions the app uses (:func:`planner.figures_sweep.draw_sweep_figure`,
:func:`planner.figures_adaptive.draw_fwer`). Every number carries its Monte Carlo SE.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..catalogue import (
    ADAPTIVE_FIGURES,
    FWER_NULLS,
    KEPT_RESULTS,
    SWEEP_FIGURES,
    design_label,
)
from ..figures_sweep import sweep_axis as field_axis  # cells-form paths too
from ..kept_results import inputs_digest
from ..scenario import Scenario
from .figures import _figure, _png
from .markup import Markup, img, join, row, table, tag, td

#: the sweep's columns in the report's table (each with its SE)
REPORT_COLUMNS = ("power", "reject_subgroup", "reject_overall", "expected_subjects", "expected_events")
_HEADS = {"power": "power (success claim)", "reject_subgroup": "reject H_S", "reject_overall": "reject H_F",
          "select_subgroup_only": "S only at interim", "early_stop_efficacy": "early stop (efficacy)",
          "expected_subjects": "E[subjects]", "expected_events": "E[events]"}


def kept_results(scenario: Scenario) -> tuple[dict[str, dict], list[str]]:
    """The kept results of the current inputs (kind → result) and notes on those left out."""
    opts = scenario.designs.get("adaptive")
    kept = getattr(opts, "results", None) or {}
    if not kept:
        return {}, []
    digest = inputs_digest(scenario)
    fresh, notes = {}, []
    for kind, entry in kept.items():
        if entry.get("inputs") == digest and isinstance(entry.get("result"), dict):
            fresh[kind] = entry["result"]
        else:
            notes.append(f"The scenario file keeps {KEPT_RESULTS.get(kind, kind)} for other inputs than the current "
                         "ones: it is not reported (run it again in the app and keep it).")
    return fresh, notes


def _pm(value: Any, se: Any, fmt: str) -> str:
    if value is None:
        return "—"
    return fmt.format(value) + ("" if se is None else " ± " + fmt.format(se))


def _sweep_png(sweep: Mapping, name: str) -> bytes:
    from ..figures_sweep import draw_sweep_figure

    figure = _figure(width=7.6, height=3.4, right=0.6)
    draw_sweep_figure(figure.add_subplot(), sweep, name)
    return _png(figure)


def sweep_block(sweep: Mapping, images: dict[str, bytes] | None) -> Markup:
    """The sweep's table (every grid point, ± Monte Carlo SE) and its power and size figures."""
    varied = list(sweep.get("varied") or [])
    rows_in = list(sweep.get("rows") or [])
    if not varied or not rows_in:
        return Markup("")
    cols = [c for c in REPORT_COLUMNS if any(r.get(c) is not None for r in rows_in)]
    fixed = list(sweep.get("fixed_designs") or {})
    heads = [field_axis(p) for p in varied] + [_HEADS[c] for c in cols] + [f"{design_label(d)}: power" for d in fixed]
    rows = []
    for r in rows_in:
        cells = [td(f"{r.get(p, 0):g}", p) for p in varied]
        for c in cols:
            cells.append(td(_pm(r.get(c), r.get(f"{c}_se"), "{:,.1f}" if c.startswith("expected") else "{:.3f}"), c))
        cells += [td("—" if r.get(f"power_{d}") is None else f"{r[f'power_{d}']:.3f}", f"power_{d}") for d in fixed]
        rows.append(row(cells))
    caption = (f"Operating characteristics of the {design_label('adaptive').lower()} design over "
               + ", ".join(field_axis(p, unit=False) for p in varied)
               + f": {sweep.get('simulations', 0):,} simulated trials per grid point, seed {sweep.get('seed')}, "
               "common random numbers (the same seed at every point, so neighbouring points share their Monte Carlo "
               "error and the curves are smooth); ± is one Monte Carlo SE. The fixed designs' power is analytic, at "
               "the size planned for the scenario.")
    if sweep.get("incomplete"):
        caption += " The sweep was cancelled: the table holds the points finished before."
    widths = [2.2] * len(varied) + [1.6] * len(cols) + [1.0] * len(fixed)
    out = tag("p", caption) + table(heads, rows, num_cols=set(range(len(heads))), col_widths=widths)
    if images is not None:
        for name in ("power", "expected_size"):
            key = f"sweep-{name}.png"
            images[key] = _sweep_png(sweep, name)
            out += img(key, SWEEP_FIGURES[name][0].format(x=field_axis(varied[0], unit=False)))
    return out


def fwer_block(fwer: Mapping, images: dict[str, bytes] | None) -> Markup:
    """The maximum type I error of each null over the nuisance grid (± SE), and its figure."""
    maxima = fwer.get("maximum") or {}
    if not maxima:
        return Markup("")
    alpha = float(fwer.get("alpha") or 0.025)
    heads = ["null configuration", "maximum type I error", "Monte Carlo SE", "at P(test+)", "at effect δ",
             "≤ α + 3 SE"]
    rows = []
    for null, top in maxima.items():
        rows.append(row([td(FWER_NULLS.get(null, null), num=False), td(f"{top.get('fwer', 0):.4f}", "fwer"),
                         td(f"{top.get('fwer_se', 0):.4f}", "fwer_se"), td(f"{top.get('prevalence', 0):.3g}"),
                         td("—" if top.get("effect") is None else f"{top['effect']:.4g}"),
                         td("yes" if top.get("within_alpha_3se", True) else "NO", num=False)]))
    configs = len(fwer.get("rows") or [])
    caption = (f"Type I error of the closed test under the global null and each partial null, α = {alpha:g} "
               f"(one-sided): {configs} configurations of the prevalence and of the non-null effect δ, "
               f"{fwer.get('simulations', 0):,} simulated trials each, seed {fwer.get('seed')} (common random numbers); "
               "the table gives the maximum over the grid. Global null: P(reject H_S or H_F); H_S true only: "
               "P(reject H_S); H_F true only: P(reject H_F).")
    out = tag("p", caption) + table(heads, rows, num_from=1, num_cols={1, 2, 3, 4})
    if images is not None:
        from ..figures_adaptive import draw_fwer

        figure = _figure(height=3.2, right=0.62)
        draw_fwer(figure.add_subplot(), fwer)
        images["fwer.png"] = _png(figure)
        out += img("fwer.png", ADAPTIVE_FIGURES["fwer"][0])
    return out


def sweep_section(scenario: Scenario, images: dict[str, bytes] | None = None, *, sweep: Mapping | None = None,
                  fwer: Mapping | None = None) -> Markup:
    """The section (empty when there is nothing to report): the given results, else the kept ones."""
    kept, notes = kept_results(scenario)
    sweep = sweep if sweep is not None else kept.get("sweep")
    fwer = fwer if fwer is not None else kept.get("fwer")
    parts: list[Any] = []
    if sweep:
        parts += [tag("h3", "Operating characteristics over a grid of truths"), sweep_block(sweep, images)]
    if fwer:
        parts += [tag("h3", "Type I error under the nulls"), fwer_block(fwer, images)]
    parts += [tag("p", n, class_="note") for n in notes]
    return join(parts)


__all__ = ["fwer_block", "kept_results", "sweep_block", "sweep_section"]
