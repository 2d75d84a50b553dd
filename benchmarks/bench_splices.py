"""How often does grounding accept a quote whose ellipsis splices two places of the article? Generated quotes, by kind.

A script, not a test. From the seeds and each article in ../shared/articles (when
present), quotes are built out of the article's own words joined by " ... " and checked
with :func:`summarizer.grounding.check_quote` against their article:

- splices, which must be refused: the start of a sentence joined to the end of a
  sentence in the next paragraph ("across paragraphs"), the end of a paragraph joined to
  the start of the next one, whole sentences kept ("paragraph end to start"), and the
  start of one sentence joined to the end of the next in the same paragraph ("subject
  of one sentence, predicate of another");
- legitimate omissions, which must stay accepted: words left out inside one sentence
  ("inside a sentence"), and the end of one sentence joined to the start of the next in
  the same paragraph ("whole sentences apart").

Reported per kind: how many quotes, the share located at all, and the share accepted
(a splice refused because it was not found counts as refused).

    python benchmarks/bench_splices.py [--per-kind N] [--seed S] [--articles DIR]
"""

from __future__ import annotations

import argparse
import random
import re
from collections.abc import Callable, Iterator
from itertools import pairwise
from pathlib import Path

from summarizer.grounding import check_quote
from summarizer.sentences import Sentence, sentences

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "articles"
_TOKEN = re.compile(r"\S+")

Quote = tuple[str, str]  # (kind, quote)


def _tokens(text: str, s: Sentence) -> list[tuple[int, int]]:
    return [(s.start + m.start(), s.start + m.end()) for m in _TOKEN.finditer(text[s.start : s.end])]


def _head(text: str, s: Sentence, rng: random.Random, whole: bool = False) -> str | None:
    """The first words of a sentence (all of it when ``whole``); None when it is too short to cut."""
    toks = _tokens(text, s)
    if len(toks) < 6:
        return None
    k = len(toks) if whole else rng.randint(3, min(8, len(toks) - 3))
    return text[toks[0][0] : toks[k - 1][1]]


def _tail(text: str, s: Sentence, rng: random.Random, whole: bool = False) -> str | None:
    """The last words of a sentence (all of it when ``whole``)."""
    toks = _tokens(text, s)
    if len(toks) < 6:
        return None
    k = len(toks) if whole else rng.randint(3, min(8, len(toks) - 3))
    return text[toks[-k][0] : toks[-1][1]]


def _joined(a: str | None, b: str | None) -> str | None:
    return f"{a} ... {b}" if a and b else None


def _paragraph_pairs(text: str) -> Iterator[tuple[list[Sentence], list[Sentence]]]:
    s = sentences(text)
    for p in range(len(s.paragraphs) - 1):
        one, two = s.of_paragraph(p), s.of_paragraph(p + 1)
        if one and two:
            yield one, two


def generate(text: str, rng: random.Random) -> Iterator[Quote]:
    """Every kind of quote this article allows, one per place (the caller samples)."""
    s = sentences(text)
    for one, two in _paragraph_pairs(text):
        last, first = rng.choice(one[-2:]), rng.choice(two[:2])
        if (q := _joined(_head(text, last, rng), _tail(text, first, rng))) is not None:
            yield "splice: across paragraphs", q
        if (q := _joined(_tail(text, one[-1], rng, whole=True), _head(text, two[0], rng))) is not None:
            yield "splice: paragraph end to start", q
    for p in range(len(s.paragraphs)):
        within = s.of_paragraph(p)
        for a, b in pairwise(within):
            if (q := _joined(_head(text, a, rng), _tail(text, b, rng))) is not None:
                yield "splice: subject of one sentence, predicate of another", q
            if (q := _joined(_tail(text, a, rng, whole=True), _head(text, b, rng))) is not None:
                yield "legit: whole sentences apart", q
        for sentence in within:
            toks = _tokens(text, sentence)
            if len(toks) >= 10:
                cut = rng.randint(3, len(toks) - 5)
                skip = rng.randint(1, min(6, len(toks) - cut - 3))
                head = text[toks[0][0] : toks[cut - 1][1]]
                tail = text[toks[cut + skip][0] : toks[-1][1]]
                yield "legit: inside a sentence", f"{head} ... {tail}"


def run(articles: list[Path], per_kind: int, seed: int, check: Callable[[str, str], tuple[bool, bool]]) -> None:
    rng = random.Random(seed)
    by_kind: dict[str, list[tuple[str, str]]] = {}
    for path in articles:
        text = path.read_text(encoding="utf-8")
        for kind, quote in generate(text, rng):
            by_kind.setdefault(kind, []).append((text, quote))
    print(f"articles: {len(articles)}; seed {seed}; at most {per_kind} quotes per kind")
    print("kind | n | located | accepted")
    for kind in sorted(by_kind):
        cases = by_kind[kind]
        sample = rng.sample(cases, min(per_kind, len(cases)))
        results = [check(text, quote) for text, quote in sample]
        located = sum(found for found, _ in results) / len(results)
        accepted = sum(ok for _, ok in results) / len(results)
        print(f"{kind} | {len(results)} | {located:.3f} | {accepted:.3f}")


def _check(text: str, quote: str) -> tuple[bool, bool]:
    span, result = check_quote(text, quote)
    return span is not None, span is not None and result.ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-kind", type=int, default=400, help="quotes checked per kind (sampled)")
    parser.add_argument("--seed", type=int, default=22)
    parser.add_argument("--articles", type=Path, default=SHARED, help="a folder of .txt articles (besides seeds/)")
    args = parser.parse_args()
    articles = sorted((ROOT / "seeds").glob("*.txt"))
    if args.articles.is_dir():
        articles += sorted(args.articles.glob("*.txt"))
    run(articles, args.per_kind, args.seed, _check)


if __name__ == "__main__":
    main()
