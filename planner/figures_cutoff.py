"""The design map over cutoffs (cutoff explorer, :mod:`planner.cutoff`): one drawing function for
the app, the report and the exports, plus its CSV.

Each design's total randomized N (or cost, when the scenario has costs) for the target power
against the cutoff (B+ = marker ≥ cutoff) on a log scale, the targeted design's screened patients
dashed (N view), the best design at each cutoff as a coloured strip along the bottom (grey: none
attainable) and the candidate cutoffs as dotted lines labelled with their prevalence. Labels come
from :data:`planner.catalogue.FIGURES` and :mod:`planner.catalogue.biomarker`, colours from
:func:`planner.catalogue.design_colour`. Matplotlib objects only: no pyplot state.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

import numpy as np

from .catalogue import FIGURE_WORDS, FIGURES, NEUTRAL_COLOUR, design_colour, design_label
from .catalogue.biomarker import CUTOFF_MAP_WORDS
from .figures import GRID_COLOUR, LABEL_SIZE, LINE_WIDTH, plain_log_axis

if TYPE_CHECKING:
    from .cutoff import Biomarker, CutoffMap

#: height of the best-design strip, as a fraction of the axes
STRIP = 0.045


def cutoff_map_title(criterion: str, power: float) -> str:
    basis = FIGURE_WORDS["map_cost" if criterion == "cost" else "map_n"]
    return f"{FIGURES['cutoff_map'].title}: {basis} for power {power:g}"


def _edges(x: np.ndarray) -> np.ndarray:
    mid = (x[1:] + x[:-1]) / 2
    return np.concatenate([[x[0]], mid, [x[-1]]])


def draw_cutoff_map(ax, cmap: CutoffMap, biomarker: Biomarker, power: float, currency: str = "") -> list:
    """Draw the design map over cutoffs on ``ax``; returns the legend's handles."""
    from matplotlib.patches import Patch

    spec = FIGURES["cutoff_map"]
    x = np.asarray(cmap.cutoffs, dtype=float)
    ax.set_yscale("log")
    plain_log_axis(ax.yaxis)
    handles = []
    for name in cmap.designs:
        colour = design_colour(name)
        (line,) = ax.plot(x, cmap.values[name], color=colour, lw=LINE_WIDTH, label=design_label(name))
        handles.append(line)
        if cmap.criterion == "n" and np.any(cmap.screened[name] > cmap.values[name] * (1 + 1e-9)):
            (dash,) = ax.plot(x, cmap.screened[name], color=colour, ls="--", lw=1.1,
                              label=f"{design_label(name)}: {FIGURE_WORDS['screened']}")
            handles.append(dash)
    edges = _edges(x)
    for i, b in enumerate(np.asarray(cmap.best)):
        colour = design_colour(cmap.designs[b]) if b >= 0 else NEUTRAL_COLOUR
        ax.axvspan(edges[i], edges[i + 1], ymin=0.0, ymax=STRIP, color=colour, lw=0)
    for c in biomarker.cutoffs:
        if x[0] <= c <= x[-1]:
            p = float(biomarker.distribution.prevalence(c))
            ax.axvline(c, color=NEUTRAL_COLOUR, ls=":", lw=1.1)
            ax.text(c, STRIP + 0.015, CUTOFF_MAP_WORDS["candidate"].format(c=c, p=p), rotation=90, ha="right",
                    va="bottom", fontsize=7, color="dimgray", transform=ax.get_xaxis_transform())
    handles.append(Patch(color=NEUTRAL_COLOUR, label=CUTOFF_MAP_WORDS["best"]))
    unit = f", {biomarker.unit}" if biomarker.unit else ""
    ax.set_xlim(x[0], x[-1])
    shown = np.concatenate([np.asarray(h.get_ydata(), dtype=float) for h in handles if hasattr(h, "get_ydata")])
    shown = shown[np.isfinite(shown) & (shown > 0)]
    if shown.size:  # room below the lowest curve for the strip
        ax.set_ylim(shown.min() / 2.0, shown.max() * 1.3)
    ax.set_xlabel(CUTOFF_MAP_WORDS["x_marker"].format(x=spec.x_label, marker=biomarker.name, unit=unit),
                  fontsize=LABEL_SIZE)
    ylabel = CUTOFF_MAP_WORDS["cost_axis"].format(currency=currency) if cmap.criterion == "cost" else spec.y_label
    ax.set_ylabel(ylabel, fontsize=LABEL_SIZE)
    ax.set_title(cutoff_map_title(cmap.criterion, power), fontsize=10)
    ax.grid(True, which="major", color=GRID_COLOUR, linewidth=0.6)
    ax.set_axisbelow(True)
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.tick_params(labelsize=8)
    return handles


def cutoff_map_csv(cmap: CutoffMap) -> str:
    """One row per cutoff: prevalence, each design's value (N or cost) and screened, the best design."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["cutoff", "prevalence", *(f"{d}.{cmap.criterion}" for d in cmap.designs),
                *(f"{d}.n_screened" for d in cmap.designs), "best"])
    for i, c in enumerate(cmap.cutoffs):
        vals = [cmap.values[d][i] for d in cmap.designs]
        scr = [cmap.screened[d][i] for d in cmap.designs]
        best = cmap.designs[cmap.best[i]] if cmap.best[i] >= 0 else ""
        w.writerow([float(c), float(cmap.prevalence[i]), *("" if not np.isfinite(v) else float(v) for v in vals),
                    *("" if not np.isfinite(v) else float(v) for v in scr), best])
    return buf.getvalue()


def cutoff_map_figure(scenario, cmap: CutoffMap | None = None, width: float = 7.0, height: float = 3.8):
    """A matplotlib Figure (Agg canvas) of the design map over cutoffs, for files and the report."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from .cutoff import cutoff_map

    cmap = cmap or cutoff_map(scenario)
    figure = Figure(figsize=(width, height), dpi=130)
    figure.subplots_adjust(left=0.1, right=0.97, bottom=0.14, top=0.9)
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    currency = scenario.costs.currency if scenario.costs else ""
    handles = draw_cutoff_map(ax, cmap, scenario.biomarker, scenario.testing.power, currency)
    ax.legend(handles=handles, fontsize=7, loc="upper center", frameon=True, framealpha=0.85)
    return figure


#: file formats of the saved figure, by extension
FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}


def save_cutoff_map(scenario, path: str, cmap: CutoffMap | None = None) -> None:
    """Write the design map over cutoffs to ``path`` (.png, .svg or .pdf) atomically."""
    import os

    from .files import atomic_write_bytes

    fmt = FORMATS.get(os.path.splitext(str(path))[1].lower())
    if fmt is None:
        raise ValueError(f"--plot: choose a .png, .svg or .pdf file, got {path}")
    buf = io.BytesIO()
    cutoff_map_figure(scenario, cmap).savefig(buf, format=fmt, dpi=130, metadata={"Software": None} if fmt == "png" else None)
    atomic_write_bytes(path, buf.getvalue())
