"""``processes=``: a batch spread over worker processes, against the threaded loopback server (HAND-WRITTEN answers).

Workers are spawned interpreters (about a second each to start), so these tests keep
to a few small batches; every one is bounded by the server's delay and its count of requests.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import pickle
import signal
import time

import pytest
from pydantic import BaseModel

from summarizer import BatchOptions, ConfigurationError, Settings, iter_summaries, summarize_many
from summarizer.batch import read_output

from ..doubles.loopback import BatchLLM
from .test_runner import articles, opts, sha


def _outcome(results):
    return [(r.id, r.index, r.input_sha256, r.ok, r.error.type if r.error else None,
             r.summary.model_dump(exclude={"provenance"}) if r.summary is not None else None) for r in results]


def test_processes_give_what_one_process_gives(llm: BatchLLM, tmp_path):
    texts = [*articles(9), articles(9)[4], "   ", "Article FAIL. The endpoint rejects this one."]
    one = summarize_many(texts, concurrency=4, output=tmp_path / "one.jsonl", max_retries=0, **opts(llm))
    sent_by_one = len(llm.articles)
    assert sent_by_one == 10  # nine articles and the failing one; the repeat waits for its twin, the blank is never sent

    seen: list[int] = []
    two = summarize_many(texts, concurrency=4, processes=2, output=tmp_path / "two.jsonl", max_retries=0,
                         cache=tmp_path / "cache2", **opts(llm, progress=lambda done, total, r: seen.append(done)))
    assert _outcome(two) == _outcome(one)
    assert len(llm.articles) - sent_by_one == 10  # the repeat went to the same worker as its twin: one request
    assert [r.cached for r in two] == [r.cached for r in one]
    assert seen == list(range(1, len(texts) + 1))
    written = read_output(tmp_path / "two.jsonl")  # the parent alone wrote every record, one per input
    assert sorted((r["id"], r["ok"]) for r in written) == sorted((r["id"], r["ok"]) for r in read_output(tmp_path / "one.jsonl"))
    assert {r["id"]: r["input_sha256"] for r in written}[3] == sha(texts[3])
    assert two[10].error.type == "EmptyInputError" and two[11].error.type == "BadRequestError"

    before = len(llm.articles)  # the workers kept their answers in the cache folder given
    three = summarize_many(texts, concurrency=4, processes=2, max_retries=0, cache=tmp_path / "cache2", **opts(llm))
    assert len(llm.articles) - before == 1  # only the failure, which no cache keeps
    assert [r.cached for r in three] == [True] * 10 + [False, False]


def test_leaving_a_pooled_batch_early_stops_its_workers(llm: BatchLLM):
    llm.delay = 0.5

    async def first_only() -> float:
        async with contextlib.aclosing(iter_summaries(articles(40), concurrency=2, processes=2, cache=False,
                                                      **opts(llm))) as results:
            async for result in results:
                assert result.ok
                leaving = time.monotonic()
                break
        return time.monotonic() - leaving

    assert asyncio.run(first_only()) < 3  # the workers are stopped, not waited for
    assert multiprocessing.active_children() == []  # stopped, not left running
    assert len(llm.articles) < 10  # forty articles at 0.5 s, two in flight: most never sent


def test_a_pooled_run_resumes_from_its_output_and_sends_only_what_failed(llm: BatchLLM, tmp_path):
    out = tmp_path / "records.jsonl"
    texts = [*articles(6), "Article FAIL. The endpoint rejects this one."]
    first = summarize_many(texts, concurrency=4, processes=2, output=out, cache=False, max_retries=0, **opts(llm))
    assert [r.ok for r in first] == [True] * 6 + [False] and len(llm.articles) == 7

    again = summarize_many(texts, concurrency=4, processes=2, output=out, cache=False, max_retries=0, **opts(llm))
    assert len(llm.articles) == 8  # only the failure was sent again
    assert [r.resumed for r in again] == [True] * 6 + [False]
    assert [(r.id, r.input_sha256, r.ok) for r in again] == [(r.id, r.input_sha256, r.ok) for r in first]
    assert sorted(r["id"] for r in read_output(out)) == list(range(7))  # compacted: one record per input


def test_a_worker_that_dies_costs_only_the_articles_it_had_not_answered(llm: BatchLLM, tmp_path):
    llm.delay = 0.3
    killed: list[int] = []

    def kill_one(done: int, total: int, result: object) -> None:
        if not killed:
            worker = multiprocessing.active_children()[0]
            assert worker.pid is not None
            os.kill(worker.pid, signal.SIGKILL)
            killed.append(worker.pid)

    out = tmp_path / "records.jsonl"
    texts = articles(8)
    results = summarize_many(texts, concurrency=2, processes=2, output=out, cache=False, **opts(llm, progress=kill_one))
    assert killed and [r.id for r in results] == list(range(8))
    lost = [r for r in results if not r.ok]
    assert lost and all(r.error.type == "BrokenProcessPool" and r.error.retryable for r in lost)
    assert len(lost) < 8 and len(llm.articles) <= 8  # none sent twice
    assert sorted(r["id"] for r in read_output(out)) == list(range(8))  # nothing lost: every input has its record

    again = summarize_many(texts, concurrency=2, output=out, cache=False, **opts(llm))  # any run resumes the records
    assert all(r.ok for r in again) and sum(not r.resumed for r in again) == len(lost)


class _Local(BaseModel):  # importable: it pickles by reference
    headline: str


def test_settings_pickle_and_what_cannot_travel_is_refused_before_any_request(llm: BatchLLM):
    settings = Settings.of(model="test-model", base_url=llm.base_url, api_key="sk-test", grounding="drop", seed=7)
    assert pickle.loads(pickle.dumps(settings)) == settings
    assert pickle.loads(pickle.dumps(_Local)) is _Local

    class Inside(BaseModel):  # defined in a function: it does not pickle
        headline: str

    with pytest.raises(ConfigurationError, match="cannot be pickled"):
        summarize_many(articles(4), concurrency=2, processes=2, cache=False, response_model=Inside, **opts(llm))
    assert llm.articles == []


def test_processes_is_checked_and_a_budget_is_not_shared_across_processes():
    for bad in (0, -1, True, 1.5):
        with pytest.raises(ConfigurationError):
            BatchOptions(processes=bad)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="budget"):
        BatchOptions(processes=2, max_requests=10)
    assert BatchOptions(processes=1, max_requests=10).processes == 1  # one process counts it as before
