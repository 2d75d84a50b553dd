"""The Markdown report: the summary, one table per kind of item with its quote and where it sits, provenance."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from ..schema import Actor, ArticleSummary, Figure, KeyClaim, PeaceTalkCondition
from .common import KINDS, LOCAL_NOTE, Item, amount, apart, path_label, prepared, provenance_rows, where

__all__ = ["render_markdown"]

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
            [c.statement, c.speaker or "the article", "yes" if c.hedged else "no", _Italic(c.quote), where(c, text)]
            for c in claims
        ]
    if kind == "figure":
        figures = [i for i in items if isinstance(i, Figure)]
        return ["As written", "Value", "Measure", "Source", "Quote", "Where"], [
            [
                f.text,
                f"{amount(f)}{' ' + f.unit if f.unit else ''} ({f.qualifier.value.replace('_', ' ')})",
                f.measure,
                f.reported_by or "the article",
                _Italic(f.quote),
                where(f, text),
            ]
            for f in figures
        ]
    if kind == "actor":
        actors = [i for i in items if isinstance(i, Actor)]
        return ["Name", "Kind", "Role", "Affiliation", "Quote", "Where"], [
            [a.name, a.kind.value, a.role or "", a.affiliation or "", _Italic(a.quote), where(a, text)] for a in actors
        ]
    conditions = [i for i in items if isinstance(i, PeaceTalkCondition)]
    return ["Set by", "Condition", "To be met by", "Quote", "Where"], [
        [p.set_by, p.condition, p.to_be_met_by or "unstated", _Italic(p.quote), where(p, text)] for p in conditions
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
    for name, kind, heading in KINDS:
        items = [i for i in getattr(summary, name) if i.span is not None]  # the others are listed apart
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
        out += [f"- **{_md(path_label(path))}**: {_md(reason)}. Quote: *{_md(quote)}*" for path, quote, reason, _ in unsupported]
        out.append("")
    if summary.provenance is not None:
        out += ["## Provenance", ""]
        out += _md_table(["", ""], provenance_rows(summary.provenance, text))
        out.append("")
    return "\n".join(out)
