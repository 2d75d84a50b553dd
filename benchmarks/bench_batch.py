"""How much the library adds on top of the model's own time (a script, not a test).

Starts a loopback OpenAI-compatible server in a child process (a threaded
``http.server``: every request is answered with the same HAND-WRITTEN, schema-valid
tool call after a fixed delay, taken from the URL path, ``/d300/v1`` = 300 ms), then
measures:

a. the overhead of one ``Summarizer.summarize`` (and ``asummarize``) call beyond the
   delay, against the floor of the raw openai client plus
   ``ArticleSummary.model_validate_json`` on the same body;
b. 200 distinct articles through ``summarize_many`` at concurrency 32;
c. the same 200 again, answered from the cache (requests counted at the server);
d. the longest article in ../shared/articles end to end (skipped when absent): chunks,
   requests and wall time. The server's one answer is not about that article, so
   this run uses ``grounding="drop"`` (its items are dropped, not re-asked).

    python benchmarks/bench_batch.py [--delay 0.3] [--n 200] [--concurrency 32] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import http.server
import json
import math
import pstats
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# HAND-WRITTEN: a schema-valid summary, not produced by any model.
BODY_SUMMARY: dict[str, Any] = {
    "headline": None,  # the articles have no headline line: one the article lacks is refused (and re-asked)
    "summary": "Officials said talks would resume in Geneva next week. As many as 40,000 civilians have been killed or wounded.",
    "key_claims": [
        {"quote": "talks would resume", "statement": "Talks will resume next week.", "speaker": "officials",
         "hedged": False}
    ],
    "figures": [
        {"quote": "as many as 40,000 civilians", "text": "as many as 40,000", "value": 40000, "low": None,
         "high": None, "qualifier": "at_most", "unit": "people", "measure": "civilians killed or wounded",
         "reported_by": None}
    ],
    "actors": [
        {"quote": "Officials said", "name": "Officials", "kind": "government", "role": None, "affiliation": None}
    ],
    "peace_talk_conditions": [],
}


def completion_body() -> bytes:
    return json.dumps({
        "id": "chatcmpl-hand-written", "object": "chat.completion", "created": 1700000000, "model": "bench",
        "choices": [{
            "index": 0, "finish_reason": "tool_calls", "logprobs": None,
            "message": {"role": "assistant", "content": None, "refusal": None, "tool_calls": [{
                "id": "call_1", "type": "function",
                "function": {"name": "ArticleSummary", "arguments": json.dumps(BODY_SUMMARY)},
            }]},
        }],
        "usage": {"prompt_tokens": 900, "completion_tokens": 200, "total_tokens": 1100},
    }).encode()


# -- the server (child process) ----------------------------------------------------


def serve() -> None:
    body = completion_body()
    count = 0
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real APIs
        disable_nagle_algorithm = True  # else headers and body wait out delayed ACKs (40 ms)

        def log_message(self, *args: object) -> None:
            pass

        def _send(self, payload: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:  # /count: chat requests served so far
            self._send(json.dumps({"count": count}).encode())

        def do_POST(self) -> None:
            nonlocal count
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with lock:
                count += 1
            delay_ms = int(self.path.split("/")[1][1:])  # /d300/v1/chat/completions
            time.sleep(delay_ms / 1000)
            self._send(body)

    class Server(http.server.ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 256

    server = Server(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


def requests_served(port: int) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/count") as response:
        return int(json.loads(response.read())["count"])


# -- measurements -------------------------------------------------------------------


def article(i: int) -> str:
    return (f"Article {i}. Officials said talks would resume in Geneva next week, and as many as "
            "40,000 civilians have been killed or wounded. ") * 20


def overhead(base: str, delay: float, calls: int) -> dict[str, float]:
    import openai

    from summarizer import ArticleSummary, Summarizer
    from summarizer.prompts import load_prompt

    summ = Summarizer("bench", base_url=base)
    raw = openai.OpenAI(api_key="x", base_url=base, max_retries=0)
    prompt = load_prompt()
    tool = {"type": "function", "function": {"name": "ArticleSummary",
                                             "parameters": ArticleSummary.model_json_schema()}}

    def floor_once(text: str) -> None:
        response = raw.chat.completions.create(
            model="bench", messages=prompt.messages(text, "0" * 64), tools=[tool],  # type: ignore[list-item]
            tool_choice={"type": "function", "function": {"name": "ArticleSummary"}},
        )
        ArticleSummary.model_validate_json(response.choices[0].message.tool_calls[0].function.arguments)  # type: ignore[index,union-attr]

    async def async_times(use_raw: bool) -> list[float]:
        times = []
        araw = openai.AsyncOpenAI(api_key="x", base_url=base, max_retries=0)
        async with Summarizer("bench", base_url=base) as asumm:
            for i in range(calls + 2):
                started = time.perf_counter()
                if use_raw:
                    response = await araw.chat.completions.create(
                        model="bench", messages=prompt.messages(article(i), "0" * 64),  # type: ignore[arg-type]
                        tools=[tool], tool_choice={"type": "function", "function": {"name": "ArticleSummary"}},  # type: ignore[list-item]
                    )
                    ArticleSummary.model_validate_json(response.choices[0].message.tool_calls[0].function.arguments)  # type: ignore[index,union-attr]
                else:
                    await asumm.asummarize(article(i))
                times.append(time.perf_counter() - started)
        await araw.close()
        return times[2:]

    def timed(fn: Any) -> list[float]:
        times = []
        for i in range(calls + 2):  # two warm-up calls (connection, schema caches)
            started = time.perf_counter()
            fn(article(i))
            times.append(time.perf_counter() - started)
        return times[2:]

    floor = timed(floor_once)
    sync = timed(summ.summarize)
    afloor = asyncio.run(async_times(use_raw=True))
    asyn = asyncio.run(async_times(use_raw=False))
    ms = {name: (statistics.median(t) - delay) * 1000 for name, t in
          (("floor", floor), ("summarize", sync), ("afloor", afloor), ("asummarize", asyn))}
    summ.close()
    raw.close()
    return ms


def raw_batch(base: str, n: int, concurrency: int) -> float:
    """The floor for (b): the raw async openai client and model_validate_json, same concurrency."""
    import openai

    from summarizer import ArticleSummary
    from summarizer.prompts import load_prompt

    prompt = load_prompt()
    tool = {"type": "function", "function": {"name": "ArticleSummary",
                                             "parameters": ArticleSummary.model_json_schema()}}

    async def run() -> float:
        client = openai.AsyncOpenAI(api_key="x", base_url=base, max_retries=0)
        gate = asyncio.Semaphore(concurrency)

        async def one(i: int) -> None:
            async with gate:
                response = await client.chat.completions.create(
                    model="bench", messages=prompt.messages(f"Raw article {i}. " + article(i), "0" * 64),  # type: ignore[arg-type]
                    tools=[tool], tool_choice={"type": "function", "function": {"name": "ArticleSummary"}},  # type: ignore[list-item]
                )
                ArticleSummary.model_validate_json(response.choices[0].message.tool_calls[0].function.arguments)  # type: ignore[index,union-attr]

        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(n)))
        wall = time.perf_counter() - started
        await client.close()
        return wall

    return asyncio.run(run())


def batch(base: str, port: int, n: int, concurrency: int, cache_dir: str, profile: bool) -> tuple[float, int]:
    from summarizer import summarize_many

    texts = [f"Batch article {i}. " + article(i) for i in range(n)]
    before = requests_served(port)
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    results = summarize_many(texts, model="bench", base_url=base, concurrency=concurrency, cache=cache_dir,
                             progress=False)
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    wall = time.perf_counter() - started
    assert all(r.ok for r in results), [r.error for r in results if r.error][:3]
    return wall, requests_served(port) - before


def long_article(base: str, port: int, path: Path) -> tuple[int, int, float, int]:
    from summarizer import Summarizer

    text = path.read_text(encoding="utf-8")
    before = requests_served(port)
    started = time.perf_counter()
    with Summarizer("bench", base_url=base, grounding="drop") as summ:
        result = summ.summarize(text)
    wall = time.perf_counter() - started
    assert result.provenance is not None
    return result.provenance.chunks, requests_served(port) - before, wall, len(text)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--delay", type=float, default=0.3)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--calls", type=int, default=20, help="sequential calls for (a)")
    parser.add_argument("--profile", action="store_true", help="cProfile the batch runs")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve()
        return

    child = subprocess.Popen([sys.executable, __file__, "--serve"], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        port = int(child.stdout.readline())
        delay_ms = round(args.delay * 1000)
        base = f"http://127.0.0.1:{port}/d{delay_ms}/v1"
        print(f"server: 127.0.0.1:{port}, {delay_ms} ms a request")

        for delay in (0.0, args.delay):
            ms = overhead(f"http://127.0.0.1:{port}/d{round(delay * 1000)}/v1", delay, args.calls)
            print(f"(a) delay {delay * 1000:.0f} ms, median of {args.calls} calls beyond the delay: "
                  f"sync: raw openai + model_validate_json {ms['floor']:.2f} ms, summarize {ms['summarize']:.2f} ms "
                  f"({ms['summarize'] / ms['floor']:.2f}x); async: raw {ms['afloor']:.2f} ms, asummarize "
                  f"{ms['asummarize']:.2f} ms ({ms['asummarize'] / ms['afloor']:.2f}x)")

        with tempfile.TemporaryDirectory() as cache_dir:
            waves = math.ceil(args.n / args.concurrency)
            floor = raw_batch(base, args.n, args.concurrency)
            print(f"(b) floor: raw async openai + model_validate_json, {args.n} at concurrency "
                  f"{args.concurrency}: {floor:.3f} s")
            wall, sent = batch(base, port, args.n, args.concurrency, cache_dir, args.profile)
            print(f"(b) {args.n} articles at concurrency {args.concurrency}: {wall:.3f} s, {sent} requests "
                  f"(n*delay/concurrency = {args.n * args.delay / args.concurrency:.3f} s; "
                  f"{waves} waves of {args.delay} s = {waves * args.delay:.3f} s)")
            wall, sent = batch(base, port, args.n, args.concurrency, cache_dir, args.profile)
            print(f"(c) the same {args.n} from the cache: {wall:.3f} s, {sent} requests")
        longest = ROOT.parent / "shared" / "articles" / "guardian-war-foretold-cia-mi6.txt"
        if longest.exists():
            chunks, sent, wall, size = long_article(base, port, longest)
            print(f"(d) {longest.name} ({size:,} characters): {chunks} chunks, {sent} requests, {wall:.3f} s")
    finally:
        child.terminate()
        child.wait()


if __name__ == "__main__":
    main()
