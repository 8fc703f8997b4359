"""planner.groupseq.rows.unique_rows groups rows as np.unique(axis=0) does (its first indices and
groups; the distinct rows in an order of their own), −0.0 with 0.0, NaN rows by np.unique's rules."""

from __future__ import annotations

import numpy as np

from planner.groupseq.rows import count_rows, unique_rows


def _same_groups(a: np.ndarray) -> None:
    u, first, inverse = unique_rows(a)
    ref_u, ref_first, ref_inverse = np.unique(a, axis=0, return_index=True, return_inverse=True)
    ref_inverse = np.ravel(ref_inverse)
    assert sorted(first.tolist()) == sorted(ref_first.tolist())
    assert np.array_equal(inverse[:, None] == inverse[None, :], ref_inverse[:, None] == ref_inverse[None, :])
    nan = a.dtype.kind == "f"
    assert np.array_equal(u, a[first], equal_nan=nan) and np.array_equal(u[inverse], a, equal_nan=nan)
    assert count_rows(a) == ref_u.shape[0]


def test_groups_as_np_unique_on_random_rows_with_repeats_and_signed_zeros():
    rng = np.random.default_rng(0)
    for trial in range(300):
        p, m = int(rng.integers(1, 40)), int(rng.integers(1, 8))
        a = rng.integers(-2, 3, size=(p, m)).astype(float) * rng.choice([1.0, 0.5])
        a[rng.random(a.shape) < 0.2] = -0.0
        _same_groups(a.astype(int) if trial % 3 == 0 else a)


def test_a_curve_of_distinct_rows_and_rows_with_nan():
    rng = np.random.default_rng(1)
    a = np.round(rng.random((200, 54)), 12)
    a[50:60] = a[40:50]
    _same_groups(a)
    b = np.array([[1.0, np.nan], [1.0, np.nan], [0.0, 2.0], [0.0, 2.0]])
    _same_groups(b)


def test_one_row_and_all_equal_rows_take_the_short_way():
    a = np.ones((5, 3))
    u, first, inverse = unique_rows(a)
    assert u.shape == (1, 3) and first.tolist() == [0] and inverse.tolist() == [0] * 5
    assert unique_rows(np.zeros((0, 3)))[0].shape == (0, 3)
