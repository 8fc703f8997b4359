"""Reference values for tests/test_groupseq_curve_adaptive.py: the stratified design's curves that
wave 7 interpolates from adaptively split pieces (:func:`planner.groupseq.curve.nested`'s
``budget``), computed by the direct path (one 2-D grid recursion per structure and lattice cell of
its points' drifts: ``curve.MIN_GROUPS`` set beyond the curve's size, so nothing is interpolated;
same bounds, same model).

Run from the repository root: ``PYTHONPATH=. python tests/data/make_groupseq_curve_adaptive.py``
(~35 s). Every case with the three-look plan (information rates 0.33, 0.67, 1; O'Brien–Fleming;
non-binding futility at z = 0) and the stratified design with default options added to the example
file; 200 points:

* power vs the B− effect (0.5 … 1.2, the range of `benchmarks/bench_speed.py`) at the design's size:
  ALK (alk_nsclc_crizotinib), PD-L1 TPS (pdl1_tps_cutoffs) — hazard ratios —, CHANCE
  (cyp2c19_chance, binary: risk differences, rates beyond (0, 1) at 63 points: NaN there, and a
  correlation corr(Z_F, Z_S) → 1 at the last points with a law);
* power vs the B− effect over the app's range (:func:`planner.figures.negative_effect_range`: risk
  difference −0.1 … 0.15) at the design's size: CHANCE;
* the claims over prevalence (0.1 … 0.9) at the design's N: IPASS (egfr_nsclc_ipass), ALK;
* power over N (100 … 5,000 patients, geometric; the range of ``bench_per2``) at the design's
  prevalence, under the look-wise law (heterogeneous strata): PAOLA-1 (hrd_ovarian_paola1_interim),
  IPASS, CO17 (kras_crc_cetuximab_co17) — since wave 7's "power over N" interpolated along the
  curve with adaptive pieces before the control is tried.
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

OUT = Path(__file__).with_name("groupseq_curve_adaptive.json")
PLAN = InterimPlan((0.33, 0.67, 1.0), "obrien_fleming", None, (0.0, 0.0), False)
POINTS = 200
CLAIMS = ("overall", "subgroup", "either", "both")
CASES = {"ALK, power vs B- effect": ("alk_nsclc_crizotinib.json", "negative effect"),
         "PD-L1 TPS, power vs B- effect": ("pdl1_tps_cutoffs.json", "negative effect"),
         "CHANCE, power vs B- effect": ("cyp2c19_chance.json", "negative effect"),
         "CHANCE, power vs B- effect, app range": ("cyp2c19_chance.json", "negative effect, app range"),
         "IPASS, claims over prevalence": ("egfr_nsclc_ipass.json", "prevalence"),
         "ALK, claims over prevalence": ("alk_nsclc_crizotinib.json", "prevalence"),
         "PAOLA-1, power vs N": ("hrd_ovarian_paola1_interim.json", "size"),
         "IPASS, power vs N": ("egfr_nsclc_ipass.json", "size"),
         "CO17, power vs N": ("kras_crc_cetuximab_co17.json", "size")}


def scenario(file: str):
    d = json.loads((ROOT / "resources" / "scenarios" / file).read_text())
    d.setdefault("designs", {})["stratified"] = {}
    d["interim"] = PLAN.to_dict()
    return scenario_from_dict(d)


def curve(file: str, kind: str) -> dict[str, np.ndarray]:
    """The case's claims at its 200 points, as the app computes them."""
    s = scenario(file)
    r = compute_design(s, "stratified", s.resolved_options("stratified", None))
    if kind.startswith("negative effect"):
        grid = negative_effect_range(s, POINTS) if kind.endswith("app range") else np.linspace(0.5, 1.2, POINTS)
        y = curves.power_vs_negative_effect(s, "stratified", grid, result=r).y
        return {c: np.asarray(y[c], float) for c in CLAIMS}
    if kind == "size":
        y = curves.power_vs_n(s, "stratified", np.geomspace(100, 5000, POINTS), r).y
        return {c: np.asarray(y[c], float) for c in CLAIMS}
    g = np.linspace(0.1, 0.9, POINTS)
    model = build_model("stratified", params_from_scenario(s, prevalence=g), curves._opts(s, "stratified"))
    y = model.claims(np.full(POINTS, float(r.n_randomized)), np.arange(POINTS))
    return {c: np.ravel(y[c]).astype(float) for c in CLAIMS}


def main() -> None:
    warnings.simplefilter("ignore", RuntimeWarning)   # CHANCE's rates beyond (0, 1): NaN points
    C.MIN_GROUPS = 10**9   # the direct path
    out = {"note": __doc__.strip(), "points": POINTS, "plan": PLAN.to_dict(), "cases": {}}
    for name, (file, kind) in CASES.items():
        print(name, flush=True)
        out["cases"][name] = {"file": file, "kind": kind, **{c: [None if np.isnan(x) else x for x in v.tolist()]
                                                              for c, v in curve(file, kind).items()}}
    OUT.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
