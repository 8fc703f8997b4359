"""The adaptive design's figures: boundaries, rejection and stopping per stage, the FWER table.

One drawing function per figure, used by the app's adaptive tab, the report and the exports.
Each draws on a matplotlib ``Axes`` from plain dictionaries: the design's plan
(:func:`boundary_plan`, or an adaptive result's ``to_dict()``, which holds the same keys
``endpoint``, ``planned``, ``critical_values``, ``futility_bounds``, ``combination``), a
result's per-stage arrays (``<key>_per_stage`` and ``_se``, see
:mod:`planner.adaptive.results`) and the FWER table (:meth:`planner.adaptive.fwer.FwerResult.to_dict`).
Titles, axis labels, legend words and colours come from :mod:`planner.catalogue`.

The efficacy bounds are the critical values of the combination test at each stage, as the
simulator uses them (:mod:`planner.adaptive.boundaries`: inverse normal, z scale;
:mod:`planner.adaptive.fisher`: Fisher's product Π p_k^w_k ≤ c_k, drawn on a log scale); the
futility bounds are the non-binding bounds of ``designs.adaptive.futility_bounds`` (z scale).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .catalogue import (
    ADAPTIVE_COLOURS,
    ADAPTIVE_FIGURE_WORDS,
    ADAPTIVE_FIGURES,
    FWER_NULLS,
    STAGE_ROWS,
)
from .figures import GRID_COLOUR, LABEL_SIZE, LINE_WIDTH, add_legend

Z_BAND = 1.96


def boundary_plan(model: Any) -> dict:
    """The plan a boundary figure needs, from a :class:`planner.adaptive.model.SimModel`."""
    return {"endpoint": model.endpoint, "planned": [float(x) for x in model.planned],
            "critical_values": [float(c) for c in model.critical],
            "futility_bounds": None if model.futility_bounds is None else [float(b) for b in model.futility_bounds],
            "combination": model.combination, "information_rates": [float(t) for t in model.information_rates]}


def _unit(endpoint: str) -> str:
    return "events" if endpoint == "survival" else "randomized patients"


def draw_adaptive_boundaries(ax, plan: Mapping) -> None:
    """Efficacy (and futility) bounds of the combination test against the cumulative size."""
    fisher = plan.get("combination") == "fisher"
    title, x_label, y_label = ADAPTIVE_FIGURES["boundaries_fisher" if fisher else "boundaries"]
    x = np.asarray(plan["planned"], dtype=float)
    crit = np.asarray(plan["critical_values"], dtype=float)
    ax.plot(x, crit, "o-", color=ADAPTIVE_COLOURS["efficacy"], lw=LINE_WIDTH, label=ADAPTIVE_FIGURE_WORDS["efficacy"])
    for xi, ci in zip(x, crit):
        ax.annotate(f"{ci:.3g}", (xi, ci), textcoords="offset points", xytext=(4, 4), fontsize=LABEL_SIZE - 1)
    fut = plan.get("futility_bounds")
    if fut and not fisher:
        xf = x[: len(fut)]
        ax.plot(xf, np.asarray(fut, dtype=float), "s--", color=ADAPTIVE_COLOURS["futility"], lw=LINE_WIDTH,
                label=ADAPTIVE_FIGURE_WORDS["futility"])
    if fisher:
        ax.set_yscale("log")
    ax.set_title(title, fontsize=LABEL_SIZE + 1)
    ax.set_xlabel(x_label.format(unit=_unit(str(plan.get("endpoint")))), fontsize=LABEL_SIZE)
    ax.set_ylabel(y_label, fontsize=LABEL_SIZE)
    ax.set_xticks(x)
    ax.set_xticklabels([f"{v:,.0f}" for v in x], fontsize=LABEL_SIZE - 1)
    ax.set_xlim(0.0, float(x.max()) * 1.08 if x.size else 1.0)
    ax.grid(True, color=GRID_COLOUR)
    add_legend(ax, outside=False)


def stage_series(result: Mapping) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per-stage probabilities and SEs of the stage figure (missing series are left out)."""
    out = {}
    for key in ("reject_subgroup", "reject_overall", "success", "futility"):
        values = result.get(f"{key}_per_stage")
        if values is None:
            continue
        se = result.get(f"{key}_per_stage_se") or [0.0] * len(values)
        out[key] = (np.asarray(values, dtype=float), np.asarray(se, dtype=float))
    return out


def draw_adaptive_stages(ax, result: Mapping) -> None:
    """Grouped bars: rejection of H_S and H_F, stop for success and futility, per stage (±1.96 SE)."""
    title, x_label, y_label = ADAPTIVE_FIGURES["stages"]
    series = stage_series(result)
    stages = int(result.get("stages") or max((len(v) for v, _ in series.values()), default=1))
    width = 0.8 / max(1, len(series))
    words = {"reject_subgroup": "reject_subgroup", "reject_overall": "reject_overall", "success": "success",
             "futility": "futility_stop"}
    for i, (key, (values, se)) in enumerate(series.items()):
        pos = np.arange(len(values)) + 1 + (i - (len(series) - 1) / 2) * width
        ax.bar(pos, values, width, yerr=Z_BAND * se, capsize=3, color=ADAPTIVE_COLOURS[words[key]],
               label=ADAPTIVE_FIGURE_WORDS[words[key]])
    ax.set_xticks(np.arange(stages) + 1)
    ax.set_xlim(0.4, stages + 0.6)
    ax.set_ylim(0.0, 1.0)
    ax.set_title(title, fontsize=LABEL_SIZE + 1)
    ax.set_xlabel(x_label, fontsize=LABEL_SIZE)
    ax.set_ylabel(y_label + " (±1.96 SE)", fontsize=LABEL_SIZE)
    ax.grid(True, axis="y", color=GRID_COLOUR)
    add_legend(ax, outside=True)


def stage_table(result: Mapping) -> list[tuple[str, list[float | None], list[float | None]]]:
    """Rows (words, values per stage, SEs per stage) of the per-stage table; stopping rows
    (defined for the interims only) are padded with None at the last stage."""
    stages = int(result.get("stages") or 0)
    rows = []
    for key, words in STAGE_ROWS.items():
        values = result.get(f"{key}_per_stage")
        if values is None:
            continue
        se = list(result.get(f"{key}_per_stage_se") or [None] * len(values))
        pad = max(0, stages - len(values))
        rows.append((words, [*map(float, values), *[None] * pad], [*se, *[None] * pad]))
    return rows


def fwer_maxima(fwer: Mapping) -> dict[str, list[dict]]:
    """Per null: at every prevalence the row with the largest error over δ (the curve drawn)."""
    out: dict[str, list[dict]] = {}
    for null in FWER_NULLS:
        rows = [r for r in fwer.get("rows", ()) if r["null"] == null]
        best: dict[float, dict] = {}
        for r in rows:
            q = float(r["prevalence"])
            if q not in best or r["fwer"] > best[q]["fwer"]:
                best[q] = r
        if best:
            out[null] = [best[q] for q in sorted(best)]
    return out


def draw_fwer(ax, fwer: Mapping) -> None:
    """Type I error of each null (maximum over δ) against the prevalence, with α and ±1.96 SE."""
    title, x_label, y_label = ADAPTIVE_FIGURES["fwer"]
    alpha = float(fwer.get("alpha") or 0.025)
    top = alpha
    for null, rows in fwer_maxima(fwer).items():
        q = np.array([r["prevalence"] for r in rows], dtype=float)
        p = np.array([r["fwer"] for r in rows], dtype=float)
        se = np.array([r["fwer_se"] for r in rows], dtype=float)
        colour = ADAPTIVE_COLOURS[null]
        ax.plot(q, p, "o-", color=colour, lw=LINE_WIDTH, label=FWER_NULLS[null].split(":")[0])
        ax.fill_between(q, p - Z_BAND * se, p + Z_BAND * se, color=colour, alpha=0.2, lw=0)
        top = max(top, float(np.max(p + Z_BAND * se)))
    ax.axhline(alpha, color=ADAPTIVE_COLOURS["alpha"], lw=1.0, ls="--", label=ADAPTIVE_FIGURE_WORDS["alpha"])
    ax.set_ylim(0.0, top * 1.25)
    ax.set_title(title, fontsize=LABEL_SIZE + 1)
    ax.set_xlabel(x_label, fontsize=LABEL_SIZE)
    ax.set_ylabel(y_label, fontsize=LABEL_SIZE)
    ax.grid(True, color=GRID_COLOUR)
    add_legend(ax, outside=True)


__all__ = ["boundary_plan", "draw_adaptive_boundaries", "draw_adaptive_stages", "draw_fwer", "fwer_maxima",
           "stage_series", "stage_table"]
