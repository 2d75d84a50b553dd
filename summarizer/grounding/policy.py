"""Grounding a whole result: every quoted item located, checked beyond its quote, and a policy for what fails.

:func:`ground` pins every item with a ``quote`` (at any depth, in ``ArticleSummary``
or a user's own model) with :func:`~summarizer.grounding.align.locate`, then applies
the checks beyond the quote (a figure's numbers must be stated in its quote; an
actor's name, or its surname, must appear in the article) and a policy:

``reask``
    the output is invalid and the model is asked again with :func:`reask_message`,
    naming each failing item and why; once the re-asks are spent, what still fails is
    dropped (the re-ask itself runs inside instructor's parse: see
    :mod:`summarizer.transport.structured`).
``flag``
    every item is kept; failing ones have ``span=None`` and ``grounding_error`` set.
``drop``
    failing items are removed (and counted) without asking again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ValidationError

from ..results import grounding_of
from ..schema import GroundingIssue, GroundingPolicy, GroundingReport, Span
from .align import QUOTE_MARKS, locate
from .numbers import states_number

__all__ = ["ground", "reask_message", "ungrounded"]

_SKIP_FIELDS = frozenset({"provenance", "grounding", "span", "grounding_error"})


def _items(model: BaseModel, path: str = "") -> Iterator[tuple[str, str, BaseModel, list[Any] | None]]:
    """(path, kind, item, list holding it) for every model with a ``quote`` string, depth first."""
    if isinstance(getattr(model, "quote", None), str):
        yield path or "$", path.split("[")[0] or "$", model, None
    for name in type(model).model_fields:
        if name in _SKIP_FIELDS:
            continue
        value = getattr(model, name, None)
        where = f"{path}.{name}" if path else name
        if isinstance(value, BaseModel):
            yield from _items(value, where)
        elif isinstance(value, list):
            for i, element in enumerate(value):
                if isinstance(element, BaseModel):
                    for p, kind, item, holder in _items(element, f"{where}[{i}]"):
                        yield p, kind, item, value if item is element else holder


def _word_in(text: str, word: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE) is not None


def _name_found(text: str, name: str) -> bool:
    """The name as written, or its last word of three or more letters (a surname), case aside."""
    name = re.sub(r"['’]s?$", "", name.strip(QUOTE_MARKS))  # "Milley's" names Milley
    if not name:
        return False
    if _word_in(text, name) or locate(text, name) is not None:
        return True
    words = [w for w in re.findall(r"\w+", name) if len(w) >= 3 and not w.isdigit()]
    return bool(words) and _word_in(text, words[-1])


def _check_item(text: str, item: BaseModel, span: Span | None) -> str | None:
    if span is None:
        return "its quote is not in the article"
    evidence = text[span.start : span.end]
    for field in ("value", "low", "high"):
        number = getattr(item, field, None)
        if isinstance(number, bool) or not isinstance(number, (int, float)):
            continue
        if not states_number(evidence, float(number)):
            return f"its {field} {number:g} is not stated in its quote"
    name = getattr(item, "name", None)
    if isinstance(name, str) and hasattr(item, "kind") and not _name_found(text, name):
        return f"the name {name!r} does not appear in the article"
    return None


def _set(item: BaseModel, field: str, value: Any) -> None:
    """Set a field the library fills, even on a frozen model (the value is ours, not the model's)."""
    if field in type(item).model_fields:
        try:
            setattr(item, field, value)
        except ValidationError:  # frozen
            object.__setattr__(item, field, value)


def ground(result: BaseModel, text: str, *, policy: GroundingPolicy = "flag") -> GroundingReport:
    """Pin every item of ``result`` that has a ``quote`` to ``text`` and apply ``policy``.

    Items gain ``span`` (and lose ``grounding_error``) where their model declares those
    fields; under ``drop`` (or ``reask`` once re-asks are spent) failing items leave
    their lists. The caller decides what ``reask`` does with a report that has issues.
    """
    report = GroundingReport(policy=policy)
    used: dict[str, set[tuple[int, int]]] = {}
    doomed: list[tuple[list[Any], BaseModel]] = []
    for path, kind, item, holder in list(_items(result)):
        taken = used.setdefault(kind, set())
        quote = str(getattr(item, "quote", ""))  # _items yields only models with a string quote
        span = locate(text, quote, exclude=taken)
        reason = _check_item(text, item, span)
        if reason is None and span is not None:
            taken.add((span.start, span.end))
            setattr(report, span.match, getattr(report, span.match) + 1)
            _set(item, "span", span)
            _set(item, "grounding_error", None)
            continue
        drop = policy in ("drop", "reask") and holder is not None
        report.issues.append(GroundingIssue(path=path, quote=quote, reason=reason or "", dropped=drop))
        _set(item, "span", None)
        _set(item, "grounding_error", reason)
        if drop and holder is not None:
            doomed.append((holder, item))
            report.dropped += 1
        else:
            report.flag(item)
    for holder, item in doomed:
        holder[:] = [x for x in holder if x is not item]
    return report


def reask_message(issues: list[GroundingIssue], limit: int = 12) -> str:
    """What the model is told when items fail: each one, its quote and why, and what to do."""
    lines = [f"- {i.path}: {i.reason} (quote: {i.quote[:160]!r})" for i in issues[:limit]]
    if len(issues) > limit:
        lines.append(f"- and {len(issues) - limit} more")
    return (
        f"{len(issues)} item(s) are invalid or not supported by the article text:\n"
        + "\n".join(lines)
        + "\nCopy every quote character for character from the article, state each figure's number "
        "inside its quote, and name only actors the article names; fix or remove every item listed."
    )


def ungrounded(result: BaseModel) -> list[tuple[str, BaseModel]]:
    """(path, item) for every item kept although the article does not support it (``flag``)."""
    report = grounding_of(result)
    if report is None:
        raise ValueError("this result was never grounded; call summarize() or ground() first")
    return [
        (path, item)
        for path, _, item, _ in _items(result)
        if report.is_flagged(item) or getattr(item, "grounding_error", None) is not None  # the latter survives JSON
    ]
