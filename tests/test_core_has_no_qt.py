"""The core must run headless: planner never imports or loads PySide6 (or any Qt) or ui.

Three checks:

* a static scan of every planner module's syntax tree: no ``import``/``from`` of a forbidden
  package, no loader call (``importlib.import_module``, ``__import__``,
  ``importlib.util.find_spec``, ``pkgutil``/``runpy`` loaders …) given a string naming one,
  and no other string constant that is such a module name (``"ui.report_pdf"`` kept in a
  variable for a later ``import_module``);
* importing every planner module, with an import hook that records every attempt to find a
  forbidden module (``find_spec`` included), loads none and attempts none;
* computing and building the HTML report of an example (lazy imports included) loads none.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import textwrap

import pytest
from conftest import ROOT

FORBIDDEN = ("PySide6", "PySide2", "PyQt5", "PyQt6", "shiboken6", "shiboken2", "ui")
#: functions that import, find or run a module given its name
LOADERS = frozenset({
    "import_module", "__import__", "find_spec", "find_loader", "find_module", "load_module",
    "run_module", "get_loader", "spec_from_loader", "resolve_name",
})
_TOP = "|".join(FORBIDDEN)
#: a string that names a forbidden module: "ui", "ui.report_pdf", "PySide6.QtGui", "ui." (prefix)
MODULE_NAME = re.compile(rf"^\s*({_TOP})(\.[\w.]*)?\s*$")


def _forbidden(name: str | None) -> bool:
    return bool(name) and name.split(".")[0] in FORBIDDEN


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def _call_name(call: ast.Call) -> str:
    f = call.func
    if isinstance(f, ast.Name):
        return f.id
    if isinstance(f, ast.Attribute):
        return f.attr
    return ""


def _strings(node: ast.AST) -> list[str]:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def offences(source: str, filename: str = "<source>") -> list[str]:
    """Every place in ``source`` that imports or loads a forbidden module, as ``file:line: what``."""
    tree = ast.parse(source, filename)
    docstrings = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import):
            found += [f"{filename}:{line}: import {a.name}" for a in node.names if _forbidden(a.name)]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and _forbidden(node.module):
                found.append(f"{filename}:{line}: from {node.module} import …")
        elif isinstance(node, ast.Call) and _call_name(node) in LOADERS:
            args = [*node.args, *(k.value for k in node.keywords)]
            named = [s for a in args for s in _strings(a) if _forbidden(s.strip())]
            found += [f"{filename}:{line}: {_call_name(node)}({s!r})" for s in named]
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and id(node) not in docstrings and MODULE_NAME.match(node.value)):
            found.append(f"{filename}:{line}: string {node.value!r} names a forbidden module")
    return sorted(set(found))


def test_no_qt_or_ui_import_or_load_in_planner():
    found = []
    for path in sorted((ROOT / "planner").rglob("*.py")):
        found += offences(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert found == []


CAUGHT = [
    "from PySide6.QtGui import QColor",
    "import PySide6",
    "import ui.app as app",
    "from ui import report_pdf",
    "import importlib\nimportlib.import_module('ui.report_pdf')",
    "from importlib import import_module\nimport_module('PySide6.QtWidgets')",
    "import importlib\nimportlib.import_module('.report_pdf', package='ui')",
    "__import__('ui')",
    "__import__('PySide6.QtCore', fromlist=['Qt'])",
    "import importlib.util\nimportlib.util.find_spec('ui')",
    "import importlib.util\nimportlib.util.find_spec('PySide6')",
    "import importlib\nimportlib.import_module('ui' + '.app')",
    "import importlib\nx = 'app'\nimportlib.import_module(f'ui.{x}')",
    "import runpy\nrunpy.run_module('ui.app')",
    "import pkgutil\npkgutil.find_loader('PyQt6')",
    "MODULE = 'ui.report_pdf'\n",
]
ALLOWED = [
    "import importlib.util\nimportlib.util.find_spec('planner.adaptive')",
    "import importlib\nimportlib.import_module('planner.report')",
    '"""Printed to PDF by ui.report_pdf (the ui package), never imported here."""',
    "def f():\n    'Uses ui.report_pdf.'\n",
    "label = 'ui elements'\nfrom .ui_helpers import x",
    "import uikit",
    "from . import ui",  # a relative module called ui inside planner would be planner.ui
]


@pytest.mark.parametrize("source", CAUGHT)
def test_scan_catches(source):
    assert offences(source), source


@pytest.mark.parametrize("source", ALLOWED)
def test_scan_allows(source):
    assert offences(source) == [], source


RECORDER = textwrap.dedent(
    """
    import sys

    FORBIDDEN = {forbidden!r}
    attempts = []

    class Recorder:
        # first on sys.meta_path: sees every import and every importlib.util.find_spec
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in FORBIDDEN:
                attempts.append(name)
            return None

    sys.meta_path.insert(0, Recorder())
    """
).format(forbidden=FORBIDDEN)

REPORT = """
def finish():
    loaded = sorted(n for n in sys.modules if n.split(".")[0] in FORBIDDEN)
    print("loaded", loaded, "attempted", sorted(set(attempts)))
    sys.exit(1 if loaded or attempts else 0)
"""


def _run(body: str) -> subprocess.CompletedProcess:
    code = RECORDER + REPORT + textwrap.dedent(body) + "\nfinish()\n"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def test_importing_every_core_module_loads_no_qt_or_ui():
    out = _run(
        """
        import importlib, pkgutil, planner
        for m in pkgutil.walk_packages(planner.__path__, "planner."):
            importlib.import_module(m.name)
        """
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_computing_and_reporting_load_no_qt_or_ui():
    """Lazy imports inside functions run too: compute, assurance and the HTML report."""
    out = _run(
        """
        from planner.assurance import assurance_for_comparison
        from planner.compute import compare_designs
        from planner.report import build_report
        from planner.scenario_io import load_scenario

        s = load_scenario("resources/scenarios/egfr_nsclc_ipass.json")
        comparison = compare_designs(s)
        assurance_for_comparison(s, comparison, with_size=False)
        build_report(s, include_figures=True, include_adaptive=False)
        """
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_recorder_sees_find_spec():
    """The import hook itself works: a find_spec of ui is recorded."""
    out = _run("import importlib.util\nimportlib.util.find_spec('ui')\n")
    assert out.returncode == 1 and "attempted ['ui']" in out.stdout, out.stdout + out.stderr
