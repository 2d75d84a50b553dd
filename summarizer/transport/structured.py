"""All of the library's coupling to instructor, in one place: the parse, the re-asks, the schema sent.

instructor turns our raw ``create`` (:mod:`summarizer.transport.http`) into a
structured-output call: it sends the response model's schema (a forced tool call,
or ``response_format``), parses the answer into the model and re-asks when
validation raises. Only its public API is used: ``instructor.patch(create=...,
mode=...)``, ``instructor.openai_schema`` and the exceptions of ``instructor.core``;
nothing of instructor's is replaced.

Grounding runs inside that parse, so an unsupported item is re-asked like a schema
error: each call's response model is wrapped in a subclass (same name and docstring,
hence the same tool sent to the model) whose validators ground the answer against
the article. The article reaches them through a context variable: instructor's own
``context=`` would render the messages as a Jinja template and mangle the article.

Two kinds of failure are handled per item rather than per answer: an item the article
does not support (see :mod:`summarizer.grounding`), and a list item that breaks its own
rules (a range whose low bound exceeds its high one). While re-asks remain under
``reask``, either makes the answer invalid, and one re-ask message names them all;
otherwise the item is dropped and reported, so one bad figure never costs the rest of
a summary.
"""

from __future__ import annotations

import contextvars
import copy
import functools
import json
import re
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import instructor
import openai
from instructor.core import IncompleteOutputException, InstructorRetryException, ResponseParsingError
from pydantic import (
    BaseModel,
    ValidationError,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError
from tenacity import AsyncRetrying, RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from .. import errors
from ..config import Target
from ..grounding import ground, reask_message
from ..grounding.cite import Citable, bound_schema, cited_model, fill
from ..progress import Tracker, track
from ..schema import Evidence, GroundingIssue, GroundingPolicy, GroundingReport
from .http import CallStats, RetryPolicy, async_create, capture_create, raw_output, replay_create, sync_create
from .logs import redacted_logs, silenced_logs
from .provider_errors import redact, strip_secret

__all__ = ["StructuredCall", "checked_model", "format_validation", "response_schema", "restore", "shape_tools"]

_REASK_ON = (ValidationError, json.JSONDecodeError, ResponseParsingError)


@dataclass
class CheckedRun:
    """What the validators need while instructor parses one call's answers."""

    text: str
    policy: GroundingPolicy
    stats: CallStats
    last_attempt: int
    opening: bool = True
    report: GroundingReport | None = None
    invalid: list[GroundingIssue] = field(default_factory=list)  # items set aside from this answer
    kept: dict[str, list[int]] = field(default_factory=dict)  # per list: the answer's index of each item left
    cite: Citable | None = None  # a cited evidence mode: the numbered article the answer cites
    model_cls: type[BaseModel] | None = None  # the caller's class, which a cited answer is filled into
    filled: BaseModel | None = None  # the cited answer filled, once it passed
    recited: list[str] = field(default_factory=list)  # cited items moved to the sentence that says them

    @property
    def lenient(self) -> bool:
        """True when a failing item is dropped rather than re-asked."""
        return self.policy != "reask" or self.stats.attempts >= self.last_attempt


_REAL_KEY = 16  # shorter "keys" ("local", "none") are placeholders for servers that want none: never text to strip


def _strip_key(value: Any, key: str) -> Any:
    """``value`` with the configured key taken out of every string, models changed in place.

    The server has the key (it was sent as the Authorization header), so a hostile one
    can echo it inside a valid answer, which would then be stored and shown.
    """
    if isinstance(value, str):
        return strip_secret(value, key)
    if isinstance(value, list):
        cleaned = [_strip_key(item, key) for item in value]
        return cleaned if any(a is not b for a, b in zip(cleaned, value)) else value
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            current = getattr(value, name, None)
            cleaned = _strip_key(current, key)
            if cleaned is not current and cleaned != current:
                value.__dict__[name] = cleaned
    return value


_RUN: contextvars.ContextVar[CheckedRun | None] = contextvars.ContextVar("summarizer_checked_run", default=None)


def _start_answer(data: Any) -> Any:
    run = _RUN.get()
    if run is not None:
        run.invalid = []
        run.kept = {}
        run.filled = None
    return data


def _quote_of(raw: Any) -> str:
    return str(raw.get("quote", "")) if isinstance(raw, dict) else ""


def _drop_invalid_items(value: Any, handler: Any, info: ValidationInfo) -> Any:
    """Set aside list items that break their own rules, so the rest of the answer is still checked.

    Under ``reask`` with re-asks left they come back in the re-ask message, beside the
    ungrounded items; otherwise they are dropped and reported.
    """
    run = _RUN.get()
    if run is None or not isinstance(value, list):
        return handler(value)
    try:
        return handler(value)
    except ValidationError as exc:
        bad: dict[int, str] = {}
        for error in exc.errors():
            loc = error["loc"]
            if not loc or not isinstance(loc[0], int):
                raise  # the list itself is wrong (too long, not a list): the answer is invalid
            where = ".".join(str(part) for part in loc[1:])
            bad.setdefault(loc[0], f"invalid{' ' + where if where else ''}: {error['msg']}")
        for i, reason in bad.items():
            path = f"{info.field_name}[{i}]"
            run.invalid.append(GroundingIssue(path=path, quote=_quote_of(value[i]), reason=reason, dropped=True))
        run.kept[str(info.field_name)] = [i for i in range(len(value)) if i not in bad]
        return handler([item for i, item in enumerate(value) if i not in bad])


def _as_answered(run: CheckedRun, issues: list[GroundingIssue]) -> list[GroundingIssue]:
    """Paths as the model numbered its items, before invalid ones were set aside."""
    out = []
    for issue in issues:
        m = re.match(r"(\w+)\[(\d+)\](.*)", issue.path)
        if m and m[1] in run.kept:
            issue = issue.model_copy(update={"path": f"{m[1]}[{run.kept[m[1]][int(m[2])]}]{m[3]}"})
        out.append(issue)
    return out


def _filled(run: CheckedRun, answer: BaseModel) -> BaseModel:
    """A cited answer as the caller's class, its quotes the sentences cited; what it cites wrongly set aside."""
    if run.cite is None or run.model_cls is None:
        return answer
    try:
        filled = fill(answer, run.cite, run.model_cls)
    except ValueError as exc:  # the answer as a whole does not fit the caller's class: re-ask it
        raise PydanticCustomError("invalid_answer", "{message}", {"message": str(exc)}) from None
    run.invalid += _as_answered(run, filled.set_aside)
    run.recited = filled.recited
    for name, left in filled.kept.items():  # compose with what _drop_invalid_items already set aside
        before = run.kept.get(name)
        run.kept[name] = [before[i] if before is not None else i for i in left]
    return filled.result


def _ground_answer(model: BaseModel) -> BaseModel:
    run = _RUN.get()
    if run is None:
        return model
    cited = run.cite is not None
    checked = _filled(run, model) if cited else model
    if run.lenient:
        policy = "drop" if run.policy == "reask" else run.policy
        report = ground(checked, run.text, policy=policy, headline=run.opening, cited=cited)
    else:
        report = ground(checked, run.text, policy="flag", headline=run.opening, cited=cited)
        if report.issues or run.invalid:
            message = reask_message([*run.invalid, *_as_answered(run, report.issues)], cited=cited)
            raise PydanticCustomError("unsupported_items", "{message}", {"message": message})
    report.policy = run.policy
    report.issues = [*run.invalid, *_as_answered(run, report.issues)]
    report.dropped += len(run.invalid)
    report.recited = run.recited
    run.report = report
    if cited:
        run.filled = checked
    return model


def _lists_of_models(model_cls: type[BaseModel]) -> list[str]:
    names = []
    for name, info in model_cls.model_fields.items():
        if typing.get_origin(info.annotation) is list:
            (element,) = typing.get_args(info.annotation) or (None,)
            if isinstance(element, type) and issubclass(element, BaseModel):
                names.append(name)
    return names


@lru_cache(maxsize=64)
def checked_model(model_cls: type[BaseModel]) -> type[BaseModel]:
    """``model_cls`` with the validators above; its schema, name and docstring are unchanged."""
    validators: dict[str, Any] = {
        "_summarizer_start": model_validator(mode="before")(_start_answer),
        "_summarizer_ground": model_validator(mode="after")(_ground_answer),
    }
    lists = _lists_of_models(model_cls)
    if lists:
        validators["_summarizer_items"] = field_validator(*lists, mode="wrap")(_drop_invalid_items)
    return create_model(
        model_cls.__name__,
        __base__=model_cls,
        __doc__=model_cls.__doc__,
        __module__=model_cls.__module__,
        __validators__=validators,
    )


def restore(result: BaseModel, model_cls: type[BaseModel]) -> BaseModel:
    """The caller's own class again (the fields are already validated)."""
    if type(result) is model_cls:
        return result
    values = {name: getattr(result, name) for name in model_cls.model_fields if hasattr(result, name)}
    return model_cls.model_construct(_fields_set=set(result.model_fields_set) & set(values), **values)


# -- the schema sent ------------------------------------------------------------------


@lru_cache(maxsize=64)
def response_schema(model: type[Any]) -> type[Any]:
    """instructor's wrapper class for ``model``, built once.

    Given a plain model, instructor builds a new wrapper class on every call, and with
    it a new JSON schema (its schema cache is keyed by class, so it never hits): about
    6 ms a call, more than the raw request itself. Given its own wrapper, it skips both.
    Results are instances of the wrapper, a subclass of ``model``, as before.
    """
    return instructor.openai_schema(model)


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


def shape_tools(kwargs: dict[str, Any], target: Target, response_model: type[BaseModel]) -> dict[str, Any]:
    """Adjust the function schema (or the ``response_format`` schema) instructor built, per backend (on a copy)."""
    tools = kwargs.get("tools")
    response_format = kwargs.get("response_format")
    if not tools and isinstance(response_format, dict) and target.max_items is not None:
        # A small model loops inside a list until max_tokens unless the grammar caps it.
        return {**kwargs, "response_format": _cap_lists(response_format, target.max_items)}
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


# -- one structured call -----------------------------------------------------------------


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
            opening=self.opening, cite=self.cite, model_cls=self.model_cls,
        )

    @property
    def report(self) -> GroundingReport | None:
        return self.run_state.report

    @property
    def sent_cls(self) -> type[BaseModel]:
        """The class whose schema is sent: the caller's, or its cited twin."""
        return cited_model(self.model_cls, self.evidence, self.cite.summary) if self.cite is not None else self.model_cls

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
        token = _RUN.set(self.run_state)
        try:
            with redacted_logs(self.target.api_key):
                yield
        except Exception as exc:  # noqa: BLE001 - translated; anything unknown is re-raised as it was
            raise self._translate(exc) from None
        finally:
            _RUN.reset(token)

    def _tracker(self) -> Tracker | None:
        """The call's progress, when someone listens (see :mod:`summarizer.progress`): then the answer is streamed."""
        key = self.target.api_key

        def scrub(item: BaseModel) -> BaseModel:
            return _strip_key(item, key) if key and len(key) >= _REAL_KEY else item

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
        result = filled if filled is not None else restore(answer, self.model_cls)
        key = self.target.api_key
        if key and len(key) >= _REAL_KEY:
            _strip_key(result, key)
            if self.report is not None:  # its issues and checks quote the model's words
                _strip_key(self.report, key)
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
