"""``summarizer eval``: scoring saved predictions and a model's answers against the gold.

The predictions are HAND-MADE (copied from the gold, then changed by hand, in this
file) and the model is the loopback fake answering with the HAND-WRITTEN
``SEED_SUMMARY`` of ``tests/doubles/responses.py``; no model is run.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from summarizer import ArticleSummary
from summarizer.cli import app
from summarizer.evaluation import load_gold

from .conftest import ROOT, SEED
from .doubles.responses import SEED_SUMMARY, completion

runner = CliRunner()
KESTRIA = ROOT / "seeds" / "fictional-kestria-drone-strikes-power-grid.txt"
LISTS = ("key_claims", "figures", "actors", "peace_talk_conditions")


@pytest.fixture(autouse=True)
def _cache_dir(tmp_path, monkeypatch) -> None:
    """Never the developer's real cache."""
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path / "cache"))


def run(*args: str | Path):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def gold_folder(tmp: Path, *articles: Path) -> Path:
    folder = tmp / "gold"
    folder.mkdir()
    for text in articles:
        shutil.copy(text, folder / text.name)
        shutil.copy(text.with_name(text.stem + ".gold.json"), folder / (text.stem + ".gold.json"))
    return folder


def hand_made(text: Path, drop_figures: int = 0) -> ArticleSummary:
    """The gold's own items as a prediction, less the first ``drop_figures`` figures."""
    gold = load_gold(text)
    data: dict[str, Any] = {"headline": None, "summary": "Hand-made prediction."}
    for field in LISTS:
        items = [i.model_dump(mode="json", exclude={"aliases", "span", "grounding_error"}) for i in getattr(gold.gold, field)]
        data[field] = items[drop_figures:] if field == "figures" else items
    return ArticleSummary.model_validate(data)


def record(text: Path, summary: ArticleSummary | None = None, error: str | None = None) -> dict[str, Any]:
    gold = load_gold(text)
    if summary is not None:
        return {"id": str(text), "input_sha256": gold.sha256, "ok": True, "summary": summary.model_dump(mode="json")}
    return {"id": str(text), "input_sha256": gold.sha256, "ok": False,
            "error": {"type": "ProviderUnavailableError", "message": error, "retryable": True}}


def jsonl(path: Path, *records: dict[str, Any]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_scores_saved_predictions_prints_the_table_and_writes_json(tmp_path):
    folder = gold_folder(tmp_path, SEED, KESTRIA)
    predictions = jsonl(tmp_path / "p.jsonl", record(SEED, hand_made(SEED, drop_figures=1)), record(KESTRIA, hand_made(KESTRIA)))
    out = tmp_path / "scores.json"
    result = run("eval", folder, "--predictions", predictions, "--out", out)
    assert result.exit_code == 0, result.output
    table = result.stdout
    assert SEED.stem in table and KESTRIA.stem in table and "total (2 articles)" in table
    assert "1.00 / 0.75 / 0.86" in table  # the seed's figures: 3 of 4
    assert "1.00 / 0.93 / 0.97" in table  # all figures: 14 of 15, micro-averaged
    assert f"ok: scores written to {out}" in result.stderr

    scores = json.loads(out.read_text(encoding="utf-8"))
    assert scores["averaging"].startswith("micro")
    assert scores["overall"]["figures"]["recall"] == 14 / 15 and scores["overall"]["articles"] == 2
    seed = next(a for a in scores["articles"] if a["article"] == SEED.stem)
    assert seed["figures"]["missed"] == [0] and seed["figures"]["recall"] == 0.75
    assert seed["peace_talk_conditions"]["f1"] == 1.0 and seed["unsupported"] == 0
    kestria = next(a for a in scores["articles"] if a["article"] == KESTRIA.stem)
    assert kestria["peace_talk_conditions"] | {"gold": 0, "predicted": 0, "f1": 1.0} == kestria["peace_talk_conditions"]


def test_a_failed_article_scores_as_empty_and_exits_1(tmp_path):
    folder = gold_folder(tmp_path, SEED, KESTRIA)
    predictions = jsonl(tmp_path / "p.jsonl", record(SEED, error="server down"), record(KESTRIA, hand_made(KESTRIA)))
    out = tmp_path / "scores.json"
    result = run("eval", folder, "--predictions", predictions, "-o", out)
    assert result.exit_code == 1
    assert f"error: {SEED.stem}: ProviderUnavailableError: server down (scored as an empty summary)" in result.stderr
    seed = next(a for a in json.loads(out.read_text())["articles"] if a["article"] == SEED.stem)
    assert seed["error"].endswith("server down") and seed["figures"]["recall"] == 0.0
    assert seed["figures"]["precision"] is None


def test_articles_without_a_prediction_are_named_and_not_scored(tmp_path):
    folder = gold_folder(tmp_path, SEED, KESTRIA)
    predictions = jsonl(tmp_path / "p.jsonl", record(SEED, hand_made(SEED)))
    result = run("eval", folder, "--predictions", predictions, "-o", tmp_path / "s.json")
    assert result.exit_code == 0
    assert f"warning: {KESTRIA.stem}: no summary of this text in" in result.stderr
    assert "total (1 article)" in result.stdout

    nothing = jsonl(tmp_path / "none.jsonl", {"id": "x", "input_sha256": "0" * 64, "ok": False, "error": {}})
    result = run("eval", folder, "--predictions", nothing, "-o", tmp_path / "s2.json")
    assert result.exit_code == 2 and "is of an annotated article" in result.stderr
    assert not (tmp_path / "s2.json").exists()


def test_invalid_gold_is_named_and_nothing_is_scored(tmp_path):
    folder = gold_folder(tmp_path, SEED)
    gold_path = folder / (SEED.stem + ".gold.json")
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    gold["peace_talk_conditions"][0]["quote"] = "unless Russia returns Crimea"
    gold_path.write_text(json.dumps(gold), encoding="utf-8")
    result = run("eval", folder, "--predictions", jsonl(tmp_path / "p.jsonl", record(SEED, hand_made(SEED))))
    assert result.exit_code == 2 and result.stdout == ""
    assert "error: - peace_talk_conditions[0]: its quote is not in the article" in result.stderr


def test_predictions_and_a_model_do_not_mix(tmp_path):
    folder = gold_folder(tmp_path, SEED)
    result = run("eval", folder, "--predictions", tmp_path / "p.jsonl", "--model", "gpt-4.1-mini")
    assert result.exit_code == 2 and "--model, --base-url, --evidence, --summary, --measures and --save-predictions do not apply" in result.stderr


def test_a_missing_predictions_file_is_one_error(tmp_path):
    folder = gold_folder(tmp_path, SEED)
    result = run("eval", folder, "--predictions", tmp_path / "nowhere.jsonl")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"error: {tmp_path / 'nowhere.jsonl'}: cannot read the predictions: No such file or directory"
    ]


def test_eval_runs_the_model_and_its_saved_answers_score_the_same(tmp_path, fake_llm):
    folder = gold_folder(tmp_path, SEED)
    fake_llm.reply(completion(arguments=SEED_SUMMARY))  # HAND-WRITTEN: one item of each list, all right
    saved, first, second = tmp_path / "run.jsonl", tmp_path / "a.json", tmp_path / "b.json"
    result = run("eval", folder, "--model", "test-model", "--base-url", fake_llm.base_url, "--no-cache",
                 "--save-predictions", saved, "-o", first)
    assert result.exit_code == 0, result.output
    assert len(fake_llm.requests) == 1
    assert "1.00 / 0.11 / 0.20" in result.stdout  # claims: 1 of 9
    assert "1.00 / 0.25 / 0.40" in result.stdout  # figures and conditions: 1 of 4
    scores = json.loads(first.read_text(encoding="utf-8"))
    assert scores["predictions_from"] == "model test-model"
    overall = scores["overall"]
    assert overall["figure_accuracy"] == 1.0 and overall["grounding_rate"] == 1.0 and overall["unsupported"] == 0
    assert overall["actors"]["matched"] == 1 and overall["actors"]["gold"] == 5

    # The saved answers, scored without a model, give the same numbers.
    result = run("eval", folder, "--predictions", saved, "-o", second)
    assert result.exit_code == 0 and len(fake_llm.requests) == 1
    again = json.loads(second.read_text(encoding="utf-8"))
    assert again["overall"] == overall and again["articles"] == scores["articles"]


def test_save_predictions_and_out_are_never_the_same_file_checked_before_any_request(tmp_path, fake_llm):
    folder = gold_folder(tmp_path, SEED)
    fake_llm.reply(completion(arguments=SEED_SUMMARY))  # HAND-WRITTEN; never asked for here
    saved = tmp_path / "run.jsonl"
    for out in (saved, tmp_path / "." / "run.jsonl"):
        result = run("eval", folder, "--model", "test-model", "--base-url", fake_llm.base_url, "--no-cache",
                     "--save-predictions", saved, "-o", out)
        assert result.exit_code == 2 and result.stdout == ""
        assert "--out" in result.stderr and "is the same file as" in result.stderr
    assert fake_llm.requests == [] and not saved.exists()  # nothing paid for, nothing written


@pytest.mark.parametrize("target", ["predictions", "notes", "gold", "article"])
def test_eval_out_writes_over_nothing_but_earlier_scores(tmp_path, target):
    folder = gold_folder(tmp_path, SEED)
    predictions = jsonl(tmp_path / "p.jsonl", record(SEED, hand_made(SEED)))
    notes = tmp_path / "notes.json"
    notes.write_text('{"my": "own notes"}\n', encoding="utf-8")
    path = {"predictions": predictions, "notes": notes, "gold": folder / (SEED.stem + ".gold.json"),
            "article": folder / SEED.name}[target]
    before = path.read_bytes()
    result = run("eval", folder, "--predictions", predictions, "--out", path)
    assert result.exit_code == 2 and result.stdout == ""  # refused before scoring
    says = "exists and is not a summarizer scores file" if target == "notes" else "is the same file as"
    assert result.stderr.startswith(f"error: --out {path}") and says in result.stderr
    assert path.read_bytes() == before

    scores = tmp_path / "scores.json"
    for _ in range(2):  # earlier scores are written over
        assert run("eval", folder, "--predictions", predictions, "--out", scores).exit_code == 0
    assert json.loads(scores.read_text(encoding="utf-8"))["overall"]["articles"] == 1
    if Path("/dev/null").exists():  # a device: written to, never read
        streamed = run("eval", folder, "--predictions", predictions, "--out", "/dev/null")
        assert streamed.exit_code == 0 and "ok: scores written to /dev/null" in streamed.stderr


@pytest.mark.parametrize("what", ["deep-gold", "fifo-gold", "fifo-predictions", "device-predictions"])
def test_gold_or_predictions_that_would_hang_or_crash_are_one_error(what, tmp_path):
    """Nested past the stack, a FIFO (never opened: the test double feeds it, so a missing refusal fails, not hangs),
    a device that never ends: a usage error, never a traceback or a wait."""
    from .doubles.checks import fifo_fed_later

    folder = gold_folder(tmp_path, SEED)
    gold = folder / (SEED.stem + ".gold.json")
    predictions: Path | str = tmp_path / "run.jsonl"
    Path(predictions).write_text("", encoding="utf-8")
    if what == "deep-gold":
        gold.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    elif what == "fifo-gold":
        gold.unlink()
        fifo_fed_later(gold)
    elif what == "fifo-predictions":
        Path(predictions).unlink()
        fifo_fed_later(predictions)
    else:
        predictions = "/dev/zero"
    result = runner.invoke(app, ["eval", str(folder), "--predictions", str(predictions), "--out",
                                 str(tmp_path / "scores.json")])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
