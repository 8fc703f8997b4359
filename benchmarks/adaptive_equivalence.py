"""Bit-for-bit check of the adaptive enrichment simulator across a refactoring.

Run: ``python benchmarks/adaptive_equivalence.py record FILE [--reduced]`` at the commit before a
change, then ``python benchmarks/adaptive_equivalence.py compare FILE [--reduced]`` after it: every
configuration's ``AdaptiveResult.to_dict()`` must be identical (floats compared through their
``repr``, which round-trips exactly).

Configurations (full set): two-subset (``SimModel``) — 3 endpoints × 5 selection rules (best,
epsilon, all, threshold, and best on z statistics) × 4 intersection tests × inverse normal / Fisher
× 9 variants (plain; sample-size recalculation with the observed and with the planning effect;
rpact-compatible with the head-count correlation; non-binding futility; unstratified; success "all";
a global null; an assay with P(test+) ≠ prevalence and survival patients per event) = 1,080;
several populations (``KModel``) — 3 endpoints × 5 rules (best, rbest, epsilon, all, threshold) ×
{G = 2 with 4 intersection tests, G = 3 overlapping and G = 3 nested with 3, G = 4 with 3} ×
inverse normal / Fisher × 5 variants (plain, rpact-compatible, futility, unstratified + z
statistic, success "all") = 1,950. Three stages, ``--trials`` (6,000) simulated trials, one thread.
``--reduced`` takes every ``--every``-th configuration (tests/test_adaptive_one_loop.py).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout too

from planner.adaptive import SimModel, simulate_model  # noqa: E402
from planner.adaptive.kmodel import KModel, rpact_cells  # noqa: E402
from planner.adaptive.model import log_hr_benefit  # noqa: E402
from planner.adaptive.recalculation import Recalculation  # noqa: E402

PLANNED = {"continuous": (120.0, 240.0, 360.0), "binary": (200.0, 400.0, 600.0),
           "survival": (90.0, 180.0, 270.0)}
INFO = (1 / 3, 2 / 3, 1.0)
TWO_EFFECTS = {
    "continuous": dict(theta=(0.45, 0.1), variance=(4.0, 4.0)),
    "binary": dict(rate_treatment=(0.5, 0.36), rate_control=(0.3, 0.3)),
    "survival": dict(theta=log_hr_benefit((0.6, 0.9)), event_weight=(1.2, 1.5)),
}
TWO_NULL = {
    "continuous": dict(theta=(0.0, 0.0), variance=(4.0, 4.0)),
    "binary": dict(rate_treatment=(0.3, 0.3), rate_control=(0.3, 0.3)),
    "survival": dict(theta=(0.0, 0.0), event_weight=(1.2, 1.5)),
}
THRESHOLD = {"continuous": 0.1, "binary": 0.05, "survival": 1.0}
EPSILON = {"continuous": 0.1, "binary": 0.05, "survival": 0.1}
TESTS = ("simes", "bonferroni", "sidak", "spiessens_debois")
COMBINATIONS = ("inverse_normal", "fisher")


def _recalc(endpoint: str, effect: str) -> Recalculation:
    p = PLANNED[endpoint]
    return Recalculation(0.8, (p[0], p[0] / 2, p[0] / 2), (p[0], 2 * p[0], 2 * p[0]), effect)


def two_subset_configs() -> list[tuple[str, type, dict]]:
    out = []
    rules = (("best", "effect_estimate"), ("epsilon", "effect_estimate"), ("all", "effect_estimate"),
             ("threshold", "effect_estimate"), ("best", "test_statistic"))
    variants = ("plain", "recalc_observed", "recalc_planning", "rpact", "futility", "unstratified",
                "success_all", "null", "assay")
    for ep in ("continuous", "binary", "survival"):
        for rule, measure in rules:
            for test in TESTS:
                for comb in COMBINATIONS:
                    for var in variants:
                        kw = dict(endpoint=ep, prevalence=0.4, planned=PLANNED[ep], information_rates=INFO,
                                  intersection_test=test, selection_rule=rule, effect_measure=measure,
                                  epsilon=EPSILON[ep], threshold=THRESHOLD[ep], combination=comb,
                                  **(TWO_NULL if var == "null" else TWO_EFFECTS)[ep])
                        if ep == "survival":
                            kw["patients_per_event"] = (1 / 1.2, 1 / 1.5)
                        if var.startswith("recalc"):
                            kw["recalculation"] = _recalc(ep, var.split("_")[1])
                        elif var == "rpact":
                            kw.update(rpact_compat=True, correlation="rpact_head_count")
                        elif var == "futility":
                            kw["futility_bounds"] = (0.0, 0.3) if comb == "inverse_normal" else (0.2, 0.4)
                        elif var == "unstratified":
                            kw["stratified"] = False
                        elif var == "success_all":
                            kw["success_criterion"] = "all"
                        elif var == "assay":
                            kw["p_test_positive"] = 0.45
                        out.append((f"two/{ep}/{rule}-{measure[:4]}/{test}/{comb}/{var}", SimModel, kw))
    return out


def _cells(layout: str):
    """Cell prevalences, membership and names of a K layout."""
    if layout == "g2":
        cells, member, names = rpact_cells(2)
        return (0.4, 0.6), member, names
    if layout == "g3":
        cells, member, names = rpact_cells(3)
        return (0.2, 0.15, 0.25, 0.4), member, names
    if layout == "g3nested":  # S1 = {A} ⊂ S2 = {A, B}
        return (0.3, 0.3, 0.4), ((True,) * 3, (True, False, False), (True, True, False)), ("F", "S1", "S2")
    cells, member, names = rpact_cells(4)
    return (0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.3), member, names


def _k_effects(ep: str, c: int) -> dict:
    base = (0.5, 0.3, 0.4, 0.2, 0.35, 0.25, 0.45, 0.05)[:c - 1] + (0.05,)
    if ep == "continuous":
        return dict(theta=base, variance=(4.0,) * c)
    if ep == "binary":
        return dict(rate_treatment=tuple(0.3 + b / 2.5 for b in base), rate_control=(0.3,) * c)
    return dict(theta=base, event_weight=tuple(1.0 + 0.1 * i for i in range(c)),
                patients_per_event=tuple(1 / (1.0 + 0.1 * i) for i in range(c)))


def k_configs() -> list[tuple[str, type, dict]]:
    out = []
    variants = ("plain", "rpact", "futility", "unstrat_z", "success_all")
    for ep in ("continuous", "binary", "survival"):
        for rule in ("best", "rbest", "epsilon", "all", "threshold"):
            for layout in ("g2", "g3", "g3nested", "g4"):
                tests = TESTS if layout == "g2" else TESTS[:3]
                prev, member, names = _cells(layout)
                for test in tests:
                    for comb in COMBINATIONS:
                        for var in variants:
                            kw = dict(endpoint=ep, names=names, membership=member, prevalences=prev,
                                      planned=PLANNED[ep], information_rates=INFO, intersection_test=test,
                                      selection_rule=rule, r=2, epsilon=EPSILON[ep], threshold=THRESHOLD[ep],
                                      combination=comb, **_k_effects(ep, len(prev)))
                            if var == "rpact":
                                kw.update(rpact_compat=True, correlation="rpact_head_count")
                            elif var == "futility":
                                kw["futility_bounds"] = (0.0, 0.3) if comb == "inverse_normal" else (0.2, 0.4)
                            elif var == "unstrat_z":
                                kw.update(stratified=False, effect_measure="test_statistic")
                            elif var == "success_all":
                                kw["success_criterion"] = "all"
                            out.append((f"k/{ep}/{rule}/{layout}/{test}/{comb}/{var}", KModel, kw))
    return out


def configs(reduced: bool = False, every: int = 23) -> list[tuple[str, object]]:
    """(name, model) of every configuration, or of every ``every``-th one (models built lazily:
    their critical values take time)."""
    allc = two_subset_configs() + k_configs()
    return [(name, cls(**kw)) for name, cls, kw in (allc[::every] if reduced else allc)]


def canonical(result, numbers_only: bool = False) -> str:
    """The result's ``to_dict()`` as canonical JSON (``numbers_only``: without the texts)."""
    d = result.to_dict()
    if numbers_only:
        for key in ("method", "notes", "label"):
            d.pop(key, None)
    return json.dumps(d, sort_keys=True, allow_nan=True)


def run_all(cfgs, trials: int, seed: int = 20261201, numbers_only: bool = False) -> dict[str, str]:
    return {name: canonical(simulate_model(m, trials, seed, workers=1, chunk_size=8192), numbers_only)
            for name, m in cfgs}


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=("record", "compare"))
    ap.add_argument("file")
    ap.add_argument("--reduced", action="store_true")
    ap.add_argument("--every", type=int, default=23)
    ap.add_argument("--trials", type=int, default=6000)
    args = ap.parse_args(argv)
    cfgs = configs(args.reduced, args.every)
    t0 = time.process_time()
    got = run_all(cfgs, args.trials)
    cpu = time.process_time() - t0
    if args.mode == "record":
        Path(args.file).write_text(json.dumps(got, indent=0, sort_keys=True))
        print(f"recorded {len(got)} configurations ({cpu:.1f} s CPU)")
        return 0
    ref = json.loads(Path(args.file).read_text())
    bad = [name for name in ref if got.get(name) != ref[name]]
    missing = set(got) ^ set(ref)
    two = sum(1 for n in ref if n.startswith("two/"))
    print(f"compared {len(ref)} configurations ({two} two-subset, {len(ref) - two} several populations; "
          f"{cpu:.1f} s CPU): {len(ref) - len(bad)} identical, {len(bad)} differ, {len(missing)} unmatched")
    for name in bad[:20]:
        a, b = json.loads(ref[name]), json.loads(got[name])
        keys = [k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
        print(f"  {name}: {', '.join(keys[:8])}")
    return 1 if bad or missing else 0


if __name__ == "__main__":
    sys.exit(main())
