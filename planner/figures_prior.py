"""The shape of an assurance prior: one drawing function, :func:`draw_prior` (app and exports).

:func:`prior_curve` evaluates the density of one input's distribution of the ``uncertainty``
block (:mod:`planner.uncertainty`) on the scenario's own scale, as the draws are made:

* a proportion (prevalence, assay sensitivity or specificity): the Beta(a, b) density of
  :meth:`~planner.uncertainty.BetaPrior.parameters`;
* an effect: the normal N(μ, τ²) of :meth:`~planner.uncertainty.NormalPrior.mean_sd` on the
  analysis scale; for survival shown against the hazard ratio, whose density is the log-normal
  φ((ln h − μ)/τ)/(τ h); for a binary endpoint truncated to the risk differences that keep the
  treatment rate in [10⁻⁶, 1 − 10⁻⁶] (renormalised, as the draws are).

The cells form's inputs (:mod:`planner.cells_uncertainty`) are drawn by the same functions:

* the cells' prevalences (a Dirichlet(a_1, …, a_K)): each cell's marginal Beta(a_c, Σa − a_c),
  one line per cell (``series``; line styles of :data:`planner.figures_survival.CELL_STYLES`);
* a cell's SD: σ with σ² ~ df·s²/χ²_df = InvGamma(df/2, scale df·s²/2), density
  f_σ(x) = f_σ²(x²)·2x;
* a cell's control median: m = m̂·d/G, G ~ Gamma(d, 1), i.e. InvGamma(d, scale m̂·d);
* a cell's effect and control rate: the normal and Beta above.

A point mass (``sd: 0``, ``se: 0``) is drawn as a vertical line. The scenario's value (where the
prior is centred when it has no centre of its own) and the prior's centre (its mean; survival:
the hazard ratio e^μ, the median) are marked. Words and
colours come from :mod:`planner.catalogue`. :func:`prior_panels` lists every uncertain input of a
scenario (either form) with its curve, title and axis words: the app's prior editors and the
report's assurance section draw those panels (:func:`draw_prior`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .catalogue import ADAPTIVE_COLOURS, ADAPTIVE_FIGURE_WORDS, PRIOR_INPUTS
from .figures import GRID_COLOUR, LABEL_SIZE, LINE_WIDTH

POINTS = 241
TAIL = 1e-4  # the curve covers the central 1 − 2·TAIL of the distribution


def _numeric(x: np.ndarray, y: np.ndarray, point: float) -> dict:
    mean = float(np.sum(x * y) / np.sum(y))  # the curve's mean on its even grid
    return {"x": x, "y": y, "mean": mean, "point": point, "point_mass": False}


def _inverse_gamma(shape: float, scale: float, point: float, root: bool = False) -> dict:
    """The InvGamma(shape, scale) density (of its square root with ``root``) on its central range."""
    from scipy import stats

    dist = stats.invgamma(shape, scale=scale)
    lo, hi = dist.ppf(TAIL), dist.ppf(1 - TAIL)
    if root:
        x = np.linspace(np.sqrt(lo), np.sqrt(hi), POINTS)
        return _numeric(x, dist.pdf(x**2) * 2.0 * x, point)
    x = np.linspace(lo, hi, POINTS)
    return _numeric(x, dist.pdf(x), point)


def _cells_curve(prior: Any, point: Any, names: tuple[str, ...]) -> dict | None:
    """The cells form's own distributions (module docstring); None for another prior."""
    from scipy import stats

    from .cells_uncertainty import DirichletPrior, MedianPrior, SdPrior

    if isinstance(prior, SdPrior):
        s = float(prior.estimate if prior.estimate is not None else point)
        return _inverse_gamma(prior.df / 2.0, prior.df * s * s / 2.0, point, root=True)
    if isinstance(prior, MedianPrior):
        return _inverse_gamma(prior.events, prior.centre(point) * prior.events, point)
    if not isinstance(prior, DirichletPrior):
        return None
    a = prior.alphas(names, tuple(point))
    series = []
    for name, a_c, p_c in zip(names, a, point):
        dist = stats.beta(a_c, sum(a) - a_c)
        x = np.linspace(max(dist.ppf(TAIL), 0.0), min(dist.ppf(1 - TAIL), 1.0), POINTS)
        series.append({"label": name, "x": x, "y": dist.pdf(x), "mean": a_c / sum(a), "point": float(p_c)})
    return {"series": series, "x": None, "y": None, "point_mass": False}


def prior_curve(key: str, prior: Any, point: Any, endpoint: str, control_rate: float | None = None,
                names: tuple[str, ...] = ()) -> dict:
    """x, density, the prior mean and the scenario's value (``point_mass`` when there is no spread);
    the cells' prevalences: ``series`` of each cell's marginal (``point`` the cells' prevalences,
    ``names`` the cells)."""
    from scipy import stats

    from .uncertainty import RATE_EPS, BetaPrior

    cells = _cells_curve(prior, point, names)
    if cells is not None:
        return cells
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


def _draw_series(ax, curve: dict) -> None:
    """Each cell's marginal: one line style per cell; the cells' assumed values as thin lines."""
    from .figures_survival import CELL_STYLES

    colour = ADAPTIVE_COLOURS["prior"]
    for i, s in enumerate(curve["series"]):
        ax.plot(s["x"], s["y"], color=colour, lw=LINE_WIDTH, ls=CELL_STYLES[i % len(CELL_STYLES)], label=s["label"])
        ax.axvline(s["point"], color=ADAPTIVE_COLOURS["alpha"], lw=0.6, ls="--",
                   label=ADAPTIVE_FIGURE_WORDS["assumed"] if i == len(curve["series"]) - 1 else None)
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=LABEL_SIZE - 3, frameon=False)


def draw_prior(ax, key: str, curve: dict, x_label: str, title: bool | str = True) -> None:
    """The prior density of input ``key`` (or its point mass, or each cell's marginal), with the
    prior's centre and the scenario's value; ``title``: the input's words (True: the two-subgroup
    form's, a text: that text)."""
    colour = ADAPTIVE_COLOURS["prior"]
    if curve.get("series"):
        _draw_series(ax, curve)
    elif curve["point_mass"]:
        ax.axvline(curve["mean"], color=colour, lw=2 * LINE_WIDTH)
        ax.set_yticks([])
    else:
        ax.fill_between(curve["x"], curve["y"], color=colour, alpha=0.35, lw=0)
        ax.plot(curve["x"], curve["y"], color=colour, lw=LINE_WIDTH)
        ax.axvline(curve["mean"], color=colour, lw=1.0, ls=":", label=ADAPTIVE_FIGURE_WORDS["mean"])
        ax.set_ylim(bottom=0)
    if not curve.get("series"):
        ax.axvline(curve["point"], color=ADAPTIVE_COLOURS["alpha"], lw=1.0, ls="--",
                   label=ADAPTIVE_FIGURE_WORDS["assumed"])
    if title:
        ax.set_title(title if isinstance(title, str) else PRIOR_INPUTS.get(key, key), fontsize=LABEL_SIZE)
    ax.set_xlabel(x_label, fontsize=LABEL_SIZE - 1)
    ax.tick_params(labelsize=LABEL_SIZE - 2)
    ax.grid(True, color=GRID_COLOUR)


def curve_csv(curve: dict) -> str:
    """The curve as CSV (x, density; the cells' marginals: cell, x, density) for the plots' export."""
    if curve.get("series"):
        return "cell,x,density\n" + "".join(f"{s['label']},{x:.6g},{y:.6g}\n"
                                            for s in curve["series"] for x, y in zip(s["x"], s["y"]))
    if curve["x"] is None:
        return ""
    return "x,density\n" + "".join(f"{x:.6g},{y:.6g}\n" for x, y in zip(curve["x"], curve["y"]))


def _two_subgroup_panels(scenario: Any) -> list[dict]:
    from .catalogue import effect_axis
    from .uncertainty import INPUTS, point_value

    out = []
    for key in INPUTS:
        prior = getattr(scenario.uncertainty, key, None)
        if prior is None:
            continue
        sub = getattr(scenario, key.split("_")[0], None) if key.endswith("effect") else None
        control = getattr(sub, "control_rate", None) if scenario.endpoint == "binary" else None
        label = (effect_axis(scenario.endpoint, key.split("_")[0]) if key.endswith("effect")
                 else PRIOR_INPUTS[key][0].lower() + PRIOR_INPUTS[key][1:])
        out.append({"path": key, "key": key, "title": PRIOR_INPUTS[key], "x_label": label,
                    "args": (key, prior, point_value(scenario, key), scenario.endpoint, control)})
    return out


def _cells_panels(scenario: Any) -> list[dict]:
    from .catalogue import cell_prior_axis, cell_prior_label
    from .cells_uncertainty import cell_value

    u = scenario.uncertainty
    names = tuple(c.name for c in scenario.population.cells)
    out = []
    for path in u.uncertain():
        prior = u.prior(path)
        if path == "prevalences":
            cell, key, point = "", "prevalences", tuple(c.prevalence for c in scenario.population.cells)
        else:
            cell, key = path[len("cells."):].rsplit(".", 1)
            point = cell_value(scenario, cell, key)
        control = None  # a binary effect is truncated at the cell's control rate (draw by draw when it moves)
        if scenario.endpoint == "binary" and key == "effect" and "control_rate" not in u.cells.get(cell, {}):
            control = float(scenario.cells[cell].control_rate)
        out.append({"path": path, "key": key, "title": cell_prior_label(key, cell),
                    "x_label": cell_prior_axis(key, cell, scenario.endpoint, getattr(scenario.survival, "time_unit", None)),
                    "args": (key, prior, point, scenario.endpoint, control, names)})
    return out


def prior_panels(scenario: Any) -> list[dict]:
    """Every uncertain input of ``scenario`` (either form) as a panel: ``path`` (the input's path in
    the block), ``key``, ``title``, ``x_label``, ``args`` (of :func:`prior_curve`) and ``curve`` (:func:`prior_curve`; a distribution that cannot
    be resolved against the scenario has ``problem`` instead). Empty without an uncertainty block."""
    if getattr(scenario, "uncertainty", None) is None:
        return []
    panels = _cells_panels(scenario) if scenario.has_cells else _two_subgroup_panels(scenario)
    for panel in panels:
        try:
            panel["curve"] = prior_curve(*panel["args"])
        except ValueError as exc:
            panel["curve"], panel["problem"] = None, str(exc)
    return panels


__all__ = ["curve_csv", "draw_prior", "prior_curve", "prior_panels"]
