"""What a number in the article counts, as the library reads it: its unit and its measure.

:func:`unit_of` reads the counted noun, the currency or "percent"; :func:`measure_of` the
number's scope: the noun phrase after it, the participles said of it, the verb it is the
object of, and a place right after it. Each returns None where the words do not settle
it, and the model's label is then kept (and checked, :mod:`~summarizer.grounding.measures`).
"""

from __future__ import annotations

import re

from .reading import word_key

__all__ = [
    "measure_of",
    "unit_of",
]

_WORD = re.compile(r"[^\W_]+(?:['\u2019.\-][^\W_]+)*\.?")

_CURRENCY = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
_CURRENCY_WORDS = {"dollar": "USD", "dollars": "USD", "euro": "EUR", "euros": "EUR", "pound": "GBP", "pounds": "GBP"}
_AUX = frozenset(
    {"have", "has", "had", "been", "be", "were", "was", "are", "is", "being", "will", "would", "could", "may", "might",
     "reportedly", "already", "now", "also", "all", "since"}
)
_STOPS = frozenset(
    {"and", "or", "but", "in", "of", "on", "at", "to", "for", "from", "by", "with", "since", "during", "who", "that",
     "which", "than", "as", "over", "into", "across", "near", "according", "said", "says", "a", "an", "the", "this",
     "per", "each", "more", "less", "fewer", "about", "around", "without", "within", "after", "before", "against",
     "under", "among", "between", "if", "when", "because", "unless", "until", "while", "so", "it", "its", "they",
     "them", "their", "we", "our", "my", "his", "her", "he", "she", "you", "i", "once", "away", "ago", "later",
     "earlier", "there", "here", "not", "only", "just", "still", "too", "say", "then"} | _AUX
)
_PARTICIPLES = frozenset(
    {"killed", "wounded", "injured", "displaced", "detained", "arrested", "missing", "taken", "held", "captured",
     "evacuated", "left", "lost", "fled", "sent", "deployed", "stationed", "amassed", "destroyed", "damaged", "freed",
     "released", "exchanged", "returned", "shot", "downed", "launched", "fired", "raised", "pledged", "spent"}
)
_COUNT_NOUNS = frozenset({"people", "police", "personnel", "staff", "infantry", "livestock", "cattle", "aid", "fuel"})
"""Counted nouns that do not end in "s"; any other unit read must be a plural (one that reads like a verb is not)."""
_SCALES = frozenset({"thousand", "million", "billion", "trillion", "hundred", "dozen"})


def _words_after(text: str, at: int, limit: int = 12) -> list[tuple[str, int, int]]:
    """The words after ``at`` up to the first punctuation or line break: (word, start, end)."""
    out: list[tuple[str, int, int]] = []
    for m in _WORD.finditer(text, at):
        gap = text[out[-1][2] if out else at : m.start()]
        if len(out) >= limit or re.search(r"[,;:!?()\u201c\u201d\"\n]|\.\s", gap):
            break
        out.append((m[0], m.start(), m.end()))
    return out


def _noun_phrase(text: str, end: int, limit: int = 4) -> list[tuple[str, int, int]]:
    """The words right after a number that say what it counts: "Ukrainian civilians", "Russian soldiers"."""
    glued = re.match(r"[-\u2010\u2011]([a-z]+)", text[end:])
    if glued:  # "30-day", "600-kilometre"
        return [(glued[1], end + 1, end + glued.end())]
    phrase: list[tuple[str, int, int]] = []
    for word, lo, hi in _words_after(text, end, limit + 2):
        k = word_key(word).rstrip(".")
        if k in _STOPS or (k in _PARTICIPLES and phrase) or re.fullmatch(r"[\d.,]+", k) or k.endswith("ing"):
            break
        if k in _SCALES and not phrase:
            continue
        if k.endswith("ed") or (phrase and word[:1].isupper() and not phrase[-1][0][:1].isupper()):
            break  # a verb, or a capitalised word after a common noun: the next clause ("people Engineers say")
        phrase.append((word.rstrip("."), lo, hi))
        if len(phrase) >= limit:
            break
    return phrase


def unit_of(text: str, start: int, end: int) -> str | None:
    """The unit of the number at ``text[start:end]``: a currency code, "percent", or the counted noun; None if unread."""
    written = text[start:end]
    before = text[max(0, start - 2) : start]
    for sign, code in _CURRENCY.items():
        if sign in written or sign in before:
            return code
    after = text[end : end + 14].lower()
    if "%" in written or re.match(r"\s*(?:%|percent\b|per cent\b)", after):
        return "percent"
    words = _words_after(text, end, 3)
    for word, _, _ in words[:2]:
        currency = _CURRENCY_WORDS.get(word_key(word))
        if currency:
            return currency
    phrase = _noun_phrase(text, end)
    if not phrase:
        return None
    head = phrase[-1][0]
    glued = text[end : end + 1] in "-\u2010\u2011"
    counted = glued or head.endswith("s") or word_key(head) in _COUNT_NOUNS
    return head if counted and not head[:1].isupper() else None


def _predicate(text: str, at: int) -> list[str]:
    """The participles said of a noun phrase ending at ``at``: "have been killed or wounded" -> killed, or, wounded."""
    out: list[str] = []
    for word, _, _ in _words_after(text, at, 8):
        k = word_key(word)
        if k in _AUX and not out:
            continue
        if k in _PARTICIPLES or (k.endswith("ed") and len(k) > 4) or (k in ("or", "and") and out):
            out.append(k)
        else:
            break
    while out and out[-1] in ("or", "and"):
        out.pop()
    return out


def _chain_end(text: str, hi: int, limit: int) -> int:
    """Past the numbers listed with this one ("40,000 civilians and 100,000 soldiers"): where its predicate starts."""
    m = re.match(r"\s*(?:,|and|or)\s+(?:\S+\s+){0,3}?[\d$€£¥][\d,.]*(?:\s+(?:thousand|million|billion))?", text[hi:limit])
    if not m:
        return hi
    nxt = hi + m.end()
    phrase = _noun_phrase(text, nxt)
    return _chain_end(text, phrase[-1][2] if phrase else nxt, limit)


def measure_of(text: str, start: int, end: int, limit: int) -> str | None:
    """What the number at ``text[start:end]`` counts, from the words of its clause (ending at ``limit``), or None.

    The noun phrase after it, the participles its clause says of it (after the numbers
    listed with it: "40,000 civilians and 100,000 soldiers have been killed"), the verb
    it is the object of ("had amassed 20,000 troops"), and a place right after it ("in Kherson").
    """
    phrase = _noun_phrase(text, end)
    if not phrase:
        return None
    words = [w for w, _, _ in phrase]
    after = phrase[-1][2]
    verbs = _predicate(text, _chain_end(text, after, limit))
    if not verbs:
        before = re.search(r"([a-z]+)\s+(?:(?:as many as|more than|well over|at least|about|around|nearly|some|up to|"
                           r"almost|over|roughly|an estimated)\s+)?[\u201c\u201d\"]?$", text[max(0, start - 40) : start])
        if before and (before[1] in _PARTICIPLES or (before[1].endswith("ed") and len(before[1]) > 4)):
            verbs = [before[1]]
    place = re.match(r"\s+((?:in|from|at|near)\s+(?:the\s+)?[A-Z][\w'\u2019-]+(?:\s+[A-Z][\w'\u2019-]+)*)", text[after:limit])
    return " ".join([*words, *verbs, *([place[1]] if place else [])])
