"""Many articles at once: concurrent, cached, rate-limited, resumable.

A fixed pool of ``concurrency`` asyncio workers (no thread per request) takes
articles in input order and sends each through :meth:`Summarizer.asummarize` on the
async openai client. Every input yields exactly one :class:`BatchResult`: a summary
or an error, never an exception that stops the batch.

With ``output=path`` each result is appended to a JSON Lines file the moment it is
done (and flushed; ``fsync=True`` also forces it to disk). Running again with the
same file skips every (id, input hash) already summarized there, returns those
results from the file, and retries the failures. One run per file: the file is held
under an exclusive ``fcntl.flock`` while a run uses it (on POSIX), and a second run
on it fails at once with :class:`OutputLockedError`.

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
import json
import os
import sys
import time
import warnings
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

from pydantic import BaseModel, ValidationError

from . import errors
from ._ratelimit import TokenBucket
from .cache import Cache, attach_provenance
from .chunking import estimate_tokens
from .core import Summarizer, provenance_of
from .inputs import read_article
from .schema import ArticleSummary, Provenance

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock, one run per file is up to the caller
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "BatchError",
    "BatchResult",
    "OutputLockedError",
    "asummarize_many",
    "iter_summaries",
    "read_output",
    "summarize_many",
]

ItemId = str | int
Input = str | os.PathLike[str] | tuple[Any, str | os.PathLike[str]]
ProgressCallback = Callable[[int, int, "BatchResult"], object]


class OutputLockedError(errors.SummarizerError):
    """Another run is writing the same output file; one run per file."""


@dataclass(frozen=True)
class BatchError:
    """Why one input failed: the exception's type name, its message, and whether trying again may help.

    ``usage`` (prompt, completion and total tokens), ``attempts`` (model answers) and
    ``requests`` (HTTP requests, retries included) are what the failed call spent.
    """

    type: str
    message: str
    retryable: bool
    attempts: int = 0
    requests: int = 0
    usage: dict[str, int] | None = None

    @classmethod
    def from_exception(cls, exc: BaseException) -> BatchError:
        if isinstance(exc, errors.ProviderError):
            retryable = exc.retryable
        else:  # another sample may validate; file, input and other errors will not change by themselves
            retryable = isinstance(exc, errors.OutputValidationError)
        usage = getattr(exc, "usage", None)
        return cls(
            type(exc).__name__,
            str(exc),
            retryable,
            attempts=getattr(exc, "attempts", 0),
            requests=getattr(exc, "requests", 0),
            usage=usage.model_dump() if isinstance(usage, BaseModel) else None,
        )


@dataclass
class BatchResult:
    """One input's outcome: ``summary`` or ``error``, never both.

    ``cached`` is True when this run made no request for it (a cache hit, a duplicate
    of another input, or a success read back from the output file, which also sets
    ``resumed``). ``elapsed`` is seconds spent on this input in this run.
    """

    id: ItemId
    index: int
    input_sha256: str | None
    summary: BaseModel | None = None
    error: BatchError | None = None
    cached: bool = False
    resumed: bool = False
    elapsed: float = 0.0

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
        }
        if self.summary is not None:
            record["summary"] = self.summary.model_dump(mode="json")
            if "provenance" not in record["summary"] and (p := provenance_of(self.summary)) is not None:
                record["provenance"] = p.model_dump(mode="json")
        elif self.error is not None:
            record["error"] = dataclasses.asdict(self.error)
        return record


# -- inputs ------------------------------------------------------------------


def _item_id(index: int, item: object) -> ItemId:
    if isinstance(item, tuple) and len(item) == 2:
        raw = item[0]
        return raw if isinstance(raw, (str, int)) and not isinstance(raw, bool) else str(raw)
    if isinstance(item, os.PathLike):
        return os.fspath(item)  # type: ignore[return-value]
    return index


def _load(item: object) -> str:
    """The article text of one input; raises for anything unreadable (which becomes that item's error)."""
    source = item[1] if isinstance(item, tuple) and len(item) == 2 else item
    if isinstance(source, str):
        return source
    if isinstance(source, os.PathLike):
        return read_article(source)  # decoded, HTML reduced to text: the text the spans index
    raise TypeError(f"an input must be a str, a path or an (id, text) pair, not {type(item).__name__}")


# -- the output file -----------------------------------------------------------


def _parse_lines(data: bytes) -> tuple[list[dict[str, Any]], int]:
    """Records of every complete, valid line, and the length of the file that is sound.

    A last line without its newline (a run killed mid-write) or that is not JSON is
    left out of that length, so truncating there leaves a file of whole lines.
    """
    records: list[dict[str, Any]] = []
    sound = 0
    position = 0
    while position < len(data):
        end = data.find(b"\n", position)
        if end < 0:
            break  # partial tail
        line = data[position:end]
        try:
            record = json.loads(line) if line.strip() else None
        except ValueError:
            record = False
        if record is False or (record is not None and not isinstance(record, dict)):
            if data[end + 1 :].strip():
                warnings.warn(f"skipping a corrupt line at byte {position} of the output file", stacklevel=3)
            else:
                break  # a corrupt last line: cut it off with the tail
        elif record is not None:
            records.append(record)
        position = sound = end + 1
    return records, sound


def read_output(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Every complete record of a batch output file, in the order written (read-only)."""
    return _parse_lines(Path(path).read_bytes())[0]


class _Output:
    """The JSON Lines file of one run: locked, repaired, appended to line by line."""

    def __init__(self, path: str | os.PathLike[str], fsync: bool) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fsync = fsync
        self._file: IO[bytes] = open(self.path, "a+b")  # noqa: SIM115 - held for the whole run
        if fcntl is not None:
            try:
                fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self._file.close()
                raise OutputLockedError(
                    f"{self.path} is in use by another run; use one output file per run"
                ) from None
        self._file.seek(0)
        self.records, sound = _parse_lines(self._file.read())
        if sound < self._file.tell():
            self._file.truncate(sound)  # drop a partial or corrupt tail; appends start on a new line

    def previous(self, model_cls: type[BaseModel]) -> dict[tuple[ItemId, str], BatchResult]:
        """Successes already in the file that still validate, by (id, input hash)."""
        done: dict[tuple[ItemId, str], BatchResult] = {}
        for record in self.records:
            item_id, digest = record.get("id"), record.get("input_sha256")
            if not record.get("ok") or not isinstance(item_id, (str, int)) or not isinstance(digest, str):
                continue
            try:
                summary = model_cls.model_validate(record["summary"])
                if "provenance" in record:
                    attach_provenance(summary, Provenance.model_validate(record["provenance"]))
            except (ValidationError, KeyError, TypeError):
                continue  # written for another schema: summarize again
            done[item_id, digest] = BatchResult(item_id, -1, digest, summary=summary, cached=True, resumed=True)
        return done

    def write(self, result: BatchResult) -> None:
        line = json.dumps(result.to_record(), ensure_ascii=False, default=str) + "\n"
        self._file.write(line.encode("utf-8"))
        self._file.flush()
        if self._fsync:
            os.fsync(self._file.fileno())

    def compact(self) -> None:
        """Drop the lines of earlier runs whose id this run wrote again, so a resumed file ends with one line per id.

        A resumed run appends a retried item after its earlier failure. Lines of this
        run are all kept (two inputs may share an id). The file is rewritten beside
        itself and swapped in atomically, so a kill here loses nothing.
        """
        self._file.seek(0)
        records, _ = _parse_lines(self._file.read())
        earlier, this_run = records[: len(self.records)], records[len(self.records) :]
        rewritten = {json.dumps(record.get("id")) for record in this_run}
        kept = [record for record in earlier if json.dumps(record.get("id")) not in rewritten]
        if len(kept) == len(earlier):
            return
        temporary = self.path.with_name(self.path.name + ".compacting")
        try:
            with open(temporary, "wb") as file:
                file.writelines(json.dumps(r, ensure_ascii=False).encode("utf-8") + b"\n" for r in kept + this_run)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.path)
        except OSError:  # pragma: no cover - e.g. a file open elsewhere on Windows: the last line still wins
            temporary.unlink(missing_ok=True)

    def close(self) -> None:
        self._file.close()  # also releases the lock


# -- one run -------------------------------------------------------------------


class _Run:
    def __init__(
        self,
        summarizer: Summarizer,
        model_cls: type[BaseModel],
        cache: Cache | None,
        output: _Output | None,
        rpm: TokenBucket | None,
        tpm: TokenBucket | None,
    ) -> None:
        self.summarizer = summarizer
        self.model_cls = model_cls
        self.cache = cache
        self.output = output
        self.previous = output.previous(model_cls) if output is not None else {}
        self.rpm = rpm
        self.tpm = tpm
        self.in_flight: dict[str, asyncio.Event] = {}

    async def one(self, index: int, item: object) -> BatchResult:
        started = time.perf_counter()
        item_id = _item_id(index, item)
        result = BatchResult(item_id, index, None)
        try:
            text = _load(item)
            # "surrogatepass": text that cannot be sent still gets a hash; summarizing it says why it cannot
            result.input_sha256 = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
            done = self.previous.get((item_id, result.input_sha256))
            if done is not None:
                return dataclasses.replace(done, index=index, elapsed=time.perf_counter() - started)
            result.summary, result.cached = await self._summarize(text)
        except Exception as exc:  # noqa: BLE001 - one bad article never stops the batch
            result.error = BatchError.from_exception(exc)
        result.elapsed = time.perf_counter() - started
        if self.output is not None:
            self.output.write(result)
        return result

    async def _summarize(self, text: str) -> tuple[BaseModel, bool]:
        if self.cache is None:
            return await self._call(text), False
        key = self.summarizer.cache_key(text, self.model_cls)
        while True:
            hit = self.cache.get(key, self.model_cls)
            if hit is not None:
                return hit, True
            busy = self.in_flight.get(key)
            if busy is None:
                break
            await busy.wait()  # the same article is being summarized: wait for its answer
        self.in_flight[key] = event = asyncio.Event()
        try:
            summary = await self._call(text)
            self.cache.put(key, summary)
            return summary, False
        finally:
            del self.in_flight[key]
            event.set()

    async def _call(self, text: str) -> BaseModel:
        estimate = estimate_tokens(text) + (self.summarizer.max_tokens or 0)
        if self.rpm is not None:
            await self.rpm.acquire(1)
        if self.tpm is not None:
            await self.tpm.acquire(estimate)
        usage = None
        try:
            summary = await self.summarizer.asummarize(text, response_model=self.model_cls)
            provenance = provenance_of(summary)
            usage = provenance.usage if provenance is not None else None
            return summary
        except errors.SummarizerError as exc:
            usage = getattr(exc, "usage", None)
            raise
        finally:
            if self.tpm is not None and usage is not None and usage.total_tokens:
                self.tpm.adjust(usage.total_tokens - estimate)


def _open_cache(cache: bool | str | os.PathLike[str] | Cache) -> tuple[Cache | None, bool]:
    """The cache to use, and whether this run opened it (and so closes it)."""
    if cache is False or cache is None:
        return None, False
    if isinstance(cache, Cache):
        return cache, False
    return Cache(None if cache is True else cache), True


class _Progress:
    """The ``progress`` argument: a callback, a rich bar, or nothing."""

    def __init__(self, progress: bool | ProgressCallback | None, total: int) -> None:
        self._callback = progress if callable(progress) else None
        self._bar: Any = None
        show = progress is True or (progress is None and sys.stderr.isatty())
        if show and total:
            try:
                from rich.console import Console
                from rich.progress import Progress
            except ImportError:  # pragma: no cover - rich is a dependency
                return
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
    concurrency: int = 8,
    output: str | os.PathLike[str] | None = None,
    cache: bool | str | os.PathLike[str] | Cache = True,
    progress: bool | ProgressCallback | None = None,
    rpm: float | None = None,
    tpm: float | None = None,
    fsync: bool = False,
    response_model: type[BaseModel] | None = None,
    summarizer: Summarizer | None = None,
    **summarizer_options: Any,
) -> AsyncIterator[BatchResult]:
    """Yield one :class:`BatchResult` per input, as each completes (see :func:`asummarize_many`).

    To stop early, iterate inside ``contextlib.aclosing(iter_summaries(...))``: leaving
    it cancels the requests still in flight at once (an abandoned generator is only
    closed when the event loop shuts down). Results already yielded are in ``output``.
    """
    if concurrency < 1:
        raise ValueError("concurrency must be 1 or more")
    if summarizer is not None and summarizer_options:
        raise TypeError(f"pass options to your Summarizer, not with summarizer=: {sorted(summarizer_options)}")
    items = list(inputs)
    total = len(items)
    own = summarizer is None
    summ = summarizer if summarizer is not None else Summarizer(**summarizer_options)
    opened_cache, close_cache = _open_cache(cache)
    out: _Output | None = None
    bar: _Progress | None = None
    workers: list[asyncio.Task[None]] = []
    try:
        out = _Output(output, fsync) if output is not None else None
        run = _Run(
            summ,
            response_model or ArticleSummary,
            opened_cache,
            out,
            TokenBucket(rpm) if rpm else None,
            TokenBucket(tpm) if tpm else None,
        )
        bar = _Progress(progress, total)
        queue: asyncio.Queue[BatchResult | BaseException] = asyncio.Queue()
        pending = iter(enumerate(items))

        async def work() -> None:
            try:
                for index, item in pending:  # shared: each worker takes the next input
                    queue.put_nowait(await run.one(index, item))
            except Exception as exc:  # noqa: BLE001 - handed to the consumer, which raises it
                queue.put_nowait(exc)

        workers = [asyncio.create_task(work()) for _ in range(min(concurrency, total))]
        for done in range(1, total + 1):
            got = await queue.get()
            if isinstance(got, BaseException):
                raise got
            bar(done, total, got)
            yield got
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
    concurrency: int = 8,
    output: str | os.PathLike[str] | None = None,
    cache: bool | str | os.PathLike[str] | Cache = True,
    order: Literal["input", "completed"] = "input",
    progress: bool | ProgressCallback | None = None,
    rpm: float | None = None,
    tpm: float | None = None,
    fsync: bool = False,
    response_model: type[BaseModel] | None = None,
    summarizer: Summarizer | None = None,
    **summarizer_options: Any,
) -> list[BatchResult]:
    """Summarize every input, ``concurrency`` at a time; one :class:`BatchResult` per input.

    Inputs are article strings (id: their index), paths (read with :func:`~summarizer.read_article`:
    decoded, HTML reduced to its text; id: the path)
    or ``(id, text_or_path)`` pairs; ids should be str or int (others become str).
    ``order="input"`` returns results in input order, ``"completed"`` as they finished.
    ``cache`` is True (the default location), False, a directory, or a :class:`Cache`.
    ``output`` is a JSON Lines file to append to and resume from. ``progress`` is a
    callback ``(done, total, result)``, True for a rich progress bar on stderr, or None
    (the default) for a bar only when stderr is a terminal. ``rpm`` and ``tpm`` limit
    requests and tokens per minute. Use your own ``summarizer=``, or pass
    :class:`Summarizer` options (``model=``, ``base_url=``, ...) directly.
    """
    if order not in ("input", "completed"):
        raise ValueError('order must be "input" or "completed"')
    results = [
        result
        async for result in iter_summaries(
            inputs,
            concurrency=concurrency,
            output=output,
            cache=cache,
            progress=progress,
            rpm=rpm,
            tpm=tpm,
            fsync=fsync,
            response_model=response_model,
            summarizer=summarizer,
            **summarizer_options,
        )
    ]
    if order == "input":
        results.sort(key=lambda result: result.index)
    return results


def summarize_many(
    inputs: Iterable[Input],
    *,
    concurrency: int = 8,
    output: str | os.PathLike[str] | None = None,
    cache: bool | str | os.PathLike[str] | Cache = True,
    order: Literal["input", "completed"] = "input",
    progress: bool | ProgressCallback | None = None,
    rpm: float | None = None,
    tpm: float | None = None,
    fsync: bool = False,
    response_model: type[BaseModel] | None = None,
    summarizer: Summarizer | None = None,
    **summarizer_options: Any,
) -> list[BatchResult]:
    """Blocking :func:`asummarize_many` (same arguments), run with :func:`asyncio.run`.

    It starts its own event loop, so it cannot be called where one is already running
    (async code, Jupyter): there, ``await asummarize_many(...)`` instead.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        raise RuntimeError(
            "summarize_many() cannot run inside a running event loop (async code or Jupyter); "
            "use `await asummarize_many(...)` there"
        )
    options: dict[str, Any] = {
        "concurrency": concurrency, "output": output, "cache": cache, "order": order, "progress": progress,
        "rpm": rpm, "tpm": tpm, "fsync": fsync, "response_model": response_model, "summarizer": summarizer,
        **summarizer_options,
    }

    async def run() -> list[BatchResult]:
        try:
            return await asummarize_many(inputs, **options)
        finally:
            if summarizer is not None:
                # Its async client belongs to this loop, which is about to close; it is
                # rebuilt on the summarizer's next use.
                await summarizer.aclose()

    return asyncio.run(run())
