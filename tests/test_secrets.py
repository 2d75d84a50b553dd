"""No key or authorization header is stored in any cassette or shown by the library."""

from __future__ import annotations

import logging
import re

import pytest

from summarizer import Summarizer

from ._responses import SEED_SUMMARY, completion
from .conftest import ROOT

KEY_LIKE = re.compile(r"sk-[A-Za-z0-9_-]{16,}|bearer\s+\S{8,}|^\s*authorization:", re.IGNORECASE | re.MULTILINE)


def test_cassettes_hold_no_secrets():
    cassettes = sorted((ROOT / "tests" / "cassettes").rglob("*.yaml"))
    assert cassettes, "the recorded cassettes are missing"
    for path in cassettes:
        text = path.read_text(encoding="utf-8")
        assert not KEY_LIKE.search(text), f"{path.name} holds something like a key or an authorization header"


def test_the_key_never_reaches_logs(fake_llm, seed_text, caplog):
    key = "sk-log-check-0123456789abcdef"
    fake_llm.reply({"error": {"message": f"Incorrect API key provided: {key}"}}, status=401)
    fake_llm.reply(completion(arguments=SEED_SUMMARY))
    caplog.set_level(logging.DEBUG)
    s = Summarizer("m", base_url=fake_llm.base_url, api_key=key)
    with pytest.raises(Exception) as caught:
        s.summarize(seed_text)
    assert key not in str(caught.value) and key not in repr(caught.value)
    s.summarize(seed_text)
    assert key not in caplog.text
