"""``summarize``, ``asummarize`` and ``Summarizer``: how an article becomes a typed summary.

The flow for one article: check the text, build a fresh message list from the
versioned prompt, let instructor ask for ``response_model`` through our raw create
(which retries transient faults and counts tokens) and parse the answer with a checked
subclass of that model (which grounds every quoted item, see ``_checked.py``),
translate whatever went wrong into a :class:`~summarizer.errors.SummarizerError`, and
attach provenance and the grounding report. An article too long for one request is
split, its chunks are summarized concurrently, and the parts are merged.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import hashlib
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, TypeVar, get_args, overload

import openai
from instructor.core.exceptions import (
    IncompleteOutputException,
    InstructorRetryException,
    ResponseParsingError,
)
from pydantic import BaseModel, ValidationError
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
)

from . import client as _client
from . import errors
from ._checked import RUN, CheckedRun, checked_model, restore
from ._version import __version__
from .chunking import Chunk, estimate_tokens, merge_summaries, split_text
from .grounding import _REPORT_ATTR, GroundingPolicy, ground
from .prompts import DEFAULT_PROMPT_VERSION, load_prompt
from .schema import SCHEMA_VERSION, ArticleSummary, Provenance, Usage

__all__ = ["Summarizer", "asummarize", "provenance_of", "summarize"]

T = TypeVar("T", bound=BaseModel)

_REASK_ON = (ValidationError, json.JSONDecodeError, ResponseParsingError)
_PROVENANCE_ATTR = "_summarizer_provenance"
_DEFAULT_MAX_TOKENS = 4096
_LOCAL_MAX_TOKENS = 2048
_POLICIES = ("reask", "flag", "drop")
_DEFAULT_CONTEXT = 128_000
_LOCAL_CONTEXT = 8192  # as local.DEFAULT_CONTEXT, without importing the server code
_PROMPT_TOKENS = 1200  # the instructions and the tool schema, measured at about 1,100
_MIN_CHUNK_TOKENS = 200
_CHUNK_CONCURRENCY = 4
DEFAULT_MAX_CHARS = 1_000_000
"""About 250k tokens, some twenty chunk requests: far beyond any news article, so a longer
text is more likely a wrong file (a dump, a book, a log) than something worth paying for."""


@dataclass
class _Call:
    """One summarize call: what was asked, and what it has spent so far."""

    model_cls: type[BaseModel]
    model_name: str
    base_url: str | None
    digest: str
    kwargs: dict[str, Any]
    run: CheckedRun
    stats: _client.CallStats = field(default_factory=_client.CallStats)
    invalid: BaseException | None = None  # the last answer that failed validation
    started: float = field(default_factory=time.perf_counter)


def provenance_of(result: BaseModel) -> Provenance | None:
    """Provenance of any result, including a user's own response model without that field."""
    value = getattr(result, "provenance", None)
    if isinstance(value, Provenance):
        return value
    return getattr(result, _PROVENANCE_ATTR, None)


def _declares(model_cls: type[BaseModel], name: str, kind: type) -> bool:
    """Whether ``model_cls`` has a field ``name`` that holds a ``kind`` (alone or in a union)."""
    declared = model_cls.model_fields.get(name)
    return declared is not None and kind in (declared.annotation, *get_args(declared.annotation))


def _attach(result: BaseModel, name: str, attr: str, value: BaseModel) -> None:
    """Set ``value`` on the field ``name`` if the model declares one of its type, else on ``attr``."""
    if _declares(type(result), name, type(value)):
        try:
            setattr(result, name, value)
        except ValidationError:  # a frozen model: the value is the library's, set it anyway
            object.__setattr__(result, name, value)
    else:
        object.__setattr__(result, attr, value)


@functools.lru_cache(maxsize=64)
def _schema_sha256(model: type[BaseModel]) -> str:
    return hashlib.sha256(json.dumps(model.model_json_schema(), sort_keys=True).encode()).hexdigest()


def _schema_version(model: type[BaseModel]) -> str:
    if model is ArticleSummary:
        return SCHEMA_VERSION
    return f"{model.__name__}@{_schema_sha256(model)[:12]}"


def _check_text(text: object) -> str:
    if isinstance(text, (bytes, bytearray)):
        raise TypeError(
            "text must be str, not bytes: decode it first with summarizer.decode_article(data), which also "
            "reduces an HTML page to its text, and summarize the string it returns (spans are offsets into it)"
        )
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    if not text.strip():
        raise errors.EmptyInputError("the article text is empty or only white space; nothing was sent")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise errors.InputError(
            f"the article text holds an unpaired surrogate at position {exc.start}, which cannot be sent "
            "(text decoded with errors='surrogateescape', or broken UTF-16): decode the bytes with "
            "summarizer.decode_article; nothing was sent"
        ) from None
    return text


class Summarizer:
    """Configuration held for repeated use; ``summarize`` and ``asummarize`` use one each call.

    Arguments win over the environment (``SUMMARIZER_MODEL``, ``OPENAI_API_KEY``,
    ``OPENAI_BASE_URL``). ``mode`` overrides how structured output is requested
    ("tools", "json_schema", "json", "md_json"); the default suits the backend.
    ``max_retries`` bounds retries of transient API failures per request,
    ``max_reasks`` bounds re-asks after invalid or ungrounded output.
    ``grounding`` says what happens to an item the article does not support
    (see :mod:`summarizer.grounding`): "reask" (the default; what still fails once
    the re-asks are spent is dropped), "flag" or "drop". The embedded local model
    defaults to "drop": re-asking a 270M model costs minutes and rarely helps.
    ``temperature=None`` leaves the provider's default (needed for reasoning models
    that reject 0). ``max_items`` caps every list in the schema sent to the model,
    which keeps small or grammar-constrained models fast (the local model uses 3);
    ``local_context`` is the local server's context window in tokens.

    An article longer than ``chunk_tokens`` (estimated at four characters a token) is
    summarized in overlapping chunks, concurrently, and merged (see
    :mod:`summarizer.chunking`). The default budget is three times ``max_tokens``, so
    that the answer for one chunk fits its output budget, or less if the context
    (``context_window``: 128k tokens, or the local server's) leaves less. An article
    longer than ``max_chars`` (a million characters by default; None for no limit) is
    refused with :class:`~summarizer.errors.InputTooLongError` before any request.
    """

    def __init__(
        self,
        model: str | None = None,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        mode: str | None = None,
        prompt_version: str = DEFAULT_PROMPT_VERSION,
        temperature: float | None = 0.0,
        max_tokens: int | None = None,
        seed: int | None = None,
        timeout: float | None = None,
        max_retries: int = 4,
        max_reasks: int | None = None,
        retry_max_wait: float = 30.0,
        max_items: int | None = None,
        local_context: int | None = None,
        grounding: GroundingPolicy | None = None,
        chunk_tokens: int | None = None,
        context_window: int | None = None,
        max_chars: int | None = DEFAULT_MAX_CHARS,
    ) -> None:
        self._target = _client.resolve_target(model, base_url, api_key, mode)
        if grounding is not None and grounding not in _POLICIES:
            raise errors.ConfigurationError(f"grounding must be one of {', '.join(_POLICIES)}, not {grounding!r}")
        if max_items is not None:
            if max_items < 1:
                raise errors.ConfigurationError("max_items must be 1 or more")
            self._target = dataclasses.replace(self._target, max_items=max_items)
        self._prompt = load_prompt(prompt_version)
        self.temperature = temperature
        local = self._target.backend == "local"
        self.grounding: GroundingPolicy = grounding or ("drop" if local else "reask")
        # The local model generates about ten tokens a second on two cores.
        self.max_tokens = max_tokens or (_LOCAL_MAX_TOKENS if local else _DEFAULT_MAX_TOKENS)
        self.timeout = timeout or (900.0 if local else 120.0)
        self.seed = seed
        if max_reasks is None:
            # Each re-ask resends the answer too: a small local context fills after one.
            max_reasks = 1 if local else 2
        if max_retries < 0 or max_reasks < 0:
            raise errors.ConfigurationError("max_retries and max_reasks must be 0 or more")
        self.max_reasks = max_reasks
        # The time-out is per read; a whole request may take twice as long before it is cut (async only).
        self._policy = _client.RetryPolicy(
            max_retries=max_retries, max_wait=retry_max_wait, deadline=2 * self.timeout
        )
        self._local_context = local_context
        context = context_window or ((local_context or _LOCAL_CONTEXT) if local else _DEFAULT_CONTEXT)
        room = context - self.max_tokens - _PROMPT_TOKENS
        self.chunk_tokens = chunk_tokens or max(_MIN_CHUNK_TOKENS, min(room, 3 * self.max_tokens))
        if self.chunk_tokens < _MIN_CHUNK_TOKENS:
            raise errors.ConfigurationError(f"chunk_tokens must be {_MIN_CHUNK_TOKENS} or more")
        if max_chars is not None and max_chars < 1:
            raise errors.ConfigurationError("max_chars must be 1 or more, or None for no limit")
        self.max_chars = max_chars
        self._sync: openai.OpenAI | None = None
        self._async: openai.AsyncOpenAI | None = None

    def __repr__(self) -> str:
        t = self._target
        return f"Summarizer(model={t.model!r}, backend={t.backend!r}, endpoint={t.endpoint!r}, mode={t.mode.value!r})"

    # -- transport ---------------------------------------------------------

    def _endpoint(self) -> tuple[str | None, str]:
        """Base URL and model name to send; starts the local server on first use."""
        target = self._target
        if target.backend != "local":
            return target.base_url, target.model
        from .local import DEFAULT_CONTEXT, local_server

        server = local_server(target.model, self._local_context or DEFAULT_CONTEXT)
        if target.base_url != server.base_url:
            # A restarted server has a new port: rebuild the clients.
            self._target = dataclasses.replace(target, base_url=server.base_url)
            self._sync = self._async = None
        return server.base_url, server.alias

    def _client_kwargs(self, base_url: str | None) -> dict[str, Any]:
        return {
            "api_key": self._target.api_key,
            "base_url": base_url,
            "max_retries": 0,  # retries are ours (see client.py); never two layers
            "timeout": self.timeout,
        }

    def _request_kwargs(self, model_name: str, text: str, digest: str) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "model": model_name,
            "messages": self._prompt.messages(text, digest),
        }
        if self.temperature is not None:
            kwargs["temperature"] = self.temperature
        if self.max_tokens is not None:
            kwargs["max_tokens"] = self.max_tokens
        if self.seed is not None:
            kwargs["seed"] = self.seed
        return kwargs

    def _prepare(self, text: str, response_model: type[BaseModel] | None) -> _Call:
        text = _check_text(text)
        model_cls = response_model or ArticleSummary
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        base_url, model_name = self._endpoint()
        stats = _client.CallStats()
        return _Call(
            model_cls=model_cls,
            model_name=model_name,
            base_url=base_url,
            digest=digest,
            stats=stats,
            run=CheckedRun(text=text, policy=self.grounding, stats=stats, last_attempt=self.max_reasks + 1),
            kwargs={
                "response_model": _client.response_schema(checked_model(model_cls)),
                "strict": False,  # lax parsing: "40000" is accepted as a number
                **self._request_kwargs(model_name, text, digest),
            },
        )

    def _reasks(self, call: _Call) -> dict[str, Any]:
        def remember(state: RetryCallState) -> None:
            if state.outcome is not None and isinstance(state.outcome.exception(), _REASK_ON):
                call.invalid = state.outcome.exception()

        # Validation errors only: an API error must never be re-asked into the prompt.
        return {
            "stop": stop_after_attempt(self.max_reasks + 1),
            "retry": retry_if_exception_type(_REASK_ON),
            "after": remember,
            "reraise": True,
        }

    # -- public API --------------------------------------------------------

    @overload
    def summarize(self, text: str, *, response_model: None = None) -> ArticleSummary: ...
    @overload
    def summarize(self, text: str, *, response_model: type[T]) -> T: ...

    def summarize(self, text: str, *, response_model: type[BaseModel] | None = None) -> Any:
        """Summarize one article; raises a :class:`SummarizerError` subclass on failure."""
        chunks = self._chunks(text, response_model)
        if not chunks:
            return self._summarize_one(text, response_model)
        started = time.perf_counter()
        base_url, _ = self._endpoint()  # start a local server, and the client, once: not from each thread
        if self._sync is None:
            self._sync = openai.OpenAI(**self._client_kwargs(base_url))
        failed = threading.Event()

        def one(chunk: Chunk) -> ArticleSummary | None:
            if failed.is_set():
                return None  # an earlier chunk failed: do not pay for this one
            try:
                result: ArticleSummary = self._summarize_one(chunk.text, None)
                return result
            except Exception:
                failed.set()
                raise

        # A few threads rather than asyncio.run, which fails inside a running loop (notebooks).
        with ThreadPoolExecutor(max_workers=min(_CHUNK_CONCURRENCY, len(chunks))) as pool:
            futures = [pool.submit(one, chunk) for chunk in chunks]
        outcomes = [future.exception() or future.result() for future in futures]
        return self._merge(text, chunks, self._chunk_parts(outcomes), started)

    def _summarize_one(self, text: str, response_model: type[BaseModel] | None) -> Any:
        call = self._prepare(text, response_model)
        if self._sync is None:
            self._sync = openai.OpenAI(**self._client_kwargs(call.base_url))
        raw = _client.sync_create(self._sync, self._target, self._policy, call.stats, call.model_cls)
        create = _client.patched(raw, self._target.mode)
        token = RUN.set(call.run)
        try:
            result = create(max_retries=Retrying(**self._reasks(call)), **call.kwargs)
        except Exception as exc:  # noqa: BLE001 - translated; anything unknown is re-raised as it was
            raise self._translate(exc, call) from None
        finally:
            RUN.reset(token)
        return self._finish(result, call)

    @overload
    async def asummarize(self, text: str, *, response_model: None = None) -> ArticleSummary: ...
    @overload
    async def asummarize(self, text: str, *, response_model: type[T]) -> T: ...

    async def asummarize(self, text: str, *, response_model: type[BaseModel] | None = None) -> Any:
        """Async twin of :meth:`summarize`, on the async openai client."""
        chunks = self._chunks(text, response_model)
        if not chunks:
            return await self._asummarize_one(text, response_model)
        started = time.perf_counter()
        gate = asyncio.Semaphore(_CHUNK_CONCURRENCY)

        failed = False

        async def one(chunk: Chunk) -> ArticleSummary | None:
            nonlocal failed
            async with gate:
                if failed:
                    return None  # an earlier chunk failed: do not pay for this one
                try:
                    result: ArticleSummary = await self._asummarize_one(chunk.text, None)
                    return result
                except Exception:
                    failed = True
                    raise

        outcomes = await asyncio.gather(*(one(chunk) for chunk in chunks), return_exceptions=True)
        return self._merge(text, chunks, self._chunk_parts(list(outcomes)), started)

    @staticmethod
    def _chunk_parts(outcomes: list[Any]) -> list[ArticleSummary]:
        """Every chunk's summary; or the first chunk error, charged with what all the chunks spent.

        Chunks still waiting when one fails are never sent; those already in flight finish,
        and their tokens are the caller's to pay, so the error counts them.
        """
        failures = [o for o in outcomes if isinstance(o, BaseException)]
        if not failures:
            return list(outcomes)
        first = failures[0]
        if isinstance(first, (errors.ProviderError, errors.ModelOutputError)):
            usage, attempts, requests = Usage(), 0, 0
            for outcome in outcomes:
                if isinstance(outcome, (errors.ProviderError, errors.ModelOutputError)):
                    usage, attempts = usage + (outcome.usage or Usage()), attempts + outcome.attempts
                    requests += outcome.requests
                elif isinstance(outcome, ArticleSummary) and outcome.provenance is not None:
                    p = outcome.provenance
                    usage, attempts = usage + p.usage, attempts + p.attempts
                    requests += p.attempts + p.transient_retries
            first.usage, first.attempts, first.requests = usage, attempts, requests
        raise first

    async def _asummarize_one(self, text: str, response_model: type[BaseModel] | None) -> Any:
        if self._target.backend == "local":  # may start the server: keep the event loop free
            call = await asyncio.to_thread(self._prepare, text, response_model)
        else:
            call = self._prepare(text, response_model)
        if self._async is None:
            self._async = openai.AsyncOpenAI(**self._client_kwargs(call.base_url))
        raw = _client.async_create(self._async, self._target, self._policy, call.stats, call.model_cls)
        create = _client.patched(raw, self._target.mode)
        token = RUN.set(call.run)
        try:
            result = await create(max_retries=AsyncRetrying(**self._reasks(call)), **call.kwargs)
        except Exception as exc:  # noqa: BLE001 - translated; anything unknown is re-raised as it was
            raise self._translate(exc, call) from None
        finally:
            RUN.reset(token)
        return self._finish(result, call)

    # -- long articles -------------------------------------------------------

    def _chunks(self, text: str, response_model: type[BaseModel] | None) -> list[Chunk]:
        """The chunks of an article too long for one request; empty when it fits.

        Only ``ArticleSummary`` is merged; a user's own model is sent whole.
        """
        text = _check_text(text)
        if self.max_chars is not None and len(text) > self.max_chars:
            raise errors.InputTooLongError(
                f"the article is {len(text):,} characters, more than max_chars={self.max_chars:,} "
                f"(it would take about {-(-estimate_tokens(text) // self.chunk_tokens)} requests); nothing was sent. "
                "Check that this is the right text, or pass a larger max_chars= (None for no limit)"
            )
        if response_model not in (None, ArticleSummary) or estimate_tokens(text) <= self.chunk_tokens:
            return []
        return split_text(text, self.chunk_tokens)

    def _merge(self, text: str, chunks: list[Chunk], parts: list[ArticleSummary], started: float) -> ArticleSummary:
        """One summary whose spans refer to the whole article, and what all the chunks spent."""
        merged = merge_summaries(list(zip(chunks, parts, strict=True)))
        # Every kept item was grounded in its chunk; ground again in the whole text for
        # offsets into it (and one consistent choice among repeated quotes).
        report = ground(merged, text, policy="drop" if self.grounding == "reask" else self.grounding)
        report.policy = self.grounding
        for chunk, part in zip(chunks, parts, strict=True):
            earlier = part.grounding
            if earlier is not None:
                dropped = [i for i in earlier.issues if i.dropped]
                report.issues += [i.model_copy(update={"path": f"chunk {chunk.index}: {i.path}"}) for i in dropped]
                report.dropped += len(dropped)
        merged.grounding = report
        merged._source_text = text
        provenances = [p for p in (part.provenance for part in parts) if p is not None]
        first = provenances[0]
        usage = first.usage
        for p in provenances[1:]:
            usage = usage + p.usage
        merged.provenance = first.model_copy(
            update={
                "input_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                "usage": usage,
                "attempts": sum(p.attempts for p in provenances),
                "transient_retries": sum(p.transient_retries for p in provenances),
                "latency_s": round(time.perf_counter() - started, 4),
                "created_at": datetime.now(timezone.utc),
                "chunks": len(chunks),
            }
        )
        return merged

    def cache_key(self, text: str, response_model: type[BaseModel] | None = None) -> str:
        """sha256 naming this article under every setting that can change its answer (see cache.py)."""
        model_cls = response_model or ArticleSummary
        target = self._target
        parts = {
            "input_sha256": hashlib.sha256(_check_text(text).encode("utf-8")).hexdigest(),
            "model": target.model,
            "endpoint": "local" if target.backend == "local" else target.endpoint,  # local ports change
            "backend": target.backend,
            "mode": target.mode.value,
            "strict_tools": target.strict_tools,
            "max_items": target.max_items,
            "prompt": [self._prompt.version, self._prompt.sha256],
            "schema": [_schema_version(model_cls), _schema_sha256(model_cls)],
            "response_model": f"{model_cls.__module__}.{model_cls.__qualname__}",
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "seed": self.seed,
            "grounding": [self.grounding, self.max_reasks],
            "chunk_tokens": self.chunk_tokens,
        }
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()

    def close(self) -> None:
        if self._sync is not None:
            self._sync.close()
            self._sync = None

    async def aclose(self) -> None:
        if self._async is not None:
            await self._async.close()
            self._async = None
        self.close()

    def __enter__(self) -> Summarizer:  # noqa: PYI034
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    async def __aenter__(self) -> Summarizer:  # noqa: PYI034
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # -- results and errors --------------------------------------------------

    def _finish(self, result: BaseModel, call: _Call) -> BaseModel:
        answer, result = result, restore(result, call.model_cls)
        report = call.run.report
        if report is not None:
            report._flagged = [result if item is answer else item for item in report._flagged]
            _attach(result, "grounding", _REPORT_ATTR, report)
        stats = call.stats
        provenance = Provenance(
            model=call.model_name,
            endpoint=self._target.endpoint,
            backend=self._target.backend,
            mode=self._target.mode.value,
            prompt_version=self._prompt.version,
            prompt_sha256=self._prompt.sha256,
            schema_version=_schema_version(call.model_cls),
            input_sha256=call.digest,
            usage=stats.usage,
            attempts=stats.attempts,
            transient_retries=stats.transient_retries,
            latency_s=round(time.perf_counter() - call.started, 4),
            created_at=datetime.now(timezone.utc),
            library_version=__version__,
        )
        _attach(result, "provenance", _PROVENANCE_ATTR, provenance)
        if isinstance(result, ArticleSummary):
            result._source_text = call.run.text  # for reports (report.py); never dumped
        return result

    def _translate(self, exc: Exception, call: _Call) -> Exception:
        """Map whatever instructor or openai raised to our hierarchy, with usage attached."""
        stats = call.stats
        cause: BaseException = exc
        if isinstance(exc, InstructorRetryException) and exc.__cause__ is not None:
            cause = exc.__cause__
        raw = _client.raw_output(stats.last_response)
        if isinstance(cause, errors.ModelOutputError):
            cause.usage, cause.attempts, cause.requests = stats.usage, stats.attempts, stats.requests
            return cause
        if isinstance(cause, errors.ContextLengthError) and call.invalid is not None:
            # The re-ask, which resends the invalid answer, no longer fits: report that answer.
            return self._invalid(call.invalid, call, raw, "; re-asking again would exceed the model's context")
        if isinstance(cause, errors.SummarizerError):
            return cause
        if isinstance(cause, IncompleteOutputException):
            return errors.TruncationError(
                "the model hit its output limit (finish_reason='length'); raise max_tokens",
                raw_output=raw, usage=stats.usage, attempts=stats.attempts, requests=stats.requests,
            )
        if isinstance(cause, _REASK_ON):
            return self._invalid(cause, call, raw)
        # Anything else is a bug, not a model failure: let the original surface.
        return cause if isinstance(cause, Exception) else exc

    @staticmethod
    def _invalid(cause: BaseException, call: _Call, raw: str | None, note: str = "") -> errors.OutputValidationError:
        stats = call.stats
        lines = _client.format_validation(cause)
        shown = "; ".join(lines[:5]) + (f"; and {len(lines) - 5} more" if len(lines) > 5 else "")
        return errors.OutputValidationError(
            f"the model's output failed the {call.model_cls.__name__} "
            f"schema after {stats.attempts} attempt(s): {shown}{note}",
            errors=lines, raw_output=raw, usage=stats.usage, attempts=stats.attempts, requests=stats.requests,
        )


@overload
def summarize(
    text: str, *, response_model: type[T], model: str | None = ..., base_url: str | None = ..., **options: Any
) -> T: ...
@overload
def summarize(
    text: str, *, response_model: None = None, model: str | None = ..., base_url: str | None = ..., **options: Any
) -> ArticleSummary: ...


def summarize(
    text: str,
    *,
    response_model: type[BaseModel] | None = None,
    model: str | None = None,
    base_url: str | None = None,
    **options: Any,
) -> Any:
    """Summarize one article. ``options`` are :class:`Summarizer`'s keyword arguments."""
    _check_text(text)  # fail before any configuration or server start-up
    with Summarizer(model, base_url=base_url, **options) as summarizer:
        return summarizer.summarize(text, response_model=response_model)


@overload
async def asummarize(
    text: str, *, response_model: type[T], model: str | None = ..., base_url: str | None = ..., **options: Any
) -> T: ...
@overload
async def asummarize(
    text: str, *, response_model: None = None, model: str | None = ..., base_url: str | None = ..., **options: Any
) -> ArticleSummary: ...


async def asummarize(
    text: str,
    *,
    response_model: type[BaseModel] | None = None,
    model: str | None = None,
    base_url: str | None = None,
    **options: Any,
) -> Any:
    """Async twin of :func:`summarize`."""
    _check_text(text)
    async with Summarizer(model, base_url=base_url, **options) as summarizer:
        return await summarizer.asummarize(text, response_model=response_model)
