"""Line up the figures of many summarized articles: one row per measure, where sources disagree.

    summarizer summarize articles/ --format jsonl --out records.jsonl --published 2026-03-16
    python examples/ledger_of_articles.py records.jsonl
    python examples/ledger_of_articles.py records.jsonl more.jsonl --html ledger.html

The records files are what `summarizer summarize --format jsonl`, `summarize_many(output=...)`
and `summarizer batch ingest` write. Only figures that passed every check are entered.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from summarizer import Ledger, SummarizerError, ledger


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("records", nargs="+", type=Path, help="records files (JSON Lines)")
    parser.add_argument("--html", type=Path, help="also write the HTML page, with a chart per measure, here")
    args = parser.parse_args(argv)
    try:
        built = ledger(args.records)
    except SummarizerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    with built:  # a large ledger keeps its entries in a temporary file until closed
        return show(built, args.html)


def show(built: Ledger, html: Path | None) -> int:
    print(f"{len(built.rows)} measures, {built.figures} grounded figures, {built.articles} articles\n")
    for row in built.rows:
        print(f"{row.measure} ({row.unit}){'  <- sources disagree' if row.disagree else ''}")
        for e in row.entries:
            day = e.day.isoformat() if e.day else "undated"
            print(f"  {day}  {e.text:>24}  {e.source or 'the article'}  [{e.article}]")
        if row.conservative is not None:
            lowest = row.conservative.entry
            print(f"  lowest: {row.conservative.value:,.0f} ({lowest.source or lowest.article})")
        for a, b in row.conflicts:
            print(f"  disagree: {a.text} ({a.source}) against {b.text} ({b.source})")
        print()
    if html is not None:
        if html.exists():
            print(f"error: {html} exists; choose another name", file=sys.stderr)
            return 2
        with html.open("x", encoding="utf-8") as out:  # "x": never over a file that appeared meanwhile
            built.write(out, "html")
        print(f"wrote {html}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
