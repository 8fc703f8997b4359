"""Patient-level simulation of a survival scenario's designs (``simulate --patient-level``).

For every fixed design of a survival scenario (all-comers, targeted, biomarker-stratified,
strategy, interaction), at the
size and events :func:`planner.compute.compare_designs` gives them, trials are simulated patient
by patient with :func:`planner.piecewise.simulate.simulate_patients`: calendar-time accrual
(piecewise intensities), random (binomial) B+/B− membership, event and dropout times from the
piecewise (or exponential) model, the analysis at the calendar time of the planned event count,
and the log-rank test stratified by true B+/B− status computed from the data. The simulated
power (± its Monte Carlo SE √(p(1 − p)/n)) is shown beside the analytic power of the same test.

What is simulated, exactly:

* all-comers — everyone, stratified log-rank test at one-sided α (α/2 when two-sided);
* targeted — test-positive patients (true B+ with probability PPV), the same test;
* stratified — the design's closed test of H_F (log-rank stratified by test result) and H_S
  (log-rank in test-positives) with its multiplicity procedure, at one analysis or at every look
  of its interim plan with the plan's closed group-sequential bounds; the four claims, rejections
  per look, expected events and patients beside the design's analytic numbers
  (:func:`planner.piecewise.checks.check_stratified`).

Group-sequential designs (an interim plan in force): the all-comers and targeted designs are
analysed at every look's event count (the plan's information rates × the maximum events,
rounded) against the plan's efficacy bounds c_k and futility bounds f_k as the design's result
reports them (``looks``: planner.groupseq), stopping at the first look with Z_k ≥ c_k or
Z_k ≤ f_k; the analytic power is then the design's own group-sequential power (futility
followed, as :func:`planner.groupseq.boundaries.crossing`).

The cells form (several populations): all-comers, targeted (at its population) and stratified
(F and every population, the design's closed test) at one analysis
(:func:`planner.piecewise.checks.check_cells_design`) or at every look of its interim plan with
the analytic engine's closed group-sequential bounds for every intersection hypothesis
(:mod:`planner.piecewise.cells_gs`).

The strategy and interaction designs (both forms, at one analysis or at every look of the
interim plan with the plan's bounds): :mod:`planner.piecewise.contrast_patients` — strategy:
everyone randomized between the marker-based arm (test-positives, or the targeted population's
cells, treated) and the non-marker arm (everyone on control, or randomized 1 : 1), the log-rank
test of the two arms stratified by the analytic model's cells; interaction: the difference of the
log-rank estimates of the log hazard ratio in test-positives and test-negatives (cells form: every
population against its complement) over its observed standard error. The adaptive enrichment
design of the two-subgroup form is simulated by :mod:`planner.piecewise.adaptive_patients`
(:func:`check_adaptive`), that of the cells form (F and up to three populations) by
:mod:`planner.piecewise.adaptive_cells`, each beside the normal-approximation simulator with the
same number of trials and seed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from .assay import assay_mix
from .piecewise.logrank import events_power
from .piecewise.model import PiecewiseSurvival
from .piecewise.simulate import PatientLevelDesign, simulate_patients
from .scenario_piecewise import survival_setting
from .survival import hazard_from_median

PATIENT_LEVEL_DESIGNS = ("all_comers", "targeted", "stratified", "strategy", "interaction")
WHAT_IS_SIMULATED = {
    "all_comers": "everyone; log-rank test stratified by B+/B−",
    "targeted": "test-positive patients; log-rank test stratified by true B+/B−",
    "stratified": "overall stratified log-rank test at the full α (check_scenario simulates the design's "
                  "closed test: planner.piecewise.checks)",
}


@dataclass(frozen=True)
class PatientLevelCheck:
    """One design: size, simulated power ± MC SE, the analytic power of the same test."""

    design: str
    n_randomized: int
    events: int
    simulated_power: float
    simulated_se: float
    analytic_power: float
    mean_analysis_time: float
    analytic_analysis_time: float
    simulations: int
    incomplete: bool
    what: str
    looks: int = 1
    analytic_method: str = "average hazard ratio (Schoenfeld), one analysis"
    simulated_expected_events: float | None = None
    #: the stratified design: every claim simulated and analytic (planner.piecewise.checks)
    claims: dict | None = None

    def to_dict(self) -> dict:
        from .results import json_safe

        return json_safe(self.__dict__)


def subgroup_model(sub) -> PiecewiseSurvival:
    """The subgroup's piecewise model (one piece for an exponential subgroup)."""
    if getattr(sub, "piecewise", None) is not None:
        return sub.piecewise
    return PiecewiseSurvival.exponential(float(hazard_from_median(sub.control_median)), sub.hazard_ratio)


def _share_positive(scenario, design: str) -> float:
    pop = scenario.population
    if design == "targeted":
        return float(assay_mix(pop.prevalence, pop.assay_sensitivity, pop.assay_specificity).ppv)
    return float(pop.prevalence)


def check_design(scenario, design: str, n: int, events: int, simulations: int, seed: int, *,
                 looks=None, analytic_power: float | None = None,
                 progress: Callable[[int, int], object] | None = None,
                 is_cancelled: Callable[[], bool] | None = None, chunk_size: int = 5000) -> PatientLevelCheck:
    """Simulate ``design`` with ``n`` patients analysed at ``events`` events (see module).

    ``looks`` (the design result's ``looks``: ``events``, ``efficacy_z``, ``futility_z`` per look)
    makes it group-sequential; ``analytic_power`` is then the design's own power at that plan.
    """
    t = scenario.testing
    setting = survival_setting(scenario.survival, t.allocation_ratio)
    share = _share_positive(scenario, design)
    pos, neg = subgroup_model(scenario.positive), subgroup_model(scenario.negative)
    alpha = t.alpha / t.sides
    kw: dict = {"alpha": alpha}
    look_events: tuple[int, ...] = (int(events),)
    if looks:
        look_events = tuple(int(round(lk["events"])) for lk in looks)
        kw["critical_values"] = tuple(math.inf if lk.get("efficacy_z") is None else float(lk["efficacy_z"])
                                      for lk in looks)  # None: no efficacy stop at that look
        kw["futility_bounds"] = tuple(-np.inf if lk.get("futility_z") is None else float(lk["futility_z"])
                                      for lk in looks[:-1])
    plan = PatientLevelDesign.two_subgroups(pos, neg, share, int(n), setting, look_events, **kw)
    res = simulate_patients(plan, simulations, seed, progress=progress, is_cancelled=is_cancelled,
                            chunk_size=chunk_size)
    cells = [(share, pos, 1.0, 0.0), (1.0 - share, neg, 1.0, 0.0)]
    power, time, _ = events_power(cells, setting, float(look_events[-1]), float(n), alpha)
    method = "average hazard ratio (Schoenfeld), one analysis"
    if looks:
        power = analytic_power
        method = f"the design's group-sequential power over {len(looks)} looks (planner.groupseq)"
    return PatientLevelCheck(design, int(n), int(look_events[-1]), res.power, res.power_se,
                             float(np.ravel(power)[0]), float(res.mean_times[-1]), float(np.ravel(time)[0]),
                             res.simulations, res.incomplete, WHAT_IS_SIMULATED[design], len(look_events),
                             method, res.expected_events)


def check_scenario(scenario, simulations: int, seed: int, *,
                   progress: Callable[[str, int, int], object] | None = None,
                   is_cancelled: Callable[[], bool] | None = None) -> list[PatientLevelCheck]:
    """Every simulable fixed design of ``scenario`` at its computed size (seeded by blocks;
    design i uses seed + i so that each design's results do not depend on the others)."""
    from .compute import compare_designs
    from .piecewise.checks import check_cells_design, check_stratified
    from .piecewise.contrast_patients import CONTRAST_DESIGNS, check_contrast_design
    from .scenario import FixedDesignOptions

    cells = getattr(scenario, "has_cells", False)
    # a scenario with no fixed design (adaptive only): all-comers, targeted and stratified with their
    # default options — the two-subgroup form only (the cells form's defaults are the file reader's)
    names = [d for d in PATIENT_LEVEL_DESIGNS if d in scenario.designs] or \
        ([] if cells else list(PATIENT_LEVEL_DESIGNS[:3]))
    if not names:
        return []
    designs = {d: scenario.designs.get(d, FixedDesignOptions()) for d in names}
    scenario = replace(scenario, designs=designs)
    comp = compare_designs(scenario, include_adaptive=False)
    out = []
    for i, name in enumerate(names):
        r = comp.designs[name]
        looks = getattr(r, "looks", None) or None
        if not r.feasible or is_cancelled is not None and is_cancelled():
            continue
        step = None if progress is None else (lambda done, total, _n=name: progress(_n, done, total))
        kw = dict(progress=step, is_cancelled=is_cancelled)
        if name in CONTRAST_DESIGNS:
            out.append(check_contrast_design(scenario, name, r, simulations, seed + i, **kw))
        elif cells:
            out.append(check_cells_design(scenario, name, r, simulations, seed + i, **kw))
        elif name == "stratified":
            out.append(check_stratified(scenario, r, simulations, seed + i, **kw))
        else:
            out.append(check_design(scenario, name, r.n_randomized, r.events, simulations, seed + i,
                                    looks=looks, analytic_power=r.power, **kw))
    return out


@dataclass(frozen=True)
class AdaptivePatientCheck:
    """The adaptive design patient by patient beside the normal-approximation simulator."""

    n_patients: int
    planned_events: tuple[float, ...]
    interim_delay: float
    simulations: int
    incomplete: bool
    patient_level: dict
    normal_approximation: dict
    #: the keys compared side by side (the cells form: every population's rejection and more)
    compared: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        from .results import json_safe

        return json_safe(self.__dict__)


#: quantities both simulators report, compared side by side
ADAPTIVE_COMPARED = ("reject_subgroup", "reject_overall", "reject_at_least_one", "reject_both", "success",
                     "select_subgroup_only", "select_overall_only", "select_both")


def adaptive_design(scenario, interim_delay: float = 0.0):
    """The :class:`~planner.piecewise.adaptive_patients.AdaptivePatientDesign` of a survival
    scenario's ``designs.adaptive``: its stages and tests, the subgroups' (piecewise) models, the
    assay's q, PPV and 1 − NPV, and N = ⌈D_K / u_F⌉ patients, u_F the expected events per patient
    of everyone at the planned analysis time (the normal-approximation model's weights); with
    sample-size recalculation D_K is the largest the recalculation allows (first stage + the
    stage-wise maxima)."""
    from .adaptive import model_from_scenario
    from .errors import Problem, ScenarioError
    from .piecewise.adaptive_patients import AdaptivePatientDesign

    if not (math.isfinite(interim_delay) and 0 <= interim_delay <= 1e5):
        raise ScenarioError([Problem("--interim-delay", f"must be in [0, 100,000], got {interim_delay:g}")])
    if getattr(scenario, "has_cells", False):
        from .piecewise.adaptive_cells import cells_adaptive_design

        return cells_adaptive_design(scenario, interim_delay)
    model = model_from_scenario(scenario)
    pop = scenario.population
    mix = assay_mix(pop.prevalence, pop.assay_sensitivity, pop.assay_specificity)
    q = float(mix.p_test_positive)
    u_f = q * model.event_weight[0] + (1 - q) * model.event_weight[1]
    most = model.planned[-1]
    if model.recalculation is not None:  # enough patients for the largest recalculated events
        most = max(most, model.planned[0] + sum(model.recalculation.max_sizes[1:]))
    n = int(math.ceil(most / u_f - 1e-9))
    setting = survival_setting(scenario.survival, scenario.testing.allocation_ratio)
    return AdaptivePatientDesign(model, subgroup_model(scenario.positive), subgroup_model(scenario.negative),
                                 q, float(mix.ppv), float(mix.positive_share_in_test_negative), n, setting,
                                 float(interim_delay))


def check_adaptive(scenario, simulations: int, seed: int, interim_delay: float = 0.0, *,
                   progress: Callable[[int, int], object] | None = None,
                   is_cancelled: Callable[[], bool] | None = None) -> AdaptivePatientCheck:
    """The adaptive design simulated patient by patient (``interim_delay`` δ) and by the
    normal-approximation simulator with the same number of trials and seed."""
    from .adaptive import simulate_model
    from .piecewise.adaptive_patients import simulate_adaptive_patients

    design = adaptive_design(scenario, interim_delay)
    if getattr(scenario, "has_cells", False):
        return _check_cells_adaptive(design, simulations, seed, progress=progress, is_cancelled=is_cancelled)
    res = simulate_adaptive_patients(design, simulations, seed, progress=progress, is_cancelled=is_cancelled)
    normal = simulate_model(design.model, simulations, seed)
    keys = [k for name in ADAPTIVE_COMPARED for k in (name, name + "_se")]
    approx = {k: getattr(normal, k) for k in keys}
    approx["expected_events"], approx["expected_events_se"] = normal.expected_events, normal.expected_events_se
    return AdaptivePatientCheck(design.n_patients, design.model.planned, float(interim_delay), res.simulations,
                                res.incomplete, res.summary(), approx, ADAPTIVE_COMPARED)


def _check_cells_adaptive(design, simulations: int, seed: int, **kw) -> AdaptivePatientCheck:
    """The cells form's adaptive design patient by patient (:mod:`planner.piecewise.adaptive_cells`)
    beside the several-populations engine with the same number of trials and seed."""
    from .piecewise.adaptive_cells import (
        CELLS_COMPARED,
        normal_approximation,
        simulate_cells_adaptive,
    )

    res = simulate_cells_adaptive(design, simulations, seed, **kw)
    compared = tuple("reject_" + g for g in design.model.names) + CELLS_COMPARED
    return AdaptivePatientCheck(design.n_patients, design.model.planned, design.interim_delay, res.simulations,
                                res.incomplete, res.summary(), normal_approximation(design.model, simulations, seed),
                                compared)
