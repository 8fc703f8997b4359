"""The report's interim-analysis section: one boundaries table per design with a plan.

Rows are looks; columns the cumulative size (survival: events, expected calendar time and
patients), the efficacy bound on the z, nominal one-sided p and effect scales, the futility
bound, and under H1 the probability of rejecting at that look and of stopping there. Every
user string passes through :func:`planner.report.markup.esc` (``tag`` escapes its content).
"""

from __future__ import annotations

from ..catalogue import EFFECTS, FIGURES
from ..results import DesignResult
from ..scenario import Scenario
from .figures import boundaries_png
from .markup import Markup, img, join, row, table, tag, td


def _n(x, digits: int = 1) -> str:
    return "—" if x is None else f"{x:,.{digits}f}"


def boundaries_table(scenario: Scenario, r: DesignResult, images: dict[str, bytes] | None = None) -> Markup:
    """The boundaries table of design result ``r`` (empty without looks), followed by its boundary
    plot (``images``: the report's images, the plot's PNG is added there; None: no plot)."""
    if not r.looks:
        return Markup("")
    surv = scenario.endpoint == "survival"
    effect = EFFECTS[scenario.endpoint].name
    heads = ["look", "information", *(["events", "time"] if surv else []), "randomized",
             "efficacy z", "nominal p", f"efficacy bound ({effect})", "futility z", "P(reject) H1", "P(stop) H1"]
    rows = []
    for k, lk in enumerate(r.looks, 1):
        cells = [td(str(k), num=False), td(f"{lk['information_rate']:g}", "information_rate")]
        if surv:
            cells += [td(_n(lk.get("events")), "events"), td(_n(lk.get("time")), "time")]
        cells += [td(_n(lk["n_randomized"]), "n_randomized"), td(_n(lk.get("efficacy_z"), 3), "efficacy_z"),
                  td(_n(lk.get("efficacy_p"), 5), "efficacy_p"), td(_n(lk.get("efficacy_effect"), 3), "efficacy_effect"),
                  td(_n(lk.get("futility_z"), 3), "futility_z"),
                  td(_n(lk["reject_probability"], 3), "reject_probability"),
                  td(_n(lk["stop_probability"], 3), "stop_probability")]
        rows.append(row(cells))
    caption = (f"{r.label}: {r.interim_text}. Maximum {r.n_randomized:,} randomized"
               + (f" ({r.events:,} events)" if r.events is not None else "")
               + f"; expected {_n(r.expected_n_h1)} under H1 and {_n(r.expected_n_h0)} under H0"
               + (f" (events {_n(r.expected_events_h1)} and {_n(r.expected_events_h0)})" if surv else "") + ".")
    note = ("Efficacy bounds are one-sided (a two-sided test: α/2 in the direction of benefit); futility bounds "
            "non-binding unless the plan says binding. Stratified design: bounds of the hypothesis it is sized for; "
            "the bounds of its intersection hypotheses are in the JSON output (each look's "
            "intersection_z_overall and intersection_z_subgroup, or intersection_z_by_population with "
            "several populations).")
    out = tag("h3", r.label) + tag("p", caption) + table(heads, rows, num_from=1) + tag("p", note, class_="note")
    out += _by_population_table(r)
    png = boundaries_png(scenario, r) if images is not None else None
    if png:
        name = f"boundaries-{r.design}.png"
        images[name] = png
        out += img(name, f"{FIGURES['boundaries'].title}: {r.label}")
    return out


def _by_population_table(r: DesignResult) -> Markup:
    """Several populations: each hypothesis's elementary efficacy bound (z) and information rate
    at each look (the looks' ``efficacy_z_by_population``, ``information_rate_by_population``)."""
    by = r.looks[0].get("efficacy_z_by_population")
    if not by or len(by) < 3:  # F and one population: the table above names both
        return Markup("")
    names = list(by)
    heads = ["look", *(f"{name}: z (information)" for name in names)]
    rows = []
    for k, lk in enumerate(r.looks, 1):
        z, info = lk.get("efficacy_z_by_population") or {}, lk.get("information_rate_by_population") or {}
        rows.append(row([td(str(k), num=False)] + [
            td(f"{_n(z.get(name), 3)} ({_n(info.get(name), 3)})", "efficacy_z") for name in names]))
    return (table(heads, rows, num_from=1)
            + tag("p", "Elementary efficacy bounds of F and every population on the z scale at each look, with "
                       "the information rate each population has reached (it spends at its own rate).",
                  class_="note"))


def interim_section(scenario: Scenario, results: dict, images: dict[str, bytes] | None = None) -> Markup:
    """Boundaries tables (and, with ``images``, boundary plots) of every design with looks (empty
    when no design has a plan)."""
    parts = [boundaries_table(scenario, r, images) for r in results.values()
             if isinstance(r, DesignResult) and r.looks]
    return join(parts)
