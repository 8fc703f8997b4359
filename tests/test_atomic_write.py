"""The one atomic writer: a full disk, a short write or a kill never replaces a good file.

Every writer (scenario save, report HTML/PDF, CSV export) goes through
:func:`planner.files.atomic_write`; these tests make the disk "fill" (``os.write`` raising
ENOSPC), "lose" bytes (a write that reports more than it wrote), truncate a PDF, and kill the
writer, and check that the old file is intact, no temporary file is left, and the command line
exits 2 with a clean message.
"""

from __future__ import annotations

import errno
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, SCENARIOS, base_scenario

from planner import files
from planner.files import WriteError, atomic_write, atomic_write_text
from planner.scenario_io import save_scenario, scenario_from_dict
from ui.cli import main

OLD = b"the old, complete file\n"


def _disk_full(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _short_write(real):
    """os.write that writes half of what it is given but reports all of it (a lying device)."""

    def write(fd, data):
        real(fd, bytes(data[: max(1, len(data) // 2)]))
        return len(data)

    return write


def _only(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def old_file(tmp_path):
    target = tmp_path / "plan.json"
    target.write_bytes(OLD)
    return target


@pytest.mark.parametrize("failure", ["enospc", "short"])
def test_scenario_save_keeps_the_old_file(old_file, monkeypatch, failure):
    s = scenario_from_dict(base_scenario())
    patch = _disk_full if failure == "enospc" else _short_write(os.write)
    monkeypatch.setattr(os, "write", patch)
    with pytest.raises(WriteError) as err:
        save_scenario(s, old_file)
    monkeypatch.undo()
    assert "previous file is unchanged" in str(err.value)
    assert old_file.read_bytes() == OLD
    assert _only(old_file.parent) == ["plan.json"]


def test_failure_in_fsync_keeps_the_old_file(old_file, monkeypatch):
    monkeypatch.setattr(os, "fsync", _disk_full)
    with pytest.raises(WriteError, match="No space left"):
        atomic_write_text(old_file, "new text")
    monkeypatch.undo()
    assert old_file.read_bytes() == OLD
    assert _only(old_file.parent) == ["plan.json"]


def test_new_file_is_not_created_when_writing_fails(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "write", _disk_full)
    with pytest.raises(WriteError, match="no file was written"):
        atomic_write_text(tmp_path / "new.csv", "a,b\n1,2\n")
    assert _only(tmp_path) == []


def test_truncated_pdf_is_refused(tmp_path):
    target = tmp_path / "report.pdf"
    target.write_bytes(b"%PDF-1.4\n...complete...\n%%EOF\n")
    before = target.read_bytes()

    def produce(tmp: Path) -> None:
        tmp.write_bytes(b"%PDF-1.4\n1 0 obj << >> endobj\nstream\nhalf a page")

    with pytest.raises(WriteError, match="PDF is incomplete"):
        atomic_write(target, produce)
    assert target.read_bytes() == before
    assert _only(tmp_path) == ["report.pdf"]
    atomic_write(target, lambda tmp: tmp.write_bytes(b"%PDF-1.4\nnew\n%%EOF\n"))
    assert target.read_bytes().endswith(b"%%EOF\n")


def test_error_while_producing_removes_the_temporary_file(old_file):
    def produce(tmp: Path) -> None:
        tmp.write_text("partial")
        raise RuntimeError("renderer failed")

    with pytest.raises(RuntimeError):
        atomic_write(old_file, produce)
    assert old_file.read_bytes() == OLD
    assert _only(old_file.parent) == ["plan.json"]


def _run(*argv: str) -> tuple[int, str]:
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        rc = main(list(argv))
    return rc, err.getvalue()


@pytest.mark.parametrize("command,name", [
    (["report", "--no-figures", "--no-adaptive", "-o"], "report.html"),
    (["export", "--what", "comparison", "-o"], "comparison.csv"),
])
def test_command_line_exits_2_when_the_disk_is_full(tmp_path, monkeypatch, command, name):
    target = tmp_path / name
    target.write_bytes(OLD)
    scenario = SCENARIOS / "egfr_nsclc_ipass.json"
    monkeypatch.setattr(os, "write", _disk_full)
    rc, err = _run(command[0], str(scenario), *command[1:], str(target))
    monkeypatch.undo()
    assert rc == 2, err
    assert "cannot write" in err and "No space left" in err and "Traceback" not in err
    assert target.read_bytes() == OLD
    assert _only(tmp_path) == [name]


def test_pdf_report_on_a_full_disk_keeps_the_old_pdf(tmp_path, monkeypatch):
    """Qt's PDF writer fails silently on a full disk: the file it leaves has no %%EOF trailer."""
    pdf = pytest.importorskip("ui.report_pdf")
    target = tmp_path / "report.pdf"
    target.write_bytes(b"%PDF-1.4\nold complete report\n%%EOF\n")
    before = target.read_bytes()
    real = files.atomic_write

    def truncating(path, produce, verify=None):
        def cut(tmp: Path) -> None:
            produce(tmp)
            data = tmp.read_bytes()
            tmp.write_bytes(data[: len(data) // 2])  # what a full disk leaves behind

        real(path, cut, verify)

    monkeypatch.setattr(pdf, "atomic_write", truncating)
    rc, err = _run("report", str(SCENARIOS / "egfr_nsclc_ipass.json"), "--no-figures", "--no-adaptive",
                   "-o", str(target))
    assert rc == 2, err
    assert "PDF is incomplete" in err
    assert target.read_bytes() == before
    assert _only(tmp_path) == ["report.pdf"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_killed_write_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "plan.json"
    target.write_bytes(OLD)
    script = (
        "import sys, time\n"
        "from planner.files import atomic_write\n"
        "def produce(tmp):\n"
        "    tmp.write_text('half')\n"
        "    print('writing', flush=True)\n"
        "    time.sleep(30)\n"
        f"atomic_write({str(target)!r}, produce)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"
    assert len(_only(tmp_path)) == 2  # the target and its temporary file
    proc.send_signal(signal.SIGTERM)
    start = time.monotonic()
    rc = proc.wait(timeout=20)
    assert time.monotonic() - start < 10
    assert rc == 128 + signal.SIGTERM
    assert target.read_bytes() == OLD
    assert _only(tmp_path) == ["plan.json"]


def test_every_writer_uses_the_one_atomic_writer():
    """No other module of the core writes files itself: they call planner.files."""
    writes = re.compile(r"""\bopen\([^)]*["'][wax+]|\.write_(text|bytes)\(|\bmkstemp\(|\bos\.(write|replace|rename)\(""")
    offenders = [
        f"{path.relative_to(ROOT)}: {line.strip()}"
        for path in (ROOT / "planner").rglob("*.py") if path.name != "files.py"
        for line in path.read_text(encoding="utf-8").splitlines() if writes.search(line)
    ]
    assert not offenders, offenders
