"""Exact power of two-arm binary tests by enumeration of the two binomials.

For n_T treatment and n_C control patients with true rates p_T, p_C, every outcome (x, y) of
X ~ Bin(n_T, p_T), Y ~ Bin(n_C, p_C) is enumerated at once on the (n_T + 1) × (n_C + 1) grid
(numpy outer products); power = Σ P(x) P(y) 1[(x, y) rejects] = b_Tᵀ R b_C. This is the exact
*unconditional* power of the chosen test (PASS "Tests for Two Proportions", exact power;
SAS PROC POWER TWOSAMPLEFREQ; G*Power "exact unconditional power of the conditional test").

* z-tests — the test the sample size was computed for, at one-sided level α/sides in the
  direction of benefit: ``pooled`` Z = (p̂_T − p̂_C − θ0)/√V0 with V0 from the pooled rate
  (θ0 = 0) or the Farrington–Manning restricted rates (θ0 ≠ 0); ``unpooled`` V = Σ p̂(1 − p̂)/n;
  ``arcsine`` Z = (2 asin √p̂_T − 2 asin √p̂_C)/√(1/n_T + 1/n_C). A zero variance with a non-zero
  difference is ±∞ (rejects in the benefit direction); 0/0 does not reject.
* Fisher's exact test (conditional on the total x + y, one-sided): reject when
  P(X ≥ x | x + y) ≤ α/sides (hypergeometric; lower is better: P(X ≤ x | x + y)). Tests θ0 = 0 only.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln, ndtri
from scipy.stats import binom

from .noninferiority import fm_restricted_rates

#: exact power is enumerated up to this many patients per arm (a 2,001 × 2,001 grid)
MAX_PER_ARM = 2000


def _grid(n_t: int, n_c: int):
    x = np.arange(n_t + 1, dtype=float)[:, None]
    y = np.arange(n_c + 1, dtype=float)[None, :]
    return x, y


def z_statistic(n_t: int, n_c: int, method: str = "pooled", null_effect: float = 0.0) -> np.ndarray:
    """Z (treatment − control, upper = higher rate) at every outcome (x, y), shape (n_T+1, n_C+1)."""
    x, y = _grid(n_t, n_c)
    pa, pb = x / n_t, y / n_c
    if method == "arcsine":
        return (2 * np.arcsin(np.sqrt(pa)) - 2 * np.arcsin(np.sqrt(pb))) / np.sqrt(1 / n_t + 1 / n_c)
    if method == "pooled" and null_effect == 0:
        pbar = (x + y) / (n_t + n_c)
        var = pbar * (1 - pbar) * (1 / n_t + 1 / n_c)
    elif method == "pooled":
        ml1, ml2 = fm_restricted_rates(pa, pb, null_effect, n_t / n_c)
        var = ml1 * (1 - ml1) / n_t + ml2 * (1 - ml2) / n_c
    else:
        var = pa * (1 - pa) / n_t + pb * (1 - pb) / n_c
    with np.errstate(divide="ignore", invalid="ignore"):
        return (pa - pb - null_effect) / np.sqrt(var)


def z_rejects(n_t: int, n_c: int, alpha_one_sided: float, sign: float = 1.0, method: str = "pooled",
              null_effect: float = 0.0) -> np.ndarray:
    """Boolean rejection region of the one-sided z-test in the benefit direction ``sign``."""
    z = z_statistic(n_t, n_c, method, null_effect)
    with np.errstate(invalid="ignore"):
        return np.nan_to_num(sign * z, nan=-np.inf) > -ndtri(alpha_one_sided)


def _log_choose(n: float, k: np.ndarray) -> np.ndarray:
    return gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)


def fisher_p_values(n_t: int, n_c: int, sign: float = 1.0) -> np.ndarray:
    """One-sided Fisher p-value at every outcome (x, y): P(X ≥ x | X + Y = x + y) (sign < 0: ≤).

    The conditional (hypergeometric) probabilities C(n_T, x) C(n_C, s − x) / C(N, s) are laid out
    on an (x, s) array and summed along x with one cumulative sum, so the whole table costs
    O(n_T · N) operations.
    """
    x = np.arange(n_t + 1, dtype=float)[:, None]
    s = np.arange(n_t + n_c + 1, dtype=float)[None, :]
    y = s - x
    inside = (y >= 0) & (y <= n_c)
    with np.errstate(invalid="ignore"):
        logp = _log_choose(n_t, x) + _log_choose(n_c, np.clip(y, 0, n_c)) - _log_choose(n_t + n_c, s)
    pmf = np.where(inside, np.exp(logp), 0.0)
    tail = np.cumsum(pmf[::-1], axis=0)[::-1] if sign > 0 else np.cumsum(pmf, axis=0)
    xi = np.arange(n_t + 1)[:, None]
    return tail[xi, xi + np.arange(n_c + 1)[None, :]]


def fisher_rejects(n_t: int, n_c: int, alpha_one_sided: float, sign: float = 1.0) -> np.ndarray:
    """Boolean rejection region of the one-sided Fisher exact test (relative tolerance 1e-9 on α)."""
    return fisher_p_values(n_t, n_c, sign) <= alpha_one_sided * (1 + 1e-9)


def power_of_region(reject: np.ndarray, n_t: int, n_c: int, p_t: float, p_c: float) -> float:
    """Σ P(x) P(y) over the rejection region: b_Tᵀ R b_C."""
    b_t = binom.pmf(np.arange(n_t + 1), n_t, p_t)
    b_c = binom.pmf(np.arange(n_c + 1), n_c, p_c)
    return float(b_t @ reject.astype(float) @ b_c)


def exact_power(n_t: int, n_c: int, p_t: float, p_c: float, alpha_one_sided: float, sign: float = 1.0,
                method: str = "pooled", null_effect: float = 0.0) -> dict[str, float | None]:
    """``{"z": exact power of the z-test, "fisher": of Fisher's test (None when θ0 ≠ 0)}``."""
    if min(n_t, n_c) < 1 or max(n_t, n_c) > MAX_PER_ARM:
        return {"z": None, "fisher": None}
    out: dict[str, float | None] = {
        "z": power_of_region(z_rejects(n_t, n_c, alpha_one_sided, sign, method, null_effect), n_t, n_c, p_t, p_c),
        "fisher": None,
    }
    if null_effect == 0:
        out["fisher"] = power_of_region(fisher_rejects(n_t, n_c, alpha_one_sided, sign), n_t, n_c, p_t, p_c)
    return out
