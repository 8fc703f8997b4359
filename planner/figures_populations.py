"""Figures of the cells form (several biomarker populations), for app and report.

:func:`adaptive_by_population_draw` — the adaptive design's probability of rejecting each
population's hypothesis and of selecting it at the last stage (``reject_by_population``,
``selected_by_population``), with ±1.96 Monte Carlo SE error bars; F first, then the populations
in file order, in the catalogue's colours.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .catalogue import ADAPTIVE_POPULATION_PANELS, FULL_POPULATION, NEUTRAL_COLOUR, design_colour

#: F in the neutral colour, the populations in the designs' (colour-blind safe) colours
POPULATION_COLOURS = (design_colour("stratified"), design_colour("targeted"), design_colour("strategy"))
PANELS = ADAPTIVE_POPULATION_PANELS


def has_populations(result: Mapping[str, Any] | None) -> bool:
    return bool(result) and bool(result.get("reject_by_population"))


def adaptive_by_population_draw(axes, result: Mapping[str, Any]) -> None:
    """Two bar charts (one per entry of :data:`PANELS`) on ``axes`` (two ``Axes``)."""
    for ax, (key, title) in zip(axes, PANELS):
        values, ses = dict(result.get(key) or {}), dict(result.get(f"{key}_se") or {})
        names = list(values)
        colours = [NEUTRAL_COLOUR if n == FULL_POPULATION else POPULATION_COLOURS[(i - 1) % len(POPULATION_COLOURS)]
                   for i, n in enumerate(names)]
        ax.bar(range(len(names)), [float(values[n]) for n in names],
               yerr=[1.96 * float(ses.get(n) or 0.0) for n in names], capsize=4, color=colours)
        ax.set_xticks(range(len(names)), names, fontsize=7, rotation=20 if len(names) > 3 else 0)
        ax.set_ylim(0, 1)
        ax.set_title(f"{title} ± 1.96 SE", fontsize=9)
        ax.grid(True, axis="y", alpha=0.3)


def adaptive_by_population_csv(result: Mapping[str, Any]) -> str:
    """The figure's numbers: population, quantity, estimate, SE."""
    lines = ["population,quantity,estimate,se"]
    for key, _ in PANELS:
        ses = result.get(f"{key}_se") or {}
        lines += [f'"{n}",{key},{v},{ses.get(n)}' for n, v in (result.get(key) or {}).items()]
    return "\n".join(lines) + "\n"
