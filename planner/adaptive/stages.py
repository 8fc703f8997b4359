"""Stage-wise data of simulated trials, vectorized over trials (one row per trial).

Each endpoint keeps per-subset cumulative sufficient statistics so that the interim selection
can use cumulative effect estimates or test statistics (rpact ``overallEffects`` /
``overallTestStatistics``), and returns the stage-wise z statistics of S and F computed from the
stage's data only (the inputs of the inverse-normal combination):

* continuous (known variance, rpact ``getSimulationEnrichmentMeans``):
  n_i θ̂_i = n_i θ_i + √(n_i v_i)·ε_i;  Z_S = θ̂_S √(n_S / v_S);
  Z_F = Σ n_i θ̂_i / √(Σ n_i v_i) (stratified; the means simulation is always stratified).
* binary (rpact ``getSimulationEnrichmentRates``): binomial counts per subset and arm with arm
  sizes round(n_i r/(1 + r)) and round(n_i/(1 + r)); Z_S the pooled-variance z of S's table;
  Z_F stratified Σ w_i d_i / √(Σ w_i π̄_i(1 − π̄_i)), w_i = m_T,i m_C,i / (m_T,i + m_C,i)
  (rpact's √c Σ n_i d_i / √(Σ n_i π̄_i(1 − π̄_i)) with exact arm sizes), or unstratified: the
  pooled-variance z of the pooled table. A table with π̄ ∈ {0, 1} contributes z = 0.
* survival (rpact ``getSimulationEnrichmentSurvival``): log-rank statistics per subset
  Z_i ~ N(θ_i √(c d_i), 1) with θ_i = −ln HR_i, c = r/(1 + r)²; Z_F = Σ √d_i Z_i / √(Σ d_i)
  (the stratified log-rank test).

``correlation()`` gives, for the stage just simulated, the null correlation of Z_S and Z_F that
the Spiessens–Debois intersection test uses by default (the statistics' correlation, from
their information): continuous √(n_S v_S / Σ nᵢvᵢ); binary stratified
√(w_S π̄_S(1 − π̄_S) / Σ wᵢπ̄ᵢ(1 − π̄ᵢ)), unstratified Cov(d_S, d_F)/√(Var d_S · Var d_F) with each
subset's pooled stage rate π̄ᵢ; survival √(d_S/(d_S + d_R)). rpact uses the head count
√(n_S/(n_S + n_R)) for every endpoint (``correlation: "rpact_head_count"``), which equals the
information correlation only for equal subset variances.

Random numbers come from one generator per block of trials (see :mod:`.simulate`), always drawn
for every trial of the block in a fixed order, so that results do not depend on the chunking.
"""

from __future__ import annotations

import numpy as np

from .model import SimModel

Blocks = list[tuple[np.random.Generator, slice]]


def _normals(blocks: Blocks, n: int, rows: int = 2) -> np.ndarray:
    out = np.empty((rows, n))
    for gen, sl in blocks:
        out[:, sl] = gen.standard_normal((rows, sl.stop - sl.start))
    return out


def _pooled_z(x_t, m_t, x_c, m_c) -> np.ndarray:
    """Pooled-variance z of a 2×2 table; 0 where the pooled rate is 0 or 1 or a size is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        n = m_t + m_c
        pbar = (x_t + x_c) / n
        d = x_t / m_t - x_c / m_c
        z = d / np.sqrt(pbar * (1.0 - pbar) * (1.0 / m_t + 1.0 / m_c))
    ok = (m_t > 0) & (m_c > 0) & (pbar > 0) & (pbar < 1)
    return np.where(ok, z, 0.0)


class ContinuousStages:
    """Known-variance normal estimates per subset (rpact's means simulation)."""

    def __init__(self, model: SimModel, n: int):
        self.m = model
        self.a = np.zeros((2, n))    # Σ n θ̂
        self.nn = np.zeros((2, n))   # Σ n
        self.vv = np.zeros((2, n))   # Σ n v

    def stage(self, blocks: Blocks, n: int, size_s, size_r):
        th, v = self.m.theta, self.m.variance
        eps = _normals(blocks, n)
        sizes = (np.broadcast_to(size_s, (n,)), np.broadcast_to(size_r, (n,)))
        nt = [sizes[i] * th[i] + np.sqrt(sizes[i] * v[i]) * eps[i] for i in (0, 1)]
        info = [sizes[i] * v[i] for i in (0, 1)]
        for i in (0, 1):
            self.a[i] += nt[i]
            self.nn[i] += sizes[i]
            self.vv[i] += info[i]
        z_s = eps[0] + th[0] * np.sqrt(sizes[0] / v[0])
        z_f = (nt[0] + nt[1]) / np.sqrt(info[0] + info[1])
        self.info = info
        return z_s, z_f, sizes[0], sizes[1]

    def correlation(self):
        """corr(Z_S, Z_F) = √(n_S v_S / (n_S v_S + n_R v_R)) of the last stage."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.sqrt(self.info[0] / (self.info[0] + self.info[1]))

    def measures(self):
        """Cumulative (S, F, R) effect estimates or z statistics for the selection."""
        a, nn, vv = self.a, self.nn, self.vv
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.m.effect_measure == "test_statistic":
                return a[0] / np.sqrt(vv[0]), (a[0] + a[1]) / np.sqrt(vv[0] + vv[1]), a[1] / np.sqrt(vv[1])
            return a[0] / nn[0], (a[0] + a[1]) / (nn[0] + nn[1]), a[1] / nn[1]


class SurvivalStages:
    """Log-rank statistics per subset from the events of the stage (rpact's survival model)."""

    def __init__(self, model: SimModel, n: int):
        self.m = model
        self.b = np.zeros((2, n))   # Σ √d Z
        self.d = np.zeros((2, n))   # Σ d

    def stage(self, blocks: Blocks, n: int, size_s, size_r):
        th, c = self.m.theta, self.m.c
        eps = _normals(blocks, n)
        sizes = (np.broadcast_to(size_s, (n,)), np.broadcast_to(size_r, (n,)))
        z = [eps[i] + th[i] * np.sqrt(c * sizes[i]) for i in (0, 1)]
        root = [np.sqrt(sizes[i]) for i in (0, 1)]
        for i in (0, 1):
            self.b[i] += root[i] * z[i]
            self.d[i] += sizes[i]
        z_f = (root[0] * z[0] + root[1] * z[1]) / np.sqrt(sizes[0] + sizes[1])
        self.events = sizes
        return z[0], z_f, sizes[0], sizes[1]

    def correlation(self):
        """corr(Z_S, Z_F) = √(d_S / (d_S + d_R)) of the last stage (the stratified log-rank)."""
        d = self.events
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.sqrt(d[0] / (d[0] + d[1]))

    def measures(self):
        b, d, c = self.b, self.d, self.m.c
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            t = (b[0] / np.sqrt(d[0]), (b[0] + b[1]) / np.sqrt(d[0] + d[1]), b[1] / np.sqrt(d[1]))
            if self.m.effect_measure == "test_statistic":
                return t
            dd = (d[0], d[0] + d[1], d[1])
            # 1/HR̂ = exp(Z / √(c D)), rpact's scale for the effect-estimate selection
            return tuple(np.exp(ti / np.sqrt(c * di)) for ti, di in zip(t, dd))


class BinaryStages:
    """Binomial counts per subset and arm (rpact's rates simulation)."""

    def __init__(self, model: SimModel, n: int):
        self.m = model
        self.x = np.zeros((4, n))    # x_T,S x_C,S x_T,R x_C,R cumulative
        self.mm = np.zeros((4, n))   # arm sizes, same order

    def stage(self, blocks: Blocks, n: int, size_s, size_r):
        r = self.m.allocation_ratio
        pt, pc = self.m.rate_treatment, self.m.rate_control
        sizes = (np.broadcast_to(size_s, (n,)), np.broadcast_to(size_r, (n,)))
        arms = []
        for i in (0, 1):
            arms.append(np.round(sizes[i] * r / (1.0 + r)))
            arms.append(np.round(sizes[i] / (1.0 + r)))
        probs = (pt[0], pc[0], pt[1], pc[1])
        x = np.empty((4, n))
        for gen, sl in blocks:
            for j in range(4):
                x[j, sl] = gen.binomial(arms[j][sl].astype(np.int64), probs[j])
        m = np.stack(arms)
        self.x += x
        self.mm += m
        self.last = (x, m)
        z_s = _pooled_z(x[0], m[0], x[1], m[1])
        if self.m.stratified:
            with np.errstate(divide="ignore", invalid="ignore"):
                num = 0.0
                den = 0.0
                for i in (0, 2):
                    tot = m[i] + m[i + 1]
                    w = np.where(tot > 0, m[i] * m[i + 1] / np.where(tot > 0, tot, 1.0), 0.0)
                    safe_t = np.where(m[i] > 0, m[i], 1.0)
                    safe_c = np.where(m[i + 1] > 0, m[i + 1], 1.0)
                    d = np.where(w > 0, x[i] / safe_t - x[i + 1] / safe_c, 0.0)
                    pbar = np.where(tot > 0, (x[i] + x[i + 1]) / np.where(tot > 0, tot, 1.0), 0.0)
                    num = num + w * d
                    den = den + w * pbar * (1.0 - pbar)
                z_f = np.where(den > 0, num / np.sqrt(np.where(den > 0, den, 1.0)), 0.0)
        else:
            z_f = _pooled_z(x[0] + x[2], m[0] + m[2], x[1] + x[3], m[1] + m[3])
        return z_s, z_f, sizes[0], sizes[1]

    def correlation(self):
        """Null corr(Z_S, Z_F) of the last stage from each subset's pooled stage rate π̄ᵢ.

        Var dᵢ = π̄ᵢ(1 − π̄ᵢ)/wᵢ with wᵢ = m_T,i m_C,i/(m_T,i + m_C,i). Stratified
        Z_F ∝ Σ wᵢdᵢ: ρ = √(w_S v_S/Σ wᵢvᵢ), vᵢ = π̄ᵢ(1 − π̄ᵢ). Pooled table: d_F = X_T/m_T − X_C/m_C,
        Cov(d_S, d_F) = v_S(1/m_T + 1/m_C), Var d_F = Σ vᵢ(m_T,i/m_T² + m_C,i/m_C²). Where the
        variances vanish (π̄ ∈ {0, 1}: Z = 0 anyway) the head count √(n_S/n_F) is used.
        """
        x, m = self.last
        with np.errstate(divide="ignore", invalid="ignore"):
            tot = (m[0] + m[1], m[2] + m[3])
            v = [(x[i] + x[i + 1]) / t * (1.0 - (x[i] + x[i + 1]) / t) for i, t in zip((0, 2), tot)]
            v = [np.where(t > 0, vi, 0.0) for vi, t in zip(v, tot)]
            if self.m.stratified:
                w = [m[i] * m[i + 1] / t for i, t in zip((0, 2), tot)]
                w = [np.where(t > 0, wi, 0.0) for wi, t in zip(w, tot)]
                num = w[0] * v[0]
                rho = np.sqrt(num / (num + w[1] * v[1]))
            else:
                m_t, m_c = m[0] + m[2], m[1] + m[3]
                cov = v[0] * (1.0 / m_t + 1.0 / m_c)
                var_s = v[0] * (1.0 / m[0] + 1.0 / m[1])
                var_f = (v[0] * m[0] + v[1] * m[2]) / m_t**2 + (v[0] * m[1] + v[1] * m[3]) / m_c**2
                rho = cov / np.sqrt(var_s * var_f)
            head = np.sqrt(tot[0] / (tot[0] + tot[1]))
        return np.where(np.isfinite(rho) & (v[0] > 0), np.clip(rho, 0.0, 1.0), head)

    def measures(self):
        x, m = self.x, self.mm
        groups = ((0, 1, None, None), (0, 1, 2, 3), (2, 3, None, None))
        out = []
        for a, b, c2, d2 in groups:
            xt, mt, xc, mc = x[a], m[a], x[b], m[b]
            if c2 is not None:
                xt, mt, xc, mc = xt + x[c2], mt + m[c2], xc + x[d2], mc + m[d2]
            if self.m.effect_measure == "test_statistic":
                out.append(_pooled_z(xt, mt, xc, mc))
            else:
                with np.errstate(divide="ignore", invalid="ignore"):
                    out.append(xt / mt - xc / mc)
        return tuple(out)


STAGES = {"continuous": ContinuousStages, "binary": BinaryStages, "survival": SurvivalStages}
