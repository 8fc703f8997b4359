"""Assurance in the cells form (several biomarker populations, issue 12): the prior draws.

:func:`draw_cells_inputs` draws the cells' prevalences and each cell's outcome parameters from the
block of :mod:`planner.cells_uncertainty` and returns :class:`CellsDraws`, which has the interface
of :class:`planner.assurance.Draws` (``size``, ``seed``, ``uncertain``, ``params``): every cell's
outcome arrays and every cell's prevalence become arrays of length B in
:class:`~planner.params.Params`, so that :mod:`planner.assurance` evaluates every design — the
stratified design's claim of each population included (``assurance_by_population``) — in one
vectorized pass over the draws, as in the two-subgroup form.

Seed streams: each input draws from its own child of ``numpy.random.SeedSequence(seed)`` — child 0
the prevalences, child 1 + i the effect of cell i (file order), child 16 + i its SD or control
rate or control median — so adding or removing one distribution leaves the others' draws unchanged. The children 0,
1 and 2 are those of the version 1 ``prevalence``, ``positive_effect`` and ``negative_effect``, and
the Dirichlet is drawn by stick breaking with Beta draws (p_1 ~ Beta(a_1, Σ_{j>1} a_j), p_k =
(1 − Σ_{j<k} p_j)·Beta(a_k, Σ_{j>k} a_j), the last cell the rest; Devroye 1986, §XI.4): with two
cells the draws are exactly those of the version 1 Beta. A one-population cells twin of a
two-subgroup scenario with the equivalent prior therefore gets the same draws and the same
assurance (``tests/test_cells_assurance.py``).

Prevalence draws are clipped to at least 10⁻⁶ (then renormalised; only reached by float
underflow); the first population's share is clipped to [10⁻⁶, 1 − 10⁻⁶] as in version 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import numpy as np

from .catalogue import cell_prior_label
from .cells_uncertainty import (
    CellsUncertainty,
    MedianPrior,
    SdPrior,
    cell_value,
    cells_prior_centres,
)
from .errors import Problem, ScenarioError
from .params import Params, params_from_scenario
from .uncertainty import PROPORTION_EPS, RATE_EPS, BetaPrior, NormalPrior, PriorError

#: seed children: the prevalences, then each cell's effect, then each cell's SD / control rate
EFFECT_STREAM, OTHER_STREAM = 1, 16


@dataclass(frozen=True)
class CellsDraws:
    """B prior draws of the cells form: prevalences (tuple of arrays, cell order) and, by cell, the
    outcome arrays that replace the scenario's (``mean_difference``, ``sd``, ``control_rate``,
    ``treatment_rate``, ``hazard_ratio``, ``control_median``)."""

    size: int
    seed: int
    prevalences: tuple[np.ndarray, ...]
    names: tuple[str, ...] = ()
    cells: Mapping[str, Mapping[str, np.ndarray]] = field(default_factory=dict)
    uncertain: tuple[str, ...] = ()

    @property
    def inputs(self) -> Mapping[str, np.ndarray]:
        """Every drawn array by path (``population.cells.<name>.prevalence``, ``cells.<name>.<field>``)."""
        out = {f"population.cells.{c}.prevalence": p for c, p in zip(self.names, self.prevalences)}
        for c, arrays in self.cells.items():
            out.update({f"cells.{c}.{k}": v for k, v in arrays.items()})
        return MappingProxyType(out)

    def params(self, scenario: Any) -> Params:
        """The scenario's :class:`Params` with every drawn input replaced by its draws."""
        par = params_from_scenario(scenario)
        cells = {name: MappingProxyType({**g, **dict(self.cells.get(name, {}))}) for name, g in par.cells.items()}
        st = replace(par.structure, prevalence=tuple(self.prevalences))
        first = np.clip(st.prevalence_of(st.names[1]), PROPORTION_EPS, 1.0 - PROPORTION_EPS)
        return replace(par, cells=MappingProxyType(cells), structure=st, prevalence=first)


def _streams(seed: int, count: int) -> list[np.random.Generator]:
    return [np.random.Generator(np.random.PCG64(s)) for s in np.random.SeedSequence(seed).spawn(count)]


def dirichlet_sticks(rng: np.random.Generator, alphas: tuple[float, ...], size: int) -> list[np.ndarray]:
    """``size`` Dirichlet(alphas) draws by stick breaking with Beta draws (module docstring)."""
    out, left = [], np.ones(size)
    for k in range(len(alphas) - 1):
        x = rng.beta(alphas[k], sum(alphas[k + 1:]), size)
        out.append(left * x)
        left = left - out[-1]
    out.append(left)
    p = np.maximum(np.stack(out), PROPORTION_EPS)
    return list(p / p.sum(axis=0))


def _prevalences(scenario: Any, u: CellsUncertainty, rng: np.random.Generator, size: int) -> list[np.ndarray]:
    cells = scenario.population.cells
    point = tuple(c.prevalence for c in cells)
    if u.prevalences is None:
        return [np.full(size, p) for p in point]
    alphas = u.prevalences.alphas(tuple(c.name for c in cells), point)
    if len(alphas) == 2:  # exactly the version 1 Beta of the first cell's share, clipped as there
        x = np.clip(rng.beta(alphas[0], alphas[1], size), PROPORTION_EPS, 1.0 - PROPORTION_EPS)
        return [x, 1.0 - x]
    return dirichlet_sticks(rng, alphas, size)


def _truncated_rd(prior: NormalPrior, rng, size: int, point: float, control: np.ndarray) -> np.ndarray:
    """Risk differences from the normal truncated, draw by draw, to keep the treatment rate in range."""
    from scipy.stats import truncnorm  # noqa: PLC0415 (slow import: on use)

    from .uncertainty import _normal_mass  # noqa: PLC0415

    mu, sd = prior.mean_sd(point)
    lo, hi = RATE_EPS - control, 1.0 - RATE_EPS - control
    if sd == 0:
        return np.clip(np.full(size, mu if prior.estimate is not None or prior.se is None else point), lo, hi)
    a, b = (lo - mu) / sd, (hi - mu) / sd
    mass = float(np.mean([_normal_mass(x, y) for x, y in zip(a[:100], b[:100])]))
    if mass < 1e-6:
        raise PriorError("se" if prior.se is not None else "estimate",
                         f"the distribution (mean {mu:g}, sd {sd:g}) puts almost no probability inside the "
                         "possible range of the risk difference")
    return np.clip(mu + sd * truncnorm.ppf(rng.random(size), a, b), lo, hi)


def _cell_draws(scenario: Any, cell: str, priors: Mapping, streams, i: int, size: int) -> dict[str, np.ndarray]:
    """The outcome arrays of one cell whose parameters carry distributions."""
    sub, endpoint, out = scenario.cells[cell], scenario.endpoint, {}
    rng_effect, rng_other = streams[EFFECT_STREAM + i], streams[OTHER_STREAM + i]
    other = priors.get("sd") or priors.get("control_rate") or priors.get("control_median")
    if isinstance(other, MedianPrior):
        out["control_median"] = other.sample(rng_other, size, float(sub.control_median))
    if isinstance(other, SdPrior):
        s = float(other.estimate if other.estimate is not None else sub.sd)
        out["sd"] = s * np.sqrt(other.df / rng_other.chisquare(other.df, size))
    control = float(sub.control_rate) if endpoint == "binary" else None
    if isinstance(other, BetaPrior):
        control = np.clip(other.sample(rng_other, size, float(sub.control_rate)), RATE_EPS, 1.0 - RATE_EPS)
        out["control_rate"] = control
    effect = priors.get("effect")
    point = cell_value(scenario, cell, "effect")
    if effect is not None:
        if endpoint == "binary" and isinstance(other, BetaPrior):
            rd = _truncated_rd(effect, rng_effect, size, point, control)
        elif endpoint == "binary":
            rd = effect.sample(rng_effect, size, point, (RATE_EPS - control, 1.0 - RATE_EPS - control))
        else:
            rd = effect.sample(rng_effect, size, point)
        key = {"survival": "hazard_ratio", "binary": "treatment_rate"}.get(endpoint, "mean_difference")
        out[key] = np.asarray(rd, dtype=float) + (control if endpoint == "binary" else 0.0)
    elif isinstance(other, BetaPrior):  # the control rate moves, the risk difference stays
        out["treatment_rate"] = np.clip(control + point, RATE_EPS, 1.0 - RATE_EPS)
    return out


def draw_cells_inputs(scenario: Any, u: CellsUncertainty, *, draws: int | None = None,
                      seed: int | None = None) -> CellsDraws:
    """Draw the cells' prevalences and every cell prior ``draws`` times (default: the block's).

    Raises :class:`ScenarioError` naming the field when a distribution cannot be resolved."""
    size = int(draws if draws is not None else u.draws)
    seed = int(seed if seed is not None else u.seed)
    names = [c.name for c in scenario.population.cells]
    streams = _streams(seed, OTHER_STREAM + len(names))
    prevalences = _prevalences(scenario, u, streams[0], size)
    cells = {}
    for i, cell in enumerate(names):
        priors = u.cells.get(cell)
        if not priors:
            continue
        try:
            cells[cell] = MappingProxyType(_cell_draws(scenario, cell, priors, streams, i, size))
        except PriorError as err:
            key = next(iter(k for k in priors if isinstance(priors[k], NormalPrior)), next(iter(priors)))
            raise ScenarioError([Problem(f"uncertainty.cells.{cell}.{key}.{err.field}", str(err))]) from None
    return CellsDraws(size=size, seed=seed, prevalences=tuple(prevalences), names=tuple(names),
                      cells=MappingProxyType(cells),
                      uncertain=u.uncertain())


def describe_cells_uncertainty(scenario: Any, u: CellsUncertainty) -> list[str]:
    """One line per uncertain input, with the catalogue's words and the distribution."""
    names = tuple(c.name for c in scenario.population.cells)
    point = tuple(c.prevalence for c in scenario.population.cells)
    centres = {(c.input, c.path): c for c in cells_prior_centres(scenario, u)}
    lines = []
    for path in u.uncertain():
        prior = u.prior(path)
        if path == "prevalences":
            text = f"{cell_prior_label('prevalences')}: {prior.describe(names, point)}"
        else:
            _, rest = path.split(".", 1)
            cell, key = rest.rsplit(".", 1)
            try:
                text = f"{cell_prior_label(key, cell)}: {prior.describe(cell_value(scenario, cell, key))}"
            except ValueError as err:
                text = f"{cell_prior_label(key, cell)}: {err}"
        conflicts = [c for (inp, _), c in centres.items() if inp == path and c.conflict]
        text += "".join(" — CONFLICT: " + c.describe() for c in conflicts)
        lines.append(text)
    return lines


def population_claim_stats(claims: Mapping[str, np.ndarray]) -> tuple[dict, dict, dict]:
    """(assurance by population, its MC SEs, the other claims' (mean, SE)) of a cells-form model's
    claims over the draws: ``population:<name>`` claims averaged → ``{name: A}``; the version 1
    aliases (overall, subgroup, either, both) left out, ``at_least_one`` and ``all`` kept."""
    from .assurance import _mean_se  # noqa: PLC0415
    from .designs.multipop import PREFIX, V1_ALIASES  # noqa: PLC0415

    by, by_se, other = {}, {}, {}
    for key, value in claims.items():
        if key in V1_ALIASES:
            continue
        mean, se = _mean_se(np.asarray(value, dtype=float))
        if key.startswith(PREFIX):
            by[key[len(PREFIX):]], by_se[key[len(PREFIX):]] = mean, se
        else:
            other[key] = (mean, se)
    return by, by_se, other


__all__ = ["CellsDraws", "describe_cells_uncertainty", "dirichlet_sticks", "draw_cells_inputs",
           "population_claim_stats"]
