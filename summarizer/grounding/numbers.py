"""Every number a piece of English news text states, as floats.

Grounding needs one question answered: does the quote behind a figure really state
its value? So this module errs on the side of reading more numbers out of a text
("1.2 million" yields both 1,200,000 and 1.2, "40%" both 40 and 0.4), but never reads
a different number: a digit that is not in the text never comes out.

Fractions ("one-third", "a third of", "two-thirds", "three-quarters", "a quarter of",
"more than half", "half of", "1/3") are read as their value, never as their numerator
("two-thirds" is not 2). Their readings, by which a figure's value may give one, are the
quotient exactly, to two or three decimals, and as a percentage exactly, whole or to one
decimal: one-third is 0.333..., 0.33, 0.333, 33.33..., 33 or 33.3; two-thirds is 0.667 or
0.67 or 66.7 or 67, not 0.7 or 70 (another number). A fraction word is read only where it
is a quantity: "a third" and "one half" when "of" or the end of a clause follows ("a third
round" is an ordinal), "half" alone when a qualifier ("more than half", "up to half") or
"of", "the" or a possessive ("half of", "half the", "half its") is next to it, never in a
compound ("half-hearted") or after "the"/"first"/"second" ("the second half"); "N
quarters" and "N halves" without "of" are left unread (three quarters of a year, or
three periods?). "half a million" stays 500,000 and "a half million" is 500,000 too. A
numeral fraction "a/b" is read when a < b and b is 2 to 10 ("1/3", not "9/11" or "24/7").
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..sentences import TextMemo

__all__ = ["RANGE_GAP", "Mention", "fraction_readings", "mentions", "numbers_in", "same_number", "states_number"]

_SCALES = {
    "hundred": 100.0,
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "mn": 1e6,
    "m": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
}

# Thousands separators: comma, or a (thin / no-break) space between groups of three.
_NUMERAL = re.compile(
    r"(?<![\w.,])(?P<int>\d{1,3}(?:,\d{3})+|\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+(?!\d)|\d+)"
    r"(?:\.(?P<frac>\d+))?"
    r"(?:\s?(?P<scale>hundred|thousand|million|billion|trillion|mn|bn|tn|k|m|b)\b)?"
    r"(?P<pct>\s?(?:%|per\s?cent|percent))?",
    re.IGNORECASE,
)

_UNITS = {
    w: float(i)
    for i, w in enumerate(
        [
            "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
            "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
        ]
    )
}
_TENS = {
    w: float(10 * i)
    for i, w in enumerate(["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"], 2)
}
_WORD = re.compile(r"[a-z]+", re.IGNORECASE)

RANGE_GAP = re.compile(r"^\s*(?:-|to|and|or)\s*[$€£¥]?\s*$")
"""What stands between the two numbers of a range ("20,000 to 30,000", "$5-$10")."""


@dataclass(frozen=True)
class Mention:
    """One number as the text writes it: ``text[start:end]``, and every value it may be read as."""

    start: int
    end: int
    values: tuple[float, ...]  # the plain reading first
    spelled: bool = False  # in words ("forty thousand"), not digits


def _numerals(text: str) -> Iterator[Mention]:
    for m in _NUMERAL.finditer(text):
        digits = re.sub(r"[^\d]", "", m["int"])
        number = float(f"{digits}.{m['frac']}" if m["frac"] else digits)
        values = [number]
        if m["scale"]:
            values.insert(0, number * _SCALES[m["scale"].lower()])  # the reading first: 1.2 million is 1,200,000
        if m["pct"]:
            values.append(number / 100)
        yield Mention(m.start(), m.end(), tuple(values))


_BIG = ("hundred", "thousand", "million", "billion", "trillion")
_ORDINAL = frozenset({"first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"})
_PERCENT = re.compile(r"\s?(?:%|per\s?cent\b|percent\b)", re.IGNORECASE)


def _joins(current: float, word: str) -> bool:
    """Whether ``word`` goes on the number so far: "twenty" + "five", "hundred and" + "five", not "nineteen" + "ninety"."""
    rest = current % 100
    if rest == 0:
        return True  # nothing yet, or after "hundred" / "thousand"
    return word in _UNITS and _UNITS[word] < 10 and rest >= 20 and rest % 10 == 0


def _spelled(text: str) -> Iterator[Mention]:
    """Numbers written as words: "two", "forty thousand", "one hundred and twenty", "a million", "half a million".

    Never a number the words do not say: "nineteen ninety-one" is 19 and 91 (not 110),
    "half a million" 500,000 (not a million), "two and a half million" 2,500,000; an
    ordinal ("twenty-first") is not read at all. "forty per cent" is also 0.4, as "40%" is.
    """
    words = [(m[0].lower(), m.start(), m.end()) for m in _WORD.finditer(text)]
    total = current = 0.0
    start = end = -1

    def done() -> Iterator[Mention]:
        nonlocal total, current, start
        value, first, last = total + current, start, end
        total = current = 0.0
        start = -1
        if first < 0:
            return
        after = words[i][0] if i < len(words) else ""
        if after in _ORDINAL and i < len(words) and not text[last : words[i][1]].strip(" -\u00a0"):
            return  # "twenty-first": an ordinal, whose number this reader does not give
        percent = _PERCENT.match(text, last)
        if percent:
            yield Mention(first, percent.end(), (value, value / 100), spelled=True)
        else:
            yield Mention(first, last, (value,), spelled=True)

    def word_at(j: int) -> str:
        return words[j][0] if 0 <= j < len(words) else ""

    i = 0
    while i < len(words):
        word, w_start, w_end = words[i]
        gap = text[words[i - 1][2] : w_start] if i else ""
        if start >= 0 and gap.strip(" -\u00a0"):  # punctuation ends a number
            yield from done()
        if word in _UNITS or word in _TENS:
            if start >= 0 and not _joins(current, word):
                yield from done()
            current += _UNITS.get(word, 0.0) + _TENS.get(word, 0.0)
            start = w_start if start < 0 else start
            end = w_end
        elif word in _BIG:
            base = current
            if start < 0:
                if word_at(i - 1) not in ("a", "an", "one"):
                    i += 1
                    continue
                half = word_at(i - 2) == "half" and word_at(i - 1) in ("a", "an")
                start = words[i - 2 if half else i - 1][1]
                base = 0.5 if half else 1.0
            base = base or 1.0
            if word == "hundred":
                current = base * 100
            else:
                total += base * _SCALES[word]
                current = 0.0
            end = w_end
        elif word == "dozen" and start < 0 and word_at(i - 1) in ("a", "one"):
            current = 12.0
            start, end = words[i - 1][1], w_end
        elif word == "and" and start >= 0 and word_at(i + 1) == "a" and word_at(i + 2) == "half" and current:
            current += 0.5  # "two and a half (million)"
            end = words[i + 2][2]
            i += 3
            continue
        elif word == "and" and start >= 0:
            pass
        elif start >= 0:
            yield from done()
        i += 1
    yield from done()


_DENOMINATORS = {
    "half": 2, "third": 3, "quarter": 4, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9,
    "tenth": 10,
}
_PLURAL = {"halves": "half", **{f"{d}s": d for d in _DENOMINATORS if d != "half"}}
_NUMERATOR = {"a": 1, "an": 1, "one": 1, **{w: int(v) for w, v in _UNITS.items() if 2 <= v <= 9}}
_FRACTION_WORDS = re.compile(
    r"\b(?P<den>" + "|".join(sorted([*_DENOMINATORS, *_PLURAL], key=len, reverse=True)) + r")\b"
    r"(?P<after>[ \u00a0]*(?P<next>[\w-]*))",
    re.IGNORECASE,
)  # the denominator first (rare words, a fast scan), then the numerator before it
_NUMERATOR_BEFORE = re.compile(
    r"\b(?P<num>" + "|".join(_NUMERATOR) + r")(?P<sep>[ \u00a0]*[-\u2010\u2011][ \u00a0]*|[ \u00a0]+)$", re.IGNORECASE
)
_FRACTION_NUMERAL = re.compile(r"(?<![\w./,])(\d)[ \u00a0]?/[ \u00a0]?(\d{1,2})(?![\w/]|[.,]\d)")
_HALF_BEFORE = frozenset(
    {"than", "nearly", "almost", "about", "around", "roughly", "over", "under", "some", "to", "least", "only", "just",
     "approximately", "most", "fully", "barely", "exactly", "precisely", "quite"}
)
_HALF_AFTER = frozenset(
    {"of", "the", "its", "their", "his", "her", "our", "my", "your", "all", "them", "that", "those", "these", "it"}
)
_NOT_QUANTITY_BEFORE = frozenset({"the", "first", "second", "last", "this", "that", "each", "every", "other", "and"})
_CLAUSE_END = re.compile(r"\s*(?:[.,;:!?)\]\"'\u201d\u2019]|$)")


def fraction_readings(numerator: int, denominator: int) -> tuple[float, ...]:
    """The values a figure may give a fraction: exact, to two or three decimals, and as a percentage (see the module)."""
    q = numerator / denominator
    out: list[float] = []
    for v in (q, round(q, 2), round(q, 3), 100 * q, float(round(100 * q)), round(100 * q, 1)):
        if not any(same_number(v, o) for o in out):
            out.append(v)
    return tuple(out)


def _word_before(text: str, at: int) -> str:
    m = re.search(r"([A-Za-z]+)[ \u00a0]*$", text[max(0, at - 30) : at])
    return m[1].lower() if m else ""


def _fractions(text: str) -> Iterator[Mention | tuple[int, int]]:
    """Fractions as :class:`Mention`; a bare ``(start, end)`` for words that must not be read at all ("three quarters")."""
    for m in _FRACTION_NUMERAL.finditer(text):
        a, b = int(m[1]), int(m[2])
        if 1 <= a < b <= 10:
            yield Mention(m.start(), m.end(), fraction_readings(a, b))
    for m in _FRACTION_WORDS.finditer(text):
        lead = _NUMERATOR_BEFORE.search(text, max(0, m.start() - 12), m.start())
        den, num, nxt = m["den"].lower(), (lead["num"].lower() if lead else ""), m["next"].lower()
        plural = den in _PLURAL
        single = _PLURAL.get(den, den)
        hyphen = lead is not None and "-" in lead["sep"].replace("\u2010", "-").replace("\u2011", "-")
        if m["after"].startswith("-") or (m["after"] == "" and nxt.startswith("-")):
            continue  # "half-hearted", "one-third-owned": a compound, not a quantity
        of_or_end = nxt == "of" or bool(_CLAUSE_END.match(text, m.end("den")))
        start = lead.start() if lead else m.start()
        if not num:  # "half" alone; "thirds" alone is not a quantity
            before = _word_before(text, m.start())
            quantity = den == "half" and before not in _NOT_QUANTITY_BEFORE and before not in ("a", "an", "one") and (
                before in _HALF_BEFORE or nxt in _HALF_AFTER
            )
            if not quantity or nxt in ("a", "an"):  # "half a million" is the number reader's
                continue
            value = 1
        else:
            value = _NUMERATOR[num]
            if (value == 1) == plural:
                continue  # "one thirds", "two third": not a fraction
            if not hyphen:
                if value == 1 and not of_or_end and nxt not in _SCALES:
                    continue  # "a third round", "a quarter century": an ordinal or a unit
                if single in ("half", "quarter") and plural and nxt != "of":
                    yield (start, m.end("den"))  # "three quarters", "two halves": periods or parts? not read
                    continue
            if _word_before(text, start) == "and" and single == "half":
                continue  # "two and a half": the number reader's
        readings = fraction_readings(value, _DENOMINATORS[single])
        end = m.end("den")
        if nxt in _BIG and value == 1 and single in ("half", "quarter", "third") and not hyphen:
            readings = (readings[0] * _SCALES[nxt],)  # "a half million", "a quarter million"
            end = m.end("next")
        yield Mention(start, end, readings, spelled=True)


def _overlaps(m: Mention, start: int, end: int) -> bool:
    return m.start < end and start < m.end


def _within(start: int, end: int, m: Mention) -> bool:
    """Whether ``start:end`` lies inside the longer mention ``m`` ("a half" of "two and a half million")."""
    return m.start <= start and end <= m.end and (m.start, m.end) != (start, end)


def mentions(text: str) -> list[Mention]:
    """Every number ``text`` states, in numerals or in words, in the order written.

    A fraction is read as its value, and the words or digits inside it ("two" of
    "two-thirds", "1" and "3" of "1/3") are not read apart from it. Remembered: every
    item of an answer reads the same sentences and paragraphs again.
    """
    return list(_mentions(text))


def _mentions_of(text: str) -> tuple[Mention, ...]:
    fractions = list(_fractions(text))
    spans = [(f.start, f.end) if isinstance(f, Mention) else f for f in fractions]
    others = [*_numerals(text), *_spelled(text)]
    out = [m for m in others if not any(_overlaps(m, s, e) and not _within(s, e, m) for s, e in spans)]
    out += [f for f in fractions if isinstance(f, Mention) and not any(_within(f.start, f.end, m) for m in others)]
    return tuple(sorted(out, key=lambda m: (m.start, m.end)))


_mentions: TextMemo[tuple[Mention, ...]] = TextMemo(_mentions_of, entries=8192)


def numbers_in(text: str) -> list[float]:
    """Every number ``text`` states, in numerals or in words."""
    return [value for mention in mentions(text) for value in mention.values]


def same_number(a: float, b: float) -> bool:
    """Equal to within float rounding: how every check compares a reading with a figure's value."""
    return abs(a - b) <= 1e-9 * max(1.0, abs(b))


def states_number(text: str, number: float) -> bool:
    """True when ``text`` states ``number`` (to within float rounding); never for infinity or NaN."""
    if not math.isfinite(number):
        return False
    return any(same_number(found, number) for found in numbers_in(text))
