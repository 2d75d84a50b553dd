"""Every number a piece of English news text states, as floats.

Grounding needs one question answered: does the quote behind a figure really state
its value? So this module errs on the side of reading more numbers out of a text
("1.2 million" yields both 1,200,000 and 1.2, "40%" both 40 and 0.4), but never reads
a different number: a digit that is not in the text never comes out.
"""

from __future__ import annotations

import re

__all__ = ["numbers_in", "states_number"]

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


def _numerals(text: str) -> list[float]:
    found: list[float] = []
    for m in _NUMERAL.finditer(text):
        digits = re.sub(r"[^\d]", "", m["int"])
        number = float(f"{digits}.{m['frac']}" if m["frac"] else digits)
        found.append(number)
        if m["scale"]:
            found.append(number * _SCALES[m["scale"].lower()])
        if m["pct"]:
            found.append(number / 100)
    return found


def _spelled(text: str) -> list[float]:
    """Numbers written as words: "two", "forty thousand", "one hundred and twenty", "a million"."""
    found: list[float] = []
    total = current = 0.0
    active = False
    previous = ""
    for m in _WORD.finditer(text):
        word = m[0].lower()
        gap = text[m.start() - 1] if m.start() else " "
        if active and gap not in " -\u00a0":  # punctuation ends a number
            found.append(total + current)
            total = current = 0.0
            active = False
        if word in _UNITS:
            current += _UNITS[word]
            active = True
        elif word in _TENS:
            current += _TENS[word]
            active = True
        elif word in ("hundred", "thousand", "million", "billion", "trillion"):
            if not active and previous not in ("a", "one"):
                previous = word
                continue
            base = current or 1.0
            if word == "hundred":
                current = base * 100
            else:
                total += base * _SCALES[word]
                current = 0.0
            active = True
        elif word == "dozen" and previous in ("a", "one"):
            current += 12
            active = True
        elif word == "and" and active:
            pass
        elif active:
            found.append(total + current)
            total = current = 0.0
            active = False
        previous = word
    if active:
        found.append(total + current)
    return found


def numbers_in(text: str) -> list[float]:
    """Every number ``text`` states, in numerals or in words."""
    return _numerals(text) + _spelled(text)


def states_number(text: str, number: float) -> bool:
    """True when ``text`` states ``number`` (to within float rounding)."""
    return any(abs(found - number) <= 1e-9 * max(1.0, abs(number)) for found in numbers_in(text))
