"""The core must run headless: planner never imports PySide6 or ui."""

import re
import subprocess
import sys

from conftest import ROOT

PATTERN = re.compile(r"^\s*(from|import)\s+(PySide6|PyQt\w*|ui)([.\s]|$)", re.M)


def test_no_qt_import_statements_in_planner():
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "planner").rglob("*.py")
        if PATTERN.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_importing_every_core_module_loads_no_qt():
    code = (
        "import pkgutil, importlib, sys, planner\n"
        "for m in pkgutil.walk_packages(planner.__path__, 'planner.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = [n for n in sys.modules if n.split('.')[0] in ('PySide6', 'PyQt5', 'PyQt6', 'ui')]\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
