"""Report section of the cutoff explorer (scenarios with a ``biomarker`` block): what was assumed
about the marker, the table per candidate cutoff and the design map over cutoffs (the one drawing
function of :mod:`planner.figures_cutoff`). Every user string goes through :func:`.markup.esc`."""

from __future__ import annotations

import io

from ..catalogue import FIGURES, phrase
from ..catalogue.biomarker import AVERAGING
from .markup import Markup, img, join, row, tag

DPI = 130
#: the table's font size (points): twelve columns of whole words fit a printed page
SMALL_PT = 6.5
#: the table's columns (keys of planner.cutoff.table_rows)
COLUMNS = ("cutoff", "prevalence", "effect_positive", "effect_negative", "targeted.n_randomized",
           "targeted.n_screened", "targeted.power", "targeted.cost", "stratified.n_randomized",
           "stratified.power", "stratified.cost", "all_comers.n_randomized")


def _table(heads: dict[str, str], rows: list[dict], format_value) -> Markup:
    """The table per cutoff with a two-row header: each design's name over its columns (the
    one-row header of the CLI and the app, design name repeated in every column, is too wide
    for a printed page)."""
    from ..catalogue import design_label
    from ..catalogue.biomarker import CUTOFF_COLUMNS

    groups: list[tuple[str, int]] = []
    for key in COLUMNS:
        design = key.split(".")[0] if "." in key else ""
        if groups and groups[-1][0] == design:
            groups[-1] = (design, groups[-1][1] + 1)
        else:
            groups.append((design, 1))
    small = f"font-size: {SMALL_PT}pt"
    top = join(tag("th", design_label(d) if d else "", colspan=n, align="center", style=small) for d, n in groups)
    words = [CUTOFF_COLUMNS[k.split(".")[1]] if "." in k else heads[k] for k in COLUMNS]
    second = join(tag("th", w, class_="num", align="right", style=small) for w in words)
    body = join(row(tag("td", format_value(k, r[k]), class_="num", align="right", style=small, data_field=k)
                    for k in COLUMNS) for r in rows)
    return Markup('<table class="data" border="1" cellspacing="0" cellpadding="3" width="100%">'
                  f"<tr>{top}</tr><tr>{second}</tr>{body}</table>")


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
    body = [tag("p", text, data_section="cutoff-explorer"), _table(heads, rows, format_value)]
    if images is not None:
        buf = io.BytesIO()
        cutoff_map_figure(scenario, cutoff_map(scenario)).savefig(buf, format="png", dpi=DPI,
                                                                  metadata={"Software": None})
        images["cutoff-map.png"] = buf.getvalue()
        body.append(img("cutoff-map.png", FIGURES["cutoff_map"].title))
    return join(body)
