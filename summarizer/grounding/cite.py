"""Evidence the model cannot invent: it cites the article's sentences (and numbers); the library fills the quotes.

In quote mode the model copies a verbatim ``quote`` for every item, and a small model
misquotes about half of them. With ``evidence="sentence"`` the library numbers the
article's sentences (the package's one splitter, :mod:`summarizer.sentences`), shows
them as ``[n] ...``, and sends a *cited* twin of the caller's response model in which
every item's ``quote`` is replaced by ``sentence: int`` (:func:`cited_model`). With
``"sentence+numbers"`` each figure instead cites one of the numbers the library read
(``"N3"``, :func:`citable`), so its ``text``, ``value``, ``low`` and ``high`` come from
the article too, and the model only labels it (unit, measure, who reports it, and the
qualifier where the words before the number do not settle it); its evidence is the
clause of the sentence that holds the number.

:func:`fill` turns a cited answer back into the caller's class: each quote is the
cited sentence, its span known exactly. Grounding then checks every other field
(qualifier, speaker, set_by, names, hedges) against that sentence as in quote mode, so
the proof is not weakened: only the copying is taken away from the model. An item
citing a sentence or a number the article does not have is set aside, like an item
that breaks its own rules.
"""

from __future__ import annotations

import bisect
import functools
import types
import typing
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError, create_model
from pydantic.fields import FieldInfo
from pydantic.json_schema import SkipJsonSchema

from ..errors import ConfigurationError
from ..schema import Evidence, GroundingIssue, Span
from ..sentences import Sentence, clause_at, sentences
from .coverage import counted
from .fields import qualifiers_at
from .numbers import RANGE_GAP

__all__ = ["Citable", "Filled", "FoundNumber", "bound_schema", "citable", "cited_model", "fill"]

_SENTENCE = "The number n of the one article sentence [n] that supports this item."
_NUMBER = 'The id of the number this figure reports, from the list of numbers, e.g. "N3".'
_FIGURE_FIELDS = ("text", "value", "low", "high")  # what a figure citing a found number no longer writes
_CITES = ("sentence", "number")


@dataclass(frozen=True)
class FoundNumber:
    """One number (or range) the library read in the article, as the model may cite it."""

    id: str  # "N1"
    start: int
    end: int
    sentence: int  # 1-based, as the numbered article shows it
    value: float | None
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class Citable:
    """An article as the model sees it in a cited mode: its sentences numbered, and (optionally) its numbers."""

    text: str
    sentences: tuple[Sentence, ...]
    numbers: tuple[FoundNumber, ...] = ()
    _by_id: dict[str, FoundNumber] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id.update({n.id: n for n in self.numbers})

    def numbered(self) -> str:
        """``[n] sentence``, the sentences of a paragraph on one line, paragraphs a blank line apart."""
        lines: dict[int, list[str]] = {}
        for n, s in enumerate(self.sentences, 1):
            lines.setdefault(s.paragraph, []).append(f"[{n}] {self.text[s.start : s.end]}")
        return "\n\n".join(" ".join(parts) for parts in lines.values())

    def number_list(self) -> str:
        """One line a number: ``N1 in [5]: 100,000``."""
        if not self.numbers:
            return "(the article states no numbers)"
        return "\n".join(f"{n.id} in [{n.sentence}]: {self.text[n.start : n.end]}" for n in self.numbers)

    def prompt_values(self) -> dict[str, str]:
        """What a cited prompt template fills in besides the article (see :mod:`summarizer.prompts`)."""
        return {"numbered_article": self.numbered(), "numbers": self.number_list()}

    def sentence(self, n: int) -> Sentence | None:
        return self.sentences[n - 1] if 1 <= n <= len(self.sentences) else None

    def number(self, number_id: str) -> FoundNumber | None:
        return self._by_id.get(number_id.strip())


def citable(text: str, numbers: bool = False) -> Citable:
    """``text`` with its sentences numbered; with ``numbers``, also every number that counts (see ``coverage``).

    Two numbers joined by "to", "-", "and" or "or" within one sentence are one range.
    """
    every = tuple(sentences(text).every())
    if not numbers:
        return Citable(text, every)
    starts = [s.start for s in every]
    found: list[FoundNumber] = []
    mentions = counted(text)
    i = 0
    while i < len(mentions):
        m = mentions[i]
        at = bisect.bisect_right(starts, m.start) - 1
        if at < 0 or m.end > every[at].end:
            i += 1
            continue  # not inside a sentence (cannot happen for text the splitter covers)
        nxt = mentions[i + 1] if i + 1 < len(mentions) else None
        ident = f"N{len(found) + 1}"
        if nxt is not None and nxt.end <= every[at].end and RANGE_GAP.match(text[m.end : nxt.start]):
            low, high = m.values[0], nxt.values[0]
            if low <= high:
                found.append(FoundNumber(ident, m.start, nxt.end, at + 1, None, low, high))
                i += 2
                continue
        found.append(FoundNumber(ident, m.start, m.end, at + 1, m.values[0]))
        i += 1
    return Citable(text, every, tuple(found))


# -- the cited twin of a response model ------------------------------------------------------


_SKIPPED = typing.cast("type", SkipJsonSchema)  # a class at run time; its stub makes it an alias


def _hidden(info: FieldInfo) -> bool:
    """A field the model never sees (span, checks, provenance, ...): the library fills it."""
    return any(isinstance(m, _SKIPPED) for m in info.metadata)


def _quoted(cls: type[BaseModel]) -> bool:
    return "quote" in cls.model_fields


def _is_figure(cls: type[BaseModel]) -> bool:
    return _quoted(cls) and all(f in cls.model_fields for f in _FIGURE_FIELDS)


_ORIGINAL: dict[type[BaseModel], type[BaseModel]] = {}  # cited class -> the class it stands for


def _cited_annotation(annotation: Any, numbers: bool) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _cited(annotation, numbers)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is list and len(args) == 1:
        return list[_cited_annotation(args[0], numbers)]  # type: ignore[misc]
    if args and origin in (typing.Union, types.UnionType):
        cited = tuple(_cited_annotation(a, numbers) for a in args)
        return functools.reduce(lambda a, b: a | b, cited) if cited != args else annotation
    return annotation


@functools.lru_cache(maxsize=128)
def _cited(cls: type[BaseModel], numbers: bool) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    changed = False
    figure = numbers and _is_figure(cls)
    for name, info in cls.model_fields.items():
        if _hidden(info):
            changed = True
            continue
        if name in _CITES and _quoted(cls):
            raise ConfigurationError(
                f"{cls.__name__} has a field {name!r}, which a cited evidence mode needs for itself; "
                'use evidence="quote" with this model'
            )
        if name == "quote":
            fields["number" if figure else "sentence"] = (str, FieldInfo(description=_NUMBER)) if figure else (
                int, FieldInfo(description=_SENTENCE)
            )
            changed = True
            continue
        if figure and name in _FIGURE_FIELDS:
            continue
        annotation = _cited_annotation(info.annotation, numbers)
        changed = changed or annotation is not info.annotation
        fields[name] = (annotation, info)
    if not changed:
        return cls
    twin = create_model(
        cls.__name__, __doc__=cls.__doc__, __module__=cls.__module__, __config__=cls.model_config, **fields
    )
    _ORIGINAL[twin] = cls
    return typing.cast("type[BaseModel]", twin)


def cited_model(model_cls: type[BaseModel], evidence: Evidence) -> type[BaseModel]:
    """The model sent in a cited mode: ``model_cls`` with ``sentence`` (or a figure's ``number``) for ``quote``.

    Same name, docstring and descriptions, so the model is asked for the same content;
    the fields the library fills (span, checks, provenance, ...) are left out, and so
    are the validators, which :func:`fill` runs on the caller's class instead.
    Raises :class:`~summarizer.ConfigurationError` if an item already has a field of
    that name.
    """
    if evidence == "quote":
        return model_cls
    return _cited(model_cls, evidence == "sentence+numbers")


def bound_schema(schema: Any, view: Citable) -> Any:
    """A copy of a JSON schema sent for a cited model, its citations limited to what this article has.

    A constrained decoder (the local server) then cannot write a sentence number past
    the article's end or a number id that is not in the list.
    """
    if isinstance(schema, list):
        return [bound_schema(v, view) for v in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: bound_schema(v, view) for k, v in schema.items()}
    props = out.get("properties")
    if isinstance(props, dict):
        cite = props.get("sentence")
        if isinstance(cite, dict) and cite.get("type") == "integer":
            props["sentence"] = {**cite, "minimum": 1, "maximum": len(view.sentences)}
        cite = props.get("number")
        if isinstance(cite, dict) and cite.get("type") == "string" and view.numbers:
            props["number"] = {**cite, "enum": [n.id for n in view.numbers]}
    return out


# -- back to the caller's class -------------------------------------------------------------


@dataclass
class Filled:
    """A cited answer as the caller's class, with what had to be set aside."""

    result: BaseModel
    set_aside: list[GroundingIssue] = field(default_factory=list)  # paths as in the answer fill received
    kept: dict[str, list[int]] = field(default_factory=dict)  # per list path: the indices of the items left


@dataclass(frozen=True)
class _Refused:
    """Why one item cannot be filled: it cites what the article does not have, or breaks its class's rules."""

    reason: str
    fields: list[str]
    quote: str = ""


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _fill_value(value: Any, path: str, view: Citable, out: Filled) -> Any:
    if isinstance(value, BaseModel) and type(value) in _ORIGINAL:
        return _fill_object(value, _ORIGINAL[type(value)], path, view, out)
    if isinstance(value, list):
        items, kept = [], []
        for i, element in enumerate(value):
            filled = _fill_value(element, f"{path}[{i}]", view, out)
            if isinstance(filled, _Refused):
                issue = GroundingIssue(
                    path=f"{path}[{i}]", quote=filled.quote, reason=filled.reason, fields=filled.fields, dropped=True
                )
                out.set_aside.append(issue)
            else:
                items.append(filled)
                kept.append(i)
        if len(kept) < len(value):
            out.kept[path] = kept
        return items
    return value


def _evidence(item: BaseModel, view: Citable) -> tuple[dict[str, Any], Span | None] | _Refused:
    """The quote (and, for a cited number, the figure's text and values) the library fills."""
    text = view.text
    if "number" in type(item).model_fields:
        cited = str(getattr(item, "number", ""))
        found = view.number(cited)
        if found is None:
            have = f"N1 to N{len(view.numbers)}" if view.numbers else "none"
            return _Refused(f"it cites number {cited!r}, which is not in the list of numbers ({have})", ["number"])
        # The number's place is known, so its evidence is its clause: who reports it is read there, not
        # from another clause of the same sentence ("Kestria says ...; but Western officials estimate ...").
        lo, hi = clause_at(text, view.sentences[found.sentence - 1], found.start, found.end)
        values = {"text": text[found.start : found.end], "value": found.value, "low": found.low, "high": found.high}
        allowed = qualifiers_at(text, lo, found.start, found.end)
        if len(allowed) == 1:  # the words settle it ("as many as": at_most); else the model's label is kept
            values["qualifier"] = allowed.pop()
        return {"quote": text[lo:hi], **values}, Span(start=lo, end=hi, match="exact")
    if "sentence" in type(item).model_fields:
        n = getattr(item, "sentence", 0)
        s = view.sentence(n)
        if s is None:
            return _Refused(f"it cites sentence {n}, but the article has sentences 1 to {len(view.sentences)}",
                            ["sentence"])
        return {"quote": text[s.start : s.end]}, Span(start=s.start, end=s.end, match="exact")
    return {}, None


def _fill_object(item: BaseModel, original: type[BaseModel], path: str, view: Citable, out: Filled) -> Any:
    """``item`` as ``original`` (a model instance), or the :class:`_Refused` reason it cannot be."""
    evidence = _evidence(item, view)
    if isinstance(evidence, _Refused):
        return evidence
    data: dict[str, Any] = {}
    for name in type(item).model_fields:
        if name not in _CITES:
            data[name] = _fill_value(getattr(item, name), _join(path, name), view, out)
    filled, span = evidence
    data.update(filled)
    try:
        result = original.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        return _Refused(f"invalid{' ' + where if where else ''}: {first['msg']}", [], str(data.get("quote", "")))
    if span is not None and "span" in original.model_fields:
        object.__setattr__(result, "span", span)  # ground() trusts a span whose text is the quote
    return result


def fill(answer: BaseModel, view: Citable, model_cls: type[BaseModel]) -> Filled:
    """``answer`` (an instance of :func:`cited_model`'s class) as ``model_cls``, every quote taken from ``view``.

    Items that cite what the article does not have, or break their own class's rules
    once filled, are set aside and reported. Raises :class:`ValueError` when the
    answer as a whole does not fit ``model_cls``.
    """
    out = Filled(result=answer)
    filled = _fill_object(answer, model_cls, "", view, out)
    if isinstance(filled, _Refused):
        raise ValueError(filled.reason)
    out.result = filled
    return out
