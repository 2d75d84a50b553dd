"""Text folded for comparison: the one table of what "the same character" means.

Models and typesetters change quotation marks, dashes, ellipses and invisible
characters without changing what a text says. :data:`TYPOGRAPHY` lists those, once;
grounding folds with it character by character (keeping each character's offset in
the article), and :func:`fold` adds what comparing names and statements also sets
aside (case, accents, letters such as ø and ł, spacing), for chunk merging and
evaluation.
"""

from __future__ import annotations

import unicodedata

__all__ = ["TYPOGRAPHY", "fold", "fold_char"]

TYPOGRAPHY: dict[str, str] = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u0060\u00b4", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-"),
    "\u2026": "...",
    "\u00ad": "",  # soft hyphen
    "\u200b": "",  # zero-width space, non-joiner, joiner; byte-order mark
    "\u200c": "",
    "\u200d": "",
    "\ufeff": "",
}
"""Quotation marks and primes, dashes and minus signs, the ellipsis, and invisible characters."""

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


def fold(text: str | None) -> str:
    """Case-, accent-, typography- and space-insensitive form of a string, for comparing names and statements."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())
