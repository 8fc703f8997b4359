"""The version 1 scenario reader: a decoded JSON object → a validated :class:`Scenario`.

:func:`scenario_from_dict` collects *every* problem, each naming its field path and reason.
Every number's bounds, whole-number rule and default come from the catalogue
(:data:`planner.catalogue.FIELDS_BY_PATH`, read through :meth:`Reader.field`); only the rules
that tie several fields together live here (sensitivity + specificity > 1, power > alpha,
events ≤ N, stage lists, the method for the endpoint).
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from . import scenario_cells
from .adaptive_extensions_io import read_extensions
from .biomarker_io import read_biomarker
from .catalogue import FIELDS_BY_PATH
from .errors import Problem, ScenarioError
from .interim_reader import read_interims
from .kept_results import read_kept_results
from .scenario import (
    ADAPTIVE_CORRELATIONS,
    ALL_DESIGNS,
    BOUNDARIES,
    CONTROL_ARMS,
    EFFECT_MEASURES,
    ENDPOINTS,
    INTERSECTION_TESTS,
    METHODS,
    MULTIPLICITY,
    SELECTION_RULES,
    SIZE_FOR,
    SUCCESS_CRITERIA,
    AdaptiveOptions,
    BinarySubgroup,
    ContinuousSubgroup,
    Costs,
    FixedDesignOptions,
    Population,
    ProvenanceNote,
    Recruitment,
    Scenario,
    Selection,
    SurvivalSettings,
    SurvivalSubgroup,
    Testing,
)
from .scenario_essentials import (
    POPULATION_EXTRAS,
    binary_subgroup,
    check_null,
    population_extras,
    testing_extras,
)
from .scenario_piecewise import read_accrual, read_piecewise_subgroup, resolve_piecewise
from .validation import MISSING, Reader, describe, fmt

FORMAT_NAME = "enrichment-planner-scenario"
#: versions this program reads; a version 1 file is read as the version 2 file it is equivalent to
SUPPORTED_VERSIONS = (1, 2)
#: the version every saved file has
CURRENT_VERSION = 2

_SUBGROUP_FIELDS = {
    "continuous": ("mean_difference", "sd", "control_mean"),
    "binary": ("control_rate", "treatment_rate"),
    "survival": ("control_median", "hazard_ratio"),
}
_TOP_FIELDS = (
    "format", "version", "title", "notes", "endpoint", "population", "positive", "negative", "survival",
    "testing", "costs", "recruitment", "designs", "provenance", "uncertainty", "interim", "cells", "biomarker",
)


def _default(path: str) -> Any:
    return FIELDS_BY_PATH[path].default


def _subgroup(r: Reader, data: dict, key: str, endpoint: str):
    block = r.block(data, key, key)
    if block is None:
        return None
    if endpoint == "survival" and "piecewise" in block:
        return read_piecewise_subgroup(r, block, key)
    if endpoint == "binary":
        return binary_subgroup(r, block, key)
    names = _SUBGROUP_FIELDS[endpoint]
    r.unknown(block, names, key)
    values = tuple(r.field(block, name, key) for name in names)
    if None in values:
        return None
    cls = {"continuous": ContinuousSubgroup, "binary": BinarySubgroup, "survival": SurvivalSubgroup}[endpoint]
    return cls(*values)


def _population(r: Reader, data: dict) -> Population | None:
    pop = r.block(data, "population", "population")
    if pop is None:
        return None
    p = "population"
    if "cells" in pop:  # several populations (planner.scenario_cells)
        return scenario_cells.read_cells_population(r, pop, population_extras(r, pop, p))
    r.unknown(pop, ("prevalence", "assay_sensitivity", "assay_specificity", *POPULATION_EXTRAS), p)
    prev, sens, spec = (r.field(pop, k, p) for k in ("prevalence", "assay_sensitivity", "assay_specificity"))
    if sens is not None and spec is not None and sens + spec <= 1:
        r.add(f"{p}.assay_specificity",
              f"sensitivity + specificity must exceed 1 (an informative assay), got {fmt(sens + spec)}")
        spec = None
    extras = population_extras(r, pop, p)
    return None if None in (prev, sens, spec, *extras.values()) else Population(prev, sens, spec, **extras)


def _testing(r: Reader, data: dict, endpoint: str | None) -> Testing | None:
    block = r.block(data, "testing", "testing", required=False) or {}
    p = "testing"
    r.unknown(block, tuple(f.name for f in fields(Testing)), p)
    alpha = r.field(block, "alpha", p)
    sides = r.choice(block, "sides", p, (1, 2), _default("testing.sides"))
    power = r.field(block, "power", p)
    ratio = r.field(block, "allocation_ratio", p)
    better = r.choice(block, "better", p, ("higher", "lower"), _default("testing.better"))
    method = block.get("method")
    if method is not None and endpoint in METHODS:
        method = r.choice(block, "method", p, METHODS[endpoint])
    elif method is not None and not isinstance(method, str):
        r.add(f"{p}.method", f"must be text, got {describe(method)}")
    het = r.boolean(block, "heterogeneity_variance", p, _default("testing.heterogeneity_variance"))
    if alpha is not None and power is not None and power <= alpha:
        r.add(f"{p}.power", f"must be > alpha ({fmt(alpha)}), got {fmt(power)}")
        power = None
    extras = testing_extras(r, block, p, endpoint)
    if None in (alpha, sides, power, ratio, better, extras["dropout"]):
        return None
    return Testing(alpha, sides, power, ratio, better, method, het, **extras)


def _survival(r: Reader, data: dict, endpoint: str | None) -> SurvivalSettings | None:
    block = r.block(data, "survival", "survival", required=endpoint == "survival")
    if block is None:
        return None
    s = "survival"
    if endpoint not in (None, "survival"):
        r.add(s, f"only applies to a survival endpoint, not {endpoint}")
        return None
    r.unknown(block, tuple(f.name for f in fields(SurvivalSettings)), s)
    values = tuple(r.field(block, k, s) for k in ("accrual_time", "follow_up_time", "dropout_rate", "dropout_time"))
    unit = r.text(block, "time_unit", s, _default("survival.time_unit"))
    accrual = read_accrual(r, block, values[0])
    return None if None in values else SurvivalSettings(*values, unit, accrual)


def _costs(r: Reader, data: dict) -> Costs | None:
    block = r.block(data, "costs", "costs", required=False)
    if block is None:
        return None
    r.unknown(block, ("per_screened", "per_randomized", "currency"), "costs")
    values = (r.field(block, "per_screened", "costs"), r.field(block, "per_randomized", "costs"),
              r.text(block, "currency", "costs", _default("costs.currency")))
    return None if None in values else Costs(*values)


def _recruitment(r: Reader, data: dict) -> Recruitment | None:
    block = r.block(data, "recruitment", "recruitment", required=False)
    if block is None:
        return None
    r.unknown(block, ("screening_rate",), "recruitment")
    return Recruitment(r.field(block, "screening_rate", "recruitment"))


def _fixed_design(r: Reader, name: str, block: dict, endpoint: str | None,
                  population: Population | None = None) -> FixedDesignOptions | None:
    p = f"designs.{name}"
    allowed = {"n_randomized", "events", "interim"}  # interim: planner.interim_reader
    cells = population is not None and bool(population.cells)
    if cells and name in ("targeted", "stratified"):
        allowed |= {"population"} if name == "targeted" else {"order"}
    if name == "stratified":
        allowed |= {"multiplicity", "alpha_split", "size_for"}
    if name == "strategy":
        allowed |= {"control_arm"}
    r.unknown(block, allowed, p)
    n = r.field(block, "n_randomized", p)
    events = r.field(block, "events", p)
    if events is not None and endpoint not in (None, "survival"):
        r.add(f"{p}.events", f"only applies to a survival endpoint, not {endpoint}")
    if n is not None and events is not None and events > n:
        r.add(f"{p}.events", f"cannot exceed n_randomized ({n}), got {events}")
    kwargs: dict[str, Any] = {"n_randomized": n, "events": events}
    if cells and name == "targeted":
        kwargs["population"] = scenario_cells.read_targeted_population(r, block, p, population)
    if cells and name == "stratified":
        kwargs.update(scenario_cells.read_stratified_options(r, block, p, population))
    elif name == "stratified":
        kwargs["multiplicity"] = r.choice(block, "multiplicity", p, MULTIPLICITY, _default(f"{p}.multiplicity"))
        kwargs["alpha_split"] = r.field(block, "alpha_split", p)
        kwargs["size_for"] = r.choice(block, "size_for", p, SIZE_FOR, _default(f"{p}.size_for"))
    if name == "strategy":
        kwargs["control_arm"] = r.choice(block, "control_arm", p, CONTROL_ARMS, _default(f"{p}.control_arm"))
    if any(v is None for k, v in kwargs.items() if k not in ("n_randomized", "events", "alpha_split", "order")):
        return None
    return FixedDesignOptions(**kwargs)


def _stage_lists(r: Reader, block: dict, p: str, endpoint: str | None) -> dict[str, Any]:
    info = r.numbers(block, "information_rates", p)
    if info is not None:
        if not 1 <= len(info) <= 5:
            r.add(f"{p}.information_rates", f"must have 1 to 5 stages, got {len(info)}")
        elif any(b <= a for a, b in zip(info, info[1:])) or abs(info[-1] - 1) > 1e-12:
            r.add(f"{p}.information_rates", "must increase strictly and end at 1")
    subjects = r.numbers(block, "planned_subjects", p)
    events = r.numbers(block, "planned_events", p)
    for key, seq in (("planned_subjects", subjects), ("planned_events", events)):
        if seq is not None and info is not None and len(seq) != len(info):
            r.add(f"{p}.{key}", f"must have one value per stage ({len(info)}), got {len(seq)}")
        elif seq is not None and any(b <= a for a, b in zip(seq, seq[1:])):
            r.add(f"{p}.{key}", "must increase strictly (cumulative over stages)")
    if endpoint == "survival" and events is None:
        r.add(f"{p}.planned_events", "is required for a survival endpoint")
    if endpoint in ("continuous", "binary") and subjects is None:
        r.add(f"{p}.planned_subjects", f"is required for a {endpoint} endpoint")
    futility = r.numbers(block, "futility_bounds", p)
    if futility is not None and info is not None and len(futility) != len(info) - 1:
        r.add(f"{p}.futility_bounds", f"must have one bound per interim ({len(info) - 1}), got {len(futility)}")
    return dict(information_rates=info, planned_subjects=subjects, planned_events=events, futility_bounds=futility)


def _selection(r: Reader, block: dict, p: str) -> Selection | None:
    sel_block = block.get("selection", {"rule": _default(f"{p}.selection.rule")})
    if not isinstance(sel_block, dict):
        r.add(f"{p}.selection", f"must be an object, got {describe(sel_block)}")
        return None
    s = f"{p}.selection"
    r.unknown(sel_block, ("rule", "epsilon", "threshold", "r"), s)
    rule = r.choice(sel_block, "rule", s, SELECTION_RULES, _default(f"{s}.rule"))
    eps = r.field(sel_block, "epsilon", s)
    thr = r.field(sel_block, "threshold", s)
    best = r.field(sel_block, "r", s)
    return None if None in (rule, eps, thr, best) else Selection(rule, eps, thr, best)


def _adaptive_design(r: Reader, block: dict, endpoint: str | None,
                     population: Population | None = None) -> AdaptiveOptions | None:
    p = "designs.adaptive"
    r.unknown(block, tuple(f.name for f in fields(AdaptiveOptions)), p)
    before = len(r.problems)
    stages = _stage_lists(r, block, p, endpoint)
    opts = dict(
        **stages,
        **read_extensions(r, block, endpoint, stages),
        boundaries=r.choice(block, "boundaries", p, BOUNDARIES, _default(f"{p}.boundaries")),
        intersection_test=r.choice(block, "intersection_test", p, INTERSECTION_TESTS,
                                   _default(f"{p}.intersection_test")),
        selection=_selection(r, block, p),
        effect_measure=r.choice(block, "effect_measure", p, EFFECT_MEASURES, _default(f"{p}.effect_measure")),
        stratified_analysis=r.boolean(block, "stratified_analysis", p, _default(f"{p}.stratified_analysis")),
        success_criterion=r.choice(block, "success_criterion", p, SUCCESS_CRITERIA,
                                   _default(f"{p}.success_criterion")),
        simulations=r.field(block, "simulations", p),
        seed=r.field(block, "seed", p),
        correlation=r.choice(block, "correlation", p, ADAPTIVE_CORRELATIONS, _default(f"{p}.correlation")),
        results=read_kept_results(r, block.get("results"), p),
    )
    scenario_cells.check_rbest(r, opts["selection"], population, p)
    if len(r.problems) > before:
        return None
    return AdaptiveOptions(**opts)


def _designs(r: Reader, data: dict, endpoint: str | None, population: Population | None = None,
             cells_form: bool = False) -> dict:
    """The ``designs`` block. In the cells form with a population that could not be read, the
    options naming populations (targeted, stratified, adaptive) are not judged: the population's
    own problem is the reason, and judging them by the two-subgroup rules would add false ones."""
    designs: dict = {}
    unreadable_cells = cells_form and not (population is not None and population.cells)
    dblock = r.block(data, "designs", "designs", required=False)
    if dblock is None and "designs" not in data:  # every fixed design with its defaults
        if cells_form and not unreadable_cells:  # the cells form's defaults (multiplicity, size_for)
            return {name: _fixed_design(r, name, {}, endpoint, population) for name in ALL_DESIGNS[:-1]}
        return {name: FixedDesignOptions() for name in ALL_DESIGNS[:-1]}
    if dblock is None:
        return designs
    if not dblock:
        r.add("designs", "must name at least one design")
    for name, opts in dblock.items():
        if name not in ALL_DESIGNS:
            r.add(f"designs.{name}", f"unknown design (expected one of: {', '.join(ALL_DESIGNS)})")
            continue
        if opts is None:
            opts = {}
        if not isinstance(opts, dict):
            r.add(f"designs.{name}", f"must be an object of options, got {describe(opts)}")
            continue
        if unreadable_cells and name in ("targeted", "stratified", "adaptive"):
            continue
        parsed = (_adaptive_design(r, opts, endpoint, population) if name == "adaptive"
                  else _fixed_design(r, name, opts, endpoint, population))
        if parsed is not None:
            designs[name] = parsed
    return designs


def _provenance(r: Reader, data: dict) -> dict[str, ProvenanceNote]:
    provenance: dict[str, ProvenanceNote] = {}
    block = r.block(data, "provenance", "provenance", required=False)
    for key, value in (block or {}).items():
        try:
            provenance[key] = ProvenanceNote.from_json(value)
        except ValueError as err:
            r.add(f"provenance.{key}", f"{err}, got {describe(value)}")
    return provenance


def _uncertainty(r: Reader, block: Any, endpoint: str | None, population: Any = None):
    """The optional ``uncertainty`` block, read by :mod:`planner.uncertainty` when present (the
    cells form's block when ``population`` has cells)."""
    from .uncertainty import parse_uncertainty

    cells = tuple(c.name for c in population.cells) if population is not None and population.cells else None
    value, problems = parse_uncertainty(block, endpoint, cells)
    r.problems.extend(problems)
    return value


def _version(r: Reader, data: dict) -> Any:
    fmt_name = data.get("format", FORMAT_NAME)
    if fmt_name != FORMAT_NAME:
        shown = repr(fmt_name) if isinstance(fmt_name, str) else describe(fmt_name)
        r.add("format", f"must be {FORMAT_NAME!r}, got {shown}")
    version = data.get("version", MISSING)
    if version is MISSING:
        r.add("version", f"is required (this program reads version {SUPPORTED_VERSIONS[-1]})")
    elif isinstance(version, bool) or not isinstance(version, (int, float)) or version not in SUPPORTED_VERSIONS:
        raise ScenarioError([Problem(
            "version",
            f"unsupported scenario version {describe(version)}: this program reads version "
            f"{', '.join(map(str, SUPPORTED_VERSIONS))}; a newer file needs a newer Enrichment Planner",
        )])
    return version


def scenario_from_dict(data: Any) -> Scenario:
    """Validate a decoded scenario and build the :class:`Scenario`.

    Raises :class:`ScenarioError` listing every problem (field path and reason).
    """
    r = Reader()
    if not isinstance(data, dict):
        raise ScenarioError([Problem("", f"a scenario must be a JSON object, got {describe(data)}")])
    _version(r, data)  # version 1 and 2 read alike: v2 only adds fields
    r.unknown(data, _TOP_FIELDS, "")
    title = r.text(data, "title", "", _default("title"))
    notes = r.text(data, "notes", "", _default("notes"))
    endpoint = r.choice(data, "endpoint", "", ENDPOINTS)
    population = _population(r, data)

    positive = negative = cells = None
    cells_form = scenario_cells.is_cells_form(data)
    if cells_form:
        cells = scenario_cells.read_cell_outcomes(r, data, population, endpoint, _subgroup)
        scenario_cells.check_not_in_cells_form(r, data)
    elif endpoint is not None:
        positive = _subgroup(r, data, "positive", endpoint)
        negative = _subgroup(r, data, "negative", endpoint)
        if "cells" in data:
            r.add("cells", "needs population.cells (the cells form)")

    testing = _testing(r, data, endpoint)
    survival = _survival(r, data, endpoint)
    if endpoint == "survival" and testing is not None and cells is not None:
        cells = scenario_cells.resolve_cells(cells, resolve_piecewise, survival, testing.allocation_ratio)
    elif endpoint == "survival" and testing is not None:
        positive, negative = resolve_piecewise(positive, negative, survival, testing.allocation_ratio)
    if cells is not None and population is not None:
        positive, negative = scenario_cells.summaries(population, cells)
    costs = _costs(r, data)
    recruitment = _recruitment(r, data)
    designs = _designs(r, data, endpoint, population, cells_form)
    if cells_form:
        designs = scenario_cells.strategy_population(designs)
    interim, designs = read_interims(r, data, testing, designs)
    if cells_form:
        scenario_cells.check_stratified_interim(r, designs, interim)
    check_null(r, endpoint, testing, positive, designs)
    provenance = _provenance(r, data)
    uncertainty = None
    if data.get("uncertainty") is not None and (population is not None or not cells_form):
        uncertainty = _uncertainty(r, data["uncertainty"], endpoint, population)
        if uncertainty is not None and cells:
            from .cells_uncertainty import piecewise_median_problems  # noqa: PLC0415

            r.problems.extend(piecewise_median_problems(uncertainty, cells))

    biomarker = read_biomarker(r, data, endpoint, positive)  # the cutoff explorer's block (planner.cutoff)

    if r.problems:
        raise ScenarioError(r.problems)
    return Scenario(
        endpoint=endpoint, population=population, positive=positive, negative=negative, testing=testing,
        survival=survival, costs=costs, recruitment=recruitment, designs=designs, provenance=provenance,
        uncertainty=uncertainty, title=title, notes=notes, version=CURRENT_VERSION, interim=interim,
        cells=cells or {}, biomarker=biomarker,
    )
