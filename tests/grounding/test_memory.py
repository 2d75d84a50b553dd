"""Memory in long batches: what grounding keeps per article is bounded, and its compact indexes say what the old ones said.

The bound is checked on the structure (how many texts, how many characters the caches
hold), never on a process's memory or time, which would be flaky. The indexes are
checked against straightforward rebuilds of the ones they replaced (one Python object
per character and per word), on our own texts, the seed, ../shared/articles when
present, and generated strings full of what folding treats specially.
"""

from __future__ import annotations

import gc
import sys
import threading
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer import ArticleSummary
from summarizer.grounding import ground
from summarizer.grounding.align import _WORDS, _index
from summarizer.grounding.lemmas import _keys, _toks
from summarizer.grounding.naming import article_index, name_keys
from summarizer.grounding.numbers import _mentions
from summarizer.grounding.parties import _article_words
from summarizer.grounding.summary import _sentence_index
from summarizer.sentences import TEXT_CHARS_KEPT, TEXTS_KEPT, TextCache, sentences
from summarizer.text import _FOLD as _FOLD_TABLE
from summarizer.text import fold, fold_char

from ..conftest import SHARED
from ..doubles.responses import SEED_SUMMARY
from .test_grounding import TEXTS

ARTICLES = TEXTS + [p.read_text(encoding="utf-8") for p in sorted((SHARED / "articles").glob("*.txt"))
                    if (SHARED / "articles").is_dir()]
CACHES = {
    "locate": _index, "who": article_index, "sentences": sentences, "own words": _article_words,
    "summary sources": _sentence_index,
}
LONG_TEXTS = {"words": _toks.long, "lemmas": _keys.long, "numbers": _mentions.long}
"""Caches of what is read from a paragraph too long for the many-entry caches (a one-line article)."""
EVERY = {**CACHES, **LONG_TEXTS}


def _answer() -> ArticleSummary:
    """The seed's hand-written summary, and one claim in straight quotes (found normalized: the index is built)."""
    claim = SEED_SUMMARY["key_claims"][0]
    straight = {**claim, "quote": claim["quote"].replace("\u201c", '"').replace("\u201d", '"')}
    return ArticleSummary.model_validate({**SEED_SUMMARY, "key_claims": [claim, straight]})


def _distinct(seed_text: str, n: int, repeat: int = 1) -> list[str]:
    """``n`` distinct articles that all hold the seed's quotes (so every check runs on each)."""
    return [f"Dispatch {i}\n" + "\n".join([seed_text] * repeat) + f"\nEnd of dispatch {i}." for i in range(n)]


# -- the bound ---------------------------------------------------------------------------


def test_grounding_many_distinct_articles_keeps_only_the_last_few(seed_text):
    for cache in EVERY.values():
        cache.cache_clear()
    for text in _distinct(seed_text, 3 * TEXTS_KEPT):
        report = ground(_answer(), text, policy="flag")
        assert (report.exact, report.normalized) == (4, 1)  # the answer was really grounded there
        for name, cache in EVERY.items():
            info = cache.cache_info()
            assert info.texts <= TEXTS_KEPT, name
            assert info.chars <= TEXT_CHARS_KEPT + len(text), name


def test_big_articles_are_bounded_by_characters_and_the_one_in_use_is_always_kept(seed_text, monkeypatch):
    texts = _distinct(seed_text, 6, repeat=8)  # about 20,000 characters each
    budget = 2 * len(texts[0]) + 10
    for cache in CACHES.values():
        cache.cache_clear()
        monkeypatch.setattr(cache, "chars", budget)
    for text in texts:
        ground(_answer(), text, policy="flag")
        for name, cache in CACHES.items():
            info = cache.cache_info()
            assert 1 <= info.texts <= 2, name
            assert info.chars <= budget, name
    for cache in CACHES.values():
        monkeypatch.setattr(cache, "chars", 10)  # smaller than any article: the one in use is still kept
    report = ground(_answer(), texts[0], policy="flag")
    assert (report.exact, report.normalized) == (4, 1)
    for name, cache in CACHES.items():
        assert cache.cache_info() == (1, len(texts[0])), name


def test_one_line_articles_are_read_once_and_only_the_last_few_are_kept(seed_text):
    """A one-line article is one paragraph: its words, lemmas and numbers are read once for every item, and kept
    only for the last few articles."""
    texts = [f"Dispatch {i}. " + " ".join(seed_text.split("\n")) for i in range(3 * TEXTS_KEPT)]
    for cache in LONG_TEXTS.values():
        cache.cache_clear()
    for text in texts:
        report = ground(_answer(), text, policy="flag")
        assert report.exact >= 4
        for name, cache in LONG_TEXTS.items():
            info = cache.cache_info()
            assert 1 <= info.texts <= TEXTS_KEPT, name
            assert info.chars <= TEXT_CHARS_KEPT + len(text), name
    assert len(texts) > TEXTS_KEPT  # so the bound above was reached, not merely approached


def test_no_other_cache_keeps_an_article_alive(seed_text):
    """Every cache keyed by text (surnames, titles, folded strings, paragraphs) lets the article go with its index.

    A one-line article is one paragraph, and ``text[0:len(text)]`` is ``text`` itself, so
    a cache keyed by a paragraph or by (text, surname) would hold a reference to it.
    """
    text = " ".join(seed_text.split("\n")) + " The dispatch of a one-line article ends here."
    for cache in EVERY.values():
        cache.cache_clear()
    gc.collect()
    before = sys.getrefcount(text)
    report = ground(_answer(), text, policy="flag")
    assert (report.exact, report.normalized) == (4, 1)
    assert sys.getrefcount(text) > before  # held by the indexes...
    for cache in EVERY.values():
        cache.cache_clear()
    gc.collect()
    assert sys.getrefcount(text) == before  # ... and by nothing else


def test_text_cache_evicts_the_least_recently_used():
    built: list[str] = []

    def build(text: str) -> int:
        built.append(text)
        return len(text)

    cache = TextCache(build, texts=2, chars=100)
    assert cache("a" * 10) == 10 and cache("b" * 10) == 10 and cache("a" * 10) == 10
    assert built == ["a" * 10, "b" * 10]
    cache("c" * 10)  # "b" was used longest ago
    assert cache.cache_info() == (2, 20)
    cache("a" * 10)
    assert len(built) == 3
    cache("d" * 95)  # over the characters with anything else: only it stays
    assert cache.cache_info() == (1, 95)
    cache.cache_clear()
    assert cache.cache_info() == (0, 0)
    assert cache.__wrapped__ is build  # type: ignore[attr-defined]


def test_text_cache_is_safe_across_threads():
    cache = TextCache(len, texts=3, chars=10_000)
    texts = [str(i) * 50 for i in range(10)]
    failures: list[BaseException] = []

    def work(k: int) -> None:
        try:
            for i in range(300):
                text = texts[(i * 7 + k) % len(texts)]
                assert cache(text) == 50
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
    assert cache.cache_info().texts <= 3


# -- the compact indexes say what the old ones said ---------------------------------------------


def _folded_as_before(text: str, case: bool) -> tuple[str, list[int], list[int]]:
    """The fold of the index before it was made compact: one start and one end per folded character."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, c in enumerate(text):
        f = fold_char(c, case)
        if f == " " and out and out[-1] == " ":
            ends[-1] = i + 1
            continue
        for ch in f:
            out.append(ch)
            starts.append(i)
            ends.append(i + 1)
    return "".join(out), starts, ends


def _same_locate_index(text: str) -> None:
    index = _index.__wrapped__(text)  # type: ignore[attr-defined]
    for folded, case in ((index.plain, False), (index.cased, True)):
        expected, starts, ends = _folded_as_before(text, case)
        assert folded.text == expected
        assert [folded.starts[k] for k in range(len(expected))] == starts
        assert [folded.ends[k] for k in range(len(expected))] == ends
    words = [(m[0], m.span()) for m in _WORDS.finditer(index.cased.text)]
    vocabulary = list(index.vocabulary)
    assert [vocabulary[n] for n in index.ids] == [w for w, _ in words]
    assert list(zip(index.word_starts, index.word_ends, strict=True)) == [span for _, span in words]
    for word in {w for w, _ in words}:
        assert list(index.positions(word)) == [i for i, (w, _) in enumerate(words) if w == word]
    assert index.positions("no-such-word") == ()


def _same_who_index(text: str) -> None:
    art = article_index.__wrapped__(text)  # type: ignore[attr-defined]
    where: dict[str, list[int]] = {}
    for i, (lo, hi) in enumerate(sentences(text).paragraphs):
        keys = frozenset(name_keys(text[lo:hi]))
        assert art.tokens(i) == keys
        for k in keys:
            where.setdefault(k, []).append(i)
    assert set(art.keys) == set(where)
    for k, paragraphs in where.items():
        assert list(art.where(k)) == paragraphs
    assert art.where("no-such-word") == ()


@pytest.mark.parametrize("text", ARTICLES, ids=range(len(ARTICLES)))
def test_compact_indexes_of_real_articles_are_the_old_ones(text):
    _same_locate_index(text)
    _same_who_index(text)


_SPECIAL = (
    "aA Zz5,.'\"-\n\t\r\x0b\x0c\x1c\u00a0\u2009\u202f\u3000\u2028"  # white space of every kind
    "\u2018\u2019\u201c\u201d\u00ab\u00bb\u2013\u2014\u2212\u2026"  # typography, "…" folding to three
    "\u00ad\u200b\u200c\u200d\ufeff"  # invisible: folding to nothing
    "\u03a3\u03c3\u0130\u00df\u1e9e\u01c5"  # Σ (final in str.lower()), İ (two in lower case), ß, ẞ, ǅ
)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(_SPECIAL), max_size=40))
def test_compact_fold_is_the_old_one_on_special_characters(text):
    _same_locate_index(text)


def _fold_by_decomposition(text: str) -> str:
    """:func:`summarizer.text.fold` without its shortcut for plain ASCII: the one way it reads every other text."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD_TABLE))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60))
def test_fold_of_ascii_text_takes_a_shortcut_to_the_same_result(text):
    assert text.isascii()
    assert fold(text) == _fold_by_decomposition(text)
