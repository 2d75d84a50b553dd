"""The JSON Lines output file of a batch: one record a line, appended as each article completes.

Running again with the same file skips every (id, input hash) already summarized
there and retries the failures. One run per file: the file is held under an exclusive
``fcntl.flock`` while a run uses it (on POSIX), and a second run on it fails at once
with :class:`~summarizer.errors.OutputLockedError`. A line cut off by a killed run is
dropped from the tail when the file is opened again.

The file is the user's, so it is guarded (:func:`~summarizer.files.check_ours` with
:data:`RECORDS`, then the open):

* only a regular file or a new name in an existing folder is used; a device, FIFO,
  socket, terminal or folder is refused before any request, and so is a file the
  run reads (one of its inputs);
* an existing file is appended to only if it is this library's JSON Lines: every
  line a record (an object with ``id`` and ``ok``) or blank; any other file (a Batch
  API results file too, whose lines have an ``id`` but no ``ok``) is refused, never cut;
* a symlink is followed: appends and compaction both go to the file it points to;
* a write that fails (disk full, I/O error) is undone to the last whole line and
  raised as :class:`~summarizer.errors.OutputWriteError`; a file deleted during the
  run is written again from the run's open copy (with an
  :class:`~summarizer.errors.OutputWarning`), a file replaced by another is left alone
  and the run stops with an ``OutputWriteError``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeGuard

from pydantic import BaseModel, ValidationError

from ..errors import OutputError, OutputLockedError, OutputPathError, OutputWarning, OutputWriteError
from ..files import AtomicFile, OutputKind, check_ours, check_output_path, check_readable, describe_mode
from ..results import attach, provenance_of
from ..schema import Provenance
from .records import BatchResult, ItemId, json_text

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock, one run per file is up to the caller
    fcntl = None  # type: ignore[assignment]

__all__ = ["RECORDS", "JsonlOutput", "check_output_path", "is_record", "read_output"]

# How every record of this library starts (``id`` is its first key), whole or cut off.
_RECORD_START = re.compile(rb'\s*\{\s*"id"\s*:')
_FIRST_LINE = 64 * 1024  # how much is read to refuse a foreign file before reading all of it
_OPEN_FLAGS = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0)


def is_record(value: object) -> TypeGuard[dict[str, Any]]:
    """Whether a parsed line is one of this library's records: an object with an ``id`` and a boolean ``ok``."""
    return isinstance(value, dict) and "id" in value and isinstance(value.get("ok"), bool)


def _records_head(head: bytes) -> bool:
    """Whether the start of a file is records: every whole line one (or blank), a cut-off last line starting as one."""
    *whole, tail = head.split(b"\n")
    for line in whole:
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except (ValueError, RecursionError):
            if _RECORD_START.match(line):
                continue  # a record cut off by a killed run, appended after: skipped when read, as read_output does
            return False
        if not is_record(value):
            return False
    return not tail.strip() or _RECORD_START.match(tail) is not None


RECORDS = OutputKind("a summarizer JSON Lines output (records, one per line)", _records_head, head=_FIRST_LINE)
"""The records file of ``summarize --format jsonl``, ``summarize_many(output=...)`` and the batch commands."""


def _parse_lines(data: bytes) -> tuple[list[dict[str, Any]], int, int]:
    """Records of every complete, valid line; the length of the file that is sound; the first foreign line.

    A last line without its newline (a run killed mid-write) is left out of the sound
    length, so truncating there leaves a file of whole lines. A line that is neither
    blank nor a record (whole or cut off) is foreign: its 1-based number is returned
    (0 when every line is this library's), and such a file is never cut or rewritten.
    """
    records: list[dict[str, Any]] = []
    sound = 0
    position = 0
    number = 0
    while position < len(data):
        number += 1
        end = data.find(b"\n", position)
        line = data[position:] if end < 0 else data[position:end]
        if not line.strip():
            if end < 0:
                break
            position = sound = end + 1
            continue
        ours = _RECORD_START.match(line) is not None
        if end < 0:  # a tail without its newline: a run killed mid-write, if it is ours
            return records, sound, 0 if ours else number
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):  # not JSON, or nested past the stack
            record = None
        if is_record(record):
            records.append(record)
        elif not ours or record is not None:  # not ours, or whole JSON that is not a record (a results line)
            return records, sound, number
        elif data[end + 1 :].strip():
            warnings.warn(f"skipping a corrupt line at byte {position} of the output file", stacklevel=3)
        else:
            break  # a corrupt last record: cut it off with the tail
        position = sound = end + 1
    return records, sound, 0


def read_output(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Every complete record of a batch output file, in the order written (read-only).

    Only a regular file is read: a FIFO would wait for a writer, and ``/dev/zero`` never
    ends. Anything else is an ``OSError`` (``EINVAL``), which callers say as their error.
    """
    check_readable(path)
    return _parse_lines(Path(path).read_bytes())[0]


def _read_all(fd: int, limit: int | None = None) -> bytes:
    parts: list[bytes] = []
    offset = 0
    while limit is None or offset < limit:
        part = os.pread(fd, 1 << 20 if limit is None else min(1 << 20, limit - offset), offset)
        if not part:
            break
        parts.append(part)
        offset += len(part)
    return b"".join(parts)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


class JsonlOutput:
    """The JSON Lines file of one run: checked, locked, repaired, appended to line by line.

    ``path`` is the real file (a symlink followed); ``given`` the path as the caller
    named it, which messages show. ``written`` lists the ids this run has written.
    """

    def __init__(self, path: str | os.PathLike[str], fsync: bool, inputs: Iterable[str | os.PathLike[str]] = ()) -> None:
        self.given = Path(path)
        self.path = check_ours(path, RECORDS, inputs=inputs)  # ``inputs``: the files the run reads, never its output
        self._fsync = fsync
        self._fd = self._open(os.O_CREAT)
        self.written: list[ItemId] = []
        try:
            first = _read_all(self._fd, _FIRST_LINE).split(b"\n", 1)[0]
            if first.strip() and not _RECORD_START.match(first):
                self._refuse(1)
            data = _read_all(self._fd)
            self.records, sound, foreign = _parse_lines(data)
            if foreign:
                self._refuse(foreign)
            if sound < len(data):
                os.ftruncate(self._fd, sound)  # drop a partial tail; appends start on a new line
        except BaseException:
            os.close(self._fd)
            raise

    def _refuse(self, line: int) -> None:
        raise OutputPathError(
            f"{self.given}: is not a summarizer JSON Lines output (line {line} is not one of its records); "
            "it is left as it is: choose another output file",
            path=str(self.given),
        )

    def _open(self, extra: int) -> int:
        """Open, check and lock the file; ``extra`` is ``O_CREAT`` or ``O_CREAT | O_EXCL``."""
        try:
            fd = os.open(self.path, _OPEN_FLAGS | extra, 0o666)
        except OSError as exc:
            raise OutputPathError(f"{self.given}: cannot be opened ({exc.strerror or exc})", path=str(self.given)) from None
        try:
            mode = os.fstat(fd).st_mode
            if not stat.S_ISREG(mode):  # changed since it was checked
                raise OutputPathError(f"{self.given}: is {describe_mode(mode)}", path=str(self.given))
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    raise OutputLockedError(
                        f"{self.path} is in use by another run; use one output file per run", path=str(self.given)
                    ) from None
        except BaseException:
            os.close(fd)
            raise
        return fd

    def previous(self, model_cls: type[BaseModel]) -> dict[tuple[ItemId, str], BatchResult]:
        """Successes already in the file that still validate, by (id, input hash)."""
        done: dict[tuple[ItemId, str], BatchResult] = {}
        for record in self.records:
            item_id, digest = record.get("id"), record.get("input_sha256")
            if not record.get("ok") or not isinstance(item_id, (str, int)) or not isinstance(digest, str):
                continue
            try:
                summary = model_cls.model_validate(record["summary"])
                if "provenance" in record:
                    attach(summary, provenance=Provenance.model_validate(record["provenance"]))
            except (ValidationError, KeyError, TypeError):
                continue  # written for another schema: summarize again
            provenance = provenance_of(summary)
            published = provenance.published if provenance is not None else None
            done[item_id, digest] = BatchResult(
                item_id, -1, digest, summary=summary, cached=True, resumed=True, published=published
            )
        return done

    def _failed(self, why: str, unwritten: list[ItemId]) -> OutputWriteError:
        return OutputWriteError(f"{self.given}: {why}", path=str(self.given), unwritten=unwritten)

    def _in_place(self, item: list[ItemId]) -> None:
        """Make sure appends reach the file at ``path``: restore it if deleted, stop if replaced."""
        try:
            now = os.stat(self.path)
        except FileNotFoundError:
            self._restore(item)
            return
        except OSError:
            return  # cannot tell (a folder made unreadable): the write itself will say
        mine = os.fstat(self._fd)
        if (now.st_dev, now.st_ino) != (mine.st_dev, mine.st_ino):
            raise self._failed(
                "was replaced by another file during the run; that file is left as it is, and this run's "
                "records are not in it",
                self.written + item,
            )

    def _restore(self, item: list[ItemId]) -> None:
        """The file was deleted: write it again, from the copy this run still holds open, never over a newcomer."""
        old = self._fd
        try:
            self._fd = self._open(os.O_CREAT | os.O_EXCL)
        except (OutputPathError, OutputLockedError) as exc:
            self._fd = old
            raise self._failed(
                f"was deleted during the run and cannot be written again ({exc})", self.written + item
            ) from None
        try:
            _write_all(self._fd, _read_all(old))
            os.fsync(self._fd)
        except OSError as exc:
            raise self._failed(f"was deleted during the run; writing it again failed ({exc.strerror or exc})",
                               self.written + item) from None
        finally:
            os.close(old)
        warnings.warn(
            f"{self.given} was deleted during the run; it was written again with every record so far",
            OutputWarning,
            stacklevel=4,
        )

    def write(self, result: BatchResult) -> None:
        """Append one record; on failure undo to the last whole line and raise :class:`OutputWriteError`."""
        data = (json_text(result.to_record()) + "\n").encode("utf-8")
        self._in_place([result.id])
        end = os.lseek(self._fd, 0, os.SEEK_END)
        try:
            _write_all(self._fd, data)
            if self._fsync:
                os.fsync(self._fd)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, end)  # no half line left behind
            raise self._failed(f"cannot be written ({exc.strerror or exc})", [result.id]) from None
        self.written.append(result.id)

    def compact(self) -> None:
        """Drop the lines of earlier runs whose id this run wrote again, so a resumed file ends with one line per id.

        A resumed run appends a retried item after its earlier failure. Lines of this
        run are all kept (two inputs may share an id). The file is rewritten beside
        itself (same permissions) and swapped in atomically, so a kill here loses nothing.
        """
        self._in_place([])
        if not self.records:  # a new file: nothing earlier to drop, and reading it back would cost its size in memory
            return
        records, _, _ = _parse_lines(_read_all(self._fd))
        earlier, this_run = records[: len(self.records)], records[len(self.records) :]
        rewritten = {json.dumps(record.get("id")) for record in this_run}
        kept = [record for record in earlier if json.dumps(record.get("id")) not in rewritten]
        if len(kept) == len(earlier):
            return
        try:
            with AtomicFile(self.path) as file:  # beside it, its permissions kept, swapped in whole
                for record in kept + this_run:
                    file.write(json_text(record) + "\n")
        except OutputError:  # e.g. a full disk: the file keeps every line, and the last line of an id wins
            pass

    def close(self) -> None:
        os.close(self._fd)  # also releases the lock
