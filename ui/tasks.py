"""The app's one mechanism for long work off the GUI thread (modelled on Orange3's ``ConcurrentMixin``).

A function ``fn(state, *args)`` runs on a worker of a :class:`~PySide6.QtCore.QThreadPool` (Qt
threads, so that Qt objects such as the PDF writer's text document work there). It reports through
its :class:`TaskState` — ``state.set_progress(done, total)``, ``state.set_status(text)`` — and polls
``state.is_interruption_requested()`` to stop early when the user cancels. Its return value (any
object) or its exception comes back to the GUI thread through queued signals of the
:class:`TaskRunner`: ``done(object)``, ``failed(str)``, ``cancelled()``, ``progressed(int, int)``,
``status(str)``. A task superseded by a newer one (``start`` while running) is cancelled and its
result dropped. :class:`BusyIndicator` shows the running task with a progress bar and Cancel.

Used by: report export (PDF/HTML), the sensitivity grid, refined curves, the adaptive simulation and
the assurance.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

_POOL: QThreadPool | None = None


def pool() -> QThreadPool:
    """The app's worker pool (two workers: the machine may have few cores)."""
    global _POOL
    if _POOL is None:
        _POOL = QThreadPool()
        _POOL.setMaxThreadCount(max(2, min(4, QThreadPool.globalInstance().maxThreadCount())))
    return _POOL


class Cancelled(Exception):
    """Raised by :meth:`TaskState.check` once the task was asked to stop."""


class _Interrupted(BaseException):
    """Raised inside a core function by :func:`interruptible` (a BaseException: the core's own
    ``except Exception`` fallbacks do not swallow it)."""


class TaskState:
    """What a running task sees: progress reporting and the cancel flag (thread-safe)."""

    def __init__(self, relay: _Relay, generation: int) -> None:
        self._relay, self._generation = relay, generation
        self._cancel = threading.Event()
        self._last_emit = 0.0

    def is_interruption_requested(self) -> bool:
        return self._cancel.is_set()

    def request_interruption(self) -> None:
        self._cancel.set()

    def check(self) -> None:
        """Raise :class:`Cancelled` if the user cancelled (call between steps)."""
        if self._cancel.is_set():
            raise Cancelled

    def set_progress(self, done: int, total: int) -> None:
        now = time.perf_counter()  # at most ~30 updates a second reach the GUI thread
        if done >= total or now - self._last_emit > 0.033:
            self._last_emit = now
            self._emit("progressed", int(done), int(total))

    def set_status(self, text: str) -> None:
        self._emit("status", text)

    def _emit(self, signal: str, *values: Any) -> None:
        """Emit to the GUI thread; once the runner is gone (the window closed while this task ran),
        nobody listens: the task is cancelled and ends here, quietly (``_Interrupted`` is a
        BaseException, so the core's ``except Exception`` fallbacks do not swallow it)."""
        try:
            getattr(self._relay, signal).emit(self._generation, *values)
        except RuntimeError:  # "Signal source has been deleted"
            self._cancel.set()
            raise _Interrupted from None


def interruptible(state: TaskState, fn: Callable, *args: Any) -> Any:
    """``fn(*args)`` for a core function that cannot poll ``state`` (e.g. a closed group-sequential
    test running for seconds): a trace hook of this worker thread raises :class:`Cancelled` at the
    next Python call once the task is cancelled, so a cancelled or superseded task ends promptly.
    The hook only sees calls (no line events): ~5–10 % slower in numpy-heavy code."""
    state.check()

    def hook(frame, event, arg):  # noqa: ARG001 (sys.settrace signature)
        if state.is_interruption_requested():
            raise _Interrupted
        return None

    previous = sys.gettrace()
    sys.settrace(hook)
    try:
        return fn(*args)
    except _Interrupted:
        raise Cancelled from None
    finally:
        sys.settrace(previous)


class _Relay(QObject):
    """Lives in the GUI thread: a worker emits on it, so the connected slots run in the GUI thread."""

    progressed = Signal(int, int, int)
    status = Signal(int, str)
    finished = Signal(int, object, str, bool)  # generation, result, error text, cancelled


class _Job(QRunnable):
    def __init__(self, fn: Callable, args: tuple, state: TaskState, relay: _Relay, generation: int) -> None:
        super().__init__()
        self.fn, self.args, self.state, self.relay, self.generation = fn, args, state, relay, generation
        self.setAutoDelete(True)

    def run(self) -> None:
        result, error, cancelled = None, "", False
        try:
            result = self.fn(self.state, *self.args)
        except (Cancelled, _Interrupted):
            cancelled = True
        except Exception as exc:  # delivered to the GUI thread, never raised in the worker
            error = f"{type(exc).__name__}: {exc}"
            traceback.print_exc()
        try:
            self.relay.finished.emit(self.generation, result, error, cancelled)
        except RuntimeError:  # the runner is gone (window closed): nobody waits for it
            pass


class TaskRunner(QObject):
    """Runs one task at a time for its owner (a view); results come back as objects by signals."""

    started = Signal(str)
    progressed = Signal(int, int)
    status = Signal(str)
    done = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    idle = Signal()
    ended = Signal()  # a job of this runner ended (also a cancelled or superseded one)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._relay = _Relay(self)
        self._relay.progressed.connect(self._on_progress)
        self._relay.status.connect(self._on_status)
        self._relay.finished.connect(self._on_finished)
        self._generation = 0
        self._state: TaskState | None = None
        self._on_done: Callable[[Any], None] | None = None
        self._on_error: Callable[[str], None] | None = None
        self.title = ""
        self.active = 0  # jobs started and not yet ended (a cancelled one runs until its next check)

    @property
    def running(self) -> bool:
        return self._state is not None

    def start(self, title: str, fn: Callable, *args: Any, on_done: Callable[[Any], None] | None = None,
              on_error: Callable[[str], None] | None = None) -> TaskState:
        """Run ``fn(state, *args)`` in the pool; a running task is cancelled and its result dropped."""
        self.cancel()
        self._generation += 1
        self._state = TaskState(self._relay, self._generation)
        self._on_done, self._on_error, self.title = on_done, on_error, title
        self.active += 1
        pool().start(_Job(fn, args, self._state, self._relay, self._generation))
        self.started.emit(title)
        return self._state

    def cancel(self) -> None:
        """Ask the running task to stop; it reports ``cancelled`` and its result is dropped."""
        if self._state is not None:
            self._state.request_interruption()
            self._state = None
            self.cancelled.emit()
            self.idle.emit()

    def stop(self) -> None:
        """Ask the running task to finish early but keep what it returns (partial results)."""
        if self._state is not None:
            self._state.request_interruption()
            self.status.emit("Stopping…")

    def wait(self, ms: int = 5000) -> bool:
        """Block until the pool is idle (tests, shutdown)."""
        return pool().waitForDone(ms)

    def _on_progress(self, generation: int, done: int, total: int) -> None:
        if generation == self._generation and self._state is not None:
            self.progressed.emit(done, total)

    def _on_status(self, generation: int, text: str) -> None:
        if generation == self._generation and self._state is not None:
            self.status.emit(text)

    def _on_finished(self, generation: int, result: Any, error: str, cancelled: bool) -> None:
        self.active -= 1
        self.ended.emit()
        if generation != self._generation or self._state is None:
            return  # superseded or cancelled: dropped (a stopped task's partial result is kept)
        self._state = None
        on_done, on_error = self._on_done, self._on_error
        self._on_done = self._on_error = None
        if cancelled:
            self.cancelled.emit()
        elif error:
            self.failed.emit(error)
            if on_error is not None:
                on_error(error)
        else:
            self.done.emit(result)
            if on_done is not None:
                on_done(result)
        self.idle.emit()


class BusyIndicator(QWidget):
    """A busy bar with the task's name and Cancel, shown while any watched runner works."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(160)
        self.bar.setMaximumHeight(14)
        self.bar.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the running task")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.label)
        lay.addWidget(self.bar)
        lay.addWidget(self.cancel_button)
        self.runners: list[TaskRunner] = []
        self.cancel_button.clicked.connect(self.cancel_all)
        self.hide()

    def watch(self, runner: TaskRunner) -> None:
        self.runners.append(runner)
        runner.started.connect(lambda title: self._started(runner, title))
        runner.progressed.connect(self._progress)
        runner.status.connect(self.label.setText)
        runner.idle.connect(self._maybe_hide)

    def _started(self, runner: TaskRunner, title: str) -> None:
        self.label.setText(title + "…")
        self.bar.setRange(0, 0)  # busy until the first progress report
        self.show()

    def _progress(self, done: int, total: int) -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(done)

    def _maybe_hide(self) -> None:
        busy = [r for r in self.runners if r.running]
        if busy:
            self.label.setText(busy[0].title + "…")
        else:
            self.hide()

    def cancel_all(self) -> None:
        for runner in self.runners:
            runner.cancel()
