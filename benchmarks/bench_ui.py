"""Desktop app timings: edit → comparison table and all four plots updated; cold start.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_ui.py [--edits 40] [--scenario FILE]

* **edit → updated**: a prevalence edit in the inputs panel until the table shows the new
  result and every plot has been redrawn (Plots tab visible). The debounce is leading-edge:
  an edit after a quiet period is computed at once (faster typing is coalesced into at most
  one recomputation per ``DEBOUNCE_MS``), so nothing is subtracted from the measured latency.
* **cold start**: a fresh Python process from launch to the shown main window with its first
  comparison computed and the plots drawn (``planner`` and ``ui`` compiled to bytecode first, as
  an installed app is).

Wall time is what the user waits for; on a shared machine it includes time the process waited for
a core. So the CPU time is reported beside it: the GUI thread's (``time.thread_time``; the
benchmark waits by running the event loop, so that thread is busy the whole time and its CPU time
is the wall time an idle machine would show) and the whole process's (``time.process_time``:
also worker threads, e.g. refined curves). The load average is printed with them.

Targets (issue 10, on an idle machine): edit → table median ≤ 50 ms; table and all plots median
≤ 100 ms, p95 ≤ 150 ms; cold start to a usable window ≤ 2 s.
"""

from __future__ import annotations

import argparse
import compileall
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
t0, c0 = time.perf_counter(), time.process_time()
sys.path.insert(0, {root!r})
from PySide6.QtCore import QEventLoop, QSettings
from ui.app import create_app, freeze_startup_objects
app = create_app()
from ui.main_window import MainWindow
w = MainWindow({path!r}, settings=QSettings({ini!r}, QSettings.Format.IniFormat))
w.started.connect(freeze_startup_objects)
w.show()
loop = QEventLoop()  # QEventLoop.processEvents: the static call leaks a None reference in PySide6 6.12
while w.first_painted is None:
    loop.processEvents()
shown, shown_cpu = w.first_painted - t0, w.first_painted_cpu - c0
while w.compute_count == 0 or not all(c.drawn for c in w.plots.canvases()):
    loop.processEvents()
print(shown, time.perf_counter() - t0, shown_cpu, time.process_time() - c0)
w.doc.undo_stack.setClean()
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[k]


def bench_edits(path: Path, edits: int, field: str = "population.prevalence",
                pause_ms: float | None = None) -> dict[str, list[float]]:
    """Per edit (ms): wall ``total`` and ``table``; GUI-thread CPU ``total_cpu`` and ``table_cpu``;
    process CPU ``total_proc``."""
    from PySide6.QtCore import QEventLoop, QSettings

    from ui.app import create_app, freeze_startup_objects

    create_app()
    from ui.main_window import DEBOUNCE_MS, MainWindow

    ini = tempfile.NamedTemporaryFile(suffix=".ini", delete=False).name
    w = MainWindow(str(path), settings=QSettings(ini, QSettings.Format.IniFormat))
    w.started.connect(freeze_startup_objects)  # as ui.app.run does
    w.resize(1500, 950)
    w.show()
    w.tabs.setCurrentWidget(w.plots)
    loop = QEventLoop()  # not app.processEvents(): that leaks a None reference per call in PySide6 6.12
    while w.compute_count == 0 or not all(c.drawn for c in w.plots.canvases()):
        loop.processEvents()
    spin = w.inputs.rows[field].editor
    start = spin.value()
    out: dict[str, list[float]] = {k: [] for k in ("total", "table", "total_cpu", "table_cpu", "total_proc")}
    for i in range(edits + 3):
        value = start * (0.7 + 0.6 * ((i * 7) % 11) / 10)
        quiet_until = time.perf_counter() + (DEBOUNCE_MS if pause_ms is None else pause_ms) / 1000  # a pause
        while time.perf_counter() < quiet_until:
            loop.processEvents()
        t0, c0, p0 = time.perf_counter(), time.thread_time(), time.process_time()
        spin.setValue(round(value, 4))
        while (w.table_updated_at < t0 or w.plots.dirty
               or any(c.last_drawn_at < w.table_updated_at for c in w.plots.canvases())):
            loop.processEvents()
        elapsed, cpu, proc = time.perf_counter() - t0, time.thread_time() - c0, time.process_time() - p0
        if i >= 3:  # warm-up
            for key, x in (("total", elapsed), ("table", w.table_updated_at - t0), ("total_cpu", cpu),
                           ("table_cpu", w.table_updated_cpu - c0), ("total_proc", proc)):
                out[key].append(x * 1000)
    w.doc.undo_stack.setClean()
    w.close()
    return out


def bench_cold_start(path: Path, runs: int) -> list[tuple[float, ...]]:
    """(shown, results and plots drawn, whole process; process CPU time to shown and to drawn)
    seconds per run."""
    ini = tempfile.NamedTemporaryFile(suffix=".ini", delete=False).name
    # an installed app starts from compiled bytecode (pip compiles it); a checkout run with
    # PYTHONDONTWRITEBYTECODE=1 would compile ~100 modules on every start (~0.3 s)
    compileall.compile_dir(ROOT / "planner", quiet=1)
    compileall.compile_dir(ROOT / "ui", quiet=1)
    out = []
    for _ in range(runs):
        code = COLD_START.format(root=str(ROOT), path=str(path), ini=ini)
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
        wall = time.perf_counter() - t0
        try:  # the timings are printed before the exit (a failing exit is reported, not fatal)
            shown, complete, shown_cpu, complete_cpu = (float(x) for x in proc.stdout.split())
        except ValueError:
            raise RuntimeError(f"cold start failed (exit {proc.returncode}): {proc.stderr[-2000:]}") from None
        if proc.returncode != 0:
            print(f"note: the cold-start process exited with status {proc.returncode}: "
                  f"{proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ''}")
        out.append((shown, complete, wall, shown_cpu, complete_cpu))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--edits", type=int, default=40)
    ap.add_argument("--starts", type=int, default=3)
    ap.add_argument("--scenario", type=Path, default=DEFAULT)
    ap.add_argument("--pause", type=float, default=None,
                    help="ms the user rests between edits (default: the debounce interval); a longer pause "
                         "lets background work (assurance, refined curves) start and compete with the next edit")
    ap.add_argument("--field", default="population.prevalence",
                    help="input edited (prevalence edits reuse the prevalence-sweep curves; try positive.hazard_ratio)")
    args = ap.parse_args()
    load_before = os.getloadavg()
    times = bench_edits(args.scenario, args.edits, args.field, args.pause)
    pause = f"{args.pause:g} ms" if args.pause is not None else "the debounce interval"
    print(f"scenario: {args.scenario.name}; {args.edits} edits of {args.field} with pauses of {pause}, "
          "Plots tab visible; "
          f"load average (1, 5, 15 min) {' '.join(f'{x:.2f}' for x in load_before)} before, "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} after, on {os.cpu_count()} cores")

    def line(what: str, key: str) -> str:
        wall, cpu = times[key], times[f"{key}_cpu"]
        return (f"{what}: wall median {statistics.median(wall):.0f} ms, p95 {percentile(wall, 0.95):.0f} ms; "
                f"GUI-thread CPU median {statistics.median(cpu):.0f} ms, p95 {percentile(cpu, 0.95):.0f} ms")

    print(line("edit → table + 4 plots updated", "total")
          + f"; process CPU median {statistics.median(times['total_proc']):.0f} ms")
    print(line("edit → comparison table updated", "table"))
    sys.stdout.flush()
    if args.starts <= 0:
        return
    load_before = os.getloadavg()
    starts = bench_cold_start(args.scenario, args.starts)
    shown, complete, wall, shown_cpu, complete_cpu = zip(*starts)
    print(f"cold start (load average {' '.join(f'{x:.2f}' for x in load_before)} before) → window shown: "
          f"median {statistics.median(shown):.2f} s (process CPU {statistics.median(shown_cpu):.2f} s); "
          f"→ results and all plots drawn: median {statistics.median(complete):.2f} s (CPU "
          f"{statistics.median(complete_cpu):.2f} s); whole process incl. interpreter start and exit: "
          f"median {statistics.median(wall):.2f} s")

if __name__ == "__main__":
    main()
