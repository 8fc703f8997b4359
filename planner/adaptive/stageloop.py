"""The one stage loop of the adaptive enrichment simulation, vectorized over simulated trials.

Both forms run it: the two-subset form (version 1 files: S and F, :class:`.simulate.TwoSubsetRules`)
and the cells form (F and 1 to 3 populations, :class:`.kpop.KRules`). What the loop does is the
same for both (rpact 3.3.4 ``getSimulationEnrichment*``); what differs is a small *rules* object
(:class:`Rules`) with four hooks:

* ``sizes(k, sel, active)`` — the stage's sizes per cell (rows × trials) and the form's own
  bookkeeping of the stage (two-subset: the path histogram, the configuration counts and the
  per-trial sizes of a recalculation; cells form: the exact per-trial size sums);
* ``combine(z, sel, rho)`` — from the stage-wise z of the populations (F first), the z of every
  intersection hypothesis H_J in :func:`intersections` order and where it is tested (two-subset:
  the single selected population's z directly, the intersection from the z before rpact's p-value
  round trip; cells form: every H_J through :func:`.closed_testing.intersection_p`);
* ``interim(k, sel)`` — the selection for the next stage (two-subset rules with random tie keys,
  and sample-size recalculation; rpact's K rules with jitter);
* ``finish(counts)`` — the form's counts object from the common :class:`KCounts`.

One simulated trial (K stages, cumulative sizes N_1 < … < N_K, subjects or events):

1. Stage 1 enrols everyone; later stages give the increment (or the recalculated size) to the
   cells of the selected populations (``rules.sizes``).
2. Stage-wise Z of every population from that stage's data (:mod:`.kstages`).
3. Closed test of the intersection hypotheses: each H_J is combined over the stages at which it
   was tested (inverse normal Σ w z / √t_k ≥ c_k, or Fisher Σ w ln p ≤ ln c_k) and population g is
   rejected at stage k when every H_J with g ∈ J is rejected by stage k and g is selected at k
   (Marcus, Peritz & Gabriel 1976; Bretz et al. 2006). rpact-compatible mode: the last stage's
   closed test stops when the global intersection fails.
4. Success ``at_least_one``: a population rejected; ``all``: every selected population rejected.
   Non-binding futility bounds b_k (rpact's rule, :func:`.closed_testing.futile`), or no population
   selected for the next stage: stop.
5. Interim selection (``rules.interim``).

Every output is an integer count (or an exact sum), so chunks add exactly.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from scipy.special import log_ndtr

from .closed_testing import RPACT_Z_CLIP, closed_rejections
from .closed_testing import futile as futile_rule
from .kstages import sd_correlation

RPACT_FUTILITY = -6.0  # rpact's "no futility bound"


def intersections(g: int) -> list[tuple[int, ...]]:
    """Every non-empty subset of the G hypotheses, the global intersection first."""
    out = []
    for size in range(g, 0, -1):
        out.extend(itertools.combinations(range(g), size))
    return out


def futility_bounds(model) -> list[float | None]:
    """Futility bounds on the z scale: inverse normal of the combination statistics, Fisher of
    the stage-wise p-values (rpact's α₀ = 1 − Φ(b); with ``rpact_compat`` α₀ = 1: p = 1)."""
    k = model.stages
    if model.futility_bounds:
        return list(model.futility_bounds) + [None]
    if model.rpact_compat:
        low = -RPACT_Z_CLIP + 1e-6 if model.combination == "fisher" else RPACT_FUTILITY
        return [low] * (k - 1) + [None]
    return [None] * k


def reject(model, k: int, comb: np.ndarray, log_crit) -> tuple[np.ndarray, np.ndarray]:
    """Combination statistics of stage k and where they reach c_k (inverse normal: Σ w z / √t_k ≥ c_k;
    Fisher: Σ w ln p ≤ ln c_k)."""
    if model.combination == "fisher":
        return comb, comb <= log_crit[k]
    stat = comb / math.sqrt(model.information_rates[k])
    return stat, stat >= model.critical[k]


def term(model, z: np.ndarray) -> np.ndarray:
    """A stage's contribution before its weight: z (inverse normal) or ln p = ln Φ(−z) (Fisher)."""
    return log_ndtr(-z) if model.combination == "fisher" else z


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


class Rules(Protocol):
    """What differs between the forms (see the module docstring)."""

    hypotheses: int
    data: object

    def sizes(self, k: int, sel: np.ndarray, active: np.ndarray) -> np.ndarray: ...

    def combine(self, z, sel: np.ndarray, rho) -> tuple[np.ndarray, np.ndarray]: ...

    def interim(self, k: int, sel: np.ndarray) -> np.ndarray: ...

    def finish(self, counts: KCounts): ...


def blocks_of(seeds: list[np.random.SeedSequence], sizes: list[int]):
    """The trials' (generator, slice) blocks of a chunk."""
    starts = np.concatenate([[0], np.cumsum(sizes)])
    return [(np.random.Generator(np.random.PCG64(ss)), slice(int(a), int(b)))
            for ss, a, b in zip(seeds, starts[:-1], starts[1:])]


def run_stages(model, make_rules, seeds: list[np.random.SeedSequence], sizes: list[int]):
    """Simulate the blocks ``seeds`` (``sizes`` trials each) with the rules
    ``make_rules(model, n, blocks)`` and return ``rules.finish(counts)``."""
    n = int(sum(sizes))
    blocks = blocks_of(seeds, sizes)
    rules = make_rules(model, n, blocks)
    k_max, g = model.stages, rules.hypotheses
    out = KCounts(k_max, g, n)
    A = out.arrays
    data = rules.data
    weights = model.combination_weights
    with np.errstate(divide="ignore"):
        log_crit = np.log(np.asarray(model.critical, dtype=float))
    fisher, compat = model.combination == "fisher", model.rpact_compat
    fut = futility_bounds(model)
    inter = intersections(g)
    contains = np.array([[j in J for J in inter] for j in range(g)])  # g × |J|

    sel = np.ones((g, n), dtype=bool)
    active = np.ones(n, dtype=bool)
    comb = np.zeros((len(inter), n))
    rej_int = np.zeros((len(inter), n), dtype=bool)
    rej = np.zeros((g, n), dtype=bool)
    success_any = np.zeros(n, dtype=bool)

    for k in range(k_max):
        stage_sizes = rules.sizes(k, sel, active)
        A["reached"][k] = np.count_nonzero(active)
        A["selected"][:, k] = np.count_nonzero(sel & active, axis=1)
        z = data.stage(blocks, n, stage_sizes)
        z_j, tested = rules.combine(z, sel, sd_correlation(model, data))
        comb += np.where(tested, weights[k] * term(model, np.where(tested, z_j, 0.0)), 0.0)
        stat, reached = reject(model, k, comb, log_crit)
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
        sel = rules.interim(k, sel)
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
    return rules.finish(out)


__all__ = ["KCounts", "RPACT_FUTILITY", "Rules", "blocks_of", "futility_bounds", "intersections",
           "reject", "run_stages", "term"]
