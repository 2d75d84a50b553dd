"""Assertions and set-ups shared by several test modules."""

from __future__ import annotations

import os
from typing import Any

from summarizer import ArticleSummary
from summarizer.grounding import grounding_of, locate


def check_grounded(result: ArticleSummary, text: str, policy: str = "drop") -> None:
    """Whatever the model said, only items whose quotes are in the article are left."""
    report = grounding_of(result)
    assert report is not None and report.policy == policy and report.ungrounded == 0
    kept = [*result.key_claims, *result.figures, *result.actors, *result.peace_talk_conditions]
    # a headline and the summary's sentences are checked, but are not items
    items = [i for i in report.issues if i.path != "headline" and not i.path.startswith("summary[")]
    assert report.grounded == len(kept) and report.dropped == len(items)
    for item in kept:
        assert item.span is not None and item.grounded
        found = text[item.span.start : item.span.end]
        if item.span.match == "exact":
            assert found in item.quote
        else:
            assert locate(found, item.quote) is not None


def deny_open_for_root(monkeypatch: Any) -> None:
    """Root reads a file with no permissions: make opening it fail, as it would for anyone else."""
    if os.geteuid() == 0:
        import summarizer.inputs.decoding

        def denied(name: Any, *args: Any, **kwargs: Any) -> Any:
            raise PermissionError(13, "Permission denied", name)

        monkeypatch.setattr(summarizer.inputs.decoding, "open", denied, raising=False)


def fifo_fed_later(path: Any, seconds: float = 3.0) -> Any:
    """A FIFO at ``path``, and a thread that writes one line into it as soon as something opens it to read.

    Code that refuses a FIFO never opens it, and the thread gives up after ``seconds``;
    code that opens it gets a line instead of waiting forever for a writer, so a test of
    the refusal fails rather than hangs where the refusal is missing.
    """
    import threading
    import time

    os.mkfifo(path)

    def feed() -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)  # fails at once while no reader has it open
            except OSError:
                time.sleep(0.02)
                continue
            try:
                os.write(fd, b'{"fed": true}\n')
            finally:
                os.close(fd)
            return

    threading.Thread(target=feed, daemon=True).start()
    return path
