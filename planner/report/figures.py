"""Report figures as PNG bytes: power curves, N over prevalence, power over the B− effect, the
design map and the distribution of power under uncertainty (assurance). Matplotlib with the Agg canvas only (no GUI backend, no pyplot state)."""

from __future__ import annotations

import io

import numpy as np

from ..assay import assay_mix
from ..catalogue import DESIGNS
from ..curves import design_map, n_vs_prevalence, power_vs_n, power_vs_negative_effect
from ..designs.build import LABELS
from ..results import DesignResult
from ..scenario import Scenario

#: one colour per design, from the catalogue (Okabe–Ito, colour-blind safe)
COLORS = {name: spec.colour for name, spec in DESIGNS.items()}
EFFECT_AXIS = {
    "survival": "hazard ratio in biomarker-negative patients",
    "binary": "risk difference (treatment − control) in biomarker-negative patients",
    "continuous": "mean difference in biomarker-negative patients",
}


DPI = 130


def _figure(width: float = 7.0, height: float = 3.6, right: float = 0.97):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI)
    fig.subplots_adjust(left=0.09, right=right, bottom=0.14, top=0.91)
    FigureCanvasAgg(fig)
    return fig


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


HR_TICKS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0, 5.0)


def _hr_axis(axis, lo: float, hi: float) -> None:
    """Log axis for hazard ratios with plain tick labels (0.5, 1, 2) instead of powers of ten."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

    ticks = [t for t in HR_TICKS if lo <= t <= hi] or [lo, hi]
    axis.set_major_locator(FixedLocator(ticks))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())


def _style(ax) -> None:
    ax.grid(True, which="major", color="#dddddd", linewidth=0.6)
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.tick_params(labelsize=8)


def _feasible(results: dict[str, DesignResult]) -> dict[str, DesignResult]:
    return {
        k: r for k, r in results.items()
        if k in LABELS and isinstance(r, DesignResult) and r.feasible and r.n_randomized
    }


def power_curves_png(scenario: Scenario, results: dict[str, DesignResult]) -> bytes | None:
    """Power of each design against total randomized N (log scale), target power marked."""
    ok = _feasible(results)
    if not ok:
        return None
    ns = [r.n_randomized for r in ok.values()]
    grid = np.geomspace(max(4.0, min(ns) / 5), max(ns) * 3, 240)
    fig = _figure()
    ax = fig.add_subplot()
    for name, r in ok.items():
        curve = power_vs_n(scenario, name, grid)
        ax.plot(curve.x, curve.y["power"], color=COLORS.get(name), linewidth=1.6, label=r.label)
        ax.plot([r.n_randomized], [r.power], "o", color=COLORS.get(name), markersize=4)
    ax.axhline(scenario.testing.power, color="#888888", linestyle="--", linewidth=0.8)
    ax.set_xscale("log")
    ax.set_ylim(0, 1.01)
    ax.set_xlabel("total randomized (both arms, log scale)", fontsize=9)
    ax.set_ylabel("power", fontsize=9)
    ax.set_title("Power against sample size (dots: planned size)", fontsize=10)
    _style(ax)
    ax.legend(fontsize=7, frameon=False, loc="lower right")
    return _png(fig)


def prevalence_curves_png(scenario: Scenario, results: dict[str, DesignResult]) -> bytes | None:
    """Required total N against the true B+ prevalence, targeted screening dashed."""
    names = [k for k in results if k in LABELS]
    if not names:
        return None
    g = np.linspace(0.02, 0.98, 97)
    fig = _figure()
    ax = fig.add_subplot()
    plotted = False
    pop = scenario.population
    for name in names:
        curve = n_vs_prevalence(scenario, name, g)
        y = np.where(np.isfinite(curve.y["n_randomized"]), curve.y["n_randomized"], np.nan)
        if not np.isfinite(y).any():
            continue
        plotted = True
        ax.plot(g, y, color=COLORS.get(name), linewidth=1.6, label=LABELS[name])
        if name == "targeted":
            p_pos = assay_mix(g, pop.assay_sensitivity, pop.assay_specificity).p_test_positive
            ax.plot(g, y / p_pos, color=COLORS[name], linestyle="--", linewidth=1.2,
                    label="Targeted: screened")
    if not plotted:
        return None
    ax.axvline(pop.prevalence, color="#888888", linestyle=":", linewidth=1)
    ax.set_yscale("log")
    ax.set_xlim(0, 1)
    ax.set_xlabel("prevalence of biomarker-positive patients (dotted: assumed)", fontsize=9)
    ax.set_ylabel("total randomized for target power", fontsize=9)
    ax.set_title("Sample size against prevalence", fontsize=10)
    _style(ax)
    ax.legend(fontsize=7, frameon=False)
    return _png(fig)


def negative_effect_grid(scenario: Scenario, points: int = 81) -> np.ndarray:
    """A range of B− effects from no effect to beyond the B+ effect (and the assumed B− effect)."""
    pos, neg = scenario.positive, scenario.negative
    if scenario.endpoint == "survival":
        lo = min(pos.hazard_ratio, neg.hazard_ratio, 1.0) * 0.9
        hi = max(1.25, neg.hazard_ratio * 1.1)
        return np.geomspace(lo, hi, points)
    if scenario.endpoint == "binary":
        d_pos = pos.treatment_rate - pos.control_rate
        d_neg = neg.treatment_rate - neg.control_rate
        span = max(abs(d_pos), abs(d_neg)) * 1.1
        lo, hi = -span, span
        lo = max(lo, -neg.control_rate + 1e-3)
        hi = min(hi, 1 - neg.control_rate - 1e-3)
        return np.linspace(lo, hi, points)
    d_pos, d_neg = pos.mean_difference, neg.mean_difference
    span = max(abs(d_pos), abs(d_neg)) * 1.1
    return np.linspace(-span, span, points)


def _negative_effect(scenario: Scenario) -> float:
    neg = scenario.negative
    if scenario.endpoint == "survival":
        return neg.hazard_ratio
    if scenario.endpoint == "binary":
        return neg.treatment_rate - neg.control_rate
    return neg.mean_difference


def negative_effect_png(scenario: Scenario, results: dict[str, DesignResult]) -> bytes | None:
    """Power of each design, at its planned size, against the B− effect."""
    ok = _feasible(results)
    if not ok:
        return None
    grid = negative_effect_grid(scenario)
    fig = _figure()
    ax = fig.add_subplot()
    for name, r in ok.items():
        n = r.n_randomized
        if scenario.endpoint == "survival" and r.events and r.details.get("events_per_patient"):
            n = r.events / r.details["events_per_patient"]
        curve = power_vs_negative_effect(scenario, name, grid, n_randomized=float(n))
        ax.plot(curve.x, curve.y["power"], color=COLORS.get(name), linewidth=1.6, label=r.label)
    ax.axvline(_negative_effect(scenario), color="#888888", linestyle=":", linewidth=1)
    ax.axhline(scenario.testing.power, color="#888888", linestyle="--", linewidth=0.8)
    if scenario.endpoint == "survival":
        ax.set_xscale("log")
        _hr_axis(ax.xaxis, grid[0], grid[-1])
    ax.set_ylim(0, 1.01)
    ax.set_xlabel(EFFECT_AXIS[scenario.endpoint] + " (dotted: assumed)", fontsize=9)
    ax.set_ylabel("power at planned size", fontsize=9)
    ax.set_title("Robustness: power against the biomarker-negative effect", fontsize=10)
    _style(ax)
    ax.legend(fontsize=7, frameon=False)
    return _png(fig)


def design_map_png(scenario: Scenario, points: int = 41) -> tuple[bytes, str] | None:
    """Best design (fewest randomized, or lowest cost with costs) over prevalence × B− effect.

    Returns the PNG and the criterion used (``"n"`` or ``"cost"``), or ``None``.
    """
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    criterion = "cost" if scenario.costs is not None and (
        scenario.costs.per_screened > 0 or scenario.costs.per_randomized > 0
    ) else "n"
    g = scenario.population.prevalence
    prev = np.linspace(min(0.05, g / 2), max(0.95, 1 - (1 - g) / 2), points)
    eff = negative_effect_grid(scenario, points)
    dm = design_map(scenario, prev, eff, criterion=criterion)
    designs = list(dm.designs)
    colors = ["#eeeeee"] + [COLORS.get(d, "#999999") for d in designs]
    cmap = ListedColormap(colors)
    fig = _figure(7.0, 4.0, right=0.74)
    ax = fig.add_subplot()
    z = dm.best.T + 1  # rows: effect (y), columns: prevalence (x); 0 = none attainable
    if scenario.endpoint == "survival":
        y_edges = np.geomspace(eff[0], eff[-1], len(eff) + 1)
    else:
        y_edges = np.linspace(eff[0], eff[-1], len(eff) + 1)
    x_edges = np.linspace(prev[0], prev[-1], len(prev) + 1)
    ax.pcolormesh(x_edges, y_edges, z, cmap=cmap, vmin=-0.5, vmax=len(colors) - 0.5, alpha=0.75)
    ax.plot([scenario.population.prevalence], [_negative_effect(scenario)], marker="*",
            color="white", markeredgecolor="black", markersize=13, linestyle="none")
    if scenario.endpoint == "survival":
        ax.set_yscale("log")
        _hr_axis(ax.yaxis, eff[0], eff[-1])
    ax.set_xlabel("prevalence of biomarker-positive patients", fontsize=9)
    ax.set_ylabel(EFFECT_AXIS[scenario.endpoint], fontsize=8)
    what = "lowest cost" if criterion == "cost" else "fewest randomized patients"
    ax.set_title(f"Design map: {what} for the target power (star: this scenario)", fontsize=10)
    present = sorted({int(v) for v in np.unique(dm.best)})
    handles = [
        Patch(color=colors[i + 1], alpha=0.75, label=LABELS[designs[i]])
        if i >= 0 else Patch(color=colors[0], label="none attainable")
        for i in present
    ]
    ax.legend(handles=handles, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    ax.tick_params(labelsize=8)
    return _png(fig), criterion



# --------------------------------------------------------------------------- assurance
#: Bins of the power distribution drawn per design (on [0, 1]).
POWER_BINS = 40


def _with_draws(assurance) -> dict:
    return {
        name: a for name, a in assurance.items()
        if a.assurance is not None and a.power_draws is not None and np.size(a.power_draws)
    }


def draw_power_distribution(ax, assurance, colors: dict | None = None, bins: int = POWER_BINS) -> bool:
    """Draw, on the matplotlib axes ``ax``, the distribution of power over the prior draws for
    each design of ``assurance`` (design → :class:`planner.assurance.AssuranceResult`), one row
    per design: a symmetric histogram ("bean") of the power draws, the 5–95% (thin) and
    25–75% (thick) quantile ranges, the median (white dot), the assurance (diamond) and the
    80% power threshold (dashed). The app draws its plot with this function, so screen and
    report agree. Returns False when no design has draws (nothing drawn)."""
    shown = _with_draws(assurance)
    if not shown:
        return False
    colors = colors or COLORS
    threshold = next(iter(shown.values())).power_threshold
    names = list(shown)[::-1]  # first design at the top
    edges = np.linspace(0.0, 1.0, bins + 1)
    centers = 0.5 * (edges[:-1] + edges[1:])
    labels = []
    for pos, name in enumerate(names):
        a = shown[name]
        color = colors.get(name, "#555555")
        draws = np.clip(np.asarray(a.power_draws, dtype=float), 0.0, 1.0)
        counts, _ = np.histogram(draws, bins=edges)
        half = 0.42 * counts / max(int(counts.max()), 1)
        x = np.concatenate([[0.0], centers, [1.0]])
        h = np.concatenate([[half[0]], half, [half[-1]]])
        ax.fill_between(x, pos - h, pos + h, step="mid", color=color, alpha=0.35, linewidth=0)
        q = np.quantile(draws, [0.05, 0.25, 0.5, 0.75, 0.95])
        ax.plot([q[0], q[4]], [pos, pos], color=color, linewidth=1.0, solid_capstyle="butt")
        ax.plot([q[1], q[3]], [pos, pos], color=color, linewidth=4.0, solid_capstyle="butt")
        ax.plot([q[2]], [pos], "o", markersize=3.5, markerfacecolor="white", markeredgecolor=color)
        ax.plot([a.assurance], [pos], "D", markersize=6, color=color, markeredgecolor="black",
                markeredgewidth=0.6)
        labels.append(
            f"{a.label}\nA {a.assurance:.3f} ± {a.assurance_se:.3f} · "
            f"P(>{threshold:.0%}) {a.prob_power_above:.2f}"
        )
    ax.axvline(threshold, color="#888888", linestyle="--", linewidth=0.8)
    ax.set_yticks(range(len(names)))
    ax.set_yticklabels(labels, fontsize=7)
    ax.set_ylim(-0.6, len(names) - 0.4)
    ax.set_xlim(0.0, 1.0)
    first = next(iter(shown.values()))
    ax.set_xlabel(f"power at the planned size, {first.draws:,} prior draws (◆ assurance, ○ median)", fontsize=8)
    ax.set_title("Distribution of power under the uncertain assumptions", fontsize=10)
    ax.grid(True, axis="x", color="#dddddd", linewidth=0.6)
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.tick_params(labelsize=8)
    return True


def power_distribution_png(assurance) -> bytes | None:
    """The power distribution per design (:func:`draw_power_distribution`) as PNG bytes, or
    None when no design has an assurance."""
    shown = _with_draws(assurance)
    if not shown:
        return None
    height = 1.1 + 0.62 * len(shown)
    fig = _figure(height=height)
    fig.subplots_adjust(left=0.34, right=0.97, bottom=0.5 / height, top=1 - 0.35 / height)
    draw_power_distribution(fig.add_subplot(), shown)
    return _png(fig)


def power_distribution_csv(assurance, bins: int = 20) -> str:
    """Histogram of the power draws per design (share of draws per bin) as CSV text."""
    shown = _with_draws(assurance)
    edges = np.linspace(0.0, 1.0, bins + 1)
    lines = ["power_from,power_to," + ",".join(shown)]
    shares = {n: np.histogram(np.asarray(a.power_draws, dtype=float), bins=edges)[0] / np.size(a.power_draws)
              for n, a in shown.items()}
    for i in range(bins):
        lines.append(f"{edges[i]:g},{edges[i + 1]:g}," + ",".join(f"{shares[n][i]:.6g}" for n in shown))
    return "\n".join(lines) + "\n"
