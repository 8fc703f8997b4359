"""Live plots: power vs N, required N vs prevalence, power vs B− effect, and the design map."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from planner.catalogue import design_colour, design_label
from planner.params import EFFECT_NAMES
from planner.results import Comparison
from planner.scenario import Scenario

from .plot_canvas import PlotCanvas

MAP_POINTS = 17
CURVE_POINTS = 29
#: while editing, the two costliest plots (required N vs prevalence, design map) are drawn on
#: every other point of their grids; the full grids follow once the edits pause
#: (``REFINE_DELAY_MS``) and are always used for exports and CSV
LIVE_MAP_POINTS = 9
LIVE_CURVE_POINTS = 15
REFINE_DELAY_MS = 300
POWER_N_DECADES = 4  # widest x range of power vs N


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


def negative_effect_range(s: Scenario, points: int = CURVE_POINTS) -> tuple[np.ndarray, float, str]:
    """Grid of B− effects on the natural scale around the current value; (grid, current, axis label).

    The range is fixed per endpoint (survival: 0.4–1.6, halved / doubled only when the assumed
    B− hazard ratio leaves it; otherwise a span rounded up to 1-2-5), so that typical edits keep
    the axes (the plots then redraw only their data)."""
    if s.endpoint == "survival":
        cur = s.negative.hazard_ratio
        lo, hi = 0.4, 1.6
        while lo > cur * 0.8 and lo > 1e-6:
            lo /= 2
        while hi < cur * 1.2 and hi < 1e6:
            hi *= 2
        return np.geomspace(lo, hi, points), cur, "B− hazard ratio"
    if s.endpoint == "continuous":
        cur, pos = s.negative.mean_difference, s.positive.mean_difference
        span = nice_ceil(max(abs(pos), abs(cur), 1e-6))
        return np.linspace(min(-span, cur), max(1.5 * span, cur), points), cur, "B− mean difference"
    c = s.negative.control_rate
    cur = s.negative.treatment_rate - c
    span = nice_ceil(max(abs(s.positive.treatment_rate - s.positive.control_rate), abs(cur), 0.01))
    lo, hi = max(-c + 0.005, min(-span, cur)), min(1 - c - 0.005, max(1.5 * span, cur))
    return np.linspace(lo, hi, points), cur, "B− risk difference"


def compact(v: float) -> str:
    """Tick text: 0.5, 100, 2k, 100k, 1.5M."""
    if v >= 1e6:
        return f"{v / 1e6:g}M"
    if v >= 1e3:
        return f"{v / 1e3:g}k"
    return f"{v:g}"


def plain_log_axis(axis, subs: tuple[float, ...] = (1.0, 2.0, 5.0)) -> None:
    """Log scale with plain tick labels (100, 1,000, 0.5) instead of powers of ten.

    Installed once per axis and scale: the same locator and formatters are kept while they are
    in place, so a redraw that changes only the data reuses the rendered axes (see
    ``PlotCanvas.blit``)."""
    mine = getattr(axis, "_plain_log", None)
    if (mine is not None and mine[0] == subs and axis.get_major_locator() is mine[1]
            and axis.get_major_formatter() is mine[2] and axis.get_minor_formatter() is mine[3]):
        return
    mine = (subs, LogLocator(base=10, subs=subs), FuncFormatter(lambda v, _pos: compact(v)), NullFormatter())
    axis.set_major_locator(mine[1])
    axis.set_major_formatter(mine[2])
    axis.set_minor_formatter(mine[3])
    axis._plain_log = mine


def map_csv(dm, endpoint: str, criterion: str) -> str:
    """The design map's cells as CSV: prevalence, B− effect, best design, each design's value."""
    rows = ["prevalence," + EFFECT_NAMES[endpoint].replace(" ", "_") + ",best," +
            ",".join(f"{d}_{criterion}" for d in dm.designs)]
    for i, g in enumerate(dm.prevalence):
        for j, e in enumerate(dm.negative_effect):
            b = int(dm.best[i, j])
            vals = ",".join("" if not math.isfinite(dm.values[d][i, j]) else f"{dm.values[d][i, j]:.6g}"
                            for d in dm.designs)
            rows.append(f"{g:.6g},{e:.6g},{dm.designs[b] if b >= 0 else ''},{vals}")
    return "\n".join(rows) + "\n"


class PlotsPanel(QWidget):
    """Four live plots in a grid; recomputed when shown if the inputs changed meanwhile."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.power_n = PlotCanvas("Power vs total N")
        self.n_prev = PlotCanvas("Required N vs prevalence")
        self.power_neg = PlotCanvas("Power vs B− effect")
        self.map = PlotCanvas("Design map")
        for canvas in self.canvases():
            canvas.blit = True  # only the data are drawn again while the axes stay the same
        self.criterion = QComboBox()
        self.criterion.addItem("fewest randomized patients", "n")
        self.criterion.addItem("lowest cost", "cost")
        self.criterion.setToolTip("What the design map minimizes")
        self.criterion.currentIndexChanged.connect(self._criterion_changed)
        grid = QGridLayout()
        grid.addWidget(self.power_n, 0, 0)
        grid.addWidget(self.n_prev, 0, 1)
        grid.addWidget(self.power_neg, 1, 0)
        grid.addWidget(self.map, 1, 1)
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(self.legend, 1)
        bar.addWidget(QLabel("Design map shows the design with"))
        bar.addWidget(self.criterion)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(grid, 1)
        layout.addLayout(bar)
        self.scenario: Scenario | None = None
        self.comparison: Comparison | None = None
        self.question = "sample_size"
        self.n_given: int | None = None
        self.dirty = False
        self.errors: list[str] = []
        self.cache: dict = {}
        self._ranges: dict[str, tuple[float, float]] = {}  # axis ranges kept while the data fit
        self.render_timer = QTimer(self)
        self.render_timer.setSingleShot(True)
        self.render_timer.setInterval(0)
        self.render_timer.timeout.connect(self.render)
        self.coarse: set[str] = set()  # plots drawn on their live (coarser) grid
        self._rendered = False
        self.refine_timer = QTimer(self)
        self.refine_timer.setSingleShot(True)
        self.refine_timer.setInterval(REFINE_DELAY_MS)
        self.refine_timer.timeout.connect(self.refine)
        for canvas in (self.n_prev, self.map):
            canvas.before_export = self.refine

    def canvases(self) -> list[PlotCanvas]:
        return [self.power_n, self.n_prev, self.power_neg, self.map]

    def set_inputs(self, scenario: Scenario, comparison: Comparison, question: str, n_given: int | None,
                   defer: bool = False) -> None:
        """New results; redrawn now if visible (``defer``: only remembered, e.g. while a slider is dragged)."""
        self.scenario, self.comparison, self.question, self.n_given = scenario, comparison, question, n_given
        self.dirty = True
        if self.isVisible() and not defer:
            self.render_timer.start()  # let the table paint first

    def set_stale(self, reason: str) -> None:
        """Say that the plots show the last valid inputs (the current ones are invalid)."""
        self.legend.setText(f'<span style="color:#8a5300">⚠ Plots show the last valid inputs — {reason}</span>')

    def showEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        if self.dirty:
            self.render()

    def _criterion_changed(self) -> None:
        if self.scenario is not None:
            self.dirty = True
            if self.isVisible():
                self.render()

    # ------------------------------------------------------------------ drawing
    def render(self) -> None:
        """Recompute every curve and redraw (each plot fails alone, with its reason shown)."""
        if self.scenario is None or self.comparison is None or not self.dirty:
            return
        self.dirty = False
        self.update_legend()
        self.errors = []
        self._cache_base = None
        self.coarse = set()
        live, self._rendered = self._rendered, True  # the first drawing is in full, edits are live
        self._draw_all(((self.power_n, self._draw_power_n), (self.n_prev, self._draw_n_prev),
                        (self.power_neg, self._draw_power_neg), (self.map, self._draw_map)), live=live)
        if self.coarse:
            self.refine_timer.start()

    def refine(self) -> None:
        """Draw the plots shown on their live grid again on their full grid."""
        self.refine_timer.stop()
        if not self.coarse or self.scenario is None or self.comparison is None:
            return
        draws = {"n_prev": (self.n_prev, self._draw_n_prev), "map": (self.map, self._draw_map)}
        todo = [draws[k] for k in sorted(self.coarse)]
        self.coarse = set()
        self._draw_all(todo, live=False)

    def _draw_all(self, draws, live: bool) -> None:
        for canvas, draw in draws:
            canvas.reset()
            try:
                with np.errstate(all="ignore"):
                    draw(canvas, live)
            except Exception as exc:  # a plot never brings the window down
                self.errors.append(f"{canvas.title}: {exc}")
                canvas.clear(f"cannot draw: {exc}")
            canvas.redraw()

    def _cache_key(self, key: tuple) -> tuple:
        """Curves that sweep the prevalence do not depend on the scenario's own prevalence: a
        prevalence edit (the slider) reuses them. Keyed by every other input."""
        from planner.scenario_io import scenario_to_dict

        if getattr(self, "_cache_base", None) is None or self._cache_base[0] is not self.scenario:
            base = scenario_to_dict(self.scenario)
            base["population"].pop("prevalence", None)
            base.pop("title", None), base.pop("notes", None), base.pop("provenance", None)
            self._cache_base = (self.scenario, json.dumps(base, sort_keys=True, default=str))
        return (self._cache_base[1], *key)

    def _cached(self, key: tuple, compute):
        full = self._cache_key(key)
        if full not in self.cache:
            if len(self.cache) > 64:
                self.cache.clear()
            self.cache[full] = compute()
        return self.cache[full]

    def _stable_range(self, key: str, need: tuple[float, float], new: tuple[float, float],
                      slack: float = 10.0) -> tuple[float, float]:
        """Log-axis limits: the previous ones while they contain ``need`` and are at most
        ``slack`` times wider than ``new``, widened to cover ``new`` as well when that keeps
        them so, else ``new`` (so edits mostly keep the axes and redraw only the data)."""
        prev = self._ranges.get(key)
        if prev is not None and prev[0] <= need[0] and prev[1] >= need[1]:
            out = prev
        elif prev is not None:
            out = (min(prev[0], new[0]), max(prev[1], new[1]))
        else:
            out = new
        if out[1] / out[0] > slack * new[1] / new[0]:
            out = new
        self._ranges[key] = out
        return out

    def update_legend(self) -> None:
        def nb(text: str) -> str:
            return text.replace(" ", "&nbsp;")

        items = [f'<span style="color:{design_colour(d)};font-size:13pt">■</span>&nbsp;'
                 f"{nb(design_label(d))}" for d in self._designs()]
        items.append(nb("<b>– –</b> target power / assumed value"))
        items.append(nb("● each design's N"))
        items.append(nb("★ this scenario (map)"))
        self.legend.setText(" &nbsp; ".join(items))

    def _designs(self) -> dict:
        return {k: r for k, r in self.comparison.designs.items() if k != "adaptive" and hasattr(r, "feasible")}

    def _map_names(self) -> tuple[str, ...] | None:
        return tuple(d for d in self._designs() if d != "interaction") or None

    def _live_sweep(self):
        """While editing, one solve per design over the live prevalence grid × (the map's live
        B− effects and the assumed one) serves both the required-N curves (last column) and the
        design map (the other columns). (prevalence grid, effects grid, DesignMap)."""
        from planner import curves

        s, names = self.scenario, self._map_names()
        effects, current, _ = negative_effect_range(s, LIVE_MAP_POINTS)
        grid = np.linspace(0.02, 0.98, LIVE_CURVE_POINTS)
        dm = self._cached(("live", names, tuple(effects), current),
                          lambda: curves.design_map(s, grid, np.append(effects, current), designs=names))
        return grid, effects, dm

    def _draw_power_n(self, canvas: PlotCanvas, live: bool = False) -> None:
        from planner import curves

        s, ax = self.scenario, canvas.ax
        results = self._designs()
        sizes = [r.n_randomized for r in results.values() if r.feasible and r.n_randomized]
        if self.n_given:
            sizes.append(self.n_given)
        if not sizes:
            canvas.clear("no design is attainable")
            return
        # on a 1-2-5 grid, kept while the sizes fit: edits keep the axes (data-only redraw); at
        # most POWER_N_DECADES wide (a design needing far more patients than the others, e.g.
        # near a null overall effect, is off the right edge: its N is in the table)
        lo = nice_floor(max(4.0, min(sizes) / 4))
        top = lo * 10.0 ** POWER_N_DECADES
        lo, hi = self._stable_range("power_n", (max(4.0, min(sizes) / 3), min(max(sizes) * 2, top)),
                                    (lo, min(nice_ceil(max(sizes) * 2.5), top)), slack=100.0)
        grid = np.geomspace(lo, hi, 80)
        texts = []
        for name, r in results.items():
            curve = curves.power_vs_n(s, name, grid)
            color = design_colour(name)
            ax.plot(grid, curve.y["power"], color=color, label=design_label(name), lw=1.6)
            texts.append((name, curve))
            if r.feasible and r.n_randomized and r.power is not None:
                ax.plot([r.n_randomized], [r.power], "o", color=color, ms=5)
        ax.axhline(s.testing.power, color="#444", ls="--", lw=1, label=f"target {s.testing.power:g}")
        if self.n_given and self.question in ("power", "effect"):
            ax.axvline(self.n_given, color="#777", ls=":", lw=1.2, label=f"N = {self.n_given:,}")
        canvas.set_scale("log", "linear")
        plain_log_axis(ax.xaxis)
        ax.set_xlim(lo, hi)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("total randomized N (log scale)")
        ax.set_ylabel("power")
        ax.grid(True, alpha=0.25)
        canvas.csv_text = lambda: "\n".join(f"# {name}\n{curve.to_csv()}" for name, curve in texts)

    def _draw_n_prev(self, canvas: PlotCanvas, live: bool = False) -> None:
        from planner import curves

        s, ax = self.scenario, canvas.ax

        def sweep(points: int) -> list:
            grid = np.linspace(0.02, 0.98, points)
            return [(f"# {name}", self._cached(("n_prev", name, points),
                                                 lambda n=name: curves.n_vs_prevalence(s, n, grid)))
                    for name in self._designs()]

        points = LIVE_CURVE_POINTS if live else CURVE_POINTS
        if live and all(self._cache_key(("n_prev", name, CURVE_POINTS)) in self.cache for name in self._designs()):
            points = CURVE_POINTS  # the full curves are at hand (e.g. a prevalence edit)
        grid = np.linspace(0.02, 0.98, points)
        if points == LIVE_CURVE_POINTS and self._map_names():
            _grid, _effects, dm = self._live_sweep()  # shared with the design map
            texts = [(f"# {name}", curves.Curve(name, "prevalence", grid, {"n_randomized": dm.values[name][:, -1].copy()},
                                         "n_randomized") if name in dm.designs else
                      self._cached(("n_prev", name, points), lambda n=name: curves.n_vs_prevalence(s, n, grid)))
                     for name in self._designs()]
        else:
            texts = sweep(points)
        for (_head, curve), name in zip(texts, self._designs()):
            ax.plot(grid, curve.y["n_randomized"], color=design_colour(name), label=design_label(name), lw=1.6)
        if points != CURVE_POINTS:
            self.coarse.add("n_prev")
        ax.axvline(s.population.prevalence, color="#444", ls="--", lw=1, label=f"prevalence {s.population.prevalence:g}")
        canvas.set_scale("linear", "log")
        plain_log_axis(ax.yaxis, (1.0,))
        ys = np.concatenate([np.asarray(c.y["n_randomized"], dtype=float) for _, c in texts] or [np.empty(0)])
        ys = ys[np.isfinite(ys) & (ys > 0)]
        if ys.size:  # whole decades, kept while the curves fit: edits keep the axes
            ax.set_ylim(*self._stable_range(
                "n_prev", (ys.min(), ys.max()),
                (10.0 ** math.floor(math.log10(ys.min())), 10.0 ** math.ceil(math.log10(ys.max())))))
        else:
            ax.autoscale_view()
        ax.set_xlim(0, 1)
        ax.set_xlabel("prevalence of B+")
        ax.set_ylabel(f"total N for power {s.testing.power:g} (log)")
        ax.grid(True, alpha=0.25)
        if points == CURVE_POINTS:
            canvas.csv_text = lambda: "\n".join(f"{head}\n{curve.to_csv()}" for head, curve in texts)
        else:  # the data export is always on the full grid
            canvas.csv_text = lambda: "\n".join(f"{head}\n{curve.to_csv()}" for head, curve in sweep(CURVE_POINTS))

    def _draw_power_neg(self, canvas: PlotCanvas, live: bool = False) -> None:
        from planner import curves

        s, ax = self.scenario, canvas.ax
        grid, current, xlabel = negative_effect_range(s)
        texts = []
        for name, r in self._designs().items():
            if not (r.feasible and r.n_randomized):
                continue
            curve = curves.power_vs_negative_effect(s, name, grid, n_randomized=float(r.n_randomized))
            ax.plot(grid, curve.y["power"], color=design_colour(name),
                    label=f"{design_label(name)} (N {r.n_randomized:,})", lw=1.6)
            texts.append((f"# {name} at N = {r.n_randomized}", curve))
        ax.axvline(current, color="#444", ls="--", lw=1, label=f"assumed {current:.3g}")
        ax.axhline(s.testing.power, color="#999", ls=":", lw=1)
        canvas.set_scale("log" if s.endpoint == "survival" else "linear", "linear")
        if s.endpoint == "survival":
            plain_log_axis(ax.xaxis)
        ax.set_xlim(grid[0], grid[-1])
        ax.set_ylim(0, 1.02)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("power at design's N")
        ax.grid(True, alpha=0.25)
        canvas.csv_text = lambda: "\n".join(f"{head}\n{curve.to_csv()}" for head, curve in texts)

    def _draw_map(self, canvas: PlotCanvas, live: bool = False) -> None:
        from planner import curves

        s, ax = self.scenario, canvas.ax
        criterion = str(self.criterion.currentData())
        if criterion == "cost" and s.costs is None:
            canvas.clear("add costs to the scenario to map the cheapest design")
            return
        names = self._map_names()

        def design_map(points: int):
            prev = np.linspace(0.05, 0.95, points)
            effects = negative_effect_range(s, points)[0]
            return prev, effects, self._cached(
                ("map", criterion, names, tuple(effects)),
                lambda: curves.design_map(s, prev, effects, criterion=criterion, designs=names))

        effects, current, ylabel = negative_effect_range(s, MAP_POINTS)
        points = MAP_POINTS
        if live and self._cache_key(("map", criterion, names, tuple(effects))) not in self.cache:
            points = LIVE_MAP_POINTS  # unless the full map is at hand (e.g. a prevalence edit)
            self.coarse.add("map")
        if points == LIVE_MAP_POINTS and criterion == "n" and names:
            prev, effects, dm = self._live_sweep()
            dm = dataclasses.replace(dm, negative_effect=effects, best=dm.best[:, :-1],
                                     values={d: v[:, :-1] for d, v in dm.values.items()})
        else:
            prev, effects, dm = design_map(points)
        full = dm if points == MAP_POINTS else None
        colors = [design_colour(d) for d in dm.designs]
        cmap = ListedColormap(["#dddddd", *colors])
        ax.pcolormesh(prev, effects, dm.best.T + 1, cmap=cmap, vmin=0, vmax=len(colors), shading="nearest")
        ax.plot([s.population.prevalence], [current], marker="*", color="black", ms=11, ls="none")
        canvas.set_scale("linear", "log" if s.endpoint == "survival" else "linear")
        if s.endpoint == "survival":
            plain_log_axis(ax.yaxis)
        ax.set_xlim(0.025, 0.975)  # the full map's cells (0.05 to 0.95) whatever the grid drawn
        ax.set_ylim(effects[0], effects[-1])
        ax.set_xlabel("prevalence of B+")
        ax.set_ylabel(ylabel)
        present = sorted({int(b) for b in dm.best.reshape(-1)})
        handles = [Patch(color=colors[i], label=design_label(dm.designs[i])) for i in present if i >= 0]
        if -1 in present:
            handles.append(Patch(color="#dddddd", label="none attainable"))
        handles.append(Line2D([], [], marker="*", color="black", ls="none", label="this scenario"))
        canvas.legend_handles = handles
        basis = "fewest patients" if criterion == "n" else "lowest cost"
        ax.set_title(f"{basis}, power {s.testing.power:g}", fontsize=8, pad=3)
        canvas.csv_text = lambda: map_csv(full or design_map(MAP_POINTS)[2], s.endpoint, criterion)
