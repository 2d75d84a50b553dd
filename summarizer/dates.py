"""Dates in an article's words: found, and resolved against the article's own date by news convention.

Wire copy dates events by the day of the week ("Milley said Wednesday"), by "yesterday"
or "last week", and by month and day without a year ("on Nov. 15"). Such words mean a
date only against the day the article was published, so this module does two things:

- :func:`date_phrases` finds the date words of a stretch of text (English), with their
  exact offsets. A duration is not a date ("now in its ninth month", "for three days",
  "since Tuesday"), and neither is a weekday inside a name ("Black Friday").
- :func:`resolve` turns one phrase into a day or a range, by the library's rules:
  a weekday is the most recent such day on or before the article's date ("last Tuesday"
  strictly before it, "next Tuesday" after it); "yesterday", "N days ago", "today" count
  back from it; "this week" runs from its Monday to the article's date, "last week" is
  the Monday to Sunday before, "last month" the calendar month before; a month and day
  without a year take the year (the article's, the one before or the one after) that puts
  them nearest the article's date, so "Dec. 28" in a 3 January article is last year.
  ``dateparser`` (1.5, a relative base, past dates preferred) reads the words themselves
  ("Nov. 15", "15 November 2022", "two days ago"); its answer for a weekday on the
  article's own weekday (the week before) and for a year left out (always the past) is
  what the rules above replace. Without an article date nothing is resolved: the words
  are kept, the date is None.

:func:`published_date` reads the date given by a caller or by a page's markup, and
:func:`dateline_date` the one an article states in its opening lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, Literal

__all__ = [
    "CALENDAR_WORDS",
    "DateLike",
    "DatePhrase",
    "Resolved",
    "date_phrases",
    "dateline_date",
    "published_date",
    "resolve",
]

DateLike = date | str
"""A date as a caller gives it: a ``date``, a ``datetime`` (a ``date`` too) or an ISO 8601 string."""

PhraseKind = Literal["weekday", "offset", "week", "month", "day_month", "full_date"]

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
CALENDAR_WORDS = frozenset(_WEEKDAYS) | frozenset(
    {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
     "december"}
)
"""The names of the days and months (lower case): capitalised, but never a people or a place."""
_MONTH_WORDS = (
    r"January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?"
)
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "a": 1}
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d\d"

_PHRASE = re.compile(
    r"(?P<full_iso>\b" + _YEAR + r"-[01]\d-[0-3]\d\b)"
    r"|(?P<md>\b(?:" + _MONTH_WORDS + r")\s?" + _DAY + r"\b(?:,?\s" + _YEAR + r"\b)?)"
    r"|(?P<dm>\b" + _DAY + r"\s(?:" + _MONTH_WORDS + r")(?:,?\s" + _YEAR + r"\b)?)"
    r"|(?P<weekday>\b(?:(?:last|next|this\s+past)\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b)"
    r"|(?P<offset>\b(?:the\s+day\s+before\s+yesterday|yesterday|today|"
    r"(?:\d|one|two|three|four|five|six|seven|a)\s+days?\s+ago|a\s+week\s+ago)\b)"
    r"|(?P<week>\b(?:this|last)\s+(?:week|month)\b)",
    re.IGNORECASE,
)
_CASED = re.compile(r"[A-Z]")
_DURATION_BEFORE = re.compile(r"\b(?:since|for|until|till|through|throughout|over)\s+(?:the\s+)?$", re.IGNORECASE)
_NAME_AFTER = re.compile(r"\s+(?:Times|Telegraph|Express|Mail|Post|Herald|Star|Mirror|Sport|Night\s+Live)\b")
_FUNCTION_WORDS = frozenset({"on", "by", "last", "this", "next", "since", "until", "early", "late", "from", "said",
                             "says", "and", "or", "but", "before", "after"})


@dataclass(frozen=True, slots=True)
class DatePhrase:
    """Date words found in a text: ``text[start:end]``, and what kind of words they are."""

    text: str
    start: int
    end: int
    kind: PhraseKind


@dataclass(frozen=True, slots=True)
class Resolved:
    """A phrase's day, or its range (``start``..``end``, both inclusive); ``explicit``: the text gave the year."""

    day: date | None
    start: date | None = None
    end: date | None = None
    explicit: bool = False


def _kind(m: re.Match[str]) -> PhraseKind:
    group = m.lastgroup
    if group == "full_iso":
        return "full_date"
    if group in ("md", "dm"):
        return "full_date" if re.search(_YEAR + r"\s*$", m.group()) else "day_month"
    if group == "weekday":
        return "weekday"
    if group == "offset":
        return "offset"
    return "month" if m.group().lower().endswith("month") else "week"


def _is_name(text: str, m: re.Match[str]) -> bool:
    """A weekday inside a name: "Black Friday", "Bloody Sunday", "the Sunday Times"."""
    if " " in m.group():  # "last Friday": a modifier, not a name
        return False
    before = text[max(0, m.start() - 30) : m.start()]
    word = re.search(r"(\S+)\s+$", before)
    if word is not None and word.group(1)[-1] not in ",;:.!?)\u2014-":
        prev = word.group(1).strip("\"'\u201c\u2018(")
        starts_sentence = not before[: word.start()].strip() or before[: word.start()].rstrip()[-1:] in ".!?\n"
        if _CASED.match(prev) and prev.lower() not in _FUNCTION_WORDS and not starts_sentence:
            return True
    return _NAME_AFTER.match(text, m.end()) is not None


_KEY = re.compile(
    r"day\b|\bago\b|\bweek\b|\bmonth\b|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|\b(?:19|20)\d\d-",
    re.IGNORECASE,
)
"""A word every date phrase holds: lines without one are not searched with the full pattern (ten times slower)."""
_LINE = re.compile(r"[^\n]+")


def date_phrases(text: str, start: int = 0, end: int | None = None) -> list[DatePhrase]:
    """The date words within ``text[start:end]``, in order, with offsets into ``text`` (English words only).

    A phrase never crosses a line break.
    """
    end = len(text) if end is None else end
    found: list[DatePhrase] = []
    for line in _LINE.finditer(text, start, end):
        if _KEY.search(text, line.start(), line.end()) is not None:
            found += _in_line(text, line.start(), line.end())
    return found


def _in_line(text: str, start: int, end: int) -> list[DatePhrase]:
    found: list[DatePhrase] = []
    for m in _PHRASE.finditer(text, start, end):
        kind = _kind(m)
        if _DURATION_BEFORE.search(text, max(0, m.start() - 20), m.start()):
            continue
        if kind == "weekday" and (m.group().split()[-1][0].islower() or _is_name(text, m)):
            continue
        if kind in ("day_month", "full_date") and m.lastgroup != "full_iso" and not _month_cased(m.group()):
            continue
        found.append(DatePhrase(m.group(), m.start(), m.end(), kind))
    return found


def _month_cased(words: str) -> bool:
    """Month names are written with a capital ("May 5"; "may 5" is not a date)."""
    month = re.search(r"[A-Za-z]{3,}", words)
    return month is not None and month.group()[0].isupper()


# -- resolving -------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _dateparser() -> Any:
    import dateparser  # 0.3 s to import: only once an article has date words

    return dateparser


def _parse(words: str, base: date) -> date | None:
    settings = {
        "RELATIVE_BASE": datetime(base.year, base.month, base.day),
        "PREFER_DATES_FROM": "past",
        "RETURN_AS_TIMEZONE_AWARE": False,
        "REQUIRE_PARTS": ["day", "month"],
    }
    words = re.sub(r"(?<=[A-Za-z])\.(?=\d)", ". ", words)  # "Feb.14 2026"
    parsed: datetime | None = _dateparser().parse(words, languages=["en"], settings=settings)
    return parsed.date() if parsed is not None else None


def _nearest_year(day: date, base: date) -> date:
    """The month and day of ``day`` in the year that puts them nearest ``base`` (29 February kept where it exists)."""
    options = []
    for year in (base.year - 1, base.year, base.year + 1):
        try:
            options.append(day.replace(year=year))
        except ValueError:
            continue
    return min(options, key=lambda d: (abs((d - base).days), d > base))


def resolve(phrase: DatePhrase, published: date | None) -> Resolved | None:
    """The day or range ``phrase`` names, read against ``published``; None when it cannot be resolved.

    A full date ("15 November 2022", "2022-11-15") needs no article date.
    """
    words = phrase.text.lower()
    if phrase.kind == "full_date":
        day = _parse(phrase.text, published or date.today())
        return Resolved(day, explicit=True) if day is not None else None
    if published is None:
        return None
    if phrase.kind == "weekday":
        name = words.split()[-1]
        back = (published.weekday() - _WEEKDAYS.index(name)) % 7
        if words.startswith("next"):
            return Resolved(published + timedelta(days=(7 - back) % 7 or 7))
        if back == 0 and (words.startswith("last") or words.startswith("this")):
            back = 7
        return Resolved(published - timedelta(days=back))
    if phrase.kind == "offset":
        if words == "today":
            return Resolved(published)
        if words == "yesterday":
            return Resolved(published - timedelta(days=1))
        if words.startswith("the day before"):
            return Resolved(published - timedelta(days=2))
        count, unit = words.split()[:2]
        n = int(count) if count.isdigit() else _NUMBER_WORDS[count]
        return Resolved(published - timedelta(days=n * (7 if unit.startswith("week") else 1)))
    if phrase.kind == "week":
        monday = published - timedelta(days=published.weekday())
        if words.startswith("this"):
            return Resolved(None, monday, published)
        return Resolved(None, monday - timedelta(days=7), monday - timedelta(days=1))
    if phrase.kind == "month":
        first = published.replace(day=1)
        if words.startswith("this"):
            return Resolved(None, first, published)
        last = first - timedelta(days=1)
        return Resolved(None, last.replace(day=1), last)
    day = _parse(phrase.text, published)  # a month and a day: the year is the nearest one
    return Resolved(_nearest_year(day, published)) if day is not None else None


# -- the article's own date ------------------------------------------------------------------


def published_date(value: object) -> date | None:
    """A date given as a ``date``, a ``datetime`` or a string (ISO 8601 first, then what ``dateparser`` reads).

    None for None or "". Raises ``ValueError`` for a string that is no date, ``TypeError`` for another type.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise TypeError(f"a publication date is a date, a datetime or an ISO string, not {type(value).__name__}")
    text = value.strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        pass
    settings = {"RETURN_AS_TIMEZONE_AWARE": False, "REQUIRE_PARTS": ["day", "month", "year"]}
    parsed: datetime | None = _dateparser().parse(text, settings=settings)
    if parsed is None:
        raise ValueError(f"not a date: {value!r}")
    return parsed.date()


_OPENING_CHARS = 800
_DATELINE_LINE = re.compile(
    r"(?:(?:Published|Updated|Posted|First published)(?:\s+on)?:?\s*)?"
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?,?\s+)?"
    r"(?P<date>.+?)"
    r"(?:,?\s*(?:at\s+)?\d{1,2}[:.]\d\d\s*(?:[ap]\.?m\.?)?(?:\s*[A-Z]{2,4})?)?\.?",
    re.IGNORECASE,
)
_DATELINE_PREFIX = re.compile(
    r"^[A-Z][A-Z .'-]+,[^\n\u2014]{0,60}?(?P<date>[^\n\u2014]*\b" + _YEAR + r")[^\n\u2014]{0,30}(?:\u2014|--| - )"
)


def dateline_date(text: str) -> DatePhrase | None:
    """A full date (day, month and year) the article states as its own in its opening lines, or None.

    A line that is a date alone ("Feb 27, 2026 6:40 pm", "Published: 10 November 2022"),
    or a dateline before the dash ("KYIV, Ukraine, Nov. 10, 2022 (Reuters) -"). A date
    inside a sentence or a photo caption is an event's, not the article's.
    """
    at = 0
    for line in text[:_OPENING_CHARS].split("\n"):
        lo = at
        at += len(line) + 1
        stripped = line.strip()
        if not stripped:
            continue
        whole = _DATELINE_LINE.fullmatch(stripped)
        candidates = []
        if whole is not None and len(stripped) <= 60:
            candidates.append(whole)
        prefix = _DATELINE_PREFIX.match(stripped)
        if prefix is not None:
            candidates.append(prefix)
        for m in candidates:
            offset = lo + (len(line) - len(line.lstrip()))
            for phrase in date_phrases(stripped, m.start("date"), m.end("date")):
                if phrase.kind == "full_date" and (whole is None or m is prefix or phrase.text == m.group("date").strip()):
                    return DatePhrase(phrase.text, offset + phrase.start, offset + phrase.end, phrase.kind)
    return None
