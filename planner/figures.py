"""One drawing function per figure, for the app, the report and the exports alike.

Figures: power against N, N against prevalence, power against the B− effect, the design map
and the distribution of power under uncertainty. Each is drawn on a matplotlib ``Axes`` from
data computed by :mod:`planner.curves` (or :mod:`planner.assurance`), in two steps so that the
app can redraw only the data over a saved image of the axes:

* ``<figure>_axes(ax, ...)`` — scales, limits, tick locators, labels, grid; idempotent (the
  same locator objects are kept while the scale is unchanged);
* ``<figure>_data(ax, ...)`` — the curves, points and reference lines.

Grids, axis labels (:data:`planner.catalogue.FIGURES`) and colours
(:func:`planner.catalogue.design_colour`) come from one place, so the screen, the report and
the CSV exports show the same curves. Matplotlib objects only: no pyplot state, no GUI backend.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from .catalogue import (
    EFFECTS,
    FIGURE_WORDS,
    FIGURES,
    FIXED_DESIGNS,
    NEUTRAL_COLOUR,
    cells_axis_words,
    design_colour,
    design_label,
)
from .results import DesignResult

if TYPE_CHECKING:  # planner.curves loads scipy: imported when the first curve is computed
    from .curves import Curve, DesignMap
    from .scenario import Scenario

#: points of the curves over prevalence and the B− effect, and of the design map's axes
CURVE_POINTS = 29
MAP_POINTS = 17
POWER_N_POINTS = 80
POWER_N_DECADES = 4  # widest x range of power vs N
PREVALENCE_RANGE = (0.02, 0.98)
MAP_PREVALENCE_RANGE = (0.05, 0.95)
LINE_WIDTH = 1.6
#: the thin lines of each population's claim (stratified design, several populations)
POPULATION_LINE_WIDTH = 0.9
GRID_COLOUR = "#dddddd"
LABEL_SIZE = 9


# --------------------------------------------------------------------------- grids
def nice_floor(v: float, steps: tuple[float, ...] = (1.0, 2.0, 5.0)) -> float:
    """The largest 1-2-5 number (…, 0.5, 1, 2, 5, 10, …) not above ``v`` > 0."""
    e = math.floor(math.log10(v))
    for k in (e + 1, e, e - 1):
        for m in sorted(steps, reverse=True):
            if m * 10.0 ** k <= v * (1 + 1e-12):
                return m * 10.0 ** k
    return 10.0 ** (e - 1)


def nice_ceil(v: float, steps: tuple[float, ...] = (1.0, 2.0, 5.0)) -> float:
    """The smallest 1-2-5 number not below ``v`` > 0."""
    e = math.floor(math.log10(v))
    for k in (e - 1, e, e + 1):
        for m in sorted(steps):
            if m * 10.0 ** k >= v * (1 - 1e-12):
                return m * 10.0 ** k
    return 10.0 ** (e + 2)


def power_n_range(sizes: Sequence[float]) -> tuple[float, float]:
    """x range of power vs N: 1-2-5 numbers around the designs' sizes, at most
    :data:`POWER_N_DECADES` wide (a design needing far more patients is off the right edge)."""
    lo = nice_floor(max(4.0, min(sizes) / 4))
    return lo, min(nice_ceil(max(sizes) * 2.5), lo * 10.0 ** POWER_N_DECADES)


def power_n_need(sizes: Sequence[float]) -> tuple[float, float]:
    """The part of the x range of power vs N that must stay visible (see :func:`power_n_range`)."""
    lo = nice_floor(max(4.0, min(sizes) / 4))
    return max(4.0, min(sizes) / 3), min(max(sizes) * 2, lo * 10.0 ** POWER_N_DECADES)


def power_n_grid(lo: float, hi: float, points: int = POWER_N_POINTS) -> np.ndarray:
    """Total N from ``lo`` to ``hi`` (log spaced); :func:`planner.curves.power_vs_n` adds each
    design's own size."""
    return np.geomspace(lo, hi, points)


def prevalence_grid(points: int = CURVE_POINTS) -> np.ndarray:
    """Prevalences of the N-vs-prevalence curves (the scenario's own is the table's number)."""
    return np.linspace(*PREVALENCE_RANGE, points)


def map_prevalence_grid(points: int = MAP_POINTS) -> np.ndarray:
    return np.linspace(*MAP_PREVALENCE_RANGE, points)


def negative_effect(scenario: Scenario) -> float:
    """The scenario's B− effect on the natural scale (mean difference, risk difference, HR)."""
    neg = scenario.negative
    if scenario.endpoint == "survival":
        return float(neg.hazard_ratio)
    if scenario.endpoint == "binary":
        return float(neg.treatment_rate - neg.control_rate)
    return float(neg.mean_difference)


def negative_effect_range(s: Scenario, points: int = CURVE_POINTS, include_current: bool = False) -> np.ndarray:
    """B− effects on the natural scale around the scenario's (``include_current``: with it).

    The range is fixed per endpoint (survival: 0.4–1.6, halved / doubled only when the assumed
    B− hazard ratio leaves it; otherwise a span rounded up to 1-2-5), so that typical edits keep
    the axes (the app then redraws only the data)."""
    cur = negative_effect(s)
    if s.endpoint == "survival":
        lo, hi = 0.4, 1.6
        while lo > cur * 0.8 and lo > 1e-6:
            lo /= 2
        while hi < cur * 1.2 and hi < 1e6:
            hi *= 2
        grid = np.geomspace(lo, hi, points)
    elif s.endpoint == "continuous":
        span = nice_ceil(max(abs(s.positive.mean_difference), abs(cur), 1e-6))
        grid = np.linspace(min(-span, cur), max(1.5 * span, cur), points)
    else:
        c = s.negative.control_rate
        span = nice_ceil(max(abs(s.positive.treatment_rate - s.positive.control_rate), abs(cur), 0.01))
        grid = np.linspace(max(-c + 0.005, min(-span, cur)), min(1 - c - 0.005, max(1.5 * span, cur)), points)
    if include_current and not np.any(grid == cur):
        grid = np.sort(np.append(grid, cur))
    return grid


def decade_range(values: np.ndarray) -> tuple[float, float] | None:
    """Whole decades around the finite positive ``values`` (None: none)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    if not v.size:
        return None
    return 10.0 ** math.floor(math.log10(v.min())), 10.0 ** math.ceil(math.log10(v.max()))


# --------------------------------------------------------------------------- data
def _feasible(results: Mapping) -> dict[str, DesignResult]:
    return {k: r for k, r in results.items()
            if k in FIXED_DESIGNS and isinstance(r, DesignResult) and r.feasible and r.n_randomized}


def power_vs_n_sizes(results: Mapping) -> dict[str, float]:
    """Each feasible fixed design's place on the N axis (:func:`planner.curves.design_x`)."""
    from . import curves

    return {name: curves.design_x(r) for name, r in _feasible(results).items()}


def power_vs_n_curves(scenario: Scenario, results: Mapping, grid: np.ndarray) -> dict[str, Curve]:
    """Power vs N of every fixed design of ``results`` on ``grid`` plus every design's size (one
    common x), each through its table power (:func:`planner.curves.power_vs_n`)."""
    from . import curves

    sizes = power_vs_n_sizes(results)
    x = np.unique(np.concatenate([np.asarray(grid, dtype=float), list(sizes.values())]))
    return {name: curves.power_vs_n(scenario, name, x, r if name in sizes else None)
            for name, r in results.items() if name in FIXED_DESIGNS and isinstance(r, DesignResult)}


def with_table_point(curve: Curve, prevalence: float, result: DesignResult | None) -> Curve:
    """An N-vs-prevalence curve with the table's own N at the scenario's prevalence (a
    sample-size result; else the curve unchanged)."""
    if (not isinstance(result, DesignResult) or result.question != "sample_size" or not result.feasible
            or not result.n_randomized or np.any(curve.x == prevalence)):
        return curve
    i = int(np.searchsorted(curve.x, prevalence))
    point = {"n_randomized": float(result.n_randomized), "n_screened": float(result.n_screened or 0)}
    y = {k: np.insert(np.asarray(v, dtype=float), i, point[k]) for k, v in curve.y.items()}
    return replace(curve, x=np.insert(curve.x, i, prevalence), y=y)


def n_vs_prevalence_curves(scenario: Scenario, results: Mapping, grid: np.ndarray,
                           solved: Mapping[str, Curve] | None = None) -> dict[str, Curve]:
    """N vs prevalence of every fixed design of ``results`` (``solved``: curves already computed
    on ``grid``), with the table's N at the scenario's prevalence (:func:`with_table_point`)."""
    from . import curves

    out = {}
    for name, r in results.items():
        if name not in FIXED_DESIGNS or not isinstance(r, DesignResult):
            continue
        curve = (solved or {}).get(name) or curves.n_vs_prevalence(scenario, name, grid)
        out[name] = with_table_point(curve, scenario.population.prevalence, r)
    return out


def power_vs_negative_effect_curves(scenario: Scenario, results: Mapping, grid: np.ndarray) -> dict[str, Curve]:
    """Power over the B− effect of every feasible fixed design at its size (the table's)."""
    from . import curves

    return {name: curves.power_vs_negative_effect(scenario, name, grid, result=r)
            for name, r in _feasible(results).items()}


def map_criterion(scenario: Scenario) -> str:
    """The report's design map: lowest cost when the scenario has costs, else fewest randomized."""
    c = scenario.costs
    return "cost" if c is not None and (c.per_screened > 0 or c.per_randomized > 0) else "n"


def map_designs(results: Mapping | None = None) -> tuple[str, ...]:
    """Designs compared on the map: the fixed designs but the interaction test (not an efficacy design)."""
    names = [d for d in (results or FIXED_DESIGNS) if d in FIXED_DESIGNS and d != "interaction"]
    return tuple(names)


# --------------------------------------------------------------------------- axes helpers
def compact(v: float) -> str:
    """Tick text: 0.5, 100, 2k, 100k, 1.5M."""
    if v >= 1e6:
        return f"{v / 1e6:g}M"
    if v >= 1e3:
        return f"{v / 1e3:g}k"
    return f"{v:g}"


#: tick multiples of a log axis of N (1-2-5) and of hazard ratios (0.4, 0.6, 0.8, 1, 1.5)
N_SUBS = (1.0, 2.0, 5.0)
HR_SUBS = (1.0, 1.5, 2.0, 4.0, 6.0, 8.0)


def plain_log_axis(axis, subs: tuple[float, ...] = N_SUBS) -> None:
    """Log scale with plain tick labels (100, 2k, 0.5) instead of powers of ten.

    Installed once per axis and scale: the same locator and formatters are kept while they are
    in place, so a redraw that changes only the data reuses the rendered axes."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    mine = getattr(axis, "_plain_log", None)
    if (mine is not None and mine[0] == subs and axis.get_major_locator() is mine[1]
            and axis.get_major_formatter() is mine[2] and axis.get_minor_formatter() is mine[3]):
        return
    mine = (subs, LogLocator(base=10, subs=subs), FuncFormatter(lambda v, _pos: compact(v)), NullFormatter())
    axis.set_major_locator(mine[1])
    axis.set_major_formatter(mine[2])
    axis.set_minor_formatter(mine[3])
    axis._plain_log = mine


def _scale(ax, x: str, y: str) -> None:
    if ax.get_xscale() != x:
        ax.set_xscale(x)
    if ax.get_yscale() != y:
        ax.set_yscale(y)


def _frame(ax, spec: str, endpoint: str, title: str | None) -> None:
    """Axis labels of figure ``spec``, grid and spines; the title when given."""
    fig = FIGURES[spec]
    ax.set_xlabel(fig.x(endpoint), fontsize=LABEL_SIZE)
    ax.set_ylabel(fig.y(endpoint), fontsize=LABEL_SIZE)
    ax.grid(True, which="major", color=GRID_COLOUR, linewidth=0.6)
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.tick_params(labelsize=8)
    if title is not None:
        ax.set_title(title, fontsize=10)


def figure_title(scenario: Scenario, spec: str) -> str:
    """The title of figure ``spec`` for ``scenario``: the catalogue's, except that in the cells form
    the curve over the B− effect names where the effect varies (catalogue ``cells_axis_words``)."""
    if spec == "power_vs_negative_effect" and scenario.has_cells and scenario.population.populations:
        return cells_axis_words(scenario.endpoint, scenario.population.populations[0].name,
                                getattr(scenario, "effect_of", None))["effect_title"]
    return FIGURES[spec].title


def population_axis_labels(ax, scenario: Scenario, spec: str) -> None:
    """The axis labels of figure ``spec`` for ``scenario``: in the cells form the prevalence and
    effect axes name the first population they vary (catalogue ``cells_axis_words``); else the
    figure's own words (as :func:`_frame`)."""
    fig = FIGURES[spec]
    x, y = fig.x(scenario.endpoint), fig.y(scenario.endpoint)
    if scenario.has_cells and scenario.population.populations:
        words = cells_axis_words(scenario.endpoint, scenario.population.populations[0].name,
                                 getattr(scenario, "effect_of", None) if spec != "n_vs_prevalence" else None)
        x = words["prevalence"] if spec in ("n_vs_prevalence", "design_map") else words["effect"] \
            if spec == "power_vs_negative_effect" else x
        y = words["effect"] if spec == "design_map" else y
    if ax.get_title() == fig.title:   # "B−" is the two-subgroup form's word
        ax.set_title(figure_title(scenario, spec), fontsize=10)
    ax.set_xlabel(x, fontsize=LABEL_SIZE)
    ax.set_ylabel(y, fontsize=LABEL_SIZE)


def add_legend(ax, handles: list | None = None, outside: bool = False):
    """The figure's legend (the map passes its patches; ``outside``: right of the axes)."""
    kw = {"fontsize": 7, "framealpha": 0.85}
    if outside:
        kw.update(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    if handles:
        return ax.legend(handles=handles, **kw)
    if ax.get_legend_handles_labels()[0]:
        return ax.legend(**kw)
    return None


def _target_line(ax, power: float) -> None:
    ax.axhline(power, color=NEUTRAL_COLOUR, ls="--", lw=0.9, label=f"{FIGURE_WORDS['target']} {power:g}")


def _assumed_line(ax, value: float, vertical: bool = True) -> None:
    ax.axvline(value, color=NEUTRAL_COLOUR, ls=":", lw=1.2, label=f"{FIGURE_WORDS['assumed']} {value:.3g}")


# --------------------------------------------------------------------------- power vs N
def power_vs_n_axes(ax, endpoint: str, xlim: tuple[float, float], title: str | None = None) -> None:
    _scale(ax, "log", "linear")
    plain_log_axis(ax.xaxis)
    ax.set_xlim(*xlim)
    ax.set_ylim(0, 1.02)
    _frame(ax, "power_vs_n", endpoint, title)


def power_vs_n_data(ax, scenario: Scenario, curves: Mapping[str, Curve], points: Mapping[str, float],
                    n_given: float | None = None) -> None:
    """One line per design; a dot at each design's size ``points[name]`` (x of
    :func:`planner.curves.design_x`, on its curve); the target power; a given N."""
    for name, curve in curves.items():
        colour = design_colour(name)
        ax.plot(curve.x, curve.y["power"], color=colour, lw=LINE_WIDTH, label=design_label(name))
        x = points.get(name)
        if x is not None:
            ax.plot([x], curve.y["power"][curve.x == x][:1], "o", color=colour, ms=4.5)
        population_claim_lines(ax, curve, colour)
    _target_line(ax, scenario.testing.power)
    if n_given:
        ax.axvline(n_given, color=NEUTRAL_COLOUR, ls="-.", lw=1.0, label=f"N = {n_given:,}")


def population_claim_lines(ax, curve: Curve, colour: str) -> None:
    """Several populations (the cells form): the power of each population's claim in the
    stratified design, thin lines in its colour, each named on the line at its own height
    (left out of the legend: the name is on the line)."""
    from .designs.multipop import PREFIX  # noqa: PLC0415

    keys = [k for k in curve.y if k.startswith(PREFIX)]
    for j, key in enumerate(keys):
        y = np.asarray(curve.y[key], dtype=float)
        if not np.isfinite(y).any():
            continue
        name = key[len(PREFIX):]
        ax.plot(curve.x, y, color=colour, lw=POPULATION_LINE_WIDTH, alpha=0.8, label=f"_{name}")
        level = 0.3 + 0.45 * j / max(len(keys) - 1, 1)  # names at different heights: they do not overlap
        i = int(np.nanargmin(np.abs(y - level)))
        ax.annotate(name, (curve.x[i], y[i]), xytext=(4, 0), textcoords="offset points", fontsize=7,
                    color=colour, ha="left", va="center")


# --------------------------------------------------------------------------- N vs prevalence
def n_vs_prevalence_axes(ax, endpoint: str, ylim: tuple[float, float] | None, title: str | None = None) -> None:
    _scale(ax, "linear", "log")
    plain_log_axis(ax.yaxis, (1.0,))
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_xlim(0, 1)
    _frame(ax, "n_vs_prevalence", endpoint, title)


def n_vs_prevalence_data(ax, scenario: Scenario, curves: Mapping[str, Curve]) -> None:
    """Required N per design (the table's integer N); targeted: patients screened (dashed);
    the scenario's prevalence (dotted)."""
    for name, curve in curves.items():
        colour = design_colour(name)
        ax.plot(curve.x, curve.y["n_randomized"], color=colour, lw=LINE_WIDTH, label=design_label(name))
        if "n_screened" in curve.y:
            ax.plot(curve.x, curve.y["n_screened"], color=colour, ls="--", lw=1.1,
                    label=f"{design_label(name)}: {FIGURE_WORDS['screened']}")
    _assumed_line(ax, scenario.population.prevalence)
    population_axis_labels(ax, scenario, "n_vs_prevalence")


# --------------------------------------------------------------------------- power vs B− effect
def power_vs_negative_effect_axes(ax, endpoint: str, grid: np.ndarray, title: str | None = None) -> None:
    log = EFFECTS[endpoint].log_scale
    _scale(ax, "log" if log else "linear", "linear")
    if log:
        plain_log_axis(ax.xaxis, HR_SUBS)
    ax.set_xlim(grid[0], grid[-1])
    ax.set_ylim(0, 1.02)
    _frame(ax, "power_vs_negative_effect", endpoint, title)


def power_vs_negative_effect_data(ax, scenario: Scenario, curves: Mapping[str, Curve]) -> None:
    """Power of each design at its size over the B− effect; the assumed effect and the target."""
    current = negative_effect(scenario)
    for name, curve in curves.items():
        colour = design_colour(name)
        ax.plot(curve.x, curve.y["power"], color=colour, lw=LINE_WIDTH, label=design_label(name))
        at = curve.x == current
        if at.any():
            ax.plot([current], curve.y["power"][at][:1], "o", color=colour, ms=4.5)
    _assumed_line(ax, current)
    _target_line(ax, scenario.testing.power)
    population_axis_labels(ax, scenario, "power_vs_negative_effect")


# --------------------------------------------------------------------------- design map
def design_map_axes(ax, endpoint: str, prevalence: np.ndarray, effects: np.ndarray,
                    title: str | None = None) -> None:
    log = EFFECTS[endpoint].log_scale
    _scale(ax, "linear", "log" if log else "linear")
    if log:
        plain_log_axis(ax.yaxis, HR_SUBS)
    half = (MAP_PREVALENCE_RANGE[1] - MAP_PREVALENCE_RANGE[0]) / (2 * (MAP_POINTS - 1))
    ax.set_xlim(MAP_PREVALENCE_RANGE[0] - half, MAP_PREVALENCE_RANGE[1] + half)  # whatever the grid drawn
    ax.set_ylim(effects[0], effects[-1])
    _frame(ax, "design_map", endpoint, title)
    ax.grid(False)


def design_map_title(criterion: str, power: float) -> str:
    basis = FIGURE_WORDS["map_cost" if criterion == "cost" else "map_n"]
    return f"{FIGURES['design_map'].title}: {basis} for power {power:g}"


def design_map_data(ax, scenario: Scenario, dm: DesignMap) -> list:
    """The best design in each cell (grey: none attainable) and the scenario (star); returns
    the legend's handles."""
    from matplotlib.colors import ListedColormap
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    colours = [design_colour(d) for d in dm.designs]
    cmap = ListedColormap([NEUTRAL_COLOUR, *colours])
    ax.pcolormesh(dm.prevalence, dm.negative_effect, dm.best.T + 1, cmap=cmap, vmin=0, vmax=len(colours),
                  shading="nearest")
    ax.plot([scenario.population.prevalence], [negative_effect(scenario)], marker="*", color="white",
            markeredgecolor="black", ms=12, ls="none")
    population_axis_labels(ax, scenario, "design_map")
    present = sorted({int(b) for b in np.asarray(dm.best).reshape(-1)})
    handles = [Patch(color=colours[i], label=design_label(dm.designs[i])) for i in present if i >= 0]
    if -1 in present:
        handles.append(Patch(color=NEUTRAL_COLOUR, label=FIGURE_WORDS["none"]))
    handles.append(Line2D([], [], marker="*", color="white", markeredgecolor="black", ls="none",
                          label=FIGURE_WORDS["scenario"]))
    return handles


# --------------------------------------------------------------------------- power distribution
#: Bins of the power distribution drawn per design (on [0, 1]).
POWER_BINS = 40


def with_draws(assurance: Mapping) -> dict:
    """The designs of ``assurance`` (design → AssuranceResult) that have power draws."""
    return {
        name: a for name, a in assurance.items()
        if a.assurance is not None and a.power_draws is not None and np.size(a.power_draws)
    }


def draw_power_distribution(ax, assurance: Mapping, bins: int = POWER_BINS) -> bool:
    """Draw, on the matplotlib axes ``ax``, the distribution of power over the prior draws for
    each design of ``assurance`` (design → :class:`planner.assurance.AssuranceResult`), one row
    per design: a symmetric histogram ("bean") of the power draws, the 5–95% (thin) and
    25–75% (thick) quantile ranges, the median (white dot), the assurance (diamond) and the
    power threshold (dashed). Returns False when no design has draws (nothing drawn)."""
    shown = with_draws(assurance)
    if not shown:
        return False
    threshold = next(iter(shown.values())).power_threshold
    names = list(shown)[::-1]  # first design at the top
    edges = np.linspace(0.0, 1.0, bins + 1)
    centers = 0.5 * (edges[:-1] + edges[1:])
    labels = []
    for pos, name in enumerate(names):
        a = shown[name]
        colour = design_colour(name)
        draws = np.clip(np.asarray(a.power_draws, dtype=float), 0.0, 1.0)
        counts, _ = np.histogram(draws, bins=edges)
        half = 0.42 * counts / max(int(counts.max()), 1)
        x = np.concatenate([[0.0], centers, [1.0]])
        h = np.concatenate([[half[0]], half, [half[-1]]])
        ax.fill_between(x, pos - h, pos + h, step="mid", color=colour, alpha=0.35, linewidth=0)
        q = np.quantile(draws, [0.05, 0.25, 0.5, 0.75, 0.95])
        ax.plot([q[0], q[4]], [pos, pos], color=colour, linewidth=1.0, solid_capstyle="butt")
        ax.plot([q[1], q[3]], [pos, pos], color=colour, linewidth=4.0, solid_capstyle="butt")
        ax.plot([q[2]], [pos], "o", markersize=3.5, markerfacecolor="white", markeredgecolor=colour)
        ax.plot([a.assurance], [pos], "D", markersize=6, color=colour, markeredgecolor="black",
                markeredgewidth=0.6)
        labels.append(
            f"{design_label(name)}\nA {a.assurance:.3f} ± {a.assurance_se:.3f} · "
            f"P(>{threshold:.0%}) {a.prob_power_above:.2f}"
        )
    ax.axvline(threshold, color=NEUTRAL_COLOUR, linestyle="--", linewidth=0.8)
    ax.set_yticks(range(len(names)))
    ax.set_yticklabels(labels, fontsize=7)
    ax.set_ylim(-0.6, len(names) - 0.4)
    ax.set_xlim(0.0, 1.0)
    first = next(iter(shown.values()))
    fig = FIGURES["power_distribution"]
    ax.set_xlabel(f"{fig.x_label}, {first.draws:,} prior draws (◆ assurance, ○ median)", fontsize=8)
    ax.set_title(fig.title, fontsize=10)
    ax.grid(True, axis="x", color=GRID_COLOUR, linewidth=0.6)
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.tick_params(labelsize=8)
    return True


# --------------------------------------------------------------------------- sensitivity grid
#: cells up to which each cell's number is written on the heat map
HEATMAP_LABELLED_CELLS = 150


def draw_sensitivity_heatmap(ax, values: np.ndarray, row_values: Sequence[float], col_values: Sequence[float],
                             row_label: str, col_label: str, output_label: str, integer: bool = False):
    """Draw, on the matplotlib axes ``ax``, a sensitivity grid as a heat map: one cell per
    (row input, column input) pair coloured by the output (``values``, rows × columns; NaN
    cells — invalid or not attainable — blank), with the number written in each cell of a small
    grid. A one-input grid (one column) is a single column. Returns the image (for a colour bar)."""
    v = np.asarray(values, dtype=float)
    masked = np.ma.masked_invalid(v)
    image = ax.imshow(masked, aspect="auto", origin="lower", cmap="viridis", interpolation="nearest")
    ax.set_yticks(range(len(row_values)))
    ax.set_yticklabels([f"{r:g}" for r in row_values], fontsize=7)
    cols = list(col_values) or [None]
    ax.set_xticks(range(len(cols)))
    ax.set_xticklabels(["" if c is None else f"{c:g}" for c in cols], fontsize=7)
    ax.set_xlabel(col_label, fontsize=LABEL_SIZE)
    ax.set_ylabel(row_label, fontsize=LABEL_SIZE)
    ax.set_title(output_label, fontsize=10)
    if v.size <= HEATMAP_LABELLED_CELLS:
        finite = v[np.isfinite(v)]
        middle = 0.5 * (finite.min() + finite.max()) if finite.size else 0.0
        for i in range(v.shape[0]):
            for j in range(v.shape[1]):
                if np.isfinite(v[i, j]):
                    text = f"{v[i, j]:,.0f}" if integer else f"{v[i, j]:.3f}"
                    ax.text(j, i, text, ha="center", va="center", fontsize=7,
                            color="black" if v[i, j] > middle else "white")
    return image
