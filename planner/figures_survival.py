"""The assumed survival curves (Kaplan–Meier style) of each arm in B+ and B−, for app and report.

One drawing function, :func:`survival_curves_draw`, on a matplotlib ``Axes``: S(t) = exp(−Λ(t))
of the piecewise (or exponential) model of each subgroup and arm
(:meth:`planner.piecewise.PiecewiseSurvival.survival`), drawn as step-like curves from 0 to the
end of follow-up; B+ solid, B− dashed; treatment and control in the designs' colours; interval
starts marked. Words from :data:`planner.catalogue.SURVIVAL_CURVES_FIGURE`.
"""

from __future__ import annotations

import numpy as np

from .catalogue import SUBGROUP_WORDS, SURVIVAL_CURVES_FIGURE, design_colour

POINTS = 200
ARM_COLOURS = {"treatment": design_colour("targeted"), "control": design_colour("all_comers")}
SUBGROUP_STYLES = {"positive": "-", "negative": "--"}


#: the cells form (several populations): one line style per cell, in file order
CELL_STYLES = ("-", "--", ":", "-.", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 3)), (0, (6, 2)), (0, (3, 1, 1, 1)))


def survival_models(scenario) -> dict:
    """{"positive": model, "negative": model} of a survival scenario; in the cells form one model
    per cell, by cell name."""
    from .patient_level import subgroup_model

    if getattr(scenario, "has_cells", False):
        return {c.name: subgroup_model(scenario.cells[c.name]) for c in scenario.population.cells}
    return {w: subgroup_model(getattr(scenario, w)) for w in ("positive", "negative")}


def survival_curves_draw(ax, scenario, title: str | None = None) -> None:
    """Draw the assumed survival curves of ``scenario`` (survival endpoint) on ``ax``."""
    words = SURVIVAL_CURVES_FIGURE
    surv = scenario.survival
    horizon = float(surv.accrual_time + surv.follow_up_time) if surv else 36.0
    t = np.linspace(0.0, horizon, POINTS)
    models = survival_models(scenario)
    for i, (which, model) in enumerate(models.items()):
        cells = which not in SUBGROUP_STYLES  # the cells form: the cell's name, a style per cell
        short = which if cells else SUBGROUP_WORDS[which].split("(")[-1].rstrip(")")
        style = CELL_STYLES[i % len(CELL_STYLES)] if cells else SUBGROUP_STYLES[which]
        for arm in ("control", "treatment"):
            ax.plot(t, model.survival(t, arm), linestyle=style, color=ARM_COLOURS[arm], linewidth=1.6,
                    label=f"{short} {words[arm]}")
        for s in model.starts[1:]:
            if s < horizon:
                ax.axvline(s, color="#bbbbbb", linewidth=0.8, linestyle=":")
    unit = surv.time_unit if surv else ""
    ax.set_xlim(0, horizon)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(f"{words['x']} ({unit})" if unit else words["x"], fontsize=9)
    ax.set_ylabel(words["y"], fontsize=9)
    ax.grid(True, color="#dddddd", linewidth=0.6)
    ax.set_title(title if title is not None else words["title"], fontsize=10)
    ax.legend(fontsize=8 if len(models) <= 2 else 6.5, frameon=False, loc="upper right", ncol=1 if len(models) <= 2 else 2)
