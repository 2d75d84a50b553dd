"""The ledger: grounded figures of many articles, one row per measure, with disagreements and the lowest value.

What goes in, and which figures are entered: :mod:`.entries`. Memory is bounded by the
rows: what a row sums up is kept (its count, wordings and lowest entry), and past
:data:`SPILL_AT` entries the entries themselves go to a temporary SQLite file
(:mod:`.store`), from which each row's come back in date order; disagreements
(:mod:`.conflicts`) are found in one such pass per row. Rows are keyed by
:func:`~summarizer.across.measures.measure_key`.

**Conservative value.** As ACLED codes fatalities: the lowest number any source gives
for the measure (a range by its low end, "at least" and "more than" by their number),
with the entry it comes from.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from .conflicts import conflicts, source_key
from .entries import LedgerEntry, entries
from .measures import MeasureKey, measure_key
from .store import EntryStore, entry_order

__all__ = [
    "SPILL_AT",
    "Conservative",
    "Ledger",
    "LedgerRow",
    "TextSink",
    "ledger",
]

class TextSink(Protocol):
    """Where a ledger is written: a text file, ``sys.stdout``, a ``StringIO``, anything with ``write(str)``."""

    def write(self, text: str, /) -> object: ...


@dataclass(frozen=True, slots=True)
class Conservative:
    """The lowest number any source gives for a measure, and the entry it comes from."""

    value: float
    entry: LedgerEntry

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "entry": self.entry.to_dict()}


SPILL_AT = 20_000
"""Entries a ledger keeps in memory; past this many they go to a temporary file (memory stays bounded by rows)."""


_WORDINGS_KEPT = 64


class _Row:
    """What a row sums up while entries are added: its count, wordings and lowest entry (never its entries)."""

    def __init__(self, key: MeasureKey) -> None:
        self.key = key
        self.count = 0
        self.wording: dict[str, int] = {}
        self.lowest: tuple[float, tuple[int, str, int], LedgerEntry] | None = None

    def add(self, e: LedgerEntry) -> None:
        self.count += 1
        if e.measure in self.wording or len(self.wording) < _WORDINGS_KEPT:
            self.wording[e.measure] = self.wording.get(e.measure, 0) + 1
        number = e.number
        if math.isfinite(number) and (self.lowest is None or (number, entry_order(e)) < self.lowest[:2]):
            self.lowest = (number, entry_order(e), e)


@dataclass(slots=True)
class LedgerRow:
    """One measure across articles: its entries in date order, whether sources disagree, the lowest value.

    ``entries`` reads them all (from a temporary file, for a ledger past :data:`SPILL_AT`
    entries); :meth:`iter_entries` gives them one at a time.
    """

    key: MeasureKey
    measure: str
    unit: str
    count: int
    disagree: bool
    conflicts: list[tuple[LedgerEntry, LedgerEntry]]
    conservative: Conservative | None
    _store: EntryStore
    _index: int

    def iter_entries(self) -> Iterator[LedgerEntry]:
        return self._store.of(self._index)

    @property
    def entries(self) -> list[LedgerEntry]:
        return list(self.iter_entries())

    def header(self) -> dict[str, Any]:
        """The row without its entries (what the JSON form writes around them)."""
        return {
            "measure": self.measure,
            "unit": self.unit,
            "count": self.count,
            "disagree": self.disagree,
            "conflicts": [[a.to_dict(), b.to_dict()] for a, b in self.conflicts],
            "conservative": self.conservative.to_dict() if self.conservative is not None else None,
        }

    def to_dict(self) -> dict[str, Any]:
        return {**self.header(), "entries": [e.to_dict() for e in self.iter_entries()]}


@dataclass(slots=True)
class Ledger:
    """Rows of measures, most entries first; see :func:`ledger`. Rendered by :mod:`summarizer.across.render`."""

    rows: list[LedgerRow]
    articles: int = 0
    skipped: int = 0  # records that were failures or not summaries
    figures: int = 0  # grounded figures entered
    _store: EntryStore | None = None

    def to_list(self) -> list[dict[str, Any]]:
        """The JSON form: a list of rows, each ``{"measure", "unit", "entries", "disagree", "conservative", ...}``."""
        return [row.to_dict() for row in self.rows]

    def to_json(self) -> str:
        return self._text("json")

    def to_csv(self) -> str:
        return self._text("csv")

    def to_markdown(self) -> str:
        return self._text("md")

    def to_html(self, reports: str = "{stem}.html") -> str:
        """One page: a table per measure, each entry linked to ``reports`` (``{id}``, ``{stem}``) at its quote."""
        return self._text("html", reports)

    def write(self, out: TextSink, fmt: str, reports: str = "{stem}.html") -> None:
        """Write the ledger as ``fmt`` ("json", "csv", "md", "html") to ``out``, one row's entries at a time."""
        from .render import write

        write(self, out, fmt, reports)

    def _text(self, fmt: str, reports: str = "{stem}.html") -> str:
        buffer = io.StringIO()
        self.write(buffer, fmt, reports)
        return buffer.getvalue()

    def to_pandas(self) -> Any:
        """A ``pandas.DataFrame`` with one line per entry (pandas is not a dependency: install it to use this)."""
        try:
            import pandas as pd  # type: ignore[import-untyped,unused-ignore]
        except ImportError as exc:
            raise ImportError("Ledger.to_pandas() needs pandas: pip install pandas") from exc
        from .render import csv_rows

        header, *lines = csv_rows(self)
        return pd.DataFrame(lines, columns=header)

    def close(self) -> None:
        """Remove the temporary file of a large ledger (also done when the ledger is collected)."""
        if self._store is not None:
            self._store.close()

    def __enter__(self) -> Ledger:  # noqa: PYI034
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def ledger(items: Iterable[Any] | str | os.PathLike[str]) -> Ledger:
    """Line up the grounded figures of many articles: one :class:`LedgerRow` per measure.

    ``items``: summaries, ``(id, summary)`` pairs, :class:`~summarizer.BatchResult`
    records, records files (paths), or one path. A failed record, or a line that is not
    a record, is counted in ``Ledger.skipped``. A figure an article gives twice (the same
    measure, numbers, qualifier and source: a headline repeating the body) is one entry. Past :data:`SPILL_AT` entries they are
    kept in a temporary file until the ledger is closed (``with ledger(...) as book:``).
    """
    if isinstance(items, (str, os.PathLike)):
        items = [items]
    keys: dict[MeasureKey, _Row] = {}
    index: dict[MeasureKey, int] = {}
    store = EntryStore(SPILL_AT)
    counts = [0, 0]
    figures = 0
    article: str | None = None
    seen: set[tuple[object, ...]] = set()  # one article's figures: the same report given twice is one entry
    try:
        for entry in entries(items, counts):
            key = measure_key(entry.measure, entry.unit)
            if entry.article != article:
                article, seen = entry.article, set()
            same = (key, entry.value, entry.low, entry.high, entry.qualifier, source_key(entry))
            if same in seen:
                continue
            seen.add(same)
            row = keys.get(key)
            if row is None:
                row = keys[key] = _Row(key)
                index[key] = len(index)
            row.add(entry)
            store.add(index[key], entry)
            figures += 1
        store.finish()
    except BaseException:
        store.close()
        raise
    rows = []
    for key, row in keys.items():
        pairs = conflicts(store.of(index[key]))
        wording = max(row.wording, key=lambda m: (row.wording[m], -len(m))) if row.wording else ""
        lowest = Conservative(row.lowest[0], row.lowest[2]) if row.lowest is not None else None
        rows.append(LedgerRow(key, wording, key.unit, row.count, bool(pairs), pairs, lowest, store, index[key]))
    rows.sort(key=lambda r: (-r.count, r.measure))
    return Ledger(rows, articles=counts[0], skipped=counts[1], figures=figures, _store=store)
