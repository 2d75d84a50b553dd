"""Batch files: the format of a batch's requests file and of the articles file kept beside it.

One format serves OpenAI's Batch API and vLLM's ``run_batch``: a JSON Lines file whose
every line is ``{"custom_id", "method": "POST", "url": "/v1/chat/completions",
"body"}``, the body exactly what a live call sends first. The answers come back as
lines ``{"custom_id", "response": {"status_code", "body"}, "error"}``.

Beside ``requests.jsonl``, ``requests.articles.jsonl`` holds a header with the settings
the requests were built with, then one line per article (:class:`BatchArticle`) with
its id, text, hash and the custom ids of its parts. The answers do not repeat the
article, and grounding needs it: keep the two files together.

:mod:`.prepare` writes both files (``batch_prepare``); :mod:`.ingest` reads the answers
back as records (``batch_ingest``, ``iter_ingest``). Every line read back is checked
(``batch/lines.py``).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import BatchError, BatchFileError
from ..inputs import Page
from ..schema import PageInfo
from .lines import article_fields, header_fields, loads, outside, regular_file
from .records import ItemId

__all__ = [
    "ARTICLES_SUFFIX",
    "BATCH_URL",
    "FORMAT",
    "BatchArticle",
    "articles_path",
    "batch_inputs",
    "read_articles",
]

BATCH_URL = "/v1/chat/completions"
ARTICLES_SUFFIX = ".articles.jsonl"
FORMAT = "summarizer-batch/1"
"""The ``format`` of an articles file's header: a file without it is not one."""


def articles_path(requests: str | os.PathLike[str]) -> Path:
    """The articles file kept beside a requests file: ``requests.jsonl`` -> ``requests.articles.jsonl``."""
    path = Path(requests)
    return path.with_name(path.name.removesuffix(".jsonl") + ARTICLES_SUFFIX)


@dataclass(frozen=True)
class BatchArticle:
    """One article of a requests file: what grounding its answers needs, and the custom ids of its parts."""

    id: ItemId
    input_sha256: str | None
    text: str
    parts: tuple[tuple[str, int, int], ...]  # (custom_id, start, end) of each request, in order
    page: PageInfo | None = None
    error: BatchError | None = None  # it could not be prepared (unreadable, too long): it has no request
    published: date | None = None  # the date its input gave it (the dateline or markup is read again at ingest)

    def to_line(self) -> dict[str, Any]:
        line: dict[str, Any] = {"id": self.id, "input_sha256": self.input_sha256, "text": self.text,
                                "parts": [list(p) for p in self.parts]}
        if self.published is not None:
            line["published"] = self.published.isoformat()
        if self.page is not None:
            line["page"] = self.page.model_dump(mode="json")
        if self.error is not None:
            line["error"] = {k: v for k, v in dataclasses.asdict(self.error).items() if k != "template"}
        return line

    @classmethod
    def from_line(cls, line: Any) -> BatchArticle:
        """An article line as written by :meth:`to_line`, checked (``batch/lines.py``); ``ValueError`` if it is not."""
        fields = article_fields(line)
        page, error = fields.pop("page"), fields.pop("error")
        return cls(**fields, page=PageInfo.model_validate(page) if page else None,
                   error=BatchError(**error) if error else None)


def _jsonl(path: Path, what: str) -> Iterator[tuple[int, Any]]:
    """(line number, value) of each line of a JSON Lines file that is not blank; a line that is not JSON
    (or nested past what is read, see ``batch/lines.py``) is a :class:`BatchFileError` naming it."""
    regular_file(path, what)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise BatchFileError(f"{what} {path}: cannot be read ({exc.strerror or exc})") from None
    with handle:
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            try:
                value = loads(raw)
            except ValueError as exc:
                raise BatchFileError(f"{what} {path}, line {number}: {exc}") from None
            yield number, value


def read_articles(requests: str | os.PathLike[str]) -> tuple[dict[str, Any], list[BatchArticle]]:
    """The header and the articles of a requests file (from its articles file, kept beside it).

    Every line is checked (``batch/lines.py``): one that is not what batch prepare
    writes (an unknown setting, a part outside its text, a custom_id of two articles)
    is a :class:`BatchFileError` naming it, since the file can no longer say which
    answer belongs to which text.
    """
    path = articles_path(requests)
    lines = _jsonl(path, "articles file")
    first = next(lines, None)
    if first is None or not isinstance(first[1], dict) or first[1].get("format") != FORMAT:
        raise BatchFileError(
            f"{path} is not the articles file of a summarizer batch (it is written by batch prepare beside "
            "the requests file, and needed to read the answers)"
        )
    try:
        header = header_fields(first[1])
    except ValueError as exc:
        raise BatchFileError(f"articles file {path}, line {first[0]}: {exc}") from None
    articles: list[BatchArticle] = []
    custom_ids: set[str] = set()
    for number, line in lines:
        try:
            article = BatchArticle.from_line(line)
        except ValueError as exc:  # what lines.py found, or pydantic's on a page
            raise BatchFileError(f"articles file {path}, line {number}: {' '.join(str(exc).split())[:300]}") from None
        for custom_id, _, _ in article.parts:
            if custom_id in custom_ids:
                raise BatchFileError(f"articles file {path}, line {number}: custom_id {outside(custom_id, None, 80)!r} "
                                     "is a request of two articles")
            custom_ids.add(custom_id)
        articles.append(article)
    return header, articles


def batch_inputs(requests: str | os.PathLike[str]) -> list[tuple[ItemId, Page, date | None]]:
    """Every article of an earlier requests file as an input again, with its date: to prepare the failed ones
    once more (``batch_prepare(batch_inputs(old), new, only_failed=records)``) without the original files."""
    _, articles = read_articles(requests)
    return [(a.id, Page(a.text, a.page), a.published) for a in articles if a.input_sha256 is not None]
