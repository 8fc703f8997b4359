"""Distributions of uncertain scenario inputs: the optional ``uncertainty`` block (for assurance).

Assurance (O'Hagan, Stevens & Campbell 2005, Pharm Stat 4:187–201) averages a design's power
over a distribution of the assumptions. This module holds those distributions, reads and writes
the ``uncertainty`` block of a scenario file (``docs/uncertainty.md``) and draws from them;
:mod:`planner.assurance` pushes the draws through the closed-form power functions.

* Proportions — ``prevalence``, ``assay_sensitivity``, ``assay_specificity`` — are
  :class:`BetaPrior`, given in one of three ways:

  - ``{"x": 261, "n": 437}`` — x of n in a cohort (or a validation study): the posterior under a
    uniform prior, Beta(x + 1, n − x + 1) (defined also for 0 of n and n of n);
  - ``{"mean": 0.6, "n": 40}`` — a mean and an effective sample size n = a + b:
    Beta(mean·n, (1 − mean)·n);
  - ``{"mean": 0.6, "sd": 0.05}`` — a mean and a standard deviation: a + b = m(1 − m)/sd² − 1;
    ``sd: 0`` is a point mass.

  Without ``mean`` (in the last two forms) the distribution is centred on the scenario's value.
* Effects — ``positive_effect`` (B+) and ``negative_effect`` (B−) — are :class:`NormalPrior` on
  the analysis scale: the mean difference (continuous), the risk difference treatment − control
  (binary) or the log hazard ratio (survival). ``estimate``, ``lower`` and ``upper`` are on the
  scenario's own scale (mean difference, risk difference, *hazard ratio*); ``se`` is on the
  analysis scale (for survival the standard error of the log HR, as a Cox model reports it).
  Given as ``{"estimate", "se"}`` or ``{"estimate", "lower", "upper"}`` (a ``level`` interval,
  95% unless stated): sd = (g(upper) − g(lower)) / (2 z_{(1+level)/2}) with g = log for
  survival. Without ``estimate`` the mean is the interval's midpoint on the analysis scale, or
  (with ``se``) the scenario's effect. ``se: 0`` is a point mass.
* ``draws`` (default 10 000) and ``seed`` (default 12345) make the draws reproducible: each input
  draws from its own child of ``numpy.random.SeedSequence(seed)``, so adding or removing one
  input's distribution does not change the draws of the others.
* ``target`` — the assurance target for "size for assurance" (default ``testing.power``).

Bounds. A binary risk difference is drawn from the normal *truncated* to keep the treatment
rate inside [10⁻⁶, 1 − 10⁻⁶] (inverse-CDF sampling; the control rate stays at the scenario
value). Beta draws of the prevalence are clipped to [10⁻⁶, 1 − 10⁻⁶] and of the assay accuracy
to [10⁻⁶, 1] (only reached by float underflow); survival log-HR draws are clipped to [−20, 20].
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import ndtr, ndtri

from .catalogue import HR_LIMITS, SCALE_LIMIT
from .errors import Problem
from .validation import Reader, describe

#: Inputs that may carry a distribution, in the order of their seed streams.
INPUTS: tuple[str, ...] = (
    "prevalence",
    "positive_effect",
    "negative_effect",
    "assay_sensitivity",
    "assay_specificity",
)
BETA_INPUTS: tuple[str, ...] = ("prevalence", "assay_sensitivity", "assay_specificity")
EFFECT_INPUTS: tuple[str, ...] = ("positive_effect", "negative_effect")

#: Analysis scale of the effect prior per endpoint.
SCALES: dict[str, str] = {
    "continuous": "mean_difference",
    "binary": "risk_difference",
    "survival": "log_hazard_ratio",
}

DEFAULT_DRAWS = 10_000
DEFAULT_SEED = 12345
MIN_DRAWS, MAX_DRAWS = 100, 200_000  # the maximum takes 5–20 s for every design of a scenario
MIN_SPREAD = 1e-6  # a Beta sd is 0 (fixed) or at least this (sd² must not underflow)
MIN_LEVEL = 0.01  # an interval's level: z_{(1+level)/2} must not vanish
RATE_EPS = 1e-6
PROPORTION_EPS = 1e-6
LOG_HR_LIMIT = 20.0

_BETA_FIELDS = ("mean", "n", "x", "sd")
_NORMAL_FIELDS = ("estimate", "se", "lower", "upper", "level")
_TOP_FIELDS = ("draws", "seed", "target") + INPUTS


# ----------------------------------------------------------------------------- distributions
class PriorError(ValueError):
    """A distribution that cannot be resolved against the scenario; ``field`` names the culprit."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class BetaPrior:
    """A Beta distribution for a proportion, stored in the form it was given (see module doc).

    ``mean`` None means "centred on the scenario's value" (resolved by :meth:`parameters`).
    """

    mean: float | None = None
    n: float | None = None
    x: int | None = None
    sd: float | None = None

    def parameters(self, default_mean: float) -> tuple[float, float] | None:
        """(a, b) of the Beta distribution, or None for a point mass (``sd`` = 0).

        x of n: (x + 1, n − x + 1); mean m and size n: (m·n, (1 − m)·n); mean m and sd s:
        a + b = m(1 − m)/s² − 1. Raises :class:`PriorError` if ``sd`` is too large for the mean.
        """
        if self.x is not None:
            return float(self.x) + 1.0, float(self.n) - float(self.x) + 1.0
        m = float(self.mean if self.mean is not None else default_mean)
        if self.n is not None:
            return m * self.n, (1.0 - m) * self.n
        if self.sd == 0:
            return None
        total = m * (1.0 - m) / self.sd**2 - 1.0
        if not total > 0:
            raise PriorError(
                "sd",
                f"sd must be below √(mean(1 − mean)) = {math.sqrt(m * (1 - m)):.4g} for mean {m:g}, "
                f"got {self.sd:g}"
            )
        return m * total, (1.0 - m) * total

    def center(self, default_mean: float) -> float:
        """Mean of the distribution."""
        ab = self.parameters(default_mean)
        if ab is None:
            return float(self.mean if self.mean is not None else default_mean)
        return ab[0] / (ab[0] + ab[1])

    def sample(self, rng: np.random.Generator, size: int, default_mean: float) -> np.ndarray:
        """``size`` draws (a constant array for a point mass)."""
        ab = self.parameters(default_mean)
        if ab is None:
            return np.full(size, float(self.mean if self.mean is not None else default_mean))
        return rng.beta(ab[0], ab[1], size)

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("x", "n", "mean", "sd") if getattr(self, k) is not None}

    def describe(self, default_mean: float) -> str:
        ab = self.parameters(default_mean)
        if ab is None:
            return f"fixed at {self.center(default_mean):.4g}"
        a, b = ab
        sd = math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
        src = f" ({self.x} of {self.n:g})" if self.x is not None else ""
        return f"Beta({a:.4g}, {b:.4g}){src}: mean {a / (a + b):.4g}, sd {sd:.3g}"


@dataclass(frozen=True)
class NormalPrior:
    """A normal distribution for an effect on the analysis scale ``scale`` (see module doc).

    ``estimate``, ``lower`` and ``upper`` are on the scenario's scale (hazard ratio for survival);
    ``se`` on the analysis scale (log HR).
    """

    scale: str | None = None
    estimate: float | None = None
    se: float | None = None
    lower: float | None = None
    upper: float | None = None
    level: float | None = None

    def to_analysis(self, value: float) -> float:
        """Scenario scale → analysis scale (log for hazard ratios)."""
        return math.log(value) if self.scale == "log_hazard_ratio" else float(value)

    def from_analysis(self, value: np.ndarray) -> np.ndarray:
        """Analysis scale → scenario scale (exp of the clipped log HR for survival)."""
        if self.scale == "log_hazard_ratio":
            return np.exp(np.clip(value, -LOG_HR_LIMIT, LOG_HR_LIMIT))
        return np.asarray(value, dtype=float)

    def mean_sd(self, default_estimate: float) -> tuple[float, float]:
        """(μ, τ) on the analysis scale.

        τ = se, or (g(upper) − g(lower)) / (2 z_{(1+level)/2}); μ = g(estimate), else the
        interval's midpoint, else g(the scenario's effect).
        """
        if self.se is not None:
            sd = float(self.se)
            mid = None
        else:
            lo, hi = self.to_analysis(self.lower), self.to_analysis(self.upper)
            z = float(ndtri(0.5 + 0.5 * (self.level if self.level is not None else 0.95)))
            sd = (hi - lo) / (2.0 * z)
            mid = 0.5 * (lo + hi)
        if self.estimate is not None:
            mu = self.to_analysis(self.estimate)
        elif mid is not None:
            mu = mid
        else:
            mu = self.to_analysis(default_estimate)
        return mu, sd

    def sample(
        self,
        rng: np.random.Generator,
        size: int,
        default_estimate: float,
        bounds: tuple[float, float] | None = None,
    ) -> np.ndarray:
        """``size`` draws on the scenario's scale (constant for a point mass).

        ``bounds`` (analysis scale) truncate the normal: inverse-CDF sampling of the truncated
        normal, so every draw lies inside and the draws keep their order in the uniforms.
        """
        mu, sd = self.mean_sd(default_estimate)
        if sd == 0:
            if self.estimate is None and self.se is not None:
                return np.full(size, float(default_estimate))
            if bounds is not None and not bounds[0] <= mu <= bounds[1]:
                raise PriorError(
                    "estimate",
                    f"the effect {mu:g} lies outside the possible range [{bounds[0]:g}, {bounds[1]:g}]",
                )
            return self.from_analysis(np.full(size, mu))
        if bounds is None:
            return self.from_analysis(mu + sd * rng.standard_normal(size))
        a, b = (bounds[0] - mu) / sd, (bounds[1] - mu) / sd
        mass = _normal_mass(a, b)
        if mass < 1e-6:
            where = "estimate" if self.estimate is not None else ("se" if self.se is not None else "upper")
            raise PriorError(
                where,
                f"the distribution (mean {mu:g}, sd {sd:g}) puts almost no probability "
                f"({mass:.2g}) inside the possible range [{bounds[0]:g}, {bounds[1]:g}]"
            )
        u = rng.random(size)
        from scipy.stats import truncnorm  # noqa: PLC0415 (scipy.stats takes ~1 s to import: on use)

        return self.from_analysis(mu + sd * truncnorm.ppf(u, a, b))

    def to_dict(self) -> dict:
        keys = ("estimate", "se", "lower", "upper", "level")
        return {k: getattr(self, k) for k in keys if getattr(self, k) is not None}

    def describe(self, default_estimate: float) -> str:
        mu, sd = self.mean_sd(default_estimate)
        name = {"log_hazard_ratio": "log HR", "risk_difference": "risk difference"}.get(
            self.scale or "", "mean difference"
        )
        if sd == 0:
            return f"fixed {name} {mu:.4g}"
        return f"Normal({name}: mean {mu:.4g}, sd {sd:.4g})"


def _normal_mass(a: float, b: float) -> float:
    """P(a < Z < b) for a standard normal, accurate in both tails."""
    if a > 0:
        return float(ndtr(-a) - ndtr(-b))
    return float(ndtr(b) - ndtr(a))


@dataclass(frozen=True)
class Uncertainty:
    """The ``uncertainty`` block: a distribution per uncertain input, draws, seed, target."""

    prevalence: BetaPrior | None = None
    positive_effect: NormalPrior | None = None
    negative_effect: NormalPrior | None = None
    assay_sensitivity: BetaPrior | None = None
    assay_specificity: BetaPrior | None = None
    draws: int = DEFAULT_DRAWS
    seed: int = DEFAULT_SEED
    target: float | None = None

    def uncertain(self) -> tuple[str, ...]:
        """Names of the inputs that carry a distribution."""
        return tuple(k for k in INPUTS if getattr(self, k) is not None)


# ----------------------------------------------------------------------------- point values
#: A distribution whose own centre (counts, ``mean``, ``estimate`` or an interval's midpoint) lies
#: more than this many prior standard deviations from the scenario's value describes another value.
CONFLICT_SDS = 0.5


def input_path(key: str, endpoint: str) -> str:
    """The scenario field whose value the distribution of input ``key`` describes."""
    if key in EFFECT_INPUTS:
        field = {"survival": "hazard_ratio", "binary": "treatment_rate"}.get(endpoint, "mean_difference")
        return f"{key.split('_')[0]}.{field}"
    return f"population.{key}"


def point_value(scenario: Any, key: str) -> float:
    """The scenario's value of input ``key`` on the scenario's scale (effects: the hazard ratio,
    the risk difference treatment − control, or the mean difference)."""
    if key not in EFFECT_INPUTS:
        return float(getattr(scenario.population, key))
    sub = getattr(scenario, key.split("_")[0])
    if scenario.endpoint == "survival":
        return float(sub.hazard_ratio)
    if scenario.endpoint == "binary":
        return float(sub.treatment_rate) - float(sub.control_rate)
    return float(sub.mean_difference)


@dataclass(frozen=True)
class PriorCentre:
    """Where a distribution with its own centre sits relative to the scenario's value.

    ``form`` is how the centre was given (``counts``, ``mean``, ``estimate`` or ``interval``);
    ``centre`` and ``point`` are on the scenario's scale (hazard ratio for survival), ``sds`` is
    their distance on the analysis scale in prior standard deviations (inf for a point mass at
    another value). ``conflict``: more than :data:`CONFLICT_SDS` apart.
    """

    input: str
    path: str
    form: str
    centre: float
    point: float
    sds: float
    conflict: bool

    @property
    def difference(self) -> float:
        return self.centre - self.point

    def describe(self) -> str:
        """``centred on 0.597 (261 of 437); the scenario's value is 0.3: differs by +0.297 (12.7 prior SDs)``."""
        sds = "a point mass" if math.isinf(self.sds) else f"{self.sds:.2g} prior SD{'s' if self.sds != 1 else ''}"
        return (
            f"the distribution ({FORMS[self.form]}) is centred on {self.centre:.4g}, the scenario's value "
            f"{self.path} is {self.point:.4g}: differs by {self.difference:+.3g} ({sds})"
        )


FORMS = {"counts": "counts x of n", "mean": "its stated mean", "estimate": "its stated estimate",
         "interval": "the midpoint of its interval"}


def _own_centre(prior: BetaPrior | NormalPrior) -> tuple[str, float, float] | None:
    """(form, centre, sd) on the analysis scale of a distribution with its own centre, else None
    (also None for a distribution whose parameters cannot be formed: it is reported elsewhere)."""
    try:
        return _centre_of(prior)
    except (PriorError, ValueError, ZeroDivisionError):
        return None


def _centre_of(prior: BetaPrior | NormalPrior) -> tuple[str, float, float] | None:
    if isinstance(prior, BetaPrior):
        if prior.x is None and prior.mean is None:
            return None
        form = "counts" if prior.x is not None else "mean"
        ab = prior.parameters(prior.mean if prior.mean is not None else 0.5)
        if ab is None:
            return form, float(prior.mean), 0.0
        a, b = ab
        return form, a / (a + b), math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
    if prior.estimate is None and prior.lower is None:
        return None
    mu, sd = prior.mean_sd(1.0)
    return ("estimate" if prior.estimate is not None else "interval"), mu, sd


def prior_centres(scenario: Any, uncertainty: Uncertainty | None = None) -> list[PriorCentre]:
    """Every distribution of ``uncertainty`` (default: the scenario's) that has its own centre,
    compared with the scenario's value. A distribution without one (``{"n": 40}``,
    ``{"sd": 0.05}``, ``{"se": 0.2}``) is centred on the scenario's value and not listed."""
    u = uncertainty if uncertainty is not None else getattr(scenario, "uncertainty", None)
    if getattr(scenario, "has_cells", False) and u is not None and not isinstance(u, Uncertainty):
        from .cells_uncertainty import cells_prior_centres  # noqa: PLC0415 (the cells form)

        return cells_prior_centres(scenario, u)
    if not isinstance(u, Uncertainty):
        return []
    out = []
    for key in u.uncertain():
        prior = getattr(u, key)
        own = _own_centre(prior)
        if own is None:
            continue
        form, mu, sd = own
        point = point_value(scenario, key)
        if isinstance(prior, NormalPrior):
            if prior.scale == "log_hazard_ratio" and point <= 0:
                continue
            g_point, centre = prior.to_analysis(point), float(prior.from_analysis(np.asarray(mu)))
        else:
            g_point, centre = point, mu
        gap = abs(mu - g_point)
        sds = gap / sd if sd > 0 else (0.0 if gap <= 1e-9 * max(1.0, abs(g_point)) else math.inf)
        out.append(PriorCentre(key, input_path(key, scenario.endpoint), form, centre, point, sds,
                               conflict=sds > CONFLICT_SDS))
    return out


def prior_conflicts(scenario: Any, uncertainty: Uncertainty | None = None) -> list[PriorCentre]:
    """The distributions that describe another value than the scenario's (see :func:`prior_centres`)."""
    return [c for c in prior_centres(scenario, uncertainty) if c.conflict]


def follow_point_values(block: Any, before: Any, after: Any) -> tuple[Any, tuple[str, ...]]:
    """The ``uncertainty`` block (file form) after the scenario's values changed from ``before``
    to ``after`` (both :class:`~planner.scenario.Scenario`), and the inputs it moved.

    A distribution with its own centre that agreed with the old value moves with the value: it
    is rewritten as spread around the scenario's value — a Beta ``{"mean", "n"}`` or
    ``{"mean", "sd"}`` drops its mean; a normal effect becomes ``{"se": τ}`` with τ its standard
    deviation on the analysis scale (from ``se`` or the interval). Counts (``x`` of ``n``) are
    evidence about one value and are kept, as is a distribution that already disagreed: both
    show as conflicting (:func:`prior_conflicts`).
    """
    u = getattr(before, "uncertainty", None)
    if not isinstance(block, dict) or not isinstance(u, Uncertainty) or before.endpoint != after.endpoint:
        return block, ()
    agreed = {c.input for c in prior_centres(before) if not c.conflict and c.form != "counts"}
    out, moved = dict(block), []
    for key in sorted(agreed, key=INPUTS.index):
        if point_value(before, key) == point_value(after, key) or not isinstance(block.get(key), dict):
            continue
        prior = getattr(u, key)
        if isinstance(prior, BetaPrior):
            out[key] = {k: v for k, v in block[key].items() if k != "mean"}
        else:
            out[key] = {"se": prior.mean_sd(1.0)[1]}
        moved.append(key)
    return out, tuple(moved)


# ----------------------------------------------------------------------------- reading
def _beta(r: Reader, block: Any, path: str, assay: bool) -> BetaPrior | None:
    if not isinstance(block, dict):
        r.add(path, f"must be an object, got {describe(block)}")
        return None
    before = len(r.problems)
    r.unknown(block, _BETA_FIELDS, path)
    has = {k for k in _BETA_FIELDS if block.get(k) is not None}
    x = r.number(block, "x", path, None, ge=0, integer=True)
    mean = r.number(block, "mean", path, None, gt=0, lt=1)
    sd = r.number(block, "sd", path, None, ge=0)
    if sd is not None and 0 < sd < MIN_SPREAD:
        r.add(f"{path}.sd", f"must be 0 (fixed) or at least {MIN_SPREAD:g}, got {sd:g}")
    if "x" in has:
        n = r.number(block, "n", path, None, ge=1, integer=True)
        if "n" not in has:
            r.add(f"{path}.n", "is required with x (x of n)")
        for key in ("mean", "sd"):
            if key in has:
                r.add(f"{path}.{key}", "give either counts (x of n) or a mean, not both")
        if x is not None and n is not None and x > n:
            r.add(f"{path}.x", f"cannot exceed n ({n}), got {x}")
    else:
        n = r.number(block, "n", path, None, gt=0)
        if "n" in has and "sd" in has:
            r.add(f"{path}.sd", "give either n (effective sample size) or sd, not both")
        elif "n" not in has and "sd" not in has:
            word = "validation counts" if assay else "counts"
            r.add(
                path,
                f"give {word} (x and n), a mean and an effective sample size (n), or a mean and an sd",
            )
        if mean is not None and sd is not None and sd > 0 and sd**2 >= mean * (1 - mean):
            r.add(
                f"{path}.sd",
                f"must be below √(mean(1 − mean)) = {math.sqrt(mean * (1 - mean)):.4g}, got {sd:g}",
            )
    if len(r.problems) > before:
        return None
    return BetaPrior(mean=mean, n=n, x=x, sd=sd)


def _normal(r: Reader, block: Any, path: str, endpoint: str | None) -> NormalPrior | None:
    if not isinstance(block, dict):
        r.add(path, f"must be an object, got {describe(block)}")
        return None
    before = len(r.problems)
    r.unknown(block, _NORMAL_FIELDS, path)
    has = {k for k in _NORMAL_FIELDS if block.get(k) is not None}
    survival = endpoint == "survival"
    binary = endpoint == "binary"
    bounds: dict[str, Any] = (
        {"gt": 0, "ge": HR_LIMITS[0], "le": HR_LIMITS[1]} if survival
        else {"gt": -1, "lt": 1} if binary else {"ge": -SCALE_LIMIT, "le": SCALE_LIMIT}
    )
    estimate = r.number(block, "estimate", path, None, **bounds)
    lower = r.number(block, "lower", path, None, **bounds)
    upper = r.number(block, "upper", path, None, **bounds)
    se = r.number(block, "se", path, None, ge=0, le=SCALE_LIMIT)
    level = r.number(block, "level", path, None, gt=0, ge=MIN_LEVEL, lt=1)
    interval = {"lower", "upper"} & has
    if "se" in has and interval:
        r.add(f"{path}.se", "give either se or an interval (lower and upper), not both")
    elif "se" not in has and not interval:
        r.add(path, "give a standard error (se) or an interval (lower and upper)")
    elif interval and interval != {"lower", "upper"}:
        missing = ({"lower", "upper"} - interval).pop()
        r.add(f"{path}.{missing}", "is required with " + interval.pop())
    if "level" in has and not interval:
        r.add(f"{path}.level", "only applies to an interval (lower and upper)")
    if lower is not None and upper is not None:
        if lower >= upper:
            r.add(f"{path}.upper", f"must be > lower ({lower:g}), got {upper:g}")
        elif estimate is not None and not lower <= estimate <= upper:
            r.add(f"{path}.estimate", f"must lie in the interval [{lower:g}, {upper:g}], got {estimate:g}")
    if binary and se is not None and se > 1:
        r.add(f"{path}.se", f"must be <= 1 for a risk difference, got {se:g}")
    if len(r.problems) > before:
        return None
    return NormalPrior(
        scale=SCALES.get(endpoint or ""), estimate=estimate, se=se, lower=lower, upper=upper, level=level
    )


def parse_uncertainty(block: Any, endpoint: str | None,
                      cells: tuple[str, ...] | None = None) -> tuple[Any, list[Problem]]:
    """Validate the ``uncertainty`` block of a scenario for ``endpoint``.

    Returns ``(Uncertainty, [])`` or ``(None, problems)``; each :class:`~planner.errors.Problem`
    names its field path (``uncertainty.prevalence.n``) and the reason. ``cells`` (the cells form:
    the cells' names) reads the cells form's block (:mod:`planner.cells_uncertainty`).
    """
    if cells is not None:
        from .cells_uncertainty import parse_cells_uncertainty  # noqa: PLC0415

        return parse_cells_uncertainty(block, endpoint, cells)
    r = Reader()
    p = "uncertainty"
    if not isinstance(block, dict):
        r.add(p, f"must be an object, got {describe(block)}")
        return None, r.problems
    r.unknown(block, _TOP_FIELDS, p)
    draws = r.number(block, "draws", p, None, ge=MIN_DRAWS, le=MAX_DRAWS, integer=True)
    seed = r.number(block, "seed", p, None, ge=0, lt=2**63, integer=True)
    target = r.number(block, "target", p, None, gt=0, lt=1)
    priors: dict[str, Any] = {}
    for key in INPUTS:
        sub = block.get(key)
        if sub is None:
            continue
        path = f"{p}.{key}"
        if key in BETA_INPUTS:
            priors[key] = _beta(r, sub, path, assay=key != "prevalence")
        else:
            priors[key] = _normal(r, sub, path, endpoint)
    if r.problems:
        return None, r.problems
    value = Uncertainty(
        **priors,
        draws=draws if draws is not None else DEFAULT_DRAWS,
        seed=seed if seed is not None else DEFAULT_SEED,
        target=target,
    )
    return value, []


def uncertainty_to_dict(u: Any) -> dict:
    """The JSON-ready block (draws and seed always written) — load → save → load is the identity."""
    if not isinstance(u, Uncertainty):  # the cells form
        from .cells_uncertainty import cells_uncertainty_to_dict  # noqa: PLC0415

        return cells_uncertainty_to_dict(u)
    out: dict[str, Any] = {"draws": u.draws, "seed": u.seed}
    if u.target is not None:
        out["target"] = u.target
    for key in INPUTS:
        prior = getattr(u, key)
        if prior is not None:
            out[key] = prior.to_dict()
    return out


__all__ = [
    "CONFLICT_SDS",
    "PriorCentre",
    "follow_point_values",
    "input_path",
    "point_value",
    "prior_centres",
    "prior_conflicts",
    "BetaPrior",
    "PriorError",
    "NormalPrior",
    "Uncertainty",
    "parse_uncertainty",
    "uncertainty_to_dict",
    "INPUTS",
    "SCALES",
]
