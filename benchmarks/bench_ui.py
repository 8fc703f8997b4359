"""Desktop app timings: edit → comparison table and all four plots updated; cold start.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_ui.py [--edits 40] [--scenario FILE]

* **edit → updated**: a prevalence edit in the inputs panel until the table shows the new
  result and every plot has been redrawn (Plots tab visible). The debounce is leading-edge:
  an edit after a quiet period is computed at once (faster typing is coalesced into at most
  one recomputation per ``DEBOUNCE_MS``), so nothing is subtracted from the measured latency.
* **cold start**: a fresh Python process from launch to the shown main window with its first
  comparison computed and the plots drawn.

Targets (issue 4): under 100 ms per edit with all plots visible; under 2 s start.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT = ROOT / "resources" / "scenarios" / "egfr_nsclc_ipass.json"

COLD_START = """
import time, sys
t0 = time.perf_counter()
sys.path.insert(0, {root!r})
from PySide6.QtCore import QEventLoop, QSettings
from ui.app import create_app
app = create_app()
from ui.main_window import MainWindow
w = MainWindow({path!r}, settings=QSettings({ini!r}, QSettings.Format.IniFormat))
w.show()
loop = QEventLoop()  # QEventLoop.processEvents: the static call leaks a None reference in PySide6 6.12
while w.first_painted is None:
    loop.processEvents()
shown = w.first_painted - t0
while w.compute_count == 0 or not all(c.drawn for c in w.plots.canvases()):
    loop.processEvents()
print(shown, time.perf_counter() - t0)
w.doc.undo_stack.setClean()
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[k]


def bench_edits(path: Path, edits: int, field: str = "population.prevalence") -> tuple[list[float], list[float]]:
    from PySide6.QtCore import QEventLoop, QSettings

    from ui.app import create_app

    create_app()
    from ui.main_window import DEBOUNCE_MS, MainWindow

    ini = tempfile.NamedTemporaryFile(suffix=".ini", delete=False).name
    w = MainWindow(str(path), settings=QSettings(ini, QSettings.Format.IniFormat))
    w.resize(1500, 950)
    w.show()
    w.tabs.setCurrentWidget(w.plots)
    loop = QEventLoop()  # not app.processEvents(): that leaks a None reference per call in PySide6 6.12
    while w.compute_count == 0 or not all(c.drawn for c in w.plots.canvases()):
        loop.processEvents()
    spin = w.inputs.rows[field].editor
    start = spin.value()
    total, table = [], []
    for i in range(edits + 3):
        value = start * (0.7 + 0.6 * ((i * 7) % 11) / 10)
        quiet_until = time.perf_counter() + DEBOUNCE_MS / 1000  # the user pauses between edits
        while time.perf_counter() < quiet_until:
            loop.processEvents()
        t0 = time.perf_counter()
        spin.setValue(round(value, 4))
        while (w.table_updated_at < t0 or w.plots.dirty
               or any(c.last_drawn_at < w.table_updated_at for c in w.plots.canvases())):
            loop.processEvents()
        elapsed = time.perf_counter() - t0
        t_table = w.table_updated_at - t0
        if i >= 3:  # warm-up
            total.append(elapsed * 1000)
            table.append(t_table * 1000)
    w.doc.undo_stack.setClean()
    w.close()
    return total, table


def bench_cold_start(path: Path, runs: int) -> list[tuple[float, float, float]]:
    """(shown, results and plots drawn, whole process) seconds per run."""
    ini = tempfile.NamedTemporaryFile(suffix=".ini", delete=False).name
    out = []
    for _ in range(runs):
        code = COLD_START.format(root=str(ROOT), path=str(path), ini=ini)
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
        wall = time.perf_counter() - t0
        try:  # the timings are printed before the exit (a failing exit is reported, not fatal)
            shown, complete = (float(x) for x in proc.stdout.split())
        except ValueError:
            raise RuntimeError(f"cold start failed (exit {proc.returncode}): {proc.stderr[-2000:]}") from None
        if proc.returncode != 0:
            print(f"note: the cold-start process exited with status {proc.returncode}: "
                  f"{proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ''}")
        out.append((shown, complete, wall))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--edits", type=int, default=40)
    ap.add_argument("--starts", type=int, default=3)
    ap.add_argument("--scenario", type=Path, default=DEFAULT)
    ap.add_argument("--field", default="population.prevalence",
                    help="input edited (prevalence edits reuse the prevalence-sweep curves; try positive.hazard_ratio)")
    args = ap.parse_args()
    load_before = os.getloadavg()
    total, table = bench_edits(args.scenario, args.edits, args.field)
    print(f"scenario: {args.scenario.name}; {args.edits} edits of {args.field}, Plots tab visible; "
          f"load average (1, 5, 15 min) {' '.join(f'{x:.2f}' for x in load_before)} before, "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} after, on {os.cpu_count()} cores")
    print(f"edit → table + 4 plots updated: median {statistics.median(total):.0f} ms, "
          f"p95 {percentile(total, 0.95):.0f} ms")
    print(f"edit → comparison table updated: median {statistics.median(table):.0f} ms, "
          f"p95 {percentile(table, 0.95):.0f} ms")
    sys.stdout.flush()
    if args.starts <= 0:
        return
    starts = bench_cold_start(args.scenario, args.starts)
    shown, complete, wall = zip(*starts)
    print(f"cold start → window shown: median {statistics.median(shown):.2f} s; → results and all plots drawn: "
          f"median {statistics.median(complete):.2f} s; whole process incl. interpreter start and exit: "
          f"median {statistics.median(wall):.2f} s")


if __name__ == "__main__":
    main()
