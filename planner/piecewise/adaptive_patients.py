"""Patient-level simulation of the adaptive enrichment design with a survival endpoint.

The design is the normal-approximation simulator's (:class:`planner.adaptive.SimModel`: stages
at cumulative event counts D_1 < … < D_K, prefixed inverse-normal or Fisher combination, closed
test of H_S and H_F with the chosen intersection test, interim selection, non-binding futility);
here every trial is simulated patient by patient, and the log-rank statistics come from the data.

One simulated trial:

1. **Arrivals.** The N planned patients arrive over [0, A] with the accrual density
   (:class:`PiecewiseAccrual`, inverse CDF, independent); each is test-positive (subset S) with
   probability q = P(test+) and truly B+ with probability PPV (test-positive) or 1 − NPV
   (test-negative) — binomial, not N × prevalence. Survival, dropout and allocation as
   :mod:`planner.piecewise.simulate` (piecewise exponential of the true subgroup, exponential
   dropout, exact r : 1 pattern).
2. **Stage 1** enrols everyone. Its analysis (the interim cut) is at the calendar time t_1 of the
   D_1-th event.
3. **Interim decision** at t_1 + δ, δ = ``interim_delay`` (time units of the scenario, e.g.
   months: the time to clean the data, analyse and decide — a project addition; rpact's
   simulation has no such delay). Patients arriving in between are randomized as planned, both
   subsets, and count as they truly would: test-positive ones in S (and F), test-negative ones
   in F only — so if F is dropped they belong to no tested population.
4. **Selection** (rule, effect measure and threshold of the design) on the interim data: effect
   estimate exp(U/V) (the log-rank/Pike estimate of 1/HR) or the log-rank z U/√V of S, F
   (stratified) and R. If F is dropped, test-negative arrivals after the decision are no longer
   randomized, and test-positive patients keep being randomized as they arrive — after A at the
   last accrual interval's rate of test-positive arrivals q·N·g_last — until N are randomized in
   all; if a stage's events are then never reached, that trial keeps recruiting test-positive
   patients until they are (an event-driven trial; at most N arrivals after A are simulated).
5. **Stage k ≥ 2** is analysed when the events of the population tested in it (F while F is
   selected, else S), counted after t_{k−1}, reach D_k − D_{k−1} (rpact's stage-wise events),
   and not before the decision t_{k−1} + δ. If they are never reached, all data are used (the
   trial's ``short`` flag). The data are cut at t_k for everyone.
6. **Stage-wise statistics** by independent increments of the cumulative stratified log-rank
   score U and variance V (strata = test-positive / test-negative; Tsiatis 1981; Wassmer &
   Brannath 2016; Jenkins, Stone & Jennison 2011): Z_S,k = ΔU_S/√ΔV_S,
   Z_F,k = (ΔU_S + ΔU_R)/√(ΔV_S + ΔV_R); the Spiessens–Debois correlation is √(ΔV_S/ΔV_F).
   These enter the same closed combination test as the normal-approximation simulator
   (:mod:`planner.adaptive.simulate`: intersection p-values, weights, critical values, futility
   rule, success criterion).
7. **Sample-size (events) recalculation** (``model.recalculation``, rpact's rule,
   :mod:`planner.adaptive.recalculation`): at interim k, after the selection, the events of
   stage k + 1 are recalculated per trial to the target conditional power —
   :func:`~planner.adaptive.recalculation.adjusted_term` of the stage's Z_S, Z_F accumulates the
   combination, :func:`~planner.adaptive.recalculation.conditional_critical` gives c̃ and
   :func:`~planner.adaptive.recalculation.stage_size` the bounded stage-wise events, with the
   observed effect exp(U/V) of the selected populations from the cumulative log-rank scores
   (passed as the normal-approximation simulator's Σ√d·Z = U/√c and d = V/c, c = r/(1 + r)²,
   so its z = U/√V and effect exp(z/√(c d)) = exp(U/V)). Stage k + 1 is then analysed when that
   many events of the tested population have occurred after t_k (step 5). ``design_events`` is
   the events the design counts (Σ of the stage-wise events reached; the normal-approximation
   simulator's expected events).

Random numbers: blocks of :data:`BLOCK` trials seeded by :func:`planner.blocks.seeded_chunks`;
each block draws, in order, entry, test, true-status, event and dropout variates for the N base
arrivals and the X possible later test-positive arrivals, and their arrival gaps; so results do
not depend on the chunk size. ``progress(done, total)`` after every chunk, ``is_cancelled()``
before each; a cancelled run returns the finished trials.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..adaptive import recalculation as rc
from ..adaptive.closed_testing import intersection_z
from ..adaptive.model import SimModel
from ..adaptive.selection import select
from ..adaptive.simulate import _futile, _futility_bounds, _reject, _term
from ..blocks import run_seeded_blocks
from .logrank import SurvivalSetting
from .model import PiecewiseSurvival
from .simulate import allocation, event_times, hazard_tables, stratified_logrank

BLOCK = 250
DEFAULT_CHUNK = 1000
#: per-trial outcome arrays, in this order (see :func:`_run_block`)
OUTCOMES = ("rej_s", "rej_f", "success", "stage", "first", "events", "patients", "duration", "short",
            "extended", "design_events")


@dataclass(frozen=True)
class AdaptivePatientDesign:
    """An adaptive enrichment survival trial to simulate patient by patient (see module).

    ``model`` holds the stages (``planned`` cumulative events), boundaries, selection and tests;
    ``positive``/``negative`` the true B+/B− survival models; ``p_test_positive`` q,
    ``ppv`` P(B+ | test+) and ``b_plus_in_test_negative`` P(B+ | test−) = 1 − NPV;
    ``n_patients`` the planned randomized patients; ``interim_delay`` δ.
    """

    model: SimModel
    positive: PiecewiseSurvival
    negative: PiecewiseSurvival
    p_test_positive: float
    ppv: float
    b_plus_in_test_negative: float
    n_patients: int
    setting: SurvivalSetting
    interim_delay: float = 0.0

    @property
    def extra(self) -> int:
        """Test-positive arrivals after A simulated for S-only trials: N (beyond them a trial is short)."""
        return int(self.n_patients)

    def last_rate(self) -> float:
        """Arrival rate of test-positive patients after A: q·N × the last positive accrual density."""
        g = self.setting.accrual.segments(self.setting.accrual_time)[2]
        return self.p_test_positive * self.n_patients * float(g[g > 0][-1])


@dataclass(frozen=True)
class PatientRunResult:
    """What a patient-level run of an adaptive design keeps: per simulated trial, arrays whose
    first axis is the trial (``outcomes``), the seed, the trials asked for and whether the run
    was stopped early. Shared by the two-subgroup and the cells-form simulators."""

    design: object
    outcomes: dict
    seed: int
    requested: int
    incomplete: bool = False

    @property
    def simulations(self) -> int:
        """Trials simulated (fewer than ``requested`` when stopped early)."""
        return int(np.shape(next(iter(self.outcomes.values())))[0])


@dataclass(frozen=True)
class AdaptivePatientResult(PatientRunResult):
    """Per simulated trial (arrays of length ``simulations``, see :data:`OUTCOMES`) of an
    :class:`AdaptivePatientDesign`."""

    def proportion(self, key: str) -> tuple[float, float]:
        """(p, √(p(1 − p)/n)) of a boolean outcome."""
        p = float(np.mean(self.outcomes[key]))
        return p, math.sqrt(p * (1 - p) / self.simulations)

    def mean(self, key: str) -> tuple[float, float]:
        """(mean, sd/√n) of a numeric outcome."""
        x = np.asarray(self.outcomes[key], dtype=float)
        return float(x.mean()), float(x.std(ddof=1) / math.sqrt(x.size)) if x.size > 1 else math.nan

    def summary(self) -> dict[str, float]:
        """The normal-approximation simulator's names (:class:`planner.adaptive.AdaptiveResult`)
        for the shared quantities, each with its ``_se``; plus duration and short trials."""
        o = self.outcomes
        first = o["first"]
        derived = {
            "reject_subgroup": o["rej_s"], "reject_overall": o["rej_f"],
            "reject_at_least_one": o["rej_s"] | o["rej_f"], "reject_both": o["rej_s"] & o["rej_f"],
            "success": o["success"], "select_subgroup_only": first == 2, "select_overall_only": first == 3,
            "select_both": first == 1, "early_stop": o["stage"] < self.design.model.stages - 1,
            "short": o["short"], "extended": o["extended"],
        }
        n = self.simulations
        out: dict[str, float] = {}
        for key, x in derived.items():
            p = float(np.mean(x))
            out[key], out[key + "_se"] = p, math.sqrt(p * (1 - p) / n)
        for key, name in (("events", "expected_events"), ("patients", "expected_subjects"),
                          ("duration", "expected_duration"), ("design_events", "expected_design_events")):
            out[name], out[name + "_se"] = self.mean(key)
        return out


def _arrivals(d: AdaptivePatientDesign, gen: np.random.Generator, trials: int):
    """Entry, test-positive flag, true-B− flag, treated, observed time and event flag of the N base
    and X later (test-positive) arrivals; the later ones at A + cumulative exponential gaps."""
    n, x = d.n_patients, d.extra
    s = d.setting
    u_entry = gen.random((trials, n))
    u_test = gen.random((trials, n))
    u_true = gen.random((trials, n + x))
    e_event = gen.standard_exponential((trials, n + x))
    e_drop = gen.standard_exponential((trials, n + x))
    gaps = gen.standard_exponential((trials, x))
    q, t = s.accrual.knots(s.accrual_time)
    entry = np.concatenate([np.interp(u_entry, q, t),
                            s.accrual_time + np.cumsum(gaps, axis=1) / d.last_rate()], axis=1)
    positive = np.concatenate([u_test < d.p_test_positive, np.ones((trials, x), dtype=bool)], axis=1)
    b_plus = u_true < np.where(positive, d.ppv, d.b_plus_in_test_negative)
    treated = np.broadcast_to(allocation(n + x, s.p), (trials, n + x))
    tables = hazard_tables((d.positive, d.negative))
    t_event = event_times(e_event, 2 * (~b_plus) + treated, tables)
    t_drop = e_drop / s.dropout_hazard if s.dropout_hazard > 0 else np.full_like(e_drop, np.inf)
    return entry, positive, treated, np.minimum(t_event, t_drop), t_event <= t_drop


def _randomized(entry, positive, n: int, decision: np.ndarray, extend: np.ndarray) -> np.ndarray:
    """Who is randomized given the time F was dropped (inf: never): base arrivals before it or
    test-positive; after F is dropped, later test-positive arrivals until N are randomized, or all
    of them in trials that ``extend`` recruitment (whoever enters before an analysis is in it)."""
    base = (entry[:, :n] < decision[:, None]) | positive[:, :n]
    room = n - base.sum(axis=1)
    later = (np.arange(entry.shape[1] - n)[None, :] < room[:, None]) | extend[:, None]
    return np.concatenate([base, later & np.isfinite(decision)[:, None]], axis=1)


def _analysis_time(calendar, tested, after, need) -> np.ndarray:
    """Calendar time of the ``need``-th event of the ``tested`` patients after time ``after``
    (``need`` one number, or one per trial under recalculation)."""
    c = np.where(tested & (calendar > after[:, None]), calendar, np.inf)
    if np.ndim(need):
        k = np.maximum(np.asarray(need, dtype=np.int64), 1) - 1
        out = np.take_along_axis(np.sort(c, axis=1), np.minimum(k, c.shape[1] - 1)[:, None], 1)[:, 0]
        return np.where(k < c.shape[1], out, np.inf)
    k = int(max(need, 1)) - 1
    if k >= c.shape[1]:
        return np.full(c.shape[0], np.inf)
    return np.partition(c, k, axis=1)[:, k]


def _logrank(data, randomized, t) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative U, V per stratum (test+, test−) with the data cut at ``t`` (per trial)."""
    entry, positive, treated, observed, is_event = data
    include = randomized & (entry < t[:, None])
    follow = np.minimum(observed, t[:, None] - entry)
    event = is_event & (observed <= t[:, None] - entry)
    return stratified_logrank(follow, event, treated, (~positive).astype(np.int8), 2, include)


def _measures(model: SimModel, u: np.ndarray, v: np.ndarray):
    """Interim measures of S, F and R: exp(U/V) (effect estimate, 1/HR̂) or U/√V."""
    parts = (u[:, 0], u.sum(1), u[:, 1]), (v[:, 0], v.sum(1), v[:, 1])
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if model.effect_measure == "test_statistic":
            return tuple(a / np.sqrt(b) for a, b in zip(*parts))
        return tuple(np.exp(a / b) for a, b in zip(*parts))


class _Cuts:
    """Per-trial state of the data cuts: when F was dropped (inf: never), extended recruitment,
    short trials, and the last analysis's time and cumulative U, V (per stratum)."""

    def __init__(self, trials: int):
        self.decision = np.full(trials, np.inf)
        self.extend = np.zeros(trials, dtype=bool)
        self.short = np.zeros(trials, dtype=bool)
        self.t = np.zeros(trials)
        self.u, self.v = np.zeros((trials, 2)), np.zeros((trials, 2))


class _Recalculated:
    """The normal-approximation simulator's cumulative survival statistics from U, V (step 7)."""

    def __init__(self, u: np.ndarray, v: np.ndarray, c: float):
        self.b = u.T / math.sqrt(c)
        self.d = v.T / c
        self.c = c

    def measures(self, kind: str | None = None) -> np.ndarray:
        """Rows F, S, R as :mod:`planner.adaptive.kstages` gives them: the observed 1/HR̂ = exp(U/V)
        of each (``kind`` "effect_estimate", the only one the recalculation asks for)."""
        b, d, c = self.b, self.d, self.c
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            rows = ((b[0] + b[1]) / (math.sqrt(c) * (d[0] + d[1])), b[0] / (math.sqrt(c) * d[0]),
                    b[1] / (math.sqrt(c) * d[1]))
            return np.exp(np.stack(rows))


def _stage(d: AdaptivePatientDesign, data, calendar, k: int, cuts: _Cuts, sel_f, active, need=None):
    """Analysis k: its time, cumulative U, V and the stage-wise Z_S, Z_F and ρ (increments)
    (``need``: the stage's events per trial under recalculation, else the planned ones)."""
    entry, positive = data[0], data[1]
    n, planned = d.n_patients, d.model.planned
    if need is None:
        need = int(round(planned[0] if k == 0 else planned[k] - planned[k - 1]))
    tested = _randomized(entry, positive, n, cuts.decision, cuts.extend) & (positive | sel_f[:, None])
    t_k = _analysis_time(calendar, tested, cuts.t, need)
    lacking = ~np.isfinite(t_k) & np.isfinite(cuts.decision) & ~cuts.extend
    if lacking.any():  # recruit test-positive patients until the events are reached
        cuts.extend |= lacking
        tested = _randomized(entry, positive, n, cuts.decision, cuts.extend) & (positive | sel_f[:, None])
        t_k = np.where(lacking, _analysis_time(calendar, tested, cuts.t, need), t_k)
    randomized = _randomized(entry, positive, n, cuts.decision, cuts.extend)
    if k > 0:
        t_k = np.maximum(t_k, cuts.t + d.interim_delay)
    cuts.short |= active & ~np.isfinite(t_k)
    if not np.isfinite(t_k).all():  # never reached: all data, cut after the last event
        last = np.max(np.where(np.isfinite(calendar) & randomized, calendar, 0.0), axis=1)
        t_k = np.where(np.isfinite(t_k), t_k, np.maximum(last, cuts.t) + 1e-9)
    u, v = _logrank(data, randomized, t_k)
    du, dv = u - cuts.u, v - cuts.v
    with np.errstate(divide="ignore", invalid="ignore"):
        z_s = np.nan_to_num(du[:, 0] / np.sqrt(dv[:, 0]))
        z_f = np.nan_to_num(du.sum(1) / np.sqrt(dv.sum(1)))
        rho = np.nan_to_num(np.sqrt(dv[:, 0] / dv.sum(1)))
    return t_k, u, v, z_s, z_f, rho


def _run_block(d: AdaptivePatientDesign, gen: np.random.Generator, trials: int) -> dict:
    """Simulate one block of trials (the stage loop of :func:`planner.adaptive.simulate.run_chunk`
    with stage-wise statistics from the patients' data, :func:`_stage`)."""
    m, n = d.model, d.n_patients
    data = _arrivals(d, gen, trials)
    entry, positive, _, observed, is_event = data
    calendar = np.where(is_event, entry + observed, np.inf)
    weights = m.combination_weights
    with np.errstate(divide="ignore"):
        log_crit = np.log(np.asarray(m.critical, dtype=float))
    fut = _futility_bounds(m)
    ones = np.ones(trials, dtype=bool)
    sel_s, sel_f, active = ones.copy(), ones.copy(), ones.copy()
    cuts = _Cuts(trials)
    acc, need = np.zeros(trials), None      # recalculation: Σ w_j Φ⁻¹(1 − p̃_j), next stage's events
    counted = np.zeros(trials)
    comb = np.zeros((3, trials))
    rej_int = np.zeros((3, trials), dtype=bool)
    rej_s, rej_f, success_any = (np.zeros(trials, dtype=bool) for _ in range(3))
    stage_stop = np.full(trials, m.stages - 1)
    stop_time = np.full(trials, np.inf)
    first = np.full(trials, 1 if m.stages == 1 else 0, dtype=np.int8)  # 1 both, 2 S only, 3 F only
    for k in range(m.stages):
        t_k, u, v, z_s, z_f, rho = _stage(d, data, calendar, k, cuts, sel_f, active, need)
        stage_need = m.planned[0] if k == 0 else (m.planned[k] - m.planned[k - 1] if need is None else need)
        counted += np.where(active, np.round(stage_need), 0.0)
        z_int = np.where(sel_s & sel_f, intersection_z(m.intersection_test, z_s, z_f, rho),
                         np.where(sel_s, z_s, z_f))
        comb[0] += weights[k] * _term(m, z_int)
        comb[1] += np.where(sel_s, weights[k] * _term(m, z_s), 0.0)
        comb[2] += np.where(sel_f, weights[k] * _term(m, z_f), 0.0)
        stat, reached = _reject(m, k, comb, log_crit)
        tested_h = (ones, sel_s, sel_f)
        for j in range(3):
            rej_int[j] |= reached[j] & tested_h[j]
        closed_s, closed_f = rej_int[0] & rej_int[1], rej_int[0] & rej_int[2]
        rej_s |= closed_s & sel_s & active
        rej_f |= closed_f & sel_f & active
        if m.success_criterion == "all":
            success = (~sel_s | closed_s) & (~sel_f | closed_f) & active
        else:
            success = (rej_s | rej_f) & active
        success_any |= success
        stop_time = np.where(active, t_k, stop_time)
        if k == m.stages - 1:
            break
        z_stats = np.stack([z_int, z_s, z_f]) if m.combination == "fisher" else stat
        futile = _futile(z_stats, fut[k], tested_h, sel_s, sel_f)
        if m.recalculation is not None:
            acc += weights[k] * rc.adjusted_term(m, z_s, z_f, sel_s, sel_f)
        new_s, new_f = select(m.selection_rule, sel_s, sel_f, *_measures(m, u, v), m.epsilon, m.threshold)
        if m.recalculation is not None:
            crit = rc.conditional_critical(m, k, acc)
            need = np.ceil(-1e-9 + rc.stage_size(m, _Recalculated(u, v, m.c), k, crit, new_s, new_f))
        stopping = active & (success | ((futile | ~(new_s | new_f)) & ~success))
        stage_stop = np.where(stopping, k, stage_stop)
        active &= ~stopping
        if k == 0:
            first = np.where(active, np.where(new_s & new_f, 1, np.where(new_s, 2, 3)), 0).astype(np.int8)
        cuts.decision = np.where(active & sel_f & ~new_f, t_k + d.interim_delay, cuts.decision)
        sel_s, sel_f = new_s, new_f
        cuts.t, cuts.u, cuts.v = t_k, u, v
    randomized = _randomized(entry, positive, n, cuts.decision, cuts.extend)
    observed_events = ~np.isinf(calendar) & (calendar <= stop_time[:, None]) & randomized
    return dict(rej_s=rej_s, rej_f=rej_f, success=success_any, stage=stage_stop, first=first,
                events=observed_events.sum(1), patients=(randomized & (entry < stop_time[:, None])).sum(1),
                duration=stop_time, short=cuts.short, extended=cuts.extend, design_events=counted)


def simulate_adaptive_patients(design: AdaptivePatientDesign, simulations: int, seed: int, *,
                               chunk_size: int = DEFAULT_CHUNK,
                               progress: Callable[[int, int], object] | None = None,
                               is_cancelled: Callable[[], bool] | None = None) -> AdaptivePatientResult:
    """Simulate ``simulations`` adaptive enrichment trials patient by patient (see module)."""
    simulations = int(simulations)
    outcomes, cancelled = run_seeded_blocks(lambda rng, size: _run_block(design, rng, size), simulations, seed,
                                            BLOCK, chunk_size, OUTCOMES, progress, is_cancelled)
    return AdaptivePatientResult(design, outcomes, int(seed), simulations, cancelled)
