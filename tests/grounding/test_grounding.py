"""The aligner and the grounding checks, on our own texts, the seed and (when present)
the third-party articles in ``../shared/articles`` (read from there, never copied)."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from summarizer import ArticleSummary
from summarizer.grounding import (
    Span,
    check_quote,
    ground,
    grounding_of,
    locate,
    ungrounded,
)
from summarizer.grounding.align import _fold_quote, _index
from summarizer.grounding.numbers import numbers_in, states_number

from ..conftest import SEED, SHARED
from ..doubles.responses import SEED_SUMMARY

# Our own test texts, written for these tests.
OWN = (
    "Officials said on Tuesday that “at least 5,000 people” had fled the town — most of them "
    "women and children.\n\nThe mayor’s office   put the figure higher, at 6,000, but could not\n"
    "confirm it. “We are doing what we can… but it is not enough,” she said."
)
CYRILLIC = (
    "Президент Володимир Зеленський заявив у вівторок, що переговори можливі. "
    "Mária Ferenczné Dávid, a Hungarian official, said Kraków and Zürich had offered to host them; "
    "Ødegård added that “nothing is agreed.”"
)
TEXTS = [OWN, CYRILLIC, SEED.read_text(encoding="utf-8")]


# -- locate: the three levels -------------------------------------------------------


def test_exact_match_returns_offsets_into_the_original():
    span = locate(OWN, "put the figure higher, at 6,000")
    assert span is not None and span.match == "exact"
    assert OWN[span.start : span.end] == "put the figure higher, at 6,000"


@pytest.mark.parametrize(
    "quote",
    [
        '"at least 5,000 people" had fled the town - most of them',  # straight quotes, hyphen for dash
        "The mayor's office put the figure higher",  # apostrophe and collapsed spaces
        "could not confirm it",  # a line break became a space
        "We are doing what we can... but it is not enough",  # three dots for an ellipsis
        "THE MAYOR’S OFFICE",  # letter case only
        "at\u00a0least 5,000 people",  # a no-break space
    ],
)
def test_normalized_match_maps_back_to_the_original(quote):
    span = locate(OWN, quote)
    assert span is not None and span.match == "normalized"
    assert _fold_quote(OWN[span.start : span.end], case=True).strip("\"'") == _fold_quote(quote, case=True).strip(
        "\"'"
    )


def test_ellipsis_marks_an_omission():
    span = locate(OWN, "Officials said ... that")
    assert span is not None and span.match == "normalized"
    assert OWN[span.start : span.end] == "Officials said on Tuesday that"


def test_fuzzy_location_finds_a_changed_word_or_number_and_the_meaning_check_refuses_it():
    span = locate(OWN, "The mayor's office put the number higher, at 6,000, but could not confirm it")
    assert span is not None and span.match == "fuzzy"
    assert OWN[span.start : span.end].startswith("The mayor") and OWN[span.end - 10 : span.end] == "confirm it"
    assert not check_quote(OWN, "The mayor's office put the number higher, at 6,000, but could not confirm it")[1].ok
    for changed in ("7,000", "60,000"):
        span, check = check_quote(OWN, f"The mayor's office put the figure higher, at {changed}, but could not confirm it")
        assert span is not None and OWN[span.start : span.end].startswith("The mayor")  # found where it is...
        assert not check.ok and check.detail == f'the quote says "{changed}", the article says "6,000"'  # ...and refused


def test_short_quotes_never_match_fuzzily():
    assert locate(OWN, "the figure lower") is None


def test_quotes_not_in_the_text():
    assert locate(OWN, "Russia said the war would end by spring") is None
    assert locate(OWN, "") is None and locate(OWN, "“ … ”") is None


def test_repeated_quote_takes_the_first_unused_occurrence():
    text = "he said no. Later he said no. Then he said no."
    first = locate(text, "he said no")
    assert first is not None and first.start == 0
    second = locate(text, "he said no", exclude={(first.start, first.end)})
    assert second is not None and second.start == text.index("he said no", 1)
    taken = {(first.start, first.end), (second.start, second.end)}
    third = locate(text, "he said no", exclude=taken)
    assert third is not None and third.start == text.rindex("he said no")
    # Every occurrence taken: the first again rather than nothing.
    again = locate(text, "he said no", exclude=taken | {(third.start, third.end)})
    assert again == first


def test_non_ascii_text():
    for quote in ("Володимир Зеленський заявив", "Kraków and Zürich", "Ødegård added"):
        span = locate(CYRILLIC, quote)
        assert span is not None and CYRILLIC[span.start : span.end] == quote
    span = locate(CYRILLIC, "ПРЕЗИДЕНТ ВОЛОДИМИР")
    assert span is not None and span.match == "normalized" and CYRILLIC[span.start : span.end] == "Президент Володимир"


# -- numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("well over 100,000 Russian soldiers", 100_000),
        ("100 000 troops", 100_000),
        ("about 100k displaced", 100_000),
        ("20,000 to 30,000 troops", 20_000),
        ("20,000 to 30,000 troops", 30_000),
        ("1.2 million people", 1_200_000),
        ("40 per cent of the vote", 40),
        ("40% of the vote", 40),
        ("forty thousand civilians", 40_000),
        ("two officials", 2),
        ("one hundred and twenty-five tanks", 125),
        ("a million refugees", 1_000_000),
        ("$5bn in aid", 5_000_000_000),
        ("half a million people", 500_000),
        ("two and a half million refugees", 2_500_000),
        ("forty per cent of the vote", 0.4),
        ("in nineteen ninety-one", 91),
        ("one hundred and five", 105),
    ],
)
def test_numbers_are_read_as_written(text, number):
    assert states_number(text, number)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("5,000 people", 6000), ("100,000", 10_000), ("two", 3), ("40%", 4),
        # Words that hold a number beside another one: never the other.
        ("half a million people", 1_000_000), ("in nineteen ninety-one", 110), ("the twenty-first century", 20),
        ("one, two, three", 6), ("one two three", 6),
    ],
)
def test_other_numbers_are_not(text, number):
    assert not states_number(text, number)


# -- ground(): checks beyond the quote, and the policies ----------------------------------


def seed_summary(**changes) -> ArticleSummary:
    data = {**SEED_SUMMARY, **changes}
    return ArticleSummary.model_validate(data)


def made_up_figure() -> dict:
    return {**SEED_SUMMARY["figures"][0], "quote": "Russia had amassed 50,000 troops in Kherson", "text": "50,000"}


def test_every_item_of_a_good_summary_grounds_and_carries_its_span(seed_text):
    result = seed_summary()
    report = ground(result, seed_text)
    assert report.issues == [] and report.grounded == report.checked == 4
    for item in (*result.key_claims, *result.figures, *result.actors, *result.peace_talk_conditions):
        assert item.span is not None and item.match in ("exact", "normalized")
        assert seed_text[item.span.start : item.span.end] == item.quote


def test_a_figure_whose_number_is_not_in_its_quote_fails(seed_text):
    figure = {**SEED_SUMMARY["figures"][0], "low": 25000}
    result = seed_summary(figures=[figure])
    report = ground(result, seed_text, policy="flag")
    assert [i.path for i in report.issues] == ["figures[0]"]
    assert "low 25000 is not stated" in report.issues[0].reason
    assert result.figures[0].grounding_error and not result.figures[0].grounded


def test_an_actor_must_be_named_in_the_article(seed_text):
    good = {**SEED_SUMMARY["actors"][0], "name": "Gen. Milley"}  # the surname is enough
    possessive = {**SEED_SUMMARY["actors"][0], "name": "Milley's"}
    invented = {**SEED_SUMMARY["actors"][0], "name": "Lloyd Austin"}
    result = seed_summary(actors=[good, possessive, invented])
    report = ground(result, seed_text, policy="flag")
    assert [i.path for i in report.issues] == ["actors[2]"]
    assert 'the name "Lloyd Austin" is not in its quote' in report.issues[0].reason


@pytest.mark.parametrize("policy", ["flag", "drop"])
def test_policies(seed_text, policy):
    result = seed_summary(figures=[SEED_SUMMARY["figures"][0], made_up_figure()])
    report = ground(result, seed_text, policy=policy)
    assert report.policy == policy and report.exact == 4 and len(report.issues) == 1
    if policy == "flag":
        assert len(result.figures) == 2 and (report.ungrounded, report.dropped) == (1, 0)
        assert result.figures[1].span is None and result.figures[1].match is None
    else:
        assert len(result.figures) == 1 and (report.ungrounded, report.dropped) == (0, 1)
        assert report.issues[0].dropped and report.issues[0].quote.startswith("Russia had amassed 50,000")


def test_ungrounded_lists_flagged_items(seed_text):
    result = seed_summary(figures=[SEED_SUMMARY["figures"][0], made_up_figure()])
    result.grounding = ground(result, seed_text, policy="flag")
    assert grounding_of(result) is result.grounding
    assert [path for path, _ in ungrounded(result)] == ["figures[1]"]
    with pytest.raises(ValueError, match="never grounded"):
        ungrounded(seed_summary())


def test_same_quote_for_two_items_takes_two_occurrences():
    text = "Kyiv said 10 drones were downed. Moscow said 10 drones were downed."
    fig = {"quote": "10 drones were downed", "text": "10", "value": 10, "low": None, "high": None,
           "qualifier": "exact", "unit": "drones", "measure": "drones downed", "reported_by": None}
    result = seed_summary(key_claims=[], actors=[], peace_talk_conditions=[], figures=[fig, fig])
    ground(result, text)
    spans = [f.span for f in result.figures]
    assert spans[0] is not None and spans[1] is not None and spans[0].start < spans[1].start


def test_users_own_model_with_quotes_anywhere(seed_text):
    from pydantic import BaseModel

    class Quote(BaseModel):
        quote: str
        span: Span | None = None

    class Mine(BaseModel):
        quote: str
        lines: list[Quote]

    result = Mine(quote="Milley said", lines=[Quote(quote="Milley said"), Quote(quote="Milley denied it")])
    report = ground(result, seed_text, policy="drop")
    assert report.exact == 2 and report.dropped == 1 and len(result.lines) == 1
    assert result.lines[0].span is not None


def test_frozen_models_are_grounded_too():
    from pydantic import BaseModel, ConfigDict

    class Quote(BaseModel):
        model_config = ConfigDict(frozen=True)
        quote: str
        span: Span | None = None

    class Frozen(BaseModel):
        model_config = ConfigDict(frozen=True)
        items: list[Quote]

    result = Frozen(items=[Quote(quote="put the figure higher"), Quote(quote="nothing like this")])
    report = ground(result, OWN, policy="drop")
    assert (report.exact, report.dropped) == (1, 1)
    span = result.items[0].span
    assert span is not None and OWN[span.start : span.end] == "put the figure higher"


# -- properties ------------------------------------------------------------------------

_WORD = re.compile(r"\S+")


def _perturb(quote: str, data: st.DataObject) -> str:
    """What models do to quotes: quotes, dashes, white space, ellipses, case."""
    swaps = {"“": '"', "”": '"', "’": "'", "—": "-", "–": "-", "…": "...", '"': "“", "'": "’", "-": "–"}
    out = []
    for ch in quote:
        if ch in swaps and data.draw(st.booleans()):
            out.append(swaps[ch])
        elif ch.isspace():
            out.append(data.draw(st.sampled_from([" ", "  ", "\n", "\u00a0", " \n "])))
        else:
            out.append(ch)
    result = "".join(out)
    case = data.draw(st.sampled_from(["keep", "lower", "upper"]))
    return result.lower() if case == "lower" else result.upper() if case == "upper" else result


def _span_of_words(text: str, data: st.DataObject) -> tuple[int, int]:
    words = list(_WORD.finditer(text))
    i = data.draw(st.integers(0, len(words) - 1))
    j = data.draw(st.integers(i, min(len(words) - 1, i + 30)))
    return words[i].start(), words[j].end()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(TEXTS), st.data())
def test_any_perturbed_span_aligns_back(text, data):
    start, end = _span_of_words(text, data)
    original = text[start:end]
    assume(len(original.strip("\"'“”‘’….,;:!?-—")) >= 3)
    quote = _perturb(original, data)
    span = locate(text, quote)
    assert span is not None, (original, quote)
    index = _index(text)
    folded = _fold_quote(original, case=True).strip("\"'")
    edge = "\"'“”‘’….,"  # quotation marks and an ellipsis at either end are not part of the quote
    if index.cased.text.count(folded) == 1:
        assert text[span.start : span.end].strip(edge) == original.strip(edge)
    else:  # the same words occur more than once: any occurrence of them is right
        assert _fold_quote(text[span.start : span.end], case=True).strip(edge) == folded.strip(edge)


_FOREIGN = ["lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed", "do", "eiusmod", "tempor"]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(TEXTS), st.data())
def test_a_quote_mostly_not_in_the_text_is_not_found(text, data):
    own = [w.lower() for w in _WORD.findall(text)]
    n = data.draw(st.integers(4, 20))
    foreign = data.draw(st.integers(n // 2 + 1, n))
    words = data.draw(st.lists(st.sampled_from(_FOREIGN), min_size=foreign, max_size=foreign))
    words += data.draw(st.lists(st.sampled_from(own), min_size=n - foreign, max_size=n - foreign))
    quote = " ".join(data.draw(st.permutations(words)))
    assert locate(text, quote) is None


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([t for t in TEXTS if re.search(r"\d", t)]), st.data())
def test_an_altered_number_never_grounds(text, data):
    numbers = list(re.finditer(r"\d[\d,.]*\d|\d", text))
    m = data.draw(st.sampled_from(numbers))
    lo = max(0, text.rfind(" ", 0, max(0, m.start() - 40)))
    hi = text.find(" ", min(len(text), m.end() + 40))
    hi = len(text) if hi == -1 else hi
    digits = [k for k in range(m.start(), m.end()) if text[k].isdigit()]
    k = data.draw(st.sampled_from(digits))
    new_digit = data.draw(st.sampled_from([d for d in "0123456789" if d != text[k]]))
    quote = text[lo:k] + new_digit + text[k + 1 : hi]
    altered = (text[m.start() : k] + new_digit + text[k + 1 : m.end()]).strip(".,")
    span, check = check_quote(text, quote.strip())
    # Accepted only where the text really holds the altered number (it may occur elsewhere).
    assert not check.ok or (span is not None and altered.replace(",", "") in text[span.start : span.end].replace(",", ""))


# -- real text --------------------------------------------------------------------------


def test_seed_numbers_parse():
    text = SEED.read_text(encoding="utf-8")
    assert states_number("well over 100,000 Russian military personnel", 100_000)
    assert 40_000 in numbers_in(text) and 30_000 in numbers_in(text)


_ARTICLES = sorted((SHARED / "articles").glob("*.txt")) if (SHARED / "articles").is_dir() else []


@pytest.mark.skipif(not _ARTICLES, reason="../shared/articles is absent")
@pytest.mark.parametrize("path", _ARTICLES, ids=lambda p: p.stem)
def test_sentences_of_real_articles_align_exactly_and_after_folding(path):
    text = path.read_text(encoding="utf-8")
    sentences = [m[0].strip() for m in re.finditer(r"[^.!?\n]{40,200}[.!?]", text)][:40]
    assert sentences, "no sentence found"
    for sentence in sentences:
        span = locate(text, sentence)
        assert span is not None and span.match == "exact" and text[span.start : span.end] == sentence
        folded = sentence.replace("’", "'").replace("“", '"').replace("”", '"').replace(" ", "  ").upper()
        span = locate(text, folded)
        assert span is not None
        edge = "\"' "
        assert _fold_quote(text[span.start : span.end], case=True).strip(edge) == _fold_quote(
            sentence, case=True
        ).strip(edge)
