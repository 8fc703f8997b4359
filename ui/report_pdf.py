"""PDF report: the HTML of :mod:`planner.report` printed with ``QTextDocument`` + ``QPdfWriter``.

Loaded by the command line (``enrichment-planner report SCENARIO.json -o report.pdf``,
:mod:`ui.cli_report`) only for PDF output, and by the app's File → Export report. Needs a ``QGuiApplication``; one is created (offscreen when there is no
display) if none exists. The file is written atomically: a temporary file in the target folder,
then renamed.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path

from planner.report import Report
from planner.scenario_io import atomic_write

_APP = None  # keeps a QGuiApplication created here alive


def ensure_gui_application():
    """The running Qt application, or a new one (offscreen when there is no display).

    A ``QApplication`` (a ``QGuiApplication`` that also allows widgets) is created, so that
    the app or a test may still open windows later in the same process.
    """
    global _APP
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance()
    if app is None:
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtWidgets import QApplication

        app = _APP = QApplication(sys.argv[:1] or ["enrichment-planner"])
    return app


def report_document(html: str, images: Mapping[str, bytes] | None = None):
    """A ``QTextDocument`` of ``html`` that loads no resource but ``images`` (by name).

    Qt's document would otherwise read ``file:`` URLs (and ask for any other) named in an
    ``<img>`` or a style sheet: a scenario string that slipped through unescaped could embed a
    local file in the PDF. Here every resource request is answered from ``images`` or refused —
    with a blank 1 × 1 image, because for a null answer Qt's image handler loads the named file
    itself (``QTextImageHandler``).
    ``document.requested`` lists the names asked for (for the tests).
    """
    from PySide6.QtGui import QFont, QImage, QTextDocument, QTextOption

    own = dict(images or {})

    class ReportDocument(QTextDocument):
        def __init__(self) -> None:
            super().__init__()
            self.requested: list[str] = []
            self.refused: list[str] = []

        def loadResource(self, kind: int, url) -> object:  # noqa: N802 (Qt API)
            name = url.toString()
            self.requested.append(name)
            png = own.get(name)
            if png is None:
                self.refused.append(name)
                if kind == QTextDocument.ResourceType.ImageResource.value:
                    # not None: for a null resource Qt's image handler loads the file itself
                    blank = QImage(1, 1, QImage.Format.Format_ARGB32)
                    blank.fill(0)
                    return blank
                return ""
            image = QImage()
            image.loadFromData(png, "PNG")
            return image

    doc = ReportDocument()
    doc.setDefaultFont(QFont("DejaVu Sans", 9))
    # break lines between words only: Qt's default also breaks inside a word ("Randomize|d")
    option = doc.defaultTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    doc.setDefaultTextOption(option)
    doc.setHtml(html)
    return doc


def html_to_pdf(html: str, path: str | os.PathLike, title: str = "", author: str = "Enrichment Planner",
                images: Mapping[str, bytes] | None = None) -> None:
    """Print ``html`` to an A4 PDF at ``path`` (atomically), with page numbers; ``<img>`` names
    are served from ``images`` and nothing else is loaded (:func:`report_document`)."""
    ensure_gui_application()
    from PySide6.QtCore import QMarginsF
    from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter

    def produce(tmp: Path) -> None:
        writer = QPdfWriter(str(tmp))
        writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        # QTextDocument.print_ adds its own 2 cm margin around the text; keep the writer's small
        # (not zero: zero margins make Qt add another 2 cm).
        writer.setPageMargins(QMarginsF(1, 1, 1, 1), QPageLayout.Unit.Millimeter)
        writer.setResolution(300)
        writer.setTitle(title)
        writer.setCreator(author)
        doc = report_document(html, images)
        print_paginated(doc, writer)
        del writer  # finishes and closes the file

    atomic_write(path, produce)


def _screen_dpi() -> tuple[float, float]:
    """Qt's default (source) dpi of a document: the primary screen's logical dpi."""
    from PySide6.QtGui import QGuiApplication

    screen = QGuiApplication.primaryScreen()
    return (screen.logicalDotsPerInchX(), screen.logicalDotsPerInchY()) if screen else (96.0, 96.0)


def _lay_out_for_pages(doc, device) -> None:
    """Lay ``doc`` out as ``QTextDocument.print_`` lays out an unpaginated document on ``device``:
    the device as paint device, its full page as the page size, 2 cm margins in the screen's
    logical dpi (Qt's ``QTextDocument::print``, which would lay out a clone — a clone would not
    have the report's images, :func:`report_document`)."""
    from PySide6.QtCore import QSizeF

    doc.documentLayout().setPaintDevice(device)
    dpi_x, dpi_y = _screen_dpi()
    fmt = doc.rootFrame().frameFormat()
    fmt.setLeftMargin(int(2 / 2.54 * dpi_x))
    fmt.setRightMargin(int(2 / 2.54 * dpi_x))
    fmt.setTopMargin(int(2 / 2.54 * dpi_y))
    fmt.setBottomMargin(int(2 / 2.54 * dpi_y))
    doc.rootFrame().setFrameFormat(fmt)
    doc.setPageSize(QSizeF(device.width(), device.height()))
    break_overlong_words(doc)
    if _widest_table(doc) > table_limit(doc):
        # a table wider than the text with whole words: let words break rather than cut the table
        from PySide6.QtGui import QTextOption

        option = doc.defaultTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        doc.setDefaultTextOption(option)


#: a break opportunity that prints nothing (Unicode ZERO WIDTH SPACE, line-break class ZW)
_SOFT_BREAK = "\u200b"
_CHUNK = 12  # characters between the break opportunities put into a word too long for a line


def text_right(doc) -> float:
    """The right edge of the text area of ``doc`` laid out for pages (device units): the page
    width less the right margin (set in the screen's dpi, :func:`_lay_out_for_pages`)."""
    device = doc.documentLayout().paintDevice()
    scale = device.logicalDpiX() / _screen_dpi()[0] if device is not None else 1.0
    return doc.pageSize().width() - doc.rootFrame().frameFormat().rightMargin() * scale


def table_limit(doc) -> float:
    """How far right a table may reach (device units): the text area and 3 mm, as a page-wide
    table's outer border lies about 1.5 mm beyond the text (Qt adds it to ``width="100%"``)."""
    device = doc.documentLayout().paintDevice()
    dpi = device.logicalDpiX() if device is not None else _screen_dpi()[0]
    return text_right(doc) + 0.3 / 2.54 * dpi


def overflowing_blocks(doc) -> list:
    """The blocks outside tables with a line past the text area's right edge (a word longer than
    a line: the document wraps between words only, :func:`report_document`); ``doc`` laid out."""
    doc.pageCount()  # finishes the layout
    layout, right = doc.documentLayout(), text_right(doc) + 1
    out, block = [], doc.firstBlock()
    while block.isValid():
        lines = block.layout()
        if lines is not None and not _in_table(block):
            left = layout.blockBoundingRect(block).left()
            widths = (lines.lineAt(i).naturalTextWidth() for i in range(lines.lineCount()))
            if any(w > 0 and left + lines.lineAt(i).x() + w > right for i, w in enumerate(widths)):
                out.append(block)
        block = block.next()
    return out


def _in_table(block) -> bool:
    from PySide6.QtGui import QTextCursor

    return QTextCursor(block).currentTable() is not None


def break_overlong_words(doc) -> int:
    """Let each word too long for its line (a URL in a note, a long string in the appendix's JSON)
    break: a zero-width break opportunity every few characters inside it. Only where the text runs
    past the right margin: in the blocks outside tables with such a line, a word wider than 90 %
    of the text width; in a table wider than the text, a word wider than 90 % of its column's
    share (``width="…%"``). Other words still wrap only between words. Returns the number of
    words given break opportunities."""
    device = doc.documentLayout().paintDevice()
    scale = device.logicalDpiX() / _screen_dpi()[0] if device is not None else 1.0
    room = text_right(doc) - doc.rootFrame().frameFormat().leftMargin() * scale
    todo = [(block, 0.9 * room) for block in overflowing_blocks(doc)]
    for table in _tables(doc):
        if doc.documentLayout().frameBoundingRect(table).right() > table_limit(doc):
            shares = [c.rawValue() / 100 if c.type() == c.type().PercentageLength else 0.3
                      for c in table.format().columnWidthConstraints()]
            for r in range(table.rows()):
                for c in range(table.columns()):
                    cell = table.cellAt(r, c)
                    share = shares[c] if c < len(shares) else 0.3
                    block = cell.firstCursorPosition().block()
                    while block.isValid() and block.position() <= cell.lastPosition():
                        todo.append((block, 0.9 * share * room))
                        block = block.next()
    return sum(_soften(doc, block, limit, device) for block, limit in todo)


def _soften(doc, block, limit: float, device) -> int:
    """Break opportunities every :data:`_CHUNK` characters inside each word of ``block`` wider
    than ``limit`` (device units); the number of such words."""
    from PySide6.QtGui import QFontMetricsF, QTextCursor

    text, start, spots, count = block.text(), block.position(), [], 0
    for match in re.finditer(r"\S{" + str(2 * _CHUNK) + ",}", text):
        metrics = QFontMetricsF(_char_font(doc, start + match.start()), device)
        if metrics.horizontalAdvance(match.group()) > limit:
            spots += range(match.start() + _CHUNK, match.end(), _CHUNK)
            count += 1
    cursor = QTextCursor(doc)
    for spot in reversed(spots):  # from the end, so that the earlier positions stay valid
        cursor.setPosition(start + spot)
        cursor.insertText(_SOFT_BREAK)
    return count


def _tables(doc) -> list:
    """The tables of ``doc``, each once (by position: the ``id()`` of Qt's short-lived Python
    wrappers is reused)."""
    from PySide6.QtGui import QTextCursor

    seen, out, block = set(), [], doc.firstBlock()
    while block.isValid():
        table = QTextCursor(block).currentTable()
        if table is not None and table.firstPosition() not in seen:
            seen.add(table.firstPosition())
            out.append(table)
        block = block.next()
    return out


def _char_font(doc, position: int):
    """The font of the character at ``position``."""
    from PySide6.QtGui import QTextCursor

    cursor = QTextCursor(doc)
    cursor.setPosition(position + 1)
    return cursor.charFormat().font()


def _widest_table(doc) -> float:
    """The right edge of the widest table of the laid-out ``doc`` (device units)."""
    doc.pageCount()  # finishes the layout
    layout = doc.documentLayout()
    return max((layout.frameBoundingRect(table).right() for table in _tables(doc)), default=0.0)


def _first_content_after(block):
    """The block whose top must share the heading's page: the next paragraph, or a table's first
    row after its header row (a heading above a lone header row is as orphaned as a bare one)."""
    from PySide6.QtGui import QTextCursor

    nxt = block.next()
    while nxt.isValid() and not nxt.text().strip() and QTextCursor(nxt).currentTable() is None \
            and not nxt.charFormat().isImageFormat() and nxt.length() <= 1:
        nxt = nxt.next()
    table = QTextCursor(nxt).currentTable() if nxt.isValid() else None
    if table is not None and table.rows() > 1:
        return table.cellAt(1, 0).firstCursorPosition().block()
    return nxt


def print_paginated(doc, writer) -> None:
    """Print ``doc`` on ``writer`` page by page as ``QTextDocument.print_`` does (2 cm margins,
    page numbers bottom right, black text), but from a layout we control, so that headings are
    kept with what follows them (:func:`keep_headings_with_next`)."""
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QAbstractTextDocumentLayout, QFont, QFontMetrics, QPainter, QPalette

    _lay_out_for_pages(doc, writer)
    keep_headings_with_next(doc)
    layout = doc.documentLayout()
    width, height = doc.pageSize().width(), doc.pageSize().height()
    margin = doc.rootFrame().frameFormat()
    scale_x = writer.logicalDpiX() / _screen_dpi()[0]
    scale_y = writer.logicalDpiY() / _screen_dpi()[1]
    number_x = width - margin.rightMargin() * scale_x
    number_y = height - margin.bottomMargin() * scale_y + QFontMetrics(doc.defaultFont(), writer).ascent() \
        + 5 * writer.logicalDpiY() / 72.0
    painter = QPainter(writer)
    for index in range(doc.pageCount()):
        if index:
            writer.newPage()
        view = QRectF(0, index * height, width, height)
        painter.save()
        painter.translate(0, -index * height)
        painter.setClipRect(view)
        ctx = QAbstractTextDocumentLayout.PaintContext()
        ctx.clip = view
        ctx.palette.setColor(QPalette.ColorRole.Text, Qt.GlobalColor.black)
        layout.draw(painter, ctx)
        painter.setClipping(False)
        painter.setFont(QFont(doc.defaultFont()))
        text = str(index + 1)
        painter.drawText(round(number_x - painter.fontMetrics().horizontalAdvance(text)), round(number_y + view.top()), text)
        painter.restore()
    painter.end()


def keep_headings_with_next(doc) -> list[int]:
    """Move each heading that would end a page (its following content starting on the next page)
    to the next page, as CSS ``break-after: avoid`` would — Qt's rich text ignores that property.

    ``doc`` is laid out for the page (:func:`_lay_out_for_pages`); heading by heading in document
    order, ``PageBreak_AlwaysBefore`` is set on the heading's block (later headings see the shifted
    layout). Returns the block numbers moved.
    """
    from PySide6.QtGui import QTextCursor, QTextFormat

    layout = doc.documentLayout()
    page = doc.pageSize().height()
    doc.pageCount()  # finishes the (otherwise incremental) layout
    moved: list[int] = []
    block = doc.firstBlock()
    while block.isValid():
        if block.blockFormat().headingLevel() > 0 and QTextCursor(block).currentTable() is None:
            follower = _first_content_after(block)
            if follower.isValid():
                top = layout.blockBoundingRect(block).top()
                # its first line: a line that does not fit is moved to the next page inside the block
                lines = follower.layout()
                first = lines.lineAt(0).y() if lines is not None and lines.lineCount() else 0.0
                start = layout.blockBoundingRect(follower).top() + first
                if int(start // page) > int(top // page) and top % page > 0.25 * page:
                    fmt = block.blockFormat()
                    fmt.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
                    QTextCursor(block).setBlockFormat(fmt)
                    doc.pageCount()  # lays the rest out again before the next heading is judged
                    moved.append(block.blockNumber())
        block = block.next()
    return moved


def write_report_pdf(report: Report, path: str | os.PathLike) -> None:
    """Write ``report`` as a PDF at ``path`` (its images by name; nothing else is loaded)."""
    html = report.print_html or report.html
    html_to_pdf(html, path, title=report.scenario.title or "Enrichment Planner report", images=report.images)
