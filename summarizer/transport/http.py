"""The raw ``create`` that instructor wraps: one HTTP request, its transient retries, and what it spent.

Every provider is reached the same way: an ``openai`` client pointed at a base URL,
its own retries off (``max_retries=0``) so that retry layers never multiply. Here,
transient failures of one request (429, 408, 409, 5xx, time-outs, lost connections,
a 200 that is not a chat completion) are retried with tenacity: exponential backoff
with jitter, or the wait a ``Retry-After`` asks for, capped. What comes back is
counted in :class:`CallStats` and stopped at once when it is truncated or refused:
re-asking would only burn tokens. Invalid output is the other layer's business
(instructor's re-asks, see :mod:`summarizer.transport.structured`).

When someone listens to the call's progress (:mod:`summarizer.progress`), the same
request is sent with ``stream=True`` (and ``stream_options.include_usage``, which OpenAI
and the embedded llama.cpp server both take; a server that rejects it is asked again
without it, and never sent it again); :mod:`summarizer.transport.streaming` reads the
stream back into the one chat completion the server would have sent whole.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import math
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

import openai
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_random_exponential,
)

from .. import errors
from ..budget import Ticket, metered
from ..config import Target
from ..errors import NotACompletion, Stalled
from ..progress import Tracker
from .provider_errors import is_transient, provider_error
from .redact import redact
from .stats import CallStats
from .streaming import astream_answer, stream_answer

__all__ = [
    "RetryPolicy",
    "async_create",
    "capture_create",
    "raw_output",
    "replay_create",
    "sync_create",
]

Shape = Callable[[dict[str, Any]], dict[str, Any]]
"""Adjusts the request instructor built (on a copy) before it is sent."""


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 4
    max_wait: float = 30.0
    max_total: float = 300.0
    deadline: float | None = None  # for one whole request, on the async client (see async_create)


def _seconds(value: str, scale: float = 1.0) -> float | None:
    """A finite, non-negative number of seconds, or None (words, NaN, infinity and negatives are ignored)."""
    try:
        seconds = float(value.strip()) * scale
    except (ValueError, AttributeError):
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def _retry_after(exc: BaseException | None) -> float | None:
    """The wait a server asks for, when it asks in a form we can read; anything else is ignored, never raised."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    if (ms := headers.get("retry-after-ms")) is not None and (seconds := _seconds(ms, 0.001)) is not None:
        return seconds
    value = headers.get("retry-after")
    if not value:
        return None
    if (seconds := _seconds(value)) is not None:
        return seconds
    try:
        parsed = email.utils.parsedate_to_datetime(value)
        wait = parsed.timestamp() - time.time()
    except (TypeError, ValueError, IndexError, OverflowError):  # "soon", a bad date, a naive or absurd one
        return None
    return max(wait, 0.0) if math.isfinite(wait) else None


class _WaitRetryAfter:
    """Exponential backoff with jitter, unless the server says how long to wait."""

    def __init__(self, max_wait: float) -> None:
        self._max_wait = max_wait
        self._backoff = wait_random_exponential(multiplier=0.5, max=max_wait)

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        hinted = _retry_after(exc)
        if hinted is not None:
            return min(hinted, self._max_wait)
        return self._backoff(state)


def _transient_kwargs(policy: RetryPolicy, stats: CallStats) -> dict[str, Any]:
    def count(_state: RetryCallState) -> None:
        stats.transient_retries += 1

    return {
        "retry": retry_if_exception(is_transient),
        "stop": stop_after_attempt(policy.max_retries + 1) | stop_after_delay(policy.max_total),
        "wait": _WaitRetryAfter(policy.max_wait),
        "before_sleep": count,
        "reraise": True,
    }


_UNREADABLE = (json.JSONDecodeError, UnicodeDecodeError, RecursionError)
"""What the openai client raises on a 200 it cannot read: no JSON, no UTF-8, or nested past Python's stack."""


@contextmanager
def _readable() -> Iterator[None]:
    """A body the client cannot parse or that is too large is the provider's fault, like an HTML error page: never a re-ask."""
    try:
        yield
    except _UNREADABLE as exc:
        raise NotACompletion(f"a 200 whose body cannot be read ({type(exc).__name__})") from None
    except openai.APIConnectionError as exc:
        if isinstance(exc.__cause__, NotACompletion):  # a body past the bound (see limits.py), stopped mid-read
            raise exc.__cause__ from None
        raise


def _check_shape(response: Any, stats: CallStats) -> Any:
    """Let only a chat completion with a choice through; anything else is retried like a 502.

    Given an HTML error page, the openai client returns a str, and instructor would
    re-ask the model about "no choices": a paid request that cannot help.
    """
    if getattr(response, "choices", None):
        return response
    stats.add_usage(response)  # a completion without choices may still have been billed
    raise NotACompletion(response)


def _accept(response: Any, stats: CallStats, max_tokens: int | None = None, secret: str | None = None) -> Any:
    """Count the answer, then stop at once on truncation or refusal: re-asking would only burn tokens.

    An answer that used all of ``max_tokens`` is truncated whatever its ``finish_reason``
    says: llama-cpp-python's server reports "tool_calls" for a call cut off at the limit,
    and re-asking with the cut-off answer appended overflows a small context.
    """
    stats.record(response)
    choice = response.choices[0]  # _check_shape let only answers with a choice through
    refusal = getattr(choice.message, "refusal", None)
    if refusal:
        refusal = redact(str(refusal), secret)  # a refusal can quote the request, headers and all
        raise errors.RefusalError(f"the model refused to answer: {refusal}", refusal=refusal, raw_output=refusal)
    used = getattr(getattr(response, "usage", None), "completion_tokens", None) or 0
    if choice.finish_reason == "length" or (max_tokens and used >= max_tokens):
        raise errors.TruncationError(
            f"the model hit its output limit before finishing the JSON (finish_reason={choice.finish_reason!r}, "
            f"{used} of max_tokens={max_tokens} used); raise max_tokens or shorten the article",
            raw_output=raw_output(response, secret),
        )
    if choice.finish_reason == "content_filter":
        raise errors.RefusalError(
            "the provider's content filter stopped the answer (finish_reason='content_filter'); asking "
            "again would be filtered again: check the article, or use another model",
            refusal="content_filter", raw_output=raw_output(response, secret),
        )
    return response


def raw_output(response: Any, secret: str | None = None) -> str | None:
    """The text the model produced: tool-call arguments if any, else the content.

    A legacy ``function_call`` counts as a tool call: instructor validates its arguments
    too, so an error must show them rather than the empty content beside them.
    """
    choices = getattr(response, "choices", None) or []
    if not choices:
        return None
    message = choices[0].message
    calls = [getattr(call, "function", None) for call in getattr(message, "tool_calls", None) or []]
    for function in [*calls, getattr(message, "function_call", None)]:
        if function is not None and function.arguments:
            return redact(str(function.arguments), secret)
    content = getattr(message, "content", None)
    return redact(content, secret) if isinstance(content, str) else content


@contextmanager
def _one_try(stats: CallStats, body: dict[str, Any] | None = None) -> Iterator[Ticket | None]:
    """One HTTP request: charged to the run's budget first (see :mod:`summarizer.budget`), then counted.

    A request the server answered with an error status was not billed: it costs no
    tokens. One whose answer was lost or unreadable may have been: it costs its bound.
    """
    with metered(body) if body is not None else nullcontext() as ticket:
        stats.requests += 1
        stats.tries += 1
        try:
            yield ticket
        except BaseException as exc:
            if ticket is not None and not isinstance(exc, openai.APIStatusError):
                ticket.settle(None)
            raise


def _settled(ticket: Ticket | None, response: Any) -> Any:
    return ticket.settle(response) if ticket is not None else response


@contextmanager
def _translated(target: Target, stats: CallStats) -> Iterator[None]:
    """Provider failures become our errors here, before instructor logs them: provider messages can echo the key."""
    stats.tries = 0
    try:
        yield
    except (openai.APIError, NotACompletion, Stalled) as exc:
        raise provider_error(exc, target, stats) from None
    except errors.BudgetExhaustedError as exc:  # what this call spent before the budget ran out
        exc.usage, exc.attempts, exc.requests = stats.usage, stats.attempts, stats.requests
        raise


# -- streamed requests: stream_options, unless the endpoint refused it ---------------------

_WITHOUT_STREAM_OPTIONS: set[str] = set()
"""Endpoints (host and port) that refused ``stream_options``: never sent it again in this process."""


def _stream_body(kwargs: dict[str, Any], target: Target) -> dict[str, Any]:
    body = {**kwargs, "stream": True}
    if target.endpoint not in _WITHOUT_STREAM_OPTIONS:
        body["stream_options"] = {"include_usage": True}  # else a stream reports no usage at all
    return body


def _refused_stream_options(exc: openai.APIStatusError, body: dict[str, Any], target: Target) -> bool:
    """A 400 or 422 naming ``stream_options``: the server does not know it (it is remembered, not sent again)."""
    refused = "stream_options" in body and exc.status_code in (400, 422) and "stream_options" in str(
        exc.body if exc.body is not None else exc.message
    )
    if refused:
        _WITHOUT_STREAM_OPTIONS.add(target.endpoint)
    return refused


# -- the raw creates ------------------------------------------------------------------------


def sync_create(
    client: openai.OpenAI,
    target: Target,
    policy: RetryPolicy,
    stats: CallStats,
    shape: Shape,
    progress: Tracker | None = None,
) -> Callable[..., Any]:
    """The raw ``create`` that instructor wraps, with transient retries and bookkeeping (streamed for ``progress``)."""

    def send(args: Any, body: dict[str, Any]) -> Any:
        for attempt in Retrying(**_transient_kwargs(policy, stats)):
            with attempt, _one_try(stats, body) as ticket, _readable():
                sent = client.chat.completions.create(*args, **body) if progress is None else stream_answer(
                    client, args, body, progress, stats
                )
                response = _check_shape(_settled(ticket, sent), stats)
        return response

    def create(*args: Any, **kwargs: Any) -> Any:
        kwargs = shape(kwargs)
        with _translated(target, stats):
            if progress is None:
                response = send(args, kwargs)
            else:
                body = _stream_body(kwargs, target)
                try:
                    response = send(args, body)
                except openai.APIStatusError as exc:
                    if not _refused_stream_options(exc, body, target):
                        raise
                    response = send(args, _stream_body(kwargs, target))
        return _accept(response, stats, kwargs.get("max_tokens"), target.api_key)

    return create


def async_create(
    client: openai.AsyncOpenAI,
    target: Target,
    policy: RetryPolicy,
    stats: CallStats,
    shape: Shape,
    progress: Tracker | None = None,
) -> Callable[..., Awaitable[Any]]:
    """The async twin of :func:`sync_create`, with a deadline on each whole request (a streamed one included)."""

    async def one_request(args: Any, body: dict[str, Any]) -> Any:
        # httpx's time-out is per read: a server trickling its answer a byte at a time
        # never trips it. A whole-request deadline bounds that, here where asyncio can.
        sending = client.chat.completions.create(*args, **body) if progress is None else astream_answer(
            client, args, body, progress, stats
        )
        try:
            return await asyncio.wait_for(sending, policy.deadline)
        except asyncio.TimeoutError:
            raise Stalled(f"no complete answer within {policy.deadline:g} s") from None

    async def send(args: Any, body: dict[str, Any]) -> Any:
        async for attempt in AsyncRetrying(**_transient_kwargs(policy, stats)):
            with attempt, _one_try(stats, body) as ticket, _readable():
                response = _check_shape(_settled(ticket, await one_request(args, body)), stats)
        return response

    async def create(*args: Any, **kwargs: Any) -> Any:
        kwargs = shape(kwargs)
        with _translated(target, stats):
            if progress is None:
                response = await send(args, kwargs)
            else:
                body = _stream_body(kwargs, target)
                try:
                    response = await send(args, body)
                except openai.APIStatusError as exc:
                    if not _refused_stream_options(exc, body, target):
                        raise
                    response = await send(args, _stream_body(kwargs, target))
        return _accept(response, stats, kwargs.get("max_tokens"), target.api_key)

    return create


def capture_create(shape: Shape) -> Callable[..., Any]:
    """A ``create`` that sends nothing: it raises :class:`~summarizer.errors.RequestCaptured` with the request.

    The request is the one a live call would send, built by instructor and shaped the
    same way: what a batch file's line carries.
    """

    def create(*args: Any, **kwargs: Any) -> Any:
        raise errors.RequestCaptured(shape(kwargs))

    return create


def replay_create(completion: Any, target: Target, stats: CallStats) -> Callable[..., Any]:
    """A ``create`` that answers with a recorded chat completion (a batch's answer), once.

    It is counted, and stopped on truncation or refusal, as a live answer is; a body
    that is not a chat completion is the provider's failure. There is no second
    answer: a batch cannot be re-asked.
    """
    answered = False

    def create(*args: Any, **kwargs: Any) -> Any:
        nonlocal answered
        with _translated(target, stats), _one_try(stats):
            if answered:
                raise NotACompletion("a batch has one answer per request: it cannot be re-asked")
            answered = True
            try:
                response = openai.types.chat.ChatCompletion.model_validate(completion)
            except ValueError:  # pydantic's ValidationError: not the shape of a chat completion
                shown = redact(str(completion), target.api_key)  # before the cut, which could keep half a key
                raise NotACompletion(shown[:80]) from None
            response = _check_shape(response, stats)
        return _accept(response, stats, kwargs.get("max_tokens"), target.api_key)

    return create
