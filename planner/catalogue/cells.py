"""The cells form of a scenario (issue 12, several biomarker populations): the words and limits
of the cells-and-populations table (the app's ``ui/cells_table.py``, the report's population
section). The reader's own checks are in the scenario reader; these are the same limits, named
once for the editors and the report (docs/scenario-format.md, "Several biomarker populations").
"""

from __future__ import annotations

from .fields import INPUT_FIELDS, FieldSpec

#: the full population's name in results (``power_by_population["F"]``) and the words shown for it
FULL_POPULATION = "F"
FULL_POPULATION_WORDS = "F (full population)"
#: how many cells and named populations a scenario may have (the full population F aside)
CELL_COUNT = (2, 8)
POPULATION_COUNT = (1, 3)
#: the prevalences of the cells sum to 1 within this tolerance
PREVALENCE_SUM_TOLERANCE = 1e-9
#: the group of the inputs panel that holds the table
CELLS_GROUP_TITLE = "Cells and populations"

CELL_NAME = FieldSpec(
    "population.cells.name", "Cell", "text", "Name of a disjoint cell of the screened population, as the "
    "trial's assay classifies patients (e.g. a PD-L1 TPS band).", example="TPS ≥50%", group="cells")
CELL_PREVALENCE = FieldSpec(
    "population.cells.prevalence", "Prevalence", "float", "Fraction of screened patients in this cell; "
    "typed as 0.28 or 28%.", note="the cells' prevalences sum to 1", example="0.28", gt=0.0, lt=1.0,
    unit="proportion", decimals=4, step=0.01, group="cells")
POPULATION_NAME = FieldSpec(
    "population.populations.name", "Population", "text", "Name of a population that can be tested, selected "
    "or enriched for: a union of cells (neither empty nor all of them; F, everyone, is always there).",
    example="TPS ≥1%", group="cells")
POPULATION_CELLS = FieldSpec(
    "population.populations.cells", "Cells in the population", "bool", "Tick the cells that make up the "
    "population.", example="TPS ≥50%, TPS 1–49%", group="cells")
POPULATION_PREVALENCE = FieldSpec(
    "population.populations.prevalence", "Prevalence", "float", "Fraction of screened patients in the "
    "population: the sum of its cells' prevalences (read-only).", unit="proportion", group="cells")


def cell_outcome_fields(endpoint: str) -> list[FieldSpec]:
    """The outcome fields of one cell for ``endpoint``: the same fields (labels, bounds) as the
    two-subgroup form's ``positive`` block, keyed by the name after the block."""
    return [f for f in INPUT_FIELDS if f.group == "positive" and endpoint in f.endpoints]


def outcome_key(spec: FieldSpec) -> str:
    """``positive.hazard_ratio`` → ``hazard_ratio`` (the key inside a cell's block)."""
    return spec.path.split(".", 1)[1]
