"""Pairing predicted items with gold ones: similarity of texts, agreement of numbers and names, one-to-one pairs."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any, TypeVar

from rapidfuzz import fuzz

from ..schema import Actor, Figure, Span
from ..text import fold

__all__ = [
    "MEASURE_THRESHOLD",
    "SPAN_OVERLAP",
    "SPAN_TEXT_FLOOR",
    "TEXT_THRESHOLD",
    "VALUE_TOLERANCE",
    "actor_score",
    "figure_correct",
    "figure_score",
    "match_pairs",
    "similarity",
    "text_score",
]

VALUE_TOLERANCE = 1e-3
"""Relative difference under which two numbers are equal (1,200,000 and 1.2e6; not 1.19 million)."""
MEASURE_THRESHOLD = 70.0
"""Least :func:`similarity` (0-100) of two figures' measures for them to be the same figure."""
SPAN_OVERLAP = 0.5
"""Least share of the shorter span that two grounded claims (conditions) must share."""
SPAN_TEXT_FLOOR = 50.0
"""Least similarity of the statements of two claims whose spans overlap: roughly the same subject."""
TEXT_THRESHOLD = 80.0
"""Least similarity of statements (or quotes) for claims (conditions) matched by their text alone."""


_STOP = frozenset((
    "a", "an", "the", "of", "in", "on", "at", "to", "for", "by", "from", "with", "and", "or", "that", "this",
    "these", "its", "it", "is", "are", "was", "were", "be", "been", "has", "have", "had", "will", "would", "as",
    "than", "into", "who", "which",
))
# Words that name the same thing in measures and statements; applied before stemming.
_SYNONYMS = {
    "troops": "soldiers", "troop": "soldiers", "servicemen": "soldiers", "forces": "soldiers",
    "injured": "wounded", "injuries": "wounded", "dead": "killed", "deaths": "killed",
    "casualties": "killed wounded", "per": "", "cent": "percent", "pct": "percent",
}


def _plain(text: str) -> str:
    """Folded: case, accents, typography, and letters NFKD leaves whole (ø, ł, æ) spelt plain (see text.py)."""
    return fold(text)


@lru_cache(maxsize=4096)
def _content(text: str) -> str:
    """Content words, synonyms unified, each cut to five letters (a crude stemmer: "Ukrainian" ~ "Ukraine")."""
    words: list[str] = []
    for word in re.findall(r"\w+", _plain(text)):
        for w in _SYNONYMS.get(word, word).split():
            if w not in _STOP:
                words.append(w[:5])
    return " ".join(words)


def similarity(a: str | None, b: str | None, *, whole: bool = False) -> float:
    """How alike two short texts are (0-100), on their content words.

    rapidfuzz ``token_set_ratio``: word order does not count, and a text whose words
    are all in the other scores 100 ("troops" and "Russian troops in Kherson"), which
    suits places where something else (a number, a span) already ties two items
    together. ``whole=True`` uses ``token_sort_ratio`` instead, which also weighs the
    words only one text has: for items tied by nothing but their text.
    """
    fa, fb = _content(a or ""), _content(b or "")
    if not fa or not fb:
        return 0.0
    scorer = fuzz.token_sort_ratio if whole else fuzz.token_set_ratio
    return float(scorer(fa, fb))


# -- matching -----------------------------------------------------------------------------

P = TypeVar("P")
G = TypeVar("G")


def match_pairs(predicted: Sequence[P], gold: Sequence[G], score: Callable[[P, G], float | None]) -> list[tuple[int, int]]:
    """One-to-one pairs, best score first (ties: earlier gold item, then earlier prediction)."""
    candidates = [
        (s, gi, pi)
        for gi, g in enumerate(gold)
        for pi, p in enumerate(predicted)
        if (s := score(p, g)) is not None
    ]
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_p: set[int] = set()
    used_g: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _, gi, pi in candidates:
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            pairs.append((pi, gi))
    return sorted(pairs, key=lambda pair: pair[1])


# figures

_UNITS = {
    "people": ("people", "person", "persons", "individual", "civilian", "resident", "soldier", "troop",
               "serviceman", "servicemen", "refugee", "prisoner", "fighter"),
    "percent": ("percent", "per cent", "pct", "%", "percentage", "percentage of"),
    "usd": ("usd", "$", "us$", "dollar", "us dollar"),
    "km": ("km", "kilometre", "kilometer"),
}
_UNIT_OF = {spelling: unit for unit, spellings in _UNITS.items() for spelling in spellings}


def _unit(unit: str | None) -> str | None:
    """A unit folded: case, accents, dots, a plural "s", and the spellings in ``_UNITS``."""
    if unit is None:
        return None
    folded = " ".join(re.sub(r"[.]", "", _plain(unit)).split())
    if not folded:
        return None
    singular = folded[:-1] if len(folded) > 3 and folded.endswith("s") and not folded.endswith("ss") else folded
    return _UNIT_OF.get(folded) or _UNIT_OF.get(singular) or singular


def _interval(f: Figure) -> tuple[float, float]:
    if f.low is not None and f.high is not None:
        return f.low, f.high
    assert f.value is not None  # Figure's validator: a value, or both bounds
    return f.value, f.value


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= VALUE_TOLERANCE * max(abs(a), abs(b))


def _scales(pred: Figure, gold: Figure) -> tuple[float, ...]:
    """1, and 100 and 1/100 when a percentage may be written as a fraction (40% as 0.4)."""
    return (1.0, 100.0, 0.01) if "percent" in (_unit(pred.unit), _unit(gold.unit)) else (1.0,)


def _numbers_agree(pred: Figure, gold: Figure) -> int:
    """2 equal, 1 overlapping intervals, 0 apart."""
    (gl, gh) = _interval(gold)
    best = 0
    for k in _scales(pred, gold):
        pl, ph = (x * k for x in _interval(pred))
        if _close(pl, gl) and _close(ph, gh):
            return 2
        if (pl <= gh or _close(pl, gh)) and (gl <= ph or _close(gl, ph)):
            best = 1
    return best


def figure_score(pred: Figure, gold: Figure) -> float | None:
    agree = _numbers_agree(pred, gold)
    if not agree:
        return None
    alike = similarity(pred.measure, gold.measure)
    return agree * 100 + alike if alike >= MEASURE_THRESHOLD else None


def _value_right(pred: Figure, gold: Figure) -> bool:
    for k in _scales(pred, gold):
        if gold.low is not None and gold.high is not None:
            if pred.low is not None and pred.high is not None and _close(pred.low * k, gold.low) and _close(
                pred.high * k, gold.high
            ):
                return True
        elif gold.value is not None and pred.value is not None and _close(pred.value * k, gold.value):
            return True
    return False


def figure_correct(pred: Figure, gold: Figure) -> bool:
    """Value (or both bounds of a range), qualifier and unit all right."""
    return _value_right(pred, gold) and pred.qualifier == gold.qualifier and _unit(pred.unit) == _unit(gold.unit)


# actors


def _name_words(name: str) -> tuple[str, ...]:
    plain = re.sub(r"['’]s\b", "", _plain(name)).replace(".", "")  # "Russia's" names Russia; "U.S." is "us"
    words = re.findall(r"\w+", plain)
    if words and words[0] == "the":
        words = words[1:]
    return tuple(words)


def actor_score(pred: Actor, gold: Actor) -> float | None:
    said = _name_words(pred.name)
    if not said:
        return None
    person = gold.kind.value == "person"
    best: float | None = None
    for name in [gold.name, *getattr(gold, "aliases", [])]:
        known = _name_words(name)
        if said == known:
            return 2.0
        shorter, longer = sorted((said, known), key=len)
        if person and shorter and longer[-len(shorter) :] == shorter:
            best = 1.0  # a surname alone, or a name with a title before it
    return best


# claims and conditions


def _overlap(a: Span, b: Span) -> float:
    shared = min(a.end, b.end) - max(a.start, b.start)
    shorter = min(a.end - a.start, b.end - b.start)
    return max(shared, 0) / shorter if shorter > 0 else 0.0


def text_score(pred: Any, gold: Any, field: str) -> float | None:
    said = similarity(getattr(pred, field), getattr(gold, field))
    if pred.grounded and gold.span is not None and _overlap(pred.span, gold.span) >= SPAN_OVERLAP and said >= SPAN_TEXT_FLOOR:
        return 200 + said
    alike = max(similarity(getattr(pred, field), getattr(gold, field), whole=True),
                similarity(pred.quote, gold.quote, whole=True))
    return alike if alike >= TEXT_THRESHOLD else None
