"""A ledger as JSON, CSV, Markdown, or one self-contained HTML page with a chart per measure.

Every form is written one row's entries at a time (:func:`write`), so a ledger of many
records is never held whole in memory, nor its text.

The HTML page loads nothing: its style is inline, there is no script, and each chart
is an inline SVG drawn here (values over time, one colour per source, a range as a
vertical bar, an open-ended figure as a marker with an arrow). Every entry links to its
article's report at its quote (``report.html#figure-3``; the report scrolls to the quote
and flashes it).
"""

from __future__ import annotations

import csv
import html
import json
import math
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from ..files import OutputKind
from .build import Ledger, LedgerRow, TextSink
from .entries import LedgerEntry

__all__ = ["KINDS", "LedgerFormat", "csv_rows", "write"]

LedgerFormat = Literal["json", "csv", "md", "html"]
"""What a ledger is written as (:func:`write`; ``summarizer ledger --format`` offers these)."""

HTML_MARK = '<meta name="generator" content="summarizer ledger">'
MARKDOWN_MARK = "<!-- a summarizer ledger -->"
_COLUMNS = ["measure", "unit", "disagree", "conservative", "article", "source", "date", "date_end", "date_text",
            "basis", "value", "low", "high", "qualifier", "text", "quote", "span_start", "span_end"]
_PALETTE = ["#1b6ca8", "#c0392b", "#2e8b57", "#8e44ad", "#d35400", "#16a085", "#7f8c8d", "#b7950b"]
_SOURCES_COLOURED = 12
"""Sources given a colour and a legend entry in a chart; the rest are drawn grey."""


def write(ledger: Ledger, out: TextSink, fmt: str, reports: str = "{stem}.html") -> None:
    """``ledger`` as ``fmt`` ("json", "csv", "md" or "html") to ``out``."""
    if fmt == "json":
        _json(ledger, out)
    elif fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        for line in _csv_lines(ledger):
            writer.writerow(["" if v is None else v for v in line])
    elif fmt == "md":
        _markdown(ledger, out)
    elif fmt == "html":
        _html(ledger, out, reports)
    else:
        raise ValueError(f'a ledger is written as "json", "csv", "md" or "html", not {fmt!r}')


def _number(x: float | None) -> str:
    if x is None:
        return ""
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


def _json(ledger: Ledger, out: TextSink) -> None:
    out.write("[")
    for n, row in enumerate(ledger.rows):
        head = json.dumps(row.header(), ensure_ascii=False)
        out.write(("," if n else "") + "\n" + head[:-1] + ', "entries": [')
        for k, e in enumerate(row.iter_entries()):
            out.write(("," if k else "") + "\n  " + json.dumps(e.to_dict(), ensure_ascii=False))
        out.write("]}")
    out.write("\n]\n")


# -- CSV --------------------------------------------------------------------------------


def _when_cells(e: LedgerEntry) -> list[Any]:
    w = e.when
    if w is None:
        return ["", "", "", ""]
    first, last = w.first, w.last
    return [first.isoformat() if first else "", last.isoformat() if last and last != first else "", w.text or "", w.basis]


def _csv_lines(ledger: Ledger) -> Iterator[list[Any]]:
    yield list(_COLUMNS)
    for row in ledger.rows:
        low = row.conservative.value if row.conservative is not None else None
        for e in row.iter_entries():
            span = e.span or (None, None)
            yield [row.measure, row.unit, row.disagree, low, e.article, e.source or "", *_when_cells(e),
                   e.value, e.low, e.high, e.qualifier, e.text, e.quote, span[0], span[1]]


def csv_rows(ledger: Ledger) -> list[list[Any]]:
    """The header, then one line per entry (what CSV and ``to_pandas`` hold)."""
    return list(_csv_lines(ledger))


# -- Markdown ---------------------------------------------------------------------------


def _md(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _day(e: LedgerEntry) -> str:
    if e.when is None:
        return "undated"
    first, last = e.when.first, e.when.last
    if first is None:
        return f"({e.when.text}, undated)"
    shown = first.isoformat() if last in (None, first) else f"{first.isoformat()} to {last.isoformat()}"
    return f"{shown} ({e.when.text})" if e.when.text else shown


def _summary_line(row: LedgerRow) -> str:
    parts = [f"{row.count} figure(s)", f"unit: {row.unit}"]
    if row.conservative is not None:
        e = row.conservative.entry
        parts.append(f"lowest: {_number(row.conservative.value)} ({e.source or 'the article'}, {e.article})")
    return "; ".join(parts)


def _clash(a: LedgerEntry, b: LedgerEntry) -> str:
    return f"{a.text} ({a.source or a.article}, {_day(a)}) against {b.text} ({b.source or b.article}, {_day(b)})"


def _markdown(ledger: Ledger, out: TextSink) -> None:
    out.write(f"# Ledger: {len(ledger.rows)} measures, {ledger.figures} grounded figures from {ledger.articles} "
              "articles\n\n")
    for row in ledger.rows:
        status = "sources DISAGREE" if row.disagree else "no disagreement"
        out.write(f"## {_md(row.measure)}\n\n{_md(_summary_line(row))}; {status}\n\n"
                  "| date | source | figure | qualifier | article | quote |\n|---|---|---|---|---|---|\n")
        for e in row.iter_entries():
            out.write(f"| {_md(_day(e))} | {_md(e.source or 'the article')} | {_md(e.text)} | {e.qualifier} "
                      f"| {_md(e.article)} | {_md(e.quote)} |\n")
        for a, b in row.conflicts[:20]:
            out.write(f"\n- Disagreement: {_md(_clash(a, b))}")
        out.write("\n\n")
    out.write(MARKDOWN_MARK + "\n")


# -- HTML -------------------------------------------------------------------------------

_CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#1d1d1f}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2.2rem}
table{border-collapse:collapse;width:100%;margin:.6rem 0}
th,td{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f4f6}.num{text-align:right;white-space:nowrap}
.note{color:#555}.flag{color:#a01010;font-weight:600}.ok{color:#2e6b2e}
.conflict td{background:#fff1f0}.lowest td:first-child{border-left:4px solid #2e8b57}
.swatch{display:inline-block;width:.8em;height:.8em;border-radius:50%;margin-right:.3em;vertical-align:-.05em}
figure{margin:.5rem 0}figcaption{font-size:.85rem;color:#555}
svg text{font:11px system-ui,sans-serif;fill:#333}
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _link(reports: str, e: LedgerEntry) -> str:
    stem = Path(e.article).stem or e.article
    target = reports.format(id=quote(e.article, safe=""), stem=quote(stem, safe=""))
    return f"{target}#figure-{e.item}"


def _source_name(e: LedgerEntry) -> str:
    return e.source or f"{e.article} (own voice)"


def _ident(e: LedgerEntry) -> tuple[str, int]:
    return (e.article, e.item)


class _Chart:
    """A row's chart, drawn from one pass over its entries for the scales and one to draw."""

    width, height, left, right, top, bottom = 640, 220, 70, 20, 14, 36

    def __init__(self, row: LedgerRow) -> None:
        self.colours: dict[str, str] = {}
        days: set[int] = set()
        top = 0.0
        for e in row.iter_entries():
            name = _source_name(e)
            if name not in self.colours and len(self.colours) < _SOURCES_COLOURED:
                self.colours[name] = _PALETTE[len(self.colours) % len(_PALETTE)]
            if e.day is not None:
                days.add(e.day.toordinal())
                top = max([top, *(v for v in (e.value, e.low, e.high) if v is not None and math.isfinite(v))])
        self.days = sorted(days)
        self.lo, self.hi = (self.days[0], self.days[-1]) if self.days else (0, 1)
        if self.hi == self.lo:
            self.lo, self.hi = self.lo - 1, self.hi + 1
        self.top_value = top * 1.15 or 1.0

    def colour(self, e: LedgerEntry) -> str:
        return self.colours.get(_source_name(e), "#9a9a9a")

    def x(self, day: int) -> float:
        return self.left + (day - self.lo) / (self.hi - self.lo) * (self.width - self.left - self.right)

    def y(self, v: float) -> float:
        return self.top + (1 - v / self.top_value) * (self.height - self.top - self.bottom)

    def point(self, e: LedgerEntry) -> str:
        day = e.day
        if day is None:
            return ""
        cx, colour = self.x(day.toordinal()), self.colour(e)
        title = f"<title>{_e(_source_name(e))}: {_e(e.text)} ({_e(_day(e))})</title>"
        if e.value is None and e.low is not None and e.high is not None:
            return (f'<g class="point">{title}<line x1="{cx:.1f}" y1="{self.y(e.low):.1f}" x2="{cx:.1f}" '
                    f'y2="{self.y(e.high):.1f}" stroke="{colour}" stroke-width="5" stroke-linecap="round"/></g>')
        v = e.value if e.value is not None else e.low or 0.0
        cy = self.y(v)
        mark = f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="5" fill="{colour}"/>'
        arrow = {"at_least": -1, "more_than": -1, "at_most": 1, "less_than": 1}.get(e.qualifier)
        if arrow is not None:
            tip, base = cy + 16 * arrow, cy + 8 * arrow
            mark += (f'<path d="M{cx - 5:.1f},{base:.1f} L{cx:.1f},{tip:.1f} L{cx + 5:.1f},{base:.1f}" '
                     f'fill="none" stroke="{colour}" stroke-width="2"/>')
        return f'<g class="point">{title}{mark}</g>'

    def write(self, row: LedgerRow, out: TextSink) -> None:
        if not self.days:
            out.write('<p class="note">No entry is dated: no chart.</p>')
            return
        w, h = self.width, self.height
        out.write(f'<figure><svg role="img" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
                  f'aria-label="{_e(row.measure)} over time, by source" xmlns="http://www.w3.org/2000/svg">'
                  f'<line x1="{self.left}" y1="{h - self.bottom}" x2="{w - self.right}" y2="{h - self.bottom}" '
                  f'stroke="#999"/><line x1="{self.left}" y1="{self.top}" x2="{self.left}" y2="{h - self.bottom}" '
                  'stroke="#999"/>')
        for k in range(5):
            v = self.top_value * k / 4
            tick = f"{v:,.0f}" if self.top_value >= 10 else f"{v:.2g}"
            out.write(f'<text x="{self.left - 6}" y="{self.y(v) + 4:.1f}" text-anchor="end">{_e(tick)}</text>')
        step = max(1, len(self.days) // 8)  # at most about eight dates on the axis
        for day in self.days[::step]:
            label = date.fromordinal(day).strftime("%d %b %Y" if self.hi - self.lo > 300 else "%d %b")
            out.write(f'<text x="{self.x(day):.1f}" y="{h - self.bottom + 16}" text-anchor="middle">{label}</text>')
        for e in row.iter_entries():
            out.write(self.point(e))
        legend = " ".join(f'<span class="swatch" style="background:{c}"></span>{_e(name)}'
                          for name, c in self.colours.items())
        out.write(f'</svg><figcaption>{legend}. A bar is a range; an arrow up, "at least" or "more than"; an arrow '
                  'down, "as many as" or "less than".</figcaption></figure>')


def _row_html(row: LedgerRow, n: int, reports: str, out: TextSink) -> None:
    chart = _Chart(row)
    in_conflict = {_ident(e) for pair in row.conflicts for e in pair}
    lowest = _ident(row.conservative.entry) if row.conservative is not None else None
    status = '<span class="flag">Sources disagree</span>' if row.disagree else '<span class="ok">No disagreement</span>'
    out.write(f'<section id="measure-{n}"><h2>{_e(row.measure)} <small class="note">({_e(row.unit)})</small></h2>'
              f"<p>{status}. {_e(_summary_line(row))}.</p>")
    chart.write(row, out)
    out.write('<table><thead><tr><th>Date</th><th>Source</th><th class="num">Value</th><th>Qualifier</th>'
              "<th>Quote (links to the report)</th><th>Article</th></tr></thead><tbody>")
    for e in row.iter_entries():
        classes = " ".join(c for c, on in (("conflict", _ident(e) in in_conflict), ("lowest", _ident(e) == lowest)) if on)
        value = _number(e.value) if e.value is not None else f"{_number(e.low)} to {_number(e.high)}"
        out.write(
            f'<tr class="{classes}"><td>{_e(_day(e))}</td>'
            f'<td><span class="swatch" style="background:{chart.colour(e)}"></span>{_e(e.source or "the article")}</td>'
            f'<td class="num">{_e(value)}</td><td>{_e(e.qualifier.replace("_", " "))}</td>'
            f'<td><a href="{_e(_link(reports, e))}">{_e(e.quote)}</a></td><td>{_e(e.article)}</td></tr>'
        )
    out.write("</tbody></table>")
    if row.conflicts:
        out.write("<ul>" + "".join(f"<li>{_e(_clash(a, b))}</li>" for a, b in row.conflicts[:20]) + "</ul>")
    out.write("</section>")


def _html(ledger: Ledger, out: TextSink, reports: str) -> None:
    title = f"Ledger: {len(ledger.rows)} measures from {ledger.articles} articles"
    note = ("Only figures that passed every check are entered. Rows join figures that count the same group "
            "(unit, peoples and places named, civilians or military, killed, wounded, displaced...). Sources "
            "disagree when their values cannot both hold and their dates are at most 3 days apart; the lowest "
            "value is the smallest number any source gives (a range by its low end).")
    out.write('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
              '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; '
              'img-src data:">'
              f'<meta name="viewport" content="width=device-width, initial-scale=1">{HTML_MARK}<title>{_e(title)}</title>'
              f'<style>{_CSS}</style></head><body><h1>{_e(title)}</h1><p class="note">{_e(note)}</p>')
    for n, row in enumerate(ledger.rows):
        _row_html(row, n, reports, out)
    out.write("</body></html>\n")


# -- what --out may write over: a ledger this library wrote in that format ----------------------


def _is_json(data: bytes) -> bool:
    try:
        value = json.loads(data)
    except ValueError:
        return False
    return isinstance(value, list) and all(isinstance(r, dict) and {"measure", "entries"} <= r.keys() for r in value)


KINDS = {
    "json": OutputKind("a JSON ledger this command wrote", _is_json),
    "csv": OutputKind("a CSV ledger this command wrote", lambda data: data.startswith(",".join(_COLUMNS).encode())),
    "md": OutputKind("a Markdown ledger this command wrote", lambda data: data.rstrip().endswith(MARKDOWN_MARK.encode())),
    "html": OutputKind("an HTML ledger this command wrote", lambda data: HTML_MARK.encode() in data, head=4096),
}
"""Per format, the files ``summarizer ledger --out`` may write over (see :func:`summarizer.files.check_ours`)."""
