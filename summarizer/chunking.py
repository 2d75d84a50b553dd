"""Split an article too long for one request, and merge the summaries of its parts.

Tokens are estimated as characters / 4 (rounded up): close for English with OpenAI's
tokenizers, a little low for other languages and for text dense with numbers, so
leave headroom in ``max_tokens``. Chunks are slices of the original text
(``text[chunk.start:chunk.end] == chunk.text``), so quotes found in a chunk can be
located in the article. ``Summarizer`` splits an article longer than its
``chunk_tokens``, summarizes the chunks concurrently and merges them here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel
from rapidfuzz import fuzz

from ._text import fold
from .schema import Actor, ArticleSummary, Figure, KeyClaim, PeaceTalkCondition

__all__ = ["Chunk", "estimate_tokens", "merge_summaries", "split_text"]

CHARS_PER_TOKEN = 4
SIMILAR = 90.0
"""rapidfuzz ``token_sort_ratio`` (0-100) at or above which two statements are the same item."""

_PARAGRAPH = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_SENTENCE = re.compile(r"(?:[.!?…][\"'”’»)\]]*\s+|\s*\n\s*)")  # a line break ends a sentence too
_WORD = re.compile(r"\s+")


def estimate_tokens(text: str) -> int:
    """Tokens in ``text``, estimated as characters / 4, rounded up."""
    return math.ceil(len(text) / CHARS_PER_TOKEN)


@dataclass(frozen=True)
class Chunk:
    """A slice of the article: ``text == article[start:end]``."""

    index: int
    start: int
    end: int
    text: str


def _breaks(pattern: re.Pattern[str], text: str) -> list[int]:
    return [m.end() for m in pattern.finditer(text) if 0 < m.end() < len(text)]


def _last_in(breaks: list[int], low: int, high: int) -> int | None:
    found = [b for b in breaks if low < b <= high]
    return found[-1] if found else None


def _first_in(breaks: list[int], low: int, high: int) -> int | None:
    found = [b for b in breaks if low <= b < high]
    return found[0] if found else None


def split_text(text: str, max_tokens: int, overlap_tokens: int | None = None) -> list[Chunk]:
    """Chunks of at most ``max_tokens`` (estimated), cut at paragraphs, else sentences, else words.

    A cut is placed at the last paragraph break in the second half of the budget; if
    there is none, at the last sentence end, then the last space; a single run of
    text longer than the budget is cut where the budget ends. Each chunk after the
    first starts ``overlap_tokens`` (default: a tenth of the budget, at most 100)
    before the previous end, moved forward to a sentence or word start, so an item
    that straddles a cut appears whole in one chunk. Empty text gives no chunks.
    """
    if max_tokens < 1:
        raise ValueError("max_tokens must be 1 or more")
    if overlap_tokens is None:
        overlap_tokens = min(max_tokens // 10, 100)
    if overlap_tokens < 0 or overlap_tokens >= max_tokens:
        raise ValueError("overlap_tokens must be 0 or more and less than max_tokens")
    budget = max_tokens * CHARS_PER_TOKEN
    overlap = overlap_tokens * CHARS_PER_TOKEN
    levels = [_breaks(p, text) for p in (_PARAGRAPH, _SENTENCE, _WORD)]
    chunks: list[Chunk] = []
    start = 0
    while start < len(text):
        limit = start + budget
        if limit >= len(text):
            end = len(text)
        else:
            end = next(
                (b for b in (_last_in(level, start + budget // 2, limit) for level in levels) if b is not None),
                None,
            ) or next(
                (b for b in (_last_in(level, start, limit) for level in levels) if b is not None),
                limit,
            )
        chunks.append(Chunk(len(chunks), start, end, text[start:end]))
        if end >= len(text):
            break
        back = max(end - overlap, start + 1)
        following = None
        if overlap:
            following = _first_in(levels[1], back, end) or _first_in(levels[2], back, end)
        start = following if following is not None and following > start else end
    return chunks


# -- merging ---------------------------------------------------------------------

M = TypeVar("M", bound=BaseModel)


def _words(text: str | None) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", fold(text)).split())


def _similar(a: str, b: str) -> bool:
    return bool(a) and bool(b) and fuzz.token_sort_ratio(a, b) >= SIMILAR


def _cap(field: str) -> int | None:
    for meta in ArticleSummary.model_fields[field].metadata:
        if (limit := getattr(meta, "max_length", None)) is not None:
            return int(limit)
    return None


def _richness(actor: Actor) -> tuple[int, int]:
    filled = [actor.role, actor.affiliation]
    return sum(v is not None for v in filled), sum(len(v or "") for v in filled)


def _dedupe(items: Sequence[M], same: Callable[[M, M], bool], better: Callable[[M, M], bool] | None = None) -> list[M]:
    """Keep the first of each group of duplicates, at its place (or the better record there)."""
    kept: list[M] = []
    for item in items:
        for i, seen in enumerate(kept):
            if same(seen, item):
                if better is not None and better(item, seen):
                    kept[i] = item
                break
        else:
            kept.append(item)
    return kept


def _same_figure(a: Figure, b: Figure) -> bool:
    if _words(a.quote) == _words(b.quote) and _words(a.text) == _words(b.text):
        return True
    return (a.value, a.low, a.high) == (b.value, b.low, b.high) and _words(a.measure) == _words(b.measure)


def _same_claim(a: KeyClaim, b: KeyClaim) -> bool:
    return _words(a.quote) == _words(b.quote) or _similar(_words(a.statement), _words(b.statement))


def _same_condition(a: PeaceTalkCondition, b: PeaceTalkCondition) -> bool:
    if _words(a.quote) == _words(b.quote):
        return True
    return _words(a.set_by) == _words(b.set_by) and _similar(_words(a.condition), _words(b.condition))


def merge_summaries(parts: Sequence[tuple[Chunk, ArticleSummary]]) -> ArticleSummary:
    """One summary from the summaries of an article's chunks.

    Items found in two chunks (the overlap, or a repeated fact) are kept once, in
    chunk order: figures with the same value/low/high and measure, or the same quote;
    actors with the same name ignoring case and accents, keeping the record with more
    detail; claims and conditions with the same quote or a statement at least
    :data:`SIMILAR` alike. Lists are cut to the schema's caps. The headline is the
    first one given; the summary joins the chunks' summaries in order. Provenance is
    left empty: the caller knows the whole article and what the calls spent.
    """
    if not parts:
        raise ValueError("nothing to merge")
    ordered = [summary for _, summary in sorted(parts, key=lambda part: part[0].index)]
    claims = _dedupe([c for s in ordered for c in s.key_claims], _same_claim)
    figures = _dedupe([f for s in ordered for f in s.figures], _same_figure)
    actors = _dedupe(
        [a for s in ordered for a in s.actors],
        lambda a, b: _words(a.name) == _words(b.name),
        lambda new, old: _richness(new) > _richness(old),
    )
    conditions = _dedupe([c for s in ordered for c in s.peace_talk_conditions], _same_condition)
    summaries = _dedupe(ordered, lambda a, b: fold(a.summary) == fold(b.summary))
    return ArticleSummary(
        headline=next((s.headline for s in ordered if s.headline), None),
        summary=" ".join(s.summary for s in summaries),
        key_claims=claims[: _cap("key_claims")],
        figures=figures[: _cap("figures")],
        actors=actors[: _cap("actors")],
        peace_talk_conditions=conditions[: _cap("peace_talk_conditions")],
    )
