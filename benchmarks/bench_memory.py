"""How much memory grounding keeps in a long batch of big articles: 20 distinct articles of about 1 MB each.

A script, not a test. Each article is built from the paragraphs of the seeds and of
../shared/articles (when present; else the seeds alone): the seed of the Associated
Press first (its headline opens the article), then every paragraph of the corpus,
shuffled by the article's number and repeated, with a numbered line between blocks,
up to ``--chars`` characters. So the articles are distinct, and the hand-annotated
quotes of the seed are in each of them.

Each article is grounded (:func:`summarizer.grounding.ground`, policy ``flag``, as a
batch does) on a realistic answer: nine items of the seed's gold (claims with speakers
and hedges, figures with qualifiers, actors with roles), some quoted exactly, one with
its typography changed (found normalized) and two with a word added or changed (found
fuzzily, then checked for meaning). Articles are made one at a time and dropped once
grounded, as a batch reads them; whatever stays in memory afterwards is what the
library's caches keep.

Child processes, so that each peak is its own:

- ``rss``: peak resident set size (``resource.getrusage(...).ru_maxrss``) after the
  first article and after all of them;
- ``trace``: ``tracemalloc``'s peak while grounding the first article and over all of
  them, what stays allocated after the first and after the last (the caches), and the
  size of one article's indexes built on their own;
- ``summarize`` (with ``--summarize N``): the whole path, ``Summarizer.summarize`` on N
  of the articles against a loopback server in the same process, which answers each
  chunk by a fixed rule (its first three sentences become claims, one with its spaces
  doubled and one said by Mark Milley, so every quote is in that chunk; nothing comes
  from a model), with grounding ``flag``; peak RSS after the first and after all.

    python benchmarks/bench_memory.py [--articles 20] [--chars 1000000] [--mode both|rss|trace|summarize]
                                      [--summarize N]
"""

from __future__ import annotations

import argparse
import gc
import http.server
import json
import random
import re
import resource
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from summarizer import Actor, ArticleSummary, Figure, KeyClaim
from summarizer.grounding import ground
from summarizer.grounding.fields import HEDGES

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "articles"
SEEDS = ROOT / "seeds"
AP = "ap-2022-11-milley-ukraine-casualties-peace-talks"
MB = 1024 * 1024


def corpus() -> tuple[str, list[str]]:
    """The seed that opens every article, and every paragraph (non-empty line) of the other texts."""
    lead = (SEEDS / f"{AP}.txt").read_text(encoding="utf-8")
    others = sorted(p for p in SEEDS.glob("*.txt") if p.stem != AP)
    if SHARED.is_dir():
        others += sorted(SHARED.glob("*.txt"))
    else:
        print(f"{SHARED} not found: the articles are made of the seeds alone")
    paragraphs = [line for p in [SEEDS / f"{AP}.txt", *others] for line in p.read_text(encoding="utf-8").splitlines()]
    return lead, [p for p in paragraphs if p.strip()]


def article(number: int, lead: str, paragraphs: list[str], chars: int) -> str:
    """Article ``number``: the seed, then the corpus's paragraphs shuffled by ``number``, to ``chars`` characters."""
    rng = random.Random(number)
    parts = [lead.rstrip("\n")]
    size = len(parts[0])
    block = 0
    while size < chars:
        block += 1
        order = paragraphs[:]
        rng.shuffle(order)
        parts += [f"Update {number}.{block}: the dispatch continues.", *order]
        size += sum(len(p) + 1 for p in parts[-len(order) - 1 :])
    return "\n".join(parts)[:chars]


def answer() -> ArticleSummary:
    """Nine items of the seed's gold: exact, one with its typography changed, two with a word added or changed."""
    gold = json.loads((SEEDS / f"{AP}.gold.json").read_text(encoding="utf-8"))
    claims = [KeyClaim.model_validate(gold["key_claims"][i]) for i in (0, 2, 3, 6, 7, 8)]
    claims[4].quote = claims[4].quote.replace("\u2019", "'")  # straight apostrophe: normalized
    claims[3].quote = claims[3].quote.replace("said Russia", "said that Russia")  # a word added: fuzzy, accepted
    claims[5].quote = claims[5].quote.replace("spring offensive", "winter offensive")  # a word changed: fuzzy, refused
    figures = [Figure.model_validate(gold["figures"][i]) for i in (0, 3)]
    actors = [Actor.model_validate({k: v for k, v in gold["actors"][0].items() if k != "aliases"})]
    return ArticleSummary(headline=gold["headline"], summary="A summary.", key_claims=claims, figures=figures,
                          actors=actors, peace_talk_conditions=[])


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def run_rss(n: int, chars: int) -> dict[str, Any]:
    lead, paragraphs = corpus()
    out: dict[str, Any] = {"start_rss_mb": rss_mb()}
    times = []
    for k in range(n):
        text = article(k, lead, paragraphs, chars)
        t0 = time.perf_counter()
        report = ground(answer(), text, policy="flag")
        times.append(time.perf_counter() - t0)
        if k == 0:
            out["report"] = report.describe()
            out["chars"] = len(text)
            out["one_rss_mb"] = rss_mb()
        del text, report
    gc.collect()
    out["all_rss_mb"] = rss_mb()
    out["first_s"], out["mean_s"] = times[0], sum(times) / len(times)
    return out


def _measured(build: Callable[[], object]) -> int:
    """Bytes still allocated by ``build``'s result once it returned (tracemalloc must be on)."""
    gc.collect()
    before = tracemalloc.get_traced_memory()[0]
    kept = build()
    gc.collect()
    size = tracemalloc.get_traced_memory()[0] - before
    del kept
    return size


def run_trace(n: int, chars: int) -> dict[str, Any]:
    lead, paragraphs = corpus()
    out: dict[str, Any] = {}
    tracemalloc.start()
    gc.collect()
    base = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    for k in range(n):
        text = article(k, lead, paragraphs, chars)
        made = tracemalloc.get_traced_memory()[0]  # the article itself is the caller's
        report = ground(answer(), text, policy="flag")
        if k == 0:
            out["one_peak_mb"] = (tracemalloc.get_traced_memory()[1] - made) / MB
        del text, report
        gc.collect()
        if k == 0:
            out["one_kept_mb"] = (tracemalloc.get_traced_memory()[0] - base) / MB
    out["all_peak_mb"] = (tracemalloc.get_traced_memory()[1] - base) / MB
    out["all_kept_mb"] = (tracemalloc.get_traced_memory()[0] - base) / MB

    # One article's indexes on their own, each built cold (whatever the library calls them).
    from summarizer import sentences as sentences_module
    from summarizer.grounding import align, naming

    text = article(n, lead, paragraphs, chars)
    out["text_mb"] = (sys.getsizeof(text)) / MB
    builders = {"locate": getattr(align, "_index", None), "who": getattr(naming, "article_index", None),
                "sentences": getattr(sentences_module, "sentences", None)}
    sizes = {}
    for name, build in builders.items():
        if build is not None:
            sizes[name] = _measured(lambda build=build: build.__wrapped__(text)) / MB  # type: ignore[attr-defined]
    out["index_mb"] = sizes
    tracemalloc.stop()
    return out


_ARTICLE = re.compile(r"<<<ARTICLE (\w+)>>>\n(.*)\n<<<END ARTICLE \1>>>", re.DOTALL)
_SENTENCE = re.compile(r"[^.!?\n“”\"]{40,300}[.!?]")


def chunk_answer(chunk: str) -> dict[str, Any]:
    """A hand-written answer for one chunk, by rule: its first three sentences as claims, copied from it.

    The second with its spaces doubled (found normalized, so the index is built), the third
    said by Mark Milley (so the speaker checks look him up).
    """
    sentences = [m.strip() for m in _SENTENCE.findall(chunk)][:3]
    claims = [{"quote": q, "statement": q, "speaker": None, "hedged": bool(set(re.findall(r"\w+", q.lower())) & HEDGES)}
              for q in sentences]
    if len(claims) > 1:
        claims[1]["quote"] = claims[1]["quote"].replace(" ", "  ")
    if len(claims) > 2:
        claims[2]["speaker"] = "Mark Milley"
    return {"headline": None, "summary": "A part of the article.", "key_claims": claims, "figures": [], "actors": [],
            "peace_talk_conditions": []}


def serve_chunks() -> str:
    """A loopback chat-completions server in a thread of this process; its base URL."""

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            found = _ARTICLE.search(body["messages"][1]["content"])
            name = body["tools"][0]["function"]["name"]
            arguments = chunk_answer(found[2] if found else "") if name == "ArticleSummary" else {}
            payload = json.dumps({
                "id": "chatcmpl-hand-written", "object": "chat.completion", "created": 1700000000, "model": "bench",
                "choices": [{"index": 0, "finish_reason": "tool_calls", "logprobs": None, "message": {
                    "role": "assistant", "content": None, "refusal": None, "tool_calls": [{
                        "id": "call_1", "type": "function",
                        "function": {"name": name, "arguments": json.dumps(arguments)}}]}}],
                "usage": {"prompt_tokens": 900, "completion_tokens": 200, "total_tokens": 1100},
            }).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    class Server(http.server.ThreadingHTTPServer):
        daemon_threads = True

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/v1"


def run_summarize(n: int, chars: int) -> dict[str, Any]:
    from summarizer import Summarizer

    lead, paragraphs = corpus()
    base = serve_chunks()
    out: dict[str, Any] = {"start_rss_mb": rss_mb()}
    times = []
    with Summarizer("bench", base_url=base, grounding="flag") as summ:
        for k in range(n):
            text = article(k, lead, paragraphs, chars)
            t0 = time.perf_counter()
            result = summ.summarize(text)
            times.append(time.perf_counter() - t0)
            if k == 0:
                assert result.provenance is not None and result.grounding is not None
                out["chunks"] = result.provenance.chunks
                out["report"] = result.grounding.describe()
                out["one_rss_mb"] = rss_mb()
            del text, result
    gc.collect()
    out["all_rss_mb"] = rss_mb()
    out["first_s"], out["mean_s"] = times[0], sum(times) / len(times)
    return out


def child(mode: str, args: argparse.Namespace, articles: int) -> dict[str, Any]:
    command = [sys.executable, __file__, "--mode", mode, "--articles", str(articles), "--chars", str(args.chars), "--json"]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--chars", type=int, default=1_000_000, help="characters per article")
    parser.add_argument("--mode", choices=["both", "rss", "trace", "summarize"], default="both")
    parser.add_argument("--summarize", type=int, default=0, metavar="N", help="also summarize() N articles on loopback")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # a child's one line of figures
    args = parser.parse_args()
    if args.json:
        run = {"rss": run_rss, "trace": run_trace, "summarize": run_summarize}[args.mode]
        print(json.dumps(run(args.articles, args.chars)))
        return
    n = args.articles
    if args.mode in ("both", "rss"):
        r = child("rss", args, n)
        print(f"articles: {n} x {r['chars']:,} characters; first: {r['report']}")
        print(f"peak RSS: {r['start_rss_mb']:.0f} MB at start, {r['one_rss_mb']:.0f} MB after 1 article, "
              f"{r['all_rss_mb']:.0f} MB after {n}")
        print(f"time to ground: first {r['first_s']:.2f} s, mean {r['mean_s']:.2f} s per article")
    if args.mode in ("both", "trace"):
        t = child("trace", args, n)
        print(f"tracemalloc peak while grounding: {t['one_peak_mb']:.0f} MB for 1 article, "
              f"{t['all_peak_mb']:.0f} MB over {n}")
        print(f"kept by the caches: {t['one_kept_mb']:.1f} MB after 1 article, {t['all_kept_mb']:.1f} MB after {n}")
        sizes = ", ".join(f"{name} {size:.1f} MB" for name, size in t["index_mb"].items())
        print(f"one article's indexes (the text itself is {t['text_mb']:.1f} MB): {sizes}")
    if args.mode == "summarize" or args.summarize:
        m = args.summarize or n
        s = child("summarize", args, m)
        print(f"summarize() on loopback, {m} articles: first: {s['chunks']} chunks, {s['report']}")
        print(f"peak RSS: {s['start_rss_mb']:.0f} MB at start, {s['one_rss_mb']:.0f} MB after 1 article, "
              f"{s['all_rss_mb']:.0f} MB after {m}; time: first {s['first_s']:.2f} s, mean {s['mean_s']:.2f} s per article")


if __name__ == "__main__":
    main()
