"""What one call spent: answers, HTTP requests, tries and tokens, counted where requests are sent.

A :class:`CallStats` is filled by the raw transport (:mod:`summarizer.transport.http`)
while one article's call runs, re-asks and transient retries included; the result's
provenance and every :class:`~summarizer.errors.CallError` report it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..schema import Usage

__all__ = ["CallStats"]


@dataclass
class CallStats:
    """What one summarize call spent, gathered at the raw transport."""

    usage: Usage = field(default_factory=Usage)
    attempts: int = 0  # model answers
    transient_retries: int = 0
    requests: int = 0  # HTTP requests sent: answers, failures and retries alike
    tries: int = 0  # of the request in progress (or the last one)
    last_response: Any = None

    @classmethod
    def unanswered(cls) -> CallStats:
        """One request sent outside a summarize call (the Files and Batches endpoints) that failed: no answer,
        no tokens. The openai client's own retries are not seen here: it counts as one try."""
        return cls(requests=1, tries=1)

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

    def spent(self) -> dict[str, Any]:
        """The keyword arguments every :class:`~summarizer.errors.CallError` takes."""
        return {"usage": self.usage, "attempts": self.attempts, "requests": self.requests}
