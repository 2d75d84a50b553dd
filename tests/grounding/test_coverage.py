"""Coverage: every number the article states is a grounded figure's, or listed as uncovered with its sentence."""

from __future__ import annotations

from summarizer import ArticleSummary, Figure
from summarizer.grounding import ground
from summarizer.grounding.coverage import counted


def summary(*figures: Figure) -> ArticleSummary:
    return ArticleSummary(headline=None, summary="x", key_claims=[], figures=list(figures), actors=[],
                          peace_talk_conditions=[])


RANGE = Figure(quote="Russia had amassed 20,000 to 30,000 troops in Kherson", text="20,000 to 30,000", value=None,
               low=20000, high=30000, qualifier="range", unit="troops", measure="troops", reported_by="Milley")


def test_every_number_is_covered_or_listed_with_its_sentence_and_offsets(seed_text):
    report = ground(summary(RANGE), seed_text, policy="flag")
    numbers = [seed_text[m.start : m.end] for m in counted(seed_text)]
    assert numbers == ["100,000", "40,000", "100,000", "40,000", "100,000", "20,000", "30,000"]
    assert report.numbers == 7 and [u.text for u in report.uncovered] == numbers[:5]
    for u in report.uncovered:
        assert seed_text[u.start : u.end] == u.text and u.text in u.sentence and u.sentence in seed_text
    assert "2/7 numbers covered" in report.describe()


def test_an_ungrounded_figure_covers_nothing(seed_text):
    wrong = RANGE.model_copy(update={"reported_by": "Lloyd Austin"})
    report = ground(summary(wrong), seed_text, policy="flag")
    assert len(report.uncovered) == 7


def test_years_dates_times_list_numbers_names_and_the_pronoun_one_do_not_count():
    text = ("In 2022, on Nov. 10 and 24 February, at 10:30 and 3 p.m., the F-16 and G7 and COVID-19 and Article 5 "
            "were discussed; one of them said so.\n1. First point\nSome 300 soldiers and two tanks were lost.")
    assert [text[m.start : m.end] for m in counted(text)] == ["300", "two"]


def test_numbers_are_listed_even_when_every_figure_was_dropped(seed_text):
    report = ground(summary(), seed_text, policy="drop")
    assert report.numbers == 7 and len(report.uncovered) == 7


def test_a_summary_model_without_figures_counts_no_numbers(seed_text):
    from pydantic import BaseModel

    class Quote(BaseModel):
        quote: str

    report = ground(Quote(quote="Russia had amassed 20,000 to 30,000 troops in Kherson"), seed_text)
    assert report.numbers == 0 and report.uncovered == []


def test_fractions_count_as_the_numbers_they_are():
    text = "Nearly two-thirds of the wells and more than half of the pumps failed in the second half of the year."
    assert [(text[m.start : m.end], round(m.values[0], 3)) for m in counted(text)] == [("two-thirds", 0.667), ("half", 0.5)]
