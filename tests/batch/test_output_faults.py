"""The batch output file under fault: paths that cannot hold it, files that are not ours, writes that fail.

Requests go to the threaded loopback server of ``doubles/loopback.py`` (HAND-WRITTEN
responses). The faults are real where the platform allows: devices, a FIFO, a socket,
a terminal (a pty), symlinks, files deleted or replaced mid-run, and a write that fails
with a real ``EFBIG`` (a child process under ``RLIMIT_FSIZE``, the same path as a full
disk: a short write, then an error). A read-only file is simulated (hand-written) when
the tests run as root, who is not stopped by permissions.
"""

from __future__ import annotations

import asyncio
import errno
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import summarizer.batch.output as output_module
from summarizer import (
    OutputPathError,
    OutputWarning,
    OutputWriteError,
    batch_collect,
    batch_prepare,
    batch_submit,
    iter_summaries,
    summarize_many,
)
from summarizer.batch import read_output
from summarizer.cli import app

from ..conftest import ROOT
from ..doubles.batch_api import BatchAPI
from ..doubles.loopback import BatchLLM
from ..doubles.responses import SEED_SUMMARY, completion

runner = CliRunner()

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX files, devices and limits")



def opts(llm: BatchLLM, **extra):
    return {"model": "test-model", "base_url": llm.base_url, "retry_max_wait": 0.01, "progress": False,
            "grounding": "drop", "cache": False, **extra}


def articles(n: int) -> list[str]:
    return [f"Article {i:03d}. Officials said talks would resume." for i in range(n)]


# -- paths that cannot hold the output: refused before any request --------------------


def _fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


def _socket(tmp_path: Path) -> Path:
    path = tmp_path / "sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    return path  # left bound: the test's tmp_path goes away with it


def _terminal(tmp_path: Path) -> Path:
    _leader, follower = os.openpty()  # both left open: the pty lives as long as the test process
    return Path(os.ttyname(follower))


@posix_only
@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda tmp: Path("/dev/null"), "character device"),
        (lambda tmp: Path("/dev/zero"), "character device"),
        (_fifo, "FIFO"),
        (_socket, "socket"),
        (_terminal, "character device"),
        (lambda tmp: tmp, "is a folder"),
        (lambda tmp: tmp / "missing" / "run.jsonl", "does not exist"),
    ],
    ids=["dev-null", "dev-zero", "fifo", "socket", "terminal", "folder", "missing-folder"],
)
def test_an_output_that_is_not_a_regular_file_is_refused_before_any_request(llm, tmp_path, make, says):
    path = make(tmp_path)
    with pytest.raises(OutputPathError, match=says) as caught:
        summarize_many(articles(2), output=path, **opts(llm))
    assert caught.value.path == str(path)
    assert llm.articles == []  # nothing was sent, nothing was paid for


_RECORD = b'{"id": 0, "input_sha256": "x", "ok": false}\n'
# HAND-WRITTEN, a line of the Batch API's results: it starts with an id, as a record does, but has no ok.
_RESULTS_LINE = b'{"id": "batch_req_1", "custom_id": "a-0", "response": {"status_code": 200, "body": {}}, "error": null}\n'


@pytest.mark.parametrize(
    "content",
    [
        b"my notes\nline two\nthe last line, without its newline",
        b'{"a": 1}',
        b'{"name": "x"}\n{"name": "y"}\n',
        _RECORD + b"a note added by hand\n",
        _RECORD + b"a note without its newline",
        b"[1, 2, 3]\n",
        _RESULTS_LINE,
    ],
    ids=["notes", "one-line-json", "other-jsonl", "record-then-note", "record-then-partial-note", "json-array",
         "batch-results"],
)
def test_a_file_that_is_not_this_librarys_jsonl_is_refused_and_left_as_it_is(llm, tmp_path, content):
    path = tmp_path / "notes.txt"
    path.write_bytes(content)
    with pytest.raises(OutputPathError, match="not a summarizer JSON Lines output"):
        summarize_many(articles(2), output=path, **opts(llm))
    assert path.read_bytes() == content
    assert llm.articles == []


def test_a_line_nested_past_the_stack_is_skipped_with_a_warning_not_raised(llm, tmp_path):
    path = tmp_path / "run.jsonl"
    deep = b'{"id": 0, "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n"  # a record's start, then too deep to parse
    path.write_bytes(deep + _RECORD)
    with pytest.warns(UserWarning, match="corrupt line"):
        (result,) = summarize_many(articles(1), output=path, **opts(llm))
    assert result.ok and [r["ok"] for r in read_output(path)] == [True]


def test_an_input_file_is_never_the_output(llm, tmp_path):
    path = tmp_path / "run.jsonl"
    path.write_bytes(_RECORD)
    with pytest.raises(OutputPathError, match="is the same file as"):
        summarize_many([path], output=tmp_path / "." / "run.jsonl", **opts(llm))
    assert path.read_bytes() == _RECORD and llm.articles == []


def _prepared(tmp_path: Path, base_url: str = "http://127.0.0.1:9/v1") -> Path:
    return batch_prepare([("a", articles(1)[0])], tmp_path / "requests.jsonl", model="test-model", base_url=base_url,
                         api_key="placeholder-output-faults").requests


@pytest.mark.parametrize("which", ["the-results", "a-copy"])
def test_batch_ingest_never_takes_a_results_file_as_its_records(tmp_path, which):
    requests = _prepared(tmp_path)
    custom_id = json.loads(requests.read_text())["custom_id"]
    results = tmp_path / "results.jsonl"  # HAND-WRITTEN: one answer line, in the Batch API's format
    content = json.dumps({"id": "batch_req_1", "custom_id": custom_id, "error": None, "response": {
        "status_code": 200, "body": completion(arguments=SEED_SUMMARY)}}) + "\n"
    results.write_text(content)
    out = results if which == "the-results" else tmp_path / "copy.jsonl"
    out.write_text(content)
    ingest = runner.invoke(app, ["batch", "ingest", str(requests), str(results), "--out", str(out)],
                           catch_exceptions=False)
    assert ingest.exit_code == 2 and ingest.stderr.startswith("error: ") and len(ingest.stderr.splitlines()) == 1
    assert ("is the same file as" if out == results else "not a summarizer JSON Lines output") in ingest.stderr
    assert out.read_text() == content and results.read_text() == content


def test_batch_collect_refuses_a_records_file_it_would_download_into_before_asking_the_provider(httpserver, tmp_path):
    api = BatchAPI(httpserver, lambda body: completion(arguments=SEED_SUMMARY))
    requests = _prepared(tmp_path, api.base_url)
    job = tmp_path / "job.json"
    batch_submit(requests, job)
    calls = list(api.calls)
    for out in (tmp_path / "job.output.jsonl", requests, job):
        with pytest.raises(OutputPathError, match="is the same file as"):
            batch_collect(job, out)
    assert api.calls == calls and not (tmp_path / "job.output.jsonl").exists()


def test_an_empty_file_and_a_file_of_records_are_used(llm, tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.touch()
    assert all(r.ok for r in summarize_many(articles(2), output=empty, **opts(llm)))
    assert sorted(r["id"] for r in read_output(empty)) == [0, 1]  # in the order they completed
    again = summarize_many(articles(3), output=empty, **opts(llm))
    assert [r.resumed for r in again] == [True, True, False]


def test_a_read_only_output_is_refused_before_any_request(llm, tmp_path, monkeypatch):
    path = tmp_path / "run.jsonl"
    path.write_bytes(_RECORD)
    path.chmod(0o444)
    if os.geteuid() == 0:  # root writes through permissions: HAND-WRITTEN fault, the error a read-only mount gives
        real_open = os.open

        def read_only(name, flags, *args, **kwargs):
            if Path(name) == path and flags & (os.O_WRONLY | os.O_RDWR):
                raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(name))
            return real_open(name, flags, *args, **kwargs)

        monkeypatch.setattr(output_module.os, "open", read_only)
    with pytest.raises(OutputPathError, match="cannot be opened"):
        summarize_many(articles(2), output=path, **opts(llm))
    assert path.read_bytes() == _RECORD and llm.articles == []


# -- symlinks ---------------------------------------------------------------------------


@posix_only
def test_a_symlinked_output_is_appended_and_compacted_through_to_its_target(llm, tmp_path):
    target = tmp_path / "real.jsonl"
    link = tmp_path / "link.jsonl"
    link.symlink_to(target)
    texts = [("a", "Article a. FAIL"), ("b", "Article b.")]
    summarize_many(texts, output=link, max_retries=0, **opts(llm))
    texts[0] = ("a", "Article a, fixed.")
    summarize_many(texts, output=link, **opts(llm))  # compacts: the failure of "a" is dropped

    assert link.is_symlink() and link.resolve() == target
    records = read_output(target)
    assert sorted(r["id"] for r in records) == ["a", "b"] and all(r["ok"] for r in records)
    assert not list(tmp_path.glob("*compacting*"))


@posix_only
def test_compaction_keeps_the_files_permissions(llm, tmp_path):
    path = tmp_path / "run.jsonl"
    summarize_many([("a", "Article a. FAIL")], output=path, max_retries=0, **opts(llm))
    path.chmod(0o640)
    summarize_many([("a", "Article a, fixed.")], output=path, **opts(llm))
    assert [r["ok"] for r in read_output(path)] == [True]  # compacted
    assert path.stat().st_mode & 0o777 == 0o640


# -- the file deleted or replaced during the run ----------------------------------------------


def test_an_output_deleted_during_the_run_is_written_again_with_every_record(llm, tmp_path):
    path = tmp_path / "run.jsonl"

    def delete_after_the_first(done, total, result):
        if done == 1:
            path.unlink()

    with pytest.warns(OutputWarning, match="deleted during the run"):
        results = summarize_many(articles(4), output=path, concurrency=1, **opts(llm, progress=delete_after_the_first))
    assert all(r.ok for r in results)
    assert [r["id"] for r in read_output(path)] == [0, 1, 2, 3]  # nothing went into the deleted file alone


def test_an_output_replaced_during_the_run_is_left_alone_and_the_run_stops(llm, tmp_path):
    path = tmp_path / "run.jsonl"
    theirs = b"someone else's file\n"

    def replace_after_the_first(done, total, result):
        if done == 1:
            other = tmp_path / "other"
            other.write_bytes(theirs)
            os.replace(other, path)

    with pytest.raises(OutputWriteError, match="replaced by another file") as caught:
        summarize_many(articles(4), output=path, concurrency=1, **opts(llm, progress=replace_after_the_first))
    assert path.read_bytes() == theirs
    error = caught.value
    assert [r.id for r in error.results] == [0, 1] and all(r.ok for r in error.results)  # the paid answers
    assert error.unwritten == [0, 1] and error.not_started == 2
    assert len(llm.articles) == 2


# -- ids that UTF-8 cannot hold --------------------------------------------------------------------


def test_an_id_with_a_lone_surrogate_is_written_and_resumed(llm, tmp_path):
    path = tmp_path / "run.jsonl"
    odd = os.fsdecode(b"caf\xe9.txt")  # an undecodable file name, as Python hands it over
    assert "\udce9" in odd
    first = summarize_many([(odd, "Article odd. Officials said talks would resume.")], output=path, **opts(llm))
    assert first[0].ok
    path.read_bytes().decode("utf-8")  # the file is still UTF-8
    assert [r["id"] for r in read_output(path)] == [odd]
    again = summarize_many([(odd, "Article odd. Officials said talks would resume.")], output=path, **opts(llm))
    assert again[0].resumed and len(llm.articles) == 1


# -- a write that fails mid-run (real EFBIG from RLIMIT_FSIZE) ---------------------------------------

_CHILD = """
import json, resource, signal, sys
from summarizer import OutputWriteError, summarize_many
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a short write and EFBIG, as a full disk gives ENOSPC
limit = int(sys.argv[3])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
texts = [f"Article {i:03d}. Officials said talks would resume." for i in range(int(sys.argv[4]))]
try:
    summarize_many(texts, model="test-model", base_url=sys.argv[1], output=sys.argv[2], cache=False,
                   grounding="drop", concurrency=int(sys.argv[5]), progress=False)
    print(json.dumps({"raised": None}))
except OutputWriteError as exc:
    print(json.dumps({"raised": str(exc), "path": exc.path, "unwritten": exc.unwritten,
                      "not_started": exc.not_started, "results": [[r.id, r.ok] for r in exc.results]}))
"""


def _line_length(llm: BatchLLM, tmp_path: Path) -> int:
    probe = tmp_path / "probe.jsonl"
    summarize_many(articles(1), output=probe, **opts(llm))
    return len(probe.read_bytes())


@posix_only
@pytest.mark.parametrize("concurrency", [1, 3])
def test_a_write_that_fails_mid_run_stops_cleanly_and_returns_every_paid_answer(llm, tmp_path, concurrency):
    n = 8
    path = tmp_path / "run.jsonl"
    limit = int(_line_length(llm, tmp_path) * 2.5)  # two whole lines fit, the third is cut short
    sent_before = len(llm.articles)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, llm.base_url, str(path), str(limit), str(n), str(concurrency)],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=120,
    )
    assert child.returncode == 0, child.stderr
    report = json.loads(child.stdout)
    assert report["raised"] and "File too large" in report["raised"] and report["path"] == str(path)
    assert "Traceback" not in child.stderr

    on_disk = read_output(path)
    data = path.read_bytes()
    assert data.endswith(b"\n") and len(data.splitlines()) == len(on_disk) == 2  # whole lines only, no half line
    written = [r["id"] for r in on_disk]
    received = [item_id for item_id, ok in report["results"]]
    assert all(ok for _, ok in report["results"])
    assert sorted(written + report["unwritten"]) == sorted(received)  # every answer is on disk or in results
    assert report["not_started"] == n - len(received)
    assert len(llm.articles) - sent_before == len(received)  # nothing sent after the failure but what was in flight


def test_iter_summaries_yields_what_it_received_then_raises(llm, tmp_path):
    path = tmp_path / "run.jsonl"
    seen = []

    async def main() -> None:
        async for result in iter_summaries(articles(3), output=path, concurrency=1, **opts(llm)):
            seen.append(result.id)
            if len(seen) == 1:
                other = tmp_path / "other"
                other.write_text("theirs\n")
                os.replace(other, path)

    with pytest.raises(OutputWriteError, match="replaced by another file"):
        asyncio.run(main())
    assert seen == [0, 1]
