"""The job file and what a provider says of a batch, checked as everything a batch reads back is (``batch/lines.py``).

A job file is written by ``batch submit`` and may be edited by hand; a provider's batch
object comes from outside. Both come out as the fields :class:`~summarizer.batch.jobs.Job`
takes, or a ``ValueError`` saying which is wrong; every text from outside redacted.
"""

from __future__ import annotations

from typing import Any

from .lines import SAFE_ID, SHA256, is_count, kind_of, outside

__all__ = ["batch_state", "job_fields", "provider_id"]

_JOB_TEXT = ("status",)
_JOB_IDS = ("input_file_id", "batch_id", "output_file_id", "error_file_id")
_JOB_OPTIONAL_TEXT = ("base_url", "submitted_at", "checked_at")


def provider_id(value: Any) -> str:
    """An id a provider gave (file, batch), fit to put in a URL path; ``ValueError`` if it is not."""
    if not isinstance(value, str) or not SAFE_ID.fullmatch(value):
        raise ValueError(f"an id that is {kind_of(value) if not isinstance(value, str) else 'not a plain name'}")
    return value


def job_fields(data: Any) -> dict[str, Any]:
    """A job file's fields, checked (``ValueError`` says which is wrong): what ``Job(path=..., **fields)`` takes."""
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    known = {"requests", "requests_sha256", "request_counts", "errors", "downloaded", "collected",
             *_JOB_TEXT, *_JOB_IDS, *_JOB_OPTIONAL_TEXT}
    extra = sorted(set(data) - known)
    if extra:
        raise ValueError(f"unknown field(s) {outside(', '.join(map(str, extra)), None, 120)}")
    if not isinstance(data.get("requests"), str) or not data["requests"]:
        raise ValueError("requests is not the path of a requests file")
    if not isinstance(data.get("requests_sha256"), str) or not SHA256.fullmatch(data["requests_sha256"]):
        raise ValueError("requests_sha256 is not a sha256")
    for name in _JOB_TEXT:
        if name in data and not isinstance(data[name], str):
            raise ValueError(f"{name} is {kind_of(data[name])}, not a string")
    for name in _JOB_OPTIONAL_TEXT:
        if data.get(name) is not None and not isinstance(data[name], str):
            raise ValueError(f"{name} is {kind_of(data[name])}, not a string")
    for name in _JOB_IDS:
        if data.get(name) is not None:
            try:
                provider_id(data[name])
            except ValueError as exc:
                raise ValueError(f"{name} is {exc}") from None
    counts = data.get("request_counts", {})
    if not isinstance(counts, dict) or not all(isinstance(k, str) and is_count(v) for k, v in counts.items()):
        raise ValueError("request_counts is not counts")
    errors = data.get("errors", [])
    if not isinstance(errors, list) or not all(isinstance(e, str) for e in errors):
        raise ValueError("errors is not a list of messages")
    downloaded = data.get("downloaded", {})
    if not isinstance(downloaded, dict) or not all(
        kind in ("output", "errors") and isinstance(d, dict) and isinstance(d.get("path"), str)
        and isinstance(d.get("sha256"), str) for kind, d in downloaded.items()
    ):
        raise ValueError("downloaded is not the files this job downloaded")
    if data.get("collected") is not None and not isinstance(data["collected"], dict):
        raise ValueError(f"collected is {kind_of(data['collected'])}, not an object")
    return dict(data)


def _field(thing: Any, name: str) -> Any:
    """A field of the provider's object, whichever shape the client gave it (a model, a dict, anything)."""
    return thing.get(name) if isinstance(thing, dict) else getattr(thing, name, None)


def batch_state(batch: Any, secret: str | None, max_errors: int = 20) -> dict[str, Any]:
    """What a provider said of a batch, checked and redacted: the job fields ``status``, ``request_counts``,
    ``output_file_id``, ``error_file_id`` and ``errors``; ``ValueError`` when it is not a batch."""
    status = _field(batch, "status")
    if not isinstance(status, str) or not status:
        raise ValueError(f"a batch whose status is {kind_of(status)}")
    counts_in = _field(batch, "request_counts")
    counts = {name: value for name in ("total", "completed", "failed")
              if is_count(value := _field(counts_in, name))}
    files = {}
    for name in ("output_file_id", "error_file_id"):
        value = _field(batch, name)
        try:
            files[name] = None if value is None else provider_id(value)
        except ValueError as exc:
            raise ValueError(f"a batch whose {name} is {exc}") from None
    found = _field(_field(batch, "errors"), "data")
    messages = []
    for item in found if isinstance(found, list) else []:
        message = outside(_field(item, "message") or _field(item, "code") or "no message", secret)
        line = _field(item, "line")
        messages.append(f"line {line}: {message}" if is_count(line, 1) else message)
    if len(messages) > max_errors:
        messages = [*messages[:max_errors], f"and {len(messages) - max_errors} more"]
    return {"status": outside(status, secret, 60), "request_counts": counts, "errors": messages, **files}
