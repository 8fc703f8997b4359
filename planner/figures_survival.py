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


def survival_models(scenario) -> dict:
    """{"positive": model, "negative": model} of a survival scenario."""
    from .patient_level import subgroup_model

    return {w: subgroup_model(getattr(scenario, w)) for w in ("positive", "negative")}


def survival_curves_draw(ax, scenario, title: str | None = None) -> None:
    """Draw the assumed survival curves of ``scenario`` (survival endpoint) on ``ax``."""
    words = SURVIVAL_CURVES_FIGURE
    surv = scenario.survival
    horizon = float(surv.accrual_time + surv.follow_up_time) if surv else 36.0
    t = np.linspace(0.0, horizon, POINTS)
    models = survival_models(scenario)
    for which, model in models.items():
        short = SUBGROUP_WORDS[which].split("(")[-1].rstrip(")")
        for arm in ("control", "treatment"):
            ax.plot(t, model.survival(t, arm), SUBGROUP_STYLES[which], color=ARM_COLOURS[arm], linewidth=1.6,
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
    ax.legend(fontsize=8, frameon=False, loc="upper right")
