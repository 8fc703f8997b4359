"""Report section for survival scenarios: the assumed survival curves and the method under
piecewise hazards (names the average hazard ratio method and its references). Every user
string goes through :func:`.markup.esc` (``tag`` escapes its content)."""

from __future__ import annotations

import io

from ..catalogue import SURVIVAL_CURVES_FIGURE
from ..scenario_piecewise import uses_piecewise
from .markup import Markup, img, join, tag

DPI = 130


def survival_curves_png(scenario) -> bytes:
    """PNG of :func:`planner.figures_survival.survival_curves_draw` (Agg canvas, no pyplot)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from ..figures_survival import survival_curves_draw

    figure = Figure(figsize=(7.0, 3.6), dpi=DPI)
    figure.subplots_adjust(left=0.09, right=0.97, bottom=0.14, top=0.91)
    FigureCanvasAgg(figure)
    survival_curves_draw(figure.add_subplot(), scenario)
    buf = io.BytesIO()
    figure.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def survival_section(scenario, images: dict[str, bytes] | None) -> Markup:
    """The survival curves figure and, under piecewise survival, the method paragraph."""
    from ..survival_nph import SCALING_TEXT, method_text

    parts = []
    if images is not None:
        images["survival-curves.png"] = survival_curves_png(scenario)
        parts.append(img("survival-curves.png", SURVIVAL_CURVES_FIGURE["title"]))
    if uses_piecewise(scenario):
        parts.append(tag("p", (
            "Non-proportional hazards / piecewise survival. Power and sample size: "
            f"{method_text(scenario.method)}; the expected events per subgroup, arm and interval are integrated "
            "exactly over the piecewise accrual, follow-up and dropout, and each design is sized for the "
            "average hazard ratio of the population it tests (stratified over B+/B−), shown in its notes. "
            f"In the power-at-N question {SCALING_TEXT}. Under a delayed effect this approximation is "
            "about one point of power optimistic against patient-level simulation "
            "(enrichment-planner simulate --patient-level)."), class_="note", data_section="survival-method"))
    else:
        parts.append(tag("p", "Exponential survival with proportional hazards in each subgroup.", class_="note"))
    return join(parts)
