"""Provider batch jobs against a HAND-WRITTEN loopback fake of the Files and Batches endpoints.

``tests/doubles/batch_api.py`` plays the provider; its answers are the hand-written
seed summary. Nothing here came from a provider or a model.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from summarizer import (
    BatchFileError,
    OutputPathError,
    batch_collect,
    batch_inputs,
    batch_prepare,
    batch_status,
    batch_submit,
)
from summarizer.batch.jobs import Job

from ..doubles.batch_api import BatchAPI
from ..doubles.responses import SEED_SUMMARY, completion

NAMES = ["a", "b", "c", "d"]
JOB_KEY = "placeholder-batch-jobs"  # the fake checks no key; never one shaped like a real one


@pytest.fixture
def api(httpserver) -> BatchAPI:
    return BatchAPI(httpserver, lambda body: completion(arguments=SEED_SUMMARY, completion_tokens=222))


def _prepare(api: BatchAPI, seed_text: str, folder: Path, name: str = "requests.jsonl") -> Path:
    return batch_prepare([(n, seed_text) for n in NAMES], folder / name, model="test-model",
                         base_url=api.base_url, api_key=JOB_KEY).requests


def _ids(requests: Path) -> dict[str, str]:
    lines = [json.loads(line) for line in requests.read_text().splitlines()]
    return {line["custom_id"].split("-")[0]: line["custom_id"] for line in lines}


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line]


def test_submit_status_collect_and_a_second_collect_changes_nothing(api, seed_text, tmp_path):
    requests = _prepare(api, seed_text, tmp_path)
    job = tmp_path / "job.json"

    submitted = batch_submit(requests, job)
    assert submitted.batch_id == "batch_1" and submitted.input_file_id == "file-1"
    assert api.files["file-1"] == requests.read_bytes()  # the requests file, uploaded as it is
    assert batch_status(job).status == "in_progress"
    out = tmp_path / "records.jsonl"
    collected = batch_collect(job, out)

    assert [r.ok for r in collected.results] == [True] * 4 and collected.resubmit == ()
    assert (collected.ok, collected.failed) == (4, 0)
    summary = collected.results[0].summary
    assert summary is not None and summary.provenance is not None and summary.provenance.batch == "batch_1"
    assert summary.provenance.usage.completion_tokens == 222
    saved = Job.load(job)
    assert saved.status == "completed" and saved.collected is not None and saved.collected["ok"] == 4
    downloads = sum(call.endswith("/content") for call in api.calls)

    again = batch_collect(job, out)

    assert all(r.resumed for r in again.results) and len(_records(out)) == 4  # nothing written twice
    assert sum(call.endswith("/content") for call in api.calls) == downloads  # nothing downloaded twice


def test_error_lines_and_missing_lines_are_errors_that_can_be_resubmitted(api, seed_text, tmp_path):
    requests = _prepare(api, seed_text, tmp_path)
    ids = _ids(requests)
    api.errors, api.drop = {ids["b"]}, {ids["c"]}
    job = tmp_path / "job.json"
    batch_submit(requests, job)

    collected = batch_collect(job, tmp_path / "records.jsonl", wait=True, poll=0.01)

    by_id = {r.id: r for r in collected.results}
    assert by_id["a"].ok and by_id["d"].ok
    assert by_id["b"].error is not None and "hand-written server error" in by_id["b"].error.message
    assert by_id["c"].error is not None and "completed without answering it" in by_id["c"].error.message
    assert set(collected.resubmit) == {"b", "c"} and (collected.ok, collected.failed) == (2, 2)


@pytest.mark.parametrize("scenario", ["expired", "cancelled"])
def test_an_expired_or_cancelled_job_keeps_what_it_answered_and_names_the_rest(api, seed_text, tmp_path, scenario):
    requests = _prepare(api, seed_text, tmp_path)
    api.scenario, api.answered = scenario, 2
    job = tmp_path / "job.json"
    batch_submit(requests, job)

    collected = batch_collect(job, tmp_path / "records.jsonl", wait=True, poll=0.01)

    assert [r.ok for r in collected.results] == [True, True, False, False]
    assert f"ended {scenario} before answering it" in (collected.results[2].error.message or "")  # type: ignore[union-attr]
    assert collected.resubmit == ("c", "d") and Job.load(job).status == scenario


def test_a_failed_job_is_every_articles_error_with_the_providers_reason(api, seed_text, tmp_path):
    requests = _prepare(api, seed_text, tmp_path)
    api.scenario = "failed"
    job = tmp_path / "job.json"
    batch_submit(requests, job)

    collected = batch_collect(job, tmp_path / "records.jsonl", wait=True, poll=0.01)

    assert not any(r.ok for r in collected.results) and len(collected.resubmit) == 4
    assert "this line is not valid" in (collected.results[0].error.message or "")  # type: ignore[union-attr]
    assert Job.load(job).errors == ["line 1: hand-written: this line is not valid"]


def test_resubmitting_what_failed_completes_the_records(api, seed_text, tmp_path):
    requests = _prepare(api, seed_text, tmp_path)
    api.scenario, api.answered = "expired", 1
    records = tmp_path / "records.jsonl"
    batch_submit(requests, tmp_path / "job1.json")
    first = batch_collect(tmp_path / "job1.json", records, wait=True, poll=0.01)
    assert first.resubmit == ("b", "c", "d")

    again = batch_prepare(batch_inputs(requests), tmp_path / "again.jsonl", only_failed=records, model="test-model",
                          base_url=api.base_url, api_key=JOB_KEY)
    assert again.lines == 3
    api.scenario = "completed"
    batch_submit(again.requests, tmp_path / "job2.json")
    second = batch_collect(tmp_path / "job2.json", records, wait=True, poll=0.01)

    assert [r.ok for r in second.results] == [True] * 3
    latest = {r["id"]: r["ok"] for r in _records(records)}
    assert latest == dict.fromkeys(NAMES, True)


def test_one_job_file_one_batch_and_a_crash_after_upload_resumes_without_a_second_upload(api, seed_text, tmp_path):
    requests = _prepare(api, seed_text, tmp_path)
    job = tmp_path / "job.json"
    batch_submit(requests, job)
    with pytest.raises(OutputPathError, match="already records batch batch_1"):
        batch_submit(requests, job)
    # A crash between the upload and the batch's creation leaves a job file with the file's id only.
    crashed = tmp_path / "crashed.json"
    state = json.loads(job.read_text())
    state.update(batch_id=None, status="uploaded")
    crashed.write_text(json.dumps(state))
    uploads = api.calls.count("POST /v1/files")

    resumed = batch_submit(requests, crashed)

    assert resumed.batch_id == "batch_2" and resumed.input_file_id == state["input_file_id"]
    assert api.calls.count("POST /v1/files") == uploads


def test_collecting_a_running_batch_without_wait_says_so(api, seed_text, tmp_path):
    requests = _prepare(api, seed_text, tmp_path)
    api.polls_before_end = 5
    job = tmp_path / "job.json"
    batch_submit(requests, job)
    with pytest.raises(BatchFileError, match="is in_progress"):
        batch_collect(job, tmp_path / "records.jsonl")
    assert not (tmp_path / "records.jsonl").exists()


def test_a_file_that_is_not_a_job_is_refused_and_left_alone(api, seed_text, tmp_path):
    notes = tmp_path / "notes.json"
    notes.write_text('{"mine": true}')
    with pytest.raises(BatchFileError, match="not a summarizer batch job file"):
        batch_submit(_prepare(api, seed_text, tmp_path), notes)
    assert notes.read_text() == '{"mine": true}' and api.calls == []


def test_the_commands_submit_check_and_collect(api, seed_text, tmp_path):
    from typer.testing import CliRunner

    from summarizer.cli import app

    requests = _prepare(api, seed_text, tmp_path)
    api.drop = {_ids(requests)["d"]}
    runner = CliRunner(env={"OPENAI_API_KEY": JOB_KEY})
    job = str(tmp_path / "job.json")
    assert runner.invoke(app, ["batch", "submit", str(requests), "--job", job]).exit_code == 0
    status = runner.invoke(app, ["batch", "status", "--job", job])
    assert status.exit_code == 0 and "batch_1: in_progress" in status.stdout
    collected = runner.invoke(app, ["batch", "collect", "--job", job, "--out", str(tmp_path / "rec.jsonl"),
                                    "--wait", "--poll", "0.01"])
    assert collected.exit_code == 1  # one article was not answered
    assert "3 of 4 articles summarized, 1 failed" in collected.stderr
    assert "--only-failed" in collected.stderr
