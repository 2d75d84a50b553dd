"""The command's own one-line messages only: the library's logs with ``--verbose``, each warning as one line."""

from __future__ import annotations

import contextlib
import logging
import sys
import warnings
from collections.abc import Iterator
from typing import Any

from .messages import CLI_NAMES, say

__all__ = ["NOISY_LOGGERS", "quiet"]

NOISY_LOGGERS = ("instructor", "openai", "httpx", "httpcore", "summarizer")
"""Loggers that report what our one-line errors already say (instructor logs every failed attempt
with its full text); shown with --verbose only."""


@contextlib.contextmanager
def quiet(verbose: bool) -> Iterator[None]:
    """Our one-line messages only: library logs with --verbose, warnings as one line."""
    levels = {name: logging.getLogger(name).level for name in NOISY_LOGGERS}
    handler: logging.Handler | None = None
    if verbose:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    for name in NOISY_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(logging.INFO if verbose else logging.CRITICAL + 1)
        if handler is not None:
            logger.addHandler(handler)

    def show(message: Warning | str, category: type[Warning], *_: Any, **__: Any) -> None:
        describe = getattr(message, "describe", None)
        say(describe(CLI_NAMES) if callable(describe) else str(message), prefix="warning")

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            warnings.showwarning = show
            yield
    finally:
        for name, level in levels.items():
            logger = logging.getLogger(name)
            logger.setLevel(level)
            if handler is not None:
                logger.removeHandler(handler)
