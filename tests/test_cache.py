"""The on-disk cache and its key; summaries here are HAND-WRITTEN (tests/doubles/responses.py)."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from pydantic import BaseModel

from summarizer import (
    ArticleSummary,
    Cache,
    Provenance,
    Summarizer,
    Usage,
    provenance_of,
)
from summarizer.cache import default_cache_dir

from .doubles.responses import SEED_SUMMARY

ROOT = Path(__file__).resolve().parent.parent
TEXT = "Officials said talks would resume in Geneva."


def provenance(**changes) -> Provenance:
    return Provenance(
        model="test-model", endpoint="127.0.0.1:1", backend="openai-compatible", mode="tools",
        prompt_version="summarize-v1", prompt_sha256="0" * 64, schema_version="article-summary/1",
        input_sha256="1" * 64, usage=Usage(prompt_tokens=10, completion_tokens=5, total_tokens=15),
        attempts=1, transient_retries=0, latency_s=0.5, created_at=datetime.now(timezone.utc),
        library_version="0", **changes,
    )


def summary() -> ArticleSummary:
    result = ArticleSummary.model_validate(SEED_SUMMARY)
    result.provenance = provenance()
    return result


def key(**options) -> str:
    return Summarizer("test-model", base_url="http://127.0.0.1:9/v1", **options).cache_key(TEXT)


def test_key_is_stable_and_follows_every_setting_that_changes_the_answer():
    base = key()
    assert base == key() and len(base) == 64
    assert Summarizer("test-model", base_url="http://127.0.0.1:9/v1").cache_key(TEXT + " ") != base
    assert Summarizer("other-model", base_url="http://127.0.0.1:9/v1").cache_key(TEXT) != base
    assert Summarizer("test-model", base_url="http://10.0.0.1:9/v1").cache_key(TEXT) != base
    assert Summarizer("test-model", base_url="http://127.0.0.1:9/other/v1").cache_key(TEXT) == base  # host only
    for options in ({"temperature": 0.7}, {"temperature": None}, {"max_tokens": 100}, {"seed": 1},
                    {"max_items": 3}, {"mode": "json"}, {"grounding": "flag"}, {"max_reasks": 0}):
        assert key(**options) != base, options  # re-asks and the grounding policy decide what is kept
    assert key(max_retries=0, timeout=5, retry_max_wait=1) == base  # transport retries do not change the answer


def test_key_follows_the_grounding_rules(monkeypatch):
    import summarizer.core

    base = key()
    monkeypatch.setattr(summarizer.core, "GROUNDING_VERSION", "truth/0")
    assert key() != base  # a result grounded by other rules is never served from the cache


def test_key_follows_the_prompt_and_the_response_model():
    summ = Summarizer("test-model", base_url="http://127.0.0.1:9/v1")
    base = summ.cache_key(TEXT)
    prompt = summ._prompt
    summ._prompt = dataclasses.replace(prompt, sha256="f" * 64)
    assert summ.cache_key(TEXT) != base
    summ._prompt = dataclasses.replace(prompt, version="summarize-v2")
    assert summ.cache_key(TEXT) != base
    summ._prompt = prompt

    class Casualties(BaseModel):
        killed: int

    assert summ.cache_key(TEXT, Casualties) != base
    assert summ.cache_key(TEXT, ArticleSummary) == base


def test_round_trip_marks_provenance_as_cached(tmp_path):
    with Cache(tmp_path) as cache:
        cache.put("k", summary())
        got = cache.get("k", ArticleSummary)
        assert got is not None and got.provenance is not None
        assert got.provenance.cached is True and got.provenance.usage.total_tokens == 15
        assert got.model_dump(exclude={"provenance"}) == summary().model_dump(exclude={"provenance"})
        assert cache.get("missing", ArticleSummary) is None
        assert len(cache) == 1


def test_a_users_own_model_keeps_its_provenance_and_grounding(tmp_path):
    from summarizer.grounding import ground, grounding_of

    class Casualties(BaseModel):
        quote: str
        killed: int

    result = Casualties(quote="Officials said", killed=3)
    object.__setattr__(result, "_summarizer_provenance", provenance())
    object.__setattr__(result, "_summarizer_grounding", ground(result, TEXT))
    with Cache(tmp_path) as cache:
        cache.put("k", result)
        got = cache.get("k", Casualties)
    assert got == result and provenance_of(got).cached is True  # type: ignore[union-attr]
    report = grounding_of(got)
    assert report is not None and report.exact == 1


def test_an_article_summary_keeps_its_spans_and_report(tmp_path):
    from summarizer.grounding import ground

    from .conftest import SEED

    result = summary()
    result.grounding = ground(result, SEED.read_text(encoding="utf-8"))
    with Cache(tmp_path) as cache:
        cache.put("k", result)
        got = cache.get("k", ArticleSummary)
    assert got is not None and got.grounding == result.grounding
    assert [f.span for f in got.figures] == [f.span for f in result.figures] != [None]


def test_a_corrupt_or_outdated_row_is_a_miss(tmp_path):
    with Cache(tmp_path) as cache:
        cache.put("k", summary())
        cache._db.execute("UPDATE summaries SET result = '{\"headline\": trunc' WHERE key = 'k'")
        assert cache.get("k", ArticleSummary) is None
        cache.put("k", summary())  # replaced by the next answer
        assert cache.get("k", ArticleSummary) is not None

        class Other(BaseModel):
            required_field: int

        assert cache.get("k", Other) is None


def test_location_argument_then_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path / "env"))
    assert default_cache_dir() == tmp_path / "env"
    with Cache() as cache:
        assert cache.path == tmp_path / "env" / "summaries.sqlite3"
    with Cache(tmp_path / "arg") as cache:
        assert cache.path.parent == tmp_path / "arg"
    monkeypatch.delenv("SUMMARIZER_CACHE_DIR")
    assert default_cache_dir().name == "summarizer"


_WRITER = """
import sys
from summarizer import ArticleSummary, Cache
sys.path.insert(0, sys.argv[3])
from tests.doubles.responses import SEED_SUMMARY
with Cache(sys.argv[1]) as cache:
    for i in range(100):
        cache.put(f"{sys.argv[2]}-{i}", ArticleSummary.model_validate(SEED_SUMMARY))
        assert cache.get(f"{sys.argv[2]}-{i}", ArticleSummary) is not None
"""


def test_processes_share_one_cache(tmp_path):
    procs = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(tmp_path), name, str(ROOT)], cwd=ROOT)
        for name in ("a", "b", "c")
    ]
    assert [p.wait(timeout=60) for p in procs] == [0, 0, 0]
    with Cache(tmp_path) as cache:
        assert len(cache) == 300
        assert cache._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"

