"""The sweep's figures (power, expected size, selection, early stopping against the varied input).

One drawing function, :func:`draw_sweep_figure`, used by ``enrichment-planner sweep --plots``
(and by anything else that shows a sweep). It draws on a matplotlib ``Axes`` from the sweep's
JSON form (:meth:`planner.adaptive.sweep.SweepResult.to_dict`): simulated curves with ±1.96 ×
Monte Carlo SE bands, the fixed designs' analytic power as dashed lines. Titles, axis labels,
legend words and colours come from :mod:`planner.catalogue`. With several varied fields the x
axis is the first; one line is drawn per combination of the others (different line styles).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import numpy as np

from .catalogue import (
    NEUTRAL_COLOUR,
    SWEEP_FIGURES,
    SWEEP_FIXED_COLUMN,
    SWEEP_SERIES,
    SWEEP_SERIES_COLOURS,
    design_colour,
    design_label,
    field_axis,
)
from .figures import GRID_COLOUR, LABEL_SIZE, LINE_WIDTH, add_legend

Z_BAND = 1.96
_STYLES = ("-", "--", ":", "-.")
#: lines of a multi-field sweep: the designs' colours in catalogue order (colour-blind safe)
_GROUP_COLOURS = tuple(design_colour(d) for d in ("adaptive", "stratified", "targeted", "strategy",
                                                  "interaction", "all_comers"))


def figure_series(name: str, endpoint: str) -> list[str]:
    """The simulated columns a figure shows."""
    if name == "power":
        return ["power", "reject_subgroup", "reject_overall"]
    if name == "expected_size":
        return ["expected_events" if endpoint == "survival" else "expected_subjects"]
    if name == "selection":
        return ["select_subgroup_only", "select_overall_only", "select_both"]
    if name == "early_stop":
        return ["early_stop_efficacy", "early_stop_futility"]
    raise ValueError(f"unknown sweep figure {name!r}; one of {tuple(SWEEP_FIGURES)}")


def _groups(sweep: Mapping) -> list[tuple[str, list[dict]]]:
    varied = list(sweep["varied"])
    rows = list(sweep["rows"])
    others = varied[1:]
    if not others:
        return [("", rows)]
    out = []
    for key, grp in itertools.groupby(sorted(rows, key=lambda r: [r[p] for p in others]),
                                      key=lambda r: tuple(r[p] for p in others)):
        label = ", ".join(f"{p.split('.')[-1]} {v:g}" for p, v in zip(others, key))
        out.append((label, sorted(grp, key=lambda r: r[varied[0]])))
    return out


def _colour(column: str) -> str:
    return design_colour("adaptive") if column == "power" else SWEEP_SERIES_COLOURS.get(column, NEUTRAL_COLOUR)


def sweep_axis(path: str, unit: bool = True) -> str:
    """Axis words of a varied path: :func:`planner.catalogue.field_axis`, or for a cells-form path
    (``cells.<name>.<field>``, ``population.cells.<name>.prevalence``,
    ``population.populations.<name>.prevalence``) the catalogue's words for it
    (:func:`planner.population_sweeps.sweep_label`)."""
    from .population_sweeps import is_cells_path, sweep_label  # noqa: PLC0415

    return sweep_label(path) if is_cells_path(path) else field_axis(path, unit)


def draw_sweep_figure(ax, sweep: Mapping, name: str) -> None:
    """Draw figure ``name`` (a key of :data:`planner.catalogue.SWEEP_FIGURES`) of ``sweep``."""
    endpoint = sweep["endpoint"]
    x_path = sweep["varied"][0]
    x_words = sweep_axis(x_path)
    title, y_label = SWEEP_FIGURES[name]
    unit = "events" if endpoint == "survival" else "subjects"
    groups = _groups(sweep)
    series = figure_series(name, endpoint)
    if len(groups) > 1:  # one line per combination of the other fields: the first series only
        series = series[:1]
    for g, (group, rows) in enumerate(groups):
        style = _STYLES[g % len(_STYLES)]
        suffix = f" ({group})" if group else ""
        x = np.array([r[x_path] for r in rows], dtype=float)
        for column in series:
            y = np.array([np.nan if r.get(column) is None else r[column] for r in rows], dtype=float)
            se = np.array([np.nan if r.get(column + "_se") is None else r[column + "_se"] for r in rows], dtype=float)
            colour = _colour(column) if len(groups) == 1 else _GROUP_COLOURS[g % len(_GROUP_COLOURS)]
            words = SWEEP_SERIES[column]
            label = (f"{design_label('adaptive')}: {words}" if name == "power" else words) + suffix
            ax.plot(x, y, style, color=colour, lw=LINE_WIDTH, label=label)
            ax.fill_between(x, y - Z_BAND * se, y + Z_BAND * se, color=colour, alpha=0.2, lw=0)
        if name == "power" and len(groups) == 1:
            for design in sweep.get("fixed_designs", {}):
                col = SWEEP_FIXED_COLUMN.format(design=design)
                y = np.array([np.nan if r.get(col) is None else r[col] for r in rows], dtype=float)
                ax.plot(x, y, "--" if not group else style, color=design_colour(design), lw=1.0,
                        label=design_label(design) + suffix)
    ax.fill_between([], [], [], color=NEUTRAL_COLOUR, alpha=0.2, lw=0, label=SWEEP_SERIES["band"])
    ax.set_title(title.format(x=sweep_axis(x_path, unit=False)), fontsize=LABEL_SIZE + 1)
    ax.set_xlabel(x_words, fontsize=LABEL_SIZE)
    ax.set_ylabel(y_label.format(unit=unit), fontsize=LABEL_SIZE)
    if name != "expected_size":
        ax.set_ylim(-0.02, 1.02)
    ax.grid(True, color=GRID_COLOUR)
    add_legend(ax, outside=True)


def save_sweep_figures(sweep: Mapping, folder: str) -> list[str]:
    """Draw every sweep figure to ``folder/sweep_<name>.png`` (atomic writes); returns the paths."""
    import io
    import os

    from matplotlib.figure import Figure

    from .files import atomic_write_bytes

    os.makedirs(folder, exist_ok=True)
    paths = []
    for name in SWEEP_FIGURES:
        fig = Figure(figsize=(8.5, 4.5), dpi=100, layout="constrained")
        draw_sweep_figure(fig.add_subplot(1, 1, 1), sweep, name)
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        path = os.path.join(folder, f"sweep_{name}.png")
        atomic_write_bytes(path, buf.getvalue())
        paths.append(path)
    return paths


__all__ = ["draw_sweep_figure", "figure_series", "save_sweep_figures", "sweep_axis"]
