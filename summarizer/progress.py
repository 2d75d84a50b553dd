"""Progress of one model call while its answer streams in: tokens, speed, and each list item as it completes.

Nothing streams unless someone listens: ``summarize(text, on_progress=callback)`` (and
its async twin) sets the callback in a context variable for the call, the raw create
(:mod:`summarizer.transport.http`) then asks the server for a stream, feeds each chunk
to a :class:`Tracker`, and hands instructor the answer put back together as one
ordinary chat completion. The parse, re-asks, grounding, retries and budgets are
those of an answer sent whole.

Each list item (a claim, a figure, an actor, a condition) is checked against the article
as soon as the partial JSON shows it complete, so a caller can show it early; the
summary returned is still checked as a whole, as always. Events are rate-limited:
one when each request is sent (no tokens yet), then at most ~10 token events a second,
plus one per completed item, plus one as soon as the first chunk arrives.

A callback that raises is warned about once (``RuntimeWarning``) and not called again
for that call; the summary goes on. ``KeyboardInterrupt`` and other
``BaseException``\\ s still stop the call.
"""

from __future__ import annotations

import time
import typing
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic_core import from_json

from .grounding import ground
from .grounding.cite import Citable, cited_model, fill_item
from .schema import Evidence

__all__ = ["Progress", "ProgressCallback", "Tracker", "current", "reporting", "track"]

_TOKEN_EVENT_GAP = 0.1  # seconds: at most ~10 token events a second (item events are never held back)
_ITEM_MARKS = frozenset("{}[],")  # a delta without one of these cannot complete an item or close a list


@dataclass(frozen=True)
class Progress:
    """One progress event of a model call.

    ``tokens`` counts what the current answer has streamed so far: content deltas
    received, or the server's completion token count once it gives one (never lower).
    ``items`` counts the answer's list items seen complete so far (valid or not).
    When an item has just completed, ``item`` is it, already checked against the
    article (its ``checks``, and ``grounding_error`` if it failed), or None when it
    could not be read as an item; ``list_name`` names its list ("figures").
    A re-ask (or a transient retry) starts a new answer: ``attempt`` counts the model's
    answers (1 for the first) and ``tokens`` and ``items`` start again from zero.
    """

    tokens: int
    tokens_per_second: float
    items: int
    elapsed_s: float  # since the model call started (re-asks included)
    item: BaseModel | None = None
    list_name: str | None = None
    attempt: int = 1


ProgressCallback = Callable[[Progress], object]
"""What ``on_progress`` takes: called with each :class:`Progress`, from the thread or event loop running the call."""

_SINK: ContextVar[ProgressCallback | None] = ContextVar("summarizer_progress", default=None)


@contextmanager
def reporting(callback: ProgressCallback | None) -> Iterator[None]:
    """Send the progress of the model calls made inside to ``callback`` (None: none is reported).

    ``summarize(on_progress=...)`` uses it for its one call; the command line for its
    one article. Calls made in threads started inside do not inherit it.
    """
    token = _SINK.set(callback)
    try:
        yield
    finally:
        _SINK.reset(token)


def current() -> ProgressCallback | None:
    """The callback set by :func:`reporting` around this call, if any."""
    return _SINK.get()


def _item_class(annotation: Any) -> type[BaseModel] | None:
    """``X`` for a field annotated ``list[X]`` (or ``list[X] | None``) with ``X`` a model; else None."""
    if typing.get_origin(annotation) is list:
        (element,) = typing.get_args(annotation) or (None,)
        return element if isinstance(element, type) and issubclass(element, BaseModel) else None
    for arg in typing.get_args(annotation):
        found = _item_class(arg) if typing.get_origin(arg) is list else None
        if found is not None:
            return found
    return None


class Tracker:
    """One call's progress: fed each streamed chunk by the raw create, it reports to the callback.

    ``lists`` maps each list field of the answer to the class its items are read with
    (in a cited mode, the cited twin's); ``check`` turns one item's JSON into the
    checked item, or None.
    """

    def __init__(
        self,
        callback: ProgressCallback,
        lists: dict[str, type[BaseModel]],
        check: Callable[[type[BaseModel], Any], BaseModel | None],
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._callback: ProgressCallback | None = callback
        self._lists = lists
        self._check = check
        self._clock = clock
        self._started = clock()
        self.begin(1, announce=False)

    def begin(self, attempt: int, *, announce: bool = True) -> None:
        """A request is sent: a new answer starts (the first, a re-ask or a retry), announced by an event with no
        tokens yet (a server reads the whole prompt before its first token: seconds on a small machine)."""
        self._attempt = attempt
        self._answer_started = self._clock()
        self._content: list[str] = []
        self._arguments: list[str] = []
        self._deltas = 0
        self._server_tokens: int | None = None
        self._chunks = 0
        self._items = 0
        self._done: dict[str, int] = {}
        self._last_event: float | None = None
        self._reported_tokens = -1
        if announce:
            self._emit()

    def chunk(self, content: str, arguments: str, completion_tokens: int | None = None) -> None:
        """One streamed chunk: its content and tool-call argument deltas, and the server's token count if given."""
        self._chunks += 1
        for delta, parts in ((content, self._content), (arguments, self._arguments)):
            if delta:
                self._deltas += 1
                parts.append(delta)
        if completion_tokens:
            self._server_tokens = completion_tokens
        if _ITEM_MARKS.intersection(content) or _ITEM_MARKS.intersection(arguments):
            self._find_items()
        now = self._clock()
        if self._chunks == 1 or self._last_event is None or now - self._last_event >= _TOKEN_EVENT_GAP:
            self._emit()

    def end(self) -> None:
        """The stream ended: a last token event if the count moved since the one before."""
        self._find_items()
        if self._tokens() != self._reported_tokens:
            self._emit()

    def _tokens(self) -> int:
        return max(self._deltas, self._server_tokens or 0)

    def _find_items(self) -> None:
        """Report every list item the partial JSON shows complete: a later item, or the list's close, has appeared."""
        text = "".join(self._arguments or self._content)
        start = text.find("{")
        if start < 0:
            return
        body = text[start:]
        try:
            parsed = from_json(body, allow_partial=True)
        except ValueError:
            return
        if not isinstance(parsed, dict):
            return
        try:  # the whole answer has arrived (anything after its last brace, a fence, aside): every list is closed
            from_json(body[: body.rfind("}") + 1])
            complete = True
        except ValueError:
            complete = False
        keys = list(parsed)
        for i, name in enumerate(keys):
            value = parsed[name]
            if name not in self._lists or not isinstance(value, list):
                continue
            closed = complete or i < len(keys) - 1  # a later field has begun
            done = len(value) if closed else len(value) - 1
            for j in range(self._done.get(name, 0), done):
                self._done[name] = j + 1
                self._items += 1
                self._emit(self._checked(name, value[j]), name)

    def _checked(self, name: str, data: Any) -> BaseModel | None:
        try:
            return self._check(self._lists[name], data)
        except Exception:  # noqa: BLE001 - checking an item early must never break the stream
            return None

    def _emit(self, item: BaseModel | None = None, list_name: str | None = None) -> None:
        now = self._clock()
        tokens = self._tokens()
        seconds = now - self._answer_started
        self._last_event = now
        self._reported_tokens = tokens
        callback = self._callback
        if callback is None:
            return
        event = Progress(
            tokens=tokens,
            tokens_per_second=round(tokens / seconds, 2) if seconds > 0 else 0.0,
            items=self._items,
            elapsed_s=round(now - self._started, 3),
            item=item,
            list_name=list_name,
            attempt=self._attempt,
        )
        try:
            callback(event)
        except Exception as exc:  # noqa: BLE001 - the summary goes on; the failure is said once
            self._callback = None
            warnings.warn(
                f"the on_progress callback raised {type(exc).__name__}: {exc}; it is not called again "
                "during this summary",
                RuntimeWarning,
                stacklevel=2,
            )


def track(
    model_cls: type[BaseModel],
    text: str,
    evidence: Evidence,
    cite: Citable | None,
    scrub: Callable[[BaseModel], BaseModel] = lambda item: item,
) -> Tracker | None:
    """A tracker for one call of ``model_cls`` on ``text``, or None when no one listens (see :func:`reporting`).

    Each completed item is read with the class the model was sent (the cited twin's in
    a cited mode, then filled from the article), grounded alone under ``flag``, and
    ``scrub``\\ bed (the configured key taken out) before the callback sees it.
    """
    callback = current()
    if callback is None:
        return None
    sent = cited_model(model_cls, evidence, cite.summary) if cite is not None else model_cls
    lists = {
        name: item_cls
        for name, info in sent.model_fields.items()
        if (item_cls := _item_class(info.annotation)) is not None
    }

    def check(item_cls: type[BaseModel], data: Any) -> BaseModel | None:
        item: BaseModel | None = item_cls.model_validate(data)
        if cite is not None and item is not None:
            item = fill_item(item, cite)
        if item is None:
            return None
        ground(item, text, policy="flag", headline=False, cited=cite is not None)
        return scrub(item)

    return Tracker(callback, lists, check)
