"""Replays of real answers recorded from llama-cpp-python's server running Gemma 3 270M,
the embedded model before it moved to llama.cpp's own server (the forced tool calls it sent).

The shipped default's own wire format (JSON-schema mode, every evidence mode, a streamed
answer) is replayed in ``test_local_cassettes.py``. These stay for what that does not
cover: a forced tool call answered by a real OpenAI-compatible server (how Ollama, vLLM
and LM Studio are called), a user's own response model in that mode, and a re-ask.

The tiny model's wording is poor and is never asserted; these tests check what the
library guarantees on real traffic through an OpenAI-compatible server: parsing into the
schema, the grammar's list cap, provenance, and token usage that matches what the server
reported. Re-recording needs such a server (``python -m llama_cpp.server`` with
``--chat_format chatml-function-calling``) named by ``SUMMARIZER_RECORD_URL``: today's embedded server
answers forced tool calls with plain text.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from pydantic import BaseModel

from summarizer import ArticleSummary, Summarizer, provenance_of
from summarizer.grounding import grounding_of

from ..conftest import LOCAL_ALIAS
from ..doubles.checks import check_grounded


def local_like(base_url: str) -> Summarizer:
    # The request model="local" sends, pointed at a server we recorded from.
    return Summarizer(LOCAL_ALIAS, base_url=base_url, max_items=3, max_tokens=2048, timeout=900, grounding="drop")


def recorded_usage(cassette) -> tuple[int, int]:
    """(requests, total tokens) as the server reported them in the cassette."""
    total = 0
    for response in cassette.responses:
        body = response["body"]["string"]
        total += json.loads(body)["usage"]["total_tokens"]
    return len(cassette.responses), total


def check_seed_summary(result: ArticleSummary, cassette, text: str) -> None:
    assert isinstance(result, ArticleSummary)
    for items in (result.key_claims, result.figures, result.actors, result.peace_talk_conditions):
        assert len(items) <= 3  # the grammar enforced the cap
    check_grounded(result, text)
    p = result.provenance
    assert p is not None and p.model == LOCAL_ALIAS and p.backend == "openai-compatible"
    requests, tokens = recorded_usage(cassette)
    assert p.attempts == requests and p.usage.total_tokens == tokens > 0


@pytest.mark.vcr
def test_seed_summary(llama_base_url, seed_text, vcr):
    with local_like(llama_base_url) as s:
        check_seed_summary(s.summarize(seed_text), vcr, seed_text)


@pytest.mark.vcr("test_seed_summary.yaml")
def test_seed_summary_async(llama_base_url, seed_text, vcr):
    async def run():
        async with local_like(llama_base_url) as s:
            return await s.asummarize(seed_text)

    check_seed_summary(asyncio.run(run()), vcr, seed_text)


class Dateline(BaseModel):
    """A user's own, smaller response model."""

    quote: str
    place: str
    reporter: str | None


@pytest.mark.vcr
def test_users_own_model(llama_base_url, seed_text, vcr):
    with local_like(llama_base_url) as s:
        result = s.summarize(seed_text, response_model=Dateline)
    assert isinstance(result, Dateline)
    p = provenance_of(result)
    requests, tokens = recorded_usage(vcr)
    assert p is not None and p.schema_version.startswith("Dateline@")
    assert p.attempts == requests and p.usage.total_tokens == tokens
    report = grounding_of(result)
    assert report is not None and report.checked == 1  # the model's own root item has a quote
    if report.grounded:
        assert result.quote.strip() in seed_text or report.fuzzy or report.normalized


# Matched on method and path, in order: the re-ask names every failed check, and since
# grounding truth/3 it also names the model's own words, so the second request's body is
# no longer the one recorded. Its answer is the real server's answer to the earlier
# wording of the same re-ask; what is asserted is the protocol, which that does not change.
@pytest.mark.vcr(match_on=["method", "path"])
def test_reask_through_the_real_server(llama_base_url, seed_text, vcr):
    # Recorded: the tiny model's first answer quotes text that is not in the article,
    # so the library re-asked once through llama.cpp's tool-call format, then dropped
    # what still failed. What is asserted is the protocol, never the model's wording.
    options = {"max_items": 3, "max_tokens": 2048, "timeout": 900, "grounding": "reask", "max_reasks": 1}
    with Summarizer(LOCAL_ALIAS, base_url=llama_base_url, **options) as s:
        result = s.summarize(seed_text)
    requests = [json.loads(r.body) for r in vcr.requests]
    assert len(requests) == 2
    reask = json.dumps(requests[1]["messages"][2:])
    assert "not supported by the article text" in reask
    p = result.provenance
    _, tokens = recorded_usage(vcr)
    assert p is not None and p.attempts == 2 and p.usage.total_tokens == tokens
    check_grounded(result, seed_text, policy="reask")
