"""What the library reads in the article itself, so that in a cited mode the model only chooses and words.

A small model names the wrong speaker, gives a number the unit "people" and another
number's measure, and cannot tell a chairman from a president. Where the article's own
words settle a field, the library reads it, with the same readers the checks use
(:mod:`~summarizer.grounding.attribution`, :mod:`~summarizer.grounding.parties`):

:func:`party`
    who a sentence attributes words to ("Milley said", "He said" after a paragraph
    naming him, "chairman of the Joint Chiefs of Staff claims"), when it names exactly
    one party, by the fullest name the article gives it.
:func:`names`
    the people, places, bodies and countries the article names, each with the sentence
    that introduces it and the role and affiliation written beside it ("Army Gen. Mark
    Milley, chairman of the Joint Chiefs of Staff"; "Ukrainian President Volodymyr
    Zelensky").
:func:`headline_of`
    the article's first line, when it is a headline.

What a number counts (its unit and measure) is read by :mod:`~summarizer.grounding.counts`.
Each reader returns None (or nothing) where the words do not settle it; the model's
label is then kept, and checked like any other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..sentences import Sentence, TextCache, sentences
from ..text import fold
from .attribution import REPORTING_VERBS, TITLE_WORDS, attributed_to, speakers_in, titled
from .parties import names_written

__all__ = [
    "HEADLINE_WORDS",
    "OPENING_PARAGRAPHS",
    "FoundName",
    "body_start",
    "byline_paragraph",
    "full_name",
    "headline_of",
    "names",
    "own_voice",
    "party",
    "word_key",
]

HEADLINE_WORDS = 25
"""Longest first line read as a headline; a longer one is the article's first paragraph."""
_TITLE_KEYS = TITLE_WORDS | {"gen.", "lt.", "col.", "sgt.", "adm.", "maj.", "capt.", "sen.", "rep.", "gov.", "dr."}
_DEMONYM = re.compile(r"(?:ian|ians|ean|eans|ese|ish|an|ans|ic|i|is|ern)$")
_LEADING = frozenset({"the", "a", "an", "read", "but", "and", "when", "while", "as", "if", "of", "in", "on", "for"})


def word_key(word: str) -> str:
    """A word as the readers compare it: folded, lower case, with a straight apostrophe."""
    return fold(word).lower().replace("\u2019", "'")


def _is_title(word: str) -> bool:
    k = word_key(word)
    return k in _TITLE_KEYS or k.rstrip(".") in TITLE_WORDS


def full_name(text: str, who: str) -> str:
    """``who`` by the fullest name the article gives: titles aside, a surname with its first name."""
    words = who.split()
    if any(w[:1].islower() and word_key(w) not in ("of", "the", "for", "and") for w in words):
        people = titled(text, who)  # "chairman of the Joint Chiefs of Staff": the person holding it
        if people:
            return full_name(text, people[0])
    last_title = max((i for i, w in enumerate(words[:-1]) if _is_title(w)), default=-1)
    words = words[last_title + 1 :]  # "Army Gen. Mark Milley", "Ukrainian President Volodymyr Zelensky", "Energy Minister ..."
    name = " ".join(words)
    name = name if re.search(r"\b[A-Z]\.[A-Z]\.$", name) else name.rstrip(".")
    if len(words) == 1:
        first = _first_names(text).get(name)
        if first:
            return f"{first} {name}"
    return name


def _find_first_names(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for m in re.finditer(r"(?=\b([A-Z][a-z][\w'\u2019-]*)[ \u00a0]+([A-Z][\w'\u2019-]*)\b)", text):
        if not _is_title(m[1]) and word_key(m[1]) not in _LEADING and not _DEMONYM.search(m[1]):
            found.setdefault(m[2], m[1])
    return found


_first_names = TextCache(_find_first_names)
"""Per article, read once: each capitalised word's first name where the article writes one before it on one line
("Mark Milley"), titles aside."""
_lower_words = TextCache(lambda text: frozenset(re.findall(r"\b[a-z][\w'\u2019-]*", text)))
"""Per article, read once: the words it writes in lower case."""


_SAID = "|".join(sorted((re.escape(v) for v in REPORTING_VERBS if " " not in v), key=len, reverse=True))
_REFERS_BACK = re.compile(
    rf"\b(?:he|she|they)\s+(?:\w+\s+)?(?:{_SAID})\b|\b(?:{_SAID})\s+(?:he|she|they)\b"
    rf"|\bthe\s+(?:[\w'\u2019-]+\s+){{1,3}}(?:{_SAID})\b",
    re.IGNORECASE,
)
"""An attribution that names no one ("he said", "the minister added"): it refers back to the last speaker named."""


def _as_written(body: str, name: str) -> str:
    """A name a reader gave with its small words dropped ("chairman Joint Chiefs Staff"), as ``body`` writes it."""
    at = _written_span(body, name)
    return body[at[0] : at[1]] if at else name


def _same(a: str, b: str) -> bool:
    return word_key(a.split()[-1]) == word_key(b.split()[-1]) if a and b else False


_SUBJECT_BREAK = re.compile(r";")
"""Where a sentence passes to a clause with its own subject and source ("Kestria says ...; Varnian officials
estimate ..."). A ", but" clause goes on in the same voice ("..., but that remains to be seen," he said)."""


def party(text: str, sentence: Sentence, lo: int, hi: int) -> str | None:
    """The one party ``sentence`` attributes ``text[lo:hi]`` to (a clause, or the whole sentence), or None.

    "He said" (and "the minister added") with no name of its own refers back to the
    paragraph before, as the speaker checks read it. None when the words name no one or
    several, or span clauses that do not all name the same one ("X says ...; Y estimates").
    """
    breaks = list(_SUBJECT_BREAK.finditer(text, lo, hi))
    if breaks:
        starts = [lo, *(m.end() for m in breaks)]
        ends = [*(m.start() for m in breaks), hi]
        each = {_party_of(text, sentence, a, b) for a, b in zip(starts, ends)}
        return each.pop() if len(each) == 1 else None
    return _party_of(text, sentence, lo, hi)


_VOICED = re.compile(
    rf"\baccording\s+to\b|[\"\u201c\u201d]|\b(?:{_SAID}|claims?|claimed|estimates?|estimated|reports?|reported|"
    r"believes?|believed|thinks?|put|puts|stated?|states|noted?|notes|accused|accuses|called|calls)\b",
    re.IGNORECASE,
)


def own_voice(text: str, lo: int, hi: int) -> bool:
    """Whether ``text[lo:hi]`` is the article's own voice: no reporting verb, no "according to", no quotation.

    Then a speaker or source the model names there is none of the article's (the field is null).
    """
    return _VOICED.search(text, lo, hi) is None


def _party_of(text: str, sentence: Sentence, lo: int, hi: int) -> str | None:
    body = text[sentence.start : sentence.end]
    found = [_as_written(body, f) for f in attributed_to(body, lo - sentence.start, hi - sentence.start)]
    if not found and _REFERS_BACK.search(text, lo, hi):
        s = sentences(text)
        start = s.paragraphs[sentence.paragraph - 1][0] if sentence.paragraph > 0 else sentence.start
        before = text[start : sentence.start]
        found = speakers_in(before)[-1:]
    names = [full_name(text, f) for f in found]
    distinct: list[str] = []
    for n in names:
        if n and not any(_same(n, d) for d in distinct):
            distinct.append(n)
    return distinct[0] if len(distinct) == 1 else None


@dataclass(frozen=True)
class FoundName:
    """One name the article gives, as the model may cite it."""

    id: str  # "A1"
    name: str  # the fullest form, titles aside: "Mark Milley"
    sentence: int  # 1-based: the sentence that introduces it (where its role is written, if any)
    role: str | None = None
    affiliation: str | None = None
    person: bool = False


def _written_span(body: str, name: str) -> tuple[int, int] | None:
    """Where a name :func:`names_written` gave (its small words dropped) sits in ``body``, as written."""
    parts = name.split()
    pattern = r"\b" + re.escape(parts[0]) + (r"\b.*?\b" + re.escape(parts[-1]) if len(parts) > 1 else "") + r"\b"
    m = re.search(pattern, body)
    return (m.start(), m.end()) if m else None


def _is_demonym(word: str, all_names: list[str]) -> bool:
    if " " in word or not _DEMONYM.search(word):
        return False
    k = word_key(word)
    return k in ("western", "eastern") or any(
        len(n) >= 4 and " " not in n and word_key(n) != k and word_key(n)[:4] == k[:4] for n in all_names
    )


def _apposition(text: str, name: str) -> str | None:
    """The apposition after a person's name: "Mark Milley, chairman of the Joint Chiefs of Staff," (its first)."""
    surname = re.escape(name.split()[-1])
    piece = r"[^,;:.\u201c\u201d\"]"
    for m in re.finditer(rf"\b{surname},\s+((?:the\s+|a\s+|an\s+)?[a-z]{piece}{{2,90}}?(?:\b[A-Z]\.)*{piece}*?),", text):
        role = m[1].strip()
        first = role.split()[0].lower()
        if first not in ("who", "which", "said", "says", "and", "but", "whose", "when", "where"):
            return role
    return None


def _prefix(text: str, name: str) -> tuple[str | None, str | None]:
    """Titles written before a name: ("President", "Ukrainian") for "Ukrainian President Volodymyr Zelensky"."""
    first = re.escape(name.split()[0])
    m = re.search(rf"((?:[A-Z][\w'\u2019-]*\.?\s+){{1,4}}){first}\b", text)
    if not m:
        return None, None
    words = m[1].split()
    while words and not (_is_title(words[0]) or (_DEMONYM.search(words[0]) and len(words) > 1 and _is_title(words[1]))):
        words = words[1:]
    if not words:
        return None, None
    nation = words[0] if not _is_title(words[0]) else None
    titles = [w for w in words if _is_title(w) or w[:1].isupper()][1 if nation else 0 :]
    return (" ".join(titles) or None), nation


def _country_for(nation: str, all_names: list[str]) -> str:
    """"Ukrainian" -> "Ukraine" when the article names that country; else the word as written."""
    k = word_key(nation)
    for n in all_names:
        if " " not in n and word_key(n) != k and word_key(n)[:4] == k[:4]:
            return n
    return nation


def _party_key(name: str) -> str:
    """One key for the forms of one name: "U.S." and "US"; a person's surname."""
    return word_key(name).replace(".", "")


_BODY_WORDS = frozenset(
    {"press", "service", "wire", "news", "council", "bank", "institute", "republic", "programme", "program", "nations",
     "society", "committee", "office", "ministry", "agency", "union", "organisation", "organization", "fund", "club",
     "army", "forces", "force", "party", "government", "court", "peninsula", "river", "sea", "city", "province",
     "region", "war", "group", "company", "times", "post", "reuters", "network", "command", "staff", "states"}
)


def _is_person(text: str, name: str) -> bool:
    """Two or three capitalised words, no body's word among them, not written in capitals, named on one line."""
    words = name.split()
    if not 2 <= len(words) <= 3 or any(not w[:1].isupper() or "-" in w or w.isupper() for w in words):
        return False
    return not any(word_key(w) in _BODY_WORDS for w in words)


def _nation_in(words: str, all_names: list[str]) -> str | None:
    """The nation a role's words give: "U.S." in "the highest-ranking U.S. military officer", or a demonym."""
    acronym = re.search(r"\b[A-Z]\.(?:[A-Z]\.)+", words)
    if acronym:
        return acronym[0]
    for w in re.findall(r"\b[A-Z][a-z]+", words):
        if _DEMONYM.search(w) and not _is_title(w) and _country_for(w, all_names) != w:
            return _country_for(w, all_names)
    return None


_BODY = re.compile(
    r"\b([A-Z][\w\u2019'-]*(?:\s+[A-Z][\w\u2019'-]*)*)(['\u2019]s)?\s+((?:[a-z]+\s+){0,2}?(?:ministry|government|"
    r"army|air force|navy|military|general staff|central bank|office|police|parliament|forces|embassy|cabinet|"
    r"delegation|administration|presidency|coast guard|national guard|security service|intelligence service))\b"
)
"""A party the article names by what it is: a name, or its possessive or demonym, and a body's noun."""
_NOT_BETWEEN = REPORTING_VERBS | {"his", "her", "its", "their", "the", "to", "of", "and", "that", "which", "pull", "by"}


def _note(text: str, written: str, n: int, plain: list[str], first_seen: dict[str, tuple[str, int]]) -> None:
    """Add one mention to ``first_seen`` (key -> fullest name, first sentence), or join it to its party."""
    words = written.split()
    while words and (word_key(words[0]) in _LEADING or (len(words) > 1 and _opens(text, words[0]))):
        words = words[1:]  # "Read Russia", "In Kessin", "Waves of Varnian"
    if not words or _is_demonym(" ".join(words), plain):
        return
    name = full_name(text, " ".join(words))
    if len(name.replace(".", "")) < 2 or _opens(text, name):
        return
    key = _party_key(name.split()[-1]) if _is_person(text, name) else _party_key(name)
    if key not in first_seen and " " not in name:  # "Milley" once "Mark Milley" is listed
        key = next((k for k, (full, _) in first_seen.items() if " " in full and _same(full, name)), key)
    if key not in first_seen:
        first_seen[key] = (name, n)
    elif len(name.split()) > len(first_seen[key][0].split()):
        first_seen[key] = (name, first_seen[key][1])


def _opens(text: str, word: str) -> bool:
    """A capitalised common word ("In", "Forty", "Waves"): the article writes it in lower case elsewhere."""
    return " " not in word and word.lower() in _lower_words(text)


def names(text: str, every: tuple[Sentence, ...] | None = None) -> tuple[FoundName, ...]:
    """The names the article gives, one per party (a surname joins its full name), in order of first mention."""
    every = every if every is not None else tuple(sentences(text).every())
    byline = byline_paragraph(text)
    mentions: list[tuple[str, int]] = []
    for n, s in enumerate(every, 1):
        if s.paragraph == byline:  # the reporter and the agency are not the story's actors
            continue
        body = text[s.start : s.end]
        for written in names_written(body, text):
            mentions.append((_as_written(body, written), n))
    plain = [w for w, _ in mentions]
    first_seen: dict[str, tuple[str, int]] = {}  # key -> (fullest name, first sentence)
    for written, n in mentions:
        for part in re.split(r"['\u2019]s\s+", written):  # "Varnia's Sarnov": two names
            _note(text, part, n, plain, first_seen)
    for n, s in enumerate(every, 1):  # parties named by what they are: "Varnia's foreign ministry"
        for m in _BODY.finditer(text, s.start, s.end):
            owner = re.sub(r"^(?:The|A|An)\s+", "", m[1])
            between = m[3].split()[:-1]
            if _opens(text, owner) or len(owner.split()) > 3 or any(word_key(w) in _NOT_BETWEEN for w in between):
                continue
            name = f"{owner}{m[2] or ''} {m[3]}"
            first_seen.setdefault(_party_key(name), (name, n))
    bodies = [text[s.start : s.end] for s in every]

    def mentioned(entry: tuple[str, int]) -> int:
        word = entry[0].split()[-1] if _is_person(text, entry[0]) else entry[0]
        return sum(1 for b in bodies if word in b)

    ranked = sorted(first_seen.values(), key=lambda e: (-mentioned(e), e[1]))  # the most mentioned first
    found = []
    for i, (name, first) in enumerate(ranked, 1):
        person = _is_person(text, name)
        role = affiliation = None
        if person:
            apposition = _apposition(text, name)
            prefix, nation = _prefix(text, name)
            role = apposition or prefix
            affiliation = _country_for(nation, plain) if nation else None
            if affiliation is None:
                given = " ".join(m[1] for m in re.finditer(rf"\b{re.escape(name.split()[-1])},\s+([^,;]{{3,90}}),", text))
                affiliation = _nation_in(given, plain)
            if role:  # its evidence: the sentence that writes the role
                surname = name.split()[-1]
                first = next(
                    (k for k, s in enumerate(every, 1) if role in (body := text[s.start : s.end]) and surname in body), first
                )
        found.append(FoundName(f"A{i}", name, first, role, affiliation, person))
    return tuple(found)

_BYLINE = re.compile(r"(?:By|From)\s+[A-Z]")
OPENING_PARAGRAPHS = 4
"""A byline is looked for in this many first paragraphs."""


def byline_paragraph(text: str) -> int | None:
    """The index of the byline's paragraph ("By Tara Copp, The Associated Press") among the first few, or None."""
    s = sentences(text)
    for i, (lo, hi) in enumerate(s.paragraphs[:OPENING_PARAGRAPHS]):
        line = text[lo:hi].strip()
        if _BYLINE.match(line) and len(line.split()) <= 12 and "\n" not in line:
            return i
    return None


def body_start(text: str) -> int:
    """Where the article's body starts: after its headline, and after its byline (and the standfirst before it)."""
    s = sentences(text)
    byline = byline_paragraph(text)
    if byline is not None and byline + 1 < len(s.paragraphs):
        return s.paragraphs[byline + 1][0]
    if headline_of(text) is not None:
        return s.paragraphs[1][0]
    return 0


def headline_of(text: str) -> str | None:
    """The article's first line when it reads as a headline: one short line, no closing full stop, more below."""
    s = sentences(text)
    if len(s.paragraphs) < 2:
        return None
    lo, hi = s.paragraphs[0]
    line = text[lo:hi].strip()
    if not line or "\n" in line or len(line.split()) > HEADLINE_WORDS or line.endswith((".", ":", ",")):
        return None
    if not any(c.isupper() for c in line[:1]) and not line[:1].isdigit():
        return None
    return line
