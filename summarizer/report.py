"""Reports a person can check: every item shown in the article it came from.

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
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .grounding import GroundingIssue, Span, ground
from .schema import (
    Actor,
    ArticleSummary,
    Figure,
    KeyClaim,
    PeaceTalkCondition,
    Provenance,
)

__all__ = ["render_html", "render_markdown"]

Item = KeyClaim | Figure | Actor | PeaceTalkCondition

# (list field, kind, heading): the order items are shown in.
_KINDS: tuple[tuple[str, str, str], ...] = (
    ("key_claims", "claim", "Key claims"),
    ("figures", "figure", "Figures"),
    ("actors", "actor", "Actors"),
    ("peace_talk_conditions", "condition", "Peace-talk conditions"),
)
_KIND_OF_FIELD = {name: kind for name, kind, _ in _KINDS}
# Okabe-Ito colours: told apart with the common colour-vision deficiencies.
_COLOURS = {"claim": "86,180,233", "figure": "230,159,0", "actor": "0,158,115", "condition": "204,121,167"}


# -- what both reports show -------------------------------------------------------------

_LOCAL_NOTE = (
    "Made by the tiny embedded model (model 'local'), which is there to try the library offline: "
    "expect a poor headline and summary and invented quotes, which are listed below as not supported. "
    "Use a capable model for real work."
)


def _number(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:,}"


def _amount(f: Figure) -> str:
    """The parsed value, e.g. "20,000–30,000" or "100,000"."""
    if f.value is not None:
        return _number(f.value)
    if f.low is not None and f.high is not None:
        return f"{_number(f.low)}–{_number(f.high)}"
    return "?"


def _label(item: Item) -> str:
    """One line naming the item, in the model's words."""
    if isinstance(item, Figure):
        return f"{item.text}: {item.measure}"
    if isinstance(item, KeyClaim):
        return item.statement
    if isinstance(item, Actor):
        return item.name
    return f"{item.set_by}: {item.condition}"


def _details(item: Item) -> list[str]:
    """Secondary facts about an item, shown under its label."""
    if isinstance(item, Figure):
        value = f"{_amount(item)}{' ' + item.unit if item.unit else ''}"
        return [f"value {value}", item.qualifier.value.replace("_", " "), f"source: {item.reported_by or 'the article'}"]
    if isinstance(item, KeyClaim):
        return [f"said by {item.speaker or 'the article'}", "hedged" if item.hedged else "not hedged"]
    if isinstance(item, Actor):
        return [x for x in (item.kind.value, item.role, item.affiliation) if x]
    return [f"to be met by {item.to_be_met_by or 'unstated'}"]


@dataclass(frozen=True)
class _Entry:
    key: str  # "figure-0": unique in one report, ASCII, used by the page's script
    kind: str
    path: str  # "figures[0]", as in grounding issues
    item: Item


def _entries(summary: ArticleSummary) -> Iterator[_Entry]:
    for name, kind, _ in _KINDS:
        for i, item in enumerate(getattr(summary, name)):
            yield _Entry(f"{kind}-{i}", kind, f"{name}[{i}]", item)


def _prepared(summary: ArticleSummary, text: str | None) -> tuple[ArticleSummary, str | None]:
    """The summary to show and its article (given, or the one kept by the library).

    A text that is not the one summarized would put every highlight in the wrong
    place, so it is refused. A summary never grounded (built by hand) is grounded on a
    copy here, with policy "flag", so the report still shows where each quote is.
    """
    if text is None:
        text = getattr(summary, "_source_text", None)
    if text is None:
        return summary, None
    provenance = summary.provenance
    if provenance is not None and hashlib.sha256(text.encode("utf-8")).hexdigest() != provenance.input_sha256:
        raise ValueError("this text is not the article the summary was made from (its sha256 differs)")
    if summary.grounding is None:
        summary = summary.model_copy(deep=True)
        summary.grounding = ground(summary, text, policy="flag")
    return summary, text


def _fits(span: Span, text: str) -> bool:
    return 0 <= span.start < span.end <= len(text)


_OUTSIDE = "not shown: its offsets are outside this text"


def _where(item: Item, text: str | None) -> str:
    span = item.span
    if span is None:
        return "not found in the article" + (f": {item.grounding_error}" if item.grounding_error else "")
    if text is not None and not _fits(span, text):
        return _OUTSIDE
    return f"{span.match}, characters {span.start}–{span.end}"


_SINGULAR = {"key_claims": "Key claim", "figures": "Figure", "actors": "Actor", "peace_talk_conditions": "Condition"}


def _path_label(path: str) -> str:
    """"figures[2]" as a reader counts it: "Figure 3" (a chunk prefix is kept)."""
    return re.sub(
        r"\b(\w+)\[(\d+)\]",
        lambda m: f"{_SINGULAR[m[1]]} {int(m[2]) + 1}" if m[1] in _SINGULAR else m[0],
        path,
    )


def _where_short(item: Item, text: str | None) -> str:
    span = item.span
    if span is None:
        return "not highlighted"
    if text is not None and not _fits(span, text):
        return _OUTSIDE
    return f"characters {span.start}–{span.end}"


def _apart(summary: ArticleSummary) -> list[tuple[str, str, str, Item | None]]:
    """(path, quote, reason, item if kept) for every item the article does not support."""
    kept = {e.path: e.item for e in _entries(summary)}
    rows: list[tuple[str, str, str, Item | None]] = []
    report = summary.grounding
    issues: Sequence[GroundingIssue] = report.issues if report is not None else ()
    seen = set()
    for issue in issues:
        item = None if issue.dropped else kept.get(issue.path)
        rows.append((issue.path, issue.quote, issue.reason + (" (dropped)" if issue.dropped else " (kept, flagged)"), item))
        seen.add(issue.path)
    for e in _entries(summary):  # flagged items a report does not list (or no report at all)
        if e.path not in seen and e.item.span is None:
            rows.append((e.path, e.item.quote, e.item.grounding_error or "not found in the article", e.item))
    return rows


def _provenance_rows(p: Provenance, text: str | None) -> list[tuple[str, str]]:
    u = p.usage
    rows = [
        ("Model", f"{p.model} ({p.backend}, {p.endpoint})"),
        ("Structured output", p.mode),
        ("Tokens", f"{u.total_tokens:,} ({u.prompt_tokens:,} in, {u.completion_tokens:,} out)"),
        ("Attempts", f"{p.attempts} answer(s), {p.transient_retries} transient retry(ies)"),
        ("Time", f"{p.latency_s:.1f} s" + (" when made; read from the cache this time" if p.cached else "")),
        ("Prompt", f"{p.prompt_version} (sha256 {p.prompt_sha256[:12]})"),
        ("Schema", p.schema_version),
        ("Article sha256", p.input_sha256[:16] + ("… matches the text shown" if text is not None else "…")),
        ("Created", f"{p.created_at:%Y-%m-%d %H:%M:%S %Z}".strip()),
        ("Library", f"summarizer {p.library_version}"),
    ]
    if p.chunks > 1:
        rows.insert(4, ("Chunks", f"{p.chunks} parts, merged"))
    return rows


# -- Markdown ---------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")


def _md(value: object) -> str:
    """Article or model text as inert Markdown: one line, no markup, no raw HTML."""
    text = " ".join(str(value).split())
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


class _Italic(str):
    """A table cell shown in italics (a quote from the article)."""


def _cell(value: object) -> str:
    return f"*{_md(value)}*" if isinstance(value, _Italic) else _md(value)


def _md_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in rows]
    return lines


def _md_rows(kind: str, items: Sequence[Item], text: str | None) -> tuple[list[str], list[list[object]]]:
    if kind == "claim":
        claims = [i for i in items if isinstance(i, KeyClaim)]
        return ["Claim", "Said by", "Hedged", "Quote", "Where"], [
            [c.statement, c.speaker or "the article", "yes" if c.hedged else "no", _Italic(c.quote), _where(c, text)]
            for c in claims
        ]
    if kind == "figure":
        figures = [i for i in items if isinstance(i, Figure)]
        return ["As written", "Value", "Measure", "Source", "Quote", "Where"], [
            [
                f.text,
                f"{_amount(f)}{' ' + f.unit if f.unit else ''} ({f.qualifier.value.replace('_', ' ')})",
                f.measure,
                f.reported_by or "the article",
                _Italic(f.quote),
                _where(f, text),
            ]
            for f in figures
        ]
    if kind == "actor":
        actors = [i for i in items if isinstance(i, Actor)]
        return ["Name", "Kind", "Role", "Affiliation", "Quote", "Where"], [
            [a.name, a.kind.value, a.role or "", a.affiliation or "", _Italic(a.quote), _where(a, text)] for a in actors
        ]
    conditions = [i for i in items if isinstance(i, PeaceTalkCondition)]
    return ["Set by", "Condition", "To be met by", "Quote", "Where"], [
        [p.set_by, p.condition, p.to_be_met_by or "unstated", _Italic(p.quote), _where(p, text)] for p in conditions
    ]


def render_markdown(summary: ArticleSummary, text: str | None = None) -> str:
    """A Markdown report: the summary, one table per kind of item with its quote, and provenance.

    ``text`` is the article (by default the one the library kept when it summarized);
    it is used to check the offsets and is not reproduced.
    """
    summary, text = _prepared(summary, text)
    out = [f"# {_md(summary.headline or 'Summary')}", "", _md(summary.summary), ""]
    if summary.provenance is not None and summary.provenance.backend == "local":
        out += [f"> {_md(_LOCAL_NOTE)}", ""]
    if summary.grounding is not None:
        out += [f"*Grounding ({summary.grounding.policy}): {_md(summary.grounding.describe())}*", ""]
    for name, kind, heading in _KINDS:
        items = [i for i in getattr(summary, name) if i.span is not None]  # the others are listed apart
        out.append(f"## {heading} ({len(items)})")
        out.append("")
        if items:
            header, rows = _md_rows(kind, items, text)
            out += _md_table(header, rows)
        else:
            out.append("None.")
        out.append("")
    apart = _apart(summary)
    if apart:
        out += ["## Not supported by the article", ""]
        out += [f"- **{_md(_path_label(path))}**: {_md(reason)}. Quote: *{_md(quote)}*" for path, quote, reason, _ in apart]
        out.append("")
    if summary.provenance is not None:
        out += ["## Provenance", ""]
        out += _md_table(["", ""], _provenance_rows(summary.provenance, text))
        out.append("")
    return "\n".join(out)


# -- HTML -------------------------------------------------------------------------------


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _combination_css() -> str:
    """Backgrounds for text that several kinds of item quote: one band per kind."""
    rules = []
    kinds = [kind for _, kind, _ in _KINDS]
    for size in range(2, len(kinds) + 1):
        for combo in itertools.combinations(kinds, size):
            step = 100 / size
            bands = ", ".join(
                f"rgba({_COLOURS[k]},.38) {i * step:.0f}% {(i + 1) * step:.0f}%" for i, k in enumerate(combo)
            )
            selector = ".smz mark" + "".join(f".k-{k}" for k in combo)
            rules.append(f"{selector}{{background:linear-gradient(to bottom,{bands})}}")
    return "\n".join(rules)


_CSS = (
    """
.smz{--ink:#1d2329;--muted:#5b6670;--line:#d8dde2;--paper:#fff;--panel:#f6f7f9;
 color:var(--ink);background:var(--paper);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
 box-sizing:border-box;text-align:left}
.smz *{box-sizing:border-box}
.smz-page{margin:0;background:#fff}
.smz header{padding:1.2rem 1.5rem .8rem;border-bottom:1px solid var(--line)}
.smz h1{font-size:1.45rem;line-height:1.25;margin:0 0 .5rem}
.smz h2{font-size:1rem;margin:1.1rem 0 .4rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
.smz .smz-summary{max-width:60rem;margin:.2rem 0 .6rem}
.smz .smz-note{color:var(--muted);font-size:.86rem;margin:.2rem 0}
.smz .smz-warning{font-size:.86rem;margin:.4rem 0;padding:.3rem .6rem;background:#fff4e0;border-left:4px solid #e69f00}
.smz .smz-legend{display:flex;flex-wrap:wrap;gap:.4rem .9rem;margin:.6rem 0 0;padding:0;list-style:none;font-size:.86rem}
.smz .smz-legend li{display:flex;align-items:center;gap:.35rem}
.smz .swatch{display:inline-block;width:1.1rem;height:.85rem;border-radius:2px}
.smz .smz-main{display:grid;grid-template-columns:minmax(0,1.7fr) minmax(17rem,1fr);align-items:start}
.smz article{padding:1rem 1.5rem 2rem;font:17px/1.65 Georgia,"DejaVu Serif",serif;white-space:pre-wrap;
 overflow-wrap:anywhere;max-width:48rem}
.smz aside{position:sticky;top:0;max-height:100vh;overflow:auto;padding:.2rem 1rem 1.5rem;
 background:var(--panel);border-left:1px solid var(--line)}
.smz-embedded article,.smz-embedded aside{max-height:75vh;overflow:auto}
.smz ol{list-style:none;margin:0;padding:0}
.smz .smz-item{display:block;width:100%;text-align:left;font:inherit;color:inherit;background:#fff;
 border:1px solid var(--line);border-left:5px solid var(--k);border-radius:4px;padding:.45rem .6rem;margin:0 0 .45rem;
 cursor:pointer}
.smz button.smz-item:hover,.smz button.smz-item:focus-visible{border-color:var(--k);outline:2px solid rgba(var(--kc),.45)}
.smz .smz-item.current{box-shadow:0 0 0 2px var(--k)}
.smz div.smz-item{cursor:default}
.smz .smz-label{display:block;font-weight:600}
.smz .smz-details{display:block;color:var(--muted);font-size:.84rem}
.smz .smz-quote{display:block;font:italic .9rem/1.4 Georgia,"DejaVu Serif",serif;margin:.25rem 0 .1rem;
 padding-left:.5rem;border-left:2px solid var(--line)}
.smz .smz-where{display:inline-block;font-size:.75rem;color:var(--muted);margin-top:.15rem}
.smz .smz-badge{display:inline-block;font-size:.72rem;padding:0 .35rem;border-radius:3px;margin-right:.3rem;
 background:#e8ebee;color:#333}
.smz .smz-badge.fuzzy{background:#fde7c8}.smz .smz-badge.normalized{background:#e2ecf7}
.smz .smz-apart .smz-item{border-left-color:#b3261e;background:#fff7f6}
.smz .smz-reason{display:block;color:#8c1d18;font-size:.84rem}
.smz mark{color:inherit;border-radius:2px;padding:0;cursor:pointer;scroll-margin:6rem}
.smz mark.flash{animation:smz-flash 1.6s ease-out;outline:2px solid #c2410c}
@keyframes smz-flash{0%{background:#ffd400;box-shadow:0 0 0 5px rgba(255,212,0,.6)}100%{box-shadow:0 0 0 0 rgba(255,212,0,0)}}
@media (prefers-reduced-motion:reduce){.smz mark.flash{animation:none;background:#ffd400}}
.smz footer{border-top:1px solid var(--line);padding:.8rem 1.5rem 1.5rem;color:var(--muted);font-size:.85rem}
.smz footer dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem;margin:.3rem 0}
.smz footer dt{font-weight:600}.smz footer dd{margin:0;overflow-wrap:anywhere}
@media (max-width:800px){.smz .smz-main{grid-template-columns:1fr}.smz aside{position:static;max-height:none}}
"""
    + "\n".join(
        f".smz .k-{k}{{--k:rgb({c});--kc:{c}}}\n.smz mark.k-{k}{{background:rgba({c},.3);"
        f"box-shadow:inset 0 -2px 0 rgb({c})}}\n.smz .swatch.k-{k}{{background:rgba({c},.45);"
        f"border-bottom:2px solid rgb({c})}}"
        for k, c in _COLOURS.items()
    )
    + "\n"
    + _combination_css()
    + "\n"
)

# Wires every report on the page once (a notebook may show several): a click on an
# item scrolls its quote into view and flashes it; a click on a highlight selects
# its item in the side list. Keys are the report's own ASCII ids, never article text.
_JS = """
(function () {
  "use strict";
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  function wire(root) {
    if (root.getAttribute("data-smz-ready")) { return; }
    root.setAttribute("data-smz-ready", "1");
    var timer = null;
    function select(key) {
      root.querySelectorAll(".smz-item.current").forEach(function (el) { el.classList.remove("current"); });
      var item = root.querySelector('.smz-item[data-item="' + key + '"]');
      if (item) { item.classList.add("current"); }
      return item;
    }
    function show(key) {
      var marks = root.querySelectorAll('mark[data-items~="' + key + '"]');
      select(key);
      if (!marks.length) { return; }
      root.querySelectorAll("mark.flash").forEach(function (el) { el.classList.remove("flash"); });
      marks[0].scrollIntoView({behavior: still ? "auto" : "smooth", block: "center"});
      marks.forEach(function (el) { void el.offsetWidth; el.classList.add("flash"); });
      clearTimeout(timer);
      timer = setTimeout(function () {
        marks.forEach(function (el) { el.classList.remove("flash"); });
      }, 1800);
    }
    root.addEventListener("click", function (event) {
      var target = event.target instanceof Element ? event.target : null;
      if (!target) { return; }
      var button = target.closest("button[data-item]");
      if (button) { show(button.getAttribute("data-item")); return; }
      var mark = target.closest("mark[data-items]");
      if (mark) {
        var item = select(mark.getAttribute("data-items").split(" ")[0]);
        if (item) { item.scrollIntoView({behavior: still ? "auto" : "smooth", block: "nearest"}); }
      }
    });
  }
  document.querySelectorAll(".smz").forEach(wire);
})();
"""


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


def _marks(entries: Sequence[_Entry], text: str) -> list[_Mark]:
    marks = []
    for e in entries:
        span = e.item.span
        if span is not None and _fits(span, text):
            marks.append(_Mark(e.key, e.kind, span.start, span.end, f"{e.kind}: {_label(e.item)}"))
    return marks


def _highlighted(text: str, marks: Sequence[_Mark]) -> str:
    """The article, escaped, with every quoted stretch in ``<mark>``.

    Quotes may overlap, so the text is cut at every quote's start and end and each
    piece is wrapped once, with the kinds and items of all the quotes covering it:
    the result nests nothing and every item's quote is the union of its pieces.
    """
    cuts = sorted({0, len(text), *(m.start for m in marks), *(m.end for m in marks)})
    out = []
    for a, b in itertools.pairwise(cuts):
        piece = _e(text[a:b])
        covering = [m for m in marks if m.start <= a and b <= m.end]
        if not covering:
            out.append(piece)
            continue
        kinds = [k for _, k, _ in _KINDS if any(m.kind == k for m in covering)]
        classes = " ".join(f"k-{k}" for k in kinds)
        keys = " ".join(m.key for m in covering)
        title = "\n".join(m.title for m in covering)
        out.append(f'<mark class="{classes}" data-items="{keys}" title="{_e(title)}">{piece}</mark>')
    return "".join(out)


def _item_html(entry: _Entry, text: str | None, clickable: bool, reason: str | None = None) -> str:
    item = entry.item
    span = item.span
    badge = f'<span class="smz-badge {span.match}">{span.match}</span>' if span is not None else ""
    details = " · ".join(_details(item))
    body = (
        f'<span class="smz-label">{_e(_label(item))}</span>'
        f'<span class="smz-details">{_e(details)}</span>'
        f'<span class="smz-quote">{_e(item.quote)}</span>'
        + (f'<span class="smz-reason">{_e(reason)}</span>' if reason else "")
        + f'<span class="smz-where">{badge}{_e(_where_short(item, text))}</span>'
    )
    if clickable:
        return (
            f'<li><button type="button" class="smz-item k-{entry.kind}" data-item="{entry.key}" '
            f'title="Show in the article">{body}</button></li>'
        )
    return f'<li><div class="smz-item k-{entry.kind}">{body}</div></li>'


def _fragment(summary: ArticleSummary, text: str | None, embedded: bool) -> str:
    entries = list(_entries(summary))
    marks = _marks(entries, text) if text is not None else []
    shown = {m.key for m in marks}
    by_kind = {kind: [e for e in entries if e.kind == kind and e.item.span is not None] for _, kind, _ in _KINDS}
    report = summary.grounding

    head = [f"<h1>{_e(summary.headline or 'Summary')}</h1>", f'<p class="smz-summary">{_e(summary.summary)}</p>']
    note = "The headline and summary are the model's words; every item below is checked against the article."
    if report is not None:
        note = f"Grounding ({_e(report.policy)}): {_e(report.describe())}. " + note
    head.append(f'<p class="smz-note">{note}</p>')
    if summary.provenance is not None and summary.provenance.backend == "local":
        head.append(f'<p class="smz-warning">{_e(_LOCAL_NOTE)}</p>')
    legend = "".join(
        f'<li><span class="swatch k-{kind}"></span>{_e(heading)} ({len(by_kind[kind])})</li>'
        for _, kind, heading in _KINDS
    )
    head.append(f'<ul class="smz-legend" aria-label="Highlight colours">{legend}</ul>')

    if text is not None:
        article = f'<article aria-label="The article">{_highlighted(text, marks)}</article>'
    else:
        article = (
            '<article aria-label="The article"><p class="smz-note">The article text is not available, so the '
            "quotes are shown without it. Pass the text to render_html(summary, text) to see every item in "
            "place.</p></article>"
        )

    side = []
    for _, kind, heading in _KINDS:
        group = by_kind[kind]
        side.append(f"<h2>{_e(heading)} ({len(group)})</h2>")
        if group:
            side.append("<ol>" + "".join(_item_html(e, text, e.key in shown) for e in group) + "</ol>")
        else:
            side.append('<p class="smz-note">None found in the article.</p>')
    apart = _apart(summary)
    if apart:
        rows: list[str] = []
        for path, quote, reason, item in apart:
            if item is not None:
                kind = _KIND_OF_FIELD.get(path.split("[")[0], "claim")
                rows.append(_item_html(_Entry(f"apart-{len(rows)}", kind, path, item), text, False, reason))
            else:
                rows.append(
                    f'<li><div class="smz-item"><span class="smz-label">{_e(_path_label(path))}</span>'
                    f'<span class="smz-quote">{_e(quote)}</span><span class="smz-reason">{_e(reason)}</span></div></li>'
                )
        side.append(
            f'<section class="smz-apart"><h2>Not supported by the article ({len(apart)})</h2>'
            '<p class="smz-note">Quotes not found in the article, or items whose figure or name the quote does '
            f'not state. They are not highlighted.</p><ol>{"".join(rows)}</ol></section>'
        )

    foot = ""
    if summary.provenance is not None:
        rows_html = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in _provenance_rows(summary.provenance, text))
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
    summary, text = _prepared(summary, text)
    page_title = title or summary.headline or "Summary"
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(page_title)}</title><style>{_CSS}</style></head>\n"
        f'<body class="smz-page">{_fragment(summary, text, embedded=False)}\n<script>{_JS}</script>\n</body></html>\n'
    )


def render_html_fragment(summary: ArticleSummary, text: str | None = None) -> str:
    """The report as a ``<div>`` for a notebook: scoped style, its own script, scrolling panes."""
    summary, text = _prepared(summary, text)
    return f"<style>{_CSS}</style>{_fragment(summary, text, embedded=True)}<script>{_JS}</script>"
