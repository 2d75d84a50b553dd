"""Streaming progress (``on_progress``): the answer streamed, reported as it comes, and read as if sent whole.

Every answer here is HAND-WRITTEN (``tests/doubles/responses.py``); :class:`StreamingLLM`
below is a HAND-WRITTEN fake of an OpenAI-compatible server on 127.0.0.1 that cuts such
an answer into server-sent events the way OpenAI and llama.cpp's server do (a role
chunk, argument or content deltas, a finish chunk, then, when ``stream_options`` asks
for it, a usage chunk with no choices, then ``[DONE]``). Nothing here came from a
model. It answers from a queue and refuses anything past it (418), so a test sends a
bounded number of requests. No assertion depends on timing.
"""

from __future__ import annotations

import asyncio
import copy
import json
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner
from werkzeug import Request, Response

import summarizer.progress
from summarizer import Progress, Summarizer, asummarize, provenance_of, summarize
from summarizer.cli import app
from summarizer.transport import http

from .conftest import SEED
from .doubles.responses import SEED_SUMMARY, cite_answer, completion, error

_FAST = {"retry_max_wait": 0.01, "max_retries": 2}
_LISTS = ("key_claims", "figures", "actors", "peace_talk_conditions")


# -- the HAND-WRITTEN streaming server --------------------------------------------------------


def _chunk(choices: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"id": "chatcmpl-hand-written", "object": "chat.completion.chunk", "created": 1700000000,
            "model": "hand-written", "choices": choices, **extra}


def sse_events(answer: dict[str, Any], *, piece: int = 9, usage: bool = True, finish: bool = True) -> list[str]:
    """HAND-WRITTEN: a hand-written completion (``responses.completion``) cut into server-sent events.

    Tool-call arguments (or content) go out ``piece`` characters at a time; the usage
    goes in a last chunk without choices (as OpenAI and llama.cpp send it) when ``usage``.
    ``finish=False`` ends the stream before the answer's finish_reason (a server that gave up).
    """
    message = answer["choices"][0]["message"]
    chunks = [_chunk([{"index": 0, "delta": {"role": "assistant", "content": None}, "finish_reason": None}])]
    calls = message.get("tool_calls") or []
    if calls:
        call = calls[0]
        text = call["function"]["arguments"]
        chunks.append(_chunk([{"index": 0, "finish_reason": None, "delta": {"tool_calls": [
            {"index": 0, "id": call["id"], "type": "function", "function": {"name": call["function"]["name"], "arguments": ""}}
        ]}}]))
        for i in range(0, len(text), piece):
            chunks.append(_chunk([{"index": 0, "finish_reason": None, "delta": {"tool_calls": [
                {"index": 0, "function": {"arguments": text[i : i + piece]}}
            ]}}]))
    else:
        text = message.get("content") or ""
        for i in range(0, len(text), piece):
            chunks.append(_chunk([{"index": 0, "finish_reason": None, "delta": {"content": text[i : i + piece]}}]))
    if finish:
        chunks.append(_chunk([{"index": 0, "delta": {}, "finish_reason": answer["choices"][0]["finish_reason"]}]))
        if usage:
            chunks.append(_chunk([], usage=answer["usage"]))
    events = [f"data: {json.dumps(chunk)}\n\n" for chunk in chunks]
    return [*events, "data: [DONE]\n\n"] if finish else events


class StreamingLLM:
    """HAND-WRITTEN fake: answers each request from a queue, streamed when the request asks for a stream."""

    path = "/v1/chat/completions"

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.replies: list[tuple[dict[str, Any], int, dict[str, Any]]] = []
        self.requests: list[dict[str, Any]] = []
        server.expect_request(self.path, method="POST").respond_with_handler(self._handle)

    @property
    def base_url(self) -> str:
        return self.server.url_for("/v1")

    def reply(self, body: dict[str, Any], status: int = 200, **stream: Any) -> StreamingLLM:
        self.replies.append((body, status, stream))
        return self

    def _handle(self, request: Request) -> Response:
        sent = json.loads(request.get_data())
        self.requests.append(sent)
        if not self.replies:
            return Response('{"error": {"message": "no reply queued"}}', status=418)
        body, status, options = self.replies.pop(0)
        if status != 200 or not sent.get("stream"):
            return Response(json.dumps(body), status=status, content_type="application/json")
        usage = bool((sent.get("stream_options") or {}).get("include_usage")) and options.pop("usage", True)
        events = sse_events(body, usage=usage, **options)
        return Response(iter(e.encode() for e in events), content_type="text/event-stream")


@pytest.fixture
def llm(httpserver: HTTPServer) -> Iterator[StreamingLLM]:
    yield StreamingLLM(httpserver)


@pytest.fixture(autouse=True)
def _fresh_endpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    """What an earlier test's server refused is not remembered here (each test has its own)."""
    monkeypatch.setattr(http, "_WITHOUT_STREAM_OPTIONS", set())


def _summarizer(llm: StreamingLLM, **options: Any) -> Summarizer:
    return Summarizer("test-model", base_url=llm.base_url, **{**_FAST, **options})


def _bad_quote() -> dict[str, Any]:
    answer = copy.deepcopy(SEED_SUMMARY)
    answer["figures"][0]["quote"] = "a quote the article never had: 20,000 to 30,000"
    return answer


def _answered_items(answer: dict[str, Any]) -> list[tuple[str, str]]:
    return [(name, item.get("quote", item.get("sentence"))) for name in _LISTS for item in answer[name]]


# -- the stream, put back together ------------------------------------------------------------


def test_a_streamed_answer_reads_as_the_same_answer_sent_whole(llm, seed_text):
    answer = completion(arguments=SEED_SUMMARY, prompt_tokens=321, completion_tokens=123)
    llm.reply(answer).reply(answer)
    with _summarizer(llm) as s:
        whole = s.summarize(seed_text)
        events: list[Progress] = []
        streamed = s.summarize(seed_text, on_progress=events.append)
    plain, live = llm.requests
    assert "stream" not in plain  # without a listener nothing changes
    assert live["stream"] is True and live["stream_options"] == {"include_usage": True}
    assert {k: v for k, v in live.items() if k not in ("stream", "stream_options")} == plain
    assert streamed.model_dump(exclude={"provenance"}) == whole.model_dump(exclude={"provenance"})
    whole_p, streamed_p = provenance_of(whole), provenance_of(streamed)
    assert whole_p is not None and streamed_p is not None
    assert streamed_p.usage == whole_p.usage  # the usage of the final chunk
    assert (streamed_p.usage.prompt_tokens, streamed_p.usage.completion_tokens, streamed_p.usage.total_tokens) == (321, 123, 444)
    assert (streamed_p.attempts, streamed_p.transient_retries) == (1, 0)
    assert events


def test_events_grow_and_each_item_comes_checked_in_the_answers_order(llm, seed_text):
    llm.reply(completion(arguments=SEED_SUMMARY, completion_tokens=600))
    events: list[Progress] = []
    summarize(seed_text, model="test-model", base_url=llm.base_url, on_progress=events.append, **_FAST)
    # The first event comes when the request is sent, before any chunk: a server reads the whole prompt first.
    assert events[0].item is None and events[0].tokens == 0 and events[0].items == 0
    assert events[1].item is None and events[1].tokens <= 1  # the first chunk (the role) is reported at once
    tokens = [e.tokens for e in events]
    items = [e.items for e in events]
    assert tokens == sorted(tokens) and items == sorted(items)
    assert tokens[-1] == 600  # the server's count, once it gives one
    elapsed = [e.elapsed_s for e in events]
    assert elapsed == sorted(elapsed)
    done = [e for e in events if e.list_name is not None]
    assert [(e.list_name, getattr(e.item, "quote", None)) for e in done] == _answered_items(SEED_SUMMARY)
    assert [e.items for e in done] == list(range(1, len(done) + 1))
    for event in done:
        assert event.item is not None and event.item.checks  # type: ignore[attr-defined]
        assert all(check.ok for check in event.item.checks)  # type: ignore[attr-defined]
        assert event.item.span is not None  # type: ignore[attr-defined]
    assert {e.attempt for e in events} == {1}


def test_a_failing_item_is_reported_with_its_failed_checks_and_still_counted(llm, seed_text):
    answer = _bad_quote()
    answer["figures"].append(copy.deepcopy(SEED_SUMMARY["figures"][0]) | {"low": 30000, "high": 20000})  # invalid
    llm.reply(completion(arguments=answer))
    events: list[Progress] = []
    result = summarize(seed_text, model="test-model", base_url=llm.base_url, grounding="flag",
                       on_progress=events.append, **_FAST)
    figures = [e for e in events if e.list_name == "figures"]
    assert len(figures) == 2
    unsupported, invalid = figures
    assert unsupported.item is not None and unsupported.item.grounding_error  # type: ignore[attr-defined]
    assert [c.field for c in unsupported.item.checks if not c.ok] == ["quote"]  # type: ignore[attr-defined]
    assert invalid.item is None  # low above high: not an item of its class
    assert events[-1].items == sum(len(answer[name]) for name in _LISTS)
    assert result.figures and result.figures[0].grounding_error  # the result is flagged as always


def test_cited_items_are_filled_from_the_article_before_they_are_checked(llm, seed_text):
    answer = cite_answer(SEED_SUMMARY, seed_text)
    llm.reply(completion(arguments=answer))
    events: list[Progress] = []
    summarize(seed_text, model="test-model", base_url=llm.base_url, evidence="sentence",
              on_progress=events.append, **_FAST)
    done = [e for e in events if e.list_name is not None]
    assert [e.list_name for e in done] == [name for name in _LISTS for _ in answer[name]]
    for event in done:
        item = event.item
        assert item is not None and item.quote in seed_text and item.checks  # type: ignore[attr-defined]
        assert not hasattr(item, "sentence")  # the caller's class, not the cited twin


def test_sync_and_async_twins_report_the_same_events(llm, seed_text, monkeypatch):
    monkeypatch.setattr(summarizer.progress, "_TOKEN_EVENT_GAP", 0.0)  # every chunk reported: no clock involved
    answer = completion(arguments=_bad_quote())

    def seen(events: list[Progress]) -> list[tuple[Any, ...]]:
        return [(e.tokens, e.items, e.list_name, e.attempt, e.item.model_dump() if e.item is not None else None)
                for e in events]

    sync_events: list[Progress] = []
    llm.reply(answer).reply(completion(arguments=SEED_SUMMARY))
    sync = summarize(seed_text, model="test-model", base_url=llm.base_url, on_progress=sync_events.append, **_FAST)
    async_events: list[Progress] = []
    llm.reply(answer).reply(completion(arguments=SEED_SUMMARY))
    async_ = asyncio.run(asummarize(seed_text, model="test-model", base_url=llm.base_url,
                                    on_progress=async_events.append, **_FAST))
    assert seen(sync_events) == seen(async_events)
    assert {e.attempt for e in sync_events} == {1, 2}
    assert sync.model_dump(exclude={"provenance"}) == async_.model_dump(exclude={"provenance"})
    assert len(llm.requests) == 4


def test_an_unsupported_item_is_still_re_asked_when_streaming(llm, seed_text):
    llm.reply(completion(arguments=_bad_quote())).reply(completion(arguments=SEED_SUMMARY))
    events: list[Progress] = []
    result = summarize(seed_text, model="test-model", base_url=llm.base_url, grounding="reask",
                       on_progress=events.append, **_FAST)
    assert len(llm.requests) == 2 and all(r["stream"] for r in llm.requests)
    assert "not in the article" in json.dumps(llm.requests[1]["messages"])  # the re-ask says why
    assert provenance_of(result).attempts == 2  # type: ignore[union-attr]
    assert not result.figures[0].grounding_error
    first = [e for e in events if e.attempt == 1 and e.list_name == "figures"]
    assert first and first[0].item is not None and first[0].item.grounding_error  # type: ignore[attr-defined]
    assert any(e.attempt == 2 and e.items == 0 for e in events)  # a new answer counts from zero


@pytest.mark.parametrize(("mode", "content"), [
    ("json_schema", json.dumps(SEED_SUMMARY, indent=1)),  # as the embedded llama.cpp server answers
    ("md_json", "Here it is:\n```json\n" + json.dumps(SEED_SUMMARY) + "\n```"),
])
def test_an_answer_in_the_content_streams_alike(llm, seed_text, mode, content):
    answer = completion(content=content, finish_reason="stop", completion_tokens=400)
    llm.reply(answer).reply(answer)
    with _summarizer(llm, mode=mode) as s:
        whole = s.summarize(seed_text)
        events: list[Progress] = []
        streamed = s.summarize(seed_text, on_progress=events.append)
    assert streamed.model_dump(exclude={"provenance"}) == whole.model_dump(exclude={"provenance"})
    done = [e for e in events if e.list_name is not None]
    assert [(e.list_name, getattr(e.item, "quote", None)) for e in done] == _answered_items(SEED_SUMMARY)
    assert events[-1].tokens == 400


# -- what the server may do -------------------------------------------------------------------


def test_no_usage_in_the_stream_is_no_usage_not_an_invented_count(llm, seed_text):
    llm.reply(completion(arguments=SEED_SUMMARY), usage=False)
    events: list[Progress] = []
    result = summarize(seed_text, model="test-model", base_url=llm.base_url, on_progress=events.append, **_FAST)
    usage = provenance_of(result).usage  # type: ignore[union-attr]
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (0, 0, 0)
    assert events[-1].tokens > 0  # the deltas counted, shown as progress only


def test_a_server_that_refuses_stream_options_is_asked_again_without_them(llm, seed_text):
    llm.reply(error(400, "Unrecognized request argument supplied: stream_options"), status=400)
    llm.reply(completion(arguments=SEED_SUMMARY)).reply(completion(arguments=SEED_SUMMARY))
    with _summarizer(llm) as s:
        s.summarize(seed_text, on_progress=lambda _: None)
        s.summarize(seed_text, on_progress=lambda _: None)
    assert ["stream_options" in r for r in llm.requests] == [True, False, False]  # never sent to it again
    assert all(r["stream"] for r in llm.requests)


def test_a_stream_that_ends_before_its_answer_is_retried(llm, seed_text):
    llm.reply(completion(arguments=SEED_SUMMARY), finish=False).reply(completion(arguments=SEED_SUMMARY))
    result = summarize(seed_text, model="test-model", base_url=llm.base_url, on_progress=lambda _: None, **_FAST)
    provenance = provenance_of(result)
    assert provenance is not None and (provenance.attempts, provenance.transient_retries) == (1, 1)
    assert len(llm.requests) == 2


def test_a_server_that_does_not_stream_is_read_whole(fake_llm, seed_text):
    fake_llm.reply(completion(arguments=SEED_SUMMARY, prompt_tokens=7, completion_tokens=5))
    result = summarize(seed_text, model="test-model", base_url=fake_llm.base_url, on_progress=lambda _: None, **_FAST)
    assert fake_llm.requests[0]["stream"] is True
    assert provenance_of(result).usage.total_tokens == 12  # type: ignore[union-attr]


def test_a_callback_that_raises_is_warned_about_once_and_the_summary_goes_on(llm, seed_text):
    calls = []

    def broken(event: Progress) -> None:
        calls.append(event)
        raise ValueError("display failed")

    llm.reply(completion(arguments=SEED_SUMMARY))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = summarize(seed_text, model="test-model", base_url=llm.base_url, on_progress=broken, **_FAST)
    said = [w for w in caught if issubclass(w.category, RuntimeWarning) and "on_progress" in str(w.message)]
    assert len(said) == 1 and "display failed" in str(said[0].message)
    assert len(calls) == 1 and result.figures


def test_a_long_article_in_chunks_streams_nothing(llm, seed_text):
    for _ in range(12):
        llm.reply(completion(arguments=SEED_SUMMARY))
    events: list[Progress] = []
    summarize(seed_text, model="test-model", base_url=llm.base_url, chunk_tokens=400, grounding="drop",
              on_progress=events.append, **_FAST)
    assert events == [] and not any(r.get("stream") for r in llm.requests)


# -- the command line -------------------------------------------------------------------------


@pytest.fixture
def _cache_dir(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path / "cache"))


def _cli(llm: StreamingLLM, *extra: str) -> Any:
    args = ["summarize", str(SEED), "--model", "test-model", "--base-url", llm.base_url, "--format", "json", *extra]
    return CliRunner().invoke(app, args, catch_exceptions=False)


@pytest.mark.usefixtures("_cache_dir")
def test_no_progress_when_standard_error_is_not_a_terminal(llm):
    llm.reply(completion(arguments=SEED_SUMMARY))
    result = _cli(llm)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["figures"]
    assert "tok/s" not in result.stderr and "model:" not in result.stderr
    assert "stream" not in llm.requests[0]  # nothing listens: nothing streamed


@pytest.mark.usefixtures("_cache_dir")
def test_on_a_terminal_the_answer_streams_and_standard_output_stays_json(llm, monkeypatch):
    monkeypatch.setattr("summarizer.cli.summarize.on_terminal", lambda: True)
    llm.reply(completion(arguments=SEED_SUMMARY))
    result = _cli(llm)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["figures"]
    assert llm.requests[0]["stream"] is True


@pytest.mark.usefixtures("_cache_dir")
def test_no_progress_turns_the_live_line_off_on_a_terminal(llm, monkeypatch):
    monkeypatch.setattr("summarizer.cli.summarize.on_terminal", lambda: True)
    llm.reply(completion(arguments=SEED_SUMMARY))
    result = _cli(llm, "--no-progress")
    assert result.exit_code == 0, result.stderr
    assert "stream" not in llm.requests[0]


def test_the_live_line_reads_tokens_speed_items_and_time():
    from summarizer.cli.live import Line

    line = Line()
    assert line.text(line.started + 2.0) == "model: waiting for the first token · 2.0 s"
    line.update(Progress(tokens=0, tokens_per_second=0.0, items=0, elapsed_s=0.1))  # the request is sent
    assert line.text(line.started + 9.0) == "model: waiting for the first token · 9.0 s"
    line.update(Progress(tokens=312, tokens_per_second=9.84, items=4, elapsed_s=31.0))
    assert line.text(line.started + 31.8) == "model: 312 tokens · 9.8 tok/s · 4 items · 31.8 s"
    line.update(Progress(tokens=5, tokens_per_second=1.0, items=1, elapsed_s=40.0, attempt=2))
    assert line.text(line.started + 40.0).endswith("1 item · 40.0 s · answer 2")


def test_each_request_is_announced_before_its_first_chunk():
    from summarizer.progress import Tracker

    events: list[Progress] = []
    tracker = Tracker(events.append, {}, lambda cls, data: None)
    assert events == []  # made, nothing sent yet
    tracker.begin(1)  # the transport sends the request
    assert [(e.tokens, e.items, e.attempt) for e in events] == [(0, 0, 1)]
    tracker.chunk("{", "")
    tracker.begin(2)  # a re-ask: a new answer, announced too
    assert [(e.tokens, e.attempt) for e in events[2:]] == [(0, 2)]


def test_what_the_command_says_meanwhile_is_printed_above_the_live_line(capsys):
    """A warning said while the live line runs (the local model's, at its start) must not land on the line."""
    import io

    from rich.console import Console
    from rich.live import Live

    from summarizer.cli.live import Line
    from summarizer.cli.messages import say

    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=120)
    with Live(Line(), console=console, transient=True, redirect_stdout=False):
        say("the embedded model is small", prefix="warning")
    assert "warning: the embedded model is small" in screen.getvalue()  # through rich, above the line
    assert "warning" not in capsys.readouterr().err  # not written past it
