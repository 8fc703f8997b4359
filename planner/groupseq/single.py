"""A group-sequential plan applied to one z or t test (every fixed design but the stratified).

Sizes follow rpact's ``getSampleSizeMeans/Rates/Survival(design = getDesignGroupSequential(...))``:

* maximum size = fixed-design size × inflation factor, for every endpoint and test
  (patients; events for survival, whose patients are events / events-per-patient);
* look k at the cumulative size t_k × maximum;
* expected size under H0 and H1 = maximum × E[information fraction at stop], non-binding
  futility stops counted as if they were followed;
* per look, under H1 (the drift at which the plan has the target power): the probability of
  rejecting at that look and of stopping there.

Power at a given maximum size N follows rpact's ``getPower*``: the plan's power at the drift
δ = z_α + Φ⁻¹(P_fixed(N)), where P_fixed(N) is the fixed design's power at N (the project's
:func:`planner.power.stat_power`). This is exact for z statistics (means with a z-test, rates'
unpooled test, the log-rank test) and is rpact's construction for the t-test (``thetaAdj``) and
for rates with a pooled variance. For those two, the power at the inflated size differs
slightly from the target (up to ~0.6 % of N for rates, docs/group-sequential.md).

The detectable effect at size N under the plan is the fixed design's detectable effect at the
fixed-design power :func:`fixed_power_needed` (the P_fixed at which the plan reaches the target).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import ndtr, ndtri

from .boundaries import (
    Boundaries,
    Crossing,
    boundaries,
    crossing,
    drift_for_power,
    expected_fraction,
    power_at_drift,
)
from .plan import InterimPlan


@dataclass(frozen=True)
class Look:
    """One analysis: cumulative size, bounds on the z, p and effect scales, H1 probabilities."""

    information_rate: float
    n_randomized: float
    efficacy_z: float
    futility_z: float | None
    efficacy_p: float
    futility_p: float | None
    reject_probability: float
    stop_probability: float
    futility_probability: float
    events: float | None = None
    time: float | None = None
    efficacy_effect: float | None = None
    futility_effect: float | None = None

    def to_dict(self) -> dict:
        fin = lambda x: None if x is None or not math.isfinite(x) else float(x)  # noqa: E731
        d = {
            "information_rate": self.information_rate,
            "n_randomized": self.n_randomized,
            "efficacy_z": fin(self.efficacy_z),
            "futility_z": fin(self.futility_z),
            "efficacy_p": fin(self.efficacy_p),
            "futility_p": fin(self.futility_p),
            "efficacy_effect": fin(self.efficacy_effect),
            "futility_effect": fin(self.futility_effect),
            "reject_probability": self.reject_probability,
            "stop_probability": self.stop_probability,
            "futility_probability": self.futility_probability,
        }
        if self.events is not None:
            d["events"] = self.events
            d["time"] = fin(self.time)
        return d


@dataclass(frozen=True)
class SequentialResult:
    """A plan applied to one test at a maximum size (patients, or events for survival)."""

    plan: InterimPlan
    alpha: float
    inflation_factor: float
    drift: float               # δ under H1 at the maximum size
    power: float               # P(reject H0) under H1, futility as followed
    maximum: float             # maximum size in information units (patients; events)
    expected_h0: float
    expected_h1: float
    looks: tuple[Look, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict:
        return {
            "plan": self.plan.to_dict(),
            "alpha_one_sided": self.alpha,
            "inflation_factor": self.inflation_factor,
            "power": self.power,
            "maximum": self.maximum,
            "expected_h0": self.expected_h0,
            "expected_h1": self.expected_h1,
            "looks": [lk.to_dict() for lk in self.looks],
        }

    def summary(self) -> str:
        rows = [f"{self.plan.describe()}; inflation factor {self.inflation_factor:.4f}; "
                f"maximum {self.maximum:.1f}, expected {self.expected_h0:.1f} under H0 and {self.expected_h1:.1f} under H1"]
        for k, lk in enumerate(self.looks, 1):
            fut = "—" if lk.futility_z is None or not math.isfinite(lk.futility_z) else f"{lk.futility_z:.3f}"
            eff = "—" if not math.isfinite(lk.efficacy_z) else f"{lk.efficacy_z:.3f}"
            rows.append(f"  look {k}: t = {lk.information_rate:g}, n = {lk.n_randomized:.1f}, efficacy z ≥ {eff}, "
                        f"futility z < {fut}, P(reject) = {lk.reject_probability:.3f}, P(stop) = {lk.stop_probability:.3f}")
        return "\n".join(rows)


def equivalent_drift(alpha: float, fixed_power: ArrayLike) -> np.ndarray:
    """δ = z_α + Φ⁻¹(P_fixed): the drift of a z test with the fixed design's power."""
    p = np.clip(np.asarray(fixed_power, dtype=float), 1e-300, 1 - 1e-16)
    return -ndtri(alpha) + ndtri(p)


def sequential_power(plan: InterimPlan, alpha: float, fixed_power: ArrayLike, exact: bool = False) -> np.ndarray:
    """Power of the plan at the size where the fixed design has power ``fixed_power`` (vectorized).

    A one-look plan returns ``fixed_power`` itself (the fixed design, bit for bit).
    """
    if len(plan.information_rates) == 1:
        return np.asarray(fixed_power, dtype=float)
    return power_at_drift(boundaries(plan, alpha), equivalent_drift(alpha, fixed_power), exact=exact)


def fixed_power_needed(plan: InterimPlan, alpha: float, power: float) -> float:
    """P_fixed(N) at which the plan's power is ``power``: Φ(δ(power) − z_α)."""
    b = boundaries(plan, alpha)
    return float(ndtr(drift_for_power(b, power) + ndtri(alpha)))


def inflation(plan: InterimPlan, alpha: float, power: float) -> float:
    """Maximum size / fixed size for target ``power`` (rpact ``inflationFactor``)."""
    b = boundaries(plan, alpha)
    z = float(-ndtri(alpha) - ndtri(1.0 - power))
    return drift_for_power(b, power) ** 2 / z**2


def _looks(b: Boundaries, maximum: float, c: Crossing, units_per_patient: float | None) -> tuple[list, float, float]:
    """Each look's size, bounds and H1 probabilities (crossing ``c``, one row) and the H0/H1 expected sizes."""
    c0 = crossing(b, [0.0])
    t = b.t
    fut = list(b.futility_z)
    looks = []
    for k in range(len(t)):
        f = fut[k] if k < len(fut) and math.isfinite(fut[k]) else None
        size = float(t[k] * maximum)
        looks.append(Look(
            information_rate=float(t[k]),
            n_randomized=size if units_per_patient is None else size / units_per_patient,
            events=None if units_per_patient is None else size,
            efficacy_z=b.efficacy_z[k],
            futility_z=f,
            efficacy_p=float(ndtr(-b.efficacy_z[k])),
            futility_p=None if f is None else float(ndtr(-f)),
            reject_probability=float(c.reject[0, k]),
            stop_probability=float(c.stop[0, k]),
            futility_probability=float(c.futility[0, k]) if k < len(t) - 1 else 0.0,
        ))
    return looks, float(expected_fraction(b, c0)[0] * maximum), float(expected_fraction(b, c)[0] * maximum)


def sequential_size(plan: InterimPlan, alpha: float, fixed_size: float, power: float,
                    units_per_patient: float | None = None) -> SequentialResult:
    """Maximum size = ``fixed_size`` × inflation factor, looks and H0/H1 expected sizes.

    ``fixed_size`` is the unrounded fixed-design size in information units: patients, or
    events for survival (then give ``units_per_patient`` = events per patient, and each look's
    ``n_randomized`` is its events / events per patient, the patients whose follow-up yields them).
    """
    b = boundaries(plan, alpha)
    delta = drift_for_power(b, power)
    infl = inflation(plan, alpha, power)
    maximum = float(fixed_size) * infl
    looks, e0, e1 = _looks(b, maximum, crossing(b, [delta]), units_per_patient)
    return SequentialResult(plan, float(alpha), infl, delta, float(power_at_drift(b, delta, exact=True)),
                            maximum, e0, e1, tuple(looks))


def sequential_at(plan: InterimPlan, alpha: float, maximum: float, fixed_power: float,
                  power_target: float, units_per_patient: float | None = None,
                  h1: Crossing | None = None) -> SequentialResult:
    """The plan at a given maximum size, where the fixed design's power is ``fixed_power``.

    ``h1``: the crossing probabilities under H1 to report instead of the plan's at the drift
    z_α + Φ⁻¹(``fixed_power``) (one row; the look-wise law of :class:`planner.designs.sequential.SequentialModel`):
    each look's rejection, futility and stopping probabilities, the power and the H1 expected size."""
    b = boundaries(plan, alpha)
    delta = float(equivalent_drift(alpha, fixed_power))
    c = crossing(b, [delta]) if h1 is None else h1
    looks, e0, e1 = _looks(b, float(maximum), c, units_per_patient)
    power = float(power_at_drift(b, delta, exact=True)) if h1 is None else float(h1.power[0])
    return SequentialResult(plan, float(alpha), inflation(plan, alpha, power_target), delta,
                            power, float(maximum), e0, e1, tuple(looks))


def with_effect_scale(result: SequentialResult, efficacy: ArrayLike, futility: ArrayLike | None) -> SequentialResult:
    """``result`` with each look's bounds on the effect scale (see :mod:`.effect_scale`)."""
    from dataclasses import replace  # noqa: PLC0415

    eff = np.asarray(efficacy, dtype=float)
    fut = None if futility is None else np.asarray(futility, dtype=float)
    looks = tuple(
        replace(lk, efficacy_effect=float(eff[k]),
                futility_effect=None if fut is None or k >= fut.size or lk.futility_z is None else float(fut[k]))
        for k, lk in enumerate(result.looks)
    )
    return replace(result, looks=looks)


def with_times(result: SequentialResult, times, patients) -> SequentialResult:
    """``result`` with each survival look's calendar time and patients accrued by then."""
    from dataclasses import replace  # noqa: PLC0415

    looks = tuple(replace(lk, time=float(tm), n_randomized=float(n)) for lk, tm, n in zip(result.looks, times, patients))
    return replace(result, looks=looks)


def expected_patients(result: SequentialResult, h1: bool = True) -> float:
    """Σ_k P(stop at k) × patients accrued at look k (rpact ``expectedNumberOfSubjectsH1``)."""
    b = boundaries(result.plan, result.alpha)
    c = crossing(b, [result.drift if h1 else 0.0])
    return float(sum(c.stop[0, k] * lk.n_randomized for k, lk in enumerate(result.looks)))
