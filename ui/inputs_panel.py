"""The inputs panel: every scenario field, grouped, with derived quantities read-only."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QScrollArea,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from planner.catalogue import DESIGNS, FIELDS_BY_PATH, INPUT_FIELDS, SOLVE_TEXT, design_label
from planner.scenario import FIXED_DESIGNS

from . import binary_effect_editor as effects
from .cells_table import add_cells_inputs, is_cells_problem, refresh_cells_inputs
from .derived import derived_quantities
from .document import ScenarioDocument
from .field_widgets import ERROR_STYLE, FieldRow
from .interim_panel import InterimBox
from .piecewise_table import add_piecewise_inputs, refresh_piecewise_inputs

GROUPS = [
    ("general", "Scenario"),
    ("population", "Population and assay"),
    ("positive", "B+ (true biomarker-positive)"),
    ("negative", "B− (true biomarker-negative)"),
    ("derived", "Derived (read-only)"),
    ("testing", "Testing"),
    ("survival", "Survival: accrual and follow-up"),
    ("costs", "Costs"),
    ("recruitment", "Recruitment"),
    ("designs", "Designs"),
]
OPTIONAL_BLOCKS = {
    "costs": {"per_screened": 0.0, "per_randomized": 0.0, "currency": "USD"},
    "recruitment": {"screening_rate": 20.0},
}
SLIDER_STEPS = 1000
MAX_MIN_WIDTH = 320  # the panel never forces the window wider (1024 × 700 must fit)


class InputsPanel(QScrollArea):
    """Scrollable form bound to a :class:`ScenarioDocument`."""

    def __init__(self, doc: ScenarioDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.rows: dict[str, FieldRow] = {}
        self.forms: dict[str, QFormLayout] = {}
        self.boxes: dict[str, QGroupBox] = {}
        self.design_checks: dict[str, QCheckBox] = {}
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)  # a narrow window scrolls
        body = QWidget()
        layout = QVBoxLayout(body)
        self.other_problems = QLabel()
        self.other_problems.setStyleSheet(ERROR_STYLE)
        self.other_problems.setWordWrap(True)
        self.other_problems.hide()
        layout.addWidget(self.other_problems)
        for key, title in GROUPS:
            box = QGroupBox(title)
            form = QFormLayout(box)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
            form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # narrow panel: value below its label
            self.forms[key], self.boxes[key] = form, box
            layout.addWidget(box)
            if key in OPTIONAL_BLOCKS:
                box.setCheckable(True)
                box.setToolTip(f"Tick to include a '{key}' block in the scenario")
                box.toggled.connect(lambda on, k=key: self._toggle_block(k, on))
            if key == "designs":
                self._add_design_checks(form)
        self.interim = InterimBox(doc)  # ui/interim_panel.py
        layout.addWidget(self.interim)
        layout.addStretch(1)
        self.setWidget(body)
        for spec in INPUT_FIELDS:
            row = FieldRow(spec, doc)
            self.rows[spec.path] = row
            if spec.group == "design_sizes":  # in the designs grid, beside the design's check box
                self.size_grid.addWidget(row, self.design_grid_rows[spec.extra["design"]], spec.extra["column"])
                continue
            self.forms[spec.group].addRow(row.label, row)
            if spec.path == "population.prevalence":
                self.slider = QSlider(Qt.Orientation.Horizontal)
                self.slider.setRange(1, SLIDER_STEPS - 1)
                self.slider.setToolTip("Drag to change the prevalence; every design updates as you drag")
                self.slider.valueChanged.connect(self._slider_moved)
                self.forms["population"].addRow("", self.slider)
        self.design_message = QLabel()
        self.design_message.setStyleSheet(ERROR_STYLE)
        self.design_message.setWordWrap(True)
        self.forms["designs"].addRow(self.design_message)
        add_piecewise_inputs(self)  # survival: piecewise table per subgroup, assumed curves
        effects.add_binary_effect_inputs(self)  # binary: effect entered as RD / RR / OR (ui/binary_effect_editor.py)
        self.body = body
        add_cells_inputs(self)  # cells form: the cells-and-populations table (ui/cells_table.py)
        doc.changed.connect(self.refresh)

    def fit_width(self) -> None:
        """Never clip the fields: at least as wide as the form needs."""
        for form in self.forms.values():
            form.activate()
        self.body.layout().activate()
        need = self.body.minimumSizeHint().width() + self.verticalScrollBar().sizeHint().width() + 6
        self.setMinimumWidth(min(MAX_MIN_WIDTH, max(300, need)))  # narrower: the panel scrolls sideways

    def _add_design_checks(self, form: QFormLayout) -> None:
        """One line per fixed design: include it, and optionally fix its size (N; events for survival)."""
        grid_widget = QWidget()
        grid = QGridLayout(grid_widget)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(2)
        self.size_grid = grid
        self.design_grid_rows: dict[str, int] = {}
        n_spec = FIELDS_BY_PATH["designs.targeted.n_randomized"]
        ev_spec = FIELDS_BY_PATH["designs.targeted.events"]
        design_head = QLabel("<i>Design</i>")
        design_head.setToolTip("Designs compared (tick to include)")
        self.size_heads = {"n_randomized": QLabel("<i>Fixed N (total)</i>"), "events": QLabel("<i>Fixed events</i>")}
        self.size_heads["n_randomized"].setToolTip(
            f"Optional fixed total randomized per design; empty ('{SOLVE_TEXT}') solves for the size.<br>"
            + n_spec.tooltip.split("<br>", 1)[1])
        self.size_heads["events"].setToolTip(
            f"Optional fixed events per design (survival); empty ('{SOLVE_TEXT}') takes them from N or solves.<br>"
            + ev_spec.tooltip.split("<br>", 1)[1])
        grid.addWidget(design_head, 0, 0)
        grid.addWidget(self.size_heads["n_randomized"], 0, 1)
        grid.addWidget(self.size_heads["events"], 0, 2)
        for i, name in enumerate(FIXED_DESIGNS, start=1):
            check = QCheckBox(design_label(name))
            check.setObjectName(f"design_{name}")
            check.setToolTip(f"Include the {DESIGNS[name].lower} design in the comparison")
            check.toggled.connect(lambda on, n=name: self._toggle_design(n, on))
            self.design_checks[name] = check
            self.design_grid_rows[name] = i
            grid.addWidget(check, i, 0, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        form.addRow(grid_widget)

    # ------------------------------------------------------------------ user actions
    def _toggle_block(self, key: str, on: bool) -> None:
        present = isinstance(self.doc.data.get(key), dict)
        if on and not present:
            self.doc.set_block(key, OPTIONAL_BLOCKS[key], f"Add {key}")
        elif not on and present:
            self.doc.set_block(key, None, f"Remove {key}")

    def _toggle_design(self, name: str, on: bool) -> None:
        present = name in (self.doc.data.get("designs") or {})
        if on and not present:
            self.doc.set_block(f"designs.{name}", {}, f"Add {DESIGNS[name].lower} design")
        elif not on and present:
            self.doc.set_block(f"designs.{name}", None, f"Remove {DESIGNS[name].lower} design")

    def _slider_moved(self, position: int) -> None:
        self.rows["population.prevalence"].editor.setValue(position / SLIDER_STEPS)

    # ------------------------------------------------------------------ refresh
    def refresh(self, _path: str = "") -> None:
        doc = self.doc
        endpoint = doc.endpoint
        for row in self.rows.values():
            row.load()
            if row.spec.group == "design_sizes":
                row.setVisible(row.applies_to(endpoint))
                row.setEnabled(row.spec.extra["design"] in (doc.data.get("designs") or {}))
                continue
            self.forms[row.spec.group].setRowVisible(row, row.applies_to(endpoint))
        self.size_heads["events"].setVisible(endpoint == "survival")
        self.boxes["survival"].setVisible(endpoint == "survival")
        for key in OPTIONAL_BLOCKS:
            box = self.boxes[key]
            box.blockSignals(True)
            box.setChecked(isinstance(doc.data.get(key), dict))
            box.blockSignals(False)
            for row in self.rows.values():
                if row.spec.group == key:
                    row.setEnabled(box.isChecked())
        designs = doc.data.get("designs") or {}
        for name, check in self.design_checks.items():
            check.blockSignals(True)
            check.setChecked(name in designs)
            check.blockSignals(False)
        for path, name in (("designs.stratified", "stratified"), ("designs.strategy", "strategy")):
            for row in self.rows.values():
                if row.spec.path.startswith(path + "."):
                    row.setEnabled(name in designs)
        prevalence = doc.get("population.prevalence")
        if isinstance(prevalence, (int, float)):
            self.slider.blockSignals(True)
            self.slider.setValue(round(prevalence * SLIDER_STEPS))
            self.slider.blockSignals(False)
        design_problems = [p.reason for p in doc.problems if p.path == "designs" or
                           (p.path.startswith("designs.") and p.path.count(".") == 1 and p.path != "designs.adaptive")]
        shown = {path for path, row in self.rows.items() if row.applies_to(endpoint)}
        design_problems += [str(p) for p in doc.problems if p.path.startswith("designs.") and p.path.count(".") == 2
                            and not p.path.startswith("designs.adaptive.") and p.path not in shown]
        self.design_message.setText("; ".join(design_problems))
        self.design_message.setVisible(bool(design_problems))
        self.interim.refresh()
        self._refresh_derived()
        refresh_piecewise_inputs(self)
        effects.refresh_binary_effect_inputs(self)
        refresh_cells_inputs(self)
        self._refresh_other_problems()
        self.fit_width()

    def _refresh_derived(self) -> None:
        form = self.forms["derived"]
        rows = None
        if self.doc.scenario is not None:
            try:
                rows = derived_quantities(self.doc.scenario)
            except Exception as exc:  # derived values are informative only
                rows = [("—", str(exc), "")]
        shown = getattr(self, "_derived_shown", [])
        if rows and [label for label, _v, _w in rows] == [lab.text() for lab, _val in shown]:
            for (_label, value, why), (lab, val) in zip(rows, shown):  # the same rows: new values only
                val.setText(value)
                lab.setToolTip(why)
                val.setToolTip(why)
            return
        self._derived_shown = []
        while form.rowCount():
            form.removeRow(0)
        if rows is None:
            form.addRow(QLabel("— (fix the marked inputs)"))
            return
        for label, value, why in rows:
            lab, val = QLabel(label), QLabel(value)
            val.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            val.setObjectName(f"derived:{label}")
            lab.setToolTip(why)
            val.setToolTip(why)
            form.addRow(lab, val)
            self._derived_shown.append((lab, val))

    def _refresh_other_problems(self) -> None:
        shown = {path for path, row in self.rows.items() if row.applies_to(self.doc.endpoint)}
        shown.update(p for key in ("positive", "negative") for p in effects.effect_paths(key))  # the effect editors
        other = []
        for p in self.doc.problems:
            base = p.path.split("[")[0]
            if base in shown or p.path == "designs" or p.path.startswith(("designs.", "interim")) \
                    or is_cells_problem(p.path):  # shown beside the cells table
                continue
            other.append(str(p))
        self.other_problems.setText("\n".join(other))
        self.other_problems.setVisible(bool(other))

    def visible_rows(self) -> dict[str, FieldRow]:
        """Rows that apply to the current endpoint."""
        return {p: r for p, r in self.rows.items() if r.applies_to(self.doc.endpoint)}
