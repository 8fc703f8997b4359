"""Binary effect scales: a treatment effect entered as a risk difference, risk ratio or odds ratio.

Given the control rate p_C, the treatment rate p_T is

* risk difference RD = p_T − p_C:  p_T = p_C + RD;
* risk ratio RR = p_T / p_C:       p_T = RR·p_C;
* odds ratio OR = [p_T/(1 − p_T)] / [p_C/(1 − p_C)]:  p_T = OR·p_C / (1 − p_C + OR·p_C)

(e.g. Agresti, *Categorical Data Analysis*, 3rd ed., §2.2). :func:`effect_value` is the inverse.
The scenario stores what the user typed and its scale (``positive.effect``); every computation
uses the treatment rate. Rates are proportions in files and percentages in the app.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .catalogue import codes
from .scenario import BinaryEffect  # noqa: F401 (re-exported)

#: the scales, in the catalogue's order (the first is the default)
SCALES: tuple[str, ...] = codes("binary_effect_scale")


def treatment_rate(control_rate: ArrayLike, scale: str, value: ArrayLike) -> np.ndarray:
    """p_T from p_C and an effect on ``scale`` (see module docstring); vectorized."""
    pc = np.asarray(control_rate, dtype=float)
    v = np.asarray(value, dtype=float)
    if scale == "risk_difference":
        return pc + v
    if scale == "risk_ratio":
        return v * pc
    if scale == "odds_ratio":
        return v * pc / (1.0 - pc + v * pc)
    raise ValueError(f"unknown effect scale {scale!r} (expected one of: {', '.join(SCALES)})")


def effect_value(control_rate: ArrayLike, treatment: ArrayLike, scale: str) -> np.ndarray:
    """The effect on ``scale`` of rates (p_C, p_T): the inverse of :func:`treatment_rate`."""
    pc = np.asarray(control_rate, dtype=float)
    pt = np.asarray(treatment, dtype=float)
    if scale == "risk_difference":
        return pt - pc
    if scale == "risk_ratio":
        return pt / pc
    if scale == "odds_ratio":
        return (pt / (1.0 - pt)) / (pc / (1.0 - pc))
    raise ValueError(f"unknown effect scale {scale!r} (expected one of: {', '.join(SCALES)})")


def effect_problem(control_rate: float, scale: str, value: float) -> str:
    """Why (``control_rate``, ``scale``, ``value``) is no valid effect ("" when it is)."""
    if scale in ("risk_ratio", "odds_ratio") and not value > 0:
        return f"must be > 0 for a {scale.replace('_', ' ')}, got {value:g}"
    rate = float(treatment_rate(control_rate, scale, value))
    if not 0.0 < rate < 1.0:
        return (f"gives a treatment rate of {rate:.6g} with the control rate {control_rate:g}; "
                "the treatment rate must be strictly between 0 and 1")
    return ""
