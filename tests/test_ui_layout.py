"""Layout (issue 10): usable at 1280 × 800 and 1024 × 700 — no clipped axis titles (the figure's tight
bounding box inside the canvas), every table column reachable (scrolling or hiding), the window
fits."""

from __future__ import annotations

import pytest
import ui_helpers
from ui_helpers import EXAMPLES

make_window = ui_helpers.make_window


@pytest.mark.parametrize("size", [(1280, 800), (1024, 700)])
def test_small_screens_keep_axis_titles_and_columns(make_window, qtbot, size):
    w = make_window(EXAMPLES / "egfr_nsclc_ipass.json")
    hint = w.minimumSizeHint()
    assert hint.width() <= size[0] and hint.height() <= size[1]
    w.resize(*size)
    w.tabs.setCurrentWidget(w.plots)
    qtbot.waitUntil(lambda: w.width() == size[0] and w.height() == size[1], timeout=5000)
    qtbot.waitUntil(lambda: all(c.drawn > 0 and not getattr(c.canvas, "_draw_pending", False)
                                for c in w.plots.canvases()), timeout=30000)
    qtbot.wait(200)
    for c in w.plots.canvases():
        c.canvas.draw()
        fig = c.figure
        box = fig.get_tightbbox(c.canvas.get_renderer()).transformed(fig.dpi_scale_trans)
        width, height = fig.bbox.width, fig.bbox.height
        assert box.x0 >= -2 and box.y0 >= -2, (c.title, box)
        assert box.x1 <= width + 2 and box.y1 <= height + 2, (c.title, box, width, height)
        for ax in fig.axes:
            assert ax.get_xlabel() and ax.get_ylabel()  # the titles are there (and inside, above)
    table = w.comparison.table
    columns = [c for c in range(table.columnCount()) if not table.isColumnHidden(c)]
    total = sum(table.columnWidth(c) for c in columns)
    bar = table.horizontalScrollBar()
    assert bar.maximum() + table.viewport().width() >= total - 2  # every column can be scrolled to
    w.comparison.hide_column(1, True)  # and the user can hide columns (header's context menu)
    assert table.isColumnHidden(1)
    w.comparison.hide_column(1, False)
    assert not table.isColumnHidden(1)
