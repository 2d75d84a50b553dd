"""The real embedded model, end to end: llama.cpp server on 127.0.0.1, no key, no cassette.

Slow (about two to three minutes on two cores). It checks what the library guarantees,
never the tiny model's wording.
"""

from __future__ import annotations

import importlib.util

import pytest

from summarizer import (
    ArticleSummary,
    LocalModelWarning,
    ProviderUnavailableError,
    Summarizer,
)

from ..doubles.checks import check_grounded

pytestmark = [
    pytest.mark.local_model,
    pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None, reason='needs pip install ".[local]"'),
]


def test_embedded_model_summarizes_the_seed(seed_text):
    with Summarizer("local") as s, pytest.warns(LocalModelWarning, match="tiny base model"):
        result = s.summarize(seed_text)
    assert isinstance(result, ArticleSummary)
    p = result.provenance
    assert p is not None and p.backend == "local" and p.endpoint.startswith("127.0.0.1:")
    assert p.model == "gemma-3-270m-q4_k_m" and p.mode == "tool_call"
    assert p.usage.prompt_tokens > 0 and p.usage.completion_tokens > 0 and p.attempts >= 1
    for items in (result.key_claims, result.figures, result.actors, result.peace_talk_conditions):
        assert len(items) <= 3
    check_grounded(result, seed_text)  # only items whose spans hold their quotes are left


def test_a_broken_gguf_fails_with_the_server_log(tmp_path):
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"this is not a GGUF file")
    with pytest.raises(ProviderUnavailableError, match="exited"):
        Summarizer(f"local:{broken}").summarize("Kyiv, Ukraine. Officials said talks would resume.")
