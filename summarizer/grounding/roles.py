"""An actor's ``role`` and ``affiliation`` in the model's words, against what the article writes beside the actor.

A role names no other person, keeps the rank the article gives ("deputy") and adds none,
and is mostly the article's words for this actor; an affiliation is the nation or body
written there (:func:`~summarizer.grounding.parties.descriptors`), and a country's is
itself (:func:`is_place`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from ..schema import FieldCheck
from .checks import failed, passed
from .lemmas import support_of, tokens
from .naming import named_in, named_in_article
from .parties import descriptors, looks_like_person, names_written, same_nation, within
from .statements import Regions

__all__ = [
    "check_actor",
    "is_place",
]

_RANKS = frozenset({"deputy", "vice", "acting", "former", "assistant", "junior", "interim", "outgoing", "ex"})
"""Words that make a title another post: a deputy minister is not the minister."""


def check_actor(item: BaseModel, text: str, r: Regions) -> Iterator[FieldCheck]:
    """The checks of an actor's ``role`` and ``affiliation``, against what the article writes beside its ``name``."""
    name = getattr(item, "name", None)
    if not isinstance(name, str) or not name.strip():
        return
    bodies, titles = descriptors(text, name)
    role = getattr(item, "role", None)
    if isinstance(role, str) and role.strip():
        yield _role_words(role, name, text, titles)
    affiliation = getattr(item, "affiliation", None)
    if isinstance(affiliation, str) and affiliation.strip():
        yield _affiliation_check(affiliation, name, item, text, bodies)


def _role_words(role: str, name: str, text: str, titles: str) -> FieldCheck:
    """A role names no other person, keeps the rank the article gives ("deputy"), and is the article's for this actor."""
    others = [n for n in names_written(role, text) if looks_like_person(n, text) and not same_nation(n, name)]
    if others:
        return failed("role", f"the role names {others[0]}, not {name}", others)
    missing = _unknown(role, text)
    if missing:
        return failed("role", f"the role names {', '.join(missing)}, which the article does not", missing)
    if not titles.strip():
        return passed("role")
    given = {k for t in tokens(titles) for k in (t.lemma, t.low)}
    mine = {k for t in tokens(role) for k in (t.lemma, t.low)}
    dropped, added = sorted((given & _RANKS) - mine), sorted((mine & _RANKS) - given)
    if dropped:
        return failed("role", f'the article calls {name} "{dropped[0]} …"; the role drops "{dropped[0]}"', [role])
    if added:
        return failed("role", f'the role says "{added[0]}"; the article never calls {name} that', [added[0]])
    share, lacking = support_of(role, titles + " " + " ".join(names_written(titles, text)))
    if share < 0.5:
        listed = ", ".join(f'"{w}"' for w in dict.fromkeys(lacking))
        return failed("role", f"the article does not call {name} that: {listed}", lacking)
    return passed("role")


_WHOLE = 200_000
"""An article up to this long is also read whole for a name (an acronym of words it writes); a longer one only
through its index."""


def _unknown(words: str, text: str) -> list[str]:
    """The names in ``words`` that the article never gives."""
    return [
        n for n in names_written(words, text)
        if not named_in_article(text, n) and not (len(text) <= _WHOLE and named_in(text, n))  # "UN": its acronym
    ]


def _affiliation_check(affiliation: str, name: str, item: BaseModel, text: str, bodies: list[str]) -> FieldCheck:
    """An affiliation the article names, and not another than the nation or body it writes beside the actor."""
    missing = _unknown(affiliation, text)
    if missing:
        return failed("affiliation", f"the affiliation names {', '.join(missing)}, which the article does not", missing)
    stated = names_written(affiliation, text) + re.findall(r"\b[A-Z](?:\.[A-Z])+\.?|\b[A-Z]{2,6}\b", affiliation)
    stated = list(dict.fromkeys(stated)) or [affiliation]
    place = is_place(name, getattr(item, "kind", None))
    if place and not any(same_nation(s, name) for s in stated):
        return failed("affiliation", f"{name} is a country; its affiliation cannot be {affiliation}", stated)
    if place:
        return passed("affiliation")  # what the article writes beside a country's name is not its affiliation
    if bodies and not any(same_nation(s, b) or within(s, b) for s in stated for b in bodies):
        return failed(
            "affiliation", f"the article calls {name} {', '.join(bodies[:2])}; the affiliation says {affiliation}", stated
        )
    return passed("affiliation")


def is_place(name: str, kind: Any) -> bool:
    """Whether an actor is a country (by the kind given, or a government named by one word): it belongs to itself."""
    kind = getattr(kind, "value", kind)
    return kind == "country" or (kind == "government" and len(name.split()) == 1 and name[:1].isupper())
