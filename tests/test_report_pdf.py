"""The PDF report (ui/report_pdf.py): same numbers as the core, read back with pypdf."""

from __future__ import annotations

import re
import stat

import pytest
from conftest import SCENARIOS
from report_helpers import squash

from planner import __version__
from planner.compute import compare_designs
from planner.report import build_report
from planner.report.fmt import count, money, percent
from planner.report.html_report import fixed_results
from planner.scenario_io import load_scenario, new_file_mode
from ui.cli import main

pypdf = pytest.importorskip("pypdf")
pytest.importorskip("PySide6")


def _pdf_text(path) -> str:
    """The PDF's text as one string, whitespace collapsed.

    Page numbers are dropped; Qt also draws the line that ends a page, clipped away, at the
    top of the next one, so a page that starts with the previous page's last line loses it;
    a line broken after a hyphen is joined again.
    """
    lines: list[str] = []
    for i, page in enumerate(pypdf.PdfReader(str(path)).pages):
        page_lines = [squash(x) for x in page.extract_text().splitlines() if squash(x)]
        if page_lines and page_lines[-1] == str(i + 1):
            page_lines.pop()
        if lines and page_lines and page_lines[0] == lines[-1]:
            page_lines.pop(0)
        lines += page_lines
    return re.sub(r"(?<=\w)- (?=\w)", "-", " ".join(lines))


@pytest.mark.parametrize("name", ["egfr_nsclc_ipass.json", "cyp2c19_chance.json"])
def test_pdf_numbers_equal_the_core(qapp, tmp_path, name):
    from ui.report_pdf import write_report_pdf

    scenario = load_scenario(SCENARIOS / name)
    report = build_report(scenario, source_name=name, include_figures=name.startswith("egfr"))
    out = tmp_path / "report.pdf"
    write_report_pdf(report, out)
    assert out.read_bytes()[:5] == b"%PDF-"
    text = _pdf_text(out)
    assert report.digest in text.replace(" ", "")
    assert f"Enrichment Planner {__version__}" in text
    core = fixed_results(compare_designs(scenario, include_adaptive=False))
    for name_, r in core.items():
        assert r.label in text
        if not r.feasible:
            continue
        # comparison table row, in order
        row = [count(r.n_randomized), f"{count(r.n_per_arm['treatment'])} : {count(r.n_per_arm['control'])}",
               count(r.n_screened)]
        if r.events is not None:
            row.append(count(r.events))
        row += [percent(r.power, trim=False), money(r.cost, None)]
        assert " ".join(row) in text, (name_, row)
        # the justification paragraph, word for word
        assert squash(report.justifications[name_]) in text


def test_cli_report_pdf(qapp, tmp_path):
    out = tmp_path / "r.pdf"
    path = SCENARIOS / "cystic_fibrosis_ivacaftor.json"
    assert main(["report", str(path), "-o", str(out), "--no-figures"]) == 0
    text = _pdf_text(out)
    r = compare_designs(load_scenario(path), include_adaptive=False).designs["targeted"]
    assert f"A total of {count(r.n_randomized)} patients" in text
    assert f"about {count(r.n_screened)} patients will be screened" in text
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert stat.S_IMODE(out.stat().st_mode) == new_file_mode()


def test_title_with_markup_is_escaped_in_pdf(qapp, tmp_path):
    from conftest import base_scenario

    from planner.scenario_io import scenario_from_dict
    from ui.report_pdf import write_report_pdf

    d = base_scenario("continuous", title="<script>x</script> A & B")
    report = build_report(scenario_from_dict(d), include_figures=False)
    out = tmp_path / "t.pdf"
    write_report_pdf(report, out)
    assert "<script>x</script> A & B" in _pdf_text(out)


@pytest.mark.parametrize("name", ["egfr_nsclc_ipass.json", "hrd_ovarian_paola1_interim.json", "pdl1_tps_cutoffs.json"])
def test_no_page_ends_with_a_heading(qapp, tmp_path, name):
    """Every heading of the printed report starts on the page where what follows it starts (the
    next paragraph, figure, or a table's first row below its header): Qt's rich text ignores
    CSS ``break-after``, so ui.report_pdf moves such headings to the next page itself."""
    from PySide6.QtCore import QMarginsF
    from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextCursor, QTextOption

    from ui.report_pdf import (
        _first_content_after,
        _lay_out_for_pages,
        _widest_table,
        keep_headings_with_next,
        report_document,
    )

    report = build_report(load_scenario(SCENARIOS / name))
    writer = QPdfWriter(str(tmp_path / "x.pdf"))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(1, 1, 1, 1), QPageLayout.Unit.Millimeter)
    writer.setResolution(300)
    doc = report_document(report.print_html or report.html, report.images)
    _lay_out_for_pages(doc, writer)
    keep_headings_with_next(doc)
    layout, page = doc.documentLayout(), doc.pageSize().height()
    doc.pageCount()
    block, headings = doc.firstBlock(), 0
    while block.isValid():
        if block.blockFormat().headingLevel() > 0 and QTextCursor(block).currentTable() is None:
            follower = _first_content_after(block)
            if follower.isValid():
                headings += 1
                lines = follower.layout()
                start = layout.blockBoundingRect(follower).top() + (lines.lineAt(0).y() if lines.lineCount() else 0)
                assert int(start // page) == int(layout.blockBoundingRect(block).top() // page), block.text()
        block = block.next()
    assert headings >= 8
    # words are never broken ("Randomize|d"): tables keep to the page's width with whole words
    assert _widest_table(doc) <= doc.pageSize().width() + 2
    assert doc.defaultTextOption().wrapMode() == QTextOption.WrapMode.WordWrap  # without the fallback
    del writer
