"""Reference values for tests/test_groupseq_curve_nodes.py: the four 200-point curves of the
stratified design for every two-subgroup example (the curves of ``benchmarks/bench_speed.py
--examples``), computed without interpolation along the curve — the claims by the direct path (one
2-D grid recursion per structure and lattice cell of its points' drifts: ``curve.MIN_GROUPS`` set
beyond the curve's size; same bounds, same model), each prevalence's N alone (a one-point model: its
own root search, as tests/data/make_groupseq_curve_contract.py).

Run from the repository root: ``PYTHONPATH=. python tests/data/make_groupseq_curve_nodes.py``
(~10 minutes). Every example file without cells, the stratified design with default options added,
the three-look plan (information rates 0.33, 0.67, 1; O'Brien–Fleming; non-binding futility at
z = 0); 200 points each:

* "power vs N": the claims over N = 100 … 5,000 (geometric) at the example's prevalence;
* "power vs B-": the claims over the B− effect 0.5 … 1.2 at the design's N (binary examples: NaN where
  a rate leaves (0, 1));
* "power vs B-, app range": the same over the app's range (:func:`planner.figures.negative_effect_range`);
* "claims vs prevalence": the claims over prevalence 0.1 … 0.9 at the design's N;
* "N vs prevalence": the unrounded N for the target power over prevalence 0.1 … 0.9.

Values are stored with 12 significant digits.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from planner import curves  # noqa: E402
from planner.compute import compute_design  # noqa: E402
from planner.designs.build import build_model  # noqa: E402
from planner.figures import negative_effect_range  # noqa: E402
from planner.groupseq import curve as C  # noqa: E402
from planner.groupseq.plan import InterimPlan  # noqa: E402
from planner.params import params_from_scenario  # noqa: E402
from planner.scenario_io import scenario_from_dict  # noqa: E402
from planner.solve import solve_n  # noqa: E402

OUT = Path(__file__).with_name("groupseq_curve_nodes.json")
PLAN = InterimPlan((0.33, 0.67, 1.0), "obrien_fleming", None, (0.0, 0.0), False)
POINTS = 200
CLAIMS = ("overall", "subgroup", "either", "both")
N_GRID = np.geomspace(100, 5000, POINTS)
E_GRID = np.linspace(0.5, 1.2, POINTS)
G_GRID = np.linspace(0.1, 0.9, POINTS)


def examples() -> list[str]:
    """The example files with two subgroups (no cells form), sorted."""
    files = sorted((ROOT / "resources" / "scenarios").glob("*.json"))
    return [f.name for f in files if "cells" not in json.loads(f.read_text())]


def scenario(file: str):
    d = json.loads((ROOT / "resources" / "scenarios" / file).read_text())
    d.setdefault("designs", {})["stratified"] = {}
    d["interim"] = PLAN.to_dict()
    return scenario_from_dict(d)


def claim_curves(s) -> dict[str, dict[str, np.ndarray]]:
    """The claim curves as the app computes them (interpolated unless ``C.MIN_GROUPS`` forbids)."""
    r = compute_design(s, "stratified", s.resolved_options("stratified", None))
    pick = lambda y: {c: np.ravel(np.asarray(y[c], float)) for c in CLAIMS}  # noqa: E731
    model = build_model("stratified", params_from_scenario(s, prevalence=G_GRID), curves._opts(s, "stratified"))
    return {"power vs N": pick(curves.power_vs_n(s, "stratified", N_GRID, r).y),
            "power vs B-": pick(curves.power_vs_negative_effect(s, "stratified", E_GRID, result=r).y),
            "power vs B-, app range": pick(curves.power_vs_negative_effect(s, "stratified", negative_effect_range(s, POINTS),
                                                                           result=r).y),
            "claims vs prevalence": pick(model.claims(np.full(POINTS, float(r.n_randomized)), np.arange(POINTS)))}


def n_curve(s) -> np.ndarray:
    """Unrounded N over prevalence as the app's curve computes it (one model of all points)."""
    model = build_model("stratified", params_from_scenario(s, prevalence=G_GRID), curves._opts(s, "stratified"))
    return np.ravel(solve_n(model, s.testing.power, s.testing.allocation_ratio))


def n_alone(s) -> np.ndarray:
    """Each prevalence's N alone (a one-point model)."""
    opts = curves._opts(s, "stratified")
    one = [build_model("stratified", params_from_scenario(s, prevalence=float(g)), opts) for g in G_GRID]
    return np.array([float(np.ravel(solve_n(m, s.testing.power, s.testing.allocation_ratio))[0]) for m in one])


def _list(v: np.ndarray) -> list:
    return [None if np.isnan(x) else float(f"{x:.12g}") for x in np.asarray(v, float).tolist()]


def main() -> None:
    warnings.simplefilter("ignore", RuntimeWarning)   # binary examples' rates beyond (0, 1): NaN points
    C.MIN_GROUPS = 10**9   # the direct path
    out = {"note": __doc__.strip(), "points": POINTS, "plan": PLAN.to_dict(), "cases": {}}
    for file in examples():
        print(file, flush=True)
        s = scenario(file)
        case = {k: {c: _list(v) for c, v in y.items()} for k, y in claim_curves(s).items()}
        case["N vs prevalence"] = _list(n_alone(s))
        out["cases"][file] = case
    OUT.write_text(json.dumps(out, separators=(",", ":")).replace('},"', '},\n"') + "\n")


if __name__ == "__main__":
    main()
