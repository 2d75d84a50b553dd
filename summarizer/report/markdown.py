"""The Markdown report: the summary, one table per kind of item with its quote and where it sits, provenance."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from ..schema import Actor, ArticleSummary, Figure, KeyClaim, PeaceTalkCondition
from .common import (
    BIDI_CONTROLS,
    KINDS,
    LOCAL_NOTE,
    MARKDOWN_MARK,
    Item,
    amount,
    apart,
    checks_line,
    dated,
    evidence,
    failed_words,
    headline_note,
    path_label,
    prepared,
    provenance_rows,
    quote_note,
    uncovered_rows,
    where,
)

__all__ = ["render_markdown"]

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")


_BLOCK_START = re.compile(r"^(?:(?=[-+=>])|(\d+)(?=[.)]))")  # "---", "> ", "1. " would open a rule, quote or list
_LINKABLE = re.compile(r"\b(https?|ftp)://|\bwww\.", re.IGNORECASE)


def _md(value: object) -> str:
    """Article or model text as inert Markdown: one line, no markup, no raw HTML, no links.

    Nothing the text holds can change the report's structure: a leading ``---``, ``>`` or
    ``1.`` is escaped, a bare URL is defanged (``https[:]//``, ``www[.]``) so no renderer
    links it, and a bidi control is shown as its code point (see ``BIDI_CONTROLS``).
    """
    text = " ".join(str(value).split())
    text = _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))
    text = _LINKABLE.sub(lambda m: f"{m[1]}\\[:\\]//" if m[1] else "www\\[.\\]", text)
    text = BIDI_CONTROLS.sub(lambda m: f"⟦U+{ord(m[0]):04X}⟧", text)
    return _BLOCK_START.sub(lambda m: f"{m[1]}\\" if m[1] else "\\", text, count=1)


def _md_piece(piece: str) -> str:
    """A piece of a line, inert as :func:`_md` makes it, its outer spaces kept (it stands between marked words)."""
    lead = " " if piece[:1].isspace() else ""
    tail = " " if piece[-1:].isspace() and piece.strip() else ""
    return lead + _md(piece) + tail if piece.strip() else (" " if piece else "")


class _Italic(str):
    """A table cell shown in italics (a quote from the article)."""


def _cell(value: object) -> str:
    return f"*{_md(value)}*" if isinstance(value, _Italic) else _md(value)


def _md_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in rows]
    return lines


def _said(item: Item) -> _Italic:
    """The article's words at the item, and the model's quote where it differed."""
    note = quote_note(item)
    return _Italic(evidence(item) + (f" — {note}" if note else ""))


def _where(item: Item, text: str | None) -> str:
    line = checks_line(item)
    return where(item, text) + (f"; {line}" if line else "")


def _md_rows(kind: str, items: Sequence[Item], text: str | None) -> tuple[list[str], list[list[object]]]:
    if kind == "claim":
        claims = [i for i in items if isinstance(i, KeyClaim)]
        return ["Claim", "Said by", "Hedged", "When", "The article says", "Where and checks"], [
            [c.statement, c.speaker or "the article", "yes" if c.hedged else "no", dated(c) or "", _said(c),
             _where(c, text)]
            for c in claims
        ]
    if kind == "figure":
        figures = [i for i in items if isinstance(i, Figure)]
        return ["As written", "Value", "Measure", "Source", "When", "The article says", "Where and checks"], [
            [
                f.text,
                f"{amount(f)}{' ' + f.unit if f.unit else ''} ({f.qualifier.value.replace('_', ' ')})",
                f.measure,
                f.reported_by or "the article",
                dated(f) or "",
                _said(f),
                _where(f, text),
            ]
            for f in figures
        ]
    if kind == "actor":
        actors = [i for i in items if isinstance(i, Actor)]
        return ["Name", "Kind", "Role", "Affiliation", "The article says", "Where and checks"], [
            [a.name, a.kind.value, a.role or "", a.affiliation or "", _said(a), _where(a, text)] for a in actors
        ]
    conditions = [i for i in items if isinstance(i, PeaceTalkCondition)]
    return ["Set by", "Condition", "To be met by", "When", "The article says", "Where and checks"], [
        [p.set_by, p.condition, p.to_be_met_by or "unstated", dated(p) or "", _said(p), _where(p, text)]
        for p in conditions
    ]


def render_markdown(summary: ArticleSummary, text: str | None = None) -> str:
    """A Markdown report: the summary, one table per kind of item with its quote, and provenance.

    ``text`` is the article (by default the one the library kept when it summarized);
    it is used to check the offsets and is not reproduced.
    """
    summary, text = prepared(summary, text)
    out = [f"# {_md(summary.headline or 'Summary')}", "", _md(summary.summary), ""]
    if summary.provenance is not None and summary.provenance.backend == "local":
        out += [f"> {_md(LOCAL_NOTE)}", ""]
    if summary.grounding is not None:
        out += [f"*Grounding ({summary.grounding.policy}): {_md(summary.grounding.describe())}*", ""]
    note = headline_note(summary)
    if note:
        out += [f"> {_md(note)}", ""]
    for name, kind, heading in KINDS:
        items = [i for i in getattr(summary, name) if i.grounded]  # the others are listed apart
        out.append(f"## {heading} ({len(items)})")
        out.append("")
        if items:
            header, rows = _md_rows(kind, items, text)
            out += _md_table(header, rows)
        else:
            out.append("None.")
        out.append("")
    unsupported = apart(summary)
    if unsupported:
        out += ["## Not supported by the article", ""]
        for path, quote, reason, item in unsupported:
            line = f"- **{_md(path_label(path))}**: {_md(reason)}. Quote: *{_md(quote)}*"
            if item is not None and item.evidence is not None and item.evidence != quote:
                line += f". The article says there: *{_md(item.evidence)}*"
            for field, pieces in failed_words(summary, path, item):
                marked = "".join(f"**{_md(piece.strip())}**" + (" " if piece.endswith(" ") else "") if bad
                                 else _md_piece(piece) for piece, bad in pieces)
                line += f". Its {_md(field)}: {marked}"
            out.append(line)
        out.append("")
    numbers = uncovered_rows(summary)
    if numbers:
        report = summary.grounding
        total = report.numbers if report is not None else len(numbers)
        out += [f"## Uncovered numbers ({len(numbers)} of {total})", ""]
        out += ["Numbers the article states that no grounded figure accounts for.", ""]
        out += _md_table(["Number", "Where", "Sentence"], [[n, w, _Italic(sentence)] for n, w, sentence in numbers])
        out.append("")
    if summary.provenance is not None:
        out += ["## Provenance", ""]
        out += _md_table(["", ""], provenance_rows(summary.provenance, text))
        out.append("")
    out.append(MARKDOWN_MARK)
    return "\n".join(out)
