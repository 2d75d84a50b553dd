"""A run's budget: nothing sent past ``max_requests`` / ``max_total_tokens``, the rest recorded, resumed later.

Every answer here is HAND-WRITTEN (``tests/doubles``); nothing came from a model.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer import BudgetExhaustedError, ConfigurationError, batch_ingest, batch_inputs, batch_prepare, summarize_many
from summarizer.budget import Budget, request_bound, spending
from summarizer.cli import app

from ..doubles.responses import SEED_SUMMARY, completion, error

KEY = {"api_key": "placeholder-budget"}




def opts(base_url: str, **extra):
    return {"model": "test-model", "base_url": base_url, "retry_max_wait": 0.01, "progress": False,
            "grounding": "drop", "cache": False, **extra}


def articles(n: int) -> list[tuple[str, str]]:
    return [(f"a{i:04d}", f"Article {i:04d}. Officials said talks would resume.") for i in range(n)]


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def test_a_budget_of_requests_stops_sending_records_every_article_and_a_second_run_resumes(llm, tmp_path):
    out = tmp_path / "records.jsonl"
    items = articles(120)

    first = summarize_many(items, output=out, concurrency=16, max_requests=36, **opts(llm.base_url))

    assert len(llm.articles) <= 36
    assert len(first) == 120 and len(_lines(out)) == 120  # every article recorded, none lost
    spent = [r for r in first if not r.ok]
    assert sum(r.ok for r in first) == len(llm.articles)  # each request paid for one article that succeeded
    assert {r.error.type for r in spent} == {"BudgetExhaustedError"}  # type: ignore[union-attr]
    assert all(r.error.retryable and r.error.requests == 0 for r in spent)  # type: ignore[union-attr]
    sent_first = list(llm.articles)

    again = summarize_many(items, output=out, concurrency=16, **opts(llm.base_url))

    assert all(r.ok for r in again)
    resent = llm.articles[len(sent_first):]
    assert not set(resent) & set(sent_first)  # nothing done in the first run is sent again
    assert len(resent) == 120 - len(sent_first)
    assert Counter(llm.articles).most_common(1)[0][1] == 1


def test_transient_retries_count_against_the_budget(fake_llm):
    fake_llm.reply(error(503, "hand-written: busy"), status=503)
    fake_llm.reply(completion(arguments=SEED_SUMMARY))

    (result,) = summarize_many([("one", "Officials said talks would resume.")], max_requests=1,
                               **opts(fake_llm.base_url))

    assert len(fake_llm.requests) == 1  # the retry was not sent
    assert result.error is not None and result.error.type == "BudgetExhaustedError"
    assert result.error.requests == 1 and result.error.retryable


def test_re_asks_count_against_the_budget(fake_llm):
    fake_llm.reply(completion(arguments='{"headline": 5}'))  # fails the schema: a re-ask would follow
    fake_llm.reply(completion(arguments=SEED_SUMMARY))

    (result,) = summarize_many([("one", "Officials said talks would resume.")], max_requests=1,
                               **opts(fake_llm.base_url))

    assert len(fake_llm.requests) == 1
    assert result.error is not None and result.error.type == "BudgetExhaustedError"
    assert result.error.attempts == 1 and result.error.usage["total_tokens"] == 150  # type: ignore[index]


def test_a_token_budget_is_never_passed_even_with_requests_in_flight(llm):
    items = articles(40)
    one = request_bound({"messages": [{"role": "user", "content": items[0][1] * 40}], "max_tokens": 4000})
    budget = 3 * one  # a few requests' worth, whatever the prompt costs

    results = summarize_many(items, concurrency=16, max_total_tokens=budget, max_tokens=4000, **opts(llm.base_url))

    used = sum(r.summary.provenance.usage.total_tokens for r in results if r.ok)  # type: ignore[union-attr]
    assert 0 < len(llm.articles) < 40 and used <= budget
    assert all(r.ok or r.error.type == "BudgetExhaustedError" for r in results)  # type: ignore[union-attr]


def test_a_budget_of_nothing_sends_nothing(llm):
    results = summarize_many(articles(5), max_requests=0, **opts(llm.base_url))
    assert llm.articles == [] and [r.error.type for r in results] == ["BudgetExhaustedError"] * 5  # type: ignore[union-attr]


def test_the_bound_covers_every_byte_sent_and_the_output():
    body = {"model": "m", "messages": [{"role": "user", "content": "é" * 100}], "max_tokens": 50}
    assert request_bound(body) >= len(json.dumps(body["messages"], ensure_ascii=False).encode()) + 50


def test_a_failed_request_counts_and_costs_no_tokens_an_unreported_answer_costs_its_bound():
    budget = Budget(max_requests=3, max_total_tokens=1000)
    with spending(budget):
        budget.reserve(100).release()
        budget.reserve(100).settle(object())  # no usage reported
    assert (budget.requests, budget.tokens) == (2, 100)
    with pytest.raises(BudgetExhaustedError, match="max_total_tokens=1000"):
        budget.reserve(901)


@pytest.mark.parametrize("bad", [-1, 1.5, True, "3"])
def test_a_bad_budget_is_a_configuration_error(bad, llm):
    with pytest.raises(ConfigurationError, match="max_requests"):
        summarize_many(articles(1), max_requests=bad, **opts(llm.base_url))


def test_batch_prepare_writes_only_what_the_budget_allows_and_only_failed_prepares_the_rest(tmp_path):
    items = articles(10)
    prepared = batch_prepare(items, tmp_path / "r.jsonl", model="gpt-4.1-mini", max_requests=4, **KEY)

    assert prepared.lines == 4 and len(prepared.unprepared) == 6
    requests = prepared.requests
    answered = tmp_path / "res.jsonl"
    answered.write_text("".join(json.dumps({"custom_id": line["custom_id"], "error": None, "response": {
        "status_code": 200, "body": completion(arguments=SEED_SUMMARY)}}) + "\n" for line in _lines(requests)))
    records = tmp_path / "records.jsonl"
    batch_ingest(requests, answered, records)
    by_id = {r["id"]: r for r in _lines(records)}
    assert len(by_id) == 10
    assert {r["error"]["type"] for r in by_id.values() if not r["ok"]} == {"BudgetExhaustedError"}

    again = batch_prepare(batch_inputs(requests), tmp_path / "again.jsonl", only_failed=records,
                          model="gpt-4.1-mini", **KEY)
    assert again.lines == 6 and set(again.skipped) == {i for i, r in by_id.items() if r["ok"]}


def test_the_command_takes_a_budget_and_says_once_how_to_resume(llm, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in articles(6):
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "records.jsonl"
    args = ["summarize", str(folder), "--model", "test-model", "--base-url", llm.base_url, "--no-cache",
            "--format", "jsonl", "--out", str(out), "--grounding", "drop", "--no-progress"]

    first = CliRunner().invoke(app, [*args, "--max-requests", "2"], env={"OPENAI_API_KEY": "placeholder-budget"})

    assert first.exit_code == 1, first.output
    assert len(llm.articles) == 2 and len(_lines(out)) == 6
    assert first.output.count("the budget ran out") == 1 and "to resume" in first.output
    second = CliRunner().invoke(app, args, env={"OPENAI_API_KEY": "placeholder-budget"})
    assert second.exit_code == 0, second.output
    assert len(llm.articles) == 6 and len(set(llm.articles)) == 6
