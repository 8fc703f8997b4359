"""The report's assurance section: the distributions of the uncertain inputs (in the cells form
with their densities, drawn as in the app's prior editor), each design's assurance at its planned
size, and the distribution of power.

Assurance is printed only when it is computed for the report's assumptions: when a
distribution of the ``uncertainty`` block is centred on another value than the scenario's
(:func:`planner.uncertainty.prior_conflicts`), the section says which and by how much, and
prints no assurance (``docs/uncertainty.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..scenario import Scenario
from . import figures
from .fmt import count, percent
from .markup import Markup, img, join, row, table, tag, td


def printable(assurance: Mapping[str, Any]) -> dict:
    """The assurance results that describe the report's assumptions: none when a distribution
    describes another value (the results then carry ``conflicts``)."""
    return {} if any(getattr(a, "conflicts", ()) for a in assurance.values()) else dict(assurance)


def _distributions(scenario: Scenario) -> Markup:
    from ..assurance import describe_uncertainty

    return tag("ul", join(tag("li", line) for line in describe_uncertainty(scenario)))


def _size_text(a: Any) -> str:
    size = a.size_for_assurance
    if size is None:
        return "—"
    if not size.feasible:
        return "not attainable"
    return f"{count(size.n_randomized)} patients" + (f", {count(size.events)} events" if size.events is not None else "")


def _rows(assurance: Mapping[str, Any]) -> list[Markup]:
    def pct(x: float | None, digits: int = 1) -> str:
        return percent(x, digits, trim=False) if x is not None else "—"

    return [
        row([td(a.label, "label", num=False),
             td(f"{count(a.n_randomized)}" if a.n_randomized is not None else "—", "n_randomized"),
             td(pct(a.power), "power"), td(pct(a.assurance), "assurance"), td(pct(a.assurance_se, 2), "assurance_se"),
             td(pct(a.prob_power_above), "prob_power_above"), td(_size_text(a), "size_for_assurance")],
            data_design=f"assurance-{name}")
        for name, a in assurance.items()
    ]


def _densities(scenario: Scenario, images: dict[str, bytes]) -> list[Markup]:
    """The densities of the uncertain inputs (the app's prior editor's figure) and their caption."""
    png = figures.prior_densities_png(scenario)
    if not png:
        return []
    images["prior-densities.png"] = png
    return [img("prior-densities.png", "Densities of the uncertain inputs"),
            tag("p", "Densities of the uncertain inputs: the prevalences of the cells as each cell's marginal "
                     "distribution (one line per cell), each cell's effect, SD, control rate or control median; "
                     "dotted: the distribution's mean; dashed: the value assumed in this report.",
                class_="note", data_figure="prior-densities")]


def assurance_section(scenario: Scenario, assurance: Mapping[str, Any], images: dict[str, bytes] | None) -> Markup:
    """The section; a statement of the conflicts instead of numbers when there are any.

    The figure is drawn when ``images`` is a dictionary; it is added to it by the name its
    ``<img>`` uses."""
    first = next(iter(assurance.values()))
    conflicts = getattr(first, "conflicts", ())
    if conflicts:
        return join([
            tag("p", join([tag("b", "Assurance is not reported."), " The uncertainty block describes other values "
                           "than the assumptions of this report, so an assurance computed from it would not belong "
                           "to the power shown beside it:"]), data_assurance="conflict"),
            tag("ul", join(tag("li", c) for c in conflicts)),
            tag("p", "Change the distribution (or give it as a spread around the value, e.g. {\"se\": …} or "
                     "{\"n\": …}) or the value; see docs/uncertainty.md.", class_="note"),
            tag("p", "The distributions:"), _distributions(scenario),
        ])
    intro = join([tag("p", f"Assurance is the power averaged over the distribution of the uncertain inputs "
                           f"(O'Hagan, Stevens & Campbell 2005), from {count(first.draws)} prior draws (seed "
                           f"{first.seed}):"), _distributions(scenario)])
    threshold = percent(first.power_threshold)
    target = percent(first.size_for_assurance.target) if first.size_for_assurance is not None else "—"
    headers = ["Design", "N randomized (patients)", "Power at the assumptions", "Assurance", "Monte Carlo SE",
               f"P(power > {threshold})", f"Size for {target} assurance"]
    parts = [intro]
    simulated = assurance.get("adaptive")
    if simulated is not None and getattr(simulated, "trials_per_draw", 0) and simulated.assurance is not None:
        parts.append(tag("p", f"The {simulated.label.lower()} design's assurance is simulated: "
                              f"{count(simulated.trials_per_draw)} trials under each of the first {count(simulated.draws)} "
                              f"draws (the same draws as the fixed designs'); its Monte Carlo SE holds both sources "
                              f"(draws {percent(simulated.assurance_se_draws, 2, trim=False)}, trials "
                              f"{percent(simulated.assurance_se_trials, 2, trim=False)}).",
                         class_="note", data_assurance="adaptive"))
    if scenario.has_cells and images is not None:  # the cells form: each distribution's density
        parts += _densities(scenario, images)
    parts.append(table(headers, _rows(assurance), col_widths=[18, 12, 13, 12, 12, 13, 20]))
    png = figures.power_distribution_png(assurance) if images is not None else None
    if png:
        images["power-distribution.png"] = png
        parts.append(img("power-distribution.png", "Distribution of power under the uncertain assumptions"))
        parts.append(tag("p", "Distribution of power: for each design, the power at its planned size under each "
                              "prior draw of the uncertain inputs (shaded: histogram of the draws; bars: 5–95% and "
                              "25–75% of the draws; circle: median; diamond: the assurance, i.e. the mean; dashed "
                              f"line: {threshold} power).", class_="note", data_figure="power-distribution"))
    return join(parts)

