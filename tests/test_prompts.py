"""Prompts: versioned files, loaded from the package, hashed into provenance."""

from __future__ import annotations

import hashlib

import pytest

from summarizer import ConfigurationError
from summarizer.prompts import DEFAULT_PROMPT_VERSION, load_prompt


def test_prompt_version_and_hash_follow_the_files():
    prompt = load_prompt()
    assert prompt.version == DEFAULT_PROMPT_VERSION
    assert len(prompt.sha256) == 64 and "quote" in prompt.system


def test_messages_are_fresh_lists_with_the_article_between_markers():
    prompt = load_prompt()
    text = "Kyiv — “quoted” {{ x }}"
    digest = hashlib.sha256(text.encode()).hexdigest()
    first, second = prompt.messages(text, digest), prompt.messages(text, digest)
    assert first == second and first is not second and first[1] is not second[1]
    assert f"<<<ARTICLE {digest[:16]}>>>\n{text}\n<<<END ARTICLE {digest[:16]}>>>" in first[1]["content"]


def test_unknown_version_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="not found"):
        load_prompt("summarize-v999")
