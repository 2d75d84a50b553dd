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

Two child processes, so that each peak is its own:

- ``rss``: peak resident set size (``resource.getrusage(...).ru_maxrss``) after the
  first article and after all of them;
- ``trace``: ``tracemalloc``'s peak while grounding the first article and over all of
  them, what stays allocated after the first and after the last (the caches), and the
  size of one article's indexes built on their own.

    python benchmarks/bench_memory.py [--articles 20] [--chars 1000000] [--mode both|rss|trace]
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from summarizer import Actor, ArticleSummary, Figure, KeyClaim
from summarizer.grounding import ground

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
    from summarizer.grounding import align, fields

    text = article(n, lead, paragraphs, chars)
    out["text_mb"] = (sys.getsizeof(text)) / MB
    builders = {"locate": getattr(align, "_index", None), "who": getattr(fields, "_article", None),
                "sentences": getattr(sentences_module, "sentences", None)}
    sizes = {}
    for name, build in builders.items():
        if build is not None:
            sizes[name] = _measured(lambda build=build: build.__wrapped__(text)) / MB  # type: ignore[attr-defined]
    out["index_mb"] = sizes
    tracemalloc.stop()
    return out


def child(mode: str, args: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, __file__, "--mode", mode, "--articles", str(args.articles), "--chars", str(args.chars),
               "--json"]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--chars", type=int, default=1_000_000, help="characters per article")
    parser.add_argument("--mode", choices=["both", "rss", "trace"], default="both")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # a child's one line of figures
    args = parser.parse_args()
    if args.json:
        figures = run_rss(args.articles, args.chars) if args.mode == "rss" else run_trace(args.articles, args.chars)
        print(json.dumps(figures))
        return
    n = args.articles
    if args.mode in ("both", "rss"):
        r = child("rss", args)
        print(f"articles: {n} x {r['chars']:,} characters; first: {r['report']}")
        print(f"peak RSS: {r['start_rss_mb']:.0f} MB at start, {r['one_rss_mb']:.0f} MB after 1 article, "
              f"{r['all_rss_mb']:.0f} MB after {n}")
        print(f"time to ground: first {r['first_s']:.2f} s, mean {r['mean_s']:.2f} s per article")
    if args.mode in ("both", "trace"):
        t = child("trace", args)
        print(f"tracemalloc peak while grounding: {t['one_peak_mb']:.0f} MB for 1 article, "
              f"{t['all_peak_mb']:.0f} MB over {n}")
        print(f"kept by the caches: {t['one_kept_mb']:.1f} MB after 1 article, {t['all_kept_mb']:.1f} MB after {n}")
        sizes = ", ".join(f"{name} {size:.1f} MB" for name, size in t["index_mb"].items())
        print(f"one article's indexes (the text itself is {t['text_mb']:.1f} MB): {sizes}")


if __name__ == "__main__":
    main()
