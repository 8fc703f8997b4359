"""planner.compute.expensive: which comparisons the app computes on its worker (ui.background_compare).

The biomarker-stratified design with interim looks, in any endpoint: its four curves after an edit
of an effect run 2-D grid recursions at every interpolation node (0.24 s of CPU with two looks,
0.7 s with three: benchmarks/bench_speed.py, "cold grids"), too long for the GUI thread. Without
the stratified design, or without looks, the comparison stays synchronous.
"""

from __future__ import annotations

import json
from pathlib import Path

from planner.compute import expensive
from planner.scenario_io import scenario_from_dict

EXAMPLES = Path(__file__).resolve().parent.parent / "resources" / "scenarios"


def test_the_stratified_design_with_looks_goes_to_the_worker_in_every_endpoint():
    for name in ("cystic_fibrosis_ivacaftor.json", "her2_breast_trastuzumab.json", "egfr_nsclc_ipass.json"):
        d = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
        d.pop("interim", None)
        d["designs"] = {"all_comers": {}, "targeted": {}, "stratified": {}}
        assert not expensive(scenario_from_dict(d)), name
        d["interim"] = {"information_rates": [0.33, 0.67, 1.0], "efficacy": "obrien_fleming"}
        assert expensive(scenario_from_dict(d)), name
        d["designs"] = {"all_comers": {}, "targeted": {}}
        assert not expensive(scenario_from_dict(d)), name
