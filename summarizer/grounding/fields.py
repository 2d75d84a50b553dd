"""The checks beyond the quote: each field an item fills, against the article's words at its span.

Recognised by field name, so a user's own model gets every check its fields allow:

``text`` (with ``value``, ``low`` or ``high``)
    the figure as written occurs in the evidence, typography and quotation marks aside.
``value``, ``low``, ``high``
    stated in ``text`` itself when the item has one, else in the evidence; finite.
``qualifier`` (with ``text``)
    agrees with the words of ``text`` and the four words before it (:data:`QUALIFIER_WORDS`);
    a currency between them and the number ("more than $4.3bn", "up to €5 million") is passed over.
``speaker``, ``reported_by``, ``set_by``
    named (in full, by surname, or by a title the article gives that person) in the
    attribution window: the quote's own sentence, or, when that sentence refers back
    ("he said", "the minister added") and names no other speaker, the rest of its
    paragraph and the paragraph before ("the German think-tank concluded" refers back
    too). A party merely mentioned in a sentence that attributes the words to someone
    else is misattributed: the party a sentence attributes words to is the subject of
    one of :data:`REPORTING_VERBS` ("Kyiv demanded that Moscow withdraw": Kyiv, not
    Moscow; "Kessia's envoy urged ...": Kessia), the name after an inverted verb ("...,
    said Zelensky"), after "by" ("said by the minister of foreign affairs, Tomas
    Reliq") or "according to". A title the article gives a person in apposition, either
    way round ("Reliq, the minister of ...," or "the minister of ..., Tomas Reliq"),
    names that person.
``name``
    named in the item's own evidence; its ``role``, if any, is not one the article gives
    to another person (a role may be paraphrased, but not taken from someone else): the
    article gives a title to the name beside it, or to the subject of its sentence ("X is
    a reporter and the head of the foreign desk"); a role another holds must be in the
    sentences naming this person, not merely in their paragraph.
``hedged``
    true exactly when the evidence holds a word of :data:`HEDGES` or a phrase of :data:`HEDGE_PHRASES`.

``qualifier`` and ``hedged`` are judged by English word lists, so they are checked only
where the quote's sentence is English (one word in ten is an English function word);
elsewhere those two checks are not made (and not counted), rather than failed.

And for every item, :func:`check_evidence`: a quote carries content (at least
:data:`MIN_WORDS` words and :data:`MIN_LETTERS` letters), stays within
:data:`MAX_SENTENCES` sentences and :data:`MAX_CHARS` characters of the article, and its
ellipses join no two paragraphs and no two sentences mid-way (:func:`~.meaning.splice`).
"""

from __future__ import annotations

import dataclasses
import re
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from itertools import accumulate
from typing import TypeVar

from pydantic import BaseModel

from ..schema import FieldCheck, Span
from ..sentences import CLAUSE_BREAK, Sentence, TextCache, sentences
from ..text import fold
from .meaning import splice
from .numbers import RANGE_GAP, mentions, same_number, states_number

__all__ = [
    "HEDGES",
    "HEDGE_PHRASES",
    "MAX_CHARS",
    "MAX_SENTENCES",
    "MIN_LETTERS",
    "MIN_WORDS",
    "QUALIFIER_WORDS",
    "REFERS_BACK",
    "REPORTING_VERBS",
    "TITLE_WORDS",
    "WHO_FIELDS",
    "attributed_to",
    "attribution_window",
    "check_evidence",
    "check_fields",
    "check_headline",
    "has_first_name",
    "hedges_in",
    "is_english",
    "named_in",
    "named_in_article",
    "qualifiers_at",
    "speakers_in",
    "titled",
]

MIN_WORDS = 2
MIN_LETTERS = 8
MAX_SENTENCES = 2
MAX_CHARS = 600
WHO_FIELDS = ("speaker", "reported_by", "set_by")
HEADLINE_LINES = 4
"""The headline must be found in the article's first lines (non-empty lines), where a page puts it."""

HEDGES = frozenset(
    {
        "may", "might", "could", "possibly", "possible", "probably", "probable", "likely", "unlikely", "perhaps",
        "maybe", "reportedly", "allegedly", "apparently", "presumably", "potentially", "seemingly", "appear",
        "appears", "appeared", "seem", "seems", "seemed", "suggest", "suggests", "suggested", "uncertain", "unclear",
        "believe", "believes", "think", "thinks", "estimate", "estimates", "estimated",
    }
)
"""Words that hedge a claim (and :data:`HEDGE_PHRASES`). "would" and "expect" are left out: news uses them unhedged."""
HEDGE_PHRASES = re.compile(r"\b(?:remains? to be seen|not (?:yet )?clear|not known|cannot be (?:independently )?verified)\b")
"""Phrases that hedge a claim, matched on the folded evidence."""

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
_QUOTE_CHARS = re.compile(r"[\"'\u2018\u2019\u201c\u201d\u00ab\u00bb]")

REPORTING_VERBS: frozenset[str] = frozenset(
    {
        "say", "says", "said", "saying", "tell", "tells", "told", "add", "adds", "added", "adding", "urge", "urges",
        "urged", "urging", "insist", "insists", "insisted", "insisting", "warn", "warns", "warned", "argue", "argues",
        "argued", "write", "writes", "wrote", "written", "explain", "explains", "explained", "announce", "announces",
        "announced", "conclude", "concludes", "concluded", "acknowledge", "acknowledges", "acknowledged", "admit",
        "admits", "admitted", "concede", "concedes", "conceded", "confirm", "confirms", "confirmed", "deny", "denies",
        "denied", "assert", "asserts", "asserted", "declare", "declares", "declared", "predict", "predicts",
        "predicted", "respond", "responds", "responded", "reiterate", "reiterates", "reiterated", "maintain",
        "maintains", "maintained", "contend", "contends", "contended", "recall", "recalls", "recalled", "emphasize",
        "emphasizes", "emphasized", "emphasise", "emphasises", "emphasised", "ask", "asks", "asked",
    }
    # these are as often nouns in their base form ("the claim", "a report", "the states"): their other forms only
    | {
        "claims", "claimed", "demands", "demanded", "notes", "noted", "stresses", "stressed", "reports", "reported",
        "replies", "replied", "cautions", "cautioned", "estimates", "estimated", "stated", "tweeted", "vowed",
        "pledged", "promised", "threatened", "countered", "observed", "remarked",
    }
    | {"call for", "calls for", "called for", "calling for"}
)
"""The verbs (in their forms) by which news attributes words to a party: every attribution pattern is built from it."""
_ATTRIBUTION = (
    r"(?:" + "|".join(re.escape(v).replace(r"\ ", r"\s+") for v in sorted(REPORTING_VERBS, key=len, reverse=True)) + r")"
)
_INVERTED = (
    r"(?:said|says|added|adds|wrote|writes|explained|noted|insisted|argued|stressed|concluded|warned|announced"
    r"|claimed|replied|responded|declared|acknowledged|admitted|conceded|cautioned|continued)"
)
"""The reporting verbs a news sentence puts before the speaker ("..., said Zelensky."): those taking no person as object."""
_NAME_RUN = r"[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*"
_ADVERBS = r"(?:(?:has|have|had|also|later|again|then|publicly|repeatedly|previously|reportedly)\s+){0,2}"
_NOUN_TOO = frozenset({"claims", "demands", "notes", "reports", "estimates", "stresses", "replies", "cautions", "calls for"})
_VERBAL = r"(?:" + "|".join(sorted((re.escape(v) for v in REPORTING_VERBS - _NOUN_TOO), key=len, reverse=True)) + r")"
"""The reporting verbs without the forms that are as often plural nouns: after "Russia's own", "estimates" is a noun."""
_PARTY_RUN = r"[A-Z][\w'’.-]*(?:\s+(?:(?:of|for|and|the|on)\s+)*[A-Z][\w'’.-]*)*"
"""A name that may hold "of", "for", "and": "Red Crescent Society of Ostrany", "Harrow Institute for Peace Research"."""
_OWN = r"(?:[a-z][\w-]*\s+){1,3}"  # "envoy", "foreign ministry": what of a party's ("Kessia's envoy") speaks for it
_NAMED_SPEAKER = re.compile(
    rf"({_NAME_RUN})\s+{_ADVERBS}{_ATTRIBUTION}\b"
    rf"|({_NAME_RUN})['’]s\s+{_OWN}{_ADVERBS}{_VERBAL}\b"
    rf"|\b{_INVERTED}\s+({_NAME_RUN})"
    rf"|\b{_ATTRIBUTION}\s+by\s+(?:the\s+)?(?:[^,;.“”\"]{{3,80}},\s+)?({_NAME_RUN})"  # "said by the minister, Reliq"
    rf"|\b{_INVERTED}\s+the\s+[^,;.“”\"]{{3,80}},\s+({_NAME_RUN})"  # "said the foreign minister, Tomas Reliq"
    rf"|\baccording to (?:the\s+)?({_NAME_RUN})"
)
REFERS_BACK = re.compile(
    rf"\b(?:he|she|they|him|his|her|their|them)\b|\bthe (?:[\w'’-]+ ){{1,3}}{_ATTRIBUTION}\b", re.IGNORECASE
)
_WORD = re.compile(r"\w+(?:['\u2019.-]\w+)*")
_NOT_NAMES = frozenset(
    {"the", "a", "an", "of", "and", "in", "on", "at", "for", "to", "by", "said", "says", "he", "she", "it", "they", "but"}
    # capitalised only because they open a sentence: "When asked, Leavitt said", "When Britain announced"
    | {"when", "if", "after", "before", "as", "while", "since", "although", "though", "because", "once", "until"}
    | {"instead", "meanwhile", "then", "so", "yet", "i", "we", "you"}
)


_CACHED = 1_000  # longer strings (a whole paragraph, a region) are folded again rather than kept in a cache


def _plain(text: str) -> str:
    """Folded, quotation marks removed, spaces collapsed: how a figure's text is looked for."""
    return _plain_cached(text) if len(text) <= _CACHED else _plain_of(text)


def _plain_of(text: str) -> str:
    return " ".join(_QUOTE_CHARS.sub(" ", fold(text)).split())


_plain_cached = lru_cache(maxsize=4096)(_plain_of)


def _bare(name: str) -> str:
    """A name or title without the article before it: "the Pentagon" is named by "Pentagon"."""
    return re.sub(r"^(?:the|a|an)\s+", "", name.strip(), flags=re.IGNORECASE)


def _fail(field: str, detail: str) -> FieldCheck:
    return FieldCheck(field=field, ok=False, detail=detail)


def _ok(field: str, detail: str | None = None) -> FieldCheck:
    return FieldCheck(field=field, ok=True, detail=detail)


# -- the evidence itself ---------------------------------------------------------------


def check_evidence(quote: str, text: str, span: Span) -> FieldCheck | None:
    """Why this quote cannot be evidence (too little, too much of the article, or an ellipsis joining two places), or None."""
    words = [w for w in _WORD.findall(quote) if any(c.isalpha() for c in w)]
    letters = sum(c.isalpha() for c in quote)
    if len(words) < MIN_WORDS or letters < MIN_LETTERS:
        return _fail("quote", f"its quote is too short to be evidence (fewer than {MIN_WORDS} words or {MIN_LETTERS} letters)")
    if span.end - span.start > MAX_CHARS:
        return _fail("quote", f"its quote is {span.end - span.start} characters long, more than {MAX_CHARS}")
    touched = sentences(text).around(span.start, span.end)
    if len(touched) > MAX_SENTENCES:
        return _fail("quote", f"its quote runs over {len(touched)} sentences, more than {MAX_SENTENCES}")
    spliced = splice(quote, text, span)
    return _fail("quote", spliced) if spliced else None


# -- figures ------------------------------------------------------------------------------


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
    before = " ".join(_plain(text[lo:start]).split()[-4:])
    return _qualifiers(before, _plain(text[start:end]))[0]


_ENGLISH = frozenset(
    {"the", "and", "of", "to", "in", "a", "is", "was", "said", "that", "for", "on", "with", "has", "have", "by"}
)


_SHORT = 20  # words: a headline or a caption, too short for its own share of filler to say anything
_ENGLISH_ARTICLE = 6  # distinct filler words an English article of any length holds


def is_english(region: str, text: str) -> bool:
    """Whether word lists (qualifiers, hedges) can judge ``region`` of ``text``: one word in ten is English filler.

    A short region ("100,000 Russian troops killed or injured in Ukraine, US says") is
    judged by its article instead: headlines drop the fillers, not the language.
    """
    words = [w.lower() for w in _WORD.findall(region)]
    if not words:
        return False
    if sum(w in _ENGLISH for w in words) * 10 >= len(words):
        return True
    return len(words) < _SHORT and sum(w in _article(text).keys for w in _ENGLISH) >= _ENGLISH_ARTICLE


def _figure_checks(item: BaseModel, evidence: str, english: bool) -> Iterator[FieldCheck]:
    written = getattr(item, "text", None)
    numbers = {f: _number(item, f) for f in ("value", "low", "high") if f in type(item).model_fields}
    if not isinstance(written, str) or not numbers:
        for field, number in numbers.items():
            if number is not None:
                stated = states_number(evidence, number)
                yield _ok(field) if stated else _fail(field, f"its {field} {number:g} is not stated in its quote")
        return
    plain_text, plain_evidence = _plain(written), _plain(evidence)
    at = plain_evidence.find(plain_text) if plain_text else -1
    given = tuple(n for n in numbers.values() if n is not None)
    found = mentions(written)
    agree = [any(same_number(r, g) for r in m.values for g in given) for m in found]
    extra = [m for m, ok in zip(found, agree, strict=True) if not ok] if any(agree) else []
    if at < 0:
        yield _fail("text", f'its text "{written}" is not in its quote')
    elif extra:
        listed = ", ".join(f'"{written[m.start : m.end]}"' for m in extra)
        yield _fail("text", f'its text "{written[:80]}" is more than the figure: it also states {listed}')
    else:
        yield _ok("text")
    for field, number in numbers.items():
        if number is None:
            continue
        if states_number(written, number):
            yield _ok(field)
        else:
            yield _fail(field, f'its {field} {number:g} is not stated in its text "{written}"')
    qualifier = getattr(item, "qualifier", None)
    if isinstance(qualifier, Enum):
        qualifier = qualifier.value
    if isinstance(qualifier, str) and at >= 0 and english:
        before = " ".join(plain_evidence[:at].split()[-4:])
        allowed, words = _qualifiers(before, plain_text)
        said = f'"{words}"' if words else "no qualifying words"
        if qualifier not in allowed:
            yield _fail("qualifier", f"its qualifier is {qualifier}, but the text has {said} ({' or '.join(sorted(allowed))})")
        elif qualifier == "range" and (numbers.get("low") is None or numbers.get("high") is None):
            yield _fail("qualifier", "its qualifier is range, but it does not give both low and high")
        else:
            yield _ok("qualifier")


# -- who ------------------------------------------------------------------------------


def _key(word: str) -> str:
    return _key_cached(word) if len(word) <= 64 else _key_of(word)  # a word of thousands of letters is not kept


def _key_of(word: str) -> str:
    key = fold(word).replace("\u2019", "'")
    return re.sub(r"'s?$", "", key).strip(".")


_key_cached = lru_cache(maxsize=65536)(_key_of)


def _same_name(a: str, b: str) -> bool:
    """One name in two spellings: "Zelensky"/"Zelenskyy"/"Zelenskiy", "Ukraine"/"Ukrainian", "Russia"/"Russian"."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    if len(short) < 4:
        return False
    stem = short[:-1] if short[-1] in "eaiy" else short
    if len(stem) < 4 or not long.startswith(stem):
        return False
    return long[len(stem) :] in ("", "y", "iy", "yy", "i", "ii", "n", "an", "ian", "ns", "ans", "ians", "s", "e", "a")


def _tokens(text: str) -> list[str]:
    return [_key(w) for w in _WORD.findall(text)]


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


def _remember(memo: dict[str, T], key: str, value: T) -> T:
    if len(memo) >= _MEMO:
        memo.clear()
    memo[key] = value
    return value


def _build_article(text: str) -> _Article:
    keys: dict[str, int] = {}
    words, word_at = array("I"), array("I", [0])
    holding: list[list[int]] = []
    for i, (lo, hi) in enumerate(sentences(text).paragraphs):
        for k in dict.fromkeys(_tokens(text[lo:hi])):
            n = keys.setdefault(k, len(keys))
            if n == len(holding):
                holding.append([])
            holding[n].append(i)
            words.append(n)
        word_at.append(len(words))
    paragraphs = array("I", [p for ps in holding for p in ps])
    paragraph_at = array("I", accumulate(map(len, holding), initial=0))
    return _Article(keys, tuple(keys), words, word_at, paragraphs, paragraph_at)


_article = TextCache(_build_article)
"""The word index of a text, for the few texts used last (see :class:`summarizer.sentences.TextCache`)."""


def _naming(text: str, surname: str) -> tuple[int, ...]:
    """The paragraphs that write ``surname`` in any of its spellings (the first :data:`_CAP`)."""
    art = _article(text)
    found = art.naming.get(surname)
    if found is None:
        hits = {p for k, n in art.keys.items() if _same_name(surname, k)
                for p in art.paragraphs[art.paragraph_at[n] : art.paragraph_at[n + 1]]}
        found = _remember(art.naming, surname, tuple(sorted(hits)[:_CAP]))
    return found


def _holding(text: str, phrase: str) -> list[int]:
    """The paragraphs that may hold ``phrase``: those with all its words (the first :data:`_CAP`)."""
    art = _article(text)
    keys = [_key(w) for w in _WORD.findall(phrase)]
    if not keys:
        return []
    lists = sorted((art.where(k) for k in keys), key=len)
    common = set(lists[0]).intersection(*lists[1:])
    return sorted(common)[:_CAP]


def _has_phrase(haystack: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", haystack) is not None


def _surname(who: str) -> str | None:
    """The last capitalised word of three letters or more: "Gen. Mark Milley" -> "milley"."""
    words = [w for w in _WORD.findall(who) if w[:1].isupper() and sum(c.isalpha() for c in w) >= 3]
    return _key(words[-1]) if words else None


def _acronym(words: str) -> str | None:
    """ "United Nations" -> "un", "International Atomic Energy Agency" -> "iaea"; None for one word."""
    capitals = [w for w in _WORD.findall(words) if w[:1].isupper() and w.lower() not in _NOT_NAMES]
    return "".join(w[0] for w in capitals).lower() if len(capitals) >= 2 else None


def _written_acronyms(region: str) -> set[str]:
    """Acronyms as the region writes them: "UN", "U.N.", "IAEA"."""
    return {w.replace(".", "").lower() for w in re.findall(r"\b[A-Z](?:\.?[A-Z])+\.?", region)}


def _spelled_acronyms(region: str) -> set[str]:
    """The acronyms of the region's capitalised names: "United Nations" -> "un"."""
    runs = re.findall(r"[A-Z][\w'’-]+(?:\s+(?:of|for|the|and)?\s*[A-Z][\w'’-]+)+", region)
    return {a for run in runs if (a := _acronym(run))}


def named_in(region: str, who: str) -> bool:
    """Whether ``region`` names ``who``: the whole phrase, its surname in any of its spellings, or its acronym."""
    phrase = _plain(_bare(who))
    phrase = re.sub(r"'s?$", "", phrase)
    if phrase and _has_phrase(_plain(region), phrase):
        return True
    surname = _surname(who)
    if surname is not None and any(_same_name(surname, t) for t in _tokens(region)):
        return True
    spelled = _acronym(who)
    if spelled is not None and spelled in _written_acronyms(region):  # "United Nations" for "UN figures"
        return True
    letters = who.replace(".", "").strip()
    return letters.isupper() and 2 <= len(letters) <= 6 and letters.lower() in _spelled_acronyms(region)


def attribution_window(text: str, span: Span) -> str:
    """Where a speaker of ``text[span.start:span.end]`` may be named: its sentences, and, when they refer back
    ("he said", "the minister added") and name no other speaker, the rest of the paragraph and the one before."""
    own = sentences(text).around(span.start, span.end)
    window = _span_text(text, own)
    if own and not speakers_in(window) and REFERS_BACK.search(window):
        s = sentences(text)
        first = own[0]
        start = s.paragraphs[first.paragraph - 1][0] if first.paragraph > 0 else s.paragraphs[0][0]
        return text[start : own[-1].end]
    return window or text[span.start : span.end]


def _span_text(text: str, sents: list[Sentence]) -> str:
    return text[sents[0].start : sents[-1].end] if sents else ""


_WHEN = frozenset(
    {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today", "yesterday"}
    | {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october"}
    | {"november", "december"}
)
_NOT_A_CLAUSE = rf"(?:(?!\b{_ATTRIBUTION}\b)[^,]){{1,90}}"
"""What stands between the commas of an apposition: a noun phrase, never a clause with its own reporting verb
("Brennik, the Red Cross said this week, adding ...": "Brennik" is no speaker)."""
_APPOSITION = re.compile(rf"({_PARTY_RUN}),{_NOT_A_CLAUSE},\s+{_ATTRIBUTION}\b")


def speakers_in(region: str) -> list[str]:
    """Who a sentence says spoke: "Milley added", "said Zelensky", "Mark Milley, chairman of ..., said"."""
    out = []
    for m in [*_NAMED_SPEAKER.finditer(region), *_APPOSITION.finditer(region)]:
        name = next(g for g in m.groups() if g)
        if re.search(r"['’]s$", name):  # "Russia's announced retreat": a possessive, not a speaker
            continue
        words = [w for w in name.split() if w.lower() not in _NOT_NAMES and w.lower().strip(".") not in _WHEN]
        if words:
            out.append(" ".join(words).rstrip("."))
    return out


TITLE_WORDS = frozenset(
    {"gen", "army", "col", "lt", "sgt", "adm", "maj", "capt", "president", "minister", "prime", "secretary", "chairman",
     "general", "sen", "rep", "gov", "mr", "mrs", "ms", "dr", "foreign", "defense", "defence", "deputy", "vice", "state"}
)


def _people(sentence: str, exclude: list[str]) -> list[str]:
    """Capitalised names in a sentence, titles ("Army Gen.") and the words of ``exclude`` set aside."""
    found = []
    for run in re.findall(r"[A-Z][\w'’-]+(?:\.?\s+[A-Z][\w'’-]+)*", sentence):
        words = [w for w in re.findall(r"[\w'’-]+", run) if _key(w) not in TITLE_WORDS]
        words = [w for w in words if _key(w) not in exclude and _key(w) not in _NOT_NAMES and len(w) >= 3]
        if words:
            found.append(" ".join(words))
    return found


_COPULA = re.compile(
    rf"(?<![\w'’.-])({_NAME_RUN})(?:,[^,]{{1,90}},)?\s+(?:is|was|has\s+been|had\s+been|became|becomes|remains|remained"
    rf"|serves\s+as|served\s+as)\s+[^;A-Z]{{0,80}}$"
)
"""A title in the predicate of "NAME is ... and the TITLE": the subject's, when no other name stands between."""


def titled(text: str, who: str) -> list[str]:
    """The people the article gives the title ``who`` ("chairman of the Joint Chiefs of Staff" -> Mark Milley)."""
    phrase = _plain(_bare(who))
    found: list[str] = []
    if len(phrase) < 4:
        return found
    s = sentences(text)
    words = [re.escape(w) for w in re.findall(r"[\w'’.-]+", _bare(who))]
    for p in _holding(text, phrase):
        lo, hi = s.paragraphs[p]
        if not _has_phrase(_plain(text[lo:hi]), phrase):
            continue
        for sentence in s.of_paragraph(p):
            body = text[sentence.start : sentence.end]
            for m in re.finditer(r"\W+".join(words), body, re.IGNORECASE) if words else ():
                before = re.search(r"([A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*)[\s,]*(?:the\s+)?$", body[: m.start()])
                after = re.match(r"\s*,?\s*([A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*)", body[m.end() :])
                if before is None:  # "Mira Olsen is a reporter and the head of the foreign desk": the subject's
                    before = _COPULA.search(body[: m.start()])
                for run in (before, after):  # the name right before the title (or its subject), or right after it
                    people = _people(run[1], phrase.split())[:1] if run else []
                    found += [p for p in people if " " in p or has_first_name(text, p)]
    return found


_PREPOSITIONS = ("in", "of", "at", "from", "for", "with", "near", "on", "to", "by", "across", "outside", "inside")
_NOT_AFTER_PREPOSITION = "".join(rf"(?<!\b{p}\s)" for p in _PREPOSITIONS)
_ATTRIBUTED = re.compile(
    rf"(?<![\w'’.-]){_NOT_AFTER_PREPOSITION}({_NAME_RUN})\s+{_ADVERBS}{_ATTRIBUTION}\b"  # "Zelensky said", "Kyiv demanded"
    # "The United Nations office in Lodrin said": the whole subject, not the place
    rf"|(?:^|[,;:“”\"]\s*)((?:[\w'’.-]+\s+){{1,6}}?(?:{'|'.join(_PREPOSITIONS)})\s+{_NAME_RUN})\s+{_ADVERBS}{_ATTRIBUTION}\b"
    rf"|(?<![\w'’.-])({_NAME_RUN})['’]s\s+{_OWN}{_ADVERBS}{_VERBAL}\b"  # "Kessia's envoy urged ...": Kessia
    rf"|[,”\"]\s*{_INVERTED}\s+({_NAME_RUN})(?=\s*(?:[.,;!?]|$))"  # "..., said Zelensky."
    rf"|\b{_ATTRIBUTION}\s+by\s+(?:the\s+)?(?:[^,;.“”\"]{{3,80}},\s+)?({_NAME_RUN})"  # "said by the minister, Reliq"
    rf"|[,”\"]\s*{_INVERTED}\s+the\s+[^,;.“”\"]{{3,80}},\s+({_NAME_RUN})"  # "..., said the minister, Tomas Reliq"
    rf"|({_PARTY_RUN}),{_NOT_A_CLAUSE},\s+{_ATTRIBUTION}\b"  # "Milley, the highest-ranking U.S. officer, said"
)  # not "according to X": it attributes the clause before it, and a sentence may go on with another source




def attributed_to(sentence: str, lo: int, hi: int) -> list[str]:
    """Who a sentence attributes the words at ``sentence[lo:hi]`` to, read from the plain forms news uses.

    An attribution counts only when no clause break (";", ", but") stands between it and the words.
    """
    out = []
    for m in _ATTRIBUTED.finditer(sentence):
        between = sentence[m.end() : lo] if m.end() <= lo else sentence[hi : m.start()] if m.start() >= hi else ""
        if CLAUSE_BREAK.search(between):
            continue
        name = next(g for g in m.groups() if g)
        words = [w for w in name.split() if w.lower() not in _NOT_NAMES and w.lower().strip(".") not in _WHEN]
        if words and not re.search(r"['’]s$", name):
            out.append(" ".join(words).rstrip("."))
    return out


def _titles_of(text: str, surname: str) -> tuple[str, ...]:
    """The titles the article gives a person in apposition: "Mark Milley, chairman of the Joint Chiefs of Staff,"."""
    art = _article(text)
    known = art.titles.get(surname)
    if known is None:
        known = _remember(art.titles, surname, _find_titles(text, surname))
    return known


def _find_titles(text: str, surname: str) -> tuple[str, ...]:
    paragraphs = sentences(text).paragraphs
    found: list[str] = []
    for p in _naming(text, surname):
        lo, hi = paragraphs[p]
        for m in re.finditer(r"([A-Z][\w'’-]+),\s+([^,;:“”\"]{4,90}),", text[lo:hi]):
            title = _plain(_bare(m[2]))
            if _same_name(surname, _key(m[1])) and len(title.split()) >= 2:
                found.append(title)
    return tuple(dict.fromkeys(found))


def has_first_name(text: str, surname: str) -> bool:
    """A one-word name is a person's when the article also writes it after a first name ("Mark Milley")."""
    art = _article(text)
    known = art.first_names.get(surname)
    if known is None:
        known = _remember(art.first_names, surname, _finds_first_name(text, surname))
    return known


def _finds_first_name(text: str, surname: str) -> bool:
    paragraphs = sentences(text).paragraphs
    for p in _naming(text, _key(surname)):
        lo, hi = paragraphs[p]
        for m in re.finditer(rf"\b([A-Z][\w'’-]+)\s+{re.escape(surname)}\b", text[lo:hi]):
            if _key(m[1]) not in _NOT_NAMES and _key(m[1]) not in TITLE_WORDS:
                return True
    return False


def _descriptors_given(text: str, who: str, surname: str) -> list[str]:
    """Words of ``who`` beyond the surname that no paragraph naming that person gives them."""
    wanted = [w for w in _WORD.findall(who) if _key(w) not in _NOT_NAMES and len(_key(w)) >= 2]
    wanted = [w for w in wanted if not _same_name(_key(w), surname)]
    if not wanted:
        return []
    art = _article(text)
    near: set[str] = set().union(*(art.tokens(p) for p in _naming(text, surname)))
    return [w for w in wanted if not any(_same_name(_key(w), t) for t in near)]


def _sentence_words(text: str, surname: str) -> set[str]:
    """The word keys of the sentences that name ``surname`` (in the paragraphs the index finds for it)."""
    s = sentences(text)
    found: set[str] = set()
    for p in _naming(text, surname):
        for sentence in s.of_paragraph(p):
            words = _tokens(text[sentence.start : sentence.end])
            if any(_same_name(surname, w) for w in words):
                found.update(words)
    return found


def _role_check(role: str, name: str, text: str) -> FieldCheck:
    """A role may be paraphrased, but not taken from someone else: refused when the article gives it to another."""
    surname = _surname(name)
    if surname is None:
        return _ok("role")
    given = titled(text, role)
    if any(_same_name(_key(p.split()[-1]), surname) for p in given):
        return _ok("role")  # the article gives it to this person (too)
    holders = [p for p in given if not _same_name(_key(p.split()[-1]), surname)]
    if not holders:
        return _ok("role")
    wanted = [w for w in _WORD.findall(role) if _key(w) not in _NOT_NAMES and len(_key(w)) >= 2]
    own = _sentence_words(text, surname)  # a paragraph may hold two people: "X is the head of ...; Y, a photographer"
    missing = [w for w in wanted if not any(_same_name(_key(w), t) for t in own)]
    if len(missing) * 2 > len(wanted):
        return _fail("role", f'the article gives "{role}" to {holders[0]}, not to {_who_name(name)}')
    return _ok("role")


def _who_check(field: str, who: str, text: str, span: Span, own: list[Sentence]) -> FieldCheck:
    """``own``: the sentences the quote touches (found once per item by :func:`check_fields`)."""
    s = sentences(text)
    window = _span_text(text, own)
    regions = [window]
    if own and not (speakers_in(window) and not named_in(window, who)) and REFERS_BACK.search(window):
        first = own[0]
        start = s.paragraphs[first.paragraph - 1][0] if first.paragraph > 0 else s.paragraphs[0][0]
        regions.append(text[start : first.start])
    base = own[0].start if own else span.start
    speakers = attributed_to(window, span.start - base, span.end - base)
    if named_in(window, who) and speakers and not any(_same_party(text, who, sp) for sp in speakers):
        listed = ", ".join(dict.fromkeys(speakers))
        return _fail(field, f'misattributed: "{who}" is in the quote\'s sentence, but it attributes the words to {listed}')
    for region in regions:
        if named_in(region, who):
            surname = _surname(who)
            missing = _descriptors_given(text, who, surname) if surname else []
            if missing:
                listed = ", ".join(f'"{w}"' for w in missing)
                return _fail(field, f"the article does not call {_who_name(who)} {listed}")
            return _ok(field)
    surname = _surname(who)
    for title in _titles_of(text, surname) if surname else ():  # "chairman of the Joint Chiefs of Staff claims"
        if any(_has_phrase(_plain(region), title) for region in regions):
            return _ok(field, f'named by the title the article gives {_who_name(who)}: "{title}"')
    is_title = any(w[:1].islower() and w.lower() not in _NOT_NAMES for w in _WORD.findall(who))  # "the ... minister"
    for person in titled(text, who) if is_title else []:
        if any(named_in(region, person) for region in regions):
            return _ok(field, f'"{who}" is the article\'s title for {person}')
    named = ", ".join(dict.fromkeys(speakers_in(window)))
    if named_in_article(text, who):
        where = f"; its sentence names {named}" if named else ""
        return _fail(field, f'misattributed: the article names "{who}", but not where this quote is{where}')
    return _fail(field, f'"{who}" is not named in the article')


def _same_party(text: str, who: str, speaker: str) -> bool:
    """Whether ``who`` is the ``speaker`` a sentence attributes words to: by name, or by a title the article gives them."""
    if named_in(speaker, who) or named_in(who, speaker):
        return True
    is_title = any(w[:1].islower() and w.lower() not in _NOT_NAMES for w in _WORD.findall(who))
    return is_title and any(named_in(speaker, person) for person in titled(text, who))


def named_in_article(text: str, who: str) -> bool:
    """:func:`named_in` over the whole article, through its index (an article may be megabytes)."""
    surname = _surname(who)
    if surname is not None and _naming(text, surname):
        return True
    paragraphs = sentences(text).paragraphs
    phrase = _bare(who)
    if any(named_in(text[paragraphs[p][0] : paragraphs[p][1]], who) for p in _holding(text, phrase)):
        return True
    spelled = _acronym(who)
    return spelled is not None and spelled in _article(text).keys


def _who_name(who: str) -> str:
    surname = _surname(who)
    return next((w for w in reversed(_WORD.findall(who)) if _key(w) == surname), who) if surname else who


# -- the item ------------------------------------------------------------------------


def check_fields(item: BaseModel, text: str, span: Span) -> list[FieldCheck]:
    """Every check the item's fields allow, against ``text[span.start:span.end]``."""
    evidence = text[span.start : span.end]
    own = sentences(text).around(span.start, span.end)
    english = is_english(_span_text(text, own) or evidence, text)
    checks = list(_figure_checks(item, evidence, english))
    for field in WHO_FIELDS:
        who = getattr(item, field, None)
        if isinstance(who, str) and who.strip():
            checks.append(_who_check(field, who, text, span, own))
    name = getattr(item, "name", None)
    if isinstance(name, str) and name.strip():
        if named_in(evidence, name):
            checks.append(_ok("name"))
        else:
            checks.append(_fail("name", f'the name "{name}" is not in its quote'))
        role = getattr(item, "role", None)
        if isinstance(role, str) and role.strip():
            checks.append(_role_check(role, name, text))
    hedged = getattr(item, "hedged", None)
    if isinstance(hedged, bool) and english:
        hedges = hedges_in(evidence)
        if hedged and not hedges:
            checks.append(_fail("hedged", "hedged is true, but its quote has no hedging word"))
        elif not hedged and hedges:
            listed = ", ".join(f'"{w}"' for w in hedges)
            checks.append(_fail("hedged", f"hedged is false, but its quote hedges ({listed})"))
        else:
            checks.append(_ok("hedged"))
    return checks


def hedges_in(evidence: str) -> list[str]:
    """The hedging words and phrases of ``evidence`` ("probably", "could", "may be"), as the hedge check reads them."""
    return sorted({w for w in _tokens(evidence) if w in HEDGES} | set(HEDGE_PHRASES.findall(_plain(evidence))))


def check_headline(headline: str, text: str) -> FieldCheck:
    """The headline a model gives must be one of the article's opening lines (or part of one)."""
    s = sentences(text)
    opening = [text[lo:hi] for lo, hi in s.paragraphs[:HEADLINE_LINES]]
    wanted = _plain(headline)
    if wanted and any(wanted in _plain(line) for line in opening):
        return _ok("headline")
    return _fail("headline", f"the headline is not in the article's first {HEADLINE_LINES} lines")
