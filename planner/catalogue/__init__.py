"""The catalogue: the one place that names things.

Designs (label, colour, what it tests), claims, option values and the phrases that describe
them, endpoints and effect names, and every editable scenario field (path, label, unit, valid
range, default, tooltip and example). The scenario reader, the app's input rows, the report's
assumption table, the log and the CSV headers all read this package; no other module may hold
a table of these.

Standard library only: the app imports it before numpy loads. Paths are the scenario file's
dotted paths (``positive.hazard_ratio``), the same ones :class:`planner.errors.Problem` reports.
"""

from __future__ import annotations

from .adaptive_app import (  # noqa: F401 (the catalogue's public names)
    ADAPTIVE_COLOURS,
    ADAPTIVE_FIGURE_WORDS,
    ADAPTIVE_FIGURES,
    ADAPTIVE_PANELS,
    KEPT_RESULTS,
    KEPT_WORDS,
    PRIOR_BETA_FORMS,
    PRIOR_FORMS,
    PRIOR_INPUTS,
    PRIOR_KEYS,
    PRIOR_NORMAL_FORMS,
    PRIOR_STARTER,
    PRIOR_WORDS,
    SEARCH_CLAIMS,
    SENSITIVITY_COUNTS,
    SENSITIVITY_OUTPUTS,
    SENSITIVITY_SHORT,
    STAGE_ROWS,
)
from .cells import (  # noqa: F401 (the catalogue's public names)
    ADAPTIVE_POPULATION_PANELS,
    CELLS_GROUP_TITLE,
    FULL_POPULATION_WORDS,
    POPULATION_PREVALENCE,
    cell_outcome_fields,
    cells_axis_words,
    outcome_key,
)
from .fields import (  # noqa: F401 (the catalogue's public names)
    ADAPTIVE_DEFAULT,
    ADAPTIVE_FIELDS,
    ALL_FIELDS,
    ASSAY_LIMIT,
    BIN,
    CONT,
    COST_LIMIT,
    FIELDS_BY_PATH,
    FILE_ONLY_FIELDS,
    HAZARD_LIMITS,
    HR_LIMITS,
    INPUT_FIELDS,
    INTENSITY_LIMIT,
    INTERIM_FIELDS,
    N_LIMIT,
    NEW_SCENARIO,
    PIECEWISE_FIELDS,
    POPULATION_FIELDS,
    PROPORTION_LIMIT,
    RATE_LIMIT,
    REQUIRED,
    SCALE_LIMIT,
    SOLVE_TEXT,
    SUBGROUP_DEFAULTS,
    SURV,
    SURVIVAL_CURVES_FIGURE,
    SURVIVAL_DEFAULT,
    SURVIVAL_MODELS,
    TIME_LIMITS,
    FieldSpec,
)
from .names import (  # noqa: F401 (the catalogue's public names)
    ALL_DESIGNS,
    BOUNDARY_STYLES,
    BOUNDARY_WORDS,
    CELL_COUNT,
    CELLS_SUMMARY_WORDS,
    CLAIMS,
    COMPARISON_COLUMNS,
    DESIGNS,
    EFFECTS,
    ENDPOINT_LABELS,
    FIGURE_WORDS,
    FIGURES,
    FIXED_DESIGNS,
    FULL_POPULATION,
    NEUTRAL_COLOUR,
    OPTIONS,
    POPULATION_CLAIMS,
    POPULATION_COUNT,
    PREVALENCE_SUM_TOLERANCE,
    SUBGROUP_WORDS,
    DesignSpec,
    EffectSpec,
    FigureSpec,
    codes,
    design_colour,
    design_label,
    effect_axis,
    phrase,
)
from .sweeps import (  # noqa: F401 (the catalogue's public names)
    FWER_COLUMNS,
    FWER_NULLS,
    SWEEP_COLUMNS,
    SWEEP_FIGURES,
    SWEEP_FIXED_COLUMN,
    SWEEP_FIXED_MEANING,
    SWEEP_FIXED_PATHS,
    SWEEP_MAX_POINTS,
    SWEEP_SERIES,
    SWEEP_SERIES_COLOURS,
    field_axis,
)
