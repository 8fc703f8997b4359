"""Reports: HTML (and, through ``ui.report_pdf``, PDF), justification paragraphs, CSV exports.

No Qt here: figures use matplotlib's Agg canvas. ``build_report(scenario)`` returns a
:class:`Report` whose ``html`` is self-contained (images embedded as ``data:`` URLs).
"""

from .html_report import Report, build_report, canonical_json, scenario_digest, write_report_html
from .justification import adaptive_justification, justification

__all__ = [
    "Report",
    "adaptive_justification",
    "build_report",
    "canonical_json",
    "justification",
    "scenario_digest",
    "write_report_html",
]
