"""The report's assumption table: every assumption with its value, unit and provenance.

Labels and option phrases come from :mod:`planner.catalogue`. A provenance note that records the
value it was written for (:class:`~planner.scenario.ProvenanceNote`) and no longer matches the
field is marked as describing another value, with both values shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..catalogue import FIELDS_BY_PATH, phrase
from ..results import Comparison
from ..scenario import ProvenanceNote, Scenario
from ..scenario_io import scenario_to_dict
from ..validation import get_path
from .fmt import number, percent, value_text
from .markup import Markup, auto_widths, esc, join, row, table, tag, td

SUBGROUP_TAGS = {"positive": "B+", "negative": "B−"}


def time_unit(scenario: Scenario) -> str:
    """The scenario's time unit (months unless a survival block says otherwise)."""
    return scenario.survival.time_unit if scenario.survival else "months"


def per_time_unit(scenario: Scenario) -> str:
    """``per month`` (singular of the time unit)."""
    return f"per {time_unit(scenario).removesuffix('s') or 'time unit'}"


def label(path: str) -> str:
    """The catalogue's label of a field, with B+/B− for the subgroup fields."""
    spec = FIELDS_BY_PATH.get(path)
    text = spec.label if spec else path
    tag_ = SUBGROUP_TAGS.get(path.split(".")[0])
    return f"{tag_} {text[0].lower()}{text[1:]}" if tag_ else text


def _subgroup_rows(scenario: Scenario) -> list[tuple[str, Any, str]]:
    unit = time_unit(scenario)
    keys = {
        "survival": (("control_median", unit), ("hazard_ratio", "treatment / control")),
        "binary": (("control_rate", "probability"), ("treatment_rate", "probability")),
        "continuous": (("mean_difference", "outcome units (treatment − control)"), ("sd", "outcome units"),
                       ("control_mean", "outcome units")),
    }[scenario.endpoint]
    return [(f"{which}.{key}", getattr(getattr(scenario, which), key), u)
            for which in ("positive", "negative") for key, u in keys]


def assumption_rows(scenario: Scenario) -> list[tuple[str, str, Any, str]]:
    """(field path, label, value as shown, unit) of every assumption in the scenario."""
    pop, t = scenario.population, scenario.testing
    rows: list[tuple[str, Any, str]] = [
        ("population.prevalence", pop.prevalence, "proportion of screened patients"),
        ("population.assay_sensitivity", pop.assay_sensitivity, "proportion"),
        ("population.assay_specificity", pop.assay_specificity, "proportion"),
        *_subgroup_rows(scenario),
    ]
    s = scenario.survival
    if s is not None:
        rows += [
            ("survival.accrual_time", s.accrual_time, s.time_unit),
            ("survival.follow_up_time", s.follow_up_time, s.time_unit),
            ("survival.dropout_rate", s.dropout_rate, f"probability by {number(s.dropout_time)} {s.time_unit}"),
        ]
    rows += [
        ("testing.alpha", t.alpha, phrase("sides", t.sides)),
        ("testing.power", t.power, "probability"),
        ("testing.allocation_ratio", t.allocation_ratio, "treatment : control"),
    ]
    if scenario.endpoint != "survival":
        rows.append(("testing.better", phrase("better", t.better), "outcome"))
    rows.append(("testing.method", phrase(f"method.{scenario.endpoint}", scenario.method),
                 f"{phrase('endpoint', scenario.endpoint)} endpoint"))
    if scenario.endpoint == "continuous":
        rows.append(("testing.heterogeneity_variance", t.heterogeneity_variance, ""))
    c = scenario.costs
    if c is not None:
        rows += [
            ("costs.per_screened", c.per_screened, f"{c.currency} per patient"),
            ("costs.per_randomized", c.per_randomized, f"{c.currency} per patient"),
        ]
    rec = scenario.recruitment
    if rec is not None and rec.screening_rate is not None:
        rows.append(("recruitment.screening_rate", rec.screening_rate, f"patients assessed {per_time_unit(scenario)}"))
    out = [(path, label(path), value, unit) for path, value, unit in rows]
    if scenario.has_cells:  # the cells and populations replace B+/B− (planner/report/populations_section.py)
        from .populations_section import cell_assumption_rows  # noqa: PLC0415

        replaced = ("population.prevalence", "population.assay_sensitivity", "population.assay_specificity",
                    "positive.", "negative.")
        out = cell_assumption_rows(scenario) + [r for r in out if not r[0].startswith(replaced)]
    return out


@dataclass(frozen=True)
class NoteStatus:
    """A provenance note as the report shows it: where it is attached and whether it still fits."""

    path: str
    note: ProvenanceNote
    current: Any

    @property
    def stale(self) -> bool:
        return not self.note.describes(self.current)


def note_for(scenario: Scenario, path: str, data: Mapping | None = None) -> NoteStatus | None:
    """The provenance note of a field — its own, else its block's (``survival``) — and its status."""
    prov = scenario.provenance
    # its own, else its list's (population.cells for population.cells[1].prevalence), else its block's
    key = next((k for k in (path, path.split("[")[0], path.split(".")[0]) if k in prov), None)
    if key is None:
        return None
    data = data if data is not None else scenario_to_dict(scenario)
    return NoteStatus(key, prov[key], get_path(data, key))


def provenance_for(provenance: Mapping[str, Any], path: str) -> str | None:
    """The provenance text of a field: its own path's, else its block's."""
    note = provenance.get(path, provenance.get(path.split(".")[0]))
    return None if note is None else str(note)


def note_cell(status: NoteStatus | None) -> Markup:
    """The provenance cell: the source, and a warning when it was written for another value."""
    if status is None:
        return tag("i", "no source given")
    text = esc(status.note.source)
    if not status.stale:
        return text
    now = status.current if not isinstance(status.note.value, Mapping) else {
        k: get_path(status.current or {}, k) for k in status.note.value}
    warning = tag("b", "Written for another value: ") + (
        f"{value_text(status.note.value)} when the note was written, {value_text(now)} now. ")
    return tag("span", warning, class_="stale", data_stale=status.path) + text


def assumptions_table(scenario: Scenario, comparison: Comparison) -> Markup:
    """Every assumption, its value, unit and source; then notes on blocks not listed; then P(test+)."""
    data = scenario_to_dict(scenario)
    used: set[str] = set()
    heads = ["Assumption", "Value", "Unit", "Source / provenance"]
    rows, texts = [], [[h] for h in heads]  # texts: each column's words, for the column widths
    for path, name, value, unit in assumption_rows(scenario):
        status = note_for(scenario, path, data)
        # a list's or block's note (population.cells, survival) in full once, then "as above"
        again = status is not None and status.path != path and status.path in used and not status.stale
        source = tag("i", f"as above ({status.path})") if again else note_cell(status)
        if status is not None:
            used.add(status.path)
        rows.append(row([
            tag("td", join([name, Markup("<br>"), tag("span", path, class_="small")])),
            td(value_text(value), "value"), td(unit, num=False), td(source, "provenance", num=False),
        ], data_path=path))
        for col, text in zip(texts, (name, value_text(value), unit, status.note.source if status and not again else "")):
            col.append(text)
        texts[0].append(path)  # a word the column must hold (in a smaller font)
    for key in sorted(set(scenario.provenance) - used):
        status = NoteStatus(key, scenario.provenance[key], get_path(data, key))
        rows.append(row([td(key, num=False), td(""), td("", num=False), td(note_cell(status), "provenance", num=False)],
                        data_path=key))
        texts[0].append(key)
        texts[3].append(status.note.source)
    # sized to their content: short values stay narrow, the sources take the room
    widths = auto_widths(texts)
    a = comparison.assay
    if scenario.has_cells:  # no assay misclassification in the cells form: no PPV/NPV
        return table(heads, rows, num_cols={1}, col_widths=widths)
    derived = tag("p", f"Derived: P(test+) = {percent(a.get('p_test_positive'))}, PPV = {percent(a.get('ppv'))}, "
                       f"NPV = {percent(a.get('npv'))} (Simon & Maitournam 2004).", class_="note")
    return table(heads, rows, num_cols={1}, col_widths=widths) + derived


__all__ = ["NoteStatus", "assumption_rows", "assumptions_table", "label", "note_for", "provenance_for",
           "time_unit", "value_text"]
