"""Power of one z or t statistic as a function of the total number of patients N.

The statistic is Z ~ N(drift·√N, ratio²) under H1 and N(0, 1) under H0 (see
:class:`planner.contrasts.Stat`). Power uses statsmodels:

* z: ``statsmodels.stats.power.normal_power_het(drift, N, α, 1, ratio, "larger")``
  = Φ((drift·√N − z_α) / ratio) — rpact ``getSampleSizeMeans(normalApproximation = TRUE)``,
  ``getSampleSizeRates`` (pooled variance under H0, unpooled under H1) and
  ``getSampleSizeSurvival`` (Schoenfeld) are this formula.
* t: ``statsmodels.stats.power.ttest_power(drift, N, α, df = N − 2, "larger")``, the
  noncentral t with noncentrality drift·√N (rpact ``getSampleSizeMeans``, df = N − 2).

Two-sided tests use α/2 in the direction of benefit; a rejection in the wrong direction is not
counted as power. This is rpact's sample-size convention (``twoSidedPower = FALSE``); rpact's
``getPower*`` adds the wrong-direction tail, which is below 1e-6 for any design with power > 0.5.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import nctdtr, ndtr, ndtri, stdtrit

from .contrasts import Stat


def one_sided_alpha(alpha: float, sides: int) -> float:
    return alpha / sides


def _arguments(stat: Stat, n: ArrayLike, alpha: float, sides: int, idx):
    """N as floats, the one-sided level, and the drift and sd ratio of elements ``idx``."""
    drift = np.broadcast_to(stat.drift, np.broadcast_shapes(np.shape(stat.drift), np.shape(stat.ratio)))
    ratio = np.broadcast_to(stat.ratio, drift.shape)
    drift = drift[idx] if drift.ndim else drift
    ratio = ratio[idx] if ratio.ndim else ratio
    return np.asarray(n, dtype=float), one_sided_alpha(alpha, sides), drift, ratio


def stat_power(stat: Stat, n: ArrayLike, alpha: float, sides: int, idx=slice(None)) -> np.ndarray:
    """Power at N total patients (array), benefit direction, level α/sides.

    Evaluates statsmodels' ``normal_power_het`` and ``ttest_power`` ("larger") through the
    scipy.special functions they call, without their per-call argument handling and
    scipy.stats dispatch (this is the innermost function of every root search):
    ``norm.isf(a) = −ndtri(a)``, ``norm.sf(x) = ndtr(−x)``, ``t.isf(a, df) = −stdtrit(df, a)``
    and statsmodels' ``nct_sf(x, df, nc) = 1 − nctdtr(df, nc, x)`` — the same operations in the
    same order, so the same numbers bit for bit (tests/test_perf_invariants.py checks this
    against statsmodels).
    """
    n, a, drift, ratio = _arguments(stat, n, alpha, sides, idx)
    crit = -ndtri(a)
    z = np.asarray(ndtr(-(crit * (1.0 / ratio) - drift * np.sqrt(n) / ratio)), dtype=float)
    if stat.t_test:
        df = np.maximum(n - 2.0, 1e-3)
        with np.errstate(invalid="ignore"):
            crit_upp = -stdtrit(df, a)
            if np.any(np.isnan(crit_upp)):
                return np.broadcast_to(z, np.broadcast_shapes(z.shape, df.shape)).copy()
            out = np.asarray(1 - nctdtr(df, drift * np.sqrt(n), crit_upp), dtype=float)
        # scipy's noncentral t returns NaN for some large noncentralities (about 37 to 40), where
        # the power is 1 to machine precision; the normal power is then the same number.
        return np.where(np.isnan(out), z, out)
    return z


def stat_power_statsmodels(stat: Stat, n: ArrayLike, alpha: float, sides: int, idx=slice(None)) -> np.ndarray:
    """Reference implementation of :func:`stat_power` through statsmodels (used by the tests)."""
    from statsmodels.stats.power import normal_power_het, ttest_power

    n, a, drift, ratio = _arguments(stat, n, alpha, sides, idx)
    z = np.asarray(normal_power_het(drift, n, a, 1.0, ratio, alternative="larger"), dtype=float)
    if stat.t_test:
        df = np.maximum(n - 2.0, 1e-3)
        with np.errstate(invalid="ignore"):
            out = np.asarray(ttest_power(drift, nobs=n, alpha=a, df=df, alternative="larger"), dtype=float)
        return np.where(np.isnan(out), z, out)
    return z
