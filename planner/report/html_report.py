"""The HTML report: assumptions with provenance, methods, design comparison, figures, adaptive
operating characteristics and a sample-size justification per design.

The HTML stays within the subset Qt's ``QTextDocument`` renders (tables, ``<img>`` with
``data:`` URLs, simple CSS), because the PDF (``ui/report_pdf.py``) is printed from the same
text. Every piece of user text is escaped; the report contains no script and fetches nothing.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from html import escape
from pathlib import Path
from typing import Any

from .. import __version__
from ..compute import compare_designs
from ..designs.build import LABELS
from ..results import Comparison, DesignResult
from ..scenario import AdaptiveOptions, Scenario
from ..scenario_io import atomic_write_text, scenario_to_dict
from . import figures
from .fmt import count, money, number, percent
from .justification import adaptive_justification, justification

REFERENCES = (
    "Simon R, Maitournam A. Evaluating the efficiency of targeted designs for randomized clinical "
    "trials. Clin Cancer Res 2004;10:6759–63.",
    "Maitournam A, Simon R. On the efficiency of targeted clinical trials. Stat Med 2005;24:329–39.",
    "Mandrekar SJ, Sargent DJ. Clinical trial designs for predictive biomarker validation. "
    "J Clin Oncol 2009;27:4027–34.",
    "Spiessens B, Debois M. Adjusted significance levels for subgroup analyses in clinical trials. "
    "Contemp Clin Trials 2010;31:647–56.",
    "Wiens BL. A fixed sequence Bonferroni procedure for testing multiple endpoints. "
    "Pharm Stat 2003;2:211–5.",
    "Schoenfeld D. The asymptotic properties of nonparametric tests for comparing survival "
    "distributions. Biometrika 1981;68:316–9.",
    "Freedman LS. Tables of the number of patients required in clinical trials using the logrank "
    "test. Stat Med 1982;1:121–9.",
    "Brannath W et al. Confirmatory adaptive designs with Bayesian decision tools for a targeted "
    "therapy in oncology. Stat Med 2009;28:1445–63.",
    "O'Hagan A, Stevens JW, Campbell MJ. Assurance in clinical trial design. Pharm Stat 2005;4:187–201.",
    "Jenkins M, Stone A, Jennison C. An adaptive seamless phase II/III design for oncology trials "
    "with subpopulation selection using correlated survival endpoints. Pharm Stat 2011;10:347–56.",
    "Wassmer G, Pahlke F. rpact: Confirmatory Adaptive Clinical Trial Design and Analysis "
    "(R package), functions getSampleSize*, getSimulationEnrichment*.",
)

CSS = """
body { font-family: 'DejaVu Sans', 'Helvetica Neue', Arial, sans-serif; font-size: 9pt; color: #222222; }
h1 { font-size: 16pt; color: #1a3d6d; margin-bottom: 2px; }
h2 { font-size: 12pt; color: #1a3d6d; margin-top: 16px; margin-bottom: 4px; }
h3 { font-size: 10pt; color: #333333; margin-top: 10px; margin-bottom: 2px; }
p { margin-top: 3px; margin-bottom: 5px; }
table.data { border-collapse: collapse; border-color: #b8c4d6; margin-top: 4px; margin-bottom: 6px; }
table.data th { background-color: #e6ecf4; text-align: left; font-weight: bold; font-size: 7.5pt; }
table.data td { font-size: 8pt; }
table.data td.num, table.data th.num { text-align: right; }
tr.best td { background-color: #fff4d6; }
.subtitle { font-size: 10pt; color: #555555; }
.small { font-size: 8pt; color: #555555; }
.note { font-size: 8pt; color: #555555; }
.just { margin-left: 6px; }
.formula { font-family: 'DejaVu Sans Mono', monospace; font-size: 8pt; }
pre { font-family: 'DejaVu Sans Mono', monospace; font-size: 7pt; white-space: pre-wrap; }
"""


def canonical_json(scenario: Scenario) -> str:
    """The scenario's canonical JSON: every field, sorted keys, no whitespace, UTF-8."""
    return json.dumps(scenario_to_dict(scenario), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def scenario_digest(scenario: Scenario) -> str:
    """SHA-256 (hex) of :func:`canonical_json` — identifies the exact assumptions reported."""
    return hashlib.sha256(canonical_json(scenario).encode("utf-8")).hexdigest()


def adaptive_available() -> bool:
    """Whether the adaptive simulator (``planner.adaptive``) is installed."""
    try:
        return importlib.util.find_spec("planner.adaptive") is not None
    except (ImportError, ValueError):
        return False


@dataclass(frozen=True)
class Report:
    """A built report: its HTML and the core results it was made from."""

    scenario: Scenario
    comparison: Comparison
    html: str
    digest: str
    generated: datetime
    justifications: dict = field(default_factory=dict)
    adaptive: dict | None = None
    messages: tuple[str, ...] = ()
    assurance: dict = field(default_factory=dict)

    @property
    def fixed_results(self) -> dict[str, DesignResult]:
        return fixed_results(self.comparison)

    def write_html(self, path: str | Path) -> None:
        """Write the HTML atomically (never a half-written file)."""
        atomic_write_text(path, self.html)


def fixed_results(comparison: Comparison) -> dict[str, DesignResult]:
    """The fixed designs' results of a comparison (the adaptive result left out)."""
    return {k: r for k, r in comparison.designs.items() if isinstance(r, DesignResult) and k in LABELS}


# --------------------------------------------------------------------------- assumptions
def _unit_for(scenario: Scenario) -> str:
    return scenario.survival.time_unit if scenario.survival else "months"


def assumption_rows(scenario: Scenario) -> list[tuple[str, str, Any, str]]:
    """(field path, label, value, unit) of every assumption in the scenario."""
    rows: list[tuple[str, str, Any, str]] = []
    pop = scenario.population
    rows += [
        ("population.prevalence", "Prevalence of biomarker-positive (B+) patients", pop.prevalence,
         "proportion of screened patients"),
        ("population.assay_sensitivity", "Assay sensitivity", pop.assay_sensitivity, "proportion"),
        ("population.assay_specificity", "Assay specificity", pop.assay_specificity, "proportion"),
    ]
    unit = _unit_for(scenario)
    for which, tag in (("positive", "B+"), ("negative", "B−")):
        sub = getattr(scenario, which)
        if scenario.endpoint == "survival":
            rows += [
                (f"{which}.control_median", f"{tag} control median", sub.control_median, unit),
                (f"{which}.hazard_ratio", f"{tag} hazard ratio", sub.hazard_ratio, "treatment / control"),
            ]
        elif scenario.endpoint == "binary":
            rows += [
                (f"{which}.control_rate", f"{tag} control rate", sub.control_rate, "probability"),
                (f"{which}.treatment_rate", f"{tag} treatment rate", sub.treatment_rate, "probability"),
            ]
        else:
            rows += [
                (f"{which}.mean_difference", f"{tag} mean difference", sub.mean_difference,
                 "outcome units (treatment − control)"),
                (f"{which}.sd", f"{tag} standard deviation", sub.sd, "outcome units"),
                (f"{which}.control_mean", f"{tag} control mean", sub.control_mean, "outcome units"),
            ]
    s = scenario.survival
    if s is not None:
        rows += [
            ("survival.accrual_time", "Accrual time (uniform)", s.accrual_time, s.time_unit),
            ("survival.follow_up_time", "Follow-up after accrual", s.follow_up_time, s.time_unit),
            ("survival.dropout_rate", "Dropout probability", s.dropout_rate,
             f"by {number(s.dropout_time)} {s.time_unit}"),
        ]
    t = scenario.testing
    rows += [
        ("testing.alpha", "Type I error (alpha)", t.alpha, "one-sided" if t.sides == 1 else "two-sided"),
        ("testing.power", "Target power", t.power, "probability"),
        ("testing.allocation_ratio", "Allocation ratio", t.allocation_ratio, "treatment : control"),
    ]
    if scenario.endpoint != "survival":
        rows.append(("testing.better", "Direction of benefit", t.better, "outcome"))
    rows.append(("testing.method", "Test", scenario.method, scenario.endpoint))
    if scenario.endpoint == "continuous":
        rows.append(("testing.heterogeneity_variance", "Mixed-arm variance includes effect spread",
                     t.heterogeneity_variance, ""))
    c = scenario.costs
    if c is not None:
        rows += [
            ("costs.per_screened", "Cost per screened patient", c.per_screened, c.currency),
            ("costs.per_randomized", "Cost per randomized patient", c.per_randomized, c.currency),
        ]
    rec = scenario.recruitment
    if rec is not None and rec.screening_rate is not None:
        rows.append(("recruitment.screening_rate", "Patients assessed", rec.screening_rate,
                     f"per {unit.rstrip('s') or 'time unit'}"))
    return rows


def provenance_for(provenance: Mapping[str, str], path: str) -> str | None:
    """The provenance note of a field: its own path, else its block's (``survival``)."""
    note = provenance.get(path, provenance.get(path.split(".")[0]))
    return None if note is None else str(note)


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return number(value)
    return str(value)


# --------------------------------------------------------------------------- methods text
def _sample_size_formula(endpoint: str, method: str) -> str:
    if endpoint == "survival":
        text = (
            "Events D = (z<sub>1−α</sub> + z<sub>1−β</sub>)² / (p(1 − p) ln² HR), p = r/(1 + r) "
            "(Schoenfeld 1981)"
            if method == "schoenfeld"
            else "Events D = (z<sub>1−α</sub> + z<sub>1−β</sub>)² (1 + r·HR)² / (r (1 − HR)²) (Freedman 1982)"
        )
        return text + (
            "; patients N = D / P(event), P(event) = λ/(λ + η)·[1 − (e<sup>−(λ+η)f</sup> − "
            "e<sup>−(λ+η)(a+f)</sup>) / ((λ + η)a)] for hazard λ, dropout hazard η, accrual a, follow-up f, "
            "averaged over arms and subgroups."
        )
    if endpoint == "binary":
        if method == "arcsine":
            return "N = (z<sub>1−α</sub> + z<sub>1−β</sub>)² / (p(1 − p) h²), Cohen's h = 2 arcsin√π<sub>T</sub> − 2 arcsin√π<sub>C</sub>."
        pooled = "pooled variance under H0, " if method == "pooled" else ""
        return (
            "N = [z<sub>1−α</sub> σ<sub>0</sub> + z<sub>1−β</sub> σ<sub>1</sub>]² / Δ², normal approximation with "
            f"{pooled}unpooled variance σ<sub>1</sub>² = π<sub>T</sub>(1 − π<sub>T</sub>)/p + "
            "π<sub>C</sub>(1 − π<sub>C</sub>)/(1 − p) under H1, no continuity correction."
        )
    if method == "z":
        return "N = (z<sub>1−α</sub> + z<sub>1−β</sub>)² σ² / (p(1 − p) Δ²) (z-test)."
    return (
        "N solves the noncentral-t power equation with df = N − 2 and noncentrality "
        "Δ √(N p(1 − p)) / σ (two-sample t-test)."
    )


DESIGN_FORMULAS = {
    "all_comers": "Everyone randomized without testing; effect E<sub>U</sub> = γδ<sub>+</sub> + (1 − γ)δ<sub>−</sub> "
    "(survival: event-weighted mean log HR).",
    "targeted": "Test-positives randomized; P(A+) = γ·se + (1 − γ)(1 − sp), PPV = γ·se / P(A+), effect "
    "E<sub>T</sub> = PPV·δ<sub>+</sub> + (1 − PPV)·δ<sub>−</sub>; screened = N / P(A+).",
    "stratified": "Everyone tested and randomized within strata; tests of F (everyone) and S (test-positive) "
    "with correlation √(I<sub>S</sub>/I<sub>F</sub>) under H0; power of each claim from the bivariate normal "
    "of (Z<sub>F</sub>, Z<sub>S</sub>).",
    "strategy": "Contrast γδ<sub>+</sub> (non-marker arm on control) or (γδ<sub>+</sub> − (1 − γ)δ<sub>−</sub>)/2 "
    "(non-marker arm randomized), sized as a two-arm trial.",
    "interaction": "Variance of the estimated difference of effects d<sub>+</sub> − d<sub>−</sub>: "
    "σ² / (N γ(1 − γ) p(1 − p)); sized to detect "
    "δ<sub>+</sub> − δ<sub>−</sub> among test-positive vs test-negative patients.",
}

DESIGN_REFERENCES = {
    "all_comers": "Mandrekar & Sargent 2009",
    "targeted": "Simon & Maitournam 2004; Maitournam & Simon 2005",
    "stratified": "Mandrekar & Sargent 2009; Spiessens & Debois 2010; Wiens 2003",
    "strategy": "Mandrekar & Sargent 2009",
    "interaction": "Mandrekar & Sargent 2009",
}


# --------------------------------------------------------------------------- HTML pieces
def _img(png: bytes, alt: str, width: int = 600) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<p align="center"><img src="data:image/png;base64,{data}" width="{width}" alt="{escape(alt)}"></p>'


def _table(
    headers: list[str],
    rows: list[str],
    num_from: int = 1,
    first_width: int | None = None,
    style: str = "",
    col_widths: list[float] | None = None,
) -> str:
    """A data table; with ``first_width`` (percent) the other columns share the rest equally."""
    widths = [""] * len(headers)
    if col_widths:
        total = sum(col_widths)
        widths = [f' width="{round(100 * w / total)}%"' for w in col_widths]
    elif first_width is not None and len(headers) > 1:
        rest = (100 - first_width) // (len(headers) - 1)
        widths = [f' width="{first_width}%"'] + [f' width="{rest}%"'] * (len(headers) - 1)
    head = "".join(
        f'<th class="num" align="right"{w}>{h}</th>' if i >= num_from else f"<th{w}>{h}</th>"
        for i, (h, w) in enumerate(zip(headers, widths))
    )
    css = f' style="{style}"' if style else ""
    return (
        f'<table class="data"{css} border="1" cellspacing="0" cellpadding="3" width="100%">'
        f"<tr>{head}</tr>{''.join(rows)}</table>"
    )


def _td(text: str, field: str | None = None, num: bool = True) -> str:
    attr = f' data-field="{field}"' if field else ""
    return f'<td class="num" align="right"{attr}>{text}</td>' if num else f"<td{attr}>{text}</td>"


def cost_scale(comparison: Comparison) -> float:
    """1, or 1e6 when a cost reaches a billion (the table then shows millions)."""
    costs = [r.cost for r in fixed_results(comparison).values() if r.feasible and r.cost is not None]
    return 1e6 if costs and max(costs) >= 1e9 else 1.0


def comparison_rows(comparison: Comparison) -> list[dict[str, str]]:
    """The design comparison table as formatted strings (what the report prints)."""
    out = []
    scale = cost_scale(comparison)
    for name, r in fixed_results(comparison).items():
        arms = r.n_per_arm or {}
        row = {
            "design": name,
            "label": r.label,
            "n_randomized": count(r.n_randomized) if r.feasible else "not attainable",
            "n_per_arm": f"{count(arms.get('treatment'))} : {count(arms.get('control'))}" if r.feasible else "—",
            "n_screened": count(r.n_screened) if r.feasible else "—",
            "events": count(r.events) if r.events is not None else "—",
            "power": percent(r.power, trim=False) if r.power is not None else "—",
            "cost": (money(r.cost, None) if scale == 1 else f"{r.cost / scale:,.1f}")
            if r.cost is not None and r.feasible else "—",
            "efficiency": number(r.efficiency, 3) if r.efficiency is not None else "—",
        }
        if r.accrual_duration is not None:
            row["time"] = f"{number(r.accrual_duration, 3)}"
        elif r.screening_rate_needed is not None:
            row["time"] = f"{number(r.screening_rate_needed, 3)} / {number(r.randomization_rate_needed, 3)}"
        else:
            row["time"] = "—"
        out.append(row)
    return out


def _comparison_table(scenario: Scenario, comparison: Comparison) -> str:
    surv = scenario.endpoint == "survival"
    currency = scenario.costs.currency if scenario.costs else ""
    headers = ["Design", "N randomized", "T : C", "Screened"]
    keys = ["n_randomized", "n_per_arm", "n_screened"]
    if surv:
        headers.append("Events")
        keys.append("events")
    headers += ["Power"]
    keys += ["power"]
    if scenario.costs is not None:
        millions = " millions" if cost_scale(comparison) != 1 else ""
        headers.append(f"Cost ({escape(currency)}{millions})")
        keys.append("cost")
    headers.append("Relative efficiency")
    keys.append("efficiency")
    if surv:
        headers.append("Per month: assessed / randomized")
        keys.append("time")
    elif scenario.recruitment is not None and scenario.recruitment.screening_rate:
        headers.append("Accrual (months)")
        keys.append("time")
    rows = []
    best = comparison.cheapest_meeting_target
    for row in comparison_rows(comparison):
        cls = ' class="best"' if row["design"] == best else ""
        cells = _td(escape(row["label"]), "label", num=False) + "".join(_td(escape(row[k]), k) for k in keys)
        rows.append(f'<tr{cls} data-design="{row["design"]}">{cells}</tr>')
    widths = [15] + [COLUMN_WIDTHS[k] for k in keys]
    return _table(headers, rows, col_widths=widths)


COLUMN_WIDTHS = {
    "n_randomized": 12, "n_per_arm": 12, "n_screened": 10, "events": 8, "power": 7, "cost": 13,
    "efficiency": 10, "time": 14,
}


def _claims_table(comparison: Comparison) -> str:
    r = fixed_results(comparison).get("stratified")
    if r is None or not r.feasible or not r.claims:
        return ""
    names = {"overall": "Full population (F)", "subgroup": "Biomarker-positive (S)",
             "either": "At least one", "both": "Both"}
    cells = "".join(_td(percent(r.claims.get(k), trim=False), f"power_{k}") for k in names)
    table = _table(list(names.values()), [f'<tr data-design="stratified-claims">{cells}</tr>'], num_from=0)
    return f"<h3>Biomarker-stratified design: power of each claim</h3>{table}"


def _assumptions_table(scenario: Scenario, comparison: Comparison) -> str:
    prov = dict(scenario.provenance)
    used: set[str] = set()
    rows = []
    for path, label, value, unit in assumption_rows(scenario):
        note = provenance_for(prov, path)
        if note is not None:
            used.add(path if path in prov else path.split(".")[0])
        rows.append(
            f'<tr data-path="{escape(path)}"><td>{escape(label)}<br><span class="small">{escape(path)}</span></td>'
            f'<td class="num" align="right">{escape(_value_text(value))}</td><td>{escape(unit)}</td>'
            f'<td>{escape(note) if note else "<i>no source given</i>"}</td></tr>'
        )
    for key in sorted(set(prov) - used):
        rows.append(f'<tr><td>{escape(key)}</td><td></td><td></td><td>{escape(str(prov[key]))}</td></tr>')
    a = comparison.assay
    derived = (
        f"<p class=\"note\">Derived: P(test+) = {percent(a.get('p_test_positive'))}, "
        f"PPV = {percent(a.get('ppv'))}, NPV = {percent(a.get('npv'))} "
        "(Simon &amp; Maitournam 2004).</p>"
    )
    table = (
        '<table class="data" border="1" cellspacing="0" cellpadding="3" width="100%">'
        '<tr><th width="26%">Assumption</th><th class="num" align="right" width="11%">Value</th>'
        '<th width="13%">Unit</th><th>Source / provenance</th></tr>'
        + "".join(rows) + "</table>"
    )
    return table + derived


def _methods_section(scenario: Scenario, comparison: Comparison) -> str:
    parts = [
        "<p>Allocation is treatment : control; sizes are totals over both arms, each arm's unrounded "
        "share rounded up. z<sub>1−α</sub> uses the one-sided alpha (alpha/2 when two-sided, in the "
        "direction of benefit). γ = prevalence, se/sp = assay sensitivity/specificity, δ<sub>+</sub>/"
        "δ<sub>−</sub> = effect in B+/B− patients, r = allocation ratio, p = r/(1 + r).</p>",
        f'<p class="formula">{_sample_size_formula(scenario.endpoint, scenario.method)}</p>',
    ]
    rows = []
    for name, r in fixed_results(comparison).items():
        rows.append(
            f"<tr><td><b>{escape(r.label)}</b></td><td>{escape(r.method)}</td>"
            f"<td>{DESIGN_FORMULAS.get(name, '')}</td><td>{escape(DESIGN_REFERENCES.get(name, ''))}</td></tr>"
        )
    parts.append(
        '<table class="data" border="1" cellspacing="0" cellpadding="3" width="100%">'
        '<tr><th width="14%">Design</th><th width="34%">Method</th><th>Formula</th>'
        '<th width="16%">Reference</th></tr>' + "".join(rows) + "</table>"
    )
    if "adaptive" in scenario.designs:
        parts.append(
            "<p><b>Adaptive enrichment.</b> Hypotheses H<sub>F</sub>, H<sub>S</sub> and their intersection; "
            "stage-wise p-values combined by the inverse-normal method with prefixed weights; interim "
            "population selection; closed testing with the chosen intersection test; operating "
            "characteristics by Monte Carlo simulation with standard errors (Brannath et al. 2009; Jenkins, "
            "Stone &amp; Jennison 2011; rpact getSimulationEnrichment*).</p>"
        )
    refs = "".join(f"<li>{escape(ref)}</li>" for ref in REFERENCES)
    parts.append(f'<h3>References</h3><ol class="small">{refs}</ol>')
    return "".join(parts)


def _adaptive_section(scenario: Scenario, sim: Mapping[str, Any] | None, message: str | None, heading: str) -> str:
    opts = scenario.designs.get("adaptive")
    if not isinstance(opts, AdaptiveOptions):
        return ""
    head = heading
    if sim is None:
        return head + f'<p class="note">{escape(message or "Not simulated.")}</p>'
    keys = [
        ("reject_subgroup", "Reject H<sub>S</sub> (biomarker-positive)"),
        ("reject_overall", "Reject H<sub>F</sub> (full population)"),
        ("reject_at_least_one", "Reject at least one"),
        ("reject_both", "Reject both"),
        ("select_subgroup_only", "Continue with S only after the interim"),
        ("select_overall_only", "Continue with F only after the interim"),
        ("select_both", "Continue with both after the interim"),
        ("early_stop_efficacy", "Stop early for efficacy"),
        ("early_stop_futility", "Stop early for futility"),
    ]
    rows = []
    for k, label in keys:
        if sim.get(k) is None:
            continue
        se = sim.get(f"{k}_se")
        rows.append(
            f'<tr data-field="{k}"><td>{label}</td>{_td(percent(sim[k], trim=False), k)}'
            f"{_td(percent(se, 2, trim=False) if se is not None else '—', k + '_se')}</tr>"
        )
    for k, label in (
        ("expected_subjects", "Expected number of patients randomized"),
        ("expected_events", "Expected number of events"),
        ("expected_screened", "Expected number of patients screened"),
    ):
        if sim.get(k) is None:
            continue
        se = sim.get(f"{k}_se")
        rows.append(
            f'<tr data-field="{k}"><td>{label}</td>{_td(number(sim[k], 5), k)}'
            f"{_td(number(se, 2) if se is not None else '—', k + '_se')}</tr>"
        )
    table = _table(["Operating characteristic", "Estimate", "Monte Carlo SE"], rows)
    meta = (
        f'<p class="note">{count(sim.get("simulations"))} simulated trials, seed {escape(str(sim.get("seed", "—")))}; '
        f"selection rule {escape(opts.selection.rule)}, intersection test {escape(opts.intersection_test)}, "
        f"{escape(opts.boundaries.replace('_', '-'))} boundaries, information rates "
        f"{escape(', '.join(number(x) for x in opts.information_rates))}.</p>"
    )
    if sim.get("method"):
        meta += f'<p class="note">Method: {escape(str(sim["method"]))}.</p>'
    return head + table + meta


def compute_assurance(scenario: Scenario, comparison: Comparison) -> dict:
    """Assurance of every fixed design when the scenario has an ``uncertainty`` block."""
    if scenario.uncertainty is None:
        return {}
    try:
        from ..assurance import assurance_for_comparison
    except ModuleNotFoundError:  # pragma: no cover - the module ships with the core
        return {}
    return dict(assurance_for_comparison(scenario, comparison))


def _assurance_section(scenario: Scenario, assurance: Mapping[str, Any], include_figures: bool = True) -> str:
    from ..assurance import describe_uncertainty

    first = next(iter(assurance.values()))
    items = "".join(f"<li>{escape(line)}</li>" for line in describe_uncertainty(scenario))
    intro = (
        f"<p>Assurance is the power averaged over the distribution of the uncertain inputs "
        f"(O'Hagan, Stevens &amp; Campbell 2005), from {count(first.draws)} prior draws (seed "
        f"{escape(str(first.seed))}):</p><ul>{items}</ul>"
    )
    threshold = percent(first.power_threshold)
    rows = []
    for name, a in assurance.items():
        size = a.size_for_assurance
        if size is None:
            size_text = "—"
        elif size.feasible:
            size_text = count(size.n_randomized) + (f" ({count(size.events)} events)" if size.events is not None else "")
        else:
            size_text = "not attainable"
        rows.append(
            f'<tr data-design="assurance-{name}">{_td(escape(a.label), "label", num=False)}'
            f"{_td(count(a.n_randomized) if a.n_randomized is not None else '—', 'n_randomized')}"
            f"{_td(percent(a.power, trim=False) if a.power is not None else '—', 'power')}"
            f"{_td(percent(a.assurance, trim=False) if a.assurance is not None else '—', 'assurance')}"
            f"{_td(percent(a.assurance_se, 2, trim=False) if a.assurance_se is not None else '—', 'assurance_se')}"
            f"{_td(percent(a.prob_power_above, trim=False) if a.prob_power_above is not None else '—', 'prob_power_above')}"
            f"{_td(size_text, 'size_for_assurance')}</tr>"
        )
    target = percent(first.size_for_assurance.target) if first.size_for_assurance is not None else "—"
    table = _table(
        ["Design", "N randomized", "Power at the assumptions", "Assurance", "Monte Carlo SE",
         f"P(power &gt; {threshold})", f"N for {target} assurance"],
        rows, col_widths=[18, 12, 13, 12, 12, 13, 20],
    )
    figure = ""
    png = figures.power_distribution_png(assurance) if include_figures else None
    if png:
        figure = (
            _img(png, "Distribution of power under the uncertain assumptions")
            + '<p class="note" data-figure="power-distribution">Distribution of power: for each design, the '
            "power at its planned size under each prior draw of the uncertain inputs (shaded: histogram of "
            "the draws; bars: 5–95% and 25–75% of the draws; circle: median; diamond: the assurance, "
            f"i.e. the mean; dashed line: {threshold} power).</p>"
        )
    return intro + table + figure


# --------------------------------------------------------------------------- building
def build_report(
    scenario: Scenario,
    *,
    source_name: str | None = None,
    include_figures: bool = True,
    include_adaptive: bool = True,
    generated: datetime | None = None,
) -> Report:
    """Compute every design of ``scenario`` and lay out the report.

    ``source_name`` is shown as the scenario file's name; ``generated`` (UTC) fixes the date
    (default: now). The adaptive design is simulated when the scenario has one and
    ``planner.adaptive`` is installed.
    """
    generated = generated or datetime.now(timezone.utc)
    messages: list[str] = []
    has_adaptive = isinstance(scenario.designs.get("adaptive"), AdaptiveOptions)
    simulate = has_adaptive and include_adaptive and adaptive_available()
    if has_adaptive and include_adaptive and not simulate:
        messages.append("The adaptive design was not simulated: the simulator (planner.adaptive) is not installed.")
    elif has_adaptive and not include_adaptive:
        messages.append("The adaptive design was not simulated (left out on request).")
    comparison = compare_designs(scenario, include_adaptive=simulate)
    sim = None
    if simulate and comparison.designs.get("adaptive") is not None:
        raw = comparison.designs["adaptive"]
        sim = raw.to_dict() if hasattr(raw, "to_dict") else dict(raw)
    fixed = fixed_results(comparison)
    digest = scenario_digest(scenario)
    assurance = compute_assurance(scenario, comparison)
    just = {
        name: justification(scenario, r, comparison.assay, __version__, assurance.get(name))
        for name, r in fixed.items()
    }
    if sim is not None:
        just["adaptive"] = adaptive_justification(scenario, sim)

    title = scenario.title or "Untitled scenario"
    t = scenario.testing
    numbers = itertools.count(1)

    def section(name: str) -> str:
        return f"<h2>{next(numbers)}. {escape(name)}</h2>"

    html: list[str] = [
        '<!DOCTYPE html><html><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="subtitle">Sample-size report, {escape(scenario.endpoint)} endpoint</p>',
        '<table class="meta" cellspacing="0" cellpadding="2">',
        f"<tr><td><b>Date</b></td><td>{generated.strftime('%Y-%m-%d %H:%M UTC')}</td></tr>",
        f"<tr><td><b>Software</b></td><td>Enrichment Planner {escape(__version__)}</td></tr>",
    ]
    if source_name:
        html.append(f"<tr><td><b>Scenario file</b></td><td>{escape(source_name)}</td></tr>")
    html += [
        f'<tr><td><b>Scenario SHA-256</b></td><td class="small" data-field="digest">{digest}</td></tr>',
        f"<tr><td><b>Error rates</b></td><td>{escape(('one' if t.sides == 1 else 'two') + '-sided alpha ' + number(t.alpha))}, "
        f"target power {percent(t.power)}</td></tr>",
        "</table>",
    ]
    if scenario.notes:
        html.append(f"<p><i>{escape(scenario.notes)}</i></p>")
    if fixed:
        best = comparison.cheapest_meeting_target
        if best and best in fixed:
            r = fixed[best]
            crit = "lowest cost" if scenario.costs is not None else "fewest randomized patients"
            html.append(
                f"<p><b>Summary.</b> Of the designs that reach the target power, the <b>{escape(r.label)}</b> "
                f"design has the {crit}: {count(r.n_randomized)} randomized"
                + (f", {count(r.n_screened)} screened" if r.n_screened else "")
                + (f", {count(r.events)} events" if r.events is not None else "")
                + (f", {money(r.cost, r.currency)}" if r.cost is not None else "")
                + "."
                + (
                    " Note that the interaction design tests whether the effect differs between "
                    "biomarker groups, not whether the treatment works in either of them."
                    if best == "interaction"
                    else ""
                )
                + " The choice between designs also depends on which claims the trial must support "
                "(biomarker-positive only, or the full population).</p>"
            )
    for msg in messages:
        html.append(f'<p class="note">{escape(msg)}</p>')

    html.append(section("Design comparison"))
    if fixed:
        html.append(_comparison_table(scenario, comparison))
        html.append(
            '<p class="note">N randomized: total over both arms. Screened: patients tested with the assay '
            "(targeted: N / P(test+); stratified, strategy and interaction designs test everyone randomized). "
            "T : C: treatment and control arms. Power: achieved at the integer sizes. Efficiency: all-comers "
            "N / design N. Highlighted: the "
            "cheapest design reaching the target power.</p>"
        )
        html.append(_claims_table(comparison))
    html.append(section("Sample-size justification"))
    for name, text in just.items():
        label = "Adaptive enrichment" if name == "adaptive" else fixed[name].label
        html.append(f'<h3>{escape(label)}</h3><p class="just" data-design="{name}">{escape(text)}</p>')

    html.append(section("Assumptions"))
    html.append(_assumptions_table(scenario, comparison))

    if include_figures and fixed:
        html.append(section("Figures"))
        for fn, alt in (
            (figures.power_curves_png, "Power against sample size"),
            (figures.prevalence_curves_png, "Sample size against prevalence"),
            (figures.negative_effect_png, "Power against the biomarker-negative effect"),
        ):
            png = fn(scenario, fixed)
            if png:
                html.append(_img(png, alt))
        dm = figures.design_map_png(scenario)
        if dm is not None:
            html.append(_img(dm[0], "Design map"))
            html.append(
                '<p class="note">Design map: for each prevalence and biomarker-negative effect (other assumptions '
                "as above), the design needing the "
                + ("lowest cost" if dm[1] == "cost" else "fewest randomized patients")
                + " to reach the target power. The targeted design supports a claim in test-positive patients "
                "only.</p>"
            )
    if assurance:
        html.append(section("Assurance (probability of success)"))
        html.append(_assurance_section(scenario, assurance, include_figures))
    if has_adaptive:
        heading = section("Adaptive enrichment design: operating characteristics")
        html.append(_adaptive_section(scenario, sim, messages[0] if messages else None, heading))
    html.append(section("Methods"))
    html.append(_methods_section(scenario, comparison))
    html.append(section("Reproducibility"))
    html.append(
        "<p>Every number above can be reproduced from the scenario file with "
        f"<span class=\"formula\">enrichment-planner compute {escape(source_name or 'SCENARIO.json')} --format json</span>. "
        f"The SHA-256 digest {digest} is taken over the scenario's canonical JSON (all fields, sorted keys, "
        "no whitespace, UTF-8); the scenario is reproduced in the appendix.</p>"
    )
    html.append('<h2 style="page-break-before: always">Appendix: scenario</h2>')
    html.append(f"<pre>{escape(json.dumps(scenario_to_dict(scenario), indent=1, ensure_ascii=False))}</pre>")
    html.append("</body></html>")
    return Report(
        scenario=scenario,
        comparison=comparison,
        html="\n".join(p for p in html if p),
        digest=digest,
        generated=generated,
        justifications=just,
        adaptive=sim,
        messages=tuple(messages),
        assurance=assurance,
    )


def write_report_html(report: Report, path: str | Path) -> None:
    """Write the report's HTML atomically."""
    report.write_html(path)
