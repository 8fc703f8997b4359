"""Enrichment Planner desktop app (PySide6). Thin: edits a Scenario, calls planner, shows results."""
