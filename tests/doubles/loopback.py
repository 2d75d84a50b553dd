"""A threaded loopback chat-completions server answering with HAND-WRITTEN responses.

Unlike ``FakeLLM`` (a queue of replies, one connection at a time) it answers many
requests at once, each after a delay, and counts how many were in flight together.
An article containing ``FAIL`` gets a hand-written 400; every other one gets the
hand-written seed summary from ``_responses.py``. Nothing here came from a model.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from .responses import SEED_SUMMARY, completion, error


class BatchLLM:
    path = "/v1/chat/completions"

    def __init__(self, server: HTTPServer, delay: float = 0.0) -> None:
        self.server = server
        self.delay = delay
        self.articles: list[str] = []  # the user message of every request, in arrival order
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        server.expect_request(self.path, method="POST").respond_with_handler(self._handle)

    @property
    def base_url(self) -> str:
        return self.server.url_for("/v1")

    def count(self, marker: str) -> int:
        """Requests whose article contains ``marker``."""
        return sum(marker in article for article in self.articles)

    def _delay_for(self, article: str) -> float:
        # "SLOW<n>" in an article adds n quarters of a second, to shuffle completion order.
        if "SLOW" in article:
            return self.delay + int(article.split("SLOW", 1)[1][:1]) / 4
        return self.delay

    def _handle(self, request: Request) -> Response:
        body: dict[str, Any] = json.loads(request.get_data())
        article = body["messages"][1]["content"]
        with self._lock:
            self.articles.append(article)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            time.sleep(self._delay_for(article))
        finally:
            with self._lock:
                self.in_flight -= 1
        if "FAIL" in article:
            return Response(json.dumps(error(400, "hand-written bad request")), status=400,
                            content_type="application/json")
        return Response(json.dumps(completion(arguments=SEED_SUMMARY)), content_type="application/json")
