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


# -- rows that cannot be summarized: each is its own error, never sent, never the batch's ------------------------


def _digest(data: str | bytes) -> str:
    import hashlib

    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def _errors(out: dict) -> dict:
    return {i: json.loads(e)["type"] for i, ok, e in zip(out["id"], out["ok"], out["error"], strict=True) if not ok}


def test_bad_rows_are_their_own_errors_and_are_never_sent(threaded_server, seed_text):
    np = pytest.importorskip("numpy")
    llm = BatchLLM(threaded_server)
    rows = [("good", seed_text), ("none", None), ("nan", float("nan")), ("blank", "\u3164 \u200b\u3164"),
            ("number", 42), ("utf16", f"{seed_text}\nBytes.".encode("utf-16")), ("png", b"\x89PNG\r\n\x1a\n\x00\x00"),
            (None, f"{seed_text}\nNo id."), (float("nan"), None)]
    batch = {"id": np.array([r[0] for r in rows], dtype=object), "text": np.array([r[1] for r in rows], dtype=object)}

    out = Summarize(model="test-model", base_url=llm.base_url, max_retries=0)(batch)

    assert out["id"][:7] == ["good", "none", "nan", "blank", "number", "utf16", "png"]
    assert out["id"][7] == _digest(f"{seed_text}\nNo id.") and out["id"][8] == _digest(b"")  # never "None"
    assert out["ok"] == [True, False, False, False, False, True, False, True, False]
    assert _errors(out) == {"none": "EmptyInputError", "nan": "EmptyInputError", "blank": "EmptyInputError",
                            "number": "InputError", "png": "InputError", _digest(b""): "EmptyInputError"}
    assert len(llm.articles) == 3  # only the three readable rows were paid for
    assert llm.count("Bytes.") == 1 and not any("b'" in a or "None" in a or "nan" in a for a in llm.articles)


def test_a_published_column_dates_each_row_and_a_bad_one_is_that_rows_error(threaded_server, seed_text):
    llm = BatchLLM(threaded_server)
    batch = {"id": ["a", "b", "c"], "text": [seed_text] * 3, "published": ["2022-11-10", float("nan"), "soon"]}
    out = Summarize(model="test-model", base_url=llm.base_url, max_retries=0)(batch)
    assert out["ok"] == [True, True, False]
    days = [json.loads(s)["peace_talk_conditions"][0]["when"]["date"] if s else None for s in out["summary"]]
    assert days == ["2022-11-08", None, None]  # "said Tuesday": resolved only against a date
    assert _errors(out) == {"c": "InputError"}


def test_a_dataframe_and_an_arrow_table_of_bytes_are_read_as_rows(threaded_server, seed_text):
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    llm = BatchLLM(threaded_server)
    summarize = Summarize(model="test-model", base_url=llm.base_url, max_retries=0)

    frame = pd.DataFrame({"id": [1, None, 3], "text": [f"{seed_text}\nOne.", f"{seed_text}\nTwo.", None]})
    out = summarize(frame)  # pandas turns the ids into floats beside a gap: 1.0, NaN, 3.0
    assert out["id"] == [1, _digest(f"{seed_text}\nTwo."), 3] and out["ok"] == [True, True, False]

    table = pa.table({"id": pa.array([7, None], pa.int64()),
                      "text": pa.array([f"{seed_text}\nSeven.".encode(), b"  \xe2\x80\x8b "], pa.binary())})
    out = summarize(table)  # a binary column: every row arrives as bytes
    assert out["id"] == [7, _digest(b"  \xe2\x80\x8b ")] and out["ok"] == [True, False]
    assert _errors(out) == {_digest(b"  \xe2\x80\x8b "): "EmptyInputError"}
    assert llm.count("Seven.") == 1 and len(llm.articles) == 3


def test_vllm_preprocess_never_raises_for_a_bad_row_and_postprocess_gives_its_error(seed_text):
    steps = VLLMSteps(model="served-model")
    good = steps.preprocess({"id": "good", "text": seed_text})
    assert good["summarizer_error"] == "" and good["sampling_params"]["max_tokens"] > 1
    for row, kind in [({"id": "none", "text": None}, "EmptyInputError"), ({"id": "nan", "text": float("nan")},
                      "EmptyInputError"), ({"id": "empty", "text": "   "}, "EmptyInputError"),
                      ({"id": "filler", "text": "\u3164"}, "EmptyInputError"), ({"id": "list", "text": [1]}, "InputError"),
                      ({"id": "binary", "text": b"\x00\x01\x02\x03" * 8}, "InputError"), ({"text": None}, "EmptyInputError")]:
        request = steps.preprocess(row)  # no exception: the job goes on
        assert request["sampling_params"]["max_tokens"] == 1  # the engine is asked for one token, nothing more
        assert set(request["sampling_params"]) == set(good["sampling_params"])  # shaped as the others
        assert [m["role"] for m in request["messages"]] == [m["role"] for m in good["messages"]]
        assert all(len(m["content"]) == 1 for m in request["messages"])  # the article is not in it
        engine = {**request, "generated_text": json.dumps(SEED_SUMMARY), "num_input_tokens": 9}
        out = steps.postprocess(engine)
        assert out["ok"] is False and out["summary"] is None and json.loads(out["error"])["type"] == kind
        assert out["id"] == row.get("id", _digest(b""))
    decoded = steps.preprocess({"id": None, "text": f"{seed_text}\nBytes.".encode("utf-16")})
    assert decoded["summarizer_error"] == "" and decoded["text"] == f"{seed_text}\nBytes."
    assert decoded["id"] == _digest(f"{seed_text}\nBytes.") and "b'" not in decoded["messages"][1]["content"]


def test_vllm_steps_on_ray_finish_a_job_with_bad_rows(local_ray, seed_text):
    steps = VLLMSteps(model="served-model")

    def engine(row: dict) -> dict:  # stands in for vLLM: HAND-WRITTEN generated text
        return {**row, "generated_text": json.dumps(SEED_SUMMARY), "num_input_tokens": 900, "num_generated_tokens": 3}

    rows = [{"id": "seed", "text": seed_text}, {"id": "none", "text": None}, {"id": None, "text": ""}]
    out = ray.data.from_items(rows).map(steps.preprocess).map(engine).map(steps.postprocess).take_all()

    by_id = {r["id"]: r for r in out}
    assert set(by_id) == {"seed", "none", _digest("")} and by_id["seed"]["ok"] is True
    assert json.loads(by_id["none"]["error"])["type"] == json.loads(by_id[_digest("")]["error"])["type"] == "EmptyInputError"
