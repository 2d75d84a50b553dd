"""Does grounding accept what the article says and refuse what it does not? Edits of real sentences, by kind.

A script, not a test. Sentences of 8 to 60 words are cut from the seed and from each
article in ../shared/articles (when present); each is edited in one way and checked
with :func:`summarizer.grounding.check_quote` against its own article:

- benign edits (typography, case, white space and line breaks, an ellipsis for left-out
  words, an ellipsis right after a full stop): must be accepted;
- meaning-changing edits (negation added or removed, a name swapped for another of the
  same article, a number changed in digits or in words, an ordinal changed, a hedge
  hardened, an antonym, a clause inserted, a sentence from another article): must be refused.

Reported: location recall (the edited quote is still found where the sentence is, for
every edit but "other article"), acceptance of benign edits, refusal per kind, and the
time per quote (cold: each article's index and sentences built on first use; warm).

    python benchmarks/bench_meaning.py [--per-kind N] [--seed S]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from summarizer.grounding import check_quote
from summarizer.sentences import sentences
from summarizer.text import fold

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "articles"
SEED = next((ROOT / "seeds").glob("ap-2022-*.txt"))

UKRAINIAN = (  # a Cyrillic sentence for the number-word kind in another script (written for this benchmark)
    "Генерал заявив, що сорок тисяч цивільних було вбито або поранено з початку війни, а переговори можливі."
)

Edit = Callable[[str, random.Random, dict[str, list[str]]], str | None]

_UNITS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]
_ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]
_HEDGES = {"probably": "certainly", "may": "will", "might": "will", "could": "will", "possibly": "definitely",
           "likely": "certain", "perhaps": "surely", "appears": "is", "would": "will", "possible": "certain"}
_ANTONYMS = {"increase": "decrease", "increased": "decreased", "rise": "fall", "rose": "fell", "more": "less",
             "won": "lost", "accepted": "rejected", "open": "closed", "support": "oppose", "supported": "opposed",
             "before": "after", "after": "before", "allies": "enemies", "agreed": "refused", "killed": "spared",
             "largest": "smallest", "first": "last", "strong": "weak", "higher": "lower", "begun": "ended",
             "began": "ended", "success": "failure", "right": "wrong", "true": "false", "most": "least",
             "ready": "unwilling", "early": "late", "new": "old", "win": "lose", "attack": "defend"}
_CLAUSES = [", officials said on Tuesday,", " and the talks collapsed overnight", ", which was later denied,",
            " after a second round of strikes", ", according to a senior diplomat,"]
_AUX = re.compile(r"\b(is|was|are|were|has|have|had|will|would|could|can|should|did|does|do)\b")


def _sub_word(sentence: str, table: dict[str, str]) -> str | None:
    hits = [m for m in re.finditer(r"\b\w+\b", sentence) if m[0].lower() in table]
    if not hits:
        return None
    m = hits[0]
    new = table[m[0].lower()]
    new = new.capitalize() if m[0][0].isupper() else new
    return sentence[: m.start()] + new + sentence[m.end() :]


def typography(s: str, rng: random.Random, _: dict[str, list[str]]) -> str | None:
    out = s.replace("'", "\u2019").replace(" - ", " \u2013 ").replace('"', "\u201d")
    out = out.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"') if out == s else out
    return out if out != s else s.replace(" ", "\u00a0", 1)


def case(s: str, rng: random.Random, _: dict[str, list[str]]) -> str | None:
    return s.lower() if rng.random() < 0.5 else s.upper()


def whitespace(s: str, rng: random.Random, _: dict[str, list[str]]) -> str | None:
    words = s.split(" ")
    k = rng.randrange(1, len(words))
    return " ".join(words[:k]) + "\n" + "  ".join(words[k:])


def ellipsis(s: str, rng: random.Random, _: dict[str, list[str]]) -> str | None:
    words = s.split()
    if len(words) < 10:
        return None
    k = rng.randrange(3, len(words) - 5)
    return " ".join(words[:k]) + " ... " + " ".join(words[k + rng.randrange(2, 4) :])


def negation_added(s: str, rng: random.Random, _: dict[str, list[str]]) -> str | None:
    m = _AUX.search(s)
    return s[: m.end()] + " not" + s[m.end() :] if m else None


def negation_removed(s: str, rng: random.Random, _: dict[str, list[str]]) -> str | None:
    m = re.search(r"\s(not|never)\b|n[’']t\b", s)
    if not m:
        return None
    return s[: m.start()] + s[m.end() :]


def name_swapped(s: str, rng: random.Random, names: dict[str, list[str]]) -> str | None:
    mine = [m for m in re.finditer(r"(?<=\s)[A-Z][a-z]{2,}\b", s) if m[0] in names["names"]]
    if not mine:
        return None
    m = rng.choice(mine)
    others = [n for n in names["names"] if n != m[0] and n.lower() != m[0].lower()]
    return s[: m.start()] + rng.choice(others) + s[m.end() :] if others else None


def digits_changed(s: str, rng: random.Random, _: dict[str, list[str]]) -> str | None:
    m = [m for m in re.finditer(r"\d", s)]
    if not m:
        return None
    d = rng.choice(m)
    return s[: d.start()] + str((int(d[0]) + rng.randrange(1, 9)) % 10) + s[d.end() :]


def number_word_changed(s: str, rng: random.Random, _: dict[str, list[str]]) -> str | None:
    return _sub_word(s, {w: _UNITS[(i + 1) % len(_UNITS)] for i, w in enumerate(_UNITS)})


def ordinal_changed(s: str, rng: random.Random, _: dict[str, list[str]]) -> str | None:
    return _sub_word(s, {w: _ORDINALS[(i + 1) % len(_ORDINALS)] for i, w in enumerate(_ORDINALS)})


def hedge_hardened(s: str, rng: random.Random, _: dict[str, list[str]]) -> str | None:
    return _sub_word(s, _HEDGES)


def antonym(s: str, rng: random.Random, _: dict[str, list[str]]) -> str | None:
    return _sub_word(s, _ANTONYMS)


def clause_inserted(s: str, rng: random.Random, _: dict[str, list[str]]) -> str | None:
    words = s.split(" ")
    k = rng.randrange(2, len(words) - 1)
    return " ".join(words[:k]) + rng.choice(_CLAUSES) + " " + " ".join(words[k:])


BENIGN: dict[str, Edit] = {"typography": typography, "case": case, "whitespace": whitespace, "ellipsis": ellipsis}
CHANGED: dict[str, Edit] = {
    "negation added": negation_added, "negation removed": negation_removed, "name swapped": name_swapped,
    "digits changed": digits_changed, "number word changed": number_word_changed,
    "ordinal changed": ordinal_changed, "hedge hardened": hedge_hardened, "antonym": antonym,
    "clause inserted": clause_inserted,
}


def article_sentences(text: str) -> list[tuple[int, int]]:
    return [(a, b) for a, b, _ in sentence_pairs(text)]


def sentence_pairs(text: str) -> list[tuple[int, int, tuple[int, int] | None]]:
    """Each sentence of 8 to 60 words, and the sentence right after it in its paragraph (if any)."""
    s = sentences(text)
    out = []
    for p in range(len(s.paragraphs)):
        found = s.of_paragraph(p)
        for k, sentence in enumerate(found):
            body = text[sentence.start : sentence.end]
            if 8 <= len(body.split()) <= 60:
                nxt = (found[k + 1].start, found[k + 1].end) if k + 1 < len(found) else None
                out.append((sentence.start, sentence.end, nxt))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-kind", type=int, default=60, help="edits per kind and article (at most)")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    paths = [SEED, *(sorted(SHARED.glob("*.txt")) if SHARED.is_dir() else [])]
    texts = {p.name: p.read_text(encoding="utf-8") for p in paths}
    located: dict[str, list[bool]] = defaultdict(list)
    accepted: dict[str, list[bool]] = defaultdict(list)
    spent: dict[str, list[float]] = defaultdict(list)
    cold: list[float] = []
    warm: list[float] = []
    examples: dict[str, str] = {}
    cases: list[tuple[str, str, str, tuple[int, int] | None]] = []  # kind, article, quote, where
    for name, text in texts.items():
        pairs = sentence_pairs(text)
        spans = [(a, b) for a, b, _ in pairs]
        following = {(a, b): nxt for a, b, nxt in pairs}
        names = {"names": sorted({m[0] for m in re.finditer(r"(?<=\s)[A-Z][a-z]{2,}\b", text)})}
        others = [t for n, t in texts.items() if n != name]
        for kind, edit in {**BENIGN, "ellipsis after a full stop": None, **CHANGED}.items():
            made = 0
            for start, end in rng.sample(spans, len(spans)):
                if made >= args.per_kind:
                    break
                sentence = text[start:end]
                if edit is None:  # two sentences of one paragraph, the second's opening words left out
                    nxt = following[(start, end)]
                    if nxt is None or not sentence.endswith(".") or len(text[nxt[0] : nxt[1]].split()) < 5:
                        continue
                    words = text[nxt[0] : nxt[1]].split()
                    quote = sentence + " ... " + " ".join(words[2:])
                    where: tuple[int, int] | None = (start, nxt[1])
                else:
                    edited = edit(sentence, rng, names)
                    if edited is None or edited == sentence:
                        continue
                    quote, where = edited, (start, end)
                cases.append((kind, name, quote, where))
                made += 1
        for other in rng.sample(others, len(others)):
            for start, end in article_sentences(other)[:10]:
                quote = other[start:end]
                if quote not in text:
                    cases.append(("other article", name, quote, None))
    cases.append(("number word changed (Cyrillic)", "uk", UKRAINIAN.replace("сорок", "пятьдесят"), (0, len(UKRAINIAN))))
    texts["uk"] = UKRAINIAN
    seen_articles: set[str] = set()
    for kind, name, quote, where in cases:
        text = texts[name]
        t0 = time.perf_counter()
        span, check = check_quote(text, quote)
        elapsed = time.perf_counter() - t0
        (warm if name in seen_articles else cold).append(elapsed)
        seen_articles.add(name)
        spent[kind].append(elapsed)
        if where is not None:  # found there, or at a copy of the same words elsewhere in the article
            here = span is not None and span.start < where[1] and span.end > where[0]
            copy = span is not None and not here and fold(text[span.start : span.end]) in fold(text[where[0] : where[1]])
            located[kind].append(here or copy)
        accepted[kind].append(check.ok)
        if kind not in examples and ((kind in BENIGN or kind.startswith("ellipsis")) != check.ok):
            examples[kind] = f"{quote[:120]!r} -> {check.detail}"
    every = [x for k, v in located.items() for x in v]
    print(f"articles: {len(texts)}; quotes: {len(cases)}")
    print(f"location recall over edited true quotes: {sum(every) / len(every):.3f} ({sum(every)}/{len(every)})")
    print("kind | n | located | accepted (benign) / refused (changed) | mean ms")
    for kind in [*BENIGN, "ellipsis after a full stop", *CHANGED, "number word changed (Cyrillic)", "other article"]:
        got = accepted[kind]
        if not got:
            continue
        benign = kind in BENIGN or kind.startswith("ellipsis")
        share = sum(got) / len(got) if benign else 1 - sum(got) / len(got)
        where_found = located[kind]
        loc = f"{sum(where_found) / len(where_found):.3f}" if where_found else "-"
        ms = statistics.mean(spent[kind]) * 1e3
        print(f"{kind} | {len(got)} | {loc} | {'accepted' if benign else 'refused'} {share:.3f} | {ms:.2f}")
    times = cold + warm
    print(f"time per quote: mean {statistics.mean(times) * 1e3:.3f} ms over {len(times)} "
          f"(first quote per article, index built: mean {statistics.mean(cold) * 1e3:.1f} ms over {len(cold)}; "
          f"others: mean {statistics.mean(warm) * 1e3:.3f} ms, median {statistics.median(warm) * 1e3:.3f} ms)")
    for kind, example in examples.items():
        print(f"  wrong on {kind}: {example}")


if __name__ == "__main__":
    main()
