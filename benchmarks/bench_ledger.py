"""Dates and the ledger against their gold, and the ledger at scale.

    python benchmarks/bench_ledger.py dates                  # every date phrase of the gold, and the items' dates
    python benchmarks/bench_ledger.py ledger                 # the Brennik ledger against seeds/brennik/brennik.ledger.json
    python benchmarks/bench_ledger.py ledger --records R.jsonl   # ... built from a model's records instead
    python benchmarks/bench_ledger.py scale --records 10000  # `summarizer ledger` on N records, one core
    python benchmarks/bench_ledger.py wording                # hand-written pairs of measures: same or not

``dates`` reads every article of ``seeds/`` and ``seeds/brennik/`` whose gold lists
``dates``: the phrases :func:`summarizer.dates.date_phrases` finds are matched to the
gold's by exact span, and each is resolved against the gold's ``published``; a phrase
found inside a gold ``not_dates`` span is a false one. The article's own date is found
as a reader would be given it (``published_from``). Then the items: the gold itself,
as a HAND-WRITTEN answer (no model), parsed and dated by the library
(:meth:`Summarizer.parse`), each gold item's ``when`` against the library's.

``ledger`` builds the ledger of the four Brennik articles from their gold answers
(HAND-WRITTEN, as above; or from ``--records``, a records file of a model's summaries)
and scores it against the ledger gold: pairwise F1 of the grouping (two figures in
one row, against two figures in one gold group), rows that merge different gold
groups, the planted disagreements found and the false ones, and the conservative
entries.

``wording`` reads HAND-WRITTEN pairs of measures (with units) as different outlets word
them, each labelled the same group or not, written for this benchmark from the ways war
coverage words casualty, displacement and materiel counts (not from any model's output),
and counts the same pairs joined and the different pairs kept apart.

``scale`` writes N records (the four Brennik answers, copied with their dates moved
so that N records span N/4 weeks) and runs ``summarizer ledger`` on them in a child
process pinned to one core, reporting its time and its peak memory (max RSS).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer import ArticleSummary, Summarizer, ledger, load_gold
from summarizer.across import measure_key
from summarizer.dates import date_phrases, resolve
from summarizer.evaluation.gold import GoldArticle
from summarizer.grounding.dating import article_date

SEEDS = ROOT / "seeds"
BRENNIK = SEEDS / "brennik"
KEY = "placeholder-no-request-is-sent"


def _golds(*folders: Path) -> list[GoldArticle]:
    return [load_gold(p) for folder in folders for p in sorted(folder.glob("*.gold.json"))]


def _completion(gold: GoldArticle) -> dict[str, Any]:
    """HAND-WRITTEN: a chat completion whose tool call carries the gold as the model's answer."""
    raw = json.loads(gold.gold_path.read_text("utf-8"))
    answer: dict[str, Any] = {"headline": raw.get("headline"), "summary": raw.get("summary") or "A summary."}
    for name in ("key_claims", "figures", "actors", "peace_talk_conditions"):
        answer[name] = [{k: v for k, v in item.items() if k not in ("span", "aliases", "when")} for item in raw[name]]
    call = {"id": "call_bench", "type": "function", "function": {"name": "ArticleSummary", "arguments": json.dumps(answer)}}
    return {"id": "bench", "object": "chat.completion", "created": 0, "model": "gold",
            "choices": [{"index": 0, "finish_reason": "tool_calls",
                         "message": {"role": "assistant", "content": None, "tool_calls": [call]}}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}}


def _given(gold: GoldArticle) -> date | None:
    """The date a reader is given: the gold's, unless the article states it (then the library must find it)."""
    return gold.gold.published if gold.gold.published_from == "argument" else None


def gold_summaries(golds: list[GoldArticle]) -> list[tuple[str, ArticleSummary]]:
    """Each gold as a model's answer, parsed, grounded and dated by the library."""
    with Summarizer("gpt-4.1-mini", api_key=KEY) as summ:
        return [(g.name, summ.parse(g.text, _completion(g), published=_given(g))) for g in golds]


def dates() -> None:
    golds = [g for g in _golds(SEEDS, BRENNIK) if g.gold.dates]
    kinds: dict[str, list[int]] = {}
    wrong: list[str] = []
    found_total = false = article_right = 0
    for g in golds:
        day, source = article_date(g.text, _given(g))
        article_right += day == g.gold.published and (source or "argument") == g.gold.published_from
        found = {(p.start, p.end): p for p in date_phrases(g.text)}
        found_total += len(found)
        gold_spans = {(d.start, d.end) for d in g.gold.dates}
        for start, end in found:
            if (start, end) not in gold_spans:
                false += 1
                inside = any(n.start <= start and end <= n.end for n in g.gold.not_dates)
                wrong.append(f"{g.name}: found {g.text[start:end]!r} at {start} ({'a duration' if inside else 'not a date'})")
        for d in g.gold.dates:
            phrase = found.get((d.start, d.end))
            kind = phrase.kind if phrase is not None else "missed"
            resolved = resolve(phrase, g.gold.published) if phrase is not None else None
            value: Any = None
            if resolved is not None:
                value = resolved.day if resolved.day is not None else {"start": resolved.start, "end": resolved.end}
            expected = d.date.model_dump() if hasattr(d.date, "model_dump") else d.date
            right = phrase is not None and value == expected
            counts = kinds.setdefault(kind, [0, 0])
            counts[0 if right else 1] += 1
            if not right:
                wrong.append(f"{g.name}: {d.text!r} at {d.start}: got {value}, gold {expected}")
    right = sum(c[0] for c in kinds.values())
    total = sum(sum(c) for c in kinds.values())
    print(f"## Date phrases: {len(golds)} articles with date gold\n")
    print("| kind | right | wrong |\n|---|---:|---:|")
    for kind, (ok, bad) in sorted(kinds.items()):
        print(f"| {kind} | {ok} | {bad} |")
    print(f"| **all** | **{right}** | **{total - right}** |\n")
    print(f"Resolved right with exact spans: {right}/{total} ({right / total:.0%}); phrases found that the gold does "
          f"not list: {false} (of {found_total} found); article dates found as the gold says: {article_right}/{len(golds)}")
    items = item_right = 0
    for (name, summary), g in zip(gold_summaries(golds), golds, strict=True):
        for field in ("key_claims", "figures", "peace_talk_conditions"):
            expected_items = getattr(g.gold, field)
            got_items = getattr(summary, field)
            for expected in expected_items:
                if expected.when is None:
                    continue
                got = next((x for x in got_items if x.quote == expected.quote), None)
                items += 1
                if got is not None and got.when is not None and got.when.date == expected.when.date:
                    item_right += 1
                else:
                    wrong.append(f"{name}: {field} {expected.quote[:50]!r}: got "
                                 f"{got.when.date if got is not None and got.when else None}, gold {expected.when.date}")
    print(f"Items dated as the gold says (gold answers, dated by the library): {item_right}/{items}")
    if wrong:
        print("\nWrong, missed or extra:\n" + "\n".join(f"- {w}" for w in wrong))


def _ledger_gold() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((BRENNIK / "brennik.ledger.json").read_text("utf-8"))
    return data


def _pairs(groups: list[list[tuple[str, str]]]) -> set[frozenset[tuple[str, str]]]:
    return {frozenset(p) for g in groups for p in itertools.combinations(g, 2)}


def _numbers_of() -> dict[tuple[str, str], tuple[float | None, ...]]:
    """(article, gold text) -> the gold figure's numbers: a model's figure is the gold's when its numbers are."""
    out = {}
    for g in _golds(BRENNIK):
        for f in g.gold.figures:
            out[g.name, f.text] = (f.value,) if f.value is not None else (f.low, f.high)
    return out


def score_ledger(built: Any) -> dict[str, Any]:
    gold = _ledger_gold()
    numbers = _numbers_of()
    by_number = {(a, n): (a, t) for (a, t), n in numbers.items()}

    def named(e: Any) -> tuple[str, str]:
        """An entry as the gold names it: its text, or the gold figure of its article with its numbers."""
        if (e.article, e.text) in numbers:
            return (e.article, e.text)
        key = (e.value,) if e.value is not None else (e.low, e.high)
        return by_number.get((e.article, key), (e.article, e.text))

    group_of = {(a, t): name for name, members in gold["groups"].items() for a, t in members}
    rows = [[named(e) for e in row.entries] for row in built.rows]
    known = [[m for m in row if m in group_of] for row in rows]
    gold_groups = [[tuple(m) for m in members] for members in gold["groups"].values()]
    predicted, expected = _pairs(known), _pairs([[m for m in g if any(m in r for r in known)] for g in gold_groups])
    expected_all = _pairs(gold_groups)
    tp = len(predicted & expected_all)
    precision = tp / len(predicted) if predicted else 1.0
    recall = tp / len(expected_all) if expected_all else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    among = len(predicted & expected) / len(expected) if expected else 1.0
    f1_among = 2 * precision * among / (precision + among) if precision + among else 0.0
    merges = [row for row in known if len({group_of[m] for m in row}) > 1]
    planted = {frozenset(tuple(m) for m in pair) for pair in gold["disagreements"]}
    found = {frozenset({named(a), named(b)}) for row in built.rows for a, b in row.conflicts}
    conservative_right = 0
    for name, entry in gold["conservative"].items():
        row = next((r for r in built.rows if any(group_of.get(named(e)) == name for e in r.entries)), None)
        if row is not None and row.conservative is not None:
            conservative_right += named(row.conservative.entry) == tuple(entry)
    return {
        "figures in gold": len(group_of), "figures entered": sum(len(r) for r in rows),
        "figures of the gold entered": sum(len(r) for r in known),
        "pairwise precision": precision, "pairwise recall (of every gold pair)": recall, "pairwise F1": f1,
        "pairs the gold has among the figures entered": len(expected),
        "pairwise F1 among the figures entered (the grouping alone)": f1_among,
        "rows merging different gold groups": len(merges),
        "planted disagreements found": f"{len(planted & found)}/{len(planted)}",
        "false disagreements": len(found - planted),
        "conservative entries right": f"{conservative_right}/{len(gold['conservative'])}",
    }


def ledger_scores(records: str | None) -> None:
    golds = _golds(BRENNIK)
    if records:
        built = ledger(records)
        source = f"records {records}"
    else:
        built = ledger(gold_summaries(golds))
        source = "the gold answers (HAND-WRITTEN), parsed, grounded and dated by the library"
    print(f"## Ledger of the Brennik articles, from {source}\n")
    for key, value in score_ledger(built).items():
        shown = f"{value:.3f}" if isinstance(value, float) else value
        print(f"- {key}: {shown}")
    print()
    for row in built.rows:
        flag = " DISAGREE" if row.disagree else ""
        print(f"  {row.measure} ({row.unit}): {', '.join(f'{e.text} [{e.article[18:20]}]' for e in row.entries)}{flag}")


def _records_file(path: Path, n: int) -> None:
    """N records: the four Brennik answers, copied, each copy's dates moved by a week per four records."""
    golds = _golds(BRENNIK)
    base = [(name, summary.model_dump(mode="json")) for name, summary in gold_summaries(golds)]
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            name, summary = base[i % len(base)]
            shift = timedelta(weeks=i // len(base))
            data = json.loads(json.dumps(summary))
            for fig in data["figures"]:
                when = fig.get("when")
                if when and isinstance(when.get("date"), str):
                    when["date"] = (date.fromisoformat(when["date"]) + shift).isoformat()
                elif when and isinstance(when.get("date"), dict):
                    for end in ("start", "end"):
                        when["date"][end] = (date.fromisoformat(when["date"][end]) + shift).isoformat()
            out.write(json.dumps({"id": f"{name}-{i:05d}", "ok": True, "summary": data}, ensure_ascii=False) + "\n")


def scale(n: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        records = Path(folder) / "records.jsonl"
        _records_file(records, n)
        size = records.stat().st_size
        command = [sys.executable, "-c", (
            "import resource, sys, time; t = time.perf_counter(); from summarizer.cli import run; "
            "sys.argv = ['summarizer', 'ledger', sys.argv[1], '--format', sys.argv[2], '--out', sys.argv[3]]\n"
            "try:\n    run()\nexcept SystemExit:\n    pass\n"
            "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, file=sys.stderr)"
        )]
        for fmt in ("json", "html"):
            out = Path(folder) / f"ledger.{fmt}"
            pin = ["taskset", "-c", "0"] if os.path.exists("/usr/bin/taskset") else []
            started = time.perf_counter()
            done = subprocess.run([*pin, *command, str(records), fmt, str(out)], capture_output=True, text=True,
                                  check=True)
            wall = time.perf_counter() - started
            inner, rss = (float(x) for x in done.stderr.strip().splitlines()[-1].split())
            print(f"| {n:,} records ({size / 1e6:.0f} MB) | --format {fmt} | {wall:.1f} s wall ({inner:.1f} s in the "
                  f"command) | max RSS {rss:.0f} MB | {out.stat().st_size / 1e6:.1f} MB written |")


# HAND-WRITTEN: (measure, unit), (measure, unit), whether they count the same group.
WORDING: list[tuple[tuple[str, str | None], tuple[str, str | None], bool]] = [
    (("Russian troops killed or wounded", "troops"), ("Russian military casualties", None), True),
    (("Russian soldiers killed or injured", "soldiers"), ("casualties among Russian forces", None), True),
    (("Ukrainian civilians killed", "civilians"), ("Ukrainian civilian deaths", None), True),
    (("Ukrainian civilians killed", "civilians"), ("civilian death toll in Ukraine", None), False),  # a place, not a people
    (("people displaced from Kherson", "people"), ("Kherson residents who have fled", "residents"), True),
    (("Gazans displaced", "people"), ("displaced Gaza residents", "residents"), False),  # "Gazans" is not folded to Gaza
    (("Israeli hostages held in Gaza", "hostages"), ("hostages held in Gaza", "people"), False),
    (("Ukrainian prisoners of war", "prisoners"), ("captured Ukrainian soldiers", "soldiers"), False),
    (("Russian tanks destroyed", "tanks"), ("Russian tanks destroyed", "tanks"), True),
    (("Russian tanks destroyed", "tanks"), ("Russian tanks lost", "tanks"), False),  # other words, no outcome
    (("Sudanese killed in El Fasher", "people"), ("deaths in El Fasher", None), False),
    (("Palestinians killed in Gaza", "people"), ("Palestinian deaths in Gaza", None), True),
    (("Palestinians killed in Gaza", "people"), ("Palestinians wounded in Gaza", "people"), False),
    (("Russian soldiers killed", "soldiers"), ("Russian soldiers killed or wounded", "soldiers"), False),
    (("Ukrainian soldiers killed", "soldiers"), ("Russian soldiers killed", "soldiers"), False),
    (("Ukrainian civilians killed", "civilians"), ("Ukrainian soldiers killed", "soldiers"), False),
    (("refugees who have left Ukraine", "refugees"), ("Ukrainians who have fled the country", "people"), True),
    (("Israeli soldiers killed in Gaza", "soldiers"), ("IDF troops killed in Gaza", "troops"), False),  # "IDF" is no demonym
    (("Russian war dead", None), ("Russian fatalities", None), True),
    (("annual inflation", "percent"), ("inflation rate", "percent"), False),
    (("cost of the war to Lusarra", "USD"), ("Lusarra's war costs", "USD"), True),
    (("aid pledged to Ukraine", "USD"), ("aid pledged to Ukraine", "EUR"), False),
]


def wording() -> None:
    same = [p for p in WORDING if p[2]]
    apart = [p for p in WORDING if not p[2]]
    joined = [p for p in same if measure_key(*p[0]) == measure_key(*p[1])]
    merged = [p for p in apart if measure_key(*p[0]) == measure_key(*p[1])]
    print(f"## Hand-written wording pairs: {len(WORDING)}\n")
    print(f"- same group, joined: {len(joined)}/{len(same)}")
    print(f"- different groups (or not provably the same), kept apart: {len(apart) - len(merged)}/{len(apart)}")
    for (a, b, _) in [p for p in same if p not in joined]:
        print(f"  - not joined: {a[0]!r} / {b[0]!r}")
    for (a, b, _) in merged:
        print(f"  - MERGED: {a[0]!r} / {b[0]!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    sub.add_parser("dates")
    led = sub.add_parser("ledger")
    led.add_argument("--records")
    sc = sub.add_parser("scale")
    sc.add_argument("--records", type=int, default=10_000)
    sub.add_parser("wording")
    args = parser.parse_args()
    if args.what == "dates":
        dates()
    elif args.what == "wording":
        wording()
    elif args.what == "ledger":
        ledger_scores(args.records)
    else:
        scale(args.records)


if __name__ == "__main__":
    main()
