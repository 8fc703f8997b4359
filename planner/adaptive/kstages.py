"""Stage-wise data of simulated trials over disjoint cells (rows: cells or populations; columns:
trials) — the one implementation of the stage formulas, used by both engines: the
several-populations engine (:mod:`.kpop`, cells and populations of a :class:`.kmodel.KModel`)
and the two-subset engine (:mod:`.stages`: the cells S and R, the populations F and S).

A stage gives each enrolled cell c its size n_c (subjects; survival: events) and draws the
cell's data; population g's stage-wise z statistic combines its cells (the rows of the G × C
membership matrix M, summed in cell order):

* continuous (known variance, rpact ``getSimulationEnrichmentMeans``, always stratified):
  n_c θ̂_c = n_c θ_c + √(n_c v_c)·ε_c;  Z_g = Σ_{c∈g} n_c θ̂_c / √(Σ_{c∈g} n_c v_c); a population of
  one cell: Z = ε_c + θ_c √(n_c/v_c) (the same number, without the rounding of the ratio).
* binary (rpact ``getSimulationEnrichmentRates``): binomial counts per cell and arm (arm sizes
  round(n_c r/(1 + r)), round(n_c/(1 + r))); stratified Z_g = Σ w_c d_c / √(Σ w_c π̄_c(1 − π̄_c)),
  w_c = m_T,c m_C,c/(m_T,c + m_C,c) (rpact's √c Σ n_i d_i / √(Σ n_i π̄_i(1 − π̄_i)) with exact arm
  sizes), or the pooled-variance z of g's pooled table (unstratified; a population of one cell:
  its table's pooled-variance z, equal to the stratified one). A table with π̄ ∈ {0, 1}: z = 0.
* survival (rpact ``getSimulationEnrichmentSurvival``): log-rank statistics per cell
  Z_c ~ N(θ_c √(c d_c), 1), θ_c = −ln HR_c, c = r/(1 + r)²; Z_g = Σ √d_c Z_c / √(Σ d_c) (the
  stratified log-rank test).

``correlation()``: the null correlation of the stage's Z of the first population (row 1, S) and
of F (row 0) that the Spiessens–Debois test uses by default (the statistics' own, from their
information): continuous √(Σ_S n v / Σ_F n v); survival √(d_S/d_F); binary stratified
√(Σ_S w π̄(1 − π̄) / Σ_F w π̄(1 − π̄)), unstratified Cov(d_S, d_F)/√(Var d_S · Var d_F) of the pooled
rate differences with each cell's pooled stage rate π̄_c (falling back to the head count where
the variances vanish: Z = 0 there anyway). ``head_count()`` is rpact's head-count correlation
√(n_S/n_F) (``correlation: "rpact_head_count"``).
``measures()``: cumulative effect estimates (continuous Σnθ̂/Σn; binary the rate difference of g's
pooled table; survival 1/HR̂ = exp(Z/√(cD))) or cumulative z statistics per population, for the
rows of M and any extra rows (the two-subset engine's remainder R).

Random numbers come from one generator per block of trials (:mod:`.simulate`), drawn for every
trial of the block and every cell in a fixed order (continuous and survival: one normal per
cell; binary: treatment then control binomial per cell), so that results do not depend on the
chunking and the two-subset form (cells S, R) draws exactly what it always drew.
"""

from __future__ import annotations

import numpy as np

Blocks = list[tuple[np.random.Generator, slice]]


def _normals(blocks: Blocks, n: int, rows: int) -> np.ndarray:
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


def _total(x: np.ndarray, cells: tuple[int, ...]) -> np.ndarray:
    """Σ_{c∈cells} x_c, summed in cell order (a view of x_c for one cell)."""
    if len(cells) == 1:
        return x[cells[0]]
    out = x[cells[0]] + x[cells[1]]
    for c in cells[2:]:
        out += x[c]
    return out


class _Cells:
    """Membership bookkeeping shared by the endpoints: ``rows`` the cells of each population
    (M's rows), ``mrows`` those and the extra measure rows."""

    def __init__(self, model, n: int, membership=None, extra_rows=()):
        self.m = model
        self.n = n
        member = np.asarray(model.membership if membership is None else membership, dtype=bool)
        extra = np.asarray(extra_rows, dtype=bool).reshape(-1, member.shape[1])
        self.cells = member.shape[1]
        self.rows = [tuple(int(c) for c in np.flatnonzero(row)) for row in member]
        self.mrows = self.rows + [tuple(int(c) for c in np.flatnonzero(row)) for row in extra]

    #: rows as a list of arrays instead of one (rows, n) array (the two-subset engine unpacks them)
    as_list = False

    def _by_row(self, rows, f) -> np.ndarray | list[np.ndarray]:
        """(len(rows), n): row g is f(cells of g)."""
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if self.as_list:
                return [np.broadcast_to(f(cs), (self.n,)) for cs in rows]
            out = np.empty((len(rows), self.n))
            for g, cs in enumerate(rows):
                out[g] = f(cs)
        return out

    def head_count(self) -> np.ndarray:
        """√(n_S/n_F) of the last stage (rpact's Spiessens–Debois correlation)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.sqrt(_total(self.sizes, self.rows[1]) / _total(self.sizes, self.rows[0]))


class KContinuous(_Cells):
    def __init__(self, model, n: int, membership=None, extra_rows=()):
        super().__init__(model, n, membership, extra_rows)
        c = self.cells
        self.a, self.nn, self.vv = np.zeros((c, n)), np.zeros((c, n)), np.zeros((c, n))
        self.th = np.asarray(model.theta, dtype=float)[:, None]
        self.v = np.asarray(model.variance, dtype=float)[:, None]

    def stage(self, blocks: Blocks, n: int, sizes: np.ndarray) -> np.ndarray:
        th, v = self.th, self.v
        eps = _normals(blocks, n, self.cells)
        nt = sizes * th + np.sqrt(sizes * v) * eps
        info = sizes * v
        self.a += nt
        self.nn += sizes
        self.vv += info
        self.sizes, self.info = sizes, info

        def z(cs):
            if len(cs) == 1:
                c = cs[0]
                return eps[c] + th[c] * np.sqrt(sizes[c] / v[c])
            return _total(nt, cs) / np.sqrt(_total(info, cs))
        return self._by_row(self.rows, z)

    def correlation(self):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.sqrt(_total(self.info, self.rows[1]) / _total(self.info, self.rows[0]))

    def measures(self, kind: str | None = None) -> np.ndarray:
        a, nn, vv = self.a, self.nn, self.vv
        if (kind or self.m.effect_measure) == "test_statistic":
            return self._by_row(self.mrows, lambda cs: _total(a, cs) / np.sqrt(_total(vv, cs)))
        return self._by_row(self.mrows, lambda cs: _total(a, cs) / _total(nn, cs))


class KSurvival(_Cells):
    def __init__(self, model, n: int, membership=None, extra_rows=()):
        super().__init__(model, n, membership, extra_rows)
        c = self.cells
        self.b, self.d = np.zeros((c, n)), np.zeros((c, n))
        self.th = np.asarray(model.theta, dtype=float)[:, None]

    def stage(self, blocks: Blocks, n: int, sizes: np.ndarray) -> np.ndarray:
        eps = _normals(blocks, n, self.cells)
        z = eps + self.th * np.sqrt(self.m.c * sizes)
        rz = np.sqrt(sizes) * z
        self.b += rz
        self.d += sizes
        self.sizes = sizes
        return self._by_row(self.rows, lambda cs: z[cs[0]] if len(cs) == 1
                            else _total(rz, cs) / np.sqrt(_total(sizes, cs)))

    def correlation(self):
        return self.head_count()  # events: the information of the log-rank statistics

    def measures(self, kind: str | None = None) -> np.ndarray:
        b, d, c = self.b, self.d, self.m.c
        test = (kind or self.m.effect_measure) == "test_statistic"

        def one(cs):
            dd = _total(d, cs)
            t = _total(b, cs) / np.sqrt(dd)
            return t if test else np.exp(t / np.sqrt(c * dd))
        return self._by_row(self.mrows, one)


class KBinary(_Cells):
    def __init__(self, model, n: int, membership=None, extra_rows=()):
        super().__init__(model, n, membership, extra_rows)
        c = self.cells
        self.x = np.zeros((2, c, n))   # cumulative events: treatment, control
        self.mm = np.zeros((2, c, n))  # cumulative arm sizes
        self.probs = np.stack([np.asarray(model.rate_treatment, dtype=float),
                               np.asarray(model.rate_control, dtype=float)])

    def stage(self, blocks: Blocks, n: int, sizes: np.ndarray) -> np.ndarray:
        r = self.m.allocation_ratio
        m = np.stack([np.round(sizes * r / (1.0 + r)), np.round(sizes / (1.0 + r))])
        x = np.empty((2, self.cells, n))
        mi = m.astype(np.int64)
        for gen, sl in blocks:
            for c in range(self.cells):
                for arm in (0, 1):
                    x[arm, c, sl] = gen.binomial(mi[arm, c, sl], self.probs[arm, c])
        self.x += x
        self.mm += m
        self.last = (x, m)
        self.sizes = sizes
        if not self.m.stratified:
            return self._by_row(self.rows, lambda cs: _pooled_z(*(_total(a, cs) for a in (x[0], m[0], x[1], m[1]))))
        with np.errstate(divide="ignore", invalid="ignore"):
            tot = m[0] + m[1]
            safe_tot = np.where(tot > 0, tot, 1.0)
            w = np.where(tot > 0, m[0] * m[1] / safe_tot, 0.0)
            d = np.where(w > 0, x[0] / np.where(m[0] > 0, m[0], 1.0) - x[1] / np.where(m[1] > 0, m[1], 1.0), 0.0)
            pbar = np.where(tot > 0, (x[0] + x[1]) / safe_tot, 0.0)
            wd, wv = w * d, w * pbar * (1.0 - pbar)

        def z(cs):
            if len(cs) == 1:  # the cell's own table
                return _pooled_z(x[0, cs[0]], m[0, cs[0]], x[1, cs[0]], m[1, cs[0]])
            den = _total(wv, cs)
            return np.where(den > 0, _total(wd, cs) / np.sqrt(np.where(den > 0, den, 1.0)), 0.0)
        return self._by_row(self.rows, z)

    def correlation(self):
        """Null corr(Z_S, Z_F) of the last stage from each cell's pooled stage rate π̄_c.

        Var d_c = π̄_c(1 − π̄_c)/w_c, w_c = m_T,c m_C,c/(m_T,c + m_C,c). Stratified Z ∝ Σ w_c d_c:
        ρ = √(Σ_S w v / Σ_F w v), v_c = π̄_c(1 − π̄_c). Pooled tables: d = X_T/m_T − X_C/m_C,
        Cov(d_S, d_F) = Σ_{c∈S} v_c (m_T,c/(m_T,S m_T) + m_C,c/(m_C,S m_C)), Var d_S =
        Σ_{c∈S} v_c (m_T,c/m_T,S² + m_C,c/m_C,S²), Var d_F = Σ_c v_c m_T,c/m_T² + Σ_c v_c m_C,c/m_C².
        Where the variances vanish (π̄ ∈ {0, 1}: Z = 0 anyway) the head count √(n_S/n_F) is used.
        """
        x, m = self.last
        rs, rf = self.rows[1], self.rows[0]
        with np.errstate(divide="ignore", invalid="ignore"):
            tot = m[0] + m[1]
            v = (x[0] + x[1]) / tot * (1.0 - (x[0] + x[1]) / tot)
            v = np.where(tot > 0, v, 0.0)
            if self.m.stratified:
                w = np.where(tot > 0, m[0] * m[1] / tot, 0.0)
                rho = np.sqrt(_total(w * v, rs) / _total(w * v, rf))
            else:
                mts, mcs, mt, mc = _total(m[0], rs), _total(m[1], rs), _total(m[0], rf), _total(m[1], rf)
                cov = _total(v * (m[0] / (mts * mt) + m[1] / (mcs * mc)), rs)
                var_s = _total(v * (m[0] / mts ** 2 + m[1] / mcs ** 2), rs)
                var_f = _total(v * m[0], rf) / mt ** 2 + _total(v * m[1], rf) / mc ** 2
                rho = cov / np.sqrt(var_s * var_f)
            head = np.sqrt(_total(tot, rs) / _total(tot, rf))
        return np.where(np.isfinite(rho) & (_total(v, rs) > 0), np.clip(rho, 0.0, 1.0), head)

    def rates(self) -> tuple[np.ndarray, np.ndarray]:
        """Cumulative treatment and control rates of every measure row's pooled table."""
        x, mm = self.x, self.mm
        return tuple(self._by_row(self.mrows, lambda cs, a=a: _total(x[a], cs) / _total(mm[a], cs))
                     for a in (0, 1))

    def measures(self, kind: str | None = None) -> np.ndarray:
        x, mm = self.x, self.mm
        if (kind or self.m.effect_measure) == "test_statistic":
            return self._by_row(self.mrows, lambda cs: _pooled_z(_total(x[0], cs), _total(mm[0], cs),
                                                                _total(x[1], cs), _total(mm[1], cs)))
        return self._by_row(self.mrows, lambda cs: _total(x[0], cs) / _total(mm[0], cs)
                            - _total(x[1], cs) / _total(mm[1], cs))


def sd_correlation(model, data) -> np.ndarray | float:
    """ρ of the Spiessens–Debois test between the first population (row 1) and F (row 0): the
    statistics' own (``data.correlation()``) or rpact's head count √(n_S/n_F); 0 for other tests."""
    if model.intersection_test != "spiessens_debois":
        return 0.0
    head = data.head_count()
    rho = head if model.correlation == "rpact_head_count" else data.correlation()
    return np.clip(np.where(np.isfinite(rho), rho, head), 0.0, 1.0)


KSTAGES = {"continuous": KContinuous, "binary": KBinary, "survival": KSurvival}
