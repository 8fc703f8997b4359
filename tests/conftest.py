import json
import os
from pathlib import Path

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
