"""How much of an answer is read: a bound derived from ``max_tokens``, enforced while the body arrives.

A chat completion cannot be larger than its ``max_tokens`` allow, so a body far past
that is not an answer (a gateway's dump, a hostile server) and is never read whole:
the HTTP client's response hook wraps the body stream, which stops at the bound and
raises :class:`~summarizer.errors.NotACompletion`, retried like any glitch and never
sent to the model as a re-ask. Bodies are asked for uncompressed
(``Accept-Encoding: identity``); one sent gzip- or deflate-compressed anyway is bounded
after decompression too, so a small compressed bomb cannot fill memory.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import Any

import httpx2

from ..errors import NotACompletion

__all__ = ["BYTES_PER_TOKEN", "HEADERS", "answer_limit", "async_hooks", "sync_hooks"]

BYTES_PER_TOKEN = 64
"""Room per output token: a token is rarely over 16 characters, and JSON inside JSON escapes
each non-ASCII character as seven bytes (``\\\\u0430``)."""
_ROOM = 64 * 1024  # ids, usage, headers of the completion object around the answer

HEADERS = {"Accept-Encoding": "identity"}
"""Asked of every server: an uncompressed body is bounded by the bytes that arrive."""


def answer_limit(max_tokens: int) -> int:
    """The most bytes of a response body read for one request of ``max_tokens`` (320 KiB for 4096)."""
    return _ROOM + BYTES_PER_TOKEN * max_tokens


def _too_large(limit: int) -> NotACompletion:
    return NotACompletion(
        f"a 200 whose body is larger than {limit:,} bytes, more than max_tokens allows an answer"
    )


class _Meter:
    """Counts the body's bytes, decompressed if the server compressed it, and stops at the limit."""

    def __init__(self, limit: int, encoding: str) -> None:
        self.limit = limit
        self.seen = 0
        kind = encoding.strip().lower()
        self._inflate = zlib.decompressobj(47 if kind == "gzip" else zlib.MAX_WBITS) if kind in ("gzip", "deflate") else None

    def count(self, chunk: bytes) -> None:
        if self._inflate is None:
            self.seen += len(chunk)
        else:  # never more than the limit is inflated at once
            data = chunk
            while data and self.seen <= self.limit:
                try:
                    self.seen += len(self._inflate.decompress(data, self.limit + 1 - self.seen))
                except zlib.error:
                    return  # the client's own decoder will say it is broken
                data = self._inflate.unconsumed_tail
        if self.seen > self.limit:
            raise _too_large(self.limit)


def _meter(response: httpx2.Response, limit: int) -> _Meter:
    declared = response.headers.get("content-length", "")
    encoding = response.headers.get("content-encoding", "")
    if declared.isdigit() and int(declared) > limit and encoding in ("", "identity"):
        raise _too_large(limit)  # said up front: nothing of it is read
    return _Meter(limit, encoding)


class _SyncBounded(httpx2.SyncByteStream):
    def __init__(self, stream: httpx2.SyncByteStream, meter: _Meter) -> None:
        self._stream = stream
        self._meter = meter

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._stream:
            self._meter.count(chunk)
            yield chunk

    def close(self) -> None:
        self._stream.close()


class _AsyncBounded(httpx2.AsyncByteStream):
    def __init__(self, stream: httpx2.AsyncByteStream, meter: _Meter) -> None:
        self._stream = stream
        self._meter = meter

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            self._meter.count(chunk)
            yield chunk

    async def aclose(self) -> None:
        await self._stream.aclose()


def sync_hooks(limit: int) -> dict[str, list[Callable[[httpx2.Response], None]]]:
    """``event_hooks`` for an ``httpx2.Client``: every response body bounded by ``limit`` bytes."""

    def bound(response: httpx2.Response) -> None:
        stream = response.stream
        assert isinstance(stream, httpx2.SyncByteStream)
        response.stream = _SyncBounded(stream, _meter(response, limit))

    return {"response": [bound]}


def async_hooks(limit: int) -> dict[str, list[Callable[[httpx2.Response], Coroutine[Any, Any, None]]]]:
    """``event_hooks`` for an ``httpx2.AsyncClient``: every response body bounded by ``limit`` bytes."""

    async def bound(response: httpx2.Response) -> None:
        stream = response.stream
        assert isinstance(stream, httpx2.AsyncByteStream)
        response.stream = _AsyncBounded(stream, _meter(response, limit))

    return {"response": [bound]}
