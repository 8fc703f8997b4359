"""Every file the app exports is written through planner.files' atomic writer (never half-written),
with an error dialog naming the file when it cannot be written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from planner.files import atomic_write, atomic_write_text

#: matplotlib format of a figure export, by extension (explicit: the temporary name ends in .tmp)
FIGURE_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}


def save_figure(figure, path: str | Path, dpi: float | None = None) -> None:
    """``figure.savefig`` through the atomic writer, the format from the extension of ``path``."""
    fmt = FIGURE_FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise OSError(f"cannot write {path}: choose a .png, .svg or .pdf file")
    atomic_write(path, lambda tmp: figure.savefig(tmp, format=fmt, dpi=dpi))


def write_or_explain(parent: QWidget | None, path: str | Path, write: Callable[[], None], what: str) -> bool:
    """Run ``write()``; on failure show a dialog naming ``path`` (returns success)."""
    try:
        write()
    except (OSError, ValueError) as exc:
        QMessageBox.warning(parent, f"Cannot export {what}", f"Cannot write {path}:\n{exc}")
        return False
    return True


def export_text(parent: QWidget | None, path: str | Path, text: str, what: str) -> bool:
    """Write ``text`` (CSV, log) atomically, with an error dialog on failure."""
    return write_or_explain(parent, path, lambda: atomic_write_text(path, text), what)
