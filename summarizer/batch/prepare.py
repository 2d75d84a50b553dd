"""Batch files written: one Batch API request per article (one per chunk of a long one), and its articles file.

The body of every request is exactly what a live call sends first (:meth:`Summarizer.request`:
model, messages, the structured-output request, the sampling settings); the articles
file beside it (:mod:`.files`) records the settings the requests were built with, so
their answers are read with the same ones (never the key).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .. import errors
from .._version import __version__
from ..budget import Budget, request_bound
from ..config import Settings, safe_url
from ..core import Summarizer
from ..errors import BatchError, BatchFileError
from ..files import AtomicFile, OutputKind, check_ours
from ..inputs import Extract
from ..schema import ArticleSummary, schema_version_of
from .files import BATCH_URL, FORMAT, BatchArticle, articles_path
from .items import Input, item_id, load_input, published_of
from .lines import SETTING_KINDS
from .output import read_output
from .records import ItemId, json_text

__all__ = ["Prepared", "batch_prepare"]

_KEPT = tuple(SETTING_KINDS)
"""The settings a requests file is built with, recorded so its answers are read with the same ones (never the key)."""
_SAFE_ID = re.compile(r"[A-Za-z0-9_.\-]{1,40}")


@dataclass(frozen=True)
class Prepared:
    """What :func:`batch_prepare` wrote: the two files, how many requests and articles, and which were left out."""

    requests: Path
    articles: Path
    lines: int
    article_count: int
    skipped: tuple[ItemId, ...] = ()  # already summarized (only_failed), or repeated
    unprepared: tuple[ItemId, ...] = ()  # could not be read or sent: recorded as errors, no request


# -- writing without overwriting ----------------------------------------------------------------


_BATCH_FILE = OutputKind("a batch file")
"""Requests and articles files: only a new name is ours, they are never written over."""


class _NewFile(AtomicFile):
    """A batch file that must not exist yet, put in place only when complete (see :class:`~summarizer.files.AtomicFile`)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, new=True)

    def line(self, value: Any) -> None:
        self.write(json_text(value) + "\n")


def _refuse_existing(*paths: Path) -> None:
    for path in paths:
        check_ours(path, _BATCH_FILE)


# -- prepare --------------------------------------------------------------------------------------


def _custom_id(article_id: ItemId, digest: str, part: int) -> str:
    """Unique per (id, text, part): the id itself when short and plain, else a hash of it."""
    name = str(article_id)
    if _SAFE_ID.fullmatch(name):
        slug = name
    else:
        slug = "id" + hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{slug}-{digest[:12]}-{part}"


def _succeeded(records: str | os.PathLike[str]) -> set[tuple[ItemId, str]]:
    """(id, input hash) of every article with a successful record: what ``only_failed`` leaves out."""
    try:
        lines = read_output(records)
    except OSError as exc:
        raise BatchFileError(f"{records}: cannot be read ({exc.strerror or exc})") from None
    return {(r["id"], r["input_sha256"]) for r in lines if r.get("ok") and isinstance(r.get("input_sha256"), str)
            and isinstance(r["id"], (str, int))}


def _header(summarizer: Summarizer, model_cls: type[BaseModel], requests: Path) -> dict[str, Any]:
    s = summarizer.settings
    settings = {name: getattr(s, name) for name in _KEPT}
    if settings["base_url"]:  # never a password or token in a file: the address alone (pass it again if it needs them)
        settings["base_url"] = safe_url(settings["base_url"])
    return {
        "format": FORMAT,
        "requests": requests.name,
        "url": BATCH_URL,
        "settings": settings,
        "response_model": f"{model_cls.__module__}.{model_cls.__qualname__}",
        "schema_version": schema_version_of(model_cls),
        "library_version": __version__,
        "created_at": datetime.now(timezone.utc).isoformat(),
    }


def batch_prepare(
    inputs: Iterable[Input],
    out: str | os.PathLike[str],
    *,
    response_model: type[BaseModel] | None = None,
    summarizer: Summarizer | None = None,
    only_failed: str | os.PathLike[str] | None = None,
    extract: Extract = "visible",
    max_requests: int | None = None,
    max_total_tokens: int | None = None,
    **options: Any,
) -> Prepared:
    """Write one Batch API request per article (one per chunk of a long one) to ``out``, and its articles file.

    ``inputs`` are what :func:`~summarizer.summarize_many` takes. ``options`` are
    :class:`~summarizer.Settings` fields (``model=``, ``base_url=``, ``evidence=``...),
    or pass ``summarizer=``; the embedded model cannot be batched. ``only_failed``: a
    records file (from :func:`batch_ingest` or ``summarize_many``); articles it holds
    a success for are left out, so only what failed or was never answered is sent
    again. Neither file may exist: nothing is written over. ``max_requests`` and
    ``max_total_tokens`` bound what the file will spend (each request counted at the
    upper bound of :func:`~summarizer.budget.request_bound`): an article whose requests
    do not fit gets none, and is recorded as a retryable
    :class:`~summarizer.BudgetExhaustedError` that ``only_failed`` prepares again later.
    """
    requests = Path(out)
    articles = articles_path(requests)
    budget = Budget(max_requests, max_total_tokens)
    _refuse_existing(requests, articles)
    own = summarizer is None
    summ = summarizer or Summarizer(Settings.of(**options))
    summ.check_batchable()
    model_cls = response_model or ArticleSummary
    done = _succeeded(only_failed) if only_failed is not None else set()
    lines = article_count = 0
    skipped: list[ItemId] = []
    unprepared: list[ItemId] = []
    seen: set[tuple[ItemId, str]] = set()
    custom_ids: set[str] = set()
    request_file, article_file = _NewFile(requests), None
    try:
        article_file = _NewFile(articles)
        article_file.line(_header(summ, model_cls, requests))
        for index, item in enumerate(inputs):
            name = item_id(index, item)
            try:
                published = published_of(item)
                page = load_input(item, extract)
                text = page.text
                digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
            except Exception as exc:  # noqa: BLE001 - an unreadable input is its own error, not the batch's
                article_file.line(BatchArticle(name, None, "", (), error=BatchError.from_exception(exc)).to_line())
                unprepared.append(name)
                article_count += 1
                continue
            if (name, digest) in done or (name, digest) in seen:
                skipped.append(name)
                continue
            seen.add((name, digest))
            try:
                parts = summ.plan(text, response_model=response_model)
                bodies = [summ.request(c.text, response_model=response_model, opening=c.index == 0) for c in parts]
            except errors.InputError as exc:  # empty, too long: recorded, never sent
                article = BatchArticle(name, digest, text, (), page.info, BatchError.from_exception(exc), published)
                article_file.line(article.to_line())
                unprepared.append(name)
                article_count += 1
                continue
            if not budget.charge(len(bodies), sum(request_bound(body) for body in bodies)):
                spent = errors.BudgetExhaustedError(budget.spent_message())
                spent_article = BatchArticle(name, digest, text, (), page.info, BatchError.from_exception(spent), published)
                article_file.line(spent_article.to_line())
                unprepared.append(name)
                article_count += 1
                continue
            ids = []
            for chunk, body in zip(parts, bodies, strict=True):
                custom_id = _custom_id(name, digest, chunk.index)
                if custom_id in custom_ids:
                    raise BatchFileError(f"two inputs make the custom_id {custom_id!r}: give them distinct ids")
                custom_ids.add(custom_id)
                request_file.line({"custom_id": custom_id, "method": "POST", "url": BATCH_URL, "body": body})
                ids.append((custom_id, chunk.start, chunk.end))
                lines += 1
            article_file.line(BatchArticle(name, digest, text, tuple(ids), page.info, published=published).to_line())
            article_count += 1
        request_file.finish()
        article_file.finish()
    except BaseException:
        request_file.abandon()
        if article_file is not None:
            article_file.abandon()
        raise
    finally:
        if own:
            summ.close()
    return Prepared(requests, articles, lines, article_count, tuple(skipped), tuple(unprepared))
