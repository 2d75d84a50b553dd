"""Coverage: every number the article states is a grounded figure's, or listed as uncovered with its sentence."""

from __future__ import annotations

from summarizer import ArticleSummary, Figure
from summarizer.grounding import ground
from summarizer.grounding.coverage import counted
from summarizer.sentences import sentences


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


def _flattened_table(size: int) -> str:
    """A table flattened into one line without a full stop (HAND-WRITTEN pattern): a number every two words."""
    words = ["wheat", "tonnes", "barley", "hectares", "maize", "exports", "rye", "imports"]
    out: list[str] = []
    i = 0
    while sum(len(w) + 1 for w in out) < size:
        out += [words[i % len(words)], f"{(i * 7919) % 90_000 + 10:,}"]
        i += 1
    return " ".join(out)


def _sizes(text: str) -> tuple[int, int, int]:
    from summarizer import render_html, render_markdown
    from summarizer.batch.records import BatchResult, json_text

    result = summary()
    result.grounding = ground(result, text, policy="flag")
    record = json_text(BatchResult("t", 0, None, summary=result).to_record())
    return len(record), len(render_html(result, text)), len(render_markdown(result, text))


def test_a_long_paragraph_of_numbers_gives_a_record_and_reports_in_proportion_to_the_article():
    from summarizer.grounding.coverage import AROUND

    text = _flattened_table(44_000)  # one "sentence" of about 3,500 numbers
    report = ground(summary(), text, policy="flag")
    assert report.numbers > 3000 and len(report.uncovered) == report.numbers
    for u in report.uncovered:  # the words around the number, with their offsets, not the whole paragraph
        assert u.sentence_start is not None and u.sentence_end is not None
        assert text[u.sentence_start : u.sentence_end] == u.sentence and u.text in u.sentence
        assert u.sentence_start <= u.start and u.end <= u.sentence_end and len(u.sentence) <= 2 * AROUND + len(u.text)
    record, page, markdown = _sizes(text)
    assert record < 25 * len(text) and page < 40 * len(text) and markdown < 25 * len(text)  # 141 MB before
    twice = _sizes(_flattened_table(88_000))
    assert all(b < 2.2 * a for a, b in zip((record, page, markdown), twice, strict=True))  # linear, not quadratic


def test_a_short_sentence_is_kept_whole_with_its_offsets(seed_text):
    report = ground(summary(), seed_text, policy="flag")
    for u in report.uncovered:
        assert u.sentence_start is not None and u.sentence_end is not None
        assert seed_text[u.sentence_start : u.sentence_end] == u.sentence
        sentence = next(s for s in sentences(seed_text).every() if s.start <= u.start < s.end)
        assert (u.sentence_start, u.sentence_end) == (sentence.start, sentence.end)  # whole: it is short


def test_a_report_of_a_summary_made_before_shows_the_words_around_each_number():
    from summarizer import UncoveredNumber, render_html, render_markdown

    text = _flattened_table(20_000)
    found = ground(summary(), text, policy="flag")
    old = summary()
    old.grounding = found.model_copy(update={"uncovered": [  # as recorded before: the whole paragraph, no offsets
        UncoveredNumber(text=u.text, value=u.value, start=u.start, end=u.end, sentence=text) for u in found.uncovered]})
    assert len(render_html(old, text)) < 40 * len(text) and len(render_markdown(old, text)) < 25 * len(text)
