"""The HTML report: the article with every item in place, one self-contained page.

An analyst trusts a summary by looking at the evidence, so both reports put each
claim, figure, actor and condition next to its quote and where that quote sits.
:func:`render_markdown` gives tables (for a terminal, a pull request, a notebook);
:func:`render_html` gives one self-contained page (inline CSS and JavaScript, nothing
fetched) with the article itself, every grounded quote highlighted by kind, a side
list whose entries scroll to their quote and flash it, the items the article does not
support listed apart, and the provenance at the foot.

Both are pure functions of the summary and the article text. Everything that came
from the article or the model is escaped, and the page carries a Content-Security-
Policy that allows only its own style and script (by hash), so markup inside an
article is shown as text and could not run even if escaping were ever missed.
"""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

from ..schema import ArticleSummary
from .common import (
    BIDI_CONTROLS,
    COLOURS,
    HTML_MARK,
    KIND_OF_FIELD,
    KINDS,
    LOCAL_NOTE,
    Entry,
    apart,
    checks_line,
    details,
    entries,
    evidence,
    failed_words,
    fits,
    headline_note,
    label,
    path_label,
    prepared,
    provenance_rows,
    quote_note,
    uncovered_rows,
    where_short,
)

__all__ = ["render_html", "render_html_fragment"]


def _asset(name: str) -> str:
    """A file of this package (the page's style sheet and script), hashed into the CSP as it is read."""
    return (resources.files(__package__ or "summarizer.report") / name).read_text(encoding="utf-8")


def _e(value: object) -> str:
    """Text as inert HTML; a bidi control is shown as its code point, never obeyed (see BIDI_CONTROLS)."""
    escaped = html.escape(str(value), quote=True)
    return BIDI_CONTROLS.sub(lambda m: f'<span class="bidi">⟦U+{ord(m[0]):04X}⟧</span>', escaped)


def _combination_css() -> str:
    """Backgrounds for text that several kinds of item quote: one band per kind."""
    rules = []
    kinds = [kind for _, kind, _ in KINDS]
    for size in range(2, len(kinds) + 1):
        for combo in itertools.combinations(kinds, size):
            step = 100 / size
            bands = ", ".join(
                f"rgba({COLOURS[k]},.38) {i * step:.0f}% {(i + 1) * step:.0f}%" for i, k in enumerate(combo)
            )
            selector = ".smz mark" + "".join(f".k-{k}" for k in combo)
            rules.append(f"{selector}{{background:linear-gradient(to bottom,{bands})}}")
    return "\n".join(rules)


_CSS = (
    _asset("report.css")
    + "\n".join(
        f".smz .k-{k}{{--k:rgb({c});--kc:{c}}}\n.smz mark.k-{k}{{background:rgba({c},.3);"
        f"box-shadow:inset 0 -2px 0 rgb({c})}}\n.smz .swatch.k-{k}{{background:rgba({c},.45);"
        f"border-bottom:2px solid rgb({c})}}"
        for k, c in COLOURS.items()
    )
    + "\n"
    + _combination_css()
    + "\n"
)

# Wires every report on the page once (a notebook may show several): a click on an
# item scrolls its quote into view and flashes it; a click on a highlight selects
# its item in the side list. Keys are the report's own ASCII ids, never article text.
_JS = _asset("report.js")


def _csp_hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii") + "'"


_CSP = (
    f"default-src 'none'; style-src {_csp_hash(_CSS)}; script-src {_csp_hash(_JS)}; "
    "img-src 'none'; base-uri 'none'; form-action 'none'"
)


@dataclass(frozen=True)
class _Mark:
    key: str
    kind: str
    start: int
    end: int
    title: str


def _marks(listed: Sequence[Entry], text: str) -> list[_Mark]:
    marks = []
    for e in listed:
        span = e.item.span
        if span is not None and e.item.grounded and fits(span, text):
            marks.append(_Mark(e.key, e.kind, span.start, span.end, f"{e.kind}: {label(e.item)}"))
    return marks


def _highlighted(text: str, marks: Sequence[_Mark], numbers: Sequence[tuple[int, int]] = ()) -> str:
    """The article, escaped, with every quoted stretch in ``<mark>`` and every uncovered number marked.

    Quotes may overlap, so the text is cut at every quote's start and end and each
    piece is wrapped once, with the kinds and items of all the quotes covering it:
    the result nests nothing but an uncovered number inside a quote's piece, and every
    item's quote is the union of its pieces. One sweep over the cuts: an article of
    thousands of uncovered numbers takes time in proportion to its length.
    """
    cuts = sorted({0, len(text), *(m.start for m in marks), *(m.end for m in marks), *(x for n in numbers for x in n)})
    underlined: list[list[int]] = []  # the uncovered numbers, overlapping ones joined
    for lo, hi in sorted(numbers):
        if underlined and lo <= underlined[-1][1]:
            underlined[-1][1] = max(underlined[-1][1], hi)
        else:
            underlined.append([lo, hi])
    by_start = sorted(range(len(marks)), key=lambda i: marks[i].start)
    active: list[int] = []  # the marks open at the current cut, by their place in ``marks``
    out = []
    next_mark = next_number = 0
    for a, b in itertools.pairwise(cuts):
        while next_mark < len(by_start) and marks[by_start[next_mark]].start <= a:
            active.append(by_start[next_mark])
            next_mark += 1
        active = [i for i in active if marks[i].end > a]
        while next_number < len(underlined) and underlined[next_number][1] <= a:
            next_number += 1
        piece = _e(text[a:b])
        if next_number < len(underlined) and underlined[next_number][0] <= a:
            piece = f'<span class="uncovered" title="A number no grounded figure accounts for">{piece}</span>'
        covering = [marks[i] for i in sorted(active)]
        if not covering:
            out.append(piece)
            continue
        kinds = [k for _, k, _ in KINDS if any(m.kind == k for m in covering)]
        classes = " ".join(f"k-{k}" for k in kinds)
        keys = " ".join(m.key for m in covering)
        title = "\n".join(m.title for m in covering)
        out.append(f'<mark class="{classes}" data-items="{keys}" title="{_e(title)}">{piece}</mark>')
    return "".join(out)


def _words_html(marked: list[tuple[str, list[tuple[str, bool]]]]) -> str:
    """The model's own words a check refused, the failing ones in bold."""
    return "".join(
        f'<span class="smz-words">{_e(field)}: '
        + "".join(f'<strong class="smz-failed">{_e(p)}</strong>' if bad else _e(p) for p, bad in pieces)
        + "</span>"
        for field, pieces in marked
    )


def _item_html(
    entry: Entry, text: str | None, clickable: bool, reason: str | None = None, words: str = ""
) -> str:
    item = entry.item
    span = item.span
    badge = f'<span class="smz-badge {span.match}">{span.match}</span>' if span is not None else ""
    facts = " · ".join(details(item))
    note = quote_note(item)
    checks = checks_line(item)
    body = (
        f'<span class="smz-label">{_e(label(item))}</span>'
        f'<span class="smz-details">{_e(facts)}</span>'
        f'<span class="smz-quote" title="The article\'s words">{_e(evidence(item))}</span>'
        + (f'<span class="smz-differs">{_e(note)}</span>' if note else "")
        + (f'<span class="smz-reason">{_e(reason)}</span>' if reason else "")
        + words
        + f'<span class="smz-where">{badge}{_e(where_short(item, text))}</span>'
        + (f'<span class="smz-checks">{_e(checks)}</span>' if checks else "")
    )
    if clickable:
        return (
            f'<li><button type="button" class="smz-item k-{entry.kind}" data-item="{entry.key}" '
            f'title="Show in the article">{body}</button></li>'
        )
    return f'<li><div class="smz-item k-{entry.kind}">{body}</div></li>'


def _fragment(summary: ArticleSummary, text: str | None, embedded: bool) -> str:
    listed = list(entries(summary))
    marks = _marks(listed, text) if text is not None else []
    shown = {m.key for m in marks}
    by_kind = {kind: [e for e in listed if e.kind == kind and e.item.grounded] for _, kind, _ in KINDS}
    report = summary.grounding
    numbers = [(u.start, u.end) for u in report.uncovered] if report is not None and text is not None else []
    numbers = [(a, b) for a, b in numbers if 0 <= a < b <= len(text or "")]

    head = [f"<h1>{_e(summary.headline or 'Summary')}</h1>", f'<p class="smz-summary">{_e(summary.summary)}</p>']
    note = (
        "The headline is the article's own or none; each sentence of the summary and every item below, the model's "
        "own words included, is checked against the article."
    )
    if report is not None:
        note = f"Grounding ({_e(report.policy)}): {_e(report.describe())}. " + note
    head.append(f'<p class="smz-note">{note}</p>')
    unverified = headline_note(summary)
    if unverified:
        head.append(f'<p class="smz-warning">{_e(unverified)}</p>')
    if summary.provenance is not None and summary.provenance.backend == "local":
        head.append(f'<p class="smz-warning">{_e(LOCAL_NOTE)}</p>')
    legend = "".join(
        f'<li><span class="swatch k-{kind}"></span>{_e(heading)} ({len(by_kind[kind])})</li>'
        for _, kind, heading in KINDS
    )
    head.append(f'<ul class="smz-legend" aria-label="Highlight colours">{legend}</ul>')

    if text is not None:
        article = f'<article aria-label="The article">{_highlighted(text, marks, numbers)}</article>'
    else:
        article = (
            '<article aria-label="The article"><p class="smz-note">The article text is not available, so the '
            "quotes are shown without it. Pass the text to render_html(summary, text) to see every item in "
            "place.</p></article>"
        )

    side = []
    for _, kind, heading in KINDS:
        group = by_kind[kind]
        side.append(f"<h2>{_e(heading)} ({len(group)})</h2>")
        if group:
            side.append("<ol>" + "".join(_item_html(e, text, e.key in shown) for e in group) + "</ol>")
        else:
            side.append('<p class="smz-note">None found in the article.</p>')
    unsupported = apart(summary)
    if unsupported:
        rows: list[str] = []
        for path, quote, reason, item in unsupported:
            if item is not None:
                kind = KIND_OF_FIELD.get(path.split("[")[0], "claim")
                words = _words_html(failed_words(summary, path, item))
                rows.append(_item_html(Entry(f"apart-{len(rows)}", kind, path, item), text, False, reason, words))
            else:
                rows.append(
                    f'<li><div class="smz-item"><span class="smz-label">{_e(path_label(path))}</span>'
                    f'<span class="smz-quote">{_e(quote)}</span><span class="smz-reason">{_e(reason)}</span>'
                    f"{_words_html(failed_words(summary, path, None))}</div></li>"
                )
        side.append(
            f'<section class="smz-apart"><h2>Not supported by the article ({len(unsupported)})</h2>'
            '<p class="smz-note">Quotes the article does not hold or says otherwise, and items a check of their '
            f'fields refused. They are not highlighted.</p><ol>{"".join(rows)}</ol></section>'
        )
    uncovered = uncovered_rows(summary)
    if uncovered:
        total = report.numbers if report is not None else len(uncovered)
        rows_html = "".join(
            f'<li><div class="smz-item smz-number"><span class="smz-label">{_e(n)}</span>'
            f'<span class="smz-quote">{_e(sentence)}</span><span class="smz-where">{_e(w)}</span></div></li>'
            for n, w, sentence in uncovered
        )
        side.append(
            f'<section class="smz-uncovered"><h2>Uncovered numbers ({len(uncovered)} of {total})</h2>'
            '<p class="smz-note">Numbers the article states that no grounded figure accounts for; underlined in '
            f"the article.</p><ol>{rows_html}</ol></section>"
        )

    foot = ""
    if summary.provenance is not None:
        rows_html = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in provenance_rows(summary.provenance, text))
        foot = f"<footer><h2>Provenance</h2><dl>{rows_html}</dl></footer>"

    classes = "smz smz-embedded" if embedded else "smz"
    return (
        f'<div class="{classes}"><header>{"".join(head)}</header>'
        f'<div class="smz-main">{article}<aside aria-label="Items">{"".join(side)}</aside></div>'
        f"{foot}</div>"
    )


def render_html(summary: ArticleSummary, text: str | None = None, *, title: str | None = None) -> str:
    """One self-contained HTML page: the article with every item highlighted in place.

    ``text`` is the article (by default the one the library kept when it summarized);
    without it the items and quotes are shown alone. Nothing is fetched: the page's
    style and script are inline and allowed by hash, and nothing else may run.
    """
    summary, text = prepared(summary, text)
    page_title = title or summary.headline or "Summary"
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"{HTML_MARK}<title>{_e(page_title)}</title><style>{_CSS}</style></head>\n"
        f'<body class="smz-page">{_fragment(summary, text, embedded=False)}\n<script>{_JS}</script>\n</body></html>\n'
    )


def render_html_fragment(summary: ArticleSummary, text: str | None = None) -> str:
    """The report as a ``<div>`` for a notebook: scoped style, its own script, scrolling panes."""
    summary, text = prepared(summary, text)
    return f"<style>{_CSS}</style>{_fragment(summary, text, embedded=True)}<script>{_JS}</script>"
