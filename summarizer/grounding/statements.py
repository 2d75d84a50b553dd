"""A statement in the model's own words against its evidence: numbers, names, speakers, polarity, hedges, support.

:func:`check_statement` reports the first failure: a number its evidence's paragraph does
not state with the same value (:func:`check_numbers`), a name its evidence or attribution
window does not give (:func:`~summarizer.grounding.parties.unnamed`), words given to a
speaker the evidence does not give them to, and, in English, a flip of polarity or a hedge
stated as fact (:mod:`~summarizer.grounding.polarity`) and too few of its content words in
the evidence's paragraph (:data:`~summarizer.grounding.lemmas.SUPPORT`). :class:`Regions`
are the parts of the article an item's own words are read against (:func:`regions_at`).
"""

from __future__ import annotations

import dataclasses
import re
from functools import lru_cache

from ..schema import FieldCheck, Span
from ..sentences import CACHED_PARAGRAPH, Sentence, sentences
from ..text import fold
from .attribution import REPORTING_VERBS, attribution_window, speakers_in
from .checks import failed, passed
from .lemmas import STOP, SUPPORT, TITLES, WHEN, support_of, tokens
from .numbers import mentions, same_number
from .parties import NAME_RUN, descriptors, names_written, same_nation, unnamed, within
from .polarity import check_hedges, check_polarity

__all__ = [
    "Regions",
    "check_numbers",
    "check_statement",
    "regions_at",
]

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
    return list(_numbers_cached(words)) if len(words) <= CACHED_PARAGRAPH else _numbers_of(words)


def _numbers_of(words: str) -> list[tuple[str, tuple[float, ...]]]:
    out = []
    for m in mentions(words):
        written = words[m.start : m.end]
        if written.lower() == "one":
            continue
        out.append((written, m.values))
    spans = [(m.start, m.end) for m in mentions(words)]
    toks = tokens(words)
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


def check_numbers(field: str, label: str, words: str, region: str, where: str) -> FieldCheck | None:
    """A failed check for the numbers of ``words`` that ``region`` does not state (with the same value), or None."""
    wrong = [written for written, values in _numbers(words) if not _states(region, values)]
    if not wrong:
        return None
    theirs = [w for w, _ in _numbers(region)]
    said = f"its {where} says {', '.join(dict.fromkeys(theirs))}" if theirs else f"its {where} states no number"
    return failed(field, f"the {label} says {', '.join(wrong)}; {said}", wrong)


def _support_check(field: str, label: str, words: str, region: str, where: str) -> FieldCheck | None:
    share, missing = support_of(words, region)
    if share >= SUPPORT:
        return None
    listed = ", ".join(f'"{w}"' for w in dict.fromkeys(missing))
    return failed(field, f"the {label} is not what its {where} says: {listed} not there", missing)


@dataclasses.dataclass(frozen=True)
class Regions:
    """The parts of the article an item's own words are read against, from its evidence outwards."""
    evidence: str  # the article's words at the span
    sentence: str  # the sentences the span touches
    paragraph: str  # its paragraph(s)
    window: str  # the attribution window: its sentences, or, when they refer back, the paragraph before too
    own: tuple[Sentence, ...]
    wide: str = ""  # its paragraph and the one before: where what a description names may stand


def regions_at(text: str, span: Span) -> Regions:
    """The :class:`Regions` of the evidence at ``span``."""
    s = sentences(text)
    own = tuple(s.around(span.start, span.end))
    if not own:
        evidence = text[span.start : span.end]
        return Regions(evidence, evidence, evidence, evidence, own)
    first = own[0].paragraph
    lo, hi = s.paragraphs[first][0], s.paragraphs[own[-1].paragraph][1]
    before = s.paragraphs[first - 1][0] if first > 0 else lo
    window = attribution_window(text, span)
    return Regions(
        text[span.start : span.end], text[own[0].start : own[-1].end], text[lo:hi], window, own, text[before:hi]
    )


def check_statement(
    field: str, words: str, text: str, r: Regions, english: bool, condition: bool = False, summary: bool = False
) -> FieldCheck:
    """Numbers, names, polarity, hedges and support of a statement or a condition, first failure first.

    ``summary``: a summary sentence is checked against the article sentences that support
    it best, so no opposite and no hedge is read across them (a hedge in a source need
    not govern what the sentence sums up); its numbers, names, negations and words are.
    """
    label = field
    found = check_numbers(field, label, words, r.paragraph, "evidence")
    if found is not None:
        return found
    missing = unnamed(words, r.window + " " + r.paragraph, text, r.wide)
    opening = re.match(r"\W*(?:\S+\s+){0,2}", words)
    subject = names_written(words, text)[:1] if opening and NAME_RUN.search(words, 0, opening.end() + 1) else []
    if subject and subject[0] not in missing and unnamed(subject[0], r.window, text, r.wide):
        missing = subject  # who the statement is about stands where its words are said, not only nearby
    if missing:
        named = ", ".join(names_written(r.evidence, text)[:3])
        theirs = f"; its evidence names {named}" if named else ""
        return failed(field, f"the {label} names {', '.join(missing)}{theirs}", missing)
    given = [] if summary else _said_by(words)  # a summary sums several sources up: no one speaker is read there
    attributed = speakers_in(r.sentence) or _said_by(r.sentence) if given else []
    for who in given:
        if attributed and not any(same_nation(who, a) or _speaks_for(who, a, text) for a in attributed):
            return failed(field, f"the {label} gives the words to {who}; its evidence to {attributed[0]}", [who])
    if not english:
        return passed(field, "numbers and names checked; polarity, hedges and support not checked (not English)")
    for check in (
        check_polarity(
            field, label, words, r.sentence if summary or len(r.evidence) <= 40 else r.evidence, condition, not summary
        ),
        None if summary else check_hedges(field, label, words, r.evidence),
        _support_check(field, label, words, r.paragraph, "evidence"),
    ):
        if check is not None:
            return check
    return passed(field)


_SAID_BY = re.compile(
    r"([A-Z][\w'\u2019.-]*(?:\s+[A-Z][\w'\u2019.-]*)*),?\s+(?:has\s+|have\s+|had\s+)?(?:"
    + "|".join(sorted((re.escape(v) for v in REPORTING_VERBS if " " not in v), key=len, reverse=True))
    + r")\b|\baccording to (?:the\s+)?([A-Z][\w'\u2019.-]*(?:\s+[A-Z][\w'\u2019.-]*)*)"
)


def _speaks_for(party: str, speaker: str, text: str) -> bool:
    """Whether the article writes ``party`` beside ``speaker`` ("Kestria's deputy minister, Oleksa Dvořák")."""
    return any(same_nation(party, b) or within(party, b) for b in descriptors(text, speaker)[0])


def _said_by(words: str) -> list[str]:
    """Who words say spoke ("Burns said ...", "according to Haines", "the minister, Piet Varga, said"), titles aside."""
    out = []
    for m in _SAID_BY.finditer(words):
        name = " ".join(w for w in (m[1] or m[2]).split() if fold(w).strip(".") not in TITLES | STOP | WHEN)
        name = re.sub(r"['\u2019]s$", "", name)
        if name:
            out.append(name)
    return out
