"""Application entry point: ``run(path)`` opens the main window."""

from __future__ import annotations

import sys
from pathlib import Path


def example_path() -> Path:
    return Path(__file__).resolve().parent.parent / "resources" / "scenarios"


def run(path: str | None = None) -> int:
    from PySide6.QtWidgets import QApplication

    from .main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Enrichment Planner")
    app.setOrganizationName("Enrichment Planner")
    window = MainWindow(path)
    window.show()
    return app.exec()
