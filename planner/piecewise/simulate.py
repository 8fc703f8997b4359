"""Patient-level simulation of survival trials with a stratified log-rank test, vectorized.

One simulated trial (fixed design, or group-sequential looks at event counts):

1. N patients enter in calendar time, independently, with the accrual density of
   :class:`PiecewiseAccrual` (inverse CDF); or at rpact's evenly spaced times
   G⁻¹(i/N), i = 1..N (``deterministic_accrual``, rpact ``getSimulationSurvival``).
2. Subgroup (cell) membership is random: multinomial with the given shares (binomial for
   B+/B−), not N × prevalence. Each cell has its own piecewise model; the analysis strata are
   the cells, or groups of them (``cell_strata``: e.g. the assay's test-positive and
   test-negative strata over the cells (test status × true B+/B−)).
3. Treatment : control allocation r is exact: patient i is on treatment when
   ⌊(i + 1)p⌋ − ⌊ip⌋ = 1 (p = r/(1 + r)), i.e. a fixed block pattern, independent of entry
   time and subgroup (like rpact's ``allocation1``/``allocation2`` blocks).
4. Event times by inverse-CDF sampling of the piecewise exponential (Λ⁻¹(E), E ~ Exp(1)) of the
   patient's cell and arm; exponential dropout times; the observed time is the minimum.
5. Analysis k at the calendar time of the D_k-th event (all subgroups); patients enrolled by
   then are censored at that time. When fewer than D_k events ever occur, all data are used.
6. The stratified log-rank statistic (strata = subgroups), in the benefit direction
   (Z > 0 favours treatment): U = Σ_s Σ_events (1{control} − Y_c,s/Y_s),
   V = Σ_s Σ_events Y_t,s Y_c,s / Y_s², Z = U/√V, with Y the numbers at risk just before each
   event time in its stratum — computed per trial by sorting the times once (vectorized
   over trials) and cumulative sums of the at-risk indicators. Each stratum's U and V (so the
   statistic of any union of strata, Σ U/√Σ V) and own Z are returned too, with the patients
   enrolled by each analysis. Continuous times have no ties.
7. Group-sequential decision: stop at the first look with Z_k ≥ c_k (reject) or, with
   ``futility_bounds`` f_k (one per interim), Z_k ≤ f_k (futility, followed as planned: the
   power of :func:`planner.groupseq.boundaries.crossing`).

Random numbers: trials are simulated in blocks of :data:`BLOCK`; block b uses
``Generator(PCG64(SeedSequence(seed).spawn(n_blocks)[b]))`` and draws, for every trial of the
block in order, entry, subgroup, event and dropout variates (each an array of blocks × N), so
the results do not depend on the chunk size. ``progress(done, total)`` is called after every
chunk and ``is_cancelled()`` polled before each; a cancelled run returns the finished trials.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

from ..blocks import seeded_chunks
from .logrank import SurvivalSetting
from .model import PiecewiseSurvival

BLOCK = 500
DEFAULT_CHUNK = 5000


@dataclass(frozen=True)
class PatientLevelDesign:
    """A survival trial to simulate patient by patient.

    ``strata`` are the cells' models (B+, B−; or the cells of the cells form) with membership
    probabilities ``shares`` (summing to 1); ``cell_strata`` the analysis stratum of each cell
    (default: each cell its own stratum); ``events`` the cumulative event counts of the analyses
    (all subgroups); ``critical_values`` the one-sided efficacy bounds on the Z scale per
    analysis (default: a single analysis at z_{1−α}). ``setting.follow_up_time`` is not used
    (analyses are event-driven).
    """

    strata: tuple[PiecewiseSurvival, ...]
    shares: tuple[float, ...]
    n_patients: int
    setting: SurvivalSetting
    events: tuple[int, ...]
    critical_values: tuple[float, ...] | None = None
    alpha: float = 0.025
    deterministic_accrual: bool = False
    futility_bounds: tuple[float, ...] | None = None
    cell_strata: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "strata", tuple(self.strata))
        if self.cell_strata is not None:
            object.__setattr__(self, "cell_strata", tuple(int(i) for i in self.cell_strata))
        object.__setattr__(self, "shares", tuple(float(s) for s in self.shares))
        object.__setattr__(self, "events", tuple(int(d) for d in self.events))
        for name in ("critical_values", "futility_bounds"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, tuple(float(c) for c in getattr(self, name)))

    @property
    def n_strata(self) -> int:
        """Analysis strata (the cells, or the groups ``cell_strata`` makes of them)."""
        return len(self.strata) if self.cell_strata is None else max(self.cell_strata) + 1

    @property
    def lower(self) -> np.ndarray:
        """Futility bounds per look (−∞ where none; the last look has none)."""
        out = np.full(len(self.events), -np.inf)
        if self.futility_bounds:
            out[:len(self.futility_bounds)] = self.futility_bounds
            out[-1] = -np.inf
        return out

    @property
    def bounds(self) -> np.ndarray:
        if self.critical_values is not None:
            return np.asarray(self.critical_values, dtype=float)
        return np.full(len(self.events), -ndtri(self.alpha))

    @classmethod
    def two_subgroups(cls, positive: PiecewiseSurvival, negative: PiecewiseSurvival, prevalence: float,
                      n_patients: int, setting: SurvivalSetting, events, **kw) -> PatientLevelDesign:
        return cls((positive, negative), (prevalence, 1.0 - prevalence), n_patients, setting,
                   tuple(np.atleast_1d(events)), **kw)


@dataclass(frozen=True)
class PatientLevelResult:
    """Per simulated trial and analysis: stratified Z, each stratum's Z, analysis time, events.

    Shapes: ``z`` (trials, looks), ``z_strata`` (trials, looks, strata), ``times`` (trials,
    looks), ``events`` (trials, looks, strata); ``u``, ``v`` (trials, looks, strata) the
    log-rank score and variance per stratum, ``enrolled`` (trials, looks) the patients enrolled
    by each analysis. ``incomplete``: the run was cancelled.
    """

    design: PatientLevelDesign
    z: np.ndarray
    z_strata: np.ndarray
    times: np.ndarray
    events: np.ndarray
    seed: int
    requested: int
    incomplete: bool = False
    u: np.ndarray | None = None
    v: np.ndarray | None = None
    enrolled: np.ndarray | None = None

    def z_of(self, strata) -> np.ndarray:
        """(trials, looks): the stratified log-rank Z over the union of ``strata`` (Σ U/√Σ V)."""
        idx = list(strata)
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.u[..., idx].sum(-1) / np.sqrt(self.v[..., idx].sum(-1))

    @property
    def simulations(self) -> int:
        return int(self.z.shape[0])

    def _stops(self) -> tuple[np.ndarray, np.ndarray]:
        """(look at which each trial stops, whether it stops by rejecting); K when it never stops early."""
        with np.errstate(invalid="ignore"):
            cross = self.z >= self.design.bounds
            stop = cross | (self.z <= self.design.lower)
        look = np.where(stop.any(axis=1), np.argmax(stop, axis=1), stop.shape[1])
        rejected = np.take_along_axis(cross, np.minimum(look, stop.shape[1] - 1)[:, None], 1)[:, 0]
        return look, rejected & (look < stop.shape[1])

    @property
    def reject_per_look(self) -> np.ndarray:
        """P(reject at look k, not stopped before)."""
        look, rejected = self._stops()
        return np.array([np.mean(rejected & (look == k)) for k in range(self.z.shape[1])])

    @property
    def power(self) -> float:
        """P(reject at some look, futility bounds followed) — power under H1, size under H0."""
        return float(self._stops()[1].mean())

    @property
    def expected_events(self) -> float:
        """Mean events at the stopping look (all subgroups; events reached when the count fell short)."""
        look, _ = self._stops()
        at = np.minimum(look, self.z.shape[1] - 1)
        return float(np.take_along_axis(self.events.sum(axis=2), at[:, None], 1).mean())

    @property
    def power_se(self) -> float:
        """Monte Carlo SE √(p(1 − p)/n)."""
        p = self.power
        return float(np.sqrt(p * (1 - p) / self.simulations))

    @property
    def mean_times(self) -> np.ndarray:
        """Mean calendar time of each analysis (over trials reaching its event count)."""
        t = np.where(np.isfinite(self.times), self.times, np.nan)
        return np.nanmean(t, axis=0)


def allocation(n: int, p: float) -> np.ndarray:
    """Exact allocation pattern: patient i on treatment when ⌊(i+1)p⌋ − ⌊ip⌋ = 1."""
    i = np.arange(n)
    return (np.floor((i + 1) * p + 1e-9) - np.floor(i * p + 1e-9)).astype(bool)


def event_times(e: np.ndarray, combo: np.ndarray, tables) -> np.ndarray:
    """Λ⁻¹(E) per patient for the piecewise hazards of its (stratum, arm) combination.

    Λ⁻¹(E) = Σ_j clip(E − Λ(s_j), 0, Λ(s_{j+1}) − Λ(s_j)) / h_j, with each patient's Λ(s_j) and
    h_j gathered from the small tables by its combination index.
    """
    starts, cum, haz = tables  # (J,), (combos, J), (combos, J)
    idx = combo.astype(np.intp)
    width = np.append(np.diff(cum, axis=1), np.full((cum.shape[0], 1), np.inf), axis=1)
    out = np.zeros(e.shape)
    for j in range(len(starts)):
        part = np.clip(e - cum[:, j].take(idx), 0.0, width[:, j].take(idx))
        out += part / haz[:, j].take(idx)
    return out


def hazard_tables(models) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Common breakpoints of the models and the hazards on them per combination 2·model + treated."""
    starts = np.unique(np.concatenate([m.starts for m in models]))
    lengths = np.diff(starts)
    haz, cum = [], []
    for m in models:
        idx = np.searchsorted(np.asarray(m.starts), starts, side="right") - 1
        for arm in ("control", "treatment"):
            h = m.hazards(arm)[idx]
            haz.append(h)
            cum.append(np.concatenate([[0.0], np.cumsum(h[:-1] * lengths)]))
    return starts, np.array(cum), np.array(haz)


def _draw_block(design: PatientLevelDesign, gen: np.random.Generator, trials: int, tables):
    """Entry times, stratum, arm, observed time from entry and event flag of one block."""
    n = design.n_patients
    s = design.setting
    u_entry = gen.random((trials, n))
    u_stratum = gen.random((trials, n))
    e_event = gen.standard_exponential((trials, n))
    e_drop = gen.standard_exponential((trials, n))
    if design.deterministic_accrual:
        entry = np.broadcast_to(s.accrual.enrolment_time(np.arange(1, n + 1) / n, s.accrual_time), (trials, n))
    else:
        q, t = s.accrual.knots(s.accrual_time)
        entry = np.interp(u_entry, q, t)
    cell = np.zeros((trials, n), dtype=np.int8)
    for cut in np.cumsum(design.shares)[:-1]:
        cell += u_stratum >= cut
    treated = np.broadcast_to(allocation(n, s.p), (trials, n))
    t_event = event_times(e_event, 2 * cell + treated, tables)
    t_drop = e_drop / s.dropout_hazard if s.dropout_hazard > 0 else np.full_like(e_drop, np.inf)
    observed = np.minimum(t_event, t_drop)
    stratum = cell if design.cell_strata is None else np.asarray(design.cell_strata, dtype=np.int8)[cell]
    return entry, stratum, treated, observed, t_event <= t_drop


def stratified_logrank(time: np.ndarray, event: np.ndarray, treated: np.ndarray, stratum: np.ndarray,
                       n_strata: int, include: np.ndarray | None = None):
    """Stratified log-rank score U and variance V per trial and stratum, shape (trials, strata).

    Rows are trials. ``include`` marks the patients in the analysis (enrolled); U counts
    control events minus their expectation (benefit direction for treatment). One sort per
    row by (stratum, time descending) makes every stratum a contiguous run, so the numbers at
    risk are a row cumulative sum minus the patients of the earlier strata.
    """
    if include is None:
        include = np.ones(time.shape, dtype=bool)
    finite = np.where(include, time, 0.0)
    span = 2.0 * float(np.max(finite, initial=0.0)) + 4.0
    key = stratum * span - np.where(include, time, -1.0)
    order = np.argsort(key, axis=1)
    # one gather of a packed code instead of four: bit 0 included, 1 treated, 2 event, 3.. stratum
    code = (include.astype(np.int16) | (treated.astype(np.int16) << 1) | (event.astype(np.int16) << 2)
            | (stratum.astype(np.int16) << 3))
    code = np.take_along_axis(code, order, 1)
    inc = (code & 1).astype(bool)
    trt = (code & 2).astype(bool) & inc
    ev = (code & 4).astype(bool) & inc
    st = code >> 3
    counts = np.stack([(inc & (st == k)).sum(1) for k in range(n_strata)], axis=1)
    counts_t = np.stack([(trt & (st == k)).sum(1) for k in range(n_strata)], axis=1)
    before = np.cumsum(counts, axis=1) - counts  # included patients of the earlier strata
    before_t = np.cumsum(counts_t, axis=1) - counts_t
    st_idx = st.astype(np.intp)
    take = np.take_along_axis
    y = np.cumsum(inc, axis=1, dtype=np.int32) - take(before, st_idx, 1)
    yt = np.cumsum(trt, axis=1, dtype=np.int32) - take(before_t, st_idx, 1)
    y = np.where(ev, y, 1).astype(float)
    yt = yt.astype(float)
    yc = y - yt
    u_terms = np.where(ev, (~trt).astype(float) - yc / y, 0.0)
    v_terms = np.where(ev, yt * yc / (y * y), 0.0)
    u_all, v_all = u_terms.sum(1), v_terms.sum(1)
    if n_strata == 1:
        return u_all[:, None], v_all[:, None]
    u = [np.where(st == k, u_terms, 0.0).sum(1) for k in range(n_strata - 1)]
    v = [np.where(st == k, v_terms, 0.0).sum(1) for k in range(n_strata - 1)]
    u.append(u_all - sum(u))
    v.append(v_all - sum(v))
    return np.stack(u, axis=1), np.stack(v, axis=1)


def _analyse_block(design: PatientLevelDesign, data):
    entry, stratum, treated, observed, is_event = data
    k_strata = design.n_strata
    calendar = np.where(is_event, entry + observed, np.inf)
    looks = np.asarray(design.events) - 1
    n = design.n_patients
    kth = np.clip(looks, 0, n - 1)
    times = np.partition(calendar, np.unique(kth), axis=1)[:, kth]
    times = np.where(looks < n, times, np.inf)
    zs, z_strata, events, us, vs, enrolled = [], [], [], [], [], []
    for k in range(len(looks)):
        t_k = times[:, k:k + 1]
        include = entry < t_k
        time = np.minimum(observed, t_k - entry)
        event = is_event & (entry + observed <= t_k)
        u, v = stratified_logrank(time, event, treated, stratum, k_strata, include)
        with np.errstate(divide="ignore", invalid="ignore"):
            zs.append(u.sum(1) / np.sqrt(v.sum(1)))
            z_strata.append(u / np.sqrt(v))
        events.append(np.stack([(event & include & (stratum == s)).sum(1) for s in range(k_strata)], axis=1))
        us.append(u)
        vs.append(v)
        enrolled.append(include.sum(1))
    return (np.stack(zs, 1), np.stack(z_strata, 1), times, np.stack(events, 1), np.stack(us, 1),
            np.stack(vs, 1), np.stack(enrolled, 1))


_PARTS = 7


def _run_blocks(design: PatientLevelDesign, seeds, sizes, tables):
    parts = []
    for ss, size in zip(seeds, sizes):
        gen = np.random.Generator(np.random.PCG64(ss))
        parts.append(_analyse_block(design, _draw_block(design, gen, size, tables)))
    return [np.concatenate([p[i] for p in parts]) for i in range(_PARTS)]


def simulate_patients(design: PatientLevelDesign, simulations: int, seed: int, *,
                      chunk_size: int = DEFAULT_CHUNK,
                      progress: Callable[[int, int], object] | None = None,
                      is_cancelled: Callable[[], bool] | None = None) -> PatientLevelResult:
    """Simulate ``simulations`` trials of ``design`` (see module docstring for the model)."""
    simulations = int(simulations)
    tables = hazard_tables(design.strata)
    out, done, cancelled = [], 0, False
    for seeds, sizes in seeded_chunks(simulations, seed, BLOCK, chunk_size):
        if is_cancelled is not None and is_cancelled():
            cancelled = True
            break
        out.append(_run_blocks(design, seeds, sizes, tables))
        done += sum(sizes)
        if progress is not None:
            progress(done, simulations)
    if not out:
        raise RuntimeError("the simulation was cancelled before any trial was simulated")
    z, z_strata, times, events, u, v, enrolled = (np.concatenate([o[i] for o in out]) for i in range(_PARTS))
    return PatientLevelResult(design, z, z_strata, times, events, int(seed), simulations, cancelled, u, v, enrolled)
