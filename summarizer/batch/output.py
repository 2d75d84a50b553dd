"""The JSON Lines output file of a batch: one record a line, appended as each article completes.

Running again with the same file skips every (id, input hash) already summarized
there and retries the failures. One run per file: the file is held under an exclusive
``fcntl.flock`` while a run uses it (on POSIX), and a second run on it fails at once
with :class:`~summarizer.errors.OutputLockedError`. A line cut off by a killed run, or
that is not JSON, is dropped from the tail when the file is opened again.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel, ValidationError

from ..errors import OutputLockedError
from ..results import attach
from ..schema import Provenance
from .records import BatchResult, ItemId

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock, one run per file is up to the caller
    fcntl = None  # type: ignore[assignment]

__all__ = ["JsonlOutput", "read_output"]


def _parse_lines(data: bytes) -> tuple[list[dict[str, Any]], int]:
    """Records of every complete, valid line, and the length of the file that is sound.

    A last line without its newline (a run killed mid-write) or that is not JSON is
    left out of that length, so truncating there leaves a file of whole lines.
    """
    records: list[dict[str, Any]] = []
    sound = 0
    position = 0
    while position < len(data):
        end = data.find(b"\n", position)
        if end < 0:
            break  # partial tail
        line = data[position:end]
        try:
            record = json.loads(line) if line.strip() else None
        except ValueError:
            record = False
        if record is False or (record is not None and not isinstance(record, dict)):
            if data[end + 1 :].strip():
                warnings.warn(f"skipping a corrupt line at byte {position} of the output file", stacklevel=3)
            else:
                break  # a corrupt last line: cut it off with the tail
        elif record is not None:
            records.append(record)
        position = sound = end + 1
    return records, sound


def read_output(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Every complete record of a batch output file, in the order written (read-only)."""
    return _parse_lines(Path(path).read_bytes())[0]


class JsonlOutput:
    """The JSON Lines file of one run: locked, repaired, appended to line by line."""

    def __init__(self, path: str | os.PathLike[str], fsync: bool) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fsync = fsync
        self._file: IO[bytes] = open(self.path, "a+b")  # noqa: SIM115 - held for the whole run
        if fcntl is not None:
            try:
                fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self._file.close()
                raise OutputLockedError(
                    f"{self.path} is in use by another run; use one output file per run"
                ) from None
        self._file.seek(0)
        self.records, sound = _parse_lines(self._file.read())
        if sound < self._file.tell():
            self._file.truncate(sound)  # drop a partial or corrupt tail; appends start on a new line

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
            done[item_id, digest] = BatchResult(item_id, -1, digest, summary=summary, cached=True, resumed=True)
        return done

    def write(self, result: BatchResult) -> None:
        line = json.dumps(result.to_record(), ensure_ascii=False, default=str) + "\n"
        self._file.write(line.encode("utf-8"))
        self._file.flush()
        if self._fsync:
            os.fsync(self._file.fileno())

    def compact(self) -> None:
        """Drop the lines of earlier runs whose id this run wrote again, so a resumed file ends with one line per id.

        A resumed run appends a retried item after its earlier failure. Lines of this
        run are all kept (two inputs may share an id). The file is rewritten beside
        itself and swapped in atomically, so a kill here loses nothing.
        """
        self._file.seek(0)
        records, _ = _parse_lines(self._file.read())
        earlier, this_run = records[: len(self.records)], records[len(self.records) :]
        rewritten = {json.dumps(record.get("id")) for record in this_run}
        kept = [record for record in earlier if json.dumps(record.get("id")) not in rewritten]
        if len(kept) == len(earlier):
            return
        temporary = self.path.with_name(self.path.name + ".compacting")
        try:
            with open(temporary, "wb") as file:
                file.writelines(json.dumps(r, ensure_ascii=False).encode("utf-8") + b"\n" for r in kept + this_run)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.path)
        except OSError:  # pragma: no cover - e.g. a file open elsewhere on Windows: the last line still wins
            temporary.unlink(missing_ok=True)

    def close(self) -> None:
        self._file.close()  # also releases the lock
