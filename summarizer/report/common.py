"""What both reports show of a summary: its items in order, where each quote sits, what is listed apart.

Both reports are pure functions of the summary and the article text; this module
decides what they say, :mod:`.markdown` and :mod:`.html` how it looks.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ..grounding import ground
from ..grounding.coverage import SENTENCE_KEPT, window
from ..results import source_text_of
from ..schema import (
    Actor,
    ArticleSummary,
    Figure,
    GroundingIssue,
    KeyClaim,
    PeaceTalkCondition,
    Provenance,
    Span,
)

__all__ = [
    "BIDI_CONTROLS",
    "COLOURS",
    "HTML_MARK",
    "KINDS",
    "KIND_OF_FIELD",
    "LOCAL_NOTE",
    "MARKDOWN_MARK",
    "OUTSIDE",
    "Entry",
    "Item",
    "amount",
    "apart",
    "checks_line",
    "dated",
    "details",
    "entries",
    "evidence",
    "failed_words",
    "fits",
    "headline_note",
    "label",
    "number",
    "path_label",
    "prepared",
    "provenance_rows",
    "quote_note",
    "uncovered_rows",
    "where",
    "where_short",
]

Item = KeyClaim | Figure | Actor | PeaceTalkCondition

BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
"""Embeddings, overrides and isolates: text carrying them can show a reader other words than it holds
("Trojan Source"). Both reports show each as a visible code point, ``⟦U+202E⟧``, instead of obeying it."""

# What a report written by this library carries, so the command can tell its own report (which it may
# replace) from a user's file (which it never overwrites).
HTML_MARK = '<meta name="generator" content="summarizer">'
MARKDOWN_MARK = "<!-- a summarizer report -->"

# (list field, kind, heading): the order items are shown in.
KINDS: tuple[tuple[str, str, str], ...] = (
    ("key_claims", "claim", "Key claims"),
    ("figures", "figure", "Figures"),
    ("actors", "actor", "Actors"),
    ("peace_talk_conditions", "condition", "Peace-talk conditions"),
)
KIND_OF_FIELD = {name: kind for name, kind, _ in KINDS}
# Okabe-Ito colours: told apart with the common colour-vision deficiencies.
COLOURS = {"claim": "86,180,233", "figure": "230,159,0", "actor": "0,158,115", "condition": "204,121,167"}


# -- what both reports show -------------------------------------------------------------

LOCAL_NOTE = (
    "Made by the tiny embedded model (model 'local'), which is there to try the library offline: "
    "expect a poor headline and summary and invented quotes, which are listed below as not supported. "
    "Use a capable model for real work."
)


def number(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:,}"


def amount(f: Figure) -> str:
    """The parsed value, e.g. "20,000–30,000" or "100,000"."""
    if f.value is not None:
        return number(f.value)
    if f.low is not None and f.high is not None:
        return f"{number(f.low)}–{number(f.high)}"
    return "?"


def label(item: Item) -> str:
    """One line naming the item, in the model's words."""
    if isinstance(item, Figure):
        return f"{item.text}: {item.measure}"
    if isinstance(item, KeyClaim):
        return item.statement
    if isinstance(item, Actor):
        return item.name
    return f"{item.set_by}: {item.condition}"


def dated(item: Item) -> str | None:
    """The item's date as a report shows it: "9 Nov 2022 (Wednesday)", "7-10 Nov 2022 (this week)"; None if none."""
    when = item.when
    if when is None:
        return None
    first, last = when.first, when.last
    if first is None:
        return f"undated ({when.text})" if when.text else None
    shown = f"{first.day} {first:%b %Y}"
    if last is not None and last != first:
        shown = f"{first.day} {first:%b} to {last.day} {last:%b %Y}"
    if when.basis == "published":
        return f"{shown} (the article's date)"
    return f"{shown} ({when.text})" if when.text else shown


def details(item: Item) -> list[str]:
    """Secondary facts about an item, shown under its label."""
    day = dated(item)
    when = [day] if day is not None and not isinstance(item, Actor) else []
    if isinstance(item, Figure):
        value = f"{amount(item)}{' ' + item.unit if item.unit else ''}"
        return [f"value {value}", item.qualifier.value.replace("_", " "), f"source: {item.reported_by or 'the article'}",
                *when]
    if isinstance(item, KeyClaim):
        return [f"said by {item.speaker or 'the article'}", "hedged" if item.hedged else "not hedged", *when]
    if isinstance(item, Actor):
        return [x for x in (item.kind.value, item.role, item.affiliation) if x]
    return [f"to be met by {item.to_be_met_by or 'unstated'}", *when]


@dataclass(frozen=True)
class Entry:
    key: str  # "figure-0": unique in one report, ASCII, used by the page's script
    kind: str
    path: str  # "figures[0]", as in grounding issues
    item: Item


def entries(summary: ArticleSummary) -> Iterator[Entry]:
    for name, kind, _ in KINDS:
        for i, item in enumerate(getattr(summary, name)):
            yield Entry(f"{kind}-{i}", kind, f"{name}[{i}]", item)


def prepared(summary: ArticleSummary, text: str | None) -> tuple[ArticleSummary, str | None]:
    """The summary to show and its article (given, or the one kept by the library).

    A text that is not the one summarized would put every highlight in the wrong
    place, so it is refused. A summary never grounded (built by hand) is grounded on a
    copy here, with policy "flag", so the report still shows where each quote is.
    """
    if text is None:
        text = source_text_of(summary)
    if text is None:
        return summary, None
    provenance = summary.provenance
    if provenance is not None and hashlib.sha256(text.encode("utf-8")).hexdigest() != provenance.input_sha256:
        raise ValueError("this text is not the article the summary was made from (its sha256 differs)")
    if summary.grounding is None:
        summary = summary.model_copy(deep=True)
        summary.grounding = ground(summary, text, policy="flag")
    return summary, text


def fits(span: Span, text: str) -> bool:
    return 0 <= span.start < span.end <= len(text)


OUTSIDE = "not shown: its offsets are outside this text"


def where(item: Item, text: str | None) -> str:
    span = item.span
    if span is None:
        return "not found in the article" + (f": {item.grounding_error}" if item.grounding_error else "")
    if text is not None and not fits(span, text):
        return OUTSIDE
    return f"{span.match}, characters {span.start}–{span.end}"


SINGULAR = {
    "key_claims": "Key claim", "figures": "Figure", "actors": "Actor", "peace_talk_conditions": "Condition",
    "summary": "Summary sentence",
}


def path_label(path: str) -> str:
    """"figures[2]" as a reader counts it: "Figure 3" (a chunk prefix is kept)."""
    return re.sub(
        r"\b(\w+)\[(\d+)\]",
        lambda m: f"{SINGULAR[m[1]]} {int(m[2]) + 1}" if m[1] in SINGULAR else m[0],
        path,
    )


def where_short(item: Item, text: str | None) -> str:
    span = item.span
    if span is None:
        return "not highlighted"
    if text is not None and not fits(span, text):
        return OUTSIDE
    return f"characters {span.start}–{span.end}"


def apart(summary: ArticleSummary) -> list[tuple[str, str, str, Item | None]]:
    """(path, quote, reason, item if kept) for every item the article does not support."""
    kept = {e.path: e.item for e in entries(summary)}
    rows: list[tuple[str, str, str, Item | None]] = []
    report = summary.grounding
    issues: Sequence[GroundingIssue] = report.issues if report is not None else ()
    seen = set()
    for issue in issues:
        item = None if issue.dropped else kept.get(issue.path)
        rows.append((issue.path, issue.quote, issue.reason + (" (dropped)" if issue.dropped else " (kept, flagged)"), item))
        seen.add(issue.path)
    for e in entries(summary):  # flagged items a report does not list (or no report at all)
        if e.path not in seen and not e.item.grounded:
            rows.append((e.path, e.item.quote, e.item.grounding_error or "not found in the article", e.item))
    return rows


def _pieces(text: str, words: Sequence[str]) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, failed) where the failing words stand, whole words only, case aside."""
    wanted = sorted({w for w in words if w.strip()}, key=len, reverse=True)
    if not wanted:
        return [(text, False)]
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in wanted) + r")(?!\w)", re.IGNORECASE)
    out: list[tuple[str, bool]] = []
    at = 0
    for m in pattern.finditer(text):
        if m.start() > at:
            out.append((text[at : m.start()], False))
        out.append((m[0], True))
        at = m.end()
    if at < len(text):
        out.append((text[at:], False))
    return out


def failed_words(summary: ArticleSummary, path: str, item: Item | None) -> list[tuple[str, list[tuple[str, bool]]]]:
    """The model's own words that a check refused, as (field, pieces marked where they failed), for one issue.

    For an item: each of its fields whose check names failing words; for a summary sentence
    ("summary[1]"): the sentence itself, as the summary check of that sentence marked it.
    """
    if item is not None:
        out = []
        for check in item.checks:
            value = getattr(item, check.field, None)
            if not check.ok and check.words and isinstance(value, str):
                out.append((check.field, _pieces(value, check.words)))
        return out
    m = re.fullmatch(r"summary\[(\d+)\]", path)
    report = summary.grounding
    if m is None or report is None or int(m[1]) >= len(report.summary):
        return []
    check = report.summary[int(m[1])]
    issue = next((i for i in report.issues if i.path == path), None)
    if not check.words or issue is None:
        return []
    return [("summary", _pieces(issue.quote, check.words))]


def evidence(item: Item) -> str:
    """The article's own words for an item (its quote when grounding never recorded them)."""
    return item.evidence if item.evidence is not None else item.quote


def quote_note(item: Item) -> str | None:
    """How the model's quote differed from the article's words, when it did."""
    if item.evidence is None or item.evidence == item.quote or item.match == "exact":
        return None
    quote = next((c for c in item.checks if c.field == "quote"), None)
    differed = f" ({quote.detail})" if quote is not None and quote.detail else ""
    return f"the model quoted: {item.quote}{differed}"


def checks_line(item: Item) -> str:
    """Every check made of an item, e.g. "checked: quote ✓, value ✓, qualifier ✗"."""
    if not item.checks:
        return ""
    return "checked: " + ", ".join(f"{c.field} {'✓' if c.ok else '✗'}" for c in item.checks)


def headline_note(summary: ArticleSummary) -> str | None:
    report = summary.grounding
    check = report.headline if report is not None else None
    if check is None or check.ok:
        return None
    return f"The headline is the model's and was not verified: {check.detail}."


def uncovered_rows(summary: ArticleSummary) -> list[tuple[str, str, str]]:
    """(number as written, where, its sentence) for every number no grounded figure accounts for.

    A summary made before sentences were bounded (see ``grounding.coverage``) may hold a
    whole flattened table for each number: it is shown cut to the words around the number,
    so a report stays in proportion to its article.
    """
    report = summary.grounding
    if report is None:
        return []
    rows = []
    for u in report.uncovered:
        sentence = u.sentence
        if len(sentence) > SENTENCE_KEPT:
            at = max(0, sentence.find(u.text))
            a, b = window(sentence, at, at + len(u.text))
            sentence = sentence[a:b]
        rows.append((u.text, f"characters {u.start}–{u.end}", sentence))
    return rows


_EVIDENCE = {
    "quote": "quotes copied by the model",
    "sentence": "sentences cited by number; quotes filled from the article",
    "sentence+numbers": "sentences and numbers cited; quotes and figures filled from the article",
}


def _read(p: Provenance) -> str:
    """What the library read from the article in a cited mode, besides the quotes."""
    if p.evidence == "quote":
        return ""
    read = ["the headline", "speakers and sources", "hedges", "names, roles and affiliations"]
    if p.evidence == "sentence+numbers":
        read.append("units" + (" and measures" if p.measure_style == "read" else ""))
    picked = "; the summary is sentences the model picked" if p.summary_style == "cited" else ""
    return f"; {', '.join(read)} read from the article where it settles them{picked}"


def provenance_rows(p: Provenance, text: str | None) -> list[tuple[str, str]]:
    u = p.usage
    rows = [
        ("Model", f"{p.model} ({p.backend}, {p.endpoint})"),
        ("Structured output", p.mode),
        ("Evidence", _EVIDENCE.get(p.evidence, p.evidence) + _read(p)),
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
        rows.insert(5, ("Chunks", f"{p.chunks} parts, merged"))
    _FROM = {"argument": "given", "page": "from the page's markup", "dateline": "from its dateline"}
    published = f"{p.published:%Y-%m-%d} ({_FROM.get(p.published_from or '', 'given')})" if p.published else (
        "unknown: date words are kept, not resolved")
    rows.insert(3, ("Article's date", published))
    return rows
