"""A fault-injecting OpenAI-compatible chat-completions server on 127.0.0.1, for tests.

Every response is HAND-WRITTEN here (nothing came from a model): the answers are the
hand-written summaries of ``_responses.py`` or what a test's ``answer`` callable
builds, and the faults imitate what real providers do. It is a raw threaded HTTP/1.1
server (``http.server``) rather than a framework, because two faults need the socket
itself: a hang past the client's time-out, and a connection dropped in the middle of
the body.

What each request gets is chosen by ``script`` (a list of fault names taken in order)
or ``plan`` (a function of the article and how many requests that article already
made, so a concurrent batch gets the same faults whatever the arrival order). Every
request is recorded with the fault served and the token usage sent back, so tests
can compare what the library reports with what the server saw.

Bounded: it listens on 127.0.0.1 only, answers at most ``max_requests`` requests
(then 418 with no usage), and a hang lasts ``hang`` seconds at most and ends at once
when the server stops.
"""

from __future__ import annotations

import copy
import gzip
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .responses import SEED_SUMMARY, completion, error

TRANSIENT = ("429", "500", "503", "hang", "drop", "close")
"""Faults the library retries (within ``max_retries``)."""
SLOW = ("trickle",)
"""An answer sent a few bytes at a time, each within the client's read time-out."""
REASKED = ("malformed", "schema", "ungrounded")
"""Answers the library re-asks (within ``max_reasks``)."""
PERMANENT = ("400", "401", "404", "context", "length", "cut-unlabelled", "refusal", "filtered")
"""Faults that end the call at once with a typed error."""
NOT_JSON = ("not-json", "not-utf8", "too-deep")
TOO_LARGE = ("huge", "huge-chunked", "gzip-bomb")
"""HAND-WRITTEN 200s labelled application/json whose body is no JSON a client can use."""
FAULTS = ("ok", *TRANSIENT, *SLOW, *REASKED, *PERMANENT, "garbage", "no-choices", *NOT_JSON, *TOO_LARGE, "redirect")

Plan = Callable[[str, int], str]
Answer = Callable[[str], dict[str, Any]]


def article_of(body: dict[str, Any]) -> str:
    """The article text between the prompt's markers (the whole user message if there are none)."""
    user = body["messages"][1]["content"]
    if "<<<ARTICLE " in user:
        user = user.split(">>>\n", 1)[1].rsplit("\n<<<END ARTICLE ", 1)[0]
    return user


def seed_answer(article: str) -> dict[str, Any]:
    """The hand-written seed summary, whatever the article (it grounds in articles that contain the seed)."""
    return copy.deepcopy(SEED_SUMMARY)


def ungrounded(answer: dict[str, Any]) -> dict[str, Any]:
    """The same answer with every quote replaced by one that no article contains."""
    bad = copy.deepcopy(answer)
    for kind in ("key_claims", "figures", "actors", "peace_talk_conditions"):
        for item in bad[kind]:
            item["quote"] = "A sentence that appears in no article at all, 123,456 times."
    return bad


@dataclass
class Seen:
    """One request as the server saw it."""

    index: int
    at: float  # time.monotonic() on arrival
    fault: str
    article: str
    body: dict[str, Any]
    authorization: str | None
    usage: tuple[int, int] | None = None  # (prompt, completion) tokens sent back, if any


@dataclass
class FaultServer:
    script: list[str] = field(default_factory=list)
    plan: Plan | None = None
    answer: Answer = seed_answer
    retry_after: str | None = "0"
    redirect_to: str = "http://127.0.0.1:9/v1/chat/completions"  # where a "redirect" fault points
    hang: float = 3.0
    delay: float = 0.0  # before every answer, to keep a batch running long enough to be killed
    max_requests: int = 2000
    seen: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._per_article: dict[str, int] = {}
        self._stop = threading.Event()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.fault_server = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def stop(self) -> None:
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FaultServer:  # noqa: PYI034
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- what the server saw ---------------------------------------------------

    def requests_for(self, marker: str) -> list[Seen]:
        """Requests whose article contains ``marker``."""
        with self._lock:
            return [s for s in self.seen if marker in s.article]

    @staticmethod
    def usage_of(seen: list[Seen]) -> tuple[int, int, int]:
        """(prompt, completion, total) tokens the server reported over ``seen``."""
        prompt = sum(s.usage[0] for s in seen if s.usage)
        done = sum(s.usage[1] for s in seen if s.usage)
        return prompt, done, prompt + done

    # -- serving -----------------------------------------------------------------

    def _arrive(self, article: str, body: dict[str, Any], authorization: str | None) -> Seen:
        """Choose the fault and record the request at once (a hang is seen before it ends)."""
        with self._lock:
            index = len(self.seen)
            count = self._per_article.get(article, 0)
            self._per_article[article] = count + 1
            if index >= self.max_requests:
                fault = "over-limit"
            elif self.plan is not None:
                fault = self.plan(article, count)
            else:
                fault = self.script.pop(0) if self.script else "ok"
            seen = Seen(index, time.monotonic(), fault, article, body, authorization)
            self.seen.append(seen)
            return seen

    def wait(self, seconds: float) -> None:
        self._stop.wait(seconds)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128  # a batch opens many connections at once; the default backlog of 5 refuses some
    fault_server: FaultServer


def _tokens(text: str) -> int:
    return max(1, len(text) // 4)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests read ``seen`` instead."""

    def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None,
              content_type: str = "application/json") -> None:
        data = self._head(status, payload, headers, content_type)
        self.wfile.write(data)
        self.wfile.flush()

    def _head(self, status: int, payload: Any, headers: dict[str, str] | None = None,
              content_type: str = "application/json") -> bytes:
        """Send the status and headers for ``payload``; returns its bytes, for the body still to send."""
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        return data

    def _cut(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def do_POST(self) -> None:
        fs = self.server.fault_server
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.loads(raw)
        article = article_of(body)
        seen = fs._arrive(article, body, self.headers.get("Authorization"))
        try:
            self._serve(fs, seen.fault, body, article, seen, _tokens(raw.decode("utf-8")))
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (a hang it timed out on)

    def _answer(self, seen: Seen, arguments: dict[str, Any] | str, prompt_tokens: int,
                finish_reason: str = "tool_calls", completion_tokens: int | None = None) -> None:
        text = arguments if isinstance(arguments, str) else json.dumps(arguments, ensure_ascii=False)
        completion_tokens = completion_tokens or _tokens(text)
        seen.usage = (prompt_tokens, completion_tokens)
        self._send(200, completion(arguments=text, finish_reason=finish_reason,
                                   prompt_tokens=prompt_tokens, completion_tokens=completion_tokens))

    def _serve(self, fs: FaultServer, fault: str, body: dict[str, Any], article: str, seen: Seen,
               prompt_tokens: int) -> None:
        answer = fs.answer(article)
        if fs.delay:
            fs.wait(fs.delay)
        if fault == "ok":
            self._answer(seen, answer, prompt_tokens)
        elif fault == "429":
            headers = {"Retry-After": fs.retry_after} if fs.retry_after is not None else {}
            self._send(429, error(429, "Rate limit reached for requests. Please try again later.",
                                  code="rate_limit_exceeded", type_="requests"), headers)
        elif fault in ("500", "503"):
            self._send(int(fault), error(int(fault), "The server is overloaded or not ready yet.",
                                         type_="server_error"))
        elif fault == "hang":
            fs.wait(fs.hang)  # past the client's time-out; ends early when the server stops
            self._cut()
        elif fault == "drop":
            data = self._head(200, completion(arguments=answer))
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self._cut()
        elif fault == "close":
            self._cut()
        elif fault == "trickle":
            data = self._head(200, completion(arguments=answer))
            deadline = time.monotonic() + fs.hang
            for i in range(0, len(data), 16):  # 16 bytes every 0.2 s: never silent for long
                if fs._stop.is_set() or time.monotonic() > deadline:
                    break
                self.wfile.write(data[i : i + 16])
                self.wfile.flush()
                fs.wait(0.2)
            self._cut()
        elif fault == "length":
            self._answer(seen, json.dumps(answer)[:120], prompt_tokens, finish_reason="length")
        elif fault == "cut-unlabelled":  # as llama-cpp-python's server reports a call cut at max_tokens
            self._answer(seen, json.dumps(answer)[:120], prompt_tokens, completion_tokens=body.get("max_tokens"))
        elif fault == "malformed":
            self._answer(seen, json.dumps(answer).replace('", "', '" "', 1), prompt_tokens)
        elif fault == "schema":
            self._answer(seen, {"headline": answer["headline"], "summary": None, "figures": "none"}, prompt_tokens)
        elif fault == "ungrounded":
            self._answer(seen, ungrounded(answer), prompt_tokens)
        elif fault == "refusal":
            completion_tokens = 12
            seen.usage = (prompt_tokens, completion_tokens)
            self._send(200, completion(refusal="I'm sorry, but I can't help with that request.", finish_reason="stop",
                                       prompt_tokens=prompt_tokens, completion_tokens=completion_tokens))
        elif fault == "filtered":
            self._answer(seen, json.dumps(answer)[:60], prompt_tokens, finish_reason="content_filter")
        elif fault == "400":
            self._send(400, error(400, "Invalid value for 'temperature': expected a number.", code="invalid_value"))
        elif fault == "401":
            # Real providers echo part of the key; this one echoes all of it, to prove it never shows.
            key = (seen.authorization or "").removeprefix("Bearer ")
            self._send(401, error(401, f"Incorrect API key provided: {key}. You can find your API key at "
                                  "https://platform.openai.com/account/api-keys.", code="invalid_api_key"))
        elif fault == "404":
            self._send(404, error(404, f"The model `{body.get('model')}` does not exist or you do not have access "
                                  "to it.", code="model_not_found"))
        elif fault == "context":
            self._send(400, error(400, "This model's maximum context length is 8192 tokens. However, your messages "
                                  "resulted in 9120 tokens. Please reduce the length of the messages.",
                                  code="context_length_exceeded"))
        elif fault == "garbage":
            self._send(200, b"<html><body>502 Bad Gateway</body></html>", content_type="text/html")
        elif fault == "no-choices":
            seen.usage = (prompt_tokens, 0)
            self._send(200, {**completion(prompt_tokens=prompt_tokens, completion_tokens=0), "choices": []})
        elif fault == "not-json":
            self._send(200, b'{"id": "chatcmpl-1", "choices": [{"message": ')  # cut: not JSON at all
        elif fault == "not-utf8":
            self._send(200, b'{"id": "\xff\xfe\xfa", "choices": []}')
        elif fault == "too-deep":
            self._send(200, b"[" * 100_000 + b"]" * 100_000)
        elif fault == "huge":  # a valid completion, padded to 8 MB: far more than max_tokens allows
            data = json.dumps(completion(arguments=answer)).encode("utf-8")
            self._send(200, data[:-1] + b" " * (8 << 20) + data[-1:])
        elif fault == "huge-chunked":  # the same, with no Content-Length: only counting the bytes stops it
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b" " * 65536
            for _ in range(128):
                if fs._stop.is_set():
                    break
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        elif fault == "gzip-bomb":  # 50 KB on the wire, 50 MB inflated, though identity was asked for
            data = gzip.compress(b" " * (50 << 20) + json.dumps(completion(arguments=answer)).encode("utf-8"))
            self._send(200, data, {"Content-Encoding": "gzip"})
        elif fault == "redirect":
            self._send(307, b"", {"Location": fs.redirect_to})
        elif fault == "over-limit":
            self._send(418, error(418, "the fault server's request limit was reached"))
        else:
            raise ValueError(f"unknown fault {fault!r}; choose from {FAULTS}")
