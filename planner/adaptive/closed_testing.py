"""Intersection tests and the closed combination test for H_S, H_F (vectorized over trials).

Stage-wise p-values p_j = 1 − Φ(Z_j) of the populations still selected; the intersection
hypothesis H_SF ("no effect in S and none in F") gets, with m the number of selected
populations and p₍₁₎ ≤ p₍₂₎ (Bretz et al. 2006; rpact ``intersectionTest``):

* Bonferroni — min(m·p₍₁₎, 1)
* Simes (1986) — min_j m·p₍ⱼ₎/j
* Sidak — 1 − (1 − p₍₁₎)^m
* Spiessens & Debois (2010) — 1 − Φ₂(z_max, z_max; ρ), ρ the null correlation of the stage's
  Z_S and Z_F: by default from their information (continuous √(n_S v_S/Σ nᵢvᵢ), binary from the
  subsets' pooled rates, survival √(d_S/d_F); :mod:`.stages`), or rpact's head count
  √(n_S/(n_S + n_R)) with ``correlation="rpact_head_count"``;
  Φ₂(h, h; ρ) = Φ(h) − 2T(h, √((1 − ρ)/(1 + ρ))) with Owen's T (Owen 1956).

With a single selected population the intersection p-value is that population's p-value. Each
hypothesis J ∈ {H_SF, H_S, H_F} is combined over the stages at which it is tested with the
inverse-normal combination (Lehmacher & Wassmer 1999) and rejected at stage k when
Σ_{j≤k} w_j Φ⁻¹(1 − p_J,j)/√t_k ≥ c_k; rejections are kept (a hypothesis once rejected stays
rejected). H_S (H_F) is rejected at stage k when H_SF and H_S (H_F) are rejected by stage k and S
(F) is selected at stage k: the closed testing principle (Marcus, Peritz & Gabriel 1976) with
the combination test of adaptive designs (Bauer & Köhne 1994; Brannath et al. 2009).
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr, ndtri, owens_t

INTERSECTION_TEXT = {
    "simes": "Simes",
    "bonferroni": "Bonferroni",
    "sidak": "Šidák",
    "spiessens_debois": "Spiessens–Debois (correlation-adjusted)",
}

Z_CLIP = 37.0          # |Φ⁻¹(1 − p)| beyond this is numerically ±∞
RPACT_Z_CLIP = 21.273453  # rpact's C_QNORM_MAXIMUM: p ≤ 1e-100 or p = 1 map to ±21.27


def intersection_p(test: str, srt: np.ndarray, m, zmax: np.ndarray | None = None,
                   rho: np.ndarray | float = 0.0) -> np.ndarray:
    """p-value of an intersection hypothesis (the module's formulas; both engines use this one).

    ``srt``: the stage-wise p-values of its members (rows), sorted ascending, members no
    longer selected last as +inf; ``m``: the number selected (a number, or one per trial);
    ``zmax``: the largest selected z (Spiessens–Debois, two members only).
    """
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        if test == "bonferroni":
            out = m * srt[0]
        elif test == "simes":  # min_j m p₍ⱼ₎/j over the selected (m = 0: not tested anyway)
            out = m * srt[0]
            for j in range(1, len(srt)):
                term = m * srt[j] / (j + 1)
                out = np.minimum(out, np.where(np.isfinite(srt[j]), term, np.inf) if np.ndim(m) else term)
        elif test == "sidak":
            out = -np.expm1(m * np.log1p(-np.minimum(srt[0], 1.0)))
        elif test == "spiessens_debois":
            a = np.sqrt((1.0 - rho) / (1.0 + rho))
            out = ndtr(-zmax) + 2.0 * owens_t(zmax, a)
            if np.ndim(m):
                out = np.where(m == 2, out, srt[0])
        else:  # pragma: no cover - validated by the scenario reader
            raise ValueError(f"unknown intersection test {test!r}")
    return np.minimum(out, 1.0)


def intersection_z(test: str, z_s: np.ndarray, z_f: np.ndarray, rho: np.ndarray | float,
                   rpact_compat: bool = False) -> np.ndarray:
    """Φ⁻¹(1 − p_SF) of the intersection test when both S and F are selected."""
    zmax = np.maximum(z_s, z_f)
    srt = (ndtr(-zmax), ndtr(-np.minimum(z_s, z_f)))
    return p_to_z(intersection_p(test, srt, 2, zmax, rho), rpact_compat)


def closed_rejections(rej_int: np.ndarray, contains: np.ndarray) -> np.ndarray:
    """The closed testing principle: hypothesis h is rejected when every intersection containing
    it is (``rej_int``: intersections × trials; ``contains``: hypotheses × intersections)."""
    return np.stack([rej_int[row].all(axis=0) for row in contains])


def futile(stat: np.ndarray, bound: float | None, tested: np.ndarray, contains: np.ndarray,
           sel: np.ndarray) -> np.ndarray:
    """rpact's non-binding futility rule: stop when every selected hypothesis has a tested
    intersection containing it whose combination statistic is at or below ``bound`` (z scale;
    Fisher: the stage-wise z). Rows as in :func:`closed_rejections`; ``sel``: hypotheses × trials."""
    if bound is None:
        return np.zeros(stat.shape[1], dtype=bool)
    low = tested & (stat <= bound)
    fut = np.stack([low[row].any(axis=0) for row in contains])
    return (~sel | fut).all(axis=0)


def p_to_z(p: np.ndarray, rpact_compat: bool = False) -> np.ndarray:
    """Φ⁻¹(1 − p), clipped to ±37 (rpact: p ≤ 1e-100 → 21.27, p = 1 → −21.27)."""
    p = np.clip(p, 0.0, 1.0)
    if rpact_compat:
        p = np.where(p <= 0, 1e-100, p)
        with np.errstate(divide="ignore"):
            z = -ndtri(p)
        return np.where(np.abs(z) > 21.0, np.sign(z) * RPACT_Z_CLIP, z)
    with np.errstate(divide="ignore"):
        z = -ndtri(p)
    return np.clip(z, -Z_CLIP, Z_CLIP)


def rpact_separate_z(z: np.ndarray) -> np.ndarray:
    """rpact's round trip Z → p = 1 − Φ(Z) → Φ⁻¹(1 − p) (loses |Z| > 8.3)."""
    return p_to_z(1.0 - ndtr(z), rpact_compat=True)
