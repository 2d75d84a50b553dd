"""Where a quote sits in the article: :func:`locate`, at one of three levels, tried in this order.

A model that paraphrases a quote, moves a number or invents a name must not be able
to pass that off as the article's words.

``exact``
    The quote is a substring, as given or without the quotation marks around it.
``normalized``
    Equal once both sides fold what models routinely change (:data:`summarizer.text.TYPOGRAPHY`:
    curly and straight quotes and apostrophes, the dashes, "…" and "...", invisible
    soft hyphens and zero-width spaces; white space and line breaks); then, only if
    that fails, letter case. An ellipsis inside a quote ("We will ... win") marks an
    omission: each part must be found, in order, less than 300 characters apart.
``fuzzy``
    A word-level alignment: the quote (at least :data:`FUZZY_MIN_WORDS` words) and a
    window of the text agree on at least :data:`FUZZY_THRESHOLD` of their words (one
    minus the word edit distance over the longer length), so a word or two in ten may
    be changed or dropped. Numbers never match fuzzily: the window must hold exactly
    the numbers of the quote, so "5,000" never grounds "6,000".

Offsets always refer to the original text: ``text[span.start:span.end]`` is the
evidence. When a quote occurs more than once, the first occurrence that no other item
of the same list already holds is chosen, else the first occurrence.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import LCSseq, Levenshtein

from ..schema import Span
from ..text import TYPOGRAPHY, fold_char

__all__ = ["FUZZY_MIN_WORDS", "FUZZY_THRESHOLD", "QUOTE_MARKS", "locate"]

FUZZY_THRESHOLD = 0.8
"""Share of words a fuzzy match must keep: two changed or dropped words in ten."""
FUZZY_MIN_WORDS = 4
"""Shorter quotes must match exactly or normalized: one word changed in three is another quote."""
_ELLIPSIS_GAP = 300
_FREQUENT = 64  # words this common in the text do not vote for where a quote starts
_CANDIDATES = 4
_MIN_VOTES = 0.25  # share of the quote's rarer words that must sit at one offset for a window to be tried
_CLAUSE = 0.6  # a located window may be this short a share of the quote (the rest inserted by the model)


# -- folding -------------------------------------------------------------------

QUOTE_MARKS = "\"'\u2018\u2019\u201c\u201d\u00ab\u00bb \t\r\n"
"""Quotation marks (and white space) a quote may carry around it that the article need not."""
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|\. \. \.|\u2026)\s*")  # "point. ... Zelensky": the full stop stays
_WORDS = re.compile(r"\w+(?:[.,'’]\w+)*")


@dataclass(frozen=True)
class _Folded:
    """A folded copy of a text, with the original offsets of each folded character."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    @classmethod
    def of(cls, text: str, case: bool) -> _Folded:
        out: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        for i, c in enumerate(text):
            f = fold_char(c, case)
            if f == " " and out and out[-1] == " ":
                ends[-1] = i + 1  # a run of white space folds to one space
                continue
            for ch in f:
                out.append(ch)
                starts.append(i)
                ends.append(i + 1)
        return cls("".join(out), tuple(starts), tuple(ends))

    def span(self, i: int, j: int) -> tuple[int, int]:
        """Original offsets of folded characters ``i`` to ``j`` (exclusive)."""
        return self.starts[i], self.ends[j - 1]


_TYPOGRAPHY = str.maketrans(TYPOGRAPHY)
_SPACES = re.compile(r"\s+")


def _fold_quote(quote: str, case: bool) -> str:
    """What :meth:`_Folded.of` makes of a quote, without the offsets (a quote is folded often, an article once)."""
    folded = _SPACES.sub(" ", quote.translate(_TYPOGRAPHY))
    if case:
        lower = folded.lower()
        folded = lower if len(lower) == len(folded) else "".join(fold_char(c, True) for c in folded)
    return folded.strip()


@dataclass(frozen=True)
class _Index:
    """Everything :func:`locate` needs about one text, built once per text."""

    text: str
    plain: _Folded
    cased: _Folded
    words: tuple[str, ...]
    word_spans: tuple[tuple[int, int], ...]  # folded (cased) offsets
    positions: dict[str, tuple[int, ...]]
    ids: tuple[int, ...]  # each word as a number (its rank in ``positions``), for fast alignment
    number_keys: tuple[str | None, ...]  # each word's number, separators removed, or None


@lru_cache(maxsize=16)
def _index(text: str) -> _Index:
    cased = _Folded.of(text, case=True)
    words: list[str] = []
    spans: list[tuple[int, int]] = []
    positions: dict[str, list[int]] = {}
    for m in _WORDS.finditer(cased.text):
        positions.setdefault(m[0], []).append(len(words))
        words.append(m[0])
        spans.append(m.span())
    return _Index(
        text=text,
        plain=_Folded.of(text, case=False),
        cased=cased,
        words=tuple(words),
        word_spans=tuple(spans),
        positions={w: tuple(p) for w, p in positions.items()},
        ids=tuple(rank[w] for rank in [{w: i for i, w in enumerate(positions)}] for w in words),
        number_keys=tuple(map(_number_key, words)),
    )


# -- locate ----------------------------------------------------------------------


def _occurrences(haystack: str, needle: str) -> Iterator[int]:
    i = haystack.find(needle)
    while i != -1:
        yield i
        i = haystack.find(needle, i + 1)


def _pick(candidates: Iterator[tuple[int, int]], exclude: Collection[tuple[int, int]]) -> tuple[int, int] | None:
    first = None
    for n, candidate in enumerate(candidates):
        if candidate not in exclude:
            return candidate
        if first is None:
            first = candidate
        if n > 1000:
            break
    return first


def _find_folded(folded: _Folded, needle: str, exclude: Collection[tuple[int, int]]) -> tuple[int, int] | None:
    if not needle:
        return None
    spans = (folded.span(i, i + len(needle)) for i in _occurrences(folded.text, needle))
    return _pick(spans, exclude)


def _find_parts(folded: _Folded, parts: list[str], exclude: Collection[tuple[int, int]]) -> tuple[int, int] | None:
    """A quote with omissions: every part in order, each close to the one before."""

    def chains() -> Iterator[tuple[int, int]]:
        for first in _occurrences(folded.text, parts[0]):
            end = first + len(parts[0])
            for part in parts[1:]:
                nxt = folded.text.find(part, end, end + _ELLIPSIS_GAP + len(part))
                if nxt == -1:
                    break
                end = nxt + len(part)
            else:
                yield folded.span(first, end)

    return _pick(chains(), exclude)


def _number_key(word: str) -> str | None:
    return re.sub(r"[^\d.]", "", word).strip(".") if any(c.isdigit() for c in word) else None


def _numbers(keys: Iterable[str | None]) -> Counter[str]:
    return Counter(k for k in keys if k)


def _fuzzy(index: _Index, quote: str, exclude: Collection[tuple[int, int]]) -> tuple[int, int] | None:
    """The window of the text's words closest to the quote's: a word or two in ten changed, or a clause inserted.

    Windows holding the quote's numbers are preferred, but a changed number does not
    hide where the quote is: whether it says the same is :mod:`~.meaning`'s to judge.
    """
    q = _WORDS.findall(_fold_quote(quote, case=True))
    n = len(q)
    if n < FUZZY_MIN_WORDS or not index.words:
        return None
    wanted_numbers = _numbers(map(_number_key, q))
    votes: Counter[int] = Counter()
    rare = [(i, w) for i, w in enumerate(q) if len(index.positions.get(w, ())) <= _FREQUENT]
    for i, w in rare or list(enumerate(q)):
        for p in index.positions.get(w, ()):
            votes[p - i] += 1
    if not votes or votes.most_common(1)[0][1] < max(2, len(rare or q) * _MIN_VOTES):
        return None  # no place holds enough of its rarer words in a row
    ids = {w: i for i, w in enumerate(index.positions)}
    qi = [ids.get(w, -1 - k) for k, w in enumerate(q)]
    slack = n - int(n * FUZZY_THRESHOLD)  # edits allowed
    best: list[tuple[bool, float, int, int]] = []
    inserted: list[tuple[float, int, int]] = []
    for start, _ in votes.most_common(_CANDIDATES):
        for s in range(max(0, start - 1), start + 2):  # the votes align the start; a dropped first word moves it by one
            for length in range(max(1, int(n * _CLAUSE)), n + slack + 1):
                window = index.ids[s : s + length]
                if len(window) < length:
                    break
                if length >= n - slack:
                    score = Levenshtein.normalized_similarity(qi, window)
                    if score >= FUZZY_THRESHOLD:
                        same = _numbers(index.number_keys[s : s + length]) == wanted_numbers
                        best.append((not same, -score, s, s + length))
                        continue
                kept = LCSseq.similarity(qi, window)
                if length >= FUZZY_MIN_WORDS and kept >= length * FUZZY_THRESHOLD + 1 and kept >= n * _CLAUSE:
                    inserted.append((-kept / n, s, s + length))  # the window, nearly whole, inside a longer quote
    windows = [(s, e) for *_, s, e in sorted(best)] or [(s, e) for _, s, e in sorted(inserted)]
    if not windows:
        return None
    spans = []
    for s, e in windows:
        i, _ = index.word_spans[s]
        _, j = index.word_spans[e - 1]
        spans.append(index.cased.span(i, j))
    return _pick(iter(spans), exclude)


def locate(text: str, quote: str, *, exclude: Collection[tuple[int, int]] = ()) -> Span | None:
    """Where ``quote`` sits in ``text``, or None when the text does not hold it.

    ``exclude`` holds ``(start, end)`` pairs already taken by other items; an
    occurrence outside them is preferred.
    """
    bare = quote.strip(QUOTE_MARKS)
    if not bare.strip(". \u2026"):
        return None
    for candidate in dict.fromkeys((quote.strip(), bare)):  # with its quotation marks first
        found = _pick(((i, i + len(candidate)) for i in _occurrences(text, candidate)), exclude)
        if found:
            return Span(start=found[0], end=found[1], match="exact")
    index = _index(text)
    parts = [p for p in _ELLIPSIS.split(bare) if p.strip(QUOTE_MARKS)]
    for folded, case in ((index.plain, False), (index.cased, True)):
        folded_parts = [_fold_quote(p, case).strip(QUOTE_MARKS) for p in parts]
        if len(folded_parts) == 1:
            found = _find_folded(folded, folded_parts[0], exclude)
        elif folded_parts:
            found = _find_parts(folded, folded_parts, exclude)
        if found:
            return Span(start=found[0], end=found[1], match="normalized")
    found = _fuzzy(index, bare, exclude)
    if found:
        return Span(start=found[0], end=found[1], match="fuzzy")
    return None
