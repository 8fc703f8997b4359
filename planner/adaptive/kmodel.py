"""The simulation model over several populations: disjoint cells, populations as unions of cells.

The screened population is split into C disjoint cells (2 to 8) with prevalences p_c; the
hypotheses are indexed g = 0 … G − 1 with g = 0 the full population F (every cell) and g ≥ 1 the
scenario's populations in file order (1 to 3, so G ≤ 4). ``membership[g][c]`` says whether cell
c belongs to population g. rpact's ``getSimulationEnrichment*`` with ``subGroups`` S1, S2, S12, R
is the case of the cells S1-only, S2-only, S12, R and the populations S1 = {S1, S12},
S2 = {S2, S12}; nested populations (S1 ⊂ S2) are simply populations sharing cells.

Per cell, on the benefit scale (a positive effect is a benefit), exactly as the two-subset
:class:`.model.SimModel` holds them per subset: θ_c and v_c (continuous: Var(√n θ̂) per
randomized patient, σ²(1 + r)²/r), π_T,c and π_C,c (binary) or θ_c = −ln HR_c and u_c, the
events per randomized patient (survival: a stage's events are split over the enrolled cells in
proportion to p_c u_c, rpact's ``prevalences × (1 + r·HR)`` when u_c ∝ 1 + r·HR_c).
:func:`kmodel_from_scenario` reduces each cell with :func:`planner.contrasts.contrast`, the
formulas of the two-subset model (the cells form has an exact assay).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..contrasts import contrast, mixture_cells
from ..errors import Problem, ScenarioError
from ..params import params_from_scenario
from ..scenario import AdaptiveOptions, Scenario
from .model import StagePlan, _check_arm_sizes

FULL = "F"


@dataclass(frozen=True)
class KModel(StagePlan):
    """Everything one adaptive-enrichment simulation over G − 1 populations plus F needs."""

    endpoint: str
    names: tuple[str, ...]                       # hypothesis names, names[0] = "F"
    membership: tuple[tuple[bool, ...], ...]     # G × C: cell c in population g
    prevalences: tuple[float, ...]               # C cell prevalences (sum 1)
    planned: tuple[float, ...]                   # cumulative subjects (survival: events)
    information_rates: tuple[float, ...]
    cell_names: tuple[str, ...] = ()
    alpha: float = 0.025
    allocation_ratio: float = 1.0
    boundaries: str = "obrien_fleming"
    futility_bounds: tuple[float, ...] | None = None
    intersection_test: str = "simes"
    selection_rule: str = "best"
    epsilon: float = 0.0
    threshold: float = 0.0
    r: int = 1
    effect_measure: str = "effect_estimate"
    stratified: bool = True
    success_criterion: str = "at_least_one"
    theta: tuple[float, ...] = ()
    variance: tuple[float, ...] = ()
    rate_treatment: tuple[float, ...] = ()
    rate_control: tuple[float, ...] = ()
    event_weight: tuple[float, ...] = ()
    patients_per_event: tuple[float, ...] | None = None
    correlation: str = "information"
    rpact_compat: bool = False
    combination: str = "inverse_normal"
    recalculation: None = None
    critical: tuple[float, ...] = field(default=())

    def __post_init__(self) -> None:
        self._fill_critical()
        if not self.cell_names:
            object.__setattr__(self, "cell_names", tuple(f"cell {c + 1}" for c in range(self.cells)))

    @property
    def cells(self) -> int:
        return len(self.prevalences)

    @property
    def prevalence(self) -> float:
        """The smallest cell prevalence (the sample-size search's lower bound on a stage)."""
        return min(self.prevalences)

    @property
    def hypotheses(self) -> int:
        """G: F and the populations."""
        return len(self.names)


def rpact_cells(g_max: int) -> tuple[tuple[str, ...], tuple[tuple[bool, ...], ...], tuple[str, ...]]:
    """rpact's cells (``subGroups``) and the membership of F, S1, S2(, S3) for ``gMax`` 2 to 4:
    cell names, membership (F first) and hypothesis names."""
    cells = {2: ("S1", "R"), 3: ("S1", "S2", "S12", "R"),
             4: ("S1", "S2", "S3", "S12", "S13", "S23", "S123", "R")}[g_max]
    names = (FULL,) + tuple(f"S{g}" for g in range(1, g_max))
    member = [tuple(True for _ in cells)]
    for g in range(1, g_max):
        member.append(tuple(c != "R" and str(g) in c[1:] for c in cells))
    return cells, tuple(member), names


def _cell_contrasts(scenario: Scenario, method: str | None):
    """One :class:`planner.contrasts.Contrast` (or binary rates) per cell, via the version 1
    reduction with the cell's outcome as both subgroups."""
    out = []
    for cell in scenario.population.cells:
        sub = scenario.cells[cell.name]
        pop = replace(scenario.population, prevalence=0.5, cells=(), populations=(),
                      assay_sensitivity=1.0, assay_specificity=1.0)
        one = replace(scenario, population=pop, positive=sub, negative=sub, cells={})
        par = params_from_scenario(one)
        if scenario.endpoint == "binary":
            out.append((par, None))
        else:
            out.append((par, contrast(par, mixture_cells(1.0), method)))
    return out


def kmodel_from_scenario(scenario: Scenario, options: AdaptiveOptions | None = None) -> KModel:
    """The :class:`KModel` of a cells-form scenario's ``designs.adaptive``."""
    opts = options if options is not None else scenario.designs.get("adaptive")
    if not isinstance(opts, AdaptiveOptions):
        raise ScenarioError([Problem("designs.adaptive", "is required to simulate the adaptive design")])
    endpoint = scenario.endpoint
    planned = opts.planned_events if endpoint == "survival" else opts.planned_subjects
    if planned is None:
        key = "planned_events" if endpoint == "survival" else "planned_subjects"
        raise ScenarioError([Problem(f"designs.adaptive.{key}", f"is required for a {endpoint} endpoint")])
    if len(planned) != len(opts.information_rates):
        raise ScenarioError([Problem("designs.adaptive.information_rates", "needs one value per planned stage")])
    if opts.sample_size_recalculation is not None:
        raise ScenarioError([Problem("designs.adaptive.sample_size_recalculation",
                                     "is not available with several populations (cells form)")])
    pops = scenario.population.populations
    cells = scenario.population.cells
    if opts.intersection_test == "spiessens_debois" and len(pops) > 1:
        raise ScenarioError([Problem("designs.adaptive.intersection_test",
                                     "Spiessens–Debois needs exactly one population (as rpact); "
                                     "use simes, bonferroni or sidak")])
    cell_index = {c.name: j for j, c in enumerate(cells)}
    member = [tuple(True for _ in cells)]
    for p in pops:
        inside = {cell_index[n] for n in p.cells}
        member.append(tuple(j in inside for j in range(len(cells))))
    kw: dict = {}
    per_cell = _cell_contrasts(scenario, "schoenfeld" if endpoint == "survival" else None)
    if endpoint == "continuous":
        kw["theta"] = tuple(float(c.theta) for _, c in per_cell)
        kw["variance"] = tuple(float(c.sd0) ** 2 for _, c in per_cell)
    elif endpoint == "binary":
        rt = [float(par.positive["treatment_rate"]) for par, _ in per_cell]
        rc = [float(par.positive["control_rate"]) for par, _ in per_cell]
        if scenario.testing.better == "lower":  # simulate the complementary outcome
            rt, rc = [1.0 - x for x in rt], [1.0 - x for x in rc]
        kw["rate_treatment"], kw["rate_control"] = tuple(rt), tuple(rc)
        prev_min = min(float(c.prevalence) for c in cells)
        _check_arm_sizes(planned, prev_min, float(scenario.testing.allocation_ratio))
    else:
        kw["theta"] = tuple(float(c.theta) for _, c in per_cell)
        units = tuple(float(c.units) for _, c in per_cell)
        kw["event_weight"] = units
        kw["patients_per_event"] = tuple(1.0 / u for u in units)
    sel = opts.selection
    return KModel(
        endpoint=endpoint,
        names=(FULL,) + tuple(p.name for p in pops),
        membership=tuple(member),
        prevalences=tuple(float(c.prevalence) for c in cells),
        cell_names=tuple(c.name for c in cells),
        planned=tuple(float(x) for x in planned),
        information_rates=tuple(opts.information_rates),
        alpha=float(scenario.testing.alpha) / scenario.testing.sides,
        allocation_ratio=float(scenario.testing.allocation_ratio),
        boundaries=opts.boundaries,
        futility_bounds=tuple(opts.futility_bounds) if opts.futility_bounds else None,
        intersection_test=opts.intersection_test,
        selection_rule=sel.rule,
        epsilon=float(sel.epsilon),
        threshold=float(sel.threshold),
        r=int(sel.r),
        effect_measure=opts.effect_measure,
        stratified=bool(opts.stratified_analysis),
        success_criterion=opts.success_criterion,
        correlation=opts.correlation,
        combination=opts.combination,
        **kw,
    )


__all__ = ["FULL", "KModel", "kmodel_from_scenario", "rpact_cells"]
