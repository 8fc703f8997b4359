"""Claims of the biomarker-stratified design along a curve of structures (:mod:`.stratified`'s
grouped path, :func:`.stratified._grid_claims`): which way of :mod:`.curve` interpolates the curve
from nodes, or None (then one recursion per structure and lattice cell: the direct path).

Ways, in order (:func:`along_curve`): along the curve with the means (each node a recursion at its
own drift, :func:`.own.run_own_many`), with adaptive pieces where the first nodes do not pass
(wave 7, :func:`.curve.nested`'s ``budget``), with a control, drift-exact
(:func:`.curve.interpolate`); where the drift-exact way would cost more than the direct path,
adaptive pieces with the direct path's recursions as nodes. Measured in docs/group-sequential.md
("Speed of the curves", "Wave 7, adaptive pieces", "Wave 7, power over N").
"""

from __future__ import annotations

import numpy as np

from . import curve as C
from . import own as O
from . import procedure as P
from . import stratified as S

ALONG_TOL = 1e-4   # error estimate accepted when the means are interpolated along the curve too
RHO_ALONG = 0.95   # adaptive pieces only where corr(Z_F,K, Z_S,K) ≤ this (the validated range, docs)


def along_curve(feats, first, inverse, mean, laws, rules, want, spread: int, cells: int, rho: np.ndarray) -> tuple:
    """(claims of the points, None: none; the structures left to compute directly) of a curve of
    structures. If 13 × ``spread`` (lattice cells of all drifts) < ``cells`` (the direct path's
    recursions): along the curve with the means — with adaptive pieces when every ``rho`` ≤
    :data:`RHO_ALONG` (:func:`.curve.nested`'s budget: 13 × ``spread`` own recursions, counted
    after a split; a curve that passes whole keeps its nodes and values) —, with the control (its nodes cached by the first
    try: it costs its ``spread`` tilted references), drift-exact. The adaptive pieces come before
    the control since wave 7's "power over N" (docs): the control paid only on power curves over N
    under the look-wise law, whose pieces pass within fewer recursions (43 own instead of 24 + 7
    references, ~3 own each). Else, with one set of means per structure
    (CHANCE's binary B− curve): along the run of structures with ``rho`` ≤ :data:`RHO_ALONG` (those
    beyond, at the curve's ends, directly: their recursions are not smooth in the curve, 2.5e-4 at
    ρ = 0.973) with adaptive pieces within half its structures, each node a recursion at its own
    drift (batched; wave 8 — the direct path's tilted reference before: CHANCE's and HER2's power
    over the B− effect 3 references + 13 own recursions instead of 16 references, within 6e-7 of
    the direct computation as before; a failed try costs its own recursions)."""
    budget, none = (C.LEVELS[0] + 1) * spread, (None, range(first.size))
    if budget >= cells:
        fine = np.flatnonzero(rho <= RHO_ALONG)
        if fine.size < C.MIN_GROUPS or fine[-1] - fine[0] + 1 != fine.size:
            return none
        a, b = int(fine[0]), int(fine[-1]) + 1
        sub = np.arange(b - a)
        res = _along(feats[a:b], sub, sub, mean[first[a:b]], laws[a:b], S._Rules(rules.bounds[a:b], rules.stop_when),
                     want, budget=(b - a) // 2)
        if res is None:
            return none
        part = (inverse >= a) & (inverse < b)
        out = {n: np.full((inverse.size,) + v.shape[1:], np.nan) for n, v in res.items()}
        for n, v in res.items():
            out[n][part] = v[inverse[part] - a]
        return out, [*range(a), *range(b, first.size)]
    pieces = (rho <= RHO_ALONG).all()
    res = _along(feats, first, inverse, mean, laws, rules, want, budget=budget if pieces else None)
    if res is None and spread + C.LEVELS[0] + 1 < budget:
        res = _along(feats, first, inverse, mean, laws, rules, want, control=True)
    if res is None:
        res = C.interpolate(feats, inverse, lambda g: S._pick(P.run(laws[g], S._drift(laws[g], mean), rules[g]), want))
    return res, []


def _along(feats, first, inverse, mean, laws, rules, want, control: bool = False, budget: int | None = None,
           run=O.run_own) -> dict | None:
    """Claims when every structure has one mean (a curve over prevalence or the B− effect at one
    size): interpolated along the curve with the means (:func:`.curve.interpolate_along`; pieces
    split adaptively up to ``budget`` nodes), each node from ``run`` (a recursion at its own drift).

    ``control``: interpolate instead the difference between each structure's claims and the
    claims of the first structure's bounds and law at the same means (all means tilted from that
    one law: as many recursions as lattice cells they span) — a power curve over N under the
    look-wise law, whose bounds move with N, has a smooth small difference where its powers
    saturate (13–25 own recursions + the control's cells instead of 8 cells at each of 13–25
    nodes); on the probability scale."""
    if not np.allclose(mean, mean[first][inverse], rtol=0.0, atol=0.0):
        return None
    drift = lambda g: S._drift(laws[g], mean[first[g]][None])  # noqa: E731
    own = lambda g: {n: v[0] for n, v in S._pick(run(laws[g], drift(g), rules[g]), want).items()}  # noqa: E731
    many = None
    if run is O.run_own:   # a round's nodes batched (:func:`.own.run_own_many`)
        def many(idx, hint=None):
            gs = [int(g) for g in idx]
            res = O.run_own_many([laws[g] for g in gs], np.concatenate([drift(g) for g in gs]), [rules[g] for g in gs])
            return [{n: v[0] for n, v in S._pick(r, want).items()} for r in res]
    feats = np.concatenate([feats, mean[first]], axis=1)
    if not control:
        res = C.interpolate_along(feats, own, ALONG_TOL, budget, many=many)
        return None if res is None else {n: v[inverse] for n, v in res.items()}
    ctl = S._pick(P.run(laws[0], S._drift(laws[0], mean[first]), rules[0]), want)
    diff = lambda g: {n: v - ctl[n][g] for n, v in own(g).items()}  # noqa: E731
    diff_many = None if many is None else (lambda idx, hint: [{n: v - ctl[n][g] for n, v in r.items()} for g, r in zip(idx, many(idx))])  # noqa: E731
    res = C.nested(feats, diff, lambda *a: C._on_scale(*a, probit=False), ALONG_TOL, many=diff_many, staged=False)
    return None if res is None else {n: (v + ctl[n])[inverse] for n, v in res.items()}
