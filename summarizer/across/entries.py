"""One grounded figure of one article as a ledger lists it, and the figures read from what a ledger is given.

What goes in: summaries (``ArticleSummary``, or ``(id, summary)`` pairs), batch records
(:class:`~summarizer.BatchResult`), or records files (JSON Lines, as ``summarize_many``,
``batch ingest`` and ``summarize --format jsonl`` write them). A file is read one line at
a time and each record is dropped once its figures are taken. Only a figure that passed
every check is entered (a span, no grounding error, every check passed): the ledger is
built from what the articles say.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..batch.records import BatchResult
from ..errors import InputError
from ..files import check_readable
from ..results import provenance_of
from ..schema import Figure, When

__all__ = ["LedgerEntry", "entries"]


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


def entries(items: Iterable[Any], counts: list[int]) -> Iterator[LedgerEntry]:
    """Every grounded figure of ``items``; ``counts`` gets [articles, skipped] as they are read."""
    for index, item in enumerate(items):
        if isinstance(item, (str, os.PathLike)):
            yield from entries(_records(item), counts)
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
