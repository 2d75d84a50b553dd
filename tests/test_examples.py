"""The example script and notebook run against a loopback fake (HAND-WRITTEN responses)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from .conftest import LOCAL_ALIAS, ROOT, SEED
from .doubles.responses import SEED_SUMMARY, completion


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


def test_script_dates_each_item_against_the_published_date(fake_llm):
    fake_llm.reply(completion(arguments=SEED_SUMMARY))
    done = run_script(str(SEED), "--model", "m", "--base-url", fake_llm.base_url, "--published", "2022-11-10")
    assert done.returncode == 0, done.stderr
    assert "[on 2022-11-08, 'Tuesday']" in done.stdout  # Zelensky's condition: "said Tuesday"
    assert "[Mark Milley on 2022-11-09, 'Wednesday']" in done.stdout  # his figure, from "said Wednesday" before it
    bad = run_script(str(SEED), "--model", "m", "--base-url", fake_llm.base_url, "--published", "soon")
    assert bad.returncode == 1 and "published: not a date" in bad.stderr


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


# -- the notebook ----------------------------------------------------------------------
#
# The kernel is another process, so vcr in this one cannot reach it. The notebook is
# ordinary user code with a "parameters" cell; each test adds a cell after it (as
# papermill does) that points it at a server on 127.0.0.1 started here.

CASSETTE = ROOT / "tests" / "transport" / "cassettes" / "test_cassettes" / "test_seed_summary.yaml"
NOTEBOOK = ROOT / "examples" / "summarize_article.ipynb"
# What model="local" sends (see test_cassettes.local_like), aimed at the replay server.
LOCAL_OPTIONS = {"max_items": 3, "max_tokens": 2048, "grounding": "drop"}


class Replay:
    """Answers each request with the cassette's recorded response, only if the body is the recorded one.

    The cassette is a real recording from llama-cpp-python's server running the bundled
    model; a request that differs from it gets a 400, so the replay stays honest.
    """

    def __init__(self, server, cassette) -> None:
        yaml = pytest.importorskip("yaml")
        self.interactions = yaml.safe_load(cassette.read_text(encoding="utf-8"))["interactions"]
        self.served = 0
        self.mismatches: list[str] = []
        server.expect_request("/v1/chat/completions", method="POST").respond_with_handler(self._handle)
        self.base_url = server.url_for("/v1")

    def _handle(self, request):
        from werkzeug import Response

        if self.served >= len(self.interactions):
            return Response('{"error": {"message": "the cassette has no more answers"}}', status=418)
        recorded = self.interactions[self.served]
        if json.loads(request.get_data()) != json.loads(recorded["request"]["body"]):
            self.mismatches.append(request.get_data(as_text=True)[:200])
            return Response('{"error": {"message": "request differs from the recording"}}', status=400)
        self.served += 1
        response = recorded["response"]
        return Response(response["body"]["string"], status=response["status"]["code"],
                        content_type="application/json")


def run_notebook(**parameters):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    at = next(i for i, c in enumerate(notebook.cells) if "parameters" in c.metadata.get("tags", []))
    injected = "\n".join(f"{name} = {value!r}" for name, value in parameters.items())
    notebook.cells.insert(at + 1, nbformat.v4.new_code_cell(injected, metadata={"tags": ["injected-parameters"]}))
    nbclient.NotebookClient(notebook, timeout=120, resources={"metadata": {"path": str(ROOT / "examples")}}).execute()
    return notebook


def outputs(notebook) -> tuple[str, str]:
    """Everything printed, and every HTML shown, by the notebook's code cells."""
    found = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    printed = "".join(o.get("text", "") for o in found)
    shown = "".join(o.get("data", {}).get("text/html", "") for o in found)
    return printed, shown


def test_notebook_runs_top_to_bottom_against_the_recorded_cassette(httpserver):
    replay = Replay(httpserver, CASSETTE)
    notebook = run_notebook(MODEL=LOCAL_ALIAS, BASE_URL=replay.base_url, OPTIONS=LOCAL_OPTIONS)
    assert replay.mismatches == [] and replay.served == 1  # the very request that was recorded
    printed, shown = outputs(notebook)
    recorded = json.loads(replay.interactions[0]["response"]["body"]["string"])
    # The summary displayed itself as the report, with the article and its provenance.
    assert '<div class="smz smz-embedded">' in shown and "<article" in shown
    assert f"{recorded['usage']['total_tokens']:,} ({recorded['usage']['prompt_tokens']:,} in" in shown
    assert f"{LOCAL_ALIAS} at" in printed and f"{recorded['usage']['total_tokens']} tokens" in printed
    assert "items grounded" in printed
    # The tiny model's wording is never asserted; whatever it got wrong is shown with a reason.
    if "dropped" in printed:
        assert "Not supported by the article (" in shown and "- dropped " in printed
    assert "report.html" in printed and "bytes" in printed


def test_notebook_shows_grounded_items_highlighted(fake_llm):
    # HAND-WRITTEN answer (tests/doubles/responses.py): four items, all in the article.
    fake_llm.reply(completion(arguments=SEED_SUMMARY))
    notebook = run_notebook(MODEL="test-model", BASE_URL=fake_llm.base_url, OPTIONS={})
    printed, shown = outputs(notebook)
    for key in ("claim-0", "figure-0", "actor-0", "condition-0"):
        assert f'data-items="{key}"' in shown and f'data-item="{key}"' in shown
    assert "exact: Russia had amassed 20,000 to 30,000 troops in Kherson" in printed
    assert "4/4 items grounded (4 exact" in printed
    assert len(fake_llm.requests) == 1


def test_the_ray_example_summarizes_a_folder(threaded_server, tmp_path):
    pytest.importorskip("ray", reason='needs pip install ".[ray]" (in the dev extra)')
    from .doubles.loopback import BatchLLM

    llm = BatchLLM(threaded_server)
    folder = tmp_path / "articles"
    folder.mkdir()
    for name in ("one", "two", "three"):
        (folder / f"{name}.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "summaries.jsonl"
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "ray_summarize.py"), str(folder), "--model", "m",
         "--base-url", llm.base_url, "--out", str(out)],
        capture_output=True, text=True, timeout=600, check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},  # this checkout's package, in the workers too
    )
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["one.txt", "three.txt", "two.txt"] and all(r["ok"] for r in rows)
    assert "3 of 3 articles summarized" in done.stdout and len(llm.articles) == 3


# -- the ledger example ------------------------------------------------------------------


def test_the_ledger_example_lines_up_the_brennik_articles(tmp_path):
    from summarizer import BatchResult

    from .test_ledger import brennik

    records = tmp_path / "records.jsonl"
    results = [BatchResult(name, i, "0" * 64, summary=s) for i, (name, s) in enumerate(brennik())]
    records.write_text("".join(json.dumps(r.to_record()) + "\n" for r in results), encoding="utf-8")
    page = tmp_path / "ledger.html"
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "ledger_of_articles.py"), str(records),
                           "--html", str(page)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "Varnian soldiers killed or wounded in the battle for Brennik (people)  <- sources disagree" in done.stdout
    assert "disagree: More than 4,000 (Kestria's defence ministry) against around 2,500" in done.stdout
    assert "lowest: 2,000 (Ostel Conflict Observatory)" in done.stdout
    assert page.read_text("utf-8").count("<svg") >= 1
    again = subprocess.run([sys.executable, str(ROOT / "examples" / "ledger_of_articles.py"), str(records),
                            "--html", str(page)], capture_output=True, text=True, timeout=120, check=False)
    assert again.returncode == 2 and "exists" in again.stderr  # never written over
