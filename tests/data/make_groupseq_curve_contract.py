"""Reference values for tests/test_groupseq_curve_contract.py: the stratified design's curves computed
point by point ("direct": a one-point model per N or prevalence, no interpolation along the curve).

Run from the repository root: ``PYTHONPATH=. python tests/data/make_groupseq_curve_contract.py``
(a few minutes: every prevalence's N is its own root search). Cases: PAOLA-1 with interims
(survival, heterogeneous strata: the look-wise law) and CHANCE (binary, the plan's √t law), each
with a two-look (0.5, 1) and a three-look (0.33, 0.67, 1) O'Brien–Fleming plan with non-binding
futility at z = 0, the stratified design with default options (parametric closed test).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from planner import curves  # noqa: E402
from planner.compute import compute_design  # noqa: E402
from planner.designs.build import build_model  # noqa: E402
from planner.groupseq.plan import InterimPlan  # noqa: E402
from planner.params import params_from_scenario  # noqa: E402
from planner.scenario_io import scenario_from_dict  # noqa: E402
from planner.solve import solve_n  # noqa: E402

OUT = Path(__file__).with_name("groupseq_curve_contract.json")
FILES = {"paola1_survival": "hrd_ovarian_paola1_interim.json", "chance_binary": "cyp2c19_chance.json"}
PLANS = {"2 looks": InterimPlan((0.5, 1.0), "obrien_fleming", None, (0.0,), False),
         "3 looks": InterimPlan((0.33, 0.67, 1.0), "obrien_fleming", None, (0.0, 0.0), False)}
POINTS = 200
CLAIMS = ("overall", "subgroup", "either", "both")


def scenario(file: str, plan: InterimPlan):
    d = json.loads((ROOT / "resources" / "scenarios" / file).read_text())
    d["designs"]["stratified"] = {}
    d["interim"] = plan.to_dict()
    return scenario_from_dict(d)


def grids(s) -> tuple[float, np.ndarray, np.ndarray]:
    """(the design's N, N grid, prevalence grid) of a case."""
    n_d = float(compute_design(s, "stratified", s.resolved_options("stratified", None)).n_randomized)
    return n_d, np.geomspace(0.1, 2.5, POINTS) * n_d, np.linspace(0.1, 0.9, POINTS)


def direct(s) -> dict:
    n_d, n_grid, g_grid = grids(s)
    opts = curves._opts(s, "stratified")
    one = build_model("stratified", params_from_scenario(s), opts)
    vs_n = [one.claims(np.array([n]), np.array([0])) for n in n_grid]
    at_g = [build_model("stratified", params_from_scenario(s, prevalence=float(g)), opts) for g in g_grid]
    vs_g = [m.claims(np.array([n_d]), np.array([0])) for m in at_g]
    n_g = [float(np.ravel(solve_n(m, s.testing.power, s.testing.allocation_ratio))[0]) for m in at_g]
    pick = lambda rows: {c: [float(np.ravel(r[c])[0]) for r in rows] for c in CLAIMS}  # noqa: E731
    return {"n_design": n_d, "claims_vs_n": pick(vs_n), "claims_vs_prevalence": pick(vs_g), "n_vs_prevalence": n_g}


def main() -> None:
    out = {"note": __doc__.strip(), "points": POINTS, "cases": {}}
    for name, file in FILES.items():
        for tag, plan in PLANS.items():
            print(name, tag, flush=True)
            out["cases"][f"{name}, {tag}"] = {"file": file, "plan": plan.to_dict(), **direct(scenario(file, plan))}
    OUT.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
