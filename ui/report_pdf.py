"""PDF report: the HTML of :mod:`planner.report` printed with ``QTextDocument`` + ``QPdfWriter``.

Loaded by the command line (``enrichment-planner report SCENARIO.json -o report.pdf``,
:mod:`ui.cli_report`) only for PDF output, and by the app's File → Export report. Needs a ``QGuiApplication``; one is created (offscreen when there is no
display) if none exists. The file is written atomically: a temporary file in the target folder,
then renamed.
"""

from __future__ import annotations

import os
import sys
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


def html_to_pdf(html: str, path: str | os.PathLike, title: str = "", author: str = "Enrichment Planner") -> None:
    """Print ``html`` to an A4 PDF at ``path`` (atomically), with page numbers."""
    ensure_gui_application()
    from PySide6.QtCore import QMarginsF
    from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPdfWriter, QTextDocument

    def produce(tmp: Path) -> None:
        writer = QPdfWriter(str(tmp))
        writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        # QTextDocument.print_ adds its own 2 cm margin around the text; keep the writer's small
        # (not zero: zero margins make Qt add another 2 cm).
        writer.setPageMargins(QMarginsF(1, 1, 1, 1), QPageLayout.Unit.Millimeter)
        writer.setResolution(300)
        writer.setTitle(title)
        writer.setCreator(author)
        doc = QTextDocument()
        doc.setDefaultFont(QFont("DejaVu Sans", 9))
        doc.setHtml(html)
        doc.print_(writer)
        del writer  # finishes and closes the file

    atomic_write(path, produce)


def write_report_pdf(report: Report, path: str | os.PathLike) -> None:
    """Write ``report`` as a PDF at ``path``."""
    html_to_pdf(report.html, path, title=report.scenario.title or "Enrichment Planner report")
