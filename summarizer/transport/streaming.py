"""A streamed answer, put back together as the chat completion the server would have sent whole.

When someone listens to the call's progress (:mod:`summarizer.progress`), the raw
create (:mod:`summarizer.transport.http`) sends its request with ``stream=True``. The
chunks are reported as they arrive and put back together here into the one chat
completion the server would have sent whole, so that everything above (instructor's
parse, re-asks, grounding, the budget, truncation and refusals) reads it exactly as
it reads an answer sent whole. A stream that ends before its answer did (no
``finish_reason``) is not a chat completion: it is retried like a connection lost
mid-body. The body read is bounded per request (:func:`stream_limit`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx2
import openai

from ..errors import NotACompletion
from ..progress import Tracker
from .limits import answer_limit
from .stats import CallStats

__all__ = ["STREAM_BYTES_PER_TOKEN", "astream_answer", "stream_answer", "stream_limit"]

STREAM_BYTES_PER_TOKEN = 512
"""Room per output token in a streamed body: each token comes in its own event, with the
completion's id, model, timestamps and field names around it (about 250 bytes at OpenAI
and llama.cpp's server)."""


def stream_limit(max_tokens: int) -> int:
    """The most bytes of a streamed response body read for one request of ``max_tokens`` (2.3 MiB for 4096).

    The answer put back together is still held to :func:`~summarizer.transport.limits.answer_limit`.
    """
    return answer_limit(max_tokens) + STREAM_BYTES_PER_TOKEN * max_tokens


@dataclass
class _Answer:
    """A streamed answer put back together, chunk by chunk, as the chat completion the server would have sent whole."""

    limit: int
    id: str = ""
    model: str = ""
    created: int = 0
    system_fingerprint: str | None = None
    content: list[str] = field(default_factory=list)
    refusal: list[str] = field(default_factory=list)
    calls: dict[int, dict[str, str]] = field(default_factory=dict)
    function: dict[str, str] | None = None  # a legacy function_call
    finish_reason: str | None = None
    usage: Any = None
    choices: int = 0  # chunks that carried the first choice
    size: int = 0

    def add(self, chunk: Any) -> tuple[str, str, int | None]:
        """Take one chunk; return its content and tool-call argument deltas, and the server's token count if given."""
        self.id = self.id or str(getattr(chunk, "id", "") or "")
        self.model = self.model or str(getattr(chunk, "model", "") or "")
        self.created = self.created or int(getattr(chunk, "created", 0) or 0)
        self.system_fingerprint = self.system_fingerprint or getattr(chunk, "system_fingerprint", None)
        usage = getattr(chunk, "usage", None)
        if usage is not None:
            self.usage = usage
        content, arguments = "", ""
        for choice in getattr(chunk, "choices", None) or []:
            if getattr(choice, "index", 0) != 0:  # one answer is asked for (n=1)
                continue
            self.choices += 1
            self.finish_reason = getattr(choice, "finish_reason", None) or self.finish_reason
            delta = getattr(choice, "delta", None)
            if delta is None:
                continue
            said = _text(getattr(delta, "content", None))
            content += said
            self.content.append(said)
            self.refusal.append(_text(getattr(delta, "refusal", None)))
            for call in getattr(delta, "tool_calls", None) or []:
                whole = self.calls.setdefault(int(getattr(call, "index", 0) or 0), {"id": "", "name": "", "arguments": ""})
                whole["id"] = whole["id"] or _text(getattr(call, "id", None))
                function = getattr(call, "function", None)
                whole["name"] += _text(getattr(function, "name", None))
                piece = _text(getattr(function, "arguments", None))
                whole["arguments"] += piece
                arguments += piece
            legacy = getattr(delta, "function_call", None)
            if legacy is not None:
                self.function = self.function or {"name": "", "arguments": ""}
                self.function["name"] += _text(getattr(legacy, "name", None))
                piece = _text(getattr(legacy, "arguments", None))
                self.function["arguments"] += piece
                arguments += piece
        self.size += len(content.encode("utf-8", "surrogatepass")) + len(arguments.encode("utf-8", "surrogatepass"))
        if self.size > self.limit:
            raise NotACompletion(f"a streamed answer larger than {self.limit:,} bytes, more than max_tokens allows")
        return content, arguments, getattr(usage, "completion_tokens", None) if usage is not None else None

    def completion(self) -> openai.types.chat.ChatCompletion:
        """The chat completion, built as the openai client builds one it is sent whole (not validated)."""
        if not self.choices:
            raise NotACompletion("a stream without choices")
        if self.finish_reason is None:  # closed before the answer was: retried like a connection lost mid-body
            raise NotACompletion("a stream that ended before its answer did (no finish_reason)")
        message: dict[str, Any] = {"role": "assistant", "content": "".join(self.content) or None}
        if any(self.refusal):
            message["refusal"] = "".join(self.refusal)
        if self.calls:
            message["tool_calls"] = [
                {"id": call["id"], "type": "function", "function": {"name": call["name"], "arguments": call["arguments"]}}
                for _, call in sorted(self.calls.items())
            ]
        if self.function is not None:
            message["function_call"] = self.function
        usage = self.usage.model_dump() if hasattr(self.usage, "model_dump") else self.usage
        return openai.types.chat.ChatCompletion.construct(
            id=self.id,
            object="chat.completion",
            created=self.created,
            model=self.model,
            system_fingerprint=self.system_fingerprint,
            choices=[{"index": 0, "finish_reason": self.finish_reason, "message": message, "logprobs": None}],
            usage=usage,
        )


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _is_event_stream(response: httpx2.Response) -> bool:
    return response.headers.get("content-type", "").split(";")[0].strip().lower() == "text/event-stream"


def _whole(data: Any) -> Any:
    """A server that ignored ``stream=True`` and sent the answer whole: read as the client reads one."""
    if not isinstance(data, dict):
        raise NotACompletion(str(data))
    return openai.types.chat.ChatCompletion.construct(**data)


@contextmanager
def _reading(response: httpx2.Response) -> Iterator[None]:
    """The transport's failures while a stream is read, as the openai client reports them for a body read whole."""
    try:
        yield
    except httpx2.TimeoutException:
        raise openai.APITimeoutError(request=response.request) from None
    except httpx2.RequestError as exc:
        raise openai.APIConnectionError(request=response.request) from exc


def stream_answer(client: openai.OpenAI, args: Any, body: dict[str, Any], progress: Tracker, stats: CallStats) -> Any:
    """Send ``body`` streamed; report each chunk; return the answer whole."""
    progress.begin(stats.attempts + 1)
    answer = _Answer(answer_limit(int(body.get("max_tokens") or 0)))
    with client.chat.completions.create(*args, **body) as stream, _reading(stream.response):
        if not _is_event_stream(stream.response):
            return _whole(json.loads(stream.response.read()))
        for chunk in stream:
            progress.chunk(*answer.add(chunk))
    whole = answer.completion()
    progress.end()
    return whole


async def astream_answer(
    client: openai.AsyncOpenAI, args: Any, body: dict[str, Any], progress: Tracker, stats: CallStats
) -> Any:
    """The async twin of :func:`stream_answer`."""
    progress.begin(stats.attempts + 1)
    answer = _Answer(answer_limit(int(body.get("max_tokens") or 0)))
    stream = await client.chat.completions.create(*args, **body)
    async with stream:
        with _reading(stream.response):
            if not _is_event_stream(stream.response):
                return _whole(json.loads(await stream.response.aread()))
            async for chunk in stream:
                progress.chunk(*answer.add(chunk))
    whole = answer.completion()
    progress.end()
    return whole
