"""Dropout (non-evaluable outcomes) and screening losses: sizes before and after inflation.

* Dropout d (``testing.dropout``, continuous and binary): the test needs n_E evaluable patients
  per arm; each arm randomizes n_R = ⌈n_E / (1 − d)⌉ (per arm, rounded up, as PASS and nQuery
  do, N/(1 − d); rpact leaves dropout of these endpoints to the user). At a given randomized
  size the power is computed at the expected evaluable numbers n_R (1 − d) per arm.
* Screening (``population.assay_failure`` f_A, ``population.screen_failure`` f_S): of the
  patients screened, a share f_S is ineligible for reasons other than the biomarker and a share
  f_A has no evaluable biomarker result; a design that tests patients screens
  randomized × (screened per randomized) / ((1 − f_A)(1 − f_S)) patients (the targeted design's
  screened per randomized is 1 / P(test+)). All-comers designs use no assay and screen no one.
  Screened patients and cost follow the inflated randomized size.
"""

from __future__ import annotations

import math


def inflate(n_evaluable: int | float, dropout: float) -> int:
    """Randomized patients for ``n_evaluable`` evaluable ones in one arm: ⌈n / (1 − d)⌉."""
    if dropout <= 0:
        return int(math.ceil(n_evaluable - 1e-9))
    return int(math.ceil(n_evaluable / (1.0 - dropout) - 1e-9))


def inflate_arms(n_t: int, n_c: int, dropout: float) -> tuple[int, int]:
    """Per-arm inflation of evaluable sizes (treatment, control)."""
    return inflate(n_t, dropout), inflate(n_c, dropout)


def evaluable(n_randomized: float, dropout: float) -> float:
    """Expected evaluable patients among ``n_randomized``: n (1 − d)."""
    return n_randomized * (1.0 - dropout)


def screening_factor(assay_failure: float, screen_failure: float) -> float:
    """Patients screened per patient who passes screening with an evaluable test: 1/((1 − f_A)(1 − f_S))."""
    return 1.0 / ((1.0 - assay_failure) * (1.0 - screen_failure))
