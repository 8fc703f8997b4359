"""Interim population selection, vectorized over trials (rpact ``typeOfSelection``).

The measures are the cumulative effect estimates (continuous: mean difference; binary: rate
difference, F pooled over subsets; survival: 1/HR̂ = exp(Z/√(cD))) or the cumulative z
statistics of S, F and the remainder R, all in the benefit direction. A population dropped
once stays dropped.

* ``best`` — keep the population with the larger measure.
* ``epsilon`` — keep every population whose measure is within ε of the best (best − m ≤ ε).
* ``all`` — keep both.
* ``threshold`` — keep S; keep F only while the remainder's (B−/test-negative) measure exceeds
  the threshold, i.e. drop F when it is at or below it (rpact's rule: a population whose measure
  is ≤ ``threshold`` is not selected). For survival with ``effect_estimate`` the measure is
  1/HR̂_R, so a threshold of 1 drops B− when its estimated hazard ratio is at least 1.

Exact ties. Binary measures are ratios of counts and tie exactly in a few percent of interims
(S and F estimates equal, a distance of exactly ε, a remainder estimate exactly at the
threshold). rpact breaks them at random: it adds ``runif(gMax, -1e-5, 1e-5)`` to the measures
before selecting (rpact 3.3.4, ``f_simulation_enrichment_rates.R``), so each side of an exact
tie wins with probability 1/2. ``keys`` (two uniform numbers per trial from the trial's own
random stream) do the same without moving any measure: values within 1e-12 (relative) are
equal, and among equal values the larger key counts as larger — an infinitesimal version of
rpact's jitter. Without ``keys`` (continuous and survival measures, which tie with probability
0) a tie keeps S, like R's ``which.max``, and equality with the threshold drops F.
"""

from __future__ import annotations

import numpy as np

SELECTION_TEXT = {
    "best": "select the population with the larger interim {measure}",
    "epsilon": "select every population within ε = {epsilon:g} of the best interim {measure}",
    "all": "continue with both populations",
    "threshold": "drop the test-negative patients when their interim {measure} is ≤ {threshold:g}",
    "rbest": "select the {r} population(s) with the largest interim {measure}",
}

#: the rules over several populations (:func:`.kpop.select_k`, rpact ``typeOfSelection``)
K_SELECTION_TEXT = {
    "best": "select the population (F or one of the populations) with the largest interim {measure}",
    "rbest": "select the {r} populations with the largest interim {measure} (rpact rBest)",
    "epsilon": "select every population within ε = {epsilon:g} of the largest interim {measure}",
    "all": "continue with every population",
    "threshold": "keep every population whose interim {measure} exceeds {threshold:g}",
}


TIE_TOLERANCE = 1e-12


def _equal(a: np.ndarray, b, tol: float = TIE_TOLERANCE) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.abs(a - b) <= tol * np.maximum(1.0, np.maximum(np.abs(a), np.abs(b)))


def _greater(a: np.ndarray, b: np.ndarray, ka, kb) -> np.ndarray:
    """a > b, with exact ties decided by the keys (ka > kb) when keys are given."""
    with np.errstate(invalid="ignore"):
        if ka is None:
            return a > b
        eq = _equal(a, b)
        return (~eq & (a > b)) | (eq & (ka > kb))


def select(rule: str, sel_s: np.ndarray, sel_f: np.ndarray, m_s: np.ndarray, m_f: np.ndarray,
           m_r: np.ndarray, epsilon: float = 0.0, threshold: float = 0.0,
           keys: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Populations (S, F) selected for the next stage (``keys``: random tie-breaking keys)."""
    k_s, k_f = keys if keys is not None else (None, None)
    if rule == "all":
        return sel_s.copy(), sel_f.copy()
    if rule == "threshold":
        with np.errstate(invalid="ignore"):
            keep_f = m_r > threshold
            if keys is not None:
                tie = _equal(m_r, threshold)
                keep_f = (keep_f & ~tie) | (tie & (k_f > k_s))
        return sel_s.copy(), sel_f & keep_f
    both = sel_s & sel_f
    f_greater = _greater(m_f, m_s, k_f, k_s)
    if rule == "best":
        s_wins = ~f_greater  # also where a measure is NaN
        return sel_s & (~both | s_wins), sel_f & (~both | ~s_wins)
    if rule == "epsilon":
        f_best = f_greater | (np.isnan(m_s) & ~np.isnan(m_f))  # as np.fmax
        best = np.where(f_best, m_f, m_s)
        with np.errstate(invalid="ignore"):
            if keys is None:
                keep_s = best - m_s <= epsilon
                keep_f = best - m_f <= epsilon
            else:
                k_best = np.where(f_best, k_f, k_s)
                keep_s = _within(best - m_s, epsilon, k_s >= k_best)
                keep_f = _within(best - m_f, epsilon, k_f >= k_best)
        return sel_s & (~both | keep_s), sel_f & (~both | keep_f)
    raise ValueError(f"unknown selection rule {rule!r}")  # pragma: no cover


def _within(gap: np.ndarray, epsilon: float, wins_tie: np.ndarray) -> np.ndarray:
    """gap ≤ ε, a gap of exactly ε decided by the tie-breaking keys."""
    tie = _equal(gap, epsilon)
    with np.errstate(invalid="ignore"):
        return (~tie & (gap <= epsilon)) | (tie & wins_tie)
