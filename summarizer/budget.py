"""A run's spending limit: how many requests and tokens it may still send, checked before each one.

A :class:`Budget` is shared by every call of one run (a batch, a command). The raw
transport asks it before each HTTP request, re-asks and transient retries included,
through :func:`metered`; the run installs it with :func:`spending`, a context
variable, so the layers between (instructor, chunking) need not carry it.

Tokens are reserved before a request at an upper bound and settled with the usage
the provider reports, so requests in flight together can never pass the limit:

- the bound is the request body's UTF-8 length in bytes, plus a few tokens per message
  for the chat template, plus ``max_tokens``. A byte-level BPE tokenizer (OpenAI's,
  Qwen's, Llama's) never makes more tokens than bytes, so the prompt cannot cost more;
- a request that fails without an answer (a 503, a lost connection) counts as a
  request and costs no tokens; an answer that reports no usage costs its reservation.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from .errors import BudgetExhaustedError, ConfigurationError

__all__ = ["Budget", "Ticket", "current_budget", "metered", "request_bound", "spending"]

_PER_MESSAGE = 8  # chat-template tokens around each message (role markers, separators): generous
_PER_REQUEST = 64  # the template's own tokens, the schema's framing


def request_bound(body: dict[str, Any]) -> int:
    """An upper bound on the tokens one request can cost: its body's bytes, the template, and ``max_tokens``."""
    messages = body.get("messages") or []
    sent = json.dumps({k: v for k, v in body.items() if k != "max_tokens"}, ensure_ascii=False, default=str)
    max_tokens = body.get("max_tokens")
    output = max_tokens if isinstance(max_tokens, int) and max_tokens > 0 else 0
    return len(sent.encode("utf-8", "surrogatepass")) + _PER_MESSAGE * len(messages) + _PER_REQUEST + output


@dataclass
class Budget:
    """At most ``max_requests`` HTTP requests and ``max_total_tokens`` tokens for one run (None: no limit).

    ``requests`` and ``tokens`` are what was spent so far; safe to share between threads
    and tasks.
    """

    max_requests: int | None = None
    max_total_tokens: int | None = None
    requests: int = 0
    tokens: int = 0
    _reserved: int = field(default=0, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("max_requests", "max_total_tokens"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                raise ConfigurationError(f"{name} must be a whole number of 0 or more, or None; not {value!r}")

    @property
    def limited(self) -> bool:
        return self.max_requests is not None or self.max_total_tokens is not None

    def exhausted(self) -> bool:
        """No request of any size fits any more: an article not started should not start."""
        with self._lock:
            if self.max_requests is not None and self.requests >= self.max_requests:
                return True
            return self.max_total_tokens is not None and self.tokens + self._reserved >= self.max_total_tokens

    def reserve(self, bound: int) -> Ticket:
        """Count one request and hold ``bound`` tokens for it; raise if either would pass the limit."""
        with self._lock:
            if self.max_requests is not None and self.requests + 1 > self.max_requests:
                raise BudgetExhaustedError(self.spent_message(f"max_requests={self.max_requests}"))
            if self.max_total_tokens is not None and self.tokens + self._reserved + bound > self.max_total_tokens:
                raise BudgetExhaustedError(self.spent_message(
                    f"max_total_tokens={self.max_total_tokens}: the next request may cost up to {bound}"
                ))
            self.requests += 1
            self._reserved += bound
        return Ticket(self, bound)

    def charge(self, requests: int, tokens: int) -> bool:
        """Spend ``requests`` and ``tokens`` at once if both fit, else nothing: for requests written, not sent."""
        with self._lock:
            if self.max_requests is not None and self.requests + requests > self.max_requests:
                return False
            if self.max_total_tokens is not None and self.tokens + self._reserved + tokens > self.max_total_tokens:
                return False
            self.requests += requests
            self.tokens += tokens
            return True

    def _settle(self, bound: int, tokens: int) -> None:
        with self._lock:
            self._reserved -= bound
            self.tokens += tokens

    def spent_message(self, limit: str | None = None) -> str:
        """Why nothing more is sent: the limit reached and what was used."""
        if limit is None:
            limit = ", ".join(f"{name}={value}" for name, value in
                              (("max_requests", self.max_requests), ("max_total_tokens", self.max_total_tokens))
                              if value is not None)
        return (f"the run's budget is spent ({limit}; {self.requests} request(s) and {self.tokens} token(s) "
                "used so far): nothing more was sent for this article. Run again with the same output to "
                "resume from here, with a larger budget if needed")


@dataclass
class Ticket:
    """One request's reservation; settled once, with the usage its answer reports (or none)."""

    budget: Budget
    bound: int
    settled: bool = False

    def settle(self, response: Any) -> Any:
        """Charge what ``response`` reports using (its reservation if it reports nothing); returns it."""
        if not self.settled:
            total = getattr(getattr(response, "usage", None), "total_tokens", None)
            used = total if isinstance(total, int) and total >= 0 else self.bound
            self.settled = True
            self.budget._settle(self.bound, used)
        return response

    def release(self) -> None:
        """No answer came: the request counts, its tokens do not."""
        if not self.settled:
            self.settled = True
            self.budget._settle(self.bound, 0)


_CURRENT: ContextVar[Budget | None] = ContextVar("summarizer_budget", default=None)


def current_budget() -> Budget | None:
    """The budget installed by :func:`spending` in this task or thread, if any."""
    return _CURRENT.get()


@contextmanager
def spending(budget: Budget | None) -> Iterator[None]:
    """Within this block (this task or thread, and tasks started from it), requests are charged to ``budget``."""
    token = _CURRENT.set(budget)
    try:
        yield
    finally:
        _CURRENT.reset(token)


@contextmanager
def metered(body: dict[str, Any]) -> Iterator[Ticket | None]:
    """Around one HTTP request: reserve before it (raising if the budget cannot pay), release if it fails.

    The caller settles the ticket with the answer; without a budget this yields None.
    """
    budget = _CURRENT.get()
    if budget is None or not budget.limited:
        yield None
        return
    ticket = budget.reserve(request_bound(body))
    try:
        yield ticket
    finally:
        ticket.release()  # after settle() this does nothing
