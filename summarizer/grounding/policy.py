"""Grounding a whole result: every quoted item located, its meaning and its fields checked, and a policy for what fails.

:func:`ground` pins every item with a ``quote`` (at any depth, in ``ArticleSummary``
or a user's own model) with :func:`~summarizer.grounding.align.locate`, then checks:

1. the quote says what the article says there (:func:`~summarizer.grounding.meaning.compare`)
   and is evidence, neither a scrap nor a page (:func:`~summarizer.grounding.fields.check_evidence`);
2. every field its model declares that a check knows (:func:`~summarizer.grounding.fields.check_fields`);
3. the headline, when the model gives one, is among the article's opening lines;
4. coverage: every number the article states is a grounded figure's, or listed as uncovered.

Each item records every check (``item.checks``) and the article's own words at its span
(``item.evidence``); the report counts each check per list. An item that fails any
check is handled by the policy:

``reask``
    the output is invalid and the model is asked again with :func:`reask_message`,
    naming each failing item, the checks it failed and why; once the re-asks are spent,
    what still fails is dropped (the re-ask itself runs inside instructor's parse: see
    :mod:`summarizer.transport.structured`).
``flag``
    every item is kept; failing ones have ``grounding_error`` set (and ``span`` where the
    quote was found at all, so a reader sees the article's words beside the model's).
``drop``
    failing items are removed (and counted) without asking again.

A headline that fails is kept under ``flag`` and set to null under ``drop`` (and once
re-asks are spent): the library never writes a headline of its own.
"""

from __future__ import annotations

import typing
from collections.abc import Collection, Iterator
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ValidationError

from ..results import grounding_of
from ..schema import FieldCheck, GroundingIssue, GroundingPolicy, GroundingReport, Span
from .align import locate
from .coverage import uncovered
from .fields import check_evidence, check_fields, check_headline
from .meaning import compare, describe
from .summary import check_summary, summary_sentences
from .words import check_words, own_words_fields

__all__ = ["GROUNDING_VERSION", "check_quote", "ground", "reask_message", "ungrounded"]

GROUNDING_VERSION = "truth/4"
"""Bumped whenever what grounding accepts or records changes: it is part of the cache key, so a result
grounded by older rules is never served as if these had checked it."""

_SKIP_FIELDS = frozenset({"provenance", "grounding", "span", "evidence", "checks", "grounding_error"})


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


def check_quote(text: str, quote: str, *, exclude: Collection[tuple[int, int]] = ()) -> tuple[Span | None, FieldCheck]:
    """Where ``quote`` sits in ``text`` and whether it is evidence there: the article's words, meaning and all.

    The span is returned whenever the quote was located, even when the check fails
    (a reader then sees what the article says at that place).
    """
    span = locate(text, quote, exclude=exclude)
    if span is None:
        return None, FieldCheck(field="quote", ok=False, detail="its quote is not in the article")
    evidence = text[span.start : span.end]
    if span.match == "fuzzy":
        differences = compare(quote, evidence)
        if differences:
            return span, FieldCheck(field="quote", ok=False, detail=describe(differences))
    degenerate = check_evidence(quote, text, span)
    if degenerate is not None:
        return span, degenerate
    accepted = compare(quote, evidence, harmless=True) if span.match == "fuzzy" else []
    return span, FieldCheck(field="quote", ok=True, detail=describe(accepted) if accepted else None)


def _check_item(
    text: str, item: BaseModel, exclude: Collection[tuple[int, int]], cited: bool
) -> tuple[Span | None, list[FieldCheck]]:
    """Every check of one item: its quote first, then its fields (against the article where it was found).

    Under ``cited`` a quote the library filled from a cited sentence (its span already
    set, its text the article's at that span) is evidence as it stands: the article's
    own sentence, whatever its length, and shared by every item that cites it.
    """
    preset = getattr(item, "span", None) if cited else None
    quote_text = str(getattr(item, "quote", ""))
    if isinstance(preset, Span) and text[preset.start : preset.end] == quote_text:
        return preset, _one_per_field([FieldCheck(field="quote", ok=True), *_fields_and_words(item, text, preset)])
    span, quote = check_quote(text, quote_text, exclude=exclude)
    if span is None:
        return None, [quote]
    return span, _one_per_field([quote, *_fields_and_words(item, text, span)])


def _fields_and_words(item: BaseModel, text: str, span: Span) -> list[FieldCheck]:
    return [*check_fields(item, text, span), *check_words(item, text, span)]


def _one_per_field(checks: list[FieldCheck]) -> list[FieldCheck]:
    """One check per field, where two checks judge the same field (a role's title, and the names it gives)."""
    out: dict[str, FieldCheck] = {}
    for check in checks:
        kept = out.get(check.field)
        if kept is None or (kept.ok and not check.ok):
            out[check.field] = check
    return list(out.values())


def _figure_values(item: BaseModel) -> tuple[float, ...]:
    fields = type(item).model_fields
    if not any(f in fields for f in ("value", "low", "high")):
        return ()
    found = (getattr(item, f, None) for f in ("value", "low", "high"))
    return tuple(float(v) for v in found if isinstance(v, (int, float)) and not isinstance(v, bool))


@lru_cache(maxsize=64)
def _declares_figures(model_cls: type[BaseModel]) -> bool:
    """Whether the class (at any depth) has items with ``value``/``low``/``high``: then coverage is counted.

    Read from the class, not the answer, so an answer whose figures were all dropped still
    has its article's numbers listed as uncovered.
    """
    seen: set[type] = set()

    def visit(cls: type[BaseModel]) -> bool:
        if cls in seen:
            return False
        seen.add(cls)
        fields = cls.model_fields
        if "quote" in fields and any(f in fields for f in ("value", "low", "high")):
            return True
        for info in fields.values():
            for arg in _types_in(info.annotation):
                if isinstance(arg, type) and issubclass(arg, BaseModel) and visit(arg):
                    return True
        return False

    return visit(model_cls)


def _types_in(annotation: Any) -> Iterator[Any]:
    yield annotation
    for arg in typing.get_args(annotation):
        yield from _types_in(arg)


def _set(item: BaseModel, field: str, value: Any) -> None:
    """Set a field the library fills, even on a frozen model (the value is ours, not the model's)."""
    if field in type(item).model_fields:
        try:
            setattr(item, field, value)
        except ValidationError:  # frozen
            object.__setattr__(item, field, value)


def ground(
    result: BaseModel, text: str, *, policy: GroundingPolicy = "flag", headline: bool = True, cited: bool = False
) -> GroundingReport:
    """Pin every item of ``result`` that has a ``quote`` to ``text``, check it, and apply ``policy``.

    Items gain ``span``, ``evidence`` and ``checks`` (and lose ``grounding_error``) where
    their model declares those fields; under ``drop`` (or ``reask`` once re-asks are
    spent) failing items leave their lists. The caller decides what ``reask`` does with
    a report that has issues. ``headline=False`` skips the headline check (a chunk that
    does not start the article). ``cited=True`` is for a result whose quotes
    :func:`~summarizer.grounding.cite.fill` took from the article (see ``_check_item``).
    """
    report = GroundingReport(policy=policy)
    used: dict[str, set[tuple[int, int]]] = {}
    doomed: list[tuple[list[Any], BaseModel]] = []
    figures: list[tuple[Span, tuple[float, ...]]] = []
    for path, kind, item, holder in list(_items(result)):
        taken = used.setdefault(kind, set())
        quote = str(getattr(item, "quote", ""))  # _items yields only models with a string quote
        span, checks = _check_item(text, item, taken, cited)
        for check in checks:
            report.tally(kind, check)
        failed = [c for c in checks if not c.ok]
        values = _figure_values(item)
        _set(item, "span", span)
        _set(item, "evidence", text[span.start : span.end] if span is not None else None)
        _set(item, "checks", checks)
        if not failed and span is not None:
            taken.add((span.start, span.end))
            setattr(report, span.match, getattr(report, span.match) + 1)
            _set(item, "grounding_error", None)
            if values:
                figures.append((span, values))
            continue
        reason = "; ".join(c.detail or c.field for c in failed)
        drop = policy in ("drop", "reask") and holder is not None
        fields = [c.field for c in failed]
        report.issues.append(GroundingIssue(path=path, quote=quote, reason=reason, fields=fields, dropped=drop))
        _set(item, "grounding_error", reason)
        if drop and holder is not None:
            doomed.append((holder, item))
            report.dropped += 1
        else:
            report.flag(item)
    for holder, item in doomed:
        holder[:] = [x for x in holder if x is not item]
    if headline:
        _check_headline(result, text, report)
    _check_summary(result, text, report)
    if _declares_figures(type(result)):
        report.numbers, report.uncovered = uncovered(text, figures)
    return report


def _check_headline(result: BaseModel, text: str, report: GroundingReport) -> None:
    headline = getattr(result, "headline", None)
    if "headline" not in type(result).model_fields or not isinstance(headline, str) or not headline.strip():
        return
    check = check_headline(headline, text)
    report.headline = check
    report.tally("headline", check)
    if check.ok:
        return
    drop = report.policy in ("drop", "reask")
    report.issues.append(
        GroundingIssue(path="headline", quote=headline, reason=check.detail or "", fields=["headline"], dropped=drop)
    )
    if drop:
        _set(result, "headline", None)


def _summary_field(result: BaseModel) -> str | None:
    """The result's summary field: ``summary``, or a top-level field marked ``OwnWords("summary")``."""
    fields = own_words_fields(type(result))
    marked = next((f for f, kind in fields.items() if kind == "summary"), None)
    if marked is not None:
        return marked
    return "summary" if isinstance(getattr(result, "summary", None), str) else None


def _check_summary(result: BaseModel, text: str, report: GroundingReport) -> None:
    """Each sentence of the summary, checked like a statement; under drop (and reask once spent) failing ones leave."""
    field = _summary_field(result)
    if field is None:
        return
    summary = str(getattr(result, field))
    checks = check_summary(summary, text)
    report.summary = checks
    drop = report.policy in ("drop", "reask")
    parts = summary_sentences(summary)
    kept: list[str] = []
    for i, check in enumerate(checks):
        report.tally("summary", check)
        sentence = parts[i] if i < len(parts) else ""
        if check.ok:
            kept.append(sentence)
            continue
        report.issues.append(
            GroundingIssue(path=f"{field}[{i}]", quote=sentence, reason=check.detail or "", fields=[field], dropped=drop)
        )
        if not drop:
            kept.append(sentence)
    if drop and len(kept) < len(parts):
        _set(result, field, " ".join(kept))


_DO_QUOTED = (
    "Copy every quote character for character from the article (one or two sentences), write each figure's text "
    "as the article writes it with its number and qualifier, and name only the speakers the article gives for "
    "that quote; in your own words (statements, measures, units, roles, conditions, the summary) say only what "
    "the quote says, with its numbers, names, negations and hedges; fix or remove every item listed."
)
_DO_CITED = (
    "Cite for each item the number of the one sentence that states it (for a figure, the id of its number when "
    "the numbers are listed), give each figure the qualifier its sentence's words give, and name only the "
    "speakers and sources that sentence gives; in your own words (statements, measures, units, roles, conditions, "
    "the summary) say only what that sentence says, with its numbers, names, negations and hedges; fix or remove "
    "every item listed."
)


def reask_message(issues: list[GroundingIssue], limit: int = 30, *, cited: bool = False) -> str:
    """What the model is told when items fail: each one, the checks it failed and why, and what to do.

    ``cited``: the items cite sentences (see :mod:`~summarizer.grounding.cite`), so the
    evidence shown is the sentence cited and the advice is about citing, not copying.
    """
    shown = "sentence cited" if cited else "quote"
    lines = [
        f"- {i.path}{' (' + ', '.join(i.fields) + ')' if i.fields else ''}: {i.reason}"
        + (f" ({shown}: {i.quote[:160]!r})" if i.quote else "")
        for i in issues[:limit]
    ]
    if len(issues) > limit:
        lines.append(f"- and {len(issues) - limit} more")
    return (
        f"{len(issues)} item(s) are invalid or not supported by the article text:\n"
        + "\n".join(lines)
        + "\n"
        + (_DO_CITED if cited else _DO_QUOTED)
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
