"""Many articles at once: concurrent, cached, rate-limited, resumable (the output file is :mod:`.output`).

A fixed pool of ``concurrency`` asyncio workers (no thread per request) takes
articles in input order and sends each through :meth:`Summarizer.asummarize` on the
async openai client. Every input yields exactly one :class:`BatchResult`: a summary
or an error, never an exception that stops the batch.

With ``output=path`` each result is appended to a JSON Lines file the moment it is
done (and flushed; ``fsync=True`` also forces it to disk). Running again with the
same file skips every (id, input hash) already summarized there, returns those
results from the file, and retries the failures. One run per file: the file is held
under an exclusive ``fcntl.flock`` while a run uses it (on POSIX), and a second run
on it fails at once with :class:`OutputLockedError`. The path is checked before any
request (:func:`~summarizer.batch.output.check_output_path`). When a write fails
mid-run (a full disk, an I/O error, the file replaced), nothing more is sent: the
articles in flight finish, every record written before stays intact, and the run ends
with :class:`~summarizer.errors.OutputWriteError`, whose ``results`` hold every
result received, paid answers included.

Rate limits (``rpm``, ``tpm``) are applied once per article, before its first
request; re-asks and transient retries inside one article are not metered again
(transient retries already wait out ``Retry-After``). Token use is estimated before
the call as input characters / 4 + ``max_tokens`` and corrected with the reported
usage afterwards.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import hashlib
import os
import sqlite3
import sys
import time
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, ParamSpec, TypeVar

from pydantic import BaseModel

from .. import errors
from ..budget import Budget, spending
from ..cache import Cache
from ..chunking import estimate_tokens
from ..config import Settings, check_count, check_rate
from ..core import Summarizer
from ..dates import DateLike
from ..errors import CacheWarning, ConfigurationError, OutputWriteError
from ..grounding.dating import check_published, date_result
from ..inputs import Extract, Page, read_page
from ..results import attach, provenance_of
from ..schema import ArticleSummary, PageInfo
from .output import JsonlOutput
from .ratelimit import TokenBucket
from .records import BatchError, BatchResult, ItemId

__all__ = [
    "BatchOptions",
    "Input",
    "asummarize_many",
    "item_id",
    "iter_summaries",
    "load_input",
    "published_of",
    "summarize_many",
]

Source = str | os.PathLike[str] | Page
Input = (
    Source
    | tuple[Any, Source]
    | tuple[Any, Source, DateLike | None]
    | Mapping[str, Any]
)
"""An article: its text, a file, a :class:`Page`; an ``(id, text)`` or ``(id, text, published)`` tuple; or a
mapping with the keys ``"text"`` and optionally ``"id"`` and ``"published"``."""
ProgressCallback = Callable[[int, int, "BatchResult"], object]


@dataclass(frozen=True)
class BatchOptions:
    """How a batch runs (the :class:`~summarizer.Settings` say how each article is summarized).

    ``concurrency``: articles in flight at once. ``output``: a JSON Lines file to append
    each result to and resume from. ``cache``: True (the default location), False, a
    directory, or a :class:`~summarizer.Cache`. ``order``: "input" returns results in
    input order, "completed" as they finished (:func:`iter_summaries` always yields as
    they finish). ``progress``: a callback ``(done, total, result)``, True for a rich
    bar on stderr, or None for a bar only when stderr is a terminal. ``rpm``, ``tpm``:
    requests and tokens per minute. ``fsync``: force each output line to disk.
    ``extract``: how HTML files are reduced to text, "visible" (every block a reader
    sees) or "main" (the main text, with the ``[html]`` extra; see :func:`~summarizer.html_to_page`).
    ``max_requests``, ``max_total_tokens``: the run's budget, re-asks and retries
    included (see :mod:`summarizer.budget`); once spent, nothing more is sent and every
    article not done is recorded as a retryable :class:`~summarizer.BudgetExhaustedError`.
    """

    concurrency: int = 8
    output: str | os.PathLike[str] | None = None
    cache: bool | str | os.PathLike[str] | Cache = True
    order: Literal["input", "completed"] = "input"
    progress: bool | ProgressCallback | None = None
    rpm: float | None = None
    tpm: float | None = None
    fsync: bool = False
    extract: Extract = "visible"
    max_requests: int | None = None
    max_total_tokens: int | None = None

    def __post_init__(self) -> None:
        check_count("concurrency", self.concurrency, 1)
        Budget(self.max_requests, self.max_total_tokens)  # checks them
        check_rate("rpm", self.rpm)
        check_rate("tpm", self.tpm)
        if self.order not in ("input", "completed"):
            raise ConfigurationError(f'order must be "input" or "completed", not {self.order!r}')
        if self.extract not in ("visible", "main"):
            raise ConfigurationError(f'extract must be "visible" or "main", not {self.extract!r}')


_BATCH_FIELDS = frozenset(f.name for f in dataclasses.fields(BatchOptions))


def _split(summarizer: Summarizer | None, options: dict[str, Any]) -> tuple[BatchOptions, Summarizer, bool]:
    """Batch options apart from :class:`~summarizer.Settings` fields, the ``Summarizer`` to use, and whether it is ours.

    Without ``summarizer=`` the batch makes its own from the settings fields (and closes it).
    """
    batch = BatchOptions(**{k: v for k, v in options.items() if k in _BATCH_FIELDS})
    rest = {k: v for k, v in options.items() if k not in _BATCH_FIELDS}
    if summarizer is not None:
        if rest:
            raise TypeError(f"pass options to your Summarizer, not with summarizer=: {sorted(rest)}")
        return batch, summarizer, False
    return batch, Summarizer(Settings.of(**rest)), True


# -- inputs ------------------------------------------------------------------


def _fields(item: object) -> tuple[object, object, object] | None:
    """(id, source, published) of a tuple or mapping input, None for a bare source."""
    if isinstance(item, tuple) and len(item) in (2, 3):
        return item[0], item[1], item[2] if len(item) == 3 else None
    if isinstance(item, Mapping):
        if "text" not in item:
            raise TypeError(f'a mapping input needs a "text" key, not only {sorted(map(str, item))}')
        return item.get("id", _NO_ID), item["text"], item.get("published")
    return None


_NO_ID = object()


def item_id(index: int, item: object) -> ItemId:
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


# -- one run -------------------------------------------------------------------


class _Run:
    def __init__(
        self,
        summarizer: Summarizer,
        model_cls: type[BaseModel],
        cache: Cache | None,
        output: JsonlOutput | None,
        rpm: TokenBucket | None,
        tpm: TokenBucket | None,
        cache_error: str | None = None,
        extract: Extract = "visible",
        budget: Budget | None = None,
    ) -> None:
        self.summarizer = summarizer
        self.model_cls = model_cls
        self.cache = cache
        self.output = output
        self.previous = output.previous(model_cls) if output is not None else {}
        self.rpm = rpm
        self.tpm = tpm
        self.in_flight: dict[str, asyncio.Event] = {}
        self.write_failed: OutputWriteError | None = None
        self.cache_error: str | None = cache_error
        self.extract: Extract = extract
        self.budget = budget

    async def one(self, index: int, item: object) -> BatchResult:
        started = time.perf_counter()
        name = item_id(index, item)
        result = BatchResult(name, index, None)
        try:
            published = result.published = published_of(item)
            page = load_input(item, self.extract)
            text = page.text
            # "surrogatepass": text that cannot be sent still gets a hash; summarizing it says why it cannot
            result.input_sha256 = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
            done = self.previous.get((name, result.input_sha256))
            if done is not None and done.summary is not None:
                # dated again: this run may give the article another date than the run that wrote it
                self._dated(done.summary, text, published, page.info)
                return dataclasses.replace(
                    done, index=index, elapsed=time.perf_counter() - started, published=_published(done.summary)
                )
            summary, result.cached = await self._summarize(text, published)
            result.summary = self._annotated(summary, page.info, result.cached)
            if result.cached or (published is None and page.info is not None and page.info.published):
                # a cache hit is dated as the call that paid for it was; markup is a date the call did not see
                self._dated(result.summary, text, published, page.info)
            result.published = _published(result.summary)
        except Exception as exc:  # noqa: BLE001 - one bad article never stops the batch
            result.error = BatchError.from_exception(exc)
        result.elapsed = time.perf_counter() - started
        self._write(result)
        return result

    def _write(self, result: BatchResult) -> None:
        """Append to the output; after a failed write, only count what is not written (the run is stopping)."""
        if self.output is None:
            return
        if self.write_failed is not None:
            self.write_failed.unwritten.append(result.id)
            return
        try:
            self.output.write(result)
        except OutputWriteError as exc:
            self.write_failed = exc

    def stopped(self, not_started: int) -> OutputWriteError:
        """The error a run that could not write its output ends with: the path, why, and what is not on disk."""
        failed = self.write_failed
        assert failed is not None
        ids = failed.unwritten
        shown = ", ".join(repr(i) for i in ids[:10]) + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")
        return OutputWriteError(
            f"{failed}. The run stopped: {len(ids)} result(s) not written ({shown}), {not_started} input(s) "
            "not started. Every record written before is intact; every result received, paid answers "
            "included, is in this error's results",
            path=failed.path,
            unwritten=ids,
            not_started=not_started,
        )

    async def _summarize(self, text: str, published: date | None) -> tuple[BaseModel, bool]:
        if self.cache is None:
            return await self._call(text, published), False
        key = self.summarizer.cache_key(text, self.model_cls)
        while True:
            hit = await self._cache_get(key)
            if hit is not None:
                return hit, True
            busy = self.in_flight.get(key)
            if busy is None:
                break
            await busy.wait()  # the same article is being summarized: wait for its answer
        self.in_flight[key] = event = asyncio.Event()
        try:
            summary = await self._call(text, published)
            await self._cache_put(key, summary)  # a write that fails never costs the paid answer
            return summary, False
        finally:
            del self.in_flight[key]
            event.set()

    async def _cache_get(self, key: str) -> BaseModel | None:
        cache = self.cache
        if cache is None:
            return None
        try:  # in a thread: SQLite may wait on another writer, and the event loop must not
            return await asyncio.to_thread(cache.get, key, self.model_cls)
        except (sqlite3.Error, OSError) as exc:
            self._without_cache(exc)
            return None

    async def _cache_put(self, key: str, summary: BaseModel) -> None:
        cache = self.cache
        if cache is None:
            return
        try:
            await asyncio.to_thread(cache.put, key, summary)
        except (sqlite3.Error, OSError) as exc:
            self._without_cache(exc)

    def _without_cache(self, exc: BaseException) -> None:
        """Warn once, then go on without the cache for the rest of the batch."""
        if self.cache is not None:
            self.cache = None
            self.cache_error = _warn_cache(exc)

    @staticmethod
    def _dated(summary: BaseModel, text: str, published: DateLike | None, page: PageInfo | None) -> None:
        """Every item dated against this input's date (a cache hit and a resumed record included)."""
        date_result(summary, text, published, page)

    def _annotated(self, summary: BaseModel, page: PageInfo | None, cached: bool) -> BaseModel:
        """Record in provenance, in one copy, what an HTML file's markup declares (a cache hit included)
        and, for an answer just paid for, why a cache that failed did not keep it."""
        provenance = provenance_of(summary)
        if provenance is None:
            return summary
        update: dict[str, Any] = {}
        if page is not None and provenance.page != page:
            update["page"] = page
        if self.cache_error is not None and not cached:
            update["cache_error"] = self.cache_error
        if update:
            attach(summary, provenance=provenance.model_copy(update=update))
        return summary

    async def _call(self, text: str, published: date | None) -> BaseModel:
        if self.budget is not None and self.budget.exhausted():  # nothing sent, not even a rate-limit wait
            raise errors.BudgetExhaustedError(self.budget.spent_message())
        estimate = estimate_tokens(text) + (self.summarizer.settings.max_tokens or 0)
        if self.rpm is not None:
            await self.rpm.acquire(1)
        if self.tpm is not None:
            await self.tpm.acquire(estimate)
        usage = None
        try:
            with spending(self.budget):
                summary = await self.summarizer.asummarize(text, response_model=self.model_cls, published=published)
            provenance = provenance_of(summary)
            usage = provenance.usage if provenance is not None else None
            return summary
        except errors.CallError as exc:
            usage = exc.usage
            raise
        finally:
            if self.tpm is not None and usage is not None and usage.total_tokens:
                self.tpm.adjust(usage.total_tokens - estimate)


def _published(summary: BaseModel) -> date | None:
    provenance = provenance_of(summary)
    return provenance.published if provenance is not None else None


def _warn_cache(exc: BaseException) -> str:
    """Warn that the cache cannot be used; returns the reason, which provenance keeps."""
    reason = f"{type(exc).__name__}: {exc}"
    warnings.warn(
        f"the cache is not usable ({reason}); this batch goes on without it, "
        "so nothing is read from it or saved to it",
        CacheWarning,
        stacklevel=2,
    )
    return reason


def _open_cache(cache: bool | str | os.PathLike[str] | Cache) -> tuple[Cache | None, bool, str | None]:
    """The cache to use, whether this run opened it (and so closes it), and why it cannot be used, if so."""
    if cache is False or cache is None:
        return None, False, None
    if isinstance(cache, Cache):
        return cache, False, None
    try:
        return Cache(None if cache is True else cache), True, None
    except (sqlite3.Error, OSError) as exc:  # a corrupt file, a folder that cannot be made or written
        return None, False, _warn_cache(exc)


class _Progress:
    """The ``progress`` argument: a callback, a rich bar, or nothing."""

    def __init__(self, progress: bool | ProgressCallback | None, total: int) -> None:
        self._callback = progress if callable(progress) else None
        self._bar: Any = None
        show = progress is True or (progress is None and sys.stderr.isatty())
        if show and total:
            # rich costs 50 ms to import: only for a bar that is shown.
            from rich.console import Console
            from rich.progress import Progress

            self._bar = Progress(console=Console(stderr=True), transient=False)
            self._task = self._bar.add_task("summarizing", total=total)
            self._bar.start()

    def __call__(self, done: int, total: int, result: BatchResult) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=done)
        if self._callback is not None:
            self._callback(done, total, result)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


async def iter_summaries(
    inputs: Iterable[Input],
    *,
    response_model: type[BaseModel] | None = None,
    summarizer: Summarizer | None = None,
    **options: Any,
) -> AsyncIterator[BatchResult]:
    """Yield one :class:`BatchResult` per input, as each completes (see :func:`asummarize_many`).

    To stop early, iterate inside ``contextlib.aclosing(iter_summaries(...))``: leaving
    it cancels the requests still in flight at once (an abandoned generator is only
    closed when the event loop shuts down). Results already yielded are in ``output``.
    """
    batch, summ, own = _split(summarizer, options)
    items = list(inputs)
    total = len(items)
    opened_cache, close_cache, cache_error = _open_cache(batch.cache)
    out: JsonlOutput | None = None
    bar: _Progress | None = None
    workers: list[asyncio.Task[None]] = []
    try:
        sources = (item[1] if isinstance(item, tuple) and len(item) == 2 else item for item in items)
        read = [source for source in sources if isinstance(source, os.PathLike)]  # never the output too
        out = JsonlOutput(batch.output, batch.fsync, inputs=read) if batch.output is not None else None
        run = _Run(
            summ,
            response_model or ArticleSummary,
            opened_cache,
            out,
            TokenBucket(batch.rpm) if batch.rpm else None,
            TokenBucket(batch.tpm) if batch.tpm else None,
            cache_error,
            batch.extract,
            Budget(batch.max_requests, batch.max_total_tokens) if batch.max_requests is not None
            or batch.max_total_tokens is not None else None,
        )
        bar = _Progress(batch.progress, total)
        queue: asyncio.Queue[BatchResult | BaseException | None] = asyncio.Queue()
        pending = iter(enumerate(items))

        async def work() -> None:
            try:
                for index, item in pending:  # shared: each worker takes the next input
                    queue.put_nowait(await run.one(index, item))
                    if run.write_failed is not None:
                        break  # the output cannot be written: send nothing more, finish what is in flight
            except Exception as exc:  # noqa: BLE001 - handed to the consumer, which raises it
                queue.put_nowait(exc)
            finally:
                queue.put_nowait(None)  # this worker is done

        workers = [asyncio.create_task(work()) for _ in range(min(batch.concurrency, total))]
        running, done = len(workers), 0
        while running:
            got = await queue.get()
            if got is None:
                running -= 1
                continue
            if isinstance(got, BaseException):
                raise got
            done += 1
            bar(done, total, got)
            yield got
        if run.write_failed is not None:
            raise run.stopped(total - done)
        if out is not None:
            out.compact()
    finally:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        if bar is not None:
            bar.close()
        if out is not None:
            out.close()
        if opened_cache is not None and close_cache:
            opened_cache.close()
        if own:
            await summ.aclose()


async def asummarize_many(
    inputs: Iterable[Input],
    *,
    response_model: type[BaseModel] | None = None,
    summarizer: Summarizer | None = None,
    **options: Any,
) -> list[BatchResult]:
    """Summarize every input, ``concurrency`` at a time; one :class:`BatchResult` per input.

    Inputs are article strings (id: their index), paths (read with :func:`~summarizer.read_page`:
    decoded, HTML reduced to its text as ``extract=`` says, and what its markup declares
    kept in ``provenance.page``; id: the path), :class:`~summarizer.Page` objects, or
    ``(id, text_path_or_page)`` pairs; ids should be str or int (others become str).
    ``options`` are :class:`BatchOptions` fields (``concurrency=``, ``output=``,
    ``cache=``, ``order=``, ``progress=``, ``rpm=``, ``tpm=``, ``fsync=``, ``extract=``,
    ``max_requests=``, ``max_total_tokens=``)
    and, without ``summarizer=``, :class:`~summarizer.Settings` fields (``model=``,
    ``base_url=``, ...) for the ``Summarizer`` the batch makes.
    """
    order = options.get("order", "input")
    results: list[BatchResult] = []
    try:
        async for result in iter_summaries(inputs, response_model=response_model, summarizer=summarizer, **options):
            results.append(result)
    except OutputWriteError as exc:
        exc.results = _ordered(results, order)  # what was paid for is returned even though the file failed
        raise
    return _ordered(results, order)


def _ordered(results: list[BatchResult], order: str) -> list[BatchResult]:
    return sorted(results, key=lambda result: result.index) if order == "input" else results


P = ParamSpec("P")
R = TypeVar("R")


def _blocking(function: Callable[P, Awaitable[R]]) -> Callable[P, R]:
    """The blocking twin of an async batch function: same arguments, run with :func:`asyncio.run`."""

    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            raise RuntimeError(
                f"{function.__name__.removeprefix('a')}() cannot run inside a running event loop (async code or "
                f"Jupyter); use `await {function.__name__}(...)` there"
            )

        async def main() -> R:
            try:
                return await function(*args, **kwargs)
            finally:
                summarizer = kwargs.get("summarizer")
                if isinstance(summarizer, Summarizer):
                    # Its async client belongs to this loop, which is about to close; it is
                    # rebuilt on the summarizer's next use.
                    await summarizer.aclose()

        return asyncio.run(main())

    return run


summarize_many = _blocking(asummarize_many)
summarize_many.__name__ = summarize_many.__qualname__ = "summarize_many"
summarize_many.__doc__ = """Blocking :func:`asummarize_many` (same arguments), run with :func:`asyncio.run`.

It starts its own event loop, so it cannot be called where one is already running
(async code, Jupyter): there, ``await asummarize_many(...)`` instead.
"""
