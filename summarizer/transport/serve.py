"""The embedded model's server process: llama.cpp's own server (xllamacpp), on 127.0.0.1.

Run by :mod:`.local` as ``python -m summarizer.transport.serve MODEL.gguf ...``, never
imported. It starts the server, writes its base URL as one JSON line on standard
output, and lives until its standard input closes: when the library stops it, or
when the parent dies for any reason, the server goes with it. It exits with
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
