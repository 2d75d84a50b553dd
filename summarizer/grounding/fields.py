"""The checks beyond the quote: each field an item fills, against the article's words at its span.

:func:`check_fields` runs them for one item. Recognised by field name, so a user's own
model gets every check its fields allow:

``text``, ``value``, ``low``, ``high``, ``qualifier``
    a figure's number as written, its values and its qualifier
    (:mod:`~summarizer.grounding.figures`).
``speaker``, ``reported_by``, ``set_by``
    named in the quote's attribution window, and the party its sentence attributes the
    words to (:mod:`~summarizer.grounding.attribution`; whether a region names a party:
    :mod:`~summarizer.grounding.naming`).
``name``
    named in the item's own evidence; its ``role``, if any, is not one the article gives
    to another person (:func:`~summarizer.grounding.attribution.check_role`).
``hedged``
    true exactly when the evidence holds a word of :data:`HEDGES` or a phrase of :data:`HEDGE_PHRASES`.

``qualifier`` and ``hedged`` are judged by English word lists, so they are checked only
where the quote's sentence is English (:func:`is_english`: one word in ten is an English
function word); elsewhere those two checks are not made (and not counted), rather than failed.

And for every item, :func:`check_evidence`: a quote carries content (at least
:data:`MIN_WORDS` words and :data:`MIN_LETTERS` letters), stays within
:data:`MAX_SENTENCES` sentences and :data:`MAX_CHARS` characters of the article, and its
ellipses join no two paragraphs and no two sentences mid-way (:func:`~.meaning.splice`);
for the result, :func:`check_headline`. Every check reports through
:func:`~summarizer.grounding.checks.failed` and :func:`~summarizer.grounding.checks.passed`.
"""

from __future__ import annotations

import re

from pydantic import BaseModel

from ..schema import FieldCheck, Span
from ..sentences import sentences
from .attribution import check_role, check_who, sentences_text
from .checks import failed, passed
from .figures import check_figure
from .meaning import splice
from .naming import WORD, article_index, name_keys, named_in, plain

__all__ = [
    "HEADLINE_LINES",
    "HEDGES",
    "HEDGE_PHRASES",
    "MAX_CHARS",
    "MAX_SENTENCES",
    "MIN_LETTERS",
    "MIN_WORDS",
    "WHO_FIELDS",
    "check_evidence",
    "check_fields",
    "check_headline",
    "hedges_in",
    "is_english",
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


def check_evidence(quote: str, text: str, span: Span) -> FieldCheck | None:
    """Why this quote cannot be evidence (too little, too much of the article, or an ellipsis joining two places), or None."""
    words = [w for w in WORD.findall(quote) if any(c.isalpha() for c in w)]
    letters = sum(c.isalpha() for c in quote)
    if len(words) < MIN_WORDS or letters < MIN_LETTERS:
        return failed("quote", f"its quote is too short to be evidence (fewer than {MIN_WORDS} words or {MIN_LETTERS} letters)")
    if span.end - span.start > MAX_CHARS:
        return failed("quote", f"its quote is {span.end - span.start} characters long, more than {MAX_CHARS}")
    touched = sentences(text).around(span.start, span.end)
    if len(touched) > MAX_SENTENCES:
        return failed("quote", f"its quote runs over {len(touched)} sentences, more than {MAX_SENTENCES}")
    spliced = splice(quote, text, span)
    return failed("quote", spliced) if spliced else None


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
    words = [w.lower() for w in WORD.findall(region)]
    if not words:
        return False
    if sum(w in _ENGLISH for w in words) * 10 >= len(words):
        return True
    return len(words) < _SHORT and sum(w in article_index(text).keys for w in _ENGLISH) >= _ENGLISH_ARTICLE


def check_fields(item: BaseModel, text: str, span: Span) -> list[FieldCheck]:
    """Every check the item's fields allow, against ``text[span.start:span.end]``."""
    evidence = text[span.start : span.end]
    own = sentences(text).around(span.start, span.end)
    english = is_english(sentences_text(text, own) or evidence, text)
    checks = list(check_figure(item, evidence, english))
    for field in WHO_FIELDS:
        who = getattr(item, field, None)
        if isinstance(who, str) and who.strip():
            checks.append(check_who(field, who, text, span, own))
    name = getattr(item, "name", None)
    if isinstance(name, str) and name.strip():
        if named_in(evidence, name):
            checks.append(passed("name"))
        else:
            checks.append(failed("name", f'the name "{name}" is not in its quote'))
        role = getattr(item, "role", None)
        if isinstance(role, str) and role.strip():
            checks.append(check_role(role, name, text))
    hedged = getattr(item, "hedged", None)
    if isinstance(hedged, bool) and english:
        hedges = hedges_in(evidence)
        if hedged and not hedges:
            checks.append(failed("hedged", "hedged is true, but its quote has no hedging word"))
        elif not hedged and hedges:
            listed = ", ".join(f'"{w}"' for w in hedges)
            checks.append(failed("hedged", f"hedged is false, but its quote hedges ({listed})"))
        else:
            checks.append(passed("hedged"))
    return checks


def hedges_in(evidence: str) -> list[str]:
    """The hedging words and phrases of ``evidence`` ("probably", "could", "may be"), as the hedge check reads them."""
    return sorted({w for w in name_keys(evidence) if w in HEDGES} | set(HEDGE_PHRASES.findall(plain(evidence))))


def check_headline(headline: str, text: str) -> FieldCheck:
    """The headline a model gives must be one of the article's opening lines (or part of one)."""
    s = sentences(text)
    opening = [text[lo:hi] for lo, hi in s.paragraphs[:HEADLINE_LINES]]
    wanted = plain(headline)
    if wanted and any(wanted in plain(line) for line in opening):
        return passed("headline")
    return failed("headline", f"the headline is not in the article's first {HEADLINE_LINES} lines")
