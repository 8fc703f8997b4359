"""Report figures as PNG bytes, drawn by :mod:`planner.figures` (the functions the app draws
its plots with) on the data of :mod:`planner.curves`: power against N, N against prevalence,
power against the B− effect, the design map and the distribution of power under uncertainty.
Matplotlib with the Agg canvas only (no GUI backend, no pyplot state)."""

from __future__ import annotations

import io

import numpy as np

from .. import figures as fig
from ..catalogue import FIGURES
from ..curves import DesignMap, design_map
from ..figures import draw_power_distribution
from ..results import DesignResult
from ..scenario import Scenario

__all__ = ["design_map_data", "design_map_png", "draw_power_distribution", "negative_effect_png", "power_curves_png",
           "power_distribution_csv", "power_distribution_png", "prevalence_curves_png", "prior_densities_png"]
DPI = 130


def _figure(width: float = 7.0, height: float = 3.6, right: float = 0.97):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=DPI)
    figure.subplots_adjust(left=0.09, right=right, bottom=0.14, top=0.91)
    FigureCanvasAgg(figure)
    return figure


def _png(figure) -> bytes:
    buf = io.BytesIO()
    figure.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def power_curves_figure(scenario: Scenario, results: dict[str, DesignResult]):
    """Power of each design against total randomized N (log scale), each design's size marked."""
    sizes = fig.power_vs_n_sizes(results)
    if not sizes:
        return None
    lo, hi = fig.power_n_range(list(sizes.values()))
    figure = _figure()
    ax = figure.add_subplot()
    fig.power_vs_n_axes(ax, scenario.endpoint, (lo, hi), FIGURES["power_vs_n"].title)
    fig.power_vs_n_data(ax, scenario, fig.power_vs_n_curves(scenario, results, fig.power_n_grid(lo, hi)), sizes)
    fig.add_legend(ax)
    return figure


def prevalence_curves_figure(scenario: Scenario, results: dict[str, DesignResult]):
    """Required total N against the true B+ prevalence; targeted screening dashed."""
    data = fig.n_vs_prevalence_curves(scenario, results, fig.prevalence_grid())
    ys = np.concatenate([np.asarray(v, dtype=float) for c in data.values() for v in c.y.values()] or [np.empty(0)])
    ylim = fig.decade_range(ys)
    if ylim is None:
        return None
    figure = _figure()
    ax = figure.add_subplot()
    fig.n_vs_prevalence_axes(ax, scenario.endpoint, ylim, FIGURES["n_vs_prevalence"].title)
    fig.n_vs_prevalence_data(ax, scenario, data)
    fig.add_legend(ax)
    return figure


def negative_effect_figure(scenario: Scenario, results: dict[str, DesignResult]):
    """Power of each design, at its size (survival: its events), against the B− effect."""
    grid = fig.negative_effect_range(scenario, include_current=True)
    data = fig.power_vs_negative_effect_curves(scenario, results, grid)
    if not data:
        return None
    figure = _figure()
    ax = figure.add_subplot()
    fig.power_vs_negative_effect_axes(ax, scenario.endpoint, grid, FIGURES["power_vs_negative_effect"].title)
    fig.power_vs_negative_effect_data(ax, scenario, data)
    fig.add_legend(ax)
    return figure


def design_map_data(scenario: Scenario, results: dict | None = None, points: int = fig.MAP_POINTS,
                    criterion: str | None = None) -> DesignMap:
    """The report's design map (the app's grid): lowest cost when the scenario has costs."""
    prev = fig.map_prevalence_grid(points)
    effects = fig.negative_effect_range(scenario, points)
    return design_map(scenario, prev, effects, criterion=criterion or fig.map_criterion(scenario),
                      designs=fig.map_designs(results))


def design_map_png(scenario: Scenario, results: dict | None = None,
                   points: int = fig.MAP_POINTS) -> tuple[bytes, str] | None:
    """Best design (fewest randomized, or lowest cost with costs) over prevalence × B− effect
    among the designs of ``results`` (default: every fixed design but the interaction test).

    Returns the PNG and the criterion used (``"n"`` or ``"cost"``), or ``None``.
    """
    dm = design_map_data(scenario, results, points)
    if not dm.designs:
        return None
    figure = _figure(7.0, 4.0, right=0.74)
    ax = figure.add_subplot()
    fig.design_map_axes(ax, scenario.endpoint, dm.prevalence, dm.negative_effect,
                        fig.design_map_title(dm.criterion, scenario.testing.power))
    handles = fig.design_map_data(ax, scenario, dm)
    fig.add_legend(ax, handles, outside=True)
    return _png(figure), dm.criterion


def power_curves_png(scenario: Scenario, results: dict[str, DesignResult]) -> bytes | None:
    figure = power_curves_figure(scenario, results)
    return None if figure is None else _png(figure)


def prevalence_curves_png(scenario: Scenario, results: dict[str, DesignResult]) -> bytes | None:
    figure = prevalence_curves_figure(scenario, results)
    return None if figure is None else _png(figure)


def negative_effect_png(scenario: Scenario, results: dict[str, DesignResult]) -> bytes | None:
    figure = negative_effect_figure(scenario, results)
    return None if figure is None else _png(figure)


# --------------------------------------------------------------------------- assurance
def power_distribution_png(assurance) -> bytes | None:
    """The power distribution per design (:func:`planner.figures.draw_power_distribution`) as PNG
    bytes, or None when no design has an assurance."""
    shown = fig.with_draws(assurance)
    if not shown:
        return None
    height = 1.1 + 0.62 * len(shown)
    figure = _figure(height=height)
    figure.subplots_adjust(left=0.34, right=0.97, bottom=0.5 / height, top=1 - 0.35 / height)
    fig.draw_power_distribution(figure.add_subplot(), shown)
    return _png(figure)


def prior_densities_png(scenario: Scenario) -> bytes | None:
    """The density of every uncertain input (:func:`planner.figures_prior.prior_panels`, drawn by
    :func:`planner.figures_prior.draw_prior` as in the app's prior editor), two panels a row, as
    PNG bytes; None without a drawable distribution."""
    from ..figures_prior import draw_prior, prior_panels

    panels = [p for p in prior_panels(scenario) if p["curve"] is not None]
    if not panels:
        return None
    cols = min(2, len(panels))
    rows = -(-len(panels) // cols)
    figure = _figure(height=2.6 * rows)
    for i, p in enumerate(panels):
        draw_prior(figure.add_subplot(rows, cols, i + 1), p["key"], p["curve"], p["x_label"], title=p["title"])
    figure.tight_layout()
    return _png(figure)


def power_distribution_csv(assurance, bins: int = 20) -> str:
    """Histogram of the power draws per design (share of draws per bin) as CSV text."""
    shown = fig.with_draws(assurance)
    edges = np.linspace(0.0, 1.0, bins + 1)
    lines = ["power_from,power_to," + ",".join(shown)]
    shares = {n: np.histogram(np.asarray(a.power_draws, dtype=float), bins=edges)[0] / np.size(a.power_draws)
              for n, a in shown.items()}
    for i in range(bins):
        lines.append(f"{edges[i]:g},{edges[i + 1]:g}," + ",".join(f"{shares[n][i]:.6g}" for n in shown))
    return "\n".join(lines) + "\n"


def boundaries_png(scenario: Scenario, result: DesignResult) -> bytes | None:
    """The boundary plot of one design with interim analyses (z and effect scale;
    :func:`planner.figures_interim.boundaries_draw`), or None without looks."""
    from ..figures_interim import boundaries_axes, boundaries_draw, has_boundaries

    if not has_boundaries(result):
        return None
    figure = _figure(height=3.2)
    figure.subplots_adjust(wspace=0.4, bottom=0.16)
    ax_z, ax_effect = boundaries_axes(figure)
    boundaries_draw(ax_z, ax_effect, scenario.endpoint, result)
    figure.suptitle(f"{FIGURES['boundaries'].title}: {result.label}", fontsize=10)
    return _png(figure)
