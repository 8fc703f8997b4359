"""Stage-wise data of the two-subset engine: the cells S (test-positive) and R (test-negative),
the populations F = S ∪ R and S, through the one implementation of the stage formulas
(:mod:`.kstages`, also used by the several-populations engine).

:func:`two_subset_stages` returns the endpoint's :mod:`.kstages` object with membership rows
F = (1, 1) and S = (1, 0), and the remainder R = (0, 1) as an extra measure row (the two-subset
``threshold`` rule looks at R's measure). ``stage(blocks, n, sizes)`` takes the (2, n) sizes of S
and R and returns the stage-wise z of F (row 0) and S (row 1); ``measures()`` the cumulative
measures of F, S, R; ``correlation()`` corr(Z_S, Z_F) for the Spiessens–Debois test. The random
numbers are drawn per cell in the order S, R (one normal each, or the binomials T_S, C_S, T_R,
C_R), so the draws are those of every earlier version.
"""

from __future__ import annotations

from .kstages import KSTAGES, Blocks

#: populations F, S over the cells S, R; the remainder R as an extra measure row
TWO_MEMBERSHIP = ((1.0, 1.0), (1.0, 0.0))
REMAINDER = ((0.0, 1.0),)


def two_subset_stages(model, n: int):
    """The stage data of a two-subset :class:`.model.SimModel` for ``n`` trials."""
    data = KSTAGES[model.endpoint](model, n, TWO_MEMBERSHIP, REMAINDER)
    data.as_list = True
    return data


__all__ = ["Blocks", "REMAINDER", "TWO_MEMBERSHIP", "two_subset_stages"]
