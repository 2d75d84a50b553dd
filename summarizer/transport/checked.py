"""The validators that run inside instructor's parse: grounding, and list items set aside one by one.

Grounding runs inside the parse, so an unsupported item is re-asked like a schema
error: each call's wire model (:mod:`summarizer.transport.wire`) is wrapped in a
subclass (same name and docstring, hence the same tool sent to the model) whose
validators build the caller's class from the answer and ground it against the article.
The article reaches them through a context variable (:func:`checking`): instructor's own
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
import functools
import re
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError, ValidationInfo, create_model, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ..grounding import ground, reask_message
from ..grounding.cite import Citable, fill
from ..schema import GroundingIssue, GroundingPolicy, GroundingReport
from .stats import CallStats
from .wire import full

__all__ = ["CheckedRun", "checked_model", "checking"]


@dataclass
class CheckedRun:
    """What the validators need while instructor parses one call's answers."""

    text: str
    policy: GroundingPolicy
    stats: CallStats
    last_attempt: int
    model_cls: type[BaseModel]  # the caller's class, which the answer is built (or a cited answer filled) into
    opening: bool = True
    report: GroundingReport | None = None
    invalid: list[GroundingIssue] = field(default_factory=list)  # items set aside from this answer
    kept: dict[str, list[int]] = field(default_factory=dict)  # per list: the answer's index of each item left
    cite: Citable | None = None  # a cited evidence mode: the numbered article the answer cites
    filled: BaseModel | None = None  # the answer as the caller's class, once it passed
    recited: list[str] = field(default_factory=list)  # cited items moved to the sentence that says them

    @property
    def lenient(self) -> bool:
        """True when a failing item is dropped rather than re-asked."""
        return self.policy != "reask" or self.stats.attempts >= self.last_attempt


_RUN: contextvars.ContextVar[CheckedRun | None] = contextvars.ContextVar("summarizer_checked_run", default=None)


@contextmanager
def checking(run: CheckedRun) -> Iterator[None]:
    """The validators of :func:`checked_model` check answers for ``run`` inside this block (this context only)."""
    token = _RUN.set(run)
    try:
        yield
    finally:
        _RUN.reset(token)


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
    assert run.cite is not None
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
    checked = _filled(run, model) if cited else full(model, run.model_cls)  # the hidden fields, for ground() to fill
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


@functools.lru_cache(maxsize=64)
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
