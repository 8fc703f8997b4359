"""Cutoff explorer for a continuous biomarker (issue 12).

The scenario's ``biomarker`` block (:mod:`planner.biomarker_io`) gives the marker's distribution
in the screened population, the treatment effect and the control outcome as functions of the
marker, and candidate cutoffs. For a cutoff c, B+ = {marker ≥ c}:

* prevalence P(X ≥ c) from the distribution's cdf (empirical: piecewise-linear through the given
  (value, cumulative probability) points, an atom at the smallest value when its probability is
  > 0; normal, lognormal, or beta scaled to [lower, upper]);
* each side's outcome fields: the integral of the function over the side against the marker
  distribution, divided by the side's probability —
  continuous: mean difference and control mean density-weighted (the SD is the scenario's B+ SD,
  assumed the same across the marker; the within-side spread of the effect is not added);
  binary: risk difference and control rate density-weighted (treatment rate = their sum);
  survival: the **event-weighted** mean log hazard ratio, exactly as :mod:`planner.contrasts`
  weights cells (weight = p·P(event | treatment, x) + (1 − p)·P(event | control, x) with the
  marker value's own control hazard and HR, the scenario's accrual, follow-up and dropout), and
  the side's control median is the exponential one giving the side's average control-arm event
  probability (so the side's expected events are kept);
* the designs (all-comers, targeted, stratified) of the equivalent two-subgroup scenario
  (``dataclasses.replace`` of the scenario: that prevalence, an exact assay — the marker *is* the
  assay — and the two sides' fields) through :func:`planner.compute.compute_design`: one code path.
  The unrounded N for the target power is solved for all cutoffs at once on the vectorized design
  models (the ``Params`` arrays of the sides) and handed to ``compute_design`` (``n_solved``), which
  does everything else (per-arm rounding, events, power at the integers, screening, cost).

Integrals are taken in probability space, ∫ h(Q(u)) du over [F(a), F(b)], split at every
breakpoint of the functions and the cdf (and at u = 10^-k, 1 − 10^-k, where an unbounded marker's
quantile function is singular) and integrated by Gauss–Legendre on each piece (exact for the
piecewise-constant functions, to ~1e-10 for the linear ones; tested against closed forms).
The design map over cutoffs solves N on a grid of cutoffs at once with the vectorized design
models (:func:`planner.designs.build.build_model`, :func:`planner.solve.solve_n`), as
:func:`planner.curves.design_map` does over prevalence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike

from .catalogue import PROPORTION_LIMIT
from .scenario import (
    BinarySubgroup,
    ContinuousSubgroup,
    FixedDesignOptions,
    Scenario,
    SurvivalSubgroup,
)

#: the designs compared over cutoffs (all-comers is the reference that does not use the marker)
CUTOFF_DESIGNS = ("all_comers", "targeted", "stratified")
#: Gauss–Legendre nodes per piece and pieces per interval between breakpoints
_GL_NODES = 12
_SUBPIECES = 4
#: breakpoints graded towards u = 0 and 1, where an unbounded marker's quantile function is singular
_TAIL_BREAKS = np.concatenate([10.0 ** -np.arange(1, 17), 1 - 10.0 ** -np.arange(1, 16)])
#: cutoffs on the design map's grid
MAP_CUTOFF_POINTS = 41


# --------------------------------------------------------------------------- inputs
@dataclass(frozen=True)
class MarkerDistribution:
    """The marker's distribution in the screened population.

    ``kind``: ``empirical`` (``values`` increasing, ``probabilities`` the cumulative probabilities
    at them, increasing to 1; piecewise-linear cdf), ``normal`` (``mean``, ``sd``), ``lognormal``
    (``meanlog``, ``sdlog``: of the log marker; median e^meanlog), ``beta`` (``a``, ``b`` on
    [``lower``, ``upper``], e.g. a 0–100 % score).
    """

    kind: str
    values: tuple[float, ...] = ()
    probabilities: tuple[float, ...] = ()
    mean: float = 0.0
    sd: float = 1.0
    meanlog: float = 0.0
    sdlog: float = 1.0
    a: float = 1.0
    b: float = 1.0
    lower: float = 0.0
    upper: float = 1.0

    def support(self) -> tuple[float, float]:
        """Smallest and largest marker value (infinite for normal; 0 below for lognormal)."""
        if self.kind == "empirical":
            return self.values[0], self.values[-1]
        if self.kind == "normal":
            return -math.inf, math.inf
        if self.kind == "lognormal":
            return 0.0, math.inf
        return self.lower, self.upper

    def cdf(self, x: ArrayLike) -> np.ndarray:
        """P(X ≤ x) (continuous apart from the empirical atom at the smallest value)."""
        from scipy import stats

        x = np.asarray(x, dtype=float)
        if self.kind == "empirical":
            v, p = np.asarray(self.values), np.asarray(self.probabilities)
            return np.where(x < v[0], 0.0, np.interp(x, v, p))
        if self.kind == "normal":
            return stats.norm.cdf(x, self.mean, self.sd)
        if self.kind == "lognormal":
            with np.errstate(divide="ignore"):
                return np.where(x <= 0, 0.0, stats.norm.cdf((np.log(np.maximum(x, 1e-300)) - self.meanlog) / self.sdlog))
        return stats.beta.cdf((x - self.lower) / (self.upper - self.lower), self.a, self.b)

    def prevalence(self, cutoff: ArrayLike) -> np.ndarray:
        """P(X ≥ c): the B+ share of the screened population at cutoff c."""
        return 1.0 - self.cdf(cutoff)

    def quantile(self, u: ArrayLike) -> np.ndarray:
        """Q(u) = inf{x: F(x) ≥ u} for u in (0, 1)."""
        from scipy import stats

        u = np.asarray(u, dtype=float)
        if self.kind == "empirical":
            v, p = np.asarray(self.values), np.asarray(self.probabilities)
            return np.where(u <= p[0], v[0], np.interp(u, p, v))
        if self.kind == "normal":
            return stats.norm.ppf(u, self.mean, self.sd)
        if self.kind == "lognormal":
            return np.exp(self.meanlog + self.sdlog * stats.norm.ppf(u))
        return self.lower + (self.upper - self.lower) * stats.beta.ppf(u, self.a, self.b)

    def breakpoints(self) -> tuple[float, ...]:
        """Marker values where the cdf has a kink (empirical knots)."""
        return tuple(self.values) if self.kind == "empirical" else ()


@dataclass(frozen=True)
class MarkerFunction:
    """A function of the marker: ``constant`` (values (v,)), ``step`` (edges (threshold,),
    values (below, above)), ``bands`` (edges increasing, one more value than edges; a value holds
    from its lower edge inclusive), ``linear`` (edges (x0, x1), values (v0, v1): linear between
    the ends, constant beyond). ``log`` interpolates a linear function on the log scale (hazard
    ratios: linear in log HR)."""

    kind: str
    edges: tuple[float, ...] = ()
    values: tuple[float, ...] = (0.0,)
    log: bool = False

    def __call__(self, x: ArrayLike) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        vals = np.asarray(self.values, dtype=float)
        if self.kind == "linear":
            if self.log:
                return np.exp(np.interp(x, self.edges, np.log(vals)))
            return np.interp(x, self.edges, vals)
        return vals[np.searchsorted(np.asarray(self.edges, dtype=float), x, side="right")]


@dataclass(frozen=True)
class Biomarker:
    """The ``biomarker`` block: the marker, its distribution, effect and control outcome as
    functions of it, and the candidate cutoffs (B+ = marker ≥ cutoff)."""

    name: str
    unit: str
    distribution: MarkerDistribution
    effect: MarkerFunction
    control: MarkerFunction
    cutoffs: tuple[float, ...]
    #: continuous endpoint: the within-arm SD (None: the scenario's B+ SD)
    sd: float | None = None

    def label(self, cutoff: float, op: str = "≥") -> str:
        """``PD-L1 TPS ≥ 50 %``."""
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.name} {op} {cutoff:g}{unit}"


# --------------------------------------------------------------------------- integration
def _nodes(bm: Biomarker, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Quadrature in probability space: nodes x = Q(u), weights, the piece index of each node, and
    the u of every breakpoint (the marker values ``edges`` among them)."""
    d = bm.distribution
    xs = [*edges, *bm.effect.edges, *bm.control.edges, *d.breakpoints()]
    u_breaks = np.unique(np.concatenate([[0.0, 1.0], d.cdf(np.asarray(xs, dtype=float)), _TAIL_BREAKS,
                                         [d.cdf(d.support()[0])] if d.kind == "empirical" else []]))
    u_breaks = u_breaks[(u_breaks >= 0) & (u_breaks <= 1)]
    g, w = np.polynomial.legendre.leggauss(_GL_NODES)
    lo, hi = u_breaks[:-1], u_breaks[1:]
    sub = np.linspace(0.0, 1.0, _SUBPIECES + 1)
    a = lo[:, None] + (hi - lo)[:, None] * sub[None, :-1]  # (pieces, sub)
    h = ((hi - lo) / _SUBPIECES)[:, None]
    u = a[..., None] + h[..., None] * (g + 1) / 2  # (pieces, sub, nodes)
    weights = np.broadcast_to(h[..., None] * w / 2, u.shape)
    piece = np.broadcast_to(np.arange(lo.size)[:, None, None], u.shape)
    x = d.quantile(u.reshape(-1))
    return x, weights.reshape(-1), piece.reshape(-1), u_breaks


def band_integrals(bm: Biomarker, edges: ArrayLike, integrands: dict) -> dict[str, np.ndarray]:
    """∫ h(x) dF(x) over the bands (−∞, e1), [e1, e2), …, [ek, ∞) of the increasing ``edges``,
    for each ``name: h`` of ``integrands`` (h maps marker values to numbers); ``"mass"`` is added
    (the bands' probabilities)."""
    e = np.asarray(edges, dtype=float)
    x, weights, piece, u_breaks = _nodes(bm, e)
    at = np.searchsorted(u_breaks, bm.distribution.cdf(e))  # breakpoint index of each edge
    bounds = np.concatenate([[0], at, [u_breaks.size - 1]])
    out = {}
    for name, h in {"mass": lambda v: np.ones_like(v), **integrands}.items():
        per_piece = np.bincount(piece, weights=weights * h(x), minlength=u_breaks.size - 1)
        cum = np.concatenate([[0.0], np.cumsum(per_piece)])
        out[name] = cum[bounds[1:]] - cum[bounds[:-1]]
    return out


# --------------------------------------------------------------------------- band averages
@dataclass(frozen=True)
class BandAverages:
    """Each band's probability and its outcome fields (as a subgroup's), arrays over bands."""

    mass: np.ndarray
    fields: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    def subgroup(self, i: int, endpoint: str):
        """Band ``i``'s fields as a subgroup dataclass."""
        f = {k: float(v[i]) for k, v in self.fields.items()}
        cls = {"continuous": ContinuousSubgroup, "binary": BinarySubgroup, "survival": SurvivalSubgroup}[endpoint]
        return cls(**f)


def _survival_weights(scenario: Scenario, bm: Biomarker):
    from .survival import dropout_hazard, event_probability, hazard_from_median

    s = scenario.survival
    p = scenario.testing.allocation_ratio / (1.0 + scenario.testing.allocation_ratio)
    args = (s.accrual_time, s.follow_up_time, dropout_hazard(s.dropout_rate, s.dropout_time))

    def p_ctrl(x):
        return event_probability(hazard_from_median(bm.control(x)), *args)

    def weight(x):
        lam = hazard_from_median(bm.control(x))
        return p * event_probability(lam * bm.effect(x), *args) + (1 - p) * event_probability(lam, *args)

    return args, p_ctrl, weight


def _median_for_event_probability(target: np.ndarray, args) -> np.ndarray:
    """The exponential control median whose event probability is ``target`` (vectorized bisection
    on log λ; the event probability increases with λ)."""
    from .survival import LN2, event_probability

    lo = np.full(target.shape, math.log(LN2 / 1e6))
    hi = np.full(target.shape, math.log(LN2 / 1e-6))
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        below = event_probability(np.exp(mid), *args) < target
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    return LN2 / np.exp(0.5 * (lo + hi))


def _integrals(scenario: Scenario, bm: Biomarker, edges: ArrayLike) -> tuple[dict, tuple | None]:
    """The bands' integrals the averages are made of (and the survival timing arguments)."""
    if scenario.endpoint == "survival":
        args, p_ctrl, weight = _survival_weights(scenario, bm)
        return band_integrals(bm, edges, {"w": weight, "wlog": lambda x: weight(x) * np.log(bm.effect(x)),
                                          "pc": p_ctrl}), args
    return band_integrals(bm, edges, {"effect": bm.effect, "control": bm.control}), None


def _averages(scenario: Scenario, bm: Biomarker, r: dict, args) -> dict[str, np.ndarray]:
    """Outcome fields from (sums of) band integrals: density- or event-weighted averages."""
    with np.errstate(invalid="ignore", divide="ignore"):
        if scenario.endpoint == "survival":
            return {"control_median": _median_for_event_probability(r["pc"] / r["mass"], args),
                    "hazard_ratio": np.exp(r["wlog"] / r["w"])}
        eff, ctrl = r["effect"] / r["mass"], r["control"] / r["mass"]
    if scenario.endpoint == "binary":
        return {"control_rate": ctrl, "treatment_rate": ctrl + eff}
    sd = bm.sd if bm.sd is not None else scenario.positive.sd
    return {"mean_difference": eff, "sd": np.full_like(eff, sd), "control_mean": ctrl}


def band_averages(scenario: Scenario, bm: Biomarker, edges: ArrayLike) -> BandAverages:
    """The probabilities and averaged outcome fields of the bands between the increasing ``edges``
    (see the module docstring)."""
    r, args = _integrals(scenario, bm, edges)
    return BandAverages(r["mass"], MappingProxyType(_averages(scenario, bm, r, args)))


def side_averages(scenario: Scenario, bm: Biomarker, cutoffs: ArrayLike) -> tuple[np.ndarray, dict, dict]:
    """(prevalence, B+ fields, B− fields) at each cutoff, arrays over cutoffs, from one quadrature
    pass over the bands between the sorted cutoffs (a side's integrals are sums of its bands')."""
    c = np.asarray(cutoffs, dtype=float).reshape(-1)
    order = np.argsort(c)
    r, args = _integrals(scenario, bm, c[order])
    below = {k: np.cumsum(v)[:-1] for k, v in r.items()}  # bands 0..k: marker < c_k
    above = {k: v.sum() - below[k] for k, v in r.items()}
    back = np.argsort(order)
    pos = {k: v[back] for k, v in _averages(scenario, bm, above, args).items()}
    neg = {k: v[back] for k, v in _averages(scenario, bm, below, args).items()}
    return np.asarray(bm.distribution.prevalence(c), dtype=float), pos, neg  # 1 − F(c), exactly


# --------------------------------------------------------------------------- designs per cutoff
def _two_subgroup_options(scenario: Scenario, name: str) -> FixedDesignOptions:
    """The file's options of ``name`` when they are two-subgroup options, else the defaults."""
    from .scenario import MULTIPLICITY, SIZE_FOR

    opts = scenario.designs.get(name)
    if not isinstance(opts, FixedDesignOptions):
        return FixedDesignOptions()
    if opts.population is not None or opts.order is not None or opts.multiplicity not in MULTIPLICITY \
            or opts.size_for not in SIZE_FOR:
        return FixedDesignOptions(n_randomized=opts.n_randomized, events=opts.events)
    return opts


def cutoff_scenario(scenario: Scenario, prevalence: float, positive, negative) -> Scenario:
    """The two-subgroup scenario of one cutoff: B+ = marker ≥ cutoff, assessed exactly."""
    pop = replace(scenario.population, prevalence=float(prevalence), assay_sensitivity=1.0,
                  assay_specificity=1.0, cells=(), populations=())
    designs = {name: _two_subgroup_options(scenario, name) for name in CUTOFF_DESIGNS}
    return replace(scenario, population=pop, positive=positive, negative=negative, cells={}, designs=designs,
                   uncertainty=None)


@dataclass(frozen=True)
class CutoffRow:
    """One cutoff: prevalence, each side's fields and the designs' results."""

    cutoff: float
    prevalence: float
    positive: object
    negative: object
    designs: MappingProxyType

    def to_dict(self) -> dict:
        from dataclasses import asdict

        return {"cutoff": self.cutoff, "prevalence": self.prevalence,
                "positive": {k: v for k, v in asdict(self.positive).items() if k in _FIELDS},
                "negative": {k: v for k, v in asdict(self.negative).items() if k in _FIELDS},
                "designs": {k: r.to_dict() for k, r in self.designs.items()}}


_FIELDS = {"mean_difference", "sd", "control_mean", "control_rate", "treatment_rate", "control_median",
           "hazard_ratio"}


def _subgroups(endpoint: str, fields: dict, i: int):
    f = {k: float(v[i]) for k, v in fields.items()}
    cls = {"continuous": ContinuousSubgroup, "binary": BinarySubgroup, "survival": SurvivalSubgroup}[endpoint]
    return cls(**f)


def _vector_model_inputs(scenario: Scenario, prev: np.ndarray, pos: dict, neg: dict):
    """The two-subgroup scenario of the first cutoff and the ``Params`` of every cutoff at once
    (arrays over cutoffs of the prevalence and the sides' fields)."""
    from .params import params_from_scenario

    base = cutoff_scenario(scenario, prev[0], _subgroups(scenario.endpoint, pos, 0),
                           _subgroups(scenario.endpoint, neg, 0))
    par = replace(params_from_scenario(base), prevalence=np.asarray(prev, dtype=float),
                  positive=MappingProxyType(pos), negative=MappingProxyType(neg))
    return base, par


def _solved(scenario: Scenario, base: Scenario, par, shape) -> dict[str, np.ndarray]:
    """Each design's unrounded N for the target power at every cutoff, one vectorized solve each."""
    from .designs.build import build_model
    from .solve import solve_n

    t = scenario.testing
    return {name: np.broadcast_to(solve_n(build_model(name, par, base.resolved_options(name)), t.power,
                                          t.allocation_ratio), shape).astype(float) for name in CUTOFF_DESIGNS}


def explore(scenario: Scenario, cutoffs: ArrayLike | None = None) -> list[CutoffRow]:
    """For each cutoff (default: the block's candidates): prevalence, the sides' averaged fields and
    the all-comers, targeted and stratified designs computed by :func:`planner.compute.compute_design`
    on the cutoff's two-subgroup scenario; the unrounded N for the target power is solved for every
    cutoff at once (:func:`planner.solve.solve_n` on the vectorized models) and handed to it."""
    from .compute import compute_design
    from .params import params_from_scenario

    bm = scenario.biomarker
    if bm is None:
        raise ValueError("biomarker: the scenario has no biomarker block")
    cuts = np.asarray(bm.cutoffs if cutoffs is None else cutoffs, dtype=float).reshape(-1)
    check_cutoffs(bm, cuts)
    prev, pos, neg = side_averages(scenario, bm, cuts)
    base, vector_par = _vector_model_inputs(scenario, prev, pos, neg)
    solved = _solved(scenario, base, vector_par, cuts.shape)
    rows = []
    for i, c in enumerate(cuts):
        p, n = _subgroups(scenario.endpoint, pos, i), _subgroups(scenario.endpoint, neg, i)
        s = cutoff_scenario(scenario, prev[i], p, n)
        par = params_from_scenario(s)
        results = {name: compute_design(s, name, s.resolved_options(name), par=par, n_solved=solved[name][i])
                   for name in CUTOFF_DESIGNS}
        rows.append(CutoffRow(float(c), float(prev[i]), p, n, MappingProxyType(results)))
    return rows


def table_rows(rows: list[CutoffRow], endpoint: str) -> list[dict]:
    """The cutoff table, one flat dict per cutoff (keys: :data:`CUTOFF_COLUMNS` and
    ``<design>.<column>`` for each design's N randomized, N screened, power and cost), for the
    command line's text and CSV and the app's table."""
    from .catalogue import EFFECTS

    def effect(sub) -> float:
        if endpoint == "binary":
            return sub.treatment_rate - sub.control_rate
        return getattr(sub, EFFECTS[endpoint].code)

    out = []
    for row in rows:
        flat = {"cutoff": row.cutoff, "prevalence": row.prevalence, "effect_positive": effect(row.positive),
                "effect_negative": effect(row.negative)}
        for name, r in row.designs.items():
            for col in ("n_randomized", "n_screened", "power", "cost"):
                flat[f"{name}.{col}"] = getattr(r, col) if r.feasible else None
        out.append(flat)
    return out


def table_headers(endpoint: str) -> dict[str, str]:
    """The header of each key of :func:`table_rows` (catalogue words)."""
    from .catalogue import EFFECTS, design_label
    from .catalogue.biomarker import CUTOFF_COLUMNS

    heads = {k: CUTOFF_COLUMNS[k] for k in ("cutoff", "prevalence")}
    for side in ("effect_positive", "effect_negative"):
        heads[side] = f"{CUTOFF_COLUMNS[side]} ({EFFECTS[endpoint].name})"
    for name in CUTOFF_DESIGNS:
        for col in ("n_randomized", "n_screened", "power", "cost"):
            heads[f"{name}.{col}"] = f"{design_label(name)}: {CUTOFF_COLUMNS[col]}"
    return heads


def format_value(key: str, value) -> str:
    """A value of the cutoff table as text (N with thousands separators, power to 3 decimals)."""
    if value is None:
        return "—"
    if key.endswith(("n_randomized", "n_screened")):
        return f"{value:,}"
    if key.endswith("cost"):
        return f"{value:,.0f}"
    if key.endswith("power") or key in ("prevalence", "effect_positive", "effect_negative"):
        return f"{value:.3f}"
    return f"{value:.4g}"


def check_cutoffs(bm: Biomarker, cutoffs: ArrayLike) -> None:
    """ValueError naming the cutoff when it leaves a side (almost) empty."""
    lo, hi = bm.distribution.support()
    for i, c in enumerate(np.asarray(cutoffs, dtype=float).reshape(-1)):
        prev = float(bm.distribution.prevalence(c))
        if not (lo < c < hi) or not PROPORTION_LIMIT <= prev <= 1 - PROPORTION_LIMIT:
            raise ValueError(f"biomarker.cutoffs[{i}]: {c:g} leaves P(marker ≥ cutoff) = {prev:.6g}: must be "
                             f"inside the marker's range ({lo:g}, {hi:g}) with a prevalence within "
                             f"[{PROPORTION_LIMIT:g}, {1 - PROPORTION_LIMIT:g}]")


# --------------------------------------------------------------------------- design map over cutoffs
@dataclass(frozen=True)
class CutoffMap:
    """N (or cost) of each design over a grid of cutoffs; ``best`` indexes ``designs`` (−1: none)."""

    cutoffs: np.ndarray
    prevalence: np.ndarray
    designs: tuple[str, ...]
    values: dict
    screened: dict
    best: np.ndarray
    criterion: str = "n"


def map_grid(bm: Biomarker, points: int = MAP_CUTOFF_POINTS) -> np.ndarray:
    """Cutoffs from the 2nd to the 98th percentile of the marker, equally spaced in probability
    (with the candidates added)."""
    u = np.linspace(0.02, 0.98, points)
    grid = np.unique(np.concatenate([bm.distribution.quantile(u), bm.cutoffs]))
    prev = bm.distribution.prevalence(grid)
    lo, hi = bm.distribution.support()
    keep = (grid > lo) & (grid < hi) & (prev >= PROPORTION_LIMIT) & (prev <= 1 - PROPORTION_LIMIT)
    return grid[keep]


def cutoff_map(scenario: Scenario, grid: ArrayLike | None = None, criterion: str | None = None) -> CutoffMap:
    """Exact total N for the target power (or cost, the default when the scenario has costs) of
    each design over a grid of cutoffs, in one vectorized pass of the design models (the ``Params``
    arrays of the sides); screened = N × screened per randomized. As the prevalence × B− effect
    design map, the N is the one solved for (before a dropout inflation or screening losses)."""
    from .designs.build import build_model

    bm = scenario.biomarker
    cuts = map_grid(bm) if grid is None else np.asarray(grid, dtype=float).reshape(-1)
    criterion = criterion or ("cost" if scenario.costs else "n")
    prev, pos, neg = side_averages(scenario, bm, cuts)
    base, par = _vector_model_inputs(scenario, prev, pos, neg)
    values, screened = {}, {}
    for name, n in _solved(scenario, base, par, cuts.shape).items():
        per = build_model(name, par, base.resolved_options(name)).screened_per_randomized
        screened[name] = n * np.broadcast_to(per, n.shape)
        c = scenario.costs
        values[name] = c.per_screened * screened[name] + c.per_randomized * n if criterion == "cost" else n
    stack = np.stack([np.where(np.isfinite(values[d]), values[d], np.inf) for d in CUTOFF_DESIGNS])
    best = np.where(np.isfinite(stack).any(axis=0), np.argmin(stack, axis=0), -1)
    return CutoffMap(cuts, prev, CUTOFF_DESIGNS, values, screened, best, criterion)


# --------------------------------------------------------------------------- cells form
#: a two-subgroup stratified multiplicity code → its name in the cells form (contract, version 2)
_CELLS_MULTIPLICITY = {"spiessens_debois": "parametric", "bonferroni": "bonferroni", "fallback": "bonferroni",
                       "fixed_sequence_overall_first": "fixed_sequence", "fixed_sequence_subgroup_first": "fixed_sequence"}
#: a two-subgroup ``size_for`` → the cells form's (None: the first population's name)
_CELLS_SIZE_FOR = {"subgroup": None, "overall": "F", "either": "at_least_one", "both": "all"}
#: the most populations (cutoffs chosen) of the cells form
MAX_POPULATIONS = 3


def _tidy(x: float) -> float:
    """A number to 12 significant digits (12.000000000000016 → 12.0) for the file."""
    return float(f"{float(x):.12g}")


def _cell_names(bm: Biomarker, cuts: list[float]) -> list[str]:
    unit = f" {bm.unit}" if bm.unit else ""
    middle = [f"{bm.name} {lo:g}–{hi:g}{unit}" for lo, hi in zip(cuts, cuts[1:])]
    return [bm.label(cuts[0], "<"), *middle, bm.label(cuts[-1])]


def _cells_designs(designs: dict, populations: list[str]) -> dict:
    """The file's designs with the stratified options in the cells form's words."""
    out = {k: dict(v or {}) for k, v in designs.items()}
    strat = out.get("stratified")
    if strat is not None:
        multiplicity = strat.get("multiplicity", "spiessens_debois")
        strat["multiplicity"] = _CELLS_MULTIPLICITY.get(multiplicity, multiplicity)
        if multiplicity.startswith("fixed_sequence"):
            strat["order"] = ["F", *populations] if multiplicity.endswith("overall_first") else [*populations, "F"]
        size_for = strat.get("size_for", "subgroup")
        if size_for in _CELLS_SIZE_FOR:
            strat["size_for"] = _CELLS_SIZE_FOR[size_for] or populations[0]
        strat.pop("alpha_split", None)
    return out


def cells_form_from_cutoffs(scenario_dict: dict, cutoffs) -> dict:
    """The scenario (a decoded file with a ``biomarker`` block) in the cells form of the contract:
    cells = the bands between the chosen cutoffs (B+ sides included: a band holds its lower edge),
    with prevalences and outcome fields averaged over each band as :func:`band_averages` does;
    populations = marker ≥ each cutoff, nested, highest cutoff first. ``positive``/``negative``,
    the assay's accuracy, the uncertainty block (about the two-subgroup fields) and the provenance
    of the replaced fields are dropped; the provenance says the cells came from the explorer.
    Raises ValueError naming the problem (the scenario's own problems as ScenarioError)."""
    import copy

    from .catalogue.biomarker import AVERAGING, CELLS_PROVENANCE
    from .scenario_v1 import scenario_from_dict

    scenario = scenario_from_dict(copy.deepcopy(scenario_dict))
    bm = scenario.biomarker
    if bm is None:
        raise ValueError("biomarker: the scenario has no biomarker block")
    cuts = sorted({float(c) for c in cutoffs})
    if not 1 <= len(cuts) <= MAX_POPULATIONS:
        raise ValueError(f"cutoffs: choose 1 to {MAX_POPULATIONS} cutoffs (one population each), got {len(cuts)}")
    check_cutoffs(bm, cuts)
    bands = band_averages(scenario, bm, cuts)
    names = _cell_names(bm, cuts)
    pops = [{"name": bm.label(c), "cells": names[i + 1:]} for i, c in enumerate(cuts)][::-1]
    out = copy.deepcopy(scenario_dict)
    extras = {k: v for k, v in (out.get("population") or {}).items() if k in ("assay_failure", "screen_failure")}
    mass = bands.mass / bands.mass.sum()  # sums to 1 within rounding of 12 significant digits
    out["population"] = {"cells": [{"name": n, "prevalence": _tidy(m)} for n, m in zip(names, mass)],
                         "populations": pops, **extras}
    out["cells"] = {n: {k: _tidy(v[i]) for k, v in bands.fields.items()} for i, n in enumerate(names)}
    for key in ("positive", "negative", "uncertainty"):
        out.pop(key, None)
    if isinstance(out.get("designs"), dict):  # absent: every fixed design, with its defaults
        out["designs"] = _cells_designs(out["designs"], [p["name"] for p in pops])
    prov = {k: v for k, v in (out.get("provenance") or {}).items()
            if not k.startswith(("population", "positive", "negative", "uncertainty", "cells"))}
    note = CELLS_PROVENANCE.format(cutoffs=", ".join(f"{c:g}" for c in cuts), marker=bm.name,
                                   averaging=AVERAGING[scenario.endpoint])
    out["provenance"] = {**prov, "population.cells": note, "cells": note}
    return out
