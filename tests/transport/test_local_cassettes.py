"""Replays of the shipped default: real answers recorded from llama.cpp's own server (the ``xllamacpp``
wheel) running Qwen2.5-Coder 1.5B Instruct, the model ``model="local"`` runs, in JSON-schema mode.

One cassette per evidence mode, on the seed, with exactly the request ``model="local"``
sends (checked below against the settings the library resolves for it). The small
model's wording is never asserted: these tests check what the library guarantees on
the default's real wire format (``response_format`` with a JSON Schema, the grammar's
list cap, a streamed answer): parsing into the schema, what the library reads and fills
in a cited mode, grounding, provenance, and token usage that matches what the server
reported. Record them again (about two minutes an answer on two cores) with::

    pytest tests/transport/test_local_cassettes.py --record-mode=rewrite

which starts the embedded server on 127.0.0.1 (the ``[local]`` extra). Its random key
never reaches a cassette: the authorization header is filtered when recording.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest

from summarizer import ArticleSummary, Progress, Summarizer
from summarizer.config import DEFAULT_LOCAL_MODEL
from summarizer.grounding.cite import citable
from summarizer.grounding.reading import headline_of

from ..doubles.checks import check_grounded

ALIAS = DEFAULT_LOCAL_MODEL  # the alias the embedded server gives the default model
REPLAY = ("http://127.0.0.1:9/v1", "replayed")  # never contacted: a request not in its cassette fails


@pytest.fixture(scope="module")
def local_endpoint(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """(base URL, key): the embedded server when recording, a port nothing listens on when replaying."""
    if request.config.getoption("--record-mode") in (None, "none"):
        yield REPLAY
        return
    from summarizer.transport.local import local_server, stop_all

    server = local_server(f"local:{ALIAS}")
    yield server.base_url, server.api_key
    stop_all()


def as_local(endpoint: tuple[str, str], **options: Any) -> Summarizer:
    """The request ``model="local"`` sends, pointed at ``endpoint``."""
    base_url, key = endpoint
    return Summarizer(ALIAS, base_url=base_url, api_key=key, **{**local_defaults(), **options})


def local_defaults() -> dict[str, Any]:
    """What ``model="local"`` resolves to, besides its endpoint (guarded by the first test)."""
    return {"mode": "json_schema", "max_items": 3, "max_tokens": 2048, "timeout": 900, "grounding": "drop",
            "max_reasks": 1, "evidence": "sentence+numbers", "summary": "written", "measures": "read"}


def recorded_usage(cassette: Any) -> tuple[int, int]:
    """(requests, total tokens) as the server reported them in the cassette (the last event of a stream)."""
    total = 0
    for response in cassette.responses:
        body = response["body"]["string"]
        body = body.decode("utf-8") if isinstance(body, bytes) else body
        if body.startswith("data:"):
            events = [json.loads(line[5:]) for line in body.splitlines() if line.startswith("data:") and "[DONE]" not in line]
            total += next(e["usage"]["total_tokens"] for e in reversed(events) if e.get("usage"))
        else:
            total += json.loads(body)["usage"]["total_tokens"]
    return len(cassette.responses), total


def check_replayed(result: ArticleSummary, cassette: Any, text: str, evidence: str) -> None:
    assert isinstance(result, ArticleSummary)
    for items in (result.key_claims, result.figures, result.actors, result.peace_talk_conditions):
        assert len(items) <= 3  # the grammar enforced the cap
    check_grounded(result, text)
    p = result.provenance
    assert p is not None and p.model == ALIAS and p.mode == "json_schema_mode" and p.evidence == evidence
    requests, tokens = recorded_usage(cassette)
    assert p.attempts == requests and p.usage.total_tokens == tokens > 0
    sent = json.loads(cassette.requests[0].body)
    assert sent["response_format"]["type"] == "json_schema" and "tools" not in sent


def test_the_replayed_request_is_the_one_model_local_sends():
    """Guard: if the default's settings change, these cassettes no longer replay the default."""
    default = Summarizer("local").settings
    replayed = as_local(REPLAY).settings
    for name in [*local_defaults(), "temperature", "seed", "prompt_version"]:  # the seed fits one request either way
        assert getattr(default, name) == getattr(replayed, name), name


@pytest.mark.vcr
def test_default_sentence_and_numbers(local_endpoint, seed_text, vcr):
    with as_local(local_endpoint) as s:
        result = s.summarize(seed_text)
    check_replayed(result, vcr, seed_text, "sentence+numbers")
    view = citable(seed_text, numbers=True)
    # What the library reads, never the model: the headline is the article's first line, every figure's
    # text and values are a listed number's, every actor's name a listed name, the summary the article's sentences.
    assert result.headline == headline_of(seed_text)
    for figure in result.figures:
        assert any(seed_text[n.start : n.end] == figure.text for n in view.numbers)
    names = {n.name for n in view.names}
    assert all(actor.name in names for actor in result.actors)
    report = result.grounding
    assert report is not None and all(check.ok for check in report.summary)  # what is left was checked


@pytest.mark.vcr("test_default_sentence_and_numbers.yaml")
def test_default_sentence_and_numbers_async(local_endpoint, seed_text, vcr):
    async def run() -> ArticleSummary:
        async with as_local(local_endpoint) as s:
            return await s.asummarize(seed_text)

    check_replayed(asyncio.run(run()), vcr, seed_text, "sentence+numbers")


@pytest.mark.vcr
def test_sentence_mode(local_endpoint, seed_text, vcr):
    with as_local(local_endpoint, evidence="sentence") as s:
        result = s.summarize(seed_text)
    check_replayed(result, vcr, seed_text, "sentence")
    assert result.headline == headline_of(seed_text)


@pytest.mark.vcr
def test_quote_mode(local_endpoint, seed_text, vcr):
    with as_local(local_endpoint, evidence="quote") as s:
        result = s.summarize(seed_text)
    check_replayed(result, vcr, seed_text, "quote")


@pytest.mark.vcr
def test_default_streamed_with_progress(local_endpoint, seed_text, vcr):
    events: list[Progress] = []
    with as_local(local_endpoint) as s:
        result = s.summarize(seed_text, on_progress=events.append)
    check_replayed(result, vcr, seed_text, "sentence+numbers")
    sent = json.loads(vcr.requests[0].body)
    assert sent.get("stream") is True
    assert events and [e.tokens for e in events] == sorted(e.tokens for e in events)
    done = [e for e in events if e.item is not None]
    assert all(e.item.checks for e in done)  # every item shown was already checked
