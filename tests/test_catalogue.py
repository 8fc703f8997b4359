"""One source of truth: no module but planner/catalogue/ defines a design label, a design
colour or a field bound (issue 9). The source of planner/ and ui/ is scanned: string literals
(docstrings excepted) containing a design label, hex colour literals of a design colour, and
calls or validators repeating a field's distinctive bound."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from planner import catalogue
from planner.catalogue import ALL_FIELDS, DESIGNS, EFFECTS, FIGURES, NEUTRAL_COLOUR

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "planner" / "catalogue"  # the package: names, fields, sweeps
SOURCES = sorted(p for d in ("planner", "ui") for p in (ROOT / d).rglob("*.py") if CATALOGUE not in p.parents)


def _strings(tree: ast.AST):
    """(line, text) of every string literal but docstrings (f-string parts included)."""
    docs = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docs.add(id(first.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            yield node.lineno, node.value


def _parsed():
    for path in SOURCES:
        yield path.relative_to(ROOT), ast.parse(path.read_text(encoding="utf-8"))


def test_sources_are_scanned():
    assert len(SOURCES) > 40
    assert any(p.name == "plots_panel.py" for p in SOURCES) and any(p.name == "html_report.py" for p in SOURCES)


def test_no_design_label_outside_the_catalogue():
    # each label as the catalogue writes it ("Biomarker-stratified", "Targeted (enrichment)"); a
    # one-word label that is also plain English ("Interaction") as "<label> design"
    words = [d.label if (" " in d.label or "-" in d.label) else f"{d.label} design" for d in DESIGNS.values()]
    pattern = re.compile("|".join(re.escape(w) for w in words))
    found = [f"{path}:{line}: {text[:60]!r}"
             for path, tree in _parsed() for line, text in _strings(tree) if pattern.search(text)]
    assert not found, "design labels outside planner/catalogue/:\n" + "\n".join(found)


def test_no_design_colour_outside_the_catalogue():
    colours = {d.colour.lower() for d in DESIGNS.values()} | {NEUTRAL_COLOUR.lower()}
    hexes = re.compile(r"#[0-9a-fA-F]{6}\b")
    found = [f"{path}:{line}: {m}"
             for path, tree in _parsed() for line, text in _strings(tree)
             for m in hexes.findall(text) if m.lower() in colours]
    assert not found, "design colours outside planner/catalogue/:\n" + "\n".join(found)


def _distinctive_bounds() -> set[float]:
    """Bounds of the catalogue's fields that are not everyday numbers (0, 1, 100, ...)."""
    everyday = {0.0, 1.0, 2.0, 3.0, 4.0, 0.5, 10.0, 100.0, 1000.0, 1e4, 1e6, 1e9}
    return {float(b) for f in ALL_FIELDS for b in (f.lo, f.hi)} - everyday


BOUND_CALLS = {"setRange", "setMinimum", "setMaximum"}
BOUND_KEYWORDS = {"ge", "gt", "le", "lt", "lo", "hi"}


def _bound_uses():
    """(path, line, value) of numeric literals given as a bound: Qt range calls and validator keywords."""
    bounds = _distinctive_bounds()
    for path, tree in _parsed():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            args = list(node.args) if name in BOUND_CALLS else []
            args += [k.value for k in node.keywords if k.arg in BOUND_KEYWORDS]
            for a in args:
                if isinstance(a, ast.Constant) and isinstance(a.value, (int, float)) and float(a.value) in bounds:
                    yield path, a.lineno, a.value


def test_no_field_bound_outside_the_catalogue():
    found = [f"{path}:{line}: {value}" for path, line, value in _bound_uses()]
    assert not found, "field bounds outside planner/catalogue/:\n" + "\n".join(found)


def test_catalogue_is_standard_library_only():
    imported: set[str] = set()
    for path in CATALOGUE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported |= {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        imported |= {n.module.split(".")[0] for n in ast.walk(tree)
                     if isinstance(n, ast.ImportFrom) and n.module and n.level == 0}  # .names etc.: the package
    assert imported <= {"__future__", "dataclasses", "typing"}


def test_figures_and_effects_are_complete():
    assert set(EFFECTS) == set(catalogue.codes("endpoint"))
    for spec in FIGURES.values():
        for endpoint in EFFECTS:
            assert "{" not in spec.x(endpoint) + spec.y(endpoint)
    assert FIGURES["power_vs_negative_effect"].x("survival") == "hazard ratio in biomarker-negative (B−) patients"
    assert list(catalogue.COMPARISON_COLUMNS)[:2] == ["design", "label"]
