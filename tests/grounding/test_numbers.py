"""The number reader: fractions read as their value, never as their numerator; what it read before stays read."""

from __future__ import annotations

import pytest

from summarizer.grounding.numbers import fraction_readings, mentions, states_number


def read(text: str) -> list[tuple[str, float]]:
    """Each number of ``text`` as written, with its plain reading (rounded to 4 places)."""
    return [(text[m.start : m.end], round(m.values[0], 4)) for m in mentions(text)]


@pytest.mark.parametrize(
    ("text", "written", "value"),
    [
        ("up to one-third of the harvest", "one-third", 0.3333),
        ("nearly two-thirds of the wells", "two-thirds", 0.6667),
        ("two thirds of the voters", "two thirds", 0.6667),
        ("three-quarters of the bridges", "three-quarters", 0.75),
        ("a quarter of the staff", "a quarter", 0.25),
        ("a third of the grid", "a third", 0.3333),
        ("it lost a third.", "a third", 0.3333),
        ("more than half of the gates", "half", 0.5),
        ("half the town left", "half", 0.5),
        ("one half of the loan", "one half", 0.5),
        ("three-fifths of the vote", "three-fifths", 0.6),
        ("1/3 of the budget", "1/3", 0.3333),
        ("a half million people", "a half million", 500000.0),
    ],
)
def test_a_fraction_is_read_as_its_value(text, written, value):
    assert read(text) == [(written, value)]


@pytest.mark.parametrize(
    "text",
    [
        "a third round of talks", "the second half of the year", "a half-hearted offer", "half an hour later",
        "the third quarter", "both halves",
    ],
)
def test_words_that_are_no_quantity_are_not_read(text):
    assert read(text) == []


def test_an_ambiguous_count_of_quarters_is_not_read_at_all():
    assert read("growth slowed for three quarters") == []  # three periods, or 0.75? neither is read


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("half a million", [("half a million", 500000.0)]),
        ("two and a half million", [("two and a half million", 2500000.0)]),
        ("nineteen ninety-one", [("nineteen", 19.0), ("ninety-one", 91.0)]),
        ("9/11 and 24/7", [("9", 9.0), ("11", 11.0), ("24", 24.0), ("7", 7.0)]),  # not fractions
    ],
)
def test_what_was_read_before_is_read_the_same(text, expected):
    assert read(text) == expected


@pytest.mark.parametrize(("text", "wrong"), [("two-thirds", 2), ("three-quarters", 3), ("1/3", 1), ("1/3", 3),
                                             ("two-thirds", 0.7), ("two-thirds", 70), ("one-third", 0.3)])
def test_a_fraction_never_states_its_numerator_denominator_or_a_looser_rounding(text, wrong):
    assert not states_number(text, wrong)


@pytest.mark.parametrize(
    ("text", "right"),
    [("one-third", 1 / 3), ("one-third", 0.33), ("one-third", 0.333), ("one-third", 33.3), ("one-third", 33),
     ("two-thirds", 0.67), ("two-thirds", 66.7), ("two-thirds", 67), ("half", 0.5), ("half", 50)],
)
def test_a_fraction_states_its_value_to_the_precision_a_figure_writes_it(text, right):
    assert states_number(f"more than {text}", right)


def test_fraction_readings_are_exact_two_or_three_decimals_or_a_percentage():
    assert fraction_readings(1, 4) == (0.25, 25.0)
    assert [round(v, 6) for v in fraction_readings(2, 3)] == [0.666667, 0.67, 0.667, 66.666667, 67.0, 66.7]
