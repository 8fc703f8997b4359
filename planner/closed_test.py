"""Closed testing of m ≤ 4 correlated one-sided z tests: rejection rule and exact-grid power.

Hypotheses: index 0 is the full population F, then up to three populations (issue 12). Every
procedure is a closed test (Marcus, Peritz & Gabriel 1976): H_i is rejected when every
intersection hypothesis H_J with i ∈ J is rejected by its local level-α test. Local tests, with
weights w (default equal) renormalised proportionally inside J, w_J(j) = w_j / Σ_{k∈J} w_k (equal
weights inside J if they sum to 0):

* ``bonferroni`` — weighted Bonferroni: reject H_J if Z_j > z(α w_J(j)) for some j ∈ J. The closed
  test is the weighted Holm procedure (Holm 1979; Bretz et al. 2009, Stat Med 28:586).
* ``simes`` — weighted Simes (Benjamini & Hochberg 1997, Scand J Stat 24:407): reject H_J if
  p_j ≤ α Σ_{k∈J: p_k ≤ p_j} w_J(k) for some j ∈ J; equivalently if some non-empty S ⊆ J has
  p_k ≤ α w_J(S) for every k ∈ S. Valid for the positively correlated z tests here (Sarkar 2008).
* ``parametric`` — weighted parametric test (Bretz, Posch, Glimm, Klinglmueller, Maurer & Rohmeyer
  2011, Biom J 53:894; Xi, Glimm, Maurer & Bretz 2017, Biom J 59:918): reject H_J if
  Z_j > z(c_J α w_J(j)) for some j ∈ J, with c_J ≥ 1 the one number for which
  P₀(∪_{j∈J} Z_j > z(c_J α w_J(j))) = α under the H0 correlation ``corr0`` restricted to J. Equal
  weights give one common critical value (Dunnett 1955). ``parametric_rule="spiessens_debois"``
  keeps F's level at α w_J(0) and inflates only the populations' weights (for m = 2 this is
  Spiessens & Debois 2010 with ``alpha_split`` = w_0, as ``planner.designs.stratified``); it applies
  with explicit weights only — without weights every rule gives the common critical value
  (Spiessens–Debois without a split).
* ``fixed_sequence`` — ``order`` (default 0, 1, …, m−1): each hypothesis at α only if all before it
  are rejected (Maurer, Hothorn & Lehmacher 1995). As a closed test: H_J is tested at α by the
  first hypothesis of the order in J; hypotheses not in the order are never rejected.

Power: every local test above is a union of events {Z_k > t} for a finite set of thresholds t per
coordinate, so each hypothesis's rejection region is a union of cells of the grid those
thresholds cut ℝ^m into. The probability of every cell under H1 comes from
:func:`planner.mvn_grid.cell_probs` (exact bivariate normal for m = 2, Gauss–Legendre
conditioning for m = 3, 4 — Genz & Bretz 2009); the rule :func:`closed_test_reject` classifies one
point inside each cell, so the power and the simulation use the very same rule.

Parametric critical values: c_J solved per distinct correlation matrix (cached) with the bivariate
normal cdf (|J| = 2, exact) or :func:`planner.mvn_grid.orthant_cdf` (|J| = 3, 4; 32 nodes per layer,
error < 1e-7 in the tests), root found to |Δc| < 1e-12; deterministic.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import elementwise
from scipy.special import ndtri

from .mvn_grid import cell_probs, orthant_cdf

PROCEDURES = ("bonferroni", "simes", "parametric", "fixed_sequence")
PARAMETRIC_RULES = ("xi", "spiessens_debois")
_CACHE_MAX = 20000
_crit_cache: dict[tuple, float] = {}


def _z(p):
    """Upper-tail critical value z(p); z(0) = +∞."""
    return -ndtri(np.asarray(p, dtype=float))


def subsets(m: int) -> list[tuple[int, ...]]:
    """Every non-empty J ⊆ {0, …, m−1}, smallest first."""
    return [J for r in range(1, m + 1) for J in combinations(range(m), r)]


def _weights(weights: ArrayLike | None, m: int) -> np.ndarray:
    if weights is None:
        return np.full(m, 1.0 / m)
    w = np.asarray(weights, dtype=float)
    if w.shape != (m,) or not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise ValueError(f"weights must be {m} non-negative numbers with a positive sum")
    return w / w.sum()


def local_weights(w: np.ndarray, J: tuple[int, ...]) -> np.ndarray:
    """w_J: the weights of J renormalised to sum 1 (equal if they sum to 0)."""
    wj = w[list(J)]
    s = wj.sum()
    return wj / s if s > 0 else np.full(len(J), 1.0 / len(J))


def _order(order, m: int) -> tuple[int, ...]:
    if order is None:
        return tuple(range(m))
    o = tuple(int(i) for i in order)
    if len(set(o)) != len(o) or any(i < 0 or i >= m for i in o) or not o:
        raise ValueError(f"order must list distinct hypothesis indices in 0..{m - 1}")
    return o


# ----------------------------------------------------------------------------- parametric levels


def _union_prob(c, idx, corr, wj, alpha, inflate):
    """P₀(∪ Z_j > t_j(c)) for the distinct matrices ``corr[idx]``."""
    lev = np.where(inflate, c[..., None], 1.0) * alpha * wj
    thr = _z(np.minimum(lev, 1.0))
    return 1.0 - orthant_cdf(np.zeros(thr.shape), corr[idx], thr)


def _solve_c(corr: np.ndarray, wj: np.ndarray, alpha: float, inflate: np.ndarray) -> np.ndarray:
    """c_J for each matrix in ``corr`` (D, k, k)."""
    top = 1.0 / np.max(wj[inflate])
    idx = np.arange(corr.shape[0])

    def f(c, i):
        return _union_prob(c, i.astype(int), corr, wj, alpha, inflate) - alpha

    lo = np.ones(len(idx))
    hi = np.full(len(idx), top)
    res = elementwise.find_root(f, (lo, hi), args=(idx,), tolerances={"xatol": 1e-12, "xrtol": 0.0})
    c = np.asarray(res.x, dtype=float)
    # exact Bonferroni at zero correlation can leave f(1) = 0 up to rounding: keep c ≥ 1
    return np.clip(np.where(res.success, c, np.where(f(hi, idx) <= 0, hi, lo)), 1.0, top)


def parametric_levels(corr0: np.ndarray, alpha: float, w: np.ndarray, J: tuple[int, ...],
                      rule: str = "xi") -> np.ndarray:
    """Local levels α_j = c_J α w_J(j) (or α w_J(0) for F under the Spiessens–Debois rule), shape (..., |J|)."""
    wj = local_weights(w, J)
    inflate = wj > 0
    if rule == "spiessens_debois" and 0 in J and len(J) > 1:
        inflate = inflate & (np.array(J) != 0)
    batch = corr0.shape[:-2]
    if inflate.sum() == 0 or (len(J) == 1):
        return np.broadcast_to(alpha * wj, batch + (len(J),)).copy()
    sub = corr0[(...,) + np.ix_(J, J)].reshape((-1, len(J), len(J)))
    uniq, inverse = np.unique(sub.reshape(len(sub), -1), axis=0, return_inverse=True)
    keys = [(u.tobytes(), float(alpha), wj.tobytes(), inflate.tobytes()) for u in uniq]
    todo = [i for i, k in enumerate(keys) if k not in _crit_cache]
    if todo:
        if len(_crit_cache) > _CACHE_MAX:
            _crit_cache.clear()
        cs = _solve_c(uniq[todo].reshape(-1, len(J), len(J)), wj, alpha, inflate)
        for i, c in zip(todo, cs):
            _crit_cache[keys[i]] = float(c)
    c = np.array([_crit_cache[k] for k in keys])[inverse.reshape(-1)].reshape(batch)
    return np.where(inflate, c[..., None], 1.0) * alpha * wj


# ----------------------------------------------------------------------------- local tests as terms


def _terms(corr0: np.ndarray, alpha: float, procedure: str, w: np.ndarray, order: tuple[int, ...],
           rule: str) -> list[tuple[tuple[int, ...], list[tuple[tuple[int, ...], np.ndarray]]]]:
    """For every J: the terms (S, t) of its local test, which rejects if Z_k > t_k for all k ∈ S for some term.

    ``t`` has shape corr0.shape[:-2] + (|S|,).
    """
    m = corr0.shape[-1]
    batch = corr0.shape[:-2]
    out = []
    for J in subsets(m):
        wj = local_weights(w, J)
        terms: list[tuple[tuple[int, ...], np.ndarray]] = []
        if procedure == "bonferroni":
            terms = [((j,), np.full(batch + (1,), float(_z(alpha * wj[a])))) for a, j in enumerate(J)]
        elif procedure == "parametric":
            lev = _z(parametric_levels(corr0, alpha, w, J, rule))
            terms = [((j,), lev[..., a:a + 1]) for a, j in enumerate(J)]
        elif procedure == "simes":
            for r in range(1, len(J) + 1):
                for pos in combinations(range(len(J)), r):
                    t = float(_z(alpha * wj[list(pos)].sum()))
                    terms.append((tuple(J[p] for p in pos), np.full(batch + (r,), t)))
        elif procedure == "fixed_sequence":
            first = [i for i in order if i in J]
            if first:
                terms = [((first[0],), np.full(batch + (1,), float(_z(alpha))))]
        else:
            raise ValueError(f"unknown procedure {procedure!r}; one of {', '.join(PROCEDURES)}")
        out.append((J, terms))
    return out


def _apply(z: np.ndarray, terms, m: int) -> np.ndarray:
    """Closed test on z (..., m) with term thresholds already broadcastable to z[..., S]."""
    local = {}
    for J, ts in terms:
        rej = np.zeros(z.shape[:-1], dtype=bool)
        for S, t in ts:
            rej = rej | np.all(z[..., list(S)] > t, axis=-1)
        local[J] = rej
    out = np.ones(z.shape, dtype=bool)
    for J, rej in local.items():
        for i in J:
            out[..., i] &= rej
    return out


def _setup(corr0, alpha, procedure, weights, order, parametric_rule, m):
    if procedure not in PROCEDURES:
        raise ValueError(f"unknown procedure {procedure!r}; one of {', '.join(PROCEDURES)}")
    if parametric_rule not in PARAMETRIC_RULES:
        raise ValueError(f"parametric_rule must be one of {', '.join(PARAMETRIC_RULES)}")
    if not 0 < alpha < 1:
        raise ValueError("alpha must be in (0, 1)")
    corr0 = np.asarray(corr0, dtype=float)
    if corr0.shape[-2:] != (m, m):
        raise ValueError(f"corr0 must end in ({m}, {m})")
    rule = "xi" if weights is None else parametric_rule  # equal weights: one common critical value
    return _terms(corr0, float(alpha), procedure, _weights(weights, m), _order(order, m), rule)


def closed_test_reject(z: ArrayLike, corr0: ArrayLike, alpha: float, procedure: str, *,
                       weights: ArrayLike | None = None, order: tuple[int, ...] | None = None,
                       parametric_rule: str = "xi") -> np.ndarray:
    """Which hypotheses the closed test rejects for the z statistics ``z`` (..., m): boolean (..., m).

    ``corr0`` (..., m, m) is used by ``parametric`` only; leading dimensions broadcast with z's.
    """
    z = np.asarray(z, dtype=float)
    m = z.shape[-1]
    terms = _setup(corr0, alpha, procedure, weights, order, parametric_rule, m)
    nb = z.ndim - 1
    expanded = [(J, [(S, _lead(t, nb)) for S, t in ts]) for J, ts in terms]
    return _apply(z, expanded, m)


def _lead(t: np.ndarray, nb: int) -> np.ndarray:
    """Left-pad t's batch dims so that t (batch…, s) broadcasts against an array with nb batch dims."""
    return t.reshape((1,) * (nb - (t.ndim - 1)) + t.shape) if t.ndim - 1 < nb else t


# ----------------------------------------------------------------------------- power


def _grid(terms, m: int, batch: tuple[int, ...]) -> list[np.ndarray]:
    """Sorted distinct thresholds of every coordinate, each (batch…, n_k)."""
    cols: list[list[np.ndarray]] = [[] for _ in range(m)]
    for _J, ts in terms:
        for S, t in ts:
            for a, k in enumerate(S):
                cols[k].append(np.broadcast_to(t[..., a], batch))
    out = []
    for k in range(m):
        if not cols[k]:
            out.append(np.zeros(batch + (0,)))
            continue
        arr = np.stack(cols[k], axis=-1).reshape(-1, len(cols[k]))
        arr = np.clip(arr, -40.0, 40.0)
        arr = np.unique(arr, axis=1)
        out.append(np.sort(arr, axis=-1).reshape(batch + (arr.shape[-1],)))
    return out


def _representatives(thr: np.ndarray) -> np.ndarray:
    """One point inside each of the n + 1 intervals cut by sorted thresholds (…, n)."""
    n = thr.shape[-1]
    if n == 0:
        return np.zeros(thr.shape[:-1] + (1,))
    mids = (thr[..., 1:] + thr[..., :-1]) / 2
    return np.concatenate([thr[..., :1] - 1.0, mids, thr[..., -1:] + 1.0], axis=-1)


def _classify(grid: list[np.ndarray], terms, m: int, own: tuple[int, ...]) -> np.ndarray:
    """Which hypotheses the closed test rejects in each cell of the grid: (own…, n_0 + 1, …, m).

    One point inside each cell is classified by the rule itself (:func:`_apply`); the result
    depends on the thresholds only, so it is made once per H0 correlation (``own``: corr0's
    batch), not once per point of a curve."""
    reps = [_representatives(t) for t in grid]
    z = np.stack(np.broadcast_arrays(*[
        r.reshape(own + (1,) * k + r.shape[-1:] + (1,) * (m - 1 - k)) for k, r in enumerate(reps)
    ]), axis=-1)
    nb = len(own)
    expanded = [(J, [(S, _lead(t, nb).reshape(_lead(t, nb).shape[:-1] + (1,) * m + t.shape[-1:]))
                     for S, t in ts]) for J, ts in terms]
    return _apply(z, expanded, m)


def closed_test_power(mean: ArrayLike, cov1: ArrayLike, corr0: ArrayLike, alpha: float, procedure: str, *,
                      weights: ArrayLike | None = None, order: tuple[int, ...] | None = None,
                      parametric_rule: str = "xi") -> dict[str, np.ndarray]:
    """Probability that the closed test rejects each hypothesis, at least one, and all.

    ``mean`` (..., m): expected z statistics under H1; ``cov1`` (..., m, m) their covariance under
    H1; ``corr0`` (..., m, m) their correlation under H0; one-sided level ``alpha``. Returns
    {"reject": (..., m), "at_least_one": (...), "all": (...)}. See the module docstring.
    """
    mean = np.asarray(mean, dtype=float)
    cov1 = np.asarray(cov1, dtype=float)
    corr0 = np.asarray(corr0, dtype=float)
    m = mean.shape[-1]
    if cov1.shape[-2:] != (m, m):
        raise ValueError(f"cov1 must end in ({m}, {m})")
    batch = np.broadcast_shapes(mean.shape[:-1], cov1.shape[:-2], corr0.shape[:-2])
    grid, rej = _grid_and_rule(corr0, alpha, procedure, weights, order, parametric_rule, m)
    own = grid[0].shape[:-1]
    thr = [np.broadcast_to(t, batch + t.shape[-1:]) for t in grid]
    cells = cell_probs(np.broadcast_to(mean, batch + (m,)), np.broadcast_to(cov1, batch + (m, m)), thr)
    nb = len(batch)
    rej = rej.reshape((1,) * (nb - len(own)) + rej.shape)  # broadcasts against the cells
    axes = tuple(range(nb, nb + m))
    probs = cells
    reject = np.stack([np.sum(probs * rej[..., i], axis=axes) for i in range(m)], axis=-1)
    return {
        "reject": np.clip(reject, 0.0, 1.0),
        "at_least_one": np.clip(np.sum(probs * rej.any(axis=-1), axis=axes), 0.0, 1.0),
        "all": np.clip(np.sum(probs * rej.all(axis=-1), axis=axes), 0.0, 1.0),
    }


_rule_cache: dict[tuple, tuple[list[np.ndarray], np.ndarray]] = {}
_RULE_CACHE_MAX = 16
_RULE_CACHE_BYTES = 4_000_000  # a larger classification (a long curve of parametric levels) is not kept


def _grid_and_rule(corr0, alpha, procedure, weights, order, parametric_rule, m):
    """The thresholds' grid and the rejections in each of its cells (:func:`_grid`, :func:`_classify`).

    They depend on ``corr0`` through the parametric levels only: the other procedures use one
    matrix for the whole batch (the same thresholds and classification broadcast). Cached by the
    inputs' bytes (a size search evaluates the same curve's rule several times); read-only arrays.
    """
    if procedure != "parametric" and corr0.ndim > 2 and corr0.shape[-2:] == (m, m):
        corr0 = corr0.reshape((-1, m, m))[0]
    key = (corr0.shape, corr0.tobytes(), float(alpha), procedure,
           None if weights is None else np.asarray(weights, dtype=float).tobytes(),
           None if order is None else tuple(order), parametric_rule)
    hit = _rule_cache.get(key)
    if hit is None:
        terms = _setup(corr0, alpha, procedure, weights, order, parametric_rule, m)
        own = corr0.shape[:-2]  # the thresholds', and so the cells' classification's, batch
        grid = _grid(terms, m, own)
        rej = _classify(grid, terms, m, own)
        for a in (*grid, rej):
            a.flags.writeable = False
        hit = (grid, rej)
        if rej.nbytes <= _RULE_CACHE_BYTES:
            if len(_rule_cache) >= _RULE_CACHE_MAX:
                _rule_cache.clear()  # atomic: the app's worker thread may use the cache too
            _rule_cache[key] = hit
    return hit
