"""Start the desktop app from the command line without importing Qt into the core.

The ``ui`` package is imported by name at run time only, so ``planner`` stays importable (and
testable) on machines without PySide6 or a display.
"""

from __future__ import annotations

import importlib
import sys


def launch_app(path: str | None = None) -> int:
    """Open the main window (with ``path`` loaded if given); returns the exit status."""
    try:
        app = importlib.import_module("ui.app")
    except ImportError as exc:
        print(
            "enrichment-planner: the desktop app could not start: "
            f"{exc}.\nInstall it with: pip install -e .  (PySide6 and matplotlib are required)",
            file=sys.stderr,
        )
        return 1
    return int(app.run(path) or 0)
