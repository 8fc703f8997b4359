"""The boundary plot of a design with interim analyses, for the app and the report alike.

One drawing function, :func:`boundaries_draw`, on two matplotlib ``Axes`` side by side (make them
with :func:`boundaries_axes`): the efficacy and futility bounds at each look against the
cumulative size (randomized patients; events for survival), on the z scale (left) and on the
effect scale (right: mean difference, risk difference or hazard ratio, log scale). The numbers are
the result's ``looks`` (:mod:`planner.sequential_results`); nothing is computed here. The
biomarker-stratified design draws the elementary efficacy bounds of H_F (overall) and H_S (B+
subgroup) on the z scale; its effect panel says that effect-scale bounds are given for
one-population designs only. Words, line styles and colours come from :mod:`planner.catalogue`
(:data:`~planner.catalogue.BOUNDARY_WORDS`, :data:`~planner.catalogue.FIGURES` ``["boundaries"]``,
:func:`~planner.catalogue.design_colour`). Matplotlib objects only: no pyplot, no GUI backend.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .catalogue import (
    BOUNDARY_STYLES,
    BOUNDARY_WORDS,
    EFFECTS,
    FIGURES,
    NEUTRAL_COLOUR,
    POPULATION_BOUND_STYLES,
    design_colour,
)
from .figures import GRID_COLOUR, HR_SUBS, LABEL_SIZE, LINE_WIDTH, add_legend, plain_log_axis

if TYPE_CHECKING:
    from .results import DesignResult

__all__ = ["boundaries_axes", "boundaries_draw", "boundary_series", "has_boundaries"]


def has_boundaries(result) -> bool:
    """Whether ``result`` (a DesignResult) has looks to draw."""
    return bool(getattr(result, "feasible", False) and getattr(result, "looks", None))


def _values(looks, key: str) -> np.ndarray:
    return np.array([np.nan if lk.get(key) is None else float(lk[key]) for lk in looks], dtype=float)


def boundary_series(endpoint: str, result: DesignResult) -> dict[str, np.ndarray]:
    """x (cumulative events for survival, else randomized patients) and the bounds at each look:
    ``efficacy_z`` (stratified: ``efficacy_overall`` and ``efficacy_subgroup``), ``futility_z``,
    ``efficacy_effect`` and ``futility_effect`` (NaN where a look has no such bound)."""
    looks = result.looks
    x_key = "events" if endpoint == "survival" and looks[0].get("events") is not None else "n_randomized"
    out = {"x": _values(looks, x_key), "futility_z": _values(looks, "futility_z"),
           "efficacy_effect": _values(looks, "efficacy_effect"), "futility_effect": _values(looks, "futility_effect")}
    by = looks[0].get("efficacy_z_by_population")
    if by and len(by) > 2:  # several populations: each hypothesis's elementary bound
        for name in by:
            out[f"efficacy_population:{name}"] = np.array(
                [np.nan if (lk.get("efficacy_z_by_population") or {}).get(name) is None
                 else float(lk["efficacy_z_by_population"][name]) for lk in looks], dtype=float)
    elif "efficacy_z_overall" in looks[0]:
        out["efficacy_overall"] = _values(looks, "efficacy_z_overall")
        out["efficacy_subgroup"] = _values(looks, "efficacy_z_subgroup")
    else:
        out["efficacy"] = _values(looks, "efficacy_z")
    return out


def boundaries_axes(figure) -> tuple:
    """Two panels side by side on ``figure``: (z scale, effect scale)."""
    return figure.add_subplot(1, 2, 1), figure.add_subplot(1, 2, 2)


def _frame(ax, x_label: str, y_label: str) -> None:
    ax.set_xlabel(x_label, fontsize=LABEL_SIZE)
    ax.set_ylabel(y_label, fontsize=LABEL_SIZE)
    ax.grid(True, which="major", color=GRID_COLOUR, linewidth=0.6)
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.tick_params(labelsize=8)


#: markers of the boundary plot: the stratified subgroup bound hollow squares (it may lie on the overall one)
MARKERS = {"efficacy_subgroup": ("s", 7.0, "none")}


def _line(ax, x, y, colour: str, style: str, label: str, key: str = "") -> bool:
    shown = np.isfinite(y)
    if not shown.any():
        return False
    marker, size, face = MARKERS.get(key, ("o", 4.5, colour))
    ax.plot(x[shown], y[shown], ls=style, color=colour, lw=LINE_WIDTH, marker=marker, ms=size, mfc=face, label=label)
    return True


def boundaries_draw(ax_z, ax_effect, endpoint: str, result: DesignResult, title: str | None = None) -> bool:
    """Draw the bounds of ``result`` (a feasible DesignResult with looks) on ``ax_z`` (z scale) and
    ``ax_effect`` (effect scale; may be None). Returns False when there is nothing to draw."""
    if not has_boundaries(result):
        return False
    data = boundary_series(endpoint, result)
    x, colour = data["x"], design_colour(result.design)
    x_label = BOUNDARY_WORDS["x_survival" if endpoint == "survival" else "x"]
    for key in ("efficacy", "efficacy_overall", "efficacy_subgroup"):
        if key in data:
            _line(ax_z, x, data[key], colour, BOUNDARY_STYLES[key], BOUNDARY_WORDS[key], key)
    populations = [k for k in data if k.startswith("efficacy_population:")]
    for i, key in enumerate(populations):  # F solid, then each population in its own style and marker
        name = key.split(":", 1)[1]
        style = POPULATION_BOUND_STYLES[i % len(POPULATION_BOUND_STYLES)]
        label = BOUNDARY_WORDS["efficacy_overall"] if i == 0 else BOUNDARY_WORDS["efficacy_population"].format(name=name)
        _line(ax_z, x, data[key], colour, style, label, "efficacy_subgroup" if i else "")
    _line(ax_z, x, data["futility_z"], NEUTRAL_COLOUR, BOUNDARY_STYLES["futility"], BOUNDARY_WORDS["futility"])
    ax_z.axhline(0.0, color=GRID_COLOUR, lw=0.9)
    ax_z.set_xlim(0, float(np.nanmax(x)) * 1.05)
    _frame(ax_z, x_label, FIGURES["boundaries"].y_label)
    add_legend(ax_z)
    if title is not None:
        ax_z.set_title(title, fontsize=10)
    if ax_effect is None:
        return True
    effect = EFFECTS[endpoint]
    drawn = _line(ax_effect, x, data["efficacy_effect"], colour, BOUNDARY_STYLES["efficacy"], BOUNDARY_WORDS["efficacy"])
    if drawn:
        _line(ax_effect, x, data["futility_effect"], NEUTRAL_COLOUR, BOUNDARY_STYLES["futility"],
              BOUNDARY_WORDS["futility"])
        if effect.log_scale:
            ax_effect.set_yscale("log")
            plain_log_axis(ax_effect.yaxis, HR_SUBS)
        ax_effect.axhline(1.0 if effect.log_scale else 0.0, color=GRID_COLOUR, lw=0.9)
        ax_effect.set_xlim(0, float(np.nanmax(x)) * 1.05)
        add_legend(ax_effect)
    else:
        ax_effect.text(0.5, 0.5, BOUNDARY_WORDS["no_effect_scale"], ha="center", va="center", fontsize=8,
                       color=NEUTRAL_COLOUR, wrap=True, transform=ax_effect.transAxes)
        ax_effect.set_xticks([])
        ax_effect.set_yticks([])
    _frame(ax_effect, x_label, BOUNDARY_WORDS["effect"].format(effect=effect.name))
    return True
