"""The model's words as lemmas: which words carry a claim, and how many of them a region holds.

Lemmas come from ``simplemma`` (no dependencies, 54 languages): "killed" and "kill" are one
word, and so are "withdraw" and "withdrawal" (:func:`lemma_in`); a verb of two words is read
as the verb it means ("steps up": "intensify"). :func:`content_words` leaves out function and
reporting words (:data:`STOP`), numbers, negations and names, which are checked apart;
:func:`support` is the share of the rest that a region holds (:data:`SUPPORT` at least, for a
statement). Short texts have their words kept in caches of many entries; a longer one (a
one-line article) in a text cache of the last few texts, so each is read once per answer and
no cache holds many articles alive.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple

import simplemma

from ..sentences import TextMemo
from ..text import fold
from .attribution import TITLE_WORDS

__all__ = [
    "NEGATION",
    "STOP",
    "SUPPORT",
    "TITLES",
    "TOKEN",
    "WHEN",
    "Token",
    "content_words",
    "lemma_in",
    "lemma_keys",
    "lemma_of",
    "support",
    "support_of",
    "tokens",
]

SUPPORT = 0.2
"""The share of a text's content words (by lemma) that its evidence must hold: set on the gold annotations."""

TOKEN = re.compile(r"[^\W_]+(?:['\u2019.\-][^\W_]+)*")
"""A word as the lemmas read it: letters and digits, joined by an apostrophe, a full stop or a hyphen."""
STOP = frozenset(
    [
        "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "as",
        "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "did", "do",
        "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having",
        "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it",
        "its", "itself", "just", "me", "more", "most", "my", "myself", "now", "of", "off", "on", "once", "only", "or",
        "other", "our", "ours", "ourselves", "out", "over", "own", "same", "she", "should", "so", "some", "such",
        "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this",
        "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where",
        "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself", "s", "t",
        "its", "it's", "said", "says", "say", "told", "tell", "added", "according", "also", "however", "still", "yet",
        "already", "since", "ago", "one", "last", "next", "first", "new", "week", "weeks", "day", "days", "month",
        "months", "year", "years", "time", "times", "thing", "things", "way", "part", "would", "could", "may",
        "might", "must", "shall", "should", "can", "cannot", "will"
    ]
)
"""Function words and reporting words: they carry no claim of their own, so support never counts them."""
NEGATION = frozenset({"not", "no", "never", "neither", "nor", "without", "none", "nobody", "nothing", "cannot", "n't"})
"""Words that negate what follows them ("not", "never", "n't")."""
TITLES = TITLE_WORDS | frozenset(
    {
        "colonel", "admiral", "major", "captain", "chairwoman", "chair", "senator", "governor", "king", "queen",
        "prince", "chancellor", "premier", "ambassador", "envoy", "spokesman", "spokeswoman", "spokesperson",
        "director", "commander", "chief", "head", "mayor", "pope", "sheikh", "sir", "lord", "lady", "judge", "justice",
    }
)
"""Words of a title, the who-fields' own and the posts a title names: never a name of their own."""


WHEN = frozenset(
    [
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today", "yesterday",
        "tomorrow", "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
        "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"
    ]
)
"""Names of days and months ("May", "Monday"): capitalised, but never a party's name."""
_COMMON = STOP | WHEN | TITLES
"""Capitalised words that are still common words when they open a sentence ("Both", "Talks")."""


@lru_cache(maxsize=65536)
def lemma_of(word: str) -> str:
    """The word's dictionary form (``simplemma``, English), folded: "killed" -> "kill", "troops" -> "troop"."""
    low = fold(word).replace("\u2019", "'")
    low = re.sub(r"'s?$", "", low)
    lemma = simplemma.lemmatize(low, lang="en").lower() if len(low) < 40 else low
    return lemma


def _same_lemma(a: str, b: str) -> bool:
    """One word in two forms: equal lemmas, or a shared stem of five letters or more ("withdraw"/"withdrawal")."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return len(short) >= 5 and long.startswith(short[:-1] if len(short) > 5 else short) and len(long) - len(short) <= 5


class Token(NamedTuple):
    """One word of a text: as written, folded, its lemma, and where it starts (a tuple: an article makes thousands)."""

    raw: str
    low: str
    lemma: str
    start: int


_PHRASAL = (
    (re.compile(r"\b(?:step|steps|stepped|stepping|ramp|ramps|ramped|scale|scales|scaled)\s+up\b", re.I), "intensify",
     ("up",)),
    (re.compile(r"\b(?:pull|pulls|pulled|pulling|draw|draws|drew|drawn)\s+(?:\w+\s+){0,3}?back\b", re.I), "withdraw",
     ("back",)),
    (re.compile(r"\b(?:scale|scales|scaled|cut|cuts)\s+back\b", re.I), "reduce", ("back",)),
    (re.compile(r"\b(?:hand|hands|handed|handing|turn|turns|turned)\s+over\b", re.I), "hand", ("over",)),
    (re.compile(r"\b(?:move|moves|moved|moving|push|pushes|pushed)\s+(?:\w+\s+){0,5}?(?:closer|forward|nearer)\b", re.I),
     "advance", ("closer", "forward", "nearer")),
    (re.compile(r"\b(?:turn|turns|turned|turning)\s+down\b", re.I), "reject", ("down",)),
    (re.compile(r"\b(?:call|calls|called|calling)\s+off\b", re.I), "cancel", ("off",)),
)
"""Verbs of two words, read as the one verb they mean, so "steps up" is the opposite of "halt"; each with the
words it ends in, looked for first (a pattern is run only on a text that holds one of them)."""

def tokens(text: str) -> list[Token]:
    """The words of ``text``, a verb of two words read as the one it means ("steps up": "intensify")."""
    return list(_toks(text))


def _toks_of(text: str) -> list[Token]:
    folded = text.casefold()  # what re.IGNORECASE matches, as plain text to look in
    for pattern, verb, ends in _PHRASAL:
        if any(end in folded for end in ends):
            text = pattern.sub(verb, text)
    out = []
    for m in TOKEN.finditer(text):
        raw = m[0]
        low = _low(raw) if len(raw) <= 64 else fold(raw).replace("\u2019", "'")
        if low.endswith("n't"):  # "wouldn't": the modal, then the negation
            out.append(Token(raw, low[:-3], lemma_of(low[:-3]), m.start()))
            out.append(Token("n't", "n't", "n't", m.end() - 3))
            continue
        out.append(Token(raw, low, lemma_of(raw), m.start()))
    return out


_toks: TextMemo[tuple[Token, ...]] = TextMemo(lambda text: tuple(_toks_of(text)), entries=8192)
_low = lru_cache(maxsize=65536)(lambda word: fold(word).replace("\u2019", "'"))


def lemma_keys(region: str) -> frozenset[str]:
    """Every lemma and word form of a region, as one set (kept for short regions, as :func:`tokens` is)."""
    return _keys(region)


def _keys_of(region: str) -> frozenset[str]:
    return frozenset(k for t in tokens(region) for k in (t.lemma, t.low))


_keys: TextMemo[frozenset[str]] = TextMemo(_keys_of)


def content_words(toks: list[Token]) -> list[Token]:
    """Words that carry a claim: not function words, not numbers, not capitalised names (checked apart)."""
    return [
        t for t in toks
        if t.low not in STOP and t.lemma not in STOP and not t.low[:1].isdigit() and t.low not in NEGATION
        and len(t.low) > 1 and not (t.raw[:1].isupper() and t.low not in _COMMON)
    ]


def lemma_in(lemma: str, among: Iterable[str]) -> bool:
    """Whether ``among`` holds the lemma in one of its forms (:func:`_same_lemma`), looked up by its first letters."""
    words = among if isinstance(among, frozenset) else frozenset(among)
    if lemma in words:
        return True
    return any(_same_lemma(lemma, other) for other in _by_stem(words).get(lemma[:4], ()))


@lru_cache(maxsize=512)
def _by_stem(words: frozenset[str]) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for w in words:
        out.setdefault(w[:4], []).append(w)
    return {k: tuple(v) for k, v in out.items()}


def support_of(words: str, region: str, allowed: frozenset[str] = frozenset()) -> tuple[float, list[str]]:
    """The share of the words' content lemmas that the region holds, and the ones it lacks."""
    mine = [t for t in content_words(tokens(words)) if t.lemma not in allowed and t.low not in allowed]
    if not mine:
        return 1.0, []
    theirs = lemma_keys(region)
    missing = [t.raw for t in mine if not (lemma_in(t.lemma, theirs) or t.low in theirs)]
    return 1 - len(missing) / len(mine), missing


def support(words: str, region: str) -> float:
    """The share of the content words (by lemma) of ``words`` that ``region`` holds: 1.0 when it has none."""
    return support_of(words, region)[0]
