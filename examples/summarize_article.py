"""Summarize one article file and print the result.

    python examples/summarize_article.py seeds/ap-2022-11-milley-ukraine-casualties-peace-talks.txt --model local
    python examples/summarize_article.py article.txt                      # OPENAI_API_KEY set
    python examples/summarize_article.py article.txt --model llama3.2 --base-url http://127.0.0.1:11434/v1
    python examples/summarize_article.py article.txt --json               # the full JSON, provenance included
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from summarizer import ArticleSummary, Summarizer, SummarizerError


def show(summary: ArticleSummary) -> None:
    print(f"# {summary.headline or '(no headline)'}\n\n{summary.summary}\n")
    print("## Figures")
    for f in summary.figures:
        amount = f"{f.low:g}-{f.high:g}" if f.value is None else f"{f.value:g}"
        print(f"- {f.text!r} = {amount} ({f.qualifier.value}, {f.unit or 'no unit'}): {f.measure}"
              f" [{f.reported_by or 'article'}]\n    “{f.quote}”")
    print("## Key claims")
    for c in summary.key_claims:
        print(f"- {c.statement} [{c.speaker or 'article'}{', hedged' if c.hedged else ''}]\n    “{c.quote}”")
    print("## Actors")
    for a in summary.actors:
        print(f"- {a.name} ({a.kind.value}{', ' + a.role if a.role else ''})")
    print("## Conditions for peace talks")
    for p in summary.peace_talk_conditions:
        print(f"- {p.set_by}: {p.condition}\n    “{p.quote}”")
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
    args = parser.parse_args(argv)

    try:
        text = args.path.read_text(encoding="utf-8")
        with Summarizer(args.model, base_url=args.base_url) as summarizer:
            summary = summarizer.summarize(text)
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
