"""The cells form of a scenario (issue 12, several biomarker populations): the words of the app's
cells-and-populations table (``ui/cells_table.py``) and of the report's population section.
The fields, counts and tolerance themselves are in :mod:`.fields` and :mod:`.names`.
"""

from __future__ import annotations

from .fields import INPUT_FIELDS, FieldSpec
from .names import EFFECTS, FULL_POPULATION

#: the full population as shown beside the named populations
FULL_POPULATION_WORDS = f"{FULL_POPULATION} (full population)"
#: the group of the inputs panel that holds the table
CELLS_GROUP_TITLE = "Cells and populations"
#: the adaptive design's figure per population (result key, panel title)
ADAPTIVE_POPULATION_PANELS = (("reject_by_population", "P(reject its hypothesis)"),
                              ("selected_by_population", "P(selected at the last stage)"))
#: the read-only prevalence of a population in the table and the report
POPULATION_PREVALENCE = FieldSpec(
    "population.populations.prevalence", "Prevalence", "float", "Share of the screened population in the "
    "population: the sum of its cells' prevalences (read-only).", unit="proportion", group="population")


def cells_axis_words(endpoint: str, first: str) -> dict[str, str]:
    """Axis labels of the figures that vary the prevalence and the B− effect, in the cells form:
    there they vary the first population's prevalence (the other cells in proportion) and the
    effect in every cell outside it (planner.populations.cells_structure, planner.params)."""
    effect = EFFECTS[endpoint].name.split(" (")[0]  # "risk difference", without its long explanation
    return {"prevalence": f"prevalence of population {first}", "effect": f"{effect} outside population {first}"}


def cell_outcome_fields(endpoint: str) -> list[FieldSpec]:
    """The outcome fields of one cell for ``endpoint``: the same fields (labels, bounds) as the
    two-subgroup form's ``positive`` block (``cells.<name>.<field>`` in the file)."""
    return [f for f in INPUT_FIELDS if f.group == "positive" and endpoint in f.endpoints]


def outcome_key(spec: FieldSpec) -> str:
    """``positive.hazard_ratio`` → ``hazard_ratio`` (the key inside a cell's block)."""
    return spec.path.split(".", 1)[1]
