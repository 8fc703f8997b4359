"""Curves, design maps and sensitivity grids, vectorized over their points.

Each curve builds one design model whose parameters are arrays (one element per point) and
evaluates power, or solves for N, for all points at once (``planner.solve.solve_n``) — no
Python loop over points.

Every curve passes through the comparison table's number at the design's size: given the
design's :class:`~planner.results.DesignResult`, the curve is evaluated at that size exactly
as :func:`planner.compute.compute_design` evaluated the table's power (:class:`DesignSize`:
the integer arms' allocation; survival: the events of the analysis). Sensitivity grids over inputs that are not array-valued in
:class:`~planner.params.Params` (α, target power, SD, control median, ...) fall back to one
validated scenario per cell.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import ArrayLike

from .catalogue import CLAIMS, EFFECTS, POPULATION_CLAIMS, design_label
from .compute import compute_design, per_arm
from .designs.build import build_model
from .errors import ScenarioError
from .params import params_from_scenario
from .population_sweeps import grid_params, set_sweep_path
from .results import DesignResult, json_safe
from .scenario import FIXED_DESIGNS, FixedDesignOptions, Scenario
from .scenario_io import scenario_from_dict, scenario_to_dict
from .solve import solve_n


def _opts(scenario: Scenario, design: str) -> FixedDesignOptions:
    return scenario.resolved_options(design)  # with the interim plan in force


def _csv(header: list[str], rows) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for row in rows:
        w.writerow(["" if (isinstance(v, float) and not math.isfinite(v)) else (f"{v:.10g}" if isinstance(v, float) else v) for v in row])
    return buf.getvalue()


@dataclass(frozen=True)
class Curve:
    """y-values (one array per claim) of one design over the points x."""

    design: str
    x_name: str
    x: np.ndarray
    y: dict
    y_name: str = "power"
    notes: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return design_label(self.design)

    def to_dict(self) -> dict:
        return json_safe({"design": self.design, "x_name": self.x_name, "x": self.x, "y_name": self.y_name, "y": self.y})

    def to_csv(self) -> str:
        keys = list(self.y)
        header = [self.x_name] + [f"{self.y_name}" if k in ("power", "n_randomized") else f"{self.y_name}_{k}" for k in keys]
        rows = zip(*([float(v) for v in self.x],) + tuple([float(v) for v in self.y[k]] for k in keys))
        return _csv(header, rows)


@dataclass(frozen=True)
class DesignSize:
    """The size at which :func:`planner.compute.compute_design` computed a design's power.

    ``n_randomized`` total (both arms); ``allocation_ratio`` treatment : control of the integer
    arms (``None``: the planned ratio, as for survival, whose power depends on events only);
    ``events`` (survival) the events of the analysis — sample size: the events rounded up; power
    at a given N: the events expected at N; given events: those.
    """

    n_randomized: int
    allocation_ratio: float | None
    events: float | None = None


def design_size(result: DesignResult | None) -> DesignSize | None:
    """The size of a feasible result of :func:`planner.compute.compute_design` (else None)."""
    if not isinstance(result, DesignResult) or not result.feasible or not result.n_randomized:
        return None
    if result.events_exact is not None:  # survival
        events = result.events if result.question == "sample_size" else result.events_exact
        return DesignSize(int(result.n_randomized), None, float(events))
    arms = result.n_per_arm or {}
    n_t, n_c = arms.get("treatment"), arms.get("control")
    ratio = n_t / n_c if n_t and n_c else None
    return DesignSize(int(result.n_randomized), ratio, None)


def design_x(result: DesignResult | None) -> float | None:
    """Where the design sits on the power-vs-N axis: its total N; survival: the patients whose
    expected events are the analysis' events (events / events per patient)."""
    size = design_size(result)
    if size is None:
        return None
    if size.events is not None:
        return size.events / float(result.details["events_per_patient"])
    return float(size.n_randomized)


def _claim_curves(design: str, claims: dict) -> dict:
    y = {"power": np.array(claims["power"], dtype=float)}
    if design == "stratified":  # several populations: also each population's claim (population:<name>)
        keys = [k for k in (*CLAIMS, *POPULATION_CLAIMS) if k in claims]
        keys += [k for k in claims if k not in keys and k != "power"]
        y.update({k: np.array(claims[k], dtype=float) for k in keys})
    return y


def power_vs_n(scenario: Scenario, design: str, n_grid: ArrayLike, result: DesignResult | None = None) -> Curve:
    """Power of each claim at total randomized N (both arms), planned allocation (survival: at
    the events expected at N).

    With the design's ``result`` the curve also holds the design's own point, :func:`design_x`,
    evaluated at its :class:`DesignSize` (the integer arms) — the table's power.
    """
    n = np.asarray(n_grid, dtype=float).reshape(-1)
    x_d = design_x(result)
    if x_d is not None and not np.any(n == x_d):
        n = np.sort(np.append(n, x_d))
    par = params_from_scenario(scenario)
    model = build_model(design, par, _opts(scenario, design))
    y = _claim_curves(design, model.claims(n, np.zeros(n.size, dtype=int)))
    size = design_size(result)
    if size is not None and size.allocation_ratio is not None:
        exact = build_model(design, par.with_allocation(size.allocation_ratio), _opts(scenario, design))
        at = _claim_curves(design, exact.claims(np.array([float(size.n_randomized)]), np.array([0])))
        for k in y:
            y[k][n == x_d] = at[k][0]
    return Curve(design, "n_randomized", n, y)


def table_n(n_exact: ArrayLike, allocation_ratio: float) -> np.ndarray:
    """The table's integer total N of unrounded totals (:func:`planner.compute.per_arm`; NaN stays NaN)."""
    flat_n = np.asarray(n_exact, dtype=float)
    out = [float(sum(per_arm(v, allocation_ratio))) if math.isfinite(v) else math.nan for v in flat_n.reshape(-1)]
    return np.asarray(out, dtype=float).reshape(flat_n.shape)


def n_vs_prevalence(scenario: Scenario, design: str, prevalence_grid: ArrayLike) -> Curve:
    """Total N reaching the target power at each prevalence, as the table gives it (integer arms,
    :func:`table_n`; NaN: unattainable). Targeted design: also the patients screened."""
    g = np.asarray(prevalence_grid, dtype=float).reshape(-1)
    par = params_from_scenario(scenario, prevalence=g)
    model = build_model(design, par, _opts(scenario, design))
    n = np.broadcast_to(solve_n(model, scenario.testing.power, scenario.testing.allocation_ratio), g.shape)
    return prevalence_curve(scenario, design, g, n, model.screened_per_randomized)


def prevalence_curve(scenario: Scenario, design: str, g: np.ndarray, n_exact: ArrayLike,
                     screened_per_randomized: ArrayLike) -> Curve:
    """:func:`n_vs_prevalence` from unrounded totals already solved (e.g. a design map's column)."""
    n = table_n(n_exact, scenario.testing.allocation_ratio)
    y = {"n_randomized": n}
    if design == "targeted":
        per = np.broadcast_to(np.asarray(screened_per_randomized, dtype=float), n.shape)
        y["n_screened"] = np.ceil(n * per - 1e-9)  # as compute_design: screened rounded up
    return Curve(design, "prevalence", np.asarray(g, dtype=float), y, "n_randomized")


def n_vs_prevalence_from_map(scenario: Scenario, dm: DesignMap, design: str, column: int = -1) -> Curve:
    """:func:`n_vs_prevalence` over ``dm.prevalence`` from a design map solved for N (criterion
    ``"n"``): its column at one B− effect (the scenario's, when the map was computed with it)."""
    par = params_from_scenario(scenario, prevalence=dm.prevalence)
    model = build_model(design, par, _opts(scenario, design))  # for the patients screened only
    return prevalence_curve(scenario, design, dm.prevalence, dm.values[design][:, column],
                            model.screened_per_randomized)


def default_n(scenario: Scenario, design: str) -> float | None:
    """The design's integer N (given in the file, or solved for the target power)."""
    r = compute_design(scenario, design, _opts(scenario, design))
    return float(r.n_randomized) if r.feasible and r.n_randomized else None


def power_vs_negative_effect(
    scenario: Scenario, design: str, effect_grid: ArrayLike, n_randomized: float | None = None,
    result: DesignResult | None = None,
) -> Curve:
    """Power at the design's size over the B− effect (natural scale: mean difference, risk
    difference, HR).

    The size is ``result``'s :class:`DesignSize` (default: the design's result for the scenario,
    :func:`planner.compute.compute_design`), or ``n_randomized`` at the planned allocation. An
    event-driven survival trial is analysed at its events whatever the B− effect: the events
    are held fixed (the patients needed for them vary with the effect).
    """
    e = np.asarray(effect_grid, dtype=float).reshape(-1)
    name = "negative_" + EFFECTS[scenario.endpoint].code
    if n_randomized is not None and result is None:
        size = DesignSize(int(round(n_randomized)), None, None)
        n_at = float(n_randomized)
    else:
        size = design_size(result if result is not None else compute_design(scenario, design, _opts(scenario, design)))
        n_at = None if size is None else float(size.n_randomized)
    if size is None:
        return Curve(design, name, e, {"power": np.full(e.size, np.nan)}, notes=("design not attainable",))
    par = grid_params(scenario, effect=e)  # the B− effect, or a chosen cell's (planner.population_sweeps)
    if size.allocation_ratio is not None:
        par = par.with_allocation(size.allocation_ratio)
    model = build_model(design, par, _opts(scenario, design))
    if size.events is not None and model.events_per_patient is not None:
        n = size.events / np.broadcast_to(np.asarray(model.events_per_patient, dtype=float), e.shape)
        note = f"{size.events:.6g} events"
    else:
        n = np.full(e.size, n_at)
        note = f"N = {n_at:.0f}"
    y = _claim_curves(design, model.claims(n, np.arange(e.size)))
    return Curve(design, name, e, y, notes=(note,))


@dataclass(frozen=True)
class DesignMap:
    """Which design needs the fewest patients (or costs least) over prevalence × B− effect."""

    prevalence: np.ndarray
    negative_effect: np.ndarray
    designs: tuple[str, ...]
    values: dict
    best: np.ndarray
    criterion: str = "n"

    def to_dict(self) -> dict:
        return json_safe(
            {"prevalence": self.prevalence, "negative_effect": self.negative_effect, "designs": list(self.designs),
             "criterion": self.criterion, "values": self.values, "best": self.best}
        )


def design_map(
    scenario: Scenario,
    prevalence_grid: ArrayLike,
    negative_effect_grid: ArrayLike,
    criterion: str = "n",
    designs: tuple[str, ...] | None = None,
) -> DesignMap:
    """Required N (or cost) of each design on the grid; ``best`` indexes ``designs`` (−1: none)."""
    g = np.asarray(prevalence_grid, dtype=float).reshape(-1)
    e = np.asarray(negative_effect_grid, dtype=float).reshape(-1)
    designs = tuple(designs or [d for d in FIXED_DESIGNS if d != "interaction"])
    par = grid_params(scenario, g[:, None], e[None, :])
    values = {}
    for d in designs:
        model = build_model(d, par, _opts(scenario, d))
        n = np.broadcast_to(solve_n(model, scenario.testing.power, scenario.testing.allocation_ratio), (g.size, e.size))
        if criterion == "cost":
            c = scenario.costs
            if c is None:
                raise ValueError("criterion 'cost' needs a costs block in the scenario")
            screened = n * np.broadcast_to(model.screened_per_randomized, n.shape)
            values[d] = c.per_screened * screened + c.per_randomized * n
        else:
            values[d] = np.array(n)
    stack = np.stack([values[d] for d in designs])
    filled = np.where(np.isfinite(stack), stack, np.inf)
    best = np.where(np.isfinite(filled).any(axis=0), np.argmin(filled, axis=0), -1)
    return DesignMap(g, e, designs, values, best, criterion)


# ----------------------------------------------------------------------------- grids
_RANGE = re.compile(r"^\s*([-+0-9.eE]+)\s*:\s*([-+0-9.eE]+)\s*:\s*([-+0-9.eE]+)\s*$")


def parse_range(text: str) -> list[float]:
    """``start:stop:step`` inclusive of stop (PASS/SAS style), e.g. ``0.2:0.6:0.1``."""
    m = _RANGE.match(text)
    if not m:
        raise ValueError(f"expected start:stop:step, got {text!r}")
    start, stop, step = (float(x) for x in m.groups())
    if step == 0 or (stop - start) / step < 0:
        raise ValueError(f"step {step:g} does not lead from {start:g} to {stop:g}")
    count = int(math.floor((stop - start) / step + 1e-9)) + 1
    if count > 10_000:
        raise ValueError(f"{count} values is too many (at most 10000)")
    return [round(start + i * step, 12) for i in range(count)]


def parse_list(text: str) -> list[float]:
    """Comma/space separated numbers, or a ``start:stop:step`` range."""
    if ":" in text:
        return parse_range(text)
    parts = [p for p in re.split(r"[,\s;]+", text.strip()) if p]
    if not parts:
        raise ValueError("no values given")
    try:
        return [float(p) for p in parts]
    except ValueError:
        raise ValueError(f"not a list of numbers: {text!r}") from None


@dataclass(frozen=True)
class Grid:
    """Sensitivity grid: one output (N or power) of one design over one or two inputs."""

    design: str
    output: str
    row_field: str
    row_values: tuple[float, ...]
    col_field: str | None
    col_values: tuple[float, ...]
    values: np.ndarray
    messages: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return json_safe({k: getattr(self, k) for k in ("design", "output", "row_field", "row_values", "col_field", "col_values", "values", "messages")})

    def to_csv(self) -> str:
        if self.col_field is None:
            return _csv([self.row_field, self.output], ((r, float(v)) for r, v in zip(self.row_values, self.values[:, 0])))
        header = [f"{self.row_field} \\ {self.col_field}"] + [f"{c:g}" for c in self.col_values]
        return _csv(header, ([r] + [float(v) for v in row] for r, row in zip(self.row_values, self.values)))


def sensitivity_grid(
    scenario: Scenario,
    design: str,
    rows: tuple[str, list[float]],
    cols: tuple[str, list[float]] | None = None,
    output: str = "n",
) -> Grid:
    """N (``output="n"``, integer total) or power (``"power"``) over one or two input fields.

    Field paths as in the scenario file, e.g. ``population.prevalence``,
    ``positive.hazard_ratio``, ``testing.alpha``. Invalid cells are NaN with a message.
    """
    if output not in ("n", "power"):
        raise ValueError("output must be 'n' or 'power'")
    row_field, row_vals = rows
    col_field, col_vals = cols if cols is not None else (None, [None])
    base = scenario_to_dict(scenario)
    values = np.full((len(row_vals), len(col_vals)), np.nan)
    messages: dict = {}
    question = "sample_size" if output == "n" else "power"
    for i, rv in enumerate(row_vals):
        for j, cv in enumerate(col_vals):
            d = scenario_to_dict(scenario) if i or j else base
            set_sweep_path(d, row_field, rv)  # cells-form paths too (planner.population_sweeps)
            if col_field is not None:
                set_sweep_path(d, col_field, cv)
            try:
                s = scenario_from_dict(d)
            except ScenarioError as err:
                messages[f"{i},{j}"] = str(err)
                continue
            if output == "power" and _opts(s, design).n_randomized is None and _opts(s, design).events is None:
                n_fixed = default_n(scenario, design)
                if n_fixed is None:
                    continue
                s = replace(s, designs={**dict(s.designs), design: replace(_opts(s, design), n_randomized=int(n_fixed))})
            r = compute_design(s, design, _opts(s, design), question=question)
            if not r.feasible:
                messages[f"{i},{j}"] = r.message
                continue
            values[i, j] = r.n_randomized if output == "n" else r.power
    return Grid(design, output, row_field, tuple(row_vals), col_field, tuple(c for c in col_vals if c is not None), values, messages)
