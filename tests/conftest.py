import json
import os
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SCENARIOS = ROOT / "resources" / "scenarios"


def rpact_cases(kind: str) -> list[dict]:
    cases = json.loads((DATA / "rpact_reference.json").read_text())["cases"]
    return [c for c in cases if c["kind"] == kind]


def base_scenario(endpoint: str = "continuous", **over) -> dict:
    """A valid scenario dictionary to modify in tests."""
    d = {
        "format": "enrichment-planner-scenario",
        "version": 1,
        "title": "test",
        "endpoint": endpoint,
        "population": {"prevalence": 0.5},
        "testing": {"alpha": 0.025, "sides": 1, "power": 0.8, "allocation_ratio": 1.0},
    }
    if endpoint == "continuous":
        d["positive"] = {"mean_difference": 0.5, "sd": 1.0}
        d["negative"] = {"mean_difference": 0.1, "sd": 1.0}
    elif endpoint == "binary":
        d["positive"] = {"control_rate": 0.3, "treatment_rate": 0.5}
        d["negative"] = {"control_rate": 0.3, "treatment_rate": 0.35}
    else:
        d["positive"] = {"control_median": 12.0, "hazard_ratio": 0.6}
        d["negative"] = {"control_median": 12.0, "hazard_ratio": 0.9}
        d["survival"] = {"accrual_time": 24, "follow_up_time": 12, "dropout_rate": 0.0, "dropout_time": 12}
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(d.get(k), dict):
            d[k] = {**d[k], **v}
        else:
            d[k] = v
    return d


@pytest.fixture
def scenario_dict():
    return base_scenario


def counting_nested(orig, evaluated: list):
    """:func:`planner.groupseq.curve.nested` recording the nodes it evaluates in ``evaluated``
    (one by one through ``evaluate`` or batched through ``many``)."""
    def nested(features, evaluate, *a, **k):
        many = k.get("many")
        if many is not None:
            k["many"] = lambda idx, hint: evaluated.extend(int(g) for g in idx) or many(idx, hint)
        return orig(features, None if evaluate is None else (lambda g: evaluated.append(g) or evaluate(g)), *a, **k)
    return nested


def data_script(name: str):
    """The module of a reference-making script in tests/data (``name``: its file name), loaded
    without putting tests/data on sys.path (its scripts are run by hand to regenerate the stored
    numbers; tests import their case lists and curve functions)."""
    import importlib.util  # noqa: PLC0415

    spec = importlib.util.spec_from_file_location(Path(name).stem, DATA / name)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def fine_own_sums(monkeypatch, law, lam, rule):
    """(7, K) category masses of the recursion at drift ``lam`` (2,) on the fine grid the own
    recursions are held to (wave 9): 7 points per increment SD, 5 across a ridge, stencils of 10
    nodes, the kernel cut at 7 SD, the grid 8.5 SD wide, FFTs in double precision (the settings
    are patched through ``monkeypatch`` and stay so for the rest of the test)."""
    from planner.groupseq import grid2d as G  # noqa: PLC0415
    from planner.groupseq import own as O  # noqa: PLC0415

    monkeypatch.setattr(O, "SINGLE", False)
    monkeypatch.setattr(G, "OWN_KERNEL_WIDTH", 7.0)
    monkeypatch.setattr(G, "WIDTH", 8.5)
    monkeypatch.setattr(G, "RIDGE_POINTS", 5.0)
    lam = np.asarray(lam, dtype=float).reshape(2)
    return O.sums_many([law], lam[None], [rule], grids=[G.make_grid(law, lam, 0.0, nu=7.0, order=10)])[0]
