"""The ``uncertainty`` block of the cells form (several biomarker populations, issue 12).

In the cells form the uncertain inputs are the **cells' prevalences** and each **cell's outcome
parameters** (docs/uncertainty.md, "The cells form")::

    "uncertainty": {
      "draws": 10000, "seed": 12345, "target": 0.7,
      "prevalences": { "counts": { "TPS ≥50%": 120, "TPS 1–49%": 160, "TPS <1%": 140 } },
      "cells": {
        "TPS ≥50%":  { "effect": { "estimate": 0.69, "lower": 0.56, "upper": 0.85 } },
        "TPS 1–49%": { "effect": { "se": 0.15 } }
      }
    }

* ``prevalences`` — a **Dirichlet** distribution over the cells' prevalences (they keep summing to
  1; nested and overlapping populations follow as sums of their cells). ``{"counts": {cell: x_c}}``
  — x_c of a screened cohort in each cell: the posterior under a uniform Dirichlet(1, …, 1) prior,
  Dirichlet(x_c + 1) (every cell must be counted; 0 allowed); ``{"n": n}`` — an effective sample size
  around the scenario's prevalences p_c: Dirichlet(n·p_c). Each cell's marginal is
  Beta(a_c, Σa − a_c); with two cells this is the version 1 ``prevalence`` Beta (x of n; mean and n).
* ``cells.<name>.effect`` — a normal distribution of the cell's effect on the analysis scale, in
  every form of the version 1 ``positive_effect`` (:class:`planner.uncertainty.NormalPrior`).
* ``cells.<name>.sd`` (continuous) — the SD from a previous study with ``df`` degrees of freedom:
  σ² ~ df·s²/χ²_df (scaled inverse chi-square, the posterior of σ² under the reference prior
  1/σ²; Gelman et al., *Bayesian Data Analysis*, §3.2); ``estimate`` s defaults to the scenario's SD.
* ``cells.<name>.control_rate`` (binary) — a Beta distribution in any form of the version 1
  ``prevalence`` (counts, mean and n, mean and sd). The risk difference is then drawn truncated so
  that the treatment rate stays in [10⁻⁶, 1 − 10⁻⁶] for each draw's control rate; without an effect
  distribution the risk difference stays the scenario's (treatment rate clipped to that range).
* ``cells.<name>.control_median`` (survival) — the control median m̂ estimated from a study with
  d control ``events`` (``estimate`` defaults to the scenario's median): with exponential survival
  the hazard λ = ln 2/m has, under the reference prior 1/λ, the posterior Gamma(d, rate T) given d
  events in a total exposure T, and the MLE is λ̂ = d/T = ln 2/m̂; so λ ~ Gamma(d, d·m̂/ln 2) and
  m = m̂·d/G with G ~ Gamma(d, 1) (an inverse-gamma median; Cox & Oakes, *Analysis of Survival
  Data*, 1984, §3.3; the analogue of the SD's scaled inverse chi-square). Its field, label, unit and
  bounds are the catalogue's ``control_median`` (the fields of ``positive``).

Survival settings and (version 1) assay accuracy are not uncertain here.
Bounds, labels and forms are in :mod:`planner.catalogue.cells`. :mod:`planner.cells_assurance`
draws from the block.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .catalogue import (
    CELL_PRIOR_KEYS,
    FIELDS_BY_PATH,
    MEDIAN_PRIOR_EVENTS_LIMITS,
    PREVALENCES_PRIOR_N_LIMIT,
    SD_PRIOR_DF_LIMITS,
    cell_prior_label,
)
from .errors import Problem
from .uncertainty import (
    CONFLICT_SDS,
    DEFAULT_DRAWS,
    DEFAULT_SEED,
    MAX_DRAWS,
    MIN_DRAWS,
    NormalPrior,
    PriorCentre,
    _beta,
    _normal,
    _own_centre,
)
from .validation import Reader, describe

#: keys of the block in the cells form
CELLS_TOP_FIELDS = ("draws", "seed", "target", "prevalences", "cells")
#: the version 1 inputs, which do not exist in the cells form
V1_ONLY = ("prevalence", "positive_effect", "negative_effect", "assay_sensitivity", "assay_specificity")


@dataclass(frozen=True)
class DirichletPrior:
    """Dirichlet distribution of the cells' prevalences: ``counts`` per cell, or ``n`` around the
    scenario's prevalences (module docstring)."""

    counts: Mapping[str, int] | None = None
    n: float | None = None

    def alphas(self, names: tuple[str, ...], point: tuple[float, ...]) -> tuple[float, ...]:
        """(a_1, …, a_K) in the cells' order: x_c + 1, or n·p_c."""
        if self.counts is not None:
            return tuple(float(self.counts[c]) + 1.0 for c in names)
        return tuple(float(self.n) * p for p in point)

    def to_dict(self) -> dict:
        return {"counts": dict(self.counts)} if self.counts is not None else {"n": self.n}

    def describe(self, names: tuple[str, ...], point: tuple[float, ...]) -> str:
        a = self.alphas(names, point)
        total = sum(a)
        src = f" ({sum(self.counts.values()):g} patients counted)" if self.counts is not None else ""
        means = ", ".join(f"{c} {x / total:.3g}" for c, x in zip(names, a))
        return f"Dirichlet({', '.join(f'{x:.4g}' for x in a)}){src}: means {means}"


@dataclass(frozen=True)
class SdPrior:
    """Scaled inverse chi-square distribution of a cell's variance: σ² ~ df·s²/χ²_df."""

    df: float
    estimate: float | None = None

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("estimate", "df") if getattr(self, k) is not None}

    def describe(self, default: float) -> str:
        s = float(self.estimate if self.estimate is not None else default)
        return f"SD: σ² ~ {self.df:g}·{s:.4g}²/χ²({self.df:g})"


@dataclass(frozen=True)
class MedianPrior:
    """Distribution of a cell's control median (survival): m = m̂·d/G, G ~ Gamma(d, 1) (module docstring)."""

    events: float
    estimate: float | None = None

    def centre(self, default: float) -> float:
        """m̂: the estimate, else the scenario's median."""
        return float(self.estimate if self.estimate is not None else default)

    def sample(self, rng: Any, size: int, default: float) -> Any:
        """``size`` draws of the median."""
        return self.centre(default) * self.events / rng.gamma(self.events, 1.0, size)

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("estimate", "events") if getattr(self, k) is not None}

    def describe(self, default: float) -> str:
        m = self.centre(default)
        return f"median ~ {m:.4g}·{self.events:g}/Gamma({self.events:g}, 1) (an estimate from {self.events:g} events)"


@dataclass(frozen=True)
class CellsUncertainty:
    """The cells form's ``uncertainty`` block: prevalences, per-cell priors, draws, seed, target."""

    prevalences: DirichletPrior | None = None
    #: cell name → {key: prior} (``effect``: NormalPrior; ``sd``: SdPrior; ``control_rate``: BetaPrior;
    #: ``control_median``: MedianPrior)
    cells: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    draws: int = DEFAULT_DRAWS
    seed: int = DEFAULT_SEED
    target: float | None = None

    def __post_init__(self) -> None:
        frozen = {k: MappingProxyType(dict(v)) for k, v in dict(self.cells).items()}
        object.__setattr__(self, "cells", MappingProxyType(frozen))

    def __hash__(self) -> int:
        return hash((self.prevalences is None, tuple(self.cells), self.draws, self.seed, self.target))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CellsUncertainty):
            return NotImplemented
        return (self.prevalences == other.prevalences and self.draws == other.draws and self.seed == other.seed
                and self.target == other.target
                and {k: dict(v) for k, v in self.cells.items()} == {k: dict(v) for k, v in other.cells.items()})

    def uncertain(self) -> tuple[str, ...]:
        """Paths of the inputs that carry a distribution: ``prevalences``, ``cells.<name>.<key>``."""
        out = ["prevalences"] if self.prevalences is not None else []
        return tuple(out + [f"cells.{c}.{k}" for c, priors in self.cells.items() for k in priors])

    def prior(self, path: str) -> Any:
        """The distribution at a path of :meth:`uncertain`."""
        if path == "prevalences":
            return self.prevalences
        _, rest = path.split(".", 1)
        cell, key = rest.rsplit(".", 1)
        return self.cells[cell][key]


# ----------------------------------------------------------------------------- reading
def _dirichlet(r: Reader, block: Any, path: str, names: tuple[str, ...]) -> DirichletPrior | None:
    if not isinstance(block, dict):
        r.add(path, f"must be an object, got {describe(block)}")
        return None
    before = len(r.problems)
    r.unknown(block, ("counts", "n"), path)
    has = {k for k in ("counts", "n") if block.get(k) is not None}
    if len(has) != 1:
        r.add(path, "give either counts per cell ({\"counts\": {cell: x}}) or an effective sample size (n)")
        return None
    if "n" in has:
        n = r.number(block, "n", path, None, gt=0, le=PREVALENCES_PRIOR_N_LIMIT)
        return None if len(r.problems) > before else DirichletPrior(n=n)
    counts = block["counts"]
    if not isinstance(counts, dict):
        r.add(f"{path}.counts", f"must be an object {{cell: count}}, got {describe(counts)}")
        return None
    for key in counts:
        if key not in names:
            r.add(f"{path}.counts.{key}", f"is not a cell of population.cells ({', '.join(names)})")
    out = {}
    for name in names:
        if name not in counts:
            r.add(f"{path}.counts.{name}", "is required (count every cell; 0 is allowed)")
            continue
        out[name] = r.number(counts, name, f"{path}.counts", None, ge=0, integer=True)
    return None if len(r.problems) > before else DirichletPrior(counts=out)


def _study_prior(r: Reader, block: Any, path: str, size: str, limits: tuple[float, float], why: str,
                 estimate_bounds: dict, make):
    """A distribution estimated from one earlier study: ``{size: …, "estimate": …}`` with the
    study's size (``df`` of an SD, ``events`` of a median: required, within ``limits``) and an
    optional estimate (``estimate_bounds``: the Reader's gt/ge/lt/le); ``make(size, estimate)``."""
    if not isinstance(block, dict):
        r.add(path, f"must be an object, got {describe(block)}")
        return None
    before = len(r.problems)
    r.unknown(block, ("estimate", size), path)
    if block.get(size) is None:
        r.add(f"{path}.{size}", f"is required ({why})")
        return None
    n = r.number(block, size, path, None, ge=limits[0], le=limits[1])
    estimate = r.number(block, "estimate", path, None, **estimate_bounds)
    return None if len(r.problems) > before else make(n, estimate)


def _sd(r: Reader, block: Any, path: str) -> SdPrior | None:
    return _study_prior(r, block, path, "df", SD_PRIOR_DF_LIMITS,
                        "the degrees of freedom of the study that estimated the SD", {"gt": 0},
                        lambda df, estimate: SdPrior(df=df, estimate=estimate))


def _median(r: Reader, block: Any, path: str) -> MedianPrior | None:
    spec = FIELDS_BY_PATH["positive.control_median"]  # the scenario field's bounds
    return _study_prior(r, block, path, "events", MEDIAN_PRIOR_EVENTS_LIMITS,
                        "the control events of the study that estimated the median",
                        {"gt": spec.gt, "ge": spec.ge, "lt": spec.lt, "le": spec.le},
                        lambda events, estimate: MedianPrior(events=events, estimate=estimate))


def _cell_priors(r: Reader, block: Any, names: tuple[str, ...], endpoint: str | None) -> dict:
    p = "uncertainty.cells"
    if not isinstance(block, dict):
        r.add(p, f"must be an object {{cell: {{...}}}}, got {describe(block)}")
        return {}
    keys = CELL_PRIOR_KEYS.get(endpoint or "", ("effect",))
    out: dict[str, dict] = {}
    for cell, sub in block.items():
        path = f"{p}.{cell}"
        if cell not in names:
            r.add(path, f"is not a cell of population.cells ({', '.join(names)})")
            continue
        if not isinstance(sub, dict):
            r.add(path, f"must be an object, got {describe(sub)}")
            continue
        r.unknown(sub, keys, path)
        priors: dict[str, Any] = {}
        for key in keys:
            if sub.get(key) is None:
                continue
            where = f"{path}.{key}"
            if key == "effect":
                priors[key] = _normal(r, sub[key], where, endpoint)
            elif key == "sd":
                priors[key] = _sd(r, sub[key], where)
            elif key == "control_median":
                priors[key] = _median(r, sub[key], where)
            else:
                priors[key] = _beta(r, sub[key], where, assay=False)
        out[cell] = {k: v for k, v in priors.items() if v is not None}
    return {c: v for c, v in out.items() if v}


def piecewise_median_problems(uncertainty: Any, cells: dict) -> list[Problem]:
    """A control-median prior on a cell whose control hazards come from its ``piecewise`` table
    would be read and silently ignored (the table, not the median, gives the hazards): refused,
    naming the field."""
    priors = getattr(uncertainty, "cells", None) or {}
    return [Problem(f"uncertainty.cells.{name}.control_median",
                    f"has no effect: cell {name!r} gives its control hazards as a piecewise table "
                    "(remove this prior, or give the cell a control median instead of the table)")
            for name, sub in priors.items()
            if "control_median" in sub and getattr(cells.get(name), "piecewise", None) is not None]


def parse_cells_uncertainty(block: Any, endpoint: str | None,
                            names: tuple[str, ...]) -> tuple[CellsUncertainty | None, list[Problem]]:
    """Validate the cells form's ``uncertainty`` block (``names``: the cells, in file order)."""
    r = Reader()
    p = "uncertainty"
    if not isinstance(block, dict):
        r.add(p, f"must be an object, got {describe(block)}")
        return None, r.problems
    for key in V1_ONLY:
        if key in block:
            r.add(f"{p}.{key}", "does not apply in the cells form: give uncertainty.prevalences and "
                                "uncertainty.cells.<name>.<field> (docs/uncertainty.md)")
    r.unknown(block, CELLS_TOP_FIELDS + V1_ONLY, p)
    draws = r.number(block, "draws", p, None, ge=MIN_DRAWS, le=MAX_DRAWS, integer=True)
    seed = r.number(block, "seed", p, None, ge=0, lt=2**63, integer=True)
    target = r.number(block, "target", p, None, gt=0, lt=1)
    prevalences = None
    if block.get("prevalences") is not None:
        prevalences = _dirichlet(r, block["prevalences"], f"{p}.prevalences", names)
    cells = _cell_priors(r, block["cells"], names, endpoint) if block.get("cells") is not None else {}
    if r.problems:
        return None, r.problems
    return CellsUncertainty(prevalences=prevalences, cells=cells,
                            draws=draws if draws is not None else DEFAULT_DRAWS,
                            seed=seed if seed is not None else DEFAULT_SEED, target=target), []


def cells_uncertainty_to_dict(u: CellsUncertainty) -> dict:
    """The JSON-ready block — load → save → load is the identity."""
    out: dict[str, Any] = {"draws": u.draws, "seed": u.seed}
    if u.target is not None:
        out["target"] = u.target
    if u.prevalences is not None:
        out["prevalences"] = u.prevalences.to_dict()
    if u.cells:
        out["cells"] = {c: {k: v.to_dict() for k, v in priors.items()} for c, priors in u.cells.items()}
    return out


# ----------------------------------------------------------------------------- centres
def cell_value(scenario: Any, cell: str, key: str) -> float:
    """The scenario's value of a cell's input (effect on the scenario's scale, as version 1)."""
    sub = scenario.cells[cell]
    if key == "effect":
        if scenario.endpoint == "survival":
            return float(sub.hazard_ratio)
        if scenario.endpoint == "binary":
            return float(sub.treatment_rate) - float(sub.control_rate)
        return float(sub.mean_difference)
    return float(getattr(sub, key))


def cell_input_path(scenario: Any, cell: str, key: str) -> str:
    """The scenario field a cell's distribution describes (``cells.<name>.hazard_ratio``)."""
    if key == "effect":
        key = {"survival": "hazard_ratio", "binary": "treatment_rate"}.get(scenario.endpoint, "mean_difference")
    return f"cells.{cell}.{key}"


def cells_input_words(path: str) -> str:
    """Words of an uncertain input of the cells form (``prevalences``, ``cells.<name>.<key>``), lower
    case: "prevalences of the cells", "effect in cell TPS ≥50%" (the catalogue's)."""
    if path == "prevalences":
        text = cell_prior_label("prevalences")
    else:
        cell, key = path[len("cells."):].rsplit(".", 1)
        text = cell_prior_label(key, cell)
    return text[0].lower() + text[1:]


def _centre(key: str, path: str, form: str, mu: float, sd: float, g_point: float, centre: float,
            point: float) -> PriorCentre:
    gap = abs(mu - g_point)
    sds = gap / sd if sd > 0 else (0.0 if gap <= 1e-9 * max(1.0, abs(g_point)) else math.inf)
    return PriorCentre(key, path, form, centre, point, sds, conflict=sds > CONFLICT_SDS)


def cells_prior_centres(scenario: Any, u: CellsUncertainty) -> list[PriorCentre]:
    """As :func:`planner.uncertainty.prior_centres`, for the cells form: Dirichlet counts (each
    cell's marginal Beta against its prevalence) and every cell prior with a centre of its own."""
    out = []
    prev = u.prevalences
    if prev is not None and prev.counts is not None:
        names = tuple(c.name for c in scenario.population.cells)
        a = prev.alphas(names, ())
        total = sum(a)
        for i, (c, x) in enumerate(zip(scenario.population.cells, a)):
            mean = x / total
            sd = math.sqrt(x * (total - x) / (total**2 * (total + 1)))
            out.append(_centre("prevalences", f"population.cells[{i}].prevalence", "counts", mean, sd,
                               c.prevalence, mean, c.prevalence))
    for cell, priors in u.cells.items():
        for key, prior in priors.items():
            if isinstance(prior, (SdPrior, MedianPrior)):  # log σ: sd ≈ 1/√(2 df); log m: 1/√d (delta method)
                if prior.estimate is not None:
                    point = cell_value(scenario, cell, key)
                    sd = 1.0 / math.sqrt(2.0 * prior.df if isinstance(prior, SdPrior) else prior.events)
                    out.append(_centre(f"cells.{cell}.{key}", f"cells.{cell}.{key}", "estimate",
                                       math.log(prior.estimate), sd, math.log(point), prior.estimate, point))
                continue
            own = _own_centre(prior)
            if own is None:
                continue
            form, mu, sd = own
            point = cell_value(scenario, cell, key)
            g_point, centre = point, mu
            if isinstance(prior, NormalPrior):
                if prior.scale == "log_hazard_ratio" and point <= 0:
                    continue
                g_point, centre = prior.to_analysis(point), float(prior.from_analysis(mu))
            out.append(_centre(f"cells.{cell}.{key}", cell_input_path(scenario, cell, key), form, mu, sd, g_point,
                               centre, point))
    return out


__all__ = ["CellsUncertainty", "DirichletPrior", "MedianPrior", "SdPrior", "cell_input_path", "cell_value", "cells_input_words",
           "cells_prior_centres",
           "cells_uncertainty_to_dict", "parse_cells_uncertainty",
           "piecewise_median_problems"]
