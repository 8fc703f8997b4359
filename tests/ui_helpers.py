"""Shared fixtures for the UI tests (pytest-qt, offscreen)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "resources" / "scenarios"
DEBOUNCE_WAIT_MS = 5000  # generous for slow CI; the debounce itself is 60 ms


def _quiet_close(w) -> None:
    w.adaptive.shutdown()
    w.doc.undo_stack.setClean()


@pytest.fixture
def make_window(qtbot, tmp_path):
    """Factory: a MainWindow with private settings, closed without prompts at teardown."""
    from PySide6.QtCore import QSettings

    from ui.main_window import MainWindow

    windows = []

    def make(path: str | Path | None = None, show: bool = True) -> MainWindow:
        settings = QSettings(str(tmp_path / f"settings{len(windows)}.ini"), QSettings.Format.IniFormat)
        w = MainWindow(str(path) if path else None, settings=settings)
        qtbot.addWidget(w, before_close_func=_quiet_close)
        if show:
            w.show()
            qtbot.waitExposed(w)
        qtbot.waitUntil(lambda: w.comparison_result is not None or not w.doc.valid, timeout=DEBOUNCE_WAIT_MS)
        windows.append(w)
        return w

    yield make
    for w in windows:
        _quiet_close(w)


def settle(qtbot, window, timeout: int = DEBOUNCE_WAIT_MS) -> None:
    """Wait until the debounced recomputation has run (a heavy scenario's: until its worker has
    delivered the comparison, ui.background_compare)."""
    qtbot.waitUntil(lambda: not window.timer.isActive() and not window.compute_tasks.running, timeout=timeout)
