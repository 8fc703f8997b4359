"""The printed report keeps to the page: nothing runs past the right margin (ui/report_pdf.py).

Words too long for a line — a URL in the notes or a source, a long string in the appendix's JSON —
get zero-width break opportunities (:func:`ui.report_pdf.break_overlong_words`); a table's columns
are sized to their text (:func:`planner.report.markup.auto_widths`). Checked twice: in Qt's layout
(every line and table within the text area) and in the written PDF (``pdftotext -bbox``: every
word's right edge left of the page's right margin), for the IPASS example, a cells-form example,
PAOLA-1 with interim analyses, the cutoff explorer (a 12-column table) and a scenario full of long
words.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from conftest import SCENARIOS

from planner.report import build_report
from planner.report.markup import auto_widths
from planner.scenario_io import load_scenario

pytest.importorskip("PySide6")

EXAMPLES = ["egfr_nsclc_ipass.json", "pdl1_nsclc_keynote042_cutoffs.json", "hrd_ovarian_paola1_interim.json",
            "pdl1_tps_cutoffs.json"]
URL = "https://example.org/" + "very-long-path-segment_" * 12 + "end"


def _long_words(tmp_path):
    """The IPASS example with a 300-character URL in its notes and a source, and a 200-character
    word in a block's provenance (it appears in the assumptions table and the appendix)."""
    data = json.loads((SCENARIOS / "egfr_nsclc_ipass.json").read_text(encoding="utf-8"))
    data["notes"] += f" See {URL} for details."
    data["provenance"]["population.prevalence"]["source"] += f" {URL}"
    data["provenance"]["survival"] = "assumption " + "x" * 200
    path = tmp_path / "long.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _laid_out(report, tmp_path):
    from PySide6.QtCore import QMarginsF
    from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter

    from ui.report_pdf import _lay_out_for_pages, report_document

    writer = QPdfWriter(str(tmp_path / "x.pdf"))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(1, 1, 1, 1), QPageLayout.Unit.Millimeter)
    writer.setResolution(300)
    doc = report_document(report.print_html, report.images)
    _lay_out_for_pages(doc, writer)
    return doc, writer


def _words_past_margin(pdf) -> list[tuple[int, float, str]]:
    """(page, right edge in pt, word) of each word right of the page's 2 cm right margin (+1 pt)."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    page, width, past = 0, 0.0, []
    for line in out.splitlines():
        if "<page " in line:
            page += 1
            width = float(re.search(r'width="([\d.]+)"', line).group(1))
        m = re.search(r'xMax="([\d.]+)"[^>]*>(.*)</word>', line)
        if m and float(m.group(1)) > width - 2 / 2.54 * 72 + 1:
            past.append((page, float(m.group(1)), m.group(2)))
    return past


def test_auto_widths_short_values_narrow_long_text_wide():
    heads = ["Assumption", "Value", "Unit", "Source / provenance"]
    rows = [["Prevalence", "0.6", "proportion of screened patients", "IPASS: 261 of 437 evaluable patients " * 4],
            ["Alpha", "0.025", "one-sided", "assumption: one-sided alpha 0.025, conventional " * 3]]
    widths = auto_widths([[h, *(r[i] for r in rows)] for i, h in enumerate(heads)])
    share = [w / sum(widths) for w in widths]
    assert share[1] < 0.10 < 0.45 < share[3]  # the value column narrow, the sources get the room
    assert min(widths) >= len("Value")  # every column holds its longest word
    assert auto_widths([["a"], ["b"]]) == [2.0, 2.0]  # nothing to share: the minimum widths


def test_cells_form_assumption_columns_fit_their_text():
    report = build_report(load_scenario(SCENARIOS / "pdl1_nsclc_keynote042_cutoffs.json"),
                          include_figures=False, include_adaptive=False)
    section = report.print_html.split("Assumptions</h2>", 1)[1]
    value, source = (int(w) for w in re.findall(r'<th[^>]*width="(\d+)%"', section)[1:4:2])
    assert value <= 12 and source >= 45


@pytest.mark.parametrize("name", [*EXAMPLES, "long words"])
def test_layout_keeps_to_the_text_area(qapp, tmp_path, name):
    """Qt's layout: no line outside a table past the right margin, no table past it (its border
    aside), and the document still wraps between words only."""
    from PySide6.QtGui import QTextOption

    from ui.report_pdf import _widest_table, overflowing_blocks, table_limit

    path = _long_words(tmp_path) if name == "long words" else SCENARIOS / name
    doc, writer = _laid_out(build_report(load_scenario(path), include_figures=False, include_adaptive=False), tmp_path)
    assert overflowing_blocks(doc) == []
    assert _widest_table(doc) <= table_limit(doc)
    assert doc.defaultTextOption().wrapMode() == QTextOption.WrapMode.WordWrap  # no break-anywhere fallback
    if name == "long words":
        assert "\u200b" in doc.toPlainText()  # the long words were given break opportunities
    else:
        assert "\u200b" not in doc.toPlainText()  # ordinary reports are left as they are
    del writer


def test_every_table_is_measured(qapp, tmp_path):
    """The widest-table check sees every table (the ``id()`` of Qt's short-lived Python wrappers
    is reused, so telling tables apart by it skipped some)."""
    from ui.report_pdf import _tables

    report = build_report(load_scenario(SCENARIOS / "hrd_ovarian_paola1_interim.json"),
                          include_figures=False, include_adaptive=False)
    doc, writer = _laid_out(report, tmp_path)
    assert len(_tables(doc)) == report.print_html.count("<table")
    del writer


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)")
@pytest.mark.parametrize("name", [*EXAMPLES, "long words"])
def test_pdf_words_left_of_the_right_margin(qapp, tmp_path, name):
    from ui.report_pdf import write_report_pdf

    path = _long_words(tmp_path) if name == "long words" else SCENARIOS / name
    out = tmp_path / "r.pdf"
    write_report_pdf(build_report(load_scenario(path), include_figures=False, include_adaptive=False), out)
    assert _words_past_margin(out) == []


def test_a_list_or_block_note_is_printed_once():
    """The note on ``population.cells`` (or a block such as ``testing``) is shown in full on its
    first row and as "as above" on the others, not repeated four times."""
    report = build_report(load_scenario(SCENARIOS / "pdl1_nsclc_keynote042_cutoffs.json"),
                          include_figures=False, include_adaptive=False)
    html = report.print_html.split("Appendix: scenario")[0]  # the appendix has the file as it is
    assert html.count("central screening of 1653 evaluable samples") == 1
    for i in (1, 2, 3):
        row = html.split(f'data-path="population.cells[{i}].prevalence"')[1].split("</tr>")[0]
        assert "as above (population.cells)" in row
    assert html.count("as above (testing)") == 3  # power, allocation, method after alpha
