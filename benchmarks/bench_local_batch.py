"""Several articles through the embedded model: server slots and concurrency (a script, not a test).

Runs ``summarize_many`` over the gold articles in ``seeds/`` with ``model="local"``
(or ``--model``), the cache off, once per ``CONCURRENCY:SLOTS`` pair, each pair on a
fresh server, and prints the wall time, the tokens, and the time per article. The
server keeps the prompt prefix of each slot (``cache_prompt``), so the instructions and
schema shared by every article are processed once per slot.

    python benchmarks/bench_local_batch.py [--model local] [--runs 1:1 2:2]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer import LocalModelWarning, summarize_many
from summarizer.transport import local


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="local")
    parser.add_argument("--runs", nargs="+", default=["1:1", "2:2"], help="CONCURRENCY:SLOTS pairs")
    args = parser.parse_args()
    articles = sorted((ROOT / "seeds").glob("*.txt"))
    warnings.simplefilter("ignore", LocalModelWarning)
    print(f"{len(articles)} articles, model={args.model!r}\n")
    print("| concurrency | slots | wall | per article | prompt tokens | completion tokens | failed |")
    print("|---|---|---|---|---|---|---|")
    for run in args.runs:
        concurrency, slots = (int(part) for part in run.split(":"))
        local.local_server(args.model, slots=slots)  # started before the clock: start-up is not the batch's
        started = time.perf_counter()
        results = summarize_many(articles, model=args.model, concurrency=concurrency, local_slots=slots,
                                 cache=False, progress=False)
        wall = time.perf_counter() - started
        prompt = completion = 0
        for result in results:
            provenance = getattr(result.summary, "provenance", None)
            if provenance is not None:
                prompt += provenance.usage.prompt_tokens
                completion += provenance.usage.completion_tokens
        failed = sum(not result.ok for result in results)
        print(f"| {concurrency} | {slots} | {wall:.1f} s | {wall / len(articles):.1f} s | {prompt:,} | "
              f"{completion:,} | {failed} |", flush=True)
        local.stop_all()


if __name__ == "__main__":
    main()
