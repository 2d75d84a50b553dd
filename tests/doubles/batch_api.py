"""A HAND-WRITTEN loopback fake of OpenAI's Files and Batches endpoints, for provider batch-job tests.

Nothing here came from a provider. It keeps uploaded files, creates batches, moves
each through ``validating`` and ``in_progress`` on successive retrieves, and ends it
as its scenario says, answering every request line with ``answer(body)`` (a
hand-written chat completion) and writing the output and error files in the Batch
API's format. Scenarios:

- ``completed``: every request answered (except those ``drop`` names, which get no line);
- error lines: requests whose custom_id is in ``errors`` get a 500 line in the error file;
- ``expired`` / ``cancelled``: only the first ``answered`` requests have a line;
- ``failed``: the batch failed validation: no files, ``errors.data`` says why (``failed_message``).

Hostile or broken providers, for the checks of what comes back: ``redirect`` makes
every endpoint answer 302 to that address; ``retrieve_fields`` are put over the batch
each retrieve returns (``retrieve_body``: that body instead, as raw bytes);
``extra_output`` are lines put into the output file as they are; ``on_upload`` and
``on_retrieve`` run inside those requests (a second run starting meanwhile).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

Answer = Callable[[dict[str, Any]], dict[str, Any]]


class BatchAPI:
    def __init__(self, server: HTTPServer, answer: Answer) -> None:
        self.server = server
        self.answer = answer
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.calls: list[str] = []  # "POST /v1/files", ... in order
        self.scenario = "completed"
        self.polls_before_end = 1  # retrieves that still see the batch running
        self.drop: set[str] = set()
        self.errors: set[str] = set()
        self.answered = 0  # for expired / cancelled: how many requests were answered before the end
        self.failed_message = "hand-written: this line is not valid"
        self.redirect: str | None = None
        self.retrieve_fields: dict[str, Any] = {}
        self.retrieve_body: bytes | None = None
        self.extra_output: list[str] = []
        self.on_upload: Callable[[], None] | None = None
        self.on_retrieve: Callable[[], None] | None = None
        self._lock = threading.Lock()
        server.expect_request("/v1/files", method="POST").respond_with_handler(self._upload)
        server.expect_request("/v1/batches", method="POST").respond_with_handler(self._create)
        for n in range(1, 50):
            server.expect_request(f"/v1/batches/batch_{n}", method="GET").respond_with_handler(self._retrieve)
            server.expect_request(f"/v1/files/file-{n}/content", method="GET").respond_with_handler(self._content)

    @property
    def base_url(self) -> str:
        return self.server.url_for("/v1")

    def _json(self, value: Any, status: int = 200) -> Response:
        if self.redirect is not None:
            return Response("", status=302, headers={"Location": self.redirect})
        return Response(json.dumps(value), status=status, content_type="application/json")

    @staticmethod
    def _run(hook: Callable[[], None] | None) -> None:
        if hook is not None:
            hook()

    def _new_file(self, data: bytes, name: str, purpose: str) -> dict[str, Any]:
        with self._lock:
            file_id = f"file-{len(self.files) + 1}"
            self.files[file_id] = data
        return {"id": file_id, "object": "file", "bytes": len(data), "created_at": 1700000000,
                "filename": name, "purpose": purpose, "status": "processed"}

    def _upload(self, request: Request) -> Response:
        self.calls.append("POST /v1/files")
        self._run(self.on_upload)
        upload = request.files["file"]
        return self._json(self._new_file(upload.read(), upload.filename or "upload", request.form["purpose"]))

    def _create(self, request: Request) -> Response:
        self.calls.append("POST /v1/batches")
        body = json.loads(request.get_data())
        if body["input_file_id"] not in self.files:
            return self._json({"error": {"message": "no such file", "type": "invalid_request_error"}}, 400)
        batch_id = f"batch_{len(self.batches) + 1}"
        lines = [json.loads(line) for line in self.files[body["input_file_id"]].decode().splitlines() if line]
        self.batches[batch_id] = {
            "id": batch_id, "object": "batch", "endpoint": body["endpoint"], "errors": None,
            "input_file_id": body["input_file_id"], "completion_window": body["completion_window"],
            "status": "validating", "output_file_id": None, "error_file_id": None, "created_at": 1700000000,
            "request_counts": {"total": len(lines), "completed": 0, "failed": 0}, "metadata": body.get("metadata"),
            "_lines": lines, "_polls": 0,
        }
        return self._json(self._public(self.batches[batch_id]))

    def _public(self, batch: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in batch.items() if not k.startswith("_")}

    def _retrieve(self, request: Request) -> Response:
        batch_id = request.path.rsplit("/", 1)[1]
        self.calls.append(f"GET /v1/batches/{batch_id}")
        self._run(self.on_retrieve)
        batch = self.batches[batch_id]
        batch["_polls"] += 1
        if batch["status"] in ("validating", "in_progress"):
            batch["status"] = "in_progress"
            if batch["_polls"] > self.polls_before_end:
                self._end(batch)
        if self.retrieve_body is not None:
            return Response(self.retrieve_body, content_type="application/json")
        return self._json({**self._public(batch), **self.retrieve_fields})

    def _end(self, batch: dict[str, Any]) -> None:
        lines = batch["_lines"]
        if self.scenario == "failed":
            batch["status"] = "failed"
            batch["errors"] = {"object": "list", "data": [
                {"code": "invalid_json_line", "message": self.failed_message, "line": 1, "param": None}
            ]}
            return
        if self.scenario in ("expired", "cancelled"):
            lines = lines[: self.answered]
        output, failed = [], []
        for line in lines:
            custom_id = line["custom_id"]
            if custom_id in self.drop:
                continue
            if custom_id in self.errors:
                failed.append({"id": f"req_{custom_id}", "custom_id": custom_id, "response": {
                    "status_code": 500, "request_id": "r",
                    "body": {"error": {"message": "hand-written server error", "type": "server_error"}}},
                    "error": None})
                continue
            output.append({"id": f"req_{custom_id}", "custom_id": custom_id, "response": {
                "status_code": 200, "request_id": "r", "body": self.answer(line["body"])}, "error": None})
        if output or self.extra_output:
            data = _jsonl(output) + "".join(line + "\n" for line in self.extra_output).encode()
            batch["output_file_id"] = self._new_file(data, "output.jsonl", "batch_output")["id"]
        if failed:
            batch["error_file_id"] = self._new_file(_jsonl(failed), "errors.jsonl", "batch_output")["id"]
        batch["status"] = self.scenario
        batch["request_counts"] = {"total": len(batch["_lines"]), "completed": len(output), "failed": len(failed)}

    def _content(self, request: Request) -> Response:
        file_id = request.path.split("/")[-2]
        self.calls.append(f"GET /v1/files/{file_id}/content")
        return Response(self.files[file_id], content_type="application/octet-stream")


def _jsonl(lines: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(line) + "\n" for line in lines).encode()
