"""Text folded for comparison: case, accents, curly quotes, dashes and spacing set aside.

Merging chunk summaries and scoring against gold both ask "is this the same name or
statement?"; they fold text the same way, here.
"""

from __future__ import annotations

import unicodedata

_TYPOGRAPHY = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "‚": "'", "–": "-", "—": "-"})


def fold(text: str | None) -> str:
    """Case-, accent-, quote- and space-insensitive form of a string."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.translate(_TYPOGRAPHY))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())
