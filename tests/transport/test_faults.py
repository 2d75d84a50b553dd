"""Provider faults, served for real on 127.0.0.1 by ``_faults.FaultServer`` (HAND-WRITTEN responses).

Each fault a real provider produces (429 with Retry-After, 500, 503, a hang past the
time-out, a connection dropped mid-body or closed without an answer, a gateway's HTML
page, a completion without choices, truncated, malformed, schema-invalid or ungrounded
output, a refusal, a content filter, 400, 401, 404, context too long) ends in a result or
a typed error within the configured bounds; usage, attempts and requests reported by the
library are compared with what the server saw. Then a batch of 200 articles with 20% mixed faults,
its resume, and a run killed at a random moment.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from typing import Any

import pytest

from summarizer import (
    ArticleSummary,
    AuthenticationError,
    BadRequestError,
    ContextLengthError,
    ModelNotFoundError,
    OutputValidationError,
    ProviderError,
    ProviderUnavailableError,
    RateLimitError,
    RefusalError,
    Summarizer,
    SummarizerError,
    TruncationError,
    summarize_many,
)
from summarizer.batch import read_output
from summarizer.chunking import split_text

from ..conftest import ROOT
from ..doubles.faults import NOT_JSON, PERMANENT, REASKED, TOO_LARGE, TRANSIENT, FaultServer, Seen, seed_answer

KEY = "sk-fault-test-012345"
TIMEOUT = 1.0  # the client's; a "hang" outlasts it (short, yet long enough for a loaded CI machine)


@pytest.fixture
def server():
    with FaultServer(hang=TIMEOUT * 3) as fs:
        yield fs


def make(fs: FaultServer, **options: Any) -> Summarizer:
    defaults = {"api_key": KEY, "timeout": TIMEOUT, "retry_max_wait": 0.05, "max_retries": 2}
    return Summarizer("test-model", base_url=fs.base_url, **{**defaults, **options})


def run(summarizer: Summarizer, text: str, use_async: bool) -> ArticleSummary:
    if use_async:
        async def go() -> ArticleSummary:
            async with summarizer:
                return await summarizer.asummarize(text)

        return asyncio.run(go())
    with summarizer:
        return summarizer.summarize(text)


def usage_tuple(usage: Any) -> tuple[int, int, int]:
    return usage.prompt_tokens, usage.completion_tokens, usage.total_tokens


def test_a_server_that_is_not_there_is_named_as_such(seed_text):
    import socket

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    s = Summarizer("m", base_url=f"http://127.0.0.1:{port}/v1", max_retries=1, retry_max_wait=0.01)
    with pytest.raises(ProviderUnavailableError, match="could not connect to 127.0.0.1.* after 2 tries: is the server"):
        s.summarize(seed_text)


def test_the_server_is_loopback_only_and_bounded(seed_text):
    with FaultServer(max_requests=1) as fs:
        assert fs.base_url.startswith("http://127.0.0.1:")
        s = make(fs, max_retries=0)
        s.summarize(seed_text)
        with pytest.raises(SummarizerError, match="418"):
            s.summarize(seed_text)  # the second is over its limit
        assert [seen.fault for seen in fs.seen] == ["ok", "over-limit"]


# -- transient faults ----------------------------------------------------------------


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("fault", [*TRANSIENT, "garbage", "no-choices", *NOT_JSON, *TOO_LARGE])
def test_a_transient_fault_is_retried_and_the_result_accounts_for_it(server, seed_text, fault, use_async):
    server.script = [fault, "ok"]
    result = run(make(server), seed_text, use_async)

    p = result.provenance
    assert len(server.seen) == 2 == p.attempts + p.transient_retries
    assert (p.attempts, p.transient_retries) == (1, 1)
    assert usage_tuple(p.usage) == server.usage_of(server.seen)  # a billed answer without choices counts too
    first, second = server.seen
    assert first.body == second.body  # the same request again: nothing about the fault was added to it
    assert result.headline == seed_answer("")["headline"]


@pytest.mark.parametrize(
    ("fault", "expected", "says"),
    [
        ("429", RateLimitError, r"429 from .*still rate limited after 3 tries; lower the request rate"),
        ("500", ProviderUnavailableError, r"500 from .* after 3 tries: .*try again later"),
        ("503", ProviderUnavailableError, r"503 from .* after 3 tries"),
        ("hang", ProviderUnavailableError, r"timed out waiting for .* after 3 tries: is the server running"),
        ("drop", ProviderUnavailableError, r"lost the connection to .* after 3 tries: .*before its answer"),
        ("close", ProviderUnavailableError, r"lost the connection to .* after 3 tries"),
        ("garbage", ProviderUnavailableError, r"not a chat completion after 3 tries .*502 Bad Gateway.*gateway"),
        ("not-json", ProviderUnavailableError, r"not a chat completion after 3 tries .*JSONDecodeError"),
        ("not-utf8", ProviderUnavailableError, r"not a chat completion after 3 tries .*UnicodeDecodeError"),
        ("too-deep", ProviderUnavailableError, r"not a chat completion after 3 tries .*RecursionError"),
        ("huge", ProviderUnavailableError, r"not a chat completion after 3 tries .*larger than 327,680 bytes"),
        ("huge-chunked", ProviderUnavailableError, r"not a chat completion after 3 tries .*larger than 327,680"),
        ("gzip-bomb", ProviderUnavailableError, r"not a chat completion after 3 tries .*larger than 327,680"),
    ],
)
def test_transient_faults_are_bounded_by_max_retries(server, seed_text, fault, expected, says):
    server.script = [fault] * 5
    started = time.monotonic()
    with pytest.raises(expected, match=says) as caught:
        make(server, max_retries=2).summarize(seed_text)
    err = caught.value
    assert len(server.seen) == 3 == err.requests  # max_retries=2: three tries, then the error
    assert err.retryable and err.attempts == 0
    assert usage_tuple(err.usage) == (0, 0, 0) == server.usage_of(server.seen)
    assert time.monotonic() - started < 3 * TIMEOUT + 2
    assert KEY not in str(err) and KEY not in repr(err)


@pytest.mark.parametrize("form", ["seconds", "http-date"])
def test_retry_after_is_waited_as_seen_by_the_server(server, seed_text, form):
    import email.utils

    # An HTTP date has whole seconds: two seconds ahead is one to two seconds away.
    server.retry_after = "1" if form == "seconds" else email.utils.formatdate(time.time() + 2, usegmt=True)
    server.script = ["429", "ok"]
    started = time.monotonic()
    result = make(server, retry_max_wait=5).summarize(seed_text)
    gap = server.seen[1].at - server.seen[0].at
    assert 0.9 <= gap < 2.5
    assert time.monotonic() - started < 3.5
    assert result.provenance.transient_retries == 1


def test_an_answer_trickled_past_the_deadline_is_cut_and_retried_on_the_async_client(seed_text):
    # Each 16 bytes arrive within the read time-out, so only the whole-request deadline (twice the
    # time-out) ends it. The blocking client has no such deadline (see README, "Still unsafe").
    with FaultServer(script=["trickle", "ok"], hang=10) as fs:
        started = time.monotonic()
        result = run(make(fs, timeout=0.5), seed_text, use_async=True)
        elapsed = time.monotonic() - started
    assert 1.0 <= elapsed < 3.0
    assert [s.fault for s in fs.seen] == ["trickle", "ok"] and result.provenance.transient_retries == 1
    assert usage_tuple(result.provenance.usage) == fs.usage_of(fs.seen)


def test_a_request_trickled_every_time_ends_in_a_typed_error(seed_text):
    with (
        FaultServer(script=["trickle"] * 3, hang=10) as fs,
        pytest.raises(ProviderUnavailableError, match=r"too slowly after 2 tries.*raise timeout=") as caught,
    ):
        run(make(fs, timeout=0.3, max_retries=1), seed_text, use_async=True)
    assert caught.value.retryable and caught.value.requests == 2 == len(fs.seen)


@pytest.mark.parametrize("value", ["soon", "Wed, 31 Foo 2026 99:99:99 GMT", "nan", "-5", "inf", "1e400", " "])
def test_a_malformed_retry_after_is_ignored_and_the_backoff_used(server, seed_text, value):
    # HAND-WRITTEN 429s whose Retry-After no client can read: waited by our own backoff, never raised.
    server.retry_after = value
    server.script = ["429", "ok"]
    result = make(server, retry_max_wait=0.05).summarize(seed_text)
    assert result.provenance.transient_retries == 1 and len(server.seen) == 2


def test_retry_after_is_capped_by_retry_max_wait_so_the_total_stays_bounded(server, seed_text):
    server.retry_after = "30"
    server.script = ["429"] * 4
    started = time.monotonic()
    with pytest.raises(RateLimitError) as caught:
        make(server, retry_max_wait=0.2, max_retries=3).summarize(seed_text)
    elapsed = time.monotonic() - started
    gaps = [b.at - a.at for a, b in zip(server.seen, server.seen[1:])]
    assert len(server.seen) == 4 == caught.value.requests and caught.value.retryable
    assert all(0.18 <= gap < 1.0 for gap in gaps), gaps
    assert elapsed < 2.5


def test_a_fault_during_a_re_ask_is_retried_and_everything_is_counted(server, seed_text):
    server.script = ["malformed", "503", "hang", "ok"]
    result = make(server).summarize(seed_text)
    p = result.provenance
    assert (p.attempts, p.transient_retries) == (2, 2)
    assert len(server.seen) == 4 == p.attempts + p.transient_retries
    assert usage_tuple(p.usage) == server.usage_of(server.seen)
    for seen in server.seen[1:]:  # the re-ask names the JSON error, never the 503 or the time-out
        text = json.dumps(seen.body["messages"][2:])
        assert "overloaded" not in text and "timed out" not in text.lower() and "503" not in text


# -- permanent faults ----------------------------------------------------------------


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize(
    ("fault", "expected", "says"),
    [
        ("400", BadRequestError, r"Invalid value for 'temperature'.*check the options this model supports"),
        ("401", AuthenticationError, r"Incorrect API key provided: \[redacted\].*Check OPENAI_API_KEY"),
        ("404", ModelNotFoundError, r"does not exist.*Check the model name \('test-model'"),
        ("context", ContextLengthError, r"maximum context length.*shorten the article or use a model with a larger"),
    ],
)
def test_a_permanent_fault_fails_at_once_naming_cause_and_remedy(server, seed_text, fault, expected, says, use_async):
    server.script = [fault, "ok"]
    with pytest.raises(expected, match=says) as caught:
        run(make(server, max_retries=4), seed_text, use_async)
    err = caught.value
    assert len(server.seen) == 1 == err.requests
    assert not err.retryable and err.attempts == 0 and err.status_code in (400, 401, 404)
    assert KEY not in str(err) and KEY not in repr(err) and KEY not in repr(err.__dict__)
    assert server.seen[0].authorization == f"Bearer {KEY}"  # it was sent, as a header only


def test_permanent_after_transient_reports_every_request(server, seed_text):
    server.script = ["503", "close", "404"]
    with pytest.raises(ModelNotFoundError) as caught:
        make(server).summarize(seed_text)
    assert caught.value.requests == 3 == len(server.seen)


@pytest.mark.parametrize("fault", ["length", "cut-unlabelled"])
@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_truncation_raises_at_once_with_the_usage_spent(server, seed_text, use_async, fault):
    server.script = ["503", fault, "ok"]
    with pytest.raises(TruncationError, match=r"output limit.*4096 of max_tokens=4096 used|finish_reason='length'") as caught:
        run(make(server), seed_text, use_async)
    err = caught.value
    assert len(server.seen) == 2 == err.requests and err.attempts == 1
    assert usage_tuple(err.usage) == server.usage_of(server.seen) and err.usage.completion_tokens > 0
    assert err.raw_output is not None and err.raw_output.startswith('{"headline"')


@pytest.mark.parametrize(("fault", "says"), [("refusal", "refused to answer"), ("filtered", "content filter")])
def test_a_refusal_raises_at_once_with_the_usage_spent(server, seed_text, fault, says):
    server.script = [fault, "ok"]
    with pytest.raises(RefusalError, match=says) as caught:
        make(server).summarize(seed_text)
    err = caught.value
    assert len(server.seen) == 1 == err.requests == err.attempts
    assert usage_tuple(err.usage) == server.usage_of(server.seen)
    assert err.refusal


# -- bad answers -------------------------------------------------------------------


@pytest.mark.parametrize("fault", REASKED)
def test_a_bad_answer_is_re_asked_with_the_reason_and_not_with_an_api_error(server, seed_text, fault):
    server.script = [fault, "ok"]
    result = make(server).summarize(seed_text)
    p = result.provenance
    assert len(server.seen) == 2 == p.attempts and p.transient_retries == 0
    assert usage_tuple(p.usage) == server.usage_of(server.seen)
    re_ask = server.seen[1].body["messages"]
    assert len(re_ask) == 4 and re_ask[:2] == server.seen[0].body["messages"]
    reason = {"malformed": "json", "schema": "summary", "ungrounded": "not supported by the article"}[fault]
    assert reason in json.dumps(re_ask[2:]).lower()


@pytest.mark.parametrize("fault", ["malformed", "schema"])
def test_re_asks_are_bounded_then_the_error_carries_output_and_usage(server, seed_text, fault):
    server.script = [fault] * 5
    with pytest.raises(OutputValidationError) as caught:
        make(server, max_reasks=2).summarize(seed_text)
    err = caught.value
    assert len(server.seen) == 3 == err.attempts == err.requests
    assert usage_tuple(err.usage) == server.usage_of(server.seen)
    assert err.raw_output and err.errors


def test_an_answer_that_stays_ungrounded_is_dropped_never_kept(server, seed_text):
    server.script = ["ungrounded"] * 3
    result = make(server, max_reasks=2).summarize(seed_text)
    assert len(server.seen) == 3 == result.provenance.attempts
    assert result.key_claims == result.figures == result.actors == result.peace_talk_conditions == []
    assert result.grounding.dropped == 4 and result.grounding.grounded == 0


# -- a long text, handled on request ------------------------------------------------------


def test_five_megabytes_opted_in_are_summarized_in_one_request_per_chunk(server, seed_text):
    text = (seed_text + "\n\n") * (5 * 1024 * 1024 // (len(seed_text) + 2) + 1)
    summarizer = make(server, max_chars=None, timeout=5)
    chunks = split_text(text, summarizer.settings.chunk_tokens)
    result = summarizer.summarize(text)  # how long it takes is benchmarks/bench_grounding.py's business
    assert len(server.seen) == len(chunks) == result.provenance.chunks > 100
    assert usage_tuple(result.provenance.usage) == server.usage_of(server.seen)
    for item in [*result.figures, *result.actors, *result.key_claims, *result.peace_talk_conditions]:
        assert text[item.span.start:item.span.end] == item.quote  # offsets into the whole 5 MB text


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_a_failing_chunk_stops_the_rest_and_its_error_counts_every_chunk_sent(use_async):
    paragraphs = [f"Paragraph {i:02d}. " + "Officials said talks would resume. " * 20 for i in range(40)]
    paragraphs[5] = paragraphs[5].replace("Paragraph 05.", "Paragraph 05. POISON")
    text = "\n\n".join(paragraphs)
    with FaultServer(plan=lambda article, count: "400" if "POISON" in article else "ok") as fs:
        summarizer = make(fs, chunk_tokens=200, grounding="drop")
        chunks = split_text(text, summarizer.settings.chunk_tokens)
        with pytest.raises(BadRequestError) as caught:
            run(summarizer, text, use_async)
    err = caught.value
    assert len(chunks) >= 40 and len(fs.seen) <= 12  # chunks not yet sent when it failed never were
    assert err.requests == len(fs.seen)
    assert usage_tuple(err.usage) == fs.usage_of(fs.seen) and err.usage.total_tokens > 0
    assert err.attempts == sum(1 for seen in fs.seen if seen.usage)


# -- a batch of 200 with 20% faults, resumed; and a killed run ---------------------------------

# What a faulty article gets, request after request; after its script, "ok" (a later run succeeds).
RECOVERS = {
    "429": ["429", "ok"], "503x2": ["503", "503", "ok"], "hang": ["hang", "ok"], "drop": ["drop", "ok"],
    "close": ["close", "ok"], "garbage": ["garbage", "ok"], "malformed": ["malformed", "ok"],
    "schema": ["schema", "ok"], "ungrounded": ["ungrounded", "ok"],
}
EXHAUSTS = {"500x3": ["500"] * 3, "429x3": ["429"] * 3, "malformed x3": ["malformed"] * 3}  # fail, retryable
ALWAYS = {name: name for name in PERMANENT}  # fail again on every run
SCENARIOS = [*RECOVERS, *EXHAUSTS, *ALWAYS]


def batch_plan(faulty: dict[str, str]):
    def plan(article: str, count: int) -> str:
        marker = article.split(".", 1)[0]
        scenario = faulty.get(marker)
        if scenario is None:
            return "ok"
        if scenario in ALWAYS:
            return ALWAYS[scenario]
        script = RECOVERS.get(scenario) or EXHAUSTS[scenario]
        return script[count] if count < len(script) else "ok"

    return plan


def check_accounting(results: list, seen: list[Seen]) -> None:
    """For every article, what the library reports is what the server saw."""
    by_article: dict[str, list[Seen]] = {}
    for s in seen:
        by_article.setdefault(s.article.split(".", 1)[0], []).append(s)
    for r in results:
        if r.resumed:
            continue
        mine = by_article.get(f"Article {r.index:03d}", [])
        if r.ok:
            p = r.summary.provenance
            assert len(mine) == p.attempts + p.transient_retries, r.id
            assert usage_tuple(p.usage) == FaultServer.usage_of(mine), r.id
        else:
            assert len(mine) == r.error.requests, (r.id, r.error)
            assert FaultServer.usage_of(mine)[2] == (r.error.usage or {}).get("total_tokens", 0), r.id


def test_a_batch_of_200_with_20_percent_faults_loses_nothing_and_resumes(seed_text, tmp_path):
    rng = random.Random(20240607)
    texts = [f"Article {i:03d}.\n\n{seed_text}" for i in range(200)]
    kinds = (SCENARIOS * 3)[:40]  # every scenario at least twice
    rng.shuffle(kinds)
    faulty = {f"Article {i:03d}": kind for i, kind in zip(rng.sample(range(200), 40), kinds, strict=True)}
    out = tmp_path / "run.jsonl"
    options = {"model": "test-model", "api_key": KEY, "timeout": 2.0, "retry_max_wait": 0.02, "max_retries": 2,
               "max_reasks": 2, "concurrency": 16, "cache": False, "progress": False, "output": out}
    started = time.monotonic()
    with FaultServer(plan=batch_plan(faulty), hang=2.5) as fs:
        first = summarize_many(texts, base_url=fs.base_url, **options)
        seen_first = list(fs.seen)
        second = summarize_many(texts, base_url=fs.base_url, **options)
        seen_second = fs.seen[len(seen_first):]
    assert time.monotonic() - started < 45

    # Run 1: every article exactly once, summarized or with its error, as its fault says.
    assert [r.index for r in first] == list(range(200)) and len({r.id for r in first}) == 200
    assert all((r.summary is None) != (r.error is None) for r in first)
    expected_failures = {m for m, s in faulty.items() if s in EXHAUSTS or s in ALWAYS}
    failed = {f"Article {r.index:03d}" for r in first if not r.ok}
    assert failed == expected_failures
    for r in first:
        scenario = faulty.get(f"Article {r.index:03d}")
        if scenario in EXHAUSTS:
            assert r.error.retryable, r.error
        elif scenario in ALWAYS:
            assert not r.error.retryable and r.error.type in {
                "BadRequestError", "AuthenticationError", "ModelNotFoundError", "ContextLengthError",
                "TruncationError", "RefusalError"}, r.error
    check_accounting(first, seen_first)
    faults_served = Counter(s.fault for s in seen_first)
    assert faults_served["over-limit"] == 0 and set(faults_served) == {"ok", *TRANSIENT, "garbage", *REASKED, *PERMANENT}
    assert sorted(r["id"] for r in read_output(out)) == list(range(200))  # one line per article

    # Run 2: nothing asked again for what was done; the retryable rest completes; the permanent fail again.
    asked_again = {s.article.split(".", 1)[0] for s in seen_second}
    assert asked_again == expected_failures
    assert [r.index for r in second] == list(range(200))
    still_failing = {f"Article {r.index:03d}" for r in second if not r.ok}
    assert still_failing == {m for m, s in faulty.items() if s in ALWAYS}
    assert sum(r.resumed for r in second) == 200 - len(expected_failures)
    check_accounting(second, seen_second)

    # The output file: one line per article, the latest outcome, and no key anywhere.
    records = read_output(out)
    assert sorted(r["id"] for r in records) == list(range(200))
    assert {r["id"] for r in records if not r["ok"]} == {int(m.split()[1]) for m in still_failing}
    assert KEY not in out.read_text(encoding="utf-8")


_CHILD = """
import sys
from summarizer import summarize_many
texts = [f"Article {i:03d}.\\n\\n" + open(sys.argv[3], encoding="utf-8").read() for i in range(int(sys.argv[4]))]
summarize_many(texts, model="test-model", base_url=sys.argv[1], output=sys.argv[2], cache=False, concurrency=4,
               progress=False, retry_max_wait=0.02, timeout=1.0)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_run_killed_at_a_random_moment_leaves_a_file_that_parses_and_resumes(seed_text, tmp_path):
    from ..conftest import SEED

    rng = random.Random(77)
    n = 60
    faulty = {f"Article {i:03d}": rng.choice([*RECOVERS, *EXHAUSTS]) for i in rng.sample(range(n), 12)}
    out = tmp_path / "run.jsonl"
    with FaultServer(plan=batch_plan(faulty), hang=1.5, delay=0.05) as fs:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        child = subprocess.Popen([sys.executable, "-c", _CHILD, fs.base_url, str(out), str(SEED), str(n)],
                                 cwd=ROOT, env=env)
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not (out.exists() and out.stat().st_size):
                time.sleep(0.01)  # wait for the first result: the child has started working
            time.sleep(rng.uniform(0.0, 0.6))
            child.send_signal(signal.SIGKILL)
        finally:
            child.wait(timeout=10)
        assert child.returncode == -signal.SIGKILL

        data = out.read_bytes()
        before = read_output(out)  # parses, whatever the moment
        complete = data[: data.rfind(b"\n") + 1]
        assert len(before) == complete.count(b"\n")  # every complete line is a record
        assert 0 < len(before) < n
        done_before = {r["id"] for r in before if r["ok"]}
        asked = len(fs.seen)

        texts = [f"Article {i:03d}.\n\n{seed_text}" for i in range(n)]
        results = summarize_many(texts, model="test-model", base_url=fs.base_url, output=out, cache=False,
                                 progress=False, retry_max_wait=0.02, timeout=1.0, concurrency=8)

    assert all(r.ok for r in results)  # what failed before the kill had faults that recover on a later try
    assert {r.id for r in results if r.resumed} == done_before
    asked_again = {s.article.split(".", 1)[0] for s in fs.seen[asked:]}
    assert not asked_again & {f"Article {i:03d}" for i in done_before}
    records = read_output(out)
    assert sorted(r["id"] for r in records) == list(range(n)) and all(r["ok"] for r in records)


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_a_redirect_to_another_address_is_not_followed(server, seed_text, httpserver, use_async):
    # HAND-WRITTEN 307 pointing at another listener on 127.0.0.1: the article must never reach it.
    elsewhere = httpserver.url_for("/v1/chat/completions")
    httpserver.expect_request("/v1/chat/completions").respond_with_json({"stolen": True})
    server.redirect_to = elsewhere + "?token=abc"
    server.script = ["redirect"]
    with pytest.raises(ProviderError, match=r"307 from .*a redirect to http://(?:127\.0\.0\.1|localhost):\d+/v1/chat/completions, "
                                            r"which is not followed") as caught:
        run(make(server), seed_text, use_async)
    assert len(server.seen) == 1 == caught.value.requests and httpserver.log == []
    assert "token=abc" not in str(caught.value) and not caught.value.retryable
