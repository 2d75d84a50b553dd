"""Splitting long articles and merging the summaries of their parts (HAND-WRITTEN summaries)."""

from __future__ import annotations

import copy
import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer import ArticleSummary, Chunk, merge_summaries, split_text
from summarizer.chunking import estimate_tokens

from .doubles.responses import SEED_SUMMARY

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "articles"


def shared(name: str) -> str:
    path = SHARED / name
    if not path.is_file():
        pytest.skip(f"{path} is not available")
    return path.read_text(encoding="utf-8")


def check(text: str, chunks: list[Chunk], max_tokens: int) -> None:
    assert chunks[0].start == 0 and chunks[-1].end == len(text)
    for i, chunk in enumerate(chunks):
        assert chunk.index == i
        assert text[chunk.start : chunk.end] == chunk.text
        assert estimate_tokens(chunk.text) <= max_tokens
    for before, after in itertools.pairwise(chunks):
        assert before.start < after.start <= before.end  # no gap, always progress


def test_estimate_is_characters_over_four():
    assert estimate_tokens("") == 0 and estimate_tokens("abcd") == 1 and estimate_tokens("abcde") == 2


def test_short_text_is_one_chunk_and_empty_text_none():
    assert split_text("One paragraph.", 100) == [Chunk(0, 0, 14, "One paragraph.")]
    assert split_text("", 100) == []


def test_paragraphs_first_then_sentences_then_words():
    paragraphs = ["First paragraph has a few words here." * 2, "Second one is here too." * 2, "Third closes it." * 2]
    text = "\n\n".join(paragraphs)
    chunks = split_text(text, 25, overlap_tokens=0)
    check(text, chunks, 25)
    assert all(c.text.rstrip().endswith(".") for c in chunks)
    assert chunks[1].text.startswith("Second")

    sentences = "Short sentence number one. Another short sentence two. A third sentence here. And a fourth."
    chunks = split_text(sentences, 10, overlap_tokens=0)
    check(sentences, chunks, 10)
    assert all(c.text.rstrip().endswith(".") for c in chunks[:-1])

    monster = " ".join(f"word{i}" for i in range(200))  # one sentence, far over budget
    chunks = split_text(monster, 20, overlap_tokens=0)
    check(monster, chunks, 20)
    assert all(c.text.endswith(" ") for c in chunks[:-1])  # cut between words

    unbroken = "x" * 1000
    check(unbroken, split_text(unbroken, 30, overlap_tokens=5), 30)


def test_overlap_repeats_the_end_of_the_previous_chunk():
    text = " ".join(f"Sentence number {i} says something." for i in range(60))
    chunks = split_text(text, 50, overlap_tokens=10)
    check(text, chunks, 50)
    for before, after in itertools.pairwise(chunks):
        shared_text = text[after.start : before.end]
        assert 0 < len(shared_text) <= 10 * 4
        assert shared_text.startswith("Sentence")  # starts at a sentence, not mid-word


def test_bad_budgets_are_refused():
    with pytest.raises(ValueError):
        split_text("text", 0)
    with pytest.raises(ValueError):
        split_text("text", 10, overlap_tokens=10)


def test_a_real_long_article():
    text = shared("guardian-war-foretold-cia-mi6.txt")
    chunks = split_text(text, 1500)
    check(text, chunks, 1500)
    assert len(chunks) >= 8
    assert all(text[after.start : before.end] for before, after in itertools.pairwise(chunks))  # overlap present


@pytest.mark.parametrize("name", ["skynews-ukraine-live-blog.txt", "economist-reopening-russia.txt"])
@pytest.mark.parametrize("budget", [1, 7, 200])
def test_junk_heavy_pages_split_without_crashing(name, budget):
    text = shared(name)
    check(text, split_text(text, budget, overlap_tokens=0 if budget == 1 else None), budget)


# -- merging ---------------------------------------------------------------------


def part(index: int, **lists) -> tuple[Chunk, ArticleSummary]:
    body = copy.deepcopy(SEED_SUMMARY)
    body.update({"key_claims": [], "figures": [], "actors": [], "peace_talk_conditions": []})
    body["summary"] = f"Summary of part {index}."
    body["headline"] = None if index else "The headline"
    body.update(lists)
    return Chunk(index, index * 10, index * 10 + 10, "x" * 10), ArticleSummary.model_validate(body)


def figure(quote: str, value: float | None, measure: str, **extra) -> dict:
    return {"quote": quote, "text": str(value), "value": value, "low": None, "high": None,
            "qualifier": "exact", "unit": None, "measure": measure, "reported_by": None, **extra}


def actor(name: str, role: str | None = None, affiliation: str | None = None) -> dict:
    return {"quote": name, "name": name, "kind": "person", "role": role, "affiliation": affiliation}


def claim(quote: str, statement: str) -> dict:
    return {"quote": quote, "statement": statement, "speaker": None, "hedged": False}


def test_merge_dedupes_items_found_in_two_chunks_and_keeps_chunk_order():
    parts = [
        part(0,
             figures=[figure("killed 100 people", 100, "people killed"), figure("a", 7, "drones")],
             actors=[actor("Volodymyr Zelensky")],
             key_claims=[claim("Talks will resume.", "Talks will resume next week.")]),
        part(1,
             figures=[figure("100 people were killed", 100, "People  killed."), figure("killed 100 people", 100, "deaths"),
                      figure("b", 9, "tanks")],
             actors=[actor("VOLODYMYR ZELENSKY", role="president", affiliation="Ukraine"), actor("Zelenská")],
             key_claims=[claim("“Talks will resume.”", "x"), claim("other", "Talks will resume next week!"),
                         claim("new", "Sanctions stay in place.")]),
        part(2, actors=[actor("Zelenska")], figures=[figure("b", 9, "tanks")]),
    ]
    merged = merge_summaries(list(reversed(parts)))  # order comes from the chunk index

    assert [f.measure for f in merged.figures] == ["people killed", "drones", "tanks"]
    assert [a.name for a in merged.actors] == ["VOLODYMYR ZELENSKY", "Zelenská"]
    assert merged.actors[0].role == "president"  # the richer record, at the first one's place
    assert [c.quote for c in merged.key_claims] == ["Talks will resume.", "new"]
    assert merged.headline == "The headline"
    assert merged.summary == "Summary of part 0. Summary of part 1. Summary of part 2."
    assert merged.provenance is None


def test_merge_dedupes_conditions_and_respects_the_schema_caps():
    condition = {"quote": "only if Russia withdraws", "set_by": "Zelensky",
                 "condition": "Russia withdraws all troops", "to_be_met_by": "Russia"}
    similar = {**condition, "quote": "if Russian troops leave", "condition": "Russia withdraws all its troops"}
    parts = [
        part(i, figures=[figure(f"q{i}-{j}", i * 100 + j, f"m{j}") for j in range(30)],
             peace_talk_conditions=[condition, similar])
        for i in range(2)
    ]
    merged = merge_summaries(parts)
    assert len(merged.figures) == 40  # the cap of ArticleSummary.figures
    assert len(merged.peace_talk_conditions) == 1
    with pytest.raises(ValueError):
        merge_summaries([])


_ALPHABET = st.sampled_from([*list("ab .!?\n\t"), "\n\n", "é", "”"])


@given(text=st.lists(_ALPHABET, max_size=400).map("".join), max_tokens=st.integers(1, 40), overlap=st.integers(0, 39))
@settings(max_examples=300, deadline=None)
def test_offsets_and_budget_hold_for_any_text(text, max_tokens, overlap):
    overlap = min(overlap, max_tokens - 1)
    chunks = split_text(text, max_tokens, overlap_tokens=overlap)
    if not text:
        assert chunks == []
        return
    check(text, chunks, max_tokens)
