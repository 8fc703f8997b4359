"""A matplotlib figure in a widget (QtAgg backend) with export to PNG, SVG or PDF.

One code path for screen and export: the figure drawn on screen is the figure saved.
"""

from __future__ import annotations

import time

import matplotlib

matplotlib.use("QtAgg")

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from planner.figures import add_legend  # noqa: E402
from planner.files import atomic_write_text  # noqa: E402

from .export_files import save_figure, write_or_explain  # noqa: E402

#: room (inches) left of, right of, below and above the axes: y tick labels and title, x tick labels
#: and title, and the plot's title
MARGINS_INCHES = (0.9, 0.15, 0.66, 0.35)
EXPORT_FILTER = "PNG image (*.png);;SVG vector (*.svg);;PDF document (*.pdf)"


class PlotCanvas(QWidget):
    """Title bar with an Export button above a matplotlib canvas."""

    def __init__(self, title: str, parent: QWidget | None = None, figsize: tuple[float, float] = (5, 3.4)) -> None:
        super().__init__(parent)
        self.title = title
        self.figure = Figure(figsize=figsize, dpi=100)
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.margins = MARGINS_INCHES
        #: True when the y tick labels are words (design names): the left margin is measured from
        #: them on each full draw rather than fixed (numbers fit MARGINS_INCHES)
        self.text_tick_labels = False
        self.fit_margins()
        self.canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.canvas.setMinimumSize(200, 160)
        self._ax = None  # made on first use (:attr:`ax`): a window holds many canvases, most unseen
        self._csv: object = ""
        self.legend_handles: list | None = None
        self.legend_on_screen = False  # the panel shows one shared legend; exports get their own
        #: called before an export (e.g. to draw a plot shown on a coarser live grid in full)
        self.before_export = None
        export = QToolButton()
        export.setText("Export…")
        export.setToolTip("Save this plot as PNG, SVG or PDF (or its data as CSV)")
        export.clicked.connect(self.export_dialog)
        head = QHBoxLayout()
        head.setContentsMargins(4, 0, 4, 0)
        label = QLabel(f"<b>{title}</b>")
        self.heading = label
        head.addWidget(label)
        head.addStretch(1)
        head.addWidget(export)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(head)
        layout.addWidget(self.canvas, 1)
        self.drawn = 0
        self.last_drawn_at = 0.0
        #: blitting (opt-in, for a canvas whose owner re-plots its data on ``self.ax`` only): the
        #: data artists are drawn over a saved image of everything else (axes, ticks, labels),
        #: which is re-rendered only when the axes' limits, scales, ticks or labels change.
        self.blit = False
        self.blitted = 0  # redraws of the data only
        #: the frame (``planner.figures.*_axes`` call) the axes show, kept by the owner across
        #: :meth:`reset` (``ui.plots_panel.PlotsPanel._frame``); forgotten by :meth:`clear`
        self.frame_memo: dict | None = None
        self.frames_kept = 0
        self._background = None
        self._background_key: tuple | None = None
        self.canvas.mpl_connect("draw_event", self._on_draw)
        self.canvas.mpl_connect("resize_event", lambda _event: self.fit_margins())

    @property
    def ax(self):
        """The canvas's axes, made when first asked for (each costs ~30 ms at start-up)."""
        if self._ax is None:
            self._ax = self.figure.add_subplot(111)
            self.fit_margins()
        return self._ax

    @ax.setter
    def ax(self, value) -> None:
        self._ax = value

    def fit_margins(self) -> None:
        """Margins in inches, not fractions: tick labels and axis titles keep their room on a
        small canvas (1280 × 800, 1024 × 700) instead of being cut off."""
        for ax in self.figure.axes:  # long titles wrap inside the figure instead of running off it
            for text in (ax.xaxis.label, ax.yaxis.label, ax.title):
                text.set_wrap(True)
        w, h = self.figure.get_size_inches()
        left, right, bottom, top = self.margins
        if self.text_tick_labels:
            left = max(left, self._y_label_room())
        if any(ax.get_title() for ax in self.figure.axes):
            top += 0.3  # a title may wrap to two lines (10 pt: two lines and the pad)
        self.figure.subplots_adjust(left=min(0.45, left / w), right=max(0.55, 1 - right / w),
                                    bottom=min(0.45, bottom / h), top=max(0.55, 1 - top / h))

    def set_heading(self, title: str) -> None:
        """Show ``title`` above the plot (and name exports after it)."""
        if title != self.title:
            self.title = title
            self.heading.setText(f"<b>{title}</b>")

    def _y_label_room(self) -> float:
        """Inches the widest y tick label, the tick and the y axis title need left of the axes."""
        renderer = self.canvas.get_renderer()
        room = 0.0
        for ax in self.figure.axes:
            widths = [t.get_window_extent(renderer).width for t in ax.get_yticklabels() if t.get_text()]
            if not widths:
                continue
            title = ax.yaxis.label
            extra = title.get_window_extent(renderer).width + 4 if title.get_text() else 0.0
            room = max(room, (max(widths) + extra) / self.figure.dpi + 0.12)   # + tick and pad
        return room

    @property
    def csv_text(self) -> str:
        """The plotted data as CSV (built when first asked for: only an export needs it)."""
        if callable(self._csv):
            self._csv = self._csv()
        return self._csv

    @csv_text.setter
    def csv_text(self, value) -> None:
        """A string, or a function returning it (called at most once, when the text is needed)."""
        self._csv = value

    def _on_draw(self, event) -> None:
        self.drawn += 1
        self.last_drawn_at = time.perf_counter()
        if not self.blit:
            return
        if self.canvas.is_saving() or getattr(event, "canvas", self.canvas) is not self.canvas:
            self._background = None
            return
        # a full draw leaves the animated (data) artists out: keep that image, then add them
        self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        self._background_key = self._key()
        self._draw_data()

    def _data_artists(self) -> list:
        ax = self.ax
        return [*ax.collections, *ax.patches, *ax.lines, *ax.images]

    def _draw_data(self) -> None:
        """Draw the data artists in the order ``Axes.draw`` would (by zorder), then the spines
        again (they are drawn above the data, zorder 2.5)."""
        ax = self.ax
        artists = sorted((a for a in self._data_artists() if a.get_animated() and a.get_visible()),
                         key=lambda a: a.get_zorder())
        for artist in artists:
            ax.draw_artist(artist)
        if artists:
            for spine in ax.spines.values():
                if spine.get_visible():
                    ax.draw_artist(spine)

    def _key(self) -> tuple:
        """What the background image depends on besides the data artists."""
        ax = self.ax
        return (
            tuple(ax.get_xlim()), tuple(ax.get_ylim()), ax.get_xscale(), ax.get_yscale(),
            ax.get_xlabel(), ax.get_ylabel(), ax.get_title(), ax.get_title("left"), ax.get_title("right"),
            *(id(x) for axis in (ax.xaxis, ax.yaxis) for x in (
                axis.get_major_locator(), axis.get_major_formatter(),
                axis.get_minor_locator(), axis.get_minor_formatter())),
            tuple(id(t) for t in ax.texts), ax.get_legend() is not None,
            self.canvas.get_width_height(physical=True), self.figure.dpi, tuple(self.figure.bbox.bounds),
            tuple(ax.get_position().bounds),
        )

    def reset(self) -> None:
        """Remove the plotted artists but keep the axes and their ticks (much faster than clear)."""
        ax = self.ax
        for artist in [*ax.lines, *ax.collections, *ax.patches, *ax.texts, *ax.images]:
            artist.remove()
        if ax.get_legend() is not None:
            ax.get_legend().remove()
        ax.set_title("")
        self.legend_handles = None
        ax.relim()
        ax.set_autoscale_on(True)

    def set_scale(self, x: str = "linear", y: str = "linear") -> None:
        if self.ax.get_xscale() != x:
            self.ax.set_xscale(x)
        if self.ax.get_yscale() != y:
            self.ax.set_yscale(y)

    def clear(self, message: str = "") -> None:
        self._background = None
        self.frame_memo = None
        self.ax.clear()
        if message:
            self.ax.text(0.5, 0.5, message, ha="center", va="center", wrap=True, color="#666",
                         transform=self.ax.transAxes)
            self.ax.set_xticks([])
            self.ax.set_yticks([])

    def redraw(self) -> None:
        """Show the current artists: with ``blit``, only the data artists are drawn when the rest
        of the figure is what the last full draw rendered; otherwise a full draw (when idle)."""
        if not self.blit:
            self.fit_margins()  # the owner may have made new axes
            self.canvas.draw_idle()
            return
        for artist in self._data_artists():
            artist.set_animated(True)
        if self._background is None or self._key() != self._background_key:
            self.fit_margins()  # the titles may have changed (a title that wraps needs its room)
            self.canvas.draw_idle()
            return
        self.canvas.restore_region(self._background)
        self._draw_data()
        self.canvas.blit(self.figure.bbox)
        self.blitted += 1
        self.drawn += 1
        self.last_drawn_at = time.perf_counter()

    def export(self, path: str) -> None:
        """Save the figure; the format follows the extension (.png, .svg, .pdf, or .csv for data)."""
        if self.before_export is not None:
            self.before_export()
        if path.lower().endswith(".csv"):
            atomic_write_text(path, self.csv_text)
            return
        legend = add_legend(self.ax, self.legend_handles)  # the legend the report draws
        try:
            save_figure(self.figure, path, dpi=200 if path.lower().endswith(".png") else None)
        finally:
            if legend is not None and self.legend_on_screen is False:
                legend.remove()
            if self.blit:  # the screen image is rendered again in full
                self._background = None
                self.canvas.draw_idle()

    def export_dialog(self) -> None:
        stem = self.title.lower().replace(" ", "_").replace("×", "x")
        filters = EXPORT_FILTER + (";;Data (*.csv)" if self.csv_text else "")
        path, chosen = QFileDialog.getSaveFileName(self, f"Export {self.title}", f"{stem}.png", filters)
        if not path:
            return
        if "." not in path.rsplit("/", 1)[-1]:
            path += "." + chosen.split("*.")[-1].rstrip(")")
        write_or_explain(self, path, lambda: self.export(path), self.title)
