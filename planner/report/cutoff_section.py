"""Report section of the cutoff explorer (scenarios with a ``biomarker`` block): what was assumed
about the marker, the table per candidate cutoff and the design map over cutoffs (the one drawing
function of :mod:`planner.figures_cutoff`). Every user string goes through :func:`.markup.esc`."""

from __future__ import annotations

import io

from ..catalogue import FIGURES, phrase
from ..catalogue.biomarker import AVERAGING
from .markup import Markup, img, join, row, table, tag, td

DPI = 130
#: the table's columns (keys of planner.cutoff.table_rows)
COLUMNS = ("cutoff", "prevalence", "effect_positive", "effect_negative", "targeted.n_randomized",
           "targeted.n_screened", "targeted.power", "targeted.cost", "stratified.n_randomized",
           "stratified.power", "stratified.cost", "all_comers.n_randomized")


def cutoff_section(scenario, images: dict[str, bytes] | None) -> Markup:
    """The explorer's assumptions, table and (with ``images``) its design map."""
    from ..cutoff import cutoff_map, explore, format_value, table_headers, table_rows
    from ..figures_cutoff import cutoff_map_figure

    bm = scenario.biomarker
    rows = table_rows(explore(scenario), scenario.endpoint)
    heads = table_headers(scenario.endpoint)
    unit = f" ({bm.unit})" if bm.unit else ""
    text = (f"Continuous biomarker {bm.name}{unit}: distribution in the screened population "
            f"{phrase('marker_distribution', bm.distribution.kind)}; treatment effect "
            f"{phrase('marker_effect', bm.effect.kind)}; control outcome {phrase('marker_control', bm.control.kind)}. "
            f"For each cutoff c, B+ = marker ≥ c, assessed exactly; each side's outcome: {AVERAGING[scenario.endpoint]}. "
            "The designs are those of the equivalent two-subgroup scenario (docs/cutoff-explorer.md).")
    body = [tag("p", text, data_section="cutoff-explorer"),
            table([heads[k] for k in COLUMNS],
                  [row(td(format_value(k, r[k]), field=k) for k in COLUMNS) for r in rows])]
    if images is not None:
        buf = io.BytesIO()
        cutoff_map_figure(scenario, cutoff_map(scenario)).savefig(buf, format="png", dpi=DPI,
                                                                  metadata={"Software": None})
        images["cutoff-map.png"] = buf.getvalue()
        body.append(img("cutoff-map.png", FIGURES["cutoff_map"].title))
    return join(body)
