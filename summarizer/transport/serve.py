"""The embedded model's server process: llama.cpp's own server (xllamacpp), on 127.0.0.1.

Run by :mod:`.local` as ``python -m summarizer.transport.serve MODEL.gguf ...``, never
imported. It reads the server's API key from the first line of its standard input (a
command line is readable by every local user), starts the server, writes its base URL
as one JSON line on standard output, and lives until its standard input closes: when
the library stops it, or when the parent dies for any reason, the server goes with it.

The server answers only requests carrying that key (401 otherwise), so no other
process or web page on the machine can use the model. Its CORS answer names no
origin (llama.cpp's default echoes any ``Origin`` with credentials allowed), so a
browser lets no page read its answers either; with the key unknown to a page, a DNS
rebinding page that reaches 127.0.0.1 as its own origin is refused too. It exits with
``os._exit``: xllamacpp's server has no stop, and its destructor can wait forever
when a stop arrives before its task loop has started.
"""

from __future__ import annotations

import argparse
import json
import os
import sys


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m summarizer.transport.serve")
    parser.add_argument("model")
    parser.add_argument("--alias", required=True)
    parser.add_argument("--ctx", type=int, required=True)
    parser.add_argument("--parallel", type=int, default=1)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    key = sys.stdin.readline().strip()
    if not key:
        print("no API key on standard input: the server is started by summarizer.transport.local", file=sys.stderr,
              flush=True)
        os._exit(1)

    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = args.model
    params.model_alias = args.alias
    params.hostnames = ["127.0.0.1"]  # loopback only
    params.port = 0  # a free port, chosen by the system
    params.n_ctx = args.ctx * args.parallel  # the context is shared by the slots
    params.n_parallel = args.parallel
    params.cpuparams.n_threads = args.threads
    params.cpuparams_batch.n_threads = args.threads
    params.cache_prompt = True  # the instructions and schema are the same for every article
    params.endpoint_metrics = True
    params.endpoint_slots = False  # /slots shows what each slot is reading: the articles
    params.api_keys = [key]  # every endpoint but /health wants it
    params.cors_origins = ""  # "Access-Control-Allow-Origin: " (empty): matches no page's origin
    params.cors_origins_explicit = True
    params.cors_credentials = False
    params.verbosity = 0
    try:
        server = xllamacpp.Server(params)
    except RuntimeError as exc:
        print(f"llama.cpp could not load {args.model}: {exc}", file=sys.stderr, flush=True)
        os._exit(1)
    print(json.dumps({"url": server.listening_address}), flush=True)
    sys.stdin.read()  # until the library closes it, or dies
    os._exit(0)


if __name__ == "__main__":
    main()
