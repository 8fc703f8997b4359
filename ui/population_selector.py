"""The population selector beside the plots (the cells form, several biomarker populations).

Which population's prevalence the curves over prevalence and the design map vary, and which
effect the curves over the effect and the map vary (every cell outside that population, or one
cell): :func:`planner.population_sweeps.focus` gives the plots a scenario with that population
first (and that cell's effect as the effect axis); the designs' numbers are unchanged. Shown only
in the cells form. Words: the catalogue's ``POPULATION_SELECTOR_WORDS``.

The plots panel calls :meth:`PopulationSelector.focus` on every new scenario; a new choice clears
the panel's curve cache (its keys do not hold the choice) and hands the panel its last inputs again.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from planner.catalogue import POPULATION_SELECTOR_WORDS as WORDS


class PopulationSelector(QWidget):
    """Two combo boxes: the population whose prevalence varies, and the effect that varies."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.population = QComboBox()
        self.population.setToolTip(WORDS["population_tip"])
        self.effect = QComboBox()
        self.effect.setToolTip(WORDS["effect_tip"])
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(WORDS["population"]))
        layout.addWidget(self.population)
        layout.addWidget(QLabel(WORDS["effect"]))
        layout.addWidget(self.effect)
        self.population.currentIndexChanged.connect(self._chosen)
        self.effect.currentIndexChanged.connect(self._chosen)
        self.source: Any = None
        self._filled: tuple = ()
        self.setVisible(False)

    def _fill(self, scenario: Any) -> None:
        pops = tuple(q.name for q in scenario.population.populations) if scenario.has_cells else ()
        cells = tuple(c.name for c in scenario.population.cells) if scenario.has_cells else ()
        if (pops, cells) == self._filled:
            return
        self._filled = (pops, cells)
        old_pop, old_cell = self.population.currentData(), self.effect.currentData()
        for combo in (self.population, self.effect):
            combo.blockSignals(True)
            combo.clear()
        for name in pops:
            self.population.addItem(name, name)
        self.effect.addItem(WORDS["outside"], None)
        for name in cells:
            self.effect.addItem(WORDS["cell"].format(cell=name), name)
        self.population.setCurrentIndex(max(0, self.population.findData(old_pop)) if old_pop in pops else 0)
        self.effect.setCurrentIndex(self.effect.findData(old_cell) if old_cell in cells else 0)
        for combo in (self.population, self.effect):
            combo.blockSignals(False)
        self.setVisible(bool(pops))

    def choice(self) -> tuple[str | None, str | None]:
        """(population, cell) chosen; None for the defaults (the first population; outside it)."""
        pop = self.population.currentData() if self.population.currentIndex() > 0 else None
        return pop, self.effect.currentData()

    def focus(self, scenario: Any) -> Any:
        """``scenario`` as the plots show it (:func:`planner.population_sweeps.focus`); remembered."""
        self.source = scenario
        if scenario is None:
            return scenario
        self._fill(scenario)
        if not scenario.has_cells:
            return scenario
        from planner.population_sweeps import focus  # noqa: PLC0415

        pop, cell = self.choice()
        return focus(scenario, pop, cell)

    def _chosen(self, _index: int = 0) -> None:
        self.changed.emit()


def attach(panel: Any, bar: QHBoxLayout) -> PopulationSelector:
    """Put a selector in the plots panel's bottom ``bar``; a new choice redraws the panel's plots."""
    selector = PopulationSelector(panel)
    bar.insertWidget(1, selector)

    def redraw() -> None:
        if selector.source is None or panel.comparison is None:
            return
        panel.cache.clear()
        panel._ranges.clear()
        panel.set_inputs(selector.source, panel.comparison, panel.question, panel.n_given)

    selector.changed.connect(redraw)
    return selector


__all__ = ["PopulationSelector", "attach"]
