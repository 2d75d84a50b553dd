"""Every number a piece of English news text states, as floats.

Grounding needs one question answered: does the quote behind a figure really state
its value? So this module errs on the side of reading more numbers out of a text
("1.2 million" yields both 1,200,000 and 1.2, "40%" both 40 and 0.4), but never reads
a different number: a digit that is not in the text never comes out.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["RANGE_GAP", "Mention", "mentions", "numbers_in", "same_number", "states_number"]

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


def mentions(text: str) -> list[Mention]:
    """Every number ``text`` states, in numerals or in words, in the order written."""
    return sorted([*_numerals(text), *_spelled(text)], key=lambda m: (m.start, m.end))


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
