"""Enrichment Planner computational core: no Qt, no ui imports (enforced by a test)."""

__version__ = "0.1.0"
