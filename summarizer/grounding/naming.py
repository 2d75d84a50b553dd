"""Whether a region names a party: in full, by surname in any spelling, or by acronym; and where the article does.

A name is compared by its keys (:func:`name_key`: folded, possessive and dots aside), a
surname by :func:`same_name` ("Zelensky"/"Zelenskyy", "Ukraine"/"Ukrainian"), a phrase in
its :func:`plain` form. Lookups over a whole article go through its word index
(:func:`article_index`: the words of each paragraph and the paragraphs of each word, kept
for the few texts used last), never by rescanning the text; answers looked up by surname
are remembered with that index, so nothing outlives it.
"""

from __future__ import annotations

import dataclasses
import re
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import TypeVar

from ..sentences import CACHED_PARAGRAPH, TextCache, sentences
from ..text import fold

__all__ = [
    "NOT_NAMES",
    "WORD",
    "acronym_of",
    "article_index",
    "bare",
    "has_phrase",
    "name_key",
    "name_keys",
    "named_in",
    "named_in_article",
    "paragraphs_holding",
    "paragraphs_naming",
    "plain",
    "remember",
    "same_name",
    "surname_of",
]

_QUOTE_CHARS = re.compile(r"[\"'\u2018\u2019\u201c\u201d\u00ab\u00bb]")
WORD = re.compile(r"\w+(?:['\u2019.-]\w+)*")
"""A word as names and word lists read it: word characters, joined by an apostrophe, a full stop or a hyphen."""
NOT_NAMES = frozenset(
    {"the", "a", "an", "of", "and", "in", "on", "at", "for", "to", "by", "said", "says", "he", "she", "it", "they", "but"}
    # capitalised only because they open a sentence: "When asked, Leavitt said", "When Britain announced"
    | {"when", "if", "after", "before", "as", "while", "since", "although", "though", "because", "once", "until"}
    | {"instead", "meanwhile", "then", "so", "yet", "i", "we", "you"}
)
"""Capitalised words that are no name: articles, pronouns, and words that open a sentence ("When", "Instead")."""


def plain(text: str) -> str:
    """Folded, quotation marks removed, spaces collapsed: how a phrase (a name, a title, a figure's text) is looked for."""
    return _plain_cached(text) if len(text) <= CACHED_PARAGRAPH else _plain_of(text)


def _plain_of(text: str) -> str:
    return " ".join(_QUOTE_CHARS.sub(" ", fold(text)).split())


_plain_cached = lru_cache(maxsize=4096)(_plain_of)


def bare(name: str) -> str:
    """A name or title without the article before it: "the Pentagon" is named by "Pentagon"."""
    return re.sub(r"^(?:the|a|an)\s+", "", name.strip(), flags=re.IGNORECASE)


def name_key(word: str) -> str:
    """A word as names are compared: folded, its possessive and its dots aside ("Milley's" -> "milley")."""
    return _key_cached(word) if len(word) <= 64 else _key_of(word)  # a word of thousands of letters is not kept


def _key_of(word: str) -> str:
    key = fold(word).replace("\u2019", "'")
    return re.sub(r"'s?$", "", key).strip(".")


_key_cached = lru_cache(maxsize=65536)(_key_of)


def same_name(a: str, b: str) -> bool:
    """One name in two spellings: "Zelensky"/"Zelenskyy"/"Zelenskiy", "Ukraine"/"Ukrainian", "Russia"/"Russian"."""
    if a == b:
        return True
    if a[:4] != b[:4]:  # every spelling below shares its first four letters: most pairs end here
        return False
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) < 4:
        return False
    stem = short[:-1] if short[-1] in "eaiy" else short
    if len(stem) < 4 or not long.startswith(stem):
        return False
    return long[len(stem) :] in ("", "y", "iy", "yy", "i", "ii", "n", "an", "ian", "ns", "ans", "ians", "s", "e", "a")


def name_keys(text: str) -> list[str]:
    """The :func:`name_key` of every word of ``text``, in order."""
    return [name_key(w) for w in WORD.findall(text)]


T = TypeVar("T")

_CAP = 200  # paragraphs read per lookup: a person's or a title's first mentions are where they are introduced


_MEMO = 1024  # answers kept per article for each lookup (by surname), cleared when full


@dataclass(frozen=True)
class _Article:
    """The words of each paragraph of one text, and where each word is: so lookups never rescan the text.

    Both are stored as arrays of word numbers and paragraph numbers (a few bytes per
    word of each paragraph), and the lookups by surname are remembered here, with the
    article, so nothing outlives its index.
    """

    keys: dict[str, int]  # each word key of the text, numbered in the order it first occurs
    names: tuple[str, ...]  # the keys, by number
    words: array[int]  # the distinct key numbers of paragraph p: words[word_at[p] : word_at[p + 1]]
    word_at: array[int]
    paragraphs: array[int]  # the paragraphs holding key number n: paragraphs[paragraph_at[n] : paragraph_at[n + 1]]
    paragraph_at: array[int]
    naming: dict[str, tuple[int, ...]] = dataclasses.field(default_factory=dict)
    titles: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    first_names: dict[str, bool] = dataclasses.field(default_factory=dict)

    def where(self, key: str) -> Sequence[int]:
        """The paragraphs that hold ``key``, ascending."""
        n = self.keys.get(key)
        return () if n is None else self.paragraphs[self.paragraph_at[n] : self.paragraph_at[n + 1]]

    def tokens(self, paragraph: int) -> set[str]:
        """The word keys of one paragraph."""
        return {self.names[n] for n in self.words[self.word_at[paragraph] : self.word_at[paragraph + 1]]}


def remember(memo: dict[str, T], key: str, value: T) -> T:
    """``value``, kept in a per-article ``memo`` under ``key`` (the memo cleared when full)."""
    if len(memo) >= _MEMO:
        memo.clear()
    memo[key] = value
    return value


def _build_article(text: str) -> _Article:
    keys: dict[str, int] = {}
    words, word_at = array("I"), array("I", [0])
    holding: list[list[int]] = []
    for i, (lo, hi) in enumerate(sentences(text).paragraphs):
        for k in dict.fromkeys(name_keys(text[lo:hi])):
            n = keys.setdefault(k, len(keys))
            if n == len(holding):
                holding.append([])
            holding[n].append(i)
            words.append(n)
        word_at.append(len(words))
    paragraphs = array("I", [p for ps in holding for p in ps])
    paragraph_at = array("I", accumulate(map(len, holding), initial=0))
    return _Article(keys, tuple(keys), words, word_at, paragraphs, paragraph_at)


article_index = TextCache(_build_article)
"""The word index of a text, for the few texts used last (see :class:`summarizer.sentences.TextCache`)."""


def paragraphs_naming(text: str, surname: str) -> tuple[int, ...]:
    """The paragraphs that write ``surname`` in any of its spellings (the first :data:`_CAP`)."""
    art = article_index(text)
    found = art.naming.get(surname)
    if found is None:
        hits = {p for k, n in art.keys.items() if same_name(surname, k)
                for p in art.paragraphs[art.paragraph_at[n] : art.paragraph_at[n + 1]]}
        found = remember(art.naming, surname, tuple(sorted(hits)[:_CAP]))
    return found


def paragraphs_holding(text: str, phrase: str) -> list[int]:
    """The paragraphs that may hold ``phrase``: those with all its words (the first :data:`_CAP`)."""
    art = article_index(text)
    keys = [name_key(w) for w in WORD.findall(phrase)]
    if not keys:
        return []
    lists = sorted((art.where(k) for k in keys), key=len)
    common = set(lists[0]).intersection(*lists[1:])
    return sorted(common)[:_CAP]


def has_phrase(haystack: str, phrase: str) -> bool:
    """Whether ``haystack`` holds ``phrase`` as whole words."""
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", haystack) is not None


def surname_of(who: str) -> str | None:
    """The last capitalised word of three letters or more: "Gen. Mark Milley" -> "milley"."""
    words = [w for w in WORD.findall(who) if w[:1].isupper() and sum(c.isalpha() for c in w) >= 3]
    return name_key(words[-1]) if words else None


def acronym_of(words: str) -> str | None:
    """ "United Nations" -> "un", "International Atomic Energy Agency" -> "iaea"; None for one word."""
    capitals = [w for w in WORD.findall(words) if w[:1].isupper() and w.lower() not in NOT_NAMES]
    return "".join(w[0] for w in capitals).lower() if len(capitals) >= 2 else None


def _written_acronyms(region: str) -> set[str]:
    """Acronyms as the region writes them: "UN", "U.N.", "IAEA"."""
    return {w.replace(".", "").lower() for w in re.findall(r"\b[A-Z](?:\.?[A-Z])+\.?", region)}


def _spelled_acronyms(region: str) -> set[str]:
    """The acronyms of the region's capitalised names: "United Nations" -> "un"."""
    runs = re.findall(r"[A-Z][\w'’-]+(?:\s+(?:of|for|the|and)?\s*[A-Z][\w'’-]+)+", region)
    return {a for run in runs if (a := acronym_of(run))}


def named_in(region: str, who: str) -> bool:
    """Whether ``region`` names ``who``: the whole phrase, its surname in any of its spellings, or its acronym."""
    phrase = plain(bare(who))
    phrase = re.sub(r"'s?$", "", phrase)
    if phrase and has_phrase(plain(region), phrase):
        return True
    surname = surname_of(who)
    if surname is not None and any(same_name(surname, t) for t in name_keys(region)):
        return True
    spelled = acronym_of(who)
    if spelled is not None and spelled in _written_acronyms(region):  # "United Nations" for "UN figures"
        return True
    letters = who.replace(".", "").strip()
    return letters.isupper() and 2 <= len(letters) <= 6 and letters.lower() in _spelled_acronyms(region)


def named_in_article(text: str, who: str) -> bool:
    """:func:`named_in` over the whole article, through its index (an article may be megabytes)."""
    surname = surname_of(who)
    if surname is not None and paragraphs_naming(text, surname):
        return True
    paragraphs = sentences(text).paragraphs
    phrase = bare(who)
    if any(named_in(text[paragraphs[p][0] : paragraphs[p][1]], who) for p in paragraphs_holding(text, phrase)):
        return True
    spelled = acronym_of(who)
    return spelled is not None and spelled in article_index(text).keys
