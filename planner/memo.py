"""Bounded least-recently-used memos kept in an ``OrderedDict`` (the core's caches of look
factors, drift searches and recursion kernels): one store and one touch, safe when another
thread drops an entry meanwhile."""

from __future__ import annotations

from collections import OrderedDict


def keep(cache: OrderedDict, key, value, size: int) -> None:
    """Store ``value`` in the bounded ``cache``, the least recently used entries dropped (a
    concurrent drop by another thread is harmless)."""
    cache[key] = value
    while len(cache) > size:
        try:
            cache.popitem(last=False)
        except KeyError:
            break


def touch(cache: OrderedDict, key) -> None:
    """Mark ``key`` as recently used (gone already: nothing to do)."""
    try:
        cache.move_to_end(key)
    except KeyError:
        pass
