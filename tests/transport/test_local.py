"""The real embedded model, end to end: llama.cpp's server on 127.0.0.1 with a key of its own, no cassette.

About two minutes on two cores. It checks what the library guarantees (the schema, the
list cap, grounding, provenance, the server's life), never the small model's wording,
and no clock: the request time-out is the local default, 900 s a read.
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
    pytest.mark.skipif(importlib.util.find_spec("xllamacpp") is None, reason='needs pip install ".[local]"'),
]


def test_embedded_model_summarizes_the_seed(seed_text):
    with Summarizer("local") as s, pytest.warns(LocalModelWarning, match="small model"):
        result = s.summarize(seed_text)
    assert isinstance(result, ArticleSummary)
    p = result.provenance
    assert p is not None and p.backend == "local" and p.endpoint.startswith("127.0.0.1:")
    assert p.model == "qwen2.5-coder-1.5b" and p.mode == "json_schema_mode" and p.evidence == "sentence+numbers"
    assert p.usage.prompt_tokens > 0 and p.usage.completion_tokens > 0 and p.attempts >= 1
    for items in (result.key_claims, result.figures, result.actors, result.peace_talk_conditions):
        assert len(items) <= 3
    check_grounded(result, seed_text)  # only items whose spans hold their quotes are left


def test_a_broken_gguf_fails_with_the_server_log(tmp_path):
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"this is not a GGUF file")
    with pytest.raises(ProviderUnavailableError, match="exited with code 1") as caught:
        Summarizer(f"local:{broken}").summarize("Kyiv, Ukraine. Officials said talks would resume.")
    assert "could not load" in str(caught.value)  # the server's own words


def test_the_server_is_stopped_with_its_standard_input(seed_text):
    from summarizer.transport.local import local_server

    server = local_server("local:qwen2.5-coder-1.5b")
    assert server.base_url.startswith("http://127.0.0.1:")
    server.stop()
    assert server.process.poll() is not None  # gone, not left running


def test_the_server_answers_only_its_key_and_lets_no_web_page_read_it():
    import urllib.error
    import urllib.request

    from summarizer.transport.local import local_server

    server = local_server("local:qwen2.5-coder-1.5b")
    root = server.base_url.removesuffix("/v1")

    def ask(method: str, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
        request = urllib.request.Request(root + path, method=method, headers={"Origin": "http://evil.example", **headers})
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                return answer.status, dict(answer.headers)
        except urllib.error.HTTPError as refused:
            return refused.code, dict(refused.headers)

    status, headers = ask("GET", "/v1/models", {})
    assert status == 401  # no key, no model
    status, headers = ask("GET", "/v1/models", {"Authorization": f"Bearer {server.api_key}"})
    assert status == 200 and headers.get("Access-Control-Allow-Origin") != "http://evil.example"
    status, headers = ask("OPTIONS", "/v1/chat/completions", {"Access-Control-Request-Method": "POST"})
    assert headers.get("Access-Control-Allow-Origin") not in ("http://evil.example", "*")  # the preflight fails
    assert headers.get("Access-Control-Allow-Credentials") != "true"
    assert server.api_key not in " ".join(map(str, server.process.args))
