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
import hashlib
import os
import sqlite3
import time
import warnings
from collections.abc import AsyncGenerator, Callable, Iterable
from datetime import date
from typing import Any

from pydantic import BaseModel

from .. import errors
from ..budget import Budget, spending
from ..cache import Cache
from ..chunking import estimate_tokens
from ..core import Summarizer
from ..dates import DateLike
from ..errors import BatchError, CacheWarning, OutputWriteError
from ..grounding.dating import date_result
from ..inputs import Extract
from ..results import attach, provenance_of
from ..schema import PageInfo
from .items import item_id, load_input, published_of
from .output import JsonlOutput
from .ratelimit import TokenBucket
from .records import BatchResult

__all__ = ["Run", "open_cache", "warn_cache"]


class Run:
    """One batch's state: each article through resume, the cache, the rate limits and the budget, into the output."""

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
            done = self._resume(result, text, published, page.info, started)
            if done is not None:
                return done
            summary, result.cached = await self._summarize(text, published)
            result.summary = self._annotated(summary, page.info, result.cached)
            if result.cached or (published is None and page.info is not None and page.info.published):
                # a cache hit is dated as the call that paid for it was; markup is a date the call did not see
                self._dated(result.summary, text, published, page.info)
            result.published = _published(result.summary)
        except Exception as exc:  # noqa: BLE001 - one bad article never stops the batch
            result.error = BatchError.from_exception(exc)
        result.elapsed = time.perf_counter() - started
        self.write(result)
        return result

    def _resume(
        self, result: BatchResult, text: str, published: date | None, page: PageInfo | None, started: float
    ) -> BatchResult | None:
        """The success the output already holds for this (id, input hash), dated again; None to summarize it."""
        done = self.previous.get((result.id, result.input_sha256 or ""))
        if done is None or done.summary is None:
            return None
        # dated again: this run may give the article another date than the run that wrote it
        self._dated(done.summary, text, published, page)
        return dataclasses.replace(
            done, index=result.index, elapsed=time.perf_counter() - started, published=_published(done.summary)
        )

    def resumed(self, index: int, item: object) -> BatchResult | None:
        """:meth:`one` for an input the output already holds a success for, without a call; None for any other
        (unreadable inputs included: :meth:`one` records why). What a process pool's parent keeps to itself."""
        if not self.previous:
            return None
        started = time.perf_counter()
        try:
            published = published_of(item)
            page = load_input(item, self.extract)
        except Exception:  # noqa: BLE001 - its error is recorded where it is summarized
            return None
        digest = hashlib.sha256(page.text.encode("utf-8", "surrogatepass")).hexdigest()
        found = BatchResult(item_id(index, item), index, digest, published=published)
        return self._resume(found, page.text, published, page.info, started)

    async def stream(
        self, pairs: Iterable[tuple[int, object]], concurrency: int, stop: Callable[[], bool] | None = None
    ) -> AsyncGenerator[BatchResult, None]:
        """Every (index, input) through :meth:`one`, ``concurrency`` at a time, yielded as each completes.

        Nothing more starts once the output cannot be written (or ``stop()`` says so):
        what is in flight finishes. Leaving early cancels what is in flight.
        """
        queue: asyncio.Queue[BatchResult | BaseException | None] = asyncio.Queue()
        pending = iter(pairs)
        halt = stop or (lambda: False)

        async def work() -> None:
            try:
                for index, item in pending:  # shared: each worker takes the next input
                    queue.put_nowait(await self.one(index, item))
                    if self.write_failed is not None or halt():
                        break  # the output cannot be written: send nothing more, finish what is in flight
            except Exception as exc:  # noqa: BLE001 - handed to the consumer, which raises it
                queue.put_nowait(exc)
            finally:
                queue.put_nowait(None)  # this worker is done

        workers = [asyncio.create_task(work()) for _ in range(concurrency)]
        try:
            running = len(workers)
            while running:
                got = await queue.get()
                if got is None:
                    running -= 1
                    continue
                if isinstance(got, BaseException):
                    raise got
                yield got
        finally:
            for task in workers:
                task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)

    def write(self, result: BatchResult) -> None:
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
            self.cache_error = warn_cache(exc)

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


def warn_cache(exc: BaseException) -> str:
    """Warn that the cache cannot be used; returns the reason, which provenance keeps."""
    reason = f"{type(exc).__name__}: {exc}"
    warnings.warn(
        f"the cache is not usable ({reason}); this batch goes on without it, "
        "so nothing is read from it or saved to it",
        CacheWarning,
        stacklevel=2,
    )
    return reason


def open_cache(cache: bool | str | os.PathLike[str] | Cache) -> tuple[Cache | None, bool, str | None]:
    """The cache to use, whether this run opened it (and so closes it), and why it cannot be used, if so."""
    if cache is False or cache is None:
        return None, False, None
    if isinstance(cache, Cache):
        return cache, False, None
    try:
        return Cache(None if cache is True else cache), True, None
    except (sqlite3.Error, OSError) as exc:  # a corrupt file, a folder that cannot be made or written
        return None, False, warn_cache(exc)


