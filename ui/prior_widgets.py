"""What every prior row of the app's assurance editors shares (:mod:`ui.prior_editor`, the two-subgroup
form's boxes; :mod:`ui.cells_prior_editor`, the cells form's rows): loading a distribution of the
file into the check box, the form, the value edits, the description and the reader's problems
(:meth:`PriorWidgets.load_prior`), and drawing its density (:meth:`PriorWidgets.draw_panel`, with
:func:`planner.figures_prior.draw_prior`, the one drawing function of the app, the report and the
exports, on a panel of :func:`planner.figures_prior.prior_panels`).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit

from .plot_canvas import PlotCanvas


def prior_canvas(title: str) -> PlotCanvas:
    """The small density plot beside (below) a prior's values."""
    plot = PlotCanvas(title, figsize=(3.2, 1.9))
    plot.margins = (0.45, 0.12, 0.5, 0.1)
    plot.canvas.setMinimumSize(150, 120)
    plot.setMinimumHeight(190)
    return plot


class PriorWidgets:
    """A mixin of one prior's widgets: ``check``, ``form``, ``edits``/``labels``, ``description``,
    ``problem`` and ``plot`` (set by the class that mixes it in)."""

    check: QCheckBox
    form: QComboBox
    edits: dict[str, QLineEdit]
    labels: dict[str, QLabel]
    description: QLabel
    problem: QLabel
    plot: PlotCanvas
    drawn_key: Any = None

    def shown_keys(self) -> tuple[str, ...]:
        """The value keys of the form chosen."""
        raise NotImplementedError

    def set_value_visible(self, name: str, shown: bool) -> None:
        self.edits[name].setVisible(shown)
        self.labels[name].setVisible(shown)

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def load_prior(self, prior: dict | None, form_code: str, values: dict, problems: list[str],
                   description: str) -> None:
        """Show a distribution of the file (``prior`` None: the input is not uncertain): check box and
        form without signals, the values of the form's keys (an edit being typed in keeps its text)."""
        on = isinstance(prior, dict)
        for w in (self.check, self.form):
            w.blockSignals(True)
        self.check.setChecked(on)
        if on:
            self.form.setCurrentIndex(max(0, self.form.findData(form_code)))
        for w in (self.check, self.form):
            w.blockSignals(False)
        keys = self.shown_keys()
        for name, edit in self.edits.items():
            shown = on and name in keys
            self.set_value_visible(name, shown)
            value = values.get(name) if shown else None
            if not edit.hasFocus() or not shown:
                edit.setText("" if value is None else f"{value:g}")
        self.form.setEnabled(on)
        self.description.setText(description if on else "")
        self.show_problem("; ".join(problems))
        self.plot.setVisible(on)

    def draw_panel(self, panel: dict) -> None:
        """Draw a panel of :func:`planner.figures_prior.prior_panels` unless it is the one drawn."""
        from planner.figures_prior import curve_csv, draw_prior  # noqa: PLC0415

        if panel["args"] == self.drawn_key:
            return
        self.drawn_key = panel["args"]
        if panel["curve"] is None:
            self.show_problem(panel.get("problem", ""))
            return
        fig = self.plot.figure
        fig.clear()
        self.plot.ax = fig.add_subplot(1, 1, 1)
        draw_prior(self.plot.ax, panel["key"], panel["curve"], panel["x_label"], title=False)  # the header names it
        self.plot.fit_margins()
        self.plot.csv_text = curve_csv(panel["curve"])
        self.plot.redraw()


__all__ = ["PriorWidgets", "prior_canvas"]
