"""What the report modules share: the fixed designs of a comparison."""

from __future__ import annotations

from ..catalogue import FIXED_DESIGNS
from ..results import Comparison, DesignResult


def fixed_results(comparison: Comparison) -> dict[str, DesignResult]:
    """The fixed designs' results of a comparison (the adaptive result left out)."""
    return {k: r for k, r in comparison.designs.items() if isinstance(r, DesignResult) and k in FIXED_DESIGNS}
