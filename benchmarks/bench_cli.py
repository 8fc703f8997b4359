"""Time the start of ``enrichment-planner compute`` (the command line lives in ``ui/cli.py``).

    python benchmarks/bench_cli.py [--repeats 7] [SCENARIO.json]

Runs ``python -m ui.cli compute SCENARIO`` in fresh interpreters and prints the median wall
time, then one ``python -X importtime`` run: the total import time, the slowest top-level
imports, and whether Qt or matplotlib were loaded (they must not be: ``compute`` needs neither).
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "resources" / "scenarios" / "egfr_nsclc_ipass.json"
LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def _command(scenario: Path, *flags: str) -> list[str]:
    return [sys.executable, *flags, "-m", "ui.cli", "compute", str(scenario)]


def import_profile(scenario: Path) -> tuple[float, list[tuple[float, str]], set[str]]:
    """(total import ms, top-level imports by cumulative ms, top-level packages imported)."""
    out = subprocess.run(_command(scenario, "-X", "importtime"), cwd=ROOT, capture_output=True,
                         text=True, check=True)
    top, packages = [], set()
    for line in out.stderr.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        packages.add(m.group(4).split(".")[0])
        if len(m.group(3)) == 1:
            top.append((int(m.group(2)) / 1000, m.group(4)))
    return sum(t for t, _ in top), sorted(top, reverse=True), packages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    times = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        subprocess.run(_command(args.scenario), cwd=ROOT, capture_output=True, check=True)
        times.append(time.perf_counter() - t0)
    print(f"compute {args.scenario.name}: median {statistics.median(times) * 1000:.0f} ms, "
          f"min {min(times) * 1000:.0f} ms over {args.repeats} runs")
    total, top, packages = import_profile(args.scenario)
    print(f"imports: {total:.0f} ms in total; slowest top-level:")
    for ms, name in top[:6]:
        print(f"  {ms:7.1f} ms  {name}")
    gui = sorted(packages & {"PySide6", "shiboken6", "matplotlib"})
    print("Qt/matplotlib loaded: " + (", ".join(gui) if gui else "none"))


if __name__ == "__main__":
    main()
