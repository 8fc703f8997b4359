"""Help: the methods page (from docs/methods.md and the README's methods) and About."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

import planner

ROOT = Path(__file__).resolve().parent.parent


def methods_markdown() -> str:
    """The methods text: README's 'Methods' section followed by docs/methods.md."""
    parts = []
    readme = ROOT / "README.md"
    if readme.exists():
        text = readme.read_text(encoding="utf-8")
        start = text.find("## Methods")
        if start >= 0:
            end = text.find("\n## ", start + 5)
            parts.append(text[start:end if end > 0 else None])
    methods = ROOT / "docs" / "methods.md"
    if methods.exists():
        parts.append(methods.read_text(encoding="utf-8"))
    return "\n\n".join(parts) or (
        "# Methods\n\nThe methods notes are not installed with this copy. See docs/methods.md in the "
        "Enrichment Planner source."
    )


class MethodsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Enrichment Planner — Methods and references")
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        self.browser.setMarkdown(methods_markdown())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.resize(820, 700)


def about_text() -> str:
    import matplotlib
    import numpy
    import scipy
    from PySide6 import __version__ as pyside_version

    return (
        f"<h3>Enrichment Planner {planner.__version__}</h3>"
        "<p>Plan biomarker-driven clinical trials: sample size, screening, events, cost and power of "
        "all-comers, targeted, biomarker-stratified, biomarker-strategy, interaction and adaptive "
        "enrichment designs. Everything is computed locally; every number can be reproduced from the "
        "scenario file with <code>enrichment-planner compute</code>.</p>"
        f"<p>PySide6 {pyside_version} · matplotlib {matplotlib.__version__} · numpy {numpy.__version__} · "
        f"scipy {scipy.__version__}</p><p>License: MIT</p>"
    )


def show_about(parent: QWidget) -> None:
    QMessageBox.about(parent, "About Enrichment Planner", about_text())
