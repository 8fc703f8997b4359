"""Errors raised by the core. Every message names the field path and the reason."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One invalid field: ``path`` like ``positive.hazard_ratio`` and a reason."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}" if self.path else self.reason


class ScenarioError(ValueError):
    """A scenario file or dictionary is invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def for_field(self, path: str) -> list[str]:
        """Reasons reported for ``path`` (for inline messages next to a widget)."""
        return [p.reason for p in self.problems if p.path == path]


class ComputationError(RuntimeError):
    """A design cannot be computed for a valid scenario (e.g. no effect to size for)."""
