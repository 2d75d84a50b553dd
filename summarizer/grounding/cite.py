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

The numbered article the model sees is :mod:`~summarizer.grounding.numbered`; its
:class:`Citable`, :class:`FoundNumber` and :func:`citable` are re-exported here.
"""

from __future__ import annotations

import functools
import re
import types
import typing
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError, create_model
from pydantic.fields import FieldInfo

from ..errors import ConfigurationError
from ..schema import Evidence, GroundingIssue, Span, SummaryStyle, library_fills
from ..sentences import Sentence, clause_at
from .fields import WHO_FIELDS, check_fields, hedges_in, is_english
from .figures import qualifiers_at
from .lemmas import support
from .numbered import Citable, FoundNumber, citable
from .reading import own_voice, party
from .roles import is_place
from .words import check_words, own_words_fields

__all__ = [
    "RECITE_SUPPORT",
    "SUMMARY_SENTENCES",
    "Citable",
    "Filled",
    "FoundNumber",
    "bound_schema",
    "citable",
    "cited_model",
    "fill",
    "fill_item",
    "original_of",
    "split_conditions",
]

_SENTENCE = "The number n of the one article sentence [n] that supports this item."
_NUMBER = 'The id of the number this figure reports, from the list of numbers, e.g. "N3".'
_NAME = 'The id of this actor\'s name, from the list of names, e.g. "A2".'
_SUMMARY = "The numbers n of the two to four article sentences [n] that together best summarize the whole article."
RECITE_SUPPORT = 0.6
"""Least share of a statement's content words that a neighbouring sentence must hold for an item to move there."""
SUMMARY_SENTENCES = (2, 4)
"""How many of the article's sentences a cited summary picks (the schema's minItems and maxItems)."""
_FIGURE_FIELDS = ("text", "value", "low", "high")  # what a figure citing a found number no longer writes
_CITES = ("sentence", "number")


def _quoted(cls: type[BaseModel]) -> bool:
    return "quote" in cls.model_fields


def _is_figure(cls: type[BaseModel]) -> bool:
    return _quoted(cls) and all(f in cls.model_fields for f in _FIGURE_FIELDS)


_ORIGINAL: dict[type[BaseModel], type[BaseModel]] = {}  # cited class -> the class it stands for


def _is_actor(cls: type[BaseModel]) -> bool:
    return _quoted(cls) and "name" in cls.model_fields and not _is_figure(cls)


def _cited_annotation(annotation: Any, numbers: bool, summary: SummaryStyle) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _cited(annotation, numbers, summary)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is list and len(args) == 1:
        return list[_cited_annotation(args[0], numbers, summary)]  # type: ignore[misc]
    if args and origin in (typing.Union, types.UnionType):
        cited = tuple(_cited_annotation(a, numbers, summary) for a in args)
        return functools.reduce(lambda a, b: a | b, cited) if cited != args else annotation
    return annotation


@functools.lru_cache(maxsize=128)
def _cited(cls: type[BaseModel], numbers: bool, summary: SummaryStyle) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    changed = False
    figure = numbers and _is_figure(cls)
    actor = _is_actor(cls)
    for name, info in cls.model_fields.items():
        if library_fills(info):
            changed = True
            continue
        if name in _CITES and _quoted(cls):
            raise ConfigurationError(
                f"{cls.__name__} has a field {name!r}, which a cited evidence mode needs for itself; "
                'use evidence="quote" with this model'
            )
        if name == "quote":
            if not actor:  # an actor cites its name, whose sentence is its evidence
                fields["number" if figure else "sentence"] = (str, FieldInfo(description=_NUMBER)) if figure else (
                    int, FieldInfo(description=_SENTENCE)
                )
            changed = True
            continue
        if actor and name == "name":
            fields["name"] = (str, FieldInfo(description=_NAME))
            changed = True
            continue
        if figure and name in _FIGURE_FIELDS:
            continue
        if not _quoted(cls) and name == "headline":  # the library reads it: the article's first line, or null
            changed = True
            continue
        if not _quoted(cls) and name == "summary" and summary == "cited" and info.annotation is str:
            fields["summary"] = (list[int], FieldInfo(description=_SUMMARY))
            changed = True
            continue
        annotation = _cited_annotation(info.annotation, numbers, summary)
        changed = changed or annotation is not info.annotation
        fields[name] = (annotation, info)
    if not changed:
        return cls
    twin = create_model(
        cls.__name__, __doc__=cls.__doc__, __module__=cls.__module__, __config__=cls.model_config, **fields
    )
    _ORIGINAL[twin] = cls
    return typing.cast("type[BaseModel]", twin)


def cited_model(model_cls: type[BaseModel], evidence: Evidence, summary: SummaryStyle = "written") -> type[BaseModel]:
    """The model sent in a cited mode: ``model_cls`` with ``sentence`` (or a figure's ``number``) for ``quote``.

    An item with a ``name`` (an actor) cites one of the listed names instead; the
    result's ``headline`` is left out (the library reads it), and under
    ``summary="cited"`` its ``summary`` becomes the numbers of the sentences it picks.
    Same name, docstring and descriptions otherwise, so the model is asked for the same
    content; the fields the library fills (span, checks, provenance, ...) are left out,
    and so are the validators, which :func:`fill` runs on the caller's class instead.
    Raises :class:`~summarizer.ConfigurationError` if an item already has a field of
    that name.
    """
    if evidence == "quote":
        return model_cls
    return _cited(model_cls, evidence == "sentence+numbers", summary)


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
        cite = props.get("name")
        if isinstance(cite, dict) and cite.get("description") == _NAME and view.names:
            props["name"] = {**cite, "enum": [n.id for n in view.names]}
        cite = props.get("summary")
        if isinstance(cite, dict) and cite.get("type") == "array" and view.summary == "cited":
            low, high = SUMMARY_SENTENCES
            allowed = view.summary_candidates()
            items = {"type": "integer", "enum": allowed}
            props["summary"] = {**cite, "items": items, "minItems": min(low, len(allowed)), "maxItems": high}
    return out


@dataclass
class Filled:
    """A cited answer as the caller's class, with what had to be set aside."""

    result: BaseModel
    set_aside: list[GroundingIssue] = field(default_factory=list)  # paths as in the answer fill received
    kept: dict[str, list[int]] = field(default_factory=dict)  # per list path: the indices of the items left
    recited: list[str] = field(default_factory=list)  # "key_claims[1]: [14] -> [15]", see _recited


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
                parts = split_conditions(filled)
                items += parts
                kept += [i] * len(parts)
        if kept != list(range(len(value))):
            out.kept[path] = kept
        return items
    return value


_LIST = re.compile(r",\s+(?:and\s+|or\s+)?")


def split_conditions(item: Any) -> list[Any]:
    """A condition that lists three or more demands ("return the lands, pay for the damage and face trial") as
    one condition each, on the same evidence; any other item as it is."""
    condition = getattr(item, "condition", None)
    if not isinstance(item, BaseModel) or not isinstance(condition, str):
        return [item]
    body = condition.strip().rstrip(".")
    parts = _LIST.split(body)
    if len(parts) >= 2 and " and " in parts[-1]:
        parts[-1:] = parts[-1].rsplit(" and ", 1)
    if len(parts) < 3 or any(len(p.split()) < 2 for p in parts):
        return [item]
    out = []
    for part in parts:
        one = item.model_copy(update={"condition": part.strip()})
        if "span" in type(item).model_fields:
            object.__setattr__(one, "span", getattr(item, "span", None))
        out.append(one)
    return out


def _evidence(item: BaseModel, view: Citable) -> tuple[dict[str, Any], Span | None] | _Refused:
    """The quote (and, for a cited number, the figure's text and values; for a cited name, the name) the library fills."""
    text = view.text
    fields = type(item).model_fields
    if "number" in fields:
        cited = str(getattr(item, "number", ""))
        found = view.number(cited)
        if found is None:
            return _not_listed("number", cited, "N", len(view.numbers))
        # The number's place is known, so its evidence is its clause: who reports it is read there, not
        # from another clause of the same sentence ("Kestria says ...; but Western officials estimate ...").
        sentence = view.sentences[found.sentence - 1]
        lo, hi = clause_at(text, sentence, found.start, found.end)
        values: dict[str, Any] = {
            "text": text[found.start : found.end], "value": found.value, "low": found.low, "high": found.high
        }
        allowed = qualifiers_at(text, lo, found.start, found.end)
        if len(allowed) == 1:  # the words settle it ("as many as": at_most); else the model's label is kept
            values["qualifier"] = allowed.pop()
        if found.unit is not None:
            values["unit"] = found.unit
        if view.read_measures and found.measure is not None:
            values["measure"] = found.measure
        read = {**_who(item, view, sentence, lo, hi), **_hedged(item, view, lo, hi)}
        return {"quote": text[lo:hi], **read, **values}, Span(start=lo, end=hi, match="exact")
    if "sentence" in fields:
        n = getattr(item, "sentence", 0)
        s = view.sentence(n)
        if s is None:
            return _Refused(f"it cites sentence {n}, but the article has sentences 1 to {len(view.sentences)}",
                            ["sentence"])
        read = {**_who(item, view, s, s.start, s.end), **_hedged(item, view, s.start, s.end)}
        return {"quote": text[s.start : s.end], **read}, Span(start=s.start, end=s.end, match="exact")
    if type(item) in _ORIGINAL and _is_actor(_ORIGINAL[type(item)]):
        cited = str(getattr(item, "name", ""))
        name = view.name(cited)
        if name is None:
            return _not_listed("name", cited, "A", len(view.names))
        s = view.sentences[name.sentence - 1]
        named: dict[str, str | None] = {"name": name.name}
        named |= {k: v for k, v in (("role", name.role), ("affiliation", name.affiliation)) if v is not None}
        if name.person and "kind" in _ORIGINAL[type(item)].model_fields:
            named["kind"] = "person"  # a first name and a surname the article writes, or a role beside them
        elif is_place(name.name, getattr(item, "kind", None)):
            named |= {"affiliation": name.name, "role": None}  # a country belongs to itself, and holds no post
        return {"quote": text[s.start : s.end], **named}, Span(start=s.start, end=s.end, match="exact")
    return {}, None


def _not_listed(kind: str, cited: str, prefix: str, count: int) -> _Refused:
    have = f"{prefix}1 to {prefix}{count}" if count else "none"
    return _Refused(f"it cites {kind} {cited!r}, which is not in the list of {kind}s ({have})", [kind])


def _who(item: BaseModel, view: Citable, sentence: Sentence, lo: int, hi: int) -> dict[str, str | None]:
    """The speaker, source or party the evidence names, for each such field the item has, where it names exactly
    one; null where the evidence is the article's own voice and the field may be null."""
    fields = _ORIGINAL.get(type(item), type(item)).model_fields
    wanted = [f for f in WHO_FIELDS if f in fields]
    if not wanted:
        return {}
    who = party(view.text, sentence, lo, hi)
    if who is not None:
        return {f: who for f in wanted}
    if own_voice(view.text, lo, hi):  # nobody speaks there: a field that may be null is
        return {f: None for f in wanted if not fields[f].is_required() or _nullable(fields[f])}
    return {}


def _nullable(info: FieldInfo) -> bool:
    return type(None) in typing.get_args(info.annotation)


def _hedged(item: BaseModel, view: Citable, lo: int, hi: int) -> dict[str, bool]:
    """Whether the evidence hedges ("probably", "could"), read as the hedge check reads it (English only)."""
    if "hedged" not in _ORIGINAL.get(type(item), type(item)).model_fields or not is_english(view.text[lo:hi], view.text):
        return {}
    return {"hedged": bool(hedges_in(view.text[lo:hi]))}


def _root(item: BaseModel, original: type[BaseModel], view: Citable) -> dict[str, Any]:
    """What the library fills at the top of a cited answer: the headline it reads, the summary's sentences."""
    out: dict[str, Any] = {}
    if "headline" in original.model_fields and "headline" not in type(item).model_fields:
        out["headline"] = view.headline
    picked = getattr(item, "summary", None)
    if view.summary == "cited" and isinstance(picked, list) and original.model_fields.get("summary") is not None:
        allowed = set(view.summary_candidates())
        chosen = sorted({n for n in picked if isinstance(n, int) and n in allowed})
        out["summary"] = " ".join(view.text[s.start : s.end] for n in chosen if (s := view.sentence(n)) is not None)
    return out


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
    if not path:
        data.update(_root(item, original, view))
    try:
        result = original.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        return _Refused(f"invalid{' ' + where if where else ''}: {first['msg']}", [], str(data.get("quote", "")))
    if span is not None and "span" in original.model_fields:
        object.__setattr__(result, "span", span)  # ground() trusts a span whose text is the quote
    if path and span is not None and "sentence" in type(item).model_fields and own_words_fields(original):
        return _recited(result, item, original, path, view, out, span)
    return result


def _passes(item: BaseModel, text: str, span: Span) -> bool:
    return all(c.ok for c in (*check_fields(item, text, span), *check_words(item, text, span)))


def _recited(result: BaseModel, item: BaseModel, original: type[BaseModel], path: str, view: Citable, out: Filled,
             span: Span) -> BaseModel:
    """``result``, or, when its own words are not what the sentence it cites says but exactly what the sentence
    before or after says (a small model's numbering is often one off), the same item citing that sentence.

    Only a neighbour that holds at least :data:`RECITE_SUPPORT` of the item's statement (or condition), twice
    the share the cited sentence holds, and passes every check is taken; the move is reported
    (``GroundingReport.recited``).
    """
    own = " ".join(str(getattr(result, f, "") or "") for f, k in own_words_fields(original).items()
                   if k in ("statement", "condition"))
    if not own.strip():
        return result
    here = support(own, view.text[span.start : span.end])
    cited = int(getattr(item, "sentence", 0))
    neighbours = []
    for other in (cited - 1, cited + 1):
        s = view.sentence(other)
        there = support(own, view.text[s.start : s.end]) if s is not None else 0.0
        if there >= RECITE_SUPPORT and there >= 2 * here:  # the other sentence must say it, and say it far better
            neighbours.append(other)
    # The full checks run here only when a neighbour could take the item (ground() runs them anyway).
    if not neighbours or _passes(result, view.text, span):
        return result
    for other in neighbours:
        moved = _fill_object(item.model_copy(update={"sentence": other}), original, "", view, Filled(result=item))
        span_moved = getattr(moved, "span", None)
        if isinstance(moved, BaseModel) and isinstance(span_moved, Span) and _passes(moved, view.text, span_moved):
            out.recited.append(f"{path}: [{cited}] -> [{other}]")
            return moved
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


def original_of(cited_cls: type[BaseModel]) -> type[BaseModel]:
    """The caller's class a cited twin stands for (``cited_cls`` itself when it is no twin)."""
    return _ORIGINAL.get(cited_cls, cited_cls)


def fill_item(item: BaseModel, view: Citable) -> BaseModel | None:
    """One cited item (an instance of a twin's item class) as the caller's item class, or None if it cannot be.

    For checking items one by one as a streamed answer completes them; the answer as a
    whole is still filled by :func:`fill`.
    """
    original = _ORIGINAL.get(type(item))
    if original is None:
        return item
    filled = _fill_object(item, original, "", view, Filled(result=item))
    return None if isinstance(filled, _Refused) else filled
