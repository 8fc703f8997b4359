"""Assay misclassification (Simon & Maitournam 2004; Maitournam & Simon 2005).

With true prevalence γ, sensitivity se and specificity sp:

* P(test+) = γ·se + (1 − γ)(1 − sp)
* PPV = P(B+ | test+) = γ·se / P(test+)
* NPV = P(B− | test−) = (1 − γ)·sp / (1 − P(test+)); the B+ share among test-negatives is 1 − NPV.

Every function is vectorized: arguments may be numpy arrays that broadcast.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike


@dataclass(frozen=True)
class AssayMix:
    """Shares of true B+ patients in the populations an assay defines."""

    p_test_positive: np.ndarray
    ppv: np.ndarray
    npv: np.ndarray

    @property
    def positive_share_in_test_negative(self) -> np.ndarray:
        """P(B+ | test−) = 1 − NPV."""
        return 1.0 - self.npv

    def to_dict(self) -> dict[str, float]:
        return {
            "p_test_positive": float(self.p_test_positive),
            "ppv": float(self.ppv),
            "npv": float(self.npv),
        }


def assay_mix(prevalence: ArrayLike, sensitivity: ArrayLike, specificity: ArrayLike) -> AssayMix:
    """P(test+), PPV and NPV of an assay applied to a population with B+ prevalence γ."""
    g = np.asarray(prevalence, dtype=float)
    se = np.asarray(sensitivity, dtype=float)
    sp = np.asarray(specificity, dtype=float)
    p_pos = g * se + (1.0 - g) * (1.0 - sp)
    ppv = g * se / p_pos
    npv = (1.0 - g) * sp / (1.0 - p_pos)
    return AssayMix(p_pos, ppv, npv)
