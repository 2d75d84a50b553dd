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


# -- one run per job file, and what a provider says is checked (issue 23) ----------------------------


@pytest.fixture
def threaded_api():
    """The fake on a server that answers while another of its requests is still running (a second run meanwhile)."""
    from pytest_httpserver import HTTPServer

    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    try:
        yield BatchAPI(server, lambda body: completion(arguments=SEED_SUMMARY))
    finally:
        server.clear()
        server.stop()


def test_a_second_submit_on_the_same_job_file_fails_at_once_and_no_batch_goes_unrecorded(threaded_api, seed_text,
                                                                                          tmp_path):
    from summarizer import OutputLockedError

    api = threaded_api
    requests = _prepare(api, seed_text, tmp_path)
    job = tmp_path / "job.json"
    second: list[BaseException] = []

    def second_submit() -> None:  # runs while the first submit is uploading
        api.on_upload = None
        try:
            batch_submit(requests, job)
        except Exception as exc:  # noqa: BLE001 - kept to assert on
            second.append(exc)

    api.on_upload = second_submit
    first = batch_submit(requests, job)

    assert len(second) == 1 and isinstance(second[0], OutputLockedError), second
    assert "in use by another run" in str(second[0])
    assert list(api.batches) == [first.batch_id] and Job.load(job).batch_id == first.batch_id  # one batch, recorded
    assert api.calls.count("POST /v1/files") == 1


def test_status_while_a_collect_holds_the_job_fails_at_once(threaded_api, seed_text, tmp_path):
    from summarizer import OutputLockedError

    api = threaded_api
    requests = _prepare(api, seed_text, tmp_path)
    job = tmp_path / "job.json"
    batch_submit(requests, job)
    seen: list[BaseException] = []

    def status_meanwhile() -> None:
        api.on_retrieve = None
        try:
            batch_status(job)
        except Exception as exc:  # noqa: BLE001 - kept to assert on
            seen.append(exc)

    api.on_retrieve = status_meanwhile
    collected = batch_collect(job, tmp_path / "records.jsonl", wait=True, poll=0.01)

    assert len(seen) == 1 and isinstance(seen[0], OutputLockedError), seen
    assert collected.ok == 4 and batch_status(job).status == "completed"  # the lock is released afterwards


def test_a_stray_line_in_the_providers_output_is_reported_and_every_article_is_still_collected(api, seed_text,
                                                                                               tmp_path):
    from summarizer.errors import BatchFileWarning

    requests = _prepare(api, seed_text, tmp_path)
    foreign = "token_stray-line-0123456789abcdef"  # key-shaped: the report must not repeat it
    api.extra_output = [json.dumps({"custom_id": foreign, "response": {"status_code": 200, "body": {}}}),
                        "{not json", json.dumps(["a", "list"])]
    job = tmp_path / "job.json"
    batch_submit(requests, job)

    with pytest.warns(BatchFileWarning, match="3 line") as caught:
        collected = batch_collect(job, tmp_path / "records.jsonl", wait=True, poll=0.01)

    assert (collected.ok, collected.failed) == (4, 0)
    shown = str(caught[0].message)
    assert foreign not in shown and "[redacted]" in shown and "not JSON" in shown


@pytest.mark.parametrize("fields, said", [
    ({"status": 123}, "status is a number"),
    ({"status": None}, "status is null"),
    ({"output_file_id": "../../v1/files/file-1"}, "output_file_id"),
    ({"output_file_id": {"id": "file-1"}}, "output_file_id"),
    ({"request_counts": "many", "errors": {"data": [{"message": {"nested": True}, "line": "x"}, 5]}}, None),
    ({"status": "in_progress\x1b[2J", "request_counts": {"total": -1, "completed": 10**40}}, None),
])
def test_a_providers_malformed_batch_is_a_typed_error_or_stored_checked(api, seed_text, tmp_path, fields, said):
    from summarizer import ProviderUnavailableError

    requests = _prepare(api, seed_text, tmp_path)
    job = tmp_path / "job.json"
    batch_submit(requests, job)
    api.retrieve_fields = fields
    if said is not None:
        with pytest.raises(ProviderUnavailableError, match=said):
            batch_status(job)
        assert Job.load(job).status == "validating"  # the job file keeps what it knew
        return
    current = batch_status(job)
    saved = Job.load(job)
    assert all(isinstance(v, int) and v >= 0 for v in saved.request_counts.values())
    assert "\x1b" not in saved.status and all(isinstance(e, str) for e in saved.errors)
    assert current.status == saved.status


@pytest.mark.parametrize("body", [b"[]", b'"a string"', b"not json at all", b"[" * 100_000, b'{"id": "batch_1"}'])
def test_a_retrieve_that_is_not_a_batch_is_a_typed_error(api, seed_text, tmp_path, body):
    from summarizer import ProviderUnavailableError

    requests = _prepare(api, seed_text, tmp_path)
    job = tmp_path / "job.json"
    batch_submit(requests, job)
    api.retrieve_body = body
    with pytest.raises(ProviderUnavailableError, match="answered with"):
        batch_status(job)


@pytest.mark.parametrize("content", [
    {"format": "summarizer-batch-job/1", "requests": "r.jsonl", "requests_sha256": "0" * 64, "batch_id": "../x"},
    {"format": "summarizer-batch-job/1", "requests": "r.jsonl", "requests_sha256": "0" * 64, "request_counts": []},
    {"format": "summarizer-batch-job/1", "requests": "r.jsonl", "requests_sha256": "0" * 64, "errors": "boom"},
    {"format": "summarizer-batch-job/1", "requests": "r.jsonl", "requests_sha256": "0" * 64, "downloaded": {"x": 1}},
    {"format": "summarizer-batch-job/1", "requests": 5, "requests_sha256": "0" * 64},
    "[" * 100_000,
    '{"format": "summarizer-batch-job/1", "requests": "r", "requests_sha256": NaN}',
])
def test_a_malformed_job_file_is_a_batch_file_error(tmp_path, content):
    job = tmp_path / "job.json"
    job.write_text(content if isinstance(content, str) else json.dumps(content))
    with pytest.raises(BatchFileError, match="job file|not a summarizer batch job file"):
        Job.load(job)


def test_a_job_file_that_is_not_a_regular_file_is_refused_without_reading_it(tmp_path):
    from ..doubles.checks import fifo_fed_later

    fifo = fifo_fed_later(tmp_path / "job.json")  # opening it to read would wait for a writer
    with pytest.raises(BatchFileError, match="not a regular file"):
        batch_status(fifo)


def test_the_commands_never_show_a_raw_exception_for_a_broken_job_file(tmp_path):
    from typer.testing import CliRunner

    from summarizer.cli import app

    job = tmp_path / "job.json"
    job.write_text(json.dumps({"format": "summarizer-batch-job/1", "requests": 5, "requests_sha256": "0" * 64,
                               "batch_id": "batch_1", "status": ["not", "text"]}))
    runner = CliRunner(env={"OPENAI_API_KEY": JOB_KEY})
    for command in (["batch", "status", "--job", str(job)],
                    ["batch", "collect", "--job", str(job), "--out", str(tmp_path / "rec.jsonl")],
                    ["batch", "submit", str(tmp_path / "r.jsonl"), "--job", str(job)]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2 and isinstance(result.exception, SystemExit), (command, result.exception)
        assert "error:" in result.stderr, (command, result.stderr)


@pytest.mark.parametrize("where", ["folder", "device", "loop"])
def test_a_job_path_that_is_no_job_file_is_refused_and_no_lock_file_is_left_beside_it(where, tmp_path):
    job = {"folder": tmp_path / "jobs", "device": Path("/dev/null"), "loop": tmp_path / "loop"}[where]
    if where == "folder":
        job.mkdir()
    if where == "loop":
        job.symlink_to(job)
    before = set(job.parent.iterdir())
    with pytest.raises((BatchFileError, OutputPathError)):
        batch_status(job)
    assert set(job.parent.iterdir()) == before


def test_a_base_url_that_cannot_be_used_is_never_recorded_and_one_given_again_wins(api, seed_text, tmp_path,
                                                                                   monkeypatch):
    from summarizer import ConfigurationError

    monkeypatch.setenv("OPENAI_API_KEY", JOB_KEY)
    requests = _prepare(api, seed_text, tmp_path)
    job = tmp_path / "job.json"
    with pytest.raises(ConfigurationError):
        batch_submit(requests, job, base_url="ftp://x")
    assert not job.exists()
    refused = tmp_path / "refused.json"
    with pytest.raises(Exception):  # noqa: B017 - nothing listens there: the provider error
        batch_submit(requests, refused, base_url="http://127.0.0.1:9/v1")
    assert Job.load(refused).batch_id is None
    submitted = batch_submit(requests, refused, base_url=api.base_url)  # the same job file, now reachable
    assert submitted.batch_id is not None and Job.load(refused).base_url == api.base_url
