"""A spending limit at scale (a script, not a test): 1,000 articles, a budget of 300 requests, then a resume.

Uses the loopback server of ``bench_batch.py`` (a child process answering every
request with the same HAND-WRITTEN tool call after ``--delay``, counting what it
serves). Measures, against the server's own count:

1. ``summarize_many(..., output=records.jsonl, max_requests=300)``: requests served,
   lines recorded, how many say the budget ran out;
2. the same call again without a budget: requests served, whether any article was
   sent twice across the two runs (each article's text is distinct), lines recorded.

    python benchmarks/bench_budget.py [--n 1000] [--budget 300] [--delay 0.05] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_batch import article, requests_served


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--budget", type=int, default=300)
    parser.add_argument("--delay", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()

    from summarizer import summarize_many

    child = subprocess.Popen([sys.executable, str(Path(__file__).with_name("bench_batch.py")), "--serve"],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        port = int(child.stdout.readline())
        base = f"http://127.0.0.1:{port}/d{round(args.delay * 1000)}/v1"
        items = [(f"a{i:05d}", article(i)) for i in range(args.n)]
        options = {"model": "bench", "base_url": base, "api_key": "placeholder-bench", "grounding": "drop",
                   "cache": False, "progress": False, "concurrency": args.concurrency}
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "records.jsonl"
            started = time.perf_counter()
            first = summarize_many(items, output=out, max_requests=args.budget, **options)
            wall = time.perf_counter() - started
            served = requests_served(port)
            lines = out.read_text(encoding="utf-8").splitlines()
            spent = sum(1 for r in first if r.error is not None and r.error.type == "BudgetExhaustedError")
            print(f"run 1: {args.n} articles, max_requests={args.budget}: {served} requests served, "
                  f"{sum(r.ok for r in first)} ok, {spent} recorded as BudgetExhaustedError, "
                  f"{len(lines)} lines in the records file, {wall:.1f} s")
            ok_first = {r.id for r in first if r.ok}

            started = time.perf_counter()
            second = summarize_many(items, output=out, **options)
            wall = time.perf_counter() - started
            served_again = requests_served(port) - served
            resent = sum(1 for r in second if r.id in ok_first and not r.resumed)
            records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
            print(f"run 2 (resume, no budget): {served_again} requests served, {sum(r.ok for r in second)} ok, "
                  f"{sum(r.resumed for r in second)} read back from the file, {resent} of run 1's successes "
                  f"sent again, {len(records)} lines, {len({r['id'] for r in records})} distinct ids, {wall:.1f} s")
            print(f"total requests across both runs: {served + served_again} for {args.n} articles")
    finally:
        child.terminate()
        child.wait()


if __name__ == "__main__":
    main()
