"""A batch spread over worker processes (``processes=``), for when one core is the limit and not the endpoint.

Every answer is parsed, grounded and checked in Python, about 15 to 50 ms an article
on one core: past a few dozen articles a second, a batch waits on its own CPU, however
fast the endpoint. With ``processes=N`` the inputs are split into N shards, one per
worker process; each worker runs its own event loop (``concurrency/N`` articles in
flight, ``rpm/N`` and ``tpm/N``) and sends every result back as it completes. This
process alone reads the output file, writes the records and shows progress, so:

- resuming is as without processes: the articles the output already holds a success
  for are read back here and never sent (their inputs are read here once for that);
- the same text is given to one worker, whose cache waits for its first answer;
- a worker that dies (killed, out of memory) costs only the articles it had not
  answered: each is recorded as a retryable ``BrokenProcessPool`` error, and a run
  with the same output sends them again;
- after a write to the output fails, the workers start nothing more, as one process does.

Workers are started with ``spawn`` (a fresh interpreter, about a second and a half to
import this library; never a fork of this process, which has threads and an event
loop), so the settings, the response model and the inputs must pickle: a response
model defined at a module's top level, not inside a function (nor in a notebook, whose
classes another interpreter cannot import).
A script that uses ``processes=`` needs the usual ``if __name__ == "__main__":`` guard.
A run's budget (``max_requests``, ``max_total_tokens``) is counted in one process, and
cannot be combined with ``processes`` (:class:`BatchOptions` refuses it).
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import pickle
import queue
import warnings
from collections.abc import AsyncGenerator, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from ..cache import Cache
from ..config import Settings
from ..core import Summarizer
from ..errors import BatchError, ConfigurationError
from ..inputs import Extract, Page
from ..schema import ArticleSummary
from .items import item_id, source_of
from .options import BatchOptions
from .ratelimit import TokenBucket
from .records import BatchResult
from .runner import Run, open_cache

__all__ = ["pooled", "use_pool"]

_POLL = 0.25  # seconds between looks at the workers while none has sent anything
_JOIN = 10.0  # seconds a worker is given to exit after its last result, before it is stopped


def use_pool(batch: BatchOptions, total: int) -> bool:
    """Whether this batch runs in worker processes: asked for, and more than one article and one in flight."""
    return min(batch.processes or 1, batch.concurrency, total) > 1


@dataclass(frozen=True)
class _Shard:
    """What one worker is sent: how to summarize, and its (index, input) pairs."""

    settings: Settings
    response_model: type[BaseModel] | None
    pairs: list[tuple[int, object]]
    concurrency: int
    rpm: float | None
    tpm: float | None
    cache: bool | str
    cache_error: str | None
    extract: Extract


def _content(index: int, item: object) -> Hashable:
    """What makes two inputs the same article before either is read: the text, or the path."""
    source = source_of(item)
    if isinstance(source, str):
        return source
    if isinstance(source, Page):
        return source.text
    if isinstance(source, os.PathLike):
        return ("path", os.fspath(source))
    return ("index", index)


def _shards(todo: list[tuple[int, object]], n: int) -> list[list[tuple[int, object]]]:
    """``todo`` in ``n`` shards of about equal size, in input order, the same article always in the same shard."""
    shards: list[list[tuple[int, object]]] = [[] for _ in range(n)]
    placed: dict[Hashable, int] = {}
    for index, item in todo:
        try:
            key = _content(index, item)
            k = placed.setdefault(key, min(range(n), key=lambda j: len(shards[j])))
        except TypeError:  # an unhashable path-like: its own article
            k = min(range(n), key=lambda j: len(shards[j]))
        shards[k].append((index, item))
    return [s for s in shards if s]


def _cache_spec(run: Run) -> bool | str:
    """The cache as a worker opens it: the same folder as this process's, or none."""
    cache = run.cache
    return str(cache.path.parent) if isinstance(cache, Cache) else False


def _picklable(value: Any, what: str) -> None:
    try:
        pickle.dumps(value)
    except Exception as exc:  # noqa: BLE001 - whatever pickling raises, the answer is the same
        raise ConfigurationError(
            f"processes= sends {what} to each worker process, and it cannot be pickled ({type(exc).__name__}: "
            f"{exc}): define a response model at a module's top level, or run without processes"
        ) from None


def _crashed(index: int, item: object, exitcode: int | None) -> BatchResult:
    why = f"the worker process summarizing it exited (exit code {exitcode}) before it was done: run again " \
          "with the same output to send it again"
    return BatchResult(item_id(index, item), index, None, error=BatchError("BrokenProcessPool", why, True))


async def pooled(
    run: Run, items: Sequence[object], batch: BatchOptions, response_model: type[BaseModel] | None
) -> AsyncGenerator[BatchResult, None]:
    """Every input's result, as each completes: resumed ones from ``run``'s output, the rest from worker processes.

    Each result from a worker is written to the output by ``run`` (in this process) before it is yielded.
    """
    settings = run.summarizer.settings
    _picklable((settings, response_model), "the settings and the response model")
    todo: list[tuple[int, object]] = []
    for index, item in enumerate(items):
        done = run.resumed(index, item)
        if done is not None:
            yield done  # not written again, as in one process
            continue
        try:
            pickle.dumps(item)
        except Exception as exc:  # noqa: BLE001 - this input's error, not the batch's
            result = BatchResult(item_id(index, item), index, None, error=BatchError.from_exception(
                TypeError(f"processes= sends each input to a worker process, and this one cannot be pickled ({exc})")))
            run.write(result)
            yield result
            continue
        todo.append((index, item))
    n = min(batch.processes or 1, batch.concurrency, len(todo))
    if n <= 1:
        async with contextlib.aclosing(run.stream(todo, min(batch.concurrency, len(todo)))) as here:
            async for result in here:
                yield result
        return
    shards = _shards(todo, n)
    n = len(shards)
    jobs = [
        _Shard(settings, response_model, shard, batch.concurrency // n + (k < batch.concurrency % n),
               batch.rpm / n if batch.rpm else None, batch.tpm / n if batch.tpm else None,
               _cache_spec(run), run.cache_error, batch.extract)
        for k, shard in enumerate(shards)
    ]
    async with contextlib.aclosing(_from_workers(run, jobs)) as pooled_results:  # leaving early stops the workers
        async for result in pooled_results:
            yield result


async def _from_workers(run: Run, jobs: list[_Shard]) -> AsyncGenerator[BatchResult, None]:
    """Start one worker per shard, and yield (and write) what they send until every one is done or gone."""
    context = multiprocessing.get_context("spawn")
    inbox: Any = context.Queue()
    stop = context.Event()
    workers = [context.Process(target=work, args=(k, job, inbox, stop), daemon=True) for k, job in enumerate(jobs)]
    waiting = [dict(job.pairs) for job in jobs]  # index -> input, for what each worker has not answered yet
    finished: set[int] = set()
    try:
        for worker in workers:
            worker.start()
        while len(finished) < len(workers):
            gone = [k for k, w in enumerate(workers) if w.exitcode is not None and k not in finished]
            try:
                k, kind, payload = await asyncio.to_thread(inbox.get, True, _POLL)
            except queue.Empty:
                for k in gone:  # exited before this look, and nothing of it is left to read: it died
                    finished.add(k)
                    for index, item in sorted(waiting[k].items()):
                        result = _crashed(index, item, workers[k].exitcode)
                        run.write(result)
                        yield result
                    waiting[k].clear()
                continue
            if kind == "result":
                result = pickle.loads(payload)
                waiting[k].pop(result.index, None)
                run.write(result)
                if run.write_failed is not None:
                    stop.set()  # nothing more starts; what is in flight comes back and is counted unwritten
                yield result
            elif kind == "warning":
                category, message = payload
                warnings.warn(message, category, stacklevel=2)
            elif kind == "failed":
                raise pickle.loads(payload)
            else:  # "done"
                finished.add(k)
    finally:
        stop.set()
        for worker in workers:
            if worker.pid is not None:
                worker.join(_JOIN if len(finished) == len(workers) else 0)
                if worker.is_alive():
                    worker.terminate()
                    worker.join()
        inbox.close()


def work(k: int, job: _Shard, outbox: Any, stop: Any) -> None:
    """A worker process: its shard summarized on its own event loop, each result sent back as it completes."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            asyncio.run(_serve(k, job, outbox, stop))
        except BaseException as exc:  # noqa: BLE001 - sent to the parent, which raises it
            try:
                failed = pickle.dumps(exc)
            except Exception:  # noqa: BLE001 - an exception that does not pickle: its text does
                failed = pickle.dumps(RuntimeError(f"{type(exc).__name__}: {exc}"))
            outbox.put((k, "failed", failed))
        seen = set()
        for found in caught:
            said = (found.category, str(found.message))
            if said not in seen:
                seen.add(said)
                outbox.put((k, "warning", said))
    outbox.put((k, "done", None))


async def _serve(k: int, job: _Shard, outbox: Any, stop: Any) -> None:
    summarizer = Summarizer(job.settings)
    cache, close_cache, cache_error = open_cache(job.cache)
    run = Run(
        summarizer,
        job.response_model or ArticleSummary,
        cache,
        None,  # the parent writes the output
        TokenBucket(job.rpm) if job.rpm else None,
        TokenBucket(job.tpm) if job.tpm else None,
        cache_error or job.cache_error,
        job.extract,
    )
    try:
        async for result in run.stream(job.pairs, min(job.concurrency, len(job.pairs)), stop=stop.is_set):
            try:
                sent = pickle.dumps(result)
            except Exception as exc:  # noqa: BLE001 - a summary that cannot travel is that input's error
                sent = pickle.dumps(BatchResult(result.id, result.index, result.input_sha256,
                                                error=BatchError.from_exception(exc)))
            outbox.put((k, "result", sent))
    finally:
        if cache is not None and close_cache:
            cache.close()
        await summarizer.aclose()
