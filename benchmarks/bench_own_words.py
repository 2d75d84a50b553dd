"""Own words: does grounding catch wrong statements, measures, units, roles and conditions, and keep right ones?

A script, not a test. ``benchmarks/own_words/answers.json`` holds hand-written answers
to the six articles of ``seeds/`` and three of ``../shared/articles``, each labelled by
kind: wrong ones, where everything the library checks today is right (the quote, the
figure's text, value and qualifier, the speaker, the name, the hedge) and only the
model's own words are wrong (a statement with another number, a measure of another
group, a reversed condition, a summary that stops mid-way, ...), and right ones, natural
paraphrases a careful reader would accept. The data was written without looking at how
the checks of the model's own words are implemented.

Each case is grounded on its own (``ground(result, text, policy="flag")``, a result
holding that one item, or for a summary case only that summary). A wrong case is
*caught* when its item is not grounded (for a summary, when the report has an issue at
``summary``); a right case is *kept* when it is grounded and *refused* otherwise.
Printed: a table of wrong kinds (caught / missed) and one of right kinds (kept /
refused), then every miss and every false refusal with the failed checks' details.

    python benchmarks/bench_own_words.py                    # the quotes as written
    python benchmarks/bench_own_words.py --mode sentence    # each quote widened to its whole sentence(s), cited
    python benchmarks/bench_own_words.py --gold             # every item of seeds/*.gold.json as a right case
    python benchmarks/bench_own_words.py --json /tmp/own-words.json

Cases on ``../shared/articles`` (real third-party articles, never copied here) give an
``anchor`` of a few consecutive words instead of a quote: the quote is the article's
sentence holding it (``summarizer.sentences``). They are skipped, with a note, when
``../shared`` is absent.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from summarizer import ArticleSummary
from summarizer.grounding import ground
from summarizer.grounding.align import locate
from summarizer.schema import Actor, Figure, KeyClaim, PeaceTalkCondition, Span
from summarizer.sentences import sentences

ROOT = Path(__file__).resolve().parent.parent
ANSWERS = ROOT / "benchmarks" / "own_words" / "answers.json"
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"
ITEMS: dict[str, type[BaseModel]] = {
    "key_claims": KeyClaim,
    "figures": Figure,
    "actors": Actor,
    "peace_talk_conditions": PeaceTalkCondition,
}
LISTS = (*ITEMS, "summary")
PLACEHOLDER = "An item case: its summary is not judged."


@dataclass
class Outcome:
    """One case, grounded."""

    id: str
    kind: str
    expect: str
    list: str
    grounded: bool
    details: list[str] = field(default_factory=list)
    own_words: str = ""
    why: str = ""


def article_path(name: str) -> Path:
    """``seeds/NAME.txt`` is the repository's; ``shared/articles/NAME.txt`` is beside it, in ``../shared``."""
    return ROOT.parent / name if name.startswith("shared/") else ROOT / name


def sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The whole sentence(s) of ``text`` that ``text[start:end]`` touches."""
    touched = sentences(text).around(start, end)
    if not touched:
        return start, end
    return touched[0].start, touched[-1].end


def anchored_quote(text: str, anchor: str) -> str:
    """The article's sentence that holds ``anchor`` (a few consecutive words of it)."""
    at = text.find(anchor)
    if at < 0:
        raise ValueError(f"anchor not in the article: {anchor!r}")
    lo, hi = sentence_span(text, at, at + len(anchor))
    return text[lo:hi]


def build(case_list: str, fields: dict[str, Any], text: str, mode: str) -> tuple[ArticleSummary, BaseModel | None, bool]:
    """(result holding the case, the item or None for a summary case, whether its quote is a cited sentence)."""
    empty: dict[str, Any] = {"headline": None, "key_claims": [], "figures": [], "actors": [], "peace_talk_conditions": []}
    if case_list == "summary":
        return ArticleSummary(summary=fields["summary"], **empty), None, False
    values = {k: v for k, v in fields.items() if k not in ("anchor", "aliases", "span")}
    if "anchor" in fields:
        values["quote"] = anchored_quote(text, fields["anchor"])
    cited = False
    span: Span | None = None
    if mode == "sentence":
        found = locate(text, values["quote"])
        if found is None:
            raise ValueError(f"quote not in the article: {values['quote'][:80]!r}")
        lo, hi = sentence_span(text, found.start, found.end)
        values["quote"] = text[lo:hi]
        span = Span(start=lo, end=hi, match="exact")
        cited = True
    item = ITEMS[case_list].model_validate(values)
    if span is not None:
        object.__setattr__(item, "span", span)  # as grounding.cite.fill does: ground() trusts a span whose text is the quote
    result = ArticleSummary(summary=PLACEHOLDER, **empty)
    getattr(result, case_list).append(item)
    return result, item, cited


OWN_WORDS = {
    "key_claims": ("statement",),
    "figures": ("measure", "unit"),
    "actors": ("role", "affiliation"),
    "peace_talk_conditions": ("condition", "to_be_met_by"),
    "summary": ("summary",),
}


def judge(case: dict[str, Any], text: str, mode: str) -> Outcome:
    """Ground one case and say whether the library kept it, with the reasons when it did not."""
    fields = case["item"]
    result, item, cited = build(case["list"], fields, text, mode)
    report = ground(result, text, policy="flag", cited=cited)
    if item is None:
        issues = [i for i in report.issues if i.path.startswith("summary")]
        grounded = not issues
        details = [f"{i.path}: {i.reason}" for i in issues]
    else:
        grounded = bool(getattr(item, "grounded", False))
        failed = item.failed_checks() if hasattr(item, "failed_checks") else []
        details = [f"{c.field}: {c.detail or 'failed'}" for c in failed]
    own = "; ".join(f"{k}={fields.get(k)!r}" for k in OWN_WORDS[case["list"]] if k in fields)
    return Outcome(case["id"], case["kind"], case["expect"], case["list"], grounded, details, own, case.get("why", ""))


def load_cases(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """The cases whose article is here, and the names of the articles skipped."""
    cases = json.loads(path.read_text(encoding="utf-8"))
    kept, skipped = [], []
    for case in cases:
        if case["article"].startswith("shared/") and not article_path(case["article"]).exists():
            skipped.append(case["article"])
            continue
        kept.append(case)
    return kept, skipped


def gold_cases() -> list[dict[str, Any]]:
    """Every annotation of every ``seeds/*.gold.json`` as a right case.

    The files are read as they are, not through ``load_gold``, which refuses a gold file any of whose items fails.
    """
    cases = []
    for path in sorted(SEEDS.glob("*.gold.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        name = path.name.removesuffix(".gold.json")
        for lst in ITEMS:
            for i, item in enumerate(raw.get(lst, [])):
                cases.append({"id": f"{name}:{lst}[{i}]", "article": f"seeds/{name}.txt", "kind": f"gold {lst}",
                              "expect": "right", "list": lst, "item": item, "why": "gold annotation"})
        if raw.get("summary"):
            cases.append({"id": f"{name}:summary", "article": f"seeds/{name}.txt", "kind": "gold summary",
                          "expect": "right", "list": "summary", "item": {"summary": raw["summary"]}, "why": "gold summary"})
    return cases


def run(cases: list[dict[str, Any]], mode: str) -> list[Outcome]:
    texts: dict[str, str] = {}
    out = []
    for case in cases:
        name = case["article"]
        if name not in texts:
            texts[name] = article_path(name).read_text(encoding="utf-8")
        out.append(judge(case, texts[name], mode))
    return out


def tables(outcomes: list[Outcome]) -> str:
    lines: list[str] = []
    wrong = [o for o in outcomes if o.expect == "wrong"]
    right = [o for o in outcomes if o.expect == "right"]
    if wrong:
        lines += ["| wrong kind | cases | caught | kept (missed) | caught share |", "|---|---|---|---|---|"]
        for kind in dict.fromkeys(o.kind for o in wrong):
            group = [o for o in wrong if o.kind == kind]
            caught = sum(not o.grounded for o in group)
            lines.append(f"| {kind} | {len(group)} | {caught} | {len(group) - caught} | {caught / len(group):.0%} |")
        caught = sum(not o.grounded for o in wrong)
        lines.append(f"| **all wrong** | {len(wrong)} | {caught} | {len(wrong) - caught} | {caught / len(wrong):.0%} |")
        lines.append("")
    if right:
        lines += ["| right kind | cases | kept | refused | kept share |", "|---|---|---|---|---|"]
        for kind in dict.fromkeys(o.kind for o in right):
            group = [o for o in right if o.kind == kind]
            kept = sum(o.grounded for o in group)
            lines.append(f"| {kind} | {len(group)} | {kept} | {len(group) - kept} | {kept / len(group):.0%} |")
        kept = sum(o.grounded for o in right)
        lines.append(f"| **all right** | {len(right)} | {kept} | {len(right) - kept} | {kept / len(right):.0%} |")
    return "\n".join(lines)


def failures(outcomes: list[Outcome]) -> str:
    lines: list[str] = []
    misses = [o for o in outcomes if o.expect == "wrong" and o.grounded]
    refusals = [o for o in outcomes if o.expect == "right" and not o.grounded]
    lines.append(f"Misses (wrong answers kept): {len(misses)}")
    for o in misses:
        lines.append(f"- {o.id} [{o.kind}] {o.own_words[:160]}" + (f" ({o.why})" if o.why else ""))
    lines.append(f"\nFalse refusals (right answers refused): {len(refusals)}")
    for o in refusals:
        lines.append(f"- {o.id} [{o.kind}] " + " | ".join(o.details))
    return "\n".join(lines)


def figures(outcomes: list[Outcome]) -> dict[str, Any]:
    """Counts per kind, and every miss and refusal, for --json."""
    per: dict[str, dict[str, Any]] = {}
    for o in outcomes:
        entry = per.setdefault(o.kind, {"expect": o.expect, "cases": 0, "grounded": 0})
        entry["cases"] += 1
        entry["grounded"] += int(o.grounded)
    for entry in per.values():
        if entry["expect"] == "wrong":
            entry["caught"] = entry["cases"] - entry["grounded"]
        else:
            entry["kept"], entry["refused"] = entry["grounded"], entry["cases"] - entry["grounded"]
        del entry["grounded"]
    misses = [o for o in outcomes if o.expect == "wrong" and o.grounded]
    refusals = [o for o in outcomes if o.expect == "right" and not o.grounded]
    return {
        "kinds": per,
        "misses": [{"id": o.id, "kind": o.kind, "own_words": o.own_words} for o in misses],
        "refusals": [{"id": o.id, "kind": o.kind, "details": o.details} for o in refusals],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--answers", type=Path, default=ANSWERS, help="the cases (default: benchmarks/own_words/answers.json)")
    parser.add_argument("--mode", choices=("quote", "sentence"), default="quote",
                        help="quote: as written; sentence: each quote widened to its whole sentence(s), as cited evidence")
    parser.add_argument("--gold", action="store_true", help="also ground every annotation of seeds/*.gold.json as a right case")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the figures here")
    args = parser.parse_args(argv)

    cases, skipped = load_cases(args.answers)
    if skipped:
        print(f"note: {len(skipped)} case(s) on {len(set(skipped))} shared article(s) skipped: {SHARED} is absent")
    counts = Counter(c["article"] for c in cases)
    print(f"mode: {args.mode}; {len(cases)} cases on {len(counts)} articles "
          f"({sum(c['expect'] == 'wrong' for c in cases)} wrong, {sum(c['expect'] == 'right' for c in cases)} right)\n")
    outcomes = run(cases, args.mode)
    print(tables(outcomes))
    print()
    print(failures(outcomes))
    out: dict[str, Any] = {"mode": args.mode, "cases": len(cases), "skipped": len(skipped), "answers": figures(outcomes)}

    if args.gold:
        gold = run(gold_cases(), args.mode)
        print("\n## Gold annotations of seeds/*.gold.json as right answers\n")
        print(tables(gold))
        refused = [o for o in gold if not o.grounded]
        print(f"\nGold refused: {len(refused)}")
        for o in refused:
            print(f"- {o.id} " + " | ".join(o.details))
        out["gold"] = figures(gold)

    if args.json:
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"\nfigures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
