"""Batch files and Ray Data, timed: prepare N articles, ingest N answers, and Ray against summarize_many.

    python benchmarks/bench_batch_files.py files --articles 10000     # prepare + ingest, no server
    python benchmarks/bench_batch_files.py ray --rows 400             # Ray on 2 CPUs vs summarize_many
    python benchmarks/bench_batch_files.py pool --articles 240        # summarize_many, processes=1 vs 2
    python benchmarks/bench_batch_files.py ground --articles 400      # grounding alone [--profile]

``files``: N articles made from the four gold articles in ``seeds/`` (each with its
own reference line, so every one is a distinct text), prepared for gpt-4.1-mini
(nothing is sent), then answered with HAND-WRITTEN answers (the article's own gold
annotation, so every item is grounded for real) and ingested: parse, grounding, field
checks, coverage, records written, one at a time (``iter_ingest``). ``ray``: the same rows through
``Dataset.map_batches(Summarize)`` on a local Ray (2 CPUs, 2 actors, 8 requests each
in flight) and through ``summarize_many`` (16 in flight), against one loopback server
that answers every request after ``--delay`` seconds, as a remote model would.
``ground``: grounding alone (``grounding.ground``, every check, dates included), the
four gold answers on N distinct copies of their articles, no parsing and no files; with
``--profile``, cProfile's top entries by own time.
``pool``: the same server at ``--delay 0`` (the endpoint is never the limit, the
CPU is), ``summarize_many`` with ``concurrency=16`` and ``grounding="drop"`` (one
request an article) in one process, then with ``processes=2`` (two worker processes
of 8 in flight each; their start-up included).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import json
import pstats
import resource
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer import ArticleSummary, batch_prepare, iter_ingest, summarize_many

SEEDS = ROOT / "seeds"
KEY = "placeholder-no-request-is-sent"


def _golds() -> list[tuple[str, str, dict[str, Any]]]:
    out = []
    for gold in sorted(SEEDS.glob("*.gold.json")):
        text = gold.with_name(gold.name.replace(".gold.json", ".txt")).read_text("utf-8")
        raw = json.loads(gold.read_text("utf-8"))
        answer: dict[str, Any] = {"headline": raw.get("headline"), "summary": raw.get("summary") or "A summary."}
        for name in ("key_claims", "figures", "actors", "peace_talk_conditions"):
            answer[name] = [{k: v for k, v in item.items() if k not in ("span", "aliases", "when")} for item in raw[name]]
        out.append((gold.name.removesuffix(".gold.json"), text, answer))
    return out


def _completion(arguments: dict[str, Any]) -> dict[str, Any]:
    """HAND-WRITTEN: a chat completion whose tool call carries ``arguments``."""
    call = {"id": "call_bench", "type": "function", "function": {"name": "ArticleSummary", "arguments": json.dumps(arguments)}}
    return {"id": "bench", "object": "chat.completion", "created": 0, "model": "bench",
            "choices": [{"index": 0, "finish_reason": "tool_calls",
                         "message": {"role": "assistant", "content": None, "tool_calls": [call]}}],
            "usage": {"prompt_tokens": 2000, "completion_tokens": 500, "total_tokens": 2500}}


def files(n: int) -> None:
    golds = _golds()
    articles = [(f"a{i:05d}", f"{golds[i % 4][1]}\nRef. {i:05d}") for i in range(n)]
    answer_of = {name: _completion(answer) for name, _, answer in golds}
    with tempfile.TemporaryDirectory() as folder:
        where = Path(folder)
        started = time.perf_counter()
        prepared = batch_prepare(articles, where / "requests.jsonl", model="gpt-4.1-mini", api_key=KEY)
        prepare_s = time.perf_counter() - started
        size = prepared.requests.stat().st_size + prepared.articles.stat().st_size
        with (where / "results.jsonl").open("w", encoding="utf-8") as out, prepared.requests.open(encoding="utf-8") as lines:
            for i, line in enumerate(lines):
                request = json.loads(line)
                body = answer_of[golds[int(request["custom_id"][1:6]) % 4][0]]
                out.write(json.dumps({"id": f"r{i}", "custom_id": request["custom_id"], "error": None,
                                      "response": {"status_code": 200, "body": body}}) + "\n")
        started = time.perf_counter()
        ok = grounded = items = 0
        for record in iter_ingest(prepared.requests, where / "results.jsonl", where / "records.jsonl"):
            report = record.summary.grounding if isinstance(record.summary, ArticleSummary) else None
            ok += record.ok
            grounded += report.grounded if report else 0
            items += report.checked if report else 0
        ingest_s = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"| {n:,} articles | prepare {prepare_s:.1f} s ({prepare_s / n * 1000:.1f} ms each, {size / 1e6:.0f} MB written) "
          f"| ingest {ingest_s:.1f} s ({ingest_s / n * 1000:.1f} ms each) | {ok:,} ok, {grounded:,}/{items:,} items "
          f"grounded | max RSS {peak:.0f} MB |")


class _Handler(BaseHTTPRequestHandler):
    delay = 0.2
    answer: bytes = b""

    def do_POST(self) -> None:  # http.server calls it by this name
        self.rfile.read(int(self.headers["Content-Length"]))
        time.sleep(self.delay)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.answer)))
        self.end_headers()
        self.wfile.write(self.answer)

    def log_message(self, *args: Any) -> None:
        pass


def ray_vs_many(rows: int, delay: float) -> None:
    import ray

    from summarizer.ray import Summarize

    name, text, answer = _golds()[0]
    _Handler.delay, _Handler.answer = delay, json.dumps(_completion(answer)).encode()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base_url = f"http://127.0.0.1:{server.server_port}/v1"
    options = {"model": "bench-model", "base_url": base_url, "max_retries": 0}
    items = [{"id": f"{name}-{i}", "text": f"{text}\nRef. {i:05d}"} for i in range(rows)]

    started = time.perf_counter()
    many = summarize_many([(r["id"], r["text"]) for r in items], concurrency=16, cache=False, **options)
    many_s = time.perf_counter() - started

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    started = time.perf_counter()
    ds = ray.data.from_items(items, override_num_blocks=8)
    out = ds.map_batches(Summarize, fn_constructor_kwargs={**options, "concurrency": 8}, concurrency=2,
                         batch_size=25, num_cpus=1).take_all()
    ray_s = time.perf_counter() - started
    ray.shutdown()
    server.shutdown()
    print(f"| {rows} rows, {delay:g} s a request | summarize_many (16 in flight): {many_s:.1f} s, "
          f"{rows / many_s:.1f} rows/s, {sum(r.ok for r in many)} ok | Ray (2 actors x 8): {ray_s:.1f} s, "
          f"{rows / ray_s:.1f} rows/s, {sum(r['ok'] for r in out)} ok (Ray start-up excluded) |")


def _serve(delay: float) -> tuple[ThreadingHTTPServer, str, str, str]:
    """The loopback server answering every request with the first gold's annotation; (server, base URL, name, text)."""
    name, text, answer = _golds()[0]
    _Handler.delay, _Handler.answer = delay, json.dumps(_completion(answer)).encode()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/v1", name, text


def pool(n: int, delay: float) -> None:
    server, base_url, name, text = _serve(delay)
    # "drop": every check runs, and what fails is dropped, not re-asked: one request an article (the answer's
    # placeholder summary, "A summary.", is supported by no sentence and would be re-asked twice).
    options = {"model": "bench-model", "base_url": base_url, "max_retries": 0, "cache": False, "concurrency": 16,
               "grounding": "drop"}
    items = [(f"{name}-{i}", f"{text}\nRef. {i:05d}") for i in range(n)]
    cells = []
    for processes in (1, 2):
        started = time.perf_counter()
        results = summarize_many(items, processes=processes, **options)
        wall = time.perf_counter() - started
        cells.append(f"processes={processes}: {wall:.1f} s, {n / wall:.1f} articles/s, {sum(r.ok for r in results)} ok")
    server.shutdown()
    print(f"| {n} articles, {delay:g} s a request | " + " | ".join(cells) + " |")


def ground_only(n: int, profile: bool) -> None:
    from summarizer import ArticleSummary
    from summarizer.grounding import ground

    golds = [(text, ArticleSummary.model_validate(answer)) for _, text, answer in _golds()]
    items = sum(len(a.key_claims) + len(a.figures) + len(a.actors) + len(a.peace_talk_conditions) for _, a in golds)
    for text, answer in golds:  # warm: word lists, lemma dictionary, compiled patterns
        ground(answer, f"{text}\nWarm-up.")
    profiler = cProfile.Profile()
    started = time.perf_counter()
    with profiler if profile else contextlib.nullcontext():
        for i in range(n):
            text, answer = golds[i % 4]
            ground(answer, f"{text}\nRef. {i:05d}")
    ms = (time.perf_counter() - started) / n * 1000
    print(f"| {n:,} articles | {ms:.1f} ms an article | {ms / (items / 4):.2f} ms an item ({items / 4:.1f} items "
          f"an answer) |{' (under cProfile)' if profile else ''}")
    if profile:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    f = sub.add_parser("files")
    f.add_argument("--articles", type=int, default=10_000)
    r = sub.add_parser("ray")
    r.add_argument("--rows", type=int, default=400)
    r.add_argument("--delay", type=float, default=0.2)
    p = sub.add_parser("pool")
    p.add_argument("--articles", type=int, default=240)
    p.add_argument("--delay", type=float, default=0.0)
    g = sub.add_parser("ground")
    g.add_argument("--articles", type=int, default=400)
    g.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    if args.command == "files":
        files(args.articles)
    elif args.command == "ground":
        ground_only(args.articles, args.profile)
    elif args.command == "pool":
        pool(args.articles, args.delay)
    else:
        ray_vs_many(args.rows, args.delay)


if __name__ == "__main__":
    main()
