"""Words, columns and limits of the operating-characteristic sweeps and FWER tables."""

from __future__ import annotations

from .fields import (
    FIELDS_BY_PATH,
)
from .names import (
    SUBGROUP_WORDS,
)

# --------------------------------------------------------------------------- operating characteristics (sweeps)
#: fields a sweep (``enrichment-planner sweep --vary PATH=…``) may not vary: they control the run
SWEEP_FIXED_PATHS = ("designs.adaptive.simulations", "designs.adaptive.seed")
#: the most grid points of one sweep (the product over every --vary)
SWEEP_MAX_POINTS = 10_000


def field_axis(path: str, unit: bool = True) -> str:
    """Axis label of a scenario field: "hazard ratio in biomarker-negative (B−) patients"."""
    spec = FIELDS_BY_PATH[path]
    group = path.split(".", 1)[0]
    text = spec.label[0].lower() + spec.label[1:]
    if group in SUBGROUP_WORDS:
        text = f"{text} in {SUBGROUP_WORDS[group]} patients"
    shown = unit and spec.unit and spec.unit not in ("proportion", "probability")
    return f"{text} ({spec.unit})" if shown else text


def population_sweep_label(population: str) -> str:
    """Label of a population's prevalence as a sweep path (``population.populations.<name>.prevalence``)."""
    return f"prevalence of population {population}"


def cells_sweep_label(key: str, cell: str) -> str:
    """Label of a cells-form sweep path (planner.population_sweeps): ``population.cells.<cell>.prevalence``
    → "prevalence of cell <cell>"; ``cells.<cell>.<key>`` → the outcome field's label "in cell <cell>"."""
    if key == "prevalence":
        return f"prevalence of cell {cell}"
    spec = FIELDS_BY_PATH.get(f"positive.{key}")
    text = (spec.label[0].lower() + spec.label[1:]) if spec is not None else key.replace("_", " ")
    return f"{text} in cell {cell}"


#: the sweep table (one row per grid point; the varied fields come first, by their paths):
#: column → meaning. Every probability and expectation has a ``<column>_se`` (Monte Carlo SE).
SWEEP_COLUMNS: dict[str, str] = {
    "power": "adaptive design: probability of the success criterion's claim",
    "reject_subgroup": "adaptive design: P(reject H_S, test-positive)",
    "reject_overall": "adaptive design: P(reject H_F, everyone)",
    "reject_at_least_one": "adaptive design: P(reject H_S or H_F)",
    "reject_both": "adaptive design: P(reject H_S and H_F)",
    "select_subgroup_only": "adaptive design: P(continue with S only at the first interim)",
    "select_overall_only": "adaptive design: P(continue with F only at the first interim)",
    "select_both": "adaptive design: P(continue with both at the first interim)",
    "early_stop_efficacy": "adaptive design: P(stop early for efficacy)",
    "early_stop_futility": "adaptive design: P(stop early for futility)",
    "expected_subjects": "adaptive design: expected randomized subjects",
    "expected_events": "adaptive design: expected events (survival)",
}
#: columns without a Monte Carlo SE: the fixed designs' analytic power at their planned size
SWEEP_FIXED_COLUMN = "power_{design}"
SWEEP_FIXED_MEANING = ("{label}: analytic power at the size planned for the scenario "
                       "(survival: its events)")

#: the null configurations of the FWER table (docs/adaptive.md, "Type I error over nulls")
FWER_NULLS: dict[str, str] = {
    "global": "global null: no effect in S or in R (H_S and H_F true)",
    "subgroup": "H_S true only: no effect in S, benefit in R",
    "overall": "H_F true only: benefit in S, an R effect cancelling it in F",
}
FWER_COLUMNS: dict[str, str] = {
    "null": "null configuration (" + ", ".join(FWER_NULLS) + ")",
    "prevalence": "P(test+): share of S among the randomized",
    "effect": "the non-null effect δ on the simulator's benefit scale (empty for the global null)",
    "fwer": "P(reject at least one true hypothesis)",
    "fwer_se": "Monte Carlo SE of fwer",
    "simulations": "simulated trials",
}

#: the sweep's figures: name → (title, y label); x is the varied field's :func:`field_axis`
SWEEP_FIGURES: dict[str, tuple[str, str]] = {
    "power": ("Power against {x}", "probability of rejection"),
    "expected_size": ("Expected size against {x}", "expected {unit}"),
    "selection": ("Selection at the first interim against {x}", "probability"),
    "early_stop": ("Early stopping against {x}", "probability"),
}
#: series of the sweep's figures besides the designs: column → legend words
SWEEP_SERIES: dict[str, str] = {
    "power": "claim of the success criterion",
    "reject_subgroup": "reject H_S",
    "reject_overall": "reject H_F",
    "select_subgroup_only": "S only",
    "select_overall_only": "F only",
    "select_both": "both",
    "early_stop_efficacy": "efficacy",
    "early_stop_futility": "futility",
    "expected_subjects": "subjects",
    "expected_events": "events",
    "band": "±1.96 Monte Carlo SE",
}
#: colours of the series that are not designs (Okabe–Ito)
SWEEP_SERIES_COLOURS: dict[str, str] = {
    "reject_subgroup": "#D55E00", "reject_overall": "#000000",
    "select_subgroup_only": "#D55E00", "select_overall_only": "#0072B2", "select_both": "#009E73",
    "early_stop_efficacy": "#009E73", "early_stop_futility": "#CC79A7",
    "expected_subjects": "#E69F00", "expected_events": "#56B4E9",
}
