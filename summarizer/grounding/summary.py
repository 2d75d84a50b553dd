"""The result's ``summary`` against the article: every sentence finished, and each checked like a statement.

A summary sentence has no quote, so it is checked against the article sentences that share
most of its words (:data:`SUMMARY_SOURCES` of them, found through a per-article index of
sentences by lemma), with no opposite and no hedge read across them.
"""

from __future__ import annotations

import dataclasses
import re
from array import array
from collections import Counter

from ..schema import FieldCheck
from ..sentences import Sentence, TextCache, sentences
from .checks import failed
from .fields import is_english
from .lemmas import content_words, lemma_of, tokens
from .parties import names_written
from .statements import Regions, check_statement

__all__ = [
    "SUMMARY_SOURCES",
    "check_summary",
    "summary_sentences",
]

SUMMARY_SOURCES = 3
"""Article sentences a summary sentence is checked against: the ones that share most of its words."""
_FINISHED = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*$")


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
        for key in {k for t in tokens(body) for k in (t.lemma, t.low)}:
            holding.setdefault(key, array("I")).append(len(spans))
        spans.append(s)
    return _SentenceIndex(tuple(spans), holding)


_sentence_index = TextCache(_build_index)
"""Each text's sentences by lemma, for the few texts used last."""


def _best_sources(sentence: str, text: str) -> list[Sentence]:
    """The article sentences that share most content words with ``sentence``, each once, the best first."""
    index = _sentence_index(text)
    wanted = {t.lemma for t in content_words(tokens(sentence))} | {
        lemma_of(w) for n in names_written(sentence, text) for w in n.split()
    }
    numbers = {t.low for t in tokens(sentence) if t.low[:1].isdigit()}  # the most telling words: counted thrice
    scores: Counter[int] = Counter()
    for key in wanted:
        scores.update(index.holding.get(key, ()))
    for key in numbers - wanted:
        for i in index.holding.get(key, ()):
            scores[i] += 3
    best = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:SUMMARY_SOURCES]
    return [index.spans[i] for i, _ in best]  # the best first


def _source_regions(text: str, found: list[Sentence]) -> Regions:
    """The sources as evidence; their paragraphs, and the paragraphs before them, as where names may stand."""
    paragraphs = sentences(text).paragraphs
    own = " ".join(text[s.start : s.end] for s in found)
    held = sorted({s.paragraph for s in found})
    paragraph = " ".join(text[slice(*paragraphs[p])] for p in held)
    window = " ".join(text[slice(*paragraphs[q])] for q in sorted({x for p in held for x in (p - 1, p) if x >= 0}))
    best = text[found[0].start : found[0].end]
    return Regions(best, own, paragraph, window, tuple(found), window)


def check_summary(summary: str, text: str) -> list[FieldCheck]:
    """One check per sentence of ``summary``: finished, and supported like a statement by its best sources."""
    out = []
    parts = summary_sentences(summary) if summary.strip() else []
    if not parts:
        return [failed("summary", "the summary is empty")]
    for i, sentence in enumerate(parts):
        if i == len(parts) - 1 and not _FINISHED.search(sentence.rstrip()):
            out.append(failed("summary", f'the summary\'s last sentence is unfinished: "…{sentence[-60:]}"', []))
            continue
        found = _best_sources(sentence, text)
        if not found:
            out.append(failed("summary", f'no sentence of the article supports "{sentence[:80]}"'))
            continue
        region = _source_regions(text, found)
        english = is_english(region.evidence, text)
        check = check_statement("summary", sentence, text, region, english, summary=True)
        if not check.ok:
            check = check.model_copy(update={"detail": f'"{sentence[:120]}": {check.detail}'})
        out.append(check)
    return out
