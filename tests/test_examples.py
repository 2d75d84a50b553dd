"""The example script and notebook run against a loopback fake (HAND-WRITTEN responses)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from ._responses import SEED_SUMMARY, completion
from .conftest import ROOT, SEED


def run_script(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "examples" / "summarize_article.py"), *args],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )


def test_script_prints_a_readable_summary(fake_llm):
    fake_llm.reply(completion(arguments=SEED_SUMMARY, prompt_tokens=1000, completion_tokens=200))
    done = run_script(str(SEED), "--model", "m", "--base-url", fake_llm.base_url)
    assert done.returncode == 0, done.stderr
    assert "'20,000 to 30,000' = 20000-30000 (range" in done.stdout
    assert "1200 tokens" in done.stdout
    assert "Grounding (reask): 4/4 items grounded (4 exact" in done.stdout
    assert re.search(r"“Russia had amassed 20,000 to 30,000 troops in Kherson” \(chars \d+-\d+, exact\)", done.stdout)


def test_script_json_output_parses(fake_llm):
    fake_llm.reply(completion(arguments=SEED_SUMMARY))
    done = run_script(str(SEED), "--model", "m", "--base-url", fake_llm.base_url, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["provenance"]["model"] == "m"


def test_script_reports_configuration_errors_without_a_traceback():
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith(("OPENAI_", "SUMMARIZER_"))}
    done = run_script(str(SEED), env=env)
    assert done.returncode == 1
    assert done.stderr.startswith("error: no model is configured") and "Traceback" not in done.stderr


def test_script_reports_a_missing_file():
    done = run_script("no/such/article.txt", "--model", "m", "--base-url", "http://127.0.0.1:9/v1")
    assert done.returncode == 2 and "cannot read" in done.stderr


def test_notebook_runs_top_to_bottom(fake_llm, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    fake_llm.reply(completion(arguments=SEED_SUMMARY))
    monkeypatch.setenv("SUMMARIZER_MODEL", "m")
    monkeypatch.setenv("OPENAI_BASE_URL", fake_llm.base_url)
    notebook = nbformat.read(ROOT / "examples" / "summarize_article.ipynb", as_version=4)
    nbclient.NotebookClient(notebook, timeout=120, resources={"metadata": {"path": str(ROOT / "examples")}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    printed = "".join(o.get("text", "") for o in outputs)
    assert "20,000 to 30,000" in printed
    assert "exact: Russia had amassed 20,000 to 30,000 troops in Kherson" in printed
    assert "4/4 items grounded (4 exact" in printed
    assert len(fake_llm.requests) == 1
