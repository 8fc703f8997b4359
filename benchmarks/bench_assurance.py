"""Time assurance: 100,000 prior draws through all five fixed designs (target: well under 1 s).

    python benchmarks/bench_assurance.py [--draws 100000] [--repeats 7]

For each endpoint, one run = draw every uncertain input (prevalence, B+ and B− effects, assay
sensitivity and specificity) and evaluate the assurance, power quantiles and P(power > 0.8) of
all five designs at their planned sizes (``assurance_for_comparison(..., with_size=False)``);
the planned sizes themselves (``compare_designs``) are computed once, outside the timing.
Prints the median time over the repeats, and the time of one "size for assurance" search.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout too

from planner.assurance import assurance_for_comparison, size_for_assurance  # noqa: E402
from planner.compute import compare_designs  # noqa: E402
from planner.scenario_io import scenario_from_dict  # noqa: E402

DESIGNS = {
    "all_comers": {},
    "targeted": {},
    "stratified": {"multiplicity": "spiessens_debois", "size_for": "subgroup"},
    "strategy": {"control_arm": "standard"},
    "interaction": {},
}
SUBGROUPS = {
    "continuous": ({"mean_difference": 0.5, "sd": 1.0}, {"mean_difference": 0.1, "sd": 1.0}),
    "binary": ({"control_rate": 0.3, "treatment_rate": 0.5}, {"control_rate": 0.3, "treatment_rate": 0.35}),
    "survival": ({"control_median": 12.0, "hazard_ratio": 0.6}, {"control_median": 12.0, "hazard_ratio": 0.9}),
}
EFFECTS = {
    "continuous": ({"estimate": 0.5, "se": 0.15}, {"estimate": 0.1, "se": 0.15}),
    "binary": ({"estimate": 0.2, "lower": 0.08, "upper": 0.32}, {"estimate": 0.05, "se": 0.06}),
    "survival": ({"estimate": 0.6, "lower": 0.45, "upper": 0.8}, {"estimate": 0.9, "se": 0.15}),
}


def scenario(endpoint: str, method: str | None, draws: int):
    pos, neg = SUBGROUPS[endpoint]
    pos_u, neg_u = EFFECTS[endpoint]
    d = {
        "format": "enrichment-planner-scenario",
        "version": 1,
        "endpoint": endpoint,
        "population": {"prevalence": 0.4, "assay_sensitivity": 0.95, "assay_specificity": 0.9},
        "positive": pos,
        "negative": neg,
        "testing": {"alpha": 0.025, "sides": 1, "power": 0.8, **({"method": method} if method else {})},
        "designs": DESIGNS,
        "uncertainty": {
            "draws": draws,
            "seed": 1,
            "prevalence": {"x": 40, "n": 100},
            "positive_effect": pos_u,
            "negative_effect": neg_u,
            "assay_sensitivity": {"x": 95, "n": 100},
            "assay_specificity": {"x": 180, "n": 200},
        },
    }
    if endpoint == "survival":
        d["survival"] = {"accrual_time": 24, "follow_up_time": 12, "dropout_rate": 0.05, "dropout_time": 12}
    return scenario_from_dict(d)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=100_000)
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    print(f"assurance of all five fixed designs, {args.draws:,} draws, median of {args.repeats}")
    for endpoint, method in (("continuous", "t"), ("continuous", "z"), ("binary", None), ("survival", None)):
        s = scenario(endpoint, method, args.draws)
        comp = compare_designs(s)
        times = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            res = assurance_for_comparison(s, comp, with_size=False)
            times.append(time.perf_counter() - t0)
        label = endpoint + (f" ({method}-test)" if method else "")
        a = ", ".join(f"{k} {r.assurance:.3f}" for k, r in res.items())
        print(f"  {label:<20} {statistics.median(times):.3f} s   [{a}]")
        t0 = time.perf_counter()
        sfa = size_for_assurance(s, "stratified", target=0.7)
        print(f"  {'':<20} size for assurance 0.7 (stratified, {args.draws:,} draws): "
              f"{time.perf_counter() - t0:.3f} s, N = {sfa.n_randomized}")


if __name__ == "__main__":
    main()
