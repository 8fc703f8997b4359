"""Main window (first version): open a scenario and show the design comparison."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMainWindow, QPlainTextEdit

from planner.compute import compare_designs
from planner.errors import ScenarioError
from planner.scenario_io import load_scenario


def default_example() -> Path | None:
    folder = Path(__file__).resolve().parent.parent / "resources" / "scenarios"
    files = sorted(folder.glob("*.json"))
    return files[0] if files else None


class MainWindow(QMainWindow):
    def __init__(self, path: str | None = None) -> None:
        super().__init__()
        self.text = QPlainTextEdit(readOnly=True)
        self.setCentralWidget(self.text)
        menu = self.menuBar().addMenu("&File")
        menu.addAction("&Open…", self.open_dialog)
        menu.addAction("&Quit", self.close)
        self.resize(900, 700)
        target = Path(path) if path else default_example()
        if target is not None:
            self.open(target)

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open scenario", "", "Scenarios (*.json)")
        if path:
            self.open(Path(path))

    def open(self, path: Path) -> None:
        try:
            scenario = load_scenario(path)
        except ScenarioError as err:
            self.text.setPlainText(f"Cannot open {path}:\n{err}")
            return
        self.setWindowTitle(f"Enrichment Planner — {scenario.title or path.name}")
        self.text.setPlainText(compare_designs(scenario).summary())
