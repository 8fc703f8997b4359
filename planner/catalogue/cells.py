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


def cells_axis_words(endpoint: str, first: str, cell: str | None = None) -> dict[str, str]:
    """Axis labels of the figures that vary the prevalence and the B− effect, in the cells form:
    there they vary the first population's prevalence (the other cells in proportion) and the
    effect in every cell outside it (planner.populations.cells_structure, planner.params), or in
    the one ``cell`` chosen (planner.population_sweeps.focus)."""
    effect = EFFECTS[endpoint].name.split(" (")[0]  # "risk difference", without its long explanation
    where = f"in cell {cell}" if cell not in (None, "negative") else f"outside population {first}"
    return {"prevalence": f"prevalence of population {first}", "effect": f"{effect} {where}",
            "effect_title": f"Power against the {effect} {where}"}


#: the app's population selector beside the plots (ui/population_selector.py)
POPULATION_SELECTOR_WORDS: dict[str, str] = {
    "population": "Vary the prevalence of",
    "population_tip": ("The population whose prevalence the curves over prevalence and the design map vary: its "
                       "cells scale with it (populations nested inside it too), the other cells keep their "
                       "proportions."),
    "effect": "and the effect",
    "outside": "outside it",
    "cell": "in cell {cell}",
    "effect_tip": "The effect the curves over the effect and the design map vary: every cell outside the "
                  "population, or one cell.",
}


def cell_outcome_fields(endpoint: str) -> list[FieldSpec]:
    """The outcome fields of one cell for ``endpoint``: the same fields (labels, bounds) as the
    two-subgroup form's ``positive`` block (``cells.<name>.<field>`` in the file)."""
    return [f for f in INPUT_FIELDS if f.group == "positive" and endpoint in f.endpoints]


def outcome_key(spec: FieldSpec) -> str:
    """``positive.hazard_ratio`` → ``hazard_ratio`` (the key inside a cell's block)."""
    return spec.path.split(".", 1)[1]


# --------------------------------------------------------------------------- assurance in the cells form
#: the ``uncertainty`` block of the cells form (planner.cells_uncertainty, docs/uncertainty.md): the
#: outcome fields of a cell that may carry a distribution, per endpoint (``uncertainty.cells.<name>.<key>``)
CELL_PRIOR_KEYS: dict[str, tuple[str, ...]] = {
    "continuous": ("effect", "sd"),
    "binary": ("effect", "control_rate"),
    "survival": ("effect", "control_median"),
}
#: words of each uncertain input of the cells form ({cell}: the cell's name)
CELL_PRIOR_WORDS: dict[str, str] = {
    "prevalences": "Prevalences of the cells",
    "effect": "Effect in cell {cell}",
    "sd": "SD in cell {cell}",
    "control_rate": "Control rate in cell {cell}",
    "control_median": "Control median in cell {cell}",
}
#: how the cells' prevalences are given (a Dirichlet distribution): form → (words, the block's keys)
PREVALENCES_PRIOR_FORMS: dict[str, tuple[str, tuple[str, ...]]] = {
    "counts": ("counts per cell in a screened cohort", ("counts",)),
    "n": ("effective sample size n around the scenario's prevalences", ("n",)),
}
#: how a cell's SD is given (a scaled inverse chi-square distribution of the variance)
SD_PRIOR_FORMS: dict[str, tuple[str, ...]] = {"df": ("estimate", "df")}
#: the smallest and largest degrees of freedom of an SD's distribution
SD_PRIOR_DF_LIMITS = (1.0, 1e7)
#: how a cell's control median is given (survival): an estimate from a study with that many control
#: events (the exponential hazard's posterior Gamma; planner.cells_uncertainty.MedianPrior)
MEDIAN_PRIOR_FORMS: dict[str, tuple[str, ...]] = {"events": ("estimate", "events")}
#: the smallest and largest number of events behind a control median's distribution
MEDIAN_PRIOR_EVENTS_LIMITS = (1.0, 1e7)
#: the largest effective sample size of the prevalences' distribution (a larger one is a point mass)
PREVALENCES_PRIOR_N_LIMIT = 1e9


def cell_prior_label(key: str, cell: str = "") -> str:
    """``Effect in cell TPS ≥50%`` (the words of one uncertain input of the cells form)."""
    return CELL_PRIOR_WORDS[key].format(cell=cell)


def cell_prior_axis(key: str, cell: str, endpoint: str, time_unit: str | None = None) -> str:
    """The x-axis words of an uncertain input's density in the cells form: "prevalence of the cell"
    (each cell's marginal), the effect on the scenario's scale ("hazard ratio in cell X"), or the
    cell's outcome field with its unit ("control median in cell X (months)": ``time_unit`` for a time)."""
    if key == "prevalences":
        return "prevalence of the cell"
    if key == "effect":
        return f"{EFFECTS[endpoint].name} in cell {cell}"
    spec = next(f for f in cell_outcome_fields(endpoint) if outcome_key(f) == key)
    text = f"{spec.label[0].lower()}{spec.label[1:]} in cell {cell}"
    unit = time_unit if spec.unit == "time unit" and time_unit else spec.unit
    return f"{text} ({unit})" if unit and unit not in ("proportion", "probability") else text
