"""One structured call through instructor: the request, its re-asks, what it spent, and its failures as ours.

instructor turns our raw ``create`` (:mod:`summarizer.transport.http`) into a
structured-output call: it sends the response model's schema (a forced tool call,
or ``response_format``), parses the answer into the model and re-asks when
validation raises. Only its public API is used: ``instructor.patch(create=...,
mode=...)``, ``instructor.openai_schema`` and the exceptions of ``instructor.core``;
nothing of instructor's is replaced. What it is handed is built elsewhere, once per
class: the wire model holding only what the model fills (:mod:`.wire`), wrapped in
the validators that ground the answer inside the parse (:mod:`.checked`), its schema
shaped per backend (:mod:`.shaping`). Here the call is run (sync and async twins,
a batch's recorded answer replayed, or the request only captured) and whatever
instructor or openai raised is translated into :mod:`summarizer.errors`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import instructor
import openai
from instructor.core import IncompleteOutputException, InstructorRetryException, ResponseParsingError
from pydantic import BaseModel, ValidationError
from tenacity import AsyncRetrying, RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from .. import errors
from ..config import Target
from ..grounding.cite import Citable, bound_schema, cited_model
from ..progress import Tracker, track
from ..schema import Evidence, GroundingPolicy, GroundingReport
from .checked import CheckedRun, checked_model, checking
from .http import RetryPolicy, async_create, capture_create, raw_output, replay_create, sync_create
from .logs import redacted_logs, silenced_logs
from .redact import redact, strip_key
from .shaping import response_schema, shape_tools
from .stats import CallStats
from .wire import full, wire_model

__all__ = ["StructuredCall", "format_validation"]

_REASK_ON = (ValidationError, json.JSONDecodeError, ResponseParsingError)


def format_validation(exc: BaseException) -> list[str]:
    """Short, readable lines for a validation or JSON error (for messages and ``errors``)."""
    if isinstance(exc, ValidationError):
        lines = []
        for item in exc.errors(include_url=False):
            where = ".".join(str(part) for part in item.get("loc", ())) or "(root)"
            lines.append(f"{where}: {item.get('msg')}")
        return lines
    if isinstance(exc, json.JSONDecodeError):
        return [f"invalid JSON: {exc.msg} at position {exc.pos}"]
    return [str(exc)]


@dataclass
class StructuredCall:
    """One article through instructor: the request, its re-asks, grounding inside the parse, what it spent.

    :meth:`run` and :meth:`arun` are the sync and async twins; everything else is shared.
    """

    model_cls: type[BaseModel]
    target: Target
    text: str
    text_sha256: str
    policy: GroundingPolicy
    max_reasks: int
    request: dict[str, Any]  # model, messages and sampling settings
    opening: bool = True  # the text starts the article (so a headline is checked against it)
    evidence: Evidence = "quote"
    cite: Citable | None = None  # the numbered article, in a cited evidence mode
    stats: CallStats = field(default_factory=CallStats)
    invalid: BaseException | None = None  # the last answer that failed validation
    run_state: CheckedRun = field(init=False)

    def __post_init__(self) -> None:
        self.run_state = CheckedRun(
            text=self.text, policy=self.policy, stats=self.stats, last_attempt=self.max_reasks + 1,
            model_cls=self.model_cls, opening=self.opening, cite=self.cite,
        )

    @property
    def report(self) -> GroundingReport | None:
        return self.run_state.report

    @property
    def sent_cls(self) -> type[BaseModel]:
        """The class whose schema is sent and which instructor parses into: the wire model of the caller's
        class (or of its cited twin), built once per class."""
        sent = cited_model(self.model_cls, self.evidence, self.cite.summary) if self.cite is not None else self.model_cls
        return wire_model(sent)

    def _shape(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        shaped = shape_tools(kwargs, self.target, self.sent_cls)
        if self.cite is None:
            return shaped
        bounded = {key: bound_schema(shaped[key], self.cite) for key in ("tools", "response_format") if shaped.get(key)}
        return {**shaped, **bounded}

    def _kwargs(self) -> dict[str, Any]:
        return {
            "response_model": response_schema(checked_model(self.sent_cls)),
            "strict": False,  # lax parsing: "40000" is accepted as a number
            **self.request,
        }

    def _reasks(self) -> dict[str, Any]:
        def remember(state: RetryCallState) -> None:
            if state.outcome is not None and isinstance(state.outcome.exception(), _REASK_ON):
                self.invalid = state.outcome.exception()

        # Validation errors only: an API error must never be re-asked into the prompt.
        return {
            "stop": stop_after_attempt(self.max_reasks + 1),
            "retry": retry_if_exception_type(_REASK_ON),
            "after": remember,
            "reraise": True,
        }

    @contextmanager
    def _running(self) -> Iterator[None]:
        try:
            with checking(self.run_state), redacted_logs(self.target.api_key):
                yield
        except Exception as exc:  # noqa: BLE001 - translated; anything unknown is re-raised as it was
            raise self._translate(exc) from None

    def _tracker(self) -> Tracker | None:
        """The call's progress, when someone listens (see :mod:`summarizer.progress`): then the answer is streamed."""
        key = self.target.api_key

        def scrub(item: BaseModel) -> BaseModel:
            scrubbed: BaseModel = strip_key(item, key)
            return scrubbed

        return track(self.model_cls, self.text, self.evidence, self.cite, scrub)

    def run(self, client: openai.OpenAI, policy: RetryPolicy) -> BaseModel:
        raw = sync_create(client, self.target, policy, self.stats, self._shape, self._tracker())
        create = instructor.patch(create=raw, mode=self.target.mode)
        with self._running():
            result: BaseModel = create(max_retries=Retrying(**self._reasks()), **self._kwargs())
        return self._restored(result)

    async def arun(self, client: openai.AsyncOpenAI, policy: RetryPolicy) -> BaseModel:
        raw = async_create(client, self.target, policy, self.stats, self._shape, self._tracker())
        create = instructor.patch(create=raw, mode=self.target.mode)
        with self._running():
            # instructor's stubs name Retrying only; its async path takes (and needs) AsyncRetrying.
            retrying: Any = AsyncRetrying(**self._reasks())
            result: BaseModel = await create(max_retries=retrying, **self._kwargs())
        return self._restored(result)

    def capture(self) -> dict[str, Any]:
        """The request :meth:`run` would send first (model, messages, the schema, sampling), sending nothing."""
        create = instructor.patch(create=capture_create(self._shape), mode=self.target.mode)
        try:
            with silenced_logs():
                create(max_retries=Retrying(stop=stop_after_attempt(1), reraise=True), **self._kwargs())
        except Exception as exc:  # instructor wraps what its create raised
            captured = exc if isinstance(exc, errors.RequestCaptured) else exc.__cause__
            if isinstance(captured, errors.RequestCaptured):
                return captured.request
            raise
        raise RuntimeError("instructor returned without sending its request")  # pragma: no cover

    def replay(self, completion: Any) -> BaseModel:
        """Parse a recorded answer (a batch's chat completion) as :meth:`run` parses a live one: no re-ask."""
        create = instructor.patch(create=replay_create(completion, self.target, self.stats), mode=self.target.mode)
        with self._running():
            result: BaseModel = create(max_retries=Retrying(**self._reasks()), **self._kwargs())
        return self._restored(result)

    def _restored(self, answer: BaseModel) -> BaseModel:
        """The caller's own class again (a cited answer filled), without the key; a flag on the answer follows it."""
        filled = self.run_state.filled
        result = filled if filled is not None else full(answer, self.model_cls)
        key = self.target.api_key
        strip_key(result, key)
        if self.report is not None:  # its issues and checks quote the model's words
            strip_key(self.report, key)
        if self.report is not None:
            self.report.replace_flagged(answer, result)
        return result

    def _translate(self, exc: Exception) -> Exception:
        """Map whatever instructor or openai raised to our hierarchy, with what was spent attached."""
        stats = self.stats
        cause: BaseException = exc
        if isinstance(exc, InstructorRetryException) and exc.__cause__ is not None:
            cause = exc.__cause__
        raw = raw_output(stats.last_response, self.target.api_key)
        if isinstance(cause, errors.ModelOutputError):
            cause.usage, cause.attempts, cause.requests = stats.usage, stats.attempts, stats.requests
            return cause
        if isinstance(cause, errors.ContextLengthError) and self.invalid is not None:
            # The re-ask, which resends the invalid answer, no longer fits: report that answer.
            return self._invalid(self.invalid, raw, "; re-asking again would exceed the model's context")
        if isinstance(cause, errors.SummarizerError):
            return cause
        if isinstance(cause, IncompleteOutputException):
            return errors.TruncationError(
                "the model hit its output limit (finish_reason='length'); raise max_tokens",
                raw_output=raw, **stats.spent(),
            )
        if isinstance(cause, _REASK_ON):
            return self._invalid(cause, raw)
        # Anything else is a bug, not a model failure: let the original surface.
        return cause if isinstance(cause, Exception) else exc

    def _invalid(self, cause: BaseException, raw: str | None, note: str = "") -> errors.OutputValidationError:
        lines = [redact(line, self.target.api_key) for line in format_validation(cause)]
        shown = "; ".join(lines[:5]) + (f"; and {len(lines) - 5} more" if len(lines) > 5 else "")
        return errors.OutputValidationError(
            f"the model's output failed the {self.model_cls.__name__} "
            f"schema after {self.stats.attempts} attempt(s): {shown}{note}",
            errors=lines, raw_output=raw, **self.stats.spent(),
        )
