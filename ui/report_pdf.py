"""PDF report: the HTML of :mod:`planner.report` printed with ``QTextDocument`` + ``QPdfWriter``.

Loaded by the command line (``enrichment-planner report SCENARIO.json -o report.pdf``,
:mod:`ui.cli_report`) only for PDF output, and by the app's File → Export report. Needs a ``QGuiApplication``; one is created (offscreen when there is no
display) if none exists. The file is written atomically: a temporary file in the target folder,
then renamed.
"""

from __future__ import annotations

import os
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
    from PySide6.QtGui import QFont, QImage, QTextDocument

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
        doc.print_(writer)
        del writer  # finishes and closes the file

    atomic_write(path, produce)


def write_report_pdf(report: Report, path: str | os.PathLike) -> None:
    """Write ``report`` as a PDF at ``path`` (its images by name; nothing else is loaded)."""
    html = report.print_html or report.html
    html_to_pdf(html, path, title=report.scenario.title or "Enrichment Planner report", images=report.images)
