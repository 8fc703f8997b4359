"""The biomarker-stratified design with interim looks: closed group-sequential test of H_F and H_S.

Joint distribution
------------------
At looks k = 1..K the overall statistic Z_F,k (full population F) and the subgroup statistic
Z_S,k (test-positives S ⊂ F) are jointly normal. Components are ordered by look,
(Z_F,1, Z_S,1, Z_F,2, Z_S,2, …), which keeps the Genz integration of :mod:`.mvn` accurate.

*Information form* (:func:`joint_from_information`; survival, events per subgroup). Let I_S,k
and I_N,k be the information of S and of its complement N = F∖S at look k (Schoenfeld:
p(1 − p)·events), I_F,k = I_S,k + I_N,k, and let the overall estimate be the inverse-variance
(event-weighted, stratified log-rank) combination θ̂_F,k = (I_S,k θ̂_S,k + I_N,k θ̂_N,k)/I_F,k.
Within a subgroup, estimates at two looks share their data: cov(θ̂_S,k, θ̂_S,k′) = 1/I_S,max(k,k′)
(independent increments); S and N are independent. Hence for Z = θ̂√I:

    corr(Z_F,k, Z_F,k′) = √(I_F,k / I_F,k′),   corr(Z_S,k, Z_S,k′) = √(I_S,k / I_S,k′)   (k ≤ k′)
    corr(Z_S,k, Z_F,k′) = √(I_S,k / I_F,k′)                 for k ≤ k′
    corr(Z_S,k, Z_F,k′) = I_S,k′ / √(I_S,k · I_F,k′)        for k > k′

(the first line of the cross term: cov(θ̂_S,k, θ̂_F,k′) = (I_S,k′/I_F,k′)·(1/I_S,k′) = 1/I_F,k′;
the second: (I_S,k′/I_F,k′)·(1/I_S,k)). With K = 1 this is the fixed design's √(I_S/I_F).
Means: E Z_S,k = θ_S√I_S,k, E Z_F,k = (I_S,k θ_S + I_N,k θ_N)/√I_F,k.

*Proportional form* (:func:`joint_from_fixed`; continuous and binary endpoints, where every
subgroup's patients accrue in proportion, I_·,k = t_k I_·): any two fixed linear statistics A, B
of the subgroup estimates have cov(Z_A,k, Z_B,k′) = cov_fixed(Z_A, Z_B)·√(t_min/t_max), so the
fixed design's drifts per √N, H1 standard deviations and H0/H1 correlations
(:class:`planner.designs.stratified.StratifiedModel`) give the whole joint law:
E Z_A,k = drift_A √(N t_k), cov₁ = sd_A sd_B ρ₁ √(t_min/t_max), corr₀ = ρ₀ √(t_min/t_max).

Closed group-sequential test (Maurer & Bretz 2013; Anderson et al. 2022)
-------------------------------------------------------------------------
Every hypothesis H ∈ {H_F, H_S, H_F ∩ H_S} has its own group-sequential test at level α over
the looks (each hypothesis's spending α*(t) at its own information fractions). H_F is rejected
(by the end) iff the tests of H_F ∩ H_S and of H_F both reject at some look — each test is a
level-α group-sequential test, so the family-wise error is strongly controlled (closure).
With intersection bounds (a_k on Z_F, b_k on Z_S) and elementary bounds c^F_k, c^S_k:

* ``bonferroni`` (weighted Bonferroni–Holm): a = GS bounds at w_F α, b at w_S α, c^F, c^S at α.
* ``spiessens_debois`` (weighted parametric, Anderson et al. 2022): the Bonferroni nominal
  levels of the intersection test are inflated at each look by a common factor ξ_k ≥ 1 so that
  P₀(H_F ∩ H_S rejected by look k) = w_F α*(t_F,k) + w_S α*(t_S,k), using the joint
  correlation. Without ``alpha_split`` w = (½, ½) (equal bounds at K = 1, Spiessens & Debois
  2010); with it only the subgroup's bounds are lowered (a stays at Bonferroni) — both as the
  fixed design. Elementary tests at α.
* ``fixed_sequence_overall_first`` — a = c^F(α), b = ∞; ``…_subgroup_first`` the mirror image.
* ``fallback`` (Wiens 2003) — a, b as Bonferroni; H_S's elementary test at α, H_F's at w_F α.

Claim powers (:func:`claims_by_look`, :func:`claim_probabilities`) and expected sizes
(:func:`expected_fraction`) come from the 2-D recursive integration of :mod:`.grid2d`, running the
procedure of :mod:`.procedure` (futility stops on each hypothesis's z, followed whether binding or
not; the trial's stopping rule ``stop_when``); binding futility also lowers the bounds
(:func:`bounds_for`). Without futility they equal the rectangle formulas (E_FS, E_F, E_S the events
that each test rejects by look K; R the multivariate normal rectangle probability,
:func:`.mvn.rect_prob`), kept in :func:`claim_probabilities_genz` as the independent check:

    P(H_F) = 1 − R(a,b) − R(c^F,∞) + R(a∧c^F, b)
    P(H_S) = 1 − R(a,b) − R(∞,c^S) + R(a, b∧c^S)
    P(either) = 1 − R(a,b) − R(c^F,c^S) + R(a∧c^F, b∧c^S)
    P(both) = 1 − R(a,b) − R(c^F,∞) − R(∞,c^S) + R(a∧c^F,b) + R(a,b∧c^S) + R(c^F,c^S) − R(a∧c^F,b∧c^S)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache, partial

import numpy as np
from numpy.typing import ArrayLike

from . import bounds_many as BM
from . import curve as C
from . import grid2d as G
from . import own as O
from . import procedure as P
from . import stratified_along as SA
from .boundaries import boundaries, spending
from .mvn import POINTS, rect_prob
from .plan import InterimPlan
from .rows import count_rows, unique_rows

METHODS = ("spiessens_debois", "bonferroni", "fixed_sequence_overall_first", "fixed_sequence_subgroup_first", "fallback")


@dataclass(frozen=True)
class Joint:
    """Joint law of (Z_F,1, Z_S,1, …, Z_F,K, Z_S,K): H1 mean per √N, H1 covariance, H0 correlation.

    Leading axes (…) index curve points; the last axes are 2K (and 2K × 2K).
    """

    mean_per_sqrt_n: np.ndarray
    cov1: np.ndarray
    corr0: np.ndarray
    t_f: np.ndarray   # (…, K) information fractions of F
    t_s: np.ndarray   # (…, K) information fractions of S
    rho0: np.ndarray | None = None   # proportional form: the fixed design's H0 correlation (…)


def _interleave(f: np.ndarray, s: np.ndarray) -> np.ndarray:
    out = np.empty(f.shape[:-1] + (2 * f.shape[-1],))
    out[..., 0::2], out[..., 1::2] = f, s
    return out


def joint_from_fixed(drift_f: ArrayLike, drift_s: ArrayLike, sd_f: ArrayLike, sd_s: ArrayLike,
                     rho0: ArrayLike, rho1: ArrayLike, information_rates) -> Joint:
    """Proportional information (see module docstring), from the fixed design's quantities."""
    t = np.asarray(information_rates, dtype=float)
    arrs = np.broadcast_arrays(*(np.asarray(x, float) for x in (drift_f, drift_s, sd_f, sd_s, rho0, rho1)))
    df, ds, sf, ss, r0, r1 = (a[..., None] for a in arrs)
    mean = _interleave(df * np.sqrt(t), ds * np.sqrt(t))
    lag = np.sqrt(np.minimum.outer(t, t) / np.maximum.outer(t, t))        # (K, K)
    kind = np.arange(2 * len(t)) % 2                                       # 0 = F, 1 = S
    look = np.arange(2 * len(t)) // 2
    lag2 = lag[look][:, look]
    same = kind[:, None] == kind[None, :]
    sd = np.where(kind == 0, sf, ss)                                       # (…, 2K)
    corr1 = np.where(same, 1.0, r1[..., None])                             # (…, 1, 1) broadcast
    corr0 = np.where(same, 1.0, r0[..., None]) * lag2
    cov1 = sd[..., :, None] * sd[..., None, :] * corr1 * lag2
    tt = np.broadcast_to(t, df.shape[:-1] + t.shape)
    return Joint(mean, cov1, corr0, tt, tt, np.broadcast_to(r0[..., 0], df.shape[:-1]))


def joint_from_information(theta_s: ArrayLike, theta_n: ArrayLike, info_s: ArrayLike, info_n: ArrayLike) -> Joint:
    """Information form (see module docstring): ``info_*`` (…, K) cumulative information per √N².

    ``info_s``, ``info_n`` are the information of S and N at each look per patient randomized
    (Schoenfeld: p(1 − p) × expected events per patient by the look), so that with N patients
    I = N·info; H1 variances equal H0 variances (Schoenfeld).
    """
    i_s, i_n = np.asarray(info_s, float), np.asarray(info_n, float)
    th_s, th_n = np.asarray(theta_s, float)[..., None], np.asarray(theta_n, float)[..., None]
    i_f = i_s + i_n
    mean = _interleave((i_s * th_s + i_n * th_n) / np.sqrt(i_f), th_s * np.sqrt(i_s))
    k = i_s.shape[-1]
    corr = np.empty(i_s.shape[:-1] + (2 * k, 2 * k))
    for x in range(2 * k):
        for y in range(2 * k):
            (kx, sx), (ky, sy) = divmod(x, 2), divmod(y, 2)
            if sx == sy:  # same hypothesis: √(I_min / I_max)
                own = i_s if sx else i_f
                corr[..., x, y] = np.sqrt(own[..., min(kx, ky)] / own[..., max(kx, ky)])
                continue
            ks, kf = (kx, ky) if sx else (ky, kx)   # look of the S and of the F component
            if ks <= kf:
                corr[..., x, y] = np.sqrt(i_s[..., ks] / i_f[..., kf])
            else:
                corr[..., x, y] = i_s[..., kf] / np.sqrt(i_s[..., ks] * i_f[..., kf])
    return Joint(mean, corr, corr, i_f / i_f[..., -1:], i_s / i_s[..., -1:])


@dataclass(frozen=True)
class ClosedBounds:
    """z bounds per look (…, K): intersection test (a on Z_F, b on Z_S) and elementary tests.

    ``f_f``, ``f_s``: futility bounds on Z_F and Z_S per look (−∞: none; the last look has none),
    followed in claim powers and expected sizes; ``None``: no futility.
    """

    a: np.ndarray
    b: np.ndarray
    c_f: np.ndarray
    c_s: np.ndarray
    f_f: np.ndarray | None = None
    f_s: np.ndarray | None = None

    def to_dict(self) -> dict:
        fin = lambda v: [None if not math.isfinite(x) else float(x) for x in np.ravel(v)]  # noqa: E731
        out = {"intersection_overall_z": fin(self.a), "intersection_subgroup_z": fin(self.b),
               "overall_z": fin(self.c_f), "subgroup_z": fin(self.c_s)}
        if self.f_f is not None:
            out["overall_futility_z"] = fin(self.f_f)
            out["subgroup_futility_z"] = fin(self.f_s)
        return out


def _futility(plan: InterimPlan) -> np.ndarray:
    """The plan's futility z bounds per look (−∞ where none, always at the last look)."""
    k = plan.k_max
    if plan.futility_bounds is None:
        return np.full(k, -math.inf)
    return np.r_[np.asarray(plan.futility_bounds, float), -math.inf][:k]


def _binding(plan: InterimPlan) -> bool:
    """Whether the plan's futility stops bind (lower the efficacy bounds)."""
    return plan.binding and plan.futility_bounds is not None


def _gs(plan: InterimPlan, rates: np.ndarray, level: float) -> np.ndarray:
    """Efficacy bounds of the plan's spending at ``level`` on a hypothesis's own fractions
    (binding futility lowers them, rpact ``bindingFutility``; non-binding futility does not)."""
    binding = _binding(plan)
    own = InterimPlan(tuple(round(float(r), 12) for r in rates), plan.efficacy, plan.gamma,
                      plan.futility_bounds if binding else None, binding)
    return np.array(boundaries(own, float(level)).efficacy_z)


def _targets(plan, alpha, w_f, tfs, tss) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(B, K) Bonferroni bounds a, b of B structures' fractions and the cumulative α the weighted
    parametric intersection test spends (the last look: all of α)."""
    a = np.stack([_gs(plan, t, w_f * alpha) for t in tfs])
    b = np.stack([_gs(plan, t, (1 - w_f) * alpha) for t in tss])
    target = np.stack([w_f * spending(plan.efficacy, alpha, tf, plan.gamma) + (1 - w_f) * spending(plan.efficacy, alpha, ts, plan.gamma)
                       for tf, ts in zip(tfs, tss)])
    target[:, -1] = alpha
    return a, b, target


def _parametric(plan, alpha, w_f, corr0, t_f, t_s, split_given) -> tuple[np.ndarray, np.ndarray]:
    """Weighted parametric intersection bounds (Anderson et al. 2022) on the 2-D grid, each look's
    unknown from Bonferroni's bounds (:func:`.bounds_many.parametric_looks`)."""
    a, b, target = _targets(plan, alpha, w_f, [t_f], [t_s])
    fut = tuple(_futility(plan) if plan.binding else np.full(plan.k_max, -math.inf))
    looks = BM.parametric_looks(a, b, target, split_given)
    return P.intersection_bounds(G.law_from_cov(corr0), a[0], b[0], target[0], partial(BM.one_of, looks, 0), fut, fut)


def _parametric_many(plan, alpha, w_f, corrs, tfs, tss, split_given) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_parametric` of B structures (``corrs`` (B, 2K, 2K), fractions (B, K)) without futility
    stops in the intersection test, solved together (:func:`.bounds_many.intersection_bounds_many`:
    the same starts, ranges and secant steps; bounds within round-off); (B, K) arrays."""
    a, b, target = _targets(plan, alpha, w_f, tfs, tss)
    return BM.intersection_bounds_many([G.law_from_cov(c) for c in corrs], a, b, target, BM.parametric_looks(a, b, target, split_given))


def closed_bounds(plan: InterimPlan, alpha: float, method: str, alpha_split: float | None,
                  corr0: np.ndarray, t_f: np.ndarray, t_s: np.ndarray) -> ClosedBounds:
    """Bounds of the closed test for one correlation structure (corr0 (2K, 2K), fractions (K,))."""
    return _closed_cached(plan, float(alpha), method, alpha_split, _key(corr0), _key(t_f), _key(t_s))


def _key(x: np.ndarray) -> tuple:
    return tuple(np.round(np.asarray(x, float).ravel(), 12).tolist())


def closed_bounds_many(plan: InterimPlan, alpha: float, method: str, alpha_split: float | None,
                       corrs: np.ndarray, t_f: np.ndarray, t_s: np.ndarray) -> list[ClosedBounds]:
    """:func:`closed_bounds` of many structures (``corrs`` (B, 2K, 2K), fractions (B, K)): the
    weighted parametric bounds of those not cached are solved together (:func:`_parametric_many`;
    with binding futility one by one, :func:`_parametric`) and cached as :func:`closed_bounds`
    caches them."""
    keys = [(plan, float(alpha), method, alpha_split, _key(c), _key(f), _key(s)) for c, f, s in zip(corrs, t_f, t_s)]
    if method != "spiessens_debois" or _binding(plan) or len(keys) < 2:
        return [_closed_cached(*key) for key in keys]
    k = len(t_f[0])

    def solve(missing):
        corr, tf, ts = (np.array([m[i] for m in missing]) for i in (4, 5, 6))
        w_f = 0.5 if alpha_split is None else float(alpha_split)
        return _parametric_many(plan, float(alpha), w_f, corr.reshape(-1, 2 * k, 2 * k), tf, ts, alpha_split is not None)

    with BM.presolved(keys, _closed_cached, solve):
        return [_closed_cached(*key) for key in keys]


@lru_cache(maxsize=1024)
def _closed_cached(plan, alpha, method, alpha_split, corr_key, tf_key, ts_key) -> ClosedBounds:
    k = len(tf_key)
    corr0 = np.asarray(corr_key).reshape(2 * k, 2 * k)
    t_f, t_s = np.asarray(tf_key), np.asarray(ts_key)
    w_f = 0.5 if alpha_split is None else float(alpha_split)
    c_f, c_s = _gs(plan, t_f, alpha), _gs(plan, t_s, alpha)
    inf = np.full(k, math.inf)
    if method == "fixed_sequence_overall_first":
        return ClosedBounds(c_f, inf, c_f, c_s)
    if method == "fixed_sequence_subgroup_first":
        return ClosedBounds(inf, c_s, c_f, c_s)
    if method == "spiessens_debois":
        solved = BM.taken((plan, alpha, method, alpha_split, corr_key, tf_key, ts_key))   # by closed_bounds_many
        if solved is None:
            solved = _parametric(plan, alpha, w_f, corr0, t_f, t_s, alpha_split is not None)
        return ClosedBounds(np.array(solved[0], float), np.array(solved[1], float), c_f, c_s)
    a, b = _gs(plan, t_f, w_f * alpha), _gs(plan, t_s, (1 - w_f) * alpha)
    if method == "fallback":
        return ClosedBounds(a, b, a.copy(), c_s)
    if method == "bonferroni":
        return ClosedBounds(a, b, c_f, c_s)
    raise ValueError(f"unknown multiplicity {method!r}")


INTERPOLATE_ABOVE = 12   # distinct correlations beyond which proportional bounds are interpolated in ρ (:mod:`.rho_bounds`)


def bounds_for(joint: Joint, plan: InterimPlan, alpha: float, method: str, alpha_split: float | None) -> ClosedBounds:
    """Closed-test bounds at every point of ``joint``, computed once per distinct structure.

    The plan's futility bounds apply to each hypothesis's own z (``f_f`` on Z_F, ``f_s`` on Z_S);
    binding ones lower the efficacy bounds (elementary tests as rpact ``bindingFutility``; the
    parametric intersection test with the futility stops in its H0 integration), non-binding
    ones change no bound.

    In the proportional form the structure is the plan and the scalar ρ₀; with more than
    :data:`INTERPOLATE_ABOVE` distinct ρ₀ (a curve over prevalence) the bounds are solved (together,
    :func:`closed_bounds_many`) at :data:`.rho_bounds.RHO_NODES` Chebyshev nodes of the ρ₀ range (fewer, at least 3, on a range
    narrower than :data:`.rho_bounds.RHO_SPAN`: the same spacing or finer — a curve over the B− effect spans ~0.06, 5 solves
    instead of 19) and interpolated (cubic spline; measured
    within 1.1e-6 of direct solution for 2 and 3 looks on ρ₀ ∈ [0.3, 0.9], but up to 4e-4 where
    the bounds are not smooth in ρ₀: 4 looks with binding futility, ρ₀ near 1 — see
    docs/group-sequential.md).
    """
    lead = joint.corr0.shape[:-2]
    k = joint.t_f.shape[-1]
    fut = np.broadcast_to(_futility(plan), lead + (k,))
    return replace(_bounds_for(joint, plan, alpha, method, alpha_split, lead, k), f_f=fut, f_s=fut)


def _bounds_for(joint, plan, alpha, method, alpha_split, lead, k) -> ClosedBounds:
    if joint.rho0 is not None and method == "spiessens_debois":
        rho = np.broadcast_to(joint.rho0, lead).ravel()
        uniq = np.unique(rho)
        if uniq.size > INTERPOLATE_ABOVE:
            from .rho_bounds import interpolated  # noqa: PLC0415 (it solves its nodes by this module's solvers)

            return interpolated(rho, uniq, np.asarray(joint.t_f).reshape(-1, k)[0], plan, alpha, alpha_split, lead)
    corr = joint.corr0.reshape((-1,) + joint.corr0.shape[-2:])
    tf = np.broadcast_to(joint.t_f, lead + (k,)).reshape(corr.shape[0], -1)
    ts = np.broadcast_to(joint.t_s, lead + (k,)).reshape(corr.shape[0], -1)
    keys = np.round(np.concatenate([corr.reshape(corr.shape[0], -1), tf, ts], axis=1), 12)
    _, first, inverse = unique_rows(keys)
    out = closed_bounds_many(plan, alpha, method, alpha_split, corr[first], tf[first], ts[first])
    stack = lambda name: np.stack([getattr(out[g], name) for g in inverse.ravel()]).reshape(lead + (k,))  # noqa: E731
    return ClosedBounds(stack("a"), stack("b"), stack("c_f"), stack("c_s"))


NAMES = ("a", "b", "c_f", "c_s", "f_f", "f_s")
OUTPUTS = ("overall", "subgroup", "either", "both", "stop")


def claims_by_look(mean: np.ndarray, cov: np.ndarray, bd: ClosedBounds, stop_when: str = "both") -> dict[str, np.ndarray]:
    """P(claim made by look k) for the four claims and P(the trial stops at look k), (…, K) each.

    2-D recursive integration with futility stops as followed and the stopping rule
    ``stop_when`` (:mod:`.procedure`); ``mean`` (…, 2K), ``cov`` (…, 2K, 2K) in look order.
    One grid recursion per covariance (and set of bounds) and reference drift; every point
    within :data:`.grid2d.RADIUS` of a reference is reweighted from it (:mod:`.grid2d`). Points
    whose statistics lie beyond all bounds of every look with certainty
    (:func:`.procedure.certain`) need no recursion; with :data:`.curve.MIN_GROUPS` or more
    structures (a curve over prevalence) the claims are interpolated along the curve
    (:mod:`.curve`).
    """
    return _claims(mean, cov, bd, stop_when, OUTPUTS, None)


def _claims(mean, cov, bd: ClosedBounds, stop_when: str, outputs: tuple[str, ...], look: int | None,
            own: bool = False) -> dict[str, np.ndarray]:
    """:func:`claims_by_look` for ``outputs`` only, at every look (``look`` None: (…, K)) or at
    one (index ``look``: (…, 1)). A curve interpolated from nodes is accepted on the outputs asked
    for (:mod:`.curve`), so a curve of claim powers at the last look may need fewer nodes."""
    if stop_when not in P.STOP_RULES:
        raise ValueError(f"stop_when must be one of {P.STOP_RULES}, got {stop_when!r}")
    want = (tuple(outputs), slice(None) if look is None else [look])
    mean = np.asarray(mean, float)
    k = bd.a.shape[-1]
    lead = np.broadcast_shapes(mean.shape[:-1], np.shape(cov)[:-2], bd.a.shape[:-1])
    kk = k if look is None else 1
    if math.prod(lead) == 1:   # one point (a comparison, a root search's step): no grouping
        bounds = np.array([np.full(k, -math.inf) if getattr(bd, n) is None else np.reshape(getattr(bd, n), k)
                           for n in NAMES], dtype=float)
        res = _one_point(mean.reshape(1, 2 * k), np.asarray(cov, float).reshape(2 * k, 2 * k), bounds, stop_when, want)
        return {name: res[name].reshape(lead + (kk,)) for name in outputs}
    mean = np.broadcast_to(mean, lead + mean.shape[-1:]).reshape(-1, 2 * k)
    cov = np.broadcast_to(np.asarray(cov, float), lead + np.shape(cov)[-2:]).reshape(-1, 2 * k, 2 * k)
    bounds = np.stack([np.broadcast_to(np.full(k, -math.inf) if getattr(bd, n) is None else getattr(bd, n),
                                       lead + (k,)).reshape(-1, k) for n in NAMES], axis=1)      # (P, 6, K)
    out = {name: np.empty((mean.shape[0], kk)) for name in outputs}
    _, first, inverse = unique_rows(np.round(cov.reshape(cov.shape[0], -1), 12))
    scale, cum = G.laws_from_cov(cov[first])
    _drifts(scale[inverse.ravel()], cum[inverse.ravel()], mean, check=True)   # means follow their law's information
    z = (mean / np.sqrt(np.diagonal(cov, axis1=1, axis2=2))).reshape(-1, k, 2)
    far = _far(z, bounds)
    rest = list(np.flatnonzero(~far))
    for i in np.flatnonzero(far):
        res = P.certain(z[i], _rule(bounds[i], stop_when))
        if res is None:
            rest.append(i)
            continue
        for name in outputs:
            out[name][i] = res[name][want[1]]
    if rest:
        rest = np.sort(np.asarray(rest))
        res = _grid_claims(mean[rest], cov[rest], bounds[rest], stop_when, want, own)
        for name in outputs:
            out[name][rest] = res[name]
    return {name: v.reshape(lead + (kk,)) for name, v in out.items()}


def _one_point(mean: np.ndarray, cov: np.ndarray, bounds: np.ndarray, stop_when: str, want: tuple) -> dict[str, np.ndarray]:
    """:func:`_claims` of one point (mean (1, 2K), cov (2K, 2K), bounds (6, K)), (1, K or 1) each:
    the recursion at the point's own drift (:func:`.own.run_own`; its score law cached per
    covariance, :func:`_law_of`) on a curve node's grid and rule but with double-precision FFTs (a
    root search's power is then smooth to ~1e-13) — not tilted from a lattice reference, which a
    single point does not share. Wave 10 (docs "Wave 10, one point"): over the one-point
    evaluations of the 13 examples' comparisons with a 3-look plan the largest error of a category
    mass against a fine grid went from 4.9e-5 to 7.0e-6, and a comparison after an edit takes
    3–4× less CPU."""
    law = _law_of(cov.tobytes(), cov.shape[0])
    lam = _drift(law, mean, check=True)   # means follow the law's information
    rule = _rule(bounds, stop_when)
    z = (mean / np.sqrt(np.diagonal(cov))).reshape(1, -1, 2)
    if _far(z, bounds[None])[0]:
        res = P.certain(z[0], rule)
        if res is not None:
            return {name: res[name][want[1]][None] for name in want[0]}
    return _pick(O.run_own(law, lam, rule, single=False), want)


@lru_cache(maxsize=256)
def _law_of(cov: bytes, size: int) -> G.Law:
    """The score law of a (2K, 2K) covariance given by its bytes (:func:`.grid2d.laws_from_cov`)."""
    scale, cum = G.laws_from_cov(np.frombuffer(cov).reshape(1, size, size))
    return G.Law(scale[0], cum[0])


def _pick(res: dict, want: tuple) -> dict:
    """The outputs and looks asked for (``want`` = (names, look index or slice))."""
    return {name: res[name][..., want[1]] for name in want[0]}


def _rule(bounds: np.ndarray, stop_when: str) -> P.Rule:
    return P.Rule(*(tuple(row) for row in np.asarray(bounds, dtype=float).tolist()), stop_when)


def _far(z: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """(P,) every finite bound of every look is :data:`.procedure.FAR` SDs from the means
    (z (P, K, 2), bounds (P, 6, K)): a quick test before :func:`.procedure.certain`."""
    gap = np.abs(np.concatenate([z[:, None, :, 0] - bounds[:, 0::2], z[:, None, :, 1] - bounds[:, 1::2]], axis=1))
    return np.all(np.isnan(gap) | (gap >= P.FAR), axis=(1, 2))


def _grid_claims(mean: np.ndarray, cov: np.ndarray, bounds: np.ndarray, stop_when: str,
                 want: tuple = (OUTPUTS, slice(None)), own: bool = False) -> dict[str, np.ndarray]:
    """Claims of points (P, 2K) on the grid: grouped by structure, along a curve interpolated;
    ``own``: every point from a recursion at its own drift (:func:`.own.run_own_many`: no
    tilting, a smaller grid, ~half the CPU) — for points whose structures are each seen once
    (the nodes of a root search under the look-wise law), never interpolated."""
    p, k = mean.shape[0], bounds.shape[-1]
    keys = np.concatenate([cov.reshape(p, -1), np.nan_to_num(bounds.reshape(p, -1), posinf=1e30, neginf=-1e30)], axis=1)
    _, first, inverse = unique_rows(np.round(keys, 12))
    order = np.argsort(first)                  # structures in order of first appearance (the curve)
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    inverse, first = rank[inverse.ravel()], first[order]
    scale, cum = G.laws_from_cov(cov[first])
    laws = [G.Law(scale[g], cum[g]) for g in range(first.size)]
    rules = _Rules(bounds[first], stop_when)
    lam = _drifts(scale[inverse], cum[inverse], mean)             # every point's lattice cell, at once
    whiten = np.linalg.cholesky(cum[:, -1])[inverse]
    cell = np.round(np.einsum("pi,pij->pj", lam, whiten) / G.SPACING).astype(int)
    spread = count_rows(cell)                     # references per node of a curve
    cells = count_rows(np.column_stack([inverse, cell]))   # (structure, reference) pairs
    flat = bounds[first].reshape(first.size, -1)
    out = {name: np.empty((p, k if want[1] == slice(None) else 1)) for name in want[0]}
    rest = range(first.size)
    if not own and first.size >= C.MIN_GROUPS and (np.isfinite(flat) == np.isfinite(flat[:1])).all():
        tri = np.triu_indices(2 * k)
        feats = np.concatenate([cov[first][:, tri[0], tri[1]], flat[:, np.isfinite(flat[0])]], axis=1)
        last = cov[first][:, -2:, -2:]
        rho = last[:, 0, 1] / np.sqrt(last[:, 0, 0] * last[:, 1, 1])   # corr(Z_F,K, Z_S,K) per structure
        res, rest = SA.along_curve(feats, first, inverse, mean, laws, rules, want, spread, cells, rho)
        if res is not None and len(rest) == 0:
            return {name: np.clip(v, 0.0, 1.0) for name, v in res.items()}
        if res is not None:
            for name in out:
                out[name][:] = np.clip(res[name], 0.0, 1.0)   # the structures of ``rest`` below
    if own:   # every point at its own drift, the recursions batched (:func:`.own.run_own_many`)
        sel = [np.flatnonzero(inverse == g) for g in rest]
        pts = np.concatenate(sel) if sel else np.zeros(0, int)
        lam = np.concatenate([_drift(laws[g], mean[at]) for g, at in zip(rest, sel)]) if sel else np.zeros((0, 2))
        res = O.run_own_many([laws[inverse[i]] for i in pts], lam, [rules[inverse[i]] for i in pts])
        for i, r in zip(pts, res):
            for name, v in _pick(r, want).items():
                out[name][i] = v[0]
        return out
    for g in rest:
        sel = np.flatnonzero(inverse == g)
        res = _pick(P.run(laws[g], _drift(laws[g], mean[sel]), rules[g]), want)
        for name in out:
            out[name][sel] = res[name]
    return out


class _Rules:
    """The procedure's rule of each structure, made when first asked for (a curve asks for a few)."""

    def __init__(self, bounds: np.ndarray, stop_when: str):
        self.bounds, self.stop_when, self.made = bounds, stop_when, {}

    def __getitem__(self, g: int) -> P.Rule:
        if g not in self.made:
            self.made[g] = _rule(self.bounds[g], self.stop_when)
        return self.made[g]


def _drifts(scale: np.ndarray, cum: np.ndarray, mean: np.ndarray, check: bool = False) -> np.ndarray:
    """Drifts λ (P, 2) of points with their own score laws (scale (P, K, 2), cum (P, K, 2, 2)),
    all at once (2 × 2 solve by cofactors: for the lattice cells and checks; the recursions use
    :func:`_drift`); ``check``: as :func:`_drift`'s."""
    k = scale.shape[1]
    score = mean.reshape(-1, k, 2) * scale
    c, x = cum[:, -1], score[:, -1]
    det = c[:, 0, 0] * c[:, 1, 1] - c[:, 0, 1] * c[:, 1, 0]
    lam = np.stack([c[:, 1, 1] * x[:, 0] - c[:, 0, 1] * x[:, 1], c[:, 0, 0] * x[:, 1] - c[:, 1, 0] * x[:, 0]], axis=1) / det[:, None]
    if check and not np.allclose(np.einsum("pkij,pj->pki", cum, lam), score, rtol=1e-7, atol=1e-9):
        raise ValueError("mean increments are not proportional to the information (not a joint law of this module)")
    return lam


def _drift(law: G.Law, mean: np.ndarray, check: bool = False) -> np.ndarray:
    """Drifts λ (P, 2) of the score law with the points' last-look means; ``check``: the means at
    every look must follow the law's information (increments proportional)."""
    k = law.k_max
    score = mean.reshape(-1, k, 2) * law.scale
    lam = np.linalg.solve(law.cum[-1], score[:, -1, :].T).T
    if check and not np.all(np.abs(np.einsum("kij,pj->pki", law.cum, lam) - score) <= 1e-9 + 1e-7 * np.abs(score)):
        raise ValueError("mean increments are not proportional to the information (not a joint law of this module)")
    return lam   # (the check is np.allclose's test with rtol 1e-7, atol 1e-9, without its overhead)


def claim_probabilities(mean: np.ndarray, cov: np.ndarray, bd: ClosedBounds, looks: int | None = None,
                        points: int | None = None, stop_when: str = "both", own: bool = False) -> dict[str, np.ndarray]:
    """P(reject H_F), P(H_S), P(either), P(both) by look ``looks`` (default: the last).

    ``mean`` (…, 2K), ``cov`` (…, 2K, 2K) in look order; futility stops (``bd.f_f``, ``bd.f_s``)
    as followed; ``stop_when`` as :func:`claims_by_look`. ``points`` is ignored (kept for the
    former quasi-Monte Carlo signature; see :func:`claim_probabilities_genz`). ``own``: each
    point from a recursion at its own drift (:func:`_grid_claims`).
    """
    col = (bd.a.shape[-1] if looks is None else looks) - 1
    res = _claims(mean, cov, bd, stop_when, OUTPUTS[:4], col, own)    # the curve's nodes checked on these only
    return {name: v[..., 0] for name, v in res.items()}


def claim_probabilities_genz(mean: np.ndarray, cov: np.ndarray, bd: ClosedBounds, looks: int | None = None,
                             points: int = POINTS) -> dict[str, np.ndarray]:
    """The same claims without futility from multivariate normal rectangles (Genz QMC, :mod:`.mvn`).

    Slower (~20 ms a point) and accurate to ~5e-5; kept as the independent check of the grid.
    Formulas in the module docstring.
    """
    k = bd.a.shape[-1] if looks is None else looks
    m, c = mean[..., : 2 * k], cov[..., : 2 * k, : 2 * k]
    a, b, cf, cs = (x[..., :k] for x in (bd.a, bd.b, bd.c_f, bd.c_s))
    inf = np.full_like(a, math.inf)
    af, bs = np.minimum(a, cf), np.minimum(b, cs)

    def r(x, y):
        return rect_prob(_interleave(x, y), m, c, points)

    r_ab, r_f, r_s = r(a, b), r(cf, inf), r(inf, cs)
    r_afb, r_abs, r_fs, r_all = r(af, b), r(a, bs), r(cf, cs), r(af, bs)
    out = {
        "overall": 1 - r_ab - r_f + r_afb,
        "subgroup": 1 - r_ab - r_s + r_abs,
        "either": 1 - r_ab - r_fs + r_all,
        "both": 1 - r_ab - r_f - r_s + r_afb + r_abs + r_fs - r_all,
    }
    return {name: np.clip(v, 0.0, 1.0) for name, v in out.items()}


def expected_fraction(mean: np.ndarray, cov: np.ndarray, bd: ClosedBounds, t: np.ndarray,
                      stop_when: str = "both") -> np.ndarray:
    """E[information fraction at the stop] = Σ_k t_k P(stop at look k) under the stopping rule
    ``stop_when`` (:mod:`.procedure`: ``"both"`` — when no hypothesis can still be rejected;
    ``"any"`` — also at the first rejection), futility stops as followed."""
    stop = claims_by_look(mean, cov, bd, stop_when)["stop"]
    return stop @ np.asarray(t, dtype=float)

