"""Cited evidence through a whole call, against a loopback fake serving HAND-WRITTEN responses.

The answers are the hand-written seed summary (``tests/doubles/responses.py``) turned
into its cited form by ``cite_answer``; nothing here was produced by a model.
"""

from __future__ import annotations

import json

import pytest

from summarizer import ArticleSummary, ConfigurationError, Summarizer, provenance_of
from summarizer.grounding.cite import citable

from ..doubles.responses import SEED_SUMMARY, cite_answer, completion

FAST = {"retry_max_wait": 0.05}


def make(fake, **options) -> Summarizer:
    return Summarizer("test-model", base_url=fake.base_url, **{**FAST, **options})


def _schema_sent(request: dict) -> dict:
    return request["tools"][0]["function"]["parameters"]


def test_sentence_mode_sends_the_article_numbered_and_fills_every_quote_from_it(fake_llm, seed_text):
    fake_llm.reply(completion(arguments=cite_answer(SEED_SUMMARY, seed_text), completion_tokens=120))

    result = make(fake_llm, evidence="sentence").summarize(seed_text)

    user = fake_llm.requests[0]["messages"][1]["content"]
    view = citable(seed_text)
    assert view.numbered() in user and "[12] Milley, the highest-ranking" in user
    schema = _schema_sent(fake_llm.requests[0])
    claim = schema["$defs"]["KeyClaim"]["properties"]
    assert "quote" not in claim and (claim["sentence"]["minimum"], claim["sentence"]["maximum"]) == (1, len(view.sentences))
    assert type(result) is ArticleSummary
    for item in [*result.key_claims, *result.figures, *result.actors, *result.peace_talk_conditions]:
        assert item.span is not None and seed_text[item.span.start : item.span.end] == item.quote == item.evidence
        assert any(seed_text[s.start : s.end] == item.quote for s in view.sentences)
    report = result.grounding
    assert report is not None and (report.grounded, report.issues) == (4, [])
    provenance = provenance_of(result)
    assert provenance is not None and (provenance.evidence, provenance.prompt_version) == ("sentence", "cite-v2")


def test_a_figure_citing_the_wrong_sentence_is_reasked_in_terms_of_citing(fake_llm, seed_text):
    wrong = cite_answer(SEED_SUMMARY, seed_text)
    wrong["figures"][0]["sentence"] = 1  # the headline, which does not hold "20,000 to 30,000"
    fake_llm.reply(completion(arguments=wrong))
    fake_llm.reply(completion(arguments=cite_answer(SEED_SUMMARY, seed_text)))

    result = make(fake_llm, evidence="sentence").summarize(seed_text)

    assert len(fake_llm.requests) == 2
    reask = " ".join(str(m.get("content")) for m in fake_llm.requests[1]["messages"][2:])
    assert "figures[0]" in reask and "sentence cited: '100,000 Russian troops" in reask
    assert "Cite for each item the number of the one sentence" in reask and "Copy every quote" not in reask
    assert result.grounding is not None and result.grounding.issues == []
    assert result.figures[0].quote.startswith("Milley, the highest-ranking U.S. military officer")


def test_an_item_citing_a_sentence_past_the_end_is_dropped_and_reported_where_the_model_put_it(fake_llm, seed_text):
    answer = cite_answer(SEED_SUMMARY, seed_text)
    answer["key_claims"].insert(0, {**answer["key_claims"][0], "sentence": 999})
    fake_llm.reply(completion(arguments=answer))

    result = make(fake_llm, evidence="sentence", grounding="drop").summarize(seed_text)

    report = result.grounding
    assert report is not None and len(fake_llm.requests) == 1
    assert [(i.path, i.fields, i.dropped) for i in report.issues] == [("key_claims[0]", ["sentence"], True)]
    assert "cites sentence 999" in report.issues[0].reason
    assert len(result.key_claims) == 1 and result.key_claims[0].grounded and report.dropped == 1


def test_with_numbers_a_figure_takes_its_text_and_values_from_the_number_it_cites(fake_llm, seed_text):
    answer = cite_answer(SEED_SUMMARY, seed_text, numbers=True)
    answer["figures"].append({**answer["figures"][0], "number": "N99"})
    fake_llm.reply(completion(arguments=answer))

    result = make(fake_llm, evidence="sentence+numbers", grounding="drop").summarize(seed_text)

    user = fake_llm.requests[0]["messages"][1]["content"]
    assert "in [12]: 20,000 to 30,000 (troops amassed in Kherson)" in user
    figure_schema = _schema_sent(fake_llm.requests[0])["$defs"]["Figure"]["properties"]
    assert figure_schema["number"]["enum"] == [f"N{i}" for i in range(1, 7)] and "text" not in figure_schema
    (figure,) = result.figures
    assert (figure.text, figure.value, figure.low, figure.high) == ("20,000 to 30,000", None, 20000.0, 30000.0)
    assert figure.grounded and result.grounding is not None
    assert [(i.path, i.fields) for i in result.grounding.issues] == [("figures[1]", ["number"])]
    assert provenance_of(result).evidence == "sentence+numbers"  # type: ignore[union-attr]


def test_sync_and_async_fill_alike(fake_llm, seed_text):
    import asyncio

    answer = cite_answer(SEED_SUMMARY, seed_text, numbers=True)
    fake_llm.reply(completion(arguments=answer))
    fake_llm.reply(completion(arguments=answer))
    summarizer = make(fake_llm, evidence="sentence+numbers")
    sync = summarizer.summarize(seed_text)
    async_ = asyncio.run(summarizer.asummarize(seed_text))
    keep = {"provenance"}
    assert sync.model_dump(exclude=keep) == async_.model_dump(exclude=keep)


def test_each_evidence_mode_has_its_own_cache_key_and_prompt(fake_llm, seed_text):
    keys = {mode: make(fake_llm, evidence=mode).cache_key(seed_text) for mode in ("quote", "sentence", "sentence+numbers")}
    assert len(set(keys.values())) == 3
    assert make(fake_llm).settings.evidence == "quote"  # a model we have not measured copies quotes
    assert make(fake_llm, evidence="sentence+numbers").settings.prompt_version == "cite-numbers-v2"


def test_the_bundled_local_models_cite_sentences_and_numbers_and_the_others_copy_quotes(tmp_path):
    assert Summarizer("local").settings.evidence == "sentence+numbers"
    assert Summarizer("local:qwen2.5-coder-1.5b").settings.evidence == "sentence+numbers"
    assert Summarizer("local:qwen2.5-coder-0.5b").settings.evidence == "sentence+numbers"
    own = tmp_path / "mine.gguf"
    own.write_bytes(b"GGUF")
    assert Summarizer(f"local:{own}").settings.evidence == "quote"  # a model of one's own, not measured
    assert Summarizer("local", evidence="quote").settings.prompt_version == "summarize-v1"


def test_a_prompt_that_does_not_fit_the_evidence_mode_is_refused_before_any_request(fake_llm):
    with pytest.raises(ConfigurationError, match="does not fit evidence='sentence'.*lacks \\$numbered_article"):
        make(fake_llm, evidence="sentence", prompt_version="summarize-v1")
    with pytest.raises(ConfigurationError, match="has \\$names, \\$numbered_article"):
        make(fake_llm, evidence="quote", prompt_version="cite-v2")
    with pytest.raises(ConfigurationError, match="evidence must be one of"):
        make(fake_llm, evidence="sentences")
    assert fake_llm.requests == []


def test_the_cli_passes_evidence_through(fake_llm, seed_text, tmp_path):
    from typer.testing import CliRunner

    from summarizer.cli import app

    article = tmp_path / "seed.txt"
    article.write_text(seed_text, encoding="utf-8")
    fake_llm.reply(completion(arguments=cite_answer(SEED_SUMMARY, seed_text)))
    result = CliRunner().invoke(
        app, ["summarize", str(article), "--model", "test-model", "--base-url", fake_llm.base_url,
              "--evidence", "sentence", "--format", "json", "--no-cache"],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["provenance"]["evidence"] == "sentence"
    held = [seed_text[s.start : s.end] for s in citable(seed_text).sentences]
    assert summary["figures"][0]["quote"] == next(s for s in held if "20,000 to 30,000" in s)


def test_the_reports_say_where_the_evidence_came_from(fake_llm, seed_text):
    from summarizer import render_html, render_markdown

    fake_llm.reply(completion(arguments=cite_answer(SEED_SUMMARY, seed_text)))
    result = make(fake_llm, evidence="sentence").summarize(seed_text)
    assert "sentences cited by number; quotes filled from the article" in render_markdown(result)
    assert "sentences cited by number; quotes filled from the article" in render_html(result)


def test_the_cli_passes_the_summary_and_measure_styles_through(fake_llm, seed_text, tmp_path):
    from typer.testing import CliRunner

    from summarizer.cli import app

    article = tmp_path / "seed.txt"
    article.write_text(seed_text, encoding="utf-8")
    answer = cite_answer(SEED_SUMMARY, seed_text, numbers=True)
    view = citable(seed_text, numbers=True)
    picked = view.summary_candidates()[:2]
    answer["summary"] = picked  # HAND-WRITTEN: the sentences a model would pick
    fake_llm.reply(completion(arguments=answer))
    result = CliRunner().invoke(
        app, ["summarize", str(article), "--model", "test-model", "--base-url", fake_llm.base_url,
              "--evidence", "sentence+numbers", "--summary", "cited", "--measures", "read", "--format", "json",
              "--no-cache"],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    p = summary["provenance"]
    assert (p["evidence"], p["summary_style"], p["measure_style"]) == ("sentence+numbers", "cited", "read")
    sent = _schema_sent(fake_llm.requests[0])["properties"]["summary"]
    assert sent["type"] == "array" and sent["items"]["enum"] == view.summary_candidates()
    assert summary["summary"] == " ".join(seed_text[view.sentences[n - 1].start : view.sentences[n - 1].end] for n in picked)
    figure = summary["figures"][0]  # 20,000 to 30,000: its measure read from the article, not the answer's
    assert figure["measure"] == "troops amassed in Kherson" and figure["unit"] == "troops"
