"""The article's paragraphs and sentences: the one splitter in the package.

Grounding needs sentences to bound a quote (evidence stays within two of them), to
find who a quote is attributed to (the quote's own sentence, or the paragraph before
when it refers back) and to show the sentence of a number no figure accounts for.

A paragraph is a non-empty line. Sentences are found by ``pysbd`` (the rule-based
segmenter of the field: it knows "Gen.", "U.S." and quotations ending in ``.”``)
inside each paragraph, so a sentence never crosses a line break. pysbd slows down
sharply on long runs of very short "sentences", so a long paragraph is first cut at
plain sentence ends into pieces of at most :data:`_PIECE` characters. Paragraphs are
segmented only when asked for, and cached by their text.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

import pysbd

__all__ = ["Sentence", "Sentences", "sentences"]

_PIECE = 1500
_PLAIN_END = re.compile(r"[.!?][\"'”’)]?(\s+)(?=[\"“‘(]?[A-Z0-9])")
_SEGMENTER = pysbd.Segmenter(language="en", clean=False)


@dataclass(frozen=True)
class Sentence:
    """``text[start:end]``, trailing white space excluded; ``paragraph`` counts non-empty lines from 0."""

    start: int
    end: int
    paragraph: int


@lru_cache(maxsize=4096)
def _split_paragraph(paragraph: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of each sentence of one line, relative to it."""
    pieces: list[tuple[int, int]] = []
    start = 0
    while len(paragraph) - start > _PIECE:  # cut at the last plain sentence end (else space) of a window
        lo = start + _PIECE // 2
        window = paragraph[lo : start + _PIECE]
        ends = [m.start(1) for m in _PLAIN_END.finditer(window)] or [m.start() for m in re.finditer(r"\s", window)]
        cut = lo + ends[-1] if ends else start + _PIECE
        pieces.append((start, cut))
        start = cut
    pieces.append((start, len(paragraph)))
    out: list[tuple[int, int]] = []
    for lo, hi in pieces:
        at = lo
        for segment in _SEGMENTER.segment(paragraph[lo:hi]):
            end = at + len(segment)  # with clean=False the segments concatenate to the input
            stripped = len(segment.rstrip())
            if stripped:
                lead = len(segment) - len(segment.lstrip())
                out.append((at + lead, at + stripped))
            at = end
    return tuple(out)


class Sentences:
    """The paragraphs of one text, and their sentences on demand."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.paragraphs: tuple[tuple[int, int], ...] = tuple(m.span() for m in re.finditer(r"[^\n]*\S[^\n]*", text))
        self._starts = [p[0] for p in self.paragraphs]

    def paragraph_at(self, offset: int) -> int | None:
        """The paragraph holding ``offset``, or None when it falls between them."""
        i = bisect.bisect_right(self._starts, offset) - 1
        if i >= 0 and offset < self.paragraphs[i][1]:
            return i
        return None

    def of_paragraph(self, index: int) -> list[Sentence]:
        lo, hi = self.paragraphs[index]
        return [Sentence(lo + s, lo + e, index) for s, e in _split_paragraph(self.text[lo:hi])]

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

    def at(self, offset: int) -> Sentence | None:
        """The sentence holding ``offset`` (or the nearest one before it in its paragraph)."""
        p = self.paragraph_at(offset)
        if p is None:
            return None
        found = None
        for s in self.of_paragraph(p):
            if s.start <= offset:
                found = s
        return found


@lru_cache(maxsize=16)
def sentences(text: str) -> Sentences:
    """The paragraphs (and, lazily, sentences) of ``text``, built once per text."""
    return Sentences(text)
