"""Report sections built from results: the question solved, the summary, the design comparison
(fixed designs and the adaptive design), the stratified design's claims, the adaptive design's
operating characteristics and the assurance.

Every number carries its unit (patients, events, the time unit, the currency); option codes are
shown as the catalogue's phrases; text passes through :func:`planner.report.markup.esc`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..catalogue import CLAIMS, DESIGNS, design_label, phrase
from ..compute import NOT_EFFICACY, meets_target
from ..results import Comparison, DesignResult
from ..scenario import AdaptiveOptions, Scenario
from .assumptions import per_time_unit, time_unit
from .common import fixed_results
from .fmt import count, money, number, percent
from .justification import effect_name
from .markup import Markup, join, row, table, tag, td
from .populations_section import TWO_SUBGROUP_ADAPTIVE_KEYS, adaptive_population_rows


# --------------------------------------------------------------------------- the question
def question_sentence(scenario: Scenario, question: str, n_randomized: int | None) -> str:
    """What was solved for, in words (the app's "Solve for", the CLI's ``--question``)."""
    target = percent(scenario.testing.power)
    at_n = f"N = {count(n_randomized)} randomized patients (total, both arms)" if n_randomized else \
        "the size fixed for each design in the scenario"
    if question == "sample_size":
        return f"the sample size reaching the target power of {target}"
    if question == "power":
        return f"the power at {at_n}"
    if question == "effect":
        return f"the smallest biomarker-positive effect detectable with {target} power at {at_n}"
    fixed = [design_label(n) for n, o in scenario.fixed_designs().items()
             if o.n_randomized is not None or o.events is not None]
    text = f"the sample size reaching the target power of {target}"
    if fixed:
        text += f" (power and detectable effect at the size fixed in the scenario for: {', '.join(fixed)})"
    return text


def _labels(names: list[str]) -> str:
    words = [DESIGNS[n].lower if n in DESIGNS else n for n in names]
    return ", ".join(words[:-1]) + (" and " if len(words) > 1 else "") + (words[-1] if words else "")


def summary_paragraph(scenario: Scenario, comparison: Comparison, adaptive: Mapping | None) -> Markup:
    """Which designs were eligible, which reach the target, the cheapest, and why the
    interaction design is not a candidate."""
    fixed = fixed_results(comparison)
    target = scenario.testing.power
    eligible = [n for n in fixed if n not in NOT_EFFICACY]
    meeting = [n for n in eligible if meets_target(fixed[n], target)]
    crit = "the lowest cost" if scenario.costs is not None else "the fewest randomized patients"
    parts: list[Any] = [tag("b", "Summary."), " "]
    if eligible:
        parts.append(f"Designs that test efficacy and are compared: {_labels(eligible)}. ")
    best = comparison.cheapest_meeting_target
    if best in fixed and meeting:
        r = fixed[best]
        parts += [f"Of these, {_labels(meeting)} reach{'es' if len(meeting) == 1 else ''} the target power of "
                  f"{percent(target)}; the ", tag("b", DESIGNS[best].lower),
                  f" design has {crit}: {_size_text(r)}. "]
    elif eligible:
        parts.append(f"None of them reaches the target power of {percent(target)} at the size computed. ")
    for name in NOT_EFFICACY:
        if name in fixed:
            r = fixed[name]
            size = f" (it would need {_size_text(r)})" if r.feasible else ""
            parts.append(f"The {DESIGNS[name].lower} design is not a candidate: it tests {DESIGNS[name].tests} — "
                         "whether the effect differs between biomarker groups — not whether the treatment works "
                         f"in either of them{size}. ")
    if adaptive is not None:
        parts.append(f"The {DESIGNS['adaptive'].lower} design is evaluated by simulation and shown separately "
                     "(its size depends on the interim decision). ")
    parts.append("The choice between designs also depends on which claims the trial must support "
                 "(biomarker-positive only, or the full population).")
    return tag("p", join(parts), data_summary="cheapest")


def _size_text(r: DesignResult) -> str:
    text = f"{count(r.n_randomized)} randomized patients"
    if r.n_screened:
        text += f", {count(r.n_screened)} screened patients"
    if r.events is not None:
        text += f", {count(r.events)} events"
    if r.cost is not None:
        text += f", {money(r.cost, r.currency)}"
    return text


# --------------------------------------------------------------------------- comparison table
def cost_scale(comparison: Comparison) -> float:
    """1, or 1e6 when a cost reaches a billion (the table then shows millions)."""
    costs = [r.cost for r in fixed_results(comparison).values() if r.feasible and r.cost is not None]
    return 1e6 if costs and max(costs) >= 1e9 else 1.0


def _detectable(scenario: Scenario, r: Any) -> str:
    de = getattr(r, "detectable_effect", None)
    if de is None:
        return "—"
    return number(de.value, 3) if de.value is not None else "not attainable"


def comparison_rows(comparison: Comparison, scenario: Scenario | None = None) -> list[dict[str, str]]:
    """The design comparison table as formatted strings (what the report prints)."""
    out = []
    scale = cost_scale(comparison)
    for name, r in fixed_results(comparison).items():
        arms = r.n_per_arm or {}
        row_ = {
            "design": name,
            "label": r.label + (f": {r.details['population']}" if isinstance(r.details.get("population"), str) else ""),
            "n_randomized": count(r.n_randomized) if r.feasible else "not attainable",
            "n_per_arm": f"{count(arms.get('treatment'))} : {count(arms.get('control'))}" if r.feasible else "—",
            "n_screened": count(r.n_screened) if r.feasible else "—",
            "events": count(r.events) if r.events is not None else "—",
            "power": percent(r.power, trim=False) if r.power is not None else "—",
            "detectable": _detectable(scenario, r),
            "cost": (money(r.cost, None) if scale == 1 else f"{r.cost / scale:,.1f}")
            if r.cost is not None and r.feasible else "—",
            "efficiency": number(r.efficiency, 3) if r.efficiency is not None else "—",
        }
        if r.accrual_duration is not None:
            row_["time"] = number(r.accrual_duration, 3)
        elif r.screening_rate_needed is not None:
            row_["time"] = f"{number(r.screening_rate_needed, 3)} / {number(r.randomization_rate_needed, 3)}"
        else:
            row_["time"] = "—"
        out.append(row_)
    return out


def adaptive_row(sim: Mapping[str, Any], scale: float) -> dict[str, str]:
    """The adaptive design in the comparison table: maximum patients and events, P(success) ± SE."""
    power, se = sim.get("power"), sim.get("power_se")
    cost = sim.get("cost")
    return {
        "design": "adaptive", "label": f"{DESIGNS['adaptive'].label} (maximum size)",
        "n_randomized": count(sim.get("n_randomized")), "n_per_arm": "—",
        "n_screened": count(sim.get("n_screened")) if sim.get("n_screened") else "—",
        "events": count(sim.get("events")),
        "power": (percent(power, trim=False) + (f" ± {percent(se, 1, trim=False)}" if se is not None else ""))
        if power is not None else "—",
        "detectable": "—",
        "cost": (money(cost, None) if scale == 1 else f"{cost / scale:,.1f}") if cost else "—",
        "efficiency": "—", "time": "—",
    }


COLUMN_WIDTHS = {
    "n_randomized": 11, "n_per_arm": 10, "n_screened": 10, "events": 8, "power": 10, "detectable": 10,
    "cost": 12, "efficiency": 9, "time": 12,
}


def _columns(scenario: Scenario, comparison: Comparison, question: str) -> list[tuple[str, str]]:
    surv = scenario.endpoint == "survival"
    cols = [("n_randomized", "Randomized (patients)"), ("n_per_arm", "T : C (patients)"),
            ("n_screened", "Screened (patients)")]
    if surv:
        cols.append(("events", "Events"))
    cols.append(("power", "Power"))
    if question == "effect" or any(r.detectable_effect is not None for r in fixed_results(comparison).values()):
        cols.append(("detectable", f"Detectable B+ {effect_name(scenario)}"))
    if scenario.costs is not None:
        millions = " millions" if cost_scale(comparison) != 1 else ""
        cols.append(("cost", f"Cost ({scenario.costs.currency}{millions})"))
    cols.append(("efficiency", "Efficiency"))
    if surv:
        cols.append(("time", f"Patients {per_time_unit(scenario)}: assessed / randomized"))
    elif scenario.recruitment is not None and scenario.recruitment.screening_rate:
        cols.append(("time", f"Accrual ({time_unit(scenario)})"))
    return cols


def comparison_table(scenario: Scenario, comparison: Comparison, question: str,
                     adaptive: Mapping[str, Any] | None) -> Markup:
    """The fixed designs (and the adaptive design when simulated), one row each."""
    rows_ = comparison_rows(comparison, scenario)
    if adaptive is not None:
        rows_.append(adaptive_row(adaptive, cost_scale(comparison)))
    cols = [(k, h) for k, h in _columns(scenario, comparison, question)  # a column of dashes says nothing
            if k in ("n_randomized", "power") or any(r[k] != "—" for r in rows_)]
    best = comparison.cheapest_meeting_target
    rows = [
        row([td(r["label"], "label", num=False), *(td(r[k], k) for k, _ in cols)],
            class_="best" if r["design"] == best else None, data_design=r["design"])
        for r in rows_
    ]
    widths = [15] + [COLUMN_WIDTHS[k] for k, _ in cols]
    note = ("N randomized: total over both arms. Screened: patients tested with the assay (targeted: N / P(test+); "
            "stratified, strategy and interaction designs test everyone randomized). T : C: treatment and control "
            "arms. Power: achieved at the integer sizes. Efficiency: all-comers N / design N (when sizes are solved for). "
            "Highlighted: the cheapest design reaching the target power.")
    if adaptive is not None:
        note += (f" {design_label('adaptive')}: the maximum number of patients and events (every stage run); power: the "
                 "probability of rejecting at least one hypothesis, ± its Monte Carlo standard error; screened "
                 "patients and cost: expected over the simulated trials.")
    return table(["Design", *(h for _, h in cols)], rows, col_widths=widths) + tag("p", note, class_="note")


def claims_table(comparison: Comparison) -> Markup:
    """The stratified design's power per claim (catalogue claim names)."""
    r = fixed_results(comparison).get("stratified")
    if r is None or not r.feasible or not r.claims or getattr(r, "power_by_population", None):
        return Markup("")  # several populations: the populations section has the claims
    cells = [td(percent(r.claims.get(k), trim=False), f"power_{k}") for k in CLAIMS]
    headers = [CLAIMS[k][0].upper() + CLAIMS[k][1:] for k in CLAIMS]
    return tag("h3", f"{DESIGNS['stratified'].label} design: power of each claim") + table(
        headers, [row(cells, data_design="stratified-claims")], num_from=0)


# --------------------------------------------------------------------------- adaptive design
ADAPTIVE_ROWS = (
    ("reject_subgroup", Markup("Reject H<sub>S</sub> (biomarker-positive)"), "p"),
    ("reject_overall", Markup("Reject H<sub>F</sub> (full population)"), "p"),
    ("reject_at_least_one", "Reject at least one", "p"),
    ("reject_both", "Reject both", "p"),
    ("select_subgroup_only", "Continue with S only after the interim", "p"),
    ("select_overall_only", "Continue with F only after the interim", "p"),
    ("select_both", "Continue with both after the interim", "p"),
    ("early_stop_efficacy", "Stop early for efficacy", "p"),
    ("early_stop_futility", "Stop early for futility", "p"),
    ("n_randomized", "Maximum number of patients randomized (patients)", "n"),
    ("events", "Maximum number of events (events)", "n"),
    ("expected_subjects", "Expected number of patients randomized (patients)", "x"),
    ("expected_events", "Expected number of events (events)", "x"),
    ("expected_screened", "Expected number of patients screened (patients)", "x"),
)


def _adaptive_cells(sim: Mapping[str, Any], key: str, kind: str) -> list[Markup]:
    v, se = sim[key], sim.get(f"{key}_se")
    if kind == "p":
        return [td(percent(v, trim=False), key), td(percent(se, 2, trim=False) if se is not None else "—", key + "_se")]
    if kind == "n":
        return [td(count(v), key), td("—", key + "_se")]
    return [td(number(v, 5), key), td(number(se, 2) if se is not None else "—", key + "_se")]


def adaptive_section(scenario: Scenario, sim: Mapping[str, Any] | None, message: str | None) -> Markup:
    """Operating characteristics with Monte Carlo SEs, maximum and expected sizes, the settings."""
    opts = scenario.designs.get("adaptive")
    if not isinstance(opts, AdaptiveOptions):
        return Markup("")
    if sim is None:
        return tag("p", message or "Not simulated.", class_="note")
    several = bool(sim.get("reject_by_population"))  # several populations: their rows replace H_S/H_F's
    rows = [row([td(text, num=False), *_adaptive_cells(sim, k, kind)], data_field=k)
            for k, text, kind in ADAPTIVE_ROWS if sim.get(k) is not None
            and not (several and k in TWO_SUBGROUP_ADAPTIVE_KEYS)]
    rows += adaptive_population_rows(sim)  # several populations (planner/report/populations_section.py)
    planned = opts.planned_events if scenario.endpoint == "survival" else opts.planned_subjects
    unit = "events" if scenario.endpoint == "survival" else "patients"
    meta = (
        f"{count(sim.get('simulations'))} simulated trials, seed {sim.get('seed', '—')}; planned cumulative "
        f"{unit} {', '.join(count(x) for x in planned or ())} at information rates "
        f"{', '.join(number(x) for x in opts.information_rates)}; selection: "
        f"{phrase('selection_rule', opts.selection.rule)}; intersection test: "
        f"{phrase('intersection_test', opts.intersection_test)}; efficacy boundaries: "
        f"{phrase('boundaries', opts.boundaries)}; success: {phrase('success_criterion', opts.success_criterion)}."
    )
    parts = [table(["Operating characteristic", "Estimate", "Monte Carlo SE"], rows), tag("p", meta, class_="note")]
    if sim.get("incomplete"):
        parts.append(tag("p", "The simulation was cancelled: these are partial results.", class_="note stale"))
    if sim.get("method"):
        parts.append(tag("p", f"Method: {sim['method']}.", class_="note"))
    return join(parts)


__all__ = ["adaptive_row", "adaptive_section", "claims_table", "comparison_rows", "comparison_table",
           "cost_scale", "question_sentence", "summary_paragraph"]
