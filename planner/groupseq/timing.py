"""Calendar time of event-driven looks (uniform accrual, exponential events and dropout).

N patients accrue uniformly over [0, a]; a patient of cell c (a share w_c of the patients —
one arm of one subgroup) has exponential event hazard λ_c and dropout hazard η, so the
probability of an observed event within u of entry is F_c(u) = λ_c/(λ_c+η)(1 − e^{−(λ_c+η)u}).
Expected events by calendar time τ (rpact ``getSampleSizeSurvival``'s ``analysisTime``):

    D(τ) = (N/a) Σ_c w_c ∫_0^{min(τ,a)} F_c(τ − s) ds
         = (N/a) Σ_c w_c λ_c/μ_c [m − (e^{−μ_c(τ−m)} − e^{−μ_c τ})/μ_c],  m = min(τ, a), μ_c = λ_c + η.

At τ = a + f this is N Σ_c w_c P_c(event) of :func:`planner.survival.event_probability`.
The look at cumulative events d_k is at the τ_k with D(τ_k) = d_k; the patients accrued by then
are N·min(1, τ_k/a).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.optimize import brentq


def expected_events(tau: float, n: float, cells: Sequence[tuple[float, float]], accrual_time: float,
                    dropout_hazard: float = 0.0) -> float:
    """D(τ): expected events by calendar time τ (cells = (share of patients, event hazard))."""
    a = float(accrual_time)
    m = min(tau, a)
    total = 0.0
    for w, lam in cells:
        mu = lam + dropout_hazard
        inner = m - (np.exp(-mu * (tau - m)) - np.exp(-mu * tau)) / mu
        total += w * lam / mu * inner
    return float(n / a * total)


def look_times(events: Sequence[float], n: float, cells: Sequence[tuple[float, float]], accrual_time: float,
               follow_up_time: float, dropout_hazard: float = 0.0) -> list[float]:
    """Calendar times at which the expected events reach each of ``events`` (the last ≤ a + f)."""
    end = float(accrual_time + follow_up_time)
    out = []
    for d in events:
        f = lambda tau, d=d: expected_events(tau, n, cells, accrual_time, dropout_hazard) - d  # noqa: E731
        if f(end) <= 1e-9 * max(d, 1.0):
            out.append(end if f(end) > -1e-6 * max(d, 1.0) else float("nan"))
            continue
        out.append(float(brentq(f, 1e-12, end, xtol=1e-10)))
    return out


def patients_at(times: Sequence[float], n: float, accrual_time: float) -> list[float]:
    """Patients accrued by each calendar time: N·min(1, τ/a)."""
    return [float(n * min(1.0, t / accrual_time)) for t in times]
