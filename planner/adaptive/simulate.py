"""Monte Carlo engine of the adaptive enrichment design, vectorized over simulated trials.

Trials are simulated in blocks of :data:`BLOCK` trials; block b draws its random numbers from
``Generator(PCG64(SeedSequence(seed).spawn(n_blocks)[b]))`` in a fixed order (every trial of
the block, every stage), so the results do not depend on how the blocks are grouped into chunks
or on the number of worker threads. Chunks (whole blocks) are the unit of memory, progress and
cancellation; every output is an integer count, summed over chunks exactly.

The stage loop is the one of both forms (:mod:`.stageloop`); this module holds the two-subset
form's rules (:class:`TwoSubsetRules`), its counts (:class:`Counts`, with the path histogram from
which the summary computes expected sizes) and the runner. One simulated trial of the two-subset
form (K stages, cumulative sizes N_1 < … < N_K, subjects or events):

1. Stage 1 enrols everyone: S gets N_1·w_S and R gets N_1·w_R (w = prevalence shares; survival:
   ∝ prevalence × events per patient). Later stages give the increment N_k − N_{k−1} to the
   subsets of the selected populations in the same proportions (S alone: all of it).
2. Stage-wise Z_S and Z_F from that stage's data (:mod:`.stages`).
3. Closed combination test (:mod:`.closed_testing`) against the group-sequential critical
   values c_k (:mod:`.boundaries`).
4. Success criterion ``at_least_one``: stop as soon as H_S or H_F is rejected; ``all``: stop when
   every selected population is rejected. Non-binding futility bounds b_k on the combination
   statistics: stop when every selected population has an intersection hypothesis at or below
   b_k (rpact's rule).
5. Interim selection for the next stage (:mod:`.selection`).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

import numpy as np

from ..blocks import seeded_chunks
from . import recalculation as rc
from .closed_testing import futile, intersection_z, rpact_separate_z
from .kpop import KRules
from .model import SimModel
from .selection import select
from .stageloop import RPACT_FUTILITY, KCounts, run_stages
from .stageloop import futility_bounds as _futility_bounds  # the patient-level simulator's names
from .stageloop import reject as _reject
from .stageloop import term as _term
from .stages import two_subset_stages

BLOCK = 4096
DEFAULT_CHUNK = 65536

# per-stage configuration codes in the path histogram
_BOTH, _S_ONLY, _F_ONLY = 1, 2, 3


@dataclass
class Counts:
    """Integer counts of one or more chunks (exactly additive)."""

    stages: int
    n: int = 0
    per_stage: dict = field(default_factory=dict)
    totals: dict = field(default_factory=dict)
    paths: np.ndarray | None = None
    #: with sample-size recalculation: exact sums (see :func:`.recalculation.exact_sum`) of the
    #: per-trial units, subjects and screened patients and their squares; histograms of the
    #: totals rounded up to whole units / subjects
    sums: dict = field(default_factory=dict)
    hists: dict = field(default_factory=dict)

    PER_STAGE = ("reached", "sel_s", "sel_f", "both", "s_only", "f_only", "rej_s", "rej_f",
                 "success", "futility")
    TOTALS = ("rej_s", "rej_f", "rej_any", "rej_both", "success")

    def __post_init__(self) -> None:
        for key in self.PER_STAGE:
            self.per_stage.setdefault(key, np.zeros(self.stages, dtype=np.int64))
        for key in self.TOTALS:
            self.totals.setdefault(key, 0)
        if self.paths is None:
            self.paths = np.zeros(4 ** self.stages, dtype=np.int64)

    def add(self, other: Counts) -> None:
        self.n += other.n
        for key in self.PER_STAGE:
            self.per_stage[key] += other.per_stage[key]
        for key in self.TOTALS:
            self.totals[key] += other.totals[key]
        self.paths += other.paths
        for key, value in other.sums.items():
            self.sums[key] = self.sums.get(key, 0) + value
        for key, hist in other.hists.items():
            mine = self.hists.setdefault(key, {})
            for v, c in hist.items():
                mine[v] = mine.get(v, 0) + c


def subset_weights(model: SimModel) -> tuple[float, float]:
    """Shares (w_S, w_R) of a stage enrolling both subsets."""
    p = model.prevalence
    if model.endpoint == "survival":
        a, b = p * model.event_weight[0], (1 - p) * model.event_weight[1]
        return a / (a + b), b / (a + b)
    return p, 1.0 - p


def _stage_sizes(model: SimModel, k: int, sel_f: np.ndarray, w_s: float, w_r: float, inc=None):
    """Subjects (events) of S and R in stage k: the increment (per trial with recalculation)
    split over the enrolled subsets."""
    if k == 0:
        return model.planned[0] * w_s, model.planned[0] * w_r
    if inc is None:
        inc = model.planned[k] - model.planned[k - 1]
    return np.where(sel_f, inc * w_s, inc), np.where(sel_f, inc * w_r, 0.0)


#: hypotheses (S, F) × intersections (H_SF, H_S, H_F) of the two-subset closed test
TWO_CONTAINS = np.array([[True, True, False], [True, False, True]])


def _futile(stat: np.ndarray, bound: float | None, tested, sel_s, sel_f) -> np.ndarray:
    """rpact's non-binding futility rule (:func:`.closed_testing.futile`) for H_SF, H_S, H_F."""
    return futile(stat, bound, np.stack(tested), TWO_CONTAINS, np.stack([sel_s, sel_f]))


def _select(model: SimModel, data, blocks: list, n: int, sel_s, sel_f):
    """Interim selection; binary measures draw tie-breaking keys from the trials' streams."""
    m_f, m_s, m_r = data.measures()
    keys = None
    if model.endpoint == "binary":  # exact ties broken at random (see .selection)
        u = np.empty((2, n))
        for gen, sl in blocks:
            u[:, sl] = gen.uniform(-1e-5, 1e-5, (2, sl.stop - sl.start))
        if model.rpact_compat:  # rpact's own rule: runif(±1e-5) added to the measures
            m_s, m_f = m_s + u[0], m_f + u[1]
        else:
            keys = (u[0], u[1])
    return select(model.selection_rule, sel_s, sel_f, m_s, m_f, m_r, model.epsilon,
                  model.threshold, keys)


def new_counts(model):
    """Empty counts for ``model``: :class:`Counts`, or :class:`.stageloop.KCounts` for a
    several-populations :class:`.kmodel.KModel`."""
    if hasattr(model, "membership"):
        return KCounts(model.stages, model.hypotheses)
    return Counts(model.stages)


class TwoSubsetRules:
    """The two-subset form's hooks of the stage loop (:mod:`.stageloop`), with the populations
    F (row 0) and S (row 1) over the cells S, R: sizes split by :func:`subset_weights` (or
    recalculated), the path histogram and per-stage configurations, the single selected
    population's z used directly and the intersection from the z before rpact's round trip,
    the two-subset selection rules with random tie keys (:mod:`.selection`)."""

    hypotheses = 2

    def __init__(self, model: SimModel, n: int, blocks):
        self.m, self.n, self.blocks = model, n, blocks
        self.data = two_subset_stages(model, n)
        self.book = _SizeBook(model, n) if model.recalculation is not None else None
        self.inc = None
        self.w = subset_weights(model)
        self.counts = Counts(model.stages, n)
        self.path = np.zeros(n, dtype=np.int64)

    def sizes(self, k: int, sel: np.ndarray, active: np.ndarray) -> np.ndarray:
        sel_f, sel_s = sel
        n = self.n
        size_s, size_r = _stage_sizes(self.m, k, sel_f, *self.w, self.inc)
        if self.book is not None:
            self.book.add(k, active, sel_s & ~sel_f, size_s, size_r)
        both = sel_s & sel_f
        config = np.where(both, _BOTH, np.where(sel_s, _S_ONLY, _F_ONLY))
        self.path += np.where(active, config * 4 ** k, 0)
        ps = self.counts.per_stage
        ps["both"][k] = np.count_nonzero(active & both)
        ps["s_only"][k] = np.count_nonzero(active & sel_s & ~sel_f)
        ps["f_only"][k] = np.count_nonzero(active & sel_f & ~sel_s)
        if np.ndim(size_s) == 0:  # stage 1: the same sizes in every trial
            return np.broadcast_to(np.array([[size_s], [size_r]], dtype=float), (2, n))
        return np.stack([np.broadcast_to(size_s, (n,)), np.broadcast_to(size_r, (n,))])

    def combine(self, z, sel: np.ndarray, rho) -> tuple[np.ndarray, np.ndarray]:
        """z of H_FS, H_F, H_S (:func:`.stageloop.intersections` order)."""
        sel_f, sel_s = sel
        z_f, z_s = z
        compat = self.m.rpact_compat
        z_both = intersection_z(self.m.intersection_test, z_s, z_f, rho, compat)
        if compat:
            z_s, z_f = rpact_separate_z(z_s), rpact_separate_z(z_f)
        self.z = (z_s, z_f)
        z_int = np.where(sel_s & sel_f, z_both, np.where(sel_s, z_s, z_f))
        return np.stack([z_int, z_f, z_s]), np.stack([np.ones(self.n, dtype=bool), sel_f, sel_s])

    def interim(self, k: int, sel: np.ndarray) -> np.ndarray:
        sel_f, sel_s = sel
        if self.book is not None:
            self.book.interim(k, *self.z, sel_s, sel_f, self.m.combination_weights)
        sel_s, sel_f = _select(self.m, self.data, self.blocks, self.n, sel_s, sel_f)
        if self.book is not None:
            self.inc = self.book.next_size(self.data, k, sel_s, sel_f)
        return np.stack([sel_f, sel_s])

    def finish(self, counts: KCounts) -> Counts:
        out, A = self.counts, counts.arrays
        ps = out.per_stage
        for key, src in (("reached", A["reached"]), ("sel_f", A["selected"][0]), ("sel_s", A["selected"][1]),
                         ("rej_f", A["rejected"][0]), ("rej_s", A["rejected"][1]),
                         ("success", A["success"]), ("futility", A["futility"])):
            ps[key][:] = src
        out.totals.update(rej_s=int(A["rej_total"][1]), rej_f=int(A["rej_total"][0]),
                          rej_any=int(A["rej_any"][0]), rej_both=int(A["rej_both"][0]),
                          success=int(A["success_total"][0]))
        out.paths = np.bincount(self.path, minlength=4 ** self.m.stages).astype(np.int64)
        if self.book is not None:
            self.book.finish(out)
        return out


def run_chunk(model: SimModel, seeds: list[np.random.SeedSequence], sizes: list[int]) -> Counts:
    """Simulate the blocks ``seeds`` (with ``sizes`` trials each) and count the outcomes: the one
    stage loop (:func:`.stageloop.run_stages`) with the two-subset rules, or with
    :class:`.kpop.KRules` for a several-populations :class:`.kmodel.KModel`."""
    return run_stages(model, KRules if hasattr(model, "membership") else TwoSubsetRules, seeds, sizes)


class _SizeBook:
    """Per-trial sizes under sample-size recalculation (rpact's rule, :mod:`.recalculation`)."""

    def __init__(self, model: SimModel, n: int):
        self.m = model
        self.acc = np.zeros(n)  # Σ w_j Φ⁻¹(1 − p̃_j) or Σ w_j ln p̃_j
        self.units = np.zeros(n)
        self.subjects = np.zeros(n)
        self.screened = np.zeros(n)
        ppe = model.patients_per_event
        self.ppe = ppe if model.endpoint == "survival" else (1.0, 1.0)
        self.q = model.prevalence if model.p_test_positive is None else model.p_test_positive

    def add(self, k: int, active, s_only, size_s, size_r) -> None:
        size_s, size_r = np.broadcast_to(size_s, active.shape), np.broadcast_to(size_r, active.shape)
        self.units += np.where(active, size_s + size_r, 0.0)
        if self.ppe is None:
            return
        subj = np.where(active, size_s * self.ppe[0] + size_r * self.ppe[1], 0.0)
        self.subjects += subj
        self.screened += np.where(s_only, subj / self.q, subj)

    def interim(self, k: int, z_s, z_f, sel_s, sel_f, weights) -> None:
        self.acc += weights[k] * rc.adjusted_term(self.m, z_s, z_f, sel_s, sel_f)

    def next_size(self, data, k: int, sel_s, sel_f) -> np.ndarray:
        crit = rc.conditional_critical(self.m, k, self.acc)
        return rc.stage_size(self.m, data, k, crit, sel_s, sel_f)

    def finish(self, out: Counts) -> None:
        names = {"units": self.units}
        if self.ppe is not None:
            names.update(subjects=self.subjects, screened=self.screened)
        for name, x in names.items():
            out.sums[name] = rc.exact_sum(x)
            out.sums[name + "_sq"] = rc.exact_sum(x * x)
            out.hists[name] = rc.histogram(x)


def default_workers() -> int:
    """Worker threads: the available cores, at most 4 (numpy releases the GIL)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))


def run(model: SimModel, simulations: int, seed: int, *, chunk_size: int = DEFAULT_CHUNK,
        progress: Callable[[int, int], object] | None = None,
        is_cancelled: Callable[[], bool] | None = None,
        workers: int | None = None) -> tuple[Counts, bool]:
    """Simulate ``simulations`` trials; returns the counts and whether the run was cancelled.

    ``progress(done, total)`` is called after every chunk; ``is_cancelled()`` is polled before
    every chunk is started — a cancelled run returns the chunks already finished.
    """
    simulations = int(simulations)
    chunks = seeded_chunks(simulations, seed, BLOCK, chunk_size)
    total = new_counts(model)
    workers = default_workers() if workers is None else max(1, int(workers))
    workers = min(workers, len(chunks))
    cancelled = False

    def report() -> None:
        if progress is not None:
            progress(total.n, simulations)

    if workers == 1:
        for chunk_seeds, chunk_sizes in chunks:
            if is_cancelled is not None and is_cancelled():
                cancelled = True
                break
            total.add(run_chunk(model, chunk_seeds, chunk_sizes))
            report()
        return total, cancelled

    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending = set()
        queue = iter(chunks)
        exhausted = False
        while True:
            while not cancelled and not exhausted and len(pending) < workers:
                if is_cancelled is not None and is_cancelled():
                    cancelled = True
                    break
                nxt = next(queue, None)
                if nxt is None:
                    exhausted = True
                    break
                pending.add(pool.submit(run_chunk, model, *nxt))
            if not pending:
                break
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                total.add(fut.result())
                report()
    return total, cancelled


def path_sizes(model: SimModel, paths_len: int) -> dict[str, np.ndarray]:
    """Subjects, events and screened patients of every path code (see :func:`run_chunk`).

    A path code holds the configuration of each stage the trial reached (base 4: 0 not
    reached, 1 both populations, 2 S only, 3 F only). Continuous and binary: subjects are the
    planned increments, screened = subjects in stages enrolling everyone and subjects / P(test+)
    in S-only stages. Survival: events are the planned increments; patients = events / events
    per patient of the enrolled population (known only from the scenario's survival model).
    """
    k_max = model.stages
    codes = np.arange(paths_len)
    inc = np.diff(np.concatenate([[0.0], np.asarray(model.planned, dtype=float)]))
    q = model.prevalence if model.p_test_positive is None else model.p_test_positive
    units = np.zeros(paths_len)
    subjects = np.zeros(paths_len)
    screened = np.zeros(paths_len)
    surv = model.endpoint == "survival"
    ppe = model.patients_per_event
    w_s, w_r = subset_weights(model)
    for k in range(k_max):
        cfg = (codes // 4 ** k) % 4
        reached = cfg > 0
        units += np.where(reached, inc[k], 0.0)
        if surv:
            if ppe is None:
                continue
            pat_both = inc[k] * (w_s * ppe[0] + w_r * ppe[1])
            pat_s = inc[k] * ppe[0]
        else:
            pat_both = pat_s = inc[k]
        subjects += np.where(cfg == _S_ONLY, pat_s, np.where(reached, pat_both, 0.0))
        screened += np.where(cfg == _S_ONLY, pat_s / q, np.where(reached, pat_both, 0.0))
    out = {"units": units}
    if not surv or ppe is not None:
        out["subjects"] = subjects
        out["screened"] = screened
    return out


def path_moments(counts: Counts, values: np.ndarray) -> tuple[float, float]:
    """Mean and Monte Carlo SE of a per-path quantity."""
    n = counts.n
    w = counts.paths.astype(float)
    mean = math.fsum(w * values) / n
    second = math.fsum(w * values * values) / n
    var = max(second - mean * mean, 0.0)
    return mean, math.sqrt(var / n) if n > 1 else math.nan


__all__ = ["BLOCK", "DEFAULT_CHUNK", "RPACT_FUTILITY", "Counts", "TwoSubsetRules", "_futile",
           "_futility_bounds", "_reject", "_term", "new_counts", "path_moments", "path_sizes", "run",
           "run_chunk", "subset_weights"]
