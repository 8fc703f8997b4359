"""Distributed engine: many adaptive simulations (a sweep, a large run) on several processes or
on a Dask distributed cluster, with results identical bit for bit to the serial run.

Every simulation ``i`` of a batch is a model, a number of trials and a seed. Its trials are cut
into the blocks of :mod:`.simulate` (block b of a seed draws from
``PCG64(SeedSequence(seed).spawn(n_blocks)[b])``) and the blocks are grouped into chunks; a
*task* is one chunk of one simulation, ``run_chunk(model, block_seeds, block_sizes)``. Tasks are
independent, so they can run anywhere in any order; their integer counts are added per
simulation in chunk order, so the merged counts — and everything summarised from them — do not
depend on the backend, the number of workers or the order of completion.

Backends (:func:`run_many`):

* ``workers=1`` — serial, in this process;
* ``workers=N`` (default: the available cores, at most 8) — a local
  :class:`concurrent.futures.ProcessPoolExecutor` (fork start method where available: the
  workers inherit the loaded modules, so a pool starts in milliseconds);
* ``scheduler="tcp://host:8786"`` (or a ``dask.distributed.Client``) — a Dask distributed
  cluster (``pip install "enrichment-planner[cluster]"``); the workers need this package
  installed. No other network connection is made.

A seed may be an integer or a :class:`numpy.random.SeedSequence` (the adaptive assurance gives
each prior draw its own child sequence).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..blocks import seeded_chunks
from .model import SimModel
from .simulate import BLOCK, DEFAULT_CHUNK, Counts, new_counts, run_chunk

MAX_LOCAL_WORKERS = 8
#: trials per task: 4 blocks, small enough to balance two workers on one 10⁵-trial run
ENGINE_CHUNK = 4 * BLOCK
Seed = int | np.random.SeedSequence


@dataclass(frozen=True)
class Job:
    """One simulation of a batch: ``simulations`` trials of ``model`` from ``seed``."""

    model: SimModel
    simulations: int
    seed: Seed


def block_plan(simulations: int, seed: Seed, chunk_size: int = DEFAULT_CHUNK) -> list[tuple[list, list[int]]]:
    """The chunks of one simulation: (block seed sequences, block sizes), as :func:`.simulate.run`
    (:func:`planner.blocks.seeded_chunks`)."""
    return seeded_chunks(simulations, seed, BLOCK, chunk_size)


def local_workers() -> int:
    """The available cores, at most :data:`MAX_LOCAL_WORKERS`."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(MAX_LOCAL_WORKERS, cores))


def _pool_context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


class _Merger:
    """Adds finished chunks into per-job counts in chunk order (exact integer sums)."""

    def __init__(self, jobs: Sequence[Job]):
        self.jobs = jobs
        self.parts: list[dict[int, Counts]] = [{} for _ in jobs]
        self.total = sum(j.simulations for j in jobs)
        self.done = 0

    def add(self, job: int, chunk: int, counts: Counts) -> None:
        self.parts[job][chunk] = counts
        self.done += counts.n

    def result(self) -> list[Counts]:
        out = []
        for job, parts in zip(self.jobs, self.parts):
            c = new_counts(job.model)
            for k in sorted(parts):
                c.add(parts[k])
            out.append(c)
        return out


def _tasks(jobs: Sequence[Job], chunk_size: int) -> list[tuple[int, int, SimModel, list, list[int]]]:
    tasks = []
    for i, job in enumerate(jobs):
        for k, (seeds, sizes) in enumerate(block_plan(job.simulations, job.seed, chunk_size)):
            tasks.append((i, k, job.model, seeds, sizes))
    return tasks


def run_many(jobs: Sequence[Job], *, workers: int | None = None, scheduler: Any = None,
             chunk_size: int = ENGINE_CHUNK,
             progress: Callable[[int, int], object] | None = None,
             is_cancelled: Callable[[], bool] | None = None) -> tuple[list[Counts], bool]:
    """Simulate every job; returns their counts (in job order) and whether the batch was cancelled.

    ``progress(done, total)`` counts simulated trials over the whole batch; ``is_cancelled()`` is
    polled between tasks (a cancelled batch returns the chunks already finished; jobs may then
    have fewer trials than asked, even none).
    """
    jobs = list(jobs)
    tasks = _tasks(jobs, chunk_size)
    merger = _Merger(jobs)

    def on_done(task, counts: Counts) -> None:
        merger.add(task[0], task[1], counts)
        if progress is not None:
            progress(merger.done, merger.total)

    if scheduler is not None:
        cancelled = _run_dask(tasks, scheduler, on_done, is_cancelled)
    else:
        n_workers = local_workers() if workers is None else max(1, int(workers))
        n_workers = min(n_workers, len(tasks))
        if n_workers <= 1:
            cancelled = _run_serial(tasks, on_done, is_cancelled)
        else:
            cancelled = _run_pool(tasks, n_workers, on_done, is_cancelled)
    return merger.result(), cancelled


def _stop(is_cancelled: Callable[[], bool] | None) -> bool:
    return is_cancelled is not None and bool(is_cancelled())


def _run_serial(tasks, on_done, is_cancelled) -> bool:
    for task in tasks:
        if _stop(is_cancelled):
            return True
        on_done(task, run_chunk(*task[2:]))
    return False


def _run_pool(tasks, n_workers: int, on_done, is_cancelled) -> bool:
    cancelled = False
    with ProcessPoolExecutor(max_workers=n_workers, mp_context=_pool_context()) as pool:
        queue = iter(tasks)
        pending: dict = {}
        while True:
            # keep two tasks per worker in flight: a worker never waits for the next one
            while not cancelled and len(pending) < 2 * n_workers:
                if _stop(is_cancelled):
                    cancelled = True
                    break
                task = next(queue, None)
                if task is None:
                    break
                pending[pool.submit(run_chunk, *task[2:])] = task
            if not pending:
                break
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                on_done(pending.pop(fut), fut.result())
    return cancelled


def dask_client(scheduler: Any):
    """A ``dask.distributed.Client`` for an address (or the client itself, returned as is)."""
    try:
        from dask.distributed import Client
    except ImportError as exc:  # pragma: no cover - depends on the optional extra
        raise ValueError('--scheduler needs Dask: pip install "enrichment-planner[cluster]" '
                         '(dask[distributed])') from exc
    if isinstance(scheduler, Client):
        return scheduler, False
    try:
        return Client(str(scheduler), timeout="10s", set_as_default=False), True
    except (OSError, TimeoutError) as exc:
        raise ValueError(f"--scheduler {scheduler}: cannot connect to the Dask scheduler ({exc})") from None


def _run_dask(tasks, scheduler: Any, on_done, is_cancelled) -> bool:
    from dask.distributed import as_completed

    client, owned = dask_client(scheduler)
    try:
        futures = {}
        for task in tasks:
            fut = client.submit(run_chunk, *task[2:], pure=False)
            futures[fut] = task
        cancelled = False
        for fut in as_completed(list(futures), loop=client.loop):
            if not cancelled and _stop(is_cancelled):
                cancelled = True
                client.cancel([f for f in futures if not f.done()])
            if fut.cancelled():
                continue
            if fut.status == "finished":
                on_done(futures[fut], fut.result())
        return cancelled
    finally:
        if owned:
            client.close()


def runner(*, workers: int | None = None, scheduler: Any = None,
           chunk_size: int = ENGINE_CHUNK) -> Callable:
    """A drop-in for :func:`.simulate.run` (``api.simulate_model(runner=...)``) on this engine
    (its own chunk size: the results do not depend on it)."""

    def run(model: SimModel, simulations: int, seed: int, *, progress=None, is_cancelled=None,
            **_ignored) -> tuple[Counts, bool]:
        (counts,), cancelled = run_many([Job(model, simulations, seed)], workers=workers,
                                        scheduler=scheduler, chunk_size=chunk_size,
                                        progress=progress, is_cancelled=is_cancelled)
        return counts, cancelled

    return run


__all__ = ["Job", "block_plan", "dask_client", "local_workers", "run_many", "runner"]
