"""Start the desktop app from the command line (``enrichment-planner [FILE.json]``).

Qt is imported only when the window opens (:mod:`ui.app`), so the command line runs on
machines without PySide6 or a display.

Before Qt starts, :func:`check_display` looks for the usual reasons the X11 ("xcb") platform
plugin cannot load on a fresh Linux machine — missing system libraries such as
``libxcb-cursor0``, or no display at all — and says what to install instead of letting Qt abort
with its plugin message.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

#: the one line a fresh Debian/Ubuntu machine needs for PySide6's xcb platform plugin
APT_LINE = (
    "sudo apt-get install -y libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 "
    "libxcb-render-util0 libxcb-randr0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxkbcommon-x11-0 "
    "libegl1 libgl1 libfontconfig1 libdbus-1-3"
)

#: shared library soname -> Debian package
DEBIAN_PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
}

_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.M)


def missing_from_ldd(ldd_output: str) -> list[str]:
    """Sonames that ``ldd`` reports as 'not found'."""
    return sorted(set(_NOT_FOUND.findall(ldd_output)))


def xcb_plugin_path() -> Path | None:
    """PySide6's ``libqxcb.so``, if PySide6 is installed (found without importing it)."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    for base in spec.submodule_search_locations:
        candidate = Path(base) / "Qt" / "plugins" / "platforms" / "libqxcb.so"
        if candidate.exists():
            return candidate
    return None


def missing_xcb_libraries() -> list[str]:
    """System libraries the xcb plugin needs but cannot find (empty if unknown or fine)."""
    plugin = xcb_plugin_path()
    ldd = shutil.which("ldd")
    if plugin is None or ldd is None:
        return []
    try:
        out = subprocess.run([ldd, str(plugin)], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return []
    return missing_from_ldd(out.stdout + out.stderr)


def uses_xcb(env: dict | None = None) -> bool:
    env = os.environ if env is None else env
    platform = env.get("QT_QPA_PLATFORM", "")
    if platform:
        return platform.startswith("xcb")
    return bool(env.get("DISPLAY")) and not env.get("WAYLAND_DISPLAY")


def display_problem(env: dict | None = None, missing: list[str] | None = None) -> str | None:
    """A message explaining why the window cannot open, or None if all looks well."""
    env = os.environ if env is None else env
    if not sys.platform.startswith("linux"):
        return None
    if not env.get("QT_QPA_PLATFORM") and not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        return (
            "enrichment-planner: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set).\n"
            "Start the app from a desktop session, or use the command line "
            "(enrichment-planner compute SCENARIO.json)."
        )
    if not uses_xcb(env):
        return None
    missing = missing_xcb_libraries() if missing is None else missing
    if not missing:
        return None
    packages = sorted({DEBIAN_PACKAGES.get(m, m) for m in missing})
    return (
        "enrichment-planner: Qt's X11 (xcb) platform plugin cannot load because these system libraries "
        f"are missing: {', '.join(missing)}.\n"
        f"On Debian/Ubuntu install them with:\n  sudo apt-get install -y {' '.join(packages)}\n"
        f"(everything a fresh machine needs: {APT_LINE})"
    )


def launch_app(path: str | None = None) -> int:
    """Open the main window (with ``path`` loaded if given); returns the exit status."""
    problem = display_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    try:
        from . import app
    except ImportError as exc:
        print(
            "enrichment-planner: the desktop app could not start: "
            f"{exc}.\nInstall it with: pip install -e .  (PySide6 and matplotlib are required)\n"
            f"On a fresh Linux machine also: {APT_LINE}",
            file=sys.stderr,
        )
        return 1
    return int(app.run(path) or 0)
