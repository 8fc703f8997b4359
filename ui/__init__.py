"""Enrichment Planner desktop app (PySide6). Thin: edits a Scenario, calls planner, shows results."""

from . import qt_compat  # noqa: F401  (guards against PySide6 6.12.0's refcount bug on Python 3.11)
