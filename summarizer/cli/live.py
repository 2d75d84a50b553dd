"""The live line: one line on standard error, redrawn as the model's answer streams in (``summarize``, one article)."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator

from ..progress import Progress, reporting

__all__ = ["Line", "live_line", "on_terminal"]


def on_terminal() -> bool:
    """Whether standard error is a terminal: the only place progress is ever written."""
    try:
        return sys.stderr is not None and sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced by something without isatty, or closed
        return False


class Line:
    """The live line's text, drawn by rich on each refresh from the latest event (so the clock moves between events)."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.latest: Progress | None = None

    def update(self, event: Progress) -> None:
        self.latest = event

    def text(self, now: float) -> str:
        elapsed = f"{now - self.started:.1f} s"
        event = self.latest
        if event is None or event.tokens == 0:  # the request is being sent, or the server reads the prompt
            return f"model: waiting for the first token · {elapsed}"
        items = f"{event.items} item{'' if event.items == 1 else 's'}"
        again = f" · answer {event.attempt}" if event.attempt > 1 else ""
        return f"model: {event.tokens} tokens · {event.tokens_per_second:.1f} tok/s · {items} · {elapsed}{again}"

    def __rich__(self) -> str:
        return self.text(time.perf_counter())


@contextlib.contextmanager
def live_line() -> Iterator[None]:
    """One line on standard error, redrawn as the model's answer streams in, and cleared when the call ends.

    Standard output is never touched (``--format json`` stays pure); what the command
    says on standard error meanwhile is printed above the line.
    """
    from rich.console import Console  # rich costs 50 ms to import: only for a line that is shown
    from rich.live import Live

    line = Line()
    console = Console(stderr=True, highlight=False)
    with Live(line, console=console, transient=True, refresh_per_second=8, redirect_stdout=False), reporting(line.update):
        yield
