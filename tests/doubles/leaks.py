"""A check, around every test, that no key or authorization header reaches a log record or a written file.

Every record of the loggers below, at DEBUG, is caught during each test (they
propagate to a handler on the root logger) and searched for anything shaped like a
key or an authorization header, message and traceback alike; so is every file the
test wrote under its ``tmp_path`` (batch outputs, reports, the cache). A find fails
the test at teardown, naming where it was seen.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

KEY_LIKE = re.compile(
    r"sk-[A-Za-z0-9_\-]{16,}|bearer\s+[A-Za-z0-9._~+/\-]{8,}|\bauthorization\s*[:=]|[\"']authorization[\"']\s*:",
    re.IGNORECASE,
)
"""An OpenAI-style key, a bearer token, or an authorization header."""

WATCHED = ("summarizer", "openai", "httpx", "httpx2", "httpcore", "httpcore2", "instructor", "werkzeug", "tests")
_MAX_FILE = 8 * 1024 * 1024


def leak_in(text: str) -> str | None:
    """The first key-like string in ``text``, or None."""
    match = KEY_LIKE.search(text)
    return match.group(0) if match else None


class LeakCatcher(logging.Handler):
    """Collects the records that hold something key-like."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.found: list[str] = []
        self.records = 0
        self.loggers: set[str] = set()
        self._formatter = logging.Formatter()

    def emit(self, record: logging.LogRecord) -> None:
        self.records += 1
        self.loggers.add(record.name)
        try:
            text = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is not ours to judge
            text = str(record.msg)
        if record.exc_info:  # as a handler's formatter shows it: the text a filter left (redacted), if any
            text += "\n" + (record.exc_text or self._formatter.formatException(record.exc_info))
        if (leak := leak_in(text)) is not None:
            self.found.append(f"{record.name} {record.levelname}: ...{leak}...")


def files_with_leaks(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink() and path.stat().st_size <= _MAX_FILE:
            leak = leak_in(path.read_bytes().decode("utf-8", "replace"))
            if leak is not None:
                found.append(f"{path.relative_to(root)}: ...{leak}...")
    return found


@pytest.fixture(scope="session")
def _leak_catcher() -> Iterator[LeakCatcher]:
    catcher = LeakCatcher()
    root = logging.getLogger()
    saved = {name: logging.getLogger(name).level for name in WATCHED}
    for name in WATCHED:
        logging.getLogger(name).setLevel(logging.DEBUG)
    root.addHandler(catcher)
    try:
        yield catcher
    finally:
        root.removeHandler(catcher)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


@pytest.fixture(autouse=True)
def _no_key_in_logs_or_files(request: pytest.FixtureRequest, _leak_catcher: LeakCatcher) -> Iterator[None]:
    _leak_catcher.found.clear()
    # Taken now: by teardown, tmp_path (the same directory the test gets) is no longer served.
    written = request.getfixturevalue("tmp_path") if "tmp_path" in request.fixturenames else None
    yield
    found = list(_leak_catcher.found)
    if written is not None:
        found += files_with_leaks(written)
    if found:
        pytest.fail("a key or authorization header leaked:\n" + "\n".join(found[:10]), pytrace=False)
