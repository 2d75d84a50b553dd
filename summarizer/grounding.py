"""Proving every extracted item against the article it came from.

A model that paraphrases a quote, moves a number or invents a name must not be able
to pass that off as the article's words. :func:`locate` pins a quote to character
offsets in the original text, at one of three levels, tried in this order:

``exact``
    The quote is a substring, as given or without the quotation marks around it.
``normalized``
    Equal once both sides fold what models routinely change: curly and straight
    quotes and apostrophes, the dashes, non-breaking and repeated white space and line
    breaks, "…" and "...", invisible soft hyphens and zero-width spaces; then, only if
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
of the same list already holds is chosen (so two figures quoting the same sentence
twice map to its two occurrences), else the first occurrence.

:func:`ground` then applies the checks beyond the quote (a figure's numbers must be
stated in its quote; an actor's name, or its surname, must appear in the article)
and a policy for what fails:

``reask``
    the output is invalid and the model is asked again with a message naming each
    failing item and why; once the re-asks are spent, what still fails is dropped.
``flag``
    every item is kept; failing ones have ``span=None`` and ``grounding_error`` set.
``drop``
    failing items are removed (and counted) without asking again.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError
from rapidfuzz.distance import Levenshtein

from ._numbers import states_number

__all__ = [
    "FUZZY_MIN_WORDS",
    "FUZZY_THRESHOLD",
    "GroundingIssue",
    "GroundingPolicy",
    "GroundingReport",
    "MatchKind",
    "Span",
    "ground",
    "grounding_of",
    "locate",
    "ungrounded",
]

MatchKind = Literal["exact", "normalized", "fuzzy"]
GroundingPolicy = Literal["reask", "flag", "drop"]

FUZZY_THRESHOLD = 0.8
"""Share of words a fuzzy match must keep: two changed or dropped words in ten."""
FUZZY_MIN_WORDS = 4
"""Shorter quotes must match exactly or normalized: one word changed in three is another quote."""
_ELLIPSIS_GAP = 300
_FREQUENT = 64  # words this common in the text do not vote for where a quote starts
_CANDIDATES = 4


class Span(BaseModel):
    """Where an item's quote sits in the article: ``text[start:end]``."""

    model_config = ConfigDict(frozen=True)

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    match: MatchKind


class GroundingIssue(BaseModel):
    """One item that the article does not support, and why."""

    path: str = Field(description='Where the item was in the model\'s answer, e.g. "figures[2]".')
    quote: str
    reason: str
    dropped: bool = False


class GroundingReport(BaseModel):
    """How well a result's items are supported by its article."""

    policy: GroundingPolicy
    exact: int = 0
    normalized: int = 0
    fuzzy: int = 0
    ungrounded: int = Field(default=0, description="Items kept although unsupported (policy flag).")
    dropped: int = Field(default=0, description="Unsupported items removed from the result.")
    issues: list[GroundingIssue] = Field(default_factory=list)
    _flagged: list[BaseModel] = PrivateAttr(default_factory=list)  # the kept items themselves

    @property
    def grounded(self) -> int:
        return self.exact + self.normalized + self.fuzzy

    @property
    def checked(self) -> int:
        return self.grounded + self.ungrounded + self.dropped

    def describe(self) -> str:
        return (
            f"{self.grounded}/{self.checked} items grounded ({self.exact} exact, "
            f"{self.normalized} normalized, {self.fuzzy} fuzzy); "
            f"{self.ungrounded} flagged, {self.dropped} dropped"
        )


# -- folding -------------------------------------------------------------------

_FOLD = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u0060\u00b4", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-"),
    "\u2026": "...",
    "\u00ad": "",
    "\u200b": "",
    "\u200c": "",
    "\u200d": "",
    "\ufeff": "",
}
_OUTER = "\"'\u2018\u2019\u201c\u201d\u00ab\u00bb \t\r\n"
_ELLIPSIS = re.compile(r"\s*(?:\.\s?\.\s?\.|\u2026)\s*")
_WORDS = re.compile(r"\w+(?:[.,'’]\w+)*")


def _fold_char(c: str, case: bool) -> str:
    if c.isspace():
        return " "
    folded = _FOLD.get(c)
    if folded is not None:
        return folded
    if case:
        lower = c.lower()
        return lower if len(lower) == 1 else c
    return c


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
            f = _fold_char(c, case)
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


def _fold_quote(quote: str, case: bool) -> str:
    return _Folded.of(quote, case).text.strip()


@dataclass(frozen=True)
class _Index:
    """Everything :func:`locate` needs about one text, built once per text."""

    text: str
    plain: _Folded
    cased: _Folded
    words: tuple[str, ...]
    word_spans: tuple[tuple[int, int], ...]  # folded (cased) offsets
    positions: dict[str, tuple[int, ...]]
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
    if not votes:
        return None
    slack = n - int(n * FUZZY_THRESHOLD)  # edits allowed
    best: list[tuple[float, int, int, int]] = []
    for start, _ in votes.most_common(_CANDIDATES):
        shift = min(slack, 3)  # the votes already align the start; a dropped first word moves it by one
        for s in range(max(0, start - shift), start + shift + 1):
            for length in range(max(1, n - slack), n + slack + 1):
                window = index.words[s : s + length]
                if len(window) < length:
                    continue
                score = Levenshtein.normalized_similarity(q, window)
                if score >= FUZZY_THRESHOLD and _numbers(index.number_keys[s : s + length]) == wanted_numbers:
                    best.append((-score, s, s, s + length))
    if not best:
        return None
    best.sort()
    spans = []
    for _, _, s, e in best:
        i, _ = index.word_spans[s]
        _, j = index.word_spans[e - 1]
        spans.append(index.cased.span(i, j))
    return _pick(iter(spans), exclude)


def locate(text: str, quote: str, *, exclude: Collection[tuple[int, int]] = ()) -> Span | None:
    """Where ``quote`` sits in ``text``, or None when the text does not hold it.

    ``exclude`` holds ``(start, end)`` pairs already taken by other items; an
    occurrence outside them is preferred.
    """
    bare = quote.strip(_OUTER)
    if not bare.strip(". \u2026"):
        return None
    for candidate in dict.fromkeys((quote.strip(), bare)):  # with its quotation marks first
        found = _pick(((i, i + len(candidate)) for i in _occurrences(text, candidate)), exclude)
        if found:
            return Span(start=found[0], end=found[1], match="exact")
    index = _index(text)
    parts = [p for p in _ELLIPSIS.split(bare) if p.strip(_OUTER)]
    for folded, case in ((index.plain, False), (index.cased, True)):
        folded_parts = [_fold_quote(p, case).strip(_OUTER) for p in parts]
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


# -- grounding whole results ----------------------------------------------------------

_SKIP_FIELDS = frozenset({"provenance", "grounding", "span", "grounding_error"})


def _items(model: BaseModel, path: str = "") -> Iterator[tuple[str, str, BaseModel, list[Any] | None]]:
    """(path, kind, item, list holding it) for every model with a ``quote`` string, depth first."""
    if isinstance(getattr(model, "quote", None), str):
        yield path or "$", path.split("[")[0] or "$", model, None
    for name in type(model).model_fields:
        if name in _SKIP_FIELDS:
            continue
        value = getattr(model, name, None)
        where = f"{path}.{name}" if path else name
        if isinstance(value, BaseModel):
            yield from _items(value, where)
        elif isinstance(value, list):
            for i, element in enumerate(value):
                if isinstance(element, BaseModel):
                    for p, kind, item, holder in _items(element, f"{where}[{i}]"):
                        yield p, kind, item, value if item is element else holder


def _word_in(text: str, word: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE) is not None


def _name_found(text: str, name: str) -> bool:
    """The name as written, or its last word of three or more letters (a surname), case aside."""
    name = re.sub(r"['’]s?$", "", name.strip(_OUTER))  # "Milley's" names Milley
    if not name:
        return False
    if _word_in(text, name) or locate(text, name) is not None:
        return True
    words = [w for w in re.findall(r"\w+", name) if len(w) >= 3 and not w.isdigit()]
    return bool(words) and _word_in(text, words[-1])


def _check_item(text: str, item: BaseModel, span: Span | None) -> str | None:
    if span is None:
        return "its quote is not in the article"
    evidence = text[span.start : span.end]
    for field in ("value", "low", "high"):
        number = getattr(item, field, None)
        if isinstance(number, bool) or not isinstance(number, (int, float)):
            continue
        if not states_number(evidence, float(number)):
            return f"its {field} {number:g} is not stated in its quote"
    name = getattr(item, "name", None)
    if isinstance(name, str) and hasattr(item, "kind") and not _name_found(text, name):
        return f"the name {name!r} does not appear in the article"
    return None


def _set(item: BaseModel, field: str, value: Any) -> None:
    """Set a field the library fills, even on a frozen model (the value is ours, not the model's)."""
    if field in type(item).model_fields:
        try:
            setattr(item, field, value)
        except ValidationError:  # frozen
            object.__setattr__(item, field, value)


def ground(result: BaseModel, text: str, *, policy: GroundingPolicy = "flag") -> GroundingReport:
    """Pin every item of ``result`` that has a ``quote`` to ``text`` and apply ``policy``.

    Items gain ``span`` (and lose ``grounding_error``) where their model declares those
    fields; under ``drop`` (or ``reask`` once re-asks are spent) failing items leave
    their lists. The caller decides what ``reask`` does with a report that has issues.
    """
    report = GroundingReport(policy=policy)
    used: dict[str, set[tuple[int, int]]] = {}
    doomed: list[tuple[list[Any], BaseModel]] = []
    for path, kind, item, holder in list(_items(result)):
        taken = used.setdefault(kind, set())
        quote = str(getattr(item, "quote", ""))  # _items yields only models with a string quote
        span = locate(text, quote, exclude=taken)
        reason = _check_item(text, item, span)
        if reason is None and span is not None:
            taken.add((span.start, span.end))
            setattr(report, span.match, getattr(report, span.match) + 1)
            _set(item, "span", span)
            _set(item, "grounding_error", None)
            continue
        drop = policy in ("drop", "reask") and holder is not None
        report.issues.append(GroundingIssue(path=path, quote=quote, reason=reason or "", dropped=drop))
        _set(item, "span", None)
        _set(item, "grounding_error", reason)
        if drop and holder is not None:
            doomed.append((holder, item))
            report.dropped += 1
        else:
            report.ungrounded += 1
            report._flagged.append(item)
    for holder, item in doomed:
        holder[:] = [x for x in holder if x is not item]
    return report


def reask_message(issues: list[GroundingIssue], limit: int = 12) -> str:
    """What the model is told when items fail: each one, its quote and why, and what to do."""
    lines = [f"- {i.path}: {i.reason} (quote: {i.quote[:160]!r})" for i in issues[:limit]]
    if len(issues) > limit:
        lines.append(f"- and {len(issues) - limit} more")
    return (
        f"{len(issues)} item(s) are invalid or not supported by the article text:\n"
        + "\n".join(lines)
        + "\nCopy every quote character for character from the article, state each figure's number "
        "inside its quote, and name only actors the article names; fix or remove every item listed."
    )


_REPORT_ATTR = "_summarizer_grounding"


def grounding_of(result: BaseModel) -> GroundingReport | None:
    """The grounding report of a result, including a user's own model without a ``grounding`` field."""
    value = getattr(result, "grounding", None)
    if isinstance(value, GroundingReport):
        return value
    return getattr(result, _REPORT_ATTR, None)


def ungrounded(result: BaseModel) -> list[tuple[str, BaseModel]]:
    """(path, item) for every item kept although the article does not support it (``flag``)."""
    report = grounding_of(result)
    if report is None:
        raise ValueError("this result was never grounded; call summarize() or ground() first")
    flagged = {id(item) for item in report._flagged}
    return [
        (path, item)
        for path, _, item, _ in _items(result)
        if id(item) in flagged or getattr(item, "grounding_error", None) is not None  # the latter survives JSON
    ]
