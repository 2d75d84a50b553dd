"""No key or authorization header is stored in any cassette or shown by the library."""

from __future__ import annotations

import logging

import pytest

from summarizer import ProviderUnavailableError, Summarizer

from .conftest import ROOT
from .doubles.leaks import KEY_LIKE  # a key, a bearer token or an authorization header
from .doubles.responses import SEED_SUMMARY, completion


def test_cassettes_hold_no_secrets():
    cassettes = sorted((ROOT / "tests").glob("**/cassettes/**/*.yaml"))
    assert cassettes, "the recorded cassettes are missing"
    for path in cassettes:
        text = path.read_text(encoding="utf-8")
        assert not KEY_LIKE.search(text), f"{path.name} holds something like a key or an authorization header"


def test_the_key_never_reaches_logs(fake_llm, seed_text, caplog):
    key = "sk-log-check-0123456"
    fake_llm.reply({"error": {"message": f"Incorrect API key provided: {key}"}}, status=401)
    fake_llm.reply(completion(arguments=SEED_SUMMARY))
    caplog.set_level(logging.DEBUG)
    s = Summarizer("m", base_url=fake_llm.base_url, api_key=key)
    with pytest.raises(Exception) as caught:
        s.summarize(seed_text)
    assert key not in str(caught.value) and key not in repr(caught.value)
    s.summarize(seed_text)
    assert key not in caplog.text


# -- every fault, every place a key could surface ------------------------------------------------

SECRET = "sk-secret-check-012345"


def test_the_guard_around_every_test_catches_keys_in_logs(_leak_catcher):
    """The session-wide guard (tests/doubles/leaks.py) is live, watches DEBUG, and would fail a test."""
    from .doubles.leaks import LeakCatcher, leak_in

    for text in (f"key {SECRET}", "Authorization: Bearer abcdefgh12345678", "{'authorization': 'x'}",
                 "headers={'Authorization': 'Bearer tok_abcdefghij'}"):
        assert leak_in(text), text
    for text in ("sk-proj-****abcd", "the key is [redacted]", "Bearer of bad news"):
        assert leak_in(text) is None, text

    logging.getLogger("openai").debug("request with %s", SECRET)  # at DEBUG, from a library logger
    try:
        raise RuntimeError(f"echoed {SECRET}")
    except RuntimeError:
        logging.getLogger("httpx").debug("failed", exc_info=True)  # in a traceback only
    assert len(_leak_catcher.found) == 2
    _leak_catcher.found.clear()  # caught on purpose: let this test pass

    standalone = LeakCatcher()
    standalone.handle(logging.makeLogRecord({"name": "x", "msg": "Bearer abcdefgh12345678"}))
    assert standalone.found


def test_the_guard_sees_the_library_and_its_http_stack(_leak_catcher, fake_llm, seed_text):
    fake_llm.reply(completion(arguments=SEED_SUMMARY))
    before = _leak_catcher.records
    Summarizer("m", base_url=fake_llm.base_url, api_key=SECRET).summarize(seed_text)
    assert _leak_catcher.records > before
    names = _leak_catcher.loggers
    assert "openai._base_client" in names and any(n.startswith(("httpx", "httpcore")) for n in names), names
    assert any(n.startswith("instructor") for n in names), names  # DEBUG records of every layer are searched


@pytest.mark.parametrize("fault", ["401", "400", "404", "context", "429", "503", "hang", "drop", "garbage",
                                   "length", "refusal", "malformed"])
def test_no_fault_shows_the_key_in_errors_reprs_outputs_or_cache(fault, seed_text, tmp_path):
    import dataclasses

    from summarizer import SummarizerError, summarize_many

    from .doubles.faults import FaultServer

    with FaultServer(script=[fault] * 4, hang=1.0) as fs:
        s = Summarizer("m", base_url=fs.base_url, api_key=SECRET, timeout=0.3, max_retries=1, max_reasks=1,
                       retry_max_wait=0.01)
        with pytest.raises(SummarizerError) as caught:
            s.summarize(seed_text)
        shown = [repr(s), repr(s._target)]
        chain, seen = [caught.value], set()
        while chain:  # the error, and every exception chained to it, with any HTTP body it keeps
            e = chain.pop()
            if e is None or id(e) in seen:
                continue
            seen.add(id(e))
            shown += [str(e), repr(e), repr(vars(e)), repr(getattr(e, "body", None))]
            chain += [e.__cause__, e.__context__]
        for text in shown:
            assert SECRET not in text and not KEY_LIKE.search(text), text
        assert all(seen.authorization == f"Bearer {SECRET}" for seen in fs.seen)  # only ever a header

        fs.script = [fault] * 4
        out = tmp_path / "run.jsonl"
        [result] = summarize_many([seed_text], summarizer=s, output=out, cache=tmp_path / "cache", progress=False)
        assert not result.ok and SECRET not in repr(dataclasses.asdict(result.error))
    # The output file and the cache are scanned by the guard at teardown; checked here as well.
    for path in [out, *(tmp_path / "cache").rglob("*")]:
        assert SECRET.encode() not in path.read_bytes()


def test_provenance_and_results_hold_no_key(fake_llm, seed_text, tmp_path):
    from summarizer import summarize_many

    fake_llm.reply(completion(arguments=SEED_SUMMARY))
    s = Summarizer("m", base_url=fake_llm.base_url, api_key=SECRET)
    [result] = summarize_many([seed_text], summarizer=s, output=tmp_path / "run.jsonl", cache=False, progress=False)
    for text in (repr(result), result.summary.model_dump_json(), repr(result.summary.provenance), repr(s)):
        assert SECRET not in text and not KEY_LIKE.search(text)


def test_credentials_in_the_base_url_are_never_shown_by_the_library(_leak_catcher, seed_text):
    from summarizer import ProviderUnavailableError

    from .doubles.faults import FaultServer

    with FaultServer(script=["503"] * 2) as fs:
        url = fs.base_url.replace("http://", f"http://user:{SECRET}@")
        with pytest.warns(UserWarning, match="pass the key as api_key="):
            s = Summarizer("m", base_url=url, api_key="sk-other-0123456789ab", max_retries=1,
                           retry_max_wait=0.01)
        with pytest.raises(ProviderUnavailableError) as caught:
            s.summarize(seed_text)
    assert SECRET not in str(caught.value) and SECRET not in repr(s)
    # The HTTP stack logs request URLs whole; during a call its records are redacted (transport/logs.py), which
    # takes out a key-shaped password like this one. Another password stays: the reason for the warning.
    assert not _leak_catcher.found


# -- a server that quotes the key back, whole or masked (HAND-WRITTEN responses) -------------------

ODD_KEY = "Zq9xK3mP7vR2wT5yB8nL4cF6hJ1dS0aG"  # not shaped like sk-...: caught because it is the configured key


@pytest.mark.parametrize(
    "echo",
    [f"Authorization: Bearer {ODD_KEY}", f"your key {ODD_KEY} is not allowed", f"key {ODD_KEY[:4]}****{ODD_KEY[-4:]}",
     f"key ...{ODD_KEY[-4:]} expired", f"{ODD_KEY[:6]}…{ODD_KEY[-4:]}"],
    ids=["header", "whole", "masked", "tail", "ellipsis"],
)
def test_a_refusal_quoting_the_key_never_carries_it(fake_llm, seed_text, caplog, echo):
    from summarizer import RefusalError

    fake_llm.reply(completion(refusal=f"I will not help. You sent {echo}."))
    caplog.set_level(logging.DEBUG)
    with pytest.raises(RefusalError) as caught:
        Summarizer("m", base_url=fake_llm.base_url, api_key=ODD_KEY).summarize(seed_text)
    err = caught.value
    shown = " ".join(str(x) for x in (err, repr(err), err.refusal, err.raw_output, caplog.text))
    assert ODD_KEY not in shown and ODD_KEY[-4:] not in shown and "[redacted]" in str(err)


def test_instructors_and_openais_own_log_lines_are_redacted_while_the_library_runs(fake_llm, seed_text, caplog):
    # HAND-WRITTEN answers: the first fails the schema with the key inside the failing value (a hostile
    # server echoing the request), which instructor logs with its error; the second is valid.
    bad = {**SEED_SUMMARY, "key_claims": f"Authorization: Bearer {SECRET}"}
    fake_llm.reply(completion(arguments=bad))
    fake_llm.reply(completion(arguments=SEED_SUMMARY))
    caplog.set_level(logging.DEBUG)
    Summarizer("m", base_url=fake_llm.base_url, api_key=SECRET, grounding="drop").summarize(seed_text)
    from_instructor = [r for r in caplog.records if r.name.startswith("instructor")]
    assert any("[redacted]" in r.getMessage() for r in from_instructor)  # instructor did log the bad answer
    assert SECRET not in caplog.text and not any(SECRET in r.getMessage() for r in from_instructor)

    logging.getLogger("instructor").warning("outside a call: %s", "left as it is")
    assert caplog.records[-1].getMessage() == "outside a call: left as it is"


def test_a_valid_answer_echoing_the_key_is_returned_without_it(fake_llm, seed_text):
    # HAND-WRITTEN answer from a hostile server: valid, with the key (which it received as the
    # Authorization header) inside the summary, masked inside a claim, and a long token that is not the key.
    claims = [{**SEED_SUMMARY["key_claims"][0], "statement": f"Sent with {SECRET[:4]}****{SECRET[-4:]} as the key."}]
    answer = {**SEED_SUMMARY, "summary": f"The key is {SECRET}.", "key_claims": claims}
    fake_llm.reply(completion(arguments=answer))
    result = Summarizer("m", base_url=fake_llm.base_url, api_key=SECRET, grounding="flag").summarize(seed_text)
    dumped = result.model_dump_json()
    assert SECRET not in dumped and f"{SECRET[:4]}****" not in dumped
    assert result.summary == "The key is [redacted]."
    assert result.key_claims[0].statement == "Sent with [redacted] as the key."


def test_a_short_placeholder_key_is_not_stripped_from_answers(fake_llm, seed_text):
    answer = {**SEED_SUMMARY, "summary": "Officials in the local council said so."}
    fake_llm.reply(completion(arguments=answer))
    # grounding="flag": the sentence is not the article's (its check fails), but it is kept, key-like word and all
    result = Summarizer("m", base_url=fake_llm.base_url, api_key="local", grounding="flag").summarize(seed_text)
    assert result.summary == "Officials in the local council said so."


# -- batch paths: every text from outside passes the one redact (issue 23) ------------------------------

_LOCATIONS = {
    "path": f"https://elsewhere.example/v1/{SECRET}/chat/completions",
    "query": f"https://elsewhere.example/v1/chat/completions?api_key={SECRET}",
    "userinfo": f"https://user:{SECRET}@elsewhere.example/v1",
    "relative": f"/v1/keys/{ODD_KEY}?k={ODD_KEY}",
}


def _none_of(secret: str, text: str) -> bool:
    """Not the key, nor a long piece of it (its first or last twelve characters)."""
    return all(piece not in text for piece in (secret, secret[:12], secret[-12:]))


@pytest.mark.parametrize("where", list(_LOCATIONS))
def test_a_redirect_carrying_the_key_shows_none_of_it_in_the_error_or_the_debug_logs(fake_llm, seed_text, caplog, where):
    from summarizer import ProviderError

    key = ODD_KEY if where == "relative" else SECRET
    fake_llm.reply({}, status=302, headers={"Location": _LOCATIONS[where]})
    caplog.set_level(logging.DEBUG)  # openai, httpx and httpcore log the response's headers at DEBUG
    with pytest.raises(ProviderError, match="redirect") as caught:
        Summarizer("m", base_url=fake_llm.base_url, api_key=key, max_retries=0).summarize(seed_text)
    assert _none_of(key, str(caught.value)) and _none_of(key, caplog.text)
    assert any("[redacted]" in r.getMessage() for r in caplog.records if r.name.startswith("httpcore"))


def test_a_redirect_carrying_the_key_in_a_batch_job_shows_none_of_it(httpserver, seed_text, tmp_path, caplog, monkeypatch):
    from summarizer import ProviderError, batch_prepare, batch_status, batch_submit

    from .doubles.batch_api import BatchAPI

    api = BatchAPI(httpserver, lambda body: completion(arguments=SEED_SUMMARY))
    requests = batch_prepare([("a", seed_text)], tmp_path / "r.jsonl", model="m", base_url=api.base_url,
                             api_key="placeholder-secrets").requests
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)  # what the job's requests are sent with
    batch_submit(requests, tmp_path / "job.json")
    api.redirect = _LOCATIONS["path"] + f"?key={SECRET}"
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ProviderError, match="redirect") as caught:
        batch_status(tmp_path / "job.json")
    assert _none_of(SECRET, str(caught.value)) and _none_of(SECRET, caplog.text)
    assert "[redacted]" in caplog.text


def test_batch_ingest_redacts_what_error_lines_say_in_the_records_and_on_stderr(seed_text, tmp_path):
    import json

    from typer.testing import CliRunner

    from summarizer import batch_prepare
    from summarizer.cli import app

    requests = batch_prepare([(n, seed_text) for n in "abc"], tmp_path / "r.jsonl", model="gpt-4.1-mini",
                             api_key="placeholder-secrets").requests
    ids = [json.loads(line)["custom_id"] for line in requests.read_text().splitlines()]
    masked = "sk-proj-" + "*" * 40 + "wxyz"  # OpenAI's 401 shows a key masked like this
    lines = [  # HAND-WRITTEN error lines, as a provider (or a proxy echoing headers) would write them
        {"custom_id": ids[0], "error": None, "response": {"status_code": 401, "body": {"error": {
            "message": f"Incorrect API key provided: {masked}. You can find your API key at https://platform.openai.com.",
            "code": "invalid_api_key"}}}},
        {"custom_id": ids[1], "response": None, "error": {"message": f"the key {ODD_KEY} is not allowed", "code": ODD_KEY}},
        {"custom_id": ids[2], "response": {"status_code": 500, "body": {"error": {
            "message": f"echo: Bearer {ODD_KEY[:4]}****{ODD_KEY[-4:]}"}}}},
    ]
    results = tmp_path / "res.jsonl"
    results.write_text("".join(json.dumps(line) + "\n" for line in lines))
    out = tmp_path / "records.jsonl"

    ran = CliRunner(env={"OPENAI_API_KEY": ODD_KEY}).invoke(app, ["batch", "ingest", str(requests), str(results),
                                                                 "--out", str(out)])

    assert ran.exit_code == 1, ran.output
    written = out.read_text()
    for text in (written, ran.stderr):
        assert ODD_KEY not in text and ODD_KEY[-4:] not in text and "wxyz" not in text, text
        assert text.count("[redacted]") >= 3
    assert "AuthenticationError" in written and "Incorrect API key provided" in written  # the reason is kept


def test_a_failed_batchs_reasons_are_redacted_in_the_job_file_and_by_batch_status(httpserver, seed_text, tmp_path):
    from typer.testing import CliRunner

    from summarizer import batch_prepare
    from summarizer.cli import app

    from .doubles.batch_api import BatchAPI

    api = BatchAPI(httpserver, lambda body: completion(arguments=SEED_SUMMARY))
    api.scenario, api.polls_before_end = "failed", 0
    api.failed_message = f"hand-written: the line sent key {ODD_KEY} (sk-proj-****{ODD_KEY[-4:]})"
    requests = batch_prepare([("a", seed_text)], tmp_path / "r.jsonl", model="m", base_url=api.base_url,
                             api_key="placeholder-secrets").requests
    runner = CliRunner(env={"OPENAI_API_KEY": ODD_KEY})
    job = tmp_path / "job.json"
    assert runner.invoke(app, ["batch", "submit", str(requests), "--job", str(job)]).exit_code == 0

    status = runner.invoke(app, ["batch", "status", "--job", str(job)])
    collected = runner.invoke(app, ["batch", "collect", "--job", str(job), "--out", str(tmp_path / "rec.jsonl")])

    assert status.exit_code == 0 and "failed" in status.stdout and "[redacted]" in status.stderr
    for text in (status.stdout + status.stderr, job.read_text(), collected.stderr, (tmp_path / "rec.jsonl").read_text()):
        assert ODD_KEY not in text and ODD_KEY[-4:] not in text, text


def test_a_batch_answer_that_is_not_a_completion_shows_no_piece_of_the_key(seed_text, tmp_path, monkeypatch):
    """The start of such an answer is shown: it is redacted before it is cut, so a cut never keeps half a key."""
    import json

    from summarizer import batch_ingest, batch_prepare

    requests = batch_prepare([("a", seed_text)], tmp_path / "r.jsonl", model="gpt-4.1-mini",
                             api_key="placeholder-secrets").requests
    custom_id = json.loads(requests.read_text().splitlines()[0])["custom_id"]
    body = {"model": "m", "pad": "", "k": ODD_KEY}  # HAND-WRITTEN: no choices, the key the server received
    body["pad"] = "x" * (74 - len(str(body).split(ODD_KEY)[0]))  # the key starts six characters before the cut
    results = tmp_path / "res.jsonl"
    results.write_text(json.dumps({"custom_id": custom_id, "response": {"status_code": 200, "body": body}}) + "\n")

    monkeypatch.setenv("OPENAI_API_KEY", ODD_KEY)  # the key ingest is configured with
    [record] = batch_ingest(requests, results)

    assert record.error is not None and "not a chat completion" in record.error.message
    assert ODD_KEY[:6] not in record.error.message and "[redac" in record.error.message


def test_a_live_answer_that_is_not_a_completion_shows_no_piece_of_the_key(fake_llm, seed_text):
    """The live twin of the batch case: a gateway page echoing the key right where the message is cut."""
    from werkzeug import Response

    page = "<html>" + "x" * 68 + ODD_KEY + "</html>"  # HAND-WRITTEN: the key starts six characters before the cut
    fake_llm.replies.append(Response(page, content_type="text/html"))
    with pytest.raises(ProviderUnavailableError) as caught:
        Summarizer("m", base_url=fake_llm.base_url, api_key=ODD_KEY, max_retries=0).summarize(seed_text)
    assert "not a chat completion" in str(caught.value)
    assert ODD_KEY[:6] not in str(caught.value) and "[redac" in str(caught.value)


@pytest.mark.parametrize("echo", [
    "your key placeholder-h4-key-0 was wrong",  # a prefix, cut short by the server
    "...key-0123456789 is not valid",  # a suffix
    "the middle der-h4-key-0123 of it",
])
def test_a_piece_of_the_configured_key_is_taken_out_too(echo):
    from summarizer.transport.redact import redact

    key = "placeholder-h4-key-0123456789"  # not key-shaped: caught because it is the configured key
    shown = redact(echo, key)
    assert "[redacted]" in shown
    assert not any(key[i:i + 10] in shown for i in range(len(key) - 9))
    assert redact("a place holder-h4 in the text", key) == "a place holder-h4 in the text"  # under ten in a row stays
