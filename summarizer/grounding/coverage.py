"""Coverage: every number the article states is a grounded figure's value, or listed as uncovered.

The numbers are those :func:`~summarizer.grounding.numbers.mentions` reads, in digits
or in words; fractions count ("two-thirds of the villages", "more than half of the
gates": figures a reader wants), where the reader takes them for a quantity ("the second
half of the year" is not one). A number is covered when a grounded figure's evidence holds it and the
figure's ``value``, ``low`` or ``high`` is one of its readings. Not counted, because
they are not figures a reader would want extracted:

- years: a four-digit number from 1800 to 2100 written without a separator ("2022");
- dates and times: a day next to a month name ("Nov. 10", "24 February"), "10:30", "3 p.m.";
- list numbering: a number that opens a line and is followed by "." or ")";
- numbers inside names: glued to letters or a hyphenated code ("G7", "F-16", "COVID-19",
  "3rd"), or right after a capitalised word inside a sentence ("Article 5", "Flight 17");
- the word "one" on its own, nearly always a pronoun ("one of the").

Each uncovered number comes with its sentence, or, in a sentence longer than
:data:`SENTENCE_KEPT` characters, the words within :data:`AROUND` characters of it: a
flattened table or a transcript without full stops is one sentence holding thousands of
numbers, and a copy of it per number made a 44 KB article's summary 141 MB.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..schema import Span, UncoveredNumber
from ..sentences import sentences
from .numbers import Mention, mentions, same_number

__all__ = ["AROUND", "SENTENCE_KEPT", "counted", "uncovered", "window"]

SENTENCE_KEPT = 240
"""An uncovered number's sentence is kept whole up to this many characters (most news sentences)."""
AROUND = 80
"""... and a longer one is cut to the words within this many characters either side of the number."""

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_MONTH_BEFORE = re.compile(rf"\b{_MONTHS}\s*$", re.I)
_MONTH_AFTER = re.compile(rf"^(?:st|nd|rd|th)?\s*(?:of\s+)?{_MONTHS}\b", re.I)
_TIME_AFTER = re.compile(r"^(?::\d\d|\s*[ap]\.?m\.?(?!\w))", re.I)
_CAPITALISED_BEFORE = re.compile(r"(?<![.!?:;\"“”]\s)\b[A-Z][a-z]+\s$")
_SENTENCE_START_WORDS = frozenset(
    {"About", "Some", "Nearly", "Almost", "Around", "Over", "Only", "Up", "At", "More", "Fewer", "Less", "Just"}
)


def _counts(text: str, m: Mention) -> bool:
    written = text[m.start : m.end]
    before, after = text[max(0, m.start - 24) : m.start], text[m.end : m.end + 16]
    if m.spelled:
        return written.lower() != "one"
    if re.fullmatch(r"1[89]\d\d|20\d\d|2100", written):
        return False
    if _MONTH_BEFORE.search(before) or _MONTH_AFTER.match(after) or _TIME_AFTER.match(after):
        return False
    if re.search(r"\d:$", before):  # the minutes of "10:30"
        return False
    if re.match(r"^[.)]\s", after) and (m.start == 0 or text[m.start - 1] == "\n"):
        return False
    glued_before = m.start > 0 and (
        text[m.start - 1].isalpha() or (text[m.start - 1] == "-" and m.start > 1 and text[m.start - 2].isalpha())
    )
    glued_after = m.end < len(text) and text[m.end].isalpha()
    if glued_before or glued_after:
        return False
    name = _CAPITALISED_BEFORE.search(before)
    return not (name and name[0].strip() not in _SENTENCE_START_WORDS and not before[: name.start()].rstrip().endswith("\n"))


def _agrees(readings: tuple[float, ...], values: tuple[float, ...]) -> bool:
    return any(same_number(r, v) for r in readings for v in values)


def counted(text: str) -> list[Mention]:
    """The numbers of ``text`` that coverage counts (see the module's rules)."""
    return [m for m in mentions(text) if _counts(text, m)]


def window(text: str, start: int, end: int, lo: int = 0, hi: int | None = None) -> tuple[int, int]:
    """(start, end) of what is shown around ``text[start:end]`` within ``text[lo:hi]``: all of it up to
    :data:`SENTENCE_KEPT` characters, else the words within :data:`AROUND` characters either side."""
    hi = len(text) if hi is None else hi
    if hi - lo <= SENTENCE_KEPT:
        return lo, hi
    a, b = max(lo, start - AROUND), min(hi, end + AROUND)
    if a > lo:  # from the first word that starts inside the window
        space = next((i for i in range(a, start) if text[i].isspace()), None)
        if space is not None:
            a = space + 1
    if b < hi:  # to the last word that ends inside it
        space = next((i for i in range(b, end, -1) if text[i].isspace()), None)
        if space is not None:
            b = space
    while a < start and text[a].isspace():
        a += 1
    while b > end and text[b - 1].isspace():
        b -= 1
    return a, b


def uncovered(text: str, figures: Iterable[tuple[Span, tuple[float, ...]]]) -> tuple[int, list[UncoveredNumber]]:
    """How many numbers count, and those no grounded figure (its span and its values) accounts for."""
    held = list(figures)
    found = counted(text)
    out = []
    s = sentences(text)
    for m in found:
        if any(span.start <= m.start and m.end <= span.end and _agrees(m.values, values) for span, values in held):
            continue
        sentence = s.at(m.start)
        a, b = window(text, m.start, m.end, *((sentence.start, sentence.end) if sentence else (0, len(text))))
        out.append(UncoveredNumber(text=text[m.start : m.end], value=m.values[0], start=m.start, end=m.end,
                                   sentence=text[a:b], sentence_start=a, sentence_end=b))
    return len(found), out
