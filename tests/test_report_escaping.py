"""Every user string is escaped at one place (planner.report.markup.esc), and the PDF renderer
loads no resource the report did not create (issue 9, item 12)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import base_scenario
from report_helpers import parse_report, squash

from planner.report import build_report
from planner.report.markup import Markup, esc, tag
from planner.scenario_io import scenario_from_dict

ATTACK = '<img src="file:///etc/hostname"><a href="http://evil">x</a>'


def _hostile_scenario():
    d = base_scenario(
        "binary",
        title=f"T {ATTACK}",
        notes=f"N {ATTACK}",
        costs={"per_screened": 10, "per_randomized": 100, "currency": f'USD"{ATTACK}'},
        recruitment={"screening_rate": 10},
        provenance={"population.prevalence": ATTACK, "testing": {"source": ATTACK, "value": {"alpha": 0.05}},
                    f"x{ATTACK}": "y"},
    )
    return scenario_from_dict(d)


def test_esc_is_the_one_place_text_becomes_html():
    assert esc('<b a="1">&\'') == "&lt;b a=&quot;1&quot;&gt;&amp;&#x27;"
    assert esc(Markup("<b>")) == "<b>"
    assert tag("td", "<i>", data_field='"x"') == '<td data-field="&quot;x&quot;">&lt;i&gt;</td>'
    assert "a" + Markup("<b>") == "a<b>" and Markup("<b>") + "<" == "<b>&lt;"


def test_every_user_string_is_escaped_in_the_html():
    report = build_report(_hostile_scenario(), source_name=f"f{ATTACK}.json", include_figures=True)
    for html in (report.html, report.print_html):
        parsed = parse_report(html)
        assert not any(src.startswith("file:") for src in parsed.images)
        assert "<a " not in html and 'src="file:' not in html
        assert "&lt;img src=&quot;file:///etc/hostname&quot;&gt;" in html
    assert all(src.startswith("data:image/png;base64,") for src in parse_report(report.html).images)
    assert set(parse_report(report.print_html).images) == set(report.images)


def test_pdf_renderer_refuses_every_resource_it_did_not_make(tmp_path):
    """Even unescaped, an <img> of a local file is neither loaded nor shown (Qt would load a
    file named by a null resource itself: the renderer answers with a blank image)."""
    from PySide6.QtGui import QImage

    from ui.report_pdf import ensure_gui_application, report_document

    ensure_gui_application()
    secret = tmp_path / "secret.png"
    image = QImage(400, 300, QImage.Format.Format_RGB32)
    image.fill(0xFF0000)
    image.save(str(secret))
    own = (Path(__file__).resolve().parent.parent / "docs" / "screenshot.png").read_bytes()
    for src in (f"file://{secret}", str(secret), "file:///etc/hostname", "http://example.com/x.png"):
        doc = report_document(f'<p><img src="{src}"></p><link rel="stylesheet" href="file:///etc/passwd">',
                              {"own.png": own})
        doc.setTextWidth(2000)
        assert doc.idealWidth() < 20, src
        assert src in doc.refused
    doc = report_document('<p><img src="own.png"></p>', {"own.png": own})
    doc.setTextWidth(5000)
    assert doc.idealWidth() > 400 and not doc.refused


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_hostile_scenario_pdf_shows_the_text_and_embeds_no_file(tmp_path):
    from ui.report_pdf import write_report_pdf

    report = build_report(_hostile_scenario(), include_figures=False)
    out = tmp_path / "r.pdf"
    write_report_pdf(report, out)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert 'T <img src="file:///etc/hostname"><a href="http://evil">x</a>' in squash(text)  # shown as text
    hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else ""
    if hostname:
        assert hostname not in text
    images = subprocess.run(["pdfimages", "-list", str(out)], capture_output=True, text=True).stdout
    assert len(images.strip().splitlines()) <= 2  # header lines only: no image at all without figures
