"""The closed group-sequential test of H_F and H_S run on the 2-D grid of :mod:`.grid2d`.

State of a trial after look k (flags; the score pair carries the rest):

* r — the intersection test of H_F ∩ H_S has rejected (some alive component crossed its
  intersection bound a_k on Z_F or b_k on Z_S);
* e_F, e_S — the elementary test of H_F (H_S) has rejected (Z ≥ c^F_k while alive);
* d_F, d_S — stopped for futility: at an interim look the hypothesis was not rejected and its
  own z fell below its futility bound. From then on its statistic takes part in no test.

H_F is rejected once r and e_F hold (Maurer & Bretz 2013: each test at some look); likewise H_S.
A hypothesis is *open* while it is neither rejected nor stopped and can still be rejected
(finite bounds remain at later looks for its elementary test and, unless already rejected, for
the intersection test). The trial stops early (``stop_when``):

* ``"both"`` — when no hypothesis is open: both rejected, or each one not rejected stopped for
  futility (or no longer rejectable);
* ``"any"`` — also as soon as either hypothesis is rejected (the other can then only be rejected
  at the same look).

Futility stops are followed (binding or not: a non-binding bound changes no efficacy bound but
is counted as followed in powers and expected sizes, as rpact does). Everything after a stop is
absorbed; the records are, per look, the probability of each claim by that look and of stopping
there, for every point (drift) by exponential tilting from lattice references. Continuing states
whose every future path records the same claims and stops (one *fate*, :func:`_fate`) are carried
as one density (:func:`_merge`: 10 → 8 and 14 → 10 densities at the looks of a three-look plan
with futility; the FFT transitions are the recursion's main cost).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache, partial

import numpy as np
from scipy.special import ndtr

from . import grid2d as G
from .rows import unique_rows

STOP_RULES = ("both", "any")
NU_BOUNDS = 8.0   # finer grid for critical values (solved once per correlation structure)
REFERENCES = 128  # grid recursions kept (~0.2 MB each for two looks, ~0.4 MB for three): the four curves of a 3-look plan need ~72


@dataclass(frozen=True)
class Rule:
    """z bounds per look (−∞/∞ = none) and the stopping rule of the closed test."""

    a: tuple[float, ...]
    b: tuple[float, ...]
    c_f: tuple[float, ...]
    c_s: tuple[float, ...]
    f_f: tuple[float, ...]
    f_s: tuple[float, ...]
    stop_when: str = "both"


def _future(v: tuple[float, ...], k: int) -> bool:
    return any(math.isfinite(x) for x in v[k + 1:])


def _cuts(rule: Rule, k: int, d: int, scale: float, last: bool) -> tuple[list[float], list[tuple]]:
    """Interval edges (score units) on one axis and each interval's flags (≥ int., ≥ elem., < fut.)."""
    inter, elem, fut = (rule.a, rule.c_f, rule.f_f) if d == 0 else (rule.b, rule.c_s, rule.f_s)
    i, e, f = inter[k] * scale, elem[k] * scale, (-math.inf if last else fut[k] * scale)
    cuts = sorted({x for x in (i, e, f) if math.isfinite(x)})
    edges = [-math.inf] + cuts + [math.inf]
    flags = [(lo >= i, lo >= e, hi <= f) for lo, hi in zip(edges[:-1], edges[1:])]
    return edges, flags


def _step(state: tuple, ff: tuple, fs: tuple, rule: Rule, k: int, last: bool) -> tuple[tuple, bool]:
    r, e_f, d_f, e_s, d_s = state
    alive_f, alive_s = not d_f, not d_s
    e_f = e_f or (alive_f and ff[1])
    e_s = e_s or (alive_s and fs[1])
    r = r or (alive_f and ff[0]) or (alive_s and fs[0])
    rej_f, rej_s = r and e_f, r and e_s
    if not last:
        d_f = d_f or (alive_f and not rej_f and ff[2])
        d_s = d_s or (alive_s and not rej_s and fs[2])
    d_f, d_s = d_f and not rej_f, d_s and not rej_s
    new = (int(r), int(e_f), int(d_f), int(e_s), int(d_s))
    if last:
        return new, True
    fs_possible = r or (not d_f and _future(rule.a, k)) or (not d_s and _future(rule.b, k))
    open_f = not rej_f and fs_possible and (e_f or (not d_f and _future(rule.c_f, k)))
    open_s = not rej_s and fs_possible and (e_s or (not d_s and _future(rule.c_s, k)))
    stop = not (open_f or open_s) or (rule.stop_when == "any" and (rej_f or rej_s))
    return new, stop


CATEGORIES = ((1, 0), (0, 1), (1, 1))   # (H_F rejected, H_S rejected) recorded per look


def _look(dens: dict, law: G.Law, grid: G.Grid, rule: Rule, k: int) -> dict:
    """Split each state's density at look k into the next states: {(state, stop): mass}."""
    last = k == law.k_max - 1
    (w_f, fl_f), (w_s, fl_s) = _axes(law, grid, rule, k)
    out: dict = {}
    products: dict = {}     # weight matrix of a set of cells, shared by the states splitting alike
    for state, h in dens.items():
        for key, cells in _groups(state, tuple(fl_f), tuple(fl_s), rule, k, last):
            p = products.get(cells)
            if p is None:
                mask = np.zeros((len(fl_f), len(fl_s)))
                for i, j in cells:
                    mask[i, j] = 1.0
                p = products[cells] = w_f.T @ mask @ w_s
            if key in out:
                out[key] += h * p     # in place: every value is an array of this call's own
            else:
                out[key] = h * p
    return out


def _axes(law: G.Law, grid: G.Grid, rule: Rule, k: int) -> list:
    """Per axis: the weights of its intervals at look k (intervals, nodes) and their flags."""
    out = []
    for d in range(2):
        edges, flags = _cuts(rule, k, d, float(law.scale[k, d]), k == law.k_max - 1)
        out.append((grid.edge_weights(k, d, edges), flags))
    return out


@lru_cache(maxsize=4096)
def _groups(state: tuple, fl_f: tuple, fl_s: tuple, rule: Rule, k: int, last: bool) -> tuple:
    """((next state, stop), cells (i, j)) of a state's split at look k, in the order of first cell."""
    groups: dict = {}
    for i, ff in enumerate(fl_f):
        for j, fs in enumerate(fl_s):
            groups.setdefault(_step(state, ff, fs, rule, k, last), []).append((i, j))
    return tuple((key, tuple(cells)) for key, cells in groups.items())


@lru_cache(maxsize=REFERENCES)
def _reference(law_key: tuple, k_max: int, rule: Rule, lattice: tuple[int, int]) -> tuple:
    """(grid, λ_ref, per look [3 category masses, 3 of them among stops, stop mass]) at a reference."""
    law = G._cached_law(law_key, k_max)
    return _recursion(law, G.lattice_drift(law, lattice), rule, None)


def _recursion(law: G.Law, lam_ref: np.ndarray, rule: Rule, radius: float | None) -> tuple:
    """The recursion of :func:`_reference` at drift ``lam_ref`` on the grid of ``radius``."""
    k_max = law.k_max
    grid = G.make_grid(law, lam_ref, radius)
    dens = {(0, 0, 0, 0, 0): G.first_density(law, grid, lam_ref)}
    records = []
    flags, pattern = _flag_sets(law, rule), _pattern(rule)
    for k in range(k_max):
        split = _look(dens, law, grid, rule, k)
        mats, dens = _sort_split(split)
        records.append([None if m is None else G.trim(m) for m in mats])
        if k < k_max - 1:
            dens = _merge(dens.items(), lambda state, k=k + 1: _fate(state, k, pattern, flags))
            width = G.KERNEL_WIDTH if radius is None else G.OWN_KERNEL_WIDTH
            dens = dict(zip(dens, G.transition(list(dens.values()), law, grid, k, lam_ref, width)))
    return grid, lam_ref, records


@lru_cache(maxsize=256)
def _categories(state: tuple, stopped: bool) -> tuple[int, ...]:
    """The records (:func:`_sort_split`'s 7 masses) a mass of (``state``, ``stopped``) adds to."""
    c = (state[0] and state[1], state[0] and state[3])
    out = []
    if c in CATEGORIES:
        out += [CATEGORIES.index(c)] + ([3 + CATEGORIES.index(c)] if stopped else [])
    return tuple(out + ([6] if stopped else []))


@lru_cache(maxsize=4096)
def _labelled(state: tuple, fl_a: tuple, fl_b: tuple, d: int | None, rule: Rule, k: int, last: bool) -> tuple:
    """(groups, group index of each cell) of a state's split at look k: 2-D (``d`` None,
    :func:`_groups` of the flags of both axes; cell (i, j) at i·J + j) or 1-D on axis d
    (:func:`_groups1` of its flags and the other axis's first interval's). ``rule``: its
    :func:`_pattern` suffices (all :func:`_step` reads), so entries serve every structure."""
    if d is None:
        groups, width = _groups(state, fl_a, fl_b, rule, k, last), len(fl_b)
    else:
        groups, width = _groups1(state, fl_a, fl_b, d, rule, k, last), 0
    labels = np.zeros(len(fl_a) * max(width, 1), dtype=np.intp)
    for g, (_, cells) in enumerate(groups):
        for c in cells:
            labels[c[0] * width + c[1] if width else c] = g
    labels.flags.writeable = False
    return groups, labels


@lru_cache(maxsize=1024)
def _mask(cells: tuple, n_f: int, n_s: int) -> np.ndarray:
    """(n_f, n_s) indicator of the cell pairs ``cells`` (read-only)."""
    mask = np.zeros((n_f, n_s))
    for i, j in cells:
        mask[i, j] = 1.0
    mask.flags.writeable = False
    return mask


@lru_cache(maxsize=4096)
def _groups1(state: tuple, fl_d: tuple, other: tuple, d: int, rule: Rule, k: int, last: bool) -> tuple:
    """((next state, stop), intervals of axis d) of a 1-D state's split at look k."""
    groups: dict = {}
    for i, fd in enumerate(fl_d):
        pair = (fd, other) if d == 0 else (other, fd)
        groups.setdefault(_step(state, *pair, rule, k, last), []).append(i)
    return tuple((key, tuple(cells)) for key, cells in groups.items())


@lru_cache(maxsize=4096)
def _axis(state: tuple, k: int, rule: Rule, flags: tuple) -> int | None:
    """The axis d (0: Z_F, 1: Z_S; the first if both) whose intervals alone decide what becomes
    of a trial in ``state`` from look k on, else None: for every interval of d, every interval of
    the other axis gives the same records, stop and next fate (:func:`_fate`), and every next
    state is again decided by d. A property of the fate (states merged by :func:`_merge` agree);
    ``rule``: its :func:`_pattern`, ``flags``: :func:`_flag_sets`."""
    last = k == len(flags) - 1
    for d in range(2):
        fl_d, fl_o = flags[k][d], flags[k][1 - d]
        ok = True
        for fd in fl_d:
            seen = set()
            for fo in fl_o:
                new, stop = _step(state, *((fd, fo) if d == 0 else (fo, fd)), rule, k, last)
                if not stop and _axis(new, k + 1, rule, flags) != d:
                    ok = False
                seen.add((new[0] and new[1], new[0] and new[3], stop, -1 if stop else _fate(new, k + 1, rule, flags)))
            if not ok or len(seen) > 1:
                ok = False
                break
        if ok:
            return d
    return None


def _sort_split(split: dict) -> tuple[list, dict]:
    """(the 7 category masses of a look — :func:`_reference`'s records, None where no mass —, the
    continuing densities by state) from :func:`_look`'s split; sums in place (each mass its own
    copy, a density the split's array: both are this look's own)."""
    mats: list = [None] * 7
    dens: dict = {}

    def add(i: int, m: np.ndarray) -> None:
        if mats[i] is None:
            mats[i] = m.copy()
        else:
            mats[i] += m

    for (state, stopped), m in split.items():
        c = (state[0] and state[1], state[0] and state[3])
        if c in CATEGORIES:
            i = CATEGORIES.index(c)
            add(i, m)
            if stopped:
                add(3 + i, m)
        if stopped:
            add(6, m)
        elif np.any(m):
            if state in dens:
                dens[state] += m
            else:
                dens[state] = m
    return mats, dens


def _flag_sets(law: G.Law, rule: Rule) -> tuple:
    """Per look, the interval flags of each axis (:func:`_cuts`): all that :func:`_step` sees."""
    k_max = law.k_max
    return tuple(tuple(tuple(_cuts(rule, k, d, float(law.scale[k, d]), k == k_max - 1)[1]) for d in range(2))
                 for k in range(k_max))


_FATES: dict[tuple, int] = {}   # a state's fate (see _fate) -> a small id (few distinct: flags are booleans)


def _pattern(rule: Rule) -> Rule:
    """``rule`` with each finite bound replaced by 0: all of it that :func:`_step` reads (which
    bounds exist, the stopping rule), so that :func:`_fate` is cached across structures."""
    zero = lambda v: tuple(0.0 if math.isfinite(x) else x for x in v)  # noqa: E731
    return Rule(zero(rule.a), zero(rule.b), zero(rule.c_f), zero(rule.c_s), zero(rule.f_f), zero(rule.f_s), rule.stop_when)


@lru_cache(maxsize=4096)
def _fate(state: tuple, k: int, rule: Rule, flags: tuple) -> int:
    """Id of what becomes of a trial in ``state`` before look k, for every path: per pair of
    intervals at look k the recorded claims (H_F, H_S rejected), whether it stops and, if not,
    the fate of its next state. States with one fate contribute to the records only through
    the sum of their densities."""
    fl_f, fl_s = flags[k]
    last = k == len(flags) - 1
    out = []
    for ff in fl_f:
        for fs in fl_s:
            new, stop = _step(state, ff, fs, rule, k, last)
            out.append((new[0] and new[1], new[0] and new[3], stop, -1 if stop else _fate(new, k + 1, rule, flags)))
    return _FATES.setdefault(tuple(out), len(_FATES))


def _merge(pairs, fate) -> dict:
    """The continuing (state, density) ``pairs`` before a look with states of one fate (``fate``:
    :func:`_fate` of the look) summed under the first such state: the transition and every later
    look then run once per fate instead of once per state (exact: the recursion is linear in the
    densities). In :func:`.own.sums_many` a density is 2-D or the 1-D marginal of a state decided by
    one axis (:func:`_axis`, a property of the fate: one fate, one form)."""
    out: dict = {}
    first: dict[int, tuple] = {}
    for state, m in pairs:
        s = first.setdefault(fate(state), state)
        if s in out:
            assert out[s].ndim == m.ndim, "one fate, one form (_axis is a property of the fate)"
            out[s] += m       # in place: the densities are the recursion's own
        else:
            out[s] = m
    return out


def run(law: G.Law, lam: np.ndarray, rule: Rule, last_claims: bool = False) -> dict[str, np.ndarray]:
    """Per point (rows of ``lam`` (P, 2)) and look: claims by the look and stopping there.

    Returns arrays (P, K): ``overall``, ``subgroup``, ``either``, ``both`` (claim made by look k)
    and ``stop`` (the trial stops at look k). ``last_claims``: only the claims at the last look
    are right (:func:`sums_at`'s; the same numbers there, about half the tilting).
    """
    k_max = law.k_max
    idx = G.lattice_index(law, lam)
    key = law.key()
    if lam.shape[0] == 1:   # one point: its reference
        return finish(sums_at(law, key, lam, rule, (int(idx[0, 0]), int(idx[0, 1])), last_claims))
    sums = np.zeros((7, lam.shape[0], k_max))
    for node in unique_rows(idx)[0]:
        sel = np.flatnonzero((idx == node).all(axis=1))
        sums[:, sel] = sums_at(law, key, lam[sel], rule, (int(node[0]), int(node[1])), last_claims)
    return finish(sums)


def sums_at(law: G.Law, key: tuple, lam: np.ndarray, rule: Rule, node: tuple[int, int],
            last_claims: bool = False) -> np.ndarray:
    """(7, P, K) tilted category masses of drifts ``lam`` (P, 2) from the reference at lattice
    ``node``: every drift must lie within :data:`.grid2d.RADIUS` of it (:func:`within`).

    ``last_claims``: only the masses that :func:`finish` needs for the claims at the last look
    (the claims' masses at the last look, the stopped claims' at every look; the others 0) — the
    same numbers there, about half the work (a root search over N)."""
    grid, lam_ref, records = _reference(key, law.k_max, rule, node)
    out = np.zeros((7, lam.shape[0], law.k_max))
    for k, mats in enumerate(records):
        if last_claims:
            mats = (mats[:6] if k == law.k_max - 1 else [None] * 3 + mats[3:6]) + [None]
        e_f, e_s = G.tilt_factors(law, grid, k, lam, lam_ref)
        out[:, :, k] = G.tilted_sums(mats, e_f, e_s)
    return out


def finish(sums: np.ndarray) -> dict[str, np.ndarray]:
    """The claims by look and the stopping probabilities from the masses of :func:`sums_at`."""
    earlier = np.cumsum(sums[3:6], axis=2) - sums[3:6]           # claims of paths stopped before k
    cum = sums[:3] + earlier
    clip = lambda x: np.clip(x, 0.0, 1.0)  # noqa: E731
    return {"overall": clip(cum[0] + cum[2]), "subgroup": clip(cum[1] + cum[2]),
            "either": clip(cum.sum(axis=0)), "both": clip(cum[2]), "stop": clip(sums[6])}


SOLVE_TOL = 1e-11   # last secant step of an intersection bound's unknown (bounds within ~1e-11 z)
SECANT_STEPS = 8    # secant steps before Brent's method takes over
CUT_MARGIN = 2 * G.ORDER   # grid cells kept above a look's highest intersection bound (:func:`_bounds_grid`)


def _below(grid: G.Grid, k: int, d: int, u: float) -> np.ndarray:
    """Weights of {S_d < u} at look k (score units, ±∞ allowed): the grid's interval rule
    (:meth:`.grid2d.Grid.edge_weights`)."""
    return grid.edge_weights(k, d, [-math.inf, u])[0]


def _secant(f, lo: float, hi: float, start: float, second: float, tol: float = SOLVE_TOL) -> float | None:
    """Root of the monotone ``f`` on [lo, hi] (None when f keeps one sign there): secant steps
    from ``start`` (an end of the range) and ``second`` until a step is below ``tol`` — ~5
    evaluations per look where Brent's method on [lo, hi] (both ends, then steps to ``xtol``
    1e-12) took ~12. A step leaving the bracket found so far (or the range), or
    :data:`SECANT_STEPS` steps without convergence, hand over to Brent's method on that bracket
    (the far end evaluated first if no sign change was seen)."""
    from scipy.optimize import brentq  # noqa: PLC0415

    far = hi if start == lo else lo
    x_prev, f_prev = start, f(start)
    if f_prev == 0:
        return start
    sign, near, other = f_prev > 0, start, None     # last points on start's side / the far side
    x = second
    for _ in range(SECANT_STEPS):
        fx = f(x)
        if fx == 0:
            return x
        if (fx > 0) == sign:
            near = x
        else:
            other = x
        new = x - fx * (x - x_prev) / (fx - f_prev) if fx != f_prev else math.nan
        edge = far if other is None else other
        if not min(near, edge) < new < max(near, edge):
            break
        if abs(new - x) < tol:
            return new
        x_prev, f_prev, x = x, fx, new
    if other is None:
        f_far = f(far)
        if f_far == 0 or (f_far > 0) != sign:
            other = far
        else:
            return None
    return brentq(f, min(near, other), max(near, other), xtol=1e-12)


def intersection_bounds(law: G.Law, a: np.ndarray, b: np.ndarray, target: np.ndarray, solve_at,
                        f_f: tuple[float, ...], f_s: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Intersection bounds spending ``target`` (cumulative, per look) under H0 (zero drift).

    ``solve_at(k)`` is None (keep ``a[k]``, ``b[k]``) or ``(lo, hi, bounds, start, second)``: the
    unknown of look k in [lo, hi], ``bounds(x) -> (a_k, b_k)`` (the common inflation factor of
    both nominal levels, or the subgroup bound alone), and the two first points of its secant
    search (:func:`_secant`; ``start`` an end of the range). ``f_f``, ``f_s`` are the
    futility bounds that bind the intersection test (−∞: none). The crossing probability at
    look k is P₀(some alive component crossed), integrated on the grid as in :func:`run` above
    the bounds (not as 1 minus the mass below: relative accuracy where a look spends ~1e-12),
    plus the mass carried into the look above the grid's cut (:func:`_bounds_grid`). The states
    alike in their stopped components are summed once a look (one density without binding
    futility), so an evaluation costs a weight vector per axis and two products per group.
    """
    a, b = np.array(a, float), np.array(b, float)
    k_max = law.k_max
    zero = np.zeros(2)
    grid = _bounds_grid(law, a, b, f_f, f_s)
    dens = {(0, 0, 0, 0, 0): G.first_density(law, grid, zero)}
    spent = carried = 0.0
    for k in range(k_max):
        sc = law.scale[k]
        groups: dict = {}
        for state, h in dens.items():
            key = (state[2], state[4])
            groups[key] = groups[key] + h if key in groups else h
        all_f, all_s = _below(grid, k, 0, math.inf), _below(grid, k, 1, math.inf)
        on_grid = sum(float(all_f @ h @ all_s) for h in groups.values())
        lost = 0.0 if k == 0 else carried - on_grid    # above the cut (crossed) or off the grid

        def crossed(ak, bk, k=k, sc=sc, groups=groups, lost=lost, all_f=all_f, all_s=all_s):
            """The mass crossing by look k, summed above the bounds (no difference of ~1 numbers:
            relative accuracy where a look spends ~1e-12)."""
            w_f = all_f if ak == math.inf else _below(grid, k, 0, ak * sc[0])
            w_s = all_s if bk == math.inf else _below(grid, k, 1, bk * sc[1])
            out = lost
            for (d_f, d_s), h in groups.items():
                f_below = all_f if d_f else w_f
                out += float((all_f - f_below) @ h @ all_s) + float(f_below @ h @ (all_s - (all_s if d_s else w_s)))
            return out

        if k == 0 and target[0] < TINY_SPEND:   # the grid's edge and FLOOR would lose a share of it
            crossed = partial(_first_look_crossing, float(law.cum[0, 0, 1] / math.sqrt(law.cum[0, 0, 0] * law.cum[0, 1, 1])))
        unknown = solve_at(k)
        if unknown is not None:
            lo, hi, bounds, start, second = unknown
            root = _secant(lambda x, bounds=bounds, base=spent - target[k], crossed=crossed: base + crossed(*bounds(x)),
                           lo, hi, start, second)
            if root is not None:
                a[k], b[k] = bounds(root)
        spent += crossed(a[k], b[k])
        if k == k_max - 1:
            break
        keep = _survivors(dens, law, grid, a, b, f_f, f_s, k)
        carried = sum(float(m.sum()) for m in keep.values())     # the mass carried on (all below any cut)
        dens = dict(zip(keep, G.transition(list(keep.values()), law, grid, k, zero, kernel_width=G.WIDTH)))
    return a, b


def _survivors(dens: dict, law: G.Law, grid: G.Grid, a: np.ndarray, b: np.ndarray, f_f: tuple, f_s: tuple,
               k: int) -> dict:
    """The masses at look k that the intersection test has not rejected, per next state. Without
    futility stops there is one state and its mass is the density times the weights below both
    bounds (what :func:`_look` gives, up to round-off, at a fraction of its cost)."""
    if not any(math.isfinite(x) for x in f_f + f_s):
        w = np.outer(_below(grid, k, 0, a[k] * law.scale[k, 0]), _below(grid, k, 1, b[k] * law.scale[k, 1]))
        masses = {state: h * w for state, h in dens.items()}
        return {state: m for state, m in masses.items() if np.any(m)}
    inf = (math.inf,) * law.k_max
    split = _look(dens, law, grid, Rule(tuple(a), tuple(b), inf, inf, tuple(f_f), tuple(f_s), "both"), k)
    keep: dict = {}
    for (state, _), m in split.items():
        if not state[0] and np.any(m):
            keep[state] = keep[state] + m if state in keep else m
    return keep


TINY_SPEND = 1e-8   # a first look spending less is solved from the bivariate normal itself


_GL = np.polynomial.legendre.leggauss(96)   # nodes and weights of :func:`_first_look_crossing`'s quadrature


def _first_look_crossing(rho: float, a: float, b: float) -> float:
    """P₀(Z_F,1 ≥ a or Z_S,1 ≥ b) = Φ(−b) + ∫_a^∞ φ(u) Φ((b − ρu)/√(1 − ρ²)) du (∞: no bound), the
    integral by 96-point Gauss–Legendre on [a, a + 10] — every term positive, so relatively
    accurate where the first look spends very little (O'Brien–Fleming at t = 0.1: ~1e-12,
    z ≈ 7.09). On the 2-D grid, 7.5 SD wide with densities below FLOOR × max set to 0, a share of
    that mass was lost beyond the grid's edge (the bound 3.5e-3 low in z;
    tests/test_groupseq_early_bound.py)."""
    if a == math.inf:
        return float(ndtr(-b))
    if b == math.inf:
        return float(ndtr(-a))
    t, w = _GL
    u = a + 5.0 * (t + 1.0)
    f = np.exp(-0.5 * u * u) / math.sqrt(2 * math.pi) * ndtr((b - rho * u) / math.sqrt(1 - rho * rho))
    return float(ndtr(-b) + 5.0 * (w @ f))


def _bounds_grid(law: G.Law, a: np.ndarray, b: np.ndarray, f_f: tuple, f_s: tuple) -> G.Grid:
    """The H0 grid of :func:`intersection_bounds` (:data:`NU_BOUNDS` points per SD), cut at looks
    after the first :data:`CUT_MARGIN` cells above the look's highest possible intersection bound
    (``a[k]``, ``b[k]``: a solve only lowers them) on an axis without futility stops (a state
    stopped on it would need the axis whole). The mass above a bound crosses it and leaves the
    recursion, so nothing above is needed: the crossing probability is the mass carried into the
    look minus the mass below, and below the cut the rule's weights are the same (its stencils
    stay inside the grid). ~Half the cells of a 3-look plan's later looks, and shorter FFTs."""
    grid = G.make_grid(law, np.zeros(2), radius=0.0, nu=NU_BOUNDS)
    n = grid.n.copy()
    for d, (top, fut) in enumerate(((a, f_f), (b, f_s))):
        if any(math.isfinite(x) for x in fut):
            continue
        for k in range(1, law.k_max):
            if math.isfinite(top[k]):
                cells = math.floor((top[k] * law.scale[k, d] - grid.x0[k, d]) / grid.h[d]) + 1 + CUT_MARGIN
                n[k, d] = min(n[k, d], max(cells, CUT_MARGIN))
    return G.Grid(grid.x0, n, grid.h, grid.order)


FAR = 8.5   # SDs beyond every bound of a look: the statistic's side is certain (Φ(−8.5) ≈ 1e-17)


def certain(z: np.ndarray, rule: Rule) -> dict[str, np.ndarray] | None:
    """Claims by look and the stopping look when every look's pair of statistics is certain to lie
    beyond all its bounds (``z`` (K, 2): means in SDs of each Z; :data:`FAR`), else None.

    Far drifts (a root search's outer brackets) then cost no grid recursion; the error is below
    4K·Φ(−FAR) ≈ 1e-16.
    """
    k_max = z.shape[0]
    state, out = (0, 0, 0, 0, 0), np.zeros((5, k_max))
    for k in range(k_max):
        last = k == k_max - 1
        flags = []
        for d, (inter, elem, fut) in enumerate(((rule.a, rule.c_f, rule.f_f), (rule.b, rule.c_s, rule.f_s))):
            cuts = [x for x in (inter[k], elem[k], -math.inf if last else fut[k]) if math.isfinite(x)]
            if cuts and z[k, d] - max(cuts) >= FAR:
                flags.append((math.isfinite(inter[k]), math.isfinite(elem[k]), False))
            elif not cuts or min(cuts) - z[k, d] >= FAR:
                flags.append((False, False, bool(cuts) and not last and math.isfinite(fut[k])))
            else:
                return None
        state, stop = _step(state, flags[0], flags[1], rule, k, last)
        f, s = state[0] and state[1], state[0] and state[3]
        out[:, k] = (f, s, f or s, f and s, 0)
        if stop:
            out[:4, k + 1:] = out[:4, k:k + 1]
            out[4, k] = 1.0
            break
    return dict(zip(("overall", "subgroup", "either", "both", "stop"), out))
