"""Patient-level simulation of a survival scenario's fixed designs (``simulate --patient-level``).

For the all-comers, targeted and biomarker-stratified designs of a survival scenario, at the
size and events :func:`planner.compute.compare_designs` gives them, trials are simulated patient
by patient with :func:`planner.piecewise.simulate.simulate_patients`: calendar-time accrual
(piecewise intensities), random (binomial) B+/B− membership, event and dropout times from the
piecewise (or exponential) model, the analysis at the calendar time of the planned event count,
and the log-rank test stratified by true B+/B− status computed from the data. The simulated
power (± its Monte Carlo SE √(p(1 − p)/n)) is shown beside the analytic power of the same test.

What is simulated, exactly:

* all-comers — everyone, stratified log-rank test at one-sided α (α/2 when two-sided);
* targeted — test-positive patients (true B+ with probability PPV), the same test;
* stratified — the overall stratified log-rank test at the full one-sided α, **without** the
  design's multiplicity procedure (its claims are not simulated).

The strategy and interaction designs and the adaptive enrichment design are not simulated at
patient level (the adaptive design has its own simulator, ``simulate`` without the option).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from .assay import assay_mix
from .piecewise.logrank import events_power
from .piecewise.model import PiecewiseSurvival
from .piecewise.simulate import PatientLevelDesign, simulate_patients
from .scenario_piecewise import survival_setting
from .survival import hazard_from_median

PATIENT_LEVEL_DESIGNS = ("all_comers", "targeted", "stratified")
WHAT_IS_SIMULATED = {
    "all_comers": "everyone; log-rank test stratified by B+/B−",
    "targeted": "test-positive patients; log-rank test stratified by true B+/B−",
    "stratified": "overall stratified log-rank test at the full α (the multiplicity procedure and "
                  "the subgroup claim are not simulated)",
}
NOT_SIMULATED = ("strategy and interaction designs and the adaptive enrichment design are not simulated "
                 "at patient level")


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
                 progress: Callable[[int, int], object] | None = None,
                 is_cancelled: Callable[[], bool] | None = None, chunk_size: int = 5000) -> PatientLevelCheck:
    """Simulate ``design`` with ``n`` patients analysed at ``events`` events (see module)."""
    t = scenario.testing
    setting = survival_setting(scenario.survival, t.allocation_ratio)
    share = _share_positive(scenario, design)
    pos, neg = subgroup_model(scenario.positive), subgroup_model(scenario.negative)
    alpha = t.alpha / t.sides
    plan = PatientLevelDesign.two_subgroups(pos, neg, share, int(n), setting, (int(events),), alpha=alpha)
    res = simulate_patients(plan, simulations, seed, progress=progress, is_cancelled=is_cancelled,
                            chunk_size=chunk_size)
    cells = [(share, pos, 1.0, 0.0), (1.0 - share, neg, 1.0, 0.0)]
    power, time, _ = events_power(cells, setting, float(events), float(n), alpha)
    return PatientLevelCheck(design, int(n), int(events), res.power, res.power_se, float(np.ravel(power)[0]),
                             float(res.mean_times[0]), float(np.ravel(time)[0]), res.simulations,
                             res.incomplete, WHAT_IS_SIMULATED[design])


def check_scenario(scenario, simulations: int, seed: int, *,
                   progress: Callable[[str, int, int], object] | None = None,
                   is_cancelled: Callable[[], bool] | None = None) -> list[PatientLevelCheck]:
    """Every simulable fixed design of ``scenario`` at its computed size (seeded by blocks;
    design i uses seed + i so that each design's results do not depend on the others)."""
    from .compute import compare_designs
    from .scenario import FixedDesignOptions

    names = [d for d in PATIENT_LEVEL_DESIGNS if d in scenario.designs] or list(PATIENT_LEVEL_DESIGNS)
    designs = {d: scenario.designs.get(d, FixedDesignOptions()) for d in names}
    comp = compare_designs(replace(scenario, designs=designs), include_adaptive=False)
    out = []
    for i, name in enumerate(names):
        r = comp.designs[name]
        if not r.feasible or is_cancelled is not None and is_cancelled():
            continue
        step = None if progress is None else (lambda done, total, _n=name: progress(_n, done, total))
        out.append(check_design(scenario, name, r.n_randomized, r.events, simulations, seed + i,
                                progress=step, is_cancelled=is_cancelled))
    return out
