"""No key or authorization header is stored in any cassette or shown by the library."""

from __future__ import annotations

import logging

import pytest

from summarizer import Summarizer

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
    # Known, documented, and the reason for the warning: the HTTP stack logs request URLs whole.
    assert _leak_catcher.found and {line.split()[0] for line in _leak_catcher.found} <= {
        "openai._base_client", "httpx", "httpx2"}
    _leak_catcher.found.clear()


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
