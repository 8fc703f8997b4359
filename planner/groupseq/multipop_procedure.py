"""The closed group-sequential test of :mod:`planner.groupseq.multipop` on normal draws, as bitmasks.

Each draw's state — which intersection hypotheses H_J (J ∈ ``subsets(m)``, bit g for the g-th) are
rejected so far — is one integer; a look costs one comparison per distinct bound of each hypothesis
(the bitmask of the H_J it crosses) and two table lookups (:func:`_state_tables`: the claims of a
state; whether some unclaimed hypothesis can still be claimed, given the futility stops), whatever
the number of H_J. :func:`run_procedure` gives the same claims, draw for draw, as the procedure
written per H_J (Maurer & Bretz 2013; tested in tests/test_groupseq_multipop.py).
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from ..closed_test import subsets

if TYPE_CHECKING:
    from .multipop import MultiBounds


def run_procedure(z: np.ndarray, bd: MultiBounds) -> dict[str, np.ndarray]:
    """The closed group-sequential test on draws ``z`` (n, K·m): per draw the claims by each look
    (``reject`` (K, m, n) bool) and the look the trial stops at (``stop`` (n,) int)."""
    m = bd.futility.shape[0]
    bits, stop = procedure_bits(np.ascontiguousarray(np.asarray(z, float).T), bd)
    reject = ((bits[:, None, :] >> np.arange(m, dtype=np.uint8)[None, :, None]) & 1).astype(bool)
    return {"reject": reject, "stop": stop.astype(int)}


@lru_cache(maxsize=64)
def _state_tables(m: int, later: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Lookup tables of the closed test's state (bit g of a state: H_J, J = ``subsets(m)[g]``,
    rejected so far). ``rej`` (2^G,) uint8: bit j set when every H_J with j ∈ J is rejected (H_j
    claimed); ``still`` (2^G·2^m,) bool at index state·2^m + dead (bit j of dead: H_j stopped for
    futility): some unclaimed H_j can still be claimed — every H_J ∋ j is rejected already or
    has a member not stopped with a finite bound at a later look (``later[g]``: the bitmask of
    such members, 0 when none)."""
    subs = subsets(m)
    n_states = 1 << len(subs)
    states = np.arange(n_states, dtype=np.uint32)
    member = [sum(1 << g for g, J in enumerate(subs) if j in J) for j in range(m)]
    rej = np.zeros(n_states, np.uint8)
    for j in range(m):
        rej |= (((states & member[j]) == member[j]).astype(np.uint8) << j)
    dead = np.arange(1 << m, dtype=np.uint32)
    can = np.zeros(1 << m, np.uint32)           # H_J still open by its members, per dead pattern
    for g, mask in enumerate(later):
        can |= (((dead & mask) != mask) & (mask != 0)).astype(np.uint32) << g
    open_ = states[:, None] | can[None, :]                                  # (2^G, 2^m)
    still = np.zeros(open_.shape, bool)
    for j in range(m):
        still |= (((rej >> j) & 1) == 0)[:, None] & ((open_ & member[j]) == member[j])
    return rej, still.reshape(-1)


def _crossing_tables(bd: MultiBounds, k: int, j: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Hypothesis j at look k: its finite bounds b_{J,j,k} sorted (r,) and the bitmask of the H_J
    crossed when r′ of them are ≤ z (r + 1,) (None: no finite bound)."""
    vals, bits = [], []
    for g, (J, b) in enumerate(zip(bd.subsets, bd.tests)):
        if j in J and math.isfinite(b[J.index(j), k]):
            vals.append(float(b[J.index(j), k]))
            bits.append(1 << g)
    if not vals:
        return None
    order = np.argsort(vals, kind="stable")
    masks = np.concatenate([[0], np.bitwise_or.accumulate(np.asarray(bits, np.uint16)[order])]).astype(np.uint16)
    return np.asarray(vals)[order], masks


def procedure_bits(zt: np.ndarray, bd: MultiBounds, shift: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """:func:`run_procedure` on draws ``zt`` + ``shift`` (K·m, n) (component-major; the shift, the
    mean (K·m,), moves the bounds instead of the draws), as bitmasks: claims by
    each look (K, n) uint8 (bit j: H_j) and the stopping look (n,) int8. The state of the closed
    test (which H_J are rejected) is a bitmask per draw; each look costs a comparison per distinct
    bound and a few table lookups (:func:`_state_tables`), whatever the number of H_J."""
    m, k_max = bd.futility.shape
    n = zt.shape[1]
    rj = np.zeros(n, np.uint16)
    dead = np.zeros(n, np.uint8)
    active = np.ones(n, bool)
    stop = np.full(n, k_max - 1, np.int8)
    out = np.zeros((k_max, n), np.uint8)
    finite = [np.isfinite(b) for b in bd.tests]
    shift = np.zeros(m * k_max) if shift is None else np.asarray(shift, float)
    for k in range(k_max):
        cross = np.zeros(n, np.uint16)
        for j in range(m):
            tab = _crossing_tables(bd, k, j)
            if tab is not None:
                count = np.zeros(n, np.uint8)             # how many of the sorted bounds are ≤ z
                for b in tab[0] - shift[k * m + j]:
                    count += zt[k * m + j] >= b
                c = tab[1][count]
                cross |= c if not dead.any() else np.where((dead >> j) & 1, np.uint16(0), c)
        rj |= np.where(active, cross, np.uint16(0)) if k else cross
        later = tuple(sum(1 << j for a, j in enumerate(J) if f[a, k + 1:].any()) for J, f in zip(bd.subsets, finite))
        rej_t, still_t = _state_tables(m, later)
        rej = rej_t[rj]
        out[k] = rej
        if k == k_max - 1:
            break
        for j in map(int, np.flatnonzero(np.isfinite(bd.futility[:, k]))):
            hit = active & (((rej >> j) & 1) == 0) & (zt[k * m + j] < bd.futility[j, k] - shift[k * m + j])
            dead |= hit.astype(np.uint8) << j
        now = active & ~still_t[(rj.astype(np.intp) << m) | dead]
        stop[now] = k
        active &= ~now
    return out, stop
