"""What a batch takes: an input (a text, a file, a :class:`~summarizer.Page`, a tuple, a mapping), read as one article.

Every entry point of a batch (``summarize_many`` and its twins, ``batch_prepare``,
the process pool) reads its inputs here, so an input means the same thing to each:
its id (:func:`item_id`), its date (:func:`published_of`) and its article (:func:`load_input`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date
from typing import Any

from ..dates import DateLike
from ..grounding.dating import check_published
from ..inputs import Extract, Page, read_page
from .records import ItemId

__all__ = ["Input", "Source", "item_id", "load_input", "published_of", "source_of"]

Source = str | os.PathLike[str] | Page
Input = (
    Source
    | tuple[Any, Source]
    | tuple[Any, Source, DateLike | None]
    | Mapping[str, Any]
)
"""An article: its text, a file, a :class:`Page`; an ``(id, text)`` or ``(id, text, published)`` tuple; or a
mapping with the keys ``"text"`` and optionally ``"id"`` and ``"published"``."""

_NO_ID = object()


def _fields(item: object) -> tuple[object, object, object] | None:
    """(id, source, published) of a tuple or mapping input, None for a bare source."""
    if isinstance(item, tuple) and len(item) in (2, 3):
        return item[0], item[1], item[2] if len(item) == 3 else None
    if isinstance(item, Mapping):
        if "text" not in item:
            raise TypeError(f'a mapping input needs a "text" key, not only {sorted(map(str, item))}')
        return item.get("id", _NO_ID), item["text"], item.get("published")
    return None


def item_id(index: int, item: object) -> ItemId:
    """The id of an input: the one it gives (str and int kept, others as str), a path's name, else its index."""
    try:
        fields = _fields(item)
    except TypeError:
        fields = None
    if fields is not None and fields[0] is not _NO_ID:
        raw = fields[0]
        return raw if isinstance(raw, (str, int)) and not isinstance(raw, bool) else str(raw)
    if isinstance(item, os.PathLike):
        return str(os.fspath(item))
    return index


def published_of(item: object) -> date | None:
    """The date an input gives its article (a tuple's third part, a mapping's "published"), checked; None if none."""
    fields = _fields(item)
    return check_published(fields[2]) if fields is not None else None


def source_of(item: object) -> object:
    """What an input reads its article from (a text, a path, a Page), without reading it."""
    try:
        fields = _fields(item)
    except TypeError:
        return item
    return fields[1] if fields is not None else item


def load_input(item: object, extract: Extract) -> Page:
    """The article of one input; raises for anything unreadable (which becomes that item's error)."""
    fields = _fields(item)
    source = fields[1] if fields is not None else item
    if isinstance(source, str):
        return Page(source)
    if isinstance(source, Page):
        return source
    if isinstance(source, os.PathLike):
        return read_page(source, extract=extract)  # decoded, HTML reduced to text: the text the spans index
    raise TypeError(
        "an input must be a str, a path, a Page, an (id, text) or (id, text, published) tuple or a mapping with "
        f'"text", not {type(item).__name__}'
    )
