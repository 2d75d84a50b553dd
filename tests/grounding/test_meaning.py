"""A quote counts only if it says what the article says where it was found: real sentences, one edit each.

The benign edits must be accepted and every meaning-changing kind refused, with the
words that differ named (see benchmarks/bench_meaning.py for the rates over every
sentence of the shared articles).
"""

from __future__ import annotations

import pytest

from summarizer.grounding import check_quote, compare

from ..conftest import SHARED

TALKS = "Russia has said it is open to talks, and this week announced it had begun a retreat from Kherson."
WAR = "He said as many as 40,000 Ukrainian civilians and “well over” 100,000 Russian soldiers have been killed or wounded in the war, now in its ninth month."
HEDGE = "“Same thing probably on the Ukrainian side,” Milley added."


@pytest.mark.parametrize(
    ("quote", "says", "article_says"),
    [
        (TALKS.replace("is open", "is not open"), "not open", "open"),
        (TALKS.replace("Russia", "Ukraine"), "Ukraine", "Russia"),
        (TALKS.replace("begun", "ended"), "ended", "begun"),
        (WAR.replace("ninth", "tenth"), "tenth", "ninth"),
        (WAR.replace("40,000", "45,000"), "45,000", "40,000"),
        (HEDGE.replace("probably", "certainly"), "certainly", "probably"),
        (TALKS.replace("talks, and", "talks on its own terms, and"), "on its own terms and", "and"),
    ],
    ids=["negation added", "name swapped", "antonym", "ordinal", "digits", "hedge hardened", "clause inserted"],
)
def test_a_changed_meaning_is_found_and_refused_with_the_words_that_differ(seed_text, quote, says, article_says):
    span, check = check_quote(seed_text, quote)
    assert span is not None  # found where it is...
    assert not check.ok and f'the quote says "{says}", the article says "{article_says}"' in (check.detail or "")


def test_a_removed_negation_and_a_changed_number_word(seed_text):
    text = "Kestria would not join the ceasefire talks unless four convoys reached the city first."
    for quote, says in (("Kestria would join the ceasefire talks unless four convoys reached the city first.", "join"),
                        ("Kestria would not join the ceasefire talks unless five convoys reached the city first.", "five")):
        span, check = check_quote(text, quote)
        assert span is not None and not check.ok and f'the quote says "{says}' in (check.detail or "")


def test_a_cyrillic_number_word_changed_is_refused():
    text = "Генерал заявив, що сорок тисяч цивільних було вбито або поранено з початку війни."
    span, check = check_quote(text, text.replace("сорок", "пятьдесят"))
    assert span is not None and not check.ok and "пятьдесят" in (check.detail or "")


@pytest.mark.parametrize(
    "quote",
    [
        TALKS.replace("’", "'").upper(),  # case
        TALKS.replace(", and this week", ",\n and  this week"),  # white space and a line break
        "Russia has said it is open to talks ... a retreat from Kherson.",  # an ellipsis for left-out words
    ],
)
def test_benign_edits_are_accepted(seed_text, quote):
    span, check = check_quote(seed_text, quote)
    assert span is not None and check.ok, check.detail


def test_words_that_carry_no_meaning_may_be_dropped_and_spelling_may_be_british(seed_text):
    span, check = check_quote(seed_text, TALKS.replace("Russia has said", "Russia said").replace("a retreat", "the retreat"))
    assert check.ok and span is not None and span.match == "fuzzy"
    assert not compare("air defences shot down 39 of the drones", "air defenses shot down 39 of the drones")
    assert not compare("a ceasefire for 100000 people", "a cease-fire for 100,000 people")


def test_an_ellipsis_right_after_a_full_stop(seed_text):
    quote = "now in its ninth month. ... “Same thing probably on the Ukrainian side,” Milley added."
    span, check = check_quote(seed_text, quote)
    assert span is not None and check.ok and span.match == "normalized"


@pytest.mark.skipif(not (SHARED / "articles").is_dir(), reason="../shared/articles is not here")
def test_a_sentence_from_another_article_is_refused(seed_text):
    other = (SHARED / "articles" / "time-geneva-talks-2026.txt").read_text(encoding="utf-8")
    sentence = "By contrast, Zelensky said his conversations with Kushner and Witkoff do not involve that kind of pressure."
    assert sentence in other
    _, check = check_quote(seed_text, sentence)
    assert not check.ok


# -- an ellipsis leaves words out; it does not join what the article keeps apart -------------------

LOCKS = (
    "The canal authority closed the upper locks on Friday after a barge struck the gate.\n"
    "\n"
    "Its director said the repairs would take at least three weeks. Shipping firms warned that grain would rot "
    "in the holds before then.\n"
    "\n"
    "The port of Elvasund, which handles most of the traffic, stayed open."
)


@pytest.mark.parametrize(
    "quote",
    [
        "The canal authority closed the upper locks ... after a barge struck the gate",  # words left out, one sentence
        "Its director said ... would take at least three weeks",
        "the repairs would take at least three weeks. ... Shipping firms warned",  # whole sentences apart
        "Its director said the repairs would take at least three weeks ... grain would rot in the holds",  # an end, a start
    ],
)
def test_an_ellipsis_inside_a_paragraph_is_accepted(quote):
    span, check = check_quote(LOCKS, quote)
    assert span is not None and check.ok, check


@pytest.mark.parametrize(
    ("quote", "reason"),
    [
        ("The canal authority closed ... the repairs would take at least three weeks", "joins two paragraphs"),
        ("after a barge struck the gate. ... Its director said", "joins two paragraphs"),
        ("grain would rot in the holds ... The port of Elvasund", "joins two paragraphs"),
        ("Its director said ... grain would rot in the holds", "joins the start of one sentence of the article to the end"),
        ("Shipping firms warned that ... stayed open", "joins two paragraphs"),
    ],
)
def test_an_ellipsis_joining_paragraphs_or_one_sentences_subject_to_anothers_predicate_is_refused(quote, reason):
    span, check = check_quote(LOCKS, quote)
    assert span is not None and not check.ok and reason in (check.detail or ""), check


def test_a_chain_within_one_paragraph_is_preferred_to_one_across_paragraphs():
    text = "The mayor spoke and the council said\nthat the locks were safe. Later the council said the port would close."
    span, check = check_quote(text, "the council said ... the port would close")
    assert span is not None and check.ok and text[span.start : span.end].startswith("the council said the port")
