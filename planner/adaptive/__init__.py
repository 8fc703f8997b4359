"""Adaptive enrichment designs evaluated by simulation (no Qt, numpy only).

K-stage (1 to 5; 1: no interim) designs with the populations S (test-positive) and F (everyone), interim
selection, closed testing and the inverse-normal combination test, with the semantics of rpact's
``getSimulationEnrichmentMeans/Rates/Survival`` (see ``docs/adaptive.md``).

* :func:`simulate_scenario` — the scenario's ``designs.adaptive`` → :class:`AdaptiveResult`.
* :func:`simulate_model` — the same for an explicit :class:`SimModel`.
* :func:`search_sample_size` — the smallest planned size reaching a target power.
"""

from __future__ import annotations

from .api import simulate_model, simulate_scenario
from .boundaries import critical_values
from .model import SimModel, model_from_scenario
from .results import AdaptiveResult
from .search import SearchResult, search_sample_size
from .simulate import BLOCK, DEFAULT_CHUNK

__all__ = [
    "AdaptiveResult",
    "BLOCK",
    "DEFAULT_CHUNK",
    "SearchResult",
    "SimModel",
    "critical_values",
    "model_from_scenario",
    "search_sample_size",
    "simulate_model",
    "simulate_scenario",
]
