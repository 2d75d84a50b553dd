"""instructor's, openai's and the HTTP stack's own log lines, redacted while this library runs a call.

instructor logs what it handles: every failed attempt with its error, re-ask
messages, at DEBUG the answers themselves; openai logs at DEBUG every request it
sends, and a re-ask request carries the model's previous answer; openai and
httpcore log at DEBUG every response's headers, a redirect's ``Location`` (which a
hostile or misconfigured server can fill with the key) and a 401's echo among them.
Those are server content, so while a call runs every record of an ``instructor``,
``openai``, ``httpx`` or ``httpcore`` logger (and their ``2`` forks) goes through
:func:`redact` with the call's key (its message, arguments, traceback and stack)
before any handler sees it. Records logged outside a call of this library
are left as they are. While a request is only built for a batch file
(:func:`silenced_logs`), their records are dropped: instructor would log the stop
that ends it as a failed attempt.
"""

from __future__ import annotations

import contextvars
import logging
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

from .redact import redact

__all__ = ["redacted_logs", "silenced_logs"]

_UNSET = object()
_SILENT = object()
_SECRET: contextvars.ContextVar[object] = contextvars.ContextVar("summarizer_log_secret", default=_UNSET)
_FAMILIES = ("instructor", "openai", "httpx", "httpx2", "httpcore", "httpcore2")


class _Redacting(logging.Filter):
    """Rewrites a record in place (message and traceback as text), redacted; drops one only when silenced."""

    def filter(self, record: logging.LogRecord) -> bool:
        secret = _SECRET.get()
        if secret is _UNSET:
            return True
        if secret is _SILENT:
            return False
        key = secret if isinstance(secret, str) else None
        record.msg, record.args = redact(record.getMessage(), key), ()
        if record.exc_info and not record.exc_text:
            # Formatters use exc_text when it is set, so the traceback is shown redacted.
            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"), key)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, key)
        return True


_FILTER = _Redacting()
_guarded = 0  # how many loggers there were when the filter was last put on


def _guard_loggers() -> None:
    """Put the filter on every such logger made so far (a logger's filters do not cover its children).

    Loggers are only ever added, so this looks again only when there are more than last time.
    """
    global _guarded
    known = logging.Logger.manager.loggerDict
    if len(known) == _guarded:
        return
    names = [n for n in list(known) if n.split(".", 1)[0] in _FAMILIES]
    for name in [*_FAMILIES, *names]:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
    _guarded = len(known)  # after: getLogger may have added the families themselves


@contextmanager
def redacted_logs(secret: str | None) -> Iterator[None]:
    """Within this block (this task or thread only), the records of those loggers are redacted with ``secret``."""
    _guard_loggers()
    token = _SECRET.set(secret)
    try:
        yield
    finally:
        _SECRET.reset(token)


@contextmanager
def silenced_logs() -> Iterator[None]:
    """Within this block (this task or thread only), the records of those loggers are dropped."""
    _guard_loggers()
    token = _SECRET.set(_SILENT)
    try:
        yield
    finally:
        _SECRET.reset(token)
