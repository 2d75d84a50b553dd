"""Batches against a threaded loopback server serving HAND-WRITTEN responses (see _loopback.py)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from summarizer import (
    ArticleSummary,
    BatchResult,
    OutputLockedError,
    Summarizer,
    asummarize_many,
    iter_summaries,
    summarize_many,
)
from summarizer.batch import read_output
from summarizer.batch.output import JsonlOutput
from summarizer.batch.ratelimit import TokenBucket

from ..conftest import ROOT
from ..doubles.loopback import BatchLLM
from ..doubles.responses import SEED_SUMMARY


def opts(llm: BatchLLM, **extra):
    # The hand-written answer is the seed's summary whatever the article, so its items
    # are dropped by grounding rather than re-asked: these tests are about batching.
    return {"model": "test-model", "base_url": llm.base_url, "retry_max_wait": 0.01, "progress": False,
            "grounding": "drop", **extra}


def articles(n: int, tag: str = "") -> list[str]:
    return [f"Article {tag}{i:03d}. Officials said talks would resume." for i in range(n)]


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_results_come_back_in_input_order_or_as_completed(llm):
    # The first articles are the slowest, so they complete last.
    texts = [f"Article {i}. SLOW{3 - i}" for i in range(4)]
    results = summarize_many(texts, concurrency=4, cache=False, **opts(llm))
    assert [r.id for r in results] == [0, 1, 2, 3]
    assert all(isinstance(r.summary, ArticleSummary) and r.error is None for r in results)
    assert results[0].input_sha256 == sha(texts[0]) and results[0].elapsed > 0.7

    completed = summarize_many(texts, concurrency=4, cache=False, order="completed", **opts(llm))
    assert [r.id for r in completed] == [3, 2, 1, 0]


def test_one_bad_input_never_stops_the_batch(llm, tmp_path):
    bad_bytes = tmp_path / "latin1.txt"
    bad_bytes.write_bytes("Caf\xe9 talks".encode("latin-1"))
    good_file = tmp_path / "good.txt"
    good_file.write_text("Article from a file. Officials said talks would resume.", encoding="utf-8")
    inputs = [
        "Article zero. Officials met.",
        "   ",
        tmp_path / "missing.txt",
        bad_bytes,
        ("custom-id", "Article FAIL. The endpoint rejects this one."),
        good_file,
        42,
    ]
    results = summarize_many(inputs, cache=False, max_retries=0, **opts(llm))

    assert [r.id for r in results] == [0, 1, str(tmp_path / "missing.txt"), str(bad_bytes), "custom-id", str(good_file), 6]
    kinds = [r.error.type if r.error else "ok" for r in results]
    assert kinds == ["ok", "EmptyInputError", "InputError", "ok", "BadRequestError", "ok", "TypeError"]
    assert results[4].error.retryable is False and "hand-written bad request" in results[4].error.message
    assert "missing.txt: no such file" in results[2].error.message
    assert any("Café talks" in article for article in llm.articles)  # Latin-1 is decoded (see test_inputs.py)
    assert len(llm.articles) == 4  # only the valid articles reached the server


def test_requests_really_overlap(llm):
    llm.delay = 0.2
    summarize_many(articles(12), concurrency=4, cache=False, **opts(llm))
    assert len(llm.articles) == 12
    assert llm.max_in_flight == 4


def test_a_cache_hit_sends_no_request(llm, tmp_path):
    texts = articles(5)
    first = summarize_many(texts, **opts(llm))
    assert len(llm.articles) == 5 and not any(r.cached for r in first)

    again = summarize_many(texts, **opts(llm))
    assert len(llm.articles) == 5  # nothing new reached the server
    assert all(r.cached and r.summary is not None for r in again)
    assert all(r.summary.provenance.cached for r in again)
    assert again[0].summary.model_dump(exclude={"provenance"}) == first[0].summary.model_dump(exclude={"provenance"})

    summarize_many(texts, cache=False, **opts(llm))
    assert len(llm.articles) == 10  # cache=False always asks


def test_the_same_article_twice_in_one_batch_is_paid_once(llm):
    llm.delay = 0.1
    text = "Article twice. Officials said talks would resume."
    results = summarize_many([text, text, "Article other."], concurrency=3, **opts(llm))
    assert all(r.ok for r in results)
    assert llm.count("Article twice") == 1
    assert [r.cached for r in results] == [False, True, False]


def write_lines(path: Path, records: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def test_resume_skips_successes_retries_failures_and_repairs_a_partial_tail(llm, tmp_path):
    texts = articles(6)
    out = tmp_path / "run.jsonl"
    done_summary = {**SEED_SUMMARY, "headline": "from the earlier run"}
    write_lines(out, [
        {"id": 0, "input_sha256": sha(texts[0]), "ok": True, "summary": done_summary},
        {"id": 1, "input_sha256": sha(texts[1]), "ok": True, "summary": done_summary},
        {"id": 2, "input_sha256": sha(texts[2]), "ok": False,
         "error": {"type": "RateLimitError", "message": "429", "retryable": True}},
        {"id": 3, "input_sha256": sha("an older text with id 3"), "ok": True, "summary": done_summary},
    ])
    with out.open("ab") as f:
        f.write(b'{"id": 4, "input_sha256": "' + sha(texts[4]).encode() + b'", "ok": tr')  # killed mid-write

    results = summarize_many(texts, output=out, cache=False, **opts(llm))

    assert [r.id for r in results] == [0, 1, 2, 3, 4, 5]
    assert all(r.ok for r in results)
    assert [r.resumed for r in results] == [True, True, False, False, False, False]
    assert results[0].summary.headline == "from the earlier run"
    assert llm.count("Article 000") == 0 and llm.count("Article 001") == 0
    assert len(llm.articles) == 4  # 2 failed before, 3 changed text, 4 was never finished, 5 new

    lines = out.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]  # every line parses: the partial tail is gone
    assert len(records) == 6  # the run completed: one line per id, the latest (the old 2 and 3 are gone)
    assert read_output(out) == records
    assert sorted(r["id"] for r in records) == [0, 1, 2, 3, 4, 5] and all(r["ok"] for r in records)
    by_id = {r["id"]: r for r in records}
    assert by_id[0]["summary"]["headline"] == "from the earlier run"
    assert by_id[3]["input_sha256"] == sha(texts[3])

    # A third run has nothing left to do.
    again = summarize_many(texts, output=out, cache=False, **opts(llm))
    assert all(r.resumed for r in again) and len(llm.articles) == 4


def test_resuming_keeps_one_line_per_id_but_never_drops_a_line_of_the_same_run(llm, tmp_path):
    out = tmp_path / "run.jsonl"
    texts = [("a", "Article a. FAIL"), ("b", "Article b."), ("b", "Article b, a second input with its id.")]
    summarize_many(texts, output=out, cache=False, max_retries=0, **opts(llm))
    assert sorted(r["id"] for r in read_output(out)) == ["a", "b", "b"]  # both b's: two inputs, one id
    texts[0] = ("a", "Article a, fixed.")
    summarize_many(texts, output=out, cache=False, **opts(llm))
    records = read_output(out)
    assert sorted(r["id"] for r in records) == ["a", "b", "b"] and all(r["ok"] for r in records)
    assert not list(tmp_path.glob("*.compacting"))


def test_a_corrupt_complete_last_line_is_cut_off(tmp_path):
    out = tmp_path / "run.jsonl"
    out.write_text('{"id": 0, "input_sha256": "x", "ok": false}\n{"id": 1, "inp\n', encoding="utf-8")
    JsonlOutput(out, fsync=False).close()
    assert out.read_text(encoding="utf-8") == '{"id": 0, "input_sha256": "x", "ok": false}\n'


_CHILD = """
import sys
from summarizer import summarize_many
texts = [f"Article {i:03d}. Officials said talks would resume." for i in range(int(sys.argv[3]))]
summarize_many(texts, model="test-model", base_url=sys.argv[1], output=sys.argv[2], cache=False, grounding="drop",
               concurrency=2, progress=False)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_killed_run_resumed_completes_every_article_exactly_once(llm, tmp_path):
    llm.delay = 0.15
    n = 12
    out = tmp_path / "run.jsonl"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", _CHILD, llm.base_url, str(out), str(n)], cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if out.exists() and out.read_text(encoding="utf-8").count("\n") >= 4:
                break
            time.sleep(0.02)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL
    before = {json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines() if line.strip()}
    assert 4 <= len(before) < n
    asked_before = len(llm.articles)

    results = summarize_many(articles(n), output=out, cache=False, **opts(llm))

    assert [r.id for r in results] == list(range(n)) and all(r.ok for r in results)
    assert {r.id for r in results if r.resumed} == before
    asked_again = llm.articles[asked_before:]
    assert not any(f"Article {i:03d}." in a for i in before for a in asked_again)
    records = read_output(out)
    assert sorted(r["id"] for r in records) == list(range(n))  # each article recorded exactly once


def test_one_run_per_output_file(tmp_path):
    out = tmp_path / "run.jsonl"
    first = JsonlOutput(out, fsync=False)
    try:
        with pytest.raises(OutputLockedError, match="one output file per run"):
            JsonlOutput(out, fsync=False)
    finally:
        first.close()
    JsonlOutput(out, fsync=True).close()  # released


def test_progress_callback_and_async_iteration(llm):
    seen: list[tuple[int, int, int]] = []

    async def main() -> list[BatchResult]:
        async with Summarizer("test-model", base_url=llm.base_url, grounding="drop") as summ:
            return [
                r async for r in iter_summaries(
                    articles(3), summarizer=summ, cache=False,
                    progress=lambda done, total, r: seen.append((done, total, r.index)),
                )
            ]

    results = asyncio.run(main())
    assert sorted(r.index for r in results) == [0, 1, 2]
    assert [(d, t) for d, t, _ in seen] == [(1, 3), (2, 3), (3, 3)]


def test_an_existing_summarizer_serves_two_blocking_batches(llm):
    summ = Summarizer("test-model", base_url=llm.base_url, grounding="drop")
    for tag in ("a", "b"):  # each batch runs in its own event loop
        results = summarize_many(articles(2, tag), summarizer=summ, cache=False, progress=False)
        assert all(r.ok for r in results)
    with pytest.raises(TypeError, match="not with summarizer="):
        summarize_many(["x"], summarizer=summ, model="other")


def test_summarize_many_refuses_a_running_loop(llm):
    async def main() -> None:
        with pytest.raises(RuntimeError, match="await asummarize_many"):
            summarize_many(["text"], **opts(llm))
        results = await asummarize_many(["text"], cache=False, **opts(llm))
        assert results[0].ok

    asyncio.run(main())


def test_rate_limited_batch_still_completes(llm):
    results = summarize_many(articles(3), rpm=6000, tpm=10_000_000, cache=False, **opts(llm))
    assert all(r.ok for r in results)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.starts: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_token_bucket_spaces_requests_evenly():
    clock = FakeClock()
    bucket = TokenBucket(60, clock=clock, sleep=clock.sleep)  # one a second, burst of one

    async def main() -> None:
        for _ in range(5):
            await bucket.acquire()
            clock.starts.append(clock.now)

    asyncio.run(main())
    assert clock.starts == pytest.approx([0, 1, 2, 3, 4])


def test_token_bucket_for_tokens_lets_a_large_request_through_and_corrects_afterwards():
    clock = FakeClock()
    bucket = TokenBucket(6000, clock=clock, sleep=clock.sleep)  # 100 tokens a second, burst 100

    async def main() -> None:
        await bucket.acquire(250)  # more than the bucket: goes through on a full bucket, leaves a debt
        clock.starts.append(clock.now)
        await bucket.acquire(50)  # waits out the debt of 150, then for 50 more
        clock.starts.append(clock.now)
        bucket.adjust(-100)  # the call used 100 tokens less than estimated: given back
        await bucket.acquire(100)
        clock.starts.append(clock.now)

    asyncio.run(main())
    assert clock.starts == pytest.approx([0, 2.0, 2.0])


def test_concurrent_waiters_are_spaced_too():
    clock = FakeClock()
    bucket = TokenBucket(120, clock=clock, sleep=clock.sleep)  # two a second, burst of two

    async def one() -> None:
        await bucket.acquire()
        clock.starts.append(clock.now)

    async def main() -> None:
        await asyncio.gather(*(one() for _ in range(6)))

    asyncio.run(main())
    assert clock.starts == pytest.approx([0, 0, 0.5, 1.0, 1.5, 2.0])


def test_per_call_schema_work_is_done_once_per_model():
    # See benchmarks/README.md: building it per call made instructor's cost larger than the request.
    from summarizer.transport.shaping import response_schema

    assert response_schema(ArticleSummary) is response_schema(ArticleSummary)
    assert issubclass(response_schema(ArticleSummary), ArticleSummary)


def test_a_progress_bar_and_stopping_early(llm, capsys):
    import contextlib

    results = summarize_many(articles(3), model="test-model", base_url=llm.base_url, grounding="drop", cache=False, progress=True)
    assert all(r.ok for r in results)
    assert "summarizing" in capsys.readouterr().err

    async def first_only() -> BatchResult:
        async with contextlib.aclosing(
            iter_summaries(articles(20, "x"), model="test-model", base_url=llm.base_url, grounding="drop", cache=False, concurrency=2)
        ) as results:
            async for result in results:
                return result
        raise AssertionError("no result")

    llm.delay = 0.05
    assert asyncio.run(first_only()).ok
    assert len(llm.articles) < 3 + 20  # the rest was cancelled


# -- cache faults never cost a result or stop a batch ---------------------------------------------


def _no_cache_errors(results) -> None:
    assert all(r.ok and r.summary is not None and not r.cached for r in results), [r.error for r in results]


def test_a_corrupt_cache_database_warns_once_and_the_batch_goes_on(llm, tmp_path):
    from summarizer import CacheWarning

    folder = tmp_path / "corrupt"
    folder.mkdir()
    (folder / "summaries.sqlite3").write_bytes(b"this is not a database, " * 200)
    with pytest.warns(CacheWarning, match="goes on without it") as caught:
        results = summarize_many(articles(5), concurrency=2, cache=str(folder), **opts(llm))
    _no_cache_errors(results)
    assert len([w for w in caught if issubclass(w.category, CacheWarning)]) == 1
    assert len(llm.articles) == 5
    assert all("DatabaseError" in (r.summary.provenance.cache_error or "") for r in results)  # said in provenance


def test_a_working_cache_leaves_no_cache_error_in_provenance(llm, tmp_path):
    results = summarize_many(articles(2), cache=str(tmp_path / "fine"), **opts(llm))
    assert all(r.ok and r.summary.provenance.cache_error is None for r in results)


def test_a_cache_folder_that_cannot_be_made_warns_and_the_batch_goes_on(llm, tmp_path):
    from summarizer import CacheWarning

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.warns(CacheWarning):
        results = summarize_many(articles(3), cache=str(blocker / "cache"), **opts(llm))
    _no_cache_errors(results)


def test_a_cache_locked_by_another_writer_costs_no_paid_answer(llm, tmp_path):
    import sqlite3

    from summarizer import Cache, CacheWarning

    cache = Cache(tmp_path / "locked", busy_timeout=0.1)
    other = sqlite3.connect(cache.path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # another process holding the write lock for the whole batch
    try:
        with pytest.warns(CacheWarning, match="locked"):
            results = summarize_many(articles(4), concurrency=2, cache=cache, **opts(llm))
    finally:
        other.execute("ROLLBACK")
        other.close()
        cache.close()
    _no_cache_errors(results)
    assert len(llm.articles) == 4  # every article was paid for once, and every answer came back
    noted = [r.summary.provenance.cache_error for r in results]
    assert all(note and "locked" in note for note in noted), noted  # none of them was saved: each says why
