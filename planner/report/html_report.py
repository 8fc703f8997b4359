"""The HTML report: the question solved, a summary, the design comparison (with the adaptive
design when the comparison has it), sample-size justifications, assumptions with provenance,
figures, assurance, methods and the scenario itself.

:func:`build_report` lays the sections out; they are built in :mod:`.sections`,
:mod:`.assumptions`, :mod:`.assurance_section` and :mod:`.methods` from HTML pieces of
:mod:`.markup`, where every user string is escaped. The report contains no script and fetches
nothing: its images are its own, by name (``Report.images``), embedded as ``data:`` URLs in the
HTML file and served from memory to the PDF renderer.
"""

from __future__ import annotations

import hashlib
import importlib.util
import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .. import __version__
from ..assurance import assurance_for_comparison
from ..catalogue import DESIGNS, design_label, phrase
from ..compute import compare_designs
from ..results import Comparison, DesignResult
from ..scenario import AdaptiveOptions, Scenario
from ..scenario_io import atomic_write_text, scenario_to_dict
from . import figures
from .assumptions import assumptions_table
from .assurance_section import assurance_section, printable
from .common import fixed_results
from .fmt import alpha_phrase, percent
from .interim_section import interim_section
from .justification import adaptive_justification, justification
from .markup import CSS, Markup, embed_images, esc, img, join, tag
from .methods import methods_section
from .populations_section import populations_section, targeted_population
from .sections import (
    adaptive_section,
    claims_table,
    comparison_table,
    question_sentence,
    summary_paragraph,
)
from .sweep_section import kept_results, sweep_section

__all__ = ["Report", "adaptive_available", "build_report", "canonical_json", "fixed_results", "scenario_digest",
           "write_report_html"]


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


def same_assumptions(a: Scenario, b: Scenario) -> bool:
    """Whether two scenarios give the same numbers (title, notes and provenance aside) — e.g.
    whether an adaptive run made in the app belongs to the scenario being reported."""
    def strip(s: Scenario) -> Scenario:
        return replace(s, title="", notes="", provenance={})

    return strip(a) == strip(b)


@dataclass(frozen=True)
class Report:
    """A built report: its HTML, its images and the results it was made from.

    ``html`` is self-contained (images as ``data:`` URLs); ``print_html`` refers to the images by
    name (``images``) for the PDF renderer, which loads nothing else.
    """

    scenario: Scenario
    comparison: Comparison
    html: str
    digest: str
    generated: datetime
    justifications: dict = field(default_factory=dict)
    adaptive: dict | None = None
    messages: tuple[str, ...] = ()
    assurance: dict = field(default_factory=dict)
    question: str = "auto"
    n_randomized: int | None = None
    print_html: str = ""
    images: Mapping[str, bytes] = field(default_factory=dict)

    @property
    def fixed_results(self) -> dict[str, DesignResult]:
        return fixed_results(self.comparison)

    def write_html(self, path: str | Path) -> None:
        """Write the HTML atomically (never a half-written file)."""
        atomic_write_text(path, self.html)


def _adaptive(scenario: Scenario, comparison: Comparison, result: Any, include: bool) -> tuple[dict | None, list[str]]:
    """The adaptive design's results as a dictionary (from ``result``, a run made in the app, or
    the comparison), and the messages explaining a missing one."""
    if not isinstance(scenario.designs.get("adaptive"), AdaptiveOptions):
        return None, []
    raw = result if result is not None else comparison.designs.get("adaptive")
    if raw is not None:
        return (raw.to_dict() if hasattr(raw, "to_dict") else dict(raw)), []
    if not include:
        return None, ["The adaptive design was not simulated (left out on request)."]
    return None, ["The adaptive design was not simulated: the simulator (planner.adaptive) is not installed."]


def _with_adaptive_assurance(scenario: Scenario, assurance: dict, sim: dict | None, given: Any) -> dict:
    """``assurance`` plus the adaptive design's (``given``, e.g. the app's run, or simulated by
    :func:`planner.adaptive.assurance.adaptive_assurance` at its point power) when the report has the
    adaptive design's simulation and the fixed designs' assurance describes the report's assumptions."""
    if sim is None or not assurance or not printable(assurance):
        return assurance
    if given is None:
        from ..adaptive.assurance import adaptive_assurance  # noqa: PLC0415 (simulated: only when needed)

        given = adaptive_assurance(scenario, power=sim.get("power"))
    if given.n_randomized is None and sim.get("n_randomized") is not None:   # survival: the simulated maximum patients
        given = replace(given, n_randomized=int(sim["n_randomized"]))
    return {**assurance, "adaptive": given}


def _header(scenario: Scenario, question: str, n: int | None, source: str | None, digest: str,
            generated: datetime) -> Markup:
    title = scenario.title or "Untitled scenario"
    t = scenario.testing
    meta = [("Date", generated.strftime("%Y-%m-%d %H:%M UTC")), ("Software", f"Enrichment Planner {__version__}")]
    if source:
        meta.append(("Scenario file", source))
    meta += [("Scenario SHA-256", tag("span", digest, class_="small", data_field="digest")),
             ("Error rates", f"{alpha_phrase(t.alpha, t.sides)}, target power {percent(t.power)}"),
             ("Question solved", tag("span", question_sentence(scenario, question, n), data_field="question"))]
    rows = join(tag("tr", tag("td", tag("b", k)) + tag("td", v)) for k, v in meta)
    parts = [tag("h1", title),
             tag("p", f"Sample-size report, {phrase('endpoint', scenario.endpoint)} endpoint", class_="subtitle"),
             Markup('<table class="meta" cellspacing="0" cellpadding="2">') + rows + Markup("</table>")]
    if scenario.notes:
        parts.append(tag("p", tag("i", scenario.notes)))
    return join(parts)


def _figures(scenario: Scenario, fixed: dict, images: dict[str, bytes]) -> Markup:
    parts = []
    for i, (fn, alt) in enumerate((
        (figures.power_curves_png, "Power against sample size"),
        (figures.prevalence_curves_png, "Sample size against prevalence"),
        (figures.negative_effect_png, "Power against the biomarker-negative effect"),
    ), start=1):
        png = fn(scenario, fixed)
        if png:
            images[f"figure-{i}.png"] = png
            parts.append(img(f"figure-{i}.png", alt))
    dm = figures.design_map_png(scenario, fixed)
    if dm is not None:
        images["design-map.png"] = dm[0]
        axes = "prevalence and biomarker-negative effect"
        claim = "test-positive patients only"
        if scenario.has_cells and scenario.population.populations:  # the first population's prevalence, effect outside it
            first = scenario.population.populations[0].name
            axes = f"prevalence of population {first} and effect outside it"
            claim = f"population {targeted_population(scenario)} only"
        parts += [img("design-map.png", "Design map"), tag("p", (
            f"Design map: for each {axes} (other assumptions as above), the design "
            "needing the " + ("lowest cost" if dm[1] == "cost" else "fewest randomized patients")
            + f" to reach the target power. The targeted design supports a claim in {claim}."),
            class_="note")]
    return join(parts)


def build_report(
    scenario: Scenario,
    *,
    source_name: str | None = None,
    include_figures: bool = True,
    include_adaptive: bool = True,
    generated: datetime | None = None,
    question: str = "auto",
    n_randomized: int | None = None,
    adaptive_result: Any = None,
    sweep_result: Mapping | None = None,
    fwer_result: Mapping | None = None,
    adaptive_assurance: Any = None,
) -> Report:
    """Compute every design of ``scenario`` for ``question`` (``auto``, ``sample_size`` (or
    ``sample-size``), ``power`` or ``effect``; the last two at ``n_randomized`` total patients, or at the sizes fixed
    in the scenario) and lay out the report.

    ``adaptive_result`` (an ``AdaptiveResult`` or its dictionary: a run the app just made for
    this scenario) is reported as it is; otherwise the adaptive design, when the scenario has one,
    is simulated (unless ``include_adaptive`` is False). ``source_name`` is shown as the
    scenario file's name; ``generated`` (UTC) fixes the date (default: now). A simulation kept in the
    file for these inputs (``designs.adaptive.results``) is reported instead of simulating again;
    ``sweep_result`` / ``fwer_result`` (or the kept ones) add the operating-characteristic section.
    With an ``uncertainty`` block the adaptive design's assurance is ``adaptive_assurance`` (a run
    made in the app) or simulated here (:func:`planner.adaptive.assurance.adaptive_assurance`).
    """
    generated = generated or datetime.now(timezone.utc)
    question = question.replace("-", "_")  # the command line's spelling (sample-size)
    if adaptive_result is None and include_adaptive:
        adaptive_result = kept_results(scenario)[0].get("simulation")
    simulate = include_adaptive and adaptive_result is None and adaptive_available()
    comparison = compare_designs(scenario, question=question, n_randomized=n_randomized,
                                 include_adaptive=simulate and "adaptive" in scenario.designs)
    sim, messages = _adaptive(scenario, comparison, adaptive_result, include_adaptive)
    fixed = fixed_results(comparison)
    digest = scenario_digest(scenario)
    assurance = _with_adaptive_assurance(scenario, assurance_for_comparison(scenario, comparison), sim,
                                         adaptive_assurance)
    shown = printable(assurance)
    just = {name: justification(scenario, r, comparison.assay, __version__, shown.get(name)) for name, r in fixed.items()}
    if sim is not None:
        just["adaptive"] = adaptive_justification(scenario, sim)
    images: dict[str, bytes] = {}
    numbers = itertools.count(1)

    def section(name: str, *body: Any) -> Markup:
        return tag("h2", f"{next(numbers)}. {name}") + join(body)

    body: list[Any] = [_header(scenario, question, n_randomized, source_name, digest, generated)]
    if fixed:
        body.append(summary_paragraph(scenario, comparison, sim))
    body += [tag("p", m, class_="note") for m in messages]
    body.append(section("Design comparison", *(
        (comparison_table(scenario, comparison, question, sim), claims_table(comparison)) if fixed else ())))
    if scenario.has_cells:  # several populations: one subsection each (populations_section.py)
        body.append(section("Populations", populations_section(scenario, comparison, sim,
                                                               images if include_figures else None, shown)))
    body.append(section("Sample-size justification", *(
        tag("h3", DESIGNS[name].label) + tag("p", text, class_="just", data_design=name) for name, text in just.items())))
    interim = interim_section(scenario, fixed, images if include_figures else None)
    if interim:
        body.append(section("Interim analyses: group-sequential boundaries", interim))
    body.append(section("Assumptions", assumptions_table(scenario, comparison)))
    if scenario.endpoint == "survival":
        from .survival_section import survival_section  # noqa: PLC0415

        body.append(section("Survival assumptions", survival_section(scenario, images if include_figures else None)))
    if include_figures and fixed:
        body.append(section("Figures", _figures(scenario, fixed, images)))
    if scenario.biomarker is not None:  # the cutoff explorer (planner.cutoff)
        from .cutoff_section import cutoff_section  # noqa: PLC0415

        body.append(section("Cutoff explorer", cutoff_section(scenario, images if include_figures else None)))
    if assurance:
        body.append(section("Assurance (probability of success)",
                            assurance_section(scenario, assurance, images if include_figures else None)))
    if "adaptive" in scenario.designs:
        body.append(section(f"{design_label('adaptive')} design: operating characteristics",
                            adaptive_section(scenario, sim, messages[0] if messages else None)))
        oc = sweep_section(scenario, images if include_figures else None, sweep=sweep_result, fwer=fwer_result)
        if oc:
            body.append(section(f"{design_label('adaptive')} design: sweep and type I error", oc))
    body.append(section("Methods", methods_section(scenario, comparison)))
    body.append(section("Reproducibility", _reproducibility(source_name, question, n_randomized, digest)))
    body.append(Markup('<h2 style="page-break-before: always">Appendix: scenario</h2>')
                + tag("pre", json.dumps(_appendix(scenario), indent=1, ensure_ascii=False)))
    title = esc(scenario.title or "Untitled scenario")
    page = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title><style>{CSS}</style></head>'
            f"<body>\n{join(body, chr(10))}\n</body></html>")
    return Report(
        scenario=scenario, comparison=comparison, html=embed_images(page, images), digest=digest,
        generated=generated, justifications=just, adaptive=sim, messages=tuple(messages), assurance=assurance,
        question=question, n_randomized=n_randomized, print_html=page, images=dict(images),
    )


def _appendix(scenario: Scenario) -> dict:
    """The scenario as in its file, without the results kept by the app (reported above)."""
    data = scenario_to_dict(scenario)
    (data.get("designs") or {}).get("adaptive", {}).pop("results", None)
    return data


def _reproducibility(source: str | None, question: str, n: int | None, digest: str) -> Markup:
    args = "" if question == "auto" else f" --question {question.replace('_', '-')}"
    args += f" --n-randomized {n}" if n is not None else ""
    command = f"enrichment-planner compute {source or 'SCENARIO.json'}{args} --format json"
    return tag("p", join([
        "Every number above can be reproduced from the scenario file with ", tag("span", command, class_="formula"),
        f". The SHA-256 digest {digest} is taken over the scenario's canonical JSON (all fields, sorted keys, "
        "no whitespace, UTF-8); the scenario is reproduced in the appendix."]))


def write_report_html(report: Report, path: str | Path) -> None:
    """Write the report's HTML atomically."""
    report.write_html(path)
