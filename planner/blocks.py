"""Seeded blocks of simulated trials, the one scheme behind every simulator.

A run of ``simulations`` trials is cut into blocks of ``block`` trials (the last one shorter);
block b draws its random numbers from ``SeedSequence(seed).spawn(n_blocks)[b]``. Blocks are
grouped into chunks of about ``chunk_size`` trials for progress, cancel and parallel work; since
each block has its own stream, results depend on neither the chunk size nor where a chunk runs
(numpy's SeedSequence spawning: independent, reproducible child streams).
"""

from __future__ import annotations

import numpy as np


def seeded_chunks(simulations: int, seed: int | np.random.SeedSequence, block: int, chunk_size: int
                  ) -> list[tuple[list[np.random.SeedSequence], list[int]]]:
    """``[(block seeds, block sizes), …]`` per chunk, in block order; raises for < 1 simulation.

    ``seed`` is an integer or a SeedSequence (a prior draw's own stream); the latter is copied
    first, since spawning advances the parent's counter and a run may be planned again."""
    simulations = int(simulations)
    if simulations < 1:
        raise ValueError("simulations must be at least 1")
    n_blocks = -(-simulations // block)
    if isinstance(seed, np.random.SeedSequence):
        root = np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key, pool_size=seed.pool_size)
    else:
        root = np.random.SeedSequence(int(seed))
    seeds = root.spawn(n_blocks)
    sizes = [block] * (n_blocks - 1) + [simulations - block * (n_blocks - 1)]
    per_chunk = max(1, -(-int(chunk_size) // block))
    return [(seeds[i:i + per_chunk], sizes[i:i + per_chunk]) for i in range(0, n_blocks, per_chunk)]


def run_seeded_blocks(run_block, simulations: int, seed: int, block: int, chunk_size: int, keys,
                      progress=None, is_cancelled=None) -> tuple[dict[str, np.ndarray], bool]:
    """Run ``run_block(rng, size)`` (a dict of per-trial arrays) over the blocks of
    :func:`seeded_chunks`, each with its own PCG64 stream; ``progress(done, simulations)`` after
    each chunk and ``is_cancelled()`` before it (the trials done so far are kept). Returns the
    arrays of ``keys`` concatenated over the blocks and whether the run was cancelled; raises when
    it was cancelled before any trial."""
    simulations = int(simulations)
    parts, done, cancelled = [], 0, False
    for seeds, sizes in seeded_chunks(simulations, seed, block, chunk_size):
        if is_cancelled is not None and is_cancelled():
            cancelled = True
            break
        for ss, size in zip(seeds, sizes):
            parts.append(run_block(np.random.Generator(np.random.PCG64(ss)), size))
        done += sum(sizes)
        if progress is not None:
            progress(done, simulations)
    if not parts:
        raise RuntimeError("the simulation was cancelled before any trial was simulated")
    return {key: np.concatenate([p[key] for p in parts]) for key in keys}, cancelled
