"""The adaptive simulator's results stay bit for bit those recorded before the two stage loops
(two-subset and several populations) became one (``planner.adaptive.stageloop``).

``tests/data/adaptive_one_loop.json`` holds, for every 23rd configuration of
``benchmarks/adaptive_equivalence.py`` (132 of 3,030: 47 two-subset ``SimModel``, 85
several-population ``KModel``; three stages; selection rules, intersection tests, inverse normal
and Fisher, sample-size recalculation, rpact-compatible mode, futility, unstratified, success
"all"), the SHA-256 of ``AdaptiveResult.to_dict()`` (without the method text and notes) from 3,000
simulated trials with seed 20261201, recorded at commit 449680b (the two loops). The full check
(3,030 configurations, 6,000 trials) is ``python benchmarks/adaptive_equivalence.py record|compare``.
An exact comparison: the same machine arithmetic (numpy, scipy) is assumed, as in
tests/test_v1_baseline.py.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from planner.adaptive import simulate_model

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import adaptive_equivalence as eq  # noqa: E402

DATA = json.loads((ROOT / "tests" / "data" / "adaptive_one_loop.json").read_text())["cases"]
CONFIGS = dict(eq.configs(reduced=True, every=23))


def test_the_recorded_configurations_are_the_reduced_set():
    assert set(CONFIGS) == set(DATA) and len(DATA) == 132
    assert sum(name.startswith("two/") for name in DATA) == 47


@pytest.mark.parametrize("form", ["two", "k"])
def test_results_are_bit_for_bit_those_of_the_two_loops(form):
    differ = []
    for name, model in CONFIGS.items():
        if not name.startswith(form + "/"):
            continue
        res = simulate_model(model, 3000, 20261201, workers=1, chunk_size=8192)
        if eq.digest(eq.canonical(res, numbers_only=True)) != DATA[name]["sha256"]:
            differ.append((name, res.reject_at_least_one, DATA[name]["reject_at_least_one"]))
    assert not differ, differ[:10]
