"""The model's own words against the article (grounding/words.py): one test per kind of check.

Every article and answer here is HAND-WRITTEN and invented (the Orvel and Kessia of these
tests do not exist); nothing was produced by a model. How well the checks hold on other
material is measured by ``benchmarks/bench_own_words.py``, not asserted here.
"""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from pydantic import BaseModel

from summarizer import Actor, ArticleSummary, Figure, KeyClaim, OwnWords, PeaceTalkCondition
from summarizer.grounding import ground, reask_message
from summarizer.grounding.summary import check_summary
from summarizer.grounding.words import own_words_fields
from summarizer.report import render_html, render_markdown

TEXT = (
    "Orvel and Kessia agree to talks on the dam\n\n"
    "By Ana Lind, Meridian Wire\n\n"
    "ORVEL — Orvel and Kessia will open talks on the Tassa dam next week, Kessian Foreign Minister Ilse Marn said "
    "on Monday.\n\n"
    "Marn said Kessia would not sign any deal while Orvelian troops remained on the dam.\n\n"
    "Orvel's deputy defence minister, Piet Varga, said the army could withdraw 2,000 soldiers from the dam if "
    "Kessia released the 40 engineers it is holding.\n\n"
    "Kessian officials estimate that 314 civilians have been killed and 1,200 wounded since March, while Orvel "
    "says 90 of its soldiers have died.\n\n"
    "Kessia will attend only if Orvel first returns the three villages it seized in May, Marn said.\n"
)


def _summary(**lists: Any) -> ArticleSummary:
    base: dict[str, Any] = {"headline": None, "summary": "Orvel and Kessia will open talks on the Tassa dam next week.",
                            "key_claims": [], "figures": [], "actors": [], "peace_talk_conditions": []}
    return ArticleSummary.model_validate({**base, **lists})


def _claim(quote: str, statement: str, speaker: str | None = "Ilse Marn", hedged: bool = False) -> dict[str, Any]:
    return {"quote": quote, "statement": statement, "speaker": speaker, "hedged": hedged}


def _failed(item: BaseModel) -> dict[str, str]:
    return {c.field: c.detail or "" for c in item.checks if not c.ok}


def _one(**lists: Any) -> BaseModel:
    result = _summary(**lists)
    ground(result, TEXT, policy="flag")
    for name in ("key_claims", "figures", "actors", "peace_talk_conditions"):
        if getattr(result, name):
            item: BaseModel = getattr(result, name)[0]
            return item
    raise AssertionError("no item")


OPEN = "Orvel and Kessia will open talks on the Tassa dam next week"
SIGN = "Marn said Kessia would not sign any deal while Orvelian troops remained on the dam."
CASUALTIES = "Kessian officials estimate that 314 civilians have been killed and 1,200 wounded since March"


def test_a_right_paraphrase_passes_every_check():
    item = _one(key_claims=[_claim(OPEN, "Both countries will begin talks about the Tassa dam next week.")])
    assert _failed(item) == {} and item.grounded
    assert {c.field for c in item.checks} >= {"quote", "speaker", "hedged", "statement"}


@pytest.mark.parametrize(
    ("statement", "says"),
    [
        ("Kessian officials estimate that 413 civilians have been killed.", "413"),  # another number
        ("Kessian officials estimate that three hundred civilians have been killed.", "three hundred"),  # in words
    ],
)
def test_a_statement_states_only_the_numbers_of_its_evidence(statement, says):
    item = _one(key_claims=[_claim(CASUALTIES, statement, "Kessian officials", True)])
    detail = _failed(item)["statement"]
    assert f"the statement says {says}" in detail and "314" in detail
    assert says in next(c for c in item.checks if c.field == "statement").words


VARGA = "Orvel's deputy defence minister, Piet Varga, said the army could withdraw 2,000 soldiers"


def test_a_statement_names_only_who_its_evidence_names():
    item = _one(key_claims=[_claim(SIGN, "The United Nations would not sign any deal while troops remained there.")])
    assert "names United Nations" in _failed(item)["statement"]
    quote = VARGA + " from the dam if Kessia released the 40 engineers it is holding."
    statement = "Kessia said the army could withdraw 2,000 soldiers if Kessia released the 40 engineers."
    item = _one(key_claims=[_claim(quote, statement, "Piet Varga")])
    assert "gives the words to Kessia" in _failed(item)["statement"]


def test_a_statement_keeps_the_polarity_of_its_evidence():
    item = _one(key_claims=[_claim(SIGN, "Kessia would sign a deal while Orvelian troops remain on the dam.")])
    assert "negates" in _failed(item)["statement"]


def test_a_statement_says_no_opposite_of_its_evidence():
    quote = "Kessia will attend only if Orvel first returns the three villages it seized in May"
    item = _one(key_claims=[_claim(quote, "Kessia will attend only if Orvel first keeps the three villages.")])
    assert "keeps" in _failed(item)["statement"]


def test_hedged_evidence_is_not_stated_as_fact_and_said_is_no_hedge():
    fact = _one(key_claims=[_claim(CASUALTIES, "314 civilians have been killed since March, officials said.",
                                   "Kessian officials", True)])
    assert "hedges" in _failed(fact)["statement"]
    kept = _one(key_claims=[_claim(CASUALTIES, "Officials estimate 314 civilians have been killed since March.",
                                   "Kessian officials", True)])
    assert "statement" not in _failed(kept)


def test_a_statement_that_shares_nothing_but_a_name_is_unsupported():
    item = _one(key_claims=[_claim(OPEN, "Orvel and Kessia celebrated a football championship with fireworks.",
                                   speaker="Ilse Marn")])
    assert "not what its evidence says" in _failed(item)["statement"]


def _figure(quote: str, text: str, value: float, measure: str, unit: str | None, by: str) -> dict[str, Any]:
    return {"quote": quote, "text": text, "value": value, "low": None, "high": None, "qualifier": "exact",
            "unit": unit, "measure": measure, "reported_by": by}


def test_a_figures_measure_and_unit_describe_this_number():
    right = _one(figures=[_figure(CASUALTIES, "314", 314, "civilians killed since March", "civilians",
                                  "Kessian officials")])
    assert _failed(right) == {}
    wounded = _one(figures=[_figure(CASUALTIES, "314", 314, "civilians wounded since March", "civilians",
                                    "Kessian officials")])
    assert "wounded" in _failed(wounded)["measure"]
    soldiers = _one(figures=[_figure(CASUALTIES, "314", 314, "soldiers killed since March", "soldiers",
                                     "Kessian officials")])
    assert "measure" in _failed(soldiers)
    dollars = _one(figures=[_figure(CASUALTIES, "314", 314, "civilians killed since March", "dollars",
                                    "Kessian officials")])
    assert "currency" in _failed(dollars)["unit"]


def test_a_measure_may_not_take_another_numbers_words():
    quote = "the army could withdraw 2,000 soldiers from the dam if Kessia released the 40 engineers it is holding"
    item = _one(figures=[_figure(quote, "40", 40, "engineers held by Kessia", "engineers", "Piet Varga")])
    assert "measure" not in _failed(item)
    item = _one(figures=[_figure(quote, "2,000", 2000, "engineers Kessia is holding", "soldiers", "Piet Varga")])
    assert "measure" in _failed(item)


def _actor(quote: str, name: str, role: str | None, affiliation: str | None, kind: str = "person") -> dict[str, Any]:
    return {"quote": quote, "name": name, "kind": kind, "role": role, "affiliation": affiliation}


def test_an_actors_affiliation_and_role_are_the_articles():
    assert _failed(_one(actors=[_actor(VARGA, "Piet Varga", "deputy defence minister", "Orvel")])) == {}
    wrong_side = _one(actors=[_actor(VARGA, "Piet Varga", "deputy defence minister", "Kessia")])
    assert "affiliation" in _failed(wrong_side)
    promoted = _one(actors=[_actor(VARGA, "Piet Varga", "defence minister", "Orvel")])
    assert "deputy" in _failed(promoted)["role"]
    someone_else = _one(actors=[_actor(VARGA, "Piet Varga", "deputy defence minister Ilse Marn", "Orvel")])
    assert "Ilse Marn" in _failed(someone_else)["role"]


def test_a_country_is_its_own_affiliation():
    quote = "Orvel and Kessia will open talks on the Tassa dam"
    assert "affiliation" in _failed(_one(actors=[_actor(quote, "Orvel", None, "Kessia", "country")]))


def _condition(quote: str, condition: str, to_be_met_by: str | None, set_by: str = "Ilse Marn") -> dict[str, Any]:
    return {"quote": quote, "set_by": set_by, "condition": condition, "to_be_met_by": to_be_met_by}


RETURN = "Kessia will attend only if Orvel first returns the three villages it seized in May, Marn said."


def test_a_condition_is_what_its_evidence_demands_of_whom_it_demands_it():
    assert _failed(_one(peace_talk_conditions=[_condition(RETURN, "Orvel returns the three villages.", "Orvel")])) == {}
    reversed_ = _one(peace_talk_conditions=[_condition(RETURN, "Orvel keeps the three villages.", "Orvel")])
    assert "condition" in _failed(reversed_)
    wrong_party = _one(peace_talk_conditions=[_condition(RETURN, "Orvel returns the three villages.", "Kessia")])
    assert "Orvel" in _failed(wrong_party)["to_be_met_by"]


def test_a_condition_read_from_a_refusal_is_not_a_reversal():
    # "will not sign while troops remain": the condition is that they leave.
    item = _one(peace_talk_conditions=[_condition(SIGN, "Orvelian troops leave the dam before a deal is signed.",
                                                  "Orvel")])
    assert "condition" not in _failed(item)


def test_each_summary_sentence_is_checked_and_an_unfinished_one_is_refused():
    checks = check_summary(
        "Orvel and Kessia will open talks on the Tassa dam next week. Kessia says 413 civilians have been killed. "
        "Marn said Kessia would not sign",
        TEXT,
    )
    assert [c.ok for c in checks] == [True, False, False]
    assert "413" in (checks[1].detail or "") and "unfinished" in (checks[2].detail or "")


@pytest.mark.parametrize("policy", ["flag", "drop"])
def test_the_policy_decides_what_happens_to_an_unsupported_summary_sentence(policy):
    bad = "Kessia has already signed a peace treaty with Orvel."
    result = _summary(summary=f"Orvel and Kessia will open talks on the Tassa dam next week. {bad}")
    report = ground(result, TEXT, policy=policy)
    (issue,) = report.issues
    assert issue.path == "summary[1]" and issue.quote == bad and issue.dropped is (policy == "drop")
    assert (bad in result.summary) is (policy == "flag")
    assert [c.ok for c in report.summary] == [True, False]
    assert "summary[1] (summary)" in reask_message(report.issues)


def test_a_summary_that_loses_every_sentence_is_empty_and_still_loads_as_a_result():
    result = _summary(summary="Kessia has already signed a peace treaty with Orvel.")
    result.grounding = ground(result, TEXT, policy="drop")
    assert result.summary == ""
    assert ArticleSummary.model_validate_json(result.model_dump_json()).summary == ""
    with pytest.raises(ValueError, match="summary"):  # but a model must give one
        ArticleSummary.model_validate({**result.model_dump(exclude={"grounding"}), "summary": ""})


def test_your_own_model_marks_its_free_text_fields():
    class Event(BaseModel):
        quote: str
        what: Annotated[str, OwnWords("statement")]
        note: str  # not marked: not checked

    class Timeline(BaseModel):
        events: list[Event]

    assert own_words_fields(Event) == {"what": "statement"}
    assert own_words_fields(KeyClaim) == {"statement": "statement"}
    assert own_words_fields(Figure) == {"unit": "unit", "measure": "measure"}
    assert own_words_fields(Actor) == {"role": "role", "affiliation": "affiliation"}
    assert own_words_fields(PeaceTalkCondition) == {"condition": "condition", "to_be_met_by": "party"}
    assert "what" in Timeline.model_json_schema()["$defs"]["Event"]["properties"]  # the mark adds nothing sent
    result = Timeline(events=[Event(quote=CASUALTIES, what="Officials estimate 413 civilians were killed.", note="x")])
    report = ground(result, TEXT, policy="flag")
    assert report.issues[0].fields == ["what"] and "413" in report.issues[0].reason


def test_reports_mark_the_failing_words():
    result = _summary(key_claims=[_claim(CASUALTIES, "Officials estimate that 413 civilians have been killed.",
                                         "Kessian officials", True)])
    result.grounding = ground(result, TEXT, policy="flag")
    md, page = render_markdown(result, TEXT), render_html(result, TEXT)
    assert "**413**" in md and "Its statement:" in md
    assert '<strong class="smz-failed">413</strong>' in page
