"""Replays of REAL OpenAI Chat Completions answers, recorded by other open-source projects.

Nothing here is hand-written. Each cassette is a third party's recording of
api.openai.com (one of OpenRouter), read in place from ``../shared/openai-cassettes``;
where each comes from, at which commit, and what it holds is described in
``../shared/openai-cassettes/SOURCES.md``. They are never copied into this repository,
and these tests skip when the folder is absent. Their requests were not ours, so they
are matched on method and path only. What is asserted is what a demanding caller wants
from our library when the real service answers that way: a typed error, no request
that should not have been made, usage and attempts accounted for, and no key shown.

The streamed (SSE) cassettes are replayed through the library's streaming path, the
one taken when a caller listens with ``on_progress`` (it sends ``stream=True`` with
``stream_options.include_usage``): traceloop's ``..._tools_streaming`` (three streamed
tool calls, from 2024 and 2026, never asked for usage), pydantic-ai's
``test_run_stream_sync_streams_real_model`` (a tool call, then text, each with a final
usage-only chunk), Mirascope's ``stream.yaml`` (a refusal streamed as ``refusal``
deltas; a stream cut at max_tokens) and magentic's re-ask (a forced tool call ending
"stop", a validation error sent back, a second answer). Their requests asked with or
without ``stream_options`` as their own libraries chose, which the method-and-path
match ignores: traceloop's did not, so its streams hold no usage chunk and the usage
asserted for them is zero (what the stream reported; the library cannot know more).
On top of the outcome, these assert that our requests asked for a stream with its
usage, that each answer's progress was reported (announced at zero tokens, never
going down, ending at the server's count when it gave one), that the answer put back
together is the one streamed, and that errors and provenance hold the usage of the
streams' usage chunks.

Not replayed: the answers sent whole, again with ``on_progress``. OpenAI streams when
asked, so they would only stand for a server that ignores ``stream=True``, which
``tests/test_progress.py`` covers with its hand-written fake. Nor is pydantic-ai's
second streamed turn replayed as an answer on its own: it answers a tool result the
library never sends, so it is played only as the re-ask after its first turn.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import vcr
import yaml
from pydantic import BaseModel, field_validator
from vcr.cassette import Cassette
from vcr.filters import decode_response
from vcr.persisters.filesystem import FilesystemPersister
from vcr.request import Request
from vcr.serializers.compat import convert_to_bytes

from summarizer import (
    AuthenticationError,
    BadRequestError,
    ModelNotFoundError,
    OutputValidationError,
    Progress,
    RateLimitError,
    RefusalError,
    Summarizer,
    TruncationError,
    Usage,
    provenance_of,
)

from ..conftest import SHARED

CASSETTES = SHARED / "openai-cassettes"
KEY = "sk-test-cassette-0123"

DATADOG = "DataDog__dd-trace-py/tests/contrib/openai/cassettes/v1/"
MIRASCOPE = "Mirascope__mirascope/python/tests/e2e/"
PYDANTIC_AI = "pydantic__pydantic-ai/tests/"
TRACELOOP = "traceloop__openllmetry/packages/opentelemetry-instrumentation-openai/tests/traces/cassettes/"
WEAVE = "wandb__weave/weave/integrations/instructor/cassettes/instructor_test/"


# -- loading third-party layouts --------------------------------------------------


def _drop_headers(headers: dict[str, Any], *names: str) -> None:
    for name in [name for name in headers if name.lower() in names]:
        del headers[name]


def _standard(interaction: dict[str, Any]) -> dict[str, Any]:
    """Rewrite the two non-standard layouts, in memory, as vcrpy's own.

    pydantic-ai stores bodies as YAML under ``parsed_body``, which vcrpy cannot load.
    DataDog's older httpx layout has ``content`` and ``status_code``, with a body already
    decoded while its ``Content-Encoding: gzip`` header is still set; vcrpy 9.4 reads it
    only through a legacy fallback that tries to gunzip plain text, so it is converted
    here too. Either way the body is now plain text, and its encoding and length headers
    no longer describe it.
    """
    request, response = interaction["request"], interaction["response"]
    if "parsed_body" in request:
        request["body"] = json.dumps(request.pop("parsed_body"))
    if "parsed_body" in response:
        response["body"] = {"string": json.dumps(response.pop("parsed_body"))}
        _drop_headers(response["headers"], "content-encoding", "content-length", "transfer-encoding")
    if "status_code" in response:
        response["status"] = {"code": response.pop("status_code"), "message": ""}
        response["body"] = {"string": response.pop("content")}
        response.pop("http_version", None)
        _drop_headers(response["headers"], "content-encoding", "content-length", "transfer-encoding")
    return interaction


class ThirdPartyPersister(FilesystemPersister):
    """Reads any of the three layouts; never writes (every replay is ``record_mode="none"``)."""

    @classmethod
    def load_cassette(cls, cassette_path: str | Path, serializer: Any) -> tuple[list[Any], list[Any]]:
        data = yaml.safe_load(Path(cassette_path).read_text(encoding="utf-8"))
        interactions = [_standard(interaction) for interaction in data["interactions"]]
        return (
            [Request(**i["request"]) for i in interactions],
            [convert_to_bytes(i["response"]) for i in interactions],
        )


_VCR = vcr.VCR(match_on=["method", "path"], record_mode="none")
_VCR.register_persister(ThirdPartyPersister)


@contextmanager
def replay(name: str, **options: Any) -> Iterator[Cassette]:
    path = CASSETTES / name
    if not path.is_file():
        pytest.skip(f"{path} is absent (shared third-party cassettes not available)")
    with _VCR.use_cassette(str(path), **options) as cassette:
        yield cassette


def answers(cassette: Cassette) -> list[dict[str, Any]]:
    """The JSON bodies the service really sent, in order (a text/plain error has none)."""
    decoded = [decode_response(response) for response in cassette.responses]
    return [
        json.loads(response["body"]["string"])
        for response in decoded
        if "json" in str({k.lower(): v for k, v in response["headers"].items()}.get("content-type"))
    ]


def recorded_usage(bodies: list[dict[str, Any]]) -> Usage:
    total = Usage()
    for body in bodies:
        total = total + Usage(**{k: body["usage"][k] for k in ("prompt_tokens", "completion_tokens", "total_tokens")})
    return total


def produced(body: dict[str, Any]) -> str:
    """What the model wrote: tool-call arguments, legacy function-call arguments, or content."""
    message = body["choices"][0]["message"]
    if message.get("tool_calls"):
        return str(message["tool_calls"][0]["function"]["arguments"])
    if message.get("function_call"):
        return str(message["function_call"]["arguments"])
    return str(message["content"])


def streamed(cassette: Cassette) -> list[list[dict[str, Any]]]:
    """The chunks of each streamed (SSE) answer the service really sent, in order (``[DONE]`` left out)."""
    answers = []
    for response in (decode_response(response) for response in cassette.responses):
        body = response["body"]["string"]
        text = body.decode("utf-8") if isinstance(body, bytes) else str(body)
        answers.append([json.loads(line[len("data: "):]) for line in text.splitlines() if line.startswith("data: ") and line != "data: [DONE]"])
    return answers


def _deltas(chunks: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    return (chunk["choices"][0]["delta"] for chunk in chunks if chunk["choices"])


def streamed_text(chunks: list[dict[str, Any]], part: str = "content") -> str:
    """The first choice's ``content`` (or ``refusal``) deltas, put together."""
    return "".join(delta.get(part) or "" for delta in _deltas(chunks))


def streamed_arguments(chunks: list[dict[str, Any]]) -> str:
    """The first choice's tool-call argument deltas, put together (each stream here has one call at most)."""
    return "".join(call["function"].get("arguments") or "" for delta in _deltas(chunks) for call in delta.get("tool_calls") or [])


def streamed_produced(chunks: list[dict[str, Any]]) -> str:
    """What the model wrote in a stream, as :func:`produced` reads it from an answer sent whole."""
    return streamed_arguments(chunks) or streamed_text(chunks)


def stream_usage(chunks: list[dict[str, Any]]) -> Usage:
    """The usage of the stream's usage chunk (sent only when asked with ``stream_options``); zero without one."""
    reported = [chunk["usage"] for chunk in chunks if chunk.get("usage")]
    return recorded_usage([{"usage": reported[-1]}]) if reported else Usage()


def check_progress(events: list[Progress], answers: list[list[dict[str, Any]]]) -> None:
    """Each streamed answer's progress was reported, in order: announced at zero tokens, never going
    down, ending at the server's completion tokens (without a usage chunk: at the deltas received)."""
    assert [e.attempt for e in events] == sorted(e.attempt for e in events)
    assert {e.attempt for e in events} == set(range(1, len(answers) + 1))
    assert [e.elapsed_s for e in events] == sorted(e.elapsed_s for e in events)
    for attempt, chunks in enumerate(answers, 1):
        tokens = [e.tokens for e in events if e.attempt == attempt]
        assert tokens[0] == 0 and tokens == sorted(tokens)
        deltas = sum(
            1 for delta in _deltas(chunks)
            if delta.get("content") or any(call["function"].get("arguments") for call in delta.get("tool_calls") or [])
        )
        assert tokens[-1] == (stream_usage(chunks).completion_tokens or deltas) > 0
    assert KEY not in repr(events)


@contextmanager
def replay_streamed(name: str, **options: Any) -> Iterator[tuple[Cassette, list[dict[str, Any]]]]:
    """:func:`replay`, keeping the bodies we send (vcrpy shows each to ``before_record_request``, maybe twice)."""
    sent: list[dict[str, Any]] = []

    def keep(request: Request) -> Request:
        sent.append(json.loads(request.body))
        return request

    with replay(name, before_record_request=keep, **options) as cassette:
        sent.clear()  # the recorded requests, as vcrpy loaded them
        yield cassette, sent


def asked_to_stream(sent: list[dict[str, Any]]) -> bool:
    return bool(sent) and all(body["stream"] is True and body["stream_options"] == {"include_usage": True} for body in sent)


@pytest.fixture(params=["sync", "async"])
def summarize(request: pytest.FixtureRequest, seed_text: str) -> Callable[..., Any]:
    """Summarize the seed with the default OpenAI backend and a dummy key, sync or async."""

    def run(*, response_model: Any = None, on_progress: Callable[[Progress], object] | None = None, **options: Any) -> Any:
        summarizer = Summarizer(api_key=KEY, retry_max_wait=0.01, **options)
        if request.param == "sync":
            with summarizer:
                return summarizer.summarize(seed_text, response_model=response_model, on_progress=on_progress)

        async def arun() -> Any:
            async with summarizer:
                return await summarizer.asummarize(seed_text, response_model=response_model, on_progress=on_progress)

        return asyncio.run(arun())

    return run


# -- provider errors ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected", "hint"),
    [
        pytest.param(
            MIRASCOPE + "input/cassettes/test_authentication_error/openai_gpt_4o_completions.yaml",
            AuthenticationError, "OPENAI_API_KEY", id="401-mirascope",
        ),
        pytest.param(DATADOG + "chat_completion_error.yaml", AuthenticationError, "OPENAI_API_KEY", id="401-datadog"),
        pytest.param(
            PYDANTIC_AI + "cassettes/test_model_name_suggestions/test_model_name_suggestion[openai-chat].yaml",
            ModelNotFoundError, "Check the model name", id="404-model_not_found",
        ),
        pytest.param(
            PYDANTIC_AI + "models/cassettes/test_openai/test_openai_o1_mini_system_role[system].yaml",
            BadRequestError, None, id="400-unsupported_value",
        ),
    ],
)
def test_permanent_errors_fail_at_once_with_the_providers_message(summarize, caplog, name, expected, hint):
    caplog.set_level(logging.DEBUG)
    with replay(name) as cassette, pytest.raises(expected) as caught:
        summarize()
    err, (body,) = caught.value, answers(cassette)
    assert cassette.play_count == 1  # neither retried nor re-asked
    assert not err.retryable and err.status_code == cassette.responses[0]["status"]["code"]
    assert err.code == body["error"]["code"]
    assert body["error"]["message"].rstrip(".") in str(err) and ".. " not in str(err)
    assert hint is None or hint in str(err)
    assert KEY not in str(err) and KEY not in repr(err) and KEY not in caplog.text


@pytest.mark.parametrize("max_retries", [0, 1, 2])
def test_openrouter_rate_limit_is_retried_max_retries_times(summarize, max_retries):
    # Three real 429s in a row without retry-after: retried with backoff, then given up.
    name = PYDANTIC_AI + "models/cassettes/test_openrouter/test_openrouter_errors_raised.yaml"
    with replay(name) as cassette, pytest.raises(RateLimitError) as caught:
        summarize(model="google/gemini-2.0-flash-exp:free", base_url="https://openrouter.ai/api/v1", max_retries=max_retries)
    assert cassette.play_count == max_retries + 1
    assert caught.value.retryable and caught.value.status_code == 429
    assert f"after {max_retries + 1} {'try' if max_retries == 0 else 'tries'}" in str(caught.value)
    assert caught.value.requests == cassette.play_count  # every request the service saw, failed ones included


def test_503_text_plain_is_retried_then_the_answer_is_judged(summarize):
    # crewAI's real 503 (a text/plain proxy error) and the 200 that followed. The 503 is
    # transient and is retried. The 200 answered crewAI's own agent prompt in free text,
    # with no tool call, so it cannot be an ArticleSummary: the right outcome is a typed
    # OutputValidationError that keeps that text and its usage (a caller may retry),
    # not a crash. max_reasks=0: a re-ask would need a third answer the cassette lacks.
    with (
        replay("crewAIInc__crewAI/tests/cassettes/test_task_allow_crewai_trigger_context.yaml") as cassette,
        pytest.raises(OutputValidationError) as caught,
    ):
        summarize(max_reasks=0)
    err, ok = caught.value, answers(cassette)  # the 200 only
    assert cassette.play_count == 2 and err.attempts == 1
    assert err.usage == recorded_usage(ok)
    assert err.raw_output == produced(ok[0]) and err.raw_output.startswith("I now can give a great answer")
    assert any("No tool calls" in line for line in err.errors)


# -- answers that cannot be used ------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "mode"),
    [
        pytest.param(TRACELOOP + "test_chat_parse/test_parsed_refused_completion.yaml", "json_schema", id="traceloop"),
        pytest.param(MIRASCOPE + "output/cassettes/test_refusal/openai_gpt_4o_completions/sync.yaml", None, id="mirascope"),
    ],
)
def test_refusal_is_reported_with_its_text_and_not_re_asked(summarize, name, mode):
    with replay(name) as cassette, pytest.raises(RefusalError) as caught:
        summarize(mode=mode)
    err, first = caught.value, answers(cassette)[0]
    assert cassette.play_count == 1 and err.attempts == 1
    assert err.refusal == first["choices"][0]["message"]["refusal"] == "I'm very sorry, but I can't assist with that request."
    assert err.refusal in str(err) and err.usage == recorded_usage([first])


def test_truncation_stops_at_once_with_usage(summarize):
    with (
        replay(MIRASCOPE + "output/cassettes/test_max_tokens/openai_gpt_4o_completions/sync.yaml") as cassette,
        pytest.raises(TruncationError) as caught,
    ):
        summarize()
    err, bodies = caught.value, answers(cassette)
    assert cassette.play_count == 1 and err.attempts == 1
    assert err.usage == recorded_usage(bodies) == Usage(prompt_tokens=14, completion_tokens=50, total_tokens=64)
    assert err.raw_output == produced(bodies[0])


# Real answers to other projects' schemas, each replayed in the mode that asked for it
# (tools: forced tool call; json: json_object; json_schema: strict response_format).
OTHER_SCHEMAS = [
    pytest.param(WEAVE + "test_instructor_openai.yaml", None, id="weave-tool-call-finish-stop"),
    pytest.param(WEAVE + "test_instructor_iterable.yaml", "json", id="weave-json_object"),
    pytest.param(TRACELOOP + "test_chat_parse/test_parsed_completion.yaml", "json_schema", id="traceloop-json_schema"),
    pytest.param(TRACELOOP + "test_functions/test_open_ai_function_calls_tools_parallel.yaml", None, id="traceloop-parallel-tools"),
    pytest.param(TRACELOOP + "test_functions/test_open_ai_function_calls.yaml", None, id="traceloop-legacy-function_call"),
    pytest.param(PYDANTIC_AI + "models/cassettes/test_openai/test_openai_native_output.yaml", "json_schema", id="pydantic-ai-native"),
    pytest.param(PYDANTIC_AI + "models/cassettes/test_openai/test_openai_prompted_output.yaml", "json", id="pydantic-ai-prompted"),
    pytest.param(PYDANTIC_AI + "models/cassettes/test_openai/test_openai_tool_output.yaml", None, id="pydantic-ai-tool"),
    pytest.param(MIRASCOPE + "output/cassettes/test_structured_output/strict/openai_gpt_4o_completions/sync.yaml", "json_schema", id="mirascope-strict"),
    pytest.param(MIRASCOPE + "output/cassettes/test_structured_output/json/openai_gpt_4o_completions/sync.yaml", "json", id="mirascope-json"),
    pytest.param(MIRASCOPE + "output/cassettes/test_structured_output/tool/openai_gpt_4o_completions/sync.yaml", None, id="mirascope-tool"),
    # Despite its name, finish_reason is "stop": plain text where a tool call was forced.
    pytest.param(DATADOG + "chat_completion_truncation.yaml", None, id="datadog-plain-text"),
]


@pytest.mark.parametrize(("name", "mode"), OTHER_SCHEMAS)
def test_answers_to_other_schemas_are_typed_validation_errors(summarize, name, mode):
    # One re-ask per further recorded answer, so every real answer is played once, in order.
    with replay(name) as cassette, pytest.raises(OutputValidationError) as caught:
        summarize(mode=mode, max_reasks=len(cassette) - 1)
    err, bodies = caught.value, answers(cassette)
    assert err.attempts == cassette.play_count == len(cassette)
    assert err.usage == recorded_usage(bodies)
    assert err.raw_output == produced(bodies[-1]) and err.errors


def test_re_asks_stop_at_max_reasks(summarize):
    # weave's one real answer, played again for each re-ask: 1 + max_reasks requests.
    with (
        replay(WEAVE + "test_instructor_openai.yaml", allow_playback_repeats=True) as cassette,
        pytest.raises(OutputValidationError) as caught,
    ):
        summarize(max_reasks=2)
    err, (body,) = caught.value, answers(cassette)
    assert err.attempts == cassette.play_count == 3
    assert err.usage.total_tokens == 3 * body["usage"]["total_tokens"]


# -- streamed answers (a caller listening with on_progress) ----------------------------------

TRACELOOP_STREAM = TRACELOOP + "test_functions/test_open_ai_function_calls_tools_streaming.yaml"
PYDANTIC_AI_STREAM = PYDANTIC_AI + "models/cassettes/test_openai/test_run_stream_sync_streams_real_model.yaml"
MAGENTIC_REASK = "jackmpcollins__magentic/tests/chat_model/cassettes/test_retry_chat_model/test_retry_chat_model_complete_openai.yaml"


# The tools the recorded streams called, as their tests declared them: instructor reads
# a tool call only if its name is the response model's.
class get_current_weather(BaseModel):
    """Get the current weather"""

    location: str


class get_capital(BaseModel):
    country: str


class return_country(BaseModel):
    name: str

    @field_validator("name")
    @classmethod
    def _ireland(cls, value: str) -> str:  # magentic's own check: its first answer (Canada) fails it
        if value != "Ireland":
            raise ValueError("Country must be Ireland.")
        return value


@pytest.mark.parametrize(
    "name",
    [
        # Three streamed tool calls (2024, and 2026 with `refusal`, `service_tier`, `obfuscation`), no usage chunk.
        pytest.param(TRACELOOP_STREAM, id="traceloop-tool-calls-no-usage"),
        # A tool call, then text (`content: ""` first), each ending with a usage-only chunk (`choices: []`).
        pytest.param(PYDANTIC_AI_STREAM, id="pydantic-ai-tool-call-then-text"),
        # A forced tool call ending "stop" (not "tool_calls"), twice, with usage chunks.
        pytest.param(MAGENTIC_REASK, id="magentic-forced-tool-finish-stop"),
    ],
)
def test_streamed_answers_to_other_schemas_are_typed_validation_errors(summarize, caplog, name):
    # As test_answers_to_other_schemas_are_typed_validation_errors, streamed: one re-ask per
    # further recorded stream, each put back together and judged as an answer sent whole.
    caplog.set_level(logging.DEBUG)
    events: list[Progress] = []
    with replay_streamed(name) as (cassette, sent), pytest.raises(OutputValidationError) as caught:
        summarize(max_reasks=len(cassette) - 1, on_progress=events.append)
    err, streams = caught.value, streamed(cassette)
    assert err.attempts == cassette.play_count == len(cassette)
    assert err.usage == sum((stream_usage(chunks) for chunks in streams), Usage())
    assert err.raw_output == streamed_produced(streams[-1]) and err.errors
    check_progress(events, streams)
    assert asked_to_stream(sent)
    assert KEY not in str(err) and KEY not in repr(err) and KEY not in caplog.text


@pytest.mark.parametrize(
    ("name", "model"),
    [
        # traceloop's streams never asked for usage: provenance can say no more than zero.
        pytest.param(TRACELOOP_STREAM, get_current_weather, id="traceloop-no-usage-chunk"),
        # pydantic-ai's first turn only: its second answers a tool result the library never sends.
        pytest.param(PYDANTIC_AI_STREAM, get_capital, id="pydantic-ai-usage-chunk"),
    ],
)
def test_streamed_tool_calls_are_put_back_together_and_parsed(summarize, caplog, name, model):
    caplog.set_level(logging.DEBUG)
    with replay_streamed(name) as (cassette, sent):
        calls = [chunks for chunks in streamed(cassette) if streamed_arguments(chunks)]
        for chunks in calls:  # one summary per recorded stream, played in order
            events: list[Progress] = []
            result = summarize(response_model=model, on_progress=events.append)
            called = next(call["function"]["name"] for delta in _deltas(chunks) for call in delta.get("tool_calls") or [])
            assert type(result) is model and called == model.__name__
            assert result.model_dump() == json.loads(streamed_arguments(chunks))
            p = provenance_of(result)
            assert p is not None and p.attempts == 1 and p.usage == stream_usage(chunks)
            check_progress(events, [chunks])
            assert KEY not in result.model_dump_json() and KEY not in p.model_dump_json()
    assert cassette.play_count == len(calls) > 0
    assert asked_to_stream(sent) and KEY not in caplog.text


def test_streamed_re_ask_is_answered_and_parsed(summarize, caplog):
    # magentic's real re-ask: Canada fails the model's own check, the error goes back with the
    # first answer put back together, and the second stream (Ireland) is the summary.
    caplog.set_level(logging.DEBUG)
    events: list[Progress] = []
    with replay_streamed(MAGENTIC_REASK) as (cassette, sent):
        result = summarize(response_model=return_country, max_reasks=1, on_progress=events.append)
    streams = streamed(cassette)
    assert type(result) is return_country and result.name == "Ireland"
    assert [json.loads(streamed_arguments(chunks)) for chunks in streams] == [{"name": "Canada"}, {"name": "Ireland"}]
    p = provenance_of(result)
    assert p is not None and p.attempts == cassette.play_count == 2
    assert p.usage == stream_usage(streams[0]) + stream_usage(streams[1]) == Usage(prompt_tokens=159, completion_tokens=10, total_tokens=169)
    check_progress(events, streams)
    reask = json.dumps(sent[-1]["messages"])
    assert "Country must be Ireland" in reask and json.dumps(streamed_arguments(streams[0])) in reask
    assert asked_to_stream(sent)
    assert KEY not in result.model_dump_json() and KEY not in p.model_dump_json() and KEY not in caplog.text


def test_streamed_refusal_is_reported_with_its_text_and_usage(summarize, caplog):
    # The refusal comes as `refusal` deltas (content null) and the stream ends "stop".
    caplog.set_level(logging.DEBUG)
    events: list[Progress] = []
    with (
        replay_streamed(MIRASCOPE + "output/cassettes/test_refusal/openai_gpt_4o_completions/stream.yaml") as (cassette, sent),
        pytest.raises(RefusalError) as caught,
    ):
        summarize(mode="json_schema", on_progress=events.append)
    err, (chunks,) = caught.value, streamed(cassette)
    assert cassette.play_count == 1 and err.attempts == 1
    assert err.refusal == streamed_text(chunks, "refusal") == "I'm very sorry, but I can't assist with that request."
    assert err.refusal in str(err) and err.usage == stream_usage(chunks) == Usage(prompt_tokens=64, completion_tokens=13, total_tokens=77)
    check_progress(events, [chunks])
    assert asked_to_stream(sent)
    assert KEY not in str(err) and KEY not in repr(err) and KEY not in caplog.text


def test_streamed_truncation_stops_at_once_with_the_streams_usage(summarize, caplog):
    # Cut at max_tokens=50: finish_reason "length", then the usage-only chunk.
    caplog.set_level(logging.DEBUG)
    events: list[Progress] = []
    with (
        replay_streamed(MIRASCOPE + "output/cassettes/test_max_tokens/openai_gpt_4o_completions/stream.yaml") as (cassette, sent),
        pytest.raises(TruncationError) as caught,
    ):
        summarize(on_progress=events.append)
    err, (chunks,) = caught.value, streamed(cassette)
    assert cassette.play_count == 1 and err.attempts == 1
    assert err.usage == stream_usage(chunks) == Usage(prompt_tokens=14, completion_tokens=50, total_tokens=64)
    assert err.raw_output == streamed_text(chunks) and err.raw_output.startswith("Here is a list of all 50 U.S. states")
    check_progress(events, [chunks])
    assert asked_to_stream(sent)
    assert KEY not in str(err) and KEY not in repr(err) and KEY not in caplog.text
