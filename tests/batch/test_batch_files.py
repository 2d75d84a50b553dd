"""Batch files offline: prepare writes what a live call sends; ingest reads answers back through the live path.

Every answer here is HAND-WRITTEN (``tests/doubles/responses.py``); nothing came from a model.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from summarizer import (
    BatchFileError,
    ConfigurationError,
    OutputPathError,
    Summarizer,
    batch_ingest,
    batch_inputs,
    batch_prepare,
    summarize_many,
)
from summarizer.batch.files import articles_path

from ..doubles.responses import SEED_SUMMARY, cite_answer, completion

KEY = {"api_key": "placeholder-batch-files"}


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _results(requests: Path, out: Path, answer: Any = None, *, skip: set[str] = frozenset(),
             errors: set[str] = frozenset()) -> Path:
    """HAND-WRITTEN results in the Batch API's output format: one line per request unless skipped."""
    lines = []
    for request in _lines(requests):
        custom_id = request["custom_id"]
        if custom_id in skip:
            continue
        if custom_id in errors:
            lines.append({"id": "r", "custom_id": custom_id, "error": None, "response": {
                "status_code": 429, "body": {"error": {"message": "hand-written: slow down", "code": "rate_limit"}}}})
            continue
        body = answer(request) if answer else completion(arguments=SEED_SUMMARY, prompt_tokens=900, completion_tokens=300)
        lines.append({"id": "r", "custom_id": custom_id, "response": {"status_code": 200, "body": body}, "error": None})
    out.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return out


def test_each_line_holds_exactly_the_request_a_live_call_sends(fake_llm, seed_text, tmp_path):
    fake_llm.reply(completion(arguments=cite_answer(SEED_SUMMARY, seed_text, numbers=True)))
    options = {"model": "test-model", "base_url": fake_llm.base_url, "evidence": "sentence+numbers"}
    Summarizer(**options).summarize(seed_text)
    live = fake_llm.requests[0]

    prepared = batch_prepare([("seed", seed_text)], tmp_path / "requests.jsonl", **options)

    (line,) = _lines(prepared.requests)
    assert (line["method"], line["url"]) == ("POST", "/v1/chat/completions")
    assert line["body"] == live  # model, messages, the tool and its bounded schema, sampling: the same
    assert line["custom_id"].startswith("seed-") and prepared.lines == 1 and prepared.article_count == 1
    assert fake_llm.requests == [live]  # preparing sent nothing


def test_custom_ids_are_unique_per_article_and_hash_and_an_awkward_id_is_hashed(seed_text, tmp_path):
    prepared = batch_prepare(
        [("a", seed_text), ("b", seed_text), ("a/b c", seed_text), ("a", seed_text + " More.")],
        tmp_path / "r.jsonl", model="gpt-4.1-mini", **KEY,
    )
    ids = [line["custom_id"] for line in _lines(prepared.requests)]
    assert len(set(ids)) == 4 and ids[0].startswith("a-") and ids[1].startswith("b-") and " " not in ids[2]
    assert ids[0] != ids[3]  # the same id with another text is another request


def test_a_round_trip_gives_the_records_summarize_many_writes(seed_text, tmp_path, fake_llm):
    requests = batch_prepare([("one", seed_text), ("two", seed_text)], tmp_path / "r.jsonl",
                             model="gpt-4.1-mini", **KEY).requests
    results = _results(requests, tmp_path / "results.jsonl")

    records = batch_ingest(requests, results, tmp_path / "records.jsonl")

    assert [r.id for r in records] == ["one", "two"] and all(r.ok for r in records)
    summary = records[0].summary
    assert summary is not None and summary.grounding is not None and summary.grounding.grounded == 4
    p = summary.provenance
    assert p is not None and p.batch == "results.jsonl" and p.usage.completion_tokens == 300 and p.attempts == 1
    written = _lines(tmp_path / "records.jsonl")
    fake_llm.reply(completion(arguments=SEED_SUMMARY))
    summarize_many([("live", seed_text)], model="test-model", base_url=fake_llm.base_url, cache=False,
                   output=tmp_path / "live.jsonl")
    (live,) = _lines(tmp_path / "live.jsonl")
    assert set(written[0]) == set(live) and set(written[0]["summary"]) == set(live["summary"])


def test_a_long_article_is_one_line_per_chunk_and_merged_on_ingest(seed_text, tmp_path):
    long = "\n\n".join([seed_text] * 6)
    prepared = batch_prepare([("long", long)], tmp_path / "r.jsonl", model="gpt-4.1-mini", chunk_tokens=1200, **KEY)
    assert prepared.lines > 1 and prepared.article_count == 1
    (record,) = batch_ingest(prepared.requests, _results(prepared.requests, tmp_path / "res.jsonl"))
    assert record.ok and record.summary is not None
    p = record.summary.provenance
    assert p is not None and p.chunks == prepared.lines and p.usage.completion_tokens == 300 * prepared.lines
    for item in record.summary.figures:  # spans index the whole article
        assert item.span is not None and long[item.span.start : item.span.end] == item.evidence


def test_error_lines_missing_lines_and_invalid_answers_become_that_articles_error(seed_text, tmp_path):
    names = ["fine", "error", "missing", "invalid", "ungrounded"]
    requests = batch_prepare([(n, seed_text) for n in names], tmp_path / "r.jsonl", model="gpt-4.1-mini",
                             **KEY).requests
    by_name = {line["custom_id"].split("-")[0]: line["custom_id"] for line in _lines(requests)}
    made_up = copy.deepcopy(SEED_SUMMARY)
    made_up["figures"][0]["quote"] = "a quote the article never had: 20,000 to 30,000"

    def answer(request: dict[str, Any]) -> dict[str, Any]:
        name = request["custom_id"].split("-")[0]
        if name == "invalid":
            return completion(arguments='{"headline": 3}')
        return completion(arguments=made_up if name == "ungrounded" else SEED_SUMMARY)

    results = _results(requests, tmp_path / "res.jsonl", answer, skip={by_name["missing"]}, errors={by_name["error"]})
    records = {r.id: r for r in batch_ingest(requests, results)}

    assert records["fine"].ok
    assert records["error"].error is not None and records["error"].error.type == "RateLimitError"
    assert records["error"].error.retryable and "slow down" in records["error"].error.message
    assert records["missing"].error is not None and "no answer for request" in records["missing"].error.message
    assert records["missing"].error.retryable
    assert records["invalid"].error is not None and records["invalid"].error.type == "OutputValidationError"
    # A batch cannot re-ask: under "reask" the unsupported figure is dropped, as once live re-asks are spent.
    ungrounded = records["ungrounded"].summary
    assert ungrounded is not None and ungrounded.figures == [] and ungrounded.grounding is not None
    assert ungrounded.grounding.dropped == 1 and ungrounded.grounding.policy == "reask"


def test_ingest_resumes_from_its_records_and_never_writes_one_twice(seed_text, tmp_path):
    requests = batch_prepare([("a", seed_text), ("b", seed_text)], tmp_path / "r.jsonl", model="gpt-4.1-mini",
                             **KEY).requests
    results = _results(requests, tmp_path / "res.jsonl")
    out = tmp_path / "records.jsonl"
    batch_ingest(requests, results, out)
    again = batch_ingest(requests, results, out)
    assert all(r.resumed for r in again) and [r["id"] for r in _lines(out)] == ["a", "b"]


def test_files_are_never_written_over_and_foreign_results_are_refused(seed_text, tmp_path):
    mine = tmp_path / "notes.jsonl"
    mine.write_text("my notes\n")
    with pytest.raises(OutputPathError, match="never written over"):
        batch_prepare([seed_text], mine, model="gpt-4.1-mini", **KEY)
    assert mine.read_text() == "my notes\n" and not articles_path(mine).exists()
    requests = batch_prepare([("a", seed_text)], tmp_path / "r.jsonl", model="gpt-4.1-mini", **KEY).requests
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps({"custom_id": "someone-else-0", "response": {"status_code": 200, "body": {}}}) + "\n")
    with pytest.raises(BatchFileError, match="not a request of this batch"):
        batch_ingest(requests, other)
    articles_path(requests).unlink()
    with pytest.raises(BatchFileError, match="cannot be read"):
        batch_ingest(requests, other)


def test_only_failed_prepares_again_just_what_did_not_succeed(seed_text, tmp_path):
    requests = batch_prepare([("a", seed_text), ("b", seed_text), ("c", seed_text)], tmp_path / "r.jsonl",
                             model="gpt-4.1-mini", **KEY).requests
    b = next(line["custom_id"] for line in _lines(requests) if line["custom_id"].startswith("b-"))
    records = tmp_path / "records.jsonl"
    batch_ingest(requests, _results(requests, tmp_path / "res.jsonl", skip={b}), records)

    again = batch_prepare(batch_inputs(requests), tmp_path / "again.jsonl", only_failed=records, model="gpt-4.1-mini",
                          **KEY)

    assert [line["custom_id"].split("-")[0] for line in _lines(again.requests)] == ["b"]
    assert set(again.skipped) == {"a", "c"}
    batch_ingest(again.requests, _results(again.requests, tmp_path / "res2.jsonl"), records)
    ok = {r["id"]: r["ok"] for r in _lines(records)}
    assert ok == {"a": True, "b": True, "c": True}


def test_retry_live_summarizes_what_the_batch_could_not(seed_text, tmp_path, fake_llm):
    requests = batch_prepare([("a", seed_text), ("b", seed_text)], tmp_path / "r.jsonl", model="test-model",
                             base_url=fake_llm.base_url).requests
    b = next(line["custom_id"] for line in _lines(requests) if line["custom_id"].startswith("b-"))
    fake_llm.reply(completion(arguments=SEED_SUMMARY))

    records = batch_ingest(requests, _results(requests, tmp_path / "res.jsonl", skip={b}), tmp_path / "rec.jsonl",
                           retry_live=True)

    assert [r.ok for r in records] == [True, True] and len(fake_llm.requests) == 1
    assert records[0].summary.provenance.batch == "res.jsonl"  # type: ignore[union-attr]
    assert records[1].summary.provenance.batch is None  # type: ignore[union-attr]  # live


def test_an_unreadable_input_is_recorded_not_lost(seed_text, tmp_path):
    prepared = batch_prepare([("fine", seed_text), ("missing", tmp_path / "nope.txt"), ("empty", "  ")],
                             tmp_path / "r.jsonl", model="gpt-4.1-mini", **KEY)
    assert prepared.lines == 1 and set(prepared.unprepared) == {"missing", "empty"}
    records = {r.id: r for r in batch_ingest(prepared.requests, _results(prepared.requests, tmp_path / "x.jsonl"))}
    assert records["fine"].ok and records["missing"].error is not None and records["empty"].error is not None
    assert records["empty"].error.type == "EmptyInputError"


def test_the_embedded_model_cannot_be_batched(seed_text, tmp_path):
    with pytest.raises(ConfigurationError, match="Batch API"):
        batch_prepare([seed_text], tmp_path / "r.jsonl", model="local")
    assert not (tmp_path / "r.jsonl").exists()


def test_the_command_prepares_and_ingests(seed_text, tmp_path):
    from typer.testing import CliRunner

    from summarizer.cli import app

    article = tmp_path / "seed.txt"
    article.write_text(seed_text, encoding="utf-8")
    runner = CliRunner(env={"OPENAI_API_KEY": KEY["api_key"]})
    prepared = runner.invoke(app, ["batch", "prepare", str(article), "--out", str(tmp_path / "r.jsonl"),
                                   "--model", "gpt-4.1-mini"])
    assert prepared.exit_code == 0, prepared.output
    results = _results(tmp_path / "r.jsonl", tmp_path / "res.jsonl")
    ingested = CliRunner(env={}).invoke(app, ["batch", "ingest", str(tmp_path / "r.jsonl"), str(results),
                                              "--out", str(tmp_path / "rec.jsonl")])
    assert ingested.exit_code == 0, ingested.output
    (record,) = _lines(tmp_path / "rec.jsonl")
    assert record["ok"] and record["summary"]["provenance"]["batch"] == "res.jsonl"


def test_no_secret_reaches_a_batch_file(seed_text, tmp_path):
    key = "sk-test-secret-batch-0000000000000000"  # fake, and key-shaped on purpose: the leak check must see it
    with pytest.warns(UserWarning, match="base_url carries credentials"):
        prepared = batch_prepare([("a", seed_text)], tmp_path / "r.jsonl", model="m", api_key=key,
                                 base_url="https://user:hunter2hunter2@llm.example/v1?token=abcdef123456")
    for path in (prepared.requests, prepared.articles):
        text = path.read_text(encoding="utf-8")
        assert key not in text and "hunter2" not in text and "abcdef123456" not in text
    assert '"base_url": "https://llm.example/v1"' in prepared.articles.read_text(encoding="utf-8")


def test_iter_ingest_yields_the_same_records_one_at_a_time_in_order(seed_text, tmp_path):
    from summarizer import iter_ingest

    requests = batch_prepare([(n, seed_text) for n in "abc"], tmp_path / "r.jsonl", model="gpt-4.1-mini", **KEY).requests
    results = _results(requests, tmp_path / "res.jsonl")
    stream = iter_ingest(requests, results)
    first = next(stream)
    assert first.id == "a" and first.ok  # one record, before the others are read
    rest = list(stream)
    assert [r.id for r in rest] == ["b", "c"]
    listed = batch_ingest(requests, results)
    dump = [r.summary.model_dump(exclude={"provenance"}) for r in [first, *rest]]  # type: ignore[union-attr]
    assert dump == [r.summary.model_dump(exclude={"provenance"}) for r in listed]  # type: ignore[union-attr]
