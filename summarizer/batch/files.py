"""Batch files: many articles' requests written for a Batch API, and the answers read back as records.

One format serves OpenAI's Batch API and vLLM's ``run_batch``: a JSON Lines file whose
every line is ``{"custom_id", "method": "POST", "url": "/v1/chat/completions",
"body"}``, the body exactly what a live call sends first (:meth:`Summarizer.request`:
model, messages, the structured-output request, the sampling settings). A long
article is one line per chunk. The answers come back as lines ``{"custom_id",
"response": {"status_code", "body"}, "error"}``.

:func:`batch_prepare` writes ``requests.jsonl`` and, beside it, ``requests.articles.jsonl``:
a header with the settings the requests were built with, then one line per article
with its id, text, hash and the custom ids of its parts. The answers do not repeat
the article, and grounding needs it: keep the two files together.

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
import re
import time
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO

from pydantic import BaseModel

from .. import errors
from .._version import __version__
from ..budget import Budget, request_bound
from ..chunking import Chunk, merge_results
from ..config import Settings, safe_url
from ..core import Summarizer
from ..errors import BatchFileError
from ..files import AtomicFile, OutputKind, check_ours
from ..grounding.dating import date_result
from ..inputs import Extract, Page
from ..results import attach, provenance_of
from ..schema import ArticleSummary, PageInfo, schema_version_of
from .lines import (
    SETTING_KINDS,
    ResultLine,
    Skipped,
    article_fields,
    header_fields,
    line_limit,
    loads,
    outside,
    read_bounded,
    regular_file,
    result_line,
    skipped_summary,
    unreadable_line,
)
from .output import JsonlOutput, read_output
from .records import BatchError, BatchResult, ItemId, json_text
from .runner import Input, item_id, load_input, published_of, summarize_many

__all__ = [
    "ARTICLES_SUFFIX",
    "BATCH_URL",
    "BatchArticle",
    "Prepared",
    "articles_path",
    "batch_ingest",
    "batch_inputs",
    "batch_prepare",
    "iter_ingest",
    "read_articles",
]

BATCH_URL = "/v1/chat/completions"
ARTICLES_SUFFIX = ".articles.jsonl"
_FORMAT = "summarizer-batch/1"
_KEPT = tuple(SETTING_KINDS)
"""The settings a requests file is built with, recorded so its answers are read with the same ones (never the key)."""
_SAFE_ID = re.compile(r"[A-Za-z0-9_.\-]{1,40}")
_NO_KEY = "batch-file-no-key-needed"  # reading answers sends nothing; a placeholder where no key is configured


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
        "format": _FORMAT,
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


# -- read back ------------------------------------------------------------------------------------


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
    if first is None or not isinstance(first[1], dict) or first[1].get("format") != _FORMAT:
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
    for k, (custom_id, start, end) in enumerate(article.parts):
        line = answers.get(custom_id)
        if line is None or line.body is None:
            result.error = line.error if line is not None and line.error is not None else _missing(custom_id, why_missing)
            return result
        try:
            parts.append(summ.parse(article.text[start:end], line.body, response_model=model_cls, opening=k == 0))
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
