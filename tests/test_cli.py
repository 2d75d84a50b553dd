"""The ``summarizer`` command, against a loopback fake serving HAND-WRITTEN responses.

Every reply comes from ``tests/doubles/responses.py`` (hand-written, labelled as such); no
model is run. Exit codes: 0 all summarized, 1 an article failed, 2 a mistake in the
command (nothing sent).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from summarizer import ArticleSummary, __version__
from summarizer.cli import app
from summarizer.cli import run as entry_point

from .conftest import ROOT, SEED
from .doubles.checks import deny_open_for_root
from .doubles.responses import SEED_SUMMARY, completion, error

runner = CliRunner()


@pytest.fixture(autouse=True)
def _cache_dir(tmp_path, monkeypatch) -> None:
    """Never the developer's real cache."""
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path / "cache"))


def run(*args: str, input: str | bytes | None = None):
    return runner.invoke(app, list(args), input=input, catch_exceptions=False)


def fake(llm) -> list[str]:
    return ["--model", "test-model", "--base-url", llm.base_url]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: nothing listens there


def one_line_error(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and "Traceback" not in result.output
    return lines[0]


# -- commands ------------------------------------------------------------------------


def test_the_console_script_is_installed():
    from importlib.metadata import entry_points

    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "summarizer"]
    assert script.value == "summarizer.cli:run" and script.load() is entry_point


@pytest.mark.parametrize("argv", [
    ["summarize", "/tmp/" + "a" * 5000, "--model", "m", "--base-url", "http://127.0.0.1:9/v1"],  # ENAMETOOLONG
    ["schema"],  # to a full standard output
])
def test_what_the_operating_system_refuses_is_one_line_never_a_traceback(argv, tmp_path):
    """The entry point's last net: OSError (a name too long, a full standard output) as one line, exit 2 or 1."""
    import subprocess
    import sys

    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-c", "from summarizer.cli import run; run()", *argv], stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=120, cwd=tmp_path,
                              env={**os.environ, "OPENAI_API_KEY": "placeholder-cli"})
    assert "Traceback" not in done.stderr and done.stderr.startswith("error: ")
    assert done.returncode in (1, 2)


def test_an_empty_path_is_refused_not_read_as_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "article.txt").write_text("Officials said talks would resume.", encoding="utf-8")
    result = CliRunner().invoke(app, ["summarize", "", "--model", "m", "--base-url", "http://127.0.0.1:9/v1"])
    assert result.exit_code == 2 and "empty path" in result.output


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"summarizer {__version__}"


def test_schema_prints_what_the_model_is_asked_to_fill():
    result = run("schema")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == ArticleSummary.model_json_schema()


def test_summarize_one_file_as_json(fake_llm):
    fake_llm.reply(completion(arguments=SEED_SUMMARY, prompt_tokens=1000, completion_tokens=200))
    result = run("summarize", str(SEED), *fake(fake_llm), "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["figures"][0]["low"] == 20000 and data["figures"][0]["span"]["match"] == "exact"
    assert data["provenance"]["model"] == "test-model" and data["provenance"]["usage"]["total_tokens"] == 1200
    assert len(fake_llm.requests) == 1


def test_markdown_is_the_default_on_standard_output(fake_llm):
    fake_llm.reply(completion(arguments=SEED_SUMMARY))
    result = run("summarize", str(SEED), *fake(fake_llm))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# 100,000 Russian troops killed or injured in Ukraine, US says")
    assert "| As written | Value | Measure | Source | When | The article says | Where and checks |" in result.stdout
    assert result.stderr == ""


def test_html_report_to_a_file_format_from_its_suffix(fake_llm, tmp_path):
    fake_llm.reply(completion(arguments=SEED_SUMMARY))
    out = tmp_path / "report.html"
    result = run("summarize", str(SEED), *fake(fake_llm), "--out", str(out))
    assert result.exit_code == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and 'data-items="figure-0"' in page
    assert result.stdout == "" and f"wrote {out}" in result.stderr


def test_many_articles_one_report_each_in_a_folder_with_a_progress_bar(fake_llm, tmp_path, seed_text):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "b.txt").write_text(seed_text, encoding="utf-8")
    fake_llm.reply(completion(arguments=SEED_SUMMARY))
    out = tmp_path / "reports"
    result = run("summarize", str(SEED), str(tmp_path / "in" / "b.txt"), *fake(fake_llm),
                 "-f", "md", "-o", str(out), "--progress")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["ap-2022-11-milley-ukraine-casualties-peace-talks.md", "b.md"]
    assert "summarizing" in result.stderr  # the progress bar
    assert "done: 2 of 2 articles summarized (1 from the cache), 0 failed" in result.stderr
    assert len(fake_llm.requests) == 1  # the same text twice: one request


def test_reports_with_the_same_name_do_not_overwrite_each_other(fake_llm, tmp_path, seed_text):
    for folder in ("x", "y"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "a.txt").write_text(seed_text, encoding="utf-8")
    fake_llm.reply(completion(arguments=SEED_SUMMARY))
    result = run("summarize", str(tmp_path / "x" / "a.txt"), str(tmp_path / "y" / "a.txt"), *fake(fake_llm),
                 "-f", "html", "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a-2.html", "a.html"]


def test_a_folder_expands_to_its_article_files_sorted(fake_llm, tmp_path, seed_text):
    folder = tmp_path / "articles"
    folder.mkdir()
    for name in ("b.txt", "a.html", "README.md", ".hidden.txt", "notes.pdf"):
        (folder / name).write_text(f"<p>{seed_text}</p>" if name.endswith("html") else seed_text, encoding="utf-8")
    (folder / "sub").mkdir()
    (folder / "sub" / "c.txt").write_text(seed_text, encoding="utf-8")
    fake_llm.reply(completion(arguments=SEED_SUMMARY)).reply(completion(arguments=SEED_SUMMARY))
    result = run("summarize", str(folder), *fake(fake_llm), "-f", "jsonl", "--no-cache", "-c", "1")
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records] == [str(folder / "a.html"), str(folder / "b.txt")]
    assert all(r["ok"] for r in records)


def test_jsonl_to_a_file_resumes_without_a_request(fake_llm, tmp_path):
    fake_llm.reply(completion(arguments=SEED_SUMMARY))
    out = tmp_path / "run.jsonl"
    first = run("summarize", str(SEED), *fake(fake_llm), "-o", str(out), "--no-cache")
    assert first.exit_code == 0, first.stderr
    again = run("summarize", str(SEED), *fake(fake_llm), "-o", str(out), "--no-cache")
    assert again.exit_code == 0, again.stderr
    assert len(fake_llm.requests) == 1  # the second run read the first one's line
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 1 and records[0]["ok"] and records[0]["id"] == str(SEED)


def test_standard_input(fake_llm, seed_text):
    fake_llm.reply(completion(arguments=SEED_SUMMARY))
    result = run("summarize", "-", *fake(fake_llm), "-f", "jsonl", input=seed_text.encode("utf-8"))
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["id"] == "<stdin>" and record["ok"]
    assert seed_text in fake_llm.requests[0]["messages"][1]["content"]


def test_the_cache_and_no_cache(fake_llm):
    fake_llm.reply(completion(arguments=SEED_SUMMARY)).reply(completion(arguments=SEED_SUMMARY))
    for _ in range(2):
        assert run("summarize", str(SEED), *fake(fake_llm), "-f", "json").exit_code == 0
    assert len(fake_llm.requests) == 1  # the second run was a cache hit
    result = run("summarize", str(SEED), *fake(fake_llm), "-f", "json", "--no-cache")
    assert result.exit_code == 0 and len(fake_llm.requests) == 2
    assert json.loads(result.stdout)["provenance"]["cached"] is False


def test_grounding_policy_and_concurrency_reach_the_library(fake_llm):
    data = json.loads(json.dumps(SEED_SUMMARY))
    data["figures"][0]["quote"] = "Russia had amassed 90,000 troops in Kherson"
    fake_llm.reply(completion(arguments=data))
    result = run("summarize", str(SEED), *fake(fake_llm), "-f", "json", "--grounding", "flag", "-c", "3")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["grounding"]["policy"] == "flag" and summary["grounding"]["ungrounded"] == 1
    assert summary["figures"][0]["grounding_error"] == "its quote is not in the article"


def test_many_articles_as_json_is_a_list_of_records_and_a_failure_exits_1(fake_llm, tmp_path, seed_text):
    other = tmp_path / "other.txt"
    other.write_text(seed_text + "\nUpdated.", encoding="utf-8")
    fake_llm.reply(completion(arguments=SEED_SUMMARY)).reply(error(400, "hand-written bad request"), status=400)
    result = run("summarize", str(SEED), str(other), *fake(fake_llm), "-f", "json", "-c", "1")
    assert result.exit_code == 1
    records = json.loads(result.stdout)
    assert [r["ok"] for r in records] == [True, False]
    assert records[1]["error"]["type"] == "BadRequestError"
    errors_ = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    host = fake_llm.base_url.split("//")[1].split("/")[0]
    assert len(errors_) == 1 and errors_[0].startswith(f"error: {other}: 400 from {host}: hand-written bad request")


# -- mistakes: one line, exit 2, nothing sent ----------------------------------------------


def test_a_missing_file(fake_llm):
    result = run("summarize", "no/such/article.txt", *fake(fake_llm))
    assert result.exit_code == 2
    assert one_line_error(result) == "error: no/such/article.txt: no such file; check the path"
    assert fake_llm.requests == []


def test_a_base_url_that_is_not_http_is_exit_2_naming_the_option(fake_llm):
    result = run("summarize", str(SEED), "--model", "m", "--base-url", "ftp://127.0.0.1/v1")
    assert result.exit_code == 2
    assert one_line_error(result).startswith("error: --base-url or OPENAI_BASE_URL must be an http:// or https:// URL")
    assert fake_llm.requests == []


def test_a_binary_file_and_a_missing_one_are_both_named(fake_llm, tmp_path):
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    result = run("summarize", str(binary), str(SEED), "missing.txt", *fake(fake_llm))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith(f"error: {binary}: is a PNG image")
    assert lines[1] == "error: missing.txt: no such file; check the path"
    assert len(lines) == 2 and fake_llm.requests == []


def test_an_unreadable_file(fake_llm, tmp_path, monkeypatch):
    locked = tmp_path / "locked.txt"
    locked.write_text("text", encoding="utf-8")
    locked.chmod(0)
    deny_open_for_root(monkeypatch)
    result = run("summarize", str(locked), *fake(fake_llm))
    assert result.exit_code == 2 and "permission denied" in one_line_error(result)


def test_a_file_that_cannot_be_read_as_a_file(fake_llm, tmp_path):
    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)  # reading it would block forever
    result = run("summarize", str(pipe), *fake(fake_llm))
    assert result.exit_code == 2 and "is not a regular file" in one_line_error(result)


def test_a_folder_without_articles(fake_llm, tmp_path):
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    result = run("summarize", str(tmp_path), *fake(fake_llm))
    assert result.exit_code == 2 and "no article files in this folder" in one_line_error(result)


def test_no_model_configured_names_what_to_set():
    result = run("summarize", str(SEED))
    assert result.exit_code == 2
    line = one_line_error(result)
    for way in ("OPENAI_API_KEY", "--base-url", "OPENAI_BASE_URL", "--model local"):
        assert way in line


def test_an_openai_model_without_a_key_names_the_key():
    result = run("summarize", str(SEED), "--model", "gpt-4.1-mini")
    assert result.exit_code == 2
    assert "model 'gpt-4.1-mini' needs a key or a server: set OPENAI_API_KEY" in one_line_error(result)


def test_the_local_model_without_its_extra(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "xllamacpp" else real(name, *a))
    result = run("summarize", str(SEED), "--model", "local")
    assert result.exit_code == 2 and 'pip install "summarizer[local]"' in one_line_error(result)


def test_a_base_url_without_a_model(monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    result = run("summarize", str(SEED))
    assert result.exit_code == 2 and "pass --model or set SUMMARIZER_MODEL" in one_line_error(result)


def test_an_unreachable_server_names_the_option():
    url = f"http://127.0.0.1:{closed_port()}/v1"
    result = run("summarize", str(SEED), "--model", "m", "--base-url", url, "--max-retries", "0", "--no-cache")
    assert result.exit_code == 1
    line = one_line_error(result)
    assert line.startswith(f"error: {SEED}: could not connect to 127.0.0.1:")
    assert "--base-url or OPENAI_BASE_URL" in line


def test_several_reports_need_a_folder(fake_llm, tmp_path):
    result = run("summarize", str(SEED), str(SEED), *fake(fake_llm), "-f", "html")
    assert result.exit_code == 2 and "pass --out DIR" in one_line_error(result)
    existing = tmp_path / "file.md"
    existing.write_text("x")
    result = run("summarize", str(SEED), str(SEED), *fake(fake_llm), "-f", "md", "-o", str(existing))
    assert result.exit_code == 2 and "is a file" in one_line_error(result)
    assert fake_llm.requests == []


def test_bad_options_are_usage_errors():
    assert run("summarize", str(SEED), "--format", "pdf").exit_code == 2
    assert run("summarize", str(SEED), "--grounding", "maybe").exit_code == 2
    assert run("summarize", str(SEED), "--concurrency", "0").exit_code == 2
    assert run("summarize").exit_code == 2


def test_model_failures_are_one_line_without_instructor_logs(fake_llm):
    # Hand-written answers that never fit the schema: instructor logs each failed
    # attempt at ERROR level; the command shows our one line unless --verbose.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SUMMARIZER_"))}
    env["SUMMARIZER_CACHE_DIR"] = os.environ["SUMMARIZER_CACHE_DIR"]
    args = [sys.executable, "-m", "summarizer", "summarize", str(SEED), *fake(fake_llm), "--grounding", "drop"]
    outputs = []
    for extra in ([], ["--verbose"]):
        for _ in range(3):
            fake_llm.reply(completion(arguments='{"headline": "x"}'))
        done = subprocess.run([*args, *extra], capture_output=True, text=True, timeout=120, env=env,
                              cwd=ROOT, check=False)
        outputs.append(done)
    quiet, verbose = outputs
    assert quiet.returncode == 1 and quiet.stdout == ""
    lines = quiet.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {SEED}: the model's output failed the ArticleSummary")
    assert "Traceback" not in quiet.stderr
    assert verbose.returncode == 1 and len(verbose.stderr.strip().splitlines()) > 1  # the logs were there to hide


def test_an_error_line_never_carries_terminal_controls(tmp_path):
    """A file's name (or a hostile server's message) with an ANSI escape is shown, not obeyed."""
    result = CliRunner().invoke(app, ["summarize", str(tmp_path / "\x1b[2Jgone.txt"), "--model", "m",
                                      "--base-url", "http://127.0.0.1:9/v1"])
    assert result.exit_code == 2 and "gone.txt" in result.output and "\x1b" not in result.output


# -- dates ------------------------------------------------------------------------------


def test_published_dates_every_article_and_is_recorded(fake_llm, tmp_path):
    fake_llm.reply(completion(arguments=SEED_SUMMARY))
    result = run("summarize", str(SEED), *fake(fake_llm), "--format", "json", "--published", "2022-11-10")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["provenance"]["published"] == "2022-11-10" and data["provenance"]["published_from"] == "argument"
    assert data["peace_talk_conditions"][0]["when"] == {
        "date": "2022-11-08", "text": "Tuesday", "basis": "relative",
        "span": data["peace_talk_conditions"][0]["when"]["span"]}
    report = run("summarize", str(SEED), *fake(fake_llm), "--published", "2022-11-10")  # from the cache
    assert report.exit_code == 0 and "8 Nov 2022 (Tuesday)" in report.stdout


def test_a_published_that_is_no_date_is_refused_before_anything_is_sent(fake_llm):
    result = run("summarize", str(SEED), *fake(fake_llm), "--published", "last Tuesday-ish")
    assert result.exit_code == 2
    assert one_line_error(result) == "error: --published 'last Tuesday-ish': not a date: 'last Tuesday-ish'"
    assert fake_llm.requests == []
