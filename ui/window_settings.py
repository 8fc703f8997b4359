"""The main window's persistent settings: geometry, splitters, question, tab and recent files.

A mixin of :class:`ui.main_window.MainWindow` (which provides ``settings``, ``splitter``,
``right``, ``comparison``, ``tabs``, ``recent_menu``, ``_action`` and ``open_path``).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray

MAX_RECENT = 8


class WindowSettingsMixin:
    """Saving and restoring the window's state in ``QSettings``; the recent-files menu."""

    def _restore_settings(self) -> None:
        s = self.settings
        geometry = s.value("window/geometry", QByteArray(), type=QByteArray)
        if geometry is not None and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        for key, splitter in (("window/splitter", self.splitter), ("window/right_splitter", self.right)):
            state = s.value(key, QByteArray(), type=QByteArray)
            if state is not None and not state.isEmpty():
                splitter.restoreState(state)
        self.comparison.set_question(str(s.value("compute/question", "sample_size", type=str)),
                                     int(s.value("compute/n_randomized", 400, type=int)))
        self.tabs.setCurrentIndex(int(s.value("window/tab", 0, type=int)))

    def save_settings(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/splitter", self.splitter.saveState())
        s.setValue("window/right_splitter", self.right.saveState())
        s.setValue("compute/question", self.comparison.question)
        s.setValue("compute/n_randomized", self.comparison.n_spin.value())
        s.setValue("window/tab", self.tabs.currentIndex())
        s.sync()

    def recent_files(self) -> list[str]:
        value = self.settings.value("recent_files", [], type=list)
        return [str(v) for v in (value or []) if v]

    def _add_recent(self, path: Path) -> None:
        p = str(Path(path).resolve())
        files = [p] + [f for f in self.recent_files() if f != p]
        self.settings.setValue("recent_files", files[:MAX_RECENT])
        self._refresh_recent_menu()

    def _forget_recent(self, path: Path) -> None:
        p = str(Path(path).resolve())
        self.settings.setValue("recent_files", [f for f in self.recent_files() if f != p])
        self._refresh_recent_menu()

    def _refresh_recent_menu(self) -> None:
        """The recent files that still exist (the others are removed from the list)."""
        self.recent_menu.clear()
        files = self.recent_files()
        existing = [f for f in files if Path(f).is_file()]
        if existing != files:
            self.settings.setValue("recent_files", existing)
            files = existing
        for f in files:
            self._action(self.recent_menu, f, lambda _=False, p=f: self.open_path(Path(p)))
        self.recent_menu.setEnabled(bool(files))

