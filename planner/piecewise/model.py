"""Piecewise-exponential survival and piecewise relative accrual (scenario format version 2).

A :class:`PiecewiseSurvival` holds, for one subgroup (or cell), control hazards λ_j per time unit
on intervals [s_j, s_{j+1}) of the time since randomization (s_0 = 0, the last interval open) and
hazard ratios HR_j (treatment : control) on the same intervals; the treatment hazard is
λ_j·HR_j. A hazard ratio that changes over time is a non-proportional effect (delayed: HR 1
then < 1; waning: < 1 then towards 1). This is rpact's ``piecewiseSurvivalTime`` /
``lambda2`` / ``lambda1`` and gsDesign2's ``fail_rate`` (``duration``, ``fail_rate``, ``hr``).

A :class:`PiecewiseAccrual` holds relative accrual intensities on intervals [a_k, a_{k+1}) of
[0, A] (A the accrual time; a_0 = 0, the last interval ends at A): rpact ``accrualTime`` /
``accrualIntensity`` with relative intensities. The accrual density is
g(u) = I_k / Σ_k I_k (a_{k+1} − a_k) on [a_k, a_{k+1}).

Validation never raises on bad values: :meth:`problems` lists :class:`planner.errors.Problem`
with the field path (``positive.piecewise.starts: must increase, got [0, 6, 3]``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import Problem, ScenarioError


def _floats(values) -> tuple[float, ...]:
    try:
        return tuple(float(v) for v in np.atleast_1d(np.asarray(values, dtype=float)).ravel())
    except (TypeError, ValueError):
        return (math.nan,)


def _show(values) -> str:
    return "[" + ", ".join(f"{v:g}" for v in values) + "]"


def _starts_problems(path: str, starts: tuple[float, ...]) -> list[Problem]:
    if not starts:
        return [Problem(f"{path}.starts", "must list at least one start (the first 0)")]
    if not all(math.isfinite(s) for s in starts):
        return [Problem(f"{path}.starts", f"must be finite numbers, got {_show(starts)}")]
    out = []
    if starts[0] != 0.0:
        out.append(Problem(f"{path}.starts", f"the first start must be 0, got {_show(starts)}"))
    if any(b <= a for a, b in zip(starts, starts[1:])):
        out.append(Problem(f"{path}.starts", f"must increase, got {_show(starts)}"))
    return out


def _length_problem(path: str, name: str, values, starts) -> list[Problem]:
    if len(values) != len(starts):
        return [Problem(f"{path}.{name}",
                        f"must have one value per start ({len(starts)}), got {len(values)}")]
    return []


@dataclass(frozen=True, eq=False)
class PiecewiseSurvivalPoints:
    """Piecewise models at P points sharing the starts and control hazards, hazard ratios (P, J):
    a curve over the effect or assurance draws, integrated in one pass (the engine functions
    broadcast a leading point axis; :func:`planner.piecewise.events.expected_events`)."""

    starts: tuple[float, ...]
    control_hazards: tuple[float, ...]
    hazard_ratios: np.ndarray

    def hazards(self, arm: str) -> np.ndarray:
        """Hazards per piece of ``arm``: (J,) for the control arm, (P, J) for the treatment arm."""
        lam = np.asarray(self.control_hazards, dtype=float)
        return lam if arm == "control" else lam * self.hazard_ratios


@dataclass(frozen=True)
class PiecewiseSurvival:
    """Piecewise-exponential control hazards and hazard ratios of one subgroup (see module)."""

    starts: tuple[float, ...]
    control_hazards: tuple[float, ...]
    hazard_ratios: tuple[float, ...]

    def __post_init__(self) -> None:
        for name in ("starts", "control_hazards", "hazard_ratios"):
            object.__setattr__(self, name, _floats(getattr(self, name)))

    @classmethod
    def exponential(cls, control_hazard: float, hazard_ratio: float) -> PiecewiseSurvival:
        """One piece: the version-1 exponential model (λ = ln 2 / median, constant HR)."""
        return cls((0.0,), (float(control_hazard),), (float(hazard_ratio),))

    def problems(self, path: str = "piecewise") -> list[Problem]:
        """Every invalid field, named ``{path}.starts`` etc. (empty when valid)."""
        out = _starts_problems(path, self.starts)
        for name in ("control_hazards", "hazard_ratios"):
            values = getattr(self, name)
            out += _length_problem(path, name, values, self.starts)
            if not all(math.isfinite(v) and v > 0 for v in values):
                out.append(Problem(f"{path}.{name}", f"must all be > 0, got {_show(values)}"))
        return out

    def validate(self, path: str = "piecewise") -> PiecewiseSurvival:
        """``self`` if valid, else :class:`ScenarioError` listing every problem."""
        problems = self.problems(path)
        if problems:
            raise ScenarioError(problems)
        return self

    @property
    def pieces(self) -> int:
        return len(self.starts)

    @property
    def proportional(self) -> bool:
        """True when every hazard ratio is the same (proportional hazards)."""
        return len(set(self.hazard_ratios)) == 1

    def hazards(self, arm: str) -> np.ndarray:
        """Hazards per piece of ``arm`` ("control" or "treatment")."""
        lam = np.asarray(self.control_hazards, dtype=float)
        return lam if arm == "control" else lam * np.asarray(self.hazard_ratios, dtype=float)

    def cumulative_hazard(self, t, arm: str) -> np.ndarray:
        """Λ(t) = Σ_j h_j · |[s_j, s_{j+1}) ∩ [0, t)| (closed form, vectorized over t)."""
        t = np.asarray(t, dtype=float)[..., None]
        s = np.asarray(self.starts)
        ends = np.append(s[1:], np.inf)
        exposure = np.clip(np.minimum(t, ends) - s, 0.0, None)
        return exposure @ self.hazards(arm)

    def survival(self, t, arm: str) -> np.ndarray:
        """S(t) = exp(−Λ(t)): the assumed survival curve of ``arm`` (for plots)."""
        return np.exp(-self.cumulative_hazard(t, arm))

    def median(self, arm: str) -> float:
        """Median survival time of ``arm`` (Λ(t) = ln 2)."""
        return float(inverse_cumulative_hazard(np.log(2.0), self.starts, self.hazards(arm)))


def inverse_cumulative_hazard(x, starts, hazards) -> np.ndarray:
    """t with Λ(t) = x for the piecewise hazards ``hazards`` on ``starts`` (vectorized over x).

    Inverse-CDF sampling: for E ~ Exp(1), Λ⁻¹(E) has the piecewise-exponential distribution.
    """
    s = np.asarray(starts, dtype=float)
    h = np.asarray(hazards, dtype=float)
    cum = np.concatenate([[0.0], np.cumsum(h[:-1] * np.diff(s))])
    x = np.asarray(x, dtype=float)
    j = np.searchsorted(cum, x, side="right") - 1
    return s[j] + (x - cum[j]) / h[j]


@dataclass(frozen=True)
class PiecewiseAccrual:
    """Relative accrual intensities on intervals starting at ``starts`` within [0, A)."""

    starts: tuple[float, ...] = (0.0,)
    intensities: tuple[float, ...] = (1.0,)

    def __post_init__(self) -> None:
        object.__setattr__(self, "starts", _floats(self.starts))
        object.__setattr__(self, "intensities", _floats(self.intensities))

    def problems(self, accrual_time: float, path: str = "survival.accrual") -> list[Problem]:
        """Every invalid field for an accrual period [0, ``accrual_time``] (empty when valid)."""
        out = _starts_problems(path, self.starts)
        if self.starts and all(math.isfinite(s) for s in self.starts) and self.starts[-1] >= accrual_time:
            out.append(Problem(f"{path}.starts", f"must lie within [0, accrual_time = {accrual_time:g}), "
                                                 f"got {_show(self.starts)}"))
        out += _length_problem(path, "intensities", self.intensities, self.starts)
        values = self.intensities
        if not all(math.isfinite(v) and v >= 0 for v in values):
            out.append(Problem(f"{path}.intensities", f"must all be ≥ 0, got {_show(values)}"))
        elif not any(v > 0 for v in values):
            out.append(Problem(f"{path}.intensities", f"must not all be 0, got {_show(values)}"))
        return out

    def validate(self, accrual_time: float, path: str = "survival.accrual") -> PiecewiseAccrual:
        problems = self.problems(accrual_time, path)
        if problems:
            raise ScenarioError(problems)
        return self

    @property
    def uniform(self) -> bool:
        return len(set(self.intensities)) == 1

    def segments(self, accrual_time: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(starts a_k, ends b_k, density g_k) with Σ g_k (b_k − a_k) = 1."""
        a = np.asarray(self.starts, dtype=float)
        b = np.append(a[1:], float(accrual_time))
        w = np.asarray(self.intensities, dtype=float)
        return a, b, w / float(np.sum(w * (b - a)))

    def fraction_enrolled(self, t, accrual_time: float) -> np.ndarray:
        """G(t): the fraction of all patients enrolled by calendar time t (piecewise linear)."""
        a, b, g = self.segments(accrual_time)
        t = np.asarray(t, dtype=float)[..., None]
        return np.clip(np.minimum(t, b) - a, 0.0, None) @ g

    def enrolment_time(self, q, accrual_time: float) -> np.ndarray:
        """G⁻¹(q) for q in [0, 1]: the calendar time by which a fraction q is enrolled."""
        a, b, g = self.segments(accrual_time)
        keep = g > 0
        a, b, g = a[keep], b[keep], g[keep]
        cum = np.concatenate([[0.0], np.cumsum(g * (b - a))[:-1]])
        q = np.asarray(q, dtype=float)
        k = np.clip(np.searchsorted(cum, q, side="right") - 1, 0, len(a) - 1)
        return np.minimum(a[k] + (q - cum[k]) / g[k], float(accrual_time))


    def knots(self, accrual_time: float) -> tuple[np.ndarray, np.ndarray]:
        """(G(t_k), t_k) at the interval bounds: G⁻¹ is linear between them (``np.interp``)."""
        a, b, g = self.segments(accrual_time)
        t = np.append(a, b[-1])
        return np.concatenate([[0.0], np.cumsum(g * (b - a))]), t


UNIFORM = PiecewiseAccrual()
