"""Many articles at once: :func:`summarize_many`, :func:`asummarize_many` and :func:`iter_summaries`.

Each takes the inputs (:mod:`.items`), the batch's options and the settings of the
``Summarizer`` it makes (:mod:`.options`), and runs every article through one
:class:`~summarizer.batch.runner.Run`: in this process, ``concurrency`` at a time on
one event loop, or spread over worker processes (``processes=``, :mod:`.pool`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any, ParamSpec, TypeVar

from pydantic import BaseModel

from ..budget import Budget
from ..core import Summarizer
from ..errors import OutputWriteError
from ..schema import ArticleSummary
from .items import Input
from .options import Progress, split_options
from .output import JsonlOutput
from .pool import pooled, use_pool
from .ratelimit import TokenBucket
from .records import BatchResult
from .runner import Run, open_cache

__all__ = ["asummarize_many", "iter_summaries", "summarize_many"]


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
    batch, summ, own = split_options(summarizer, options)
    items = list(inputs)
    total = len(items)
    opened_cache, close_cache, cache_error = open_cache(batch.cache)
    out: JsonlOutput | None = None
    bar: Progress | None = None
    try:
        sources = (item[1] if isinstance(item, tuple) and len(item) == 2 else item for item in items)
        read = [source for source in sources if isinstance(source, os.PathLike)]  # never the output too
        out = JsonlOutput(batch.output, batch.fsync, inputs=read) if batch.output is not None else None
        run = Run(
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
        bar = Progress(batch.progress, total)
        if use_pool(batch, total):
            results = pooled(run, items, batch, response_model)
        else:
            results = run.stream(enumerate(items), min(batch.concurrency, total))
        done = 0
        async with contextlib.aclosing(results):
            async for got in results:
                done += 1
                bar(done, total, got)
                yield got
        if run.write_failed is not None:
            raise run.stopped(total - done)
        if out is not None:
            out.compact()
    finally:
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
    ``max_requests=``, ``max_total_tokens=``, ``processes=``)
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
