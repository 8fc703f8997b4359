"""The stratified design over several populations (the cells form) under an interim plan.

:func:`with_plan` wraps the fixed model of :func:`planner.designs.multipop.stratified`:

* one population with a two-hypothesis procedure (Holm/Bonferroni, parametric = Spiessens–Debois,
  fixed sequence) — :class:`OnePopulationSequentialModel`: the two-hypothesis closed group-sequential
  engine of :mod:`planner.groupseq.stratified` (2-D recursive integration), its claims renamed
  (F, the population, at least one, all) — a cells-form twin of a two-subgroup file gives the
  version 1 file's numbers;
* F and 2–3 populations — :class:`MultiPopSequentialModel`: the closed group-sequential test of
  :mod:`planner.groupseq.multipop` (its joint law from the fixed design's statistics, proportional
  information — survival with exponential cells: each cell's events per look, point by point on a
  curve or map as in the table; bounds once per correlation structure; claims by randomized
  quasi-Monte Carlo with the fixed design's closed test as control variate).

A one-look plan is the fixed model itself. :func:`interim_summary` gives the contract's interim
fields (looks, expected sizes) for :func:`planner.sequential_results.interim_fields`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import ndtr

from ..catalogue import FULL_POPULATION
from ..designs.base import DesignModel
from ..designs.multipop import PREFIX, MultiPopModel, OnePopulationModel, _with_aliases, claim_key
from ..designs.sequential import StratifiedSequentialModel, one_sided_alpha
from ..designs.sequential import with_plan as with_plan_two
from ..params import Params
from . import multipop as M
from .plan import InterimPlan
from .single import inflation

MAX_EXACT = 3          # distinct structures a call evaluates by Monte Carlo; more: the ratio approximation
CURVE_LOG2 = 12        # draws per replicate (×8) when one call asks for several sizes (SE ~2–3 times larger)
H0_LOG2 = 13           # draws per replicate (×8) of the operating characteristics under H0 (expected sizes)
RATIO_NODES = 5        # points where N_GS / N_fixed is solved exactly for the ratio approximation
REFERENCE_POWER = 0.8  # the power at which that ratio is solved when claims at a size are asked
#: Genz points of the parametric bounds at the ratio nodes (2^12: error ≤ 5e-5 in a crossing
#: probability, planner.groupseq.mvn; the table's bounds take 2^14): the ratio is an approximation
#: between nodes anyway, and its nodes' sizes move by < 1e-3 relative
RATIO_BOUNDS_POINTS = 2**12


@dataclass(frozen=True)
class OnePopulationSequentialModel(DesignModel):
    """One population: the two-hypothesis group-sequential model, claims named as the cells form."""

    inner: StratifiedSequentialModel | None = None
    population: str = ""
    stats: object = None

    def claims(self, n: ArrayLike, idx=slice(None)) -> dict[str, np.ndarray]:
        c = self.inner.claims(n, idx)
        out = {claim_key(FULL_POPULATION): c["overall"], claim_key(self.population): c["subgroup"],
               "at_least_one": c["either"], "all": c["both"]}
        out["power"] = out[self.primary]
        return _with_aliases(out, self.population)

    def feasible(self) -> np.ndarray:
        return self.inner.feasible()

    def solve_size(self, target: float, allocation_ratio: float) -> np.ndarray:
        return self.inner.solve_size(target, allocation_ratio)


@dataclass(frozen=True)
class MultiPopSequentialModel(DesignModel):
    """F and several populations under ``plan``: closed group-sequential test (:mod:`.multipop`)."""

    base: MultiPopModel | None = None
    plan: InterimPlan | None = None
    #: survival with a scalar scenario: the joint law from the information per cell at each look
    info_joint: M.MultiJoint | None = None
    #: survival (exponential cells) over a curve or map: the parameters whose point i gives that
    #: law at point i (:func:`survival_joint` of :func:`point_params`, computed when asked)
    info_par: Params | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return self.base.stats.names

    def _point(self, a: np.ndarray, i: int, tail: tuple[int, ...]) -> np.ndarray:
        return np.broadcast_to(a, self.shape + tail).reshape((-1, *tail))[i]

    def joint(self, i: int = 0) -> M.MultiJoint:
        """The joint law at flat point ``i``: survival (scalar scenario, exponential cells) from the
        events of every cell at each look's calendar time (:func:`survival_joint`), else proportional
        information."""
        if self.info_joint is not None:
            return self.info_joint
        if self.info_par is not None:
            cache = self.__dict__.setdefault("_joint_cache", {})
            if i not in cache:
                cache[i] = survival_joint(point_params(self.info_par, i), self.plan.information_rates, self.names)
            return cache[i]
        s, m = self.base.stats, len(self.names)
        return M.joint_proportional(self._point(s.drift, i, (m,)), self._point(s.cov1, i, (m, m)),
                                    self._point(s.corr0, i, (m, m)), self.plan.information_rates)

    def fixed(self) -> M.Fixed:
        w = None if self.base.weights is None else tuple(float(x) for x in self.base.weights)
        return M.Fixed(self.base.procedure, w, self.base.order, "xi")

    def bounds(self, i: int = 0, joint: M.MultiJoint | None = None, points: int = M.POINTS_BOUNDS) -> M.MultiBounds:
        joint = joint or self.joint(i)
        f = self.fixed()
        return M.closed_gs_bounds(self.plan, one_sided_alpha(self), f.procedure, joint.corr0, joint.t,
                                  f.weights, f.order, f.rule, points)

    def fixed_sizes(self, target: float, allocation_ratio: float) -> np.ndarray:
        """(size,) the fixed design's N for ``target`` (:meth:`MultiPopModel.solve_size`), solved once
        per model (the sizes and the ratios of a curve or map both start from it)."""
        cache = self.__dict__.setdefault("_fixed_cache", {})
        key = (float(target), float(allocation_ratio))
        if key not in cache:
            cache[key] = np.asarray(self.base.solve_size(target, allocation_ratio), float).reshape(-1)
        return cache[key]

    def row(self, claim: str) -> int:
        m = len(self.names)
        if claim == "at_least_one":
            return m
        if claim == "all":
            return m + 1
        return self.names.index(claim[len(PREFIX):])

    def operating(self, n: float, i: int = 0, h1: bool = True, log2: int = M.LOG2_POINTS) -> dict:
        joint = self.joint(i)
        return M.operating(joint, self.bounds(i, joint), one_sided_alpha(self), self.fixed(), math.sqrt(n), h1,
                           log2=log2)

    def claims(self, n: ArrayLike, idx=slice(None)) -> dict[str, np.ndarray]:
        """Every claim at sizes ``n`` of points ``idx``: by the Monte Carlo of :func:`.multipop.operating`
        when the points hold at most :data:`MAX_EXACT` distinct structures (several sizes of one
        structure, a curve over N, with 2^:data:`CURVE_LOG2` draws per replicate), else by the ratio
        approximation (:meth:`ratios`)."""
        n = np.asarray(n, dtype=float)
        points, sizes = np.broadcast_arrays(np.arange(self.size)[idx], n)
        flat_p, flat_n = points.reshape(-1), sizes.reshape(-1)
        if self._distinct(flat_p) > MAX_EXACT:
            r = self.ratios(REFERENCE_POWER)[flat_p]
            return self._renamed(self.base.claims(flat_n / r, flat_p), points.shape)
        if flat_p.size == 1:
            rows = self.operating(float(flat_n[0]), int(flat_p[0]))["claims"][:, -1:]
        else:                                   # a curve: per structure, its sizes in one call
            rows = np.empty((len(self.names) + 2, flat_p.size))
            for i in np.unique(flat_p):
                at = flat_p == i
                joint = self.joint(int(i))
                rows[:, at] = M.claims_at_sizes(joint, self.bounds(int(i), joint), one_sided_alpha(self), self.fixed(),
                                                np.sqrt(flat_n[at]), log2=CURVE_LOG2)
        rows = rows.reshape((-1, *points.shape))
        m = len(self.names)
        out = {claim_key(name): rows[j] for j, name in enumerate(self.names)}
        out["at_least_one"], out["all"] = rows[m], rows[m + 1]
        out["power"] = out[self.primary]
        return _with_aliases(out, self.names[1])

    def _renamed(self, fixed: dict, shape: tuple[int, ...]) -> dict:
        keys = [claim_key(name) for name in self.names] + ["at_least_one", "all"]
        out = {k: np.asarray(fixed[k]).reshape(shape) for k in keys}
        out["power"] = out[self.primary]
        return _with_aliases(out, self.names[1])

    def _distinct(self, flat: np.ndarray) -> int:
        s, m = self.base.stats, len(self.names)
        keys = np.concatenate([self._point(s.drift, flat, (m,)), self._point(s.cov1, flat, (m, m)).reshape(flat.size, -1),
                               self._point(s.corr0, flat, (m, m)).reshape(flat.size, -1)], axis=1)
        return int(np.unique(np.round(keys, 12), axis=0).shape[0])

    def ratios(self, target: float) -> np.ndarray:
        """(size,) R = N_GS / N_fixed for ``target`` power of the primary claim: solved exactly
        (:func:`.multipop.size_for`) at :data:`RATIO_NODES` points spread over the flat index,
        log R interpolated linearly between them (the one-test inflation factor where no node has a
        size). Used for many structures at once (curves over prevalence, maps): the size there is
        the fixed size × R and the power at N the fixed power at N / R — an approximation (module
        docstring; docs/group-sequential.md). The nodes' bounds take :data:`RATIO_BOUNDS_POINTS`
        Genz points and their size searches 8·2^:data:`CURVE_LOG2` draws."""
        cache = self.__dict__.setdefault("_ratio_cache", {})
        if target in cache:
            return cache[target]
        from ..solve import N_MAX  # noqa: PLC0415

        fixed_n = self.fixed_sizes(target, 1.0)
        infl = inflation(self.plan, one_sided_alpha(self), target)
        nodes = np.unique(np.round(np.linspace(0, self.size - 1, RATIO_NODES)).astype(int))
        at, logr = [], []
        for i in nodes:
            if not (self.feasible().reshape(-1)[i] and np.isfinite(fixed_n[i])):
                continue
            joint = self.joint(int(i))
            n = M.size_for(joint, self.bounds(int(i), joint, RATIO_BOUNDS_POINTS), one_sided_alpha(self), self.fixed(),
                           self.row(self.primary), target, fixed_n[i] * infl, 4.0, N_MAX, log2=CURVE_LOG2)
            if math.isfinite(n) and n > 0:
                at.append(i)
                logr.append(math.log(n / fixed_n[i]))
        out = np.exp(np.interp(np.arange(self.size), at, logr)) if at else np.full(self.size, infl)
        cache[target] = out
        return out

    def feasible(self) -> np.ndarray:
        return self.base.feasible()

    def solve_size(self, target: float, allocation_ratio: float) -> np.ndarray:
        """N for ``target`` power of the primary claim: point by point (:func:`.multipop.size_for`,
        from the fixed design's N × the plan's one-test inflation factor) for up to
        :data:`MAX_EXACT` structures, else the fixed N × :meth:`ratios`."""
        from ..solve import N_MAX, n_min  # noqa: PLC0415

        fixed_n = self.fixed_sizes(target, allocation_ratio)
        if self._distinct(np.arange(self.size)) > MAX_EXACT:
            return (fixed_n * self.ratios(target)).reshape(self.shape)
        infl = inflation(self.plan, one_sided_alpha(self), target)
        ok = self.feasible().reshape(-1)
        out = np.full(self.size, np.nan)
        for i in np.flatnonzero(ok & np.isfinite(fixed_n)):
            joint = self.joint(int(i))
            out[i] = M.size_for(joint, self.bounds(int(i), joint), one_sided_alpha(self), self.fixed(),
                                self.row(self.primary), target, fixed_n[i] * infl, n_min(allocation_ratio), N_MAX)
        return out.reshape(self.shape)


def survival_joint(par: Params, rates, names: tuple[str, ...]) -> M.MultiJoint:
    """Information per cell (:func:`.multipop.joint_information`) at the looks of a survival plan.

    Look k is at the calendar time τ_k when the expected events of everyone reach the fraction
    t_k of the final events (:func:`planner.sequential_results.look_times`, uniform accrual,
    exponential events and dropout). Cell c's information per patient randomized by τ is
    s_c·u_c(τ)·min(τ, a)/a / sd₀², u_c(τ) its events per patient accrued over [0, min(τ, a)] with
    follow-up max(τ − a, 0) (the contrasts of :func:`planner.contrasts.contrast` with the accrual
    and follow-up truncated at τ — the same formula as the fixed design, which is the last look).
    """
    from ..contrasts import contrast  # noqa: PLC0415
    from ..noninferiority import null_contrast  # noqa: PLC0415
    from ..scenario import FixedDesignOptions  # noqa: PLC0415
    from ..sequential_results import _events_per_patient, look_times  # noqa: PLC0415

    if par.piecewise is not None:   # piecewise cells: each cell's events and average HR at each look
        from ..survival_nph import cells_joint  # noqa: PLC0415

        return cells_joint(par, rates, names)
    st = par.structure
    opts = FixedDesignOptions()
    end = par.accrual_time + par.follow_up_time
    total = _events_per_patient("stratified", par, opts, end)
    times = look_times("stratified", par, opts, 1.0, [float(t) * total for t in rates])
    info, theta = [], None
    for tau in times:
        a = par.accrual_time
        p_tau = replace(par, accrual_time=min(tau, a), follow_up_time=max(tau - a, 0.0))
        cons = [null_contrast(p_tau, contrast(p_tau, st.cell(c), "schoenfeld"), "schoenfeld")
                for c in range(len(st.cells))]
        info.append([float(s * np.asarray(c.units).reshape(-1)[0] * min(tau, a) / a / np.asarray(c.sd0).reshape(-1)[0] ** 2)
                     for s, c in zip(st.prevalence, cons)])
        theta = [float(np.asarray(c.theta).reshape(-1)[0]) for c in cons]
    members = np.zeros((len(names), len(st.cells)))
    for j, name in enumerate(names):
        members[j, list(st.members(name))] = 1.0
    return M.joint_information(theta, np.asarray(info).T, members)


def point_params(par: Params, i: int) -> Params:
    """The scalar parameters of flat point ``i`` of a curve or map (every array field, the cells'
    outcomes and prevalences, broadcast to ``par.shape`` and indexed)."""
    shape = par.shape

    def pick(a):
        if isinstance(a, (np.ndarray, float, int)) and not isinstance(a, bool):
            return np.asarray(np.broadcast_to(np.asarray(a, float), shape).reshape(-1)[i])
        return a

    group = lambda g: MappingProxyType({k: pick(v) for k, v in g.items()})  # noqa: E731
    st = par.structure
    st = replace(st, prevalence=tuple(pick(x) for x in st.prevalence),
                 components=tuple(tuple((pick(w), name) for w, name in comp) for comp in st.components))
    return replace(par, prevalence=pick(par.prevalence), sensitivity=pick(par.sensitivity),
                   specificity=pick(par.specificity), positive=group(par.positive), negative=group(par.negative),
                   cells=MappingProxyType({k: group(g) for k, g in par.cells.items()}), structure=st)


def with_plan(model: DesignModel, plan: InterimPlan | None, alpha_split: float | None = None,
              par: Params | None = None, look_factors: np.ndarray | None = None) -> DesignModel:
    """The cells-form stratified ``model`` under ``plan`` (itself without a plan or with one look);
    ``look_factors`` (…, 2, K) of F and the population (one population only;
    :func:`planner.survival_nph.lookwise_factors`)."""
    if plan is None or plan.k_max == 1:
        return model
    common = dict(name=model.name, endpoint=model.endpoint, alpha=model.alpha, sides=model.sides,
                  shape=model.shape, screened_per_randomized=model.screened_per_randomized,
                  events_per_patient=model.events_per_patient, primary=model.primary, details=model.details)
    if isinstance(model, OnePopulationModel):
        inner = with_plan_two(model.base, plan, alpha_split, look_factors=look_factors)
        return OnePopulationSequentialModel(method=inner.method, inner=inner, population=model.population,
                                            stats=model.stats, **common)
    if isinstance(model, MultiPopModel):
        text = (f"{model.method}; {plan.describe()} (closed group-sequential test of every intersection "
                "hypothesis, Maurer & Bretz 2013; claim powers by randomized quasi-Monte Carlo)")
        info = par is not None and par.endpoint == "survival"
        if info:
            text += "; survival: the correlations within and across looks from each cell's expected events at each look"
            if par.piecewise is not None:
                text += " and each cell's average hazard ratio there (look-wise law)"
        joint = survival_joint(par, plan.information_rates, model.stats.names) if info and model.shape == () else None
        return MultiPopSequentialModel(method=text, base=model, plan=plan, info_joint=joint,
                                       info_par=par if info and model.shape != () else None, **common)
    return model


EFFECT_TOL = 2e-5   # |P_GS(effect) − target| at which the effect search stops (QMC SE of P_GS ~1e-4)
EFFECT_EVALS = 6    # group-sequential evaluations of the secant before it gives way to Brent


def search_effect(model_at: Callable, power_at: Callable, power: float, lo: float, hi: float) -> float | None:
    """Effect magnitude m in (lo, hi) where the primary claim's power reaches ``power``.

    ``model_at(m)`` gives (model, size) at effect m, ``power_at(m)`` the model's power there. For a
    :class:`MultiPopSequentialModel` (each power a randomized QMC evaluation on common draws, so a
    deterministic function of m) the search starts at the fixed design's detectable effect m₀
    (Brent on its exact power, ``base``), then runs the secant on g(m) = Φ⁻¹(P_GS(m)) − Φ⁻¹(power)
    — nearly linear in m, exactly for one z test of a mean difference or a log hazard ratio —
    with the fixed design's slope at m₀ as the first slope, kept inside the bracket seen so far;
    it stops when |P_GS − power| ≤ :data:`EFFECT_TOL` (typically 2–3 evaluations instead of ~50
    for Brent on P_GS). Brent on P_GS (:func:`planner.solve.solve_effect`) otherwise, and as the
    fallback."""
    from scipy.special import ndtri  # noqa: PLC0415

    from ..solve import solve_effect  # noqa: PLC0415

    if not isinstance(model_at(lo)[0], MultiPopSequentialModel):
        return solve_effect(power_at, power, lo, hi)

    def fixed(m: float) -> float:
        model, at = model_at(m)
        return float(np.asarray(model.base.claims(np.asarray([at], float), np.array([0]))["power"]).reshape(-1)[0])

    m0 = _fixed_root(fixed, power, lo, hi)
    if m0 is None:
        return solve_effect(power_at, power, lo, hi)
    zt = float(ndtri(power))
    h = 1e-4 * max(abs(m0), 1e-3)
    h = h if m0 + h < hi else -h
    slope0 = (float(ndtri(np.clip(fixed(m0 + h), 1e-12, 1 - 1e-12))) - zt) / h
    a, b = lo, hi                                   # bracket: P_GS(a) < power ≤ P_GS(b)
    seen: list[tuple[float, float]] = []
    m = m0
    for _ in range(EFFECT_EVALS):
        p = float(power_at(m))
        if abs(p - power) <= EFFECT_TOL:
            return m
        a, b = (m, b) if p < power else (a, m)
        g = float(ndtri(np.clip(p, 1e-12, 1 - 1e-12))) - zt
        slope = slope0
        if seen and seen[-1][0] != m and (seen[-1][1] - g) * (seen[-1][0] - m) > 0:
            slope = (seen[-1][1] - g) / (seen[-1][0] - m)
        seen.append((m, g))
        m = m - g / slope if slope > 0 else 0.5 * (a + b)
        if not a < m < b:
            m = 0.5 * (a + b)
    return solve_effect(power_at, power, a, b) if a > lo or b < hi else solve_effect(power_at, power, lo, hi)


def _fixed_root(f: Callable, target: float, lo: float, hi: float) -> float | None:
    """Root of the increasing ``f`` − ``target`` on (lo, hi) to 1e-9 relative; None: not bracketed."""
    from scipy.optimize import brentq  # noqa: PLC0415

    f_lo, f_hi = f(lo) - target, f(hi) - target
    if not (np.isfinite(f_lo) and np.isfinite(f_hi)) or f_lo > 0 or f_hi < 0:
        return None
    return float(brentq(lambda x: f(x) - target, lo, hi, xtol=1e-9, rtol=1e-9))


def _fin(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def interim_summary(r, model: DesignModel, n_eval: float, u: float | None) -> dict | None:
    """The interim fields of :func:`planner.sequential_results.interim_fields` for a cells-form
    stratified model under a plan (None for any other model)."""
    if isinstance(model, OnePopulationSequentialModel):
        from ..sequential_results import _stratified  # noqa: PLC0415 (imports this package)

        out = _stratified(r, model.inner, n_eval, u)
        for lk in out["looks"]:
            lk["efficacy_z_by_population"] = {FULL_POPULATION: lk["efficacy_z_overall"],
                                              model.population: lk["efficacy_z_subgroup"]}
            lk["intersection_z_by_population"] = [
                {"members": [FULL_POPULATION, model.population],
                 "efficacy_z": {FULL_POPULATION: lk.get("intersection_z_overall"),
                                model.population: lk.get("intersection_z_subgroup")}}]
        return out
    if not isinstance(model, MultiPopSequentialModel):
        return None
    return _multi_summary(model, n_eval, u)


def intersection_bounds(bd: M.MultiBounds, names: tuple[str, ...], k: int) -> list[dict]:
    """Look ``k``'s bounds of every intersection hypothesis H_J with 2+ members (Maurer & Bretz 2013;
    :func:`.multipop.closed_gs_bounds`): ``members`` (population names) and ``efficacy_z`` (z scale,
    per member; None: the member takes no part in H_J's test at that look)."""
    return [{"members": [names[j] for j in J], "efficacy_z": {names[j]: _fin(b[a, k]) for a, j in enumerate(J)}}
            for J, b in zip(bd.subsets, bd.tests) if len(J) > 1]


def _multi_summary(model: MultiPopSequentialModel, n_eval: float, u: float | None) -> dict:
    plan, names, m = model.plan, model.names, len(model.names)
    t = np.asarray(plan.information_rates, float)
    joint = model.joint(0)
    bd = model.bounds(0, joint)
    alpha, fixed = one_sided_alpha(model), model.fixed()
    h1 = M.operating(joint, bd, alpha, fixed, math.sqrt(n_eval), True)
    h0 = M.operating(joint, bd, alpha, fixed, 0.0, False, control=False, log2=H0_LOG2)
    row = model.row(model.primary)
    reject = np.diff(np.r_[0.0, h1["claims"][row]])
    primary_j = row if row < m else 1
    maximum = n_eval * u if u is not None else n_eval
    fut = plan.futility_bounds or ()
    elem = {name: bd.elementary(j) for j, name in enumerate(names)}
    looks = []
    for k in range(len(t)):
        eff = elem[names[primary_j]][k]
        f = fut[k] if k < len(fut) else None
        look = {"information_rate": float(t[k]), "n_randomized": float(t[k] * n_eval),
                "efficacy_z": _fin(eff), "futility_z": f, "efficacy_p": _fin(ndtr(-eff)),
                "futility_p": None if f is None else float(ndtr(-f)),
                "efficacy_z_overall": _fin(elem[FULL_POPULATION][k]), "efficacy_z_subgroup": _fin(elem[names[1]][k]),
                "efficacy_z_by_population": {name: _fin(v[k]) for name, v in elem.items()},
                "information_rate_by_population": {name: float(joint.t[j, k]) for j, name in enumerate(names)},
                "intersection_z_by_population": intersection_bounds(bd, names, k),
                "reject_probability": float(reject[k]), "stop_probability": float(h1["stop"][k])}
        if u is not None:
            look["events"] = float(t[k] * maximum)
        looks.append(look)
    se = {claim: float(h1["se"][model.row(claim_key(n) if n not in ("at_least_one", "all") else n), -1])
          for claim, n in [*((name, name) for name in names), ("at_least_one", "at_least_one"), ("all", "all")]}
    return dict(inflation_factor=None, looks=looks, expected_h0=float(h0["stop"] @ t) * maximum,
                expected_h1=float(h1["stop"] @ t) * maximum, stops={"h1": h1["stop"], "h0": h0["stop"]},
                monte_carlo_se=se)


__all__ = ["MultiPopSequentialModel", "OnePopulationSequentialModel", "interim_summary", "search_effect", "with_plan"]
