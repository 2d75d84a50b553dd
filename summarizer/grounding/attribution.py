"""Who the article says spoke: the party a sentence attributes words to, and the checks of the who-fields.

``speaker``, ``reported_by``, ``set_by`` (:func:`check_who`)
    named (in full, by surname, or by a title the article gives that person) in the
    attribution window (:func:`attribution_window`): the quote's own sentence, or, when
    that sentence refers back ("he said", "the minister added") and names no other
    speaker, the rest of its paragraph and the paragraph before ("the German think-tank
    concluded" refers back too). A party merely mentioned in a sentence that attributes
    the words to someone else is misattributed: the party a sentence attributes words to
    (:func:`attributed_to`) is the subject of one of :data:`REPORTING_VERBS` ("Kyiv
    demanded that Moscow withdraw": Kyiv, not Moscow; "Kessia's envoy urged ...":
    Kessia), the name after an inverted verb ("..., said Zelensky"), after "by" ("said by
    the minister of foreign affairs, Tomas Reliq") or "according to". A title the article
    gives a person in apposition, either way round ("Reliq, the minister of ...," or "the
    minister of ..., Tomas Reliq"), names that person (:func:`titled`).
``role`` (of an item with ``name``: :func:`check_role`)
    not one the article gives to another person (a role may be paraphrased, but not
    taken from someone else): the article gives a title to the name beside it, or to the
    subject of its sentence ("X is a reporter and the head of the foreign desk"); a role
    another holds must be in the sentences naming this person, not merely in their paragraph.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..schema import FieldCheck, Span
from ..sentences import CACHED_PARAGRAPH, CLAUSE_BREAK, Sentence, sentences
from .checks import failed, passed
from .naming import (
    NOT_NAMES,
    WORD,
    article_index,
    bare,
    has_phrase,
    name_key,
    name_keys,
    named_in,
    named_in_article,
    paragraphs_holding,
    paragraphs_naming,
    plain,
    remember,
    same_name,
    surname_of,
)

__all__ = [
    "REFERS_BACK",
    "REPORTING_VERBS",
    "TITLE_WORDS",
    "attributed_to",
    "attribution_window",
    "check_role",
    "check_who",
    "has_first_name",
    "sentences_text",
    "speakers_in",
    "titled",
]

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


def attribution_window(text: str, span: Span) -> str:
    """Where a speaker of ``text[span.start:span.end]`` may be named: its sentences, and, when they refer back
    ("he said", "the minister added") and name no other speaker, the rest of the paragraph and the one before."""
    own = sentences(text).around(span.start, span.end)
    window = sentences_text(text, own)
    if own and not speakers_in(window) and REFERS_BACK.search(window):
        s = sentences(text)
        first = own[0]
        start = s.paragraphs[first.paragraph - 1][0] if first.paragraph > 0 else s.paragraphs[0][0]
        return text[start : own[-1].end]
    return window or text[span.start : span.end]


def sentences_text(text: str, sents: list[Sentence]) -> str:
    """The text of consecutive sentences, from the first one's start to the last one's end (empty for none)."""
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
    return list(_speakers_cached(region) if len(region) <= CACHED_PARAGRAPH else _speakers_of(region))


def _speakers_of(region: str) -> tuple[str, ...]:
    out = []
    for m in [*_NAMED_SPEAKER.finditer(region), *_APPOSITION.finditer(region)]:
        name = next(g for g in m.groups() if g)
        if re.search(r"['’]s$", name):  # "Russia's announced retreat": a possessive, not a speaker
            continue
        words = [w for w in name.split() if w.lower() not in NOT_NAMES and w.lower().strip(".") not in _WHEN]
        if words:
            out.append(" ".join(words).rstrip("."))
    return tuple(out)


_speakers_cached = lru_cache(maxsize=4096)(_speakers_of)  # every item of an answer reads its window again


TITLE_WORDS = frozenset(
    {"gen", "army", "col", "lt", "sgt", "adm", "maj", "capt", "president", "minister", "prime", "secretary", "chairman",
     "general", "sen", "rep", "gov", "mr", "mrs", "ms", "dr", "foreign", "defense", "defence", "deputy", "vice", "state"}
)


def _people(sentence: str, exclude: list[str]) -> list[str]:
    """Capitalised names in a sentence, titles ("Army Gen.") and the words of ``exclude`` set aside."""
    found = []
    for run in re.findall(r"[A-Z][\w'’-]+(?:\.?\s+[A-Z][\w'’-]+)*", sentence):
        words = [w for w in re.findall(r"[\w'’-]+", run) if name_key(w) not in TITLE_WORDS]
        words = [w for w in words if name_key(w) not in exclude and name_key(w) not in NOT_NAMES and len(w) >= 3]
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
    phrase = plain(bare(who))
    found: list[str] = []
    if len(phrase) < 4:
        return found
    s = sentences(text)
    words = [re.escape(w) for w in re.findall(r"[\w'’.-]+", bare(who))]
    for p in paragraphs_holding(text, phrase):
        lo, hi = s.paragraphs[p]
        if not has_phrase(plain(text[lo:hi]), phrase):
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
        words = [w for w in name.split() if w.lower() not in NOT_NAMES and w.lower().strip(".") not in _WHEN]
        if words and not re.search(r"['’]s$", name):
            out.append(" ".join(words).rstrip("."))
    return out


def _titles_of(text: str, surname: str) -> tuple[str, ...]:
    """The titles the article gives a person in apposition: "Mark Milley, chairman of the Joint Chiefs of Staff,"."""
    art = article_index(text)
    known = art.titles.get(surname)
    if known is None:
        known = remember(art.titles, surname, _find_titles(text, surname))
    return known


def _find_titles(text: str, surname: str) -> tuple[str, ...]:
    paragraphs = sentences(text).paragraphs
    found: list[str] = []
    for p in paragraphs_naming(text, surname):
        lo, hi = paragraphs[p]
        for m in re.finditer(r"([A-Z][\w'’-]+),\s+([^,;:“”\"]{4,90}),", text[lo:hi]):
            title = plain(bare(m[2]))
            if same_name(surname, name_key(m[1])) and len(title.split()) >= 2:
                found.append(title)
    return tuple(dict.fromkeys(found))


def has_first_name(text: str, surname: str) -> bool:
    """A one-word name is a person's when the article also writes it after a first name ("Mark Milley")."""
    art = article_index(text)
    known = art.first_names.get(surname)
    if known is None:
        known = remember(art.first_names, surname, _finds_first_name(text, surname))
    return known


def _finds_first_name(text: str, surname: str) -> bool:
    paragraphs = sentences(text).paragraphs
    for p in paragraphs_naming(text, name_key(surname)):
        lo, hi = paragraphs[p]
        for m in re.finditer(rf"\b([A-Z][\w'’-]+)\s+{re.escape(surname)}\b", text[lo:hi]):
            if name_key(m[1]) not in NOT_NAMES and name_key(m[1]) not in TITLE_WORDS:
                return True
    return False


def _descriptors_given(text: str, who: str, surname: str) -> list[str]:
    """Words of ``who`` beyond the surname that no paragraph naming that person gives them."""
    wanted = [w for w in WORD.findall(who) if name_key(w) not in NOT_NAMES and len(name_key(w)) >= 2]
    wanted = [w for w in wanted if not same_name(name_key(w), surname)]
    if not wanted:
        return []
    art = article_index(text)
    near: set[str] = set().union(*(art.tokens(p) for p in paragraphs_naming(text, surname)))
    return [w for w in wanted if not any(same_name(name_key(w), t) for t in near)]


def _sentence_words(text: str, surname: str) -> set[str]:
    """The word keys of the sentences that name ``surname`` (in the paragraphs the index finds for it)."""
    s = sentences(text)
    found: set[str] = set()
    for p in paragraphs_naming(text, surname):
        for sentence in s.of_paragraph(p):
            words = name_keys(text[sentence.start : sentence.end])
            if any(same_name(surname, w) for w in words):
                found.update(words)
    return found


def check_role(role: str, name: str, text: str) -> FieldCheck:
    """A role may be paraphrased, but not taken from someone else: refused when the article gives it to another."""
    surname = surname_of(name)
    if surname is None:
        return passed("role")
    given = titled(text, role)
    if any(same_name(name_key(p.split()[-1]), surname) for p in given):
        return passed("role")  # the article gives it to this person (too)
    holders = [p for p in given if not same_name(name_key(p.split()[-1]), surname)]
    if not holders:
        return passed("role")
    wanted = [w for w in WORD.findall(role) if name_key(w) not in NOT_NAMES and len(name_key(w)) >= 2]
    own = _sentence_words(text, surname)  # a paragraph may hold two people: "X is the head of ...; Y, a photographer"
    missing = [w for w in wanted if not any(same_name(name_key(w), t) for t in own)]
    if len(missing) * 2 > len(wanted):
        return failed("role", f'the article gives "{role}" to {holders[0]}, not to {_who_name(name)}')
    return passed("role")


def check_who(field: str, who: str, text: str, span: Span, own: list[Sentence]) -> FieldCheck:
    """A who-field (``speaker``, ``reported_by``, ``set_by``) against the quote's attribution window and the article.

    ``own``: the sentences the quote touches (found once per item by :func:`~.fields.check_fields`).
    """
    s = sentences(text)
    window = sentences_text(text, own)
    regions = [window]
    if own and not (speakers_in(window) and not named_in(window, who)) and REFERS_BACK.search(window):
        first = own[0]
        start = s.paragraphs[first.paragraph - 1][0] if first.paragraph > 0 else s.paragraphs[0][0]
        regions.append(text[start : first.start])
    base = own[0].start if own else span.start
    speakers = attributed_to(window, span.start - base, span.end - base)
    if named_in(window, who) and speakers and not any(_same_party(text, who, sp) for sp in speakers):
        listed = ", ".join(dict.fromkeys(speakers))
        return failed(field, f'misattributed: "{who}" is in the quote\'s sentence, but it attributes the words to {listed}')
    for region in regions:
        if named_in(region, who):
            surname = surname_of(who)
            missing = _descriptors_given(text, who, surname) if surname else []
            if missing:
                listed = ", ".join(f'"{w}"' for w in missing)
                return failed(field, f"the article does not call {_who_name(who)} {listed}")
            return passed(field)
    surname = surname_of(who)
    for title in _titles_of(text, surname) if surname else ():  # "chairman of the Joint Chiefs of Staff claims"
        if any(has_phrase(plain(region), title) for region in regions):
            return passed(field, f'named by the title the article gives {_who_name(who)}: "{title}"')
    is_title = any(w[:1].islower() and w.lower() not in NOT_NAMES for w in WORD.findall(who))  # "the ... minister"
    for person in titled(text, who) if is_title else []:
        if any(named_in(region, person) for region in regions):
            return passed(field, f'"{who}" is the article\'s title for {person}')
    named = ", ".join(dict.fromkeys(speakers_in(window)))
    if named_in_article(text, who):
        where = f"; its sentence names {named}" if named else ""
        return failed(field, f'misattributed: the article names "{who}", but not where this quote is{where}')
    return failed(field, f'"{who}" is not named in the article')


def _same_party(text: str, who: str, speaker: str) -> bool:
    """Whether ``who`` is the ``speaker`` a sentence attributes words to: by name, or by a title the article gives them."""
    if named_in(speaker, who) or named_in(who, speaker):
        return True
    is_title = any(w[:1].islower() and w.lower() not in NOT_NAMES for w in WORD.findall(who))
    return is_title and any(named_in(speaker, person) for person in titled(text, who))


def _who_name(who: str) -> str:
    surname = surname_of(who)
    return next((w for w in reversed(WORD.findall(who)) if name_key(w) == surname), who) if surname else who
