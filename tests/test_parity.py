"""``summarize`` and ``asummarize`` behave alike: the same scripted answers give the same result or error.

Every reply is HAND-WRITTEN (``tests/doubles/responses.py``); each case is run once
through the blocking twin and once through the async twin, each against a fresh
queue of the same replies, and what the caller sees is compared field by field:
the summary (less timestamps and latency), the grounding report, provenance counts,
and for a failure the error's type, message, usage, attempts and requests, and the
requests the server saw.
"""

from __future__ import annotations

import asyncio
import copy
import json
from datetime import date
from typing import Any

import pytest

from summarizer import CallError, Summarizer, SummarizerError, provenance_of

from .conftest import SEED
from .doubles.responses import SEED_SUMMARY, cite_answer, completion, error

_FAST = {"retry_max_wait": 0.01, "max_retries": 2}


def _bad_quote() -> dict[str, Any]:
    answer = copy.deepcopy(SEED_SUMMARY)
    answer["figures"][0]["quote"] = "a quote the article never had: 20,000 to 30,000"
    return answer


def _low_above_high() -> dict[str, Any]:
    answer = copy.deepcopy(SEED_SUMMARY)
    answer["figures"][0]["low"], answer["figures"][0]["high"] = 30000, 20000
    return answer


def _cited(wrong_figure: bool = False, numbers: bool = False) -> dict[str, Any]:
    answer = cite_answer(SEED_SUMMARY, SEED.read_text(encoding="utf-8"), numbers=numbers)
    if wrong_figure:
        answer["figures"][0]["sentence"] = 1  # the headline: not where the figure is
    return answer


# name -> (replies as (body, status), Summarizer options)
CASES: dict[str, tuple[list[tuple[dict[str, Any], int]], dict[str, Any]]] = {
    "answered": ([(completion(arguments=SEED_SUMMARY), 200)], {}),
    "re-asked, then grounded": ([(completion(arguments=_bad_quote()), 200), (completion(arguments=SEED_SUMMARY), 200)], {}),
    "re-asks spent, item dropped": ([(completion(arguments=_bad_quote()), 200)] * 2, {"max_reasks": 1}),
    "flagged": ([(completion(arguments=_bad_quote()), 200)], {"grounding": "flag"}),
    "invalid item dropped": ([(completion(arguments=_low_above_high()), 200)], {"grounding": "drop"}),
    "503, then answered": ([(error(503, "overloaded", type_="server_error"), 503), (completion(arguments=SEED_SUMMARY), 200)], {}),
    "malformed JSON every time": ([(completion(arguments="{not json"), 200)] * 3, {}),
    "truncated": ([(completion(arguments='{"headline": "x"', finish_reason="length"), 200)], {}),
    "refused": ([(completion(refusal="I cannot help with that."), 200)], {}),
    "401": ([(error(401, "Incorrect API key provided"), 401)], {}),
    "cited sentences, one re-asked": (
        [(completion(arguments=_cited(wrong_figure=True)), 200), (completion(arguments=_cited()), 200)],
        {"evidence": "sentence"},
    ),
    "cited numbers": ([(completion(arguments=_cited(numbers=True)), 200)], {"evidence": "sentence+numbers"}),
    "a long article in chunks": ([(completion(arguments=SEED_SUMMARY), 200)] * 12, {"chunk_tokens": 400, "grounding": "drop"}),
    "500 until the retries run out": ([(error(500, "boom", type_="server_error"), 500)] * 3, {}),
}


_PUBLISHED = "2022-11-10"  # both twins date every item alike (the summary compared holds each item's `when`)


def _outcome(fake_llm: Any, replies: list[tuple[dict[str, Any], int]], options: dict[str, Any], text: str,
             use_async: bool, on_progress: Any = None) -> dict[str, Any]:
    fake_llm.replies.clear()
    fake_llm.requests.clear()
    for body, status in replies:
        fake_llm.reply(body, status=status)
    summarizer = Summarizer("test-model", base_url=fake_llm.base_url, **{**_FAST, **options})
    try:
        if use_async:

            async def run() -> Any:
                async with summarizer:
                    return await summarizer.asummarize(text, published=_PUBLISHED, on_progress=on_progress)

            result = asyncio.run(run())
        else:
            with summarizer:
                result = summarizer.summarize(text, published=_PUBLISHED, on_progress=on_progress)
    except SummarizerError as exc:
        spent = (exc.usage, exc.attempts, exc.requests) if isinstance(exc, CallError) else None
        return {"error": type(exc).__name__, "message": str(exc), "spent": spent, "sent": len(fake_llm.requests)}
    provenance = provenance_of(result)
    assert provenance is not None
    return {
        "summary": result.model_dump(exclude={"provenance"}),
        "counts": (provenance.usage, provenance.attempts, provenance.transient_retries, provenance.chunks),
        "published": (provenance.published, provenance.published_from),
        "sent": len(fake_llm.requests),
        # chunks go out concurrently, in either twin's own order: compare what was sent, not when
        "messages": sorted(json.dumps(request["messages"], sort_keys=True) for request in fake_llm.requests),
    }


@pytest.mark.parametrize("case", list(CASES))
def test_sync_and_async_twins_behave_alike(fake_llm, seed_text, case):
    replies, options = CASES[case]
    sync = _outcome(fake_llm, replies, options, seed_text, use_async=False)
    async_ = _outcome(fake_llm, replies, options, seed_text, use_async=True)
    assert sync == async_
    assert sync["sent"] >= 1  # each case reached the server
    if "summary" in sync:
        assert sync["published"] == (date(2022, 11, 10), "argument")
    if case == "a long article in chunks":
        assert sync["counts"][3] > 1 and sync["sent"] == sync["counts"][3]


_STREAMED = ("answered", "re-asked, then grounded", "503, then answered", "truncated", "refused", "401")


@pytest.mark.parametrize("case", _STREAMED)
def test_twins_behave_alike_when_progress_is_listened_to(fake_llm, seed_text, case):
    """A listener asks for a stream; this server answers whole (as some do): both twins read it alike."""
    replies, options = CASES[case]
    sync = _outcome(fake_llm, replies, options, seed_text, use_async=False, on_progress=lambda _: None)
    assert all(request.get("stream") is True for request in fake_llm.requests)
    async_ = _outcome(fake_llm, replies, options, seed_text, use_async=True, on_progress=lambda _: None)
    assert sync == async_
    assert sync == _outcome(fake_llm, replies, options, seed_text, use_async=False)  # as without a listener


def test_the_cases_cover_both_outcomes(fake_llm, seed_text):
    kinds = {
        "error" in _outcome(fake_llm, *CASES[case], seed_text, use_async=False)
        for case in ("answered", "401")
    }
    assert kinds == {True, False}
