"""The design comparison table: one row per design, solve-for selector, copy TSV, export CSV."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from planner.catalogue import COMPARISON_COLUMNS, FIELDS_BY_PATH
from planner.results import Comparison, DesignResult

from .population_results import CLAIMS_HEADER, design_population, population_claims

MODES = (
    ("sample_size", "Sample size (given power)"),
    ("power", "Power (given N)"),
    ("effect", "Detectable B+ effect (given N and power)"),
    ("auto", "As in the file (auto)"),
)
COLUMNS = (
    "Design", "N randomized", "Per arm (T : C)", "Screened", "Events", "Power",
    "Claims: F · S · ≥1 · both", "Detectable B+ effect", "Cost", "Efficiency", "Accrual / rates needed",
    "Assurance ± MC SE", "Maximum N", "Expected N (H1)",
)
HEADER_TIPS = (
    "★ marks the cheapest design that meets the target power",
    "Total randomized, both arms (hover a cell for the unrounded solution)",
    "Randomized per arm, treatment : control (allocation ratio treatment : control)",
    "Patients tested with the assay (0 for all-comers)",
    "Events at the analysis (survival; event-driven)",
    "Achieved power at the integer size (the claim the design is sized for)",
    "Stratified design: power of the overall (F) and B+ subgroup (S) claims, at least one, both",
    "Smallest B+ effect reaching the target power at this N",
    "per screened × screened + per randomized × randomized",
    "Efficiency relative to all-comers: all-comers N / this design's N",
    "Accrual duration from the screening rate, or the rates a survival design needs",
    "Assurance: the power averaged over the scenario's uncertainty block (prior draws), ± its Monte Carlo "
    "standard error; hover a cell for P(power > 80%) and the quantiles of power. Shown only when the "
    "scenario has an uncertainty block",
    f"Interim analyses: {COMPARISON_COLUMNS['n_randomized']}, the group-sequential plan's maximum",
    f"Interim analyses: {COMPARISON_COLUMNS['expected_n_h1']}; hover a cell for H0 and, survival, the events",
)
#: logical index of the assurance column (shown beside Power; after the others so their indices stay put)
ASSURANCE_COL = 11
#: maximum and expected N under H1 (shown when a design has interim analyses)
MAX_N_COL, EXPECTED_N_COL = 12, 13
POWER_COL = 5
CLAIM_ORDER = ("overall", "subgroup", "either", "both")
#: the comparison CSV's columns (one schema: the app and ``export --what comparison``)
CSV_FIELDS = tuple(COMPARISON_COLUMNS)
RAW = Qt.ItemDataRole.UserRole
CHEAPEST_BG = QColor("#e3f4e1")
UPDATING = QColor("#999")


def _n(x: int | None) -> str:
    return "—" if x is None else f"{x:,}"


def _f(x: float | None) -> str:
    return "—" if x is None else f"{x:,.1f}"


def _p(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"



class ComparisonView(QWidget):
    """Table of every design's result; emits ``questionChanged`` when the solve-for mode changes."""

    questionChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.comparison: Comparison | None = None
        self.assurance: dict | None = None  # design → planner.assurance.AssuranceResult
        self.assurance_enabled = False  # the scenario has an uncertainty block
        self.assurance_current = False  # self.assurance belongs to self.comparison
        self.fills = 0  # tables filled (one per comparison shown)
        self._batch_depth = 0
        self.mode = QComboBox()
        for key, text in MODES:
            self.mode.addItem(text, key)
        self.mode.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.mode.setMinimumContentsLength(14)  # narrow windows: the choice is elided, not the window widened
        self.mode.setToolTip("What to solve for: the sample size reaching the target power, the power at a "
                             "given total N, or the smallest B+ effect detectable at N with the target power")
        self.n_spin = QSpinBox()
        n_spec = FIELDS_BY_PATH["designs.all_comers.n_randomized"]  # the same bounds as a fixed N
        self.n_spin.setRange(int(n_spec.lo), int(n_spec.hi))
        self.n_spin.setValue(400)
        self.n_spin.setSingleStep(10)
        self.n_spin.setGroupSeparatorShown(True)
        self.n_spin.setToolTip("Total randomized (both arms) for the power and detectable-effect questions")
        self.n_label = QLabel("N (total randomized):")
        copy_button = QPushButton("Copy as TSV")
        copy_button.setToolTip("Copy the table (tab-separated) to paste into a spreadsheet")
        copy_button.clicked.connect(self.copy_tsv)
        export_button = QPushButton("Export CSV…")
        export_button.clicked.connect(self.export_csv_dialog)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Solve for:"))
        bar.addWidget(self.mode, 4)
        self.mode.setMaximumWidth(340)  # wide windows show the whole choice; narrow ones elide it
        bar.addWidget(self.n_label)
        bar.addWidget(self.n_spin)
        bar.addStretch(1)
        bar.addWidget(copy_button)
        bar.addWidget(export_button)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        for c, tip in enumerate(HEADER_TIPS):
            self.table.horizontalHeaderItem(c).setToolTip(tip)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.moveSection(ASSURANCE_COL, POWER_COL + 1)  # shown right after Power
        self.user_hidden: set[int] = set()  # columns the user hid (header's context menu)
        self._set_column_hidden(ASSURANCE_COL, True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)
        header.setToolTip("Right-click to hide or show columns")
        self.table.setWordWrap(False)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.status)
        layout.addWidget(self.table)
        self.mode.currentIndexChanged.connect(self._mode_changed)
        self.n_spin.valueChanged.connect(lambda _v: self.questionChanged.emit())
        self._mode_changed()

    # ------------------------------------------------------------------ question
    @property
    def question(self) -> str:
        return str(self.mode.currentData())

    @property
    def n_randomized(self) -> int | None:
        return self.n_spin.value() if self.question in ("power", "effect") else None

    def set_question(self, question: str, n: int | None = None) -> None:
        if n is not None:
            self.n_spin.setValue(int(n))
        self.mode.setCurrentIndex(max(0, self.mode.findData(question)))

    def _set_column_hidden(self, column: int, hidden: bool) -> None:
        """Hide a column that does not apply (or that the user hid); show it otherwise."""
        self.table.setColumnHidden(column, hidden or column in self.user_hidden)
        self.table.horizontalHeaderItem(column).setData(Qt.ItemDataRole.UserRole, hidden)

    def hide_column(self, column: int, hidden: bool) -> None:
        """The user hides or shows a column (kept when the table is filled again)."""
        (self.user_hidden.add if hidden else self.user_hidden.discard)(column)
        applies = not self.table.horizontalHeaderItem(column).data(Qt.ItemDataRole.UserRole)
        self.table.setColumnHidden(column, hidden or not applies)

    def _column_menu(self, pos) -> None:
        menu = QMenu(self)
        for c, name in enumerate(COLUMNS):
            if c == 0 or self.table.horizontalHeaderItem(c).data(Qt.ItemDataRole.UserRole):
                continue  # the design column stays; columns that do not apply are not offered
            action = menu.addAction(name)
            action.setCheckable(True)
            action.setChecked(c not in self.user_hidden)
            action.toggled.connect(lambda on, col=c: self.hide_column(col, not on))
        menu.exec(self.table.horizontalHeader().mapToGlobal(pos))

    def _mode_changed(self) -> None:
        uses_n = self.question in ("power", "effect")
        self.n_spin.setEnabled(uses_n)
        self.n_label.setEnabled(uses_n)
        self.questionChanged.emit()

    # ------------------------------------------------------------------ showing results
    def set_stale(self, reason: str) -> None:
        """Grey the results and say why (invalid input)."""
        self._set_status(f"⚠ Results not updated: {reason}", "color: #8a5300; background: #fff6e0; padding: 4px;")
        self.table.setEnabled(False)

    def set_computing(self, text: str) -> None:
        """The comparison runs on a worker: the table keeps the last results, greyed, and says so."""
        self._set_status(text, "color: #0d47a1; background: #e3f2fd; padding: 2px;")
        self.table.setEnabled(False)

    def show_comparison(self, comparison: Comparison) -> None:
        self.comparison = comparison
        self.table.setEnabled(True)
        cheapest = comparison.cheapest_meeting_target
        if cheapest:
            label = comparison.designs[cheapest].label
            basis = "cost" if comparison.scenario.get("costs") else "randomized N"
            self._set_status(f"★ Cheapest design meeting the target power (by {basis}): {label}",
                             "color: #1b5e20; padding: 2px;")
        else:
            self._set_status("No design meets the target power at this size." if self.question != "sample_size"
                             else "No design can reach the target power.", "color: #555; padding: 2px;")
        results = list(comparison.designs.values())
        with self.batch():
            self.table.clearSpans()
            self.table.setRowCount(len(results))
            for i, r in enumerate(results):
                self._fill_row(i, r, r.design == cheapest)
            show_effect = self.question != "sample_size"
            self._set_column_hidden(7, not show_effect)
            self._set_column_hidden(6, not any(r.claims or population_claims(r) for r in results))
            cells = any(population_claims(r) for r in results)
            header = CLAIMS_HEADER if cells else COLUMNS[6]
            if self.table.horizontalHeaderItem(6).text() != header:
                self.table.horizontalHeaderItem(6).setText(header)
            self._set_column_hidden(4, not any(r.events is not None for r in results))
            self._set_column_hidden(8, not any(r.cost is not None for r in results))
            self._fill_interim(results)
            self.assurance_current = False
            self._fill_assurance()
        self.fills += 1

    def _set_status(self, text: str, style: str) -> None:
        """The line above the table (set only when it changes: a new style sheet re-polishes the
        label and lays the window out again, ~3 repaints of the whole window per edit)."""
        if self.status.text() != text:
            self.status.setText(text)
        if self.status.styleSheet() != style:
            self.status.setStyleSheet(style)
        self.status.show()

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Fill many cells at the cost of one: the columns fit their contents once, at the end
        (in ``ResizeToContents`` mode the header measures every column again after each cell
        set, ~25 ms for a table of five designs)."""
        header = self.table.horizontalHeader()
        if self._batch_depth == 0:
            header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self._batch_depth += 1
        try:
            yield
        finally:
            self._batch_depth -= 1
            if self._batch_depth == 0:
                header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
                header.setStretchLastSection(False)  # the last visible column fills the width again
                header.setStretchLastSection(True)

    def _fill_interim(self, results: list[DesignResult]) -> None:
        """Maximum and expected N under H1 of each design with interim analyses (columns hidden
        when none has a plan); survival: the expected events in the tooltip."""
        shown = any(r.feasible and r.looks for r in results)
        for c in (MAX_N_COL, EXPECTED_N_COL):
            self._set_column_hidden(c, not shown)
        if not shown:
            return
        for i, r in enumerate(results):
            if not r.feasible:
                continue
            if not r.looks:
                self.table.setItem(i, MAX_N_COL, self._item("—", None, "no interim analyses: fixed size"))
                self.table.setItem(i, EXPECTED_N_COL, self._item("—", None))
                continue
            tip = f"{r.interim_text}\nexpected under H0: {_f(r.expected_n_h0)}"
            if r.expected_events_h1 is not None:
                tip += f"\nexpected events under H1 {_f(r.expected_events_h1)}, under H0 {_f(r.expected_events_h0)}"
            items = {MAX_N_COL: self._item(_n(r.n_randomized), r.n_randomized, COMPARISON_COLUMNS["n_randomized"]),
                     EXPECTED_N_COL: self._item(_f(r.expected_n_h1), r.expected_n_h1, tip)}
            for c, item in items.items():
                item.setBackground(self.table.item(i, 1).background())  # the cheapest design's row stays marked
                item.setFont(self.table.item(i, 1).font())
                self.table.setItem(i, c, item)

    # ------------------------------------------------------------------ assurance
    def set_assurance_enabled(self, on: bool) -> None:
        """Show the assurance column (the scenario has an uncertainty block) or hide and forget it."""
        self.assurance_enabled = bool(on)
        if not on:
            self.assurance = None
            self.assurance_current = False
        self._set_column_hidden(ASSURANCE_COL, not on)

    def show_assurance(self, results: dict) -> None:
        """Fill the assurance column with ``{design: AssuranceResult}`` of the shown comparison."""
        self.assurance = dict(results or {})
        self.assurance_current = True
        with self.batch():
            self._fill_assurance()

    def _fill_assurance(self) -> None:
        t = self.table
        self._set_column_hidden(ASSURANCE_COL, not self.assurance_enabled)
        if not self.assurance_enabled:
            return
        results = self.assurance or {}
        for i in range(t.rowCount()):
            first = t.item(i, 0)
            if first is None or t.columnSpan(i, 1) > 1:
                continue  # an infeasible design: its message spans the row
            a = results.get(first.data(RAW))
            if a is None:
                item = self._item("…" if not self.assurance_current else "—", None,
                                  "computing the assurance…" if not self.assurance_current
                                  else "not a fixed design: no assurance")
            elif a.assurance is None:
                item = self._item("—", None, a.message)
            elif a.conflicts:  # the uncertainty block describes other values: not these assumptions' assurance
                item = self._item("conflict", None, "Not for these assumptions:\n" + "\n".join(a.conflicts))
            else:
                q = a.power_quantiles
                tip = (f"Assurance {a.assurance:.4f}, Monte Carlo SE {a.assurance_se:.4f} "
                       f"({a.draws:,} prior draws, seed {a.seed})\n"
                       f"P(power > {a.power_threshold:.0%}) = {a.prob_power_above:.3f}\n"
                       "power quantiles: " + ", ".join(f"{float(k):.0%} {v:.3f}" for k, v in q.items()))
                if a.claims:
                    tip += "\nassurance of each claim: " + ", ".join(f"{k} {v:.3f}" for k, v in a.claims.items())
                if not self.assurance_current:
                    tip = "updating… (previous inputs)\n" + tip
                item = self._item(f"{a.assurance:.3f} ± {a.assurance_se:.3f}", a.assurance, tip)
            if not self.assurance_current:
                item.setForeground(QBrush(UPDATING))
            neighbour = t.item(i, POWER_COL)
            if neighbour is not None:
                item.setBackground(neighbour.background())
                item.setFont(neighbour.font())
            t.setItem(i, ASSURANCE_COL, item)

    def _item(self, text: str, raw: object = None, tip: str = "") -> QTableWidgetItem:
        item = QTableWidgetItem(text)
        item.setData(RAW, raw)
        if tip:
            item.setToolTip(tip)
        if text and (text[0].isdigit() or text[0] in "—-"):
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return item

    def _fill_row(self, i: int, r: DesignResult, cheapest: bool) -> None:
        t = self.table
        name = ("★ " if cheapest else "") + r.label
        if design_population(r):  # cells form: the population it randomizes (ui/population_results.py)
            name += f": {design_population(r)}"
        tip = f"{r.label} [{r.design}]\nmethod: {r.method}" + "".join(f"\nnote: {n}" for n in r.notes)
        first = self._item(name, r.design, tip)
        t.setItem(i, 0, first)
        if not r.feasible:
            t.setItem(i, 1, self._item(f"not attainable: {r.message}", None, r.message))
            t.setSpan(i, 1, 1, len(COLUMNS) - 1)
            for c in range(1, len(COLUMNS)):
                if c > 1:
                    t.setItem(i, c, self._item("", None))
            first.setForeground(QBrush(QColor("#888")))
            return
        arms = r.n_per_arm or {}
        exact = f"unrounded {r.n_randomized_exact:,.2f}" if r.n_randomized_exact is not None else ""
        if r.n_evaluable is not None and r.n_evaluable != r.n_randomized:  # dropout (planner.dropout)
            exact += f"; evaluable {r.n_evaluable:,.0f} before dropout inflation"
        t.setItem(i, 1, self._item(_n(r.n_randomized), r.n_randomized, exact))
        t.setItem(i, 2, self._item(f"{_n(arms.get('treatment'))} : {_n(arms.get('control'))}",
                                   (arms.get("treatment"), arms.get("control"))))
        t.setItem(i, 3, self._item(_n(r.n_screened), r.n_screened, "patients tested with the assay"))
        ev_tip = (f"unrounded {r.events_exact:,.2f}; expected at N: {r.expected_events:,.1f}"
                  if r.events is not None and r.events_exact is not None else "")
        t.setItem(i, 4, self._item(_n(r.events), r.events, ev_tip))
        power_text, power_tip = _p(r.power), f"target {r.target_power:g}" if r.target_power else ""
        if r.power_exact is not None:  # binary testing.exact_power (planner.exact_binary)
            power_text += f" (exact {_p(r.power_exact)})"
            power_tip += f"; exact power of the z-test {r.power_exact:.4f}" + (
                f", Fisher's exact test {r.power_fisher:.4f}" if r.power_fisher is not None else "")
        t.setItem(i, 5, self._item(power_text, r.power, power_tip))
        claims = " · ".join(_p(r.claims.get(c)) for c in CLAIM_ORDER) if r.claims else ""
        by_population = population_claims(r)  # cells form: F and each population, ≥1, all
        claims_tip = by_population[1] if by_population else ""
        claims = by_population[0] if by_population else claims
        t.setItem(i, 6, self._item(claims, dict(r.claims), claims_tip))
        de = r.detectable_effect
        de_text = "" if de is None else ("—" if de.value is None else f"{de.parameter} {de.value:.4g}")
        t.setItem(i, 7, self._item(de_text, None if de is None else de.value, de.message if de else ""))
        cost = "—" if r.cost is None else f"{r.cost:,.0f} {r.currency or ''}".strip()
        t.setItem(i, 8, self._item(cost, r.cost))
        eff = "—" if r.efficiency is None else f"{r.efficiency:.2f}"
        t.setItem(i, 9, self._item(eff, r.efficiency, "all-comers N / this design's N (unrounded)"))
        if r.accrual_duration is not None:
            unit = ((self.comparison.scenario.get("survival") or {}).get("time_unit") or "months") \
                if self.comparison else "months"
            acc = f"{r.accrual_duration:.1f} {unit}"
        elif r.screening_rate_needed is not None:
            unit = ((self.comparison.scenario.get("survival") or {}).get("time_unit") or "month").rstrip("s") \
                if self.comparison else "month"
            acc = f"screen {r.screening_rate_needed:.1f}, randomize {r.randomization_rate_needed:.1f} per {unit}"
        else:
            acc = ""
        t.setItem(i, 10, self._item(acc, r.accrual_duration))
        if cheapest:
            bold = QFont()
            bold.setBold(True)
            for c in range(len(COLUMNS)):
                item = t.item(i, c)
                if item is not None:
                    item.setBackground(QBrush(CHEAPEST_BG))
                    item.setFont(bold)
            first.setToolTip(tip + "\n★ cheapest design meeting the target power")

    # ------------------------------------------------------------------ copy / export
    def to_tsv(self) -> str:
        """Visible columns as tab-separated text (the header first)."""
        header = self.table.horizontalHeader()
        visual = [header.logicalIndex(v) for v in range(header.count())]
        cols = [c for c in visual if not self.table.isColumnHidden(c)]
        lines = ["\t".join(COLUMNS[c] for c in cols)]
        for i in range(self.table.rowCount()):
            cells = []
            for c in cols:
                item = self.table.item(i, c)
                cells.append(item.text() if item else "")
            lines.append("\t".join(cells))
        return "\n".join(lines) + "\n"

    def copy_tsv(self) -> None:
        QGuiApplication.clipboard().setText(self.to_tsv())

    def to_csv(self) -> str:
        """The comparison CSV (:func:`planner.report.csv_export.comparison_csv`, the writer of
        ``export --what comparison``), with the assurance column shown (when current)."""
        from planner.report.csv_export import comparison_csv

        if self.comparison is None:
            return comparison_csv(Comparison({}, {}, {}, ""), {})
        with_assurance = self.assurance_enabled and self.assurance_current and self.assurance is not None
        return comparison_csv(self.comparison, self.assurance if with_assurance else {})

    def export_csv_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export comparison", "comparison.csv", "CSV (*.csv)")
        if path:
            from .export_files import export_text

            export_text(self, path, self.to_csv(), "the comparison")
