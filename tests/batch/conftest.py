"""Fixtures of the batch tests: the threaded loopback server, and never the developer's real cache."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from ..doubles.loopback import BatchLLM


@pytest.fixture
def llm(threaded_server: HTTPServer) -> BatchLLM:
    """Many requests at once, each answered with the HAND-WRITTEN seed summary (see doubles/loopback.py)."""
    return BatchLLM(threaded_server)


@pytest.fixture(autouse=True)
def _cache_dir(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path / "cache"))
