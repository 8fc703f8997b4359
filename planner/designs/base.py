"""Design models: power of a design's claims as a vectorized function of total randomized N.

A model holds arrays of one common shape (a scalar scenario has shape ``()``; a curve over
prevalence has shape ``(200,)``). ``claims(n, idx)`` evaluates the power of every claim at the
total sample sizes ``n`` for the flattened elements ``idx`` — the form that
``scipy.optimize.elementwise.find_root`` needs, since it evaluates only unfinished elements.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from ..contrasts import Stat
from ..power import stat_power


def flat(arr: ArrayLike, shape: tuple[int, ...], idx) -> np.ndarray:
    """Elements ``idx`` of ``arr`` broadcast to ``shape`` and flattened."""
    return np.broadcast_to(np.asarray(arr, dtype=float), shape).reshape(-1)[idx]


@dataclass(frozen=True)
class DesignModel:
    """What every design provides besides its claims' power."""

    name: str
    endpoint: str
    alpha: float
    sides: int
    shape: tuple[int, ...]
    method: str
    screened_per_randomized: np.ndarray
    events_per_patient: np.ndarray | None
    primary: str = "power"
    details: dict = field(default_factory=dict)

    def claims(self, n: ArrayLike, idx=slice(None)) -> dict[str, np.ndarray]:  # pragma: no cover
        raise NotImplementedError

    def power(self, n: ArrayLike, idx=slice(None)) -> np.ndarray:
        """Power of the claim the design is sized for."""
        return self.claims(n, idx)[self.primary]

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=int))

    def feasible(self) -> np.ndarray:
        """Where the sized-for claim's power can rise to 1 as N grows (flattened)."""
        return np.ones(self.size, dtype=bool)


@dataclass(frozen=True)
class SingleTestModel(DesignModel):
    """A design whose claim is one z or t test."""

    stat: Stat | None = None

    def claims(self, n: ArrayLike, idx=slice(None)) -> dict[str, np.ndarray]:
        drift = flat(self.stat.drift, self.shape, idx)
        ratio = flat(self.stat.ratio, self.shape, idx)
        s = Stat(drift, ratio, self.stat.t_test)
        return {"power": stat_power(s, n, self.alpha, self.sides)}

    def feasible(self) -> np.ndarray:
        return flat(self.stat.drift, self.shape, slice(None)) > 0
