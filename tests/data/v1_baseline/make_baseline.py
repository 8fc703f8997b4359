"""Store what every two-subgroup example computes today (before the several-populations model).

Run from the project root: ``python tests/data/v1_baseline/make_baseline.py``. It writes
``baseline.json``: for each example of resources/scenarios and tests/data/version1, the fixed
designs' results (``compare_designs(..., include_adaptive=False)``) and, where the file has an
adaptive design, its simulation with 2,000 trials and the file's seed. JSON floats round-trip
exactly (shortest repr), so ``tests/test_v1_baseline.py`` compares them bit for bit.
Made on main at commit 7d0c735 (2026-12-01), before issue 12's population model; re-run when
issue 12 was merged to add the examples that came with it (the cutoff explorer's and the two in
the cells form), every earlier number unchanged (checked). One key regenerated on purpose since:
``scenarios/hrd_ovarian_paola1_interim.json`` (issue 13, branch nphlook: its interim plan's per-look
drifts now follow the look-wise law for heterogeneous strata, HR 0.33 in B+ and 0.92 in B−;
docs/piecewise-survival.md) — ``data[key] = numbers(path)`` for that key alone, every other key
unchanged. Likewise ``scenarios/pdl1_nsclc_keynote042_cutoffs.json`` (branch mvnspeed: its nested
populations' four statistics form a chain, integrated with one quadrature layer instead of two,
planner/mvn_grid.py; powers moved by ~6e-6, within the quadrature's error). And
``scenarios/hrd_ovarian_paola1_interim.json`` again (branch gsone: the look-wise drift search starts
from a Newton step and stops at 1e-11 relative, its recursion reuses a drift-free kernel, and the
look times are solved for all looks at once in closed form; largest change 1.3e-12 relative, a look
time and the patients accrued by then; sizes, powers and probabilities ≤ 2e-15).
"""

from __future__ import annotations

import json
from pathlib import Path

from planner.adaptive.api import simulate_scenario
from planner.compute import compare_designs
from planner.scenario import AdaptiveOptions
from planner.scenario_io import load_scenario

ROOT = Path(__file__).resolve().parents[3]
FILES = sorted((ROOT / "resources" / "scenarios").glob("*.json")) + sorted(
    (ROOT / "tests" / "data" / "version1").glob("*.json"))
SIMULATIONS = 2000


def numbers(path: Path) -> dict:
    """The fixed designs' and (if any) the adaptive design's results of one example."""
    scenario = load_scenario(path)
    out = {"designs": compare_designs(scenario, include_adaptive=False).to_dict()["designs"]}
    if isinstance(scenario.designs.get("adaptive"), AdaptiveOptions):
        out["adaptive"] = simulate_scenario(scenario, simulations=SIMULATIONS).to_dict()
    return out


def main() -> None:
    data = {f"{p.parent.name}/{p.name}": numbers(p) for p in FILES}
    target = Path(__file__).with_name("baseline.json")
    target.write_text(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {target} ({len(data)} examples)")


if __name__ == "__main__":
    main()
