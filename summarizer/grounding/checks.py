"""How every check of a field says what it found: :func:`failed` and :func:`passed`.

The checks of an item's fields (:mod:`~summarizer.grounding.fields`) and of the model's
own words (:mod:`~summarizer.grounding.words`) all report through these two, so a
failure always has one shape: the field, why, and the model's words that failed.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..schema import FieldCheck

__all__ = ["failed", "passed"]


def failed(field: str, detail: str, words: Iterable[str] = ()) -> FieldCheck:
    """A failed check of ``field``: why, and the model's words that failed (each once, in order)."""
    return FieldCheck(field=field, ok=False, detail=detail, words=list(dict.fromkeys(words)))


def passed(field: str, detail: str | None = None) -> FieldCheck:
    """A passed check of ``field``; ``detail`` says how, where that is worth reporting."""
    return FieldCheck(field=field, ok=True, detail=detail)
