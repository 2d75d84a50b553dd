"""Long articles: split one too long for a request, run its chunks, and merge the summaries of its parts.

Tokens are estimated as characters / 4 (rounded up): close for English with OpenAI's
tokenizers, a little low for other languages and for text dense with numbers, so
leave headroom in ``max_tokens``. Chunks are slices of the original text
(``text[chunk.start:chunk.end] == chunk.text``), so quotes found in a chunk can be
located in the article. ``Summarizer`` splits an article longer than its
``chunk_tokens``; :func:`run_chunks` and :func:`arun_chunks` summarize the chunks
concurrently (threads for the blocking client, so that it works inside a running event
loop too), never sending the chunks still waiting once one has failed, and
:func:`merge_results` merges them into one summary grounded in the whole text.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import re
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, TypeVar

from pydantic import BaseModel
from rapidfuzz import fuzz

from . import errors
from .grounding import ground
from .results import attach
from .schema import Actor, ArticleSummary, Figure, GroundingPolicy, KeyClaim, PeaceTalkCondition, Usage
from .text import fold

__all__ = [
    "Chunk",
    "arun_chunks",
    "estimate_tokens",
    "merge_results",
    "merge_summaries",
    "plan_chunks",
    "run_chunks",
    "split_text",
]

CONCURRENCY = 4
"""Chunks of one article in flight at once."""

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
    summaries = _dedupe([s for s in ordered if s.summary], lambda a, b: fold(a.summary) == fold(b.summary))
    # Built, not validated again: every part was validated, and grounding may have emptied a part's summary
    # (policy drop), which a model's answer may not do but a grounded result may.
    return ArticleSummary.model_construct(
        headline=next((s.headline for s in ordered if s.headline), None),
        summary=" ".join(s.summary for s in summaries),
        key_claims=claims[: _cap("key_claims")],
        figures=figures[: _cap("figures")],
        actors=actors[: _cap("actors")],
        peace_talk_conditions=conditions[: _cap("peace_talk_conditions")],
    )


# -- running an article in chunks ----------------------------------------------------


def plan_chunks(text: str, chunk_tokens: int, max_chars: int | None, whole: bool) -> list[Chunk]:
    """The chunks of an article too long for one request; empty when it fits (or ``whole``: a user's own model).

    An article over ``max_chars`` is refused before any request.
    """
    if max_chars is not None and len(text) > max_chars:
        raise errors.InputTooLongError(
            f"the article is {len(text):,} characters, more than max_chars={max_chars:,} "
            f"(it would take about {-(-estimate_tokens(text) // chunk_tokens)} requests); nothing was sent. "
            "Check that this is the right text, or pass a larger max_chars= (None for no limit)"
        )
    if whole or estimate_tokens(text) <= chunk_tokens:
        return []
    return split_text(text, chunk_tokens)


def run_chunks(chunks: list[Chunk], one: Callable[[Chunk], ArticleSummary]) -> list[ArticleSummary]:
    """Every chunk through ``one``, a few at a time in threads (``asyncio.run`` fails inside a running loop)."""
    failed = threading.Event()

    def guarded(chunk: Chunk) -> ArticleSummary | None:
        if failed.is_set():
            return None  # an earlier chunk failed: do not pay for this one
        try:
            return one(chunk)
        except Exception:
            failed.set()
            raise

    with ThreadPoolExecutor(max_workers=min(CONCURRENCY, len(chunks))) as pool:
        futures = [pool.submit(guarded, chunk) for chunk in chunks]
    return _parts([future.exception() or future.result() for future in futures])


async def arun_chunks(chunks: list[Chunk], one: Callable[[Chunk], Awaitable[ArticleSummary]]) -> list[ArticleSummary]:
    """The async twin of :func:`run_chunks`."""
    gate = asyncio.Semaphore(CONCURRENCY)
    failed = False

    async def guarded(chunk: Chunk) -> ArticleSummary | None:
        nonlocal failed
        async with gate:
            if failed:
                return None  # an earlier chunk failed: do not pay for this one
            try:
                return await one(chunk)
            except Exception:
                failed = True
                raise

    return _parts(list(await asyncio.gather(*(guarded(chunk) for chunk in chunks), return_exceptions=True)))


def _parts(outcomes: list[Any]) -> list[ArticleSummary]:
    """Every chunk's summary; or the first chunk error, charged with what all the chunks spent.

    Chunks still waiting when one fails are never sent; those already in flight finish,
    and their tokens are the caller's to pay, so the error counts them.
    """
    failures = [o for o in outcomes if isinstance(o, BaseException)]
    if not failures:
        return list(outcomes)
    first = failures[0]
    if isinstance(first, errors.CallError):
        usage, attempts, requests = Usage(), 0, 0
        for outcome in outcomes:
            if isinstance(outcome, errors.CallError):
                usage, attempts = usage + (outcome.usage or Usage()), attempts + outcome.attempts
                requests += outcome.requests
            elif isinstance(outcome, ArticleSummary) and outcome.provenance is not None:
                p = outcome.provenance
                usage, attempts = usage + p.usage, attempts + p.attempts
                requests += p.attempts + p.transient_retries
        first.usage, first.attempts, first.requests = usage, attempts, requests
    raise first


def merge_results(
    text: str, chunks: list[Chunk], parts: list[ArticleSummary], policy: GroundingPolicy, started: float
) -> ArticleSummary:
    """One summary whose spans refer to the whole article, and what all the chunks spent."""
    merged = merge_summaries(list(zip(chunks, parts, strict=True)))
    # Every kept item was grounded in its chunk; ground again in the whole text for
    # offsets into it (and one consistent choice among repeated quotes).
    report = ground(merged, text, policy="drop" if policy == "reask" else policy)
    report.policy = policy
    for chunk, part in zip(chunks, parts, strict=True):
        earlier = part.grounding
        if earlier is not None:
            dropped = [i for i in earlier.issues if i.dropped]
            report.issues += [i.model_copy(update={"path": f"chunk {chunk.index}: {i.path}"}) for i in dropped]
            report.dropped += len(dropped)
    provenances = [p for p in (part.provenance for part in parts) if p is not None]
    first = provenances[0]
    usage = first.usage
    for p in provenances[1:]:
        usage = usage + p.usage
    provenance = first.model_copy(
        update={
            "input_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "usage": usage,
            "attempts": sum(p.attempts for p in provenances),
            "transient_retries": sum(p.transient_retries for p in provenances),
            "latency_s": round(time.perf_counter() - started, 4),
            "created_at": datetime.now(timezone.utc),
            "chunks": len(chunks),
        }
    )
    attach(merged, provenance=provenance, grounding=report, source_text=text)
    return merged

