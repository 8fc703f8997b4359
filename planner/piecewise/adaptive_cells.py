"""Patient-level simulation of the adaptive enrichment design over several populations (cells form).

The design is the several-populations engine's (:class:`planner.adaptive.kmodel.KModel`,
:mod:`planner.adaptive.kpop`: F and 1 to 3 populations made of disjoint cells, stages at
cumulative event counts D_1 < … < D_K, inverse-normal or Fisher combination, the closed test of
every intersection hypothesis with Bonferroni, Simes, Šidák or Spiessens–Debois, selection of
populations at each interim, non-binding futility, success "at least one" or "all"); here every
trial is simulated patient by patient, as the two-subgroup form's
:mod:`planner.piecewise.adaptive_patients` does, and the log-rank statistics come from the data:

1. **Arrivals.** The N planned patients (N = ⌈D_K / Σ_c p_c u_c⌉, u_c the cell's expected events
   per patient at the planned analysis: the engine's own weights) arrive over [0, A] with the
   accrual density; each patient's cell is multinomial with the cells' prevalences; survival of
   the cell's piecewise (or exponential) model, exponential dropout, exact r : 1 allocation
   pattern (:mod:`planner.piecewise.simulate`). N further arrivals after A (all cells, at the last
   accrual interval's rate N·g_last) are drawn for trials that drop cells.
2. **Stage 1** enrols every cell; its analysis at the calendar time t_1 of the D_1-th event.
3. **Interim decision** at t_k + δ (``interim_delay``): the engine's selection rule
   (:func:`planner.adaptive.kpop.select_k`) on the populations' cumulative measures — exp(U/V)
   (1/HR̂, the log-rank estimate) or U/√V, U and V the log-rank score and variance stratified over
   the population's cells. From the decision on, patients of cells outside every selected
   population are no longer randomized; patients of the enrolled cells keep being randomized as
   they arrive (after A at the rate above) until N are randomized in all; a trial whose stage
   events are then never reached keeps recruiting them until they are (``extended``; at most N
   later arrivals, beyond which the trial is ``short`` and analysed with all its data).
4. **Stage k ≥ 2** is analysed when the events of the randomized patients of the enrolled cells,
   counted after t_{k−1}, reach D_k − D_{k−1} (the engine splits exactly those events over the
   enrolled cells), not before the decision.
5. **Stage-wise statistics** by independent increments of the cumulative log-rank score and
   variance per cell (Tsiatis 1981): Z_g,k = Σ_{c∈g} ΔU_c / √(Σ_{c∈g} ΔV_c), the stratified
   log-rank statistic of population g over its cells; Spiessens–Debois (one population) with
   ρ = √(ΔV_S/ΔV_F). These enter the engine's closed combination test (the functions of
   :mod:`planner.adaptive.kpop` and :mod:`planner.adaptive.closed_testing`: intersection
   p-values, combination, closed rejections, futility rule).

Random numbers: blocks of :data:`BLOCK` trials seeded by :func:`planner.blocks.seeded_chunks`;
each block draws, in order, entry, cell, event and dropout variates of the N + N arrivals and the
later arrivals' gaps; results do not depend on the chunk size.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from ..adaptive.closed_testing import closed_rejections, p_to_z
from ..adaptive.closed_testing import futile as futile_rule
from ..adaptive.kpop import _intersection_p, intersections, select_k
from ..adaptive.simulate import _futility_bounds, _reject, _term
from ..blocks import run_seeded_blocks
from .adaptive_patients import PatientRunResult, _analysis_time
from .logrank import SurvivalSetting
from .simulate import allocation, event_times, hazard_tables, stratified_logrank

BLOCK = 250
DEFAULT_CHUNK = 1000
OUTCOMES = ("rej", "success", "stage", "first", "events", "patients", "duration", "short", "extended",
            "design_events")


@dataclass(frozen=True)
class CellsAdaptivePatientDesign:
    """An adaptive enrichment survival trial over cells to simulate patient by patient (module)."""

    model: object                     # planner.adaptive.kmodel.KModel
    cells: tuple                      # PiecewiseSurvival per cell, in the model's cell order
    n_patients: int
    setting: SurvivalSetting
    interim_delay: float = 0.0

    def last_rate(self) -> float:
        """Arrival rate after A (all cells): N × the last positive accrual density."""
        g = self.setting.accrual.segments(self.setting.accrual_time)[2]
        return self.n_patients * float(g[g > 0][-1])


def _arrivals(d: CellsAdaptivePatientDesign, gen: np.random.Generator, trials: int):
    """Entry, cell, treated, observed time from entry and event flag of the N + N arrivals."""
    n = d.n_patients
    total = 2 * n
    s = d.setting
    u_entry = gen.random((trials, n))
    u_cell = gen.random((trials, total))
    e_event = gen.standard_exponential((trials, total))
    e_drop = gen.standard_exponential((trials, total))
    gaps = gen.standard_exponential((trials, n))
    q, t = s.accrual.knots(s.accrual_time)
    entry = np.concatenate([np.interp(u_entry, q, t), s.accrual_time + np.cumsum(gaps, axis=1) / d.last_rate()],
                           axis=1)
    cell = np.zeros((trials, total), dtype=np.int8)
    for cut in np.cumsum(d.model.prevalences)[:-1]:
        cell += u_cell >= cut
    treated = np.broadcast_to(allocation(total, s.p), (trials, total))
    t_event = event_times(e_event, 2 * cell + treated, hazard_tables(d.cells))
    t_drop = e_drop / s.dropout_hazard if s.dropout_hazard > 0 else np.full_like(e_drop, np.inf)
    return entry, cell, treated, np.minimum(t_event, t_drop), t_event <= t_drop


class _Cuts:
    """Per trial: when each cell stopped being randomized (inf: never), extended recruitment,
    short trials, the last analysis's time and cumulative U, V per cell."""

    def __init__(self, trials: int, cells: int, n: int):
        self.drop = np.full((trials, cells), np.inf)
        self.extend = np.zeros(trials, dtype=bool)
        self.short = np.zeros(trials, dtype=bool)
        self.t = np.zeros(trials)
        self.u, self.v = np.zeros((trials, cells)), np.zeros((trials, cells))
        self.n = n

    def randomized(self, entry, cell) -> np.ndarray:
        """Base arrivals whose cell was enrolled when they came; later arrivals (only once a cell
        was dropped) of enrolled cells until N are randomized, or all of them when extended."""
        n = self.n
        ok = entry < np.take_along_axis(self.drop, cell.astype(np.intp), 1)
        base = ok[:, :n]
        room = n - base.sum(axis=1)
        later = ok[:, n:] & np.isfinite(self.drop).any(axis=1)[:, None]
        rank = np.cumsum(later, axis=1)
        later &= (rank <= room[:, None]) | self.extend[:, None]
        return np.concatenate([base, later], axis=1)


def _stage(d: CellsAdaptivePatientDesign, data, calendar, k: int, cuts: _Cuts, enrolled, active):
    """Analysis k: its time, cumulative U, V per cell and their increments (see module)."""
    entry, cell, treated, observed, is_event = data
    planned = d.model.planned
    need = int(round(planned[0] if k == 0 else planned[k] - planned[k - 1]))
    in_cells = np.take_along_axis(enrolled, cell.astype(np.intp), 1)
    t_k = _analysis_time(calendar, cuts.randomized(entry, cell) & in_cells, cuts.t, need)
    lacking = ~np.isfinite(t_k) & np.isfinite(cuts.drop).any(axis=1) & ~cuts.extend
    if lacking.any():
        cuts.extend |= lacking
        again = _analysis_time(calendar, cuts.randomized(entry, cell) & in_cells, cuts.t, need)
        t_k = np.where(lacking, again, t_k)
    randomized = cuts.randomized(entry, cell)
    if k > 0:
        t_k = np.maximum(t_k, cuts.t + d.interim_delay)
    cuts.short |= active & ~np.isfinite(t_k)
    if not np.isfinite(t_k).all():
        last = np.max(np.where(np.isfinite(calendar) & randomized, calendar, 0.0), axis=1)
        t_k = np.where(np.isfinite(t_k), t_k, np.maximum(last, cuts.t) + 1e-9)
    include = randomized & (entry < t_k[:, None])
    follow = np.minimum(observed, t_k[:, None] - entry)
    event = is_event & (observed <= t_k[:, None] - entry)
    u, v = stratified_logrank(follow, event, treated, cell, len(d.cells), include)
    return t_k, u, v, need


def _by_population(rows, u, v, fn) -> np.ndarray:
    """(G, trials): fn(ΣU, ΣV) over each population's cells."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.stack([fn(u[:, list(r)].sum(1), v[:, list(r)].sum(1)) for r in rows])


def _closed_step(m, k, z, rho, st) -> np.ndarray:
    """The engine's closed combination test at stage k (:func:`planner.adaptive.kpop.run_chunk_k`'s
    step) on the stage-wise z of the populations; updates ``st`` and returns the trials' success."""
    p = np.where(st["sel"], ndtr(-z), np.inf)
    n = z.shape[1]
    z_j, tested = np.empty((len(st["inter"]), n)), np.empty((len(st["inter"]), n), dtype=bool)
    for i, J in enumerate(st["inter"]):
        pj, cnt = _intersection_p(m.intersection_test, p, J, z, rho)
        tested[i] = cnt > 0
        z_j[i] = z[J[0]] if len(J) == 1 else p_to_z(np.where(cnt > 0, pj, 1.0))
    st["comb"] += np.where(tested, m.combination_weights[k] * _term(m, np.where(tested, z_j, 0.0)), 0.0)
    stat, reached = _reject(m, k, st["comb"], st["log_crit"])
    st["rej_int"] |= reached & tested
    closed = closed_rejections(st["rej_int"], st["contains"])
    st["rej"] |= closed & st["sel"] & st["active"][None, :]
    st["z_j"], st["stat"], st["tested"] = z_j, stat, tested
    if m.success_criterion == "all":
        return (~st["sel"] | closed).all(axis=0) & st["active"]
    return st["rej"].any(axis=0) & st["active"]


def _run_block(d: CellsAdaptivePatientDesign, gen: np.random.Generator, trials: int) -> dict:
    """One block of trials: the several-populations engine's stage loop on patient data."""
    m = d.model
    g, k_max = len(m.names), m.stages
    member = np.asarray(m.membership, dtype=bool)
    rows = [tuple(int(c) for c in np.flatnonzero(r)) for r in member]
    data = _arrivals(d, gen, trials)
    entry, cell, _, observed, is_event = data
    calendar = np.where(is_event, entry + observed, np.inf)
    inter = intersections(g)
    with np.errstate(divide="ignore"):
        log_crit = np.log(np.asarray(m.critical, dtype=float))
    st = {"sel": np.ones((g, trials), dtype=bool), "active": np.ones(trials, dtype=bool), "inter": inter,
          "comb": np.zeros((len(inter), trials)), "rej_int": np.zeros((len(inter), trials), dtype=bool),
          "rej": np.zeros((g, trials), dtype=bool), "log_crit": log_crit,
          "contains": np.array([[j in J for J in inter] for j in range(g)])}
    fut = _futility_bounds(m)
    cuts = _Cuts(trials, len(d.cells), d.n_patients)
    success_any = np.zeros(trials, dtype=bool)
    stage_stop, stop_time = np.full(trials, k_max - 1), np.full(trials, np.inf)
    first = np.zeros(trials, dtype=np.int64)
    counted = np.zeros(trials)
    for k in range(k_max):
        enrolled = ((member.T.astype(float) @ st["sel"].astype(float)) > 0).T     # (trials, C)
        t_k, u, v, need = _stage(d, data, calendar, k, cuts, enrolled, st["active"])
        counted += np.where(st["active"], need, 0)
        du, dv = u - cuts.u, v - cuts.v
        z = np.nan_to_num(_by_population(rows, du, dv, lambda a, b: a / np.sqrt(b)))
        rho = 0.0
        if m.intersection_test == "spiessens_debois":
            rho = np.clip(np.nan_to_num(_by_population(rows[1:2], du, dv, lambda a, b: np.sqrt(b))[0]
                                        / np.sqrt(dv.sum(1))), 0.0, 1.0)
        success = _closed_step(m, k, z, rho, st)
        success_any |= success
        stop_time = np.where(st["active"], t_k, stop_time)
        if k == k_max - 1:
            break
        futile = futile_rule(st["z_j"] if m.combination == "fisher" else st["stat"], fut[k], st["tested"],
                             st["contains"], st["sel"])
        test = m.effect_measure == "test_statistic"
        measure = _by_population(rows, u, v, (lambda a, b: a / np.sqrt(b)) if test else (lambda a, b: np.exp(a / b)))
        new = select_k(m, st["sel"], measure)
        futile = (futile | ~new.any(axis=0)) & st["active"] & ~success
        stopping = st["active"] & (success | futile)
        stage_stop = np.where(stopping, k, stage_stop)
        st["active"] &= ~stopping
        if k == 0:
            first = np.where(st["active"], (new.astype(np.int64) * (2 ** np.arange(g))[:, None]).sum(0), 0)
        kept = ((member.T.astype(float) @ new.astype(float)) > 0).T
        dropped = enrolled & ~kept & st["active"][:, None]
        cuts.drop = np.where(dropped, np.minimum(cuts.drop, (t_k + d.interim_delay)[:, None]), cuts.drop)
        st["sel"] = new
        cuts.t, cuts.u, cuts.v = t_k, u, v
    randomized = cuts.randomized(entry, cell)
    seen = np.isfinite(calendar) & (calendar <= stop_time[:, None]) & randomized
    return dict(rej=st["rej"].T, success=success_any, stage=stage_stop, first=first, events=seen.sum(1),
                patients=(randomized & (entry < stop_time[:, None])).sum(1), duration=stop_time,
                short=cuts.short, extended=cuts.extend, design_events=counted)


@dataclass(frozen=True)
class CellsAdaptivePatientResult(PatientRunResult):
    """Per simulated trial (``rej`` (trials, G), the others (trials,); see :data:`OUTCOMES`) of a
    :class:`CellsAdaptivePatientDesign`."""

    def summary(self) -> dict:
        """Rejection of every population (``reject_<name>``), at least one, all, success, early
        stops, the first interim's selection of each population; expected events, patients and
        duration; each with its Monte Carlo SE (``_se``)."""
        o, m, n = self.outcomes, self.design.model, self.simulations
        out: dict = {}

        def prop(key, x):
            p = float(np.mean(x))
            out[key], out[key + "_se"] = p, math.sqrt(p * (1 - p) / n)

        rej = o["rej"]
        for j, name in enumerate(m.names):
            prop("reject_" + name, rej[:, j])
        prop("reject_at_least_one", rej.any(axis=1))
        prop("reject_all", rej.all(axis=1))
        prop("success", o["success"])
        early = o["stage"] < m.stages - 1
        prop("early_stop_efficacy", early & o["success"])
        prop("early_stop_futility", early & ~o["success"])
        for key in ("short", "extended"):
            prop(key, o[key])
        for key, name in (("events", "expected_events"), ("patients", "expected_subjects"),
                          ("duration", "expected_duration"), ("design_events", "expected_design_events")):
            x = np.asarray(o[key], dtype=float)
            out[name], out[name + "_se"] = float(x.mean()), float(x.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
        return out


def simulate_cells_adaptive(design: CellsAdaptivePatientDesign, simulations: int, seed: int, *,
                            chunk_size: int = DEFAULT_CHUNK, progress: Callable[[int, int], object] | None = None,
                            is_cancelled: Callable[[], bool] | None = None) -> CellsAdaptivePatientResult:
    """Simulate ``simulations`` trials of ``design`` patient by patient (see module)."""
    simulations = int(simulations)
    outcomes, cancelled = run_seeded_blocks(lambda rng, size: _run_block(design, rng, size), simulations, seed,
                                            BLOCK, chunk_size, OUTCOMES, progress, is_cancelled)
    return CellsAdaptivePatientResult(design, outcomes, int(seed), simulations, cancelled)


def cells_adaptive_design(scenario, interim_delay: float = 0.0) -> CellsAdaptivePatientDesign:
    """The design of a cells-form survival scenario's ``designs.adaptive``: its KModel, the cells'
    models in the model's order, N = ⌈D_K / Σ p_c u_c⌉ and the survival setting."""
    from ..adaptive import model_from_scenario  # noqa: PLC0415
    from ..patient_level import subgroup_model  # noqa: PLC0415
    from ..scenario_piecewise import survival_setting  # noqa: PLC0415

    model = model_from_scenario(scenario)
    u_f = sum(p * u for p, u in zip(model.prevalences, model.event_weight))
    n = int(math.ceil(model.planned[-1] / u_f - 1e-9))
    cells = tuple(subgroup_model(scenario.cells[name]) for name in model.cell_names)
    setting = survival_setting(scenario.survival, scenario.testing.allocation_ratio)
    return CellsAdaptivePatientDesign(model, cells, n, setting, float(interim_delay))


#: the engine's result fields compared with the patient-level summary (besides reject_<population>)
CELLS_COMPARED = ("reject_at_least_one", "reject_all", "success", "early_stop_efficacy", "early_stop_futility")


def normal_approximation(model, simulations: int, seed: int) -> dict:
    """The several-populations engine's numbers with the summary's names (with ``_se``)."""
    from ..adaptive import simulate_model  # noqa: PLC0415

    r = simulate_model(model, simulations, seed)
    out: dict = {}
    for name in model.names:
        out["reject_" + name] = float(r.reject_by_population[name])
        out["reject_" + name + "_se"] = float(r.reject_by_population_se[name])
    for key in CELLS_COMPARED:
        out[key], out[key + "_se"] = float(getattr(r, key)), float(getattr(r, key + "_se"))
    out["expected_events"], out["expected_events_se"] = r.expected_events, r.expected_events_se
    return out
