"""Piecewise-exponential survival, piecewise accrual, non-proportional hazards (issue 13).

Frozen dataclasses in (:class:`PiecewiseSurvival`, :class:`PiecewiseAccrual`,
:class:`SurvivalSetting`), result objects out; see docs/piecewise-survival.md.
"""

from .events import calendar_time, event_cdf, event_rate, expected_events
from .logrank import (
    METHOD_TEXT,
    LogrankMoments,
    PiecewisePower,
    SurvivalSetting,
    analysis_time,
    arm_events,
    events_power,
    logrank_moments,
    logrank_power,
    piecewise_contrast,
    single_population,
    subgroup_cells,
    z_stat,
)
from .model import UNIFORM, PiecewiseAccrual, PiecewiseSurvival, inverse_cumulative_hazard

__all__ = [
    "METHOD_TEXT", "UNIFORM", "LogrankMoments", "PiecewiseAccrual", "PiecewisePower",
    "PiecewiseSurvival", "SurvivalSetting", "analysis_time", "arm_events", "calendar_time",
    "event_cdf", "event_rate", "events_power", "expected_events", "inverse_cumulative_hazard",
    "logrank_moments", "logrank_power", "piecewise_contrast", "single_population",
    "subgroup_cells", "z_stat",
]
