"""Cited evidence (grounding/cite.py): the twin model sent, the numbers listed, and answers filled from the article.

Every answer here is HAND-WRITTEN; nothing was produced by a model.
"""

from __future__ import annotations

import copy

import pytest
from pydantic import BaseModel, model_validator

from summarizer import ArticleSummary, ConfigurationError
from summarizer.grounding import ground
from summarizer.grounding.cite import bound_schema, citable, cited_model, fill
from summarizer.grounding.fields import MAX_CHARS

TEXT = (
    "Troops mass near the river\n\n"
    "Officials said 20,000 to 30,000 troops had gathered by Nov. 10 near the river. "
    "In 2022, about 40 villages were emptied, the mayor said.\n"
)


def test_the_cited_twin_asks_for_a_sentence_number_where_the_model_asks_for_a_quote():
    schema = cited_model(ArticleSummary, "sentence").model_json_schema()
    assert schema["title"] == "ArticleSummary" and schema["description"] == ArticleSummary.__doc__
    for name in ("KeyClaim", "Figure", "PeaceTalkCondition"):
        item = schema["$defs"][name]
        assert "quote" not in item["properties"] and item["properties"]["sentence"]["type"] == "integer"
        assert next(iter(item["properties"])) == "sentence"  # evidence first, as the quote was
        assert not {"span", "evidence", "checks", "grounding_error"} & set(item["properties"])
    actor = schema["$defs"]["Actor"]["properties"]  # an actor cites a listed name; its sentence is the evidence
    assert not {"quote", "sentence"} & set(actor) and next(iter(actor)) == "name" and actor["name"]["type"] == "string"
    assert not {"provenance", "grounding", "headline"} & set(schema["properties"])  # the headline is read
    assert schema["properties"]["summary"]["type"] == "string"  # written unless summary="cited"
    cited = cited_model(ArticleSummary, "sentence", "cited").model_json_schema()["properties"]["summary"]
    assert cited["type"] == "array" and cited["items"]["type"] == "integer"
    figure = schema["$defs"]["Figure"]["properties"]
    assert figure["measure"]["description"] == ArticleSummary.model_json_schema()["$defs"]["Figure"]["properties"][
        "measure"]["description"]
    assert schema["properties"]["figures"]["maxItems"] == 40  # the list's own limits are kept


def test_with_numbers_a_figure_cites_a_listed_number_and_writes_none_itself():
    figure = cited_model(ArticleSummary, "sentence+numbers").model_json_schema()["$defs"]["Figure"]["properties"]
    assert "number" in figure and figure["number"]["type"] == "string"
    assert not {"quote", "sentence", "text", "value", "low", "high"} & set(figure)
    assert {"qualifier", "unit", "measure", "reported_by"} <= set(figure)
    assert cited_model(ArticleSummary, "quote") is ArticleSummary


def test_the_library_numbers_sentences_and_lists_the_numbers_that_count():
    view = citable(TEXT, numbers=True)
    assert view.numbered() == (
        "[1] Troops mass near the river\n\n"
        "[2] Officials said 20,000 to 30,000 troops had gathered by Nov. 10 near the river. "
        "[3] In 2022, about 40 villages were emptied, the mayor said."
    )
    # The range is one number; the date (Nov. 10) and the year (2022) are not figures.
    assert [(n.id, TEXT[n.start : n.end], n.sentence, n.value, n.low, n.high) for n in view.numbers] == [
        ("N1", "20,000 to 30,000", 2, None, 20000.0, 30000.0),
        ("N2", "40", 3, 40.0, None, None),
    ]
    # What each counts, as the library reads it, is offered beside it.
    assert view.number_list() == "N1 in [2]: 20,000 to 30,000 (troops gathered)\nN2 in [3]: 40 (villages emptied)"
    assert citable(TEXT).numbers == ()


def _answer(evidence: str, summary: str = "Troops gathered near the river.", **lists) -> BaseModel:
    data = {"headline": None, "summary": summary, "key_claims": [], "figures": [],
            "actors": [], "peace_talk_conditions": [], **lists}
    return cited_model(ArticleSummary, evidence).model_validate(data)


CLAIM = {"statement": "About 40 villages were emptied.", "speaker": "the mayor", "hedged": False}
FIGURE = {"qualifier": "approximately", "unit": "villages", "measure": "villages emptied", "reported_by": "the mayor"}


def test_fill_takes_each_quote_from_the_sentence_cited_and_each_figure_from_the_number_cited():
    view = citable(TEXT, numbers=True)
    answer = _answer("sentence+numbers", key_claims=[{**CLAIM, "sentence": 3}], figures=[{**FIGURE, "number": "N2"}])
    filled = fill(answer, view, ArticleSummary)
    result = filled.result
    assert type(result) is ArticleSummary and filled.set_aside == []
    assert result.key_claims[0].quote == "In 2022, about 40 villages were emptied, the mayor said."
    figure = result.figures[0]
    assert (figure.text, figure.value, figure.low, figure.high) == ("40", 40.0, None, None)
    assert figure.quote == result.key_claims[0].quote and figure.span is not None
    report = ground(result, TEXT, policy="flag", cited=True)
    assert report.issues == [] and report.grounded == 2


def test_fill_sets_aside_items_citing_what_the_article_does_not_have():
    view = citable(TEXT, numbers=True)
    answer = _answer(
        "sentence+numbers",
        key_claims=[{**CLAIM, "sentence": 0}, {**CLAIM, "sentence": 3}, {**CLAIM, "sentence": 4}],
        figures=[{**FIGURE, "number": "N9"}, {**FIGURE, "number": "N2"}],
    )
    filled = fill(answer, view, ArticleSummary)
    assert [(i.path, i.fields, i.dropped) for i in filled.set_aside] == [
        ("key_claims[0]", ["sentence"], True),
        ("key_claims[2]", ["sentence"], True),
        ("figures[0]", ["number"], True),
    ]
    assert "sentences 1 to 3" in filled.set_aside[1].reason and "N1 to N2" in filled.set_aside[2].reason
    assert filled.kept == {"key_claims": [1], "figures": [1]}
    assert len(filled.result.key_claims) == 1 and len(filled.result.figures) == 1


def test_an_item_breaking_its_own_rules_once_filled_is_set_aside():
    view = citable(TEXT)
    bad = {"sentence": 2, "text": "20,000 to 30,000", "value": None, "low": 30000, "high": 20000, **FIGURE}
    filled = fill(_answer("sentence", figures=[bad]), view, ArticleSummary)
    assert filled.result.figures == [] and "greater than high" in filled.set_aside[0].reason
    assert filled.set_aside[0].quote.startswith("Officials said")


def test_an_answer_that_does_not_fit_the_callers_class_is_a_value_error():
    class Event(BaseModel):
        quote: str

    class Timeline(BaseModel):
        events: list[Event]

        @model_validator(mode="after")
        def _some(self) -> Timeline:
            if not self.events:
                raise ValueError("a timeline needs an event")
            return self

    # The twin has no validators (they run on the caller's class, here), so it takes the empty list.
    answer = cited_model(Timeline, "sentence").model_validate({"events": [{"sentence": 9}]})
    with pytest.raises(ValueError, match="needs an event"):
        fill(answer, citable(TEXT), Timeline)


def test_items_may_share_one_sentence_and_a_long_sentence_is_still_evidence():
    long_sentence = "The council said " + ", ".join(f"district {i} lost power" for i in range(60)) + "."
    assert len(long_sentence) > MAX_CHARS
    text = f"Blackout\n\n{long_sentence}\n"
    claims = [
        {"statement": "District 1 lost power.", "speaker": "The council", "hedged": False, "sentence": 2},
        {"statement": "District 2 lost power.", "speaker": "The council", "hedged": False, "sentence": 2},
    ]
    result = fill(_answer("sentence", "District 1 lost power.", key_claims=claims), citable(text), ArticleSummary).result
    report = ground(result, text, policy="flag", cited=True)
    assert report.issues == [] and report.grounded == 2
    # The same quotes copied by a model are too long to be evidence, and the second has no place left.
    quoted = copy.deepcopy(result)
    quoted.key_claims[0].span = quoted.key_claims[1].span = None
    assert {i.fields[0] for i in ground(quoted, text, policy="flag").issues} == {"quote"}


def test_a_span_that_is_not_the_quotes_own_place_is_not_trusted():
    result = fill(_answer("sentence", key_claims=[{**CLAIM, "sentence": 3}]), citable(TEXT), ArticleSummary).result
    result.key_claims[0].quote = "About 40 villages were emptied, the mayor said, and 90 more burned."
    report = ground(result, TEXT, policy="flag", cited=True)
    assert report.issues and report.issues[0].fields == ["quote"]


def test_a_users_own_model_gets_a_cited_twin_and_comes_back_as_itself():
    class Event(BaseModel):
        quote: str
        what: str

    class Timeline(BaseModel):
        """Events in order."""

        title: str
        events: list[Event]

    twin = cited_model(Timeline, "sentence")
    assert twin.__name__ == "Timeline" and twin.__doc__ == Timeline.__doc__
    answer = twin.model_validate({"title": "t", "events": [{"sentence": 2, "what": "troops gathered"}]})
    result = fill(answer, citable(TEXT), Timeline).result
    assert type(result) is Timeline and type(result.events[0]) is Event
    assert result.events[0].quote.startswith("Officials said 20,000")


def test_a_model_that_already_has_a_sentence_field_cannot_be_cited():
    class Odd(BaseModel):
        quote: str
        sentence: str

    class Holder(BaseModel):
        items: list[Odd]

    with pytest.raises(ConfigurationError, match="'sentence'"):
        cited_model(Holder, "sentence")


def test_the_schema_sent_bounds_citations_to_this_article():
    view = citable(TEXT, numbers=True)
    schema = cited_model(ArticleSummary, "sentence+numbers").model_json_schema()
    before = copy.deepcopy(schema)
    bounded = bound_schema(schema, view)
    assert schema == before  # a copy: the cached schema is never changed
    claim = bounded["$defs"]["KeyClaim"]["properties"]["sentence"]
    assert (claim["minimum"], claim["maximum"]) == (1, 3)
    assert bounded["$defs"]["Figure"]["properties"]["number"]["enum"] == ["N1", "N2"]


def test_a_cited_number_is_evidenced_by_its_own_clause_so_its_source_is_read_there():
    text = "Prisoners\n\nKestria says it holds 3,000 soldiers; Western officials estimate about 5,000.\n"
    view = citable(text, numbers=True)
    figure = {"qualifier": "approximately", "unit": "soldiers", "measure": "soldiers held", "reported_by": "Western officials"}
    said = "Kestria says it holds 3,000 soldiers."
    result = fill(_answer("sentence+numbers", said, figures=[{**figure, "number": "N2"}]), view, ArticleSummary).result
    assert result.figures[0].quote == "Western officials estimate about 5,000."
    assert ground(result, text, policy="flag", cited=True).issues == []
    # Cited by its sentence alone, the same figure is read against the whole sentence, which gives it to Kestria.
    whole = {**figure, "sentence": 2, "text": "about 5,000", "value": 5000, "low": None, "high": None}
    result = fill(_answer("sentence", said, figures=[whole]), view, ArticleSummary).result
    (issue,) = ground(result, text, policy="flag", cited=True).issues
    assert issue.fields == ["reported_by"] and "Kestria" in issue.reason


def test_a_cited_numbers_qualifier_is_read_from_its_words_where_they_settle_it():
    text = "Losses\n\nOfficials said that as many as 40,000 of the civilians died, and nearly 300 of the towns were hit.\n"
    view = citable(text, numbers=True)
    died = {"unit": "civilians", "measure": "civilians who died"}
    hit = {"unit": "towns", "measure": "towns hit"}
    figures = [
        {**FIGURE, **died, "reported_by": None, "qualifier": "at_least", "number": "N1"},  # "as many as": at_most
        {**FIGURE, **hit, "reported_by": None, "qualifier": "less_than", "number": "N2"},  # "nearly": approximately
        {**FIGURE, **hit, "reported_by": None, "qualifier": "exact", "number": "N2"},  # or less_than; never exact
    ]
    said = "Officials said that as many as 40,000 of the civilians died."
    result = fill(_answer("sentence+numbers", said, figures=figures), view, ArticleSummary).result
    assert [f.qualifier.value for f in result.figures] == ["at_most", "less_than", "exact"]
    issues = ground(result, text, policy="flag", cited=True).issues
    assert [(i.path, i.fields) for i in issues] == [("figures[2]", ["qualifier"])]
