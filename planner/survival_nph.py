"""Non-proportional hazards in the designs: the piecewise engine behind :mod:`planner.contrasts`.

When a survival scenario has a subgroup of more than one piece or non-uniform accrual
(:func:`planner.scenario_piecewise.uses_piecewise`), :class:`planner.params.Params` carries
the subgroups' :class:`~planner.piecewise.PiecewiseSurvival` models and the
:class:`~planner.piecewise.SurvivalSetting`; :func:`survival_contrast` then replaces the
exponential survival contrast of every design by
:func:`planner.piecewise.piecewise_contrast`: the stratified log-rank test (strata B+/B−)
with Schoenfeld's (or Freedman's) formula at the **average hazard ratio**
ln AHR = Σ_cj d_cj ln HR_cj / Σ_cj d_cj, d_cj the expected events of cell c in piece j at the
planned analysis, integrated exactly (docs/piecewise-survival.md; Kalbfleisch & Prentice 1981,
Schoenfeld 1981, gsDesign2 ``gs_power_ahr``). With one piece and uniform accrual it is the
exponential contrast (tested to 1e-12); such scenarios are not routed here at all, so their
numbers are exactly the exponential ones.

**The one-number effect.** Curves, sensitivity grids, assurance draws and the detectable
effect change a subgroup's ``hazard_ratio`` (one number). For a piecewise subgroup that number
is its reference hazard ratio h0 (:func:`planner.scenario_piecewise.reference_hazard_ratio`);
a new value h **scales all its log hazard ratios by one factor** k = ln h / ln h0, so the
shape of the effect over time (delayed, waning) is kept: HR_j(h) = HR_j^k. When h0 = 1 (no
effect on average) the log hazard ratios are shifted by ln h instead.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import replace
from types import MappingProxyType

import numpy as np

from .piecewise.logrank import METHOD_TEXT, logrank_moments, piecewise_contrast
from .piecewise.model import PiecewiseSurvival, PiecewiseSurvivalPoints
from .scenario_piecewise import survival_setting, uses_piecewise
from .survival import hazard_from_median

SCALING_TEXT = ("the detectable B+ effect scales all B+ log hazard ratios by one factor "
                "(the shape of the effect over time is kept)")


def piecewise_params(scenario) -> dict:
    """Extra :class:`Params` fields for a scenario that needs the piecewise engine, else {}."""
    if not uses_piecewise(scenario):
        return {}
    models = {}
    for which in ("positive", "negative"):
        sub = getattr(scenario, which)
        model = sub.piecewise or PiecewiseSurvival.exponential(float(hazard_from_median(sub.control_median)),
                                                               sub.hazard_ratio)
        models[which] = (model, float(sub.hazard_ratio))
    setting = survival_setting(scenario.survival, scenario.testing.allocation_ratio)
    return {"piecewise": MappingProxyType(models), "survival_setting": setting}


def scaled_model(base: PiecewiseSurvival, reference: float, hazard_ratio: float) -> PiecewiseSurvival:
    """``base`` with its log hazard ratios scaled so that the reference HR becomes ``hazard_ratio``."""
    if hazard_ratio == reference:
        return base
    log_hr = np.log(np.asarray(base.hazard_ratios))
    if math.log(reference) == 0.0:
        new = log_hr + math.log(hazard_ratio)
    else:
        new = log_hr * (math.log(hazard_ratio) / math.log(reference))
    return PiecewiseSurvival(base.starts, base.control_hazards, tuple(np.exp(new)))


def scale_factor(reference: float, hazard_ratio: float) -> float | None:
    """k = ln h / ln h0 (None when h0 = 1)."""
    return None if math.log(reference) == 0.0 else math.log(hazard_ratio) / math.log(reference)


def _cells_at(par, cells: Sequence, index) -> list:
    out = []
    for w, which, ta, tb in cells:
        base, ref = par.piecewise[which]
        hr = float(np.broadcast_to(par.subgroup(which)["hazard_ratio"], index[1])[index[0]])
        wv = np.broadcast_to(np.asarray(w, dtype=float), index[1])[index[0]]
        out.append((wv, scaled_model(base, ref, hr), ta, tb))
    return out


def _engine_method(method: str) -> str:
    return "freedman" if method == "freedman" else "ahr"


_MEMO: OrderedDict = OrderedDict()
_MEMO_SIZE = 64


def _memo(fn, cells: list, setting, *args):
    """``fn(cells, setting, *args)`` remembered per distinct input (a comparison builds each
    design's model up to three times with the same cells; designs share populations): the same
    object, so the same numbers bit for bit. The key holds the cell weights' bytes and the frozen
    models and setting."""
    key = (fn.__name__, tuple((np.shape(w), np.asarray(w, dtype=float).tobytes(), m, float(ta), float(tb))
                              for w, m, ta, tb in cells), setting, args)
    hit = _MEMO.get(key)
    if hit is None:
        hit = fn(cells, setting, *args)
        _MEMO[key] = hit
        while len(_MEMO) > _MEMO_SIZE:
            _MEMO.popitem(last=False)
    return hit


def survival_contrast(par, cells: Sequence, method: str):
    """The :class:`planner.contrasts.Contrast` of ``cells`` under the piecewise models of ``par``.

    Vectorized over the cell weights; a loop over the points where a hazard ratio is an array
    (curves over the effect, assurance draws).
    """
    from .contrasts import Contrast

    setting = replace(par.survival_setting, allocation_ratio=par.allocation_ratio)
    hr_shape = np.broadcast_shapes(*(np.shape(par.subgroup(c[1])["hazard_ratio"]) for c in cells))
    if hr_shape == ():
        scalar_cells = [(w, scaled_model(*par.piecewise[which], float(par.subgroup(which)["hazard_ratio"])), ta, tb)
                        for w, which, ta, tb in cells]
        return _memo(piecewise_contrast, scalar_cells, setting, _engine_method(method))
    shape = np.broadcast_shapes(hr_shape, *(np.shape(c[0]) for c in cells))
    points = [(np.broadcast_to(np.asarray(w, dtype=float), shape).reshape(-1),
               scaled_points(*par.piecewise[which], np.broadcast_to(par.subgroup(which)["hazard_ratio"], shape).reshape(-1)),
               ta, tb) for w, which, ta, tb in cells]
    c = piecewise_contrast(points, setting, _engine_method(method))
    return Contrast(*(np.broadcast_to(np.asarray(getattr(c, f), dtype=float), (int(np.prod(shape)),)).reshape(shape)
                      for f in ("theta", "sd0", "sd1", "units")))


def scaled_points(base: PiecewiseSurvival, reference: float, hazard_ratios: np.ndarray) -> PiecewiseSurvivalPoints:
    """:func:`scaled_model` at every hazard ratio of a flat array, as one model with a point axis."""
    log_hr = np.log(np.asarray(base.hazard_ratios))
    hr = np.asarray(hazard_ratios, dtype=float)
    if math.log(reference) == 0.0:
        new = log_hr[None, :] + np.log(hr)[:, None]
    else:
        new = log_hr[None, :] * (np.log(hr) / math.log(reference))[:, None]
    return PiecewiseSurvivalPoints(base.starts, base.control_hazards, np.exp(new))


def average_hazard_ratio(par, cells: Sequence) -> float:
    """exp(Σ d ln HR / Σ d) of ``cells`` at the planned analysis (scalar inputs)."""
    setting = par.survival_setting
    scalar_cells = [(float(np.ravel(w)[0]), scaled_model(*par.piecewise[which],
                     float(np.ravel(par.subgroup(which)["hazard_ratio"])[0])), ta, tb)
                    for w, which, ta, tb in cells]
    return float(np.ravel(_memo(logrank_moments, scalar_cells, setting).ahr)[0])


def method_text(method: str) -> str:
    """The method and its references, for results and the report."""
    return METHOD_TEXT[_engine_method(method)]


def _design_populations(par, name: str) -> dict[str, list]:
    from .assay import assay_mix
    from .contrasts import mixture_cells

    mix = assay_mix(par.prevalence, par.sensitivity, par.specificity)
    overall = mixture_cells(par.prevalence)
    positive = mixture_cells(mix.ppv)
    negative = mixture_cells(mix.positive_share_in_test_negative)
    return {
        "all_comers": {"average_hazard_ratio": overall},
        "targeted": {"average_hazard_ratio": positive},
        "stratified": {"average_hazard_ratio": overall, "average_hazard_ratio_subgroup": positive},
        "strategy": {"average_hazard_ratio": overall},
        "interaction": {"average_hazard_ratio_test_positive": positive,
                        "average_hazard_ratio_test_negative": negative},
    }.get(name, {"average_hazard_ratio": overall})


def nph_annotations(par, name: str, method: str, detectable=None):
    """(details, notes, detectable effect) a design adds under piecewise survival: the average
    hazard ratio(s) it is sized for, the analysis time, the method with its references, and
    the detectable effect's scaling of the B+ log hazard ratios."""
    details: dict = {key: average_hazard_ratio(par, cells) for key, cells in _design_populations(par, name).items()}
    details["analysis_time"] = float(par.survival_setting.analysis_time)
    details["survival_method"] = method_text(method)
    ahr = details.get("average_hazard_ratio", details.get("average_hazard_ratio_test_positive"))
    notes = [f"non-proportional hazards / piecewise survival: {method_text(method)}; sized for an average "
             f"hazard ratio of {ahr:.3f} at the analysis (calendar time {details['analysis_time']:g} from the first patient)"]
    if detectable is not None and detectable.value is not None:
        base, ref = par.piecewise["positive"]
        hrs = scaled_model(base, ref, float(detectable.value)).hazard_ratios
        k = scale_factor(ref, float(detectable.value))
        how = f"factor {k:.3f}" if k is not None else "shifted log hazard ratios"
        shown = ", ".join(f"{h:.3f}" for h in hrs)
        detectable = replace(detectable, message=(f"{SCALING_TEXT}: {how}, B+ hazard ratios [{shown}]; the value is "
                                                  "the B+ reference (average) hazard ratio"))
    return details, tuple(notes), detectable


def nph_method(design_method: str, method: str) -> str:
    """A design's method text with the exponential survival part replaced by the piecewise one."""
    from .designs.build import SURVIVAL_PATIENTS

    text = design_method.replace(SURVIVAL_PATIENTS, "events and patients from the piecewise model "
                                 "integrated exactly (piecewise accrual, follow-up, exponential dropout)")
    for old in ("log-rank test, Schoenfeld (1981) events", "log-rank test, Freedman (1982) events"):
        text = text.replace(old, method_text(method))
    return text.replace("mixed populations: event-weighted log hazard ratio",
                        "stratified over B+/B−: average hazard ratio")


LOOKWISE_TEXT = ("group-sequential, look-wise average hazard ratio (each look at the expected calendar time of "
                 "its events, with the average hazard ratio and information there: gsDesign2 gs_power_ahr approach, "
                 "Yung & Liu 2020; Lakatos 1988)")
_LOOKWISE = {"all_comers": ("average_hazard_ratio",), "targeted": ("average_hazard_ratio",),
             "stratified": ("average_hazard_ratio", "average_hazard_ratio_subgroup")}


def non_proportional(par) -> bool:
    """Whether a subgroup's piecewise hazard ratio changes over time (not a constant HR)."""
    return par.piecewise is not None and any(len(set(np.ravel(m.hazard_ratios).tolist())) > 1
                                             for m, _ in par.piecewise.values())


def lookwise_factors(par, name: str, rates) -> np.ndarray | None:
    """(…, P, K) look factors of design ``name``'s statistics (P = 1; stratified: F then S), or
    None where the plan's √t form stays (proportional hazards, not piecewise, other designs).
    Looks are at the events of the design's analysis population (its first statistic's cells);
    see :func:`planner.piecewise.lookwise.look_factors`. A loop over the points of array inputs."""
    from .piecewise.lookwise import look_factors

    if name not in _LOOKWISE or not non_proportional(par) or len(rates) < 2:
        return None
    pops = _design_populations(par, name)
    cells = [pops[key] for key in _LOOKWISE[name]]
    setting = replace(par.survival_setting, allocation_ratio=par.allocation_ratio)
    shapes = [np.shape(par.subgroup(c[1])["hazard_ratio"]) for cs in cells for c in cs]
    shapes += [np.shape(c[0]) for cs in cells for c in cs]
    shape = np.broadcast_shapes(*shapes)
    out = np.empty(shape + (len(cells), len(rates)))
    for i in np.ndindex(shape):
        pts = [[(float(w), m, ta, tb) for w, m, ta, tb in _cells_at(par, cs, (i, shape))] for cs in cells]
        out[i] = _memo(_factors, [c for cs in pts for c in cs], setting, tuple(rates), len(pts[0]), look_factors)
    return out


def _factors(flat_cells, setting, rates, n_first, fn):
    first = flat_cells[:n_first]
    rest = flat_cells[n_first:]
    return fn(first, [first, rest] if rest else [first], setting, rates)


def piecewise_look_times(par, name: str, n_patients: float, events) -> list[float]:
    """Calendar times at which design ``name``'s ``n_patients`` reach ``events`` (exact
    integration of the piecewise model, :func:`planner.piecewise.logrank.analysis_time`; NaN: never)."""
    from .piecewise.logrank import analysis_time

    pops = _design_populations(par, name)
    cells = pops.get("average_hazard_ratio") or _design_populations(par, "all_comers")["average_hazard_ratio"]
    scalar = [(float(np.ravel(w)[0]), m, ta, tb) for w, m, ta, tb in _cells_at(par, cells, ((), ()))]
    setting = replace(par.survival_setting, allocation_ratio=par.allocation_ratio)
    times = analysis_time(scalar, setting, np.asarray(events, dtype=float), float(n_patients))
    return [float(x) if np.isfinite(x) else math.nan for x in np.ravel(times)]
