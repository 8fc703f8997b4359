"""The one atomic writer: every file the program writes (scenario, report HTML/PDF, CSV) goes
through :func:`atomic_write`.

The output is produced in a temporary file beside the target (``.NAME.XXXX.tmp``, same
folder, so the rename cannot cross file systems), then *verified* — the bytes on disk are the
bytes expected (:func:`atomic_write_text`), a PDF ends with its ``%%EOF`` trailer, no output is
empty — flushed to disk (``fsync``) and only then renamed over the target. When anything fails
(a full disk, a short write, an error while producing) the temporary file is removed, the old
target is left as it was, and a :class:`WriteError` (an ``OSError``; the command line exits 2)
says what happened. SIGTERM and SIGHUP during a write (main thread, default handlers only)
raise ``SystemExit`` so that the temporary file is removed on the way out, as Ctrl+C
(``KeyboardInterrupt``) already does.
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path


class WriteError(OSError):
    """A file could not be written completely; the previous file (if any) is unchanged."""


def new_file_mode() -> int:
    """What a plain ``open(path, "w")`` gives a new file: 0o666 minus the process umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _file_mode(target: Path) -> int:
    """The target's current permissions, or :func:`new_file_mode` for a new file."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        return new_file_mode()


def _raise_exit(signum: int, _frame) -> None:
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def _signals_raise() -> Iterator[None]:
    """While writing: SIGTERM/SIGHUP with their default (kill) handler raise SystemExit instead,
    so that ``finally`` removes the temporary file."""
    replaced = []
    if threading.current_thread() is threading.main_thread():
        for name in ("SIGTERM", "SIGHUP"):
            sig = getattr(signal, name, None)
            if sig is not None and signal.getsignal(sig) == signal.SIG_DFL:
                signal.signal(sig, _raise_exit)
                replaced.append(sig)
    try:
        yield
    finally:
        for sig in replaced:
            signal.signal(sig, signal.SIG_DFL)


def check_pdf(path: Path) -> str | None:
    """A complete PDF ends with ``%%EOF`` (ISO 32000-1 §7.5.5); None if it does."""
    with open(path, "rb") as fh:
        fh.seek(0, os.SEEK_END)
        fh.seek(max(0, fh.tell() - 1024))
        tail = fh.read()
    return None if tail.rstrip().endswith(b"%%EOF") else "the PDF is incomplete (no %%EOF trailer)"


#: verification by the target's extension (besides "not empty")
VERIFIERS: dict[str, Callable[[Path], str | None]] = {".pdf": check_pdf}


def _verify(tmp: Path, target: Path, verify: Callable[[Path], str | None] | None) -> None:
    if verify is None and tmp.stat().st_size == 0:
        raise WriteError("nothing was written")
    for check in (VERIFIERS.get(target.suffix.lower()), verify):
        problem = check(tmp) if check is not None else None
        if problem:
            raise WriteError(problem)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable (POSIX; best effort)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(
    path: str | os.PathLike,
    produce: Callable[[Path], None],
    verify: Callable[[Path], str | None] | None = None,
) -> None:
    """Let ``produce`` write a temporary file beside ``path``; verify it (``verify(tmp)`` returns
    a problem or None, plus the checks by extension), fsync it and rename it over ``path`` with
    the target's permissions (or a new file's). Raises :class:`WriteError`; never leaves a
    half-written target or a temporary file behind."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    with _signals_raise():
        try:
            fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
        except OSError as exc:
            raise WriteError(f"cannot write {target}: {exc.strerror or exc}") from None
        os.close(fd)
        tmp = Path(name)
        replaced = False
        try:
            produce(tmp)
            _verify(tmp, target, verify)
            _fsync(tmp)
            os.chmod(tmp, _file_mode(target))
            os.replace(tmp, target)
            replaced = True
        except OSError as exc:
            kept = "the previous file is unchanged" if target.exists() else "no file was written"
            reason = str(exc) if isinstance(exc, WriteError) else (exc.strerror or str(exc))
            error = WriteError(f"cannot write {target}: {reason}; {kept}")
            error.errno = exc.errno
            raise error from exc
        finally:
            if not replaced:
                with contextlib.suppress(OSError):
                    tmp.unlink()
        _fsync_folder(folder)


def write_all(fd: int, data: bytes) -> None:
    """``os.write`` until every byte is written (a write that makes no progress is an error)."""
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        if n <= 0:
            raise WriteError(f"the disk accepted no more data ({len(data) - len(view):,} of {len(data):,} bytes)")
        view = view[n:]


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically and check that the file holds exactly ``len(data)`` bytes."""

    def produce(tmp: Path) -> None:
        fd = os.open(tmp, os.O_WRONLY | os.O_TRUNC | getattr(os, "O_BINARY", 0))
        try:
            write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)

    def same_size(tmp: Path) -> str | None:
        size = tmp.stat().st_size
        return None if size == len(data) else f"incomplete output ({size:,} of {len(data):,} bytes written)"

    atomic_write(path, produce, verify=same_size)


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8, newlines as given) to ``path`` atomically (see :func:`atomic_write_bytes`)."""
    atomic_write_bytes(path, text.encode("utf-8"))
