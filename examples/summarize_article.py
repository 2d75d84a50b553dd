"""Summarize one article file and print the result.

    python examples/summarize_article.py seeds/ap-2022-11-milley-ukraine-casualties-peace-talks.txt --model local
    python examples/summarize_article.py article.txt                      # OPENAI_API_KEY set
    python examples/summarize_article.py article.txt --model llama3.2 --base-url http://127.0.0.1:11434/v1
    python examples/summarize_article.py article.txt --json               # the full JSON, provenance included
    python examples/summarize_article.py article.txt --grounding flag     # keep unsupported items, marked
    python examples/summarize_article.py article.txt --published 2022-11-10   # "said Tuesday" -> 2022-11-08
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from summarizer import (
    Actor,
    ArticleSummary,
    Figure,
    KeyClaim,
    PeaceTalkCondition,
    Summarizer,
    SummarizerError,
)


def where(item: KeyClaim | Figure | Actor | PeaceTalkCondition) -> str:
    if item.span is None:
        return f"NOT IN THE ARTICLE: {item.grounding_error}"
    return f"chars {item.span.start}-{item.span.end}, {item.span.match}"


def when(item: KeyClaim | Figure | PeaceTalkCondition) -> str:
    """ "2022-11-08, 'Tuesday'", "2022-11-07 to 2022-11-10, 'this week'", or "" when the item has no date."""
    w = item.when
    if w is None or (w.date is None and w.text is None):
        return ""
    day = "undated" if w.first is None else w.first.isoformat() + (f" to {w.last}" if w.last != w.first else "")
    return f" on {day}" + (f", {w.text!r}" if w.text else " (the article's date)")


def show(summary: ArticleSummary) -> None:
    print(f"# {summary.headline or '(no headline)'}\n\n{summary.summary}\n")
    print("## Figures")
    for f in summary.figures:
        amount = f"{f.low:g}-{f.high:g}" if f.value is None else f"{f.value:g}"
        print(f"- {f.text!r} = {amount} ({f.qualifier.value}, {f.unit or 'no unit'}): {f.measure}"
              f" [{f.reported_by or 'article'}{when(f)}]\n    “{f.quote}” ({where(f)})")
    print("## Key claims")
    for c in summary.key_claims:
        print(f"- {c.statement} [{c.speaker or 'article'}{', hedged' if c.hedged else ''}{when(c)}]\n"
              f"    “{c.quote}” ({where(c)})")
    print("## Actors")
    for a in summary.actors:
        print(f"- {a.name} ({a.kind.value}{', ' + a.role if a.role else ''}) ({where(a)})")
    print("## Conditions for peace talks")
    for p in summary.peace_talk_conditions:
        print(f"- {p.set_by}: {p.condition} [{when(p).strip() or 'undated'}]\n    “{p.quote}” ({where(p)})")
    if report := summary.grounding:
        print(f"\nGrounding ({report.policy}): {report.describe()}")
        for issue in report.issues:
            print(f"- {'dropped' if issue.dropped else 'flagged'} {issue.path}: {issue.reason}: “{issue.quote}”")
    if prov := summary.provenance:
        print(
            f"\n{prov.model} at {prov.endpoint}: {prov.usage.total_tokens} tokens "
            f"({prov.usage.prompt_tokens} in, {prov.usage.completion_tokens} out), "
            f"{prov.attempts} attempt(s), {prov.latency_s:.1f} s"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="a UTF-8 text file holding one article")
    parser.add_argument("--model", help='model name, or "local" for the embedded offline model')
    parser.add_argument("--base-url", help="an OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1")
    parser.add_argument("--json", action="store_true", help="print the JSON instead of a readable summary")
    parser.add_argument("--published", help="the article's date (YYYY-MM-DD): its date words are read against it")
    parser.add_argument(
        "--grounding", choices=["reask", "flag", "drop"], help="what to do with items the article does not support"
    )
    args = parser.parse_args(argv)

    try:
        text = args.path.read_text(encoding="utf-8")
        with Summarizer(args.model, base_url=args.base_url, grounding=args.grounding) as summarizer:
            summary = summarizer.summarize(text, published=args.published)
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: cannot read {args.path}: {exc}", file=sys.stderr)
        return 2
    except SummarizerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(summary.model_dump_json(indent=2))
    else:
        show(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
