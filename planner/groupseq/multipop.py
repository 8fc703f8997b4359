"""Closed group-sequential test of F and up to three populations (m = 2..4 hypotheses, K looks).

Joint law
---------
Z_{j,k} is the stratified statistic of hypothesis j (0 = F, then the populations) at look k.
Components are ordered look by look: index k·m + j. :class:`MultiJoint` holds the H1 mean per √N,
the H1 covariance, the H0 correlation and each hypothesis's information fractions t_{j,k}.

* Proportional information (:func:`joint_proportional`; every cell's patients — survival: events —
  accrue in proportion, I_{·,k} = t_k I_·): any two fixed statistics A, B have
  cov(Z_{A,k}, Z_{B,k′}) = cov_fixed(A, B)·√(t_min/t_max), so the fixed design's drifts, H1
  covariance and H0 correlation (:func:`planner.designs.multipop.stratified_stats`) give the whole
  law, as :func:`planner.groupseq.stratified.joint_from_fixed` does for m = 2.
* Information per cell (:func:`joint_information`; survival, events per cell at each look's calendar
  time): with the event-weighted (inverse-variance) statistic θ̂_{P,k} = Σ_{c∈P} I_{c,k} θ̂_{c,k} / I_{P,k}
  and cov(θ̂_{c,k}, θ̂_{c,k′}) = 1/I_{c,max(k,k′)} (independent increments within a cell; cells
  independent),

      corr(Z_{P,k}, Z_{Q,k′}) = Σ_{c∈P∩Q} I_{c,min(k,k′)} / √(I_{P,k} I_{Q,k′}),
      E Z_{P,k} = Σ_{c∈P} I_{c,k} θ_c / √I_{P,k}

  (Schoenfeld: I_c = r/(1+r)² × events of c, the same under H0 and H1). One look is the fixed
  design's corr(Z_P, Z_Q) = I_{P∩Q}/√(I_P I_Q); m = 2 is the information form of
  :mod:`planner.groupseq.stratified`.

Closed group-sequential test (Maurer & Bretz 2013, Stat Biopharm Res 5:311)
---------------------------------------------------------------------------
Every intersection hypothesis H_J, J ⊆ {0..m−1}, has its own level-α group-sequential test; H_j is
rejected (by the end) when the tests of every H_J with j ∈ J have rejected at some look (closure:
strong FWER control). The test of H_J rejects at look k when some component j ∈ J still taking
part (not stopped for futility) has Z_{j,k} ≥ b_{J,j,k}. Local weights w_J(j) (the design's weights
renormalised inside J, :func:`planner.closed_test.local_weights`); α*(·) the plan's spending:

* ``bonferroni`` (weighted Holm): b_{J,j,·} = the one-statistic Lan–DeMets bounds at level w_J(j)·α
  on j's own fractions t_{j,·} (Maurer & Bretz 2013, weighted Bonferroni-based closed tests).
* ``fixed_sequence``: H_J tested by the first hypothesis of the order in J at level α (its bounds
  at α); the others take no part.
* ``parametric`` (weighted parametric group-sequential test: Xi, Glimm, Maurer & Bretz 2017, Biom J
  59:918; Anderson, Guo, Zhao & Sun 2022, Biom J 64:1219): the Bonferroni nominal levels
  p_{J,j,k} = Φ(−b_{J,j,k}) are inflated at each look by a common factor ξ_{J,k} ≥ 1 (rule ``xi``;
  rule ``spiessens_debois`` inflates only the populations' levels, F keeping its Bonferroni level —
  the fixed design's rule with ``alpha_split`` for m = 2) so that, with the H0 correlation,
  P₀(H_J's test rejects by look k) = Σ_{j∈J} w_J(j) α*(t_{j,k}) (α at the last look) — exactly
  :func:`planner.groupseq.stratified._parametric` for m = 2. The probabilities are multivariate
  normal rectangles of dimension |J|·k (Genz, :func:`planner.groupseq.mvn.rect_prob`, 2¹⁴ points).
  With *binding* futility the inflation is solved without the futility stops from the
  non-binding Bonferroni levels (the stops can only lower the crossing probability: conservative).
* ``simes`` has no group-sequential form here: refused when read (``designs.stratified.multiplicity``).

Binding futility bounds lower the Bonferroni and fixed-sequence bounds (each component's own
Lan–DeMets bounds with the binding futility, rpact ``bindingFutility``); non-binding ones change no
bound. Futility stops are followed in powers and expected sizes (binding or not), hypothesis by
hypothesis, and the trial stops when no hypothesis can still be rejected — the procedure of
:mod:`planner.groupseq.procedure` (``stop_when="both"``) for m hypotheses.

Claim powers: randomized quasi-Monte Carlo with a control variate
------------------------------------------------------------------
The m·K-dimensional law is too large for a grid. The procedure is run on R = :data:`REPLICATES`
independently scrambled Sobol point sets of 2^:data:`LOG2_POINTS` points each (Owen scrambling;
common to every N and every structure of the same dimension, so the power is a deterministic
function of N). Control variate: the fixed design's closed test (one analysis at the last look's
statistics, whose law is the fixed design's) rejects the claim with probability P_fix known to
~1e-7 (:func:`planner.closed_test.closed_test_power`); the estimate is

    P̂(claim) = P_fix(claim) + mean over draws of [1{GS claim} − 1{fixed claim}],

whose variance is that of the (rare) disagreements only. The standard error is the spread of the
R replicate means / √R (reported beside the powers); the tests check it is below 3e-4
(error ≤ 1e-3 at 3 SE) for m = 3, 4 with 3 looks. Expected sizes and per-look probabilities are
plain (R)QMC means (standard errors reported alike).

Speed (issue 12; benchmarks/bench_multipop_interim.py): each draw's state — which H_J are rejected —
is a bitmask, so a look costs one comparison per distinct bound of each hypothesis and two table
lookups (:mod:`.multipop_procedure`, the same claims draw for draw as the test written per H_J); the
replicate means come from counts of the 2^m claim patterns; the mean shifts the bounds, not the
(cached) correlated draws. The size search (:func:`size_for`) runs on 8·2^12 draws and ends with
one step on the full draws; the parametric bounds' inflation ξ is found by a secant from the union
bound's slope (:func:`_root_xi`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.optimize import brentq
from scipy.special import ndtr, ndtri

from ..closed_test import closed_test_power, local_weights, subsets
from .boundaries import spending
from .multipop_procedure import procedure_bits, run_procedure  # noqa: F401 (run_procedure: re-exported)
from .mvn import POINTS_BOUNDS, rect_prob
from .plan import InterimPlan
from .stratified import _futility, _gs

PROCEDURES = ("bonferroni", "parametric", "fixed_sequence")
REPLICATES = 8
LOG2_POINTS = 15
SEED = 20261201


@dataclass(frozen=True)
class MultiJoint:
    """Law of Z_{j,k} (index k·m + j): H1 mean per √N (mK,), H1 covariance and H0 correlation
    (mK, mK), information fractions ``t`` (m, K)."""

    mean_per_sqrt_n: np.ndarray
    cov1: np.ndarray
    corr0: np.ndarray
    t: np.ndarray

    @property
    def m(self) -> int:
        return self.t.shape[0]

    @property
    def k_max(self) -> int:
        return self.t.shape[1]

    def last(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(mean per √N, cov1, corr0) of the last look (the fixed design's law)."""
        s = slice((self.k_max - 1) * self.m, self.k_max * self.m)
        return self.mean_per_sqrt_n[s], self.cov1[s, s], self.corr0[s, s]


def joint_proportional(drift, cov1, corr0, rates) -> MultiJoint:
    """Proportional information (module docstring): fixed drifts (m,), cov1, corr0 (m, m)."""
    t = np.asarray(rates, float)
    drift, cov1, corr0 = (np.asarray(x, float) for x in (drift, cov1, corr0))
    m, k = drift.size, t.size
    lag = np.sqrt(np.minimum.outer(t, t) / np.maximum.outer(t, t))         # (K, K)
    mean = (np.sqrt(t)[:, None] * drift[None, :]).reshape(-1)
    big = lambda c: (lag[:, None, :, None] * c[None, :, None, :]).reshape(m * k, m * k)  # noqa: E731
    return MultiJoint(mean, big(cov1), big(corr0), np.broadcast_to(t, (m, k)).copy())


def joint_information(theta, info, members) -> MultiJoint:
    """Information per cell (module docstring): ``theta`` (C,) log-HR-type effects per cell (tested
    direction, shifted by the null), or (C, K) one per look (non-proportional hazards: each look's
    average hazard ratio, :func:`planner.survival_nph.cells_joint`), ``info`` (C, K) cumulative
    information per patient randomized, ``members`` (m, C) 0/1 membership of each hypothesis's population."""
    theta, info, mem = (np.asarray(x, float) for x in (theta, info, members))
    m, k = mem.shape[0], info.shape[1]
    i_pop = mem @ info                                                        # (m, K)
    if theta.ndim == 2:
        mean = (mem @ (theta * info) / np.sqrt(i_pop)).T.reshape(-1)
    else:
        mean = ((mem * theta) @ info / np.sqrt(i_pop)).T.reshape(-1)          # look-major
    lo = np.minimum.outer(np.arange(k), np.arange(k))                         # (K, K) min look
    shared = np.einsum("pc,qc,cab->apbq", mem, mem, info[:, lo])              # (K, m, K, m)
    norm = np.sqrt(np.einsum("pa,qb->apbq", i_pop, i_pop))
    corr = (shared / norm).reshape(m * k, m * k)
    return MultiJoint(mean, corr, corr.copy(), i_pop / i_pop[:, -1:])


# ----------------------------------------------------------------------------- bounds


@dataclass(frozen=True)
class MultiBounds:
    """Every intersection test's z bounds: ``tests[g]`` (|J|, K) for ``subsets[g]`` (∞: takes no
    part), the futility bounds (m, K) (−∞: none; followed, binding or not)."""

    subsets: tuple[tuple[int, ...], ...]
    tests: tuple[np.ndarray, ...]
    futility: np.ndarray

    def elementary(self, j: int) -> np.ndarray:
        """The bounds of H_j's own test (J = {j})."""
        return self.tests[self.subsets.index((j,))][0]


def _levels_gs(plan: InterimPlan, t: np.ndarray, level: float) -> np.ndarray:
    if level <= 0:
        return np.full(t.size, math.inf)
    return _gs(plan, t, level)


def _nonbinding(plan: InterimPlan) -> InterimPlan:
    return InterimPlan(plan.information_rates, plan.efficacy, plan.gamma, None, False)


def _inflate(plan, alpha, J, wj, corr0, t, inflate, points: int = POINTS_BOUNDS) -> np.ndarray:
    """Parametric bounds of H_J (|J|, K): Bonferroni levels × ξ_k (module docstring)."""
    base_plan = _nonbinding(plan) if plan.binding and plan.futility_bounds is not None else plan
    k_max = t.shape[1]
    bon = np.stack([_levels_gs(base_plan, t[j], w * alpha) for j, w in zip(J, wj)])
    p = ndtr(-bon)
    target = sum(w * spending(plan.efficacy, alpha, t[j], plan.gamma) for j, w in zip(J, wj))
    target[-1] = alpha
    out = bon.copy()
    idx = lambda k: [kk * t.shape[0] + j for kk in range(k + 1) for j in J]  # noqa: E731
    for k in range(k_max):
        ix = idx(k)
        sub = corr0[np.ix_(ix, ix)]

        def crossed(xi, k=k, ix=ix, sub=sub):
            b = out[:, : k + 1].copy()
            lev = np.where(inflate, xi * p[:, k], p[:, k])
            b[:, k] = np.where(lev > 0, -ndtri(np.minimum(lev, 0.5)), math.inf)
            return 1.0 - float(rect_prob(b.T.reshape(-1), np.zeros(len(ix)), sub, points))

        step = target[k] - (target[k - 1] if k else 0.0)
        top = 0.5 / max(float(np.max(p[inflate, k])), 1e-300)
        if step > 1e-15 and np.any(p[inflate, k] > 0):
            f = lambda xi, k=k: crossed(xi) - target[k]  # noqa: E731
            xi = _root_xi(f, float(np.sum(p[inflate, k])), top)
            if xi is not None:
                lev = np.where(inflate, xi * p[:, k], p[:, k])
                out[:, k] = np.where(lev > 0, -ndtri(np.minimum(lev, 0.5)), math.inf)
    return out


XI_STEP = 1e-7


def _root_xi(f, slope: float, top: float) -> float | None:
    """ξ in (1, top) with f(ξ) = 0 for the increasing f (P₀(crossing) − target); None when f(1) ≥ 0
    (no inflation needed). The secant from ξ = 1 with the union bound's slope Σ p (the crossing
    probability is nearly linear in ξ: its slope is Σ p less the overlaps), kept inside the bracket
    of the signs seen; stops after a step below :data:`XI_STEP` ξ (the secant converging
    superlinearly, the root is then within ~1e-11 ξ, as the Brent search to 1e-12 it replaces,
    which took ~9 Genz integrations per root against 3–4 here); Brent if it stalls."""
    x0, f0 = 1.0, f(1.0)
    if not f0 < 0:
        return None
    a, b = 1.0, top
    x1 = min(1.0 - f0 / slope, 0.5 * (1.0 + top)) if slope > 0 else 0.5 * (1.0 + top)
    for _ in range(30):
        f1 = f(x1)
        if f1 == 0:
            return x1
        a, b = (max(a, x1), b) if f1 < 0 else (a, min(b, x1))
        new = x1 - f1 * (x1 - x0) / (f1 - f0) if f1 != f0 else 0.5 * (a + b)
        if not a < new < b:
            new = 0.5 * (a + b)
        if abs(new - x1) <= XI_STEP * new:
            return new
        x0, f0, x1 = x1, f1, new
    return brentq(f, a, b, xtol=1e-12, rtol=1e-12) if f(a) < 0 <= f(b) else None


def closed_gs_bounds(plan: InterimPlan, alpha: float, procedure: str, corr0: np.ndarray, t: np.ndarray,
                     weights=None, order=None, rule: str = "xi", points: int = POINTS_BOUNDS) -> MultiBounds:
    """Bounds of every intersection test (module docstring) for one correlation structure
    (``points``: Genz points of the parametric tests' integrals; fewer for the ratio nodes of
    curves and maps, :meth:`planner.groupseq.multipop_model.MultiPopSequentialModel.ratios`)."""
    t = np.asarray(t, float)
    key = lambda x: tuple(np.round(np.asarray(x, float).ravel(), 12).tolist())  # noqa: E731
    w = None if weights is None else tuple(float(x) for x in weights)
    o = None if order is None else tuple(int(i) for i in order)
    return _bounds_cached(plan, float(alpha), procedure, key(corr0), key(t), t.shape, w, o, rule, int(points))


@lru_cache(maxsize=256)
def _bounds_cached(plan, alpha, procedure, corr_key, t_key, t_shape, weights, order, rule,
                   points: int = POINTS_BOUNDS) -> MultiBounds:
    if procedure not in PROCEDURES:
        raise ValueError(f"no group-sequential form of {procedure!r}; one of {', '.join(PROCEDURES)}")
    t = np.asarray(t_key).reshape(t_shape)
    m, k = t_shape
    corr0 = np.asarray(corr_key).reshape(m * k, m * k)
    w = np.full(m, 1.0 / m) if weights is None else np.asarray(weights) / np.sum(weights)
    order = tuple(range(m)) if order is None else order
    tests = []
    for J in subsets(m):
        wj = local_weights(w, J)
        if procedure == "fixed_sequence":
            first = next(i for i in order if i in J)
            b = np.stack([_levels_gs(plan, t[j], alpha if j == first else 0.0) for j in J])
        elif procedure == "parametric" and len(J) > 1:
            inflate = wj > 0
            if rule == "spiessens_debois" and weights is not None and 0 in J:
                inflate = inflate & (np.array(J) != 0)
            b = _inflate(plan, alpha, J, wj, corr0, t, inflate, points)
        else:
            b = np.stack([_levels_gs(plan, t[j], a * alpha) for j, a in zip(J, wj)])
        tests.append(b)
    fut = np.broadcast_to(_futility(plan), (m, k)).copy()
    return MultiBounds(tuple(subsets(m)), tuple(tests), fut)


# ----------------------------------------------------------------------------- the procedure on draws


@lru_cache(maxsize=8)
def _normal_draws(dim: int, replicates: int, log2: int) -> np.ndarray:
    """(R, 2^log2, dim) standard normal RQMC draws: R independently scrambled Sobol sets."""
    from scipy.stats import qmc  # noqa: PLC0415

    out = np.empty((replicates, 2**log2, dim))
    for r in range(replicates):
        u = qmc.Sobol(dim, scramble=True, seed=SEED + r).random_base2(log2)
        out[r] = ndtri(np.clip(u, 1e-16, 1 - 1e-16))
    return out


CLAIMS = ("at_least_one", "all")


def _claims_of(rej: np.ndarray) -> np.ndarray:
    """(m + 2, n) per hypothesis, at least one, all."""
    return np.concatenate([rej, rej.any(axis=0)[None], rej.all(axis=0)[None]])


@dataclass(frozen=True)
class Fixed:
    """The fixed design's closed test (control variate): procedure arguments of closed_test."""

    procedure: str
    weights: tuple | None
    order: tuple | None
    rule: str


def operating(joint: MultiJoint, bd: MultiBounds, alpha: float, fixed: Fixed, root_n: float,
              h1: bool = True, control: bool = True, replicates: int = REPLICATES, log2: int = LOG2_POINTS) -> dict:
    """Claims by look (m + 2, K) with their SEs, P(stop at look k) (K,), at √N = ``root_n`` (H1) or H0.

    Rows of the claims: each hypothesis, at least one, all. The last look's claims use the
    control variate of the module docstring (``control``). Each draw's claims are a bitmask
    (:func:`procedure_bits`); the replicate means come from the counts of the 2^m patterns. The
    last :data:`MEMO` results are kept (the table's claims and its interim fields ask the same)."""
    key = (_key(joint.mean_per_sqrt_n), _key(joint.cov1), _key(joint.corr0), tuple(b.tobytes() for b in bd.tests),
           bd.futility.tobytes(), float(alpha), fixed, float(root_n) if h1 else 0.0, h1, control, replicates, log2)
    if key not in _memo:
        if len(_memo) >= MEMO:
            _memo.pop(next(iter(_memo)))
        _memo[key] = _operating(joint, bd, alpha, fixed, root_n, h1, control, replicates, log2)
    return {k: v.copy() for k, v in _memo[key].items()}


MEMO = 8
_memo: dict = {}


def _operating(joint: MultiJoint, bd: MultiBounds, alpha: float, fixed: Fixed, root_n: float,
               h1: bool, control: bool, replicates: int, log2: int) -> dict:
    m, k_max = joint.m, joint.k_max
    cov = joint.cov1 if h1 else joint.corr0
    mean = joint.mean_per_sqrt_n * root_n if h1 else np.zeros(m * k_max)
    zt = _correlated(_key(cov), m * k_max, replicates, log2)                  # (mK, R·n), mean 0
    bits, stop = procedure_bits(zt, bd, mean)
    n, rep = 2**log2, _replicate(replicates, log2)
    table = _claim_table(m)                                                     # (m + 2, 2^m)
    freq = lambda idx, size: np.bincount(idx, minlength=replicates * size).reshape(replicates, size) / n  # noqa: E731
    by_rep = np.stack([freq((rep << m) | bits[k], 1 << m) @ table.T for k in range(k_max)], axis=-1)  # (R, m+2, K)
    stops = freq(rep * k_max + stop, k_max)                                                           # (R, K)
    est, se = by_rep.mean(axis=0), by_rep.std(axis=0, ddof=1) / math.sqrt(replicates)
    if control:
        last = slice((k_max - 1) * m, k_max * m)
        corr_last = joint.corr0[last, last]
        fx, _ = procedure_bits(zt[last], _fixed_bounds(_key(corr_last), m, float(alpha), fixed), mean[last])
        both = freq((rep << 2 * m) | (bits[-1].astype(np.intp) << m) | fx[0], 1 << 2 * m).reshape(-1, 1 << m, 1 << m)
        diff = both.sum(axis=2) @ table.T - both.sum(axis=1) @ table.T                  # (R, m+2)
        exact = closed_test_power(mean[last], cov[last, last], corr_last, alpha, fixed.procedure,
                                  weights=fixed.weights, order=fixed.order, parametric_rule=fixed.rule)
        p_fix = np.r_[exact["reject"], exact["at_least_one"], exact["all"]]
        est[:, -1] = p_fix + diff.mean(axis=0)
        se[:, -1] = diff.std(axis=0, ddof=1) / math.sqrt(replicates)
    return {"claims": np.clip(est, 0.0, 1.0), "se": se, "stop": stops.mean(axis=0),
            "stop_se": stops.std(axis=0, ddof=1) / math.sqrt(replicates)}


def claims_at_sizes(joint: MultiJoint, bd: MultiBounds, alpha: float, fixed: Fixed, root_ns,
                    replicates: int = REPLICATES, log2: int = LOG2_POINTS) -> np.ndarray:
    """(m + 2, S) the claims by the end at each √N of ``root_ns``: :func:`operating`'s control-variate
    estimates (the same numbers), the fixed design's exact powers in one batched call (a curve)."""
    m, k_max = joint.m, joint.k_max
    root_ns = np.asarray(root_ns, float).reshape(-1)
    zt = _correlated(_key(joint.cov1), m * k_max, replicates, log2)
    last = slice((k_max - 1) * m, k_max * m)
    corr_last = joint.corr0[last, last]
    fb, table = _fixed_bounds(_key(corr_last), m, float(alpha), fixed), _claim_table(m)
    diff = np.empty((m + 2, root_ns.size))
    for a, r in enumerate(root_ns):
        mean = joint.mean_per_sqrt_n * r
        bits, _ = procedure_bits(zt, bd, mean)
        fx, _ = procedure_bits(zt[last], fb, mean[last])
        both = np.bincount((bits[-1].astype(np.intp) << m) | fx[0], minlength=1 << 2 * m).reshape(1 << m, 1 << m)
        diff[:, a] = (table @ both.sum(axis=1) - table @ both.sum(axis=0)) / zt.shape[1]
    exact = closed_test_power(joint.mean_per_sqrt_n[last][None, :] * root_ns[:, None], joint.cov1[last, last],
                              corr_last, alpha, fixed.procedure, weights=fixed.weights, order=fixed.order,
                              parametric_rule=fixed.rule)
    p_fix = np.concatenate([np.asarray(exact["reject"]).T, np.asarray(exact["at_least_one"])[None],
                            np.asarray(exact["all"])[None]])
    return np.clip(p_fix + diff, 0.0, 1.0)


@lru_cache(maxsize=4)
def _claim_table(m: int) -> np.ndarray:
    """(m + 2, 2^m): the claims (each hypothesis, at least one, all) of each bitmask of claims."""
    s = np.arange(1 << m)
    return np.concatenate([(s[None] >> np.arange(m)[:, None]) & 1, [s != 0], [s == (1 << m) - 1]]).astype(float)


@lru_cache(maxsize=4)
def _replicate(replicates: int, log2: int) -> np.ndarray:
    """(R·2^log2,) the replicate of each draw."""
    out = np.repeat(np.arange(replicates, dtype=np.intp), 2**log2)
    out.setflags(write=False)
    return out


@lru_cache(maxsize=64)
def _fixed_bounds(corr_key: tuple, m: int, alpha: float, fixed: Fixed) -> MultiBounds:
    """The fixed design's closed test (:mod:`planner.closed_test`, its very thresholds) as one look
    of :class:`MultiBounds`, run on the last look's draws for the control variate. Every local
    test of the procedures here is a union of one-statistic terms {Z_j > t}."""
    from ..closed_test import _setup  # noqa: PLC0415

    corr = np.asarray(corr_key).reshape(m, m)
    tests = []
    for J, terms in _setup(corr, alpha, fixed.procedure, fixed.weights, fixed.order, fixed.rule, m):
        b = np.full((len(J), 1), math.inf)
        for S, t in terms:
            (j,) = S
            b[J.index(j), 0] = float(np.asarray(t).reshape(-1)[0])
        tests.append(b)
    return MultiBounds(tuple(subsets(m)), tuple(tests), np.full((m, 1), -math.inf))


def _key(x: np.ndarray) -> tuple:
    return tuple(np.round(np.asarray(x, float).ravel(), 13).tolist())


@lru_cache(maxsize=6)   # per structure: H1 on the search's, the full and the curves' draws, H0
def _correlated(cov_key: tuple, d: int, replicates: int, log2: int) -> np.ndarray:
    """(d, R·2^log2) draws of N(0, cov), component-major: the Cholesky factor times the RQMC
    normals (cached: the same for every N of one structure)."""
    c = np.asarray(cov_key).reshape(d, d)
    chol = np.linalg.cholesky(c + 1e-12 * np.eye(d))
    out = np.ascontiguousarray(chol @ _normal_draws(d, replicates, log2).reshape(-1, d).T)
    out.setflags(write=False)
    return out


def _fixed_claim(joint: MultiJoint, alpha: float, fixed: Fixed, row: int, n: float) -> float:
    mean, cov1, corr0 = joint.last()
    exact = closed_test_power(mean * math.sqrt(n), cov1, corr0, alpha, fixed.procedure, weights=fixed.weights,
                              order=fixed.order, parametric_rule=fixed.rule)
    return float(np.r_[exact["reject"], exact["at_least_one"], exact["all"]][row])


SIZE_RTOL = 1e-4   # the fixed-point iteration of :func:`size_for` stops when N moves less than this
SIZE_ITER = 8
SEARCH_LOG2 = 12   # draws per replicate of the size search's secant (the last step uses the full draws)
SIZE_TOL = 3e-4    # |P(N) − target| at which the search on 8·2^SEARCH_LOG2 draws stops (P's slope in log N
                   # is ~0.3 at 80–90 %: ~1e-3 in N; P on those draws wobbles by ~1e-4 between nearby N)


def size_for(joint: MultiJoint, bd: MultiBounds, alpha: float, fixed: Fixed, row: int, target: float,
             guess: float, lo: float = 4.0, hi: float = 1e8, log2: int = LOG2_POINTS) -> float:
    """Smallest N with P(claim ``row``) ≥ ``target``; NaN when not reached below ``hi``.

    Each P(N) (:func:`operating`) is on common random numbers, so a deterministic function of N
    (the bounds do not depend on N) — but one with small steps (one draw of 8·2^12 moves P by 3e-5),
    so its secant slopes over nearby N are noise. The iteration on s = √N of
    g(s) = Φ⁻¹(P(s²)) − Φ⁻¹(target) therefore takes the one-z-test slope g′ = (Φ⁻¹(P) + z_α)/s
    (Φ⁻¹(P) = δs − z_α exactly for one test; within ~5 % of the closed group-sequential test's slope
    at KEYNOTE-042's 3-look plan, so each step removes ~95 % of the error): from ``guess``, on
    2^:data:`SEARCH_LOG2` draws per replicate, until |P − target| ≤ :data:`SIZE_TOL` (typically 2
    evaluations); then one evaluation on the 2^``log2`` draws there and one more step (that P is
    off by ≲ 1e-3 — SIZE_TOL and the two draw sets' Monte Carlo errors; the step leaves ~5 % of
    it, a few 1e-5 in power, below the Monte Carlo SE). The fixed-point iteration :func:`size_fixed_point` where
    this fails (the root outside (lo, hi) or no convergence in :data:`SIZE_ITER` evaluations).
    """
    s_lo, s_hi = math.sqrt(lo), math.sqrt(hi)
    z_alpha = float(ndtri(1 - alpha))

    def g(s: float, bits: int) -> tuple[float, float]:
        p = float(operating(joint, bd, alpha, fixed, s, log2=bits)["claims"][row, -1])
        zp = float(ndtri(min(max(p, 1e-12), 1 - 1e-12)))
        return zp - float(ndtri(target)), p

    def step(s: float, val: float) -> float | None:
        slope = (val + float(ndtri(target)) + z_alpha) / s
        return s - val / slope if slope > 0 else None

    search = min(SEARCH_LOG2, log2)
    s = min(max(math.sqrt(guess), s_lo), s_hi)
    a, b = s_lo, s_hi                                    # bracket of the signs seen
    for _ in range(SIZE_ITER):
        val, p = g(s, search)
        if abs(p - target) <= SIZE_TOL:
            break
        a, b = (max(a, s), b) if val < 0 else (a, min(b, s))
        new = step(s, val)
        s = new if new is not None and a < new < b else math.sqrt(a * b)
    else:
        return size_fixed_point(joint, bd, alpha, fixed, row, target, guess, lo, hi)
    if not s_lo < s < s_hi:
        return size_fixed_point(joint, bd, alpha, fixed, row, target, guess, lo, hi)
    if log2 > search:
        new = step(s, g(s, log2)[0])
        s = new if new is not None and s_lo < new < s_hi else s
    return s * s


def size_fixed_point(joint: MultiJoint, bd: MultiBounds, alpha: float, fixed: Fixed, row: int, target: float,
                     guess: float, lo: float = 4.0, hi: float = 1e8) -> float:
    """:func:`size_for` by a fixed-point iteration (the fallback).

    P(N) = P_fix(N) + D(N) (control variate, :func:`operating`): P_fix is exact and smooth, the
    group-sequential difference D changes slowly with N. N_{i+1} solves P_fix(N) = target − D(N_i)
    (Brent on log N), D re-estimated at N_{i+1} with the same draws; stops when N moves by less
    than :data:`SIZE_RTOL` relative, or after :data:`SIZE_ITER` evaluations.
    """
    n = float(guess)
    for _ in range(SIZE_ITER):
        res = operating(joint, bd, alpha, fixed, math.sqrt(n))
        goal = target - (float(res["claims"][row, -1]) - _fixed_claim(joint, alpha, fixed, row, n))
        if not 0 < goal < 1:
            return math.nan
        new = _solve_fixed(lambda x, goal=goal: _fixed_claim(joint, alpha, fixed, row, math.exp(x)) - goal,
                           math.log(n), math.log(lo), math.log(hi))
        if new is None or not math.isfinite(new):
            return new if new is not None else lo
        done = abs(new - n) <= SIZE_RTOL * n
        n = new
        if done:
            break
    return n


def _solve_fixed(f, x0: float, lo: float, hi: float) -> float | None:
    """Root of the increasing ``f`` on log N near ``x0`` (bracket grown from ±0.2); None: below ``lo``
    already reached (the root is ``lo``), NaN: not reached by ``hi``."""
    a, b, step = max(x0 - 0.2, lo), min(x0 + 0.2, hi), 0.4
    fa, fb = f(a), f(b)
    while fa > 0 and a > lo:
        a, b, fb = max(a - step, lo), a, fa
        fa, step = f(a), step * 2
    while fb < 0 and b < hi:
        a, fa, b = b, fb, min(b + step, hi)
        fb, step = f(b), step * 2
    if fa > 0:
        return None
    if fb < 0:
        return math.nan
    return math.exp(brentq(f, a, b, xtol=1e-10, rtol=1e-12))
