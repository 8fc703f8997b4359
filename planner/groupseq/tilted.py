"""The one-statistic recursion with a drift-free kernel, reused across drifts (a faster ``_Walk``).

One step of the recursion of :mod:`planner.groupseq.boundaries` (Armitage, McPherson & Rowe
1969; Jennison & Turnbull 2000, ch. 19) maps the sub-density on the grid z_j of look k to the
grid z'_i of look k + 1 through the kernel φ(x_ij − e), x_ij = (z'_i√t_{k+1} − z_j√t_k)/√Δ_k,
e = (E S_{k+1} − E S_k)/√Δ_k the drift's increment. Completing the square (exponential tilting),

    exp(−½(x_ij − e)²) = exp(−½x_ij²) · e^{e·a_i} · e^{−e·b_j} · e^{e·g − e²/2},

with x_ij = a_i − b_j + g (a, b the two grids' scaled points about their centres, g the
difference of the centres). The first factor does not depend on the drift: where every drift's
grids coincide (the continuation region is cut by the bounds, not by E Z_k ± WIDTH — with a
futility bound and a finite efficacy bound, the usual case), it is computed once per pair of
grids and look times and kept (:data:`_KERNELS`), and each step is a matrix product scaled by
the tilts: a root search over the drift, the points of a curve and the designs of a comparison
share it. The grids, Simpson weights and everything else are those of ``_Walk``; the result
differs from the direct kernel by rounding only (the exponent's rounding, ~1e-14 relative;
tests/test_lookwise_speed.py). Where the tilts could leave the range of doubles (|e·a|, |e·b|
> :data:`TILT_MAX`) or the grids differ between drifts, the step is ``_Walk``'s own.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from functools import lru_cache

import numpy as np

from ..memo import keep, touch
from .boundaries import WIDTH, _simpson, _Walk

TILT_MAX = 300.0    # |log tilt| allowed: where the drift-free kernel underflows the true one is < e^(−745+600)
_KERNELS: OrderedDict = OrderedDict()   # (grid ends, √t_k, √t_{k+1}, √Δ) → drift-free kernel (n, n)
_KERNELS_SIZE = 8                       # 301² doubles (0.7 MB) each


def _kernel(key: tuple, a: np.ndarray, b: np.ndarray, g: float) -> np.ndarray:
    """exp(−½(a_i − b_j + g)²), kept per ``key`` (least recently used dropped)."""
    k = _KERNELS.get(key)
    if k is None:
        y = a[:, None] - b[None, :] + g
        k = np.exp(-0.5 * y * y)
        k.flags.writeable = False
        keep(_KERNELS, key, k, _KERNELS_SIZE)
    else:
        touch(_KERNELS, key)
    return k


@lru_cache(maxsize=64)
def _grid(lo: float, hi: float) -> tuple[np.ndarray, np.ndarray]:
    """``_simpson``'s grid and weights (1, n) on [lo, hi] (the same numbers), kept read-only."""
    z, w = _simpson(np.array([lo]), np.array([hi]))
    z.flags.writeable = w.flags.writeable = False
    return z, w


def _common(lo: np.ndarray, hi: np.ndarray) -> bool:
    """Whether every drift has the same grid ends."""
    return lo.size == 1 or bool(np.all(lo == lo[0]) and np.all(hi == hi[0]))


class TiltedWalk(_Walk):
    """``_Walk`` whose step from look k to k + 1 uses the kept drift-free kernel (module docstring);
    grids shared by every drift are kept as one row (1, n)."""

    def first(self, lower: float, upper: float) -> None:
        mu = self._mean(0, math.sqrt(self.t[0]))
        lo, hi = np.maximum(lower, mu - WIDTH), np.minimum(upper, mu + WIDTH)
        if not _common(lo, hi):
            return super().first(lower, upper)
        self.z, self.w = _grid(float(lo[0]), float(hi[0]))
        self.dens = np.exp(-0.5 * (self.z - mu[:, None]) ** 2) / math.sqrt(2 * math.pi)
        self.k = 0
        return None

    def advance(self, lower: float, upper: float) -> None:
        s0, s1, dt, sd = self._step_args()
        mu = self._mean(self.k + 1, s1)
        lo_n, hi_n = np.maximum(lower, mu - WIDTH), np.minimum(upper, mu + WIDTH)
        if self.z.shape[0] != 1 or not _common(lo_n, hi_n):
            return super().advance(lower, upper)
        lo_o, hi_o = float(self.z[0, 0]), float(self.z[0, -1])
        z_new, w_new = _grid(float(lo_n[0]), float(hi_n[0]))
        alpha, beta = z_new[0] * (s1 / sd), self.z[0] * (s0 / sd)
        ca, cb = 0.5 * (alpha[0] + alpha[-1]), 0.5 * (beta[0] + beta[-1])
        a, b, g = alpha - ca, beta - cb, ca - cb
        e = self._increment(dt) / sd
        tilt_new = e[:, None] * a[None, :] + (e * g - 0.5 * e * e)[:, None]
        tilt_old = -e[:, None] * b[None, :]
        if not (np.all(np.abs(tilt_new) <= TILT_MAX) and np.all(np.abs(tilt_old) <= TILT_MAX)):
            return super().advance(lower, upper)
        kern = _kernel((lo_o, hi_o, float(lo_n[0]), float(hi_n[0]), s0, s1, sd, a.size), a, b, g)
        mass = self.w * self.dens * np.exp(tilt_old)
        self.dens = (mass @ kern.T) * np.exp(tilt_new) * (s1 / (sd * math.sqrt(2 * math.pi)))
        self.z, self.w = z_new, w_new
        self.k += 1
        return None
