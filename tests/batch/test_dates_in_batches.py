"""Every record carries its article's date, however the batch ran (HAND-WRITTEN answers; see doubles/)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from summarizer import ArticleSummary, batch_ingest, batch_inputs, batch_prepare, summarize_many
from summarizer.batch import read_output
from summarizer.batch.files import articles_path

from ..doubles.loopback import BatchLLM
from .test_batch_files import _results
from .test_runner import opts


def condition_day(summary: object) -> date | None:
    assert isinstance(summary, ArticleSummary)
    when = summary.peace_talk_conditions[0].when  # Zelensky "said Tuesday"
    return when.date if when is not None else None  # type: ignore[return-value]


def test_inputs_give_a_date_as_a_third_part_or_a_key(llm: BatchLLM, seed_text: str) -> None:
    results = summarize_many(
        [("a", seed_text, "2022-11-10"), {"id": "b", "text": seed_text, "published": date(2022, 11, 17)},
         ("c", seed_text)],
        cache=False, **opts(llm),
    )
    assert [r.published for r in results] == [date(2022, 11, 10), date(2022, 11, 17), None]
    assert [condition_day(r.summary) for r in results] == [date(2022, 11, 8), date(2022, 11, 15), None]
    assert results[0].to_record()["published"] == "2022-11-10" and results[2].to_record()["published"] is None


def test_a_date_that_is_no_date_fails_that_article_alone(llm: BatchLLM, seed_text: str) -> None:
    results = summarize_many([("bad", seed_text, "next-ish"), ("good", seed_text, "2022-11-10")], cache=False,
                             **opts(llm))
    assert results[0].error is not None and results[0].error.type == "InputError"
    assert "published" in results[0].error.message
    assert results[1].ok and results[1].published == date(2022, 11, 10)


def test_a_cache_hit_is_dated_against_its_own_date(llm: BatchLLM, seed_text: str) -> None:
    first = summarize_many([("a", seed_text, "2022-11-10")], **opts(llm))
    again = summarize_many([("a", seed_text, "2022-11-17")], **opts(llm))
    assert again[0].cached and len(llm.articles) == 1
    assert condition_day(first[0].summary) == date(2022, 11, 8)
    assert condition_day(again[0].summary) == date(2022, 11, 15)
    assert again[0].published == date(2022, 11, 17)


def test_a_resumed_record_keeps_its_date_and_is_dated_again(llm: BatchLLM, seed_text: str, tmp_path: Path) -> None:
    out = tmp_path / "records.jsonl"
    summarize_many([("a", seed_text, "2022-11-10")], output=out, **opts(llm))
    (line,) = read_output(out)
    assert line["published"] == "2022-11-10"
    assert line["summary"]["provenance"]["published_from"] == "argument"
    resumed = summarize_many([("a", seed_text, "2022-11-17")], output=out, **opts(llm))
    assert resumed[0].resumed and resumed[0].published == date(2022, 11, 17)
    assert condition_day(resumed[0].summary) == date(2022, 11, 15)


def test_batch_files_record_the_date_and_ingest_dates_with_it(seed_text: str, tmp_path: Path) -> None:
    requests = tmp_path / "requests.jsonl"
    batch_prepare([("a", seed_text, "2022-11-10"), ("b", seed_text)], requests, model="gpt-4.1-mini",
                  api_key="sk-test-not-sent")
    lines = [json.loads(x) for x in articles_path(requests).read_text("utf-8").splitlines()[1:]]
    assert [line.get("published") for line in lines] == ["2022-11-10", None]
    assert [p for _, _, p in batch_inputs(requests)] == [date(2022, 11, 10), None]
    results = batch_ingest(requests, _results(requests, tmp_path / "results.jsonl"), tmp_path / "records.jsonl")
    assert [r.published for r in results] == [date(2022, 11, 10), None]
    assert [condition_day(r.summary) for r in results] == [date(2022, 11, 8), None]
    assert [r["published"] for r in read_output(tmp_path / "records.jsonl")] == ["2022-11-10", None]
