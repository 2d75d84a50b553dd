"""The model's own words against the article: statements, measures, units, roles, affiliations, conditions, summaries.

:mod:`~summarizer.grounding.fields` proves the fields that name or count things; this
module proves the words the model writes itself, which the reader reads first. Each
field is recognised by its name (so a user's own model gets these checks too), or by an
:class:`~summarizer.schema.OwnWords` mark on any ``str`` field:

``statement``, ``condition``
    every number it writes is one its evidence or the evidence's paragraph states, with
    the same value; every name (person, place, organisation, country, demonym) is named
    in the evidence or its attribution window; words it gives to a speaker are that
    speaker's; it does not negate what the evidence asserts, assert what it negates, or
    say the opposite; hedged evidence is not stated as fact; and some of its content words
    (:data:`~.lemmas.SUPPORT`, by lemma) are in the evidence's paragraph. A condition reads its
    evidence's refusal the other way round, so its opposites are read against what the
    evidence demands.
``measure`` and ``unit`` (of an item with ``value``/``low``/``high``)
    describe *this* number: the measure's words come from the number's own scope (the
    clause's subject, the words up to its neighbouring numbers, and the numbers listed
    with it), its group words (killed / wounded, civilians / soldiers, nationalities) do
    not contradict that scope, it takes no more words from another number than from its
    own, and the unit is the counted noun, the currency, or "percent".
``role``, ``affiliation`` (of an item with ``name``)
    read against what the article writes beside the actor (:func:`~.parties.descriptors`): a role
    names no other person, keeps the rank given and adds none, and is mostly those words;
    an affiliation is the nation or body written there, and a country's is itself.
``to_be_met_by`` (kind ``"party"``)
    named in the evidence, and the party the evidence and the condition put the demand on
    ("Russia return all of Ukraine's occupied lands" is met by Russia).
``summary`` (of the result)
    each sentence is finished, and is checked like a statement against the article
    sentences that support it best (:func:`~.summary.check_summary`).

:func:`check_words` runs them for one item, each in its module: statements and conditions
(:mod:`~.statements`, :mod:`~.polarity`), measures and units (:mod:`~.measures`), roles and
affiliations (:mod:`~.roles`), the party of a condition (:mod:`~.conditions`), the summary
(:mod:`~.summary`); the words they read are :mod:`~.lemmas` and :mod:`~.parties`.

Lemmas come from ``simplemma`` (no dependencies, 54 languages); negation, hedges, group
words and support are judged by English word lists, so on a text that is not English
only numbers and names are checked, and the check says which were skipped. Every
lookup that reads a whole article goes through a per-article cache
(:class:`~summarizer.sentences.TextCache`) or the article's word index, never a cache
keyed by the text itself.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, get_args

from pydantic import BaseModel

from ..schema import FieldCheck, OwnWords, OwnWordsKind, Span
from .conditions import check_party
from .fields import is_english
from .measures import check_measures
from .roles import check_actor
from .statements import check_statement, regions_at

__all__ = [
    "OWN_WORDS_FIELDS",
    "check_words",
    "own_words_fields",
]

OWN_WORDS_FIELDS: dict[str, OwnWordsKind] = {
    "statement": "statement",
    "condition": "condition",
    "measure": "measure",
    "unit": "unit",
    "role": "role",
    "affiliation": "affiliation",
    "to_be_met_by": "party",
}
"""The fields checked by name, and how; mark any other ``str`` field with ``Annotated[str, OwnWords("statement")]``."""


def own_words_fields(model_cls: type[BaseModel]) -> dict[str, OwnWordsKind]:
    """The fields of ``model_cls`` that hold the model's own words, and how each is checked."""
    return _own_words_fields(model_cls)


@lru_cache(maxsize=256)
def _own_words_fields(model_cls: type[BaseModel]) -> dict[str, OwnWordsKind]:
    out: dict[str, OwnWordsKind] = {}
    for name, info in model_cls.model_fields.items():
        marked = next((m for m in info.metadata if isinstance(m, OwnWords)), None)
        if marked is not None:
            out[name] = marked.kind
        elif name in OWN_WORDS_FIELDS and _is_text(info.annotation):
            out[name] = OWN_WORDS_FIELDS[name]
    return out


def _is_text(annotation: Any) -> bool:
    return annotation is str or str in get_args(annotation)


def check_words(item: BaseModel, text: str, span: Span) -> list[FieldCheck]:
    """Every check of the model's own words in ``item``, against the article around ``text[span.start:span.end]``."""
    fields = own_words_fields(type(item))
    if not fields:
        return []
    r = regions_at(text, span)
    english = is_english(r.sentence or r.evidence, text)
    checks: list[FieldCheck] = []
    figure = any(f in type(item).model_fields for f in ("value", "low", "high"))
    for field, kind in fields.items():
        words = getattr(item, field, None)
        if not isinstance(words, str) or not words.strip():
            continue
        if kind in ("statement", "condition", "summary"):
            checks.append(check_statement(field, words, text, r, english, condition=kind == "condition"))
        elif kind in ("measure", "unit") and not figure:
            checks.append(check_statement(field, words, text, r, english))
    if figure:
        checks += check_measures(item, text, r, english)
    if any(k in ("role", "affiliation") for k in fields.values()):
        checks += check_actor(item, text, r)
    condition = next((getattr(item, f, None) for f, k in fields.items() if k == "condition"), None)
    for field, kind in fields.items():
        words = getattr(item, field, None)
        if kind == "party" and isinstance(words, str) and words.strip():
            check = check_party(words, condition if isinstance(condition, str) else None, text, r)
            checks.append(check.model_copy(update={"field": field}))
    return checks
