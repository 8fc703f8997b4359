"""The computation log: every computation with time, inputs, method and result (copyable)."""

from __future__ import annotations

import time

from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from planner.results import Comparison
from planner.scenario import Scenario

QUESTION_TEXT = {
    "sample_size": "sample size for the target power",
    "power": "power at a given N",
    "effect": "detectable B+ effect at a given N",
    "auto": "as the file specifies",
}


def _sub_values(sub) -> list[str]:
    """A subgroup's fields as "name value"; a binary effect entered on a scale as "scale value"."""
    out = []
    for k, v in vars(sub).items():
        if v is None:
            continue
        if hasattr(v, "scale"):
            out.append(f"{v.scale} {v.value:g}")
        else:
            out.append(f"{k} {v:g}" if isinstance(v, float) else f"{k} {v}")
    return out


def describe_inputs(s: Scenario) -> str:
    """One line per block: the inputs a computation used."""
    pop = s.population
    t = s.testing
    lines = [
        f"  endpoint {s.endpoint}; prevalence {pop.prevalence:g}; assay sensitivity {pop.assay_sensitivity:g}, "
        f"specificity {pop.assay_specificity:g}",
        "  B+: " + ", ".join(_sub_values(s.positive)),
        "  B−: " + ", ".join(_sub_values(s.negative)),
        f"  alpha {t.alpha:g} ({'one' if t.sides == 1 else 'two'}-sided), target power {t.power:g}, "
        f"allocation {t.allocation_ratio:g} : 1 (treatment : control), method {s.method}",
    ]
    if s.survival is not None:
        sv = s.survival
        lines.append(f"  accrual {sv.accrual_time:g}, follow-up {sv.follow_up_time:g} {sv.time_unit}; "
                     f"dropout {sv.dropout_rate:g} by {sv.dropout_time:g}")
    return "\n".join(lines)


def describe_comparison(c: Comparison) -> str:
    lines = []
    for r in c.designs.values():
        if not getattr(r, "feasible", True):
            lines.append(f"  {r.label}: not attainable ({r.message})")
            continue
        if not hasattr(r, "n_per_arm"):
            continue
        arms = r.n_per_arm or {}
        parts = [f"N {r.n_randomized:,} ({arms.get('treatment')} : {arms.get('control')})"]
        if r.n_screened:
            parts.append(f"screened {r.n_screened:,}")
        if r.events is not None:
            parts.append(f"events {r.events:,}")
        if r.power is not None:
            parts.append(f"power {r.power:.4f}")
        if r.detectable_effect is not None and r.detectable_effect.value is not None:
            parts.append(f"detectable B+ {r.detectable_effect.parameter} {r.detectable_effect.value:.4g}")
        if r.cost is not None:
            parts.append(f"cost {r.cost:,.0f} {r.currency or ''}".rstrip())
        lines.append(f"  {r.label}: " + "; ".join(parts) + f"  [{r.method}]")
    if c.cheapest_meeting_target:
        lines.append(f"  cheapest meeting the target power: {c.designs[c.cheapest_meeting_target].label}")
    return "\n".join(lines)


class LogPane(QWidget):
    """Append-only, copyable protocol of computations."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = QPlainTextEdit(readOnly=True)
        self.text.setMaximumBlockCount(20000)
        self.text.setFont(QFont("monospace", 9))
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        copy_button = QPushButton("Copy log")
        copy_button.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.text.toPlainText()))
        clear_button = QPushButton("Clear")
        clear_button.clicked.connect(self.text.clear)
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(copy_button)
        bar.addWidget(clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.text)
        layout.addLayout(bar)

    def append(self, heading: str, body: str = "") -> None:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        self.text.appendPlainText(f"[{stamp}] {heading}" + (f"\n{body}" if body else ""))

    def log_comparison(self, scenario: Scenario, comparison: Comparison, question: str, n: int | None, ms: float) -> None:
        q = QUESTION_TEXT.get(question, question) + (f" (N = {n:,})" if n else "")
        self.append(f"Compared designs — {q} — {ms:.0f} ms",
                    describe_inputs(scenario) + "\n" + describe_comparison(comparison))

    def contents(self) -> str:
        return self.text.toPlainText()
