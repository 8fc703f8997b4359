"""Distinct rows of a 2-D array, fast where a comparison has one point or one structure.

``np.unique(a, axis=0)`` views the rows as structured records and sorts them: ~0.2 ms a call
even for one row, and the interim engine asks it several times per design and per root-search
step (distinct correlation structures, bounds, lattice cells). :func:`unique_rows` returns what
``np.unique(a, axis=0, return_index=True, return_inverse=True)`` returns (distinct rows in its
lexicographic order, the index of each one's first occurrence, each row's group), taking the
short way when every row equals the first.
"""

from __future__ import annotations

import numpy as np


def unique_rows(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(distinct rows, first index of each, inverse (P,)) of the rows of ``a`` (P, M), as np.unique."""
    a = np.asarray(a)
    if a.shape[0] == 0:
        return a, np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    nan = a.dtype.kind in "fc" and bool(np.isnan(a).any())   # NaN ≠ NaN: np.unique's own rules
    if a.shape[0] == 1 or (not nan and bool((a == a[:1]).all())):
        return a[:1], np.zeros(1, dtype=np.intp), np.zeros(a.shape[0], dtype=np.intp)
    u, first, inverse = np.unique(a, axis=0, return_index=True, return_inverse=True)
    return u, first, np.ravel(inverse)


def count_rows(a: np.ndarray) -> int:
    """The number of distinct rows of ``a`` (P, M)."""
    return int(unique_rows(a)[0].shape[0])
