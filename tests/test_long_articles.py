"""Long articles: split, summarized chunk by chunk, merged, and grounded in the whole text.

The loopback server answers with HAND-WRITTEN responses built by a fixed rule from the
chunk it receives (its first sentences become claims, its "N people" sentences become
figures), never by a model, so every quote is really in that chunk.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
from typing import Any

import pytest
from pydantic import BaseModel
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from summarizer import ArticleSummary, Summarizer
from summarizer.chunking import estimate_tokens
from summarizer.grounding.fields import HEDGE_PHRASES, HEDGES

from .conftest import SHARED
from .doubles.responses import completion

_ARTICLE = re.compile(r"<<<ARTICLE (\w+)>>>\n(.*)\n<<<END ARTICLE \1>>>", re.DOTALL)
_SENTENCE = re.compile(r"[^.!?\n]{20,300}[.!?]")
_PEOPLE = re.compile(r"[^.!?\n]*?\b(\d{3,6}) people[^.!?\n]*[.!?]")


def _hedged(sentence: str) -> bool:
    """What a correct model says of a sentence: hedged when it has a hedging word or phrase."""
    return bool(set(re.findall(r"\w+", sentence.lower())) & HEDGES) or HEDGE_PHRASES.search(sentence.lower()) is not None


def hand_written_answer(chunk: str) -> dict[str, Any]:
    """A correct answer for ``chunk``, by rule: its quotes are copied from it."""
    sentences = [s.strip() for s in _SENTENCE.findall(chunk)]
    claims = [{"quote": s, "statement": s, "speaker": None, "hedged": _hedged(s)} for s in sentences[:2]]
    figures = [
        {"quote": m[0].strip(), "text": f"{m[1]} people", "value": int(m[1]), "low": None, "high": None,
         "qualifier": "exact", "unit": "people", "measure": "people", "reported_by": None}
        for m in _PEOPLE.finditer(chunk)
    ]
    return {
        "headline": None,
        "summary": " ".join(sentences[:2]) or chunk.strip()[:200],  # its own sentences: a summary it supports
        "key_claims": claims,
        "figures": figures[:40],
        "actors": [],
        "peace_talk_conditions": [],
    }


class ChunkLLM:
    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.chunks: list[str] = []
        self._lock = threading.Lock()
        server.expect_request("/v1/chat/completions", method="POST").respond_with_handler(self._handle)

    @property
    def base_url(self) -> str:
        return self.server.url_for("/v1")

    def _handle(self, request: Request) -> Response:
        body = json.loads(request.get_data())
        match = _ARTICLE.search(body["messages"][1]["content"])
        assert match is not None
        chunk = match[2]
        with self._lock:
            self.chunks.append(chunk)
        name = body["tools"][0]["function"]["name"]
        arguments = hand_written_answer(chunk) if name == "ArticleSummary" else {"quote": chunk[:40]}
        reply = completion(arguments=arguments, name=name, prompt_tokens=estimate_tokens(chunk), completion_tokens=50)
        return Response(json.dumps(reply), content_type="application/json")


@pytest.fixture
def llm(threaded_server: HTTPServer) -> ChunkLLM:
    return ChunkLLM(threaded_server)


# Our own long text: 60 paragraphs, each with a figure, about 9,000 characters.
LONG = "\n\n".join(
    f"Report {i}. Officials in district {i} said {1000 + i} people had left their homes this week. "
    f"Aid groups in district {i} asked for more tents and water."
    for i in range(60)
)


def make(llm: ChunkLLM, **options: Any) -> Summarizer:
    return Summarizer("test-model", base_url=llm.base_url, **{"chunk_tokens": 500, **options})


def check_spans(result: ArticleSummary, text: str) -> None:
    for item in (*result.key_claims, *result.figures, *result.actors, *result.peace_talk_conditions):
        assert item.span is not None, item
        assert text[item.span.start : item.span.end] == item.quote


def test_a_long_article_is_split_summarized_and_merged(llm):
    result = make(llm).summarize(LONG)
    p = result.provenance
    assert p is not None and p.chunks == len(llm.chunks) > 3
    assert all(chunk in LONG for chunk in llm.chunks)
    assert all(estimate_tokens(chunk) <= 500 for chunk in llm.chunks)
    assert p.attempts == p.chunks and p.usage.prompt_tokens == sum(estimate_tokens(c) for c in llm.chunks)
    # Every figure of the article once, even those in the overlap of two chunks.
    assert sorted(f.value for f in result.figures) == [1000 + i for i in range(40)]  # the schema's cap
    check_spans(result, LONG)
    assert result.grounding is not None and result.grounding.grounded == len(result.key_claims) + len(result.figures)
    # The summary covers every chunk.
    for chunk in llm.chunks:
        first = _SENTENCE.findall(chunk)[0].strip()
        assert first in result.summary


def test_the_async_path_merges_the_same_way(llm):
    async def run() -> ArticleSummary:
        async with make(llm) as s:
            return await s.asummarize(LONG)

    result = asyncio.run(run())
    assert result.provenance is not None and result.provenance.chunks > 3
    check_spans(result, LONG)


def test_a_short_article_is_one_request(llm):
    result = make(llm).summarize(LONG[:1500])
    assert len(llm.chunks) == 1 and result.provenance is not None and result.provenance.chunks == 1


def test_a_users_own_model_is_sent_whole(llm):
    class Opening(BaseModel):
        quote: str

    make(llm, grounding="flag").summarize(LONG, response_model=Opening)
    assert llm.chunks == [LONG]


def test_the_default_budget_follows_the_output_and_context_budgets():
    assert Summarizer("m", base_url="http://127.0.0.1:9/v1").settings.chunk_tokens == 3 * 4096
    assert Summarizer("m", base_url="http://127.0.0.1:9/v1", max_tokens=1000).settings.chunk_tokens == 3000
    assert Summarizer("m", base_url="http://127.0.0.1:9/v1", context_window=8000).settings.chunk_tokens == 8000 - 4096 - 1200
    assert Summarizer("local", evidence="quote").settings.chunk_tokens == 8192 - 2048 - 1200
    # A cited mode sends the sentences numbered (and the numbers listed): a smaller share of the room.
    assert Summarizer("local").settings.evidence == "sentence+numbers"
    assert Summarizer("local").settings.chunk_tokens == int((8192 - 2048 - 1200) * 0.7)


_ARTICLES = sorted((SHARED / "articles").glob("*.txt")) if (SHARED / "articles").is_dir() else []


@pytest.mark.skipif(not _ARTICLES, reason="../shared/articles is absent")
@pytest.mark.parametrize("path", _ARTICLES, ids=lambda p: p.stem)
def test_real_articles_junk_and_all(llm, path):
    # Live blogs and paywalled pages full of navigation and captions must not break anything.
    text = path.read_text(encoding="utf-8")
    result = make(llm, chunk_tokens=2000).summarize(text)
    assert result.provenance is not None and result.provenance.chunks == len(llm.chunks)
    assert result.provenance.chunks == 1 or len(text) > 8000
    check_spans(result, text)
