"""What a batch reads back is checked (summarizer/batch/lines.py): results lines, the articles file, job files.

Every results line and article here is HAND-WRITTEN or a hand-written line broken on
purpose (``tests/doubles/responses.py``); nothing came from a provider or a model.
Whatever the input, ingest gives records or a typed error, never a raw exception.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summarizer import BatchFileError, batch_ingest, batch_prepare
from summarizer.batch.files import articles_path
from summarizer.batch.jobs import Job
from summarizer.batch.records import BatchResult
from summarizer.errors import BatchFileWarning

from ..doubles.responses import SEED_SUMMARY, completion

KEY = {"api_key": "placeholder-batch-lines"}


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _answer(custom_id: str, body: Any = None) -> dict[str, Any]:
    body = body if body is not None else completion(arguments=SEED_SUMMARY)
    return {"id": "r", "custom_id": custom_id, "response": {"status_code": 200, "body": body}, "error": None}


def _write(path: Path, lines: list[Any]) -> Path:
    with path.open("wb") as handle:
        for line in lines:
            handle.write(line if isinstance(line, bytes) else (line if isinstance(line, str) else json.dumps(line)).encode())
            handle.write(b"\n")
    return path


@pytest.fixture
def two(seed_text, tmp_path) -> tuple[Path, str, str]:
    """A requests file of two articles, ``good`` and ``bad``, and their custom ids."""
    requests = batch_prepare([("good", seed_text), ("bad", seed_text)], tmp_path / "r.jsonl", model="gpt-4.1-mini",
                             max_tokens=1000, **KEY).requests
    ids = {line["custom_id"].split("-")[0]: line["custom_id"] for line in _lines(requests)}
    return requests, ids["good"], ids["bad"]


def _ingest(requests: Path, results: Path) -> dict[Any, BatchResult]:
    return {r.id: r for r in batch_ingest(requests, results)}


# -- one bad line is that article's error -----------------------------------------------------------------


def _hostile(bad: str) -> dict[str, Any]:
    """Each case: a results line for the request ``bad`` (or raw bytes), and what its record's error says."""
    body = completion(arguments=SEED_SUMMARY)
    return {
        "response is a string": ({"custom_id": bad, "response": "oops"}, "response is a string"),
        "response is a list": ({"custom_id": bad, "response": [1, 2]}, "response is a list"),
        "status_code is text": ({"custom_id": bad, "response": {"status_code": "500", "body": {}}}, 'status_code is "500"'),
        "status_code 200 as text": ({"custom_id": bad, "response": {"status_code": "200", "body": body}}, "not an HTTP status"),
        "status_code out of range": ({"custom_id": bad, "response": {"status_code": 99999, "body": body}}, "not an HTTP status"),
        "status_code true": ({"custom_id": bad, "response": {"status_code": True, "body": body}}, "not an HTTP status"),
        "body is a list": ({"custom_id": bad, "response": {"status_code": 200, "body": []}}, "body is a list"),
        "no response, no error": ({"custom_id": bad}, "neither a response nor an error"),
        "no model": ({"custom_id": bad, "response": {"status_code": 200, "body": {**body, "model": None}}}, "names no model"),
        "negative tokens": (_answer(bad, {**body, "usage": {"prompt_tokens": -5, "completion_tokens": 1, "total_tokens": 1}}),
                            "usage.prompt_tokens is -5"),
        "absurd tokens": (_answer(bad, {**body, "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 10**30}}),
                          "usage.total_tokens"),
        "more tokens than max_tokens": (_answer(bad, {**body, "usage": {"completion_tokens": 1001}}),
                                        "usage.completion_tokens is 1001"),
        "tokens as text": (_answer(bad, {**body, "usage": {"prompt_tokens": "9"}}), "usage.prompt_tokens is a string"),
        "usage a list": (_answer(bad, {**body, "usage": [1]}), "usage is a list"),
        "nested 20,000 deep": (f'{{"custom_id": "{bad}", "response": {"[" * 20_000}1{"]" * 20_000}}}'.encode(),
                                "nested deeper than"),
        "nested 70 deep": (_answer(bad, {**body, "extra": json.loads("[" * 70 + "]" * 70)}), "nested deeper than"),
        "NaN": (f'{{"custom_id": "{bad}", "response": {{"status_code": NaN}}}}', "NaN is not a JSON number"),
        "1e309": (f'{{"custom_id": "{bad}", "response": {{"status_code": 1e309}}}}', "out of range"),
        "5000 digits": (f'{{"custom_id": "{bad}", "response": {{"status_code": {"9" * 5000}}}}}', "not JSON"),
        "cut off": (json.dumps(_answer(bad))[:300], "not JSON"),
        "not UTF-8": (f'{{"custom_id": "{bad}", "error": "\xff"}}'.encode("latin-1"), "not UTF-8"),
    }


def _typed_before(bad: str) -> list[Any]:
    """Lines that were that article's typed error before the checks too: for the command's sweep only."""
    body = completion(arguments=SEED_SUMMARY)
    return [{"custom_id": bad, "error": 5}, {"custom_id": bad, "error": {"message": {"a": [1]}, "code": [2]}},
            {"custom_id": bad, "response": {"status_code": 500, "body": "down"}}, _answer(bad, completion(refusal="no")),
            _answer(bad, {**body, "choices": "x"})]


@pytest.mark.parametrize("case", list(_hostile("x")))
def test_one_malformed_line_is_that_articles_typed_error_and_the_others_are_read(two, tmp_path, case):
    requests, good, bad = two
    line, said = _hostile(bad)[case]
    results = _write(tmp_path / "res.jsonl", [_answer(good), line])

    records = _ingest(requests, results)

    assert records["good"].ok
    error = records["bad"].error
    assert error is not None and isinstance(error.type, str) and said in error.message, error


def test_a_line_past_the_live_bound_is_that_articles_error_and_is_never_held_whole(two, tmp_path):
    from summarizer.batch.lines import line_limit

    requests, good, bad = two
    huge = _answer(bad, {**completion(arguments=SEED_SUMMARY), "padding": "x" * (line_limit(1000) + 10)})
    records = _ingest(requests, _write(tmp_path / "res.jsonl", [_answer(good), huge]))

    assert records["good"].ok
    assert records["bad"].error is not None and "larger than" in records["bad"].error.message
    assert "max_tokens=1000" in records["bad"].error.message and records["bad"].error.retryable


def test_a_later_answer_wins_over_an_earlier_broken_line(two, tmp_path):
    requests, good, bad = two
    results = _write(tmp_path / "res.jsonl", [{"custom_id": bad, "response": "oops"}, _answer(good), _answer(bad)])
    assert all(r.ok for r in _ingest(requests, results).values())


def test_the_record_names_the_model_the_answer_names(two, tmp_path):
    requests, good, bad = two
    snapshot = {**completion(arguments=SEED_SUMMARY), "model": "gpt-4.1-mini-2025-04-14"}
    other = {**completion(arguments=SEED_SUMMARY), "model": "some-other-model"}
    records = _ingest(requests, _write(tmp_path / "res.jsonl", [_answer(good, snapshot), _answer(bad, other)]))
    assert records["good"].summary.provenance.model == "gpt-4.1-mini-2025-04-14"  # type: ignore[union-attr]
    assert records["bad"].summary.provenance.model == "some-other-model"  # type: ignore[union-attr]


# -- a line for no request of this batch is reported and skipped ----------------------------------------------


def test_a_line_for_a_request_never_sent_is_reported_redacted_and_skipped(two, tmp_path):
    requests, good, bad = two
    foreign = "token_never-sent-0123456789abcdef"  # key-shaped: the report must not repeat it
    results = _write(tmp_path / "res.jsonl", [_answer(good), _answer(foreign), _answer(bad), {"no": "custom_id"}])

    with pytest.warns(BatchFileWarning, match="2 line") as caught:
        records = _ingest(requests, results)

    assert records["good"].ok and records["bad"].ok  # every paid answer is read
    shown = str(caught[0].message)
    assert foreign not in shown and "[redacted]" in shown and "line 2" in shown and "line 4" in shown


def test_results_with_no_line_for_this_batch_are_refused_and_a_stray_file_beside_good_ones_is_skipped(two, tmp_path):
    requests, good, bad = two
    stray = _write(tmp_path / "stray.jsonl", [_answer("someone-else-0"), "not json"])
    with pytest.raises(BatchFileError, match="no line answers a request of this batch"):
        batch_ingest(requests, stray)
    answers = _write(tmp_path / "res.jsonl", [_answer(good), _answer(bad)])
    with pytest.warns(BatchFileWarning, match="stray.jsonl: 2 line"):
        records = batch_ingest(requests, [answers, stray])  # an error file of another shape beside the output
    assert all(r.ok for r in records)


def test_the_requests_file_given_as_results_is_refused(two):
    requests, _, _ = two
    with pytest.raises(BatchFileError, match="is a request, not an answer"):
        batch_ingest(requests, requests)


def test_a_results_path_that_is_not_a_regular_file_is_refused_without_reading_it(two, tmp_path):
    from ..doubles.checks import fifo_fed_later

    requests, _, _ = two
    fifo = fifo_fed_later(tmp_path / "fifo.jsonl")
    with pytest.raises(BatchFileError, match="not a regular file"):
        batch_ingest(requests, fifo)
    with pytest.raises(BatchFileError, match="not a regular file"):
        batch_ingest(requests, tmp_path)


# -- the articles file: its text must be the text the requests were built from ------------------------------------


def _edit_articles(requests: Path, edit: Any) -> None:
    path = articles_path(requests)
    lines = path.read_text(encoding="utf-8").splitlines()
    edit(lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_an_edited_article_text_is_that_articles_error_never_a_silent_regrounding(seed_text, tmp_path):
    requests = batch_prepare([("edited", seed_text), ("kept", seed_text + " ")], tmp_path / "r.jsonl",
                             model="gpt-4.1-mini", evidence="sentence", **KEY).requests
    results = _write(tmp_path / "res.jsonl", [_answer(line["custom_id"], completion(arguments={
        **SEED_SUMMARY, "key_claims": [], "figures": [], "actors": [], "peace_talk_conditions": []}))
        for line in _lines(requests)])

    def edit(lines: list[str]) -> None:
        article = json.loads(lines[1])
        article["text"] = "A sentence added in front. " + article["text"]  # every sentence number shifts by one
        lines[1] = json.dumps(article)

    _edit_articles(requests, edit)
    records = _ingest(requests, results)

    assert records["kept"].ok
    error = records["edited"].error
    assert error is not None and error.type == "BatchFileError" and not error.retryable
    assert "not the text its requests were built from" in error.message


@pytest.mark.parametrize("edit, said", [
    (lambda h, a: h["settings"].update(surprise=1), "unknown setting 'surprise'"),
    (lambda h, a: h["settings"].update(max_tokens="many"), "setting max_tokens is a string"),
    (lambda h, a: h["settings"].update(temperature=True), "setting temperature is a boolean"),
    (lambda h, a: h["settings"].update(max_tokens=2**62), "setting max_tokens is out of range"),
    (lambda h, a: h["settings"].update(grounding="sometimes"), "settings in the articles file cannot be used"),
    (lambda h, a: h["settings"].update(chunk_tokens=1), "settings in the articles file cannot be used"),
    (lambda h, a: h.update(settings=[1]), "settings are a list"),
    (lambda h, a: h.update(schema_version=3), "schema_version is a number"),
    (lambda h, a: a["parts"][0].__setitem__(1, 1e308), "a part is not"),
    (lambda h, a: a["parts"][0].__setitem__(2, 10**9), "a part is not"),
    (lambda h, a: a["parts"][0].__setitem__(0, 5), "a part is not"),
    (lambda h, a: a.update(parts="a-b-0"), "parts are a string"),
    (lambda h, a: a.update(parts=[]), "neither"),
    (lambda h, a: a.update(error={"type": "X", "message": "m", "retryable": True}), "both"),
    (lambda h, a: a.update(id=[1]), "id is a list"),
    (lambda h, a: a.update(id=True), "id is a boolean"),
    (lambda h, a: a.update(input_sha256="abc"), "input_sha256 is not a sha256"),
    (lambda h, a: a.update(input_sha256=None), "must have its input_sha256"),
    (lambda h, a: a.update(text=5), "text is a number"),
    (lambda h, a: a.update(page="p"), "page is a string"),
])
def test_a_malformed_articles_file_is_a_batch_file_error_naming_the_line(two, tmp_path, edit, said):
    requests, good, _ = two
    results = _write(tmp_path / "res.jsonl", [_answer(good)])

    def apply(lines: list[str]) -> None:
        header, article = json.loads(lines[0]), json.loads(lines[1])
        edit(header, article)
        lines[0], lines[1] = json.dumps(header), json.dumps(article)

    _edit_articles(requests, apply)
    with pytest.raises(BatchFileError, match=said):
        batch_ingest(requests, results)


@pytest.mark.parametrize("line, said", [
    ('{"format": "summarizer-batch/1", "settings": {"max_tokens": 1e309}}', "out of range"),
    ("[" * 100_000, "nested deeper than"),
    ("[]", "not the articles file"),
])
def test_an_unreadable_articles_header_is_a_batch_file_error(two, tmp_path, line, said):
    requests, good, _ = two

    def replace(lines: list[str]) -> None:
        lines[0] = line

    _edit_articles(requests, replace)
    with pytest.raises(BatchFileError, match=said):
        batch_ingest(requests, _write(tmp_path / "res.jsonl", [_answer(good)]))


def test_a_custom_id_of_two_articles_is_refused(two, tmp_path):
    requests, good, _ = two

    def twice(lines: list[str]) -> None:
        first, second = json.loads(lines[1]), json.loads(lines[2])
        second["parts"][0][0] = first["parts"][0][0]
        lines[2] = json.dumps(second)

    _edit_articles(requests, twice)
    with pytest.raises(BatchFileError, match="a request of two articles"):
        batch_ingest(requests, _write(tmp_path / "res.jsonl", [_answer(good)]))


# -- fuzzing: whatever the lines, records or a typed error ------------------------------------------------------

_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12)
_JSON = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                                            max_size=3), max_leaves=12)
_FIELDS = ("custom_id", "response", "error", "status_code", "body", "usage", "model", "choices", "prompt_tokens")


@pytest.fixture(scope="module")
def fuzz_batch(tmp_path_factory, seed_text) -> tuple[Path, list[str], Path]:
    folder = tmp_path_factory.mktemp("fuzz")
    requests = batch_prepare([("a", seed_text), ("b", seed_text)], folder / "r.jsonl", model="gpt-4.1-mini",
                             max_tokens=1000, **KEY).requests
    return requests, [line["custom_id"] for line in _lines(requests)], folder


def _mutated(custom_ids: list[str]) -> st.SearchStrategy[Any]:
    """A valid answer with one place in it (the line, its response, its body or usage) set to anything."""

    def build(which: int, where: int, field: str, value: Any) -> dict[str, Any]:
        line = _answer(custom_ids[which % len(custom_ids)])
        body = line["response"]["body"]
        target = [line, line["response"], body, body["usage"], body["choices"][0]][where]
        target[field] = value
        return line

    return st.builds(build, st.integers(0, 3), st.integers(0, 4), st.sampled_from(_FIELDS), _JSON)


def _raw(custom_ids: list[str]) -> st.SearchStrategy[bytes]:
    text = st.sampled_from(["NaN", "-Infinity", "1e309", "9" * 5000, "[" * 3000, "{", '"\\ud800"', "\ufeff{}"])
    return (st.binary(max_size=40) | text.map(str.encode)
            | st.builds(lambda c, tail: f'{{"custom_id": "{c}", "response": {tail}'.encode(), st.sampled_from(custom_ids),
                        text))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                    HealthCheck.too_slow])
@given(data=st.data())
def test_fuzz_results_lines_give_records_or_a_typed_error(fuzz_batch, data):
    requests, custom_ids, folder = fuzz_batch
    line = st.one_of(_JSON, _mutated(custom_ids), _raw(custom_ids), st.sampled_from(custom_ids).map(_answer))
    lines = data.draw(st.lists(line, min_size=1, max_size=4))
    results = _write(folder / "res.jsonl", lines)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # instructor's, and BatchFileWarning for skipped lines
        try:
            records = batch_ingest(requests, results)
        except BatchFileError:
            return
    assert [r.id for r in records] == ["a", "b"]
    for record in records:
        assert (record.summary is None) != (record.error is None)
        if record.error is not None:
            assert isinstance(record.error.type, str) and isinstance(record.error.message, str)
            assert isinstance(record.error.retryable, bool)
        else:
            usage = record.summary.provenance.usage  # type: ignore[union-attr]
            assert 0 <= usage.completion_tokens <= 1000 and usage.prompt_tokens >= 0


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                    HealthCheck.too_slow])
@given(data=st.data())
def test_fuzz_articles_files_give_records_or_a_batch_file_error(fuzz_batch, data):
    requests, custom_ids, folder = fuzz_batch
    original = articles_path(requests).read_text(encoding="utf-8").splitlines()
    header, *articles = (json.loads(line) for line in original)
    which = data.draw(st.integers(0, len(articles)))
    target = header if which == 0 else articles[which - 1]
    place = data.draw(st.sampled_from(["top", "part"] if which else ["top", "settings"]))
    if place == "settings":
        target = target["settings"]
    elif place == "part" and target.get("parts"):
        target = target["parts"][0]
    if isinstance(target, list):
        target[data.draw(st.integers(0, len(target) - 1))] = data.draw(_JSON)
    else:
        key = data.draw(st.sampled_from([*target, "x"]))
        target[key] = data.draw(_JSON)
    copy = folder / "copy.jsonl"
    copy.write_bytes(requests.read_bytes())
    articles_path(copy).write_text("\n".join(json.dumps(v) for v in [header, *articles]) + "\n", encoding="utf-8")
    results = _write(folder / "res.jsonl", [_answer(c) for c in custom_ids])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            records = batch_ingest(copy, results)
        except BatchFileError:
            return
    for record in records:
        assert (record.summary is None) != (record.error is None)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzz_job_files_load_checked_or_are_a_batch_file_error(tmp_path_factory, data):
    valid = {"format": "summarizer-batch-job/1", "requests": "r.jsonl", "requests_sha256": "0" * 64,
             "base_url": None, "input_file_id": "file-1", "batch_id": "batch_1", "status": "in_progress",
             "request_counts": {"total": 2}, "errors": [], "output_file_id": None, "error_file_id": None,
             "downloaded": {}, "collected": None, "submitted_at": None, "checked_at": None}
    key = data.draw(st.sampled_from([*valid, "extra"]))
    content = {**valid, key: data.draw(_JSON)}
    job = tmp_path_factory.mktemp("job") / "job.json"
    job.write_text(json.dumps(content))
    try:
        loaded = Job.load(job)
    except BatchFileError:
        return
    assert isinstance(loaded.requests, str) and isinstance(loaded.status, str) and isinstance(loaded.errors, list)
    for name in ("input_file_id", "batch_id", "output_file_id", "error_file_id"):
        value = getattr(loaded, name)
        assert value is None or (isinstance(value, str) and "/" not in value)


# -- the command: never a raw exception -------------------------------------------------------------------------


def test_batch_ingest_command_on_hostile_files_exits_with_a_message_never_a_traceback(two, tmp_path):
    from typer.testing import CliRunner

    from summarizer.cli import app

    requests, good, bad = two
    inputs = [*(line for line, _ in _hostile(bad).values()), *_typed_before(bad), _answer("someone-else"),
              b"\x00\xff" * 10, "[" * 100_000]
    runner = CliRunner(env={})
    for k, line in enumerate(inputs):
        results = _write(tmp_path / f"res{k}.jsonl", [_answer(good), line])
        result = runner.invoke(app, ["batch", "ingest", str(requests), str(results), "--out", str(tmp_path / f"o{k}.jsonl")])
        assert isinstance(result.exception, SystemExit) and result.exit_code in (0, 1, 2), (k, result.exception)
        assert "Traceback" not in result.stderr and "error" in result.stderr + "done", (k, result.stderr)
