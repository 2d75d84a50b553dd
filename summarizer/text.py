"""Text folded for comparison: the one table of what "the same character" means.

Models and typesetters change quotation marks, dashes, ellipses and invisible
characters without changing what a text says. :data:`TYPOGRAPHY` lists those, once;
grounding folds with it character by character (keeping each character's offset in
the article), and :func:`fold` adds what comparing names and statements also sets
aside (case, accents, letters such as ø and ł, spacing), for chunk merging and
evaluation.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "INVISIBLE", "INVISIBLE_CLASS", "TYPOGRAPHY", "fold", "fold_char", "invisible", "printable", "shows_nothing",
]

_IGNORABLE = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)
"""Unicode's Default_Ignorable_Code_Point ranges (DerivedCoreProperties.txt): drawn as nothing wherever they stand."""

INVISIBLE: frozenset[str] = frozenset(chr(c) for lo, hi in _IGNORABLE for c in range(lo, hi + 1))
"""Characters that show nothing and say nothing: the soft hyphen, zero-width spaces and joiners, the
word joiner and invisible operators, bidi marks and controls, the byte-order mark, variation selectors,
the Hangul fillers (U+115F, U+1160, U+3164, U+FFA0), Mongolian and Khmer format characters, tags
(U+E0000 block). Grounding folds them away (:data:`TYPOGRAPHY`); a text of nothing else is empty."""

INVISIBLE_CLASS = "".join(chr(lo) if lo == hi else f"{chr(lo)}-{chr(hi)}" for lo, hi in _IGNORABLE)
""":data:`INVISIBLE` as the inside of a regular expression's ``[...]``: ranges, which ``re`` matches fast
(the same four thousand characters listed one by one make a scan hundreds of times slower)."""

_BLANK_GLYPHS = frozenset("\u2800\U0001d159")  # braille pattern blank, musical null notehead: drawn empty
_NOTHING_ALONE = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Co", "Cn", "Mn", "Me"})
"""Categories that put nothing on the page by themselves: spaces, controls and formats, surrogates, private
and unassigned code points, and combining marks."""

TYPOGRAPHY: dict[str, str] = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u0060\u00b4", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-"),
    "\u2026": "...",
    **dict.fromkeys(INVISIBLE, ""),  # soft hyphen, zero-width characters, byte-order mark, fillers, ...
}
"""Quotation marks and primes, dashes and minus signs, the ellipsis, and invisible characters (:data:`INVISIBLE`)."""

_LETTERS = {"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "æ": "ae", "Æ": "AE",
            "œ": "oe", "Œ": "OE", "ı": "i", "þ": "th"}
"""Letters that Unicode decomposition leaves whole, spelt plain."""

_FOLD = str.maketrans({**TYPOGRAPHY, **_LETTERS})


def fold_char(c: str, case: bool) -> str:
    """One character as grounding compares it: white space as a space, :data:`TYPOGRAPHY`, and (``case``) lower case."""
    if c.isspace():
        return " "
    folded = TYPOGRAPHY.get(c)
    if folded is not None:
        return folded
    if case:
        lower = c.lower()
        return lower if len(lower) == 1 else c
    return c


def invisible(c: str) -> bool:
    """True for a character that puts nothing on the page by itself (see :func:`shows_nothing`)."""
    return c in INVISIBLE or c in _BLANK_GLYPHS or c.isspace() or unicodedata.category(c) in _NOTHING_ALONE


def shows_nothing(text: str) -> bool:
    """True when no character of ``text`` is seen: white space, :data:`INVISIBLE`, controls and formats,
    private or unassigned code points, combining marks without a base, blank glyphs (braille blank).

    The one test of "empty" for article text: whatever a reader cannot see is not worth a request.
    """
    return all(invisible(c) for c in text)


def fold(text: str | None) -> str:
    """Case-, accent-, typography- and space-insensitive form of a string, for comparing names and statements."""
    if not text:
        return ""
    if text.isascii():  # most articles: decomposition changes nothing, so skip it (the same result, faster)
        return " ".join(text.translate(_FOLD).casefold().split())
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
"""Controls (an ANSI escape starts with one), bidi overrides and lone surrogates: what a terminal must not be sent."""


def printable(text: str) -> str:
    """``text`` safe to show on a terminal: controls, bidi overrides and lone surrogates as U+FFFD (tabs and newlines stay)."""
    return _UNPRINTABLE.sub("\ufffd", text)
