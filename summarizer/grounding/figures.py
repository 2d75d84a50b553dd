"""A figure's own fields against its evidence: the number as written, its values, its qualifier.

``text`` (with ``value``, ``low`` or ``high``)
    the figure as written occurs in the evidence, typography and quotation marks aside.
``value``, ``low``, ``high``
    stated in ``text`` itself when the item has one, else in the evidence; finite.
``qualifier`` (with ``text``)
    agrees with the words of ``text`` and the four words before it (:data:`QUALIFIER_WORDS`);
    a currency between them and the number ("more than $4.3bn", "up to €5 million") is passed over.

:func:`qualifiers_at` reads the same words for the library, so a qualifier it fills always passes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from enum import Enum

from pydantic import BaseModel

from ..schema import FieldCheck
from .checks import failed, passed
from .naming import plain
from .numbers import RANGE_GAP, mentions, same_number, states_number

__all__ = [
    "QUALIFIER_WORDS",
    "check_figure",
    "qualifiers_at",
]

QUALIFIER_WORDS: dict[str, tuple[str, ...]] = {
    "more_than": ("well over", "more than", "over", "above", "in excess of", "upwards of", "exceeding", "greater than"),
    "at_least": ("at least", "no fewer than", "no less than", "not less than", "a minimum of"),
    "at_most": ("as many as", "up to", "at most", "no more than", "not more than", "a maximum of", "as much as"),
    "less_than": ("fewer than", "less than", "under", "below", "just under", "short of"),
    "approximately": (
        "about", "around", "roughly", "approximately", "some", "an estimated", "estimated", "close to", "circa",
        "nearly", "almost", "more or less",
    ),
}
"""The words before a number that set its qualifier; "nearly" and "almost" also allow ``less_than``."""
_ALSO = {"nearly": "less_than", "almost": "less_than"}
_QUALIFIER_AT_END = re.compile(
    r"\b(" + "|".join(sorted((re.escape(w) for ws in QUALIFIER_WORDS.values() for w in ws), key=len, reverse=True))
    + r")\s*$"
)
_UNIT_AT_END = re.compile(
    r"(?:[$€£¥₹₽₴]|\b(?:us|a|c|au|nz|hk|s)\$|\b(?:usd|eur|gbp|jpy|chf|cny|rmb|inr|rs\.?|rub|uah|sek|nok|dkk|pln))\s*$",
    re.IGNORECASE,
)
"""A currency written between the qualifying words and the number ("more than $4.3bn", "up to €5 million")."""


def _number(item: BaseModel, field: str) -> float | None:
    value = getattr(item, field, None)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _qualifiers(before: str, written: str) -> tuple[set[str], str]:
    """The qualifiers the words allow, and the words that set them."""
    context = f"{before} {written}".strip()
    offset = len(context) - len(written)
    found = mentions(context)
    own = [i for i, m in enumerate(found) if m.start >= offset]
    if own:
        first = own[0]
        if first > 0 and RANGE_GAP.match(context[found[first - 1].end : found[first].start]):
            return {"range"}, context[found[first - 1].start : found[first].end]  # "30,000" of "20,000 to 30,000"
        if first + 1 < len(found) and RANGE_GAP.match(context[found[first].end : found[first + 1].start]):
            return {"range"}, context[found[first].start : found[first + 1].end]
    lead = context[: found[own[0]].start] if own else context
    m = _QUALIFIER_AT_END.search(_UNIT_AT_END.sub("", lead.strip()).strip())
    if not m:
        return {"exact"}, ""
    words = m[1]
    allowed = {q for q, ws in QUALIFIER_WORDS.items() if words in ws}
    if words in _ALSO:
        allowed.add(_ALSO[words])
    return allowed, words


def qualifiers_at(text: str, lo: int, start: int, end: int) -> set[str]:
    """The qualifiers the words of ``text[lo:end]`` allow the figure written at ``text[start:end]``.

    The same reading as the qualifier check (the four words before it, a second number
    joined by "to"), so a qualifier taken from here always passes that check.
    """
    before = " ".join(plain(text[lo:start]).split()[-4:])
    return _qualifiers(before, plain(text[start:end]))[0]


def check_figure(item: BaseModel, evidence: str, english: bool) -> Iterator[FieldCheck]:
    """The checks of a figure's ``text``, ``value``, ``low``, ``high`` and ``qualifier`` against its quote (``evidence``)."""
    written = getattr(item, "text", None)
    numbers = {f: _number(item, f) for f in ("value", "low", "high") if f in type(item).model_fields}
    if not isinstance(written, str) or not numbers:
        for field, number in numbers.items():
            if number is not None:
                stated = states_number(evidence, number)
                yield passed(field) if stated else failed(field, f"its {field} {number:g} is not stated in its quote")
        return
    plain_text, plain_evidence = plain(written), plain(evidence)
    at = plain_evidence.find(plain_text) if plain_text else -1
    given = tuple(n for n in numbers.values() if n is not None)
    found = mentions(written)
    agree = [any(same_number(r, g) for r in m.values for g in given) for m in found]
    extra = [m for m, ok in zip(found, agree, strict=True) if not ok] if any(agree) else []
    if at < 0:
        yield failed("text", f'its text "{written}" is not in its quote')
    elif extra:
        listed = ", ".join(f'"{written[m.start : m.end]}"' for m in extra)
        yield failed("text", f'its text "{written[:80]}" is more than the figure: it also states {listed}')
    else:
        yield passed("text")
    for field, number in numbers.items():
        if number is None:
            continue
        if states_number(written, number):
            yield passed(field)
        else:
            yield failed(field, f'its {field} {number:g} is not stated in its text "{written}"')
    qualifier = getattr(item, "qualifier", None)
    if isinstance(qualifier, Enum):
        qualifier = qualifier.value
    if isinstance(qualifier, str) and at >= 0 and english:
        before = " ".join(plain_evidence[:at].split()[-4:])
        allowed, words = _qualifiers(before, plain_text)
        said = f'"{words}"' if words else "no qualifying words"
        if qualifier not in allowed:
            yield failed("qualifier", f"its qualifier is {qualifier}, but the text has {said} ({' or '.join(sorted(allowed))})")
        elif qualifier == "range" and (numbers.get("low") is None or numbers.get("high") is None):
            yield failed("qualifier", "its qualifier is range, but it does not give both low and high")
        else:
            yield passed("qualifier")
