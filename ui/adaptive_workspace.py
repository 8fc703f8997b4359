"""The adaptive tab as a design workspace: the panels beside the simulation's summary.

:class:`Workspace` builds, for an :class:`ui.adaptive_tab.AdaptiveTab`, the extra settings
(futility bounds, sample-size recalculation), and the tabs Summary (the tab's own table and
plot, with Keep), Per stage / Boundaries, Sample size (search), Operating characteristics
(sweep) and Type I error (FWER over the nulls). It keeps them in step with the document: stale
after an edit, cleared when another scenario is opened, and, after an open, filled from the
results kept in the file (``designs.adaptive.results``, :mod:`planner.kept_results`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from planner.catalogue import ADAPTIVE_PANELS, KEPT_RESULTS, KEPT_WORDS

from .adaptive_panels import FwerPanel, MoreSettings, RunPanel, SearchPanel, StagesView
from .adaptive_sweep import SweepPanel
from .document import ScenarioDocument
from .tasks import TaskRunner

if TYPE_CHECKING:
    from .adaptive_tab import AdaptiveTab

RESULTS_PATH = "designs.adaptive.results"


def _scrolled(panel: QWidget) -> QScrollArea:
    """The panel in a scroll area: a narrow or low window scrolls it instead of squeezing the inputs."""
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    scroll.setWidget(panel)
    scroll.setMinimumSize(120, 120)
    return scroll


class Workspace:
    """The adaptive tab's panels and their wiring to the document and to the tab."""

    def __init__(self, tab: AdaptiveTab, doc: ScenarioDocument) -> None:
        self.tab, self.doc = tab, doc
        self.more = MoreSettings(doc)
        self.stages = StagesView(doc)
        self.search = SearchPanel(doc)
        self.sweep = SweepPanel(doc)
        self.fwer = FwerPanel(doc)
        self.panels: list[RunPanel] = [self.search, self.sweep, self.fwer]
        for panel in self.panels:
            panel.logged.connect(tab.logged)
            panel.keep_requested.connect(self.keep)
        self.keep_button = QPushButton(KEPT_WORDS["keep"])
        self.keep_button.setToolTip(KEPT_WORDS["keep_tip"])
        self.keep_button.setEnabled(False)
        self.keep_button.clicked.connect(self.keep_simulation)
        self.kept_label = QLabel()
        self.kept_label.setWordWrap(True)
        self.tab_widget: QTabWidget | None = None

    def connect(self) -> None:
        """Follow the document and the tab (called after the tab connected its own slots)."""
        self.doc.changed.connect(self.refresh)
        self.doc.opened.connect(self.opened)
        self.tab.finished.connect(self.simulation_finished)

    def tabs(self, summary: QWidget) -> QTabWidget:
        """The tab widget holding ``summary`` (the tab's table and plot) and the panels."""
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(summary, 1)
        row = QHBoxLayout()
        row.addWidget(self.keep_button)
        row.addWidget(self.kept_label, 1)
        lay.addLayout(row)
        tabs = QTabWidget()
        tabs.setDocumentMode(True)
        tabs.addTab(_scrolled(box), ADAPTIVE_PANELS["summary"])
        tabs.addTab(_scrolled(self.stages), ADAPTIVE_PANELS["stages"])
        tabs.setTabToolTip(1, "Rejection, selection and stopping per stage, and the boundaries")
        tabs.addTab(_scrolled(self.search), ADAPTIVE_PANELS["search"])
        tabs.addTab(_scrolled(self.sweep), ADAPTIVE_PANELS["sweep"])
        tabs.setTabToolTip(3, "Operating characteristics over a grid of truths")
        tabs.addTab(_scrolled(self.fwer), ADAPTIVE_PANELS["fwer"])
        self.tab_widget = tabs
        return tabs

    def runners(self) -> list[TaskRunner]:
        return [p.tasks for p in self.panels]

    def shutdown(self) -> None:
        for panel in self.panels:
            panel.shutdown()

    # ------------------------------------------------------------------ document
    def refresh(self, _path: str = "") -> None:
        present = "adaptive" in (self.doc.data.get("designs") or {})
        self.more.refresh(present)
        self.stages.schedule_boundaries()
        self.stages.set_stale(self.tab.stale)
        for panel in self.panels:
            panel.refresh()
        self.keep_button.setEnabled(self.tab.result is not None and not self.tab.stale
                                    and self.tab.result_scenario is not None and not self._kept_now())

    def opened(self) -> None:
        """Another scenario: clear every panel, then show what its file keeps."""
        self.stages.show_result(None)
        for panel in self.panels:
            panel.clear()
        self.kept_label.setText("")
        kept = self.doc.get(RESULTS_PATH) or {}
        if not isinstance(kept, dict) or not self.doc.valid:
            return
        self.sweep.load_kept(kept.get("sweep"))
        self.fwer.load_kept(kept.get("fwer"))
        entry = kept.get("simulation") or kept.get("null")
        if entry:
            self._load_simulation("simulation" if kept.get("simulation") else "null", entry)
        self.refresh()

    def _load_simulation(self, kind: str, entry: dict) -> None:
        from planner.kept_results import inputs_digest

        tab = self.tab
        result = entry.get("result")
        if not isinstance(result, dict):
            return
        fresh = self.doc.valid and entry.get("inputs") == inputs_digest(self.doc.scenario)
        tab.result = dict(result)
        tab.result_kind = "null" if kind == "null" else ""
        tab.result_scenario = tab._current_scenario(tab.result_kind) if fresh else None
        try:
            tab._show_result(tab.result)
        except (KeyError, TypeError, ValueError) as exc:
            tab.result = tab.result_scenario = None
            tab.status.setText(f"The kept result could not be shown: {exc}")
            return
        tab.status.setText(f"Kept in the scenario file: {KEPT_RESULTS[kind]} (seed {entry.get('seed')}, "
                           f"{entry.get('simulations', 0):,} simulated trials).")
        tab._set_stale(not fresh)
        if not fresh:
            tab.stale_label.setText(KEPT_WORDS["kept_stale"])
        self.stages.show_result(tab.result)
        self.kept_label.setText(KEPT_WORDS["kept"].capitalize() + ".")

    def simulation_finished(self) -> None:
        self.stages.show_result(self.tab.result)
        self.kept_label.setText("")
        self.refresh()

    def report_results(self) -> dict:
        """The sweep and FWER results of the current inputs, for the report (``build_report``)."""
        return {f"{p.kind}_result": p.result for p in (self.sweep, self.fwer)
                if p.result is not None and not p.stale and not p.tasks.running}

    # ------------------------------------------------------------------ keeping results
    def _kept_now(self) -> bool:
        return bool(self.kept_label.text())

    def keep_simulation(self) -> None:
        tab = self.tab
        if tab.result is None or tab.result_scenario is None or tab.stale:
            return
        from planner.kept_results import make_entry

        kind = "null" if tab.result_kind == "null" else "simulation"
        settings = {"simulations": tab.result.get("requested_simulations") or tab.result.get("simulations")}
        self.keep(kind, make_entry(tab.result_scenario, tab.result, settings))
        self.kept_label.setText(KEPT_WORDS["kept"].capitalize() + ".")
        self.keep_button.setEnabled(False)

    def keep(self, kind: str, entry: object) -> None:
        """Write the entry to ``designs.adaptive.results.<kind>`` (one undoable edit)."""
        self.doc.set_block(f"{RESULTS_PATH}.{kind}", entry, f"Keep {KEPT_RESULTS[kind]} in the scenario")


__all__ = ["RESULTS_PATH", "Workspace"]
