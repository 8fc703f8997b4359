"""Time how quickly bad files are refused (issue: "exit 2 naming the field within a second").

    python benchmarks/bench_bad_input.py [--repeats 7]

Writes the pathological files of ``tests/test_fuzz_input.py`` (each at the 1 MiB file limit) and
runs ``enrichment-planner compute`` on each in-process (imports warm, as in a test), printing the
median seconds per file and the machine's load average. The tests only guard against hangs; the
speed is measured here.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from planner.reading import MAX_FILE_BYTES  # noqa: E402
from ui.cli import main  # noqa: E402

M = MAX_FILE_BYTES
PATHOLOGICAL = {
    "deep lists": "[" * (M - 1),
    "deep objects": '{"a":' * (M // 5),
    "escaped quotes": '"' + '\\"' * (M // 2 - 1),
    "backslashes": '"' + "\\" * (M - 2),
    "long integer": '{"version": 1, "title": ' + "1" * (M - 40) + "}",
    "long list": '{"version": 1, "designs": {"adaptive": {"information_rates": [' + "0.5," * (M // 4 - 20) + "1]}}}",
}


def refuse(path: str) -> tuple[int, float]:
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            rc = main(["compute", path])
        except SystemExit as exc:
            rc = int(exc.code or 0)
    return rc, time.perf_counter() - start


def run(repeats: int) -> None:
    print(f"load average {os.getloadavg()[0]:.2f}; {repeats} repeats; seconds to refuse (median, max)")
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in PATHOLOGICAL.items():
            path = Path(tmp) / "s.json"
            path.write_text(text[:M], encoding="utf-8")
            refuse(str(path))  # warm-up
            times, codes = [], set()
            for _ in range(repeats):
                rc, sec = refuse(str(path))
                times.append(sec)
                codes.add(rc)
            print(f"  {name:15s} {statistics.median(times):.3f}  {max(times):.3f}  exit {sorted(codes)}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7)
    run(ap.parse_args().repeats)
