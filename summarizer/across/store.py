"""Where a ledger keeps its entries: in memory up to a limit, past it in a temporary SQLite file.

So a ledger of many records holds in memory what each row sums up, not every entry; the
entries come back one row at a time, in date order (:func:`entry_order`).
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from datetime import date

from ..schema import When
from .entries import LedgerEntry

__all__ = ["EntryStore", "entry_order"]


def entry_order(e: LedgerEntry) -> tuple[int, str, int]:
    """Entries in date order (undated last), then by article and place in it."""
    day = e.day
    return (day.toordinal() if day is not None else _UNDATED, str(e.article), e.item)


_UNDATED = date.max.toordinal() + 1


class EntryStore:
    """The entries of every row: in memory up to ``spill_at`` of them, then in a temporary SQLite file.

    So a ledger of many records holds in memory what each row sums up (see
    :mod:`.build`), not every entry; the entries come back one row at a time, in date order.
    """

    def __init__(self, spill_at: int) -> None:
        self._spill_at = spill_at
        self._kept: dict[int, list[LedgerEntry]] = {}
        self._count = 0
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._db: sqlite3.Connection | None = None

    def add(self, row: int, entry: LedgerEntry) -> None:
        self._count += 1
        if self._db is None and self._count > self._spill_at:
            self._spill()
        if self._db is not None:
            self._db.execute("INSERT INTO e VALUES (?, ?, ?, ?, ?)", (row, *entry_order(entry), _pack(entry)))
        else:
            self._kept.setdefault(row, []).append(entry)

    def _spill(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="summarizer-ledger-")
        self._db = sqlite3.connect(os.path.join(self._folder.name, "entries.sqlite"))
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute("CREATE TABLE e (row INTEGER, day INTEGER, article TEXT, item INTEGER, data TEXT)")
        for row, entries in self._kept.items():
            self._db.executemany("INSERT INTO e VALUES (?, ?, ?, ?, ?)",
                                 [(row, *entry_order(e), _pack(e)) for e in entries])
        self._kept = {}

    def finish(self) -> None:
        if self._db is not None:
            self._db.execute("CREATE INDEX e_order ON e (row, day, article, item)")
            self._db.commit()
        for entries in self._kept.values():
            entries.sort(key=entry_order)

    def of(self, row: int) -> Iterator[LedgerEntry]:
        if self._db is None:
            yield from self._kept.get(row, [])
            return
        cursor = self._db.execute("SELECT data FROM e WHERE row = ? ORDER BY day, article, item", (row,))
        for (data,) in cursor:
            yield _unpack(data)

    @property
    def spilled(self) -> bool:
        return self._db is not None

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None


def _pack(e: LedgerEntry) -> str:
    return json.dumps([e.article, e.source, e.when.model_dump(mode="json") if e.when else None, e.value, e.low, e.high,
                       e.qualifier, e.text, e.quote, e.span, e.measure, e.unit, e.item], ensure_ascii=False)


def _unpack(data: str) -> LedgerEntry:
    a, source, when, value, low, high, q, text, quote, span, measure, unit, item = json.loads(data)
    return LedgerEntry(a, source, When.model_validate(when) if when else None, value, low, high, q, text, quote,
                       tuple(span) if span else None, measure, unit, item)
