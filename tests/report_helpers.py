"""Helpers for the report tests: parse the report's HTML back into numbers and text."""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser


class ReportParser(HTMLParser):
    """Collects table cells by (row data-design, cell data-field) and paragraphs by data-design."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.cells: dict[tuple[str, str], str] = {}
        self.paragraphs: dict[str, str] = {}
        self.images: list[str] = []
        self.tags: set[str] = set()
        self._row: str | None = None
        self._cell: str | None = None
        self._para: str | None = None
        self._buf: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.add(tag)
        if tag == "img":
            self.images.append(a.get("src", ""))
        if tag == "tr":
            self._row = a.get("data-design") or a.get("data-field")
        if tag == "td" and a.get("data-field"):
            self._cell = a["data-field"]
            self._buf = []
        if tag == "p" and a.get("data-design"):
            self._para = a["data-design"]
            self._buf = []

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self.cells[(self._row or "", self._cell)] = "".join(self._buf).replace("\xa0", " ").strip()
            self._cell = None
        if tag == "p" and self._para is not None:
            self.paragraphs[self._para] = "".join(self._buf).strip()
            self._para = None
        if tag == "tr":
            self._row = None

    def handle_data(self, data):
        if self._cell is not None or self._para is not None:
            self._buf.append(data)


def parse_report(html: str) -> ReportParser:
    p = ReportParser()
    p.feed(html)
    p.close()
    return p


def squash(text: str) -> str:
    """Collapse whitespace and undo ligatures (PDF text extraction gives "ﬀ", tabs, breaks)."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()
