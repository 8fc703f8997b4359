"""The shape of an assurance prior: one drawing function, :func:`draw_prior` (app and exports).

:func:`prior_curve` evaluates the density of one input's distribution of the ``uncertainty``
block (:mod:`planner.uncertainty`) on the scenario's own scale, as the draws are made:

* a proportion (prevalence, assay sensitivity or specificity): the Beta(a, b) density of
  :meth:`~planner.uncertainty.BetaPrior.parameters`;
* an effect: the normal N(μ, τ²) of :meth:`~planner.uncertainty.NormalPrior.mean_sd` on the
  analysis scale; for survival shown against the hazard ratio, whose density is the log-normal
  φ((ln h − μ)/τ)/(τ h); for a binary endpoint truncated to the risk differences that keep the
  treatment rate in [10⁻⁶, 1 − 10⁻⁶] (renormalised, as the draws are).

A point mass (``sd: 0``, ``se: 0``) is drawn as a vertical line. The scenario's value (where the
prior is centred when it has no centre of its own) and the prior's centre (its mean; survival:
the hazard ratio e^μ, the median) are marked. Words and
colours come from :mod:`planner.catalogue`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .catalogue import ADAPTIVE_COLOURS, ADAPTIVE_FIGURE_WORDS, PRIOR_INPUTS
from .figures import GRID_COLOUR, LABEL_SIZE, LINE_WIDTH

POINTS = 241
TAIL = 1e-4  # the curve covers the central 1 − 2·TAIL of the distribution


def prior_curve(key: str, prior: Any, point: float, endpoint: str, control_rate: float | None = None) -> dict:
    """x, density, the prior mean and the scenario's value (``point_mass`` when there is no spread)."""
    from scipy import stats

    from .uncertainty import RATE_EPS, BetaPrior

    if isinstance(prior, BetaPrior):
        ab = prior.parameters(point)
        if ab is None:
            return {"x": None, "y": None, "mean": prior.center(point), "point": point, "point_mass": True}
        dist = stats.beta(*ab)
        lo, hi = dist.ppf(TAIL), dist.ppf(1 - TAIL)
        x = np.linspace(max(lo, 0.0), min(hi, 1.0), POINTS)
        return {"x": x, "y": dist.pdf(x), "mean": ab[0] / (ab[0] + ab[1]), "point": point, "point_mass": False}
    mu, sd = prior.mean_sd(point)
    survival = endpoint == "survival"
    if sd == 0:
        mean = float(np.exp(mu)) if survival else mu
        return {"x": None, "y": None, "mean": mean, "point": point, "point_mass": True}
    lo, hi = mu - 3.72 * sd, mu + 3.72 * sd  # 3.72: the 1e-4 tail of the normal
    if endpoint == "binary" and control_rate is not None:
        lo, hi = max(lo, RATE_EPS - control_rate), min(hi, 1 - RATE_EPS - control_rate)
    t = np.linspace(lo, hi, POINTS)
    dens = stats.norm.pdf(t, mu, sd)
    if endpoint == "binary" and control_rate is not None:
        mass = stats.norm.cdf(1 - RATE_EPS - control_rate, mu, sd) - stats.norm.cdf(RATE_EPS - control_rate, mu, sd)
        dens = dens / max(mass, 1e-300)
    if survival:
        x = np.exp(t)
        return {"x": x, "y": dens / x, "mean": float(np.exp(mu)), "point": point, "point_mass": False}
    mean = float(np.sum(t * dens) / np.sum(dens)) if endpoint == "binary" else mu
    return {"x": t, "y": dens, "mean": mean, "point": point, "point_mass": False}


def draw_prior(ax, key: str, curve: dict, x_label: str, title: bool = True) -> None:
    """The prior density of input ``key`` (or its point mass), with the prior's centre and the scenario's value."""
    colour = ADAPTIVE_COLOURS["prior"]
    if curve["point_mass"]:
        ax.axvline(curve["mean"], color=colour, lw=2 * LINE_WIDTH)
        ax.set_yticks([])
    else:
        ax.fill_between(curve["x"], curve["y"], color=colour, alpha=0.35, lw=0)
        ax.plot(curve["x"], curve["y"], color=colour, lw=LINE_WIDTH)
        ax.axvline(curve["mean"], color=colour, lw=1.0, ls=":", label=ADAPTIVE_FIGURE_WORDS["mean"])
        ax.set_ylim(bottom=0)
    ax.axvline(curve["point"], color=ADAPTIVE_COLOURS["alpha"], lw=1.0, ls="--", label=ADAPTIVE_FIGURE_WORDS["assumed"])
    if title:
        ax.set_title(PRIOR_INPUTS.get(key, key), fontsize=LABEL_SIZE)
    ax.set_xlabel(x_label, fontsize=LABEL_SIZE - 1)
    ax.tick_params(labelsize=LABEL_SIZE - 2)
    ax.grid(True, color=GRID_COLOUR)


__all__ = ["draw_prior", "prior_curve"]
