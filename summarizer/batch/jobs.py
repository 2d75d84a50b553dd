"""Provider batch jobs: a requests file uploaded, run by the provider's Batch API, and collected as records.

:func:`batch_submit` uploads a requests file (:func:`~summarizer.batch.prepare.batch_prepare`)
through the Files API and creates the batch; :func:`batch_status` asks how it is going;
:func:`batch_collect` downloads its output and error files once it has ended and reads
them with :func:`~summarizer.batch.ingest.batch_ingest`. Everything goes through the same
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
import os
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import openai

from ..config import Settings, Target, safe_url
from ..errors import BatchFileError, OutputLockedError, OutputPathError, ProviderUnavailableError
from ..files import check_ours, write_atomic
from ..transport.logs import redacted_logs
from ..transport.provider_errors import provider_error
from ..transport.stats import CallStats
from .files import articles_path, read_articles
from .ingest import iter_ingest
from .job_lines import batch_state, job_fields, provider_id
from .lines import loads, regular_file
from .output import RECORDS, check_output_path
from .records import BatchResult, ItemId, json_text

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock, one run per job file is up to the caller
    fcntl = None  # type: ignore[assignment]

__all__ = ["ENDED", "Collected", "Job", "batch_collect", "batch_status", "batch_submit"]

ENDED = frozenset({"completed", "expired", "cancelled", "failed"})
"""Batch statuses after which nothing more will be answered."""
_FORMAT = "summarizer-batch-job/1"
_MAX_JOB = 16 * 1024 * 1024  # a larger file is not a job file: it is not read whole


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
        write_atomic(self.path, json_text(data, indent=2) + "\n")

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Job:
        """The job file at ``path``, every field checked (``batch/lines.py``): anything else is a BatchFileError."""
        where = Path(path)
        regular_file(where, "job file")
        try:
            with where.open("rb") as handle:
                raw = handle.read(_MAX_JOB + 1)
        except OSError as exc:
            raise BatchFileError(f"job file {where}: cannot be read ({exc.strerror or exc})") from None
        if len(raw) > _MAX_JOB:
            raise BatchFileError(f"{where} is larger than {_MAX_JOB:,} bytes: not a summarizer batch job file")
        try:
            data = loads(raw)
        except ValueError as exc:
            raise BatchFileError(f"job file {where}: {exc}") from None
        if not isinstance(data, dict) or data.pop("format", None) != _FORMAT:
            raise BatchFileError(f"{where} is not a summarizer batch job file (batch submit writes one)")
        try:
            return cls(path=where, **job_fields(data))
        except ValueError as exc:
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
        """``what()``, its failures as our errors; the client's own log lines (openai, httpx, httpcore: a
        redirect's Location, a 401's echo) redacted with the key meanwhile, as a live call's are."""
        try:
            with redacted_logs(self.target.api_key):
                return what()
        except openai.APIError as exc:
            raise provider_error(exc, self.target, CallStats.unanswered()) from None
        except (ValueError, RecursionError) as exc:  # a 200 the client cannot read: not JSON, nested past the stack
            raise self.not_a(f"an answer it cannot read ({type(exc).__name__})") from None

    def not_a(self, what: str) -> ProviderUnavailableError:
        """The provider answered, but not with what was asked for (a gateway's page, a hostile server)."""
        return ProviderUnavailableError(
            f"{self.target.endpoint} answered with {what}: is a proxy or gateway in between? check {{how:base_url}}",
            retryable=True, requests=1,
        )

    def new_id(self, thing: Any, what: str) -> str:
        """The id of a file or batch the provider made, checked before it goes into a file or a URL."""
        try:
            return provider_id(getattr(thing, "id", None))
        except ValueError as exc:
            raise self.not_a(f"a {what} without a usable id ({exc})") from None


def _update(job: Job, batch: Any, api: _Api) -> None:
    """The job's state from the provider's batch, checked and every text redacted (``lines.batch_state``)."""
    try:
        state = batch_state(batch, api.target.api_key)
    except ValueError as exc:
        raise api.not_a(str(exc)) from None
    for name, value in state.items():
        setattr(job, name, value)
    job.checked_at = _now()


@contextmanager
def _locked(job: Path) -> Iterator[None]:
    """One run per job file: an exclusive ``flock`` on a lock file beside it (``.job.json.lock``), held from
    loading the job through saving it; a second run fails at once. The job file itself is replaced on
    every save, so it cannot carry the lock. A symlinked job file is locked beside the file it points to."""
    try:
        real = job.resolve()
        found = real.stat() if real.exists() else None
    except (OSError, RuntimeError) as exc:  # a symlink loop, a name too long, a folder that cannot be searched
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else "a symlink loop"
        raise OutputPathError(f"{job}: cannot be used as a job file ({why})", path=str(job)) from None
    if (found is not None and not stat.S_ISREG(found.st_mode)) or not real.name:
        # No lock file beside /dev/null, a folder or "": only beside a job file, or where one will be.
        raise BatchFileError(f"{job}: not a job file, not a regular file (batch submit writes one)")
    lock = real.with_name(f".{real.name}.lock")
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(lock, flags, 0o666)
    except FileNotFoundError:
        raise OutputPathError(f"{job}: its folder {job.parent} does not exist", path=str(job)) from None
    except OSError as exc:
        raise OutputPathError(f"{job}: its lock file {lock} cannot be opened ({exc.strerror or exc})",
                              path=str(job)) from None
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise OutputLockedError(
                    f"{job} is in use by another run (batch submit, status or collect): one run per job file at a time",
                    path=str(job),
                ) from None
        yield
    finally:
        os.close(fd)  # also releases the lock


def batch_submit(
    requests: str | os.PathLike[str], job: str | os.PathLike[str], *, base_url: str | None = None,
    metadata: dict[str, str] | None = None,
) -> Job:
    """Upload ``requests`` and create its batch (24 h window); the job file ``job`` records both.

    The key and endpoint are those the requests were prepared for (``base_url``
    overrides). A job file that already names a batch is refused: one job, one batch.
    The job file is locked from its reading to its last save, so a second submit on it
    meanwhile fails at once (:class:`~summarizer.errors.OutputLockedError`) and never
    creates a second, unrecorded batch.
    """
    requests_path = Path(requests).resolve()
    read_articles(requests_path)  # the articles file must be beside it, or the answers cannot be read
    regular_file(requests_path, "requests file")
    job_path = Path(job)
    with _locked(job_path):
        return _submit(requests_path, job_path, base_url, metadata)


def _submit(requests_path: Path, job_path: Path, base_url: str | None, metadata: dict[str, str] | None) -> Job:
    """:func:`batch_submit` under the job's lock: whether a batch is recorded is read here, under it."""
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
    # Checked before the job file is first written: a base URL that cannot be used is never recorded.
    # One given again now wins over the one recorded (a job that failed to reach its endpoint can be moved).
    target = _target(current.requests, base_url or current.base_url)
    if base_url:
        current.base_url = safe_url(base_url)
    current.save()
    with _Api(target) as api:
        if current.input_file_id is None:
            with requests_path.open("rb") as handle:
                uploaded = api.call(lambda: api.client.files.create(file=handle, purpose="batch"))
            current.input_file_id = api.new_id(uploaded, "file")
            current.status = "uploaded"
            current.save()
        file_id = current.input_file_id
        batch = api.call(lambda: api.client.batches.create(
            input_file_id=file_id, endpoint="/v1/chat/completions", completion_window="24h", metadata=metadata or None,
        ))
        current.batch_id = api.new_id(batch, "batch")
        current.submitted_at = _now()
        _update(current, batch, api)
        current.save()
    return current


def batch_status(job: str | os.PathLike[str]) -> Job:
    """Ask the provider where the job's batch stands; the job file is updated (under its lock)."""
    with _locked(Path(job)):
        return _refresh(Path(job))


def _refresh(job: Path) -> Job:
    """The job, loaded, brought up to date from the provider and saved: under the job's lock."""
    current = Job.load(job)
    if current.batch_id is None:
        raise BatchFileError(f"{current.path} has no batch yet: run batch submit first")
    batch_id = current.batch_id
    with _Api(_target(current.requests, current.base_url)) as api:
        _update(current, api.call(lambda: api.client.batches.retrieve(batch_id)), api)
    current.save()
    return current


def _download_path(job: Job, kind: str) -> Path:
    """Where the job's ``kind`` ("output" or "errors") file is downloaded: beside the job file."""
    return job.path.with_name(f"{job.path.stem}.{kind}.jsonl")


def _download(api: _Api, current: Job, kind: str, file_id: str | None) -> Path | None:
    """The job's output (or error) file on disk, downloaded once: a second collect reads the same bytes."""
    if file_id is None:
        return None
    path = _download_path(current, kind)
    known = current.downloaded.get(kind)
    if known and path.exists() and known.get("sha256") == _sha256(path):
        return path
    if path.exists():
        raise OutputPathError(f"{path} exists and is not the {kind} file this job downloaded: move it away")
    content = api.call(lambda: api.client.files.content(file_id))
    write_atomic(path, content.read(), new=True)  # never over a file that appeared meanwhile
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
    known = Job.load(job)  # the records file is checked before anything is asked of the provider
    read: list[str | os.PathLike[str]] = [known.path, known.requests, articles_path(known.requests),
                                          _download_path(known, "output"), _download_path(known, "errors")]
    check_ours(out, RECORDS, inputs=read)
    started, interval = time.monotonic(), poll
    while True:  # the job is locked for each look and for the collecting, never while waiting between looks
        with _locked(Path(job)):
            current = _refresh(Path(job))
            if current.ended:
                return _collect(current, out, keep_results)
        if not wait or (timeout is not None and time.monotonic() - started + interval > timeout):
            counts = current.request_counts
            raise BatchFileError(
                f"batch {current.batch_id} is {current.status} ({counts.get('completed', 0)} of "
                f"{counts.get('total', '?')} requests done): collect it once it has ended"
            )
        time.sleep(interval)
        interval = min(interval * 2, max_poll)


def _collect(current: Job, out: str | os.PathLike[str], keep_results: bool) -> Collected:
    """The ended batch's files downloaded and read into ``out``: under the job's lock."""
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
