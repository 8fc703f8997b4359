"""Writing report files: atomically, with the permissions an ordinary file would get."""

from __future__ import annotations

import os
from pathlib import Path

from ..scenario_io import atomic_write_text


def default_mode() -> int:
    """0o666 minus the process umask (what ``open(path, "w")`` would give a new file)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_text_file(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` atomically (temporary file + rename, never half-written), mode as ``open``."""
    atomic_write_text(Path(path), text)
