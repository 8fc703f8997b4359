"""Results of the cells form (several biomarker populations) as the app's tables show them: the
stratified design's claim per population (``power_by_population``, F first) with at least one
and all, and the population a targeted design randomizes (``details["population"]``)."""

from __future__ import annotations

from planner.catalogue import FULL_POPULATION, FULL_POPULATION_WORDS, POPULATION_CLAIMS

#: the short names of the claims of the cells form in the comparison table
CLAIM_SHORT = {"at_least_one": "≥1", "all": "all"}
CLAIMS_HEADER = f"Claims: {FULL_POPULATION} · populations · ≥1 · all"


def _p(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def population_claims(result) -> tuple[str, str] | None:
    """(text, tooltip) of a design's power per population (None in the two-subgroup form)."""
    by_pop = getattr(result, "power_by_population", None)
    if not by_pop:
        return None
    claims = getattr(result, "claims", None) or {}
    text = " · ".join(f"{name} {_p(v)}" for name, v in by_pop.items())
    extra = [f"{CLAIM_SHORT[k]} {_p(claims[k])}" for k in POPULATION_CLAIMS if claims.get(k) is not None]
    tip = "\n".join(
        [f"power of the claim in {FULL_POPULATION_WORDS if n == FULL_POPULATION else 'population ' + n}: {_p(v)}"
         for n, v in by_pop.items()]
        + [f"power of {words}: {_p(claims[k])}" for k, words in POPULATION_CLAIMS.items() if claims.get(k) is not None])
    return " · ".join([text, *extra]), tip


def design_population(result) -> str:
    """The population a design randomizes (targeted, strategy in the cells form), or ''."""
    details = getattr(result, "details", None) or {}
    value = getattr(result, "population", None) or details.get("population")
    return value if isinstance(value, str) else ""


def adaptive_population_rows(result: dict) -> list[tuple[str, float, float | None]]:
    """(label, estimate, SE) of the adaptive design's per-population rejection and selection."""
    out = []
    for key, words in (("reject_by_population", "P(reject {})"), ("selected_by_population", "P(select {} at the end)")):
        ses = result.get(f"{key}_se") or {}
        for name, value in (result.get(key) or {}).items():
            who = f"H_F: {FULL_POPULATION_WORDS}" if name == FULL_POPULATION else f"population {name}"
            out.append((words.format(who), float(value), ses.get(name)))
    return out


def show_adaptive_populations(tab, result: dict, base_rows: int) -> None:
    """The adaptive tab with several populations: a row per population's rejection and selection
    (after the ``base_rows`` two-subgroup rows, of which those without a value are hidden) and the
    bars of :func:`planner.figures_populations.adaptive_by_population_draw`."""
    from PySide6.QtWidgets import QTableWidgetItem

    from planner.figures_populations import (
        adaptive_by_population_csv,
        adaptive_by_population_draw,
        has_populations,
    )

    rows = adaptive_population_rows(result) if has_populations(result) else []
    table = tab.table
    table.setRowCount(base_rows + len(rows))
    for j, (label, value, se) in enumerate(rows):
        table.setVerticalHeaderItem(base_rows + j, QTableWidgetItem(label))
        table.setItem(base_rows + j, 0, QTableWidgetItem(f"{value:.4f}"))
        table.setItem(base_rows + j, 1, QTableWidgetItem("—" if se is None else f"{se:.4f}"))
    if not rows:
        return
    from planner.report.populations_section import TWO_SUBGROUP_ADAPTIVE_KEYS

    from .adaptive_tab import RESULT_ROWS

    for i, (key, _label) in enumerate(RESULT_ROWS[:base_rows]):
        item = table.item(i, 0)
        table.setRowHidden(i, item is None or item.text() == "—" or key in TWO_SUBGROUP_ADAPTIVE_KEYS)
    table.resizeColumnsToContents()
    fig = tab.plot.figure
    fig.clear()
    axes = fig.subplots(1, 2)
    tab.plot.ax = axes[0]
    adaptive_by_population_draw(axes, result)
    tab.plot.csv_text = adaptive_by_population_csv(result)
