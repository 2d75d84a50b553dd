"""The ledger: grounded figures of many articles, one row per measure, with disagreements and the lowest value.

What goes in: summaries (``ArticleSummary``, or ``(id, summary)`` pairs), batch records
(:class:`~summarizer.BatchResult`), or records files (JSON Lines, as ``summarize_many``,
``batch ingest`` and ``summarize --format jsonl`` write them). A file is read one line at
a time and each record is dropped once its figures are taken. Memory is bounded by the
rows: what a row sums up is kept (its count, wordings and lowest entry), and past
:data:`SPILL_AT` entries the entries themselves go to a temporary SQLite file, from which
each row's come back in date order; disagreements are found in one such pass per row.

Only a figure that passed every check is entered (a span, no grounding error, every
check passed): the ledger is built from what the articles say. Rows are keyed by
:func:`~summarizer.across.measures.measure_key`.

**Disagreement.** Each entry's value becomes the interval its qualifier allows:
"exact" within 2% (a reported count is rounded), "approximately" within 10%, "at least"
and "more than" up from the number, "as many as" and "less than" up to it, a range its
two ends. Two entries disagree when they come from different sources (``reported_by``,
else the article's own voice, which is its outlet's), both are dated, their dates are at
most :data:`DISAGREE_DAYS` apart, and their intervals do not meet: "well over 100,000"
against "80,000" disagrees, "as many as 40,000" against 30,000 does not.

**Conservative value.** As ACLED codes fatalities: the lowest number any source gives
for the measure (a range by its low end, "at least" and "more than" by their number),
with the entry it comes from.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from ..batch.records import BatchResult
from ..errors import InputError
from ..files import check_readable
from ..results import provenance_of
from ..schema import Figure, When
from .measures import MeasureKey, measure_key

__all__ = [
    "CONFLICTS_KEPT",
    "DISAGREE_DAYS",
    "SPILL_AT",
    "Conservative",
    "Ledger",
    "LedgerEntry",
    "LedgerRow",
    "TextSink",
    "interval",
    "ledger",
]

class TextSink(Protocol):
    """Where a ledger is written: a text file, ``sys.stdout``, a ``StringIO``, anything with ``write(str)``."""

    def write(self, text: str, /) -> object: ...


DISAGREE_DAYS = 3
"""Entries dated further apart than this may differ without disagreeing: the count moved on."""
_EXACT_TOLERANCE = 0.02
_APPROXIMATE_TOLERANCE = 0.10


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One grounded figure of one article, as a ledger lists it."""

    article: str
    source: str | None
    when: When | None
    value: float | None
    low: float | None
    high: float | None
    qualifier: str
    text: str
    quote: str
    span: tuple[int, int] | None
    measure: str
    unit: str | None
    item: int  # its index in the article's figures: the report's anchor "figure-<item>"

    @property
    def number(self) -> float:
        """What the conservative value counts: the value, or a range's low end."""
        if self.value is not None:
            return self.value
        return self.low if self.low is not None else math.inf

    @property
    def day(self) -> date | None:
        return self.when.first if self.when is not None else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "article": self.article,
            "source": self.source,
            "when": self.when.model_dump(mode="json") if self.when is not None else None,
            "value": self.value,
            "low": self.low,
            "high": self.high,
            "qualifier": self.qualifier,
            "text": self.text,
            "quote": self.quote,
            "span": {"start": self.span[0], "end": self.span[1]} if self.span is not None else None,
            "measure": self.measure,
            "unit": self.unit,
        }


def interval(entry: LedgerEntry) -> tuple[float, float]:
    """The values an entry's words allow (see the module's docstring); open ends are infinite."""
    q = entry.qualifier
    if q == "range" or entry.value is None:
        low = entry.low if entry.low is not None else -math.inf
        high = entry.high if entry.high is not None else math.inf
        return low, high
    v = entry.value
    if q in ("at_least", "more_than"):
        return v, math.inf
    if q in ("at_most", "less_than"):
        return -math.inf, v
    spread = _APPROXIMATE_TOLERANCE if q == "approximately" else _EXACT_TOLERANCE
    return v - abs(v) * spread, v + abs(v) * spread


def _meet(a: LedgerEntry, b: LedgerEntry) -> bool:
    (lo1, hi1), (lo2, hi2) = interval(a), interval(b)
    return lo1 <= hi2 and lo2 <= hi1


def _days_apart(a: When, b: When) -> int | None:
    a1, a2, b1, b2 = a.first, a.last, b.first, b.last
    if a1 is None or a2 is None or b1 is None or b2 is None:
        return None
    if a2 < b1:
        return (b1 - a2).days
    if b2 < a1:
        return (a1 - b2).days
    return 0


def _source_key(entry: LedgerEntry) -> str:
    if entry.source:
        words = re.findall(r"[^\W_]+", entry.source.casefold())
        return words[-1] if words else entry.source.casefold()
    return f"article:{entry.article}"


def disagree(a: LedgerEntry, b: LedgerEntry) -> bool:
    """Two entries of one measure that cannot both hold: other sources, dated within three days, apart in value."""
    if _source_key(a) == _source_key(b) or a.when is None or b.when is None:
        return False
    apart = _days_apart(a.when, b.when)
    return apart is not None and apart <= DISAGREE_DAYS and not _meet(a, b)


@dataclass(frozen=True, slots=True)
class Conservative:
    """The lowest number any source gives for a measure, and the entry it comes from."""

    value: float
    entry: LedgerEntry

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "entry": self.entry.to_dict()}


def _order(e: LedgerEntry) -> tuple[int, str, int]:
    """Entries in date order (undated last), then by article and place in it."""
    day = e.day
    return (day.toordinal() if day is not None else _UNDATED, str(e.article), e.item)


_UNDATED = date.max.toordinal() + 1


class _Store:
    """The entries of every row: in memory up to :data:`SPILL_AT`, then in a temporary SQLite file.

    So a ledger of many records holds in memory what each row sums up (see ``_Row``), not
    every entry; the entries come back one row at a time, in date order.
    """

    def __init__(self) -> None:
        self._kept: dict[int, list[LedgerEntry]] = {}
        self._count = 0
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._db: sqlite3.Connection | None = None

    def add(self, row: int, entry: LedgerEntry) -> None:
        self._count += 1
        if self._db is None and self._count > SPILL_AT:
            self._spill()
        if self._db is not None:
            self._db.execute("INSERT INTO e VALUES (?, ?, ?, ?, ?)", (row, *_order(entry), _pack(entry)))
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
                                 [(row, *_order(e), _pack(e)) for e in entries])
        self._kept = {}

    def finish(self) -> None:
        if self._db is not None:
            self._db.execute("CREATE INDEX e_order ON e (row, day, article, item)")
            self._db.commit()
        for entries in self._kept.values():
            entries.sort(key=_order)

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


SPILL_AT = 20_000
"""Entries a ledger keeps in memory; past this many they go to a temporary file (memory stays bounded by rows)."""


def _pack(e: LedgerEntry) -> str:
    return json.dumps([e.article, e.source, e.when.model_dump(mode="json") if e.when else None, e.value, e.low, e.high,
                       e.qualifier, e.text, e.quote, e.span, e.measure, e.unit, e.item], ensure_ascii=False)


def _unpack(data: str) -> LedgerEntry:
    a, source, when, value, low, high, q, text, quote, span, measure, unit, item = json.loads(data)
    return LedgerEntry(a, source, When.model_validate(when) if when else None, value, low, high, q, text, quote,
                       tuple(span) if span else None, measure, unit, item)


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
        if math.isfinite(number) and (self.lowest is None or (number, _order(e)) < self.lowest[:2]):
            self.lowest = (number, _order(e), e)


CONFLICTS_KEPT = 100
"""Disagreeing pairs listed per row (``disagree`` is decided whatever their number)."""


def _conflicts(entries: Iterable[LedgerEntry]) -> list[tuple[LedgerEntry, LedgerEntry]]:
    """Pairs of entries that disagree, in date order, one per distinct clash, from one pass over a row in date order.

    Entries alike in source, dates and values are one reading, compared once (by the
    first of them), and only with the readings of the :data:`DISAGREE_DAYS` before it: the
    window is all that is held, so memory follows how many sources report in a few days,
    not how many records there are.
    """
    window: dict[tuple[object, ...], LedgerEntry] = {}
    pairs: list[tuple[LedgerEntry, LedgerEntry]] = []
    for e in entries:
        when = e.when
        if when is None or when.first is None or when.last is None:
            continue  # undated: never compared (they come last)
        reading = (_source_key(e), when.first, when.last, *interval(e))
        if reading in window:
            continue
        for key, old in list(window.items()):
            ended = old.when.last if old.when is not None else None
            if ended is None or (when.first - ended).days > DISAGREE_DAYS:
                del window[key]
            elif len(pairs) < CONFLICTS_KEPT and disagree(old, e):
                pairs.append((old, e))
        window[reading] = e
    return pairs


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
    _store: _Store
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
    _store: _Store | None = None

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


# -- reading what is given -----------------------------------------------------------------


def _entries_of_model(article: str, summary: BaseModel) -> Iterator[LedgerEntry]:
    for i, fig in enumerate(getattr(summary, "figures", None) or []):
        if not isinstance(fig, Figure) or not fig.grounded or fig.span is None:
            continue
        yield LedgerEntry(
            article, fig.reported_by, fig.when, fig.value, fig.low, fig.high, fig.qualifier.value, fig.text,
            fig.quote, (fig.span.start, fig.span.end), fig.measure, fig.unit, i,
        )


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _entries_of_record(article: str, summary: Mapping[str, Any]) -> Iterator[LedgerEntry]:
    """Figures of one record's summary (a dict as written), checked as far as the ledger relies on them."""
    figures = summary.get("figures")
    if not isinstance(figures, list):
        return
    for i, fig in enumerate(figures):
        if not isinstance(fig, dict) or fig.get("grounding_error") is not None:
            continue
        span = fig.get("span")
        if not isinstance(span, dict) or not isinstance(span.get("start"), int) or not isinstance(span.get("end"), int):
            continue
        if not all(isinstance(c, dict) and c.get("ok", False) for c in fig.get("checks") or []):
            continue
        when = None
        if isinstance(fig.get("when"), dict):
            try:
                when = When.model_validate(fig["when"])
            except ValidationError:
                when = None
        measure, text = fig.get("measure"), fig.get("text")
        if not isinstance(measure, str) or not isinstance(text, str):
            continue
        unit, source, quote = fig.get("unit"), fig.get("reported_by"), fig.get("quote")
        yield LedgerEntry(
            article,
            source if isinstance(source, str) else None,
            when,
            _number(fig.get("value")),
            _number(fig.get("low")),
            _number(fig.get("high")),
            str(fig.get("qualifier") or "exact"),
            text,
            quote if isinstance(quote, str) else "",
            (span["start"], span["end"]),
            measure,
            unit if isinstance(unit, str) else None,
            i,
        )


def _records(path: str | os.PathLike[str]) -> Iterator[Any]:
    """The JSON values of a JSON Lines file, one at a time; a line that is not JSON is skipped (counted)."""
    try:
        check_readable(path)
        with Path(path).open(encoding="utf-8", errors="replace") as lines:
            for line in lines:
                if line.strip():
                    try:
                        yield json.loads(line)
                    except json.JSONDecodeError:
                        yield None
    except OSError as exc:
        raise InputError(f"{os.fspath(path)}: cannot read the records file ({exc.strerror or exc})") from None


def _entries(items: Iterable[Any], counts: list[int]) -> Iterator[LedgerEntry]:
    """Every grounded figure of ``items``; ``counts`` gets [articles, skipped] as they are read."""
    for index, item in enumerate(items):
        if isinstance(item, (str, os.PathLike)):
            yield from _entries(_records(item), counts)
            continue
        if isinstance(item, BatchResult):
            if item.summary is None:
                counts[1] += 1
                continue
            counts[0] += 1
            yield from _entries_of_model(str(item.id), item.summary)
        elif isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], BaseModel):
            counts[0] += 1
            yield from _entries_of_model(str(item[0]), item[1])
        elif isinstance(item, BaseModel):
            counts[0] += 1
            provenance = provenance_of(item)
            name = provenance.input_sha256[:12] if provenance is not None else str(index)
            yield from _entries_of_model(name, item)
        elif isinstance(item, dict) and isinstance(item.get("summary"), dict) and item.get("ok", True):
            counts[0] += 1
            yield from _entries_of_record(str(item.get("id", index)), item["summary"])
        else:
            counts[1] += 1


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
    store = _Store()
    counts = [0, 0]
    figures = 0
    article: str | None = None
    seen: set[tuple[object, ...]] = set()  # one article's figures: the same report given twice is one entry
    try:
        for entry in _entries(items, counts):
            key = measure_key(entry.measure, entry.unit)
            if entry.article != article:
                article, seen = entry.article, set()
            same = (key, entry.value, entry.low, entry.high, entry.qualifier, _source_key(entry))
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
        conflicts = _conflicts(store.of(index[key]))
        wording = max(row.wording, key=lambda m: (row.wording[m], -len(m))) if row.wording else ""
        lowest = Conservative(row.lowest[0], row.lowest[2]) if row.lowest is not None else None
        rows.append(LedgerRow(key, wording, key.unit, row.count, bool(conflicts), conflicts, lowest, store, index[key]))
    rows.sort(key=lambda r: (-r.count, r.measure))
    return Ledger(rows, articles=counts[0], skipped=counts[1], figures=figures, _store=store)
