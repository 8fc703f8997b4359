"""Recursions of :mod:`.procedure` at each structure's own drift, many structures at once.

A node of a curve (:mod:`.curve`) or a step of a root search at many points
(:mod:`.lookwise_curve`) needs the closed test's category masses at one drift of one structure:
a grid recursion at that drift itself, never tilted (:func:`.procedure._reference`'s recursion on
a grid without the tilting margin, half-width :data:`.grid2d.WIDTH` SD instead of WIDTH + RADIUS,
and a narrower transition kernel, :data:`.grid2d.OWN_KERNEL_WIDTH`).

Many structures at once (:func:`sums_many`). The recursions of B structures whose closed tests
split alike — the same :func:`.procedure._pattern` of the rule and the same interval flags at
every look (:func:`.procedure._flag_sets`), so the same states, fates and cells — run as one: each
state's densities are a (B, n_F, n_S) stack (each structure on its own grid, padded with zeros to
the largest), the interval weights a (B, J, n) stack, every product and sum batched over B, and
one FFT per look transforms every structure's densities with its own kernel
(:func:`.grid2d.transition_many`). Each structure's numbers are those of its recursion alone up
to FFT round-off (the transform lengths are the batch's): a look's Python and numpy call
overhead is paid once per batch — measured 0.55–0.75 of the recursions one by one (~1.8–2.4 ms a
structure at 3 looks in batches of 4–15, ~3.5 ms alone; docs "Wave 8, own recursions batched").
Structures are batched when their last look's grids differ by at most :data:`CELL_RATIO` in cells
(the padding's cost).

States decided by one axis are carried as 1-D marginals (:func:`sums_many`, wave 7's 1-D own
recursion: exact, the marginal of a Gaussian random walk being one).

Grid (wave 9, :func:`own_grid`): :data:`NU` = 2.5 points per increment SD (at least
:data:`.grid2d.RIDGE_POINTS` across a ridge, as every grid) and interval rules on stencils of
:data:`ORDER` = 10 nodes (degree 9), the transforms in single precision (:data:`SINGLE`).
Against a fine grid (7 points per SD, 5 across a ridge, 10-node stencils, the kernel cut at 7 SD,
the grid 8.5 SD wide, double precision), over the 1,052 own recursions of the 13 two-subgroup
examples' cold curves (3 looks), the largest error of a category mass went from 3.5e-5 (median
6.6e-6; 3 points per SD, 6-node stencils) to 7.4e-6 (median 9.9e-7) with ~18 % fewer cells;
single precision adds ≤ 2e-7 (tests/test_groupseq_own_batch.py). The tilted references and the
bound solves keep :data:`.grid2d.NU` and :data:`.grid2d.ORDER` (docs, "Wave 9").

Kept (:data:`KEPT`): the sums :func:`run_own` needs, (7, 1, K) read-only per structure and drift,
~200 bytes an entry.
"""

from __future__ import annotations

from collections import OrderedDict, namedtuple
from functools import lru_cache

import numpy as np

from . import grid2d as G
from . import procedure as P

OWN_REFERENCES = 1024  # own-drift results kept (their sums only, ~200 bytes each): the four 3-look curves under the look-wise law need ~100
NU = 2.5           # grid points per increment SD of an own recursion (grid2d.NU: 3; module docstring)
ORDER = 10         # nodes per stencil of its interval rule (grid2d.ORDER: 6)
SINGLE = True      # its FFTs in single precision (round-off ≤ 2e-7 of a probability)
CELL_RATIO = 1.5       # structures batched together when their last look's cells differ by at most this factor

CacheInfo = namedtuple("CacheInfo", "hits misses maxsize currsize")


class _Kept:
    """The sums of recent own-drift recursions by (law key, looks, rule, drift), least recently
    used dropped first; ``cache_info``/``cache_clear`` as :func:`functools.lru_cache`'s (a miss:
    a recursion run)."""

    def __init__(self, maxsize: int):
        self.maxsize, self.data, self.hits, self.misses = maxsize, OrderedDict(), 0, 0

    def get(self, key: tuple) -> np.ndarray | None:
        v = self.data.get(key)
        if v is not None:
            self.data.move_to_end(key)
            self.hits += 1
        return v

    def put(self, key: tuple, value: np.ndarray) -> None:
        self.misses += 1
        self.data[key] = value
        if len(self.data) > self.maxsize:
            self.data.popitem(last=False)

    def cache_info(self) -> CacheInfo:
        return CacheInfo(self.hits, self.misses, self.maxsize, len(self.data))

    def cache_clear(self) -> None:
        self.data.clear()
        self.hits = self.misses = 0


KEPT = _Kept(OWN_REFERENCES)


def own_grid(law: G.Law, lam: np.ndarray) -> G.Grid:
    """The grid of a recursion at its own drift (module docstring): no tilting margin, :data:`NU`
    points per increment SD (or the ridge's), stencils of :data:`ORDER` nodes."""
    return G.make_grid(law, lam, 0.0, nu=NU, order=ORDER)


def run_own(law: G.Law, lam: np.ndarray, rule: P.Rule, single: bool | None = None) -> dict[str, np.ndarray]:
    """:func:`.procedure.run` of one drift ``lam`` (1, 2) from a recursion at that drift (no
    tilting, a smaller grid); arrays (1, K). ``single``: as :func:`run_own_many`'s."""
    return run_own_many([law], lam, [rule], single)[0]


def run_own_many(laws: list[G.Law], lams: np.ndarray, rules: list[P.Rule],
                 single: bool | None = None) -> list[dict[str, np.ndarray]]:
    """:func:`run_own` of structure i at drift ``lams[i]`` (B, 2) for each i: the recursions not
    kept run batched (:func:`sums_many`; groups that split alike, grids of similar size).
    ``single``: the FFTs in single precision (None: :data:`SINGLE`); False for a root search's
    one point (the comparison's N: a power smooth to ~1e-13, not to single precision's ~1e-7)."""
    single = SINGLE if single is None else bool(single)
    keys = [(law.key(), law.k_max, rule, (float(lam[0]), float(lam[1])), single)
            for law, lam, rule in zip(laws, np.asarray(lams, float), rules)]
    first: dict = {}
    for i, key in enumerate(keys):
        first.setdefault(key, i)                                          # each distinct key's first point
    found = {key: KEPT.get(key) for key in first}
    todo = [i for key, i in first.items() if found[key] is None]
    grids = {i: own_grid(laws[i], np.asarray(lams[i], float)) for i in todo}
    for batch in _batches([laws[i] for i in todo], [rules[i] for i in todo], [grids[i] for i in todo]):
        idx = [todo[j] for j in batch]
        sums = sums_many([laws[i] for i in idx], np.asarray([lams[i] for i in idx], float), [rules[i] for i in idx],
                         grids=[grids[i] for i in idx], single=single)
        for i, s in zip(idx, sums):
            s = s[:, None, :]
            s.flags.writeable = False
            KEPT.put(keys[i], s)
            found[keys[i]] = s
    return [P.finish(found[key].copy()) for key in keys]


def _batches(laws: list[G.Law], rules: list[P.Rule], grids: list[G.Grid]) -> list[list[int]]:
    """Indices of structures run together: the same looks, rule pattern and interval flags (one
    state machine), last-look grids (own-drift grids, :func:`sums_many`) within :data:`CELL_RATIO`
    in cells (sorted by size)."""
    groups: dict = {}
    for i, (law, rule) in enumerate(zip(laws, rules)):
        groups.setdefault((law.k_max, P._pattern(rule), P._flag_sets(law, rule)), []).append(i)
    out = []
    for idx in groups.values():
        cells = {i: float(np.prod(grids[i].n[-1])) for i in idx}
        batch: list[int] = []
        for i in sorted(idx, key=cells.get):
            if batch and cells[i] > CELL_RATIO * cells[batch[0]]:
                out.append(batch)
                batch = []
            batch.append(i)
        out.append(batch)
    return out


def sums_many(laws: list[G.Law], lams: np.ndarray, rules: list[P.Rule], oned: bool = True,
              grids: list[G.Grid] | None = None, single: bool | None = None) -> np.ndarray:
    """(B, 7, K) category masses of the recursions of B structures at their own drifts
    ``lams`` (B, 2), run together (module docstring): every structure's closed test must split
    alike (:func:`_batches`).

    A continuing state whose future is decided by one axis d (:func:`.procedure._axis`) is carried
    as its marginal on d (the other axis integrated out: the sum of its weighted density over
    that axis), moved look to look by the 1-D convolution with the marginal increment
    N((V_k λ)_d, V_k[d, d]) (:func:`.grid2d.transition1_many`) and split by axis-d intervals only:
    exact, the marginal of a Gaussian random walk being a Gaussian random walk. ``oned=False``:
    every state 2-D (the plain recursion; tests). ``grids``: each structure's grid at its own drift
    (:func:`.grid2d.make_grid` with no tilting margin), when made already. ``single``: the FFTs in
    single precision (None: :data:`SINGLE`)."""
    k_max, b_n = laws[0].k_max, len(laws)
    single = SINGLE if single is None else single
    if grids is None:
        grids = [own_grid(law, lam) for law, lam in zip(laws, lams)]
    fates = _Fates(laws[0], rules[0], oned)
    dens: dict = {(0, 0, 0, 0, 0): _padded([G.first_density(law, grid, lam) for law, grid, lam in zip(laws, grids, lams)])}
    sums = np.zeros((b_n, 7, k_max))
    for k in range(k_max):
        sums[:, :, k], cont = _look_many(dens, _axes_many(laws, grids, rules, k), fates, k, k == k_max - 1)
        if k == k_max - 1:
            break
        dens = P._merge(cont, lambda state, k=k + 1: fates.fate(state, k))
        flat = [s for s, m in dens.items() if m.ndim == 3]
        moved = {}
        if flat:
            step = G.transition_many(np.stack([dens[s] for s in flat], axis=1), laws, grids, k, list(lams), G.OWN_KERNEL_WIDTH,
                                      single=single)
            moved.update((s, step[:, i]) for i, s in enumerate(flat))
        for d in range(2):
            line = [s for s, m in dens.items() if m.ndim == 2 and fates.axis(s, k + 1) == d]
            if line:
                step = G.transition1_many(np.stack([dens[s] for s in line], axis=1), laws, grids, k, d, list(lams), G.OWN_KERNEL_WIDTH,
                                            single=single)
                moved.update((s, step[:, i]) for i, s in enumerate(line))
        dens = moved
    return sums


def _padded(arrays: list[np.ndarray]) -> np.ndarray:
    """(B, …) the arrays stacked, each padded with zeros at its end to the largest shape."""
    out = np.zeros((len(arrays),) + tuple(max(a.shape[i] for a in arrays) for i in range(arrays[0].ndim)))
    for b, a in enumerate(arrays):
        out[(b,) + tuple(slice(0, x) for x in a.shape)] = a
    return out


def _axes_many(laws: list[G.Law], grids: list[G.Grid], rules: list[P.Rule], k: int) -> list:
    """Per axis: the interval weights of every structure at look k (B, J, n), padded
    (:func:`.grid2d.edge_weights_many`), and the intervals' flags (the batch's, alike by
    :func:`_batches`)."""
    last = k == laws[0].k_max - 1
    out = []
    for d in range(2):
        cuts = [P._cuts(rule, k, d, float(law.scale[k, d]), last) for law, rule in zip(laws, rules)]
        out.append((G.edge_weights_many(grids, k, d, [c[0] for c in cuts]), cuts[0][1]))
    return out


class _Fates:
    """One recursion's :func:`.procedure._fate` ids and :func:`.procedure._axis` (None throughout
    unless ``oned``) of states by look, memoized here (the cached functions hash the rule and
    flags per call)."""

    def __init__(self, law: G.Law, rule: P.Rule, oned: bool):
        self.flags, self.pattern, self.oned = P._flag_sets(law, rule), P._pattern(rule), oned
        self.fates: dict = {}
        self.axes: dict = {}

    def fate(self, state: tuple, k: int) -> int:
        out = self.fates.get((state, k))
        if out is None:
            out = self.fates[state, k] = P._fate(state, k, self.pattern, self.flags)
        return out

    def axis(self, state: tuple, k: int) -> int | None:
        if (state, k) not in self.axes:
            self.axes[state, k] = P._axis(state, k, self.pattern, self.flags) if self.oned else None
        return self.axes[state, k]


def _look_many(dens: dict, axes: list, fates: _Fates, k: int, last: bool) -> tuple:
    """One look of :func:`sums_many`: ((B, 7) record sums of look k, [(state, mass)] of the
    continuing trials). Each density is integrated over the cells of the look once (per cell
    pair, 2-D; per interval, 1-D) for the records; the cells from which it continues to one
    fate are carried together (:func:`_carry`). A 1-D density (a state decided by axis d) is
    split by axis-d intervals alone, the other axis's first interval standing for all
    (:func:`.procedure._groups1`). What a state's split is made of — its groups' records and
    where each group goes — is worked out once per state machine (:func:`_split`), so a look
    costs a few array products per state. A carried density that is zero is dropped: its cells'
    masses are tested first (one of them non-zero: the density is not zero, but for an exact
    cancellation between cells, and a zero density carried would change no number), the density
    itself only where they are all zero."""
    (w_f, fl_f), (w_s, fl_s) = axes
    shape = (len(fl_f), len(fl_s))
    totals, cont = np.zeros((w_f.shape[0], 7)), []
    for state, h in dens.items():
        if h.ndim == 3:
            d, h_s = None, h @ w_s.transpose(0, 2, 1)           # (B, n_F, J): each S-interval integrated
            onehot, records, going = _split(state, tuple(fl_f), tuple(fl_s), None, fates.pattern, fates.flags, k, last,
                                            fates.oned, shape)
            cell = (w_f @ h_s).reshape(h.shape[0], -1)           # (B, cells)
        else:
            d = fates.axis(state, k)
            onehot, records, going = _split(state, tuple(axes[d][1]), axes[1 - d][1][0], d, fates.pattern, fates.flags, k,
                                            last, fates.oned, shape)
            cell = np.einsum("bjn,bn->bj", axes[d][0], h)
        totals += (cell @ onehot) @ records                      # (B, groups) masses into the 7 records
        for new, flat, mask, axis in going:
            if d is None:
                m = _carry(h, h_s, axes, mask, axis)
            else:
                m = h * axes[d][0][:, flat].sum(axis=1)
            if cell[:, flat].any() or m.any():
                cont.append((new, m))
    return totals, cont


@lru_cache(maxsize=4096)
def _split(state: tuple, fl_a: tuple, fl_b: tuple, d: int | None, pattern: P.Rule, flags: tuple, k: int, last: bool,
           oned: bool, shape: tuple) -> tuple:
    """(one-hot (cells, G) of each cell's group, records (G, 7): the categories each group's mass
    adds to (:func:`.procedure._categories`), going: per fate before look k+1 (new state, its
    cells' flat indices, their 2-D mask (:func:`.procedure._mask`; None for a 1-D state), the
    new state's axis or None)) of a state's split at look k (:func:`.procedure._labelled`'s
    groups) — read-only, shared by every batch of one state machine (``pattern``, ``flags``)."""
    groups, labels = P._labelled(state, fl_a, fl_b, d, pattern, k, last)
    onehot = (labels[:, None] == np.arange(len(groups))).astype(float)
    records = np.zeros((len(groups), 7))
    going: dict = {}                                             # fate before look k+1: (first state, cells)
    for g, ((new, stop), cells) in enumerate(groups):
        records[g, list(P._categories(new, stop))] = 1.0
        if not stop:
            f = P._fate(new, k + 1, pattern, flags)
            if f in going:
                going[f][1].extend(cells)
            else:
                going[f] = (new, list(cells))
    out = []
    for new, cells in going.values():
        axis = P._axis(new, k + 1, pattern, flags) if oned else None
        if d is None:
            cells = sorted(cells)
            flat = np.array([i * shape[1] + j for i, j in cells], dtype=np.intp)
            out.append((new, flat, P._mask(tuple(cells), *shape), axis))
        else:
            out.append((new, np.array(cells, dtype=np.intp), None, axis))
    for a in (onehot, records, *(x[1] for x in out)):
        a.flags.writeable = False
    return onehot, records, tuple(out)


def _carry(h: np.ndarray, h_s: np.ndarray, axes: list, mask: np.ndarray, d: int | None) -> np.ndarray:
    """The weighted densities of ``h`` (B, n_F, n_S) over the cells of ``mask``: 2-D (``d``
    None) or their marginals on axis d (the other axis summed: one product per interval pair,
    not per node)."""
    (w_f, _), (w_s, _) = axes
    if d is None:
        return h * ((w_f.transpose(0, 2, 1) @ mask) @ w_s)
    if d == 0:
        return ((h_s @ mask.T) * w_f.transpose(0, 2, 1)).sum(axis=2)
    return (w_s * (mask.T @ (w_f @ h))).sum(axis=1)
