"""An on-disk cache of validated summaries, so the same article is never paid for twice.

One SQLite file (standard library ``sqlite3``) in WAL mode with a busy timeout: any
number of processes may read and write it at once. Rows are keyed by
:meth:`Summarizer.cache_key <summarizer.core.Summarizer.cache_key>`, a sha256 over the
article's hash, :meth:`Settings.fingerprint <summarizer.config.Settings.fingerprint>`
(every setting that can change the answer: model, endpoint host, backend, mode,
temperature, max_tokens, seed, max_items, grounding policy and re-asks, chunk budget),
the prompt's version and hash, and the response model and its schema. A row holds the validated model's JSON and its
provenance; it is validated again on load, and a row that no longer validates is a
miss. The batch functions use it by default; single ``summarize`` calls do not.

The location is, in order: the ``directory`` argument, ``SUMMARIZER_CACHE_DIR``,
``platformdirs.user_cache_dir("summarizer")``.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from .results import attach, declares, grounding_of, provenance_of
from .schema import GroundingReport, Provenance

__all__ = ["Cache", "default_cache_dir"]

T = TypeVar("T", bound=BaseModel)

_FILE = "summaries.sqlite3"
_BUSY_MS = 30_000


def default_cache_dir() -> Path:
    """``SUMMARIZER_CACHE_DIR`` if set, else the platform's user cache directory."""
    env = os.environ.get("SUMMARIZER_CACHE_DIR")
    if env:
        return Path(env)
    import platformdirs  # 17 ms to import: only when no folder is given

    return Path(platformdirs.user_cache_dir("summarizer"))


class Cache:
    """Summaries by cache key. Safe across threads and processes; cheap to open."""

    def __init__(self, directory: str | os.PathLike[str] | None = None, *, busy_timeout: float = _BUSY_MS / 1000) -> None:
        folder = Path(directory) if directory is not None else default_cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / _FILE
        self._lock = threading.Lock()
        # Autocommit: every put is one short transaction, so writers never hold the lock long.
        self._db = sqlite3.connect(
            self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
        )
        self._db.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # durable at checkpoints; a lost row is a miss
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS summaries ("
            " key TEXT PRIMARY KEY, model TEXT NOT NULL, result TEXT NOT NULL,"
            " provenance TEXT, grounding TEXT, created REAL NOT NULL)"
        )

    def __repr__(self) -> str:
        return f"Cache({str(self.path.parent)!r})"

    def get(self, key: str, response_model: type[T]) -> T | None:
        """The cached result, validated as ``response_model``, with ``provenance.cached`` set; else None."""
        with self._lock:
            row = self._db.execute(
                "SELECT result, provenance, grounding FROM summaries WHERE key = ?", (key,)
            ).fetchone()
        if row is None:
            return None
        try:
            result = response_model.model_validate_json(row[0])
            provenance = Provenance.model_validate_json(row[1]) if row[1] else None
            grounding = GroundingReport.model_validate_json(row[2]) if row[2] else None
        except (ValidationError, ValueError):
            return None  # a corrupt or outdated row is a miss; the next put replaces it
        if provenance is not None:
            attach(result, provenance=provenance.model_copy(update={"cached": True}))
        if grounding is not None and grounding_of(result) is None:  # a user's model keeps it beside
            attach(result, grounding=grounding)
        return result

    def put(self, key: str, result: BaseModel) -> None:
        provenance = provenance_of(result)
        grounding = grounding_of(result)
        exclude = {"provenance"} if declares(type(result), "provenance", Provenance) else None
        body = result.model_dump_json(exclude=exclude)
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO summaries (key, model, result, provenance, grounding, created)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    key,
                    type(result).__name__,
                    body,
                    provenance.model_dump_json() if provenance is not None else None,
                    grounding.model_dump_json() if grounding is not None else None,
                    time.time(),
                ),
            )

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM summaries").fetchone()[0])

    def clear(self) -> None:
        with self._lock:
            self._db.execute("DELETE FROM summaries")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Cache:  # noqa: PYI034
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
