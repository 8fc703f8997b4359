"""Live plots: power vs N, required N vs prevalence, power vs B− effect, and the design map."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from planner import figures
from planner.catalogue import FIGURES, design_colour, design_label
from planner.figures import CURVE_POINTS, MAP_POINTS, POWER_N_POINTS, negative_effect_range
from planner.results import Comparison
from planner.scenario import Scenario

from .plot_canvas import PlotCanvas
from .population_selector import attach as attach_population_selector
from .tasks import TaskRunner, interruptible

#: while editing, the two costliest plots (required N vs prevalence, design map) are drawn on
#: every other point of their grids; the full grids follow once the edits pause
#: (``REFINE_DELAY_MS``) and are always used for exports and CSV
LIVE_MAP_POINTS = 9
LIVE_CURVE_POINTS = 15
REFINE_DELAY_MS = 300
#: the cells form with several populations (closed tests of up to 4 hypotheses, ~5 ms a point):
#: while editing, power vs N and vs the B− effect are drawn on this many points, and the curves
#: over prevalence and the design map wait for the worker (the full grids, ``refine_in_background``)
LIVE_CELLS_POINTS = 9
CELLS_WAIT = "computing the closed tests of every population …"
#: a heavy scenario (planner.compute.expensive): every curve is computed on the worker, one plot
#: per task, and drawn as it arrives (the GUI thread only draws)
HEAVY_WAIT = "computing on a worker …"


class _Deferred(Exception):
    """A heavy scenario's plot whose data are not cached yet: drawn when the worker brings them."""
#: smallest plot (pixels) that keeps its tick labels and axis titles readable
MIN_CANVAS = (240, 230)
__all__ = ["CURVE_POINTS", "MAP_POINTS", "PlotsPanel", "negative_effect_range"]


class PlotsPanel(QWidget):
    """Four live plots in a grid; recomputed when shown if the inputs changed meanwhile."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.power_n = PlotCanvas(FIGURES["power_vs_n"].title)
        self.n_prev = PlotCanvas(FIGURES["n_vs_prevalence"].title)
        self.power_neg = PlotCanvas(FIGURES["power_vs_negative_effect"].title)
        self.map = PlotCanvas(FIGURES["design_map"].title)
        for canvas in self.canvases():
            canvas.blit = True  # only the data are drawn again while the axes stay the same
        self.criterion = QComboBox()
        self.criterion.addItem("fewest randomized patients", "n")
        self.criterion.addItem("lowest cost", "cost")
        self.criterion.setToolTip("What the design map minimizes")
        self.criterion.currentIndexChanged.connect(self._criterion_changed)
        plots = QWidget()
        grid = QGridLayout(plots)
        grid.setContentsMargins(0, 0, 0, 0)
        for canvas in self.canvases():
            canvas.canvas.setMinimumSize(MIN_CANVAS[0], MIN_CANVAS[1])
        self.scroll = QScrollArea()  # a small window scrolls the plots rather than cutting their labels
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(plots)
        grid.addWidget(self.power_n, 0, 0)
        grid.addWidget(self.n_prev, 0, 1)
        grid.addWidget(self.power_neg, 1, 0)
        grid.addWidget(self.map, 1, 1)
        self._add_boundaries(grid)
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(self.legend, 1)
        bar.addWidget(QLabel("Design map shows the design with"))
        bar.addWidget(self.criterion)
        self.population_choice = attach_population_selector(self, bar)  # the cells form (ui/population_selector.py)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.scroll, 1)
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
        self.refine_timer.timeout.connect(self.refine_in_background)
        self.refine_tasks = TaskRunner(self)  # the full-grid curves are computed off the GUI thread
        self.heavy = False  # every curve waits for the worker (set_inputs(background=True))
        self._waiting: set[PlotCanvas] = set()  # canvases showing HEAVY_WAIT
        self.note = QLabel(self)  # over the plots, outside the layout: showing it redraws no plot
        self.note.setStyleSheet("color: #0d47a1; background: #e3f2fd; border: 1px solid #90caf9; padding: 4px;")
        self.note.hide()
        for canvas in self.canvases():
            canvas.before_export = self.refine

    def canvases(self) -> list[PlotCanvas]:
        return [self.power_n, self.n_prev, self.power_neg, self.map]

    def set_inputs(self, scenario: Scenario, comparison: Comparison, question: str, n_given: int | None,
                   defer: bool = False, background: bool = False) -> None:
        """New results; redrawn now if visible (``defer``: only remembered, e.g. while a slider is
        dragged; ``background``: a heavy scenario, every curve is computed on the worker)."""
        scenario = self.population_choice.focus(scenario)  # the cells form: the population the plots vary
        self.scenario, self.comparison, self.question, self.n_given = scenario, comparison, question, n_given
        self.heavy = background
        self.dirty = True
        if self.isVisible() and not defer:
            self.render_timer.start()  # let the table paint first

    def set_computing(self, text: str) -> None:
        """The comparison runs on a worker: the plots keep the last results, marked as such."""
        self.refine_timer.stop()
        self.refine_tasks.cancel()
        self.note.setText(text)
        self.note.adjustSize()
        self.note.move(12, 8)
        self.note.raise_()
        self.note.show()

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
        live, self._rendered = self._rendered or self._cells(), True  # the first drawing is in full, edits are live
        self._cells_jobs: dict = {}
        self._draw_all(((self.power_n, self._draw_power_n), (self.n_prev, self._draw_n_prev),
                        (self.power_neg, self._draw_power_neg), (self.map, self._draw_map)), live=live)
        if self.coarse:
            self.refine_timer.start(0 if self.heavy else REFINE_DELAY_MS)
        self._render_boundaries()

    # ------------------------------------------------------------------ boundary plot (interim analyses)
    def _add_boundaries(self, grid: QGridLayout) -> None:
        """The boundary plot of one design (chosen in its combo box), below the four plots; shown
        only when a design of the comparison has interim analyses."""
        self.bounds = PlotCanvas(FIGURES["boundaries"].title, figsize=(8, 3.2))
        self.bounds.canvas.setMinimumSize(2 * MIN_CANVAS[0], MIN_CANVAS[1] + 40)
        self.bounds_design = QComboBox()
        self.bounds_design.setToolTip("Design whose group-sequential boundaries are drawn")
        self.bounds_design.currentIndexChanged.connect(lambda _i: self._draw_boundaries())
        self.bounds_box = QWidget()
        box = QVBoxLayout(self.bounds_box)
        box.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(QLabel("Boundaries of"))
        head.addWidget(self.bounds_design)
        head.addStretch(1)
        box.addLayout(head)
        box.addWidget(self.bounds, 1)
        self.bounds_box.setVisible(False)
        grid.addWidget(self.bounds_box, 2, 0, 1, 2)

    def _render_boundaries(self) -> None:
        from planner.figures_interim import has_boundaries

        names = [k for k, r in self._designs().items() if has_boundaries(r)]
        self.bounds_box.setVisible(bool(names))
        if not names:
            return
        current = self.bounds_design.currentData()
        self.bounds_design.blockSignals(True)
        self.bounds_design.clear()
        for name in names:
            self.bounds_design.addItem(design_label(name), name)
        self.bounds_design.setCurrentIndex(names.index(current) if current in names else 0)
        self.bounds_design.blockSignals(False)
        self._draw_boundaries()

    def _draw_boundaries(self) -> None:
        """Draw the chosen design's bounds (z and effect scale) with planner.figures_interim."""
        from planner.figures_interim import boundaries_axes, boundaries_draw

        canvas, name = self.bounds, self.bounds_design.currentData()
        if self.comparison is None or name not in self.comparison.designs:
            return
        canvas.figure.clear()
        canvas.ax, ax_effect = boundaries_axes(canvas.figure)
        try:
            boundaries_draw(canvas.ax, ax_effect, self.scenario.endpoint, self.comparison.designs[name])
        except Exception as exc:  # a plot never brings the window down
            self.errors.append(f"{canvas.title}: {exc}")
            canvas.clear(f"cannot draw: {exc}")
        canvas.figure.subplots_adjust(wspace=0.35)
        canvas.legend_on_screen = True
        canvas.redraw()

    def _refine_groups(self) -> dict[str, dict]:
        """Per plot drawn coarse, the full-grid computations it still needs: full cache key →
        callable (the same keys and functions as the ``_draw_*`` methods use)."""
        groups: dict[str, dict] = {}
        for name, (key, fn) in getattr(self, "_cells_jobs", {}).items():
            if name in self.coarse:
                groups[name] = {self._cache_key(key): fn}
        if "n_prev" in self.coarse:
            groups["n_prev"] = {self._cache_key(key): fn for key, fn in self._n_prev_specs(CURVE_POINTS).values()}
        if "map" in self.coarse:
            key, fn, _prev, _effects = self._map_spec(MAP_POINTS, str(self.criterion.currentData()))
            groups["map"] = {self._cache_key(key): fn}
        return {name: {k: fn for k, fn in jobs.items() if k not in self.cache} for name, jobs in groups.items()}

    def _refine_jobs(self) -> dict:
        """Every full-grid computation the plots drawn coarse still need (one dict)."""
        return {k: fn for jobs in self._refine_groups().values() for k, fn in jobs.items()}

    def refine_in_background(self) -> None:
        """Compute the full grids on a worker (ui.tasks), then draw them from the cache; an edit
        in between supersedes the task (its result is dropped). A heavy scenario: one plot per
        task, each drawn alone as its data arrive (the GUI thread draws one plot at a time)."""
        self.refine_timer.stop()
        if not self.coarse or self.scenario is None or self.comparison is None:
            return
        scenario = self.scenario
        if self.heavy:
            groups = self._refine_groups()
            self._draw_named([name for name, jobs in groups.items() if not jobs])
            jobs = next((jobs for jobs in groups.values() if jobs), {})
        else:
            jobs = self._refine_jobs()

        def compute(state, jobs: dict) -> dict:
            out = {}
            for i, (key, fn) in enumerate(jobs.items()):
                state.set_progress(i, len(jobs))
                with np.errstate(all="ignore"):
                    out[key] = interruptible(state, fn)
            return out

        def done(result: dict) -> None:
            if self.scenario is scenario:
                self.cache.update(result)
                self.refine_in_background() if self.heavy else self.refine()  # then only drawing is left

        if not jobs:
            if not self.heavy:
                self.refine()
            return
        self.refine_tasks.start("Computing the curves" if self.heavy else "Refining the curves", compute, jobs,
                                on_done=done)

    def _draws(self) -> dict:
        return {"n_prev": (self.n_prev, self._draw_n_prev), "map": (self.map, self._draw_map),
                "power_n": (self.power_n, self._draw_power_n), "power_neg": (self.power_neg, self._draw_power_neg)}

    def _draw_named(self, names: list[str]) -> None:
        """Draw these plots on their full grid (their data are cached)."""
        self.coarse -= set(names)
        self._draw_all([self._draws()[k] for k in sorted(names)], live=False)

    def refine(self) -> None:
        """Draw the plots shown on their live grid again on their full grid (computing what the
        cache lacks here: exports call it and need the full data at once)."""
        self.refine_timer.stop()
        if not self.coarse or self.scenario is None or self.comparison is None:
            return
        self._draw_named(sorted(self.coarse))

    def _draw_all(self, draws, live: bool) -> None:
        for canvas, draw in draws:
            if canvas in self._waiting:  # its message took the ticks away: a fresh frame
                canvas.clear()
                self._waiting.discard(canvas)
            canvas.reset()
            try:
                with np.errstate(all="ignore"):
                    draw(canvas, live)
            except _Deferred:
                canvas.clear(HEAVY_WAIT)
                self._waiting.add(canvas)
            except Exception as exc:  # a plot never brings the window down
                self.errors.append(f"{canvas.title}: {exc}")
                canvas.clear(f"cannot draw: {exc}")
            canvas.redraw()

    @staticmethod
    def _frame(canvas: PlotCanvas, axes_function, *args) -> None:
        """``axes_function(canvas.ax, *args)`` (a ``planner.figures.*_axes``: scales, limits,
        labels, grid, ticks), or, when the canvas already shows the frame of the same call,
        only what :meth:`PlotCanvas.reset` undid (limits, title, labels): an edit then keeps the
        frame, and setting the grid and tick styles again (~2 ms a plot) is skipped."""
        ax = canvas.ax
        key = (axes_function, tuple(tuple(np.asarray(a).tolist()) if isinstance(a, (np.ndarray, tuple, list))
                                    else a for a in args))
        memo = canvas.frame_memo
        if memo is not None and memo["key"] == key and memo["ax"] is ax:
            if not memo["autoscale"][0]:
                ax.set_xlim(*memo["lim"][0])
            if not memo["autoscale"][1]:
                ax.set_ylim(*memo["lim"][1])
            for text, (words, size) in zip((ax.title, ax.xaxis.label, ax.yaxis.label), memo["texts"]):
                if text.get_text() != words or text.get_fontsize() != size:
                    text.set_text(words)
                    text.set_fontsize(size)
            canvas.frames_kept += 1
            return
        axes_function(ax, *args)
        canvas.frame_memo = {"key": key, "ax": ax, "autoscale": (ax.get_autoscalex_on(), ax.get_autoscaley_on()),
                             "lim": (ax.get_xlim(), ax.get_ylim()),
                             "texts": [(t.get_text(), t.get_fontsize()) for t in (ax.title, ax.xaxis.label,
                                                                                ax.yaxis.label)]}

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
        self.note.hide()
        def nb(text: str) -> str:
            return text.replace(" ", "&nbsp;")

        items = [f'<span style="color:{design_colour(d)};font-size:13pt">■</span>&nbsp;'
                 f"{nb(design_label(d))}" for d in self._designs()]
        items.append(nb("<b>– –</b> target power"))
        items.append(nb("<b>···</b> assumed value"))
        items.append(nb("● each design's size (survival: its events)"))
        items.append(nb("★ this scenario (map)"))
        self.legend.setText(" &nbsp; ".join(items))

    def _cells(self) -> bool:
        """Several populations in the cells form: the stratified design's closed test is costly."""
        return bool(self.scenario is not None and self.scenario.has_cells
                    and len(self.scenario.population.populations) > 1)

    def _cells_live(self, name: str, live: bool, key: tuple, compute, coarse):
        """The cells form while editing: the data on the full grid if cached, else ``coarse()``
        with the full grid (``compute``) queued for the worker."""
        if not self._cells():
            return compute()
        if not live or self._cache_key(key) in self.cache:
            return self._cached(key, compute)
        self.coarse.add(name)
        self._cells_jobs[name] = (key, compute)
        if self.heavy:
            raise _Deferred
        return coarse()

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
        effects = negative_effect_range(s, LIVE_MAP_POINTS)
        current = figures.negative_effect(s)
        grid = figures.prevalence_grid(LIVE_CURVE_POINTS)
        dm = self._cached(("live", names, tuple(effects), current),
                          lambda: curves.design_map(s, grid, np.append(effects, current), designs=names))
        return grid, effects, dm

    def _draw_power_n(self, canvas: PlotCanvas, live: bool = False) -> None:
        from planner.report.csv_export import curves_csv

        s, ax = self.scenario, canvas.ax
        results = self._designs()
        points = figures.power_vs_n_sizes(results)
        sizes = list(points.values()) + ([self.n_given] if self.n_given else [])
        if not sizes:
            canvas.clear("no design is attainable")
            return
        # kept while the sizes fit: edits keep the axes (data-only redraw)
        lo, hi = self._stable_range("power_n", figures.power_n_need(sizes), figures.power_n_range(sizes),
                                    slack=100.0)
        data = self._cells_live(
            "power_n", live, ("power_n", lo, hi, tuple(sorted(points.items())), self.question, self.n_given),
            lambda: figures.power_vs_n_curves(s, results, figures.power_n_grid(lo, hi, POWER_N_POINTS)),
            lambda: figures.power_vs_n_curves(s, results, figures.power_n_grid(lo, hi, LIVE_CELLS_POINTS)))
        self._frame(canvas, figures.power_vs_n_axes, s.endpoint, (lo, hi))
        n_given = self.n_given if self.question in ("power", "effect") else None
        figures.power_vs_n_data(ax, s, data, points, n_given)
        canvas.csv_text = lambda: curves_csv(data)

    def _n_prev_specs(self, points: int) -> dict:
        """Per design: (cache key, callable) of its required-N curve over ``points`` prevalences."""
        from planner import curves

        s, grid = self.scenario, figures.prevalence_grid(points)
        return {name: (("n_prev", name, points), lambda n=name: curves.n_vs_prevalence(s, n, grid))
                for name in self._designs()}

    def _map_spec(self, points: int, criterion: str) -> tuple:
        """(cache key, callable, prevalence grid, B− effects) of the design map on ``points``."""
        from planner import curves

        s, names = self.scenario, self._map_names()
        prev = figures.map_prevalence_grid(points)
        effects = negative_effect_range(s, points)
        return (("map", criterion, names, tuple(effects)),
                lambda: curves.design_map(s, prev, effects, criterion=criterion, designs=names), prev, effects)

    def _draw_n_prev(self, canvas: PlotCanvas, live: bool = False) -> None:
        from planner import curves
        from planner.report.csv_export import curves_csv

        s, ax = self.scenario, canvas.ax
        results = self._designs()

        def sweep(points: int) -> dict:
            grid = figures.prevalence_grid(points)
            solved = {name: self._cached(*spec) for name, spec in self._n_prev_specs(points).items()}
            return figures.n_vs_prevalence_curves(s, results, grid, solved)

        if self._cells() and live and not all(self._cache_key(("n_prev", n, CURVE_POINTS)) in self.cache for n in results):
            self.coarse.add("n_prev")  # the curves over prevalence wait for the worker (refine jobs)
            canvas.clear(CELLS_WAIT)
            self._waiting.add(canvas)
            return
        points = LIVE_CURVE_POINTS if live else CURVE_POINTS
        if live and all(self._cache_key(("n_prev", name, CURVE_POINTS)) in self.cache for name in results):
            points = CURVE_POINTS  # the full curves are at hand (e.g. a prevalence edit)
        if points == LIVE_CURVE_POINTS and self._map_names():
            grid, _effects, dm = self._live_sweep()  # shared with the design map
            solved = {name: curves.n_vs_prevalence_from_map(s, dm, name) for name in results if name in dm.designs}
            data = figures.n_vs_prevalence_curves(s, results, grid, solved)
        else:
            data = sweep(points)
        if points != CURVE_POINTS:
            self.coarse.add("n_prev")
        ys = np.concatenate([np.asarray(v, dtype=float) for c in data.values() for v in c.y.values()]
                            or [np.empty(0)])
        new = figures.decade_range(ys)
        ys = ys[np.isfinite(ys) & (ys > 0)]
        ylim = self._stable_range("n_prev", (ys.min(), ys.max()), new) if new else None
        self._frame(canvas, figures.n_vs_prevalence_axes, s.endpoint, ylim)
        figures.n_vs_prevalence_data(ax, s, data)
        if ylim is None:
            ax.autoscale_view()
        if points == CURVE_POINTS:
            canvas.csv_text = lambda: curves_csv(data)
        else:  # the data export is always on the full grid
            canvas.csv_text = lambda: curves_csv(sweep(CURVE_POINTS))

    def _draw_power_neg(self, canvas: PlotCanvas, live: bool = False) -> None:
        from planner.report.csv_export import curves_csv

        s, ax = self.scenario, canvas.ax
        grid = negative_effect_range(s, CURVE_POINTS, include_current=True)
        coarse = negative_effect_range(s, LIVE_CELLS_POINTS, include_current=True)
        data = self._cells_live(
            "power_neg", live, ("power_neg", tuple(grid), self.question, self.n_given),
            lambda: figures.power_vs_negative_effect_curves(s, self._designs(), grid),
            lambda: figures.power_vs_negative_effect_curves(s, self._designs(), coarse))
        self._frame(canvas, figures.power_vs_negative_effect_axes, s.endpoint, grid)
        figures.power_vs_negative_effect_data(ax, s, data)
        canvas.set_heading(figures.figure_title(s, "power_vs_negative_effect"))
        canvas.csv_text = lambda: curves_csv(data)

    def _draw_map(self, canvas: PlotCanvas, live: bool = False) -> None:
        from planner.report.csv_export import design_map_csv

        s, ax = self.scenario, canvas.ax
        criterion = str(self.criterion.currentData())
        if criterion == "cost" and s.costs is None:
            canvas.clear("add costs to the scenario to map the cheapest design")
            return
        names = self._map_names()

        def design_map(points: int):
            key, compute, prev, effects = self._map_spec(points, criterion)
            return prev, effects, self._cached(key, compute)

        effects = negative_effect_range(s, MAP_POINTS)
        points = MAP_POINTS
        if self._cells() and live and self._cache_key(("map", criterion, names, tuple(effects))) not in self.cache:
            self.coarse.add("map")  # the design map waits for the worker (refine jobs)
            canvas.clear(CELLS_WAIT)
            self._waiting.add(canvas)
            return
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
        self._frame(canvas, figures.design_map_axes, s.endpoint, prev, effects,
                    figures.design_map_title(criterion, s.testing.power))
        canvas.legend_handles = figures.design_map_data(ax, s, dm)
        canvas.csv_text = lambda: design_map_csv(full or design_map(MAP_POINTS)[2], s.endpoint)
