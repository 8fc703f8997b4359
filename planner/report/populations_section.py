"""The report of a scenario in the cells form (several biomarker populations, issue 12).

* :func:`cell_assumption_rows` — the cells (prevalence, outcomes) and the populations (cells,
  prevalence) for the assumptions table, in place of the B+/B− rows;
* :func:`populations_section` — one subsection per population (F first): its cells and
  prevalence, the effect its test is sized for, the power of its claim in the stratified design
  (and of at least one / all claims), the targeted design when it randomizes that population,
  and the adaptive design's rejection and selection probabilities with Monte Carlo SEs;
* the justification's words for the cells form (:func:`population_phrases`,
  :func:`stratified_sentence`, :func:`targeted_screening_sentence`, :func:`adaptive_sentence`).

Result fields (docs/scenario-format.md, "Several biomarker populations"): ``power_by_population``
(``{"F": .., "<name>": ..}``), the claims ``at_least_one`` and ``all`` of the stratified design,
the adaptive ``reject_by_population`` / ``selected_by_population`` with their ``_se`` twins.
Every user string (cell and population names) passes through :func:`.markup.esc`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..catalogue import (
    DESIGNS,
    FULL_POPULATION,
    FULL_POPULATION_WORDS,
    POPULATION_CLAIMS,
    cell_outcome_fields,
    outcome_key,
    phrase,
)
from ..results import Comparison, DesignResult
from ..scenario import Scenario
from .common import fixed_results
from .fmt import count, percent
from .markup import Markup, img, join, row, table, tag, td

#: adaptive results that describe two hypotheses (H_S, H_F): replaced by the per-population ones
TWO_SUBGROUP_ADAPTIVE_KEYS = ("reject_subgroup", "reject_overall", "reject_both", "select_subgroup_only",
                              "select_overall_only", "select_both")


# --------------------------------------------------------------------------- reading results
def population_powers(result: Any) -> dict[str, float]:
    """``power_by_population`` of a design result (object or dictionary); {} when absent."""
    if isinstance(result, Mapping):
        value = result.get("power_by_population")
    else:
        value = getattr(result, "power_by_population", None) or (getattr(result, "details", None) or {}).get(
            "power_by_population")
    return dict(value or {})


def targeted_population(scenario: Scenario, result: Any = None) -> str:
    """The population the targeted design randomizes: the result's, else the option's, else the first."""
    for value in (getattr(result, "population", None), (getattr(result, "details", None) or {}).get("population"),
                  getattr(scenario.designs.get("targeted"), "population", None)):
        if isinstance(value, str) and value:
            return value
    pops = scenario.population.populations
    return pops[0].name if pops else FULL_POPULATION


def populations(scenario: Scenario) -> list[tuple[str, tuple[str, ...], float]]:
    """(name, cells, prevalence) of F and of every population, in file order (F first)."""
    prev = {c.name: c.prevalence for c in scenario.population.cells}
    out = [(FULL_POPULATION, tuple(prev), 1.0)]
    out += [(p.name, tuple(p.cells), sum(prev.get(c, 0.0) for c in p.cells)) for p in scenario.population.populations]
    return out


def structure_sentence(scenario: Scenario) -> str:
    """How the populations relate: nested (A ⊂ B), overlapping (shared cells) or disjoint."""
    pops = [(p.name, set(p.cells)) for p in scenario.population.populations]
    words = []
    for i, (a, ca) in enumerate(pops):
        for b, cb in pops[i + 1:]:
            if ca < cb or cb < ca:
                small, big = (a, b) if ca < cb else (b, a)
                words.append(f"{small} is nested in {big}")
            elif ca & cb:
                words.append(f"{a} and {b} overlap in {_names(sorted(ca & cb))}")
            else:
                words.append(f"{a} and {b} are disjoint")
    return ("Populations: " + "; ".join(words) + ".") if words else ""


def population_words(name: str) -> str:
    return FULL_POPULATION_WORDS if name == FULL_POPULATION else f"population {name}"


def _names(names: list[str] | tuple[str, ...]) -> str:
    names = list(names)
    return ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + (names[-1] if names else "")


# --------------------------------------------------------------------------- assumptions
def cell_assumption_rows(scenario: Scenario) -> list[tuple[str, str, Any, str]]:
    """(path, label, value, unit) of every cell's prevalence and outcomes and of every
    population (value: its prevalence; unit: its cells) for the assumptions table."""
    unit_words = {"time unit": scenario.survival.time_unit if scenario.survival else "months"}
    rows: list[tuple[str, str, Any, str]] = []
    specs = cell_outcome_fields(scenario.endpoint)
    for i, cell in enumerate(scenario.population.cells):
        rows.append((f"population.cells[{i}].prevalence", f"Cell {cell.name}: prevalence", cell.prevalence,
                     "proportion of screened patients"))
        sub = scenario.cells.get(cell.name)
        for spec in specs:
            key = outcome_key(spec)
            value = getattr(sub, key, None)
            if value is None:
                continue
            rows.append((f"cells.{cell.name}.{key}", f"Cell {cell.name}: {spec.label[0].lower()}{spec.label[1:]}",
                         value, unit_words.get(spec.unit, spec.unit)))
    for j, (name, cells, prevalence) in enumerate(populations(scenario)[1:]):
        rows.append((f"population.populations[{j}]", f"Population {name}: prevalence", prevalence,
                     f"proportion of screened patients; cells {_names(cells)}"))
    return rows


# --------------------------------------------------------------------------- the section
def _effect_words(scenario: Scenario, magnitude: Any) -> str:
    from .justification import tested_effect  # noqa: PLC0415 (justification imports this module)

    return tested_effect(scenario, magnitude) if isinstance(magnitude, (int, float)) else ""


def _adaptive_words(sim: Mapping[str, Any] | None, name: str) -> str:
    if not sim or not sim.get("reject_by_population"):
        return ""

    def p(key: str) -> str:
        v = (sim.get(key) or {}).get(name)
        se = (sim.get(f"{key}_se") or {}).get(name)
        if v is None:
            return "—"
        return percent(v) + (f" (Monte Carlo SE {percent(se, 2)})" if se is not None else "")

    text = f"{DESIGNS['adaptive'].label} design: its hypothesis is rejected with probability {p('reject_by_population')}"
    if sim.get("selected_by_population"):
        text += f", and it is selected at the last stage with probability {p('selected_by_population')}"
    return text + "."


def _population_body(scenario: Scenario, fixed: Mapping[str, DesignResult], sim: Mapping[str, Any] | None,
                     name: str, cells: tuple[str, ...], prevalence: float) -> list[Any]:
    what = "every cell" if name == FULL_POPULATION else f"cells {_names(cells)}"
    parts: list[Any] = [f"{what[0].upper()}{what[1:]}; {percent(prevalence)} of screened patients. "]
    strat = fixed.get("stratified")
    if strat is not None and strat.feasible:
        effect = _effect_words(scenario, (strat.details.get("effect_tested_by_population") or {}).get(name))
        if effect:
            parts.append(f"Its test is sized for {effect}. ")
        power = population_powers(strat).get(name)
        if power is not None:
            parts += [f"{DESIGNS['stratified'].label} design ({count(strat.n_randomized)} patients): power of the claim "
                      "in this population ", tag("b", percent(power, trim=False), data_field="power"), ". "]
    targeted = fixed.get("targeted")
    if targeted is not None and targeted.feasible and name != FULL_POPULATION \
            and targeted_population(scenario, targeted) == name:
        parts.append(f"The {DESIGNS['targeted'].lower} design randomizes this population: "
                     f"{count(targeted.n_randomized)} patients, {count(targeted.n_screened)} screened, "
                     f"power {percent(targeted.power, trim=False)}. ")
    parts.append(_adaptive_words(sim, name))
    return parts


def population_design_map(scenario: Scenario, fixed: Mapping[str, DesignResult], name: str, j: int,
                          images: dict[str, bytes]) -> list[Any]:
    """The design map over population ``name``'s prevalence and the effect outside it
    (:func:`planner.population_sweeps.focus`: its cells scale with its prevalence, populations nested
    in it too, the other cells in proportion), as an image and its caption; [] when not drawn."""
    from ..population_sweeps import focus  # noqa: PLC0415
    from .figures import design_map_png  # noqa: PLC0415 (matplotlib: on use)

    dm = design_map_png(focus(scenario, name), dict(fixed))
    if dm is None:
        return []
    key = f"design-map-population-{j}.png"
    images[key] = dm[0]
    basis = "lowest cost" if dm[1] == "cost" else "fewest randomized patients"
    return [img(key, f"Design map over the prevalence of population {name}"), tag("p", (
        f"Design map over the prevalence of population {name} (its cells, and any population nested in it, "
        "scaled with it; the other cells keep their proportions) and the effect in every cell outside it: "
        f"the design needing the {basis} to reach the target power."), class_="note")]


def populations_section(scenario: Scenario, comparison: Comparison, sim: Mapping[str, Any] | None = None,
                        images: dict[str, bytes] | None = None, assurance: Mapping[str, Any] | None = None) -> Markup:
    """A table of F and the populations, then one subsection per population with its claim's power
    (and, with ``images``, the design map over its prevalence: :func:`population_design_map`).
    ``assurance`` (design → AssuranceResult, printable ones only) adds the assurance of each
    population's claim in the stratified design (``assurance_by_population``)."""
    if not scenario.has_cells:
        return Markup("")
    fixed = fixed_results(comparison)
    strat = fixed.get("stratified")
    powers = population_powers(strat) if strat is not None and strat.feasible else {}
    assured = dict(getattr((assurance or {}).get("stratified"), "assurance_by_population", None) or {})
    rows = []
    for name, cells, prevalence in populations(scenario):
        cells_text = "every cell" if name == FULL_POPULATION else _names(cells)
        words = population_words(name)
        cols = [td(words[0].upper() + words[1:], "population", num=False), td(cells_text, "cells", num=False),
                td(percent(prevalence), "prevalence"),
                td(percent(powers[name], trim=False) if name in powers else "—", "power")]
        if assured:
            cols.append(td(percent(assured[name], trim=False) if name in assured else "—", "assurance"))
        rows.append(row(cols, data_population=name))
    heads = ["Population", "Cells", "Prevalence", f"Power of its claim ({DESIGNS['stratified'].lower})"]
    widths = [24, 40, 12, 24]
    if assured:
        heads, widths = heads + ["Assurance of its claim"], [22, 34, 10, 18, 16]
    parts: list[Any] = [table(heads, rows, num_cols={2, 3, 4} if assured else {2, 3}, col_widths=widths)]
    if strat is not None and strat.feasible:
        opts = scenario.designs.get("stratified")
        claims = [f"{POPULATION_CLAIMS[k]}: {percent(strat.claims[k], trim=False)}" for k in POPULATION_CLAIMS
                  if strat.claims.get(k) is not None]
        text = f"Multiplicity: {phrase('population_multiplicity', getattr(opts, 'multiplicity', 'parametric'))}"
        order = getattr(opts, "order", None)
        if order:
            text += f", in the order {_names(list(order))}"
        text += (". Power of " + "; ".join(claims) if claims else "") + "."
        parts.append(tag("p", f"{structure_sentence(scenario)} {text}".strip(), class_="note"))
    for j, (name, cells, prevalence) in enumerate(populations(scenario)):
        parts.append(tag("h3", population_words(name)[0].upper() + population_words(name)[1:]))
        parts.append(tag("p", join(_population_body(scenario, fixed, sim, name, cells, prevalence)),
                         data_population=name))
        if images is not None and name != FULL_POPULATION and fixed:
            parts += population_design_map(scenario, fixed, name, j, images)
    return join(parts)


# --------------------------------------------------------------------------- justification words
def population_phrases(scenario: Scenario, r: DesignResult, opts: Any) -> tuple[str, str] | None:
    """(who is randomized, what the power refers to) of a design in the cells form; None where the
    two-subgroup words apply unchanged."""
    pops = [p.name for p in scenario.population.populations]
    cells = _names([c.name for c in scenario.population.cells])
    if r.design == "all_comers":
        effect = _effect_words(scenario, r.details.get("effect_tested"))
        return ("without biomarker selection",
                f"to detect the overall effect in {FULL_POPULATION_WORDS}" + (f", {effect}," if effect else "")
                + f" the prevalence-weighted mixture of the effects in the cells {cells}")
    if r.design == "interaction":
        return ("with randomization stratified by the cells " + cells,
                "to detect the treatment-by-population interaction: the effect in population "
                f"{pops[0] if pops else FULL_POPULATION} against the effect in the other cells")
    if r.design == "targeted":
        name = targeted_population(scenario, r)
        return f"among patients in population {name}", f"to detect the treatment effect in population {name}"
    if r.design == "stratified":
        size_for = getattr(opts, "size_for", None) or (pops[0] if pops else FULL_POPULATION)
        claim = POPULATION_CLAIMS.get(size_for, f"the claim in {population_words(size_for)}")
        return ("with randomization stratified by the cells " + _names([c.name for c in scenario.population.cells]),
                f"for {claim}, testing {FULL_POPULATION_WORDS} and the populations {_names(pops)}")
    return None


def stratified_sentence(r: DesignResult, opts: Any) -> str:
    """The stratified design's multiplicity procedure and the power of every claim."""
    method = phrase("population_multiplicity", getattr(opts, "multiplicity", "parametric"))
    text = f"The hypotheses of {FULL_POPULATION_WORDS} and of each population are tested with the {method}"
    order = getattr(opts, "order", None)
    if order:
        text += f" in the order {_names(list(order))}"
    powers = population_powers(r)
    if powers:
        text += "; power of each claim: " + ", ".join(
            f"{population_words(k)} {percent(v)}" for k, v in powers.items())
    claims = [f"{POPULATION_CLAIMS[k]} {percent(r.claims[k])}" for k in POPULATION_CLAIMS if r.claims.get(k) is not None]
    if claims:
        text += "; " + ", ".join(claims)
    return text + "."


def targeted_screening_sentence(scenario: Scenario, r: DesignResult) -> str:
    name = targeted_population(scenario, r)
    prevalence = dict((n, p) for n, _, p in populations(scenario)).get(name)
    return (f"Population {name} makes up {percent(prevalence)} of screened patients, so about "
            f"{count(r.n_screened)} patients will be screened to randomize {count(r.n_randomized)}.")


def adaptive_sentence(sim: Mapping[str, Any]) -> str:
    """The adaptive design's rejection probability per population (with Monte Carlo SEs)."""
    rejects, ses = sim.get("reject_by_population") or {}, sim.get("reject_by_population_se") or {}
    if not rejects:
        return ""
    words = [f"{population_words(k)} {percent(v)}" + (f" (SE {percent(ses[k], 2)})" if ses.get(k) is not None else "")
             for k, v in rejects.items()]
    return " Probability of rejecting the hypothesis of each population: " + ", ".join(words) + "."


def adaptive_population_rows(sim: Mapping[str, Any]) -> list[Markup]:
    """Rows of the adaptive section's table: reject and select, per population, with SEs."""
    out = []
    for key, verb in (("reject_by_population", "Reject the hypothesis of"),
                      ("selected_by_population", "Selected at the last stage:")):
        values, ses = sim.get(key) or {}, sim.get(f"{key}_se") or {}
        for name, v in values.items():
            se = ses.get(name)
            out.append(row([td(f"{verb} {population_words(name)}", num=False), td(percent(v, trim=False), key),
                            td(percent(se, 2, trim=False) if se is not None else "—", key + "_se")],
                           data_field=key, data_population=name))
    return out


__all__ = ["adaptive_population_rows", "adaptive_sentence", "cell_assumption_rows", "population_phrases",
           "population_design_map", "population_powers", "populations", "populations_section", "stratified_sentence",
           "targeted_population", "targeted_screening_sentence"]
