"""Issue 15: exact binary power against a published value (not only against our own enumeration).

Source: P. G. Mathews (Mathews Malnar and Bailey, Inc.), Minitab macro ``fisherspower.mac``
("Fisher's Exact Test Power Calculation", reference: Mathews, *Sample Size Calculations:
Practical Methods for Engineers and Scientists*, 2010, §4.3.2.1, p. 97). Its documented example
call ``%fisherspower 0.01 0.05 80 80`` (H0: p1 = p2 against Ha: p1 < p2, one-sided, the macro's
default α = 0.05) "should return power = 0.211135". The macro enumerates the x1 × x2 table exactly
as planner/exact_binary.py does (exact unconditional power of Fisher's conditional test).
Found through the page store as a copy of the macro text (Nemotron-CC-Math-v1 web excerpt of the
MM&B macro page); the number is printed to 6 decimals, so the tolerance is half a unit in the
6th decimal (5e-7) plus float noise.

The published α is not repeated in the excerpt; the value pins it: at one-sided α = 0.025 and
0.10 the same design has power 0.112 and 0.348, far from 0.211135.
"""

from __future__ import annotations

import pytest

from planner.exact_binary import exact_power

#: (n_treatment, n_control, p_treatment, p_control, one-sided α, published power, decimals printed)
MATHEWS_FISHERSPOWER = (80, 80, 0.05, 0.01, 0.05, 0.211135, 6)


def test_fisher_exact_power_matches_mathews_published_example():
    n_t, n_c, p_t, p_c, alpha, published, decimals = MATHEWS_FISHERSPOWER
    res = exact_power(n_t, n_c, p_t, p_c, alpha, sign=1.0)
    assert res["fisher"] == pytest.approx(published, abs=0.5 * 10.0 ** -decimals + 1e-12)


def test_published_example_in_the_lower_direction_is_the_mirror():
    """Same design with 'lower is better' (rates swapped, sign −1) gives the same published power."""
    n_t, n_c, p_t, p_c, alpha, published, decimals = MATHEWS_FISHERSPOWER
    res = exact_power(n_t, n_c, p_c, p_t, alpha, sign=-1.0)
    assert res["fisher"] == pytest.approx(published, abs=0.5 * 10.0 ** -decimals + 1e-12)


@pytest.mark.parametrize("alpha", [0.025, 0.10])
def test_published_value_pins_the_level(alpha):
    n_t, n_c, p_t, p_c, _, published, _ = MATHEWS_FISHERSPOWER
    assert abs(exact_power(n_t, n_c, p_t, p_c, alpha)["fisher"] - published) > 0.05
