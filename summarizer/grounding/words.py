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
    (:data:`SUPPORT`, by lemma) are in the evidence's paragraph. A condition reads its
    evidence's refusal the other way round, so its opposites are read against what the
    evidence demands.
``measure`` and ``unit`` (of an item with ``value``/``low``/``high``)
    describe *this* number: the measure's words come from the number's own scope (the
    clause's subject, the words up to its neighbouring numbers, and the numbers listed
    with it), its group words (killed / wounded, civilians / soldiers, nationalities) do
    not contradict that scope, it takes no more words from another number than from its
    own, and the unit is the counted noun, the currency, or "percent".
``role``, ``affiliation`` (of an item with ``name``)
    read against what the article writes beside the actor (:func:`_descriptors`): a role
    names no other person, keeps the rank given and adds none, and is mostly those words;
    an affiliation is the nation or body written there, and a country's is itself.
``to_be_met_by`` (kind ``"party"``)
    named in the evidence, and the party the evidence and the condition put the demand on
    ("Russia return all of Ukraine's occupied lands" is met by Russia).
``summary`` (of the result)
    each sentence is finished, and is checked like a statement against the article
    sentences that support it best (:func:`check_summary`).

Lemmas come from ``simplemma`` (no dependencies, 54 languages); negation, hedges, group
words and support are judged by English word lists, so on a text that is not English
only numbers and names are checked, and the check says which were skipped. Every
lookup that reads a whole article goes through a per-article cache
(:class:`~summarizer.sentences.TextCache`) or the article's word index, never a cache
keyed by the text itself.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import Any, TypeVar, get_args

import simplemma
from pydantic import BaseModel

from ..schema import FieldCheck, OwnWords, OwnWordsKind, Span
from ..sentences import CLAUSE_BREAK, Sentence, TextCache, sentences
from ..text import fold
from .fields import (
    HEDGE_PHRASES,
    HEDGES,
    REPORTING_VERBS,
    TITLE_WORDS,
    attribution_window,
    is_english,
    named_in,
    named_in_article,
    speakers_in,
)
from .numbers import mentions, same_number

__all__ = [
    "OWN_WORDS_FIELDS",
    "SUPPORT",
    "check_summary",
    "check_words",
    "is_place",
    "names_written",
    "own_words_fields",
    "summary_sentences",
    "support",
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

SUPPORT = 0.2
"""The share of a text's content words (by lemma) that its evidence must hold: set on the gold annotations."""
SUMMARY_SOURCES = 3
"""Article sentences a summary sentence is checked against: the ones that share most of its words."""

_WORD = re.compile(r"[^\W_]+(?:['\u2019.\-][^\W_]+)*")
_STOP = frozenset(
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
_NEGATION = frozenset({"not", "no", "never", "neither", "nor", "without", "none", "nobody", "nothing", "cannot", "n't"})
_MODEL_HEDGES = HEDGES | frozenset(
    {"would", "suspected", "suspect", "unconfirmed", "unverified", "alleged", "expected", "expect", "expects",
     "chance", "risk", "assess", "assessed", "assesses", "assessment", "think", "thought", "believed", "perhaps",
     "uncertain", "unclear", "tentative", "tentatively", "potential"}
)
"""What carries a hedge over in the model's words. "X said" is an attribution, not a hedge, and "if" is a condition."""
_EVIDENCE_MODALS = frozenset({"could", "may", "might"})
_ANTONYMS = (
    ("accept", "reject"), ("agree", "refuse"), ("agree", "reject"), ("approve", "reject"), ("approve", "veto"),
    ("confirm", "deny"), ("admit", "deny"), ("win", "lose"), ("increase", "decrease"), ("increase", "cut"),
    ("increase", "reduce"), ("raise", "cut"), ("raise", "lower"), ("raise", "reduce"), ("allow", "ban"),
    ("allow", "forbid"), ("allow", "block"), ("permit", "ban"), ("open", "close"), ("open", "shut"),
    ("support", "oppose"), ("back", "oppose"), ("welcome", "condemn"), ("praise", "condemn"), ("include", "exclude"),
    ("start", "end"), ("begin", "end"), ("start", "stop"), ("resume", "suspend"), ("resume", "halt"),
    ("lift", "impose"), ("ease", "tighten"), ("return", "keep"), ("return", "retain"), ("return", "seize"),
    ("return", "annex"), ("leave", "remain"), ("leave", "stay"), ("leave", "enter"), ("withdraw", "remain"),
    ("withdraw", "stay"), ("withdraw", "reinforce"), ("withdraw", "deploy"), ("withdraw", "advance"),
    ("withdraw", "send"), ("retreat", "advance"), ("release", "hold"), ("release", "keep"), ("release", "detain"),
    ("release", "arrest"), ("free", "detain"), ("free", "hold"), ("stop", "continue"), ("stop", "intensify"),
    ("stop", "escalate"), ("halt", "continue"), ("halt", "intensify"), ("halt", "escalate"), ("halt", "expand"),
    ("end", "continue"), ("end", "extend"), ("end", "prolong"), ("cease", "continue"), ("succeed", "fail"),
    ("victory", "defeat"), ("guilty", "innocent"), ("legal", "illegal"), ("prosecute", "pardon"),
    ("prosecution", "amnesty"), ("prosecution", "pardon"), ("punish", "pardon"), ("punishment", "amnesty"),
    ("hand", "keep"), ("hand", "retain"), ("give", "keep"), ("give", "take"), ("pay", "receive"),
    ("disarm", "rearm"), ("demilitarise", "militarise"), ("demilitarize", "militarize"), ("ceasefire", "offensive"),
    ("rise", "fall"), ("gain", "lose"), ("attack", "defend"), ("sign", "reject"), ("recognise", "reject"),
    ("recognize", "reject"), ("join", "leave"), ("join", "quit"), ("arrive", "leave"), ("expand", "shrink"),
)
"""Pairs of lemmas that say opposite things: one in the model's words where the evidence has only the other."""
_OPPOSITE: dict[str, frozenset[str]] = {}
for _a, _b in _ANTONYMS:
    _OPPOSITE[_a] = _OPPOSITE.get(_a, frozenset()) | {_b}
    _OPPOSITE[_b] = _OPPOSITE.get(_b, frozenset()) | {_a}

_GROUPS: dict[str, dict[str, frozenset[str]]] = {
    "harm": {
        "killed": frozenset({"kill", "killed", "dead", "death", "die", "died", "fatality", "fatalities", "life", "lives"}),
        "wounded": frozenset({"wound", "wounded", "injure", "injured", "injury", "injuries", "hurt"}),
        "missing": frozenset({"missing"}),
        "captured": frozenset({"capture", "captured", "prisoner", "prisoners", "detain", "detained", "detention",
                               "hostage", "hostages", "pow", "pows", "abduct", "abducted"}),
        "displaced": frozenset({"displace", "displaced", "flee", "fled", "refugee", "refugees", "evacuate",
                                "evacuated", "exodus", "arrival", "arrivals", "leave", "left"}),
    },
    "people": {
        "civilians": frozenset({"civilian", "civilians", "resident", "residents", "inhabitant", "inhabitants",
                                "noncombatant", "noncombatants"}),
        "soldiers": frozenset({"soldier", "soldiers", "troop", "troops", "serviceman", "servicemen", "servicemember",
                               "military", "fighter", "fighters", "combatant", "combatants", "force", "forces",
                               "army", "personnel", "marine", "marines", "conscript", "conscripts", "mercenary"}),
        "children": frozenset({"child", "children", "minor", "minors", "kid", "kids"}),
    },
}
"""Words that name a group; a measure may not name one group of a kind where its number's scope names another."""
_PERSON_NOUNS = frozenset().union(*_GROUPS["people"].values()) | {
    "people", "person", "persons", "refugee", "refugees", "population", "arrival", "arrivals", "worker", "workers"
}
_GENERIC_UNITS = frozenset({"people", "person", "persons", "individuals", "individual"})
_QUANTITY = frozenset(
    [
        "number", "total", "count", "share", "proportion", "percentage", "percent", "rate", "amount", "value", "cost",
        "price", "distance", "length", "size", "time", "duration", "figure", "level", "estimate", "toll", "tally",
        "sum", "increase", "decrease", "rise", "fall", "drop", "growth", "loss", "losses", "population"
    ]
)
"""Nouns that say what kind of quantity a measure is ("the number of", "the share of"): allowed without support."""
_CURRENCIES: dict[str, frozenset[str]] = {
    "$": frozenset({"usd", "dollar", "dollars", "us$", "$"}),
    "€": frozenset({"eur", "euro", "euros", "€"}),
    "£": frozenset({"gbp", "pound", "pounds", "sterling", "£"}),
    "¥": frozenset({"jpy", "cny", "yen", "yuan", "¥"}),
}
_CURRENCY_WORDS = {w: sign for sign, ws in _CURRENCIES.items() for w in ws}
_PERCENT_UNITS = frozenset({"percent", "%", "per cent", "percentage", "percentage points", "pct"})
_UNIT_ALIASES = (
    frozenset({"km", "kilometre", "kilometres", "kilometer", "kilometers"}),
    frozenset({"m", "metre", "metres", "meter", "meters"}),
    frozenset({"cm", "centimetre", "centimetres", "centimeter", "centimeters"}),
    frozenset({"mm", "millimetre", "millimetres", "millimeter", "millimeters"}),
    frozenset({"m3", "cubic metres", "cubic meters", "cubic metre", "cubic meter"}),
    frozenset({"mw", "megawatt", "megawatts"}), frozenset({"gw", "gigawatt", "gigawatts"}),
    frozenset({"h", "hr", "hrs", "hour", "hours"}), frozenset({"min", "mins", "minute", "minutes"}),
    frozenset({"mi", "mile", "miles"}),
    frozenset({"kg", "kilogram", "kilograms", "kilo", "kilos"}),
    frozenset({"t", "tonne", "tonnes", "ton", "tons"}),
    frozenset({"sq km", "square kilometres", "square kilometers", "km2"}),
    frozenset({"ha", "hectare", "hectares"}),
    frozenset({"bpd", "barrels"}),
)
_TITLES = TITLE_WORDS | frozenset(
    {
        "colonel", "admiral", "major", "captain", "chairwoman", "chair", "senator", "governor", "king", "queen",
        "prince", "chancellor", "premier", "ambassador", "envoy", "spokesman", "spokeswoman", "spokesperson",
        "director", "commander", "chief", "head", "mayor", "pope", "sheikh", "sir", "lord", "lady", "judge", "justice",
    }
)
"""Words of a title, the who-fields' own and the posts a title names: never a name of their own."""
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


_WHEN = frozenset(
    [
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today", "yesterday",
        "tomorrow", "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
        "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"
    ]
)
_COMMON = _STOP | _WHEN | _TITLES
"""Capitalised words that are still common words when they open a sentence ("Both", "Talks")."""
_DEMONYM = re.compile(r"(?:ian|ean|ese|ish|an|i|ic)$")
_FINISHED = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*$")
_MODAL_AGENT = re.compile(
    r"\b(must|should|would have to|will have to|has to|have to|had to|needs? to|is to|are to|first)\b", re.IGNORECASE
)


def _fail(field: str, detail: str, words: Iterable[str] = ()) -> FieldCheck:
    return FieldCheck(field=field, ok=False, detail=detail, words=list(dict.fromkeys(words)))


def _ok(field: str, detail: str | None = None) -> FieldCheck:
    return FieldCheck(field=field, ok=True, detail=detail)


# -- words and lemmas -------------------------------------------------------------------


@lru_cache(maxsize=65536)
def _lemma(word: str) -> str:
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


@dataclasses.dataclass(frozen=True)
class _Tok:
    raw: str
    low: str
    lemma: str
    start: int


_PHRASAL = (
    (re.compile(r"\b(?:step|steps|stepped|stepping|ramp|ramps|ramped|scale|scales|scaled)\s+up\b", re.I), "intensify"),
    (re.compile(r"\b(?:pull|pulls|pulled|pulling|draw|draws|drew|drawn)\s+(?:\w+\s+){0,3}?back\b", re.I), "withdraw"),
    (re.compile(r"\b(?:scale|scales|scaled|cut|cuts)\s+back\b", re.I), "reduce"),
    (re.compile(r"\b(?:hand|hands|handed|handing|turn|turns|turned)\s+over\b", re.I), "hand"),
    (re.compile(r"\b(?:move|moves|moved|moving|push|pushes|pushed)\s+(?:\w+\s+){0,5}?(?:closer|forward|nearer)\b", re.I),
     "advance"),
    (re.compile(r"\b(?:turn|turns|turned|turning)\s+down\b", re.I), "reject"),
    (re.compile(r"\b(?:call|calls|called|calling)\s+off\b", re.I), "cancel"),
)
"""Verbs of two words, read as the one verb they mean, so "steps up" is the opposite of "halt"."""


T = TypeVar("T")

_CACHED = 1000
"""Texts up to this length (a sentence, most paragraphs) have their words kept in a small cache; longer ones (a
whole one-paragraph article) are read again, so no cache holds an article alive."""


def _toks(text: str) -> list[_Tok]:
    return list(_toks_cached(text)) if len(text) <= _CACHED else _toks_of(text)


def _toks_of(text: str) -> list[_Tok]:
    for pattern, verb in _PHRASAL:
        text = pattern.sub(verb, text)
    out = []
    for m in _WORD.finditer(text):
        raw = m[0]
        low = _low(raw) if len(raw) <= 64 else fold(raw).replace("\u2019", "'")
        if low.endswith("n't"):  # "wouldn't": the modal, then the negation
            out.append(_Tok(raw, low[:-3], _lemma(low[:-3]), m.start()))
            out.append(_Tok("n't", "n't", "n't", m.end() - 3))
            continue
        out.append(_Tok(raw, low, _lemma(raw), m.start()))
    return out


_toks_cached = lru_cache(maxsize=8192)(lambda text: tuple(_toks_of(text)))
_low = lru_cache(maxsize=65536)(lambda word: fold(word).replace("\u2019", "'"))


def _keys(region: str) -> frozenset[str]:
    """Every lemma and word form of a region, as one set (kept for short regions, as :func:`_toks` is)."""
    return _keys_cached(region) if len(region) <= _CACHED else _keys_of(region)


def _keys_of(region: str) -> frozenset[str]:
    return frozenset(k for t in _toks(region) for k in (t.lemma, t.low))


_keys_cached = lru_cache(maxsize=4096)(_keys_of)


def _content(toks: list[_Tok]) -> list[_Tok]:
    """Words that carry a claim: not function words, not numbers, not capitalised names (checked apart)."""
    return [
        t for t in toks
        if t.low not in _STOP and t.lemma not in _STOP and not t.low[:1].isdigit() and t.low not in _NEGATION
        and len(t.low) > 1 and not (t.raw[:1].isupper() and t.low not in _COMMON)
    ]


def _found(lemma: str, among: Iterable[str]) -> bool:
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


# -- names --------------------------------------------------------------------------------

_NAME_RUN = re.compile(
    r"(?:[A-Z][\w'\u2019.-]*|[A-Z]\.(?:[A-Z]\.)+)(?:\s+(?:(?:of|for|de|al|von|van|bin)\s+(?:the\s+)?)?(?:[A-Z][\w'\u2019.-]*))*"
)


def names_written(words: str, article: str) -> list[str]:
    """The names the model's words give: capitalised runs, titles, dates and sentence-opening common words aside."""
    found = []
    seen = _article_words(article)
    words = re.sub(r"\b([A-Z])\.\s+(?=[A-Z]\.)", r"\1.", words)  # "U. S." as a small model writes "U.S."
    for m in _NAME_RUN.finditer(words):
        run = m[0].rstrip(".")
        opening = m.start() == 0 or re.search(r"[.!?:\"\u201c\u2018(]\s*$", words[: m.start()]) is not None
        keep = []
        for i, p in enumerate(re.findall(r"[\w'\u2019.-]+", run)):
            key = re.sub(r"'s?$", "", fold(p).replace("\u2019", "'").strip("."))
            if key in _TITLES or key in _WHEN or key in _STOP or not p[:1].isupper():
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
    lower = frozenset(re.findall(r"\b[a-z][\w'\u2019-]*", article)) | _STOP
    inside = frozenset(fold(w) for w in re.findall(r"(?<=[\w,;] )([A-Z][\w'\u2019-]*)", article))
    return _Seen(lower, inside)


_article_words = TextCache(_build_seen)
"""The words an article writes in lower case and capitalised, for the few texts used last."""


_BOTH = re.compile(
    r"\b(?:both|the two|each|either)\s+(?:\w+\s+)?(?:sides|side|capitals|capital|countries|country|parties|party|"
    r"governments|government|delegations|delegation|nations|states|armies|neighbours|neighbors)\b",
    re.IGNORECASE,
)


def _unnamed(words: str, region: str, article: str, wide: str = "") -> list[str]:
    """The names in ``words`` that ``region`` does not name, in any of the forms a name takes.

    Besides the forms :func:`~summarizer.grounding.fields.named_in` knows, a country
    stands for the nationality the article gives a person named in the region
    ("Kestria" where "Kestrian Energy Minister Pavel Horák" speaks).
    """
    missing = []
    given: list[str] | None = None
    for name in names_written(words, article):
        if named_in(region, name):
            continue
        theirs = names_written(region, article)
        if any(_same_nation(name, n) for n in theirs):
            continue
        if given is None:
            given = [g for n in theirs for g in _descriptors(article, n)[0]]
        if any(_same_nation(name, g) for g in given):
            continue
        if wide and _BOTH.search(region) and named_in(wide, name):
            continue  # "both capitals", "the two sides": the parties named just before
        missing.append(name)
    return missing


# -- numbers ------------------------------------------------------------------------------

_ORDINALS = {
    w: float(i)
    for i, w in enumerate(
        [
            "zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
            "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth",
            "nineteenth", "twentieth"
        ]
    )
}
_ORDINALS.update({"thirtieth": 30.0, "fortieth": 40.0, "fiftieth": 50.0, "hundredth": 100.0})


def _numbers(words: str) -> list[tuple[str, tuple[float, ...]]]:
    """(as written, values) of each number the words state; ordinals too; "one" alone is a pronoun, left out."""
    return list(_numbers_cached(words)) if len(words) <= _CACHED else _numbers_of(words)


def _numbers_of(words: str) -> list[tuple[str, tuple[float, ...]]]:
    out = []
    for m in mentions(words):
        written = words[m.start : m.end]
        if written.lower() == "one":
            continue
        out.append((written, m.values))
    spans = [(m.start, m.end) for m in mentions(words)]
    toks = _toks(words)
    for i, t in enumerate(toks):
        if t.low not in _ORDINALS or t.low in ("first", "second"):  # "first talks", "a second time": not a count
            continue
        if any(lo <= t.start < hi for lo, hi in spans) or (i + 1 < len(toks) and toks[i + 1].low == "of"):
            continue  # "a third of": a fraction, read as one
        out.append((t.raw, (_ORDINALS[t.low],)))
    return out


_numbers_cached = lru_cache(maxsize=4096)(lambda words: tuple(_numbers_of(words)))


def _states(region: str, values: tuple[float, ...]) -> bool:
    have = [v for _, vs in _numbers(region) for v in vs]
    if re.search(r"\b(?:both|either|neither|pair)\b", region, re.IGNORECASE):
        have.append(2.0)  # "both sides" states two
    return any(same_number(v, h) for v in values for h in have)


def _number_check(field: str, label: str, words: str, region: str, where: str) -> FieldCheck | None:
    wrong = [written for written, values in _numbers(words) if not _states(region, values)]
    if not wrong:
        return None
    theirs = [w for w, _ in _numbers(region)]
    said = f"its {where} says {', '.join(dict.fromkeys(theirs))}" if theirs else f"its {where} states no number"
    return _fail(field, f"the {label} says {', '.join(wrong)}; {said}", wrong)


# -- polarity and hedges ---------------------------------------------------------------


_IMPLICIT_NEGATION = frozenset({"refuse", "decline", "fail", "unable", "unwilling", "lack", "absent"})
"""Words that negate the verb after them ("refused to sign" denies signing) without a "not"."""
_CONDITIONAL = frozenset({"unless", "until", "only", "if", "while", "before", "after", "once", "without"})


def _polarity(toks: list[_Tok]) -> tuple[set[str], set[str], bool]:
    """(asserted, negated, any negation) content lemmas: a negation reaches the first content word after it."""
    asserted: set[str] = set()
    negated: set[str] = set()
    pending = False
    seen = False
    for i, t in enumerate(toks):
        yet_to = t.low == "yet" and i + 1 < len(toks) and toks[i + 1].low == "to"  # "has yet to sign"
        if t.low in _NEGATION or t.lemma in _IMPLICIT_NEGATION or yet_to:
            pending = seen = True
            continue
        if (t.low in _STOP or t.lemma in _STOP or t.low[:1].isdigit()) and t.low != "against":
            continue
        if pending:
            negated.add(t.lemma)
            pending = False
        else:
            asserted.add(t.lemma)
    return asserted, negated, seen


def _polarity_check(
    field: str, label: str, words: str, evidence: str, condition: bool, opposites: bool = True
) -> FieldCheck | None:
    """A flip of polarity: one side negates a predicate the other only asserts, or says its opposite.

    A condition reads its evidence's refusal the other way round ("will not talk while
    troops remain": the condition is that they leave), so for a condition only the
    model's own negation of what the evidence asserts counts, and opposites are read
    against what the evidence demands (after "only if", "unless", "must", ...).
    """
    toks, their_toks = _toks(words), _toks(evidence)
    mine_pos, mine_neg, _ = _polarity(toks)
    their_pos, their_neg, their_any = _polarity(their_toks)
    for lemma in sorted(mine_neg):
        if lemma in their_pos and lemma not in their_neg and not (condition and their_any):
            return _fail(field, f'the {label} negates "{lemma}", which its evidence asserts', [_raw(toks, lemma)])
    if not condition:
        for lemma in sorted(mine_pos):
            if lemma in their_neg and lemma not in their_pos and lemma not in mine_neg:
                return _fail(field, f'the {label} asserts "{lemma}", which its evidence negates', [_raw(toks, lemma)])
    if not opposites:
        return None
    said = {t.lemma for t in their_toks}
    if condition:
        demand = _demand(evidence)
        if demand is None and (their_any or any(t.low in _CONDITIONAL for t in their_toks)):
            return None  # a refusal ("will not talk while troops remain"), which the condition reads the other way
        their_pos = _polarity(_toks(demand if demand is not None else evidence))[0]
    for lemma in sorted(mine_pos - said):
        opposite = _OPPOSITE.get(lemma, frozenset())
        hit = sorted(o for o in opposite if o in their_pos and o not in mine_pos)
        if hit:
            return _fail(field, f'the {label} says "{_raw(toks, lemma)}"; its evidence says "{hit[0]}"', [_raw(toks, lemma)])
    return None


_DEMAND = re.compile(
    r"\b(?:only if|unless|on (?:the )?condition that|provided(?: that)?|as long as|demand(?:s|ed)? that|"
    r"insist(?:s|ed)? that|call(?:s|ed)? for|must|should|would have to|will have to|has to|have to|needs? to|"
    r"first|in exchange for|in return for)\b",
    re.IGNORECASE,
)


def _demand(evidence: str) -> str | None:
    """What a condition's evidence demands: the words after "only if", "unless", "must", ...; None if it says none."""
    m = _DEMAND.search(evidence)
    return evidence[m.end() :] if m else None


def _raw(toks: list[_Tok], lemma: str) -> str:
    """The word as the model wrote it, for a lemma of its words."""
    return next((t.raw for t in toks if t.lemma == lemma), lemma)


def _hedges(toks: list[_Tok], text: str, words: frozenset[str]) -> list[str]:
    found = [
        t.low for i, t in enumerate(toks)
        if (t.low in words or t.lemma in words) and not (i and t.raw[:1].isupper())  # "in May": the month
    ]
    return found + HEDGE_PHRASES.findall(" ".join(fold(text).split()))


def _hedge_check(field: str, label: str, words: str, evidence: str) -> FieldCheck | None:
    theirs = _hedges(_toks(evidence), evidence, HEDGES | _EVIDENCE_MODALS)
    if not theirs:
        return None
    if _hedges(_toks(words), words, _MODEL_HEDGES | _EVIDENCE_MODALS):
        return None
    listed = ", ".join(f'"{w}"' for w in dict.fromkeys(theirs))
    return _fail(field, f"the {label} states as fact what its evidence hedges ({listed})", [])


# -- support ----------------------------------------------------------------------------


def _support(words: str, region: str, allowed: frozenset[str] = frozenset()) -> tuple[float, list[str]]:
    """The share of the words' content lemmas that the region holds, and the ones it lacks."""
    mine = [t for t in _content(_toks(words)) if t.lemma not in allowed and t.low not in allowed]
    if not mine:
        return 1.0, []
    theirs = _keys(region)
    missing = [t.raw for t in mine if not (_found(t.lemma, theirs) or t.low in theirs)]
    return 1 - len(missing) / len(mine), missing


def support(words: str, region: str) -> float:
    """The share of the content words (by lemma) of ``words`` that ``region`` holds: 1.0 when it has none."""
    return _support(words, region)[0]


def _support_check(field: str, label: str, words: str, region: str, where: str) -> FieldCheck | None:
    share, missing = _support(words, region)
    if share >= SUPPORT:
        return None
    listed = ", ".join(f'"{w}"' for w in dict.fromkeys(missing))
    return _fail(field, f"the {label} is not what its {where} says: {listed} not there", missing)


# -- regions ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Regions:
    evidence: str  # the article's words at the span
    sentence: str  # the sentences the span touches
    paragraph: str  # its paragraph(s)
    window: str  # the attribution window: its sentences, or, when they refer back, the paragraph before too
    own: tuple[Sentence, ...]
    wide: str = ""  # its paragraph and the one before: where what a description names may stand


def _regions(text: str, span: Span) -> _Regions:
    s = sentences(text)
    own = tuple(s.around(span.start, span.end))
    if not own:
        evidence = text[span.start : span.end]
        return _Regions(evidence, evidence, evidence, evidence, own)
    first = own[0].paragraph
    lo, hi = s.paragraphs[first][0], s.paragraphs[own[-1].paragraph][1]
    before = s.paragraphs[first - 1][0] if first > 0 else lo
    window = attribution_window(text, span)
    return _Regions(
        text[span.start : span.end], text[own[0].start : own[-1].end], text[lo:hi], window, own, text[before:hi]
    )


# -- statements -------------------------------------------------------------------------


def _statement_checks(
    field: str, words: str, text: str, r: _Regions, english: bool, condition: bool = False, summary: bool = False
) -> FieldCheck:
    """Numbers, names, polarity, hedges and support of a statement or a condition, first failure first.

    ``summary``: a summary sentence is checked against the article sentences that support
    it best, so no opposite and no hedge is read across them (a hedge in a source need
    not govern what the sentence sums up); its numbers, names, negations and words are.
    """
    label = field
    found = _number_check(field, label, words, r.paragraph, "evidence")
    if found is not None:
        return found
    missing = _unnamed(words, r.window + " " + r.paragraph, text, r.wide)
    opening = re.match(r"\W*(?:\S+\s+){0,2}", words)
    subject = names_written(words, text)[:1] if opening and _NAME_RUN.search(words, 0, opening.end() + 1) else []
    if subject and subject[0] not in missing and _unnamed(subject[0], r.window, text, r.wide):
        missing = subject  # who the statement is about stands where its words are said, not only nearby
    if missing:
        named = ", ".join(names_written(r.evidence, text)[:3])
        theirs = f"; its evidence names {named}" if named else ""
        return _fail(field, f"the {label} names {', '.join(missing)}{theirs}", missing)
    given = [] if summary else _said_by(words)  # a summary sums several sources up: no one speaker is read there
    attributed = speakers_in(r.sentence) or _said_by(r.sentence) if given else []
    for who in given:
        if attributed and not any(_same_nation(who, a) or _speaks_for(who, a, text) for a in attributed):
            return _fail(field, f"the {label} gives the words to {who}; its evidence to {attributed[0]}", [who])
    if not english:
        return _ok(field, "numbers and names checked; polarity, hedges and support not checked (not English)")
    for check in (
        _polarity_check(
            field, label, words, r.sentence if summary or len(r.evidence) <= 40 else r.evidence, condition, not summary
        ),
        None if summary else _hedge_check(field, label, words, r.evidence),
        _support_check(field, label, words, r.paragraph, "evidence"),
    ):
        if check is not None:
            return check
    return _ok(field)


_SAID_BY = re.compile(
    r"([A-Z][\w'\u2019.-]*(?:\s+[A-Z][\w'\u2019.-]*)*),?\s+(?:has\s+|have\s+|had\s+)?(?:"
    + "|".join(sorted((re.escape(v) for v in REPORTING_VERBS if " " not in v), key=len, reverse=True))
    + r")\b|\baccording to (?:the\s+)?([A-Z][\w'\u2019.-]*(?:\s+[A-Z][\w'\u2019.-]*)*)"
)


def _speaks_for(party: str, speaker: str, text: str) -> bool:
    """Whether the article writes ``party`` beside ``speaker`` ("Kestria's deputy minister, Oleksa Dvořák")."""
    return any(_same_nation(party, b) or _within(party, b) for b in _descriptors(text, speaker)[0])


def _said_by(words: str) -> list[str]:
    """Who words say spoke ("Burns said ...", "according to Haines", "the minister, Piet Varga, said"), titles aside."""
    out = []
    for m in _SAID_BY.finditer(words):
        name = " ".join(w for w in (m[1] or m[2]).split() if fold(w).strip(".") not in _TITLES | _STOP | _WHEN)
        name = re.sub(r"['\u2019]s$", "", name)
        if name:
            out.append(name)
    return out


# -- figures ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Scope:
    own: str  # between the number and its neighbours (or the clause's ends)
    chain: str  # what the clause says of this number and the numbers listed with it ("X civilians and Y soldiers")
    proper: str  # of that, the words beside these numbers, the clause's subject aside
    others: str  # the rest of the clause: what it says of other numbers
    written: str  # the number as the article writes it, with its sign and a unit glued to it


_RANGE_GAP = re.compile(r"^\s*(?:-|\u2013|to|and|or)\s*[$€£¥]?\s*$")


def _coordinated(gap: str) -> bool:
    """Whether two numbers speak of one thing: listed together ("40,000 civilians and 100,000 soldiers have been
    killed"), or one a part of the other ("four of the city's eleven bakeries")."""
    words = _WORD.findall(gap)
    return _RANGE_GAP.match(gap) is not None or (
        len(words) <= 6 and (re.search(r",|\band\b|\bor\b", gap) is not None or words[:1] == ["of"])
    )


_JOIN = re.compile(r",|;|\band\b|\bbut\b|\bwhile\b|\bthat\b|\bwhich\b")


def _cut(body: str, lo: int, hi: int, *, last: bool) -> int:
    """Where the words between two numbers not listed together pass from the first to the second.

    "46 drones and two cruise missiles, and that air defences shot down 39": the words
    after the last ", and that" are the 39's, those before it the two's.
    """
    joins = list(_JOIN.finditer(body, lo, hi))
    if not joins:
        return hi if not last else lo
    return lo + (joins[-1].end() - lo) if last else joins[0].start()


def _scope(text: str, r: _Regions, item: BaseModel) -> _Scope | None:
    """The words that say what this figure's number counts, or None when the number is not found."""
    values = [float(v) for f in ("value", "low", "high") if isinstance(v := getattr(item, f, None), (int, float))]
    if not values or not r.own:
        return None
    body = text[r.own[0].start : r.own[-1].end]
    found = mentions(body)
    mine = [i for i, m in enumerate(found) if any(same_number(v, w) for v in values for w in m.values)]
    if not mine:
        return None
    written = getattr(item, "text", None)
    if isinstance(written, str):  # prefer the mention inside the figure's own text
        at = fold(body).find(fold(written))
        mine = [i for i in mine if at >= 0 and at <= found[i].start < at + len(written) + 1] or mine
    first = last = mine[0]
    if last + 1 < len(found) and _RANGE_GAP.match(body[found[last].end : found[last + 1].start]):
        last += 1  # the other end of a range
    elif first > 0 and _RANGE_GAP.match(body[found[first - 1].end : found[first].start]):
        first -= 1
    clause_lo, clause_hi = 0, len(body)
    for m in CLAUSE_BREAK.finditer(body):
        if m.end() <= found[first].start:
            clause_lo = m.end()
        elif m.start() >= found[last].end:
            clause_hi = m.start()
            break
    inside = [k for k, m in enumerate(found) if clause_lo <= m.start and m.end <= clause_hi]
    lo = found[first - 1].end if first - 1 in inside else clause_lo
    hi = found[last + 1].start if last + 1 in inside else clause_hi
    own = body[lo : found[first].start] + " " + body[found[last].end : hi]
    a, b = first, last
    while a - 1 in inside and _coordinated(body[found[a - 1].end : found[a].start]):
        a -= 1
    while b + 1 in inside and _coordinated(body[found[b].end : found[b + 1].start]):
        b += 1
    head = found[inside[0]].start if inside else clause_lo  # what the clause says before its first number: its subject
    chain_lo = _cut(body, found[a - 1].end, found[a].start, last=True) if a - 1 in inside else clause_lo
    chain_hi = _cut(body, found[b].end, found[b + 1].start, last=False) if b + 1 in inside else clause_hi
    others = body[head:chain_lo] + " " + body[chain_hi:clause_hi]
    glued = re.match(r"[-\u2010\u2011]\w+", body[found[last].end :])  # "30-day", "600-kilometre"
    sign = body[max(0, found[first].start - 3) : found[last].end + (glued.end() if glued else 0)]
    proper = body[max(chain_lo, head) : chain_hi]
    return _Scope(own=own, chain=body[clause_lo:head] + " " + proper, proper=proper, others=others, written=sign)


def _groups(lemmas: set[str], lows: set[str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for kind, groups in _GROUPS.items():
        for name, ws in groups.items():
            if lemmas & ws or lows & ws:
                out.setdefault(kind, set()).add(name)
    return out


def _nations(words: str) -> list[str]:
    """Nationality words: a demonym before a common noun ("Russian soldiers") or a name's possessive ("Varnia's")."""
    out = []
    for m in re.finditer(r"\b([A-Z][a-z]{2,})(['\u2019]s)?(?=(\s+[a-z])?)", words):
        if m[2] or (m[3] and _DEMONYM.search(m[1]) and m[1].lower() not in _STOP and m[1].lower() not in _TITLES):
            out.append(m[1])
    return out


def _group_nations(words: str) -> list[str]:
    """The nationality a text gives a group of people: "Russian soldiers", "Varnia's troops", "Ukrainian civilians"."""
    out = []
    toks = _toks(words)
    for i, t in enumerate(toks):
        if t.low in _PERSON_NOUNS or t.lemma in _PERSON_NOUNS:
            for before in toks[max(0, i - 3) : i]:
                bare = re.sub(r"['\u2019]s$", "", before.raw)
                if bare[:1].isupper() and bare.lower() not in _TITLES and bare.lower() not in _STOP and (
                    before.raw != bare or _DEMONYM.search(bare)
                ):
                    out.append(bare)
    return out


def _same_nation(a: str, b: str) -> bool:
    """One party in two forms: "Ukraine"/"Ukrainian", "Tarvia"/"Tarvic", "United Nations"/"UN"."""
    if named_in(a, b) or named_in(b, a):
        return True
    x, y = (" ".join(w for w in fold(n).split() if w not in _BODIES) for n in (a, b))  # "Tarvic Republic": "tarvic"
    common = 0
    while common < min(len(x), len(y)) and x[common] == y[common]:
        common += 1
    return common >= 4 and len(x) - common <= 2 and len(y) - common <= 2 and " " not in x + y


def _measure_checks(item: BaseModel, text: str, r: _Regions, english: bool) -> Iterator[FieldCheck]:
    measure = getattr(item, "measure", None)
    unit = getattr(item, "unit", None)
    scope = _scope(text, r, item)
    if scope is None:
        return
    if isinstance(measure, str) and measure.strip():
        yield _measure_check(measure, scope, text, r, english)
    if isinstance(unit, str) and unit.strip():
        yield _unit_check(unit, scope, english)


def _measure_check(measure: str, scope: _Scope, text: str, r: _Regions, english: bool) -> FieldCheck:
    found = _number_check("measure", "measure", measure, scope.chain + " " + scope.written, "number's scope")
    if found is not None:
        return found
    missing = _unnamed(measure, r.wide, text)
    if missing:
        return _fail("measure", f"the measure names {', '.join(missing)}, which its evidence does not", missing)
    theirs = _group_nations(scope.own) or _group_nations(scope.chain)
    for nation in _group_nations(measure):
        if theirs and not any(_same_nation(nation, n) for n in theirs):
            return _fail(
                "measure", f'the measure says "{nation}"; this number\'s scope says "{theirs[0]}"', [nation]
            )
    if not english:
        return _ok("measure", "numbers and names checked; group words and support not checked (not English)")
    mine = _toks(measure)
    own_toks, chain_toks = _toks(scope.own), _toks(scope.chain)
    wanted = _groups({t.lemma for t in mine}, {t.low for t in mine})
    near = _groups({t.lemma for t in own_toks}, {t.low for t in own_toks})
    wide = _groups({t.lemma for t in chain_toks}, {t.low for t in chain_toks})
    for kind, groups in wanted.items():
        scope_groups = near.get(kind) or wide.get(kind)
        if scope_groups and not groups & scope_groups:
            said = next(w.raw for w in mine if any(w.lemma in _GROUPS[kind][g] or w.low in _GROUPS[kind][g] for g in groups))
            return _fail(
                "measure",
                f'the measure says "{said}"; this number\'s scope says {" / ".join(sorted(scope_groups))}',
                [said],
            )
    ours, beside, elsewhere = _keys(scope.chain), _keys(scope.proper), _keys(scope.others)
    content = [t for t in _content(mine) if t.lemma not in _QUANTITY]
    borrowed = [t.raw for t in content if _found(t.lemma, elsewhere) and not _found(t.lemma, ours)]
    kept = [t for t in content if _found(t.lemma, beside)]
    if borrowed and len(borrowed) > len(kept):  # a word shared with another number (a place, a noun) is context
        listed = ", ".join(f'"{w}"' for w in dict.fromkeys(borrowed))
        return _fail("measure", f"the measure takes {listed} from another number of its sentence", borrowed)
    share, missing_words = _support(measure, scope.chain + " " + r.paragraph, _QUANTITY)
    if share < SUPPORT:
        listed = ", ".join(f'"{w}"' for w in dict.fromkeys(missing_words))
        return _fail("measure", f"the measure is not what this number counts: {listed} not in its evidence", missing_words)
    return _ok("measure")


def _unit_check(unit: str, scope: _Scope, english: bool) -> FieldCheck:
    key = re.sub(r"^(?:us|u\.s\.)\s+(?=dollars?$)", "", " ".join(fold(unit).lower().split()))  # "US dollars"
    written = fold(scope.written).lower()
    if key in _PERCENT_UNITS:
        if "%" in written or "percent" in written or "per cent" in written:
            return _ok("unit")
        return _fail("unit", f'the unit is "{unit}", but the number is not a percentage', [unit])
    sign = _CURRENCY_WORDS.get(key) or _CURRENCY_WORDS.get(key.rstrip("s"))
    if sign is not None:
        own = fold(scope.own + " " + scope.written).lower()
        if sign in own or any(w in re.findall(r"[\w$€£¥]+", own) for w in _CURRENCIES[sign]):
            return _ok("unit")
        return _fail("unit", f'the unit is "{unit}", but this number is not in that currency', [unit])
    toks = _toks(re.sub(r"(?<=\w)-(?=\w)", " ", scope.chain + " " + scope.written))  # "30-day": "day"
    lemmas = {t.lemma for t in toks} | {t.low for t in toks}
    unit_lemmas = [_lemma(w) for w in _WORD.findall(unit)]
    if unit_lemmas and all(_found(u, lemmas) for u in unit_lemmas):
        return _ok("unit")
    for aliases in _UNIT_ALIASES:
        if key in aliases and (aliases & lemmas or any(a in fold(scope.written).lower() for a in aliases if len(a) > 2)):
            return _ok("unit")
    if key in _GENERIC_UNITS and lemmas & (_PERSON_NOUNS | {_lemma(w) for w in _PERSON_NOUNS}):
        return _ok("unit")
    if not english:
        return _ok("unit", "not checked: the evidence is not English")
    counted = ", ".join(t.raw for t in _content(_toks(scope.own))[:3]) or "nothing"
    return _fail("unit", f'the unit "{unit}" is not what this number counts (its scope has {counted})', [unit])


# -- actors ----------------------------------------------------------------------------


_RANKS = frozenset({"deputy", "vice", "acting", "former", "assistant", "junior", "interim", "outgoing", "ex"})
"""Words that make a title another post: a deputy minister is not the minister."""
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


def _descriptors(text: str, name: str) -> tuple[list[str], str]:
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
        cut = [c for c in _BEFORE_STOP.finditer(before) if not _abbreviation(before, c)]
        start = origin + (cut[-1].end() if cut else 0)
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
            runs = [r for r in names_written(part, text) if not any(_same_nation(r, w) for w in words)]
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
    return word is not None and (fold(word[1].strip(".")) in _TITLES or len(word[1].replace(".", "")) <= 2)


def _is_person(name: str, text: str) -> bool:
    """A name the article writes as a person's ("Biden" of "Joe Biden", "Ilse Margrave"): not a body."""
    return _remembered(text, "person", name, lambda: _finds_person(name, text))


def _finds_person(name: str, text: str) -> bool:
    if " " in name:
        return _looks_like_person(name, text)
    if not name[:1].isupper():
        return False
    m = re.search(rf"\b([A-Z][a-z]+)\s+{re.escape(name)}\b", text)
    return m is not None and fold(m[1]) not in _TITLES and fold(m[1]) not in _STOP and not _nations(m[1] + " x")


def _actor_checks(item: BaseModel, text: str, r: _Regions) -> Iterator[FieldCheck]:
    name = getattr(item, "name", None)
    if not isinstance(name, str) or not name.strip():
        return
    bodies, titles = _descriptors(text, name)
    role = getattr(item, "role", None)
    if isinstance(role, str) and role.strip():
        yield _role_words(role, name, text, titles)
    affiliation = getattr(item, "affiliation", None)
    if isinstance(affiliation, str) and affiliation.strip():
        yield _affiliation_check(affiliation, name, item, text, bodies)


def _role_words(role: str, name: str, text: str, titles: str) -> FieldCheck:
    """A role names no other person, keeps the rank the article gives ("deputy"), and is the article's for this actor."""
    others = [n for n in names_written(role, text) if _looks_like_person(n, text) and not _same_nation(n, name)]
    if others:
        return _fail("role", f"the role names {others[0]}, not {name}", others)
    missing = _unknown(role, text)
    if missing:
        return _fail("role", f"the role names {', '.join(missing)}, which the article does not", missing)
    if not titles.strip():
        return _ok("role")
    given = {k for t in _toks(titles) for k in (t.lemma, t.low)}
    mine = {k for t in _toks(role) for k in (t.lemma, t.low)}
    dropped, added = sorted((given & _RANKS) - mine), sorted((mine & _RANKS) - given)
    if dropped:
        return _fail("role", f'the article calls {name} "{dropped[0]} …"; the role drops "{dropped[0]}"', [role])
    if added:
        return _fail("role", f'the role says "{added[0]}"; the article never calls {name} that', [added[0]])
    share, lacking = _support(role, titles + " " + " ".join(names_written(titles, text)))
    if share < 0.5:
        listed = ", ".join(f'"{w}"' for w in dict.fromkeys(lacking))
        return _fail("role", f"the article does not call {name} that: {listed}", lacking)
    return _ok("role")


def _looks_like_person(name: str, text: str) -> bool:
    """Two capitalised words the article writes as a first name and a surname ("Volodymyr Zelensky")."""
    parts = name.split()
    if len(parts) < 2 or any(p.lower() in ("of", "for", "the", "and") or p.lower() in _BODIES for p in parts):
        return False
    # written so, and not as the start of a longer name ("Varnese Northern Army", a body)
    pattern = rf"\b{re.escape(parts[-2])}\s+{re.escape(parts[-1])}\b(?!\s+[A-Z])"
    written = _remembered(text, "written", pattern, lambda: re.search(pattern, text) is not None)
    return written and not _nations(parts[-2])


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
        return _fail("affiliation", f"the affiliation names {', '.join(missing)}, which the article does not", missing)
    stated = names_written(affiliation, text) + re.findall(r"\b[A-Z](?:\.[A-Z])+\.?|\b[A-Z]{2,6}\b", affiliation)
    stated = list(dict.fromkeys(stated)) or [affiliation]
    place = is_place(name, getattr(item, "kind", None))
    if place and not any(_same_nation(s, name) for s in stated):
        return _fail("affiliation", f"{name} is a country; its affiliation cannot be {affiliation}", stated)
    if place:
        return _ok("affiliation")  # what the article writes beside a country's name is not its affiliation
    if bodies and not any(_same_nation(s, b) or _within(s, b) for s in stated for b in bodies):
        return _fail(
            "affiliation", f"the article calls {name} {', '.join(bodies[:2])}; the affiliation says {affiliation}", stated
        )
    return _ok("affiliation")


def is_place(name: str, kind: Any) -> bool:
    """Whether an actor is a country (by the kind given, or a government named by one word): it belongs to itself."""
    kind = getattr(kind, "value", kind)
    return kind == "country" or (kind == "government" and len(name.split()) == 1 and name[:1].isupper())


def _within(a: str, b: str) -> bool:
    """One name inside the other: "United Nations" in "United Nations special envoy"."""
    x, y = fold(a), fold(b)
    return bool(x) and bool(y) and (x in y or y in x)


# -- conditions ------------------------------------------------------------------------


def _agents(evidence: str) -> list[str]:
    """The parties the evidence makes the agent of a demand: "X must ...", "a Russian withdrawal", "X first released"."""
    found = []
    for m in _MODAL_AGENT.finditer(evidence):
        before = evidence[: m.start()].rstrip()
        names = re.findall(r"([A-Z][\w'\u2019-]+(?:\s+[A-Z][\w'\u2019-]+)*)(?:\s+(?:forces|troops|army|government))?$", before)
        if names:
            found.append(names[-1])
    for m in re.finditer(r"\b(?:a|an|the|full|complete)\s+([A-Z][a-z]+(?:ian|ean|ese|ish|an|i))\s+([a-z]+)", evidence):
        if re.search(r"(?:al|ion|ment|ure|ance|out)$", m[2]) or m[2] in ("retreat", "ceasefire", "pullback"):
            found.append(m[1])  # "a Russian withdrawal": Russia withdraws
    return found


def _party_check(party: str, condition: str | None, text: str, r: _Regions) -> FieldCheck:
    """Who must meet a condition: named in its evidence, and the party the evidence and the condition put it on."""
    parties = [p.strip() for p in re.split(r",|\band\b|&", party) if p.strip()]
    for p in parties:
        if _unnamed(p, r.window + " " + r.paragraph, text, r.wide):
            return _fail("to_be_met_by", f'"{p}" is not named in its evidence', [p])
    agents = _agents(r.evidence) + (_subjects(condition, text) if condition else [])
    if agents and not any(_same_nation(a, p) for a in agents for p in parties):
        return _fail("to_be_met_by", f"the demand is on {agents[0]}, not {party}", parties)
    return _ok("to_be_met_by")


def _subjects(condition: str, text: str) -> list[str]:
    """The parties a condition opens with, its subject: "Russia returns ...", "Both Russia and Ukraine recognise"."""
    m = re.match(r"\s*(?:both\s+|the\s+)?((?:[A-Z][\w'\u2019.-]*\s*)+(?:(?:and|or|,)\s+(?:[A-Z][\w'\u2019.-]*\s*)+)*)",
                 condition)
    if not m:
        return []
    return [n for n in names_written(m[1], text)]


# -- the item ------------------------------------------------------------------------


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
    r = _regions(text, span)
    english = is_english(r.sentence or r.evidence, text)
    checks: list[FieldCheck] = []
    figure = any(f in type(item).model_fields for f in ("value", "low", "high"))
    for field, kind in fields.items():
        words = getattr(item, field, None)
        if not isinstance(words, str) or not words.strip():
            continue
        if kind in ("statement", "condition", "summary"):
            checks.append(_statement_checks(field, words, text, r, english, condition=kind == "condition"))
        elif kind in ("measure", "unit") and not figure:
            checks.append(_statement_checks(field, words, text, r, english))
    if figure:
        checks += _measure_checks(item, text, r, english)
    if any(k in ("role", "affiliation") for k in fields.values()):
        checks += _actor_checks(item, text, r)
    condition = next((getattr(item, f, None) for f, k in fields.items() if k == "condition"), None)
    for field, kind in fields.items():
        words = getattr(item, field, None)
        if kind == "party" and isinstance(words, str) and words.strip():
            check = _party_check(words, condition if isinstance(condition, str) else None, text, r)
            checks.append(check.model_copy(update={"field": field}))
    return checks


# -- the summary --------------------------------------------------------------------------


def summary_sentences(summary: str) -> list[str]:
    """The sentences of a summary, as the package's one splitter reads them."""
    s = sentences(summary)
    return [summary[x.start : x.end] for x in s.every()]


@dataclasses.dataclass(frozen=True)
class _SentenceIndex:
    """The distinct sentences of a text and, for each lemma, the ones that hold it: so a summary sentence finds
    its best sources without reading the whole article again (a long article has thousands of sentences)."""

    spans: tuple[Sentence, ...]
    holding: dict[str, array[int]]


def _build_index(text: str) -> _SentenceIndex:
    seen: dict[str, int] = {}
    spans: list[Sentence] = []
    holding: dict[str, array[int]] = {}
    for s in sentences(text).every():
        body = text[s.start : s.end]
        if body in seen:
            continue  # a repeated sentence (a headline restated, a text pasted twice) counts once
        seen[body] = len(spans)
        for key in {k for t in _toks(body) for k in (t.lemma, t.low)}:
            holding.setdefault(key, array("I")).append(len(spans))
        spans.append(s)
    return _SentenceIndex(tuple(spans), holding)


_sentence_index = TextCache(_build_index)
"""Each text's sentences by lemma, for the few texts used last."""


def _best_sources(sentence: str, text: str) -> list[Sentence]:
    """The article sentences that share most content words with ``sentence``, each once, the best first."""
    index = _sentence_index(text)
    wanted = {t.lemma for t in _content(_toks(sentence))} | {
        _lemma(w) for n in names_written(sentence, text) for w in n.split()
    }
    numbers = {t.low for t in _toks(sentence) if t.low[:1].isdigit()}  # the most telling words: counted thrice
    scores: Counter[int] = Counter()
    for key in wanted:
        scores.update(index.holding.get(key, ()))
    for key in numbers - wanted:
        for i in index.holding.get(key, ()):
            scores[i] += 3
    best = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:SUMMARY_SOURCES]
    return [index.spans[i] for i, _ in best]  # the best first


def _source_regions(text: str, found: list[Sentence]) -> _Regions:
    """The sources as evidence; their paragraphs, and the paragraphs before them, as where names may stand."""
    paragraphs = sentences(text).paragraphs
    own = " ".join(text[s.start : s.end] for s in found)
    held = sorted({s.paragraph for s in found})
    paragraph = " ".join(text[slice(*paragraphs[p])] for p in held)
    window = " ".join(text[slice(*paragraphs[q])] for q in sorted({x for p in held for x in (p - 1, p) if x >= 0}))
    best = text[found[0].start : found[0].end]
    return _Regions(best, own, paragraph, window, tuple(found), window)


def check_summary(summary: str, text: str) -> list[FieldCheck]:
    """One check per sentence of ``summary``: finished, and supported like a statement by its best sources."""
    out = []
    parts = summary_sentences(summary) if summary.strip() else []
    if not parts:
        return [_fail("summary", "the summary is empty")]
    for i, sentence in enumerate(parts):
        if i == len(parts) - 1 and not _FINISHED.search(sentence.rstrip()):
            out.append(_fail("summary", f'the summary\'s last sentence is unfinished: "…{sentence[-60:]}"', []))
            continue
        found = _best_sources(sentence, text)
        if not found:
            out.append(_fail("summary", f'no sentence of the article supports "{sentence[:80]}"'))
            continue
        region = _source_regions(text, found)
        english = is_english(region.evidence, text)
        check = _statement_checks("summary", sentence, text, region, english, summary=True)
        if not check.ok:
            check = check.model_copy(update={"detail": f'"{sentence[:120]}": {check.detail}'})
        out.append(check)
    return out
