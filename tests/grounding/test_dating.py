"""A date on every item (summarizer/grounding/dating.py): the rules, on HAND-WRITTEN answers, no model."""

from __future__ import annotations

import json
from datetime import date

import pytest

from summarizer import ArticleSummary, DateRange, InputError, Summarizer, summarize
from summarizer.grounding.dating import date_items, when_of
from summarizer.schema import Figure, KeyClaim, Span

from ..conftest import ROOT
from ..doubles.responses import SEED_SUMMARY, completion, gold_answer

SEED_GOLD = ROOT / "seeds" / "ap-2022-11-milley-ukraine-casualties-peace-talks.gold.json"


def parse(text: str, published: object = None, answer: dict | None = None) -> ArticleSummary:
    with Summarizer("gpt-4.1-mini", api_key="sk-test-not-sent") as summ:
        answer = answer or gold_answer(SEED_GOLD, "Milley spoke of losses and talks; Zelensky set conditions.")
        result = summ.parse(text, completion(arguments=answer), published=published)
    assert isinstance(result, ArticleSummary)
    return result


def test_the_seed_with_its_date_dates_milley_wednesday_and_zelenskys_conditions_tuesday(seed_text):
    result = parse(seed_text, "2022-11-10")
    items = [*result.key_claims, *result.figures, *result.peace_talk_conditions]
    milley = [i for i in items if "Milley" in (getattr(i, "speaker", None) or getattr(i, "reported_by", None)
                                                or getattr(i, "set_by", None) or "")]
    assert milley and all(i.when is not None and i.when.date == date(2022, 11, 9) for i in milley)
    assert {i.when.text for i in milley if i.when} == {"Wednesday"}
    conditions = [c for c in result.peace_talk_conditions if c.set_by == "Volodymyr Zelensky"]
    assert len(conditions) == 3
    for c in conditions:
        assert c.when is not None and c.when.date == date(2022, 11, 8) and c.when.basis == "relative"
        assert c.when.span is not None and seed_text[c.when.span.start : c.when.span.end] == "Tuesday"
    assert result.provenance is not None
    assert (result.provenance.published, result.provenance.published_from) == (date(2022, 11, 10), "argument")


def test_a_week_is_a_range_and_a_present_perfect_inherits_no_date(seed_text):
    result = parse(seed_text, date(2022, 11, 10))
    russia = next(c for c in result.key_claims if c.speaker == "Russia")
    assert russia.when is not None and russia.when.date == DateRange(start=date(2022, 11, 7), end=date(2022, 11, 10))
    warned = next(c for c in result.key_claims if c.quote.startswith("Zelensky has warned"))
    assert warned.when is not None and (warned.when.date, warned.when.basis) == (date(2022, 11, 10), "published")


def test_without_an_article_date_the_words_are_kept_and_not_resolved(seed_text):
    result = parse(seed_text)
    assert result.provenance is not None and result.provenance.published is None
    condition = result.peace_talk_conditions[0]
    assert condition.when is not None
    assert (condition.when.date, condition.when.text, condition.when.basis) == (None, "Tuesday", "relative")
    us = next(a for a in result.actors if a.quote.endswith("US says"))  # no date words, no article date
    assert us.when is None


def test_a_date_in_another_clause_of_the_sentence_is_not_the_items():
    text = ("Officials estimate 2,500 troops were lost, a figure below the one the ministry gave two days ago.\n"
            "The ministry said on Monday it stood by its count.")
    figure = Figure(quote="Officials estimate 2,500 troops were lost", text="2,500", value=2500, low=None, high=None,
                    qualifier="exact", unit="troops", measure="troops lost", reported_by="Officials",
                    span=Span(start=0, end=41, match="exact"))
    when = when_of(figure, text, date(2026, 3, 17))
    assert when is not None and (when.date, when.basis) == (date(2026, 3, 17), "published")


def test_a_date_inside_the_items_own_words_comes_first():
    text = "Both sides agreed on Tuesday to open talks next month, the foreign ministry said on Wednesday."
    claim = KeyClaim(quote="Both sides agreed on Tuesday to open talks", statement="Both sides agreed to talks.",
                     speaker="the foreign ministry", hedged=False, span=Span(start=0, end=42, match="exact"))
    when = when_of(claim, text, date(2026, 3, 19))
    assert when is not None and (when.text, when.date) == ("Tuesday", date(2026, 3, 17))


def test_the_attribution_is_the_same_partys_dated_saying_before():
    text = ("Headline of the day\n\nGeneral Anna Berg said on Friday that the front held.\n\n"
            "Minister Tom Rask said on Thursday the army had lost 40 tanks.\n\n"
            "Berg said 300 soldiers had been captured.")
    at = text.index("300 soldiers")
    figure = Figure(quote="300 soldiers had been captured", text="300", value=300, low=None, high=None,
                    qualifier="exact", unit="soldiers", measure="soldiers captured", reported_by="Anna Berg",
                    span=Span(start=at, end=at + 30, match="exact"))
    when = when_of(figure, text, date(2026, 3, 21))  # a Saturday
    assert when is not None and (when.text, when.date) == ("Friday", date(2026, 3, 20))
    assert when.span is not None and text[when.span.start : when.span.end] == "Friday"
    other = figure.model_copy(update={"reported_by": "Someone Else"})
    assert when_of(other, text, date(2026, 3, 21)).basis == "published"  # type: ignore[union-attr]


def test_dating_runs_again_with_another_date_and_changes_nothing_else(seed_text):
    result = parse(seed_text, "2022-11-10")
    before = result.model_dump(exclude={"provenance"})
    date_items(result, seed_text, date(2022, 11, 17))
    assert result.peace_talk_conditions[0].when.date == date(2022, 11, 15)  # type: ignore[union-attr]
    after = result.model_dump(exclude={"provenance"})
    for kind in ("key_claims", "figures", "actors", "peace_talk_conditions"):
        for a, b in zip(before[kind], after[kind], strict=True):
            assert {k: v for k, v in a.items() if k != "when"} == {k: v for k, v in b.items() if k != "when"}


def test_the_dateline_dates_an_article_given_no_date(seed_text):
    text = seed_text.replace("By Tara Copp, The Associated Press", "By Tara Copp, The Associated Press\n\nNov. 10, 2022")
    result = parse(text, None, SEED_SUMMARY)
    assert result.provenance is not None
    assert (result.provenance.published, result.provenance.published_from) == (date(2022, 11, 10), "dateline")
    assert result.peace_talk_conditions[0].when.date == date(2022, 11, 8)  # type: ignore[union-attr]


def test_a_published_that_is_no_date_fails_before_any_request(seed_text, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-sent")
    with pytest.raises(InputError, match="published"):
        summarize(seed_text, model="gpt-4.1-mini", base_url="http://127.0.0.1:9/v1", published="the other day")


def test_when_is_not_in_the_schema_the_model_sees():
    schema = json.dumps(ArticleSummary.model_json_schema())
    assert '"when"' not in schema and "published" not in schema

