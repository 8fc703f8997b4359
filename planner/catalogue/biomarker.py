"""Fields of the cutoff explorer's ``biomarker`` block (planner.cutoff, planner.biomarker_io) and the
words of its table: labels, units, valid ranges, defaults."""

from __future__ import annotations

from .fields import CONT, REQUIRED, SCALE_LIMIT, FieldSpec
from .names import OPTIONS

_B = "biomarker"
_G = dict(group="biomarker")
_NUM = dict(ge=-SCALE_LIMIT, le=SCALE_LIMIT, **_G)
_POS = dict(gt=0.0, ge=1 / SCALE_LIMIT, le=SCALE_LIMIT, **_G)


def _n(path: str, label: str, meaning: str, example: str, default=REQUIRED, bounds=_NUM, **kw) -> FieldSpec:
    return FieldSpec(f"{_B}.{path}", label, "float", meaning, example=example, default=default, **{**bounds, **kw})


def _list(path: str, label: str, meaning: str, example: str, note: str = "", bounds=_NUM, **kw) -> FieldSpec:
    return FieldSpec(f"{_B}.{path}", label, "list", meaning, note=note, example=example, default=None,
                     **{**bounds, **kw})


BIOMARKER_FIELDS: list[FieldSpec] = [
    FieldSpec(f"{_B}.name", "Marker", "text", "Name of the continuous biomarker.", example="PD-L1 TPS",
              default="marker", **_G),
    FieldSpec(f"{_B}.unit", "Marker unit", "text", "Unit of the marker's values (shown after each cutoff).",
              example="%", default="", **_G),
    _list("cutoffs", "Candidate cutoffs", "Candidate cutoffs: B+ = marker ≥ cutoff; each is compared.",
          "[1, 20, 50]", note="inside the marker's range, prevalence within [0.0001, 0.9999]", unit="marker unit"),
    _n("sd", "Standard deviation", "Within-arm SD of the continuous outcome, the same for every marker value "
       "(absent: the B+ SD of the scenario).", "1.0", default=None, bounds=_POS, endpoints=CONT,
       unit="outcome units"),
    # distribution
    FieldSpec(f"{_B}.distribution.kind", "Distribution", "choice", "The marker's distribution in the screened "
              "population.", example="empirical", default=REQUIRED, choices=OPTIONS["marker_distribution"], **_G),
    _list("distribution.values", "Quantile values", "Marker values at which the cumulative probability is "
          "given (empirical).", "[0, 1, 20, 50, 100]", note="strictly increasing", unit="marker unit"),
    _list("distribution.probabilities", "Cumulative probabilities", "P(marker ≤ value) at each value "
          "(empirical); the first may exceed 0 (patients at the smallest value).", "[0.34, 0.34, 0.5, 0.72, 1]",
          note="one per value, increasing, the last 1", bounds=dict(ge=0.0, le=1.0, **_G), unit="probability"),
    _n("distribution.mean", "Mean", "Mean of the normal marker distribution.", "0", unit="marker unit"),
    _n("distribution.sd", "SD", "Standard deviation of the normal marker distribution.", "1", bounds=_POS,
       unit="marker unit"),
    _n("distribution.meanlog", "Mean of log", "Mean of the log marker (lognormal); the median is e^meanlog.",
       "1.5", unit="log marker unit"),
    _n("distribution.sdlog", "SD of log", "SD of the log marker (lognormal).", "0.8", bounds=_POS,
       unit="log marker unit"),
    _n("distribution.a", "Beta a", "First shape parameter of the beta distribution.", "0.5", bounds=_POS),
    _n("distribution.b", "Beta b", "Second shape parameter of the beta distribution.", "0.8", bounds=_POS),
    _n("distribution.lower", "Lower end", "Smallest marker value of the beta distribution.", "0", default=0.0,
       unit="marker unit"),
    _n("distribution.upper", "Upper end", "Largest marker value of the beta distribution.", "100", default=100.0,
       note="above the lower end", unit="marker unit"),
    # effect
    FieldSpec(f"{_B}.effect.kind", "Effect shape", "choice", "How the treatment effect (mean difference, risk "
              "difference, or hazard ratio) depends on the marker.", example="step", default=REQUIRED,
              choices=OPTIONS["marker_effect"], **_G),
    _n("effect.threshold", "Effect threshold", "Marker value from which the effect 'above' holds (step).", "50",
       unit="marker unit"),
    _n("effect.below", "Effect below", "Effect below the threshold (step), on the endpoint's scale.", "0.92",
       unit="effect scale"),
    _n("effect.above", "Effect above", "Effect at and above the threshold (step).", "0.69", unit="effect scale"),
    _list("effect.ends", "Linear ends", "Two marker values between which the effect is linear (constant "
          "beyond; hazard ratios: linear in log HR).", "[1, 80]", note="two, increasing", unit="marker unit"),
    _list("effect.edges", "Band edges", "Marker values where a band starts (bands); the first band is below "
          "the first edge.", "[1, 50]", note="strictly increasing", unit="marker unit"),
    _list("effect.values", "Effect values", "The effect at the two ends (linear) or in each band (bands: one "
          "more than edges).", "[1.0, 0.92, 0.69]", unit="effect scale"),
    # control
    FieldSpec(f"{_B}.control.kind", "Control outcome", "choice", "How the control outcome (control mean, "
              "control rate, or control median) depends on the marker.", example="constant", default="constant",
              choices=OPTIONS["marker_control"], **_G),
    _n("control.value", "Control value", "Control outcome for every marker value (absent: the scenario's B+ "
       "control outcome).", "12", default=None, unit="outcome scale"),
    _list("control.edges", "Control band edges", "Marker values where a control band starts.", "[50]",
          note="strictly increasing", unit="marker unit"),
    _list("control.values", "Control values", "Control outcome in each band (one more than edges).",
          "[12.0, 12.2]", unit="outcome scale"),
]

#: the cutoff table's columns (CLI text/CSV, app table): key → header
CUTOFF_COLUMNS: dict[str, str] = {
    "cutoff": "cutoff",
    "prevalence": "prevalence P(marker ≥ cutoff)",
    "effect_positive": "B+ average effect",
    "effect_negative": "B− average effect",
    "n_randomized": "N randomized",
    "n_screened": "N screened",
    "power": "power",
    "cost": "cost",
}
#: the control outcome field of each endpoint that ``biomarker.control`` describes
CONTROL_FIELD = {"continuous": "control_mean", "binary": "control_rate", "survival": "control_median"}
#: how each endpoint's effect is averaged over a side
AVERAGING = {
    "continuous": "mean difference and control mean averaged over the marker distribution",
    "binary": "risk difference and control rate averaged over the marker distribution",
    "survival": "event-weighted mean log hazard ratio (as for mixed populations); control median with the "
                "side's average control-arm event probability",
}
#: provenance note of a cells form made by the explorer
CELLS_PROVENANCE = "cutoff explorer: cells are the bands between the cutoffs {cutoffs} of {marker}, with " \
                   "prevalences and outcomes averaged over each band ({averaging})"
#: words on the design map over cutoffs (planner.figures_cutoff)
CUTOFF_MAP_WORDS = {
    "x_marker": "{x} — {marker}{unit}",
    "cost_axis": "cost for the target power ({currency}, log scale)",
    "best": "best design at each cutoff (strip along the bottom)",
    "candidate": "P ≥ {c:g}: {p:.2f}",
}
