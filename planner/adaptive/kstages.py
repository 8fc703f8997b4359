"""Stage-wise data of simulated trials over disjoint cells (rows: cells or populations; columns:
trials), the several-populations version of :mod:`.stages` with the same formulas.

A stage gives each enrolled cell c its size n_c (subjects; survival: events) and draws the
cell's data; population g's stage-wise z statistic combines its cells (M = the G × C
membership matrix, so every population statistic is one matrix product):

* continuous: n_c θ̂_c = n_c θ_c + √(n_c v_c)·ε_c;  Z_g = Σ_{c∈g} n_c θ̂_c / √(Σ_{c∈g} n_c v_c)
  (rpact ``getSimulationEnrichmentMeans``: always stratified).
* binary: binomial counts per cell and arm (arm sizes round(n_c r/(1 + r)), round(n_c/(1 + r)));
  stratified Z_g = Σ w_c d_c / √(Σ w_c π̄_c(1 − π̄_c)), w_c = m_T,c m_C,c/(m_T,c + m_C,c), or the
  pooled-variance z of g's pooled table (unstratified).
* survival: Z_c ~ N(θ_c √(c d_c), 1), Z_g = Σ √d_c Z_c / √(Σ d_c) (stratified log-rank).

``info`` is each population's stage information (continuous Σ n v, binary stratified
Σ w π̄(1 − π̄), survival Σ d) for the Spiessens–Debois correlation √(I_S/I_F) (S ⊂ F);
``heads`` the subjects (events), rpact's √(n_S/n_F).
``measures()``: cumulative effect estimates (continuous Σnθ̂/Σn; binary the rate difference of g's
pooled table; survival 1/HR̂ = exp(Z/√(cD))) or cumulative z statistics per population.
"""

from __future__ import annotations

import numpy as np

from .kmodel import KModel
from .stages import Blocks, _normals, _pooled_z


def _safe_div(num, den):
    with np.errstate(divide="ignore", invalid="ignore"):
        return num / den


class KContinuous:
    def __init__(self, model: KModel, n: int):
        self.m = model
        self.M = np.asarray(model.membership, dtype=float)
        c = model.cells
        self.a, self.nn, self.vv = np.zeros((c, n)), np.zeros((c, n)), np.zeros((c, n))

    def stage(self, blocks: Blocks, n: int, sizes: np.ndarray) -> np.ndarray:
        th = np.asarray(self.m.theta)[:, None]
        v = np.asarray(self.m.variance)[:, None]
        eps = _normals(blocks, n, self.m.cells)
        nt = sizes * th + np.sqrt(sizes * v) * eps
        info = sizes * v
        self.a += nt
        self.nn += sizes
        self.vv += info
        self.info = self.M @ info
        self.heads = self.M @ sizes
        return _safe_div(self.M @ nt, np.sqrt(self.info))

    def measures(self) -> np.ndarray:
        a = self.M @ self.a
        if self.m.effect_measure == "test_statistic":
            return _safe_div(a, np.sqrt(self.M @ self.vv))
        return _safe_div(a, self.M @ self.nn)


class KSurvival:
    def __init__(self, model: KModel, n: int):
        self.m = model
        self.M = np.asarray(model.membership, dtype=float)
        c = model.cells
        self.b, self.d = np.zeros((c, n)), np.zeros((c, n))

    def stage(self, blocks: Blocks, n: int, sizes: np.ndarray) -> np.ndarray:
        th = np.asarray(self.m.theta)[:, None]
        eps = _normals(blocks, n, self.m.cells)
        z = eps + th * np.sqrt(self.m.c * sizes)
        root = np.sqrt(sizes)
        self.b += root * z
        self.d += sizes
        self.info = self.heads = self.M @ sizes
        return _safe_div(self.M @ (root * z), np.sqrt(self.info))

    def measures(self) -> np.ndarray:
        dd = self.M @ self.d
        t = _safe_div(self.M @ self.b, np.sqrt(dd))
        if self.m.effect_measure == "test_statistic":
            return t
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return np.exp(t / np.sqrt(self.m.c * dd))


class KBinary:
    def __init__(self, model: KModel, n: int):
        self.m = model
        self.M = np.asarray(model.membership, dtype=float)
        c = model.cells
        self.x = np.zeros((2, c, n))   # cumulative events: treatment, control
        self.mm = np.zeros((2, c, n))  # cumulative arm sizes

    def stage(self, blocks: Blocks, n: int, sizes: np.ndarray) -> np.ndarray:
        r = self.m.allocation_ratio
        cells = self.m.cells
        m = np.stack([np.round(sizes * r / (1.0 + r)), np.round(sizes / (1.0 + r))])
        probs = np.stack([np.asarray(self.m.rate_treatment), np.asarray(self.m.rate_control)])
        x = np.empty((2, cells, n))
        mi = m.astype(np.int64)
        for gen, sl in blocks:
            for c in range(cells):
                for arm in (0, 1):
                    x[arm, c, sl] = gen.binomial(mi[arm, c, sl], probs[arm, c])
        self.x += x
        self.mm += m
        M = self.M
        self.heads = M @ sizes
        if self.m.stratified:
            tot = m[0] + m[1]
            safe_tot = np.where(tot > 0, tot, 1.0)
            w = np.where(tot > 0, m[0] * m[1] / safe_tot, 0.0)
            d = np.where(w > 0, x[0] / np.where(m[0] > 0, m[0], 1.0) - x[1] / np.where(m[1] > 0, m[1], 1.0), 0.0)
            pbar = np.where(tot > 0, (x[0] + x[1]) / safe_tot, 0.0)
            num, den = M @ (w * d), M @ (w * pbar * (1.0 - pbar))
            self.info = den
            return np.where(den > 0, num / np.sqrt(np.where(den > 0, den, 1.0)), 0.0)
        self.info = self.heads
        return _pooled_z(M @ x[0], M @ m[0], M @ x[1], M @ m[1])

    def measures(self) -> np.ndarray:
        M = self.M
        xt, xc, mt, mc = M @ self.x[0], M @ self.x[1], M @ self.mm[0], M @ self.mm[1]
        if self.m.effect_measure == "test_statistic":
            return _pooled_z(xt, mt, xc, mc)
        return _safe_div(xt, mt) - _safe_div(xc, mc)


KSTAGES = {"continuous": KContinuous, "binary": KBinary, "survival": KSurvival}
