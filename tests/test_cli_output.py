"""``summarizer summarize --out`` under fault: refused before any request (exit 2), or paid answers kept (exit 1).

Requests go to the threaded loopback server of ``doubles/loopback.py`` (HAND-WRITTEN
responses). Write faults are real: a child process under ``RLIMIT_FSIZE`` gets a short
write and ``EFBIG``, the path a full disk takes.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from summarizer.batch import read_output
from summarizer.cli import app

from .conftest import ROOT
from .doubles.loopback import BatchLLM

runner = CliRunner()
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX devices and limits")


@pytest.fixture
def llm(threaded_server: HTTPServer) -> BatchLLM:
    return BatchLLM(threaded_server)


@pytest.fixture
def two_articles(tmp_path) -> list[str]:
    paths = []
    for name in ("a", "b"):
        path = tmp_path / f"{name}.txt"
        path.write_text(f"Article {name}. Officials said talks would resume.\n", encoding="utf-8")
        paths.append(str(path))
    return paths


def run(llm: BatchLLM, *args: str):
    command = ["summarize", *args, "--model", "test-model", "--base-url", llm.base_url, "--no-cache",
               "--grounding", "drop"]
    return runner.invoke(app, command, catch_exceptions=False)


def one_line_error(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and "Traceback" not in result.output
    return lines[0]


def _printed(fmt: str, text: str) -> bool:
    """Whether ``text`` is what the command prints for one article in ``fmt``."""
    if fmt == "jsonl":
        return json.loads(text)["ok"] is True
    if fmt == "json":
        return "provenance" in json.loads(text)
    return text.startswith("# ") and text.rstrip().endswith("<!-- a summarizer report -->")


@posix_only
@pytest.mark.parametrize("fmt", ["jsonl", "json", "md"])
def test_dev_null_or_a_fifo_as_out_takes_what_standard_output_would(llm, tmp_path, two_articles, fmt):
    result = run(llm, two_articles[0], "--format", fmt, "--out", "/dev/null")
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and len(llm.articles) == 1  # summarized, and printed into /dev/null

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # its reader first, so the command's open has no wait
    try:
        result = run(llm, two_articles[0], "--format", fmt, "--out", str(fifo))
        assert result.exit_code == 0, result.output
        received = os.read(reader, 1 << 16).decode("utf-8")
    finally:
        os.close(reader)
    assert result.stdout == "" and _printed(fmt, received)

    if fmt == "md":  # one report per article has no single stream to go to, as without --out
        result = run(llm, *two_articles, "--format", fmt, "--out", "/dev/null")
        assert result.exit_code == 2 and "pass --out DIR" in one_line_error(result)


@posix_only
def test_a_socket_as_out_is_a_usage_error_before_any_request(llm, tmp_path, two_articles):
    import socket

    path = tmp_path / "sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    try:
        result = run(llm, two_articles[0], "--format", "json", "--out", str(path))
    finally:
        server.close()
    assert result.exit_code == 2 and "socket" in one_line_error(result)
    assert llm.articles == []


def test_a_batch_results_file_or_an_input_is_never_taken_as_out(llm, tmp_path, two_articles):
    results = tmp_path / "results.jsonl"  # HAND-WRITTEN, in the Batch API's output format: an id, but no ok
    content = json.dumps({"id": "batch_req_1", "custom_id": "a-0", "response": {"status_code": 200, "body": {}},
                          "error": None}) + "\n"
    results.write_text(content)
    result = run(llm, *two_articles, "--format", "jsonl", "--out", str(results))
    assert result.exit_code == 2 and "not a summarizer JSON Lines output" in one_line_error(result)
    assert results.read_text() == content and llm.articles == []

    report = tmp_path / "a.md"
    assert run(llm, two_articles[0], "--out", str(report)).exit_code == 0
    written, sent = report.read_bytes(), len(llm.articles)
    for fmt in ("md", "jsonl"):  # a report given as the article is not written over by its own summary
        result = run(llm, str(report), "--format", fmt, "--out", str(report))
        assert result.exit_code == 2 and "is the same file as" in one_line_error(result)
    assert report.read_bytes() == written and len(llm.articles) == sent


@posix_only
def test_out_dev_stdout_on_a_terminal_prints_the_report_and_never_waits_for_input(llm, two_articles):
    leader, follower = os.openpty()  # standard input and output: a terminal nobody types into
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, "-m", "summarizer", "summarize", two_articles[0], "--out", "/dev/stdout",
               "--model", "test-model", "--base-url", llm.base_url, "--no-cache", "--grounding", "drop"]
    child = subprocess.Popen(command, stdin=follower, stdout=follower, stderr=subprocess.PIPE, cwd=ROOT, env=env)
    os.close(follower)
    shown = b""
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if select.select([leader], [], [], 0.2)[0]:
                try:
                    chunk = os.read(leader, 1 << 16)
                except OSError:  # EIO: every writer of the terminal is gone
                    break
                if not chunk:
                    break
                shown += chunk
            elif child.poll() is not None:
                break
    finally:
        if child.poll() is None:
            child.kill()  # waited past the deadline: the command is stuck (reading the terminal)
        _, errors = child.communicate(timeout=10)
        os.close(leader)
    assert child.returncode == 0, errors
    text = shown.decode("utf-8").replace("\r\n", "\n")
    assert _printed("md", text.strip() + "\n") and len(llm.articles) == 1


def test_a_file_that_is_not_jsonl_is_refused_and_kept(llm, tmp_path, two_articles):
    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"my notes\nthe last line")
    result = run(llm, *two_articles, "--format", "jsonl", "--out", str(notes))
    assert result.exit_code == 2
    assert "not a summarizer JSON Lines output" in one_line_error(result)
    assert notes.read_bytes() == b"my notes\nthe last line" and llm.articles == []


def test_out_in_a_folder_that_does_not_exist_is_a_usage_error(llm, tmp_path, two_articles):
    for fmt, out in (("md", tmp_path / "nowhere" / "report.md"), ("md", tmp_path / "nowhere" / "reports")):
        args = two_articles if out.suffix == "" else two_articles[:1]
        result = run(llm, *args, "--format", fmt, "--out", str(out))
        assert result.exit_code == 2 and "does not exist" in one_line_error(result)
    assert llm.articles == []


def test_reports_go_into_a_new_folder_and_replace_only_a_report_of_this_command(llm, tmp_path, two_articles):
    folder = tmp_path / "reports"
    assert run(llm, *two_articles, "--format", "md", "--out", str(folder)).exit_code == 0
    assert sorted(p.name for p in folder.iterdir()) == ["a.md", "b.md"]
    assert run(llm, *two_articles, "--format", "md", "--out", str(folder)).exit_code == 0  # its own: replaced

    umask = os.umask(0o022)
    os.umask(umask)
    for fmt, name in (("md", "one.md"), ("html", "one.html"), ("json", "one.json")):
        single = tmp_path / name
        assert run(llm, two_articles[0], "--format", fmt, "--out", str(single)).exit_code == 0
        assert single.stat().st_mode & 0o777 == 0o666 & ~umask  # a new file, as any other program makes one
        single.chmod(0o640)
        before = single.stat().st_ino
        assert run(llm, two_articles[0], "--format", fmt, "--out", str(single)).exit_code == 0
        assert single.stat().st_ino != before  # swapped in whole
        assert single.stat().st_mode & 0o777 == 0o640  # with the permissions of the report it replaced

        users = tmp_path / f"notes.{fmt}"
        users.write_text("my own notes, not a report\n")
        result = run(llm, two_articles[0], "--format", fmt, "--out", str(users))
        assert result.exit_code == 2 and "is not a" in one_line_error(result)
        assert users.read_text() == "my own notes, not a report\n"
    (folder / "b.md").write_text("my notes in the report folder\n")
    result = run(llm, *two_articles, "--format", "md", "--out", str(folder))
    assert result.exit_code == 2 and "b.md" in one_line_error(result)
    assert (folder / "b.md").read_text() == "my notes in the report folder\n"
    assert not [p for p in tmp_path.rglob("*.tmp")]


def test_a_cache_that_cannot_be_used_is_a_warning_and_said_in_the_summary_line(llm, tmp_path, two_articles,
                                                                              monkeypatch):
    corrupt = tmp_path / "corrupt-cache"
    corrupt.mkdir()
    (corrupt / "summaries.sqlite3").write_bytes(b"this is not a database, " * 200)
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(corrupt))
    command = ["summarize", *two_articles, "--format", "jsonl", "--model", "test-model", "--base-url", llm.base_url,
               "--grounding", "drop"]
    result = runner.invoke(app, command, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.strip().splitlines()
    assert sum(line.startswith("warning: the cache is not usable") for line in lines) == 1
    assert "2 not saved to the cache" in lines[-1] and lines[-1].startswith("done: 2 of 2")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert all("DatabaseError" in r["summary"]["provenance"]["cache_error"] for r in records)


# -- real write faults, in a child process under RLIMIT_FSIZE ---------------------------------


def _limited(limit: int):
    def set_limit() -> None:
        import resource
        import signal

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # survives exec: the write fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return set_limit


def _cli(llm: BatchLLM, *args: str, limit: int) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, "-m", "summarizer", "summarize", *args, "--model", "test-model",
               "--base-url", llm.base_url, "--no-cache", "--grounding", "drop", "--concurrency", "1"]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, timeout=120,
                          preexec_fn=_limited(limit))


@posix_only
def test_jsonl_that_cannot_be_written_mid_run_keeps_every_paid_answer(llm, tmp_path):
    paths = []
    for i in range(5):
        path = tmp_path / f"article-{i}.txt"
        path.write_text(f"Article {i:03d}. Officials said talks would resume.\n", encoding="utf-8")
        paths.append(str(path))
    probe = tmp_path / "probe.jsonl"
    assert run(llm, paths[0], "--format", "jsonl", "--out", str(probe)).exit_code == 0
    out = tmp_path / "run.jsonl"
    sent_before = len(llm.articles)

    child = _cli(llm, *paths, "--format", "jsonl", "--out", str(out), limit=int(len(probe.read_bytes()) * 2.5))

    assert child.returncode == 1, child.stderr
    lines = child.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "File too large" in lines[0], child.stderr
    on_disk = [r["id"] for r in read_output(out)]
    printed = [json.loads(line)["id"] for line in child.stdout.splitlines()]
    assert len(on_disk) == 2 and out.read_bytes().endswith(b"\n")
    assert printed and not set(printed) & set(on_disk)
    assert sorted(on_disk + printed) == paths[: len(on_disk) + len(printed)]  # every paid answer, once
    assert len(llm.articles) - sent_before == len(on_disk) + len(printed)


@posix_only
def test_a_report_that_cannot_be_written_goes_to_standard_output(llm, tmp_path, two_articles):
    out = tmp_path / "report.md"
    child = _cli(llm, two_articles[0], "--out", str(out), limit=64)
    assert child.returncode == 1
    assert "cannot be written" in child.stderr and "standard output" in child.stderr
    assert child.stdout.startswith("# ")  # the paid-for report, whole
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@posix_only
def test_an_undecodable_file_name_is_an_id_the_jsonl_can_hold(llm, tmp_path):
    name = os.path.join(os.fsencode(tmp_path), b"caf\xe9.txt")
    with open(name, "wb") as file:
        file.write(b"Article odd. Officials said talks would resume.\n")
    out = tmp_path / "run.jsonl"
    child = _cli(llm, os.fsdecode(name), "--format", "jsonl", "--out", str(out), limit=1 << 30)
    assert child.returncode == 0, child.stderr
    (record,) = read_output(out)
    assert os.fsencode(record["id"]) == name and record["ok"]
    printed = _cli(llm, os.fsdecode(name), "--format", "jsonl", limit=1 << 30)  # to standard output
    assert printed.returncode == 0, printed.stderr
    assert os.fsencode(json.loads(printed.stdout)["id"]) == name
    assert Path(os.fsdecode(name)).exists()
