"""Every two-subgroup example gives bit for bit the numbers it gave before the several-populations
model (issue 12): ``tests/data/v1_baseline/baseline.json``, made by ``make_baseline.py`` beside it
on main before the change. New result fields may be added; every stored field keeps its value."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

BASELINE_DIR = Path(__file__).parent / "data" / "v1_baseline"
sys.path.insert(0, str(BASELINE_DIR))
from make_baseline import FILES, numbers  # noqa: E402

BASELINE = json.loads((BASELINE_DIR / "baseline.json").read_text(encoding="utf-8"))


def _same(stored, now, where: str) -> list[str]:
    """Paths where ``now`` differs from ``stored`` (keys only in ``now`` are allowed)."""
    if isinstance(stored, dict):
        if not isinstance(now, dict):
            return [where]
        return [d for k, v in stored.items() for d in _same(v, now.get(k, KeyError), f"{where}.{k}")]
    if isinstance(stored, list):
        if not isinstance(now, list) or len(now) != len(stored):
            return [where]
        return [d for i, (a, b) in enumerate(zip(stored, now)) for d in _same(a, b, f"{where}[{i}]")]
    return [] if stored == now and type(stored) is type(now) else [f"{where}: {stored!r} -> {now!r}"]


#: the examples stored before the change (later examples, e.g. in the cells form, are not in it)
STORED = [p for p in FILES if f"{p.parent.name}/{p.name}" in BASELINE]


def test_every_two_subgroup_example_is_stored():
    assert all(f"{p.parent.name}/{p.name}" in BASELINE for p in FILES if '"cells"' not in p.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", STORED, ids=[f"{p.parent.name}/{p.stem}" for p in STORED])
def test_example_gives_its_stored_numbers_bit_for_bit(path):
    key = f"{path.parent.name}/{path.name}"
    now = json.loads(json.dumps(numbers(path)))
    assert _same(BASELINE[key], now, key) == []
