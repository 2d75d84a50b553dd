"""Grounding inside a summarize call, against a loopback fake serving HAND-WRITTEN responses.

The bodies come from ``tests/doubles/responses.py``; nothing here was produced by a model.
"""

from __future__ import annotations

import asyncio
import copy

import pytest
from pydantic import BaseModel

from summarizer import (
    ArticleSummary,
    ConfigurationError,
    OutputValidationError,
    Summarizer,
    provenance_of,
)
from summarizer.grounding import grounding_of, ungrounded

from ..doubles.responses import SEED_SUMMARY, completion, error

FAST = {"retry_max_wait": 0.05}
MADE_UP = {
    **SEED_SUMMARY["figures"][0],
    "quote": "Russia had amassed 50,000 troops in Kherson",  # the article says 20,000 to 30,000
    "text": "50,000",
    "value": 50000,
    "low": None,
    "high": None,
    "qualifier": "exact",
}


def with_figures(*figures: dict) -> dict:
    return {**copy.deepcopy(SEED_SUMMARY), "figures": list(figures)}


def make(fake, **options) -> Summarizer:
    return Summarizer("test-model", base_url=fake.base_url, **{**FAST, **options})


def test_an_invented_figure_is_reasked_and_the_fixed_answer_is_grounded(fake_llm, seed_text):
    fake_llm.reply(completion(arguments=with_figures(MADE_UP), prompt_tokens=1000, completion_tokens=200))
    fake_llm.reply(completion(arguments=SEED_SUMMARY, prompt_tokens=1300, completion_tokens=250))

    result = make(fake_llm).summarize(seed_text)

    assert len(fake_llm.requests) == 2
    reask = " ".join(str(m.get("content")) for m in fake_llm.requests[1]["messages"][2:])
    assert "figures[0]" in reask and "Russia had amassed 50,000 troops in Kherson" in reask
    assert "not in the article" in reask
    assert type(result) is ArticleSummary
    report = result.grounding
    assert report is not None and report.policy == "reask"
    assert (report.grounded, report.ungrounded, report.dropped, report.issues) == (4, 0, 0, [])
    figure = result.figures[0]
    assert figure.span is not None and seed_text[figure.span.start : figure.span.end] == figure.quote
    p = result.provenance
    assert p is not None and p.attempts == 2
    assert (p.usage.prompt_tokens, p.usage.completion_tokens, p.usage.total_tokens) == (2300, 450, 2750)


def test_a_number_missing_from_its_quote_is_named_in_the_reask(fake_llm, seed_text):
    wrong_value = {**SEED_SUMMARY["figures"][0], "value": 25000, "low": None, "high": None, "qualifier": "exact"}
    fake_llm.reply(completion(arguments=with_figures(wrong_value)))
    fake_llm.reply(completion(arguments=SEED_SUMMARY))
    make(fake_llm).summarize(seed_text)
    reask = " ".join(str(m.get("content")) for m in fake_llm.requests[1]["messages"][2:])
    assert "its value 25000 is not stated in its text" in reask


def test_what_still_fails_after_the_last_reask_is_dropped(fake_llm, seed_text):
    bad = with_figures(SEED_SUMMARY["figures"][0], MADE_UP)
    fake_llm.reply(completion(arguments=bad)).reply(completion(arguments=bad))

    result = make(fake_llm, max_reasks=1).summarize(seed_text)

    assert len(fake_llm.requests) == 2
    assert [f.quote for f in result.figures] == [SEED_SUMMARY["figures"][0]["quote"]]
    report = result.grounding
    assert report is not None and (report.dropped, report.ungrounded) == (1, 0)
    assert report.issues[0].path == "figures[1]" and report.issues[0].dropped
    assert result.provenance is not None and result.provenance.attempts == 2


@pytest.mark.parametrize("policy", ["flag", "drop"])
def test_flag_and_drop_never_ask_again(fake_llm, seed_text, policy):
    fake_llm.reply(completion(arguments=with_figures(SEED_SUMMARY["figures"][0], MADE_UP)))
    result = make(fake_llm, grounding=policy).summarize(seed_text)
    assert len(fake_llm.requests) == 1
    report = grounding_of(result)
    assert report is not None and report.policy == policy and report.grounded == 4
    if policy == "flag":
        assert len(result.figures) == 2 and report.ungrounded == 1
        assert [path for path, _ in ungrounded(result)] == ["figures[1]"]
        assert result.figures[1].grounding_error == "its quote is not in the article"
    else:
        assert len(result.figures) == 1 and report.dropped == 1 and ungrounded(result) == []


def test_async_grounds_too(fake_llm, seed_text):
    fake_llm.reply(completion(arguments=with_figures(MADE_UP))).reply(completion(arguments=SEED_SUMMARY))

    async def run():
        async with make(fake_llm) as s:
            return await s.asummarize(seed_text)

    result = asyncio.run(run())
    assert len(fake_llm.requests) == 2 and result.grounding is not None and result.grounding.grounded == 4


def test_the_schema_sent_never_mentions_what_the_library_adds(fake_llm, seed_text):
    fake_llm.reply(completion(arguments=SEED_SUMMARY))
    make(fake_llm).summarize(seed_text)
    sent = str(fake_llm.requests[0]["tools"])
    for hidden in ("span", "grounding", "provenance"):
        assert f"'{hidden}'" not in sent


class Dateline(BaseModel):
    """A user's own model: grounding applies to any item with a quote."""

    quote: str
    place: str


def test_users_own_model_is_grounded(fake_llm, seed_text):
    fake_llm.reply(completion(arguments={"quote": "By Tara Copp, The Associated Press", "place": "unknown"}, name="Dateline"))
    result = make(fake_llm).summarize(seed_text, response_model=Dateline)
    assert type(result) is Dateline
    report = grounding_of(result)
    assert report is not None and report.grounded == 1 and provenance_of(result) is not None


def test_users_own_model_root_item_that_never_grounds_is_flagged(fake_llm, seed_text):
    # A root item cannot be dropped: once the re-asks are spent it is kept and flagged.
    invented = {"quote": "MOSCOW (Reuters)", "place": "Moscow"}
    fake_llm.reply(completion(arguments=invented, name="Dateline")).reply(completion(arguments=invented, name="Dateline"))
    result = make(fake_llm, max_reasks=1).summarize(seed_text, response_model=Dateline)
    report = grounding_of(result)
    assert report is not None and report.ungrounded == 1 and [p for p, _ in ungrounded(result)] == ["$"]


def test_an_invalid_list_item_is_reasked_then_dropped_alone(fake_llm, seed_text):
    broken = {**SEED_SUMMARY["figures"][0], "low": 30000, "high": 20000}  # low above high
    answer = with_figures(broken, SEED_SUMMARY["figures"][0])
    fake_llm.reply(completion(arguments=with_figures(broken, MADE_UP))).reply(completion(arguments=answer))
    result = make(fake_llm, max_reasks=1).summarize(seed_text)
    assert len(fake_llm.requests) == 2  # re-asked once, then the bad item alone is dropped
    reask = " ".join(str(m.get("content")) for m in fake_llm.requests[1]["messages"][2:])
    # One re-ask names both problems: the broken range and the invented figure.
    assert "figures[0]: invalid" in reask and "greater than high" in reask
    assert "figures[1] (quote): its quote is not in the article (quote: 'Russia had amassed 50,000 troops" in reask
    assert len(result.figures) == 1 and result.figures[0].low == 20000
    report = result.grounding
    assert report is not None and report.dropped == 1 and report.grounded == 4
    assert report.issues[0].path == "figures[0]" and "greater than high" in report.issues[0].reason


@pytest.mark.parametrize("policy", ["flag", "drop"])
def test_an_invalid_list_item_is_dropped_at_once_without_reasks(fake_llm, seed_text, policy):
    broken = {**SEED_SUMMARY["figures"][0], "qualifier": "roughly"}  # not a qualifier
    fake_llm.reply(completion(arguments=with_figures(broken)))
    result = make(fake_llm, grounding=policy).summarize(seed_text)
    assert len(fake_llm.requests) == 1 and result.figures == []
    report = result.grounding
    assert report is not None and report.dropped == 1 and "invalid qualifier" in report.issues[0].reason


def test_an_invalid_answer_still_fails_typed_after_the_reasks(fake_llm, seed_text):
    broken = {**SEED_SUMMARY, "summary": ""}  # not an item: nothing to drop
    fake_llm.reply(completion(arguments=broken)).reply(completion(arguments=broken))
    with pytest.raises(OutputValidationError) as info:
        make(fake_llm, max_reasks=1, grounding="drop").summarize(seed_text)
    assert info.value.attempts == 2 and "summary" in str(info.value)


def test_a_reask_that_no_longer_fits_the_context_reports_the_invalid_answer(fake_llm, seed_text):
    broken = {**SEED_SUMMARY, "summary": ""}
    fake_llm.reply(completion(arguments=broken, prompt_tokens=7000, completion_tokens=900))
    fake_llm.reply(
        error(400, "This model's maximum context length is 8192 tokens", code="context_length_exceeded"), status=400
    )
    with pytest.raises(OutputValidationError) as info:
        make(fake_llm).summarize(seed_text)
    assert "summary" in str(info.value) and "exceed the model's context" in str(info.value)
    assert info.value.attempts == 1 and info.value.usage.total_tokens == 7900
    assert len(fake_llm.requests) == 2


def test_unknown_policy_is_a_configuration_error(fake_llm):
    with pytest.raises(ConfigurationError, match="grounding must be one of reask, flag, drop"):
        make(fake_llm, grounding="ignore")


def test_defaults():
    remote = Summarizer("m", base_url="http://127.0.0.1:9/v1")
    assert (remote.settings.grounding, remote.settings.max_reasks) == ("reask", 2)
    local = Summarizer("local")
    assert (local.settings.grounding, local.settings.max_reasks) == ("drop", 1)


def test_a_frozen_users_model_gets_its_spans_and_provenance(fake_llm, seed_text):
    from pydantic import ConfigDict

    from summarizer import Span

    class Byline(BaseModel):
        model_config = ConfigDict(frozen=True)
        quote: str
        span: Span | None = None

    fake_llm.reply(completion(arguments={"quote": "By Tara Copp, The Associated Press"}, name="Byline"))
    result = make(fake_llm).summarize(seed_text, response_model=Byline)
    assert result.span is not None and seed_text[result.span.start : result.span.end] == result.quote
    assert provenance_of(result) is not None and grounding_of(result) is not None
