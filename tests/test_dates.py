"""The library's date rules (summarizer/dates.py), one test each, and the article's own date."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from summarizer import InputError
from summarizer.dates import DatePhrase, date_phrases, dateline_date, published_date, resolve
from summarizer.grounding.dating import article_date, check_published
from summarizer.schema import PageInfo

THURSDAY = date(2022, 11, 10)
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def one(words: str, published: date | None = THURSDAY) -> tuple[str, object]:
    found = date_phrases(words)
    assert len(found) == 1, found
    resolved = resolve(found[0], published)
    assert resolved is not None
    value = resolved.day if resolved.day is not None else (resolved.start, resolved.end)
    return found[0].text, value


def test_a_weekday_is_the_most_recent_such_day_on_or_before_the_article() -> None:
    assert one("Milley said Wednesday.") == ("Wednesday", date(2022, 11, 9))
    assert one("Zelensky said Tuesday he was open.") == ("Tuesday", date(2022, 11, 8))
    assert one("He said on Friday.") == ("Friday", date(2022, 11, 4))
    # The article's own weekday is the article's day (dateparser alone says the week before).
    assert one("Officials said Thursday.") == ("Thursday", THURSDAY)


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)), st.sampled_from(WEEKDAYS))
def test_every_weekday_resolves_within_the_week_up_to_the_article(published: date, weekday: str) -> None:
    _, day = one(f"The minister said {weekday} that", published)
    assert isinstance(day, date)
    assert day.strftime("%A") == weekday
    assert published - timedelta(days=6) <= day <= published


def test_last_and_next_weekday() -> None:
    assert one("It happened last Tuesday.") == ("last Tuesday", date(2022, 11, 8))
    assert one("It happened last Thursday.") == ("last Thursday", date(2022, 11, 3))  # not the article's day
    assert one("Talks resume next Monday.") == ("next Monday", date(2022, 11, 14))
    assert one("Talks resume next Thursday.") == ("next Thursday", date(2022, 11, 17))


def test_days_counted_back_from_the_article() -> None:
    assert one("It was struck yesterday.") == ("yesterday", date(2022, 11, 9))
    assert one("It was struck today.") == ("today", THURSDAY)
    assert one("It was struck two days ago.") == ("two days ago", date(2022, 11, 8))
    assert one("It was struck 3 days ago.") == ("3 days ago", date(2022, 11, 7))
    assert one("It was struck a week ago.") == ("a week ago", date(2022, 11, 3))


def test_weeks_and_months_are_ranges() -> None:
    assert one("Russia this week announced a retreat.") == ("this week", (date(2022, 11, 7), THURSDAY))
    assert one("It began last week.") == ("last week", (date(2022, 10, 31), date(2022, 11, 6)))
    assert one("It began last month.") == ("last month", (date(2022, 10, 1), date(2022, 10, 31)))
    assert one("It began last month.", date(2023, 3, 5)) == ("last month", (date(2023, 2, 1), date(2023, 2, 28)))


def test_a_month_and_day_take_the_year_nearest_the_article() -> None:
    assert one("The talks on Nov. 15 were cancelled.") == ("Nov. 15", date(2022, 11, 15))
    assert one("The strike of Dec. 28 killed four.", date(2023, 1, 3)) == ("Dec. 28", date(2022, 12, 28))
    assert one("Talks open on Jan. 5.", date(2022, 12, 28)) == ("Jan. 5", date(2023, 1, 5))
    assert one("On 9 March the town fell.", date(2026, 3, 16)) == ("9 March", date(2026, 3, 9))


def test_a_full_date_is_explicit_and_needs_no_article_date() -> None:
    for words, day in [("on 15 November 2022,", date(2022, 11, 15)), ("on November 15, 2022,", date(2022, 11, 15)),
                       ("on 2022-11-15", date(2022, 11, 15)), ("on Feb.14 2026", date(2026, 2, 14))]:
        found = date_phrases(words)
        assert [p.kind for p in found] == ["full_date"]
        resolved = resolve(found[0], None)
        assert resolved is not None and resolved.explicit and resolved.day == day


def test_without_the_article_date_nothing_relative_is_resolved() -> None:
    for words in ("said Wednesday", "yesterday", "last week", "on Nov. 15"):
        (phrase,) = date_phrases(words)
        assert resolve(phrase, None) is None


def test_durations_are_not_dates() -> None:
    for words in ("the war, now in its ninth month,", "fighting since Tuesday", "for three days", "until Friday",
                  "over the past week"):
        assert date_phrases(words) == [], words


def test_names_and_lower_case_words_are_not_dates() -> None:
    assert date_phrases("the Black Friday sales") == []
    assert date_phrases("the Sunday Times reported") == []
    assert date_phrases("prices may 5 times") == []  # "may" the verb, not the month
    assert [p.text for p in date_phrases("Bloody, Sunday.")] == ["Sunday"]  # after punctuation: a day


def test_spans_are_offsets_into_the_text() -> None:
    text = "X said Wednesday that on Nov. 15 and last week it rained."
    for phrase in date_phrases(text):
        assert text[phrase.start : phrase.end] == phrase.text
    assert [p.kind for p in date_phrases(text)] == ["weekday", "day_month", "week"]
    assert date_phrases(text, 10, 40) == [DatePhrase("Nov. 15", 25, 32, "day_month")]


# -- the article's own date ----------------------------------------------------------------


def test_published_dates_as_callers_give_them() -> None:
    assert published_date("2022-11-10") == THURSDAY
    assert published_date("2022-11-10T18:40:00Z") == THURSDAY
    assert published_date(datetime(2022, 11, 10, 23, 0, tzinfo=timezone.utc)) == THURSDAY
    assert published_date(THURSDAY) == THURSDAY
    assert published_date("10 November 2022") == THURSDAY
    assert published_date(None) is None and published_date("") is None
    with pytest.raises(ValueError, match="not a date"):
        published_date("soon")
    with pytest.raises(TypeError):
        published_date(20221110)


def test_a_published_that_is_no_date_is_an_input_error() -> None:
    with pytest.raises(InputError, match="published: not a date: 'yesterday-ish'"):
        check_published("yesterday-ish")
    with pytest.raises(InputError, match="published"):
        check_published(3.5)


def test_the_dateline_is_a_date_alone_on_a_line_or_before_the_dash() -> None:
    line = dateline_date("Headline\nFeb 27, 2026 6:40 pm\nThe IAEA said Friday ...")
    assert line is not None and line.text == "Feb 27, 2026"
    assert dateline_date("Headline\nPublished: 10 November 2022\nBody.") is not None
    prefixed = dateline_date("Headline\n\nKYIV, Ukraine, Nov. 10, 2022 (Reuters) - The ministry said ...")
    assert prefixed is not None and prefixed.text == "Nov. 10, 2022"
    text = "Headline\n\nTuesday 17 March 2026\n\nBody."
    found = dateline_date(text)
    assert found is not None and text[found.start : found.end] == "17 March 2026"


def test_a_date_inside_a_sentence_or_a_caption_is_not_the_articles() -> None:
    assert dateline_date("Headline\nServicemen ride to the front, Feb. 10, 2026. (Handout via AFP)\nBody.") is None
    assert dateline_date("Headline\nThe town fell on 15 March 2026, officials said.\nBody.") is None
    assert dateline_date("WASHINGTON (AP) — Milley said Wednesday ...") is None  # no date in the dateline


def test_the_article_date_comes_from_the_argument_then_the_page_then_the_dateline() -> None:
    text = "Headline\nPublished: 10 November 2022\nBody said Wednesday."
    page = PageInfo(published="2022-11-11T08:00:00+01:00")
    assert article_date(text, "2022-11-12", page) == (date(2022, 11, 12), "argument")
    assert article_date(text, None, page) == (date(2022, 11, 11), "page")
    assert article_date(text, None, PageInfo(published="not a date")) == (THURSDAY, "dateline")  # markup often lies
    assert article_date(text) == (THURSDAY, "dateline")
    assert article_date("No date here.") == (None, None)
