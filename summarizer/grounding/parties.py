"""The names in the model's own words: which it writes, whether its evidence names them, and what each party is.

:func:`names_written` reads the capitalised runs of the model's words (titles, dates and
sentence-opening common words aside); :func:`unnamed` says which of them a region does not
name in any of the forms a name takes (:func:`same_nation`: "Ukraine"/"Ukrainian",
"United Nations"/"UN"; a country for the nationality the article gives a person named
there); :func:`descriptors` reads what the article writes beside a person or body: its
nations and bodies, and its title. Answers looked up by name are remembered with the
article's words (a per-article cache), never in a cache keyed by the text itself.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Callable
from typing import Any, TypeVar

import simplemma

from ..sentences import TextCache, sentences
from ..text import fold
from .attribution import REPORTING_VERBS
from .lemmas import STOP, TITLES, WHEN
from .naming import named_in

__all__ = [
    "DEMONYM",
    "NAME_RUN",
    "descriptors",
    "looks_like_person",
    "names_written",
    "same_nation",
    "unnamed",
    "within",
]

_BODIES = frozenset(
    [
        "council", "programme", "program", "nations", "service", "ministry", "institute", "agency", "committee",
        "office", "bank", "fund", "organisation", "organization", "union", "army", "force", "forces", "staff",
        "court", "party", "government", "university", "news", "press", "group", "association", "commission",
        "department", "bureau", "centre", "center", "league", "assembly", "parliament", "council", "guard", "navy",
        "corps", "command", "republic", "kingdom", "federation", "foundation", "company", "corporation", "times",
        "post", "wire", "network", "agency"
    ]
)
"""Words that end the name of a body, not of a person ("Northern Relief Council", "Calder News Service")."""
DEMONYM = re.compile(r"(?:ian|ean|ese|ish|an|i|ic)$")
"""The endings of a nationality word ("Russian", "Chinese", "Polish", "Israeli")."""


T = TypeVar("T")

NAME_RUN = re.compile(
    r"(?:[A-Z][\w'\u2019.-]*|[A-Z]\.(?:[A-Z]\.)+)(?:\s+(?:(?:of|for|de|al|von|van|bin)\s+(?:the\s+)?)?(?:[A-Z][\w'\u2019.-]*))*"
)
"""A run of capitalised words, read as one name ("Red Crescent Society of Ostrany", "U.S.")."""


def names_written(words: str, article: str) -> list[str]:
    """The names the model's words give: capitalised runs, titles, dates and sentence-opening common words aside."""
    found = []
    seen = _article_words(article)
    words = re.sub(r"\b([A-Z])\.\s+(?=[A-Z]\.)", r"\1.", words)  # "U. S." as a small model writes "U.S."
    for m in NAME_RUN.finditer(words):
        run = m[0].rstrip(".")
        opening = m.start() == 0 or re.search(r"[.!?:\"\u201c\u2018(]\s*$", words[: m.start()]) is not None
        keep = []
        for i, p in enumerate(re.findall(r"[\w'\u2019.-]+", run)):
            key = re.sub(r"'s?$", "", fold(p).replace("\u2019", "'").strip("."))
            if key in TITLES or key in WHEN or key in STOP or not p[:1].isupper():
                continue
            if i == 0 and opening and " " not in run and not seen.is_name(key):
                continue  # a common word that opens a sentence ("Aid convoys", "Mines are cleared")
            keep.append(re.sub(r"['\u2019]s$", "", p))
        if keep and len(" ".join(keep).replace(".", "")) > 1:  # a lone initial names no one
            found.append(" ".join(keep))
    return found


@dataclasses.dataclass(frozen=True)
class _Seen:
    """What an article writes in lower case, and what it capitalises inside a sentence."""

    lower: frozenset[str]
    inside: frozenset[str]
    memo: dict[tuple[str, str], Any] = dataclasses.field(default_factory=dict)  # lookups by name, kept with the article
    def is_name(self, key: str) -> bool:
        """Whether a word opening the model's sentence is a name: never lower case in the article, and capitalised
        inside one of its sentences or no English word at all."""
        if key in self.lower:
            return False
        return key in self.inside or not simplemma.is_known(key, lang="en")


def _build_seen(article: str) -> _Seen:
    lower = frozenset(re.findall(r"\b[a-z][\w'\u2019-]*", article)) | STOP
    inside = frozenset(fold(w) for w in re.findall(r"(?<=[\w,;] )([A-Z][\w'\u2019-]*)", article))
    return _Seen(lower, inside)


_article_words = TextCache(_build_seen)
"""The words an article writes in lower case and capitalised, for the few texts used last."""


_BOTH = re.compile(
    r"\b(?:both|the two|each|either)\s+(?:\w+\s+)?(?:sides|side|capitals|capital|countries|country|parties|party|"
    r"governments|government|delegations|delegation|nations|states|armies|neighbours|neighbors)\b",
    re.IGNORECASE,
)


def unnamed(words: str, region: str, article: str, wide: str = "") -> list[str]:
    """The names in ``words`` that ``region`` does not name, in any of the forms a name takes.

    Besides the forms :func:`~summarizer.grounding.naming.named_in` knows, a country
    stands for the nationality the article gives a person named in the region
    ("Kestria" where "Kestrian Energy Minister Pavel Horák" speaks).
    """
    missing = []
    given: list[str] | None = None
    for name in names_written(words, article):
        if named_in(region, name):
            continue
        theirs = names_written(region, article)
        if any(same_nation(name, n) for n in theirs):
            continue
        if given is None:
            given = [g for n in theirs for g in descriptors(article, n)[0]]
        if any(same_nation(name, g) for g in given):
            continue
        if wide and _BOTH.search(region) and named_in(wide, name):
            continue  # "both capitals", "the two sides": the parties named just before
        missing.append(name)
    return missing


def _nations(words: str) -> list[str]:
    """Nationality words: a demonym before a common noun ("Russian soldiers") or a name's possessive ("Varnia's")."""
    out = []
    for m in re.finditer(r"\b([A-Z][a-z]{2,})(['\u2019]s)?(?=(\s+[a-z])?)", words):
        if m[2] or (m[3] and DEMONYM.search(m[1]) and m[1].lower() not in STOP and m[1].lower() not in TITLES):
            out.append(m[1])
    return out


def same_nation(a: str, b: str) -> bool:
    """One party in two forms: "Ukraine"/"Ukrainian", "Tarvia"/"Tarvic", "United Nations"/"UN"."""
    if named_in(a, b) or named_in(b, a):
        return True
    x, y = (" ".join(w for w in fold(n).split() if w not in _BODIES) for n in (a, b))  # "Tarvic Republic": "tarvic"
    common = 0
    while common < min(len(x), len(y)) and x[common] == y[common]:
        common += 1
    return common >= 4 and len(x) - common <= 2 and len(y) - common <= 2 and " " not in x + y
_BEFORE_STOP = re.compile(
    r"(?:[.;:!?\"\u201c\u201d(]|\band\b|\bwith\b|\bby\b|\bwho\b|\bthat\b|\b(?:"
    + "|".join(sorted((re.escape(v) for v in REPORTING_VERBS if " " not in v), key=len, reverse=True))
    + r")\b)"
)


_MEMO = 1024
"""Answers kept per article for each lookup by name, cleared when full."""
_MENTIONS = 30
"""Mentions of a name read for what the article says of it: a person's titles come where they are introduced."""


def _remembered(text: str, kind: str, key: str, find: Callable[[], T]) -> T:
    memo = _article_words(text).memo
    if (kind, key) not in memo:
        if len(memo) >= _MEMO:
            memo.clear()
        memo[(kind, key)] = find()
    found: T = memo[(kind, key)]
    return found


def descriptors(text: str, name: str) -> tuple[list[str], str]:
    """What the article says a person or body is (see :func:`_find_descriptors`), remembered per article."""
    return _remembered(text, "descriptors", name, lambda: _find_descriptors(text, name))


def _find_descriptors(text: str, name: str) -> tuple[list[str], str]:
    """What the article says a person or body is, wherever it names them: (nations and bodies, title words).

    Read from the words right before the name ("Kestrian Foreign Minister Andrej Kovač",
    "Varnia's deputy foreign minister, Mihail Roșca", "IAEA Director General Rafael
    Grossi"), an apposition right after it ("Milley, the highest-ranking U.S. military
    officer,") and a sentence that says what it is ("Varga is a reporter and the head of
    the foreign desk").
    """
    words = [w for w in re.findall(r"[\w'\u2019.-]+", name) if w[:1].isupper()]
    if not words:
        return [], ""
    # a body ("Northern Relief Council", "Red Crescent Society of Ostrany") is looked for by its whole name, a
    # person ("Army Gen. Mark Milley") by surname
    whole = fold(name.split()[-1]) in _BODIES or re.search(r"\s(?:of|for)\s", name) is not None
    target = r"\s+".join(re.escape(w) for w in name.split()) if whole else re.escape(words[-1])
    bodies: list[str] = []
    titles: list[str] = []
    paragraphs = sentences(text)
    for m in itertools.islice(re.finditer(rf"(?<![\w-]){target}\b", text), _MENTIONS):
        p = paragraphs.paragraph_at(m.start())
        lo = paragraphs.paragraphs[p][0] if p is not None else max(0, m.start() - 300)
        origin = max(lo, m.start() - 300)
        before = text[origin : m.start()]
        cut = next((c for c in reversed(list(_BEFORE_STOP.finditer(before))) if not _abbreviation(before, c)), None)
        start = origin + (cut.end() if cut else 0)
        before = " ".join(text[start : m.start()].split()[-8:])
        if re.match(r"(?:its|his|her|their)\b", before, re.IGNORECASE):  # "Its spokesman, X,": what "its" refers to
            previous = paragraphs.at(max(lo, start - 2))
            if previous is not None:  # the subject of the sentence before
                before = " ".join(text[previous.start : previous.end].split()[:6]) + " " + before
        after = text[m.end() : m.end() + 160]
        piece = r"((?:[^,;.:\"\u201c\u201d]|(?<=\b[A-Z])\.){3,100})"
        appos = re.match(rf"\s*,\s*{piece}[,;.]", after)
        copula = re.match(rf"\s+(?:is|was|has been|serves as)\s+{piece}", after)
        for i, part in enumerate((before, appos[1] if appos else "", copula[1] if copula else "")):
            if not part:
                continue
            runs = [r for r in names_written(part, text) if not any(same_nation(r, w) for w in words)]
            if i:  # an apposition: the body it belongs to ("director of the Council"), not every name it holds
                runs = [r for r in runs if re.search(rf"\b(?:of|at|for|from)\s+(?:the\s+)?{re.escape(r.split()[0])}", part)]
            found = runs + [n for n in _nations(part + " x") if n not in runs]
            found += re.findall(r"\b[A-Z](?:\.[A-Z])+\.?" + (r"|\b[A-Z]{2,5}\b" if not i else ""), part)
            bodies += [b for b in found if not _is_person(b, text)]
            titles.append(part)
    return list(dict.fromkeys(bodies)), " ".join(titles)


def _abbreviation(before: str, stop: re.Match[str]) -> bool:
    """Whether a full stop ends an abbreviation ("Col.", "U.S.", "Gen."), not a sentence."""
    if stop[0] != ".":
        return False
    word = re.search(r"([\w.]+)\.$", before[: stop.end()])
    return word is not None and (fold(word[1].strip(".")) in TITLES or len(word[1].replace(".", "")) <= 2)


def _is_person(name: str, text: str) -> bool:
    """A name the article writes as a person's ("Biden" of "Joe Biden", "Ilse Margrave"): not a body."""
    return _remembered(text, "person", name, lambda: _finds_person(name, text))


def _finds_person(name: str, text: str) -> bool:
    if " " in name:
        return looks_like_person(name, text)
    if not name[:1].isupper():
        return False
    m = re.search(rf"\b([A-Z][a-z]+)\s+{re.escape(name)}\b", text)
    return m is not None and fold(m[1]) not in TITLES and fold(m[1]) not in STOP and not _nations(m[1] + " x")


def looks_like_person(name: str, text: str) -> bool:
    """Two capitalised words the article writes as a first name and a surname ("Volodymyr Zelensky")."""
    parts = name.split()
    if len(parts) < 2 or any(p.lower() in ("of", "for", "the", "and") or p.lower() in _BODIES for p in parts):
        return False
    # written so, and not as the start of a longer name ("Varnese Northern Army", a body)
    pattern = rf"\b{re.escape(parts[-2])}\s+{re.escape(parts[-1])}\b(?!\s+[A-Z])"
    written = _remembered(text, "written", pattern, lambda: re.search(pattern, text) is not None)
    return written and not _nations(parts[-2])


def within(a: str, b: str) -> bool:
    """One name inside the other: "United Nations" in "United Nations special envoy"."""
    x, y = fold(a), fold(b)
    return bool(x) and bool(y) and (x in y or y in x)
