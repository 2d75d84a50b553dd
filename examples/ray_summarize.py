"""Summarize a folder of articles with Ray Data: one Summarizer per actor, requests concurrent in each.

    python examples/ray_summarize.py seeds/ --model gpt-4.1-mini             # OPENAI_API_KEY set
    python examples/ray_summarize.py seeds/ --model m --base-url http://127.0.0.1:8000/v1   # vLLM, Ollama, ...
    python examples/ray_summarize.py seeds/ --address ray://head:10001 ...   # a cluster instead of a local Ray

Writes one JSON line per article to --out (id, ok, summary, error) in the articles' order.
Needs the [ray] extra: pip install "summarizer[ray]".
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import ray

from summarizer import read_article
from summarizer.ray import Summarize


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--model", required=True)
    parser.add_argument("--base-url")
    parser.add_argument("--address", help="A Ray cluster's address; default: a local Ray on this machine's CPUs.")
    parser.add_argument("--actors", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("summaries.jsonl"))
    args = parser.parse_args()

    rows = [{"id": path.name, "text": read_article(path)} for path in sorted(args.folder.glob("*.txt"))]
    ray.init(address=args.address, include_dashboard=False, log_to_driver=False, configure_logging=False)
    ray.data.DataContext.get_current().execution_options.preserve_order = True
    options = {"model": args.model, "base_url": args.base_url, "concurrency": 8}
    out = ray.data.from_items(rows).map_batches(
        Summarize, fn_constructor_kwargs=options, concurrency=args.actors, batch_size=16, num_cpus=0.5
    ).take_all()
    with args.out.open("w", encoding="utf-8") as handle:
        for row in out:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    ok = sum(row["ok"] for row in out)
    print(f"{ok} of {len(out)} articles summarized; written to {args.out}")
    ray.shutdown()


if __name__ == "__main__":
    main()
