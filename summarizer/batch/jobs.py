"""Provider batch jobs: a requests file uploaded, run by the provider's Batch API, and collected as records.

:func:`batch_submit` uploads a requests file (:func:`~summarizer.batch.files.batch_prepare`)
through the Files API and creates the batch; :func:`batch_status` asks how it is going;
:func:`batch_collect` downloads its output and error files once it has ended and reads
them with :func:`~summarizer.batch.files.batch_ingest`. Everything goes through the same
``openai`` client as a live call (its ``base_url``, never following redirects).

The job file (JSON) records each step as it is done: the uploaded file's id, then the
batch's id, its status, the files downloaded (with their sha256) and the records
collected. So a crash never loses or repeats work: ``submit`` again after a crash
between upload and creation creates the batch from the file already uploaded (never a
second batch for a job that has one); ``collect`` again reads the downloaded files and
skips the articles already in the records file. A batch that ended ``expired``,
``cancelled`` or ``failed`` is collected too: what it answered becomes records, what it
did not is each article's error, and :attr:`Collected.resubmit` lists those articles
(``batch prepare --only-failed records.jsonl`` prepares them again).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import openai

from ..config import Settings, Target, safe_url
from ..errors import BatchFileError, OutputPathError
from ..transport.http import CallStats
from ..transport.provider_errors import provider_error
from .files import iter_ingest, read_articles
from .output import check_output_path
from .records import BatchResult, ItemId, json_text

__all__ = ["ENDED", "Collected", "Job", "batch_collect", "batch_status", "batch_submit"]

ENDED = frozenset({"completed", "expired", "cancelled", "failed"})
"""Batch statuses after which nothing more will be answered."""
_FORMAT = "summarizer-batch-job/1"


@dataclass
class Job:
    """A job file's content: what was submitted, where it stands, and what was collected."""

    path: Path
    requests: str
    requests_sha256: str
    base_url: str | None = None
    input_file_id: str | None = None
    batch_id: str | None = None
    status: str = "not submitted"
    request_counts: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    output_file_id: str | None = None
    error_file_id: str | None = None
    downloaded: dict[str, dict[str, str]] = field(default_factory=dict)  # "output"/"errors" -> path, sha256
    collected: dict[str, Any] | None = None
    submitted_at: str | None = None
    checked_at: str | None = None

    @property
    def ended(self) -> bool:
        return self.status in ENDED

    def save(self) -> None:
        """Written beside itself and swapped in: a crash leaves the old file or the new, never half of one."""
        data = {"format": _FORMAT, **{k: v for k, v in self.__dict__.items() if k != "path"}}
        temp = self.path.with_name(f".{self.path.name}.{os.getpid()}.partial")
        temp.write_text(json_text(data, indent=2) + "\n", encoding="utf-8")
        os.replace(temp, self.path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Job:
        where = Path(path)
        try:
            data = json.loads(where.read_text(encoding="utf-8"))
        except OSError as exc:
            raise BatchFileError(f"job file {where}: cannot be read ({exc.strerror or exc})") from None
        except json.JSONDecodeError:
            raise BatchFileError(f"job file {where} is not JSON") from None
        if not isinstance(data, dict) or data.pop("format", None) != _FORMAT:
            raise BatchFileError(f"{where} is not a summarizer batch job file (batch submit writes one)")
        try:
            return cls(path=where, **data)
        except TypeError as exc:
            raise BatchFileError(f"job file {where}: {exc}") from None


@dataclass(frozen=True)
class Collected:
    """What :func:`batch_collect` read: the records, how many succeeded, and what can be submitted again."""

    job: Job
    results: list[BatchResult]  # every article's (or, with keep_results=False, the failures' only)
    ok: int
    failed: int
    resubmit: tuple[ItemId, ...]  # failed in a way another try may fix, or never answered


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _target(requests: str, base_url: str | None) -> Target:
    header, _ = read_articles(requests)
    settings = header.get("settings", {})
    return Settings(model=settings.get("model"), base_url=base_url or settings.get("base_url")).target()


class _Api:
    """The Files and Batches endpoints, through the openai client; failures as our ProviderError."""

    def __init__(self, target: Target) -> None:
        self.target = target
        http = openai.DefaultHttpxClient(follow_redirects=False)
        self.client = openai.OpenAI(api_key=target.api_key, base_url=target.base_url, max_retries=3, timeout=120,
                                    http_client=http)

    def __enter__(self) -> _Api:  # noqa: PYI034
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.client.close()

    def call(self, what: Callable[[], Any]) -> Any:
        try:
            return what()
        except openai.APIError as exc:
            raise provider_error(exc, self.target, CallStats(tries=1)) from None


def _update(job: Job, batch: Any) -> None:
    job.status = str(batch.status)
    counts = getattr(batch, "request_counts", None)
    job.request_counts = counts.model_dump() if counts is not None else {}
    job.output_file_id = getattr(batch, "output_file_id", None)
    job.error_file_id = getattr(batch, "error_file_id", None)
    found = getattr(getattr(batch, "errors", None), "data", None) or []
    job.errors = [f"line {e.line}: {e.message}" if getattr(e, "line", None) else str(e.message) for e in found]
    job.checked_at = _now()


def batch_submit(
    requests: str | os.PathLike[str], job: str | os.PathLike[str], *, base_url: str | None = None,
    metadata: dict[str, str] | None = None,
) -> Job:
    """Upload ``requests`` and create its batch (24 h window); the job file ``job`` records both.

    The key and endpoint are those the requests were prepared for (``base_url``
    overrides). A job file that already names a batch is refused: one job, one batch.
    """
    requests_path = Path(requests).resolve()
    read_articles(requests_path)  # the articles file must be beside it, or the answers cannot be read
    job_path = Path(job)
    if job_path.exists():
        current = Job.load(job_path)
        if current.batch_id is not None:
            raise OutputPathError(
                f"{job_path} already records batch {current.batch_id} ({current.status}): check it with "
                "batch status, or use another job file for another batch"
            )
        if current.requests_sha256 != _sha256(requests_path):
            raise BatchFileError(f"{job_path} was started for another requests file: use another job file")
    else:
        check_output_path(job_path)
        current = Job(path=job_path, requests=str(requests_path), requests_sha256=_sha256(requests_path),
                      base_url=safe_url(base_url) if base_url else None)  # never credentials in a file
        current.save()
    with _Api(_target(current.requests, current.base_url)) as api:
        if current.input_file_id is None:
            with requests_path.open("rb") as handle:
                uploaded = api.call(lambda: api.client.files.create(file=handle, purpose="batch"))
            current.input_file_id = str(uploaded.id)
            current.status = "uploaded"
            current.save()
        file_id = current.input_file_id
        batch = api.call(lambda: api.client.batches.create(
            input_file_id=file_id, endpoint="/v1/chat/completions", completion_window="24h", metadata=metadata or None,
        ))
        current.batch_id = str(batch.id)
        current.submitted_at = _now()
        _update(current, batch)
        current.save()
    return current


def batch_status(job: str | os.PathLike[str]) -> Job:
    """Ask the provider where the job's batch stands; the job file is updated."""
    current = Job.load(job)
    if current.batch_id is None:
        raise BatchFileError(f"{current.path} has no batch yet: run batch submit first")
    batch_id = current.batch_id
    with _Api(_target(current.requests, current.base_url)) as api:
        _update(current, api.call(lambda: api.client.batches.retrieve(batch_id)))
    current.save()
    return current


def _download(api: _Api, current: Job, kind: str, file_id: str | None) -> Path | None:
    """The job's output (or error) file on disk, downloaded once: a second collect reads the same bytes."""
    if file_id is None:
        return None
    path = current.path.with_name(f"{current.path.stem}.{kind}.jsonl")
    known = current.downloaded.get(kind)
    if known and path.exists() and known.get("sha256") == _sha256(path):
        return path
    if path.exists():
        raise OutputPathError(f"{path} exists and is not the {kind} file this job downloaded: move it away")
    content = api.call(lambda: api.client.files.content(file_id))
    temp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    temp.write_bytes(content.read())
    os.replace(temp, path)
    current.downloaded[kind] = {"path": str(path), "sha256": _sha256(path)}
    current.save()
    return path


def batch_collect(
    job: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    wait: bool = False,
    poll: float = 10.0,
    max_poll: float = 300.0,
    timeout: float | None = None,
    keep_results: bool = True,
) -> Collected:
    """Once the batch has ended, its answers as records in ``out`` (see :func:`~summarizer.batch_ingest`).

    ``wait``: poll until it ends, ``poll`` seconds at first, doubling up to
    ``max_poll``, for at most ``timeout`` seconds (None: as long as it takes).
    Without ``wait`` (or past ``timeout``) a batch still running is a
    :class:`BatchFileError` saying so; the job file keeps its status.
    ``keep_results=False`` keeps only the failures in memory (the records are in ``out``).
    """
    current = batch_status(job)
    started, interval = time.monotonic(), poll
    while not current.ended:
        if not wait or (timeout is not None and time.monotonic() - started + interval > timeout):
            counts = current.request_counts
            raise BatchFileError(
                f"batch {current.batch_id} is {current.status} ({counts.get('completed', 0)} of "
                f"{counts.get('total', '?')} requests done): collect it once it has ended"
            )
        time.sleep(interval)
        interval = min(interval * 2, max_poll)
        current = batch_status(job)
    with _Api(_target(current.requests, current.base_url)) as api:
        files = [p for p in (_download(api, current, "output", current.output_file_id),
                             _download(api, current, "errors", current.error_file_id)) if p is not None]
    why = "the batch completed without answering it" if current.status == "completed" else (
        f"the batch ended {current.status} before answering it"
        + (f" ({'; '.join(current.errors[:3])})" if current.errors else "")
    )
    results: list[BatchResult] = []
    ok = 0
    for result in iter_ingest(current.requests, files, out, source=current.batch_id, why_missing=why):
        ok += result.ok
        if keep_results or not result.ok:
            results.append(result)
    failed = [r for r in results if r.error is not None]
    resubmit = tuple(r.id for r in failed if r.error is not None and r.error.retryable)
    current.collected = {"records": str(Path(out).resolve()), "at": _now(), "ok": ok, "failed": len(failed),
                         "resubmit": len(resubmit)}
    current.save()
    return Collected(current, results, ok, len(failed), resubmit)
