"""The schema: what the model sees, what the library adds, and what validation enforces."""

from __future__ import annotations

import json

import pytest
from instructor import Mode
from pydantic import ValidationError

from summarizer import ArticleSummary, Figure, Summarizer
from summarizer.config import Target
from summarizer.transport.shaping import shape_tools

from .doubles.responses import SEED_SUMMARY, completion


def test_the_schema_has_the_four_lists_and_no_provenance():
    schema = ArticleSummary.model_json_schema()
    for name in ("headline", "summary", "key_claims", "figures", "actors", "peace_talk_conditions"):
        assert name in schema["properties"]
    assert "provenance" not in json.dumps(schema)
    assert set(schema["required"]) == {"headline", "summary", "key_claims", "figures", "actors", "peace_talk_conditions"}


def test_every_item_asks_for_a_quote_first():
    defs = ArticleSummary.model_json_schema()["$defs"]
    for name in ("KeyClaim", "Figure", "Actor", "PeaceTalkCondition"):
        assert next(iter(defs[name]["properties"])) == "quote"


def test_a_summary_round_trips_through_json():
    summary = ArticleSummary.model_validate(SEED_SUMMARY)
    assert ArticleSummary.model_validate_json(summary.model_dump_json()) == summary


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"value": None, "low": None, "high": None}, "needs a value"),
        ({"value": None, "low": 30000, "high": 20000}, "greater than high"),
        ({"quote": "   "}, "must not be empty"),
        ({"qualifier": "roughly"}, "qualifier"),
    ],
)
def test_figure_validation(change, message):
    with pytest.raises(ValidationError, match=message):
        Figure.model_validate({**SEED_SUMMARY["figures"][0], **change})


def test_model_supplied_provenance_is_overwritten(fake_llm, seed_text):
    forged_provenance = {
        "model": "forged", "endpoint": "evil.example", "backend": "x", "mode": "x",
        "prompt_version": "x", "prompt_sha256": "x", "schema_version": "x", "input_sha256": "x",
        "usage": {}, "attempts": 0, "transient_retries": 0, "latency_s": 0,
        "created_at": "2020-01-01T00:00:00Z", "library_version": "x",
    }
    forged = {**SEED_SUMMARY, "provenance": forged_provenance}
    fake_llm.reply(completion(arguments=forged))
    result = Summarizer("m", base_url=fake_llm.base_url).summarize(seed_text)
    assert result.provenance is not None and result.provenance.model == "m"
    assert result.provenance.endpoint != "evil.example" and result.provenance.attempts == 1


def test_openai_gets_a_strict_tool_schema():
    target = Target("openai", "gpt", None, "sk-x", Mode.TOOLS, True)
    kwargs = {"tools": [{"type": "function", "function": {"name": "ArticleSummary", "parameters": {}}}]}
    shaped = shape_tools(kwargs, target, ArticleSummary)
    function = shaped["tools"][0]["function"]
    assert function["strict"] is True and function["name"] == "ArticleSummary"
    assert shaped["parallel_tool_calls"] is False
    params = function["parameters"]
    assert params["additionalProperties"] is False
    assert set(params["required"]) == set(params["properties"])
    assert kwargs["tools"][0]["function"]["parameters"] == {}  # the input was not mutated


def test_max_items_caps_every_list_sent(fake_llm, seed_text):
    fake_llm.reply(completion(arguments=SEED_SUMMARY))
    Summarizer("m", base_url=fake_llm.base_url, max_items=2).summarize(seed_text)
    params = fake_llm.requests[0]["tools"][0]["function"]["parameters"]
    for name in ("key_claims", "figures", "actors", "peace_talk_conditions"):
        assert params["properties"][name]["maxItems"] == 2
    # the class's own schema is untouched
    assert ArticleSummary.model_json_schema()["properties"]["figures"]["maxItems"] == 40
