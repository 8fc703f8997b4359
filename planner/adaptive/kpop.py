"""Monte Carlo engine of adaptive enrichment over several populations (F and 1 to 3 populations
made of disjoint cells), vectorized over simulated trials; rpact's ``getSimulationEnrichment*``
with ``subGroups`` S1, S2, S12, R (gMax = 3) or the eight cells of gMax = 4.

This module holds the cells form's rules (:class:`KRules`) of the one stage loop
(:func:`.stageloop.run_stages`, which the two-subset form runs with its own rules). Random numbers
come from the same per-block generators as the two-subset form (:mod:`.simulate`), so results do
not depend on chunking or threads. One simulated trial:

1. Stage 1 enrols every cell: cell c gets N_1·w_c (w_c = p_c; survival p_c u_c / Σ p u). Stage
   k > 1 gives N_k − N_{k−1} to the cells of the selected populations, in proportion to w_c
   among them (rpact's ``prevSelected``).
2. Stage-wise Z_g of every selected population from that stage's cells (:mod:`.kstages`).
3. Closed test of all 2^G − 1 intersection hypotheses H_J, J ⊆ {F, S1, …}: at stage k, H_J's
   p-value combines the stage-wise p-values of J's populations still selected (m of them;
   p₍₁₎ ≤ … ≤ p₍ₘ₎): Bonferroni min(m p₍₁₎, 1), Simes min_j m p₍ⱼ₎/j, Šidák 1 − (1 − p₍₁₎)^m,
   Spiessens–Debois (G = 2 only, as rpact) 1 − Φ₂(z_max; ρ); H_J is not tested once none of its
   populations is selected (rpact: NA, the earlier rejection stands). Each H_J is combined over
   its stages (inverse normal or Fisher, :mod:`.stageloop`) against c_k; population g is rejected
   at stage k when every H_J with g ∈ J has been rejected by stage k and g is selected at k
   (Marcus, Peritz & Gabriel 1976; Bretz et al. 2006; rpact
   ``.performClosedCombinationTestForSimulationEnrichment``).
4. Success ``at_least_one``: any population rejected; ``all``: every selected population
   rejected. Non-binding futility: stop when every selected population has a tested
   intersection at or below b_k, or when no population is selected for the next stage.
5. Selection (:func:`select_k`) on the cumulative measures of the selected populations.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

from . import recalculation as rc
from .closed_testing import intersection_p, p_to_z, rpact_separate_z
from .kmodel import KModel
from .kstages import KSTAGES
from .stageloop import KCounts, intersections


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


class KRules:
    """The cells form's hooks of the stage loop (:mod:`.stageloop`): sizes per cell, every
    intersection through its p-value, rpact's selection rules with jitter, exact size sums."""

    def __init__(self, model: KModel, n: int, blocks):
        self.m, self.n, self.blocks = model, n, blocks
        self.hypotheses = model.hypotheses
        self.data = KSTAGES[model.endpoint](model, n)
        self.member = np.asarray(model.membership, dtype=bool)
        self.w = cell_weights(model)
        self.inter = intersections(self.hypotheses)
        self.book = _Book(model, n)

    def sizes(self, k: int, sel: np.ndarray, active: np.ndarray) -> np.ndarray:
        stage_sizes, enrolled = _stage_sizes(self.m, k, sel, self.w, self.member)
        self.book.add(active, stage_sizes, enrolled)
        return stage_sizes

    def combine(self, z: np.ndarray, sel: np.ndarray, rho) -> tuple[np.ndarray, np.ndarray]:
        """z of every H_J: one population its own z, several Φ⁻¹(1 − p_J) (after rpact's round
        trip in the rpact-compatible mode)."""
        compat = self.m.rpact_compat
        if compat:
            z = rpact_separate_z(z)
        p = np.where(sel, ndtr(-z), np.inf)
        z_j = np.empty((len(self.inter), self.n))
        tested = np.empty((len(self.inter), self.n), dtype=bool)
        for i, J in enumerate(self.inter):
            pj, m = _intersection_p(self.m.intersection_test, p, J, z, rho)
            tested[i] = m > 0
            z_j[i] = z[J[0]] if len(J) == 1 else p_to_z(np.where(m > 0, pj, 1.0), compat)
        return z_j, tested

    def interim(self, k: int, sel: np.ndarray) -> np.ndarray:
        measure = self.data.measures()
        if self.m.endpoint == "binary":
            measure = measure + _jitter(self.blocks, self.n, self.hypotheses)
        return select_k(self.m, sel, measure)

    def finish(self, counts: KCounts) -> KCounts:
        self.book.finish(counts)
        return counts

