"""Shared fixtures: the seed, a loopback fake for hand-written responses, and vcr settings.

Cassettes are replayed with pytest-recording's default ``record_mode=none``: a test
whose request is not in its cassette fails instead of reaching a network. To record
them again from a real llama.cpp server (started on 127.0.0.1 by the fixture
``llama_base_url``), run::

    pytest tests/transport/test_cassettes.py --record-mode=rewrite
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from .doubles.leaks import _leak_catcher, _no_key_in_logs_or_files  # noqa: F401 - fixtures: no key in any log or file

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "ap-2022-11-milley-ukraine-casualties-peace-talks.txt"
SHARED = ROOT.parent / "shared"

# The alias llama-cpp-python's server gives the bundled GGUF (its file stem).
LOCAL_ALIAS = "gemma-3-270m-q4_k_m"
_SECRET_HEADERS = ["authorization", "api-key", "x-api-key", "openai-organization", "openai-project", "cookie"]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may pick up a developer's real key or endpoint."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "SUMMARIZER_MODEL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


# -- vcr ---------------------------------------------------------------------


def _json_body(r1: Any, r2: Any) -> None:
    def parse(body: Any) -> Any:
        if isinstance(body, bytes):
            body = body.decode("utf-8")
        return json.loads(body) if body else None

    assert parse(r1.body) == parse(r2.body), "request body differs from the recorded one"


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() in ("set-cookie", "openai-organization", "openai-project"):
            del headers[name]
    return response


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    vcr.register_matcher("json_body", _json_body)


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    return {
        "filter_headers": _SECRET_HEADERS,
        "match_on": ["method", "path", "json_body"],
        "before_record_response": _scrub_response,
        "decode_compressed_response": True,
    }


@pytest.fixture(scope="session")
def llama_base_url(request: pytest.FixtureRequest) -> str:
    """Where cassettes are recorded from (``SUMMARIZER_RECORD_URL``: a llama-cpp-python server); never contacted
    when replaying."""
    if request.config.getoption("--record-mode") in (None, "none"):
        return "http://127.0.0.1:9/v1"
    url = os.environ.get("SUMMARIZER_RECORD_URL")
    if not url:
        pytest.exit("recording needs SUMMARIZER_RECORD_URL: a llama-cpp-python server running Gemma 3 270M")
    return url


# -- a loopback OpenAI-compatible fake serving HAND-WRITTEN responses ------------


class FakeLLM:
    """Answers chat completions from a queue of hand-written replies, and keeps every request."""

    path = "/v1/chat/completions"

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.replies: list[Response] = []
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        server.expect_request(self.path, method="POST").respond_with_handler(self._handle)

    @property
    def base_url(self) -> str:
        return self.server.url_for("/v1")

    def reply(self, body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> FakeLLM:
        self.replies.append(
            Response(json.dumps(body), status=status, headers=headers or {}, content_type="application/json")
        )
        return self

    def _handle(self, request: Request) -> Response:
        self.requests.append(json.loads(request.get_data()))
        self.headers.append(dict(request.headers))
        if not self.replies:
            return Response('{"error": {"message": "no reply queued"}}', status=418)
        return self.replies.pop(0)


@pytest.fixture
def fake_llm(httpserver: HTTPServer) -> Iterator[FakeLLM]:
    yield FakeLLM(httpserver)


@pytest.fixture
def threaded_server() -> Iterator[HTTPServer]:
    """A loopback server that answers many requests at once (``httpserver`` takes one at a time)."""
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    try:
        yield server
    finally:
        server.clear()
        server.stop()
