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
from dataclasses import fields, is_dataclass, replace
from types import MappingProxyType

import numpy as np

from .memo import keep, touch
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
        keep(_MEMO, key, hit, _MEMO_SIZE)
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
def non_proportional(par) -> bool:
    """Whether a subgroup's piecewise hazard ratio changes over time (not a constant HR)."""
    return par.piecewise is not None and any(len(set(np.ravel(m.hazard_ratios).tolist())) > 1
                                             for m, _ in par.piecewise.values())


def lookwise_factors(par, name: str, rates, opts=None) -> np.ndarray | None:
    """(…, P, K) look factors of design ``name``'s statistics (P = 1; stratified: F then each
    population), or None where the plan's √t form is exact: not survival, one look, or every cell
    the design's statistics use has the same model (control hazards, hazard ratios, treated
    fraction) and that model's hazard ratio is constant over time.

    Used for time-varying hazard ratios (delayed, waning effects) and for **heterogeneous strata**
    (constant but different hazard ratios or control hazards across subgroups or cells, an assay's
    test-positive/test-negative mixtures, a strategy arm treating only test-positives): the share
    of each stratum in the events changes over time, so each look's drift is not δ√t_k. Exponential
    subgroups enter the piecewise engine as one-piece models (uniform accrual), piecewise ones with
    their models; looks at the events of the design's analysis population (:func:`_statistics`);
    see :func:`planner.piecewise.lookwise.linear_look_factors`, vectorized over the points of array
    inputs (curves, maps, assurance draws)."""
    if par.endpoint != "survival" or len(rates) < 2:
        return None
    key = _factors_key(par, name, rates, opts)
    hit = _FACTORS.get(key, _FACTORS) if key is not None else _FACTORS
    if hit is not _FACTORS:   # a comparison builds each design's model several times with the same inputs
        touch(_FACTORS, key)
        return hit
    out = _lookwise_factors(par, name, rates, opts)
    if key is not None:
        keep(_FACTORS, key, out, _MEMO_SIZE)
    return out


#: :func:`lookwise_factors` per distinct input (:func:`_factors_key`): the same object, so the same
#: numbers bit for bit
_FACTORS: OrderedDict = OrderedDict()


def value_key(x):
    """A hashable key equal for equal values of ``x``: arrays by shape, dtype and bytes (object
    arrays by their elements), mappings by their items in order, tuples and lists elementwise,
    dataclasses by type and fields; other objects as themselves (they must be hashable: a
    TypeError when not)."""
    if isinstance(x, np.ndarray):   # an object array by its elements' values (its bytes are addresses)
        if x.dtype.hasobject:
            return ("o", x.shape, *(value_key(v) for v in x.ravel()))
        return ("a", x.shape, x.dtype.str, x.tobytes())
    if isinstance(x, (str, int, float, bool, type(None))):
        return x
    if isinstance(x, (tuple, list)):
        return (type(x).__name__, *(value_key(v) for v in x))
    if isinstance(x, (dict, MappingProxyType)):
        return ("m", *((k, value_key(v)) for k, v in x.items()))
    names = _FIELDS.get(type(x))
    if names is None and is_dataclass(x):
        names = _FIELDS[type(x)] = tuple(f.name for f in fields(x))
    if names is not None:
        return (type(x), *(value_key(getattr(x, n)) for n in names))
    hash(x)
    return x


_FIELDS: dict = {}


def _factors_key(par, name: str, rates, opts):
    """The key of :func:`lookwise_factors`' memo: every field of ``par`` (:func:`value_key`), the
    design, the information rates and the options the statistics depend on (the population tested
    in the cells form, the strategy design's control arm); None when a field is not hashable."""
    try:
        return (name, tuple(float(r) for r in rates), getattr(opts, "population", None),
                getattr(opts, "control_arm", None), value_key(par))
    except TypeError:
        return None


def _lookwise_factors(par, name: str, rates, opts) -> np.ndarray | None:
    """:func:`lookwise_factors` without its memo."""
    from .piecewise.lookwise import linear_look_factors

    spec = _statistics(par, name, opts)
    if spec is None:
        return None
    look, stats = spec
    used = [c for c in look] + [c for st in stats for _, cs in st for c in cs]
    shape = np.broadcast_shapes(*(np.shape(x) for w, which, _, _ in used
                                  for x in (w, *par.subgroup(which).values())))
    if not (non_proportional(par) or _heterogeneous(par, used, shape)):
        return None
    setting = _lookwise_setting(par)
    size = int(np.prod(shape))
    points = lambda cells: [_cell_points(par, cell, shape, size) for cell in cells]  # noqa: E731
    args = (points(look), [[(c, points(cs)) for c, cs in st] for st in stats], setting, tuple(rates),
            [_null_shift(par, name)] * len(stats))
    key = ("lookwise", repr(args[2:]), tuple((w.tobytes(), m.starts, m.control_hazards.tobytes(),
                                              m.hazard_ratios_by_point.tobytes(), ta, tb)
                                             for w, m, ta, tb in [*args[0], *(c for st in args[1] for _, cs in st
                                                                              for c in cs)]),
           tuple(tuple((c, len(cs)) for c, cs in st) for st in args[1]))
    out = _MEMO.get(key)
    if out is None:   # a comparison builds each design's model several times with the same inputs
        out = linear_look_factors(*args)
        keep(_MEMO, key, out, _MEMO_SIZE)
    return out.reshape(shape + out.shape[1:])


def cells_joint(par, rates, names):
    """The cells form's K-population stratified design under piecewise cells (scalar inputs): the
    law of every hypothesis's stratified log-rank Z at every look
    (:func:`planner.groupseq.multipop.joint_information`) from each cell's expected events e_c(τ_k)
    (information p(1 − p)·e_c per patient) and average log hazard ratio at the expected calendar
    time τ_k of each look's events of everyone (:func:`planner.piecewise.lookwise.look_times`):
    E Z_j,k = Σ_c∈j θ_c,k I_c,k / √Σ_c∈j I_c,k with θ_c,k = −ln AHR_c(τ_k) (+ ln θ0 for a shifted
    null) — the look-wise law of :func:`lookwise_factors` per cell, with the correlations from the
    cells' information (independent increments within a cell, cells independent)."""
    from .groupseq.multipop import joint_information
    from .piecewise.logrank import logrank_moments
    from .piecewise.lookwise import look_times

    st = par.structure
    setting = _lookwise_setting(par)
    strata = [[_cell_points(par, (st.prevalence[i] * w, g, 1.0, 0.0), (), 1) for w, g in st.components[i]]
              for i in range(len(st.cells))]
    times = look_times([c for cs in strata for c in cs], setting, rates)
    info, theta = [], []
    for cs in strata:
        m = logrank_moments(cs, setting, times, aligned=True)
        info.append(setting.p * (1 - setting.p) * m.events[0])
        theta.append(-m.log_ahr[0] + _null_shift(par, "stratified"))
    members = np.zeros((len(names), len(st.cells)))
    for j, name in enumerate(names):
        members[j, list(st.members(name))] = 1.0
    return joint_information(np.asarray(theta), np.asarray(info), members)


def _merge(cells: list) -> list:
    """Cells of one outcome group and treated fractions merged (weights summed), first-seen order."""
    out: dict = {}
    for w, which, ta, tb in cells:
        key = (which, float(ta), float(tb))
        out[key] = w if key not in out else out[key] + w
    return [(w, which, ta, tb) for (which, ta, tb), w in out.items()]


def _statistics(par, name: str, opts) -> tuple[list, list] | None:
    """(cells whose events time the looks, statistics) of design ``name``: cells (weight = share of
    everyone randomized, outcome group, t_a, t_b) over :func:`planner.populations.structure_of`
    (the two-subgroup form: test-positive and test-negative mixtures of B+/B−); a statistic is a
    list of (coefficient, cells) of disjoint populations. The interaction design of the cells form
    has one statistic per population, its own population's first and then the others in the
    structure's order (:func:`planner.designs.sequential.with_plan` gives each claim its row). None:
    a design without one (K populations)."""
    from .catalogue import FULL_POPULATION
    from .populations import structure_of

    st = structure_of(par)
    pop = (getattr(opts, "population", None) if par.structure is not None else None) or st.names[1]

    def absolute(members, ta=1.0, tb=0.0):
        return _merge([(st.prevalence[i] * w, g, ta, tb) for i in members for w, g in st.components[i]])

    everyone = absolute(st.members(FULL_POPULATION))
    if name == "all_comers":
        return everyone, [[(1.0, everyone)]]
    if name == "targeted":
        cells = absolute(st.members(pop))
        return cells, [[(1.0, cells)]]
    if name == "strategy":
        tb = 0.5 if getattr(opts, "control_arm", "standard") == "randomized" else 0.0
        cells = _merge(st.treating(st.members(pop), tb))
        return cells, [[(1.0, cells)]]
    if name == "interaction":   # the cells form: one test per population, the design's own first
        order = [pop] + [h for h in st.names[1:] if h != pop] if par.structure is not None else [pop]
        return everyone, [[(1.0, absolute(st.members(h))), (-1.0, absolute(st.complement(h)))] for h in order]
    if name == "stratified" and len(st.names) == 2:
        return everyone, [[(1.0, absolute(st.members(h)))] for h in st.names]
    return None


def _heterogeneous(par, cells: list, shape) -> bool:
    """Whether the cells with a share anywhere differ in model (control median or piecewise model,
    hazard ratio) or in treated fraction t_a − t_b."""
    seen = set()
    for w, which, ta, tb in cells:
        if not np.any(np.asarray(w, dtype=float) != 0.0):
            continue
        g = par.subgroup(which)
        hr = np.broadcast_to(np.asarray(g["hazard_ratio"], dtype=float), shape).tobytes()
        if par.piecewise is not None:
            model = par.piecewise[which]
        else:
            model = np.broadcast_to(np.asarray(g["control_median"], dtype=float), shape).tobytes()
        seen.add((model, hr, float(ta) - float(tb)))
    return len(seen) > 1


def _cell_points(par, cell, shape, size: int):
    """Cell ``(w, which, ta, tb)`` at every flat point: (weights (P, 1), PointModels, ta, tb)."""
    from .piecewise.lookwise import PointModels

    w, which, ta, tb = cell
    g = par.subgroup(which)
    flat = lambda x: np.broadcast_to(np.asarray(x, dtype=float), shape).reshape(-1)  # noqa: E731
    hr = flat(g["hazard_ratio"])
    if par.piecewise is not None:
        model = PointModels.of([scaled_points(*par.piecewise[which], hr)], size)
    else:
        lam = np.asarray(hazard_from_median(flat(g["control_median"])), dtype=float)
        model = PointModels((0.0,), lam[:, None], hr[:, None])
    return (flat(w)[:, None], model, float(ta), float(tb))


def _lookwise_setting(par):
    from .piecewise.logrank import SurvivalSetting

    if par.survival_setting is not None:
        return replace(par.survival_setting, allocation_ratio=par.allocation_ratio)
    return SurvivalSetting(par.accrual_time, par.follow_up_time, par.dropout_hazard, par.allocation_ratio)


def _null_shift(par, name: str) -> float:
    """ln θ0 of a shifted null hazard ratio (:func:`planner.noninferiority.shift_theta`; the
    interaction test has none), else 0."""
    from .noninferiority import is_shifted

    if name == "interaction" or not is_shifted(par.endpoint, par.null_effect):
        return 0.0
    return math.log(float(par.null_effect))


def _look_cells(par, name: str, opts) -> list | None:
    """Scalar cells (share of the design's randomized patients, outcome group, t_a, t_b) whose
    events time design ``name``'s looks (:func:`_statistics`; the stratified design: everyone),
    None for a design without them (K populations)."""
    spec = _statistics(par, "all_comers" if name == "stratified" else name, opts)
    if spec is None:
        return None
    cells = [(float(np.ravel(w)[0]), which, float(ta), float(tb)) for w, which, ta, tb in spec[0]]
    total = sum(w for w, _, _, _ in cells)
    return [(w / total, which, ta, tb) for w, which, ta, tb in cells] if total > 0 else None


def exponential_events(par, cells: list):
    """(D(τ), D′(τ)) per patient randomized of exponential ``cells`` (uniform accrual over [0, a],
    exponential dropout η; a cell's control-hazard share w(p(1 − t_a) + (1 − p)(1 − t_b)) at λ, its
    treated share at λ·HR): with m = min(τ, a), μ = λ + η,

        D(τ) = (1/a) Σ_c w_c λ_c/μ_c [m − (e^{−μ_c(τ − m)} − e^{−μ_c τ})/μ_c]

    (:mod:`planner.groupseq.timing`; at τ = a + f it is Σ_c w_c P_c(event) of
    :func:`planner.survival.event_probability`, the design's events per patient), vectorized over τ."""
    p, a, eta = par.p, float(par.accrual_time), float(par.dropout_hazard)
    share, lam = [], []
    for w, which, ta, tb in cells:
        g = par.subgroup(which)
        h = float(np.ravel(hazard_from_median(g["control_median"]))[0])
        hr = float(np.ravel(g["hazard_ratio"])[0])
        share += [w * (p * (1 - ta) + (1 - p) * (1 - tb)), w * (p * ta + (1 - p) * tb)]
        lam += [h, h * hr]
    s, lam = np.asarray(share), np.asarray(lam)
    mu = lam + eta
    c = s * lam / mu / a

    def total(tau):
        t = np.asarray(tau, dtype=float)[..., None]
        m = np.minimum(t, a)
        return np.sum(c * (m + np.exp(-mu * (t - m)) * np.expm1(-mu * m) / mu), axis=-1)

    def rate(tau):
        t = np.asarray(tau, dtype=float)[..., None]
        return np.sum(c * np.where(t < a, -np.expm1(-mu * t), np.exp(-mu * (t - a)) * -np.expm1(-mu * a)), axis=-1)

    return total, rate


def design_look_times(par, name: str, opts, n_patients: float, events) -> list[float] | None:
    """Calendar times at which design ``name``'s ``n_patients`` reach ``events`` (NaN: never), from
    the cells of its analysis population with each cell's treated fraction (:func:`_look_cells`):
    exponential subgroups in closed form (:func:`exponential_events`), piecewise ones by the
    engine's exact integration (:func:`planner.piecewise.logrank.analysis_time`); the root by
    :func:`planner.piecewise.events.calendar_time` (safeguarded Newton, to 1e-11 of the events),
    all looks at once. As the per-look search it replaces, a target within 1e-9 of the events at
    the planned analysis a + f is that time (beyond them by more than 1e-6: NaN). None where the
    design has no such cells."""
    from .piecewise.events import calendar_time
    from .piecewise.logrank import analysis_time

    cells = _look_cells(par, name, opts)
    if cells is None:
        return None
    d = np.asarray(events, dtype=float).reshape(-1)
    n = float(n_patients)
    if par.piecewise is None:
        end = float(par.accrual_time + par.follow_up_time)
        total, rate = exponential_events(par, cells)
        at_end = n * float(total(end))
        # on x = τ/(a + f): the bracket search starts at [0, 1], where every look before the end lies
        solve = lambda x: end * calendar_time(x, lambda y: n * total(y * end), lambda y: n * end * rate(y * end))  # noqa: E731
    else:
        models = [(w, scaled_model(*par.piecewise[which], float(np.ravel(par.subgroup(which)["hazard_ratio"])[0])), ta, tb)
                  for w, which, ta, tb in cells]
        setting = _lookwise_setting(par)
        end = float(setting.analysis_time)
        at_end = float(logrank_moments(models, setting, np.array(end)).events) * n
        solve = lambda x: analysis_time(models, setting, x, n)  # noqa: E731
    late = d >= at_end * (1 - 1e-9)
    times = np.where(d <= at_end * (1 + 1e-6), end, np.nan)
    if not late.all():
        times[~late] = solve(d[~late])
    return [float(x) if np.isfinite(x) else math.nan for x in np.ravel(times)]
