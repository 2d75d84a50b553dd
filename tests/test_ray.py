"""Ray Data on a local instance (two CPUs) against a loopback server serving HAND-WRITTEN answers.

The server is ``tests/doubles/loopback.py`` (the hand-written seed summary for every
article, a hand-written 400 for one containing FAIL); the vLLM stand-in below writes
the hand-written seed summary as its "generated text". Nothing here came from a model.
"""

from __future__ import annotations

import json

import pytest

from summarizer import ArticleSummary
from summarizer.ray import Summarize, VLLMSteps

from .doubles.loopback import BatchLLM
from .doubles.responses import SEED_SUMMARY

ray = pytest.importorskip("ray", reason='needs pip install ".[ray]" (in the dev extra)')

ROWS = 300


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        yield
    finally:
        ray.shutdown()


def test_summarize_maps_every_row_once_in_order_within_batches(local_ray, threaded_server, seed_text):
    llm = BatchLLM(threaded_server)
    rows = [{"id": f"a{i:03d}", "text": f"{seed_text}\nFAIL" if i % 100 == 7 else seed_text} for i in range(ROWS)]
    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True
    ds = ray.data.from_items(rows, override_num_blocks=6)

    out = ds.map_batches(
        Summarize,
        fn_constructor_kwargs={"model": "test-model", "base_url": llm.base_url, "concurrency": 8, "max_retries": 0},
        concurrency=2, batch_size=25, num_cpus=0.5,
    ).take_all()

    assert [r["id"] for r in out] == [r["id"] for r in rows]  # each id once, in the input's order
    assert len(llm.articles) == ROWS  # one request per row: nothing sent twice
    failed = [r for r in out if not r["ok"]]
    assert [r["id"] for r in failed] == ["a007", "a107", "a207"]
    assert all(r["summary"] is None and json.loads(r["error"])["type"] == "BadRequestError" for r in failed)
    good = ArticleSummary.model_validate_json(out[0]["summary"])
    assert good.grounding is not None and good.grounding.grounded == 4 and out[0]["error"] is None


def test_vllm_steps_build_the_request_and_read_the_generated_text(local_ray, seed_text):
    steps = VLLMSteps(model="served-model")
    request = steps.preprocess({"id": "seed", "text": seed_text})
    assert seed_text in request["messages"][1]["content"] and request["id"] == "seed"
    schema = request["sampling_params"]["guided_decoding"]["json"]
    assert schema["title"] == "ArticleSummary" and request["sampling_params"]["temperature"] == 0.0

    def engine(row: dict) -> dict:  # stands in for vLLM: HAND-WRITTEN generated text
        return {**row, "generated_text": json.dumps(SEED_SUMMARY), "num_input_tokens": 900, "num_generated_tokens": 300}

    ds = ray.data.from_items([{"id": "seed", "text": seed_text}, {"id": "other", "text": seed_text}])
    out = ds.map(steps.preprocess).map(engine).map(steps.postprocess).take_all()

    assert sorted(r["id"] for r in out) == ["other", "seed"] and all(r["ok"] for r in out)
    summary = ArticleSummary.model_validate_json(out[0]["summary"])
    assert summary.grounding is not None and summary.grounding.grounded == 4
    assert summary.provenance is not None and summary.provenance.usage.completion_tokens == 300


def test_vllm_steps_report_an_answer_that_fails_the_schema_as_that_rows_error(seed_text):
    steps = VLLMSteps(model="served-model")
    row = {**steps.preprocess({"id": "x", "text": seed_text}), "generated_text": '{"headline": 3}'}
    out = steps.postprocess(row)
    assert out["ok"] is False and json.loads(out["error"])["type"] == "OutputValidationError"
