"""Prompts: versioned files, loaded from the package, hashed into provenance."""

from __future__ import annotations

import hashlib

import pytest

from summarizer import ConfigurationError
from summarizer.prompts import DEFAULT_PROMPT_VERSION, PROMPTS, load_prompt


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


@pytest.mark.parametrize("evidence", list(PROMPTS))
def test_each_evidence_mode_has_a_prompt_that_fits_it(evidence):
    prompt = load_prompt(PROMPTS[evidence])
    prompt.check_evidence(evidence)
    for other in PROMPTS:
        if other != evidence:
            with pytest.raises(ConfigurationError, match="does not fit"):
                prompt.check_evidence(other)


def test_a_cited_prompt_shows_the_numbered_article_and_the_numbers_not_the_raw_text():
    from summarizer.grounding.cite import citable

    text = "Title line\n\nGen. Smith said 40 died. He left.\n"
    digest = hashlib.sha256(text.encode()).hexdigest()
    view = citable(text, numbers=True)
    user = load_prompt("cite-numbers-v2").messages(text, digest, **view.prompt_values())[1]["content"]
    assert "[1] Title line\n\n[2] Gen. Smith said 40 died. [3] He left." in user
    assert "N1 in [2]: 40" in user and "$" not in user
