"""Monte Carlo engine of adaptive enrichment over several populations (F and 1 to 3 populations
made of disjoint cells), vectorized over simulated trials; rpact's ``getSimulationEnrichment*``
with ``subGroups`` S1, S2, S12, R (gMax = 3) or the eight cells of gMax = 4.

Random numbers come from the same per-block generators as the two-subset engine
(:mod:`.simulate`), so results do not depend on chunking or threads. One simulated trial:

1. Stage 1 enrols every cell: cell c gets N_1·w_c (w_c = p_c; survival p_c u_c / Σ p u). Stage
   k > 1 gives N_k − N_{k−1} to the cells of the selected populations, in proportion to w_c
   among them (rpact's ``prevSelected``).
2. Stage-wise Z_g of every selected population from that stage's cells (:mod:`.kstages`).
3. Closed test of all 2^G − 1 intersection hypotheses H_J, J ⊆ {F, S1, …}: at stage k, H_J's
   p-value combines the stage-wise p-values of J's populations still selected (m of them;
   p₍₁₎ ≤ … ≤ p₍ₘ₎): Bonferroni min(m p₍₁₎, 1), Simes min_j m p₍ⱼ₎/j, Šidák 1 − (1 − p₍₁₎)^m,
   Spiessens–Debois (G = 2 only, as rpact) 1 − Φ₂(z_max; ρ); H_J is not tested once none of its
   populations is selected (rpact: NA, the earlier rejection stands). Each H_J is combined over
   its stages (inverse normal or Fisher, :mod:`.simulate`) against c_k; population g is rejected
   at stage k when every H_J with g ∈ J has been rejected by stage k and g is selected at k
   (Marcus, Peritz & Gabriel 1976; Bretz et al. 2006; rpact
   ``.performClosedCombinationTestForSimulationEnrichment``).
4. Success ``at_least_one``: any population rejected; ``all``: every selected population
   rejected. Non-binding futility: stop when every selected population has a tested
   intersection at or below b_k, or when no population is selected for the next stage.
5. Selection (:func:`select_k`) on the cumulative measures of the selected populations.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtr

from . import recalculation as rc
from .closed_testing import closed_rejections, intersection_p, p_to_z, rpact_separate_z
from .closed_testing import futile as futile_rule
from .kmodel import KModel
from .kstages import KSTAGES, sd_correlation
from .simulate import _futility_bounds, _reject, _term


def intersections(g: int) -> list[tuple[int, ...]]:
    """Every non-empty subset of the G hypotheses, the global intersection first."""
    out = []
    for size in range(g, 0, -1):
        out.extend(itertools.combinations(range(g), size))
    return out


@dataclass
class KCounts:
    """Integer counts of one or more chunks (exactly additive), per hypothesis g and stage k."""

    stages: int
    hyps: int = 2
    n: int = 0
    arrays: dict = field(default_factory=dict)
    sums: dict = field(default_factory=dict)

    SHAPES = {"reached": "k", "selected": "gk", "rejected": "gk", "success": "k", "futility": "k",
              "rej_total": "g", "rej_any": "1", "rej_all": "1", "rej_both": "1", "success_total": "1",
              "selected_last": "g", "first_config": "c"}

    def __post_init__(self) -> None:
        dims = {"k": (self.stages,), "gk": (self.hyps, self.stages), "g": (self.hyps,), "1": (1,),
                "c": (2 ** self.hyps,)}
        for key, shape in self.SHAPES.items():
            self.arrays.setdefault(key, np.zeros(dims[shape], dtype=np.int64))

    def add(self, other: KCounts) -> None:
        self.n += other.n
        for key in self.SHAPES:
            self.arrays[key] += other.arrays[key]
        for key, value in other.sums.items():
            self.sums[key] = self.sums.get(key, 0) + value


def cell_weights(model: KModel) -> np.ndarray:
    """w_c: prevalence, or (survival) prevalence × events per patient."""
    p = np.asarray(model.prevalences, dtype=float)
    if model.endpoint == "survival":
        p = p * np.asarray(model.event_weight, dtype=float)
    return p


def _stage_sizes(model: KModel, k: int, sel: np.ndarray, w: np.ndarray, member: np.ndarray):
    """(C, n) sizes of stage k and the enrolled cells."""
    n = sel.shape[1]
    if k == 0:
        enrolled = np.ones((model.cells, n), dtype=bool)
    else:
        enrolled = (member.T.astype(float) @ sel.astype(float)) > 0
    inc = model.planned[0] if k == 0 else model.planned[k] - model.planned[k - 1]
    ww = np.where(enrolled, w[:, None], 0.0)
    tot = ww.sum(axis=0)
    return inc * ww / np.where(tot > 0, tot, 1.0), enrolled


def _intersection_p(test: str, p: np.ndarray, rows: tuple[int, ...], z: np.ndarray, rho) -> tuple:
    """p-value of H_J (:func:`.closed_testing.intersection_p`) from the selected members'
    p-values (unselected: +inf) and m."""
    sub = p[list(rows)]
    m = np.isfinite(sub).sum(axis=0)
    if len(rows) == 1:
        return sub[0], m
    if len(rows) == 2:
        srt = np.stack([np.minimum(sub[0], sub[1]), np.maximum(sub[0], sub[1])])
    else:
        srt = np.sort(sub, axis=0)
    zmax = None
    if test == "spiessens_debois":
        zmax = np.max(np.where(np.isfinite(sub), z[list(rows)], -np.inf), axis=0)
    return intersection_p(test, srt, m, zmax, rho), m


def select_k(model: KModel, sel: np.ndarray, measure: np.ndarray) -> np.ndarray:
    """Populations kept for the next stage (rpact ``.selectPopulations``), vectorized.

    Measures of unselected populations are ignored (NaN). Ties are broken as R does, in
    rpact's order S1, S2, …, F (``which.max``, stable ``order``): the hypotheses are permuted
    to that order here. ``best`` the largest; ``rbest`` the r largest; ``epsilon`` every one
    within ε of the largest; ``all`` every one; ``threshold`` every one whose measure exceeds
    the threshold (rpact ``typeOfSelection = "all"`` with ``threshold``).
    """
    g = sel.shape[0]
    order = list(range(1, g)) + [0]  # rpact's order
    m = np.where(sel, measure, np.nan)[order]
    valid = ~np.isnan(m)
    rule = model.selection_rule
    if rule == "all":
        chosen = valid
    elif rule == "threshold":
        with np.errstate(invalid="ignore"):
            chosen = valid & (m > model.threshold)
    elif rule == "best":  # the first largest, as which.max
        key = np.where(valid, m, -np.inf)
        chosen = valid & (np.arange(g)[:, None] == np.argmax(key, axis=0)[None, :])
    elif rule == "rbest":
        r = max(1, int(model.r))
        key = np.where(valid, -m, np.inf)
        rank = np.argsort(np.argsort(key, axis=0, kind="stable"), axis=0, kind="stable")
        chosen = valid & (rank < r)
    elif rule == "epsilon":
        best = np.max(np.where(valid, m, -np.inf), axis=0)
        with np.errstate(invalid="ignore"):
            chosen = valid & (best - m <= model.epsilon)
    else:  # pragma: no cover - validated by the scenario reader
        raise ValueError(f"unknown selection rule {rule!r}")
    out = np.empty_like(chosen)
    out[order] = chosen
    return sel & out


def _jitter(blocks, n: int, g: int) -> np.ndarray:
    """rpact's ``runif(gMax, −1e−5, 1e−5)`` added to binary measures (random tie-breaking),
    drawn in rpact's order S1, S2, …, F (as the two-subset engine draws S, F)."""
    u = np.empty((g, n))
    for gen, sl in blocks:
        u[:, sl] = gen.uniform(-1e-5, 1e-5, (g, sl.stop - sl.start))
    out = np.empty_like(u)
    out[list(range(1, g)) + [0]] = u
    return out


class _Book:
    """Per-trial subjects, events and screened patients (exact sums for chunk independence)."""

    def __init__(self, model: KModel, n: int):
        self.units, self.subjects, self.screened = np.zeros(n), np.zeros(n), np.zeros(n)
        self.ppe = None if model.endpoint != "survival" else model.patients_per_event
        self.prev = np.asarray(model.prevalences, dtype=float)[:, None]
        self.surv = model.endpoint == "survival"

    def add(self, active, sizes, enrolled) -> None:
        self.units += np.where(active, sizes.sum(axis=0), 0.0)
        if self.surv:
            if self.ppe is None:
                return
            subj = (sizes * np.asarray(self.ppe)[:, None]).sum(axis=0)
        else:
            subj = sizes.sum(axis=0)
        share = np.where(enrolled, self.prev, 0.0).sum(axis=0)
        self.subjects += np.where(active, subj, 0.0)
        self.screened += np.where(active, subj / np.where(share > 0, share, 1.0), 0.0)

    def finish(self, out: KCounts) -> None:
        names = {"units": self.units}
        if not self.surv or self.ppe is not None:
            names.update(subjects=self.subjects, screened=self.screened)
        for name, x in names.items():
            out.sums[name] = rc.exact_sum(x)
            out.sums[name + "_sq"] = rc.exact_sum(x * x)


def run_chunk_k(model: KModel, seeds: list[np.random.SeedSequence], sizes: list[int]) -> KCounts:
    """Simulate the blocks ``seeds`` (``sizes`` trials each) and count the outcomes."""
    n = int(sum(sizes))
    starts = np.concatenate([[0], np.cumsum(sizes)])
    blocks = [(np.random.Generator(np.random.PCG64(ss)), slice(int(a), int(b)))
              for ss, a, b in zip(seeds, starts[:-1], starts[1:])]
    k_max, g = model.stages, model.hypotheses
    out = KCounts(k_max, g, n)
    A = out.arrays
    data = KSTAGES[model.endpoint](model, n)
    weights = model.combination_weights
    with np.errstate(divide="ignore"):
        log_crit = np.log(np.asarray(model.critical, dtype=float))
    fisher, compat = model.combination == "fisher", model.rpact_compat
    fut = _futility_bounds(model)
    member = np.asarray(model.membership, dtype=bool)
    w = cell_weights(model)
    inter = intersections(g)
    contains = np.array([[j in J for J in inter] for j in range(g)])  # g × |J|
    book = _Book(model, n)

    sel = np.ones((g, n), dtype=bool)
    active = np.ones(n, dtype=bool)
    comb = np.zeros((len(inter), n))
    rej_int = np.zeros((len(inter), n), dtype=bool)
    rej = np.zeros((g, n), dtype=bool)
    success_any = np.zeros(n, dtype=bool)

    for k in range(k_max):
        stage_sizes, enrolled = _stage_sizes(model, k, sel, w, member)
        book.add(active, stage_sizes, enrolled)
        A["reached"][k] = np.count_nonzero(active)
        A["selected"][:, k] = np.count_nonzero(sel & active, axis=1)
        z = data.stage(blocks, n, stage_sizes)
        if compat:
            z = rpact_separate_z(z)
        p = np.where(sel, ndtr(-z), np.inf)
        rho = sd_correlation(model, data)
        z_j = np.empty((len(inter), n))
        tested = np.empty((len(inter), n), dtype=bool)
        for i, J in enumerate(inter):
            pj, m = _intersection_p(model.intersection_test, p, J, z, rho)
            tested[i] = m > 0
            z_j[i] = z[J[0]] if len(J) == 1 else p_to_z(np.where(m > 0, pj, 1.0), compat)
        comb += np.where(tested, weights[k] * _term(model, np.where(tested, z_j, 0.0)), 0.0)
        stat, reached = _reject(model, k, comb, log_crit)
        now = reached & tested
        if compat and k == k_max - 1:  # rpact stops the closed test when H_global fails
            now &= now[0]
        rej_int |= now
        closed = closed_rejections(rej_int, contains)
        new = closed & sel & ~rej & active
        rej |= new
        A["rejected"][:, k] = np.count_nonzero(new, axis=1)
        if model.success_criterion == "all":
            success = (~sel | closed).all(axis=0) & active
        else:
            success = rej.any(axis=0) & active
        A["success"][k] = np.count_nonzero(success)
        success_any |= success
        if k == k_max - 1:
            A["selected_last"] += np.count_nonzero(sel & active, axis=1)
            break
        futile = futile_rule(z_j if fisher else stat, fut[k], tested, contains, sel)
        measure = data.measures()
        if model.endpoint == "binary":
            measure = measure + _jitter(blocks, n, g)
        sel = select_k(model, sel, measure)
        futile = (futile | ~sel.any(axis=0)) & active & ~success
        A["futility"][k] = np.count_nonzero(futile)
        active &= ~(success | futile)
        if k == 0:  # the first interim's decision among the trials that continue
            code = (sel.astype(np.int64) * (2 ** np.arange(g))[:, None]).sum(axis=0)
            A["first_config"] += np.bincount(code[active], minlength=2 ** g)

    A["rej_total"] += np.count_nonzero(rej, axis=1)
    A["rej_any"][0] = np.count_nonzero(rej.any(axis=0))
    A["rej_all"][0] = np.count_nonzero(rej.all(axis=0))
    A["rej_both"][0] = np.count_nonzero(rej[0] & rej[1])
    A["success_total"][0] = np.count_nonzero(success_any)
    book.finish(out)
    return out
