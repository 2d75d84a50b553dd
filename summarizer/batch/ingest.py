"""Batch answers read back: every answer parsed as a live one, one record per article.

:func:`batch_ingest` parses every answer through the path a live answer takes
(:meth:`Summarizer.parse`: the schema, grounding, the field checks and the policy) and
writes the records :func:`~summarizer.summarize_many` writes, one per article, parts
merged and their usage summed, ``provenance.batch`` naming where the answers came
from. A batch cannot re-ask: under ``grounding="reask"`` an unsupported item is
dropped, as it is once a live call's re-asks are spent; an answer that fails the
schema, an error line and a request with no answer are that article's error. With
``retry_live=True`` the articles whose error may pass on another try are then
summarized live (at the live price), into the same records file.

Nothing read back is trusted (``batch/lines.py``): a results line that cannot be an
answer (a malformed response, impossible token counts, larger than ``max_tokens``
allows) is that article's error; a line that answers no request of the batch is
skipped and reported (:class:`~summarizer.errors.BatchFileWarning`); an article whose
text no longer has its recorded sha256 is that article's error, never grounded against
the edited text; every message from outside is redacted. ``provenance.model`` is the
model the answer names.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import time
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from pydantic import BaseModel

from .. import errors
from ..chunking import Chunk, merge_results
from ..config import Settings
from ..core import Summarizer
from ..errors import BatchError, BatchFileError
from ..grounding.dating import date_result
from ..results import attach, provenance_of
from ..schema import ArticleSummary, schema_version_of
from .files import BatchArticle, articles_path, read_articles
from .lines import (
    ResultLine,
    Skipped,
    line_limit,
    loads,
    read_bounded,
    regular_file,
    result_line,
    skipped_summary,
    unreadable_line,
)
from .many import summarize_many
from .output import JsonlOutput
from .records import BatchResult

__all__ = ["batch_ingest", "iter_ingest"]

_NO_KEY = "no-key-needed"
"""Where no key is configured: reading answers sends nothing. Shorter than a key, so no answer is searched for it."""


class _Answers:
    """Where each request's answer line is (file and offset), not the lines themselves: a results file
    of 10,000 answers is not held in memory. The first answer wins over error lines and repeats.

    Every line is read through ``batch/lines.py``, at most :func:`line_limit` bytes of it
    (the live bound on an answer, from ``max_tokens``): a line for a request of this
    batch that cannot be an answer is that request's error; a line that answers no
    request of it (unreadable, no custom_id, a foreign one) is skipped and reported in
    one :class:`~summarizer.errors.BatchFileWarning`, so one stray line never makes the
    batch's paid answers unreadable. Results none of whose lines answers a request of
    this batch are refused: they are another batch's.
    """

    def __init__(self, results: Sequence[Path], known: set[str], max_tokens: int, secret: str | None) -> None:
        self.paths = list(results)
        self.known, self.max_tokens, self.secret = known, max_tokens, secret
        self.limit = line_limit(max_tokens)
        self.at: dict[str, tuple[int, int] | ResultLine] = {}  # custom_id -> (file, offset) of its answer, or its error
        self._handles: dict[int, BinaryIO] = {}
        found = [self._index(k, path) for k, path in enumerate(self.paths)]
        lines = sum(n for _, n, _, _ in found)
        if lines and not self.at:  # not one line for a request of this batch: every line was skipped
            path, _, _, skipped = next(f for f in found if f[3])
            raise BatchFileError(
                f"results file {path}: no line answers a request of this batch (line {skipped[0][0]}: {skipped[0][1]}): "
                "the results of another batch?"
            )
        for path, _, count, skipped in found:
            if count:
                warnings.warn(skipped_summary(path, skipped, count), errors.BatchFileWarning, stacklevel=3)

    def _index(self, k: int, path: Path) -> tuple[Path, int, int, list[tuple[int, str]]]:
        """Where the answers of one file are; its line count, and how many (and the first few) were skipped."""
        regular_file(path, "results file")
        try:
            handle = path.open("rb")
        except OSError as exc:
            raise BatchFileError(f"results file {path}: cannot be read ({exc.strerror or exc})") from None
        skipped: list[tuple[int, str]] = []
        lines = count = number = 0
        with handle:
            while True:
                offset = handle.tell()
                raw, cut = read_bounded(handle, self.limit)
                if not raw:
                    break
                number += 1
                if not raw.strip():
                    continue
                lines += 1
                try:
                    found = self._read(raw, cut)
                except BatchFileError as exc:
                    raise BatchFileError(f"results file {path}, line {number} {exc}") from None
                if isinstance(found, Skipped):
                    count += 1
                    if len(skipped) < 3:
                        skipped.append((number, found.reason))
                    continue
                held = self.at.get(found.custom_id)
                if held is None or (isinstance(held, ResultLine) and found.answered):
                    self.at[found.custom_id] = (k, offset) if found.answered else found
        return path, lines, count, skipped

    def _read(self, raw: bytes, cut: bool) -> ResultLine | Skipped:
        if cut:
            return unreadable_line(raw, f"it is larger than {self.limit:,} bytes, more than max_tokens="
                                   f"{self.max_tokens} allows an answer", self.known, self.secret)
        try:
            value = loads(raw)
        except ValueError as exc:
            return unreadable_line(raw, str(exc), self.known, self.secret)
        return result_line(value, self.known, self.max_tokens, self.secret)

    def get(self, custom_id: str) -> ResultLine | None:
        """The answer or the error for a request, or None when no line names it."""
        where = self.at.get(custom_id)
        if where is None or isinstance(where, ResultLine):
            return where
        k, offset = where
        try:
            handle = self._handles.get(k)
            if handle is None:
                handle = self._handles[k] = self.paths[k].open("rb")
            handle.seek(offset)
            found = self._read(*read_bounded(handle, self.limit))
        except (OSError, BatchFileError):
            found = Skipped("")
        if isinstance(found, ResultLine) and found.custom_id == custom_id:
            return found
        return ResultLine(custom_id, error=BatchError(  # the file was changed or replaced while it was read
            "BatchFileError", f"results file {self.paths[k]} changed while it was read: read it again", True))

    def close(self) -> None:
        for handle in self._handles.values():
            handle.close()


def _missing(custom_id: str, why_missing: str) -> BatchError:
    return BatchError("ProviderUnavailableError", f"no answer for request {custom_id}: {why_missing}", True)


def _summarizer_for(header: dict[str, Any], retry_live: bool) -> Summarizer:
    """A Summarizer with the settings the requests were built with; a placeholder key where none is needed.

    Settings the library refuses (a grounding it does not know, a chunk size below its
    minimum) make the articles file unusable: a :class:`BatchFileError`.
    """
    settings = Settings(**header.get("settings", {}))  # checked by lines.header_fields: known names, JSON types
    try:
        return Summarizer(settings)
    except errors.ConfigurationError:
        if retry_live:
            raise
    try:
        return Summarizer(dataclasses.replace(settings, api_key=_NO_KEY))
    except errors.ConfigurationError as exc:
        raise BatchFileError(f"the settings in the articles file cannot be used: {exc}") from None


def _secret(summ: Summarizer) -> str | None:
    """The key messages are redacted with: the configured one (never the placeholder)."""
    key = summ.settings.api_key
    return None if key == _NO_KEY else key


def _text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _merged(article: BatchArticle, parts: list[BaseModel], summ: Summarizer, started: float) -> BaseModel:
    if len(parts) == 1:
        return parts[0]
    chunks = [Chunk(i, s, e, article.text[s:e]) for i, (_, s, e) in enumerate(article.parts)]
    summaries = [p for p in parts if isinstance(p, ArticleSummary)]
    return merge_results(article.text, chunks, summaries, summ.settings.grounding or "reask", started)


def _ingest_one(
    article: BatchArticle, answers: _Answers, summ: Summarizer,
    model_cls: type[BaseModel] | None, source: str, why_missing: str,
) -> BatchResult:
    """One article's record. ``provenance.model`` is the model its answers name (a provider answers
    ``gpt-4.1-mini`` with a dated snapshot), not the one asked for: what ran, as far as the batch says."""
    started = time.perf_counter()
    result = BatchResult(article.id, 0, article.input_sha256, published=article.published)
    if article.error is not None:
        result.error = article.error
        return result
    if article.input_sha256 is not None and (digest := _text_sha256(article.text)) != article.input_sha256:
        result.error = BatchError(
            "BatchFileError",
            f"the text of article {article.id!r} in the articles file is not the text its requests were built from "
            f"(sha256 {digest[:12]}…, recorded {article.input_sha256[:12]}…): its answers would be grounded against "
            "another text, every citation shifted; prepare it again from the original",
            False,
        )
        return result
    parts: list[BaseModel] = []
    models: list[str] = []
    whole = [(s, e) for _, s, e in article.parts] == [(0, len(article.text))]  # parse dates it as the record is
    for k, (custom_id, start, end) in enumerate(article.parts):
        line = answers.get(custom_id)
        if line is None or line.body is None:
            result.error = line.error if line is not None and line.error is not None else _missing(custom_id, why_missing)
            return result
        try:
            parts.append(summ.parse(article.text[start:end], line.body, response_model=model_cls, opening=k == 0,
                                    published=article.published if whole else None))
        except errors.SummarizerError as exc:
            result.error = BatchError.from_exception(exc)
            return result
        models.append(line.model or "")
    summary = _merged(article, parts, summ, started)
    provenance = provenance_of(summary)
    if provenance is not None:
        update: dict[str, Any] = {"batch": source, "input_sha256": article.input_sha256}
        if any(models):
            update["model"] = "+".join(dict.fromkeys(m for m in models if m))
        if article.page is not None:
            update["page"] = article.page
        attach(summary, provenance=provenance.model_copy(update=update))
    if not whole or (article.published is None and article.page is not None and article.page.published):
        # merged parts are dated against the whole text; markup is a date parse did not see
        date_result(summary, article.text, article.published, article.page)
    dated = provenance_of(summary)
    result.published = dated.published if dated is not None else article.published
    result.summary = summary
    result.elapsed = time.perf_counter() - started
    return result


def iter_ingest(
    requests: str | os.PathLike[str],
    results: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    out: str | os.PathLike[str] | None = None,
    *,
    response_model: type[BaseModel] | None = None,
    retry_live: bool = False,
    source: str | None = None,
    why_missing: str = "the results have no line for it",
) -> Iterator[BatchResult]:
    """:func:`batch_ingest` one record at a time, in the articles' order, so memory stays flat
    whatever the batch's size (under ``retry_live`` the retryable failures come last, retried)."""
    header, articles = read_articles(requests)
    paths = [Path(results)] if isinstance(results, (str, os.PathLike)) else [Path(p) for p in results]
    model_cls = response_model or ArticleSummary
    wanted = f"{model_cls.__module__}.{model_cls.__qualname__}"
    if header.get("response_model") != wanted or header.get("schema_version") != schema_version_of(model_cls):
        raise BatchFileError(
            f"these requests were built for {header.get('response_model')} ({header.get('schema_version')}), "
            f"not {wanted} ({schema_version_of(model_cls)}): pass the same response_model"
        )
    if retry_live and out is None:
        raise errors.ConfigurationError("retry_live needs out=: the live summaries are written into the same records")
    summ = _summarizer_for(header, retry_live)
    try:
        answers = _Answers(paths, {custom_id for a in articles for custom_id, _, _ in a.parts},
                           summ.settings.max_tokens or 0, _secret(summ))
    except BaseException:
        summ.close()
        raise
    label = source or ", ".join(p.name for p in paths)
    read = [requests, articles_path(requests), *paths]  # the records never go into a file the ingest reads
    output = JsonlOutput(out, False, inputs=read) if out is not None else None
    held: list[int] = []  # retryable failures, summarized live at the end (retry_live)
    try:
        previous = output.previous(model_cls) if output is not None else {}
        for index, article in enumerate(articles):
            done = previous.pop((article.id, article.input_sha256 or ""), None)
            if done is not None:
                yield dataclasses.replace(done, index=index)
                continue
            record = _ingest_one(article, answers, summ, response_model, label, why_missing)
            record.index = index
            if output is not None:
                output.write(record)
            if retry_live and record.error is not None and record.error.retryable and article.text:
                held.append(index)
                continue
            yield record
        if output is not None:
            output.compact()
    finally:
        answers.close()
        if output is not None:
            output.close()
        summ.close()
    if held and out is not None:
        yield from _retry_live([articles[i] for i in held], held, header, out, response_model)


def batch_ingest(
    requests: str | os.PathLike[str],
    results: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    out: str | os.PathLike[str] | None = None,
    *,
    response_model: type[BaseModel] | None = None,
    retry_live: bool = False,
    source: str | None = None,
    why_missing: str = "the results have no line for it",
) -> list[BatchResult]:
    """One record per article of ``requests`` from the answers in ``results`` (one file or several).

    Each answer is parsed and grounded as a live one (see the module); ``out``, a records
    file as :func:`~summarizer.summarize_many` writes, is appended to and resumed from:
    an article already there with a success is not read again. ``source`` names the
    batch in ``provenance.batch`` (default: the results file's name). ``why_missing``
    is what a request with no answer line is told. ``retry_live``: afterwards, summarize
    live the articles whose error may pass another time (``BatchError.retryable``), into
    ``out`` (which it then requires). Every summary is held in the list returned (about
    120 KB each): for a large batch, :func:`iter_ingest` yields them one at a time.
    """
    found = iter_ingest(requests, results, out, response_model=response_model, retry_live=retry_live,
                        source=source, why_missing=why_missing)
    return sorted(found, key=lambda r: r.index)


def _retry_live(
    articles: list[BatchArticle], indices: list[int], header: dict[str, Any],
    out: str | os.PathLike[str], response_model: type[BaseModel] | None,
) -> list[BatchResult]:
    """The articles summarized live, into ``out`` (which resumes over their failed records)."""
    with Summarizer(Settings(**header.get("settings", {}))) as live:
        fresh = summarize_many([(a.id, a.text) for a in articles], summarizer=live,
                               response_model=response_model, output=out, cache=False)
    return [dataclasses.replace(result, index=i) for i, result in zip(indices, fresh, strict=True)]
