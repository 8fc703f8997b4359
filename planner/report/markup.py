"""HTML building blocks of the report, and the one place where text becomes HTML.

Every piece of the report is either :class:`Markup` (HTML the report wrote itself) or text; text
— the title, notes, currency, provenance, file and design names, numbers — becomes HTML only
through :func:`esc`, which every builder here applies to whatever is not already
:class:`Markup`. So a scenario cannot put a tag, an attribute or a URL into the report.

The HTML stays within the subset Qt's ``QTextDocument`` renders (tables, ``<img>``, simple CSS),
because the PDF (``ui/report_pdf.py``) is printed from the same text. Images are referred to by
name (``src="figure-1.png"``): :func:`embed_images` makes the self-contained HTML file with
``data:`` URLs, and the PDF renderer serves the same names from memory and loads nothing else.
"""

from __future__ import annotations

import base64
import html as _html
import re
from collections.abc import Iterable, Mapping
from typing import Any

CSS = """
body { font-family: 'DejaVu Sans', 'Helvetica Neue', Arial, sans-serif; font-size: 9pt; color: #222222; }
h1 { font-size: 16pt; color: #1a3d6d; margin-bottom: 2px; }
h2 { font-size: 12pt; color: #1a3d6d; margin-top: 16px; margin-bottom: 4px; }
h3 { font-size: 10pt; color: #333333; margin-top: 10px; margin-bottom: 2px; }
p { margin-top: 3px; margin-bottom: 5px; }
table.data { border-collapse: collapse; border-color: #b8c4d6; margin-top: 4px; margin-bottom: 6px; }
table.data th { background-color: #e6ecf4; text-align: left; font-weight: bold; font-size: 7.5pt; }
table.data td { font-size: 8pt; }
table.data td.num, table.data th.num { text-align: right; }
tr.best td { background-color: #fff4d6; }
.subtitle { font-size: 10pt; color: #555555; }
.small { font-size: 8pt; color: #555555; }
.note { font-size: 8pt; color: #555555; }
.stale { color: #9a3412; }
.just { margin-left: 6px; }
.formula { font-family: 'DejaVu Sans Mono', monospace; font-size: 8pt; }
pre { font-family: 'DejaVu Sans Mono', monospace; font-size: 7pt; white-space: pre-wrap; }
"""


class Markup(str):
    """HTML written by the report itself (never built from unescaped text)."""

    def __add__(self, other: Any) -> Markup:
        return Markup(str.__add__(self, esc(other)))

    def __radd__(self, other: Any) -> Markup:
        return Markup(str.__add__(esc(other), self))


def esc(value: Any) -> Markup:
    """Text → HTML (``&``, ``<``, ``>`` and both quotes escaped); :class:`Markup` passes as it is."""
    if isinstance(value, Markup):
        return value
    return Markup(_html.escape("" if value is None else str(value), quote=True))


def join(parts: Iterable[Any], sep: str = "") -> Markup:
    """Concatenate pieces, escaping the ones that are text."""
    return Markup(sep.join(esc(p) for p in parts))


def _attrs(attrs: Mapping[str, Any]) -> str:
    return "".join(f' {k.replace("_", "-")}="{esc(v)}"' for k, v in attrs.items() if v is not None)


def tag(name: str, content: Any = "", **attrs: Any) -> Markup:
    """``<name attrs>content</name>``; ``class_`` gives ``class``, ``data_field`` ``data-field``."""
    attrs = {("class" if k == "class_" else k): v for k, v in attrs.items()}
    return Markup(f"<{name}{_attrs(attrs)}>{esc(content)}</{name}>")


#: what a number cell holds when it must stay on one line: digits, separators, %, signs, ":" and "/"
_NUMBER_LIKE = re.compile(r"[\d.,%+\-−–:/ ]{1,32}")


def td(value: Any, field: str | None = None, num: bool = True) -> Markup:
    """A table cell; numbers right-aligned. ``field`` becomes ``data-field`` (for the tests)."""
    if num:  # a number (or "51 : 51", "8.25 / 3.96") never wraps; text in a number column may
        style = "white-space: nowrap" if _NUMBER_LIKE.fullmatch(str(value)) else None
        return tag("td", value, class_="num", align="right", style=style, data_field=field)
    return tag("td", value, data_field=field)


def table(
    headers: list[Any],
    rows: list[Markup],
    num_from: int = 1,
    col_widths: list[float] | None = None,
    num_cols: set[int] | None = None,
) -> Markup:
    """A data table; columns from ``num_from`` on (or those in ``num_cols``) are numbers, right
    aligned; ``col_widths`` (relative) are turned into percentages."""
    num_cols = num_cols if num_cols is not None else set(range(num_from, len(headers)))
    widths: list[str | None] = [None] * len(headers)
    if col_widths:
        total = sum(col_widths)
        widths = [f"{round(100 * w / total)}%" for w in col_widths]
    head = join(
        tag("th", h, class_="num", align="right", width=w) if i in num_cols else tag("th", h, width=w)
        for i, (h, w) in enumerate(zip(headers, widths))
    )
    return Markup(
        '<table class="data" border="1" cellspacing="0" cellpadding="3" width="100%">'
        f"<tr>{head}</tr>{join(rows)}</table>"
    )


def auto_widths(columns: list[list[str]], line: int = 110, pad: int = 1) -> list[float]:
    """Relative column widths from the columns' text (each column: its header and cells).

    As in a browser's automatic table layout (CSS 2.1, section 17.5.2.2), each column first gets
    its longest word, as it cannot be narrower without breaking a word; the rest of a ``line`` of
    characters (about what a page-wide table holds at 8 pt) is then shared in proportion to the
    column's text beyond one line of that minimum — summed over its cells, so a column of short
    values stays narrow and a column of long sources takes the room. ``pad`` characters are
    added to each column for the cell padding.
    """
    low = [max((len(w) for cell in col for w in str(cell).split()), default=1) + pad for col in columns]
    more = [sum(max(len(str(cell)) + pad - lo, 0) for cell in col) for col, lo in zip(columns, low)]
    spare, total = max(line - sum(low), 0), sum(more)
    if total <= 0:
        return [float(lo) for lo in low]
    return [lo + spare * m / total for lo, m in zip(low, more)]


def row(cells: Iterable[Markup], **attrs: Any) -> Markup:
    return tag("tr", join(cells), **attrs)


def img(name: str, alt: str, width: int = 600) -> Markup:
    """An image the report made, by name (see :func:`embed_images`)."""
    return Markup(f'<p align="center"><img src="{esc(name)}" width="{int(width)}" alt="{esc(alt)}"></p>')


def embed_images(html: str, images: Mapping[str, bytes]) -> str:
    """The HTML with each ``src="NAME"`` of the report's images replaced by a ``data:`` URL.

    User text cannot contain ``src="`` (its quotes are escaped), so only the report's own
    ``<img>`` tags match."""
    for name, png in images.items():
        data = base64.b64encode(png).decode("ascii")
        html = html.replace(f'src="{name}"', f'src="data:image/png;base64,{data}"')
    return html


__all__ = ["CSS", "Markup", "auto_widths", "embed_images", "esc", "img", "join", "row", "table", "tag", "td"]
