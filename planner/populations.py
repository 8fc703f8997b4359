"""One population model: disjoint cells, each a mixture of outcome groups; populations are unions
of cells; F is every cell (issue 12, docs/scenario-format.md "Several biomarker populations").

A :class:`PopulationStructure` lists the **cells** as the trial's assay classifies patients (the
strata of a stratified analysis), each with its prevalence in the screened population and its
**components**: the outcome groups its patients come from, with their shares. A population is a
set of cells. Every design reduces a population to the *contrast cells*
``(weight, outcome group, t_a, t_b)`` of :mod:`planner.contrasts` with :meth:`PopulationStructure.within`.

* The cells form: each cell is its own outcome group (``Params.cells[name]``), component share 1.
* The version 1 two-subgroup form is the special case of two cells, test-positive and
  test-negative, mixing the true B+ and B− outcome groups (``Params.positive``/``negative``) with
  shares PPV, 1 − PPV and 1 − NPV, NPV (Simon & Maitournam 2004; :func:`planner.assay.assay_mix`),
  and one population, test-positive: :func:`assay_structure`. The version 1 designs of
  :mod:`planner.designs.build` compute exactly these mixtures (``mixture_cells(mix.ppv)``);
  ``tests/test_cells_v1_twin.py`` checks that the generic designs of :mod:`planner.designs.multipop`
  on this structure give their numbers.

Prevalences are numpy arrays (they broadcast), so a curve over the first population's prevalence
(:func:`cells_structure` with ``prevalence``) is computed in one pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .assay import assay_mix
from .catalogue import FULL_POPULATION

#: test-positive / test-negative: the two cells of the version 1 form
TEST_CELLS = ("test-positive", "test-negative")


@dataclass(frozen=True)
class PopulationStructure:
    """Cells (names, prevalences, outcome-group components) and named populations (cell indices)."""

    cells: tuple[str, ...]
    prevalence: tuple[np.ndarray, ...]
    components: tuple[tuple[tuple[object, str], ...], ...]
    populations: tuple[tuple[str, tuple[int, ...]], ...]

    @property
    def names(self) -> tuple[str, ...]:
        """F and the populations, in the order of hypotheses (index 0 is F)."""
        return (FULL_POPULATION, *(name for name, _ in self.populations))

    def members(self, name: str) -> tuple[int, ...]:
        """Indices of the cells of population ``name`` (F: every cell)."""
        if name == FULL_POPULATION:
            return tuple(range(len(self.cells)))
        return dict(self.populations)[name]

    def complement(self, name: str) -> tuple[int, ...]:
        inside = set(self.members(name))
        return tuple(i for i in range(len(self.cells)) if i not in inside)

    def share(self, members: Sequence[int]) -> np.ndarray:
        """Prevalence of a union of cells (the screened share)."""
        total = 0.0
        for i in members:
            total = total + self.prevalence[i]
        return np.asarray(total, dtype=float)

    def prevalence_of(self, name: str) -> np.ndarray:
        return self.share(self.members(name))

    def cell(self, i: int, t_a: float = 1.0, t_b: float = 0.0) -> list:
        """Contrast cells of cell ``i`` alone (a stratum)."""
        return [(w, group, t_a, t_b) for w, group in self.components[i]]

    def within(self, members: Sequence[int], t_a: float = 1.0, t_b: float = 0.0) -> list:
        """Contrast cells of the union of ``members``: each component weighted by its share of it."""
        if len(members) == 1:
            return self.cell(members[0], t_a, t_b)
        total = self.share(members)
        return [(self.prevalence[i] / total * w, group, t_a, t_b) for i in members for w, group in self.components[i]]

    def treating(self, members: Sequence[int], t_b: float) -> list:
        """Contrast cells over everyone, arm A treating the cells ``members`` only (strategy design)."""
        inside = set(members)
        return [(self.prevalence[i] * w, group, 1.0 if i in inside else 0.0, t_b)
                for i in range(len(self.cells)) for w, group in self.components[i]]


def cells_structure(population, prevalence: ArrayLike | None = None) -> PopulationStructure:
    """The structure of a cells-form :class:`~planner.scenario.Population`; each cell is its own
    outcome group. ``prevalence`` (array) replaces the first population's prevalence: its cells are
    scaled by γ/γ₁ and the others by (1 − γ)/(1 − γ₁), keeping their proportions."""
    names = tuple(c.name for c in population.cells)
    prev = [np.asarray(c.prevalence, dtype=float) for c in population.cells]
    first = set(population.populations[0].cells)
    if prevalence is not None:
        g = np.asarray(prevalence, dtype=float)
        g1 = float(sum(c.prevalence for c in population.cells if c.name in first))
        prev = [p * (g / g1 if name in first else (1.0 - g) / (1.0 - g1)) for p, name in zip(prev, names)]
    index = {name: i for i, name in enumerate(names)}
    return PopulationStructure(
        cells=names,
        prevalence=tuple(prev),
        components=tuple(((1.0, name),) for name in names),
        populations=tuple((q.name, tuple(sorted(index[c] for c in q.cells))) for q in population.populations),
    )


def assay_structure(prevalence: ArrayLike, sensitivity: ArrayLike, specificity: ArrayLike) -> PopulationStructure:
    """The version 1 form as a structure: cells test-positive and test-negative, mixtures of the
    true B+ and B− outcome groups (PPV; 1 − NPV), one population: test-positive."""
    mix = assay_mix(prevalence, sensitivity, specificity)
    return PopulationStructure(
        cells=TEST_CELLS,
        prevalence=(mix.p_test_positive, 1.0 - mix.p_test_positive),
        components=(((mix.ppv, "positive"), (1.0 - mix.ppv, "negative")),
                    ((mix.positive_share_in_test_negative, "positive"), (mix.npv, "negative"))),
        populations=((TEST_CELLS[0], (0,)),),
    )


def structure_of(par) -> PopulationStructure:
    """The structure of :class:`~planner.params.Params`: its cells form, else the assay's two cells."""
    if par.structure is not None:
        return par.structure
    return assay_structure(par.prevalence, par.sensitivity, par.specificity)


def stratum_weights(members: Sequence[int], shares: Sequence, units: Sequence) -> list:
    """Coefficients of the stratified statistic of a population over all cells: the cells' patients
    (events for survival) n_c ∝ s_c u_c inside, 0 outside; a one-cell population has coefficient 1."""
    inside = set(members)
    if len(inside) == 1:
        return [1.0 if i in inside else 0.0 for i in range(len(shares))]
    return [s * u if i in inside else 0.0 for i, (s, u) in enumerate(zip(shares, units))]
