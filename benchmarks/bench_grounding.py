"""How long grounding takes: 200 items against the longest article in ../shared/articles.

A script, not a test. The items are quotes cut from the article itself, a quarter at
each level: exact, normalized (quotes, dashes, spaces and case folded), one word
changed (found fuzzily, then refused by the meaning check) and absent (words the
article does not have). Each is grounded as a
Figure-free ArticleSummary item would be, so the time includes building the text's
index and its sentences once (the "cold" run), the meaning check, the checks of every
field (speaker, hedged), of the model's own words (each statement repeats its quote, and the
summary is three sentences of the article) and the coverage of the article's numbers.

    python benchmarks/bench_grounding.py [PATH] [--chars N]

``--chars 60000`` repeats the article up to that length (the size the grounding issue
names), so the index and every search cover 60,000 characters.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from pathlib import Path

from summarizer import ArticleSummary, KeyClaim
from summarizer.grounding import ground
from summarizer.grounding.align import _index
from summarizer.grounding.fields import HEDGES
from summarizer.sentences import _split_paragraph, sentences

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "articles" / "guardian-war-foretold-cia-mi6.txt"


def quotes(text: str, n: int, rng: random.Random) -> list[str]:
    sentences = [m[0].strip() for m in re.finditer(r"[^.!?\n]{60,240}[.!?]", text)]
    picked = rng.sample(sentences, min(n, len(sentences)))
    while len(picked) < n:
        picked.append(rng.choice(sentences))
    out = []
    for i, s in enumerate(picked):
        level = i % 4
        if level == 1:
            s = s.replace("'", "\u2019").replace('"', "\u201d").replace(" ", "  ").lower()
        elif level == 2:
            words = s.split()
            k = rng.randrange(1, len(words) - 1)
            if not any(c.isdigit() for c in words[k]):
                words[k] = "somehow"
            s = " ".join(words)
        elif level == 3:
            s = "The committee voted unanimously to postpone the harvest festival until the spring."
        out.append(s)
    return out


def summary_with(items: list[str]) -> ArticleSummary:
    summary = " ".join(items[:3])  # three sentences of the article: each is checked against its best sources
    base = ArticleSummary(headline=None, summary=summary, key_claims=[], figures=[], actors=[], peace_talk_conditions=[])
    base.key_claims = [  # past the cap; hedged as the library reads it, so only the quote decides
        # the statement repeats the quote, so every check of the model's own words runs in full on it
        KeyClaim(quote=q, statement=q, speaker=None, hedged=bool(set(re.findall(r"\w+", q.lower())) & HEDGES))
        for q in items
    ]
    return base


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--chars", type=int, help="repeat the article up to this many characters")
    args = parser.parse_args()
    path = args.path
    if not path.exists():
        sys.exit(f"{path} not found: pass an article's path")
    text = path.read_text(encoding="utf-8")
    if args.chars:
        text = ((text + "\n\n") * (args.chars // len(text) + 1))[: args.chars]
    rng = random.Random(7)
    items = quotes(text, 200, rng)

    _index.cache_clear()
    sentences.cache_clear()
    _split_paragraph.cache_clear()
    t0 = time.perf_counter()
    report = ground(summary_with(items), text, policy="flag")
    cold = time.perf_counter() - t0

    warm = []
    for _ in range(5):
        t0 = time.perf_counter()
        ground(summary_with(items), text, policy="flag")
        warm.append(time.perf_counter() - t0)

    print(f"article: {path.name}, {len(text):,} characters")
    print(f"items: {len(items)} -> {report.describe()}")
    print(f"cold (index built): {cold * 1000:.1f} ms; warm: median {statistics.median(warm) * 1000:.1f} ms "
          f"over {len(warm)} runs ({statistics.median(warm) / len(items) * 1e6:.0f} us per item)")


if __name__ == "__main__":
    main()
