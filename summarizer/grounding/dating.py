"""A date on every item: the article's date found, and each item's date words read against it.

The article's date comes, in this order, from the caller (``published=``), the page's
markup (:attr:`PageInfo.published`) and a dateline in its opening lines
(:func:`~summarizer.dates.dateline_date`); it is recorded in provenance with where it
came from.

An item's date words are looked for in its evidence, then in its attribution:

1. inside the item's own span (a claim's "agreed on Tuesday to open talks");
2. in the sentences its span touches, next to a reporting verb ("said Wednesday", "on
   Tuesday told reporters"): a date elsewhere in the sentence may be another clause's
   ("a figure below the one Kestria gave two days ago") and is not taken;
3. the nearest sentence before it that the article attributes to the same party (by the
   reader :func:`~summarizer.grounding.reading.party`, so "He said" counts), when it
   dates the saying. So every item of "Milley said Wednesday" and of the paragraphs that
   go on quoting him is dated Wednesday. An item whose own verb is a present perfect
   ("has warned", "have said") is not one occasion, and inherits no date. Words found are
resolved by :func:`~summarizer.dates.resolve` (basis "explicit" for a full date, else
"relative"); an item with no date words has the article's date (basis "published"), or
no date at all when that is unknown too.

Dating runs after grounding and never changes what grounding decided; it runs again
whenever the article's date may differ (a cache hit, an ingested answer), and always
gives the same answer for the same text and date.
"""

from __future__ import annotations

import bisect
import re
from datetime import date

from pydantic import BaseModel

from ..dates import DatePhrase, date_phrases, dateline_date, published_date, resolve
from ..errors import InputError
from ..results import attach, provenance_of
from ..schema import DateRange, PageInfo, PublishedFrom, Span, When
from ..sentences import Sentence, TextCache, sentences
from .attribution import REPORTING_VERBS
from .reading import body_start, party

__all__ = ["article_date", "check_published", "date_items", "date_result", "when_of"]

_PARTY_FIELDS = ("speaker", "reported_by", "set_by")
_VERB = re.compile(
    r"\b(?:" + "|".join(sorted((re.escape(v) for v in REPORTING_VERBS if " " not in v), key=len, reverse=True))
    + r"|told|announced|warned|confirmed|denied|claimed|estimated)\b",
    re.IGNORECASE,
)
_NEAR_VERB = 30
"""A date in an attribution sentence counts when it is this many characters or fewer from a reporting verb."""


def check_published(published: object) -> date | None:
    """``published`` as a date (None for None); raises :class:`~summarizer.InputError` when it is no date."""
    try:
        return published_date(published)
    except (ValueError, TypeError, OverflowError) as exc:
        raise InputError(f"published: {exc}") from None


def article_date(
    text: str, published: object = None, page: PageInfo | None = None
) -> tuple[date | None, PublishedFrom | None]:
    """The article's date and where it came from: ``published``, the page's markup, or the dateline.

    ``published`` that is no date raises :class:`~summarizer.InputError` (a caller's mistake);
    markup that is no date is passed over, as markup often is.
    """
    given = check_published(published)
    if given is not None:
        return given, "argument"
    if page is not None and page.published:
        try:
            marked = published_date(page.published)
        except (ValueError, TypeError, OverflowError):
            marked = None
        if marked is not None:
            return marked, "page"
    line = dateline_date(text)
    if line is not None:
        found = resolve(line, None)
        if found is not None and found.day is not None:
            return found.day, "dateline"
    return None, None


def _party(item: BaseModel) -> str | None:
    for name in _PARTY_FIELDS:
        value = getattr(item, name, None)
        if isinstance(value, str) and value.strip():
            return value
    return None


def _name_words(name: str) -> frozenset[str]:
    words = re.findall(r"[^\W\d_]+(?:['\u2019]s)?", name.casefold())
    return frozenset(w.removesuffix("'s").removesuffix("\u2019s") for w in words)


def _same_party(a: str, b: str) -> bool:
    """One party named twice: "Milley" and "Mark Milley"; "the defence ministry" is not "Varnia's defence ministry"."""
    wa, wb = _name_words(a) - _GENERIC, _name_words(b) - _GENERIC
    return bool(wa and wb) and (wa <= wb or wb <= wa)


_GENERIC = frozenset({"the", "a", "an", "of", "and", "gen", "col", "president", "minister", "spokesman"})
_PERFECT = re.compile(
    r"\b(?:has|have)\s+(?:\w+\s+)?(?:said|warned|claimed|told|stated|insisted|argued|repeatedly)\b", re.IGNORECASE
)


def _when(phrase: DatePhrase, published: date | None) -> When:
    found = resolve(phrase, published)
    span = Span(start=phrase.start, end=phrase.end, match="exact")
    if found is None:
        return When(date=None, text=phrase.text, span=span, basis="relative")
    value: date | DateRange | None = found.day
    if value is None and found.start is not None and found.end is not None:
        value = DateRange(start=found.start, end=found.end)
    return When(date=value, text=phrase.text, span=span, basis="explicit" if found.explicit else "relative")


def _nearest(phrases: list[DatePhrase], start: int, end: int) -> DatePhrase:
    def distance(p: DatePhrase) -> int:
        return 0 if p.start < end and p.end > start else min(abs(p.start - end), abs(start - p.end))

    return min(phrases, key=lambda p: (distance(p), p.start))


class _Dates:
    """One article's date phrases, found once, and what was read per sentence (kept by a TextCache)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._lines = sentences(text).paragraphs  # a phrase never crosses a line: each is read when first needed
        self._starts = [lo for lo, _ in self._lines]
        self._of_line: dict[int, list[DatePhrase]] = {}
        self._sayings: dict[int, DatePhrase | None] = {}
        self._parties: dict[int, str | None] = {}

    def within(self, start: int, end: int) -> list[DatePhrase]:
        out = []
        for i in range(max(0, bisect.bisect_right(self._starts, start) - 1), len(self._lines)):
            lo, hi = self._lines[i]
            if lo >= end:
                break
            if i not in self._of_line:
                self._of_line[i] = date_phrases(self.text, lo, hi)
            out += [p for p in self._of_line[i] if p.start >= start and p.end <= end]
        return out

    def saying(self, sentence: Sentence) -> DatePhrase | None:
        """The date next to a reporting verb in ``sentence`` ("said Wednesday", "on Tuesday told"), if any."""
        if sentence.start not in self._sayings:
            found = None
            for phrase in self.within(sentence.start, sentence.end):
                lo, hi = max(sentence.start, phrase.start - _NEAR_VERB), min(sentence.end, phrase.end + _NEAR_VERB)
                if _VERB.search(self.text, lo, hi):
                    found = phrase
                    break
            self._sayings[sentence.start] = found
        return self._sayings[sentence.start]

    def party(self, sentence: Sentence) -> str | None:
        if sentence.start not in self._parties:
            self._parties[sentence.start] = party(self.text, sentence, sentence.start, sentence.end)
        return self._parties[sentence.start]


@TextCache
def _dates(text: str) -> _Dates:
    return _Dates(text)


def _attribution(text: str, evidence: list[Sentence], who: str) -> DatePhrase | None:
    """The date of the nearest saying before the evidence that the article attributes to ``who``."""
    if _PERFECT.search(text, evidence[0].start, evidence[-1].end):
        return None
    named = " ".join(w for w in who.casefold().split() if w not in ("the", "a", "an"))
    found = _dates(text)
    s = sentences(text)
    first = evidence[0]
    floor = body_start(text)
    for p in range(first.paragraph, -1, -1):
        if s.paragraphs[p][1] <= floor:
            break
        for sentence in reversed(s.of_paragraph(p)):
            if sentence.start > first.start:
                continue
            phrase = found.saying(sentence)
            if phrase is None:
                continue
            said_by = found.party(sentence)
            if said_by is not None and _same_party(said_by, who):
                return phrase
            if said_by is None and len(named) >= 2 and named in text[sentence.start : sentence.end].casefold():
                return phrase  # a party named in lower case, as written: "a senior Western defence official told"
    return None


def when_of(item: BaseModel, text: str, published: date | None) -> When | None:
    """The date of one grounded item (one with a ``span``), by the rules in the module's docstring."""
    span = getattr(item, "span", None)
    if isinstance(span, Span):
        evidence = sentences(text).around(span.start, max(span.end, span.start + 1))
        if evidence:
            found = _dates(text)
            inside = found.within(span.start, span.end)
            if inside:
                return _when(inside[0], published)
            sayings = [p for p in (found.saying(s) for s in evidence) if p is not None]
            if sayings:
                return _when(_nearest(sayings, span.start, span.end), published)
            who = _party(item)
            if who is not None:
                phrase = _attribution(text, evidence, who)
                if phrase is not None:
                    return _when(phrase, published)
    return When(date=published, basis="published") if published is not None else None


def _dated_items(value: object) -> list[BaseModel]:
    """Every model inside ``value`` that can carry a date (``when`` and ``span`` fields); not inside those."""
    out: list[BaseModel] = []
    stack: list[object] = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, BaseModel):
            fields = type(current).model_fields
            if "when" in fields and "span" in fields:
                out.append(current)
                continue
            stack.extend(getattr(current, name) for name in fields if name not in ("provenance", "grounding"))
        elif isinstance(current, (list, tuple)):
            stack.extend(current)
    return out


def date_items(result: BaseModel, text: str, published: date | None) -> None:
    """Set ``when`` on every item of ``result`` that has the field (an item without a span gets the article's date)."""
    for item in _dated_items(result):
        when = when_of(item, text, published)
        try:
            setattr(item, "when", when)  # noqa: B010 - any model with the field, not only ours
        except (TypeError, ValueError):  # a frozen model of the user's: the date is the library's, set it anyway
            object.__setattr__(item, "when", when)


def date_result(result: BaseModel, text: str, published: object = None, page: PageInfo | None = None) -> None:
    """Find the article's date, date every item, and record the date and its source in provenance."""
    day, source = article_date(text, published, page)
    date_items(result, text, day)
    provenance = provenance_of(result)
    if provenance is not None and (provenance.published, provenance.published_from) != (day, source):
        attach(result, provenance=provenance.model_copy(update={"published": day, "published_from": source}))
