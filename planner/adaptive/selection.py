"""Interim population selection, vectorized over trials (rpact ``typeOfSelection``).

The measures are the cumulative effect estimates (continuous: mean difference; binary: rate
difference, F pooled over subsets; survival: 1/HR̂ = exp(Z/√(cD))) or the cumulative z
statistics of S, F and the remainder R, all in the benefit direction. A population dropped
once stays dropped.

* ``best`` — keep the population with the larger measure (ties: S, like R's ``which.max``).
* ``epsilon`` — keep every population whose measure is within ε of the best.
* ``all`` — keep both.
* ``threshold`` — keep S; keep F only while the remainder's (B−/test-negative) measure exceeds
  the threshold (the rule protocols state: "drop the marker-negative patients if their interim
  effect is below …"). For survival with ``effect_estimate`` the measure is 1/HR̂_R, so a
  threshold of 1 drops B− when its estimated hazard ratio is at least 1.
"""

from __future__ import annotations

import numpy as np

SELECTION_TEXT = {
    "best": "select the population with the larger interim {measure}",
    "epsilon": "select every population within ε = {epsilon:g} of the best interim {measure}",
    "all": "continue with both populations",
    "threshold": "drop the test-negative patients when their interim {measure} is ≤ {threshold:g}",
}


def select(rule: str, sel_s: np.ndarray, sel_f: np.ndarray, m_s: np.ndarray, m_f: np.ndarray,
           m_r: np.ndarray, epsilon: float = 0.0, threshold: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Populations (S, F) selected for the next stage."""
    if rule == "all":
        return sel_s.copy(), sel_f.copy()
    if rule == "threshold":
        with np.errstate(invalid="ignore"):
            keep_f = m_r > threshold
        return sel_s.copy(), sel_f & keep_f
    both = sel_s & sel_f
    if rule == "best":
        with np.errstate(invalid="ignore"):
            s_wins = ~(m_f > m_s)
        return sel_s & (~both | s_wins), sel_f & (~both | ~s_wins)
    if rule == "epsilon":
        with np.errstate(invalid="ignore"):
            best = np.fmax(m_s, m_f)
            keep_s = best - m_s <= epsilon
            keep_f = best - m_f <= epsilon
        return sel_s & (~both | keep_s), sel_f & (~both | keep_f)
    raise ValueError(f"unknown selection rule {rule!r}")  # pragma: no cover
