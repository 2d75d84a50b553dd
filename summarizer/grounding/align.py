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
from array import array
from bisect import bisect_right
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate, islice

from rapidfuzz.distance import LCSseq, Levenshtein

from ..schema import Span
from ..sentences import Sentences, TextCache, sentences
from ..text import INVISIBLE_CLASS, TYPOGRAPHY, fold_char

__all__ = ["FUZZY_MIN_WORDS", "FUZZY_THRESHOLD", "QUOTE_MARKS", "locate"]

FUZZY_THRESHOLD = 0.8
"""Share of words a fuzzy match must keep: two changed or dropped words in ten."""
FUZZY_MIN_WORDS = 4
"""Shorter quotes must match exactly or normalized: one word changed in three is another quote."""
_ELLIPSIS_GAP = 300
_CHAINS = 1000  # chains of a quote's parts tried at most (as many as occurrences :func:`_pick` looks at)
_FREQUENT = 64  # words this common in the text do not vote for where a quote starts
_CANDIDATES = 4
_MIN_VOTES = 0.25  # share of the quote's rarer words that must sit at one offset for a window to be tried
_CLAUSE = 0.6  # a located window may be this short a share of the quote (the rest inserted by the model)


# -- folding -------------------------------------------------------------------

QUOTE_MARKS = "\"'\u2018\u2019\u201c\u201d\u00ab\u00bb \t\r\n"
"""Quotation marks (and white space) a quote may carry around it that the article need not."""
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|\. \. \.|\u2026)\s*")  # "point. ... Zelensky": the full stop stays
_WORDS = re.compile(r"\w+(?:[.,'’]\w+)*")


class _Offsets:
    """Where each folded character starts (or ends) in the original text, stored as the few places the shift changes.

    Folding is one character for one except at runs of white space (one space for the
    run), "…" (three characters for one) and invisible characters (none): so offset
    ``k`` is ``k`` plus the shift in force at ``k``, a handful of numbers per paragraph
    instead of one per character.
    """

    __slots__ = ("_at", "_shift")

    def __init__(self) -> None:
        self._at: array[int] = array("q")
        self._shift: array[int] = array("q")

    def set(self, k: int, offset: int) -> None:
        """Folded character ``k`` is at ``offset``; those after it follow one for one (until the next call)."""
        shift = offset - k
        if not self._shift or self._shift[-1] != shift:
            self._at.append(k)
            self._shift.append(shift)

    def __getitem__(self, k: int) -> int:
        return k + self._shift[bisect_right(self._at, k) - 1]


_LONGER = {c: f for c, f in TYPOGRAPHY.items() if len(f) > 1}
_ONE_FOR_ONE = str.maketrans({c: f for c, f in TYPOGRAPHY.items() if len(f) == 1})
_INVISIBLE_SET = INVISIBLE_CLASS  # what TYPOGRAPHY folds to nothing, as ranges: listed one by one, scans crawl
# What does not fold one character for one: runs of white space (or of white space and invisible
# characters), an invisible character alone, and the characters that fold to several. A single
# white-space character folds to a single space: it is left to the one-for-one pass.
_UNEVEN = re.compile(rf"[\s{_INVISIBLE_SET}]{{2,}}|[{_INVISIBLE_SET}{''.join(map(re.escape, _LONGER))}]")
_WHITE = re.compile(r"\s")
_CAPITAL_SIGMA = "\u03a3"  # str.lower() makes it final ("ς") at the end of a word; one character at a time it is "σ"


@dataclass(frozen=True)
class _Folded:
    """A folded copy of a text, with the original offsets of each folded character."""

    text: str
    starts: _Offsets
    ends: _Offsets

    @classmethod
    def of(cls, text: str) -> _Folded:
        """White space, typography and invisible characters folded as :func:`summarizer.text.fold_char` does (case kept)."""
        pieces: list[str] = []
        starts, ends = _Offsets(), _Offsets()
        k = at = 0
        for m in _UNEVEN.finditer(text):
            i = m.start()
            if i > at:  # one for one
                starts.set(k, at)
                ends.set(k, at + 1)
                pieces.append(text[at:i])
                k += i - at
            run = m[0]
            longer = _LONGER.get(run)
            if longer is not None:  # each of "..." stands for the whole "…"
                for j in range(len(longer)):
                    starts.set(k + j, i)
                    ends.set(k + j, i + 1)
                pieces.append(longer)
                k += len(longer)
            else:  # white space and invisible characters: one space from the first white space to the last, if any
                spaces = [j for j, c in enumerate(run) if c.isspace()]
                if spaces:
                    starts.set(k, i + spaces[0])
                    ends.set(k, i + spaces[-1] + 1)
                    pieces.append(" ")
                    k += 1
            at = m.end()
        if at < len(text):
            starts.set(k, at)
            ends.set(k, at + 1)
            pieces.append(text[at:])
        return cls(_WHITE.sub(" ", "".join(pieces).translate(_ONE_FOR_ONE)), starts, ends)

    def lowered(self) -> _Folded:
        """The same, in lower case where a character's lower case is one character (so the offsets are the same)."""
        lower = self.text.lower()
        if len(lower) != len(self.text) or _CAPITAL_SIGMA in self.text:
            lower = "".join(c.lower() if len(c.lower()) == 1 else c for c in self.text)
        return _Folded(lower, self.starts, self.ends)

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
    """Everything :func:`locate` needs about one text, built once per text: a few bytes per character.

    Words are numbered (``vocabulary``, in the order they first occur) and stored as
    arrays of those numbers and of their folded offsets, never as one object each.
    """

    plain: _Folded
    cased: _Folded
    vocabulary: dict[str, int]
    ids: array[int]  # each word of the cased text, as its number, for fast alignment
    word_starts: array[int]  # folded (cased) offsets of each word
    word_ends: array[int]
    order: array[int]  # the positions of every word, grouped by word number (ascending within each)
    first: array[int]  # word number n's positions are order[first[n] : first[n + 1]]
    number_keys: tuple[str | None, ...]  # each word number's number, separators removed, or None

    def positions(self, word: str) -> Sequence[int]:
        """Where ``word`` occurs, as word positions, ascending."""
        n = self.vocabulary.get(word)
        return () if n is None else self.order[self.first[n] : self.first[n + 1]]


def _build_index(text: str) -> _Index:
    plain = _Folded.of(text)
    cased = plain.lowered()
    vocabulary: dict[str, int] = {}
    ids, starts, ends = array("I"), array("I"), array("I")
    for m in _WORDS.finditer(cased.text):
        ids.append(vocabulary.setdefault(m[0], len(vocabulary)))
        start, end = m.span()
        starts.append(start)
        ends.append(end)
    order = array("I", sorted(range(len(ids)), key=ids.__getitem__))  # stable: ascending within a word
    counts = Counter(ids)
    first = array("I", accumulate((counts[n] for n in range(len(vocabulary))), initial=0))
    return _Index(
        plain=plain,
        cased=cased,
        vocabulary=vocabulary,
        ids=ids,
        word_starts=starts,
        word_ends=ends,
        order=order,
        first=first,
        number_keys=tuple(map(_number_key, vocabulary)),
    )


_index = TextCache(_build_index)
"""The index of a text, for the few texts used last (see :class:`summarizer.sentences.TextCache`)."""


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


def _find_parts(
    folded: _Folded, parts: list[str], exclude: Collection[tuple[int, int]], paragraphs: Sentences
) -> tuple[int, int] | None:
    """A quote with omissions: every part in order, each close to the one before.

    A chain within one paragraph is preferred: an ellipsis may skip words, not join
    paragraphs (:func:`~summarizer.grounding.meaning.splice` refuses a chain that does).
    """

    def chains() -> Iterator[tuple[tuple[int, int], bool]]:
        for first in _occurrences(folded.text, parts[0]):
            end = first + len(parts[0])
            for part in parts[1:]:
                nxt = folded.text.find(part, end, end + _ELLIPSIS_GAP + len(part))
                if nxt == -1:
                    break
                end = nxt + len(part)
            else:
                span = folded.span(first, end)
                yield span, paragraphs.paragraph_at(span[0]) == paragraphs.paragraph_at(span[1] - 1)

    found = list(islice(chains(), _CHAINS))
    return _pick(iter([c for c, one in found if one] + [c for c, one in found if not one]), exclude)


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
    if n < FUZZY_MIN_WORDS or not index.ids:
        return None
    wanted_numbers = _numbers(map(_number_key, q))
    votes: Counter[int] = Counter()
    rare = [(i, w) for i, w in enumerate(q) if len(index.positions(w)) <= _FREQUENT]
    for i, w in rare or list(enumerate(q)):
        for p in index.positions(w):
            votes[p - i] += 1
    if not votes or votes.most_common(1)[0][1] < max(2, len(rare or q) * _MIN_VOTES):
        return None  # no place holds enough of its rarer words in a row
    qi = [index.vocabulary.get(w, -1 - k) for k, w in enumerate(q)]
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
                        same = _numbers(index.number_keys[word] for word in window) == wanted_numbers
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
        spans.append(index.cased.span(index.word_starts[s], index.word_ends[e - 1]))
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
            found = _find_parts(folded, folded_parts, exclude, sentences(text))
        if found:
            return Span(start=found[0], end=found[1], match="normalized")
    found = _fuzzy(index, bare, exclude)
    if found:
        return Span(start=found[0], end=found[1], match="fuzzy")
    return None
