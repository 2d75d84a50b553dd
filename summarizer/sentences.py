"""The article's paragraphs and sentences: the one splitter in the package.

Grounding needs sentences to bound a quote (evidence stays within two of them), to
find who a quote is attributed to (the quote's own sentence, or the paragraph before
when it refers back) and to show the sentence of a number no figure accounts for.

A paragraph is a non-empty line. Sentences are found by ``sentencex`` (Wikimedia's
rule-based segmenter, about 300 languages, compiled: it knows "Gen.", "U.S.", "p.m."
and quotations that end in ``.”``) inside each paragraph, so a sentence never crosses a
line break. It is fast (2 ms for a 53,000-character article; pysbd, tried first, took
220 ms and minutes on pathological text), and its segments concatenate back to the
input, so offsets are exact. Paragraphs are segmented only when asked for, and cached
by their text (those of up to :data:`CACHED_PARAGRAPH` characters).

What is built once per article (its :class:`Sentences` here, grounding's indexes of it)
is kept by a :class:`TextCache`: the last few texts, within a total of characters, so a
long batch of big articles holds the indexes of the one or two being grounded, not of
every article it has seen.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, update_wrapper
from typing import Generic, NamedTuple, TypeVar

from sentencex import segment

__all__ = [
    "CACHED_PARAGRAPH",
    "CLAUSE_BREAK",
    "TEXTS_KEPT",
    "TEXT_CHARS_KEPT",
    "CacheInfo",
    "Sentence",
    "Sentences",
    "TextCache",
    "TextMemo",
    "clause_at",
    "sentences",
]

T = TypeVar("T")

TEXTS_KEPT = 8
"""A :class:`TextCache` keeps what it built for at most this many texts."""
TEXT_CHARS_KEPT = 2_000_000
"""... and for at most this many characters of text in all, the text used last aside (an index costs a
multiple of its text: grounding's, a few bytes per character)."""
CACHED_PARAGRAPH = 1_000
"""Texts up to this length (a sentence, most paragraphs) are kept in caches of many entries; a longer one (a
one-line article is one paragraph) is read again, or kept in a :class:`TextCache` of the last few texts."""


class CacheInfo(NamedTuple):
    texts: int
    chars: int


class TextCache(Generic[T]):
    """``build(text)``, remembered for the texts used last: at most ``texts`` of them and ``chars`` characters.

    The text used last is always kept, whatever its length: it is the one being grounded,
    and every item of its answer asks for its index again. Safe to share between threads
    (two threads asking for a new text at once may both build it; one result is kept).
    """

    def __init__(self, build: Callable[[str], T], *, texts: int = TEXTS_KEPT, chars: int = TEXT_CHARS_KEPT) -> None:
        self.texts = max(1, texts)
        self.chars = chars
        self._build = build
        self._kept: OrderedDict[str, T] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        update_wrapper(self, build)

    def __call__(self, text: str) -> T:
        with self._lock:
            if text in self._kept:
                self._kept.move_to_end(text)
                return self._kept[text]
        value = self._build(text)
        with self._lock:
            if text not in self._kept:
                self._kept[text] = value
                self._size += len(text)
            self._kept.move_to_end(text)
            while len(self._kept) > self.texts or (self._size > self.chars and len(self._kept) > 1):
                old, _ = self._kept.popitem(last=False)
                self._size -= len(old)
            return self._kept[text]

    def cache_info(self) -> CacheInfo:
        """How many texts are kept, and their characters in all."""
        with self._lock:
            return CacheInfo(len(self._kept), self._size)

    def cache_clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self._size = 0


class TextMemo(Generic[T]):
    """``build(text)`` remembered by length: a text up to :data:`CACHED_PARAGRAPH` in an LRU cache of ``entries``,
    a longer one in a :class:`TextCache` (``long``), so every item of an answer reads a one-line article once and
    no cache holds more than the last few articles."""

    def __init__(self, build: Callable[[str], T], *, entries: int = 4096) -> None:
        self.short = lru_cache(maxsize=entries)(build)
        self.long: TextCache[T] = TextCache(build)
        update_wrapper(self, build)

    def __call__(self, text: str) -> T:
        return self.short(text) if len(text) <= CACHED_PARAGRAPH else self.long(text)


@dataclass(frozen=True, slots=True)
class Sentence:
    """``text[start:end]``, surrounding white space excluded; ``paragraph`` counts non-empty lines from 0."""

    start: int
    end: int
    paragraph: int


@lru_cache(maxsize=4096)
def _split_paragraph(paragraph: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of each sentence of one line, relative to it."""
    out: list[tuple[int, int]] = []
    at = 0
    for piece in segment("en", paragraph):
        stripped = len(piece.rstrip())
        if stripped and piece.strip():
            lead = len(piece) - len(piece.lstrip())
            out.append((at + lead, at + stripped))
        at += len(piece)
    return tuple(out)


class Sentences:
    """The paragraphs of one text, and their sentences on demand."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.paragraphs: tuple[tuple[int, int], ...] = tuple(m.span() for m in re.finditer(r"[^\n]*\S[^\n]*", text))
        self._starts = [p[0] for p in self.paragraphs]
        self._sentences: dict[int, list[Sentence]] = {}

    def paragraph_at(self, offset: int) -> int | None:
        """The paragraph holding ``offset``, or None when it falls between them."""
        i = bisect.bisect_right(self._starts, offset) - 1
        if i >= 0 and offset < self.paragraphs[i][1]:
            return i
        return None

    def of_paragraph(self, index: int) -> list[Sentence]:
        found = self._sentences.get(index)
        if found is None:
            lo, hi = self.paragraphs[index]
            paragraph = self.text[lo:hi]
            split = _split_paragraph if len(paragraph) <= CACHED_PARAGRAPH else _split_paragraph.__wrapped__
            found = [Sentence(lo + s, lo + e, index) for s, e in split(paragraph)]
            self._sentences[index] = found
        return found

    def around(self, start: int, end: int) -> list[Sentence]:
        """The sentences that ``text[start:end]`` touches, in order."""
        first = self.paragraph_at(start)
        if first is None:
            first = bisect.bisect_right(self._starts, start)
        out: list[Sentence] = []
        for p in range(first, len(self.paragraphs)):
            if self.paragraphs[p][0] >= end:
                break
            out += [s for s in self.of_paragraph(p) if s.start < end and s.end > start]
        return out

    def every(self) -> list[Sentence]:
        """Every sentence of the text, in order (what :mod:`~summarizer.grounding.numbered` numbers from 1)."""
        return [s for p in range(len(self.paragraphs)) for s in self.of_paragraph(p)]

    def at(self, offset: int) -> Sentence | None:
        """The sentence holding ``offset`` (or the nearest one before it in its paragraph)."""
        p = self.paragraph_at(offset)
        if p is None:
            return None
        within = self.of_paragraph(p)
        i = bisect.bisect_right([s.start for s in within], offset) - 1
        return within[i] if i >= 0 else None


CLAUSE_BREAK = re.compile(r";|,\s+but\s|\bwhile\b|\bwhereas\b")
"""What ends one clause of a sentence and starts another with its own subject ("...; Varnia says", ", but")."""


def clause_at(text: str, sentence: Sentence, start: int, end: int) -> tuple[int, int]:
    """(start, end) of the clause of ``sentence`` that holds ``text[start:end]``, white space excluded."""
    body = text[sentence.start : sentence.end]
    lo, hi = 0, len(body)
    for m in CLAUSE_BREAK.finditer(body):
        if m.end() <= start - sentence.start:
            lo = m.end()
        elif m.start() >= end - sentence.start:
            hi = m.start()
            break
    piece = body[lo:hi]
    lead = len(piece) - len(piece.lstrip())
    return sentence.start + lo + lead, sentence.start + lo + len(piece.rstrip())


@TextCache
def sentences(text: str) -> Sentences:
    """The paragraphs (and, lazily, sentences) of ``text``, built once per text (and kept by a :class:`TextCache`)."""
    return Sentences(text)
