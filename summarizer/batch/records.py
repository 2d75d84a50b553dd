"""What a batch yields and writes: one :class:`BatchResult` per input, a summary or an error.

The error is a :class:`~summarizer.errors.BatchError`, which lives with the errors it records.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel

from ..errors import BatchError
from ..results import provenance_of

__all__ = ["BatchResult", "ItemId", "json_text"]

ItemId = str | int


def json_text(value: Any, indent: int | None = None) -> str:
    """``value`` as JSON that always encodes as UTF-8 (one line without ``indent``, and no newline).

    Text stays readable (``ensure_ascii=False``) unless it holds what UTF-8 cannot: a
    lone surrogate, which is what an undecodable byte of a file name becomes in an id.
    Then it is written with ``\\u`` escapes, which read back as the same string.
    """
    text = json.dumps(value, ensure_ascii=False, indent=indent, default=str)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(value, ensure_ascii=True, indent=indent, default=str)
    return text


@dataclass
class BatchResult:
    """One input's outcome: ``summary`` or ``error``, never both.

    ``cached`` is True when this run made no request for it (a cache hit, a duplicate
    of another input, or a success read back from the output file, which also sets
    ``resumed``). ``elapsed`` is seconds spent on this input in this run. ``published``
    is the article's date its items were dated against (None if unknown).
    """

    id: ItemId
    index: int
    input_sha256: str | None
    summary: BaseModel | None = None
    error: BatchError | None = None
    cached: bool = False
    resumed: bool = False
    elapsed: float = 0.0
    published: date | None = None

    @property
    def ok(self) -> bool:
        return self.summary is not None

    def to_record(self) -> dict[str, Any]:
        """The JSON-ready record this result is saved as, one line of a batch's output file."""
        record: dict[str, Any] = {
            "id": self.id,
            "input_sha256": self.input_sha256,
            "ok": self.ok,
            "cached": self.cached,
            "elapsed": round(self.elapsed, 4),
            "published": self.published.isoformat() if self.published is not None else None,
        }
        if self.summary is not None:
            record["summary"] = self.summary.model_dump(mode="json")
            if "provenance" not in record["summary"] and (p := provenance_of(self.summary)) is not None:
                record["provenance"] = p.model_dump(mode="json")
        elif self.error is not None:
            record["error"] = {k: v for k, v in dataclasses.asdict(self.error).items() if k != "template"}
        return record
