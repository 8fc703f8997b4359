"""The interim engine's caches are keyed safely: two scenarios computed in alternation give, to the
last bit, the numbers each gives computed alone with every cache empty (issue 11, wave 5).

Caches: group-sequential bounds per plan and α, closed-test bounds per correlation structure, grid
recursions per law, rule and reference drift, the procedure's state splits and fates, interval
weights per grid. The two scenarios differ in plan (three looks with futility / the file's two
looks), effect and prevalence, so every structure differs.
"""

import json
from functools import _lru_cache_wrapper
from pathlib import Path

import numpy as np

from planner.compute import compute_design
from planner.designs.build import build_model
from planner.groupseq import boundaries, curve, grid2d, procedure, sizing, stratified
from planner.groupseq.plan import InterimPlan
from planner.params import params_from_scenario
from planner.scenario_io import scenario_from_dict
from planner.solve import solve_n

ROOT = Path(__file__).resolve().parent.parent
THREE = InterimPlan((0.33, 0.67, 1.0), "obrien_fleming", None, (0.0, 0.0), False)


def _scenario(plan: InterimPlan | None, hr_positive: float, prevalence: float):
    d = json.loads((ROOT / "resources" / "scenarios" / "hrd_ovarian_paola1_interim.json").read_text())
    d["designs"] = {"stratified": {}}
    d["positive"]["hazard_ratio"] = hr_positive
    d["population"]["prevalence"] = prevalence
    if plan is not None:
        d["interim"] = plan.to_dict()
    return scenario_from_dict(d)


def _clear_all() -> None:
    for mod in (boundaries, curve, grid2d, procedure, sizing, stratified):
        for value in vars(mod).values():
            if isinstance(value, _lru_cache_wrapper):
                value.cache_clear()
    procedure._FATES.clear()


def _numbers(s) -> list:
    opts = s.resolved_options("stratified", None)
    r = compute_design(s, "stratified", opts)
    g = np.linspace(0.15, 0.85, 30)                     # ≥ curve.MIN_GROUPS structures: interpolated
    model = build_model("stratified", params_from_scenario(s, prevalence=g), opts)
    claims = model.claims(np.full(g.size, float(r.n_randomized)), np.arange(g.size))
    n = solve_n(model, s.testing.power, s.testing.allocation_ratio)
    flat = [r.n_randomized_exact, r.power, r.expected_n_h0, r.expected_n_h1]
    flat += [v for lk in r.looks for v in lk.values() if isinstance(v, float)]
    return flat + [np.asarray(v, float) for v in claims.values()] + [np.asarray(n, float)]


def _same(a: list, b: list) -> bool:
    return len(a) == len(b) and all(np.array_equal(x, y, equal_nan=True) for x, y in zip(a, b))


def test_two_scenarios_in_alternation_give_their_numbers_alone():
    a, b = _scenario(THREE, 0.33, 0.48), _scenario(None, 0.45, 0.35)
    _clear_all()
    alone_a = _numbers(a)
    _clear_all()
    alone_b = _numbers(b)
    _clear_all()
    for _ in range(2):
        assert _same(_numbers(a), alone_a)
        assert _same(_numbers(b), alone_b)
    assert not _same(alone_a, alone_b)
